use super::{Context, Reporter};
use crate::ast::{BranchKind, StepItem};

declare_rule! {
    /// ## What it does
    /// Reports a `timeout ->` branch in a step that has no `within:` time
    /// limit.
    ///
    /// ## Why is this bad?
    /// `timeout -> target` is taken when the step's time limit runs out.
    /// Without `within:` there is no limit, so the branch can never be
    /// taken, and whoever follows the procedure waits for ever instead of
    /// moving on.
    ///
    /// ## Example
    /// ```text
    /// step wait: Wait for the customer's reply
    ///   timeout -> handover
    /// ```
    ///
    /// ## How to fix
    /// Give the step its limit (`within: 5 min`), or remove the `timeout ->`
    /// line.
    pub struct TimeoutWithoutLimit {
        code: "timeout-without-limit",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    for step in ctx.doc.steps() {
        let limited = step
            .items
            .iter()
            .any(|item| matches!(item, StepItem::Within { .. }));
        if limited {
            continue;
        }
        for branch in step.branches() {
            if matches!(branch.kind, BranchKind::Timeout) {
                out.push(
                    out.diagnostic(branch.span, "`timeout ->` in a step without a time limit")
                        .label("never taken")
                        .help("A timeout branch is taken when the step's `within:` runs out. Add `within: <duration>` to the step (such as `within: 5 min`), or remove this line."),
                );
            }
        }
    }
}
