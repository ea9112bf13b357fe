use super::{Context, Reporter};
use crate::source::EncodingIssueKind;

declare_rule! {
    /// ## What it does
    /// Reports bytes that are not valid UTF-8, and NUL bytes, with their byte
    /// offset in the file. At most ten are reported per file.
    ///
    /// ## Why is this bad?
    /// `.sop` files are UTF-8 text. Invalid bytes usually mean the file was
    /// saved in another encoding (GBK, Windows-1250, Latin-1) and its Chinese
    /// or Hungarian text is garbled; a NUL byte usually means a binary file or
    /// a UTF-16 export.
    ///
    /// ## Example
    /// A file saved from a Chinese Windows editor in GBK: `目的` is stored as
    /// the bytes `C4 BF B5 C4`, which are not UTF-8.
    ///
    /// ## How to fix
    /// Re-save the file as UTF-8 (with or without a byte-order mark). In most
    /// editors this is under *Save As… → Encoding*.
    pub struct InvalidEncoding {
        code: "invalid-encoding",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    for issue in &ctx.source.encoding_issues {
        let (message, label) = match issue.kind {
            EncodingIssueKind::InvalidUtf8 => (
                format!("invalid UTF-8 at byte offset {}", issue.byte_offset),
                "not UTF-8",
            ),
            EncodingIssueKind::Nul => (
                format!("NUL byte at byte offset {}", issue.byte_offset),
                "NUL byte",
            ),
        };
        out.push(
            out.diagnostic(issue.span, message)
                .label(label)
                .help("Save the file as UTF-8 text. Invalid bytes usually mean another encoding (GBK, Windows-1250, Latin-1); NUL bytes a binary or UTF-16 file."),
        );
    }
}
