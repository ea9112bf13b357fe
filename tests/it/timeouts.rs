//! `timeout -> target`: the edge taken when a step's time limit runs out.

use sop::check::{check_source, CheckOptions};
use sop::model::Workflow;
use sop::render::{RenderContext, Renderer};
use sop::source::Source;
use sop::values::Date;

fn json(text: &str) -> serde_json::Value {
    let source = Source::from_text("t.sop", text);
    let doc = sop::syntax::parse(&source);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    let out =
        sop::render::json::Json.render(&Workflow::from_document(&doc), &RenderContext::default());
    serde_json::from_str(&out).unwrap()
}

fn codes(text: &str) -> Vec<&'static str> {
    let source = Source::from_text("t.sop", text);
    let options = CheckOptions::new(Date::parse("2026-11-23").unwrap());
    check_source(&source, &options, None)
        .iter()
        .map(|d| d.code)
        .collect()
}

const WAIT: &str = "sop T-1: Chat\npurpose: p\nscope: s\nrevisions:\n  1.0  2026-11-01  A: Created\nsteps:\n  step wait: Wait for the customer\n    within: 5 min\n    -> wait\n    TIMEOUT -> care\n  step care: Send a care message\n    -> end\n";

#[test]
fn a_timeout_is_an_edge_with_on_timeout_and_no_condition() {
    let value = json(WAIT);
    let edges = value["edges"].as_array().unwrap();
    let timeout: Vec<_> = edges.iter().filter(|e| e.get("on").is_some()).collect();
    assert_eq!(timeout.len(), 1, "{edges:#?}");
    assert_eq!(timeout[0]["on"], "timeout");
    assert!(timeout[0]["when"].is_null());
    assert_eq!(timeout[0]["from"], "wait");
    assert_eq!(timeout[0]["to"], "care");
}

#[test]
fn a_timeout_rescues_an_endless_wait() {
    assert!(codes(WAIT).is_empty(), "{:?}", codes(WAIT));
    let without = WAIT.replace("    TIMEOUT -> care\n", "");
    assert!(
        codes(&without).contains(&"no-path-to-end"),
        "{:?}",
        codes(&without)
    );
    let unlimited = WAIT.replace("    within: 5 min\n", "");
    assert!(codes(&unlimited).contains(&"timeout-without-limit"));
}

