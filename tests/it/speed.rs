//! Inputs that once took quadratic time, memory or output: the checks here
//! assert on sizes and counts, never on timings (scripts/speed-traps.py
//! times them).

use std::fmt::Write;
use std::path::Path;

use crate::support::sop;

const HEADER: &str = "sop CS-900: Generated stress case
version: 1.0
owner: Operations
status: active
review: every 12 months

purpose:
  Exercise the checker.

scope:
  Tests only.

";
const REVISIONS: &str = "\nrevisions:\n  1.0  2026-01-05  Peter Wu: First version\n";

/// A project folder (an empty `sop.yaml`) holding one file.
fn project(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sop.yaml"), "").unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    dir
}

fn check(dir: &Path, file: &str, format: &str) -> crate::support::Out {
    sop(&["check", "--today", "2026-11-23", "--format", format, file])
        .current_dir(dir)
        .run()
}

#[test]
fn unknown_target_help_lists_a_handful_of_ids() {
    let mut text = String::from(HEADER);
    text.push_str("steps:\n");
    for i in 0..2000 {
        let _ = write!(
            text,
            "  step step-{i}: Step {i}\n    if yes -> gone-{i}\n    otherwise -> next\n"
        );
    }
    text.push_str("  step lisen: Listen\n    -> listn\n");
    text.push_str(REVISIONS);
    let dir = project("targets.sop", &text);
    let out = check(dir.path(), "targets.sop", "json");
    out.code(1);
    let json = out.json();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let unknown: Vec<_> = diagnostics
        .iter()
        .filter(|d| d["code"] == "unknown-target")
        .collect();
    assert_eq!(unknown.len(), 2001);
    for d in &unknown {
        let help = d["help"].as_str().unwrap();
        assert!(help.len() < 300, "help of {} bytes: {help}", help.len());
    }
    let help = unknown[0]["help"].as_str().unwrap();
    assert!(
        help.contains("`step-0`, `step-1`, `step-2`, `step-3`, `step-4` and 1,996 more"),
        "{help}"
    );
    assert_eq!(
        unknown.last().unwrap()["help"].as_str(),
        Some("Did you mean `lisen`?")
    );
    // Output grows with the diagnostics, not with diagnostics × steps.
    assert!(out.stdout.len() < 2001 * 1000, "{} bytes", out.stdout.len());
}

#[test]
fn undeclared_roles_are_suggested_among_many() {
    let mut text = String::from(HEADER);
    text.push_str("roles:\n");
    for i in 0..3000 {
        let _ = writeln!(text, "  role-{i:04}: Role {i}");
    }
    text.push_str("\nsteps:\n");
    for i in 0..3000 {
        let _ = writeln!(text, "  step s{i}: Step {i}\n    role: role-{i:04}");
    }
    text.push_str("  step last: Last\n    role: rol-1234\n");
    text.push_str(REVISIONS);
    let dir = project("roles.sop", &text);
    let out = check(dir.path(), "roles.sop", "short");
    out.code(0);
    assert!(
        out.stdout.contains("role `rol-1234` is not declared"),
        "{}",
        out.stdout
    );
    let json = check(dir.path(), "roles.sop", "json").json();
    let help = json["diagnostics"][0]["help"].as_str().unwrap();
    assert_eq!(
        help,
        "Did you mean `role-1234`? Otherwise declare `rol-1234` under `roles:`."
    );
}

#[test]
fn unknown_sop_suggestions_in_a_large_project() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sop.yaml"), "").unwrap();
    for i in 0..400 {
        let body = HEADER.replace("CS-900", &format!("SUPPORT-{i:05}"));
        let link = if i == 7 {
            "  - [[SUPORT-00123]]\n".to_string()
        } else {
            format!("  - [[SUPPORT-{:05}]]\n", (i + 1) % 400)
        };
        let text = format!("{body}steps:\n  step a: Do it\n\nreferences:\n{link}{REVISIONS}");
        std::fs::write(dir.path().join(format!("s{i}.sop")), text).unwrap();
    }
    let out = sop(&["check", "--today", "2026-11-23", "--format", "json", "."])
        .current_dir(dir.path())
        .run();
    out.code(1);
    let json = out.json();
    let unknown: Vec<_> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "unknown-sop")
        .collect();
    assert_eq!(unknown.len(), 1, "{}", out.stdout);
    assert_eq!(unknown[0]["help"], "Did you mean `[[SUPPORT-00123]]`?");
}

#[test]
fn deeply_nested_config_is_rejected_with_its_line() {
    let dir = project(
        "a.sop",
        &format!("{HEADER}steps:\n  step a: Do it\n{REVISIONS}"),
    );
    let nested = format!(
        "review: every year\nexclude: {}{}\n",
        "[".repeat(45_000),
        "]".repeat(45_000)
    );
    std::fs::write(dir.path().join("sop.yaml"), nested).unwrap();
    let out = check(dir.path(), "a.sop", "short");
    out.code(2);
    assert!(
        out.stderr
            .contains("sop.yaml:2: the file nests more than 32 levels deep"),
        "{}",
        out.stderr
    );
    // One message that says what is wrong.
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

#[test]
fn human_output_per_diagnostic_is_bounded_on_a_long_line() {
    let links: Vec<String> = (0..2000).map(|i| format!("[[Q{i}]]")).collect();
    let text = format!(
        "{HEADER}steps:\n  step a: Do it\n    {}\n{REVISIONS}",
        links.join(" ")
    );
    let dir = project("links.sop", &text);
    let out = check(dir.path(), "links.sop", "human");
    out.code(1);
    let reports = out
        .stdout
        .matches("× no SOP in the project has the id")
        .count();
    assert_eq!(reports, 2000);
    // About 800 bytes a report; the whole 20 KB line each would be 80 MB.
    assert!(
        out.stdout.len() < 2000 * 1500,
        "{} bytes of output",
        out.stdout.len()
    );
    let widest = out.stdout.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest < 140, "a line of {widest} characters");
    // Line and column are the file's, whatever was cut before.
    let line = text[..text.find("[[Q0]]").unwrap()].lines().count();
    let column = 5 + links[..1999].iter().map(|l| l.len() + 1).sum::<usize>();
    let place = format!("╭─[links.sop:{line}:{column}]");
    let last = out.stdout.rfind("× no SOP").unwrap();
    assert!(out.stdout[last..].contains(&place), "{place}");
}

#[test]
fn human_snippets_of_far_apart_labels_are_separate() {
    let mut text = String::from(HEADER);
    text.push_str("steps:\n  step check: First\n");
    for i in 0..3000 {
        let _ = writeln!(text, "  step s{i}: Step {i}");
    }
    text.push_str("  step check: Second\n");
    text.push_str(REVISIONS);
    let dir = project("far.sop", &text);
    let out = check(dir.path(), "far.sop", "human");
    out.code(1);
    // Both places and their neighbours, not the 3,000 lines between them.
    assert!(out.stdout.lines().count() < 40, "{}", out.stdout);
    assert!(out.stdout.contains("  step check: First"), "{}", out.stdout);
    assert!(
        out.stdout.contains("  step check: Second"),
        "{}",
        out.stdout
    );
}
