//! Snapshots of the diagnostics every fixture produces, in the human format
//! (no colour, fixed width) and in the short format, plus the fixture
//! contract: one fixture per diagnostic code, and valid files check clean.
//!
//! All checks run with `--today 2026-11-23` and paths relative to the crate
//! root (cargo runs integration tests there), so the output is stable.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test --test it snapshots`
//! and read every changed `.snap` file before keeping it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sop::check::CheckedFile;
use sop::report::{render, Format, Style};
use sop::values::Date;
use sop::workspace::Workspace;

use crate::support::sop_files;

const DIAGNOSTICS: &str = "tests/fixtures/diagnostics";
const PROJECT: &str = "tests/fixtures/diagnostics/project";

fn today() -> Date {
    Date::parse("2026-11-23").expect("a valid date")
}

const STYLE: Style = Style {
    color: false,
    width: 80,
};

/// Checks one path (file or directory) the way `sop check --today 2026-11-23
/// PATH` does.
fn check(path: impl AsRef<Path>) -> Vec<CheckedFile> {
    let path = path.as_ref().to_path_buf();
    match Workspace::discover(std::slice::from_ref(&path)).and_then(|ws| ws.check(today())) {
        Ok(run) => run.files,
        Err(e) => panic!("checking {}: {e}", path.display()),
    }
}

/// Every diagnostics fixture, as a path relative to the crate root.
fn all_fixtures() -> Vec<PathBuf> {
    let mut files = sop_files(DIAGNOSTICS);
    files.extend(sop_files(PROJECT));
    files
}

/// The snapshot name of a fixture: its path under `diagnostics/`, with `/`
/// turned into `-`.
fn snapshot_name(path: &Path) -> String {
    let rel = path.strip_prefix(DIAGNOSTICS).unwrap_or(path);
    let stem = rel.with_extension("");
    let name = stem
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("-");
    format!("human-{name}")
}

/// Renders one fixture's diagnostics in the human format and snapshots them.
fn human_snapshot(file: &str) {
    let path = Path::new(DIAGNOSTICS).join(file);
    assert!(path.is_file(), "{} does not exist", path.display());
    let files = check(&path);
    assert_eq!(files.len(), 1, "{}", path.display());
    let text = render(Format::Human, &files, STYLE);
    insta::with_settings!({
        description => format!("sop check --today 2026-11-23 {}", path.display()),
        omit_expression => true,
        prepend_module_to_snapshot => true,
    }, {
        insta::assert_snapshot!(snapshot_name(&path), text);
    });
}

