//! The Markdown output carries no script, whatever the prose holds: hostile
//! prose in every field is rendered, and the output is read back with
//! pulldown-cmark, and (when installed) with cmark-gfm `--unsafe` and
//! Pandoc, checking that no link, image or attribute can run code and no
//! raw HTML tag comes through.
//!
//! `cmark-gfm` and `pandoc` are Debian packages (`apt-get install cmark-gfm
//! pandoc`); without them those readers are skipped with a note, and
//! `SOP_EXTERNAL_TOOLS=1` (set by `.ci/run`) makes them required.

use std::path::Path;
use std::process::{Command, Stdio};

use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag};
use scraper::Html;
use sop::model::{Callout, Workflow};
use sop::render::markdown::Markdown;
use sop::render::prose::is_dangerous_url;
use sop::render::{RenderContext, Renderer};
use sop::source::Source;

/// Prose that tries to get a script into the document, one way or another.
const HOSTILE: &[&str] = &[
    // An HTML block line that escaping would turn back into a paragraph.
    "<div>[Open](javascript:alert(1))",
    "<script></script>[Go](javascript:alert(1))",
    "<x>\n[a](javascript:alert(1))",
    "<pre>\n[a](javascript:alert(1))\n</pre>",
    "<!-- [a](javascript:alert(1)) -->",
    "<!-- unclosed\n\n[a](javascript:alert(1))",
    "<script></script>\n    [x](javascript:alert(1))",
    "<script></script>\n    [a](https://x){onclick=alert(1)}",
    "> <div>\n> [a](javascript:alert(1))",
    "- <div>\n  [a](javascript:alert(1))",
    "1. <style>\n   [a](javascript:alert(1))",
    // Raw HTML inline, whose attributes hold Markdown.
    "x <img alt=\"[a](javascript:alert(1))\"> y",
    "x <a title=\"`\"> `[y](javascript:alert(1))` z",
    "<a href=\"javascript:alert(1)\">a</a>",
    "\\<script>alert(1)\\</script>",
    // Reference definitions, which apply to the whole output document.
    "[x]: javascript:alert(1)",
    "[x]: <javascript:alert(1)>",
    "[x]:\n  javascript:alert(1)\n  \"title\"",
    "[!note]: javascript:alert(1)\n[!warning]: javascript:alert(1)\n[!tip]: javascript:alert(1)",
    "[ ]: javascript:alert(1)\n[x]: javascript:alert(1)",
    "[y]: https://example.com\n[y]: javascript:alert(1)\n\n[y] and [x]",
    "> [z]: javascript:alert(1)\n> [z]",
    "[click][x] and [x] and [x][] and ![i][x] and [!NOTE]",
    // Encodings and spellings of a script scheme.
    "[a](JaVaScRiPt:alert(1))",
    "[a](java&#115;cript:alert(1))",
    "[a](&#x6A;avascript:alert(1))",
    "[a](javascript&colon;alert(1))",
    "[a](java%0Ascript:alert(1))",
    "[a](<javascript:alert(1)>)",
    "[a]( javascript:alert(1) \"t\")",
    "[a](vbscript:msgbox(1))",
    "[a](data:text/html,<script>alert(1)</script>)",
    "[a](file:///etc/passwd)",
    "![i](javascript:alert(1))",
    "[![i](javascript:alert(1))](javascript:alert(1))",
    "[[a](javascript:alert(1))](https://example.com)",
    "<javascript:alert(1)>",
    "<javascript:[a](javascript:alert(1))>",
    "\\\\[a](javascript:alert(1))",
    "\\[a](javascript:alert(1))",
    "[a](javascript:alert(1)",
    "[a](https://example.com \"&#106;avascript:\")",
    // Pandoc's attributes, raw blocks and spans.
    "`<a href=\"javascript:alert(1)\">x</a>`{=html}",
    "```{=html}\n<a href=\"javascript:alert(1)\">x</a>\n```",
    "~~~ {.x onclick=\"alert(1)\"}\ncode\n~~~",
    "[a](https://example.com){onclick=\"alert(1)\"}",
    "<https://example.com>{onclick=alert(1)}",
    "[span]{onclick=\"alert(1)\"}",
    "::: {onclick=\"alert(1)\"}\ntext\n:::",
    "# Heading {onclick=\"alert(1)\"}",
    "Setext {onclick=alert(1)}\n===",
    "^[note [a](javascript:alert(1))]",
    // Tables and code.
    "| a | b |\n| --- | --- |\n| [c](javascript:alert(1)) | <b>d</b> |",
    "```\nunclosed [a](javascript:alert(1))",
    "    indented [a](javascript:alert(1))",
];

