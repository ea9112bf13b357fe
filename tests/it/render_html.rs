//! The HTML page: snapshots of every example, determinism, anchors and the
//! flowchart's links, labels per language, and hostile input that must stay
//! text (parsed back with html5ever, as a browser would).

use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Selector};
use sop::check::{check_document, CheckOptions};
use sop::diagnostics::Severity;
use sop::model::Workflow;
use sop::render::{RenderContext, Renderer};
use sop::source::Source;
use sop::values::Date;

use crate::support::sop_files;

fn all_inputs() -> Vec<PathBuf> {
    let mut files = sop_files("examples");
    files.extend(sop_files("tests/fixtures/valid"));
    files.push(PathBuf::from(HOSTILE));
    files
}

const HOSTILE: &str = "tests/fixtures/render/hostile.sop";

/// The workflow of a file that must check without errors.
fn workflow(path: &Path) -> Workflow {
    let bytes = std::fs::read(path).unwrap();
    let source = Source::from_bytes(path, &bytes);
    let doc = sop::syntax::parse(&source);
    let options = CheckOptions::new(Date::parse("2026-11-23").unwrap());
    let errors: Vec<_> = check_document(&source, &doc, &options, None)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message)
        .collect();
    assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    Workflow::from_document(&doc)
}

fn html_with(path: &Path, context: &RenderContext<'_>) -> String {
    sop::render::html::Html.render(&workflow(path), context)
}

fn html(path: &Path) -> String {
    html_with(path, &RenderContext::default())
}

fn select<'a>(doc: &'a Html, selector: &str) -> Vec<ElementRef<'a>> {
    doc.select(&Selector::parse(selector).unwrap()).collect()
}

#[test]
fn snapshots_of_every_example() {
    for path in sop_files("examples") {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(name, html(&path));
    }
}

#[test]
fn output_is_deterministic() {
    for path in all_inputs() {
        assert_eq!(html(&path), html(&path), "{}", path.display());
    }
}

#[test]
fn every_step_has_an_anchor_and_a_linked_flowchart_node() {
    for path in all_inputs() {
        let workflow = workflow(&path);
        let page = html(&path);
        let doc = Html::parse_document(&page);
        let svgs = select(&doc, "svg");
        assert_eq!(svgs.len(), 1, "{}: one flowchart", path.display());
        let nodes = select(&doc, "svg a[href^=\"#step-\"]");
        assert_eq!(nodes.len(), workflow.nodes.len(), "{}", path.display());
        for (node, link) in workflow.nodes.iter().zip(&nodes) {
            let anchor = format!("step-{}", node.id.trim_start_matches('#'));
            assert_eq!(
                link.value().attr("href"),
                Some(format!("#{anchor}").as_str())
            );
            let target = select(&doc, &format!("article[id=\"{anchor}\"]"));
            assert_eq!(target.len(), 1, "{}: #{anchor}", path.display());
        }
        // Every in-page link lands somewhere.
        for a in select(&doc, "a[href^=\"#\"]") {
            let id = &a.value().attr("href").unwrap()[1..];
            assert_eq!(
                select(&doc, &format!("[id=\"{id}\"]")).len(),
                1,
                "{}: dangling #{id}",
                path.display()
            );
        }
        assert!(select(&doc, "svg[viewBox]").len() == 1);
    }
}

#[test]
fn decisions_link_their_options_to_the_target_steps() {
    let page = html(Path::new("examples/CS-001-customer-inquiries.sop"));
    let doc = Html::parse_document(&page);
    let options: Vec<String> = select(&doc, "#step-verify .options li")
        .iter()
        .map(|li| li.text().collect::<String>())
        .collect();
    assert_eq!(
        options,
        [
            "yes → 5. Offer a solution",
            "Otherwise → 2. Listen actively"
        ]
    );
    let links: Vec<&str> = select(&doc, "#step-verify .options a")
        .iter()
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    assert_eq!(links, ["#step-solve", "#step-listen"]);
    // A hand-off without a page to link to is plain text.
    let solve = select(&doc, "#step-solve .options")[0].html();
    assert!(
        solve.contains("Hand off to</span> <span class=\"sop-ref\">CS-012</span>"),
        "{solve}"
    );
    // The last step ends the procedure.
    let close: String = select(&doc, "#step-close .next")[0].text().collect();
    assert_eq!(close, "→ End");
}

