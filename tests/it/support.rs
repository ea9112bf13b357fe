//! What the integration tests share: running the `sop` binary, listing
//! fixtures, building git repositories, and launching headless Chromium.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use headless_chrome::browser::tab::{RequestInterceptor, RequestPausedDecision};
use headless_chrome::browser::transport::{SessionId, Transport};
use headless_chrome::protocol::cdp::Fetch::events::RequestPausedEvent;
use headless_chrome::{Browser, LaunchOptions};
use serde_json::Value;

/// The crate root, where cargo runs the tests.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `*.sop` file directly in `dir` (relative to the crate root),
/// sorted; fails when there is none.
pub fn sop_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "sop"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .sop files in {dir}");
    files
}

/// A `sop` invocation being put together.
pub struct Sop {
    cmd: Command,
    shown: String,
    stdin: Option<Vec<u8>>,
}

/// Starts a `sop` invocation with `args`, in the crate root, with no
/// colour settings inherited, a width of 100 and no standard input.
pub fn sop<S: AsRef<OsStr>>(args: &[S]) -> Sop {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sop"));
    cmd.args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .env_remove("SOP_LANG")
        .env("COLUMNS", "100")
        .stdin(Stdio::null());
    let shown: Vec<String> = args
        .iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect();
    Sop {
        cmd,
        shown: format!("sop {}", shown.join(" ")),
        stdin: None,
    }
}

impl Sop {
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cmd.current_dir(dir.as_ref());
        self.shown = format!("{} (in {})", self.shown, dir.as_ref().display());
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    /// Feeds `bytes` to the command's standard input.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// The raw output; fails the test if the binary panicked.
    pub fn output(mut self) -> Output {
        let output = match self.stdin.take() {
            None => self.cmd.output(),
            Some(bytes) => {
                use std::io::Write;
                self.cmd
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                self.cmd.spawn().and_then(|mut child| {
                    let mut pipe = child.stdin.take().expect("stdin is piped");
                    // A command that exits without reading closes the pipe.
                    let _ = pipe.write_all(&bytes);
                    drop(pipe);
                    child.wait_with_output()
                })
            }
        }
        .unwrap_or_else(|e| panic!("cannot run `{}`: {e}", self.shown));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("panicked"),
            "`{}` panicked:\n{stderr}",
            self.shown
        );
        output
    }

    /// The output as text; fails the test if it is not UTF-8.
    pub fn run(self) -> Out {
        let shown = self.shown.clone();
        let output = self.output();
        Out {
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
            code: output.status.code(),
            shown,
        }
    }
}

/// What a run printed and how it exited.
#[derive(Debug)]
pub struct Out {
    pub shown: String,
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
}

impl Out {
    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(expected),
            "`{}` exited with {:?}, expected {expected}\n--- stdout\n{}\n--- stderr\n{}",
            self.shown,
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`{}` did not print JSON ({e}):\n{}\n--- stderr\n{}",
                self.shown, self.stdout, self.stderr
            )
        })
    }

    /// The last line of stdout.
    pub fn last_line(&self) -> &str {
        self.stdout.lines().last().unwrap_or_default()
    }
}

/// Decodes `%XX` escapes in a URL or link; invalid escapes stay as they are.
pub fn percent_decode(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&url[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Prints a note that `test` is skipped, straight to stderr: the test
/// harness captures `println!`, and the note is for whoever runs the tests.
pub fn note_skipped(test: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "note: skipping {test}: {why}");
}

/// The switch that makes tests needing external programs (strace,
/// validators) mandatory; `.ci/run` installs the programs and sets it.
const TOOLS_SWITCH: &str = "SOP_EXTERNAL_TOOLS";

/// Whether the external program `program` can be used by `test`: `false`
/// (with a printed note) when it is missing and `SOP_EXTERNAL_TOOLS` is not
/// `1`; a failure when it is missing and the switch is on.
pub fn external_tool(test: &str, program: &str, why_missing: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()));
    if found {
        return true;
    }
    assert!(
        std::env::var_os(TOOLS_SWITCH).is_none_or(|v| v != "1"),
        "{program} is missing but {TOOLS_SWITCH}=1: {why_missing}"
    );
    note_skipped(test, &format!("{program} is not installed ({why_missing})"));
    false
}

