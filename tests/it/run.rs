//! `sop run` and `sop log`: scripted runs (answers piped on standard
//! input, a test clock that moves a minute per answer), the record's hash
//! chain, resuming, and the record's schema.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{sop, sop_files};

const CLOCK: &str = "2026-11-30T20:45:00Z+60";

/// The JSON workflow definition of `file`.
pub(crate) fn model(file: &Path) -> Value {
    sop(&[
        "render".as_ref(),
        file.as_os_str(),
        "--to".as_ref(),
        "json".as_ref(),
    ])
    .run()
    .code(0)
    .json()
}

fn checklist_len(node: &Value) -> usize {
    node["text"]
        .as_str()
        .unwrap_or("")
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            ["- [ ]", "* [ ]", "+ [ ]", "- [x]", "- [X]"]
                .iter()
                .any(|m| t.starts_with(m) && !t[m.len()..].trim().is_empty())
        })
        .count()
}

/// The options of `step`: conditional or plain edges, `otherwise` last.
fn options(model: &Value, step: &str) -> Vec<Value> {
    let edges: Vec<Value> = model["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["from"] == step && e.get("on").is_none())
        .cloned()
        .collect();
    let (mut first, last): (Vec<Value>, Vec<Value>) =
        edges.into_iter().partition(|e| e["when"] != "otherwise");
    first.extend(last);
    first
}

/// Answers that walk `model` from `from` to its end: every item ticked,
/// every task done, at a decision the first option that leads somewhere
/// new. Returns the answers and the steps walked, then `end` or `[[ID]]`.
pub(crate) fn answers(model: &Value, from: &str) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut path = Vec::new();
    let mut seen = HashSet::new();
    let mut at = from.to_string();
    for _ in 0..500 {
        let node = model["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == at.as_str())
            .unwrap_or_else(|| panic!("no step {at}"));
        path.push(at.clone());
        seen.insert(at.clone());
        for _ in 0..checklist_len(node) {
            out.push_str("y\n");
        }
        let options = options(model, &at);
        let decision = node["kind"] == "decision" || options.len() > 1;
        let (answer, to) = if decision {
            let i = options
                .iter()
                .position(|e| !seen.contains(e["to"].as_str().unwrap()))
                .unwrap_or(0);
            (
                (i + 1).to_string(),
                options[i]["to"].as_str().unwrap().to_string(),
            )
        } else {
            let to = options
                .first()
                .map(|e| e["to"].as_str().unwrap().to_string())
                .unwrap_or_else(|| "end".into());
            ("done".into(), to)
        };
        out.push_str(&answer);
        out.push('\n');
        if to == "end" {
            path.push("end".into());
            return (out, path);
        }
        if let Some(id) = to.strip_prefix("sop:") {
            path.push(format!("[[{id}]]"));
            return (out, path);
        }
        at = to;
    }
    panic!("the walk did not end");
}

pub(crate) fn records(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    files
}

pub(crate) fn read_events(record: &Path) -> Vec<Value> {
    std::fs::read_to_string(record)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string("docs/schema/sop-run-event.v1.schema.json").unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("the schema itself is valid")
}

fn assert_valid(record: &Path) {
    let validator = validator();
    for (i, event) in read_events(record).iter().enumerate() {
        if let Err(e) = validator.validate(event) {
            panic!("{}:{}: {e}\n{event}", record.display(), i + 1);
        }
    }
}

/// Starts a run of `file` in `runs` with `input` as the answers.
fn run(file: &Path, runs: &Path, input: &str) -> crate::support::Out {
    sop(&[
        "run".as_ref(),
        file.as_os_str(),
        "--as".as_ref(),
        "Tester".as_ref(),
        "--runs".as_ref(),
        runs.as_os_str(),
    ])
    .env("SOP_RUN_CLOCK", CLOCK)
    .stdin(input)
    .run()
}

fn resume(run_id: &str, runs: &Path, input: &str, extra: &[&str]) -> crate::support::Out {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "run".as_ref(),
        "--resume".as_ref(),
        run_id.as_ref(),
        "--as".as_ref(),
        "Other".as_ref(),
        "--runs".as_ref(),
        runs.as_os_str(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    sop(&args)
        .env("SOP_RUN_CLOCK", "2026-11-30T22:00:00Z+60")
        .stdin(input)
        .run()
}

fn verify(record: &Path) -> crate::support::Out {
    sop(&["log".as_ref(), "verify".as_ref(), record.as_os_str()]).run()
}

pub(crate) fn run_id(record: &Path) -> String {
    record.file_stem().unwrap().to_string_lossy().into_owned()
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect()
}

#[test]
fn every_example_runs_to_its_end() {
    for file in sop_files("examples") {
        let model = model(&file);
        let start = model["start"].as_str().unwrap().to_string();
        let (input, path) = answers(&model, &start);
        let dir = tempfile::tempdir().unwrap();
        let out = run(&file, dir.path(), &input);
        out.code(0);
        let record = records(dir.path()).pop().expect("a record");
        let events = read_events(&record);
        let kinds = kinds(&events);
        assert_eq!(kinds.first(), Some(&"start"), "{}", file.display());
        assert_eq!(kinds.last(), Some(&"end"), "{}", file.display());
        let walked: Vec<&str> = events
            .iter()
            .filter(|e| e["event"] == "step-start")
            .map(|e| e["step"].as_str().unwrap())
            .collect();
        assert_eq!(walked, path[..path.len() - 1], "{}", file.display());
        if path.last().unwrap().starts_with("[[") {
            assert!(kinds.contains(&"handoff"), "{}", file.display());
        }
        assert!(
            out.stdout.contains(&format!("Path: {}", path.join(" -> "))),
            "{}: {}",
            file.display(),
            out.stdout
        );
        let minutes = input.lines().count();
        let duration = if minutes >= 60 {
            format!("PT{}H{}M", minutes / 60, minutes % 60)
        } else {
            format!("PT{minutes}M")
        };
        let duration = duration.replace("H0M", "H");
        assert_eq!(events.last().unwrap()["elapsed"], duration.as_str());
        for (i, e) in events.iter().enumerate() {
            assert_eq!(e["seq"], i + 1);
            assert_eq!(e["by"], "Tester");
        }
        verify(&record).code(0);
        assert_valid(&record);
    }
}

#[test]
fn checklist_override_skip_late_pause_and_resume() {
    let file = Path::new("examples/CS-003-card-payment-failure.sop");
    let dir = tempfile::tempdir().unwrap();
    // greet takes two minutes against one; symptoms has four items, one
    // not ticked twice, then overridden; lookup is skipped; then a pause.
    let out = run(
        file,
        dir.path(),
        "what\ndone\ny\nn\ny\ny\nn\noverride the customer hung up\ndone\nskip gateway down\npause\n",
    );
    out.code(0);
    assert!(out.stdout.contains("not an answer here: what"));
    assert!(out.stdout.contains("sop run --resume"));
    let record = records(dir.path()).pop().unwrap();
    let events = read_events(&record);
    let late = events.iter().find(|e| e["event"] == "late").unwrap();
    assert_eq!(late["step"], "greet");
    assert_eq!(late["limit"], "PT1M");
    assert_eq!(late["elapsed"], "PT2M");
    let items: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e["event"] == "checklist-item")
        .map(|e| (e["answer"].as_str().unwrap(), e["item"].as_str().unwrap()))
        .collect();
    assert_eq!(items.len(), 6);
    assert_eq!(items[5].0, "override");
    let overridden = events.iter().find(|e| e["answer"] == "override").unwrap();
    assert_eq!(overridden["note"], "the customer hung up");
    let skipped = events
        .iter()
        .find(|e| e["event"] == "step-skipped")
        .unwrap();
    assert_eq!(skipped["step"], "lookup");
    assert_eq!(skipped["answer"], "gateway down");
    assert_eq!(kinds(&events).last(), Some(&"pause"));
    assert_eq!(events.last().unwrap()["step"], "diagnose");

    let model = model(file);
    let (input, path) = answers(&model, "diagnose");
    let out = resume(&run_id(&record), dir.path(), &input, &[]);
    out.code(0);
    let events = read_events(&record);
    let resumed = events.iter().find(|e| e["event"] == "resume").unwrap();
    assert_eq!(resumed["step"], "diagnose");
    assert_eq!(resumed["by"], "Other");
    assert_eq!(kinds(&events).last(), Some(&"end"));
    assert!(out.stdout.contains(&format!(
        "Path: greet -> symptoms -> lookup -> {}",
        path.join(" -> ")
    )));
    assert!(out.stdout.contains("Late: greet (PT2M over PT1M)"));
    assert!(out.stdout.contains("Skipped: lookup (gateway down)"));
    verify(&record).code(0);
    assert_valid(&record);
    // An ended run is not resumed.
    let out = resume(&run_id(&record), dir.path(), "", &[]);
    out.code(2);
    assert!(out.stderr.contains("has ended"), "{}", out.stderr);
}

#[test]
fn the_end_of_the_answers_pauses_the_run_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        Path::new("examples/CS-003-card-payment-failure.sop"),
        dir.path(),
        "done\n",
    );
    out.code(2);
    assert!(out.stderr.contains("sop run --resume"), "{}", out.stderr);
    let events = read_events(&records(dir.path()).pop().unwrap());
    let last = events.last().unwrap();
    assert_eq!(last["event"], "pause");
    assert_eq!(last["step"], "symptoms");
}

