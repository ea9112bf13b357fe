use super::{Context, Reporter};
use crate::ast::Target;

declare_rule! {
    /// ## What it does
    /// Reports a hand-off to the SOP's own id: `-> [[CS-001]]` inside
    /// `sop CS-001`. Links to the SOP's own id in prose or references are
    /// not reported; only branches are.
    ///
    /// ## Why is this bad?
    /// A hand-off passes the case to *another* procedure and ends this one.
    /// Handing off to itself ends the procedure while seeming to go on:
    /// the flowchart shows an exit, the case restarts nowhere, and
    /// whoever follows the procedure does not know where to continue.
    /// Usually the id was copied from another SOP, or the author meant to
    /// go back to a step.
    ///
    /// ## Example
    /// ```text
    /// sop CS-001: Handle customer inquiries
    /// …
    ///   step verify: Confirm the issue
    ///     if no -> [[CS-001]]
    /// ```
    ///
    /// ## How to fix
    /// To go back to a step of this procedure, write its id
    /// (`if no -> greet`); to finish, write `-> end`; to hand the case to
    /// another SOP, write that SOP's id.
    pub struct SelfHandoff {
        code: "self-handoff",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let Some(own) = ctx.doc.id() else {
        return;
    };
    let steps = ctx.doc.steps();
    for step in steps {
        for branch in step.branches() {
            if branch.target != Target::Sop(own) {
                continue;
            }
            let first = steps.first().and_then(|s| s.id).map(|id| id.value);
            let back = match first {
                Some(first) => format!("write its id (`-> {first}` goes back to the first step)"),
                None => "write its id".to_string(),
            };
            out.push(
                out.diagnostic(
                    branch.target_span,
                    format!("`[[{own}]]` is this SOP itself: a hand-off to it goes nowhere"),
                )
                .label("this SOP")
                .help(format!(
                    "A hand-off passes the case to another SOP. To go back to a step of this procedure, {back}; to finish, write `-> end`."
                )),
            );
        }
    }
}
