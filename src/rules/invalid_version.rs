use super::{Context, Reporter};
use crate::ast::MetaValue;

declare_rule! {
    /// ## What it does
    /// Reports a `version:` or a revision version that is not dot-separated
    /// numbers with an optional `v` prefix.
    ///
    /// ## Why is this bad?
    /// Versions are compared to check that the history goes forward and that
    /// `version:` matches the latest revision. `1.x` or `draft 2` cannot be
    /// compared.
    ///
    /// ## Example
    /// ```text
    /// version: 1.x
    /// ```
    ///
    /// ## How to fix
    /// Use numbers separated by dots: `1.1`, `2.0.3` or `V2.0.3`.
    pub struct InvalidVersion {
        code: "invalid-version",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    for entry in ctx.doc.meta_entries() {
        if let MetaValue::Version { parsed: None } = entry.value {
            report(out, entry.raw.span, entry.raw.value);
        }
    }
    for rev in ctx.doc.revisions() {
        if rev.version_parsed.is_none() {
            report(out, rev.version.span, rev.version.value);
        }
    }
}

fn report(out: &mut Reporter<'_>, span: crate::ast::Span, text: &str) {
    out.push(
        out.diagnostic(span, format!("`{text}` is not a version"))
            .label("expected numbers separated by dots")
            .help("Write versions as numbers separated by dots, optionally after a `v`: `1.1`, `2.0.3`, `V2.0.3`."),
    );
}
