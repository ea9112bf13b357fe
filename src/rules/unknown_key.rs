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

use crate::ast::Dialect;
use crate::syntax::keywords::{self, Word, META_KEYS as KNOWN};

/// The help for a key of another dialect than the file's (`负责人：`
/// without `language: zh`).
fn foreign_help(key: &str, foreign: Option<(Word, Dialect)>) -> String {
    let Some((word, dialect)) = foreign else {
        return String::new();
    };
    let english = keywords::spelling(word, Dialect::En);
    let (language, code) = match dialect {
        Dialect::Zh => ("Chinese", "zh"),
        _ => ("Hungarian", "hu"),
    };
    format!("`{key}` is the {language} keyword for `{english}:`, but this file is not written in {language}. Add `language: {code}` to the metadata to write {language} keywords, or write `{english}:`.")
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    for entry in ctx.doc.meta_entries() {
        if !matches!(entry.value, MetaValue::Unknown) {
            continue;
        }
        let key = entry.key.value;
        let sections = SectionKind::ALL.map(SectionKind::name);
        let synonym = crate::syntax::keywords::section_synonym(key).map(SectionKind::name);
        let foreign = keywords::foreign(key, ctx.doc.dialect);
        let help = match (synonym, did_you_mean(key, KNOWN.into_iter().chain(sections))) {
            _ if foreign.is_some() => foreign_help(key, foreign),
            (Some(section), _) => format!(
                "`{key}` names a section: did you mean `{section}:`? The section's text may follow the colon or stand on the lines below it."
            ),
            (None, Some(s)) => format!(
                "Did you mean `{s}:`? Custom metadata keys start with `x-`, such as `x-{key}:`."
            ),
            (None, None) => format!(
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
