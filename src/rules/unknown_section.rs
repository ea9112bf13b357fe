use super::{Context, Reporter};
use crate::ast::Dialect;
use crate::syntax::keywords::{spelling, Keyword, Word};

declare_rule! {
    /// ## What it does
    /// Reports a line that is only a heading with a colon and that names a
    /// section in other words: `Revision history:`, `Objective:`,
    /// `Procedure:`, `目标：`, `修订：`, `Eljárásrend:`. Also a section
    /// keyword of a language the file is not written in, such as `目的：` in
    /// a file without `language: zh`. The lines after it are read as the
    /// section meant, so one mistake is one diagnostic.
    ///
    /// ## Why is this bad?
    /// Such a heading is not a section: without this check its lines would
    /// silently become prose of the section above, or errors of their own,
    /// and the revisions, references or steps under it would be lost from
    /// the procedure.
    ///
    /// ## Example
    /// ```text
    /// sop CS-001: Handle customer inquiries
    ///
    /// Revision history:
    ///   1.0  2024-01-10  Jane Doe: Created
    /// ```
    ///
    /// ## How to fix
    /// Use the section's keyword: `revisions:` (or the keyword of the file's
    /// language, such as `修订记录：` or `változások:`).
    pub struct UnknownSection {
        code: "unknown-section",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let dialect = ctx.doc.dialect;
    for unknown in &ctx.doc.unknown_sections {
        let word = Word::Key(Keyword::Section(unknown.meant));
        let meant = spelling(word, dialect);
        let colon = if dialect == Dialect::Zh { "：" } else { ":" };
        let heading = unknown.heading.value;
        let (message, help) = match unknown.dialect {
            Some(written) => {
                let (language, code) = match written {
                    Dialect::Zh => ("Chinese", "zh"),
                    _ => ("Hungarian", "hu"),
                };
                (
                    format!(
                        "`{heading}` is the {language} keyword for `{}:`, but this file is not written in {language}",
                        unknown.meant.name()
                    ),
                    format!(
                        "Did you mean `{meant}{colon}`? Add `language: {code}` to the metadata to write {language} keywords."
                    ),
                )
            }
            None => (
                format!("`{heading}:` is not a section"),
                format!("Did you mean `{meant}{colon}`? Sections have fixed names; the lines below are read as `{meant}{colon}`."),
            ),
        };
        out.push(
            out.diagnostic(unknown.heading.span, message)
                .label(format!("did you mean `{meant}{colon}`?"))
                .help(help),
        );
    }
}
