//! Every command finds its project the same way (`src/workspace.rs`): the
//! same root, the same `sop.yaml`, the same `exclude:` patterns, and the
//! same cross-file index.

use std::path::Path;

use tempfile::TempDir;

use crate::support::{external_tool, sop};

const TODAY: &str = "2026-11-23";

fn sop_text(id: &str, handoff: &str) -> String {
    format!(
        "sop {id}: Procedure {id}\nowner: Operations\nreview: every 6 months\n\n\
         purpose: Do it.\n\nscope: Everything.\n\nsteps:\n  step a: Act\n    -> {handoff}\n\n\
         revisions:\n  1.0  2026-10-01  Ann: Created\n"
    )
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A project: `sop.yaml` excluding `archive/`; `team/A-1` hands off to
/// `B-1`, which lies outside `team/`; `archive/` holds a file that every
/// command would reject (a syntax error, an unknown id, a messy layout).
fn project() -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix("sop-ws-")
        .tempdir()
        .unwrap();
    write(dir.path(), "sop.yaml", "exclude:\n  - archive/\n");
    write(dir.path(), "team/a.sop", &sop_text("A-1", "[[B-1]]"));
    write(dir.path(), "b.sop", &sop_text("B-1", "end"));
    write(
        dir.path(),
        "archive/old.sop",
        "sop OLD-1:   Old\n\nsteps:\n  step x: X\n    -> nowhere\n    -> [[GONE-1]]\nstep 1 no colon\n",
    );
    dir
}

/// One subcommand run from the project root and from `team/`: what it is
/// given and what tells that it skipped `archive/` and saw the whole
/// project.
struct Case {
    name: &'static str,
    /// The arguments; `OUT` is replaced by a fresh output folder.
    args: &'static [&'static str],
    /// Checks what the run left behind.
    verify: fn(out: &Path),
}

const CASES: &[Case] = &[
    Case {
        name: "check",
        args: &["check", "--today", TODAY, "."],
        verify: |_| {},
    },
    Case {
        name: "fmt --check",
        args: &["fmt", "--check", "."],
        verify: |_| {},
    },
    Case {
        name: "render --to json",
        args: &["render", ".", "--to", "json", "-o", "OUT", "--today", TODAY],
        verify: |out| {
            assert!(
                !out.join("archive").exists(),
                "an excluded file was rendered"
            );
            let json = std::fs::read_to_string(out.join("b.json"))
                .or_else(|_| std::fs::read_to_string(out.join("a.json")))
                .expect("a page was written");
            assert!(json.contains("\"id\""));
        },
    },
    Case {
        name: "render --to md",
        args: &["render", ".", "--to", "md", "-o", "OUT", "--today", TODAY],
        verify: |out| {
            assert!(
                !out.join("archive").exists(),
                "an excluded file was rendered"
            )
        },
    },
    Case {
        name: "handbook",
        args: &["handbook", ".", "-o", "OUT", "--today", TODAY],
        verify: |out| {
            assert!(out.join("index.html").is_file());
            assert!(!out.join("sop/OLD-1.html").exists());
        },
    },
];

#[test]
fn every_subcommand_honours_exclude_and_the_project_root_alike() {
    for case in CASES {
        // From the root, and from a sub-folder whose SOP hands off to one
        // outside it: the root's sop.yaml and index apply in both.
        for (cwd, target) in [(".", "."), ("team", ".")] {
            let project = project();
            let out_dir = tempfile::tempdir().unwrap();
            let out = out_dir.path().join("out");
            let args: Vec<String> = case
                .args
                .iter()
                .map(|a| match *a {
                    "OUT" => out.to_str().unwrap().to_string(),
                    "." => target.to_string(),
                    other => other.to_string(),
                })
                .collect();
            let run = sop(&args)
                .current_dir(project.path().join(cwd))
                .env("NO_COLOR", "1")
                .env("CI", "1")
                .run();
            assert_eq!(
                run.code,
                Some(0),
                "`{}` in {cwd}/ did not honour the project:\n{}{}",
                case.name,
                run.stdout,
                run.stderr
            );
            assert!(
                !run.stdout.contains("old.sop") && !run.stderr.contains("old.sop"),
                "`{}` in {cwd}/ mentions the excluded file:\n{}{}",
                case.name,
                run.stdout,
                run.stderr
            );
            if out.exists() {
                (case.verify)(&out);
            } else {
                assert!(
                    !case.args.contains(&"OUT"),
                    "{}: nothing written",
                    case.name
                );
            }
        }
    }
}

#[test]
fn an_excluded_file_named_on_the_command_line_is_skipped_alike() {
    let project = project();
    let run = sop(&["check", "--today", TODAY, "archive/old.sop"])
        .current_dir(project.path())
        .run();
    run.code(0);
    assert!(run.stdout.contains("Checked 0 files"), "{}", run.stdout);
    sop(&["fmt", "--check", "archive/old.sop"])
        .current_dir(project.path())
        .run()
        .code(0);
    let run = sop(&["render", "archive/old.sop", "--to", "json"])
        .current_dir(project.path())
        .run();
    run.code(2);
    assert!(run.stderr.contains("excluded"), "{}", run.stderr);
}