#[test]
fn a_timeout_alone_keeps_the_step_going_on_to_the_next() {
    let text = "sop T-1: Chat\npurpose: p\nscope: s\nrevisions:\n  1.0  2026-11-01  A: Created\nsteps:\n  step greet: Greet\n    within: 30s\n    timeout -> care\n  step answer: Answer\n    -> end\n  step care: Care\n    -> end\n";
    let value = json(text);
    let from_greet: Vec<(&str, bool)> = value["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["from"] == "greet")
        .map(|e| (e["to"].as_str().unwrap(), e.get("on").is_some()))
        .collect();
    assert_eq!(from_greet, [("care", true), ("answer", false)]);
    assert_eq!(value["nodes"][0]["kind"], "task");
}

#[test]
fn timeouts_in_chinese_and_hungarian() {
    let zh = "sop T-1: Chat\nlanguage: zh\npurpose: p\nscope: s\nsteps:\n  step wait: Wait\n    时限：5分钟\n    超时->care\n  step care: Care\n    -> end\n";
    let hu = "sop T-1: Chat\nnyelv: hu\npurpose: p\nscope: s\nsteps:\n  step wait: Wait\n    hatarido: 5 perc\n    lejart -> care\n  step care: Care\n    -> end\n";
    for text in [zh, hu] {
        let value = json(text);
        assert!(
            value["edges"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["on"] == "timeout"),
            "{text}"
        );
    }
    // Another language's timeout keyword is not a branch.
    let en = "sop T-1: Chat\npurpose: p\nscope: s\nsteps:\n  step wait: Wait\n    within: 5 min\n    超时 -> care\n  step care: Care\n    -> end\n";
    let value = json(en);
    assert!(value["edges"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e.get("on").is_none()));
    let formatted = sop::fmt::format_source(zh).unwrap();
    assert!(formatted.contains("    超时 -> care\n"), "{formatted}");
}

#[test]
fn two_timeouts_in_one_step_are_an_error() {
    let text = "sop T-1: Chat\npurpose: p\nscope: s\nsteps:\n  step wait: Wait\n    within: 5 min\n    timeout -> a\n    timeout -> b\n  step a: A\n  step b: B\n";
    let source = Source::from_text("t.sop", text);
    let doc = sop::syntax::parse(&source);
    assert_eq!(doc.errors.len(), 1, "{:?}", doc.errors);
    assert!(doc.errors[0].message.contains("at most one timeout"));
}

#[test]
fn sla_is_the_limit_of_the_whole_procedure_in_every_language() {
    for (key, language, value) in [
        ("sla", "en", "24 hours"),
        ("SLA", "en", "PT24H"),
        ("总时限", "zh", "24小时"),
        ("teljes határidő", "hu", "24 óra"),
        ("Teljes hataridő", "hu", "1 nap"),
    ] {
        let text = format!(
            "sop T-1: Chat\nlanguage: {language}\n{key}: {value}\npurpose: p\nscope: s\nsteps:\n  step a: A\n    -> end\n"
        );
        let meta = json(&text)["meta"].clone();
        let expected = if value == "1 nap" { "P1D" } else { "PT24H" };
        assert_eq!(meta["sla"], expected, "{text}");
        assert!(!codes(&text).contains(&"unknown-key"), "{text}");
    }
    let bad = "sop T-1: Chat\nsla: 3 working days\npurpose: p\nscope: s\nsteps:\n  step a: A\n    -> end\n";
    assert!(codes(bad).contains(&"invalid-duration"));
    assert!(json(bad)["meta"].get("sla").is_none());
}

fn fixture_json(path: &str) -> serde_json::Value {
    json(&std::fs::read_to_string(path).unwrap())
}

fn fixture_codes(path: &str) -> Vec<&'static str> {
    codes(&std::fs::read_to_string(path).unwrap())
}

#[test]
fn the_worst_path_goes_through_a_loop_once_and_out_by_its_timeout() {
    let path = "tests/fixtures/valid/worst-path-loop.sop";
    let analysis = fixture_json(path)["analysis"].clone();
    assert_eq!(
        analysis,
        serde_json::json!({
            // 30 s + 10 min + 4 h + 5 min + 1 day: the spare-part branch,
            // then the test's timeout; the retry back to `diagnose` would
            // visit it twice.
            "worst_case": "P1DT4H15M30S",
            "worst_path": ["greet", "diagnose", "replace", "test", "escalate"],
            "unbounded": [],
            "by_role": { "agent": "P1DT30S", "technician": "PT4H15M" },
        })
    );
    assert!(fixture_codes(path).is_empty(), "{:?}", fixture_codes(path));
}

#[test]
fn a_step_without_a_limit_makes_the_worst_case_a_lower_bound() {
    let path = "tests/fixtures/valid/worst-path-unbounded.sop";
    let analysis = fixture_json(path)["analysis"].clone();
    assert_eq!(analysis["worst_case"], "PT6H5M20S");
    assert_eq!(
        analysis["worst_path"],
        serde_json::json!(["fogadas", "meghallgatas", "megoldas", "atadas", "lezaras"])
    );
    assert_eq!(analysis["unbounded"], serde_json::json!(["meghallgatas"]));
    let markdown = sop::render::markdown::Markdown.render(
        &Workflow::from_document(&sop::syntax::parse(&Source::from_text(
            path,
            &std::fs::read_to_string(path).unwrap(),
        ))),
        &RenderContext::default(),
    );
    assert!(
        markdown.contains("legalább 6 óra 5 perc 20 másodperc"),
        "{markdown}"
    );
}

