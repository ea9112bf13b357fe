use super::{Context, Reporter};
use crate::ast::MetaValue;

declare_rule! {
    /// ## What it does
    /// Warns when an SOP is overdue for review: the most recent of its
    /// revision dates and its `effective:` date, plus its review cadence
    /// (`review:`, or the project's default of 12 months), lies before
    /// today. It says since when the review is due and by how many days.
    ///
    /// ## Why is this bad?
    /// Procedures drift from practice: systems, teams and regulations
    /// change. A procedure that nobody has looked at for two years is likely
    /// to be wrong somewhere, and auditors ask for proof of regular review.
    ///
    /// ## Example
    /// ```text
    /// review: every 6 months
    /// revisions:
    ///   1.0  2025-01-15  Peter Wu: Created
    /// ```
    /// On 2026-11-23 this review has been due since 2025-07-15.
    ///
    /// ## How to fix
    /// Review the procedure with its owner and add a revision line, even when
    /// nothing changed: `1.1  2026-11-23  Peter Wu: Reviewed, no changes`.
    /// Pin the date in CI with `sop check --today YYYY-MM-DD` for
    /// reproducible runs.
    pub struct StaleReview {
        code: "stale-review",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let mut cadence = ctx.default_review;
    let mut review_span = None;
    let mut effective = None;
    for entry in ctx.doc.meta_entries() {
        match entry.value {
            MetaValue::Review { parsed } => {
                // An unreadable cadence is reported by `invalid-duration`.
                let Some(parsed) = parsed else { return };
                cadence = parsed;
                review_span = Some(entry.span);
            }
            MetaValue::Effective { parsed: Some(date) } => effective = Some((date, entry.span)),
            _ => {}
        }
    }
    let latest = ctx
        .doc
        .revisions()
        .filter_map(|r| r.date_parsed.map(|d| (d, r.span)))
        .chain(effective)
        .max_by_key(|&(d, _)| d);
    let Some((last, last_span)) = latest else {
        return;
    };
    let Some(due) = last.plus(cadence) else {
        return;
    };
    if due >= ctx.today {
        return;
    }
    let overdue = due.days_until(ctx.today);
    let days = if overdue == 1 { "day" } else { "days" };
    let span = review_span.unwrap_or_else(|| ctx.file_span());
    let mut d = out
        .diagnostic(
            span,
            format!("review overdue by {overdue} {days}: due since {due}"),
        )
        .label(format!("review {cadence}"))
        .help(format!(
            "Last reviewed {last}; review the procedure and add a revision line dated today, even when nothing changed."
        ));
    if review_span.is_some() {
        d = d.with_secondary(last_span, "last review");
    } else {
        d = d
            .label(format!("no `review:`: the default is {cadence}"))
            .with_secondary(last_span, "last review");
    }
    out.push(d);
}