#[test]
fn a_file_with_errors_is_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.sop");
    std::fs::write(
        &file,
        "sop X-1: Broken\n\nsteps:\n  step a: A\n    -> nowhere\n",
    )
    .unwrap();
    let runs = dir.path().join("runs");
    let out = run(&file, &runs, "done\n");
    out.code(1);
    assert!(!runs.exists());
}

#[test]
fn timeout_takes_the_timeout_branch() {
    for file in sop_files("tests/fixtures/valid") {
        let model = model(&file);
        let Some(edge) = model["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["on"] == "timeout" && e["from"] == model["start"])
            .cloned()
        else {
            continue;
        };
        let start = model["start"].as_str().unwrap();
        let node = model["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == start)
            .unwrap()
            .clone();
        let dir = tempfile::tempdir().unwrap();
        let mut input = "y\n".repeat(checklist_len(&node));
        input.push_str("timeout\npause\n");
        run(&file, dir.path(), &input).code(0);
        let events = read_events(&records(dir.path()).pop().unwrap());
        let timeout = events.iter().find(|e| e["event"] == "timeout").unwrap();
        assert_eq!(timeout["to"], edge["to"]);
        assert_eq!(timeout["limit"], node["within"]);
        return;
    }
    panic!("no fixture whose first step has a timeout branch");
}

#[test]
fn resume_is_refused_when_the_meaning_changed_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("CS-003.sop");
    let text = std::fs::read_to_string("examples/CS-003-card-payment-failure.sop").unwrap();
    std::fs::write(&file, &text).unwrap();
    let runs = dir.path().join("runs");
    run(&file, &runs, "done\npause\n").code(0);
    let record = records(&runs).pop().unwrap();
    std::fs::write(
        &file,
        text.replace("Collect the symptoms", "Collect every symptom"),
    )
    .unwrap();
    let out = resume(&run_id(&record), &runs, "pause\n", &[]);
    out.code(2);
    assert!(out.stderr.contains("changed"), "{}", out.stderr);
    assert!(out.stderr.contains("--force"), "{}", out.stderr);
    assert_eq!(kinds(&read_events(&record)).last(), Some(&"pause"));
    let out = resume(&run_id(&record), &runs, "pause\n", &["--force"]);
    out.code(0);
    let events = read_events(&record);
    let resumed = events.iter().find(|e| e["event"] == "resume").unwrap();
    assert!(resumed["note"].as_str().unwrap().starts_with("forced"));
    assert_ne!(resumed["sop_hash"], events[0]["sop_hash"]);
    assert_eq!(resumed["step"], "symptoms");
    verify(&record).code(0);
}

#[test]
fn sop_fmt_keeps_the_sop_hash() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("CS-003.sop");
    let text = std::fs::read_to_string("examples/CS-003-card-payment-failure.sop").unwrap();
    // Layout only: a comment, blank lines, trailing spaces.
    let messy = text
        .replace("steps:\n", "steps:\n\n\n  # a comment\n")
        .replace("role: agent\n", "role: agent   \n");
    assert_ne!(messy, text);
    std::fs::write(&file, &messy).unwrap();
    let hash = |runs: &Path| -> Value {
        run(&file, runs, "pause\n").code(0);
        read_events(&records(runs).pop().unwrap())[0]["sop_hash"].clone()
    };
    let before = hash(&dir.path().join("a"));
    sop(&["fmt".as_ref(), file.as_os_str()]).run().code(0);
    assert_ne!(std::fs::read_to_string(&file).unwrap(), messy);
    assert_eq!(hash(&dir.path().join("b")), before);
    let original = dir.path().join("original.sop");
    std::fs::write(&original, &text).unwrap();
    run(&original, &dir.path().join("c"), "pause\n").code(0);
    assert_eq!(
        read_events(&records(&dir.path().join("c")).pop().unwrap())[0]["sop_hash"],
        before
    );
}

