//! The command line as users and CI run it: `sop check`, `sop explain` and
//! `sop parse`, exercised through the real binary.
//!
//! Every fixture is written at run time into a temporary directory under the
//! system's temp dir (outside any git work tree), and every check passes
//! `--today 2026-11-23`, so the results do not depend on the machine's date.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use tempfile::TempDir;

use crate::support::{sop, Sop};

/// The date every check is judged against, unless a test says otherwise.
const TODAY: &str = "2026-11-23";

/// Every diagnostic code of the contract's table, with its default severity.
const CODES: [(&str, &str); 33] = [
    ("syntax", "error"),
    ("invalid-encoding", "error"),
    ("missing-header", "error"),
    ("unknown-key", "error"),
    ("unknown-section", "error"),
    ("duplicate-key", "error"),
    ("duplicate-section", "error"),
    ("duplicate-step-id", "error"),
    ("missing-purpose", "error"),
    ("missing-scope", "error"),
    ("missing-steps", "error"),
    ("unknown-target", "error"),
    ("suspicious-branch", "error"),
    ("self-handoff", "error"),
    ("unreachable-step", "error"),
    ("no-path-to-end", "error"),
    ("timeout-without-limit", "error"),
    ("sla-exceeded", "warning"),
    ("invalid-date", "error"),
    ("invalid-duration", "error"),
    ("invalid-version", "error"),
    ("stale-review", "warning"),
    ("revision-order", "warning"),
    ("version-mismatch", "warning"),
    ("future-revision", "warning"),
    ("missing-revisions", "warning"),
    ("unrecorded-change", "warning"),
    ("undeclared-role", "warning"),
    ("unused-role", "warning"),
    ("single-option", "warning"),
    ("split-paragraph", "warning"),
    ("unknown-sop", "error"),
    ("duplicate-sop-id", "error"),
];

// ---------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------

/// `sop check --today 2026-11-23 ARGS...`
fn check(args: &[&str]) -> Sop {
    let mut all = vec!["check", "--today", TODAY];
    all.extend_from_slice(args);
    sop(&all)
}

/// The diagnostics of a `--format json` run.
fn diagnostics(json: &Value) -> &Vec<Value> {
    json["diagnostics"].as_array().expect("`diagnostics` array")
}

/// The codes of a `--format json` run, in output order.
fn codes(json: &Value) -> Vec<String> {
    diagnostics(json)
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// The diagnostics of a `--format json` run with `code`.
fn with_code<'j>(json: &'j Value, code: &str) -> Vec<&'j Value> {
    diagnostics(json)
        .iter()
        .filter(|d| d["code"] == code)
        .collect()
}

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

/// A fresh directory under the system temp dir.
fn tempdir() -> TempDir {
    tempfile::Builder::new()
        .prefix("sop-cli-")
        .tempdir_in(std::env::temp_dir())
        .expect("a temporary directory")
}

/// Whether `dir` lies outside any git work tree or `sop.yaml` project, as
/// the "outside git" scenarios need. Prints a note when it does not.
fn outside_projects(dir: &Path) -> bool {
    let dir = dir.canonicalize().unwrap();
    for ancestor in dir.ancestors().skip(1) {
        if ancestor.join(".git").exists() || ancestor.join("sop.yaml").is_file() {
            eprintln!(
                "note: skipping an outside-git scenario: {} holds .git or sop.yaml",
                ancestor.display()
            );
            return false;
        }
    }
    true
}

/// Runs `git init -q` in `dir`; false (with a printed note) when git is
/// unavailable.
fn git_init(dir: &Path) -> bool {
    match Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(status) if status.success() => true,
        Ok(status) => {
            eprintln!("note: `git init` failed ({status}); skipping the git scenario");
            false
        }
        Err(e) => {
            eprintln!("note: git is unavailable ({e}); skipping the git scenario");
            false
        }
    }
}

/// Writes `contents` to `dir/rel`, creating the parent directories.
fn write(dir: &Path, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, contents).unwrap();
    path
}

/// A complete SOP with `steps` (the lines under `steps:`), clean on TODAY
/// when the steps are.
fn sop_with_steps(id: &str, steps: &str) -> String {
    format!(
        "sop {id}: Procedure {id}\n\
         version: 1.0\n\
         owner: Operations Lead\n\
         \n\
         purpose: Say why the procedure exists.\n\
         \n\
         scope: Everyone on the team.\n\
         \n\
         steps:\n\
         {steps}\
         \n\
         revisions:\n  \
         1.0 2026-10-01 Peter Wu: Created\n"
    )
}

/// A clean SOP with one step.
fn clean_sop(id: &str) -> String {
    sop_with_steps(id, "  step only: Do the work\n    -> end\n")
}

/// A clean SOP whose only step hands off to `[[target]]`.
fn handoff_sop(id: &str, target: &str) -> String {
    sop_with_steps(
        id,
        &format!("  step pass: Hand over\n    -> [[{target}]]\n"),
    )
}

/// One error (unknown-target).
fn error_sop(id: &str) -> String {
    sop_with_steps(
        id,
        "  step first: Start\n    ask: Ready?\n    if yes -> secnd\n    otherwise -> second\n  \
         step second: Finish\n    -> end\n",
    )
}

/// A decision with one `if` and no default: a single-option warning only.
fn single_option_sop(id: &str) -> String {
    sop_with_steps(
        id,
        "  step ask: Ask\n    ask: Is it urgent?\n    if yes -> done\n  step done: Done\n    -> end\n",
    )
}

/// A declared role no step uses: an unused-role warning only.
fn unused_role_sop(id: &str) -> String {
    format!(
        "sop {id}: Roles\nversion: 1.0\nowner: Lead\n\npurpose: p\n\nscope: s\n\n\
         roles:\n  agent: Agent\n  lead: Shift lead\n\n\
         steps:\n  step one: Work\n    role: agent\n    -> end\n\n\
         revisions:\n  1.0 2026-10-01 Peter Wu: Created\n"
    )
}

/// Exactly one error (invalid-duration) and one warning (single-option).
fn one_error_one_warning_sop(id: &str) -> String {
    sop_with_steps(
        id,
        "  step ask: Ask\n    within: forever\n    ask: Is it urgent?\n    if yes -> done\n  \
         step done: Done\n    -> end\n",
    )
}

/// Chinese text before the error span on the same line: `不存在` is an
/// unknown target at line 13, character column 16 (byte column 24).
const CHINESE: &str = "\
sop 中文-1: 客户咨询
version: 1.0
owner: 王芳

purpose：规范客户咨询的处理。

scope: 全体客服人员。

steps:
  step 问候: 问候客户
    ask: 客户同意吗？
    otherwise -> 结束
    if 客户同意 -> 不存在
  step 结束: 完成
    -> end

revisions:
  1.0 2026-10-01 王芳: 创建
";

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn count_sop_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sop")
        })
        .count()
}

// ---------------------------------------------------------------------------
// Exit codes
// ---------------------------------------------------------------------------

