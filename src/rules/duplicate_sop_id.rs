use super::{Context, Reporter};

declare_rule! {
    /// ## What it does
    /// Reports an SOP id that another file of the project also declares.
    /// Each of the files gets the diagnostic, naming the others.
    ///
    /// ## Why is this bad?
    /// `[[CS-014]]` must lead to one procedure. With two files claiming the
    /// id, hand-offs and handbook links go to whichever is found first.
    /// Usually a file was copied as a template and its header not changed.
    ///
    /// ## Example
    /// `support/escalation.sop` and `billing/escalation.sop` both start with
    /// `sop CS-014: Escalation`.
    ///
    /// ## How to fix
    /// Give one of them a new id, and update the links that should go to it.
    pub struct DuplicateSopId {
        code: "duplicate-sop-id",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let (Some(project), Some(header)) = (ctx.project, &ctx.doc.header) else {
        return;
    };
    let others: Vec<String> = project
        .files_with_id(header.id.value)
        .filter(|p| *p != ctx.path())
        .map(|p| format!("`{}`", p.display()))
        .collect();
    if others.is_empty() {
        return;
    }
    out.push(
        out.diagnostic(header.id.span, format!("SOP id `{}` is also declared in {}", header.id.value, others.join(", ")))
            .label("duplicate id")
            .help("Each SOP needs its own id so that `[[ID]]` links lead to one procedure. Give one of the files a new id."),
    );
}