/// A finished run of CS-003 in `dir`; returns its record.
fn finished_run(dir: &Path) -> PathBuf {
    let file = Path::new("examples/CS-003-card-payment-failure.sop");
    let model = model(file);
    let (input, _) = answers(&model, "greet");
    run(file, dir, &input).code(0);
    records(dir).pop().unwrap()
}

#[test]
fn tampering_with_any_line_fails_verify_at_that_line() {
    let dir = tempfile::tempdir().unwrap();
    let record = finished_run(dir.path());
    let text = std::fs::read_to_string(&record).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let check = |tampered: Vec<String>, line: usize, what: &str| {
        let path = dir.path().join("tampered.jsonl");
        std::fs::write(&path, tampered.join("\n") + "\n").unwrap();
        let out = verify(&path);
        out.code(1);
        let expected = format!("tampered.jsonl:{line}: line {line} ");
        assert!(out.stderr.contains(&expected), "{what}: {}", out.stderr);
    };
    for i in 0..lines.len() {
        let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        edited[i] = edited[i].replace("\"by\":\"Tester\"", "\"by\":\"Tester2\"");
        check(edited, i + 1, "edit");
        if i + 1 < lines.len() {
            let mut deleted: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            deleted.remove(i);
            check(deleted, i + 1, "delete");
            let mut moved: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            moved.swap(i, i + 1);
            check(moved, i + 1, "reorder");
        }
    }
    verify(&record).code(0);
}

