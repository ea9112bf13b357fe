use super::{Context, Reporter};
use crate::ast::BranchKind;

declare_rule! {
    /// ## What it does
    /// Warns about a decision with a single `if` option and no default
    /// (`otherwise ->` or a bare `->`).
    ///
    /// ## Why is this bad?
    /// The question has only one answer written down. When the condition
    /// does not hold, the procedure does not say what to do, and the step
    /// has no way on.
    ///
    /// ## Example
    /// ```text
    /// step verify: Confirm the issue
    ///   if yes -> solve
    /// ```
    ///
    /// ## How to fix
    /// Add the other answer: `if no -> listen`, or a default
    /// `otherwise -> next`.
    pub struct SingleOption {
        code: "single-option",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    for step in ctx.doc.steps() {
        let mut options = step
            .branches()
            .filter(|b| matches!(b.kind, BranchKind::If { .. }));
        let (Some(only), None) = (options.next(), options.next()) else {
            continue;
        };
        if step
            .branches()
            .any(|b| !matches!(b.kind, BranchKind::If { .. }))
        {
            continue;
        }
        out.push(
            out.diagnostic(only.span, "this decision has a single option")
                .label("the only option")
                .help("Say what happens otherwise: add another `if <condition> -> <target>` or `otherwise -> <target>`."),
        );
    }
}
