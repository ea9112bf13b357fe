use super::{Context, Reporter};

declare_rule! {
    /// ## What it does
    /// Reports each reachable step from which no path leads to `end` or to a
    /// hand-off (`-> [[SOP-ID]]`): a loop with no way out.
    ///
    /// ## Why is this bad?
    /// Whoever follows the procedure from this step goes round in circles:
    /// the procedure never finishes and never hands the case on.
    ///
    /// ## Example
    /// ```text
    /// step retry: Retry the payment
    ///   -> check
    /// step check: Check the payment
    ///   -> retry
    /// ```
    ///
    /// ## How to fix
    /// Give the loop an exit: an `if` option that leaves it
    /// (`if paid -> next`, `if 3 attempts failed -> [[CS-014]]`) or `-> end`.
    pub struct NoPathToEnd {
        code: "no-path-to-end",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let flow = ctx.flow;
    for (i, step) in ctx.doc.steps().iter().enumerate() {
        if !flow.reachable[i] || flow.can_finish[i] {
            continue;
        }
        let name = step.id.map_or_else(
            || format!("step {}", step.number),
            |id| format!("step `{}`", id.value),
        );
        out.push(
            out.diagnostic(step.head, format!("from {name} the procedure can never end"))
                .label("every path from here loops without reaching `end` or a hand-off")
                .help("Give the loop a way out: an option such as `if resolved -> next`, `-> end`, or a hand-off `-> [[SOP-ID]]`."),
        );
    }
}