fn base() -> Workflow {
    let path = Path::new("examples/CS-003-card-payment-failure.sop");
    let bytes = std::fs::read(crate::support::root().join(path)).unwrap();
    let source = Source::from_bytes(path, &bytes);
    let doc = sop::syntax::parse(&source);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    Workflow::from_document(&doc)
}

/// The base SOP with `text` in every field that holds Markdown or text.
fn hostile_workflow(text: &str) -> Workflow {
    let mut w = base();
    w.title = text.to_string();
    w.purpose = text.to_string();
    w.scope = text.to_string();
    w.meta.owner = Some(text.to_string());
    w.meta.version = Some(text.to_string());
    w.meta.tags = Some(vec![text.to_string()]);
    w.meta.custom.insert(text.to_string(), text.to_string());
    for role in &mut w.roles {
        role.description = text.to_string();
    }
    for node in &mut w.nodes {
        node.title = text.to_string();
        node.text = text.to_string();
        node.say = vec![text.to_string()];
        if node.ask.is_some() {
            node.ask = Some(text.to_string());
        }
        node.callouts = vec![Callout {
            kind: sop::model::CalloutKind::Tip,
            text: text.to_string(),
        }];
    }
    for edge in &mut w.edges {
        if edge.when.as_deref().is_some_and(|c| c != "otherwise") {
            edge.when = Some(text.to_string());
        }
    }
    for d in &mut w.definitions {
        d.term = text.to_string();
        d.definition = text.to_string();
    }
    w.metrics = vec![sop::model::Metric {
        name: text.to_string(),
        target: text.to_string(),
    }];
    w.references = vec![sop::model::Reference {
        text: text.to_string(),
        sops: Vec::new(),
    }];
    for r in &mut w.revisions {
        r.description = text.to_string();
        r.author = Some(text.to_string());
    }
    w.notes = Some(sop::model::Notes {
        text: text.to_string(),
        callouts: Vec::new(),
    });
    w
}

fn markdown(w: &Workflow) -> String {
    let link = |id: &str| Some(format!("{id}.md"));
    let context = RenderContext {
        sop_link: &link,
        ..RenderContext::default()
    };
    Markdown.render(w, &context)
}

/// Every Markdown document the tests check: each hostile text in every
/// field, and definitions in one section with the links that use them in
/// others.
fn documents() -> Vec<(String, String)> {
    let mut docs: Vec<(String, String)> = HOSTILE
        .iter()
        .map(|text| (text.to_string(), markdown(&hostile_workflow(text))))
        .collect();
    let mut w = base();
    w.purpose = "[x]: javascript:alert(1)\n[!NOTE]: javascript:alert(2)\n[ ]: javascript:alert(3)"
        .to_string();
    w.scope = "Use [click][x], [x][] and [x].".to_string();
    w.nodes[0].say = vec!["[x] and ![x]".to_string()];
    docs.push(("definitions across sections".into(), markdown(&w)));
    docs
}

/// The raw HTML the renderer itself writes: step anchors and line breaks
/// in table cells.
fn is_own_html(html: &str) -> bool {
    let html = html.trim();
    html == "</a>"
        || html == "<br>"
        || (html.starts_with("<a id=\"step-")
            && html.ends_with("\"></a>")
            && !html[12..html.len() - 6].contains(['"', '<', '>']))
        || (html.starts_with("<a id=\"step-") && html.ends_with("\">"))
}

/// Reads the Markdown back with pulldown-cmark: every link and image is
/// safe, and the only raw HTML is the renderer's own.
fn assert_safe_for_pulldown(name: &str, md: &str) {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM;
    for event in Parser::new_ext(md, options) {
        match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                assert!(
                    !is_dangerous_url(&dest_url),
                    "{name:?}: link to {dest_url:?} in\n{md}"
                );
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                assert!(is_own_html(&html), "{name:?}: raw HTML {html:?} in\n{md}");
            }
            _ => {}
        }
    }
}

#[test]
fn hostile_prose_is_safe_for_pulldown_cmark() {
    for (name, md) in documents() {
        assert_safe_for_pulldown(&name, &md);
    }
}

#[test]
fn the_reported_cases_lose_their_links() {
    let text = "sop T-1: Title #\n\npurpose:\n  <div>[Open](javascript:alert(1))\n\n  [x]: javascript:alert(2)\n\n\
scope:\n  Use [click][x].\n\nsteps:\n  step one: Do it #\n    say: <script></script>[Go](javascript:alert(3))\n    Text.\n";
    let source = Source::from_text(Path::new("t.sop"), text);
    let doc = sop::syntax::parse(&source);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    let md = Markdown.render(&Workflow::from_document(&doc), &RenderContext::default());
    assert_safe_for_pulldown("reported", &md);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, Parser::new(&md));
    assert!(!html.contains("javascript:alert(2)"), "{html}");
    assert!(!html.contains("href=\"javascript"), "{html}");
    assert!(md.starts_with("# Title \\#\n"), "{md}");
    assert!(md.contains("### 1. Do it \\#\n"), "{md}");
}