#[test]
fn exactly_at_the_limit_is_within_it() {
    let path = "tests/fixtures/valid/sla-at-limit.sop";
    assert_eq!(fixture_json(path)["analysis"]["worst_case"], "PT3H");
    assert!(fixture_codes(path).is_empty(), "{:?}", fixture_codes(path));
    let text = std::fs::read_to_string(path).unwrap();
    let over = text.replace("within: 1 hour\n", "within: 1 hour 1 second\n");
    assert_eq!(codes(&over), ["sla-exceeded"]);
}

#[test]
fn sla_exceeded_speaks_the_files_language_and_names_the_path() {
    let source = "sop T-1: Complaint\nlanguage: LANG\nsla: 24 hours\npurpose: p\nscope: s\nsteps:\n  step verify: Verify\n    within: 1 hour\n  step answer: Answer\n    within: 2 hours\n  step call: Call back\n    within: 24 hours\n    -> end\n";
    for (language, message, help) in [
        (
            "en",
            "the worst case, 1 day 3 hours, is longer than the time limit of the whole procedure, 24 hours",
            "Longest path: verify → answer → call.",
        ),
        ("zh", "最长耗时1天3小时，超过总时限24小时", "最长路径：verify → answer → call。"),
        (
            "hu",
            "A legrosszabb eset (1 nap 3 óra) hosszabb a teljes határidőnél (24 óra)",
            "Leghosszabb út: verify → answer → call.",
        ),
    ] {
        let text = source.replace("LANG", language);
        let source = Source::from_text("t.sop", &text);
        let options = CheckOptions::new(Date::parse("2026-11-23").unwrap());
        let diagnostics = check_source(&source, &options, None);
        let d = diagnostics
            .iter()
            .find(|d| d.code == "sla-exceeded")
            .unwrap_or_else(|| panic!("{language}: {diagnostics:?}"));
        assert_eq!(d.message, message);
        assert!(d.help.as_deref().unwrap().starts_with(help), "{:?}", d.help);
    }
}

#[test]
fn no_limits_no_worst_case() {
    let analysis =
        json("sop T-1: Chat\npurpose: p\nscope: s\nsteps:\n  step a: A\n  step b: B\n    -> end\n")
            ["analysis"]
            .clone();
    assert_eq!(
        analysis,
        serde_json::json!({ "worst_case": null, "worst_path": [], "unbounded": [], "by_role": {} })
    );
}

#[test]
fn flowcharts_dash_timeouts_and_highlight_the_worst_path() {
    let path = "tests/fixtures/valid/worst-path-loop.sop";
    let text = std::fs::read_to_string(path).unwrap();
    let workflow = Workflow::from_document(&sop::syntax::parse(&Source::from_text(path, &text)));
    let html = sop::render::html::Html.render(&workflow, &RenderContext::default());
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    // One dashed edge: the test's timeout, on the worst path.
    let dashed: Vec<&str> = svg
        .lines()
        .filter(|l| l.contains("stroke-dasharray"))
        .collect();
    assert_eq!(dashed.len(), 1, "{dashed:?}");
    assert!(dashed[0].contains("fc-timeout fc-worst"), "{dashed:?}");
    assert!(svg.contains(">timeout after 5 minutes<"), "{svg}");
    // The steps drawn as on the worst path, in order.
    let worst: Vec<&str> = svg
        .split("<a href=\"#step-")
        .skip(1)
        .filter(|a| a[..a.find('>').unwrap()].contains("fc-worst"))
        .map(|a| &a[..a.find('"').unwrap()])
        .collect();
    assert_eq!(worst, ["greet", "diagnose", "replace", "test", "escalate"]);
    // Start → greet, greet → diagnose, diagnose → replace, replace → test,
    // test → escalate (the timeout), escalate → end.
    assert_eq!(
        svg.matches("<path class=\"fc-edge fc-worst\"").count() + 1,
        6
    );

    let markdown = sop::render::markdown::Markdown.render(&workflow, &RenderContext::default());
    assert!(
        markdown.contains("    s5 -.->|\"timeout after 5 minutes\"| s6\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("    class s1,s2,s4,s5,s6 worst\n"),
        "{markdown}"
    );
}
