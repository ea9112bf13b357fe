use super::{Context, Reporter};

declare_rule! {
    /// ## What it does
    /// Warns about an SOP with no revision history: no `revisions:` section,
    /// or one with no revision in it.
    ///
    /// ## Why is this bad?
    /// Without a history nobody can tell who changed the procedure, when it
    /// was last reviewed, or whether it is due for review.
    ///
    /// ## Example
    /// ```text
    /// sop CS-001: Handle customer inquiries
    /// ```
    /// with no `revisions:` section.
    ///
    /// ## How to fix
    /// Add a `revisions:` section with at least the creation:
    /// `1.0  2024-06-27  Peter Wu: Created`.
    pub struct MissingRevisions {
        code: "missing-revisions",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    if ctx.doc.revisions().next().is_some() {
        return;
    }
    let section = ctx
        .doc
        .section(crate::ast::SectionKind::Revisions)
        .map(|s| s.head);
    out.push(
        out.diagnostic(section.unwrap_or_else(|| ctx.file_span()), "the SOP has no revision history")
            .label(if section.is_some() { "no revision listed" } else { "no `revisions:` section" })
            .help("Add `revisions:` with a line per change, oldest first: `1.0  2024-06-27  Peter Wu: Created`."),
    );
}
