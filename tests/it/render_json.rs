//! The JSON workflow definition: schema validity, referential integrity,
//! snapshots, determinism, and `sop render` as a command.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sop::model::Workflow;
use sop::render::{RenderContext, Renderer};
use sop::source::Source;

use crate::support::sop_files;

fn workflow_json(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let source = Source::from_bytes(path, &bytes);
    let doc = sop::syntax::parse(&source);
    assert!(
        doc.errors.is_empty(),
        "{}: {:?}",
        path.display(),
        doc.errors
    );
    let workflow = Workflow::from_document(&doc);
    sop::render::json::Json.render(&workflow, &RenderContext::default())
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string("docs/schema/sop-workflow.v1.schema.json").unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("the schema itself is valid")
}

fn all_inputs() -> Vec<PathBuf> {
    let mut files = sop_files("examples");
    files.extend(sop_files("tests/fixtures/valid"));
    files
}

#[test]
fn every_example_and_fixture_matches_the_schema() {
    let validator = validator();
    for path in all_inputs() {
        let value: Value = serde_json::from_str(&workflow_json(&path)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            path.display(),
            errors.join("\n")
        );
    }
}

#[test]
fn the_schema_rejects_what_the_contract_forbids() {
    let validator = validator();
    let good: Value = serde_json::from_str(&workflow_json(Path::new(
        "examples/CS-001-customer-inquiries.sop",
    )))
    .unwrap();
    let broken = [
        ("/format", Value::from("other")),
        ("/format_version", Value::from(2)),
        ("/meta/status", Value::from("Active")),
        ("/meta/review", Value::from("6 months")),
        ("/nodes/0/kind", Value::from("step")),
        ("/nodes/0/within", Value::from("30s")),
        ("/edges/0/when", Value::from(3)),
    ];
    for (pointer, value) in broken {
        let mut bad = good.clone();
        *bad.pointer_mut(pointer).unwrap() = value;
        assert!(!validator.is_valid(&bad), "{pointer} should be rejected");
    }
}

#[test]
fn edges_connect_nodes_end_and_hand_offs() {
    for path in all_inputs() {
        let value: Value = serde_json::from_str(&workflow_json(&path)).unwrap();
        let ids: Vec<&str> = value["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect();
        if let Some(start) = value["start"].as_str() {
            assert_eq!(start, ids[0], "{}", path.display());
        }
        let edges = value["edges"].as_array().unwrap();
        for edge in edges {
            let from = edge["from"].as_str().unwrap();
            let to = edge["to"].as_str().unwrap();
            assert!(ids.contains(&from), "{}: from {from}", path.display());
            assert!(
                ids.contains(&to) || to == "end" || to.starts_with("sop:"),
                "{}: to {to}",
                path.display()
            );
        }
        // Every node leaves somewhere: fall-throughs are explicit edges.
        for id in &ids {
            assert!(
                edges.iter().any(|e| e["from"] == *id),
                "{}: node {id} has no outgoing edge",
                path.display()
            );
        }
    }
}

#[test]
fn contract_example_values() {
    let value: Value = serde_json::from_str(&workflow_json(Path::new(
        "tests/fixtures/valid/customer-inquiry.sop",
    )))
    .unwrap();
    let edge = |from: &str, to: &str| {
        value["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["from"] == from && e["to"] == to)
            .unwrap_or_else(|| panic!("no edge {from} -> {to}"))
            .clone()
    };
    assert_eq!(edge("verify", "solve")["when"], "yes");
    assert_eq!(edge("solve", "close")["when"], "otherwise");
    assert_eq!(edge("greet", "listen")["when"], Value::Null);
    assert_eq!(edge("close", "end")["when"], Value::Null);
    assert_eq!(edge("escalate", "sop:CS-014")["when"], Value::Null);
    assert_eq!(value["nodes"][0]["within"], "PT30S");
    assert_eq!(value["nodes"][0]["ask"], Value::Null);
    assert_eq!(value["meta"]["review"], "P6M");
}

#[test]
fn anonymous_steps_get_number_ids_and_durations_keep_units() {
    let text = "sop T-1: Test\nreview: every year\npurpose: P.\nscope: S.\nsteps:\n  step: First\n    within: 24 hours\n  step two: Second\n    within: 1 day\n    -> next\n";
    let source = Source::from_text("t.sop", text);
    let doc = sop::syntax::parse(&source);
    let value = serde_json::to_value(Workflow::from_document(&doc)).unwrap();
    assert_eq!(value["start"], "#1");
    assert_eq!(value["nodes"][0]["id"], "#1");
    assert_eq!(value["nodes"][0]["within"], "PT24H");
    assert_eq!(value["nodes"][1]["within"], "P1D");
    assert_eq!(value["meta"]["review"], "P1Y");
    let edges = value["edges"].as_array().unwrap();
    assert_eq!(
        edges[0],
        serde_json::json!({"from": "#1", "to": "two", "when": null})
    );
    // `next` on the last step means `end`.
    assert_eq!(
        edges[1],
        serde_json::json!({"from": "two", "to": "end", "when": null})
    );
    assert!(
        value["meta"].get("owner").is_none(),
        "absent keys are omitted"
    );
}

#[test]
fn snapshots_of_every_example() {
    for path in sop_files("examples") {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(name, workflow_json(&path));
    }
}

#[test]
fn output_is_deterministic() {
    for path in all_inputs() {
        assert_eq!(workflow_json(&path), workflow_json(&path));
    }
}

fn sop(args: &[&str]) -> std::process::Output {
    crate::support::sop(args).env("NO_COLOR", "1").output()
}

#[test]
fn render_writes_the_output_file_or_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out/cs-001.json");
    let input = "examples/CS-001-customer-inquiries.sop";
    let stdout = sop(&["render", input, "--to", "json"]);
    assert_eq!(stdout.status.code(), Some(0));
    let to_file = sop(&["render", input, "--to", "json", "-o", out.to_str().unwrap()]);
    assert_eq!(
        to_file.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&to_file.stderr)
    );
    assert!(to_file.stdout.is_empty());
    assert_eq!(std::fs::read(&out).unwrap(), stdout.stdout);
}

