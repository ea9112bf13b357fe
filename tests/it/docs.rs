//! The documentation stays true: the rules page matches the rules, and the
//! complete SOPs shown in the docs check without errors.

use std::path::Path;

use sop::check::{check_source, CheckOptions};
use sop::diagnostics::Severity;
use sop::source::Source;
use sop::values::Date;

const RULES_PAGE: &str = "docs/rules.md";

/// Documents whose ```sop code blocks are checked.
const DOCUMENTS: &[&str] = &["docs/language.md", "docs/exports.md", "README.md"];

#[test]
fn rules_page_is_up_to_date() {
    let expected = sop::rules::rules_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(RULES_PAGE, &expected).expect("cannot write docs/rules.md");
        return;
    }
    let actual = std::fs::read_to_string(RULES_PAGE).unwrap_or_default();
    assert!(
        actual == expected,
        "{RULES_PAGE} is out of date with the rules' doc comments; \
         run `UPDATE_DOCS=1 cargo test --test it docs` to regenerate it"
    );
}

/// A fenced code block: its info string, first line number and text.
struct CodeBlock {
    info: String,
    line: usize,
    text: String,
}

/// The fenced code blocks of a Markdown document (backtick fences).
fn code_blocks(markdown: &str) -> Vec<CodeBlock> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, CodeBlock)> = None;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        let ticks = trimmed.chars().take_while(|&c| c == '`').count();
        match &mut open {
            None if ticks >= 3 => {
                open = Some((
                    ticks,
                    CodeBlock {
                        info: trimmed[ticks..].trim().to_string(),
                        line: i + 2,
                        text: String::new(),
                    },
                ));
            }
            Some((fence, _)) if ticks >= *fence && trimmed[ticks..].trim().is_empty() => {
                if let Some((_, block)) = open.take() {
                    blocks.push(block);
                }
            }
            Some((_, block)) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// Whether a block is a whole SOP: its first content line is the header.
fn is_whole_sop(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("sop ")))
}

#[test]
fn sop_examples_in_the_docs_check_without_errors() {
    let today = Date::parse("2026-11-23").unwrap();
    let options = CheckOptions::new(today);
    let mut checked = 0;
    let mut failures = Vec::new();
    for document in DOCUMENTS {
        let markdown = std::fs::read_to_string(document)
            .unwrap_or_else(|e| panic!("cannot read {document}: {e}"));
        for block in code_blocks(&markdown) {
            if block.info != "sop" || !is_whole_sop(&block.text) {
                continue;
            }
            checked += 1;
            let name = format!("{document}:{}", block.line);
            let source = Source::from_text(Path::new(&name), &block.text);
            for d in check_source(&source, &options, None) {
                if d.severity == Severity::Error {
                    let (line, _) = source.line_col(d.span().start);
                    failures.push(format!(
                        "{document}, example starting at line {}: line {} of the example: [{}] {}",
                        block.line, line, d.code, d.message
                    ));
                }
            }
        }
    }
    assert!(checked > 0, "no ```sop examples found in {DOCUMENTS:?}");
    assert!(
        failures.is_empty(),
        "examples in the docs have errors (mark intentionally broken examples \
         with ```text instead of ```sop):\n{}",
        failures.join("\n")
    );
}

#[test]
fn code_blocks_are_found() {
    let blocks = code_blocks("a\n```sop\nsop X: Y\n```\n\n````text\n```\n````\n");
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].info, "sop");
    assert_eq!(blocks[0].line, 3);
    assert_eq!(blocks[0].text, "sop X: Y\n");
    assert!(is_whole_sop(&blocks[0].text));
    assert_eq!(blocks[1].text, "```\n");
    assert!(!is_whole_sop("steps:\n  step a: A\n"));
}