#[test]
fn hand_offs_and_sop_references_link_when_there_is_a_page() {
    let link = |id: &str| Some(format!("../{id}.html"));
    let context = RenderContext {
        sop_link: &link,
        ..RenderContext::default()
    };
    let page = html_with(
        Path::new("examples/CS-001-customer-inquiries.sop"),
        &context,
    );
    let doc = Html::parse_document(&page);
    let refs: Vec<&str> = select(&doc, "a.sop-ref")
        .iter()
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    assert!(
        refs.contains(&"../CS-012.html") && refs.contains(&"../CS-014.html"),
        "{refs:?}"
    );
    assert_eq!(select(&doc, "span.sop-ref").len(), 0);
    let handoffs: Vec<&str> = select(&doc, "svg a.fc-handoff")
        .iter()
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    assert_eq!(handoffs, ["../CS-012.html", "../CS-014.html"]);
}

#[test]
fn labels_and_lang_follow_the_content_language() {
    for (file, lang, purpose, end) in [
        (
            "examples/CS-012-complaint-handling.sop",
            "zh",
            "目的",
            "结束",
        ),
        (
            "examples/CS-020-telefonos-megkeresesek.sop",
            "hu",
            "Cél",
            "Vége",
        ),
        (
            "examples/CS-001-customer-inquiries.sop",
            "en",
            "Purpose",
            "End",
        ),
    ] {
        let page = html(Path::new(file));
        let doc = Html::parse_document(&page);
        assert_eq!(select(&doc, "html")[0].value().attr("lang"), Some(lang));
        let heading: String = select(&doc, "#purpose h2")[0].text().collect();
        assert_eq!(heading, purpose);
        let svg_text: String = select(&doc, "svg .fc-end text")[0].text().collect();
        assert_eq!(svg_text, end);
    }
}

#[test]
fn metadata_shows_the_default_review_and_the_next_due_date() {
    // No `review:`: the default cadence, marked as such.
    let page = html(Path::new("tests/fixtures/valid/store-opening.sop"));
    let doc = Html::parse_document(&page);
    let rows: Vec<String> = select(&doc, "table.meta tr")
        .iter()
        .map(|tr| {
            let cells: Vec<String> = tr
                .children()
                .filter_map(ElementRef::wrap)
                .map(|c| c.text().collect())
                .collect();
            cells.join("|")
        })
        .collect();
    assert!(
        rows.contains(&"Review|every 12 months (default)".to_string()),
        "{rows:?}"
    );
    assert!(
        rows.contains(&"Next review due|2027-10-01".to_string()),
        "{rows:?}"
    );
    // Task lists render disabled checkboxes; headings in prose sit below the step's.
    assert_eq!(
        select(&doc, "input[type=checkbox]").len(),
        select(&doc, "input[type=checkbox][disabled]").len()
    );
    assert_eq!(select(&doc, "#step-walk h5").len(), 1);
    // `x-` keys are shown with their spelling.
    let page = html(Path::new("tests/fixtures/valid/escalation.sop"));
    assert!(page.contains("<th scope=\"row\">x-"), "x- keys are listed");
}

#[test]
fn the_page_fetches_nothing() {
    for path in all_inputs() {
        let page = html(&path);
        let doc = Html::parse_document(&page);
        for tag in [
            "script", "img", "link", "iframe", "object", "embed", "video", "audio", "source",
            "frame", "base", "form",
        ] {
            assert!(select(&doc, tag).is_empty(), "{}: <{tag}>", path.display());
        }
        // Only `<a href>` may point elsewhere; nothing loads a `src`.
        for element in doc
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            for (name, _) in element.value().attrs() {
                assert!(
                    !matches!(
                        name,
                        "src" | "srcset" | "data" | "poster" | "background" | "action"
                    ),
                    "{}: <{} {name}>",
                    path.display(),
                    element.value().name()
                );
            }
        }
        assert!(
            !page.contains("@import") && !page.contains("url("),
            "{}",
            path.display()
        );
        let csp = select(&doc, "meta[http-equiv=\"Content-Security-Policy\"]");
        assert_eq!(csp.len(), 1);
        assert!(csp[0]
            .value()
            .attr("content")
            .unwrap()
            .starts_with("default-src 'none'"));
    }
}

/// Whether a URL's scheme would run or embed code: trimmed, lowercased,
/// ASCII whitespace and control characters removed.
fn dangerous(url: &str) -> bool {
    let cleaned: String = url
        .trim()
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "data:", "vbscript:"]
        .iter()
        .any(|scheme| cleaned.starts_with(scheme))
}

