use super::{Context, Reporter};
use crate::ast::MetaValue;

declare_rule! {
    /// ## What it does
    /// Reports an `effective:` date or a revision date that is not a real
    /// calendar date written `YYYY-MM-DD`.
    ///
    /// ## Why is this bad?
    /// Review deadlines are computed from these dates. A date that does not
    /// parse (`2024/07/05`, `5 July 2024`, `2026-02-30`) would silently
    /// switch off the staleness check.
    ///
    /// ## Example
    /// ```text
    /// effective: 2026-02-30
    /// ```
    ///
    /// ## How to fix
    /// Write the date as year-month-day with four, two and two digits:
    /// `2026-02-28`.
    pub struct InvalidDate {
        code: "invalid-date",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    for entry in ctx.doc.meta_entries() {
        if let MetaValue::Effective { parsed: None } = entry.value {
            report(out, entry.raw.span, entry.raw.value);
        }
    }
    for rev in ctx.doc.revisions() {
        if rev.date_parsed.is_none() {
            report(out, rev.date.span, rev.date.value);
        }
    }
}

fn report(out: &mut Reporter<'_>, span: crate::ast::Span, text: &str) {
    out.push(
        out.diagnostic(span, format!("`{text}` is not a valid date"))
            .label("expected YYYY-MM-DD")
            .help("Write dates as year-month-day, such as `2024-07-05`, and check that the day exists in that month."),
    );
}
