//! `missing-purpose`, `missing-scope` and `missing-steps`: one check, three codes.

use super::{Context, Reporter};
use crate::ast::{BlockItem, SectionBody, SectionKind};

declare_rule! {
    /// ## What it does
    /// Reports a file without a `purpose:` section, or with an empty one.
    ///
    /// ## Why is this bad?
    /// The purpose says why the procedure exists. Without it, readers cannot
    /// judge whether it still applies, and reviewers cannot tell whether a
    /// change serves it.
    ///
    /// ## Example
    /// ```text
    /// sop CS-001: Handle customer inquiries
    /// scope:
    ///   All agents.
    /// ```
    ///
    /// ## How to fix
    /// Add a `purpose:` section with a sentence or two:
    /// `purpose: Make every customer interaction empathetic and professional.`
    pub struct MissingPurpose {
        code: "missing-purpose",
        severity: Error,
        check: check_purpose,
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a file without a `scope:` section, or with an empty one.
    ///
    /// ## Why is this bad?
    /// The scope says who must follow the procedure and in which situations.
    /// Without it, teams argue about whether it applies to them.
    ///
    /// ## Example
    /// ```text
    /// scope:
    ///
    /// steps:
    /// ```
    ///
    /// ## How to fix
    /// Add a `scope:` section: who follows the procedure, on which channels,
    /// and what it does not cover.
    pub struct MissingScope {
        code: "missing-scope",
        severity: Error,
        check: check_scope,
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a file without a `steps:` section, or with no step in it.
    ///
    /// ## Why is this bad?
    /// An operating procedure without steps tells nobody what to do; it
    /// cannot be rendered as a flowchart or executed as a workflow.
    ///
    /// ## Example
    /// ```text
    /// steps:
    ///   Greet the customer and listen.
    /// ```
    ///
    /// ## How to fix
    /// Add steps under `steps:`, each starting with `step <id>: <title>`.
    pub struct MissingSteps {
        code: "missing-steps",
        severity: Error,
        check: check_steps,
    }
}

fn check_purpose(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    check_section(ctx, out, SectionKind::Purpose);
}

fn check_scope(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    check_section(ctx, out, SectionKind::Scope);
}

fn check_steps(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    check_section(ctx, out, SectionKind::Steps);
}

fn check_section(ctx: &Context<'_, '_>, out: &mut Reporter<'_>, kind: SectionKind) {
    let name = kind.name();
    let sections: Vec<_> = ctx.doc.sections.iter().filter(|s| s.kind == kind).collect();
    let Some(first) = sections.first() else {
        out.push(
            out.diagnostic(ctx.file_span(), format!("the SOP has no `{name}:` section"))
                .label(format!("`{name}:` missing"))
                .help(help(kind)),
        );
        return;
    };
    let has_content = sections.iter().any(|s| {
        s.inline.is_some()
            || match &s.body {
                SectionBody::Prose(items) => {
                    items.iter().any(|i| !matches!(i, BlockItem::Trivia(_)))
                }
                SectionBody::Steps(steps) => !steps.steps.is_empty(),
                _ => true,
            }
    });
    if !has_content {
        out.push(
            out.diagnostic(first.head, format!("`{name}:` is empty"))
                .label("nothing under this section")
                .help(help(kind)),
        );
    }
}

fn help(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Purpose => {
            "Say in a sentence or two why this procedure exists, under `purpose:`."
        }
        SectionKind::Scope => {
            "Say who follows this procedure and in which situations, under `scope:`."
        }
        _ => "List the procedure under `steps:`, each step starting with `step <id>: <title>`.",
    }
}
