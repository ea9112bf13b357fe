//! Indentation never turns prose into code: not in the HTML page, not in
//! the Markdown output, not in the handbook or its print edition. Only a
//! fence makes code; a line outside the step's indentation (a column-0
//! line after the last step) does not change how the step renders; nested
//! lists and list continuations keep their nesting.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test --test it
//! indentation` and read every changed `.snap` file before keeping it.

use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};
use scraper::{Html, Selector};

use crate::support::{sop, sop_files};

const DIR: &str = "tests/fixtures/render/indentation";
const AFTER_LAST_STEP: &str = "tests/fixtures/render/indentation/after-last-step.sop";
const DEEPER_PARAGRAPH: &str = "tests/fixtures/render/indentation/deeper-paragraph.sop";

fn render(path: &str, to: &str) -> String {
    let out = sop(&["render", path, "--to", to]).run();
    out.code(0);
    out.stdout
}

fn stem(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// The inner HTML of every prose block (`purpose:`, `scope:`, the steps).
fn prose_blocks(page: &str) -> String {
    let doc = Html::parse_document(page);
    let selector = Selector::parse("div.prose").unwrap();
    doc.select(&selector)
        .map(|div| div.inner_html().trim().to_string())
        .collect::<Vec<_>>()
        .join("\n-----\n")
}

/// The code in a page: its `<pre>` and `<code>` elements.
fn code_elements(page: &str) -> Vec<String> {
    let doc = Html::parse_document(page);
    let selector = Selector::parse("pre, code").unwrap();
    doc.select(&selector).map(|e| e.html()).collect()
}

/// The code blocks of a Markdown document: (fenced, info string, text).
fn code_blocks(markdown: &str) -> Vec<(bool, String, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(bool, String, String)> = None;
    for event in Parser::new_ext(markdown, sop::render::prose::markdown_options()) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                open = Some(match kind {
                    CodeBlockKind::Fenced(info) => (true, info.to_string(), String::new()),
                    CodeBlockKind::Indented => (false, String::new(), String::new()),
                });
            }
            Event::Text(text) => {
                if let Some((_, _, body)) = open.as_mut() {
                    body.push_str(&text);
                }
            }
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => blocks.extend(open.take()),
            _ => {}
        }
    }
    blocks
}

/// The prose sections and the steps of the Markdown output: from
/// `## Purpose` up to the revision history, without the flowchart.
fn markdown_body(markdown: &str) -> String {
    let at = |heading: &str| {
        markdown
            .find(heading)
            .unwrap_or_else(|| panic!("no {heading} in\n{markdown}"))
    };
    let (purpose, flowchart) = (at("## Purpose"), at("## Flowchart"));
    let (procedure, revisions) = (at("## Procedure"), at("## Revision history"));
    format!(
        "{}{}",
        &markdown[purpose..flowchart],
        &markdown[procedure..revisions]
    )
}

#[test]
fn the_fixtures_check_clean() {
    for path in sop_files(DIR) {
        let out = sop(&["check", "--today", "2026-11-23", path.to_str().unwrap()]).run();
        out.code(0);
        assert!(
            out.stdout.contains("0 errors, 0 warnings"),
            "{}: {}",
            path.display(),
            out.stdout
        );
    }
}

#[test]
fn no_code_in_the_html_page() {
    for path in [AFTER_LAST_STEP, DEEPER_PARAGRAPH] {
        let page = render(path, "html");
        let code = code_elements(&page);
        assert!(code.is_empty(), "{path}: {code:#?}");
        insta::assert_snapshot!(format!("html-{}", stem(path)), prose_blocks(&page));
    }
}

#[test]
fn no_indented_code_block_in_the_markdown() {
    for path in [AFTER_LAST_STEP, DEEPER_PARAGRAPH] {
        let markdown = render(path, "md");
        let blocks = code_blocks(&markdown);
        // The one code block is the flowchart, fenced.
        assert_eq!(blocks.len(), 1, "{path}: {blocks:#?}");
        assert!(
            blocks[0].0 && blocks[0].1 == "mermaid",
            "{path}: {blocks:#?}"
        );
        insta::assert_snapshot!(format!("md-{}", stem(path)), markdown_body(&markdown));
    }
}

