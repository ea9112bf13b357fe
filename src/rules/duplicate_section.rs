use std::collections::HashMap;

use super::{Context, Reporter};

declare_rule! {
    /// ## What it does
    /// Reports a section (`purpose:`, `steps:`, `revisions:`…) that appears
    /// twice in one file. Both places are labelled.
    ///
    /// ## Why is this bad?
    /// Each section may appear once. A second `steps:` would start a second
    /// procedure in the same file, and a second `revisions:` splits the
    /// history so that the review dates are judged on half of it.
    ///
    /// ## Example
    /// ```text
    /// scope:
    ///   Phone and email.
    /// scope:
    ///   Chat as well.
    /// ```
    ///
    /// ## How to fix
    /// Merge the two sections into one.
    pub struct DuplicateSection {
        code: "duplicate-section",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let mut seen = HashMap::new();
    for section in &ctx.doc.sections {
        if let Some(first) = seen.get(&section.kind) {
            let name = section.kind.name();
            out.push(
                out.diagnostic(section.head, format!("`{name}:` appears twice"))
                    .label("second section")
                    .with_secondary(*first, "first section here")
                    .help(format!("Merge the two `{name}:` sections into one.")),
            );
        } else {
            seen.insert(section.kind, section.head);
        }
    }
}