#[test]
fn hostile_input_stays_text() {
    let page = html(Path::new(HOSTILE));
    let doc = Html::parse_document(&page);
    for tag in [
        "script",
        "iframe",
        "img",
        "link",
        "object",
        "embed",
        "svg svg",
        "b",
        "div[onclick]",
    ] {
        assert!(select(&doc, tag).is_empty(), "<{tag}> in the page");
    }
    let styles = select(&doc, "style");
    assert_eq!(styles.len(), 1, "only the page's own stylesheet");
    assert_eq!(
        styles[0]
            .parent()
            .and_then(ElementRef::wrap)
            .unwrap()
            .value()
            .name(),
        "head"
    );
    for element in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        for (name, value) in element.value().attrs() {
            assert!(
                !name.to_ascii_lowercase().starts_with("on"),
                "<{} {name}={value:?}>",
                element.value().name()
            );
            if matches!(
                name,
                "href" | "src" | "xlink:href" | "action" | "formaction"
            ) {
                assert!(
                    !dangerous(value),
                    "<{} {name}={value:?}>",
                    element.value().name()
                );
            }
        }
    }
    // The safe link survives; the hostile text is all still there, as text.
    assert!(select(&doc, "a[href=\"https://example.com/docs\"]").len() == 1);
    let text: String = select(&doc, "main")[0].text().collect();
    for visible in [
        "<script>alert(1)</script> <iframe src=\"https://evil.example/\"></iframe> <style>body{display:none}</style>",
        "<img src=x onerror=alert(1)> & \"Ops\" <a onclick=\"alert(1)\">lead</a>",
        "<script>alert('tag')</script>",
        "<script>alert('x')</script>\"><svg onload=alert(1)>",
        "<script>alert(1)</script>",
        "<style>body{display:none}</style>",
        "<div onclick=\"alert(1)\">block</div>",
        "<b onmouseover=alert(1)>Agent</b>",
        "<script>alert('def')</script>",
        "<script>alert('step')</script> title <img src=x onerror=alert(1)>",
        "<script>alert('say')</script>",
        "<img src=x onerror=alert('tip')>",
        "<iframe src=javascript:alert(1)></iframe>",
        "<style>*{color:red}</style>",
        "<script>alert('ask')</script>?",
        "<script>alert('cond')</script>",
        "\"><svg onload=alert(1)>",
        "Close \"quotes\" & <ampersands>",
        "<script>alert('metric')</script>",
        "<script>alert('notes')</script>",
        "<script>alert('ref')</script>",
        "<script>alert('author')</script>",
        "<img src=x onerror=alert('rev')>",
        "javascript:alert(1)",
        "[[ <script> ]]",
    ] {
        assert!(text.contains(visible), "not shown as text: {visible}");
    }
    // Link texts of the dropped links are still readable.
    for label in ["Links: x, y, z", "v, e, t", "and i."] {
        assert!(text.contains(label), "{label:?} in {text}");
    }
    // The title element and the flowchart's tooltips escape it too.
    let title: String = select(&doc, "title")[0].text().collect();
    assert!(
        title.starts_with("HOSTILE-1: <script>alert(1)</script>"),
        "{title}"
    );
    let lang = select(&doc, "html")[0].value().attr("lang").unwrap();
    assert_eq!(lang, "und", "an invalid language tag is undetermined");
}

/// A procedure of `n` steps: a decision every third step with a loop back,
/// a jump ahead and every ninth a hand-off.
fn big_procedure(n: usize) -> Workflow {
    let mut text = String::from("sop BIG-1: Big\npurpose: P.\nscope: S.\nsteps:\n");
    for i in 1..=n {
        text.push_str(&format!(
            "  step s{i}: Step number {i} with a fairly long title\n"
        ));
        if i % 3 == 0 && i < n {
            text.push_str(&format!(
                "    if again -> s{}\n",
                i.saturating_sub(4 + i % 7).max(1)
            ));
            if i % 9 == 0 {
                text.push_str(&format!("    if escalated -> [[OTHER-{i}]]\n"));
            }
            text.push_str(&format!("    if ahead -> s{}\n", (i + 5 + i % 11).min(n)));
            text.push_str("    otherwise -> next\n");
        }
    }
    let source = Source::from_text("big.sop", &text);
    let doc = sop::syntax::parse(&source);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    Workflow::from_document(&doc)
}

#[test]
fn a_procedure_of_up_to_two_hundred_steps_is_drawn_step_by_step() {
    let n = sop::render::flowchart::MAX_DRAWN_STEPS;
    let page = sop::render::html::Html.render(&big_procedure(n), &RenderContext::default());
    let doc = Html::parse_document(&page);
    assert_eq!(select(&doc, "svg a[href^=\"#step-\"]").len(), n);
    assert!(select(&doc, ".flowchart-note").is_empty());
}