#[test]
fn a_file_with_errors_is_not_rendered_and_the_old_output_survives() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    std::fs::write(&out, "previous output").unwrap();
    let result = sop(&[
        "render",
        "tests/fixtures/diagnostics/unknown-target.sop",
        "--to",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("unknown-target"), "{stderr}");
    assert!(result.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous output");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary files are left: {names:?}");
}

#[test]
fn render_checks_the_single_file_only() {
    // A hand-off to an SOP that is not around is fine for `render`.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.sop");
    std::fs::write(&file, "sop A-1: A\npurpose: P.\nscope: S.\nsteps:\n  step x: X\n    -> [[NOWHERE-9]]\nrevisions:\n  1.0 2026-01-01: Created\n").unwrap();
    let result = sop(&[
        "render",
        file.to_str().unwrap(),
        "--to",
        "json",
        "--today",
        "2026-11-23",
    ]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

#[test]
fn rendering_a_directory_mirrors_its_folders() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(src.path().join("team/sub")).unwrap();
    // The examples link to each other: render them as one project, one of
    // them a folder deeper.
    for file in sop_files("examples") {
        let name = file.file_name().unwrap().to_str().unwrap();
        let to = match name {
            "CS-015-follow-up.sop" => "team/sub/b.sop".to_string(),
            "CS-014-escalation.sop" => "team/a.sop".to_string(),
            _ => format!("team/{name}"),
        };
        std::fs::copy(&file, src.path().join(to)).unwrap();
    }
    let result = sop(&[
        "render",
        src.path().to_str().unwrap(),
        "--to",
        "json",
        "-o",
        out.path().to_str().unwrap(),
        "--today",
        "2026-11-23",
    ]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(out.path().join("team/a.json").is_file());
    assert!(out.path().join("team/sub/b.json").is_file());
}

#[test]
fn rendering_a_directory_needs_an_output_directory() {
    let result = sop(&["render", "examples", "--to", "json"]);
    assert_eq!(result.status.code(), Some(2));
}

// ---------------------------------------------------------------------------
// Hashes

fn workflow_of(name: &str, text: &str) -> Workflow {
    let source = Source::from_text(name, text);
    let doc = sop::syntax::parse(&source);
    assert!(doc.errors.is_empty(), "{name}: {:?}", doc.errors);
    Workflow::from_document(&doc)
}

fn workflow_of_file(path: &Path) -> Workflow {
    let bytes = std::fs::read(path).unwrap();
    let source = Source::from_bytes(path, &bytes);
    Workflow::from_document(&sop::syntax::parse(&source))
}

/// The pretty JSON without its `hash` lines, as the model alone writes it.
fn without_hashes(json: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in json.lines() {
        let key = line.trim_start();
        if key.starts_with("\"hash\": \"") {
            continue;
        }
        if key.starts_with('}') {
            if let Some(last) = lines.last_mut() {
                *last = last.strip_suffix(',').unwrap_or(last);
            }
        }
        lines.push(line);
    }
    lines.join("\n")
}

fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[test]
fn the_hash_is_the_sop_hash_of_run_records() {
    for path in all_inputs() {
        let workflow = workflow_of_file(&path);
        let json = workflow_json(&path);
        let value: Value = serde_json::from_str(&json).unwrap();
        let hash = value["hash"].as_str().unwrap();
        assert!(is_sha256(hash), "{}: {hash}", path.display());
        assert_eq!(hash, sop::runs::sop_hash(&workflow), "{}", path.display());
        assert_eq!(hash, workflow.hash(), "{}", path.display());
        // The hash is that of the document without its hashes.
        let plain = serde_json::to_string_pretty(&workflow).unwrap();
        assert_eq!(without_hashes(&json), plain, "{}", path.display());
        assert_eq!(
            hash,
            sop::runs::sha256_hex(&serde_json::to_vec(&workflow).unwrap())
        );
        // `hash` comes right after `format_version`.
        let keys: Vec<&str> = json.lines().skip(1).take(3).map(str::trim).collect();
        assert!(keys[0].starts_with("\"format\":"), "{keys:?}");
        assert!(keys[1].starts_with("\"format_version\":"), "{keys:?}");
        assert_eq!(keys[2], format!("\"hash\": \"{hash}\","));
        let nodes = value["nodes"].as_array().unwrap();
        let all = workflow.node_hashes();
        assert_eq!(all.len(), nodes.len());
        for (k, node) in nodes.iter().enumerate() {
            let hash = node["hash"].as_str().unwrap();
            assert!(is_sha256(hash), "{}: {hash}", path.display());
            assert_eq!(hash, sop::model::node_hash(&workflow, k));
            assert_eq!(hash, all[k]);
            // `hash` is the node's last key.
            let line = format!("      \"hash\": \"{hash}\"\n    }}");
            assert!(json.contains(&line), "{}: node {k}", path.display());
        }
    }
}

const MESSY: &str = "# A comment before the header.
sop   H-1:   Hashes
version: 1.0
review: every 6 months
purpose:   Check   the hashes.
scope: Tests.

roles:
  agent: Agent   # not a comment: part of the description
steps:


  # A comment between steps.
  step a: First
    role: agent
    within: 5 min
    Do the first thing,
      carefully.
  step b: Second
    ask: Done?
    if yes -> c
    # a comment among the options
    otherwise -> a
  step c: Third
revisions:
  1.0   2026-01-01   Ann:   Created
";

fn hashes(workflow: &Workflow) -> (String, Vec<String>) {
    (workflow.hash(), workflow.node_hashes())
}

#[test]
fn sop_fmt_keeps_every_hash() {
    let formatted = sop::fmt::format_source(MESSY).unwrap();
    assert_ne!(formatted, MESSY);
    assert_eq!(
        hashes(&workflow_of("a.sop", MESSY)),
        hashes(&workflow_of("b.sop", &formatted)),
        "{formatted}"
    );
    for path in sop_files("tests/fixtures/fmt") {
        let bytes = std::fs::read(&path).unwrap();
        let source = Source::from_bytes(&path, &bytes);
        let doc = sop::syntax::parse(&source);
        let formatted = sop::fmt::format_document(&source, &doc).unwrap();
        assert_eq!(
            hashes(&Workflow::from_document(&doc)),
            hashes(&workflow_of("formatted.sop", &formatted)),
            "{}",
            path.display()
        );
    }
}

#[test]
fn a_step_inserted_before_another_leaves_its_hash_alone() {
    let before = workflow_of("a.sop", MESSY);
    let text = MESSY.replace("  step c: Third", "  step x: New\n  step c: Third");
    let after = workflow_of("b.sop", &text);
    let (old, new) = (before.node_hashes(), after.node_hashes());
    assert_eq!(before.nodes[2].id, "c");
    assert_eq!(after.nodes[3].id, "c");
    assert_ne!(before.nodes[2].number, after.nodes[3].number);
    assert_eq!(old[2], new[3], "step c moved but did not change");
    assert_eq!(old[0], new[0], "step a did not change");
    // Step b falls through nowhere; its branches lead where they led.
    assert_eq!(old[1], new[1]);
    assert_ne!(before.hash(), after.hash());

    // A step that fell through to `c` now falls through to `x`.
    let text = MESSY.replace("    if yes -> c\n", "    if yes -> next\n");
    let (before, after) = (
        workflow_of("a.sop", &text),
        workflow_of(
            "b.sop",
            &text.replace("  step c: Third", "  step x: New\n  step c: Third"),
        ),
    );
    let (old, new) = (before.node_hashes(), after.node_hashes());
    assert_ne!(old[1], new[1], "b's `next` leads to the new step");
    assert_eq!(old[2], new[3]);
}

#[test]
fn a_changed_branch_target_changes_that_steps_hash_only() {
    let before = workflow_of("a.sop", MESSY);
    let after = workflow_of("b.sop", &MESSY.replace("if yes -> c", "if yes -> a"));
    let (old, new) = (before.node_hashes(), after.node_hashes());
    assert_ne!(old[1], new[1]);
    assert_eq!(old[0], new[0]);
    assert_eq!(old[2], new[2]);
    assert_ne!(before.hash(), after.hash());
    // So does a changed condition, and a changed title.
    let after = workflow_of("c.sop", &MESSY.replace("if yes -> c", "if done -> c"));
    assert_ne!(old[1], after.node_hashes()[1]);
    let after = workflow_of("d.sop", &MESSY.replace("First", "Start"));
    assert_ne!(old[0], after.node_hashes()[0]);
    assert_eq!(old[1..], after.node_hashes()[1..]);
}

#[test]
fn revisions_and_the_version_are_part_of_the_meaning() {
    let before = workflow_of("a.sop", MESSY);
    let revised = MESSY.replace(
        "Ann:   Created\n",
        "Ann:   Created\n  1.1   2026-02-01   Ann:   Reviewed\n",
    );
    for text in [revised, MESSY.replace("version: 1.0", "version: 1.1")] {
        let after = workflow_of("b.sop", &text);
        assert_ne!(before.hash(), after.hash());
        assert_eq!(before.node_hashes(), after.node_hashes());
    }
}