#[test]
fn render_links_the_pages_it_writes() {
    let project = project();
    let out = tempfile::tempdir().unwrap();
    for (to, ext) in [("html", "html"), ("md", "md")] {
        let run = sop(&[
            "render",
            ".",
            "--to",
            to,
            "-o",
            out.path().to_str().unwrap(),
            "--today",
            TODAY,
        ])
        .current_dir(project.path())
        .run();
        run.code(0);
        let page = std::fs::read_to_string(out.path().join(format!("team/a.{ext}"))).unwrap();
        assert!(
            page.contains("../b.") && page.contains(&format!("../b.{ext}")),
            "team/a.{ext} does not link to ../b.{ext}:\n{page}"
        );
    }
}

#[test]
fn render_of_a_file_with_an_unknown_sop_fails_as_check_does() {
    let project = project();
    write(project.path(), "c.sop", &sop_text("C-1", "[[NOPE-1]]"));
    let check = sop(&["check", "--today", TODAY, "c.sop"])
        .current_dir(project.path())
        .run();
    check.code(1);
    assert!(check.stdout.contains("unknown-sop"), "{}", check.stdout);
    let out = project.path().join("c.json");
    let render = sop(&["render", "c.sop", "--to", "json", "-o", "c.json"])
        .current_dir(project.path())
        .env("NO_COLOR", "1")
        .run();
    render.code(1);
    assert!(render.stderr.contains("unknown-sop"), "{}", render.stderr);
    assert!(!out.exists(), "a file with errors was rendered");
    // A hand-off that resolves renders.
    sop(&["render", "team/a.sop", "--to", "json"])
        .current_dir(project.path())
        .run()
        .code(0);
}

/// `sop fmt a.sop b.sop` reads `sop.yaml` once, whatever the number of
/// paths. Counted with strace, which .ci/run installs.
#[test]
fn fmt_reads_the_configuration_once() {
    if !external_tool(module_path!(), "strace", "apt-get install strace") {
        return;
    }
    let project = project();
    let log = project.path().join("trace.log");
    let status = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=openat,open", "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_sop"))
        .args(["fmt", "--check", "team/a.sop", "b.sop", "team/../b.sop"])
        .current_dir(project.path())
        .output()
        .unwrap();
    let trace = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        status.status.success() && trace.contains("openat"),
        "strace could not trace sop: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let opened = trace
        .lines()
        .filter(|l| l.contains("sop.yaml\"") && !l.contains("ENOENT"))
        .count();
    assert_eq!(opened, 1, "sop.yaml was opened {opened} times:\n{trace}");
}

/// A folder the walk cannot read is reported (exit 2), never skipped in
/// silence. Root reads every folder, so as root the command runs as
/// `nobody` through `setpriv`.
#[test]
fn an_unreadable_folder_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let project = project();
    write(project.path(), "locked/c.sop", &sop_text("C-1", "end"));
    for dir in [project.path(), &project.path().join("team")] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for file in ["sop.yaml", "b.sop", "team/a.sop", "locked/c.sop"] {
        let path = project.path().join(file);
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let locked = project.path().join("locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let as_root = running_as_root();
    if as_root && !external_tool(module_path!(), "setpriv", "util-linux") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_sop");
    let mut cmd = if as_root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        std::process::Command::new(bin)
    };
    let out = cmd
        .args(["check", "--today", TODAY, "."])
        .current_dir(project.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("locked") && stderr.contains("Permission denied"),
        "{stderr}"
    );
}

fn running_as_root() -> bool {
    // The owner of a file this process just created is its effective uid.
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid() == 0
}

/// The parser, the checks and both page renderers agree on what an
/// `[[ID]]` link is: one scanner (`src/ids.rs`). An escaped `\[[ID]]` is
/// text everywhere.
#[test]
fn an_escaped_link_is_text_for_check_and_every_renderer() {
    let project = project();
    let text = sop_text("C-1", "[[B-1]]").replace(
        "  step a: Act\n",
        "  step a: Act\n    Write \\[[NOPE-1]] in the ticket, then read [[B-1]].\n",
    );
    write(project.path(), "c.sop", &text);
    let check = sop(&["check", "--today", TODAY, "c.sop"])
        .current_dir(project.path())
        .run();
    check.code(0);
    let html = sop(&["render", "c.sop", "--to", "html", "--today", TODAY])
        .current_dir(project.path())
        .run();
    html.code(0);
    assert!(
        html.stdout.contains("Write [[NOPE-1]] in the ticket"),
        "{}",
        html.stdout
    );
    assert_eq!(
        html.stdout.matches("class=\"sop-ref\"").count(),
        2,
        "{}",
        html.stdout
    );
    let md = sop(&["render", "c.sop", "--to", "md", "--today", TODAY])
        .current_dir(project.path())
        .run();
    md.code(0);
    // Markdown escapes the brackets, so they read as brackets, not a link.
    let line = md.stdout.lines().find(|l| l.starts_with("Write ")).unwrap();
    assert!(
        line.contains("NOPE-1]] in the ticket") && !line.contains("**NOPE-1**"),
        "{line}"
    );
    assert!(line.contains("**B-1**"), "{line}");
}
