//! Mistakes that used to pass silently: lines that only look like branches
//! (`suspicious-branch`), a hand-off to the SOP itself (`self-handoff`), a
//! misspelt code given to `sop explain`, and `[[ID]]` links that a single
//! file outside any project cannot have checked.
//!
//! Fixtures: tests/fixtures/misreadings/ (its own project, by its
//! `sop.yaml`). Snapshots are of the human format, as in snapshots.rs;
//! update them with `INSTA_UPDATE=always cargo test --test it misreadings`
//! and read every changed `.snap` file before keeping it.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sop::ast::StepItem;
use sop::check::CheckedFile;
use sop::report::{render, Format, Style};
use sop::source::Source;
use sop::values::Date;
use sop::workspace::Workspace;

use crate::support::sop;

const DIR: &str = "tests/fixtures/misreadings";
const TODAY: &str = "2026-11-23";

const STYLE: Style = Style {
    color: false,
    width: 80,
};

fn check(path: &Path) -> Vec<CheckedFile> {
    let today = Date::parse(TODAY).expect("a valid date");
    match Workspace::discover(&[path.to_path_buf()]).and_then(|ws| ws.check(today)) {
        Ok(run) => run.files,
        Err(e) => panic!("checking {}: {e}", path.display()),
    }
}

fn fixture(name: &str) -> PathBuf {
    let path = Path::new(DIR).join(name);
    assert!(path.is_file(), "{} does not exist", path.display());
    path
}

/// The codes and 1-based lines of a file's diagnostics, sorted.
fn codes_and_lines(file: &CheckedFile) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = file
        .diagnostics
        .iter()
        .map(|d| (d.code.to_string(), file.source.line_col(d.span().start).0))
        .collect();
    out.sort();
    out
}

/// Checks a fixture: the expected codes on the expected lines, and a
/// snapshot of the human format.
fn expect(name: &str, expected: &[(&str, usize)]) {
    let path = fixture(name);
    let files = check(&path);
    assert_eq!(files.len(), 1);
    let mut want: Vec<(String, usize)> =
        expected.iter().map(|(c, l)| (c.to_string(), *l)).collect();
    want.sort();
    assert_eq!(
        codes_and_lines(&files[0]),
        want,
        "{}:\n{}",
        path.display(),
        render(Format::Human, &files, STYLE)
    );
    let text = render(Format::Human, &files, STYLE);
    let stem = name.trim_end_matches(".sop");
    insta::with_settings!({
        description => format!("sop check --today {TODAY} {}", path.display()),
        omit_expression => true,
        prepend_module_to_snapshot => true,
    }, {
        insta::assert_snapshot!(format!("human-{stem}"), text);
    });
}

const SB: &str = "suspicious-branch";

#[test]
fn answers_without_if() {
    expect(
        "no-if.sop",
        &[(SB, 18), (SB, 23), (SB, 24), (SB, 25), (SB, 34)],
    );
}

#[test]
fn chinese_answers_without_if() {
    expect(
        "no-if-zh.sop",
        &[(SB, 23), (SB, 24), (SB, 25), (SB, 26), (SB, 30)],
    );
}

#[test]
fn hungarian_answers_without_if() {
    expect("no-if-hu.sop", &[(SB, 23), (SB, 24), (SB, 25), (SB, 29)]);
}

#[test]
fn colons_where_the_arrow_belongs() {
    expect(
        "colons.sop",
        &[(SB, 17), (SB, 18), (SB, 19), (SB, 23), (SB, 27)],
    );
}

#[test]
fn arrow_look_alikes() {
    // Line 21, `if it beeps --> test`, is a branch to the grammar (the `->`
    // at the end of `-->`), the only real option of its step, hence
    // `single-option` as well.
    expect(
        "look-alikes.sop",
        &[
            (SB, 18),
            (SB, 19),
            (SB, 20),
            (SB, 21),
            ("single-option", 21),
            (SB, 22),
            (SB, 26),
            (SB, 30),
        ],
    );
}

#[test]
fn keywords_of_another_language() {
    expect("foreign-keywords.sop", &[(SB, 18), (SB, 19)]);
}

/// The near misses that must stay prose: `Settings -> Privacy`, `Click
/// Save -> Close` where no step is `Close`, `Menu → Settings → Privacy`,
/// `=>` inside a sentence, escaped lines, code blocks, and the prose of
/// purpose, scope and notes.
#[test]
fn prose_with_arrows_and_colons_stays_prose() {
    let path = fixture("prose.sop");
    let files = check(&path);
    assert!(
        files[0].diagnostics.is_empty(),
        "{}",
        render(Format::Human, &files, STYLE)
    );
    // The lines are prose in the tree, not branches.
    let text = std::fs::read_to_string(&path).unwrap();
    let source = Source::from_text(&path, &text);
    let doc = sop::syntax::parse(&source);
    let open = &doc.steps()[0];
    assert_eq!(open.branches().count(), 0);
    let prose = open
        .items
        .iter()
        .filter(|i| matches!(i, StepItem::Block(_)))
        .count();
    assert!(prose >= 18, "{prose} prose lines in step `open`");
}

