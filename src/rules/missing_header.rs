use super::{Context, Reporter};

declare_rule! {
    /// ## What it does
    /// Reports a file whose first line (after blank lines and comments) is
    /// not the header `sop <ID>: <Title>`. The rest of the file is still
    /// checked.
    ///
    /// ## Why is this bad?
    /// The id is how other SOPs hand off to this one (`[[CS-014]]`) and how
    /// the handbook names it; without a header the procedure cannot be
    /// referenced, listed or rendered.
    ///
    /// ## Example
    /// ```text
    /// purpose:
    ///   Handle customer complaints.
    /// ```
    ///
    /// ## How to fix
    /// Add the header as the first line: `sop CS-012: Handle customer complaints`.
    pub struct MissingHeader {
        code: "missing-header",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    if ctx.doc.header.is_some() {
        return;
    }
    let span = ctx.doc.first_content.unwrap_or_default();
    out.push(
        out.diagnostic(span, "the file does not start with an `sop` line")
            .label("expected `sop <ID>: <Title>` here")
            .help("Start the file with the procedure's id and title, such as `sop CS-001: Handle customer inquiries`."),
    );
}
