use super::{Context, Reporter};

declare_rule! {
    /// ## What it does
    /// Reports a step that no path from the first step reaches: no branch
    /// leads to it, and the step before it does not fall through to it.
    ///
    /// ## Why is this bad?
    /// Nobody following the procedure will ever perform the step. Usually a
    /// branch was retargeted and the step was forgotten, or the step before
    /// it ends with `-> end` or a hand-off.
    ///
    /// ## Example
    /// ```text
    /// step close: Close the interaction
    ///   -> end
    /// step survey: Send the satisfaction survey
    /// ```
    ///
    /// ## How to fix
    /// Add a branch to the step (`-> survey` instead of `-> end`), move it to
    /// where the flow passes, or delete it.
    pub struct UnreachableStep {
        code: "unreachable-step",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    for (step, reachable) in ctx.doc.steps().iter().zip(&ctx.flow.reachable) {
        if *reachable {
            continue;
        }
        let name = step.id.map_or_else(
            || format!("step {}", step.number),
            |id| format!("step `{}`", id.value),
        );
        out.push(
            out.diagnostic(step.head, format!("{name} can never be reached"))
                .label("no path from the first step leads here")
                .help("Branch to this step from another one, move it to where the flow passes, or remove it."),
        );
    }
}
