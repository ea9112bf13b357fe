use std::collections::HashMap;

use super::{suggest_sorted, Context, Reporter};

declare_rule! {
    /// ## What it does
    /// Reports a `[[SOP-ID]]` link (a hand-off, a reference or a link in
    /// prose) that names no SOP of the project. Links inside comments are
    /// ignored. Needs the project: `sop check` reads every `*.sop` under the
    /// project root, even when only some files are checked.
    ///
    /// ## Why is this bad?
    /// A hand-off to a procedure that does not exist leaves the case with
    /// nobody; a reference to one sends the reader nowhere. Usually the
    /// other SOP was renamed or retired.
    ///
    /// ## Example
    /// ```text
    /// step escalate: Escalate to the shift lead
    ///   -> [[CS-104]]
    /// ```
    ///
    /// ## How to fix
    /// Correct the id, or add the missing SOP to the repository.
    pub struct UnknownSop {
        code: "unknown-sop",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let Some(project) = ctx.project else { return };
    let mut helps: HashMap<&str, String> = HashMap::new();
    for link in &ctx.doc.sop_links {
        if project.contains(link.value) {
            continue;
        }
        let help = helps.entry(link.value).or_insert_with(|| {
            match suggest_sorted(link.value, project.ids()) {
                Some(s) => format!("Did you mean `[[{s}]]`?"),
                None => "Check the id, or add the SOP to the repository.".to_string(),
            }
        });
        out.push(
            out.diagnostic(
                link.span,
                format!("no SOP in the project has the id `{}`", link.value),
            )
            .label("unknown SOP")
            .help(help.clone()),
        );
    }
}
