//! `sop diff` between two files: every kind of change, in the three
//! languages and the three formats; what is not a change; the property
//! that the diff is empty exactly when the JSON workflows are equal.

use std::collections::BTreeSet;
use std::path::Path;

use proptest::prelude::*;

use crate::support::{root, sop};

const DIR: &str = "tests/fixtures/diff";

/// The variants of base.sop and what each must report.
const CASES: &[(&str, &[&str])] = &[
    ("step-added", &["step-added"]),
    ("step-removed", &["branch-retargeted", "step-removed"]),
    ("step-renamed", &["step-renamed"]),
    ("step-retitled", &["step-retitled"]),
    ("step-moved", &["step-moved"]),
    (
        "step-details",
        &[
            "step-roles-changed",
            "step-limit-changed",
            "step-say-changed",
            "step-callouts-changed",
            "step-ask-changed",
        ],
    ),
    ("step-text", &["step-text-changed"]),
    ("branch-retargeted", &["branch-retargeted"]),
    ("branch-reworded", &["branch-reworded"]),
    (
        "branches-added-removed",
        &["branch-added", "handoff-removed"],
    ),
    (
        "step-kind-and-handoff",
        &[
            "step-kind-changed",
            "step-ask-changed",
            "branch-reworded",
            "handoff-added",
        ],
    ),
    ("header", &["title-changed", "meta-changed"]),
    (
        "sections",
        &[
            "purpose-changed",
            "scope-changed",
            "role-changed",
            "role-added",
            "metric-changed",
            "metric-added",
            "metric-removed",
            "definition-changed",
            "definition-added",
            "reference-added",
            "reference-removed",
            "notes-changed",
        ],
    ),
    ("revision-only", &["meta-changed", "revision-added"]),
];

/// Old and new file of the pairs that are not variants of base.sop.
const PAIRS: &[(&str, &str)] = &[
    ("base-unnamed", "unnamed-steps"),
    ("zh-old", "zh-new"),
    ("hu-old", "hu-new"),
];

fn path(name: &str) -> String {
    format!("{DIR}/{name}.sop")
}

/// What a reviewer reads for a pair: the human format, the Markdown
/// comment and the drafted revision line.
fn readable(old: &str, new: &str) -> String {
    let (old, new) = (path(old), path(new));
    let fixed = ["--today", "2026-11-23", "--author", "Anna Kovács"];
    let human = sop(&["diff", &old, &new, "--color", "never"]).run();
    let md = sop(&["diff", &old, &new, "--format", "md"]).run();
    let mut args = vec!["diff", &old, &new, "--revision-line"];
    args.extend(fixed);
    let line = sop(&args).run();
    assert_eq!(human.code, md.code);
    format!(
        "--- human\n{}--- md\n{}--- revision line\n{}",
        human.stdout, md.stdout, line.stdout
    )
}

fn kinds(old: &str, new: &str) -> (Vec<String>, serde_json::Value) {
    let out = sop(&["diff", &path(old), &path(new), "--format", "json"]).run();
    out.code(1);
    let json = out.json();
    let kinds = json["files"][0]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["kind"].as_str().expect("kind").to_string())
        .collect();
    (kinds, json)
}

#[test]
fn every_kind_of_change_is_reported_as_itself() {
    for (case, expected) in CASES {
        let (kinds, json) = kinds("base", case);
        let found: BTreeSet<&str> = kinds.iter().map(String::as_str).collect();
        let wanted: BTreeSet<&str> = expected.iter().copied().collect();
        assert_eq!(found, wanted, "{case}: {kinds:?}");
        insta::assert_snapshot!(format!("diff-{case}"), readable("base", case));
        insta::assert_json_snapshot!(format!("diff-{case}-json"), json);
    }
}

#[test]
fn chinese_hungarian_and_unnamed_steps_read_in_their_language() {
    for (old, new) in PAIRS {
        let (_, json) = kinds(old, new);
        insta::assert_snapshot!(format!("diff-{new}"), readable(old, new));
        insta::assert_json_snapshot!(format!("diff-{new}-json"), json);
    }
}

#[test]
fn a_renamed_step_is_a_rename_not_a_removal_and_an_addition() {
    let (kinds, json) = kinds("base", "step-renamed");
    assert_eq!(kinds, ["step-renamed"]);
    let change = &json["files"][0]["changes"][0];
    assert_eq!(change["old"], "assess");
    assert_eq!(change["new"], "inspect");
    // The branches into the renamed step are not retargeted.
    assert_eq!(json["files"][0]["flow_changed"], false);
}

