use std::collections::HashMap;

use super::{Context, Reporter};
use crate::ast::{Span, StepItem};

declare_rule! {
    /// ## What it does
    /// Reports a key given twice where it may appear once: a metadata key, a
    /// step's `role:`, `within:` or `ask:`, or a role declared twice under
    /// `roles:`. Both places are labelled.
    ///
    /// ## Why is this bad?
    /// Only one of the two values can count, and which one the author meant
    /// is a guess: two `owner:` lines usually mean an edit that forgot to
    /// remove the old one.
    ///
    /// ## Example
    /// ```text
    /// step escalate: Escalate to the shift lead
    ///   within: 1 hour
    ///   within: 30 min
    /// ```
    ///
    /// ## How to fix
    /// Keep one of them. For several performers, list them on one line:
    /// `role: agent, lead`.
    pub struct DuplicateKey {
        code: "duplicate-key",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let mut seen: HashMap<String, Span> = HashMap::new();
    for entry in ctx.doc.meta_entries() {
        let name = entry.key.value.to_lowercase();
        report_twice(out, &mut seen, name, entry.key.span, "metadata key");
    }
    for step in ctx.doc.steps() {
        let mut seen: HashMap<String, Span> = HashMap::new();
        for item in &step.items {
            if let Some((attr, span)) = StepItem::unique_attribute(item) {
                report_twice(out, &mut seen, attr.to_string(), span, "step attribute");
            }
        }
    }
    let mut roles: HashMap<String, Span> = HashMap::new();
    for role in ctx.doc.entries(crate::ast::SectionKind::Roles) {
        report_twice(
            out,
            &mut roles,
            role.name.value.to_string(),
            role.name.span,
            "role",
        );
    }
}

fn report_twice(
    out: &mut Reporter<'_>,
    seen: &mut HashMap<String, Span>,
    name: String,
    span: Span,
    what: &str,
) {
    if let Some(first) = seen.get(&name) {
        out.push(
            out.diagnostic(span, format!("{what} `{name}` is given twice"))
                .label("second occurrence")
                .with_secondary(*first, "first given here")
                .help(format!(
                    "Keep one `{name}`. Only one value can count, and the file does not say which."
                )),
        );
    } else {
        seen.insert(name, span);
    }
}
