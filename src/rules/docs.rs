//! The rules page of the documentation, generated from [`RULES`].
//!
//! `docs/rules.md` is this function's output; `tests/docs.rs` fails when the
//! file is out of date, so the page and `sop explain` never drift.

use std::fmt::Write;

use super::{Rule, RULES};

/// The rules page: a table of every code, then each rule's explanation.
pub fn rules_markdown() -> String {
    let mut out = String::new();
    out.push_str("# Rules\n\n");
    out.push_str(
        "<!-- Generated from the rules' doc comments (src/rules/). Do not edit by hand: \
         run `UPDATE_DOCS=1 cargo test --test it docs` to regenerate. -->\n\n",
    );
    out.push_str(
        "Every diagnostic that `sop check` reports has a code. This page is the \
         same text that `sop explain CODE` prints. The severity of each code can \
         be changed, or the check switched off, under `rules:` in `sop.yaml` \
         (see [the language reference](language.md#the-configuration-file-sopyaml)).\n\n",
    );
    out.push_str("| code | default | what it reports |\n|---|---|---|\n");
    for rule in RULES {
        let _ = writeln!(
            out,
            "| [`{code}`](#{code}) | {severity} | {summary} |",
            code = rule.code,
            severity = rule.default_severity.name(),
            summary = rule.summary().replace('|', "\\|"),
        );
    }
    for rule in RULES {
        out.push('\n');
        out.push_str(&section(rule));
    }
    out
}

/// One rule's section: its heading, default severity and explanation.
fn section(rule: &Rule) -> String {
    format!(
        "## {}\n\nDefault severity: **{}**.\n\n{}",
        rule.code,
        rule.default_severity.name(),
        demote_headings(&rule.explanation())
    )
}

/// Moves every Markdown heading one level down (`##` → `###`), leaving
/// fenced code blocks alone: an example's `# comment` is not a heading.
fn demote_headings(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 16);
    let mut fence: Option<&str> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(open), Some(m)) if open == m && trimmed.trim_end() == m => fence = None,
            _ => {}
        }
        let is_heading = fence.is_none()
            && line.starts_with('#')
            && line
                .trim_start_matches('#')
                .chars()
                .next()
                .is_none_or(|c| c == ' ');
        if is_heading {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demotes_headings_outside_code_blocks() {
        let text =
            "## What it does\nText.\n\n```text\n# a comment\n## not a heading\n```\n#hashtag\n";
        assert_eq!(
            demote_headings(text),
            "### What it does\nText.\n\n```text\n# a comment\n## not a heading\n```\n#hashtag\n"
        );
    }

    #[test]
    fn every_rule_has_a_row_and_a_section() {
        let page = rules_markdown();
        for rule in RULES {
            assert!(page.contains(&format!("| [`{0}`](#{0}) |", rule.code)));
            assert!(page.contains(&format!("\n## {}\n", rule.code)));
        }
        assert!(!page.contains("\n## What it does"));
    }
}