#[test]
fn what_sop_fmt_would_undo_is_no_change() {
    let out = sop(&["diff", &path("base"), &path("layout-only")]).run();
    out.code(0);
    assert!(
        out.stdout.contains("no change in meaning"),
        "{}",
        out.stdout
    );
    // The file really is laid out differently (through standard input:
    // the folder's sop.yaml leaves its files out of `sop fmt`).
    let text = std::fs::read_to_string(root().join(path("layout-only"))).unwrap();
    sop(&["fmt", "--check", "-"]).stdin(text).run().code(1);
    let json = sop(&[
        "diff",
        &path("base"),
        &path("layout-only"),
        "--format",
        "json",
    ])
    .run();
    json.code(0);
    assert_eq!(json.json()["changed"], false);
    assert_eq!(json.json()["files"][0]["changes"], serde_json::json!([]));
}

#[test]
fn a_file_and_itself_have_no_difference() {
    for file in crate::support::sop_files("examples") {
        let file = file.to_string_lossy().into_owned();
        let out = sop(&["diff", &file, &file, "--format", "json"]).run();
        out.code(0);
        assert_eq!(out.json()["files"][0]["status"], "unchanged", "{file}");
    }
}

#[test]
fn only_a_new_revision_line_drafts_no_revision_line() {
    let out = sop(&[
        "diff",
        &path("base"),
        &path("revision-only"),
        "--revision-line",
    ])
    .run();
    out.code(1);
    assert_eq!(out.stdout, "");
}

#[test]
fn versions_bump_minor_for_wording_and_major_for_flow() {
    let line = |case: &str| {
        sop(&[
            "diff",
            &path("base"),
            &path(case),
            "--revision-line",
            "--today",
            "2026-11-23",
            "--author",
            "Anna Kovács",
        ])
        .run()
        .stdout
    };
    assert!(line("step-text").starts_with("1.3  2026-11-23  Anna Kovács: "));
    assert!(line("step-added").starts_with("2.0  2026-11-23  Anna Kovács: "));
}

#[test]
fn a_drafted_revision_line_is_one_a_file_accepts() {
    // Appended to the new version, the line parses as a revision, and the
    // file checks without a revision warning.
    for (case, _) in CASES.iter().filter(|(c, _)| *c != "revision-only") {
        let line = sop(&[
            "diff",
            &path("base"),
            &path(case),
            "--revision-line",
            "--today",
            "2026-11-23",
            "--author",
            "Anna: Kovács",
        ])
        .run()
        .stdout;
        let text = std::fs::read_to_string(root().join(path(case))).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.sop");
        std::fs::write(&file, format!("{text}  {line}")).unwrap();
        let out = sop(&[
            "render",
            &file.to_string_lossy(),
            "--to",
            "json",
            "--today",
            "2026-11-23",
        ])
        .run();
        out.code(0);
        let json = out.json();
        let last = json["revisions"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["author"], "Anna Kovács", "{case}: {line}");
        assert_eq!(last["date"], "2026-11-23", "{case}");
    }
}

#[test]
fn a_version_with_errors_is_not_compared() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.sop");
    std::fs::write(
        &broken,
        "sop X-1: Broken\n\nsteps:\n  step a: A\n    -> nowhere\n",
    )
    .unwrap();
    let out = sop(&["diff", &path("base"), &broken.to_string_lossy()]).run();
    out.code(2);
    assert!(out.stderr.contains("has errors"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

#[test]
fn a_missing_file_outside_git_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = sop(&["diff", "nothing.sop", "other.sop"])
        .current_dir(dir.path())
        .run();
    out.code(2);
    assert!(out.stderr.starts_with("sop: "), "{}", out.stderr);
    assert!(out.stderr.contains("nothing.sop"), "{}", out.stderr);
}

#[test]
fn markdown_output_carries_no_live_markup_from_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let old = root().join(path("base"));
    let text = std::fs::read_to_string(&old).unwrap();
    let hostile = text.replace(
        "Refund the full amount to the original payment method.",
        "Refund <script>alert(1)</script> [click](javascript:alert(1)) ![x](http://evil.example/x.png) www.evil.example",
    );
    let new = dir.path().join("new.sop");
    std::fs::write(&new, hostile).unwrap();
    let out = sop(&[
        "diff",
        &old.to_string_lossy(),
        &new.to_string_lossy(),
        "--format",
        "md",
    ])
    .run();
    out.code(1);
    let html = {
        let mut html = String::new();
        pulldown_cmark::html::push_html(
            &mut html,
            pulldown_cmark::Parser::new_ext(&out.stdout, pulldown_cmark::Options::all()),
        );
        html
    };
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<a "), "{html}");
    assert!(!html.contains("<img"), "{html}");
}