#[test]
fn examples_are_clean() {
    let n = count_sop_files(&examples_dir());
    assert!(n > 0);
    let out = check(&["examples"]).run();
    out.code(0);
    assert_eq!(
        out.last_line(),
        format!("Checked {n} files: 0 errors, 0 warnings.")
    );
    check(&["examples", "--deny-warnings"]).run().code(0);
    let json = check(&["examples", "--format", "json"]).run();
    json.code(0);
    let json = json.json();
    assert_eq!(json["files"], n);
    assert_eq!(json["errors"], 0);
    assert_eq!(json["warnings"], 0);
    assert_eq!(diagnostics(&json).len(), 0);
}

#[test]
fn check_defaults_to_the_current_directory() {
    let out = check(&[]).current_dir(examples_dir()).run();
    out.code(0);
    let n = count_sop_files(&examples_dir());
    assert_eq!(
        out.last_line(),
        format!("Checked {n} files: 0 errors, 0 warnings.")
    );
}

#[test]
fn an_error_exits_1() {
    let dir = tempdir();
    write(dir.path(), "bad.sop", error_sop("BAD-1"));
    let out = check(&["bad.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(1);
    assert_eq!(codes(&out.json()), ["unknown-target"]);
    // Every format exits the same way.
    for format in ["human", "short", "json", "sarif", "github"] {
        check(&["bad.sop", "--format", format])
            .current_dir(&dir)
            .run()
            .code(1);
    }
}

#[test]
fn warnings_exit_1_only_under_deny_warnings() {
    let dir = tempdir();
    write(dir.path(), "warn.sop", single_option_sop("WARN-1"));
    let out = check(&["warn.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(0);
    let json = out.json();
    assert_eq!(codes(&json), ["single-option"]);
    assert_eq!(json["errors"], 0);
    assert_eq!(json["warnings"], 1);
    for format in ["human", "short", "json", "sarif", "github"] {
        check(&["warn.sop", "--format", format])
            .current_dir(&dir)
            .run()
            .code(0);
        check(&["warn.sop", "--format", format, "--deny-warnings"])
            .current_dir(&dir)
            .run()
            .code(1);
    }
    // A clean file stays clean under --deny-warnings.
    write(dir.path(), "clean.sop", clean_sop("CLEAN-1"));
    check(&["clean.sop", "--deny-warnings"])
        .current_dir(&dir)
        .run()
        .code(0);
}

#[test]
fn a_missing_path_exits_2_and_names_it() {
    let dir = tempdir();
    write(dir.path(), "a.sop", clean_sop("A-1"));
    for args in [
        vec!["no-such-file.sop"],
        vec!["a.sop", "no-such-file.sop"],
        vec!["no-such-dir/no-such-file.sop"],
    ] {
        let out = check(&args).current_dir(&dir).run();
        out.code(2);
        assert!(
            out.stderr.contains("no-such-file.sop"),
            "stderr does not name the path: {}",
            out.stderr
        );
    }
    let out = sop(&["parse", "no-such-file.sop"]).current_dir(&dir).run();
    out.code(2);
    assert!(out.stderr.contains("no-such-file.sop"), "{}", out.stderr);
}

#[test]
fn a_bad_today_exits_2() {
    for bad in [
        "2026-13-01",
        "2026-02-30",
        "23.11.2026",
        "tomorrow",
        "2026-11",
        "",
    ] {
        let out = sop(&["check", "examples", "--today", bad]).run();
        out.code(2);
        assert!(
            out.stderr.contains("--today") || out.stderr.contains(bad),
            "--today {bad:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn an_unknown_format_exits_2() {
    let out = check(&["examples", "--format", "xml"]).run();
    out.code(2);
    assert!(out.stderr.contains("xml"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

#[test]
fn an_unknown_option_exits_2() {
    check(&["examples", "--no-such-flag"]).run().code(2);
    sop(&["no-such-command"]).run().code(2);
}

#[test]
fn a_malformed_config_exits_2_and_names_file_and_line() {
    let cases: &[(&str, usize)] = &[
        // Not YAML at all.
        ("review: every year\nrules: [\n", 2),
        // An unknown severity.
        (
            "review: every 6 months\nrules:\n  unused-role: sometimes\n",
            3,
        ),
        // An unknown rule.
        ("exclude:\n  - archive/\nrules:\n  unusd-role: off\n", 4),
        // A review cadence that does not parse.
        ("# settings\nreview: often\n", 2),
        // An unknown top-level key.
        ("review: every year\ncolour: blue\n", 2),
        // Bad indentation.
        ("review: every year\nexclude:\n  - a\n - b\n", 4),
    ];
    for (yaml, line) in cases {
        let dir = tempdir();
        write(dir.path(), "sop.yaml", yaml);
        write(dir.path(), "a.sop", clean_sop("A-1"));
        for args in [vec!["a.sop"], vec![]] {
            let out = check(&args).current_dir(&dir).run();
            out.code(2);
            assert!(
                out.stderr.contains("sop.yaml"),
                "{yaml:?}: stderr does not name sop.yaml: {}",
                out.stderr
            );
            assert!(
                out.stderr.contains(&format!("sop.yaml:{line}"))
                    || out.stderr.contains(&format!("line {line}")),
                "{yaml:?}: stderr does not name line {line}: {}",
                out.stderr
            );
        }
    }
    // The unknown rule gets a suggestion.
    let dir = tempdir();
    write(dir.path(), "sop.yaml", "rules:\n  unusd-role: off\n");
    write(dir.path(), "a.sop", clean_sop("A-1"));
    let out = check(&["a.sop"]).current_dir(&dir).run();
    out.code(2);
    assert!(out.stderr.contains("unused-role"), "{}", out.stderr);
}

#[test]
fn an_empty_or_comment_only_config_is_the_defaults() {
    for yaml in ["", "# the project root\n"] {
        let dir = tempdir();
        write(dir.path(), "sop.yaml", yaml);
        write(dir.path(), "a.sop", clean_sop("A-1"));
        check(&["a.sop"]).current_dir(&dir).run().code(0);
    }
}

// ---------------------------------------------------------------------------
// Output formats
// ---------------------------------------------------------------------------

const DIAGNOSTIC_KEYS: [&str; 9] = [
    "file",
    "line",
    "column",
    "end_line",
    "end_column",
    "severity",
    "code",
    "message",
    "help",
];

#[test]
fn json_format_shape_and_positions() {
    let dir = tempdir();
    write(
        dir.path(),
        "mixed.sop",
        one_error_one_warning_sop("MIXED-1"),
    );
    write(dir.path(), "sub/zh.sop", CHINESE);
    write(dir.path(), "sub/clean.sop", clean_sop("CLEAN-1"));
    let out = check(&["--format", "json"]).current_dir(&dir).run();
    out.code(1);
    let json = out.json();
    let object = json.as_object().unwrap();
    for key in ["files", "errors", "warnings", "diagnostics"] {
        assert!(object.contains_key(key), "no `{key}` in {json}");
    }
    assert_eq!(json["files"], 3);
    assert_eq!(json["errors"], 2);
    assert_eq!(json["warnings"], 1);
    for d in diagnostics(&json) {
        let d = d.as_object().unwrap();
        for key in DIAGNOSTIC_KEYS {
            assert!(d.contains_key(key), "no `{key}` in {d:?}");
        }
        for key in ["line", "column", "end_line", "end_column"] {
            assert!(d[key].as_u64().unwrap() >= 1, "{key} is 1-based: {d:?}");
        }
        assert!(
            (d["line"].as_u64(), d["column"].as_u64())
                <= (d["end_line"].as_u64(), d["end_column"].as_u64()),
            "the span ends before it starts: {d:?}"
        );
        assert!(matches!(d["severity"].as_str(), Some("error" | "warning")));
        assert!(CODES.iter().any(|(c, _)| d["code"] == *c), "{d:?}");
        assert!(!d["message"].as_str().unwrap().is_empty());
        assert!(d["help"].is_string() || d["help"].is_null());
    }

    // 1-based lines and columns in ASCII text: `    within: forever` is line 11.
    let duration = with_code(&json, "invalid-duration");
    assert_eq!(duration.len(), 1);
    let d = duration[0];
    assert_eq!(d["file"], "mixed.sop");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        (&d["line"], &d["column"], &d["end_line"], &d["end_column"]),
        (&11.into(), &13.into(), &11.into(), &20.into())
    );
    assert!(d["message"].as_str().unwrap().contains("forever"));
    let option = with_code(&json, "single-option");
    assert_eq!(option.len(), 1);
    assert_eq!(option[0]["severity"], "warning");
    assert_eq!(
        option[0]["line"], 13,
        "single-option points at the `if` line"
    );
    assert_eq!(option[0]["column"], 5);

    // Columns count characters, not bytes.
    let target = with_code(&json, "unknown-target");
    assert_eq!(target.len(), 1);
    let d = target[0];
    assert_eq!(d["file"], "sub/zh.sop");
    assert_eq!(
        (&d["line"], &d["column"], &d["end_line"], &d["end_column"]),
        (&13.into(), &16.into(), &13.into(), &19.into()),
        "{d}"
    );
    assert!(d["message"].as_str().unwrap().contains("不存在"));
}

#[test]
fn json_help_is_null_or_text_and_the_output_is_deterministic() {
    let first = check(&["examples", "--format", "json"]).run();
    let second = check(&["examples", "--format", "json"]).run();
    assert_eq!(first.stdout, second.stdout);
    let dir = tempdir();
    write(dir.path(), "bad.sop", error_sop("BAD-1"));
    let a = check(&["--format", "sarif"]).current_dir(&dir).run();
    let b = check(&["--format", "sarif"]).current_dir(&dir).run();
    assert_eq!(a.stdout, b.stdout);
    let json = check(&["--format", "json"]).current_dir(&dir).run().json();
    let help = &diagnostics(&json)[0]["help"];
    assert!(
        help.as_str().unwrap().contains("second"),
        "unknown-target's help names the existing ids: {help}"
    );
}

/// The codes `sop explain --list` prints, in order.
fn listed_codes() -> Vec<String> {
    let out = sop(&["explain", "--list"]).run();
    out.code(0);
    out.stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

#[test]
fn sarif_format() {
    let dir = tempdir();
    write(
        dir.path(),
        "mixed.sop",
        one_error_one_warning_sop("MIXED-1"),
    );
    write(dir.path(), "sub/zh.sop", CHINESE);
    let out = check(&["--format", "sarif"]).current_dir(&dir).run();
    out.code(1);
    let sarif = out.json();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["$schema"].as_str().unwrap().contains("sarif"),
        "{}",
        sarif["$schema"]
    );
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["tool"]["driver"]["name"], "sop");
    assert_eq!(run["columnKind"], "unicodeCodePoints");

    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for code in listed_codes() {
        assert!(rule_ids.contains(&code.as_str()), "no SARIF rule {code}");
    }
    for (code, _) in CODES {
        assert!(rule_ids.contains(&code), "no SARIF rule {code}");
    }

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert!(rule_ids.contains(&id), "ruleId {id} is not a rule");
        assert_eq!(rule_ids[index], id, "ruleIndex of {id}");
        assert!(matches!(
            result["level"].as_str(),
            Some("error" | "warning")
        ));
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let locations = result["locations"].as_array().unwrap();
        assert!(!locations.is_empty());
        for location in locations {
            let physical = &location["physicalLocation"];
            assert!(physical["artifactLocation"]["uri"].is_string());
            let region = &physical["region"];
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[key].as_u64().unwrap() >= 1, "{key}: {region}");
            }
        }
    }
    let find = |id: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == id)
            .unwrap_or_else(|| panic!("no {id} result"))
    };
    let target = find("unknown-target");
    assert_eq!(target["level"], "error");
    let physical = &target["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "sub/zh.sop");
    let region = &physical["region"];
    assert_eq!(region["startLine"], 13);
    assert_eq!(region["startColumn"], 16);
    assert_eq!(region["endLine"], 13);
    assert_eq!(region["endColumn"], 19);
    assert_eq!(find("single-option")["level"], "warning");
    assert_eq!(find("invalid-duration")["level"], "error");
    assert_eq!(
        find("invalid-duration")["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "mixed.sop"
    );

    // A clean run is a valid log with no results.
    let clean = check(&["examples", "--format", "sarif"]).run();
    clean.code(0);
    let clean = clean.json();
    assert_eq!(clean["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn sarif_rules_match_explain_list() {
    let listed = listed_codes();
    let expected: Vec<&str> = CODES.iter().map(|(c, _)| *c).collect();
    let mut sorted_listed: Vec<&str> = listed.iter().map(String::as_str).collect();
    sorted_listed.sort_unstable();
    let mut sorted_expected = expected.clone();
    sorted_expected.sort_unstable();
    assert_eq!(sorted_listed, sorted_expected);
}

#[test]
fn short_format_lines() {
    let dir = tempdir();
    write(
        dir.path(),
        "mixed.sop",
        one_error_one_warning_sop("MIXED-1"),
    );
    write(dir.path(), "sub/zh.sop", CHINESE);
    let out = check(&["--format", "short"]).current_dir(&dir).run();
    out.code(1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "mixed.sop:11:13: error[invalid-duration]: `forever` is not a duration",
            "mixed.sop:13:5: warning[single-option]: this decision has a single option",
            "sub/zh.sop:13:16: error[unknown-target]: no step has the id `不存在`",
            "Checked 2 files: 2 errors, 1 warning.",
        ]
    );
    // The shape holds for every diagnostic of a larger run, too.
    let out = check(&["--format", "short"]).current_dir(&dir).run();
    for line in out.stdout.lines().filter(|l| !l.starts_with("Checked ")) {
        let mut parts = line.splitn(4, ':');
        let (file, l, c, rest) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        assert!(file.ends_with(".sop"), "{line}");
        assert!(l.parse::<usize>().unwrap() >= 1, "{line}");
        assert!(c.parse::<usize>().unwrap() >= 1, "{line}");
        assert!(
            rest.starts_with(" error[") || rest.starts_with(" warning["),
            "{line}"
        );
        assert!(rest.contains("]: "), "{line}");
    }
}

#[test]
fn github_format_lines() {
    let dir = tempdir();
    write(dir.path(), "sub/zh.sop", CHINESE);
    write(dir.path(), "warn.sop", single_option_sop("WARN-1"));
    let out = check(&["--format", "github"]).current_dir(&dir).run();
    out.code(1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    let error = lines
        .iter()
        .find(|l| l.starts_with("::error "))
        .expect("an error annotation");
    assert!(
        error.starts_with("::error file=sub/zh.sop,line=13,col=16,endLine=13,endColumn=19,title="),
        "{error}"
    );
    let (properties, message) = error.split_once("::").unwrap().1.split_once("::").unwrap();
    assert!(properties.contains("unknown-target"), "{properties}");
    assert!(
        message.starts_with("no step has the id `不存在`"),
        "{message}"
    );
    // The message and its help are one line: newlines escaped as %0A.
    assert!(message.contains("%0A"), "{message}");
    let warning = lines
        .iter()
        .find(|l| l.starts_with("::warning "))
        .expect("a warning annotation");
    assert!(
        warning.starts_with("::warning file=warn.sop,line="),
        "{warning}"
    );
    assert!(warning.contains(",title="), "{warning}");
    assert!(warning.contains("single-option"), "{warning}");
    assert_eq!(lines[2], "Checked 2 files: 1 error, 1 warning.");

    // Property values escape `,` and `:`; messages escape `%`.
    let dir = tempdir();
    write(dir.path(), "a,b.sop", error_sop("COMMA-1"));
    let out = check(&["--format", "github"]).current_dir(&dir).run();
    out.code(1);
    let first = out.stdout.lines().next().unwrap();
    assert!(first.starts_with("::error file=a%2Cb.sop,line="), "{first}");
}

#[test]
fn human_format_colour() {
    let dir = tempdir();
    write(dir.path(), "sub/zh.sop", CHINESE);
    let plain = check(&[]).current_dir(&dir).env("NO_COLOR", "1").run();
    plain.code(1);
    assert!(!plain.stdout.contains('\x1b'), "{:?}", plain.stdout);
    assert!(!plain.stderr.contains('\x1b'), "{:?}", plain.stderr);
    assert!(plain.stdout.contains("unknown-target"), "{}", plain.stdout);
    assert!(plain.stdout.contains("zh.sop"), "{}", plain.stdout);
    assert!(plain.stdout.contains("不存在"), "{}", plain.stdout);
    assert_eq!(plain.last_line(), "Checked 1 file: 1 error, 0 warnings.");
    // Not a terminal: no colour by default either, and never with `never`.
    for args in [vec![], vec!["--color", "never"], vec!["--format", "human"]] {
        let out = check(&args).current_dir(&dir).run();
        out.code(1);
        assert!(!out.stdout.contains('\x1b'), "{args:?}: {:?}", out.stdout);
    }
    let coloured = check(&["--color", "always"]).current_dir(&dir).run();
    coloured.code(1);
    assert!(coloured.stdout.contains('\x1b'), "{:?}", coloured.stdout);
    assert!(coloured.stdout.contains("unknown-target"));
}

#[test]
fn summary_line_singular_and_plural() {
    let dir = tempdir();
    write(dir.path(), "one/a.sop", one_error_one_warning_sop("ONE-1"));
    write(dir.path(), "two/a.sop", one_error_one_warning_sop("TWO-1"));
    write(dir.path(), "two/b.sop", one_error_one_warning_sop("TWO-2"));
    write(dir.path(), "clean/a.sop", clean_sop("CLEAN-1"));
    let cases = [
        ("one", "Checked 1 file: 1 error, 1 warning."),
        ("two", "Checked 2 files: 2 errors, 2 warnings."),
        ("clean", "Checked 1 file: 0 errors, 0 warnings."),
        (".", "Checked 4 files: 3 errors, 3 warnings."),
    ];
    for (path, summary) in cases {
        for format in ["human", "short", "github"] {
            let out = check(&[path, "--format", format])
                .current_dir(&dir)
                .env("NO_COLOR", "1")
                .run();
            assert_eq!(out.last_line(), summary, "{path} --format {format}");
        }
    }
    let empty = tempdir();
    let out = check(&[]).current_dir(&empty).run();
    out.code(0);
    assert_eq!(out.last_line(), "Checked 0 files: 0 errors, 0 warnings.");
}

#[test]
fn crlf_and_bom_do_not_shift_positions() {
    let dir = tempdir();
    write(dir.path(), "lf.sop", CHINESE);
    write(dir.path(), "crlf.sop", CHINESE.replace('\n', "\r\n"));
    write(dir.path(), "bom.sop", format!("\u{feff}{CHINESE}"));
    let position = |file: &str| {
        let out = check(&[file, "--format", "json"]).current_dir(&dir).run();
        out.code(1);
        let json = out.json();
        assert_eq!(codes(&json), ["unknown-target"], "{file}: {json}");
        let d = &diagnostics(&json)[0];
        (
            d["line"].clone(),
            d["column"].clone(),
            d["end_line"].clone(),
            d["end_column"].clone(),
        )
    };
    let expected = (13.into(), 16.into(), 13.into(), 19.into());
    assert_eq!(position("lf.sop"), expected);
    assert_eq!(position("crlf.sop"), expected);
    assert_eq!(position("bom.sop"), expected);
}

#[test]
fn sarif_uris_are_uri_references() {
    let dir = tempdir();
    write(dir.path(), "目录/a b.sop", error_sop("URI-1"));
    let out = check(&["--format", "sarif"]).current_dir(&dir).run();
    out.code(1);
    let sarif = out.json();
    let uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        ["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!uri.contains(' '), "{uri}");
    assert!(uri.ends_with("a%20b.sop"), "{uri}");
    assert!(uri.is_ascii(), "{uri}");
}

// ---------------------------------------------------------------------------
// Directory walks
// ---------------------------------------------------------------------------

/// a.sop, sub/b.sop, ignored/c.sop (with errors) and a `.gitignore` for
/// `ignored/`.
fn gitignore_tree(dir: &Path) {
    write(dir, "a.sop", clean_sop("A-1"));
    write(dir, "sub/b.sop", clean_sop("B-1"));
    write(dir, "ignored/c.sop", error_sop("C-1"));
    write(dir, ".gitignore", "ignored/\n");
}

fn assert_gitignore_honoured(dir: &Path) {
    let out = check(&["--format", "json"]).current_dir(dir).run();
    out.code(0);
    let json = out.json();
    assert_eq!(json["files"], 2, "{json}");
    assert_eq!(diagnostics(&json).len(), 0, "{json}");
    let short = check(&[".", "--format", "short"]).current_dir(dir).run();
    short.code(0);
    assert!(!short.stdout.contains("c.sop"), "{}", short.stdout);
    assert_eq!(short.last_line(), "Checked 2 files: 0 errors, 0 warnings.");
    // Naming the ignored file still checks it.
    check(&["ignored/c.sop"]).current_dir(dir).run().code(1);
}

#[test]
fn directory_walk_honours_gitignore_outside_git() {
    let dir = tempdir();
    if !outside_projects(dir.path()) {
        return;
    }
    gitignore_tree(dir.path());
    assert_gitignore_honoured(dir.path());
}

#[test]
fn directory_walk_honours_gitignore_inside_git() {
    let dir = tempdir();
    if !git_init(dir.path()) {
        return;
    }
    gitignore_tree(dir.path());
    assert_gitignore_honoured(dir.path());
    // A nested .gitignore too.
    write(dir.path(), "sub/skip.sop", error_sop("SKIP-1"));
    write(dir.path(), "sub/.gitignore", "skip.sop\n");
    let out = check(&["--format", "json"]).current_dir(&dir).run();
    out.code(0);
    assert_eq!(out.json()["files"], 2);
}

#[test]
fn only_sop_files_are_walked_but_a_named_file_is_checked_whatever_its_name() {
    let dir = tempdir();
    write(dir.path(), "a.sop", clean_sop("A-1"));
    write(dir.path(), "notes.txt", error_sop("TXT-1"));
    write(dir.path(), "sub/draft.sop.bak", error_sop("BAK-1"));
    write(dir.path(), "sub/README", "not an SOP at all\n");
    let out = check(&["--format", "json"]).current_dir(&dir).run();
    out.code(0);
    assert_eq!(out.json()["files"], 1);

    let out = check(&["notes.txt", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(1);
    let json = out.json();
    assert_eq!(json["files"], 1);
    assert_eq!(codes(&json), ["unknown-target"]);
    assert_eq!(diagnostics(&json)[0]["file"], "notes.txt");

    let out = check(&["sub/draft.sop.bak", "--format", "short"])
        .current_dir(&dir)
        .run();
    out.code(1);
    assert!(
        out.stdout.starts_with("sub/draft.sop.bak:"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_file_named_twice_is_checked_once() {
    let dir = tempdir();
    write(dir.path(), "a.sop", error_sop("A-1"));
    let out = check(&["a.sop", "a.sop", ".", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(1);
    let json = out.json();
    assert_eq!(json["files"], 1);
    assert_eq!(json["errors"], 1);
}

// ---------------------------------------------------------------------------
// sop.yaml
// ---------------------------------------------------------------------------

#[test]
fn exclude_patterns_apply_to_walks_and_named_files() {
    let dir = tempdir();
    write(
        dir.path(),
        "sop.yaml",
        "exclude:\n  - archive/\n  - \"*.draft.sop\"\n",
    );
    write(dir.path(), "a.sop", clean_sop("A-1"));
    write(dir.path(), "archive/old.sop", error_sop("OLD-1"));
    write(dir.path(), "team/wip.draft.sop", error_sop("WIP-1"));
    write(dir.path(), "team/b.sop", clean_sop("B-1"));

    let out = check(&["--format", "json"]).current_dir(&dir).run();
    out.code(0);
    let json = out.json();
    assert_eq!(json["files"], 2, "{json}");

    for args in [
        vec!["archive/old.sop"],
        vec!["archive"],
        vec!["team/wip.draft.sop"],
        vec!["team"],
        vec!["a.sop", "archive/old.sop", "team/wip.draft.sop"],
    ] {
        let mut all = args.clone();
        all.extend(["--format", "json"]);
        let out = check(&all).current_dir(&dir).run();
        out.code(0);
        let json = out.json();
        assert_eq!(json["errors"], 0, "{args:?}: {json}");
        assert!(
            diagnostics(&json).is_empty(),
            "{args:?}: excluded files were checked: {json}"
        );
    }
    let out = check(&["archive/old.sop"]).current_dir(&dir).run();
    assert_eq!(out.last_line(), "Checked 0 files: 0 errors, 0 warnings.");

    // Excludes are relative to sop.yaml, also from a subdirectory.
    let out = check(&["../archive/old.sop", "--format", "json"])
        .current_dir(dir.path().join("team"))
        .run();
    out.code(0);
    assert_eq!(out.json()["files"], 0);
}

#[test]
fn rule_severity_overrides() {
    // Without configuration: the defaults.
    let plain = tempdir();
    write(plain.path(), "sop.yaml", "# defaults\n");
    write(plain.path(), "roles.sop", unused_role_sop("ROLES-1"));
    write(plain.path(), "option.sop", single_option_sop("OPT-1"));
    let out = check(&["--format", "json"]).current_dir(&plain).run();
    out.code(0);
    let json = out.json();
    assert_eq!(codes(&json), ["single-option", "unused-role"]);
    assert!(diagnostics(&json)
        .iter()
        .all(|d| d["severity"] == "warning"));

    // `unused-role: off` silences it; `single-option: error` raises it.
    let dir = tempdir();
    write(
        dir.path(),
        "sop.yaml",
        "rules:\n  unused-role: off\n  single-option: error\n",
    );
    write(dir.path(), "roles.sop", unused_role_sop("ROLES-1"));
    write(dir.path(), "option.sop", single_option_sop("OPT-1"));
    let out = check(&["roles.sop", "--format", "json", "--deny-warnings"])
        .current_dir(&dir)
        .run();
    out.code(0);
    assert!(codes(&out.json()).is_empty());

    let out = check(&["option.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(1);
    let json = out.json();
    assert_eq!(codes(&json), ["single-option"]);
    assert_eq!(diagnostics(&json)[0]["severity"], "error");
    assert_eq!(json["errors"], 1);
    assert_eq!(json["warnings"], 0);
    let short = check(&["option.sop", "--format", "short"])
        .current_dir(&dir)
        .run();
    assert!(
        short.stdout.contains(": error[single-option]: "),
        "{}",
        short.stdout
    );
    let sarif = check(&["option.sop", "--format", "sarif"])
        .current_dir(&dir)
        .run()
        .json();
    assert_eq!(sarif["runs"][0]["results"][0]["level"], "error");

    // An error can be lowered to a warning.
    let dir = tempdir();
    write(
        dir.path(),
        "sop.yaml",
        "rules:\n  unknown-target: warning\n",
    );
    write(dir.path(), "bad.sop", error_sop("BAD-1"));
    let out = check(&["--format", "json"]).current_dir(&dir).run();
    out.code(0);
    assert_eq!(out.json()["warnings"], 1);
}

/// A file without `review:`, last revised 2026-10-01.
fn no_cadence_sop(id: &str) -> String {
    clean_sop(id)
}

#[test]
fn configured_default_review_cadence() {
    // Default 12 months: due 2027-10-01, not stale on TODAY.
    let plain = tempdir();
    write(plain.path(), "sop.yaml", "# defaults\n");
    write(plain.path(), "a.sop", no_cadence_sop("A-1"));
    let out = check(&["--format", "json"]).current_dir(&plain).run();
    out.code(0);
    assert!(codes(&out.json()).is_empty());

    // One month: due 2026-11-01, stale on TODAY.
    let dir = tempdir();
    write(dir.path(), "sop.yaml", "review: every 1 month\n");
    write(dir.path(), "a.sop", no_cadence_sop("A-1"));
    let out = check(&["--format", "json"]).current_dir(&dir).run();
    out.code(0);
    let json = out.json();
    assert_eq!(codes(&json), ["stale-review"]);
    let message = diagnostics(&json)[0]["message"].as_str().unwrap();
    assert!(message.contains("2026-11-01"), "{message}");
    check(&["--deny-warnings"]).current_dir(&dir).run().code(1);

    // A cadence in the file wins over the configured default.
    let text = no_cadence_sop("B-1").replace(
        "owner: Operations Lead\n",
        "owner: Operations Lead\nreview: every 12 months\n",
    );
    write(dir.path(), "b.sop", text);
    let out = check(&["b.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(0);
    assert!(codes(&out.json()).is_empty());
}

// ---------------------------------------------------------------------------
// The project root
// ---------------------------------------------------------------------------

#[test]
fn pre_commit_checks_one_file_against_the_whole_project() {
    let dir = tempdir();
    write(dir.path(), "sop.yaml", "# project root\n");
    write(dir.path(), "a.sop", handoff_sop("A-1", "B-1"));
    // b.sop has an error of its own, which must not be reported.
    let b = error_sop("B-1");
    write(dir.path(), "b.sop", b);
    let out = check(&["a.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(0);
    let json = out.json();
    assert_eq!(json["files"], 1);
    assert!(codes(&json).is_empty(), "{json}");
    let human = check(&["a.sop"]).current_dir(&dir).run();
    assert_eq!(human.last_line(), "Checked 1 file: 0 errors, 0 warnings.");

    // A link to an SOP the project lacks is reported.
    write(dir.path(), "c.sop", handoff_sop("C-1", "Z-404"));
    let out = check(&["c.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(1);
    let json = out.json();
    assert_eq!(codes(&json), ["unknown-sop"]);
    assert_eq!(diagnostics(&json)[0]["file"], "c.sop");

    // From a subdirectory, with the project's sop.yaml above it.
    write(dir.path(), "team/d.sop", handoff_sop("D-1", "A-1"));
    let out = check(&["d.sop", "--format", "json"])
        .current_dir(dir.path().join("team"))
        .run();
    out.code(0);
    assert!(codes(&out.json()).is_empty());
}

#[test]
fn a_single_file_outside_any_project_skips_cross_file_checks() {
    let dir = tempdir();
    if !outside_projects(dir.path()) {
        return;
    }
    write(dir.path(), "a.sop", handoff_sop("A-1", "Z-404"));
    write(dir.path(), "dup.sop", clean_sop("A-1"));
    let out = check(&["a.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(0);
    assert!(codes(&out.json()).is_empty());

    // Checking the directory runs them, against the directory itself.
    let out = check(&[".", "--format", "json"]).current_dir(&dir).run();
    out.code(1);
    let json = out.json();
    let mut found = codes(&json);
    found.sort();
    assert_eq!(
        found,
        ["duplicate-sop-id", "duplicate-sop-id", "unknown-sop"],
        "{json}"
    );
}

#[test]
fn two_directories_outside_git_form_one_project() {
    let dir = tempdir();
    if !outside_projects(dir.path()) {
        return;
    }
    write(dir.path(), "one/a.sop", handoff_sop("A-1", "B-1"));
    write(dir.path(), "two/b.sop", handoff_sop("B-1", "A-1"));
    let out = check(&["one", "two", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(0);
    let json = out.json();
    assert_eq!(json["files"], 2);
    assert!(codes(&json).is_empty(), "{json}");
}

#[test]
fn inside_git_without_config_the_work_tree_is_the_project() {
    let dir = tempdir();
    if !git_init(dir.path()) {
        return;
    }
    write(dir.path(), "sub/a.sop", handoff_sop("A-1", "B-1"));
    write(dir.path(), "other/b.sop", error_sop("B-1"));
    write(dir.path(), "sub/z.sop", handoff_sop("Z-1", "NOPE-1"));
    // From the work tree's root.
    let out = check(&["sub/a.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(0);
    let json = out.json();
    assert_eq!(json["files"], 1);
    assert!(codes(&json).is_empty(), "{json}");
    // From inside the subdirectory.
    let out = check(&["a.sop", "--format", "json"])
        .current_dir(dir.path().join("sub"))
        .run();
    out.code(0);
    assert!(codes(&out.json()).is_empty());
    // A missing SOP is reported.
    let out = check(&["sub/z.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(1);
    assert_eq!(codes(&out.json()), ["unknown-sop"]);
}

#[test]
fn duplicate_sop_ids_are_reported_for_each_requested_file() {
    let dir = tempdir();
    write(dir.path(), "sop.yaml", "# project root\n");
    write(dir.path(), "x.sop", clean_sop("DUP-1"));
    write(dir.path(), "sub/y.sop", clean_sop("DUP-1"));
    write(dir.path(), "other.sop", clean_sop("OTHER-1"));

    // Only x.sop asked for: it alone gets the diagnostic, naming y.sop.
    let out = check(&["x.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(1);
    let json = out.json();
    assert_eq!(json["files"], 1);
    assert_eq!(codes(&json), ["duplicate-sop-id"]);
    let d = &diagnostics(&json)[0];
    assert_eq!(d["file"], "x.sop");
    let text = format!("{} {}", d["message"], d["help"]);
    assert!(
        text.contains("y.sop"),
        "does not name the other file: {text}"
    );

    // Both asked for: one each.
    for args in [vec!["x.sop", "sub/y.sop"], vec!["."]] {
        let mut all = args.clone();
        all.extend(["--format", "json"]);
        let out = check(&all).current_dir(&dir).run();
        out.code(1);
        let json = out.json();
        let dups = with_code(&json, "duplicate-sop-id");
        let mut files: Vec<&str> = dups.iter().map(|d| d["file"].as_str().unwrap()).collect();
        files.sort_unstable();
        assert_eq!(files, ["sub/y.sop", "x.sop"], "{args:?}: {json}");
    }

    // A file with a unique id is unaffected.
    check(&["other.sop"]).current_dir(&dir).run().code(0);
}

#[test]
fn several_paths_search_the_root_from_their_common_ancestor() {
    let dir = tempdir();
    // proj/ is the project; proj/x/ holds a nested sop.yaml. Checking a file
    // in proj/x and one in proj/y starts the search at proj/, so the project
    // is proj/ and C-1 in proj/z/ resolves.
    write(dir.path(), "proj/sop.yaml", "# project\n");
    write(dir.path(), "proj/x/sop.yaml", "# nested project\n");
    write(dir.path(), "proj/x/a.sop", handoff_sop("A-1", "C-1"));
    write(dir.path(), "proj/y/b.sop", handoff_sop("B-1", "C-1"));
    write(dir.path(), "proj/z/c.sop", clean_sop("C-1"));
    let out = check(&["proj/x/a.sop", "proj/y/b.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(0);
    let json = out.json();
    assert_eq!(json["files"], 2);
    assert!(codes(&json).is_empty(), "{json}");

    // proj/x alone is its own project, where C-1 does not exist.
    let out = check(&["proj/x/a.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(1);
    assert_eq!(codes(&out.json()), ["unknown-sop"]);

    // The common ancestor's sop.yaml also supplies the configuration.
    write(
        dir.path(),
        "proj/sop.yaml",
        "rules:\n  single-option: error\n",
    );
    write(dir.path(), "proj/y/opt.sop", single_option_sop("OPT-1"));
    let out = check(&["proj/x/a.sop", "proj/y/opt.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(1);
    let json = out.json();
    assert_eq!(codes(&json), ["single-option"]);
    assert_eq!(diagnostics(&json)[0]["severity"], "error");
}

// ---------------------------------------------------------------------------
// --today
// ---------------------------------------------------------------------------

#[test]
fn today_decides_stale_reviews() {
    let dir = tempdir();
    // Last revised 2026-10-01, reviewed every 12 months: due 2027-10-01.
    write(dir.path(), "a.sop", clean_sop("A-1"));
    let run = |today: &str| {
        let out = sop(&["check", "a.sop", "--today", today, "--format", "json"])
            .current_dir(&dir)
            .run();
        out.code(0);
        out.json()
    };
    for today in ["2026-11-23", "2027-09-30", "2027-10-01"] {
        assert!(codes(&run(today)).is_empty(), "--today {today}");
    }
    for today in ["2027-10-02", "2030-01-01"] {
        let json = run(today);
        assert_eq!(codes(&json), ["stale-review"], "--today {today}");
        let message = diagnostics(&json)[0]["message"].as_str().unwrap();
        assert!(message.contains("2027-10-01"), "says since when: {message}");
    }
    let json = run("2027-10-02");
    let message = diagnostics(&json)[0]["message"].as_str().unwrap();
    assert!(message.contains("1 day"), "says how overdue: {message}");
    // Deny warnings makes it fail.
    sop(&["check", "a.sop", "--today", "2030-01-01", "--deny-warnings"])
        .current_dir(&dir)
        .run()
        .code(1);
}

#[test]
fn today_decides_future_revisions() {
    let dir = tempdir();
    // The only revision is dated 2026-10-01.
    write(dir.path(), "a.sop", clean_sop("A-1"));
    let run = |today: &str| {
        let out = sop(&["check", "a.sop", "--today", today, "--format", "json"])
            .current_dir(&dir)
            .run();
        out.code(0);
        out.json()
    };
    let json = run("2026-09-30");
    assert_eq!(codes(&json), ["future-revision"]);
    assert_eq!(diagnostics(&json)[0]["line"], 14, "the revision line");
    assert!(codes(&run("2026-10-01")).is_empty());
    assert!(codes(&run(TODAY)).is_empty());
}

// ---------------------------------------------------------------------------
// sop explain
// ---------------------------------------------------------------------------

#[test]
fn explain_prints_the_sections() {
    for (code, severity) in CODES {
        let out = sop(&["explain", code]).run();
        out.code(0);
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## How to fix",
        ] {
            assert!(
                out.stdout.contains(section),
                "`sop explain {code}` lacks {section}:\n{}",
                out.stdout
            );
        }
        assert!(out.stdout.contains(code), "{}", out.stdout);
        assert!(out.stdout.contains(severity), "{}", out.stdout);
    }
    let out = sop(&["explain", "unknown-target"]).run();
    let order: Vec<usize> = [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## How to fix",
    ]
    .iter()
    .map(|s| out.stdout.find(s).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{}", out.stdout);
}

#[test]
fn explain_list_has_every_code_with_its_default_severity() {
    let out = sop(&["explain", "--list"]).run();
    out.code(0);
    let lines: Vec<&str> = out.stdout.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), CODES.len(), "{}", out.stdout);
    for (code, severity) in CODES {
        let line = lines
            .iter()
            .find(|l| l.split_whitespace().next() == Some(code))
            .unwrap_or_else(|| panic!("`{code}` is not listed:\n{}", out.stdout));
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words.get(1), Some(&severity), "{line}");
        assert!(words.len() > 2, "no summary: {line}");
    }
}

#[test]
fn explain_unknown_codes_exit_2() {
    let out = sop(&["explain", "unknwn-target"]).run();
    out.code(2);
    assert!(out.stderr.contains("unknown-target"), "{}", out.stderr);
    assert!(out.stdout.is_empty());

    let out = sop(&["explain", "no-such-code"]).run();
    out.code(2);
    assert!(out.stderr.contains("no-such-code"), "{}", out.stderr);

    sop(&["explain"]).run().code(2);
}

// ---------------------------------------------------------------------------
// sop parse
// ---------------------------------------------------------------------------

/// Every object of a JSON tree.
fn objects(value: &Value) -> Vec<&serde_json::Map<String, Value>> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                out.push(map);
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

fn strings(value: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => out.push(s.as_str()),
            Value::Object(map) => stack.extend(map.values()),
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

/// The `(start, end)` of a `{"start": N, "end": M}` object.
fn span_of(value: &Value) -> Option<(usize, usize)> {
    Some((
        value.get("start")?.as_u64()? as usize,
        value.get("end")?.as_u64()? as usize,
    ))
}

#[test]
fn parse_prints_the_tree_with_comments_and_byte_spans() {
    let dir = tempdir();
    let text = format!(
        "# a leading comment\n{}",
        sop_with_steps(
            "A-1",
            "  # a comment between steps\n  step only: Do it\n    -> end\n"
        )
    );
    write(dir.path(), "a.sop", &text);
    let out = sop(&["parse", "a.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(0);
    let tree = out.json();
    let header = tree["header"].as_object().expect("a header object");
    let id = &header["id"];
    let id_text = id.get("value").unwrap_or(id);
    assert_eq!(id_text, "A-1");
    let all = strings(&tree);
    assert!(
        all.iter().any(|s| s.contains("a leading comment")),
        "the leading comment is kept"
    );
    assert!(
        all.iter().any(|s| s.contains("a comment between steps")),
        "the comment between steps is kept"
    );

    // Spans are byte offsets into the file.
    let spans: Vec<(usize, usize)> = objects(&tree)
        .into_iter()
        .filter_map(|o| o.get("span").and_then(span_of))
        .collect();
    assert!(spans.len() > 10, "few spans: {spans:?}");
    for (start, end) in &spans {
        assert!(start <= end && *end <= text.len(), "{start}..{end}");
    }
    let header_span = span_of(&header["span"]).expect("the header has a span");
    assert_eq!(header_span.0, text.find("sop A-1").unwrap());
    if let Some(id_span) = id.get("span").and_then(span_of) {
        assert_eq!(&text[id_span.0..id_span.1], "A-1");
    }

    // The default format is JSON too.
    let default = sop(&["parse", "a.sop"]).current_dir(&dir).run();
    default.code(0);
    assert_eq!(default.stdout, out.stdout);
}

#[test]
fn parse_spans_count_bytes_in_unicode_text() {
    let dir = tempdir();
    write(dir.path(), "zh.sop", CHINESE);
    let out = sop(&["parse", "zh.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(0);
    let tree = out.json();
    let id = &tree["header"]["id"];
    assert_eq!(id.get("value").unwrap_or(id), "中文-1");
    if let Some((start, end)) = id.get("span").and_then(span_of) {
        assert_eq!(&CHINESE[start..end], "中文-1");
        assert_eq!((start, end), (4, 12));
    }
    for (start, end) in objects(&tree)
        .into_iter()
        .filter_map(|o| o.get("span").and_then(span_of))
    {
        assert!(
            CHINESE.is_char_boundary(start) && CHINESE.is_char_boundary(end),
            "{start}..{end} is not on character boundaries"
        );
    }
}

#[test]
fn parse_an_empty_file() {
    let dir = tempdir();
    write(dir.path(), "empty.sop", "");
    let out = sop(&["parse", "empty.sop"]).current_dir(&dir).run();
    out.code(0);
    assert!(out.json()["header"].is_null());
}

#[test]
fn parse_does_not_panic_on_garbage() {
    let dir = tempdir();
    for seed in 0..8 {
        write(
            dir.path(),
            "rand.sop",
            pseudo_random_bytes(seed, 64 + 500 * seed as usize),
        );
        let out = sop(&["parse", "rand.sop"]).current_dir(&dir).run();
        out.code(0);
        out.json();
    }
}

// ---------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------

#[test]
fn invalid_encoding_is_a_diagnostic_with_its_byte_offset() {
    let dir = tempdir();
    let mut bytes = clean_sop("ENC-1").into_bytes();
    let purpose = b"purpose: Say why the procedure exists.";
    let at = bytes
        .windows(purpose.len())
        .position(|w| w == purpose)
        .unwrap();
    // An invalid byte in the purpose, a NUL in the scope.
    let bad_offset = at + "purpose: Say ".len();
    bytes.insert(bad_offset, 0xFF);
    let scope = b"scope: Everyone";
    let at = bytes.windows(scope.len()).position(|w| w == scope).unwrap();
    let nul_offset = at + "scope: ".len();
    bytes.insert(nul_offset, 0);
    write(dir.path(), "enc.sop", &bytes);

    let out = check(&["enc.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(1);
    let json = out.json();
    let encoding = with_code(&json, "invalid-encoding");
    assert_eq!(encoding.len(), 2, "{json}");
    let messages: Vec<&str> = encoding
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains(&bad_offset.to_string())),
        "the invalid byte's offset {bad_offset} is not given: {messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains(&nul_offset.to_string())),
        "the NUL byte's offset {nul_offset} is not given: {messages:?}"
    );
    for d in &encoding {
        assert_eq!(d["severity"], "error");
    }
    // The invalid byte is on line 5 (purpose), the NUL on line 7 (scope).
    let mut lines: Vec<u64> = encoding
        .iter()
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, [5, 7]);
    // Every format copes.
    for format in ["human", "short", "sarif", "github"] {
        check(&["enc.sop", "--format", format])
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .run()
            .code(1);
    }
    check(&["enc.sop", "--color", "always"])
        .current_dir(&dir)
        .run()
        .code(1);
    sop(&["parse", "enc.sop"]).current_dir(&dir).run().code(0);
}

/// Deterministic bytes from a small linear congruential generator.
fn pseudo_random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 56) as u8
        })
        .collect()
}

#[test]
fn random_bytes_do_not_panic() {
    let dir = tempdir();
    for seed in 0..8 {
        write(
            dir.path(),
            &format!("rand{seed}.sop"),
            pseudo_random_bytes(seed, 64 + 500 * seed as usize),
        );
    }
    // Random bytes with newlines and keywords sprinkled in.
    let mut mixed = b"sop R-1: \xff\xfe\nsteps:\n  step \x00: x\n    -> \xc3\n".to_vec();
    mixed.extend(pseudo_random_bytes(99, 300));
    mixed.extend(b"\r\n\r\rrevisions:\n  1.0 2026-99-99 \xe4\xb8: x\n");
    write(dir.path(), "mixed.sop", &mixed);
    for format in ["human", "short", "json", "sarif", "github"] {
        let out = check(&["--format", format])
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .run();
        out.code(1);
    }
    let out = check(&["--format", "json"]).current_dir(&dir).run();
    let json = out.json();
    assert_eq!(json["files"], 9);
    assert!(!with_code(&json, "invalid-encoding").is_empty());
    for d in diagnostics(&json) {
        assert!(d["line"].as_u64().unwrap() >= 1);
        assert!(d["column"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn a_non_ascii_metadata_key_is_an_unknown_key() {
    // Chinese users will type metadata keys in Chinese: `负责人` (owner).
    let dir = tempdir();
    let text = clean_sop("KEY-1").replace("owner: Operations Lead\n", "负责人: 王芳\n");
    write(dir.path(), "key.sop", text);
    let out = check(&["key.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(1);
    let json = out.json();
    assert_eq!(codes(&json), ["unknown-key"], "{json}");
    let d = &diagnostics(&json)[0];
    assert_eq!((&d["line"], &d["column"]), (&3.into(), &1.into()));
    // Keys of one and two multi-byte characters, and `x-` keys after them.
    for key in ["é", "中", "éé", "中x-y", "x-中文"] {
        let text =
            clean_sop("KEY-2").replace("owner: Operations Lead\n", &format!("{key}: value\n"));
        write(dir.path(), "key2.sop", text);
        let out = check(&["key2.sop", "--format", "json"])
            .current_dir(&dir)
            .run();
        let json = out.json();
        let expected: &[&str] = if key.starts_with("x-") {
            &[]
        } else {
            &["unknown-key"]
        };
        assert_eq!(codes(&json), expected, "key {key:?}: {json}");
    }
}

#[test]
fn empty_and_comment_only_files_are_missing_their_header() {
    let dir = tempdir();
    write(dir.path(), "empty.sop", "");
    write(
        dir.path(),
        "comments.sop",
        "# only\n# comments\n\n   # here\n",
    );
    write(dir.path(), "blank.sop", "\n\n  \n\t\n");
    write(dir.path(), "bom.sop", "\u{feff}");
    for file in ["empty.sop", "comments.sop", "blank.sop", "bom.sop"] {
        let out = check(&[file, "--format", "json"]).current_dir(&dir).run();
        out.code(1);
        let json = out.json();
        let found = codes(&json);
        for code in [
            "missing-header",
            "missing-purpose",
            "missing-scope",
            "missing-steps",
        ] {
            assert!(
                found.iter().any(|c| c == code),
                "{file}: no {code} in {found:?}"
            );
        }
        assert!(
            !found.iter().any(|c| c == "invalid-encoding"),
            "{file}: {found:?}"
        );
        for d in diagnostics(&json) {
            assert!(d["line"].as_u64().unwrap() >= 1);
            assert!(d["column"].as_u64().unwrap() >= 1);
        }
        for format in ["human", "short", "sarif", "github"] {
            check(&[file, "--format", format])
                .current_dir(&dir)
                .run()
                .code(1);
        }
    }
}

#[test]
fn missing_header_points_at_the_first_content_line_and_the_rest_is_checked() {
    let dir = tempdir();
    // The header line replaced by a comment and a blank line: the first
    // content line is `version: 1.0`, line 3.
    let text = clean_sop("H-1").replacen("sop H-1: Procedure H-1\n", "# note\n\n", 1);
    let text = text.replace("-> end", "-> nowhere");
    write(dir.path(), "h.sop", text);
    let out = check(&["h.sop", "--format", "json"])
        .current_dir(&dir)
        .run();
    out.code(1);
    let json = out.json();
    let header = with_code(&json, "missing-header");
    assert_eq!(header.len(), 1, "{json}");
    assert_eq!(header[0]["line"], 3);
    assert_eq!(header[0]["column"], 1);
    assert_eq!(
        with_code(&json, "unknown-target").len(),
        1,
        "the rest of the file is still checked: {json}"
    );
}
