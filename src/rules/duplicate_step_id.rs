use std::collections::HashMap;

use super::{Context, Reporter};

declare_rule! {
    /// ## What it does
    /// Reports two steps of one file with the same id. Both places are
    /// labelled.
    ///
    /// ## Why is this bad?
    /// Branches name their target by id; with two steps called `check`,
    /// `-> check` can only go to one of them (the first), and the other is
    /// likely unreachable.
    ///
    /// ## Example
    /// ```text
    /// step check: Check the order
    /// step check: Check the invoice
    /// ```
    ///
    /// ## How to fix
    /// Rename one of them (`check-order`, `check-invoice`) and update the
    /// branches that should go to it.
    pub struct DuplicateStepId {
        code: "duplicate-step-id",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let mut seen = HashMap::new();
    for step in ctx.doc.steps() {
        let Some(id) = step.id else { continue };
        if let Some(first) = seen.get(id.value) {
            out.push(
                out.diagnostic(id.span, format!("step id `{}` is used twice", id.value))
                    .label("second step with this id")
                    .with_secondary(*first, "first used here")
                    .help("Step ids are unique within a file: branches go to the first step with an id. Rename one of the steps."),
            );
        } else {
            seen.insert(id.value, id.span);
        }
    }
}