/// One test per fixture, so a single snapshot can be ignored on its own; the
/// list is checked against the directory by `every_fixture_has_a_snapshot`.
macro_rules! human_snapshots {
    ($($(#[$attr:meta])* $test:ident => $file:literal,)*) => {
        $(
            #[test]
            $(#[$attr])*
            fn $test() {
                human_snapshot($file);
            }
        )*

        const SNAPSHOTTED: &[&str] = &[$($file),*];
    };
}

human_snapshots! {
    human_broken_keywords => "broken-keywords.sop",
    human_duplicate_key => "duplicate-key.sop",
    human_duplicate_section => "duplicate-section.sop",
    human_duplicate_sop_id => "duplicate-sop-id.sop",
    human_duplicate_step_id => "duplicate-step-id.sop",
    human_five_errors => "five-errors.sop",
    human_future_revision => "future-revision.sop",
    human_invalid_date => "invalid-date.sop",
    human_invalid_duration => "invalid-duration.sop",
    human_invalid_encoding_nul => "invalid-encoding-nul.sop",
    human_invalid_encoding => "invalid-encoding.sop",
    human_invalid_version => "invalid-version.sop",
    human_missing_header => "missing-header.sop",
    human_missing_purpose => "missing-purpose.sop",
    human_missing_revisions => "missing-revisions.sop",
    human_missing_scope => "missing-scope.sop",
    human_missing_step_colon => "missing-step-colon.sop",
    human_missing_steps => "missing-steps.sop",
    human_no_path_to_end => "no-path-to-end.sop",
    human_revision_order => "revision-order.sop",
    human_self_handoff => "self-handoff.sop",
    human_single_option => "single-option.sop",
    human_split_paragraph => "split-paragraph.sop",
    human_stale_review => "stale-review.sop",
    human_steps_in_lists => "steps-in-lists.sop",
    human_suspicious_branch => "suspicious-branch.sop",
    human_syntax => "syntax.sop",
    human_timeout_without_limit => "timeout-without-limit.sop",
    human_sla_exceeded => "sla-exceeded.sop",
    human_undeclared_role => "undeclared-role.sop",
    human_unknown_key => "unknown-key.sop",
    human_unknown_section => "unknown-section.sop",
    human_unknown_sop => "unknown-sop.sop",
    human_unknown_target => "unknown-target.sop",
    human_unreachable_step => "unreachable-step.sop",
    human_unused_role => "unused-role.sop",
    human_version_mismatch => "version-mismatch.sop",
    human_project_a => "project/a.sop",
    human_project_b => "project/b.sop",
    human_project_c => "project/c.sop",
}

#[test]
fn every_fixture_has_a_snapshot() {
    let on_disk: BTreeSet<String> = all_fixtures()
        .iter()
        .map(|p| {
            p.strip_prefix(DIAGNOSTICS)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let listed: BTreeSet<String> = SNAPSHOTTED.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        on_disk, listed,
        "the human_snapshots! list must name every fixture in {DIAGNOSTICS}"
    );
}

/// The short format of every fixture, each checked on its own, in one run's
/// output.
#[test]
fn short_format_of_all_fixtures() {
    let files: Vec<CheckedFile> = all_fixtures().iter().flat_map(check).collect();
    let text = render(Format::Short, &files, STYLE);
    insta::with_settings!({
        description => "sop check --format short --today 2026-11-23 FIXTURE, for every fixture",
        omit_expression => true,
    }, {
        insta::assert_snapshot!("short-all-fixtures", text);
    });
}

/// The codes and 1-based lines of a checked file's diagnostics, sorted.
fn codes_and_lines(file: &CheckedFile) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = file
        .diagnostics
        .iter()
        .map(|d| (d.code.to_string(), file.source.line_col(d.span().start).0))
        .collect();
    out.sort();
    out
}

/// The rule that reads git history: a file alone cannot trigger it, so its
/// cases are repositories built by tests/it/diff_git.rs.
const HISTORY_RULE: &str = "unrecorded-change";

#[test]
fn every_rule_has_a_fixture_that_triggers_it() {
    let mut problems = Vec::new();
    for rule in sop::rules::RULES {
        if rule.code == HISTORY_RULE {
            continue;
        }
        let fixture = Path::new(DIAGNOSTICS).join(format!("{}.sop", rule.code));
        if !fixture.is_file() {
            problems.push(format!("{}: no fixture {}", rule.code, fixture.display()));
            continue;
        }
        // duplicate-sop-id needs a second file: the project/ fixtures.
        let files = if rule.code == "duplicate-sop-id" {
            check(PROJECT)
        } else {
            check(&fixture)
        };
        let hits = files
            .iter()
            .flat_map(|f| &f.diagnostics)
            .filter(|d| d.code == rule.code)
            .count();
        if hits == 0 {
            let got: Vec<_> = files.iter().map(codes_and_lines).collect();
            problems.push(format!(
                "{}: checking {} reports no `{}` diagnostic (got {got:?})",
                rule.code,
                if rule.code == "duplicate-sop-id" {
                    PROJECT.to_string()
                } else {
                    fixture.display().to_string()
                },
                rule.code
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_code_fixture_triggers_only_its_code() {
    let mut problems = Vec::new();
    for rule in sop::rules::RULES {
        let fixture = Path::new(DIAGNOSTICS).join(format!("{}.sop", rule.code));
        if !fixture.is_file() {
            continue; // reported by every_rule_has_a_fixture_that_triggers_it
        }
        for file in check(&fixture) {
            for (code, line) in codes_and_lines(&file) {
                if code != rule.code {
                    problems.push(format!("{}:{line}: unexpected `{code}`", fixture.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The table "Expected diagnostics" of tests/fixtures/README.md.
#[test]
fn fixtures_report_the_expected_codes_on_the_expected_lines() {
    let expected: &[(&str, &[(&str, usize)])] = &[
        ("syntax.sop", &[("syntax", 20)]),
        ("invalid-encoding.sop", &[("invalid-encoding", 16)]),
        ("invalid-encoding-nul.sop", &[("invalid-encoding", 16)]),
        ("missing-header.sop", &[("missing-header", 2)]),
        ("unknown-key.sop", &[("unknown-key", 4)]),
        ("duplicate-key.sop", &[("duplicate-key", 6)]),
        ("duplicate-section.sop", &[("duplicate-section", 14)]),
        ("duplicate-step-id.sop", &[("duplicate-step-id", 24)]),
        ("missing-purpose.sop", &[("missing-purpose", 2)]),
        ("missing-scope.sop", &[("missing-scope", 11)]),
        ("missing-steps.sop", &[("missing-steps", 2)]),
        ("unknown-target.sop", &[("unknown-target", 24)]),
        (
            "suspicious-branch.sop",
            &[("suspicious-branch", 20), ("suspicious-branch", 26)],
        ),
        ("self-handoff.sop", &[("self-handoff", 21)]),
        ("unreachable-step.sop", &[("unreachable-step", 19)]),
        ("no-path-to-end.sop", &[("no-path-to-end", 23)]),
        ("invalid-date.sop", &[("invalid-date", 6)]),
        ("invalid-duration.sop", &[("invalid-duration", 16)]),
        ("invalid-version.sop", &[("invalid-version", 3)]),
        ("stale-review.sop", &[("stale-review", 6)]),
        ("revision-order.sop", &[("revision-order", 24)]),
        ("version-mismatch.sop", &[("version-mismatch", 3)]),
        ("future-revision.sop", &[("future-revision", 23)]),
        ("missing-revisions.sop", &[("missing-revisions", 2)]),
        ("undeclared-role.sop", &[("undeclared-role", 24)]),
        ("unused-role.sop", &[("unused-role", 17)]),
        ("single-option.sop", &[("single-option", 20)]),
        ("unknown-sop.sop", &[("unknown-sop", 20)]),
        ("duplicate-sop-id.sop", &[]),
        ("project/a.sop", &[("unknown-sop", 23)]),
        ("project/b.sop", &[("duplicate-sop-id", 2)]),
        ("project/c.sop", &[("duplicate-sop-id", 2)]),
        (
            "five-errors.sop",
            &[
                ("invalid-date", 9),
                ("invalid-duration", 20),
                ("syntax", 13),
                ("unknown-key", 8),
                ("unknown-target", 29),
            ],
        ),
        (
            "broken-keywords.sop",
            // 23, 25, 27 and 33 are the broken branches docs/language.md
            // ("Broken branches") chooses to flag; 29 and 31 read as
            // branches (`suspicious-branch`); the other `[prose?]` lines
            // stay prose.
            &[
                ("syntax", 23),
                ("syntax", 25),
                ("syntax", 27),
                ("suspicious-branch", 29),
                ("suspicious-branch", 31),
                ("syntax", 33),
                ("syntax", 42),
                ("syntax", 44),
                ("syntax", 53),
                ("syntax", 57),
            ],
        ),
    ];
    let mut problems = Vec::new();
    for (file, want) in expected {
        let path = Path::new(DIAGNOSTICS).join(file);
        let files = check(&path);
        assert_eq!(files.len(), 1, "{}", path.display());
        let got = codes_and_lines(&files[0]);
        let mut want: Vec<(String, usize)> =
            want.iter().map(|(c, l)| (c.to_string(), *l)).collect();
        want.sort();
        if got != want {
            problems.push(format!(
                "{}: expected {want:?}, got {got:?}",
                path.display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The byte offsets the README gives for the encoding fixtures appear in the
/// messages.
#[test]
fn invalid_encoding_reports_the_byte_offset() {
    for (file, offset) in [
        ("invalid-encoding.sop", 419),
        ("invalid-encoding-nul.sop", 412),
    ] {
        let files = check(Path::new(DIAGNOSTICS).join(file));
        let d = files[0]
            .diagnostics
            .iter()
            .find(|d| d.code == "invalid-encoding")
            .unwrap_or_else(|| panic!("{file}: no invalid-encoding"));
        assert!(
            d.message.contains(&offset.to_string()),
            "{file}: message {:?} lacks byte offset {offset}",
            d.message
        );
        let (line, column) = files[0].source.line_col(d.span().start);
        assert_eq!((line, column), (16, 47), "{file}");
    }
}

fn assert_clean(dir: &str) {
    let expected = sop_files(dir);
    let files = check(dir);
    let checked: Vec<&Path> = files.iter().map(|f| f.path.as_path()).collect();
    assert_eq!(
        checked,
        expected.iter().map(PathBuf::as_path).collect::<Vec<_>>(),
        "checking {dir} must check exactly its .sop files"
    );
    assert!(
        files.iter().all(|f| f.diagnostics.is_empty()),
        "{dir} must check clean:\n{}",
        render(Format::Human, &files, STYLE)
    );
    // Each file on its own as well (as a pre-commit hook would pass it).
    for path in expected {
        let files = check(&path);
        assert_eq!(files.len(), 1);
        assert!(
            files[0].diagnostics.is_empty(),
            "{}:\n{}",
            path.display(),
            render(Format::Short, &files, STYLE)
        );
    }
}

#[test]
fn valid_fixtures_check_clean() {
    assert_clean("tests/fixtures/valid");
}

#[test]
fn examples_check_clean() {
    assert_clean("examples");
}