/// Elements that must never come out of the Markdown.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "form", "base", "meta", "link", "svg", "math",
    "frame", "frameset", "applet", "textarea", "template",
];

/// Attributes that hold a URL a browser follows or fetches.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "srcset",
    "poster",
    "data",
    "xlink:href",
    "background",
    "cite",
    "longdesc",
    "ping",
];

/// What is unsafe in the HTML another reader made of the Markdown, if
/// anything.
fn unsafe_html(html: &str) -> Option<String> {
    let doc = Html::parse_fragment(html);
    for node in doc.tree.nodes() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        let tag = element.name();
        if FORBIDDEN_ELEMENTS.contains(&tag) {
            return Some(format!("a <{tag}> element"));
        }
        for (attribute, value) in element.attrs() {
            if attribute.starts_with("on") {
                return Some(format!("an {attribute} attribute"));
            }
            if URL_ATTRIBUTES.contains(&attribute) && is_dangerous_url(value) {
                return Some(format!("{attribute}={value:?}"));
            }
        }
    }
    None
}

/// Converts every document with a reader, all at once (the readers start
/// slowly), and checks the HTML; when it is not safe, finds the document
/// that made it so.
fn assert_safe_with(program: &str, args: &[&str], docs: &[(String, String)]) {
    let all: Vec<&str> = docs.iter().map(|(_, md)| md.as_str()).collect();
    let html = convert(program, args, &all.join("\n\n---\n\n"));
    if unsafe_html(&html).is_none() {
        return;
    }
    for (name, md) in docs {
        let html = convert(program, args, md);
        if let Some(problem) = unsafe_html(&html) {
            panic!("{program} {args:?}: {name:?} made {problem}:\n{html}\n--- from\n{md}");
        }
    }
    let kept = crate::support::root().join(format!("target/markdown-safety-{program}.md"));
    let _ = std::fs::write(&kept, all.join("\n\n---\n\n"));
    panic!(
        "{program} {args:?}: the documents together (kept in {}) made {}:\n{html}",
        kept.display(),
        unsafe_html(&html).unwrap_or_default()
    );
}

/// The switch that makes the external readers mandatory (`.ci/run` sets it).
const TOOLS_SWITCH: &str = "SOP_EXTERNAL_TOOLS";

/// Whether `program` runs; a note (or, under `SOP_EXTERNAL_TOOLS=1`, a
/// failure) when it does not.
fn available(program: &str, test: &str) -> bool {
    let runs = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !runs {
        assert!(
            std::env::var_os(TOOLS_SWITCH).is_none_or(|v| v != "1"),
            "{program} is missing but {TOOLS_SWITCH}=1: `apt-get install cmark-gfm pandoc`"
        );
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "note: skipping {test}: {program} is not installed \
             (`apt-get install cmark-gfm pandoc`, then set {TOOLS_SWITCH}=1 to require it)"
        );
    }
    runs
}

/// Runs a Markdown reader on `md` and returns its HTML.
fn convert(program: &str, args: &[&str], md: &str) -> String {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    let input = md.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn hostile_prose_is_safe_for_cmark_gfm() {
    if !available("cmark-gfm", "hostile_prose_is_safe_for_cmark_gfm") {
        return;
    }
    let args = [
        "--unsafe",
        "-e",
        "table",
        "-e",
        "strikethrough",
        "-e",
        "autolink",
        "-e",
        "tasklist",
    ];
    assert_safe_with("cmark-gfm", &args, &documents());
}

#[test]
fn hostile_prose_is_safe_for_pandoc() {
    if !available("pandoc", "hostile_prose_is_safe_for_pandoc") {
        return;
    }
    let docs = documents();
    for reader in ["gfm", "commonmark", "markdown"] {
        assert_safe_with("pandoc", &["-f", reader, "-t", "html"], &docs);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    /// Any mix of the hostile pieces, in the prose and in one-line fields.
    #[test]
    fn mixed_hostile_prose_is_safe(
        pieces in prop::collection::vec((0..HOSTILE.len(), 0..4usize), 1..6)
    ) {
        let separators = ["", " ", "\n", "\n\n"];
        let text: String = pieces
            .iter()
            .map(|&(i, s)| format!("{}{}", HOSTILE[i], separators[s]))
            .collect();
        let md = markdown(&hostile_workflow(&text));
        assert_safe_for_pulldown(&text, &md);
    }
}
