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
    let steps = ctx.doc.steps();
    for role in ctx.doc.entries(SectionKind::Roles) {
        let used = steps
            .iter()
            .any(|s| s.roles().any(|r| r.value == role.name.value));
        if !used {
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