#[test]
fn a_truncated_last_line_is_reported_and_dropped_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    run(
        Path::new("examples/CS-003-card-payment-failure.sop"),
        dir.path(),
        "done\ny\npause\n",
    )
    .code(0);
    let record = records(dir.path()).pop().unwrap();
    let text = std::fs::read_to_string(&record).unwrap();
    // The pause event, cut in the middle of its write.
    let cut = &text[..text.len() - 40];
    std::fs::write(&record, cut).unwrap();
    let out = verify(&record);
    out.code(1);
    assert!(out.stderr.contains("incomplete"), "{}", out.stderr);
    let out = sop(&["log".as_ref(), "show".as_ref(), record.as_os_str()]).run();
    out.code(0);
    assert!(out.stdout.contains("incomplete"));
    let out = resume(&run_id(&record), dir.path(), "pause\n", &[]);
    out.code(0);
    assert!(out.stderr.contains("incomplete"), "{}", out.stderr);
    verify(&record).code(0);
    let events = read_events(&record);
    let resumed = events.iter().find(|e| e["event"] == "resume").unwrap();
    assert_eq!(resumed["step"], "symptoms");
}

#[test]
fn a_record_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let file = Path::new("examples/CS-001-customer-inquiries.sop");
    run(file, dir.path(), "pause\n").code(0);
    let first = records(dir.path()).pop().unwrap();
    let before = std::fs::read(&first).unwrap();
    // The same clock, the same SOP: another id, another file.
    for _ in 0..3 {
        run(file, dir.path(), "pause\n").code(0);
    }
    assert_eq!(records(dir.path()).len(), 4);
    assert_eq!(std::fs::read(&first).unwrap(), before);
}

#[test]
fn log_show_and_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = Path::new("examples/CS-003-card-payment-failure.sop");
    let (rest, _) = answers(&model(file), "diagnose");
    let out = run(
        file,
        dir.path(),
        &format!(
            "done\ny\nn\ny\ny\noverride the customer hung up\ndone\nskip gateway down\n{rest}"
        ),
    );
    out.code(0);
    let record = records(dir.path()).pop().unwrap();
    let id = run_id(&record);
    let at = out.stdout.rfind(&format!("Run {id} of")).unwrap();
    let summary = out.stdout[at..].replace(&id, "RUN");
    insta::assert_snapshot!("run-summary-cs003", summary);
    let show = sop(&[
        "log".as_ref(),
        "show".as_ref(),
        id.as_ref(),
        "--runs".as_ref(),
        dir.path().as_os_str(),
    ])
    .run();
    show.code(0);
    let hash = read_events(&record)[0]["sop_hash"]
        .as_str()
        .unwrap()
        .to_string();
    let shown = show.stdout.replace(&id, "RUN").replace(&hash, "SOP_HASH");
    insta::assert_snapshot!("log-show-cs003", shown);
}

#[test]
fn runs_are_found_by_id_and_a_missing_one_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let record = finished_run(dir.path());
    let id = run_id(&record);
    let out = sop(&[
        "log".as_ref(),
        "verify".as_ref(),
        id.as_ref(),
        "--runs".as_ref(),
        dir.path().as_os_str(),
    ])
    .run();
    out.code(0);
    assert!(out.stdout.contains("intact"), "{}", out.stdout);
    let out = sop(&[
        "log".as_ref(),
        "show".as_ref(),
        "20261130T000000Z-NONE-0000".as_ref(),
        "--runs".as_ref(),
        dir.path().as_os_str(),
    ])
    .run();
    out.code(2);
    assert!(out.stderr.contains("no run record"), "{}", out.stderr);
    // --force only goes with --resume.
    sop(&["run", "examples/CS-001-customer-inquiries.sop", "--force"])
        .run()
        .code(2);
}