#[test]
fn the_security_hand_off_target_checks_clean() {
    let files = check(&fixture("security.sop"));
    assert!(files[0].diagnostics.is_empty());
}

/// The corrected line of the help, between "write `" and "`".
fn corrected_line(help: &str) -> &str {
    let start = help.find("write `").expect("the help gives the line") + "write `".len();
    let end = help[start..].find('`').expect("closing backtick") + start;
    &help[start..end]
}

/// Every help's corrected line, put in place of the line it is about,
/// stops being reported; with English keywords it is a branch. (The
/// Chinese and Hungarian keywords are branches in files of that
/// language once the keyword dialects are parsed.)
#[test]
fn the_corrected_lines_of_the_help_are_branches() {
    let mut checked = 0;
    for name in [
        "no-if.sop",
        "no-if-zh.sop",
        "no-if-hu.sop",
        "colons.sop",
        "look-alikes.sop",
        "foreign-keywords.sop",
    ] {
        let path = fixture(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let files = check(&path);
        for d in files[0].diagnostics.iter().filter(|d| d.code == SB) {
            let help = d.help.as_deref().expect("a help text");
            assert!(
                help.contains("start the line with `\\`"),
                "{name}: the help names the escape: {help}"
            );
            let line_no = files[0].source.line_col(d.span().start).0;
            let corrected = corrected_line(help);
            let fixed: String = text
                .lines()
                .enumerate()
                .map(|(i, line)| {
                    if i + 1 == line_no {
                        let indent = &line[..line.len() - line.trim_start().len()];
                        format!("{indent}{corrected}\n")
                    } else {
                        format!("{line}\n")
                    }
                })
                .collect();
            let source = Source::from_text(&path, &fixed);
            let doc = sop::syntax::parse(&source);
            let options = sop::check::CheckOptions::new(Date::parse(TODAY).unwrap());
            let after = sop::check::check_document(&source, &doc, &options, None);
            let on_line: Vec<&str> = after
                .iter()
                .filter(|a| source.line_col(a.span().start).0 == line_no)
                .map(|a| a.code)
                .filter(|c| *c == SB || *c == "syntax")
                .collect();
            assert!(
                on_line.is_empty(),
                "{name}:{line_no}: `{corrected}` is still reported: {on_line:?}"
            );
            let english = !["如果", "否则", "ha ", "egyébként", "kulonben"]
                .iter()
                .any(|k| corrected.starts_with(k));
            if english {
                let is_branch = doc
                    .steps()
                    .iter()
                    .flat_map(|s| s.branches())
                    .any(|b| source.line_col(b.span.start).0 == line_no);
                assert!(is_branch, "{name}:{line_no}: `{corrected}` is not a branch");
            }
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} corrected lines");
}

#[test]
fn suspicious_branches_in_json_carry_line_column_and_help() {
    let out = sop(&[
        "check",
        "--today",
        TODAY,
        "--format",
        "json",
        "tests/fixtures/misreadings/no-if-zh.sop",
    ])
    .run();
    out.code(1);
    let json = out.json();
    let first = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == SB)
        .expect("a suspicious-branch diagnostic")
        .clone();
    assert_eq!(first["line"], 23);
    assert_eq!(first["column"], 5);
    assert_eq!(first["end_column"], 5 + "是 -> 解决".chars().count());
    assert_eq!(first["severity"], "error");
    let help = first["help"].as_str().unwrap();
    assert!(help.contains("`如果是 -> 解决`"), "{help}");
}

// ---------------------------------------------------------------------------
// sop explain
// ---------------------------------------------------------------------------

#[test]
fn explain_knows_the_new_codes() {
    for code in [SB, "self-handoff"] {
        let out = sop(&["explain", code]).run();
        out.code(0);
        assert!(out.stdout.contains("## How to fix"), "{}", out.stdout);
    }
}

#[test]
fn explain_suggests_the_nearest_code() {
    let cases = [
        ("suspicous-branch", "did you mean `suspicious-branch`?"),
        ("suspicious_branch", "did you mean `suspicious-branch`?"),
        ("Self-Handoff", "did you mean `self-handoff`?"),
        ("branch", "did you mean `suspicious-branch`?"),
        ("stale", "did you mean `stale-review`?"),
        ("unreachable", "did you mean `unreachable-step`?"),
    ];
    for (code, hint) in cases {
        let out = sop(&["explain", code]).run();
        out.code(2);
        assert!(out.stdout.is_empty());
        assert!(
            out.stderr
                .contains(&format!("unknown diagnostic code `{code}`; {hint}")),
            "{code}: {}",
            out.stderr
        );
    }
    let out = sop(&["explain", "E0001"]).run();
    out.code(2);
    assert!(
        out.stderr.contains("`sop explain --list` lists them"),
        "{}",
        out.stderr
    );
}

#[test]
fn sop_yaml_suggests_codes_the_same_way() {
    let dir = tempdir();
    std::fs::write(dir.path().join("sop.yaml"), "rules:\n  stale: off\n").unwrap();
    let out = sop(&["check", "."]).current_dir(dir.path()).run();
    out.code(2);
    assert!(
        out.stderr
            .contains("unknown rule `stale`; did you mean `stale-review`?"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------
// A single file outside any project
// ---------------------------------------------------------------------------

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("sop-misreadings-")
        .tempdir_in(std::env::temp_dir())
        .expect("a temporary directory")
}

/// Whether `dir` lies outside any git work tree or `sop.yaml` project.
fn outside_projects(dir: &Path) -> bool {
    let dir = dir.canonicalize().unwrap();
    let outside = dir
        .ancestors()
        .skip(1)
        .all(|a| !a.join(".git").exists() && !a.join("sop.yaml").is_file());
    if !outside {
        crate::support::note_skipped(
            "an outside-project scenario",
            "the temp dir lies in a git tree or project",
        );
    }
    outside
}

fn sop_text(id: &str, hand_off: &str) -> String {
    format!(
        "sop {id}: Handle a lost badge\nversion: 1.0\nowner: Facility Manager\nstatus: active\n\n\
         purpose:\n  Block a lost badge.\n\nscope:\n  All badges.\n\n\
         steps:\n  step block: Block the badge\n    Block it in the access system.\n    {hand_off}\n\n\
         revisions:\n  1.0  2026-05-01  Jane Doe: Created\n"
    )
}

#[test]
fn a_single_file_outside_any_project_says_its_links_were_not_checked() {
    let dir = tempdir();
    if !outside_projects(dir.path()) {
        return;
    }
    std::fs::write(dir.path().join("a.sop"), sop_text("A-1", "-> [[Z-404]]")).unwrap();
    std::fs::write(dir.path().join("b.sop"), sop_text("B-1", "-> end")).unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["check", "--today", TODAY];
        all.extend_from_slice(args);
        sop(&all).current_dir(dir.path()).run()
    };

    let out = run(&["a.sop"]);
    out.code(0);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line:\n{}", out.stderr);
    let note = lines[0];
    assert!(note.starts_with("note: "), "{note}");
    assert!(
        note.contains("1 link to another SOP (`[[ID]]`) was not checked"),
        "{note}"
    );
    assert!(note.contains("a.sop is outside any project"), "{note}");
    assert!(note.contains("`sop check .`"), "{note}");
    assert!(note.contains("`sop.yaml`"), "{note}");
    assert_eq!(out.last_line(), "Checked 1 file: 0 errors, 0 warnings.");

    // From elsewhere, the command names the folder.
    let abs = dir.path().canonicalize().unwrap().join("a.sop");
    let out = sop(&["check", "--today", TODAY, abs.to_str().unwrap()]).run();
    let folder = abs.parent().unwrap().display().to_string();
    if folder
        .chars()
        .all(|c| c.is_alphanumeric() || "._-/".contains(c))
    {
        assert!(
            out.stderr.contains(&format!("`sop check {folder}`")),
            "{}",
            out.stderr
        );
    }

    // Machine formats stay as they are; so does a file without links.
    for format in ["json", "short", "sarif", "github"] {
        let out = run(&["a.sop", "--format", format]);
        out.code(0);
        assert!(out.stderr.is_empty(), "--format {format}: {}", out.stderr);
    }
    let out = run(&["b.sop"]);
    out.code(0);
    assert!(out.stderr.is_empty(), "{}", out.stderr);

    // Checking the folder checks the links, and says nothing more.
    let out = run(&["."]);
    out.code(1);
    assert!(out.stdout.contains("unknown-sop"), "{}", out.stdout);
    assert!(out.stderr.is_empty(), "{}", out.stderr);

    // So does a `sop.yaml`.
    std::fs::write(dir.path().join("sop.yaml"), "").unwrap();
    let out = run(&["a.sop"]);
    out.code(1);
    assert!(out.stdout.contains("unknown-sop"), "{}", out.stdout);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

#[test]
fn several_files_outside_any_project_get_one_note() {
    let dir = tempdir();
    if !outside_projects(dir.path()) {
        return;
    }
    std::fs::write(dir.path().join("a.sop"), sop_text("A-1", "-> [[Z-404]]")).unwrap();
    std::fs::write(dir.path().join("c.sop"), sop_text("C-1", "-> [[A-1]]")).unwrap();
    let out = sop(&["check", "--today", TODAY, "a.sop", "c.sop"])
        .current_dir(dir.path())
        .run();
    out.code(0);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stderr);
    assert!(
        lines[0].contains("2 links to other SOPs (`[[ID]]`) were not checked, because these files are outside any project"),
        "{}",
        lines[0]
    );
}

#[test]
fn json_of_a_self_handoff() {
    let out = sop(&[
        "check",
        "--today",
        TODAY,
        "--format",
        "json",
        "tests/fixtures/diagnostics/self-handoff.sop",
    ])
    .run();
    out.code(1);
    let json: Value = out.json();
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "self-handoff");
    assert_eq!(d["line"], 21);
    let help = d["help"].as_str().unwrap();
    assert!(help.contains("`-> log`"), "{help}");
    assert!(help.contains("`-> end`"), "{help}");
}
