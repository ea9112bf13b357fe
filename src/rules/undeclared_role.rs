use std::collections::{HashMap, HashSet};

use super::{Context, Reporter, Suggester};
use crate::ast::SectionKind;

declare_rule! {
    /// ## What it does
    /// Warns when a step's `role:` names a role that `roles:` does not
    /// declare. Files without a `roles:` section are not checked.
    ///
    /// ## Why is this bad?
    /// The roles section is the list of who does what. A role missing from
    /// it is usually a typo (`agnet`) or a new role nobody has described, so
    /// readers cannot tell who is meant.
    ///
    /// ## Example
    /// ```text
    /// roles:
    ///   agent: Customer service agent
    /// steps:
    ///   step escalate: Escalate
    ///     role: manager
    /// ```
    ///
    /// ## How to fix
    /// Correct the role id, or declare the role under `roles:` with a
    /// description: `manager: Customer service manager`.
    pub struct UndeclaredRole {
        code: "undeclared-role",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    if ctx.doc.section(SectionKind::Roles).is_none() {
        return;
    }
    let declared: HashSet<&str> = ctx
        .doc
        .entries(SectionKind::Roles)
        .map(|e| e.name.value)
        .collect();
    // Built on the first undeclared role only.
    let mut suggester: Option<Suggester<'_>> = None;
    let mut helps: HashMap<&str, String> = HashMap::new();
    for step in ctx.doc.steps() {
        for role in step.roles() {
            if declared.contains(role.value) {
                continue;
            }
            let help = helps.entry(role.value).or_insert_with(|| {
                let suggester = suggester.get_or_insert_with(|| {
                    Suggester::new(ctx.doc.entries(SectionKind::Roles).map(|e| e.name.value))
                });
                match suggester.suggest(role.value) {
                    Some(s) => format!(
                        "Did you mean `{s}`? Otherwise declare `{}` under `roles:`.",
                        role.value
                    ),
                    None => format!(
                        "Declare it under `roles:`, such as `{}: <who this is>`.",
                        role.value
                    ),
                }
            });
            out.push(
                out.diagnostic(role.span, format!("role `{}` is not declared", role.value))
                    .label("not in `roles:`")
                    .help(help.clone()),
            );
        }
    }
}