#[test]
fn a_bigger_procedure_gets_an_overview_that_says_so() {
    let n = 500;
    let page = sop::render::html::Html.render(&big_procedure(n), &RenderContext::default());
    let doc = Html::parse_document(&page);
    let note: Vec<String> = select(&doc, ".flowchart-note")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(note.len(), 1);
    assert!(
        note[0].starts_with("This procedure has 500 steps"),
        "{}",
        note[0]
    );
    assert!(
        note[0].contains("each run of 13 consecutive steps"),
        "{}",
        note[0]
    );
    // One box per run of 13 steps, each linking to the run's first step.
    let boxes: Vec<String> = select(&doc, "svg a[href^=\"#step-\"] title")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(boxes.len(), 500_usize.div_ceil(13));
    assert!(boxes[0].starts_with("1. Step number 1 with a fairly long title … 13. "));
    let targets: Vec<&str> = select(&doc, "svg a[href^=\"#step-\"]")
        .iter()
        .filter_map(|e| e.value().attr("href"))
        .collect();
    assert_eq!(targets[1], "#step-s14");
    // Every link of the overview leads to a step of the page.
    for target in &targets {
        let id = target.trim_start_matches('#');
        assert_eq!(select(&doc, &format!("[id=\"{id}\"]")).len(), 1, "{target}");
    }
    // The arrows between runs say how many ways they stand for.
    let counts: Vec<String> = select(&doc, ".fc-label text")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert!(!counts.is_empty());
    assert!(
        counts.iter().all(|t| t.parse::<usize>().is_ok()),
        "{counts:?}"
    );
}
#[test]
fn render_to_html_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("page.html");
    let result = crate::support::sop(&[
        "render",
        "examples/CS-014-escalation.sop",
        "--to",
        "html",
        "-o",
        out.to_str().unwrap(),
        "--today",
        "2026-11-23",
    ])
    .env("NO_COLOR", "1")
    .output();
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(page, html(Path::new("examples/CS-014-escalation.sop")));
}

mod never_panics {
    use proptest::prelude::*;
    use sop::model::Workflow;
    use sop::render::{RenderContext, Renderer};
    use sop::source::Source;

    const LINES: &[&str] = &[
        "steps:",
        "  step a: A <b>",
        "  step b: Second step with a rather long title that has to wrap somewhere",
        "  step c: 第三步骤标题很长很长很长很长很长很长很长很长很长",
        "  step: Anonymous",
        "    if yes -> a",
        "    if no -> b",
        "    if loop -> c",
        "    if maybe -> nowhere",
        "    otherwise -> next",
        "    -> end",
        "    -> [[X-1]]",
        "    -> a",
        "    role: agent",
        "    within: 5 min",
        "    say: <script>x</script>",
        "    ask: Why?",
        "    tip: [t](javascript:x)",
        "    Prose with **bold**, [[Y-2]] and <i onclick=x>",
        "    - [ ] task",
        "    | a | b |",
        "    |---|---|",
        "",
        "notes:",
        "  note: n",
        "references:",
        "  - [r](data:x)",
        "purpose: P",
        "scope: S",
        "roles:",
        "  agent: Agent",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn any_document_renders(picks in proptest::collection::vec(0..LINES.len(), 0..40)) {
            let mut text = String::from("sop T-1: Title\n");
            for p in picks {
                text.push_str(LINES[p]);
                text.push('\n');
            }
            let source = Source::from_text("t.sop", &text);
            let doc = sop::syntax::parse(&source);
            let workflow = Workflow::from_document(&doc);
            let page = sop::render::html::Html.render(&workflow, &RenderContext::default());
            prop_assert!(page.ends_with("</html>\n"));
        }
    }
}

#[test]
fn two_roles_or_more_get_a_swimlane_each() {
    let doc = Html::parse_document(&html(Path::new("examples/CS-003-card-payment-failure.sop")));
    let headings: Vec<String> = select(&doc, "svg .fc-lane > text")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(headings, ["Customer service agent", "Billing specialist"]);
    // Every step's box lies inside its role's lane.
    let lanes: Vec<(f64, f64)> = select(&doc, "svg .fc-lane > rect:not(.fc-lane-heading)")
        .iter()
        .map(|r| {
            let x: f64 = r.value().attr("x").unwrap().parse().unwrap();
            let w: f64 = r.value().attr("width").unwrap().parse().unwrap();
            (x, x + w)
        })
        .collect();
    let centre = |step: &str| -> f64 {
        let text = select(&doc, &format!("svg a[href=\"#step-{step}\"] tspan"));
        text[0].value().attr("x").unwrap().parse().unwrap()
    };
    for (step, lane) in [("greet", 0), ("retry", 0), ("billing-review", 1)] {
        let x = centre(step);
        assert!(
            lanes[lane].0 < x && x < lanes[lane].1,
            "{step} at {x}, lanes {lanes:?}"
        );
    }
    // A procedure with one role has no lanes; the Chinese one has its own
    // role names.
    let one = Html::parse_document(&html(Path::new("examples/CS-010-reception-and-needs.sop")));
    assert!(select(&one, "svg .fc-lane").is_empty());
    let zh = Html::parse_document(&html(Path::new("examples/CS-012-complaint-handling.sop")));
    let names: Vec<String> = select(&zh, "svg .fc-lane > title")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(names, ["投诉受理专员", "客服经理"]);
}
