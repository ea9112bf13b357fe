use std::collections::HashSet;

use super::{Context, Reporter};
use crate::ast::SectionKind;

declare_rule! {
    /// ## What it does
    /// Warns about a role declared under `roles:` that no step names in its
    /// `role:`.
    ///
    /// ## Why is this bad?
    /// The role is listed as taking part in the procedure but does nothing
    /// in it: either a step lost its `role:` line, or the role no longer
    /// belongs here.
    ///
    /// ## Example
    /// ```text
    /// roles:
    ///   agent: Customer service agent
    ///   auditor: Quality auditor
    /// ```
    /// and no step has `role: auditor`.
    ///
    /// ## How to fix
    /// Add `role: auditor` to the steps the auditor performs, or remove the
    /// role.
    pub struct UnusedRole {
        code: "unused-role",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let used: HashSet<&str> = ctx
        .doc
        .steps()
        .iter()
        .flat_map(|s| s.roles())
        .map(|r| r.value)
        .collect();
    for role in ctx.doc.entries(SectionKind::Roles) {
        if !used.contains(role.name.value) {
            out.push(
                out.diagnostic(
                    role.name.span,
                    format!("role `{}` is not used by any step", role.name.value),
                )
                .label("declared but unused")
                .help(format!(
                    "Add `role: {}` to the steps it performs, or remove the role.",
                    role.name.value
                )),
            );
        }
    }
}
