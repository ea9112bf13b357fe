use super::{Context, Reporter};

declare_rule! {
    /// ## What it does
    /// Warns when the revision history is not in order: each revision must
    /// be dated on or after the one above it, and have a higher version.
    ///
    /// ## Why is this bad?
    /// The history is read top to bottom and the last line is taken as the
    /// current version. Out of order, a reader cannot tell which version is
    /// current, and a copy-pasted line often keeps a wrong date.
    ///
    /// ## Example
    /// ```text
    /// revisions:
    ///   1.1  2024-07-05  Peter Wu: Reviewed
    ///   1.2  2024-06-01  Peter Wu: Added escalation
    /// ```
    ///
    /// ## How to fix
    /// List revisions oldest first, with increasing versions, and correct
    /// the date or version that is wrong.
    pub struct RevisionOrder {
        code: "revision-order",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let revisions: Vec<_> = ctx.doc.revisions().collect();
    for pair in revisions.windows(2) {
        let (before, after) = (pair[0], pair[1]);
        if let (Some(a), Some(b)) = (before.date_parsed, after.date_parsed) {
            if b < a {
                out.push(
                    out.diagnostic(
                        after.date.span,
                        format!(
                            "revision {} is dated before the revision above it",
                            after.version.value
                        ),
                    )
                    .label(format!("{b} is before {a}"))
                    .with_secondary(before.date.span, "previous revision")
                    .help("List revisions oldest first. If the date is a typo, correct it."),
                );
                continue;
            }
        }
        if let (Some(a), Some(b)) = (&before.version_parsed, &after.version_parsed) {
            if b <= a {
                out.push(
                    out.diagnostic(after.version.span, format!("version {} does not increase", after.version.value))
                        .label(format!("not higher than {}", before.version.value))
                        .with_secondary(before.version.span, "previous revision")
                        .help("Each revision needs a higher version than the one above it, such as 1.1 after 1.0."),
                );
            }
        }
    }
}
