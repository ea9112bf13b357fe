use std::collections::{HashMap, HashSet};

use super::{listing, Context, Reporter, Suggester};
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

/// How many step ids a help text lists at most.
const LISTED: usize = 5;

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let steps = ctx.doc.steps();
    let mut known: HashSet<&str> = HashSet::with_capacity(steps.len());
    // Distinct ids in document order, for the help text.
    let ids: Vec<&str> = steps
        .iter()
        .filter_map(|s| s.id.map(|i| i.value))
        .filter(|id| known.insert(id))
        .collect();
    // Built on the first unknown target only: valid files never pay for it.
    let mut suggester: Option<Suggester<'_>> = None;
    let mut helps: HashMap<&str, String> = HashMap::new();
    for step in steps {
        for branch in step.branches() {
            let Target::Step(id) = branch.target else {
                continue;
            };
            if known.contains(id) {
                continue;
            }
            let help = helps.entry(id).or_insert_with(|| {
                let suggester = suggester.get_or_insert_with(|| Suggester::new(ids.iter().copied()));
                match suggester.suggest(id) {
                    Some(s) => format!("Did you mean `{s}`?"),
                    None if ids.is_empty() => "No step of this file has an id. Give the target step one: `step <id>: <title>`; other targets are `next`, `end` and `[[SOP-ID]]`.".to_string(),
                    None => format!(
                        "The step ids of this file are {}; other targets are `next`, `end` and `[[SOP-ID]]`.",
                        listing(&ids, LISTED)
                    ),
                }
            });
            out.push(
                out.diagnostic(branch.target_span, format!("no step has the id `{id}`"))
                    .label("unknown step")
                    .help(help.clone()),
            );
        }
    }
}