#[test]
fn the_line_after_the_last_step_is_a_paragraph_of_that_step() {
    let json = sop(&["render", AFTER_LAST_STEP, "--to", "json"])
        .run()
        .json();
    assert_eq!(
        json["nodes"][1]["text"],
        "Lock the front door, then the back door, and check both handles.\n\
         Set the alarm on the way out; it gives you thirty seconds.\n\n\
         Remember to take the keys home."
    );
    // The step above it renders as if the line were not there.
    assert_eq!(
        json["nodes"][0]["text"],
        "Switch off every light but the emergency lights."
    );
}

#[test]
fn nested_lists_and_continuations_keep_their_nesting() {
    let page = render(DEEPER_PARAGRAPH, "html");
    let doc = Html::parse_document(&page);
    let nested = Selector::parse("div.prose > ul > li > ul > li > ol > li").unwrap();
    let items: Vec<String> = doc
        .select(&nested)
        .map(|li| li.text().collect::<String>())
        .collect();
    assert_eq!(items, ["count them", "band them in hundreds"]);
    // The continuation line and the paragraph after the blank line stay in
    // the second item.
    let second = Selector::parse("div.prose > ul > li:nth-child(2) > p").unwrap();
    let paragraphs: Vec<String> = doc
        .select(&second)
        .map(|p| p.text().collect::<String>())
        .collect();
    assert_eq!(
        paragraphs,
        [
            "coins last\ncontinued on the next line of the same item",
            "a second paragraph of the same item"
        ]
    );
}

/// However wide the indentation is (the step's own, and each level of
/// nesting inside it: one to three times as wide, tabs, or full-width
/// spaces U+3000), the step renders the same.
#[test]
fn the_width_of_the_indentation_changes_nothing() {
    let original = std::fs::read_to_string(DEEPER_PARAGRAPH).unwrap();
    let expected = sop(&["render", DEEPER_PARAGRAPH, "--to", "json"])
        .run()
        .json();
    let dir = tempfile::tempdir().unwrap();
    let layouts = [
        ("    ", " ", 2),
        ("\t", " ", 1),
        ("          ", " ", 3),
        ("   ", " ", 1),
        ("\u{3000}\u{3000}", "\u{3000}", 1),
        ("\u{3000}", " ", 1),
    ];
    for (base, unit, factor) in layouts {
        // Each line inside the step: `base`, then its indentation beyond
        // the step's four columns, in `unit`s, times `factor`.
        let changed: String = original
            .lines()
            .map(|line| match line.strip_prefix("    ") {
                Some(rest) => {
                    let body = rest.trim_start_matches(' ');
                    let deeper = (rest.len() - body.len()) * factor;
                    format!("{base}{}{body}\n", unit.repeat(deeper))
                }
                None => format!("{line}\n"),
            })
            .collect();
        let file = dir.path().join("changed.sop");
        std::fs::write(&file, &changed).unwrap();
        let out = sop(&["render", file.to_str().unwrap(), "--to", "json"]).run();
        out.code(0);
        assert_eq!(out.json()["nodes"], expected["nodes"], "{changed}");
    }
}

#[test]
fn the_handbook_and_its_print_edition_hold_no_code() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let run = sop(&[
        "handbook",
        DIR,
        "-o",
        site.to_str().unwrap(),
        "--today",
        "2026-11-23",
        // The History of the pages (these files are in this repository's
        // git history) holds commit ids in `<code>`.
        "--no-git",
    ])
    .env("NO_COLOR", "1")
    .run();
    run.code(0);
    for page in ["print.html", "sop/IND-001.html", "sop/IND-002.html"] {
        let html =
            std::fs::read_to_string(site.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        let code = code_elements(&html);
        assert!(code.is_empty(), "{page}: {code:#?}");
        if page != "sop/IND-002.html" {
            assert!(
                html.contains("<p>Remember to take the keys home.</p>"),
                "{page}"
            );
        }
    }
}
