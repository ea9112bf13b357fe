//! The validator's rules: one file per diagnostic code.
//!
//! Each rule is declared with [`declare_rule!`]: its doc comment, in fixed
//! sections (*What it does*, *Why is this bad?*, *Example*, *How to fix*),
//! is the text `sop explain CODE` prints and the rules page of the docs, so
//! the two never drift. [`RULES`] is the one registry of codes.

use std::path::Path;

use crate::ast::Document;
use crate::diagnostics::{Diagnostic, Severity};
use crate::flow::Flow;
use crate::index::ProjectIndex;
use crate::source::Source;
use crate::values::{Cadence, Date};

/// A rule: its code, default severity, explanation and check.
pub struct Rule {
    pub code: &'static str,
    pub default_severity: Severity,
    /// The rule's doc comment, as Markdown.
    explanation: &'static str,
    pub check: fn(&Context<'_, '_>, &mut Reporter<'_>),
}

impl Rule {
    /// The explanation, with the doc comments' leading space removed.
    pub fn explanation(&self) -> String {
        let mut out = String::with_capacity(self.explanation.len());
        for line in self.explanation.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }

    /// The first paragraph under *What it does*: one line for listings.
    pub fn summary(&self) -> String {
        let text = self.explanation();
        let body = text
            .split_once("## What it does")
            .map_or(text.as_str(), |(_, rest)| rest);
        body.trim_start()
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Declares a rule: a unit struct whose doc comment is its explanation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            code: $code:literal,
            severity: $severity:ident,
            check: $check:path $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            pub const RULE: $crate::rules::Rule = $crate::rules::Rule::declared(
                $code,
                $crate::diagnostics::Severity::$severity,
                concat!($($doc, "\n"),*),
                $check,
            );
        }
    };
}