#[test]
fn entries_in_another_order_are_a_change() {
    // Found by the property below: two roles swapped.
    let text =
        std::fs::read_to_string(root().join("examples/CS-011-response-closed-loop.sop")).unwrap();
    let a = model(&text).unwrap();
    let swapped = text.replacen(
        "  agent: 一线客服专员\n  lead: 客服组长\n",
        "  lead: 客服组长\n  agent: 一线客服专员\n",
        1,
    );
    assert_ne!(swapped, text);
    let b = model(&swapped).unwrap();
    let changes = sop::diff::compare(&a, &b);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].kind, sop::diff::Kind::OrderChanged);
    assert_eq!(changes[0].field.as_deref(), Some("roles"));
}

#[test]
fn options_in_another_order_are_a_change() {
    // Found by the property below: a decision's options swapped (they are
    // numbered in the order written).
    let text =
        std::fs::read_to_string(root().join("examples/CS-012-complaint-handling.sop")).unwrap();
    let a = model(&text).unwrap();
    let swapped = text.replacen(
        "    if 能 -> 反馈\n    otherwise -> [[CS-014]]\n",
        "    otherwise -> [[CS-014]]\n    if 能 -> 反馈\n",
        1,
    );
    assert_ne!(swapped, text);
    let b = model(&swapped).unwrap();
    let changes = sop::diff::compare(&a, &b);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].kind, sop::diff::Kind::OrderChanged);
    assert_eq!(changes[0].field.as_deref(), Some("branches"));
}

/// The model of a file's text, or `None` when it has errors.
fn model(text: &str) -> Option<sop::model::Workflow> {
    sop::diff::model_of(
        Path::new("x.sop"),
        text.as_bytes(),
        sop::values::Date::parse("2026-11-23")?,
    )
    .ok()
}

/// An edit of one line of a file: what random edits of a procedure do.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Duplicate(usize),
    Swap(usize),
    /// Replace the `n`th word of the line with another word.
    Word(usize, usize, &'static str),
    Comment(usize),
    Indent(usize),
    Blank(usize),
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len().max(1);
    match *edit {
        Edit::Delete(i) => {
            lines.remove(i % n);
        }
        Edit::Duplicate(i) => {
            let line = lines[i % n].clone();
            lines.insert(i % n, line);
        }
        Edit::Swap(i) => {
            let i = i % n;
            if i + 1 < lines.len() {
                lines.swap(i, i + 1);
            }
        }
        Edit::Word(i, w, word) => {
            let line = &lines[i % n];
            let mut words: Vec<&str> = line.split(' ').collect();
            let w = w % words.len();
            words[w] = word;
            lines[i % n] = words.join(" ");
        }
        Edit::Comment(i) => lines.insert(i % n, "# a comment".into()),
        Edit::Indent(i) => {
            let line = format!("  {}", lines[i % n]);
            lines[i % n] = line;
        }
        Edit::Blank(i) => lines.insert(i % n, String::new()),
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn edit() -> impl Strategy<Value = Edit> {
    let word = prop::sample::select(vec![
        "refund", "close", "end", "2", "hours", "->", "if", "step", "x:",
    ]);
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Duplicate),
        any::<usize>().prop_map(Edit::Swap),
        (any::<usize>(), any::<usize>(), word).prop_map(|(i, w, s)| Edit::Word(i, w, s)),
        any::<usize>().prop_map(Edit::Comment),
        any::<usize>().prop_map(Edit::Indent),
        any::<usize>().prop_map(Edit::Blank),
    ]
}

proptest! {
    // No proptest-regressions files: a failure prints its minimal input,
    // which becomes a plain #[test] (like the one below).
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// For random edits of the examples: `sop diff A A` is empty, and
    /// `sop diff A B` is empty exactly when the JSON workflows are equal.
    #[test]
    fn the_diff_is_empty_exactly_when_the_workflows_are_equal(
        file in prop::sample::select(crate::support::sop_files("examples")),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let text = std::fs::read_to_string(&file).unwrap();
        let a = model(&text).expect("the examples have no errors");
        prop_assert!(sop::diff::compare(&a, &a).is_empty());
        let mut edited = text.clone();
        for e in &edits {
            edited = apply(&edited, e);
        }
        // Edits that break the file are not comparable (sop diff refuses).
        let Some(b) = model(&edited) else { return Ok(()) };
        prop_assert!(sop::diff::compare(&b, &b).is_empty());
        let equal = serde_json::to_value(&a).unwrap() == serde_json::to_value(&b).unwrap();
        let changes = sop::diff::compare(&a, &b);
        prop_assert_eq!(changes.is_empty(), equal, "{:?}", changes);
        let back = sop::diff::compare(&b, &a);
        prop_assert_eq!(back.is_empty(), equal);
    }
}
