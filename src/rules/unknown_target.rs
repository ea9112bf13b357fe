use super::{did_you_mean, Context, Reporter};
use crate::ast::Target;

declare_rule! {
    /// ## What it does
    /// Reports a branch to a step id that no step of the file has, and
    /// suggests the nearest id.
    ///
    /// ## Why is this bad?
    /// The branch leads nowhere: whoever follows the procedure reaches this
    /// point and does not know what to do next.
    ///
    /// ## Example
    /// ```text
    /// step verify: Confirm the issue
    ///   if no -> lisen
    /// ```
    ///
    /// ## How to fix
    /// Correct the id (`-> listen`), or add the missing step. Other targets
    /// are `next`, `end` and `[[SOP-ID]]` for a hand-off.
    pub struct UnknownTarget {
        code: "unknown-target",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let steps = ctx.doc.steps();
    let ids: Vec<&str> = steps.iter().filter_map(|s| s.id.map(|i| i.value)).collect();
    for step in steps {
        for branch in step.branches() {
            let Target::Step(id) = branch.target else {
                continue;
            };
            if ids.contains(&id) {
                continue;
            }
            let help = match did_you_mean(id, ids.iter().copied()) {
                Some(s) => format!("Did you mean `{s}`?"),
                None if ids.is_empty() => "No step of this file has an id. Give the target step one: `step <id>: <title>`; other targets are `next`, `end` and `[[SOP-ID]]`.".to_string(),
                None => format!(
                    "The step ids of this file are {}; other targets are `next`, `end` and `[[SOP-ID]]`.",
                    ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
                ),
            };
            out.push(
                out.diagnostic(branch.target_span, format!("no step has the id `{id}`"))
                    .label("unknown step")
                    .help(help),
            );
        }
    }
}
