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
