use super::{Context, Reporter};

declare_rule! {
    /// ## What it does
    /// Warns about a revision dated after today.
    ///
    /// ## Why is this bad?
    /// A revision records a change that happened. A future date is usually a
    /// typo (2062 for 2026) and pushes the next review date out, hiding a
    /// stale procedure.
    ///
    /// ## Example
    /// ```text
    /// revisions:
    ///   1.1  2062-07-05  Peter Wu: Reviewed
    /// ```
    ///
    /// ## How to fix
    /// Correct the date. To announce a future change, use `effective:` on
    /// the new version instead.
    pub struct FutureRevision {
        code: "future-revision",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    for rev in ctx.doc.revisions() {
        let Some(date) = rev.date_parsed else {
            continue;
        };
        if date > ctx.today {
            out.push(
                out.diagnostic(rev.date.span, format!("revision {} is dated in the future", rev.version.value))
                    .label(format!("after today, {}", ctx.today))
                    .help("A revision records a change already made. Correct the date; use `effective:` for a version that takes effect later."),
            );
        }
    }
}
