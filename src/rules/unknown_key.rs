use super::{did_you_mean, Context, Reporter};
use crate::ast::{MetaValue, SectionKind};

declare_rule! {
    /// ## What it does
    /// Reports a metadata line whose key is not one the language knows:
    /// `version`, `owner`, `status`, `effective`, `review`, `tags`,
    /// `language`, or a custom key starting with `x-`. It suggests the
    /// nearest known key.
    ///
    /// ## Why is this bad?
    /// A typo must not silently switch a check off: with `reveiw: every 6
    /// months` the file would fall back to the default cadence and nobody
    /// would notice that the review date is wrong.
    ///
    /// ## Example
    /// ```text
    /// sop CS-001: Handle customer inquiries
    /// reveiw: every 6 months
    /// ```
    ///
    /// ## How to fix
    /// Correct the key (`review:`). For metadata of your own, prefix the key
    /// with `x-` (`x-department: Support`); it is passed through untouched.
    pub struct UnknownKey {
        code: "unknown-key",
        severity: Error,
        check: check,
    }
}

use crate::syntax::keywords::META_KEYS as KNOWN;

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    for entry in ctx.doc.meta_entries() {
        if !matches!(entry.value, MetaValue::Unknown) {
            continue;
        }
        let key = entry.key.value;
        let sections = SectionKind::ALL.map(SectionKind::name);
        let help = match did_you_mean(key, KNOWN.into_iter().chain(sections)) {
            Some(s) => format!(
                "Did you mean `{s}:`? Custom metadata keys start with `x-`, such as `x-{key}:`."
            ),
            None => format!(
                "Known keys are {}. Custom metadata keys start with `x-`, such as `x-{key}:`.",
                KNOWN.map(|k| format!("`{k}:`")).join(", ")
            ),
        };
        out.push(
            out.diagnostic(entry.key.span, format!("unknown metadata key `{key}`"))
                .label("unknown key")
                .help(help),
        );
    }
}
