use super::{Context, Reporter};

declare_rule! {
    /// ## What it does
    /// Reports a line that matches no form allowed where it stands: a keyword
    /// in the wrong place (`role:` outside a step, `version:` after the first
    /// section, a `step` line outside `steps:`), an invalid id, an empty
    /// `say:` or `tip:`, a branch without a target, or a second default
    /// branch in one step.
    ///
    /// ## Why is this bad?
    /// The line does not mean what its author intended. Left alone, a
    /// misplaced `role:` would silently become prose and the step would have
    /// no performer, or a branch without a target would drop out of the flow.
    ///
    /// ## Example
    /// ```text
    /// purpose:
    ///   role: agent
    /// steps:
    ///   step greet: Greet the customer
    ///     no ->
    /// ```
    ///
    /// ## How to fix
    /// Move the line to where it belongs (the help says where), complete it,
    /// or, if it really is prose, start it with a backslash: `\role: agent`
    /// is the text "role: agent".
    pub struct Syntax {
        code: "syntax",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    for error in &ctx.doc.errors {
        let mut d = out
            .diagnostic(error.span, &error.message)
            .label(&error.label);
        if let Some(help) = &error.help {
            d = d.help(help);
        }
        if let Some((span, message)) = &error.related {
            d = d.with_secondary(*span, message);
        }
        out.push(d);
    }
}