impl Rule {
    #[doc(hidden)]
    pub const fn declared(
        code: &'static str,
        default_severity: Severity,
        explanation: &'static str,
        check: fn(&Context<'_, '_>, &mut Reporter<'_>),
    ) -> Rule {
        Rule {
            code,
            default_severity,
            explanation,
            check,
        }
    }
}

mod docs;
mod duplicate_key;
mod duplicate_section;
mod duplicate_sop_id;
mod duplicate_step_id;
mod future_revision;
mod invalid_date;
mod invalid_duration;
mod invalid_encoding;
mod invalid_version;
mod missing_header;
mod missing_revisions;
mod missing_sections;
mod no_path_to_end;
mod revision_order;
mod self_handoff;
mod single_option;
mod sla_exceeded;
mod split_paragraph;
mod stale_review;
mod suggest;
mod suspicious_branch;
mod syntax;
mod timeout_without_limit;
mod undeclared_role;
mod unknown_key;
mod unknown_section;
mod unknown_sop;
mod unknown_target;
mod unreachable_step;
pub mod unrecorded_change;
mod unused_role;
mod version_mismatch;

pub use docs::rules_markdown;
pub use suggest::{did_you_mean, listing, suggest_sorted, Suggester};

/// Every rule, in the order of the contract's table; the codes added
/// since sit next to the codes they are closest to.
pub static RULES: &[Rule] = &[
    syntax::Syntax::RULE,
    invalid_encoding::InvalidEncoding::RULE,
    missing_header::MissingHeader::RULE,
    unknown_key::UnknownKey::RULE,
    unknown_section::UnknownSection::RULE,
    duplicate_key::DuplicateKey::RULE,
    duplicate_section::DuplicateSection::RULE,
    duplicate_step_id::DuplicateStepId::RULE,
    missing_sections::MissingPurpose::RULE,
    missing_sections::MissingScope::RULE,
    missing_sections::MissingSteps::RULE,
    unknown_target::UnknownTarget::RULE,
    suspicious_branch::SuspiciousBranch::RULE,
    self_handoff::SelfHandoff::RULE,
    unreachable_step::UnreachableStep::RULE,
    no_path_to_end::NoPathToEnd::RULE,
    timeout_without_limit::TimeoutWithoutLimit::RULE,
    sla_exceeded::SlaExceeded::RULE,
    invalid_date::InvalidDate::RULE,
    invalid_duration::InvalidDuration::RULE,
    invalid_version::InvalidVersion::RULE,
    stale_review::StaleReview::RULE,
    revision_order::RevisionOrder::RULE,
    version_mismatch::VersionMismatch::RULE,
    future_revision::FutureRevision::RULE,
    missing_revisions::MissingRevisions::RULE,
    unrecorded_change::UnrecordedChange::RULE,
    undeclared_role::UndeclaredRole::RULE,
    unused_role::UnusedRole::RULE,
    single_option::SingleOption::RULE,
    split_paragraph::SplitParagraph::RULE,
    unknown_sop::UnknownSop::RULE,
    duplicate_sop_id::DuplicateSopId::RULE,
];

/// Looks a rule up by its code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// The end of a message about an unknown rule code: `; did you mean
/// `unknown-target`?` for a near miss (a typo, `_` or a space for `-`, a
/// difference of case), the codes that hold every word given (`stale` →
/// `stale-review`, `duplicate` → the four `duplicate-…` codes), or a
/// pointer to the list of codes.
pub fn code_hint(code: &str) -> String {
    let codes = || RULES.iter().map(|r| r.code);
    let normal: String = code
        .trim()
        .chars()
        .map(|c| match c {
            '_' | ' ' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    let near = codes()
        .find(|c| *c == normal)
        .or_else(|| did_you_mean(code, codes()))
        .or_else(|| did_you_mean(&normal, codes()));
    if let Some(near) = near {
        return format!("; did you mean `{near}`?");
    }
    let words: Vec<&str> = normal.split('-').filter(|w| w.len() >= 3).collect();
    let holding: Vec<&str> = if words.is_empty() {
        Vec::new()
    } else {
        codes()
            .filter(|c| words.iter().all(|w| c.split('-').any(|part| part == *w)))
            .collect()
    };
    let quoted: Vec<String> = holding.iter().map(|c| format!("`{c}`")).collect();
    match quoted.as_slice() {
        [] => "; `sop explain --list` lists them".to_string(),
        [one] => format!("; did you mean {one}?"),
        [init @ .., last] => format!("; did you mean {} or {last}?", init.join(", ")),
    }
}

/// What a rule sees: one parsed file and its surroundings.
pub struct Context<'d, 'a> {
    pub source: &'a Source,
    pub doc: &'d Document<'a>,
    pub flow: &'d Flow,
    /// The date reviews and revisions are judged against.
    pub today: Date,
    /// The review cadence of files that declare none.
    pub default_review: Cadence,
    /// The other SOPs of the project; `None` skips cross-file checks.
    pub project: Option<&'d ProjectIndex>,
}

impl Context<'_, '_> {
    pub fn path(&self) -> &Path {
        self.source.path()
    }

    /// Where a file-level diagnostic points: the header, else the first line.
    pub fn file_span(&self) -> crate::ast::Span {
        self.doc
            .header
            .as_ref()
            .map(|h| h.span)
            .or(self.doc.first_content)
            .unwrap_or_default()
    }
}

/// Collects one rule's diagnostics with its code and severity.
pub struct Reporter<'r> {
    code: &'static str,
    severity: Severity,
    out: &'r mut Vec<Diagnostic>,
}

impl<'r> Reporter<'r> {
    pub fn new(rule: &Rule, severity: Severity, out: &'r mut Vec<Diagnostic>) -> Self {
        Reporter {
            code: rule.code,
            severity,
            out,
        }
    }

    /// Starts a diagnostic of this rule; pass it to [`Reporter::push`].
    pub fn diagnostic(&self, span: crate::ast::Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.code, self.severity, span, message)
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.out.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented_in_fixed_sections() {
        for rule in RULES {
            let text = rule.explanation();
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## How to fix",
            ] {
                assert!(text.contains(section), "{} lacks {section}", rule.code);
            }
            assert!(!rule.summary().is_empty(), "{}", rule.code);
        }
    }

    #[test]
    fn unknown_codes_get_the_nearest_code() {
        let cases = [
            ("suspicous-branch", "; did you mean `suspicious-branch`?"),
            ("Suspicious_Branch", "; did you mean `suspicious-branch`?"),
            ("unknown target", "; did you mean `unknown-target`?"),
            ("stale", "; did you mean `stale-review`?"),
            ("branch", "; did you mean `suspicious-branch`?"),
            ("self-hand-off", "; did you mean `self-handoff`?"),
            (
                "duplicate",
                "; did you mean `duplicate-key`, `duplicate-section`, `duplicate-step-id` or `duplicate-sop-id`?",
            ),
            ("E0001", "; `sop explain --list` lists them"),
            ("", "; `sop explain --list` lists them"),
            ("-", "; `sop explain --list` lists them"),
        ];
        for (code, hint) in cases {
            assert_eq!(code_hint(code), hint, "{code}");
        }
    }

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len());
    }
}