/// A temporary git repository whose commits have the dates they are
/// given, authored by "Anna Kovács".
pub struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// A new repository with branch `main`, or `None` (and a note) when
    /// git is not installed.
    pub fn new(test: &str) -> Option<Repo> {
        if !external_tool(test, "git", "these tests build git repositories") {
            return None;
        }
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"], "2026-01-01");
        Some(repo)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git in the repository at `date` (10:00, UTC+1), with no
    /// system or user configuration; returns its output, trimmed.
    pub fn git(&self, args: &[&str], date: &str) -> String {
        let time = format!("{date}T10:00:00+01:00");
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=Anna Kovács",
                "-c",
                "user.email=anna@example.com",
            ])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(self.path())
            .env("HOME", self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", &time)
            .env("GIT_COMMITTER_DATE", &time)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    pub fn write(&self, file: &str, text: &str) {
        let path = self.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Commits everything at `date`; returns the commit id.
    pub fn commit(&self, message: &str, date: &str) -> String {
        self.git(&["add", "-A"], date);
        self.git(&["commit", "-q", "-m", message], date);
        self.git(&["rev-parse", "HEAD"], date)
    }

    /// The SOPs `tests/fixtures/diff/base.sop` hands off to, so a project
    /// holding it has no unknown ids.
    pub fn write_diff_stubs(&self) {
        for (id, title) in [
            ("DIFF-002", "Replace a damaged order"),
            ("DIFF-003", "Ask for a review"),
        ] {
            self.write(
                &format!("{id}.sop"),
                &format!(
                    "sop {id}: {title}\nversion: 1.0\nowner: Service Lead\nstatus: active\n\
                     effective: 2026-10-01\nreview: every 6 months\nlanguage: en\n\n\
                     purpose:\n  {title}.\n\nscope:\n  All agents.\n\n\
                     roles:\n  agent: Customer service agent\n\n\
                     steps:\n  step send: {title}\n    role: agent\n    Do it.\n\n\
                     revisions:\n  1.0  2026-10-01  Anna Kovács: First version\n"
                ),
            );
        }
    }
}

/// A file of `tests/fixtures/diff/`, by name without `.sop`.
pub fn diff_fixture(name: &str) -> String {
    std::fs::read_to_string(root().join(format!("tests/fixtures/diff/{name}.sop"))).unwrap()
}

const CHROMIUM: &str = "/usr/bin/chromium";

/// The switch that makes the browser tests mandatory (`.ci/run` sets it).
const BROWSER_SWITCH: &str = "SOP_BROWSER_TESTS";

/// Headless Chromium with a window of `width` × `height`, or `None` (and a
/// printed note) when it is not installed and the browser tests are not
/// switched on. With `SOP_BROWSER_TESTS=1` a missing Chromium fails.
pub fn chromium(test: &str, width: u32, height: u32) -> Option<Browser> {
    if !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var_os(BROWSER_SWITCH).is_none_or(|v| v != "1"),
            "{CHROMIUM} is missing but {BROWSER_SWITCH}=1: install Debian's chromium package \
             (`apt-get install chromium`; .ci/run does)"
        );
        note_skipped(
            test,
            &format!(
                "{CHROMIUM} is not installed \
                 (`apt-get install chromium`, then set {BROWSER_SWITCH}=1 to require it)"
            ),
        );
        return None;
    }
    let args: Vec<&OsStr> = [
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--hide-scrollbars",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(PathBuf::from(CHROMIUM)))
        .sandbox(false)
        .headless(true)
        .window_size(Some((width, height)))
        .args(args)
        .idle_browser_timeout(std::time::Duration::from_secs(120))
        .build()
        .unwrap();
    Some(Browser::new(options).expect("Chromium starts"))
}

/// Where the browser tests keep their screenshots.
pub fn screenshots_dir() -> PathBuf {
    root().join("target/browser-screenshots")
}

/// Records every request a page makes, and lets it through.
pub struct Recorder(pub Arc<Mutex<Vec<String>>>);

impl RequestInterceptor for Recorder {
    fn intercept(
        &self,
        _: Arc<Transport>,
        _: SessionId,
        event: RequestPausedEvent,
    ) -> RequestPausedDecision {
        self.0.lock().unwrap().push(event.params.request.url);
        RequestPausedDecision::Continue(None)
    }
}
