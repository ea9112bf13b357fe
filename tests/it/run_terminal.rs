//! `sop run` as people use it: the interactive program in a real terminal
//! (tmux, keys sent and the screen read back), and runs cut short by
//! Ctrl-C, `kill -9` and a full disk.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{external_tool, sop};

const CS003: &str = "examples/CS-003-card-payment-failure.sop";

/// A terminal of its own: a tmux server on a private socket, one window.
struct Tmux {
    _dir: tempfile::TempDir,
    socket: PathBuf,
}

impl Tmux {
    /// Starts `command` (run by `sh -c`) in a 100×40 terminal; after it
    /// ends, the window shows `exit=<status>` and whether the terminal's
    /// settings are as before (`tty=same`).
    fn start(command: &str) -> Tmux {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("tmux.sock");
        let script = format!(
            "trap true INT; before=$(stty -g); {command}; status=$?; \
             if [ \"$(stty -g)\" = \"$before\" ]; then t=same; else t=changed; fi; \
             echo \"exit=$status tty=$t\"; sleep 600"
        );
        let status = Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .args([
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "100",
                "-y",
                "40",
            ])
            .args(["sh", "-c", &script])
            .env_remove("NO_COLOR")
            .status()
            .unwrap();
        assert!(status.success(), "tmux did not start");
        Tmux { _dir: dir, socket }
    }

    fn tmux(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.arg("-S").arg(&self.socket);
        cmd
    }

    /// Sends keys, in tmux's names (`Enter`, `Down`, `Space`, `C-c`, `p`).
    fn keys(&self, keys: &[&str]) {
        let status = self.tmux().arg("send-keys").args(keys).status().unwrap();
        assert!(status.success());
    }

    /// The screen, as text.
    fn screen(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-J", "-S", "-200"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits (at most 20 s) until the screen shows `text`; returns it.
    fn wait_for(&self, text: &str) -> String {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < until,
                "the screen never showed {text:?}; it shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `text` is on the screen after `keys` were sent and the
    /// screen changed.
    fn press(&self, keys: &[&str], text: &str) -> String {
        let before = self.screen();
        self.keys(keys);
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen != before && screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < until,
                "after {keys:?} the screen never showed {text:?}; it shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}

fn shell_quote(s: &Path) -> String {
    format!("'{}'", s.display().to_string().replace('\'', "'\\''"))
}

fn bin() -> String {
    shell_quote(Path::new(env!("CARGO_BIN_EXE_sop")))
}

fn read_run(dir: &Path) -> (PathBuf, Vec<Value>) {
    let record = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .expect("a record");
    let events = std::fs::read_to_string(&record)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (record, events)
}

fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect()
}

fn verify(record: &Path) {
    sop(&["log".as_ref(), "verify".as_ref(), record.as_os_str()])
        .run()
        .code(0);
}

/// The last screen line that is not blank.
fn last_line(screen: &str) -> &str {
    screen.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("")
}

#[test]
fn an_interactive_run_with_a_checklist_a_decision_and_a_pause() {
    if !external_tool(
        "an_interactive_run_with_a_checklist_a_decision_and_a_pause",
        "tmux",
        "it runs sop in a real terminal",
    ) {
        return;
    }
    let root = crate::support::root();
    let runs = tempfile::tempdir().unwrap();
    let command = format!(
        "cd {} && {} run {CS003} --as Ann --runs {}",
        shell_quote(root),
        bin(),
        shell_quote(runs.path())
    );
    let term = Tmux::start(&command);

    // Step 1: the menu, and the countdown of its one minute.
    let screen = term.wait_for("Finish the step");
    assert!(screen.contains("Step 1/14: Greet and identify the customer [greet]"));
    assert!(screen.contains("role: agent · within: PT1M"));
    assert!(screen.contains("left (within PT1M)"), "{screen}");
    assert!(screen.contains("› Done"), "{screen}");
    assert!(screen.contains("  Skip…"), "{screen}");
    // The countdown goes down by itself.
    let first = screen
        .lines()
        .find(|l| l.contains("left (within"))
        .unwrap()
        .to_string();
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let now = term.screen();
        let line = now.lines().find(|l| l.contains("left (within")).unwrap();
        if line != first {
            break;
        }
        assert!(Instant::now() < until, "the countdown stood still: {first}");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The arrows move the selection; Enter chooses.
    term.press(&["Down"], "› Skip…");
    term.press(&["Up"], "› Done");
    let screen = term.press(&["Enter"], "Checklist: tick each item");

    // Step 2: a checklist of four items; two are ticked, then a pause.
    assert!(
        screen.contains("› [ ] the error message, word for word"),
        "{screen}"
    );
    assert!(
        screen.contains("› Done\n"),
        "the choice stays on the screen:\n{screen}"
    );
    term.press(&["Space"], "[x] the error message, word for word");
    let screen = term.press(&["y"], "[x] where it happened");
    assert!(
        screen.contains("› [ ] date and time of the last attempt"),
        "{screen}"
    );
    let screen = term.press(&["p"], "exit=0");
    assert!(screen.contains("Paused at step symptoms"), "{screen}");
    assert!(last_line(&screen).ends_with("tty=same"), "{screen}");
    drop(term);

    let (record, events) = read_run(runs.path());
    let run = record.file_stem().unwrap().to_string_lossy().into_owned();
    assert_eq!(
        kinds(&events),
        [
            "start",
            "step-start",
            "step-done",
            "step-start",
            "checklist-item",
            "checklist-item",
            "pause"
        ]
    );

    // Resumed: the two items stay ticked; the rest of the run, with a
    // decision chosen with the arrows and one by its number.
    let command = format!(
        "cd {} && {} run --resume {run} --as Ann --runs {}",
        shell_quote(root),
        bin(),
        shell_quote(runs.path())
    );
    let term = Tmux::start(&command);
    let screen = term.wait_for("Checklist: tick each item");
    assert!(screen.contains("Resuming run"), "{screen}");
    assert!(
        screen.contains("[x] the error message, word for word"),
        "{screen}"
    );
    assert!(screen.contains("[x] where it happened"), "{screen}");
    assert!(
        screen.contains("› [ ] date and time of the last attempt"),
        "{screen}"
    );
    term.press(&["Space"], "[x] date and time of the last attempt");
    term.press(&["Space"], "Finish the step");
    term.press(&["Enter"], "Step 3/14: Look up the transaction");
    let screen = term.press(&["d"], "Choose an option");
    assert!(
        screen.contains("› 1. no attempt reached the gateway → technical"),
        "{screen}"
    );
    assert!(screen.contains("  5. otherwise → escalate"), "{screen}");
    term.press(
        &["Down", "Down"],
        "› 3. the decline is an AVS (address) mismatch → address",
    );
    term.press(&["Enter"], "Step 7/14: Fix the billing address");
    term.press(&["Enter"], "Step 10/14: Retry the payment");
    term.press(&["1"], "Step 11/14: Confirm with the customer");
    term.press(&["Enter"], "Step 12/14: Record the cause");
    let screen = term.press(&["Enter"], "exit=0");
    assert!(
        screen.contains(
            "Path: greet -> symptoms -> lookup -> diagnose -> address -> retry -> confirm -> record -> end"
        ),
        "{screen}"
    );
    assert!(last_line(&screen).ends_with("tty=same"), "{screen}");
    drop(term);

    let (record, events) = read_run(runs.path());
    verify(&record);
    let ticked: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "checklist-item")
        .map(|e| e["answer"].as_str().unwrap())
        .collect();
    assert_eq!(ticked, ["y", "y", "y", "y"]);
    let decisions: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "decision")
        .map(|e| e["to"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["address", "confirm"]);
    assert_eq!(events.last().unwrap()["event"], "end");
    assert!(events.iter().all(|e| e["by"] == "Ann"));
}

#[test]
fn ctrl_c_in_the_interactive_program_pauses_the_run() {
    if !external_tool(
        "ctrl_c_in_the_interactive_program_pauses_the_run",
        "tmux",
        "it runs sop in a real terminal",
    ) {
        return;
    }
    let root = crate::support::root();
    let runs = tempfile::tempdir().unwrap();
    let command = format!(
        "cd {} && {} run {CS003} --as Ann --runs {}",
        shell_quote(root),
        bin(),
        shell_quote(runs.path())
    );
    let term = Tmux::start(&command);
    term.wait_for("Finish the step");
    term.press(&["Enter"], "Checklist: tick each item");
    term.press(&["Space"], "[x] the error message");
    let screen = term.press(&["C-c"], "exit=2");
    assert!(
        screen.contains("sop: interrupted at step symptoms; the run is paused."),
        "{screen}"
    );
    assert!(last_line(&screen).ends_with("tty=same"), "{screen}");
    // A skip asks for its reason on a line; an empty one goes back.
    drop(term);
    let (record, events) = read_run(runs.path());
    verify(&record);
    let last = events.last().unwrap();
    assert_eq!(last["event"], "pause");
    assert_eq!(last["step"], "symptoms");
    assert_eq!(last["note"], "interrupted");
}

#[test]
fn a_skip_asks_for_its_reason_and_ctrl_c_at_the_reason_pauses() {
    if !external_tool(
        "a_skip_asks_for_its_reason_and_ctrl_c_at_the_reason_pauses",
        "tmux",
        "it runs sop in a real terminal",
    ) {
        return;
    }
    let root = crate::support::root();
    let runs = tempfile::tempdir().unwrap();
    let command = format!(
        "cd {} && {} run {CS003} --as Ann --runs {}",
        shell_quote(root),
        bin(),
        shell_quote(runs.path())
    );
    let term = Tmux::start(&command);
    term.wait_for("Finish the step");
    term.press(&["s"], "reason for skipping (empty: back):");
    // An empty reason: back to the menu.
    term.press(&["Enter"], "› Done");
    term.press(&["s"], "reason for skipping (empty: back):");
    term.keys(&["-l", "customer already known"]);
    term.press(&["Enter"], "Checklist: tick each item");
    // At the reason prompt the terminal is in its usual mode: Ctrl-C is
    // the signal, which pauses the run the same way.
    term.press(&["o"], "reason for overriding the checklist");
    let screen = term.press(&["C-c"], "exit=2");
    assert!(
        screen.contains("sop: interrupted at step symptoms; the run is paused."),
        "{screen}"
    );
    assert!(last_line(&screen).ends_with("tty=same"), "{screen}");
    drop(term);
    let (record, events) = read_run(runs.path());
    verify(&record);
    assert_eq!(
        kinds(&events),
        ["start", "step-start", "step-skipped", "step-start", "pause"]
    );
    assert_eq!(events[2]["answer"], "customer already known");
    assert_eq!(events[4]["note"], "interrupted");
}

/// Starts `sop run` with piped answers and waits for the prompt of the
/// second checklist item; its standard input stays open (held by the
/// caller), so that the run is not ended by the end of its answers.
fn spawn_run(
    runs: &Path,
) -> (
    std::process::Child,
    BufReader<std::process::ChildStdout>,
    std::process::ChildStdin,
) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sop"))
        .args(["run", CS003, "--as", "Ann", "--runs"])
        .arg(runs)
        .current_dir(crate::support::root())
        .env("SOP_RUN_CLOCK", "2026-11-30T20:45:00Z+60")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"done\ny\n").unwrap();
    stdin.flush().unwrap();
    // Waits for the prompt of the second checklist item: the answers so
    // far are recorded.
    let mut line = String::new();
    loop {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "sop ended early");
        if line.contains("[ ] where it happened") {
            break;
        }
    }
    (child, out, stdin)
}

#[test]
fn sigint_between_answers_pauses_the_run_with_exit_2() {
    let runs = tempfile::tempdir().unwrap();
    let (child, _out, _stdin) = spawn_run(runs.path());
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("sop: interrupted at step symptoms; the run is paused. Resume it with: sop run --resume "),
        "{stderr}"
    );
    let (record, events) = read_run(runs.path());
    verify(&record);
    assert_eq!(
        kinds(&events),
        [
            "start",
            "step-start",
            "step-done",
            "step-start",
            "checklist-item",
            "pause"
        ]
    );
}

#[test]
fn kill_9_loses_nothing_but_the_event_in_flight() {
    let runs = tempfile::tempdir().unwrap();
    let (mut child, _out, _stdin) = spawn_run(runs.path());
    child.kill().unwrap();
    child.wait().unwrap();
    let (record, events) = read_run(runs.path());
    verify(&record);
    assert_eq!(
        kinds(&events),
        [
            "start",
            "step-start",
            "step-done",
            "step-start",
            "checklist-item"
        ]
    );
    // Resumed where it stopped: the ticked item stays ticked, the other
    // three are asked.
    let run = record.file_stem().unwrap().to_string_lossy().into_owned();
    let out = sop(&[
        "run".as_ref(),
        "--resume".as_ref(),
        run.as_ref(),
        "--runs".as_ref(),
        runs.path().as_os_str(),
        "--as".as_ref(),
        "Ann".as_ref(),
    ])
    .env("SOP_RUN_CLOCK", "2026-11-30T21:00:00Z+60")
    .stdin("y\ny\ny\ndone\ndone\n3\ndone\n1\ndone\ndone\n")
    .run();
    out.code(0);
    assert!(
        !out.stdout.contains("[ ] the error message"),
        "{}",
        out.stdout
    );
    let (record, events) = read_run(runs.path());
    verify(&record);
    let items: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "checklist-item")
        .map(|e| e["item"].as_str().unwrap())
        .collect();
    assert_eq!(items.len(), 4);
    assert_eq!(items[0], "the error message, word for word");
    assert_eq!(events.last().unwrap()["event"], "end");
}

#[test]
fn a_full_disk_stops_the_run_with_exit_2_and_a_valid_record() {
    // `ulimit -f` makes a write past the size fail as a full disk does
    // (EFBIG, with SIGXFSZ ignored): the line written in part is cut off.
    let runs = tempfile::tempdir().unwrap();
    let script = format!(
        "trap '' XFSZ; ulimit -f 4; exec {} run {CS003} --as Ann --runs {}",
        bin(),
        shell_quote(runs.path())
    );
    let output = Command::new("sh")
        .args(["-c", &script])
        .current_dir(crate::support::root())
        .env("SOP_RUN_CLOCK", "2026-11-30T20:45:00Z+60")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"done\ny\ny\ny\ny\ndone\ndone\n3\ndone\n1\ndone\ndone\n")
                .ok();
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let (record, events) = read_run(runs.path());
    verify(&record);
    let size = std::fs::metadata(&record).unwrap().len();
    assert!(size <= 4 * 1024, "{size}");
    assert!(std::fs::read(&record).unwrap().ends_with(b"\n"));
    assert!(events.len() >= 2, "{}", events.len());
}

#[test]
fn a_hand_off_offers_a_linked_run_of_the_next_sop() {
    let runs = tempfile::tempdir().unwrap();
    // CS-003 to billing review, whose `otherwise` hands off to CS-014;
    // `y` starts a run of CS-014, which is paused at its first step.
    let out = sop(&[
        "run".as_ref(),
        CS003.as_ref(),
        "--as".as_ref(),
        "Ann".as_ref(),
        "--runs".as_ref(),
        runs.path().as_os_str(),
    ])
    .env("SOP_RUN_CLOCK", "2026-11-30T20:45:00Z+60")
    .stdin("done\ny\ny\ny\ny\ndone\ndone\n5\ndone\n2\ny\npause\n")
    .run();
    out.code(0);
    assert!(
        out.stdout
            .contains("? start a run of [[CS-014]] Escalate a customer case now? (y/n)"),
        "{}",
        out.stdout
    );
    let mut records: Vec<PathBuf> = std::fs::read_dir(runs.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    records.sort();
    assert_eq!(records.len(), 2);
    let read = |p: &Path| -> Vec<Value> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (parent, child): (Vec<Value>, Vec<Value>) = {
        let a = read(&records[0]);
        let b = read(&records[1]);
        if a[0]["sop"] == "CS-003" {
            (a, b)
        } else {
            (b, a)
        }
    };
    let parent_id = parent[0]["run"].as_str().unwrap();
    let child_id = child[0]["run"].as_str().unwrap();
    let end = parent.last().unwrap();
    assert_eq!(end["event"], "end");
    assert_eq!(end["to"], "sop:CS-014");
    assert_eq!(end["linked"], child_id);
    assert_eq!(parent[parent.len() - 2]["event"], "handoff");
    assert_eq!(child[0]["event"], "start");
    assert_eq!(child[0]["sop"], "CS-014");
    assert_eq!(child[0]["linked"], parent_id);
    assert_eq!(child[0]["by"], "Ann");
    assert_eq!(kinds(&child), ["start", "step-start", "pause"]);
    // The child's clock goes on from the parent's.
    assert!(child[0]["time"].as_str() >= end["time"].as_str());
    for record in &records {
        verify(record);
    }
    assert!(
        out.stdout
            .contains(&format!("handed off from run {parent_id}")),
        "{}",
        out.stdout
    );

    // `n` ends the run as before, and no other record is made.
    let runs = tempfile::tempdir().unwrap();
    let out = sop(&[
        "run".as_ref(),
        CS003.as_ref(),
        "--runs".as_ref(),
        runs.path().as_os_str(),
    ])
    .env("SOP_RUN_CLOCK", "2026-11-30T20:45:00Z+60")
    .stdin("done\ny\ny\ny\ny\ndone\ndone\n5\ndone\n2\nn\n")
    .run();
    out.code(0);
    assert!(
        out.stdout.contains("Handed off to [[CS-014]]"),
        "{}",
        out.stdout
    );
    assert_eq!(std::fs::read_dir(runs.path()).unwrap().count(), 1);
}

#[test]
fn the_interactive_screen_of_a_checklist() {
    if !external_tool(
        "the_interactive_screen_of_a_checklist",
        "tmux",
        "it runs sop in a real terminal",
    ) {
        return;
    }
    let root = crate::support::root();
    let runs = tempfile::tempdir().unwrap();
    let command = format!(
        "cd {} && SOP_RUN_CLOCK=2026-11-30T20:45:00Z+60 {} run {CS003} --as Ann --runs {}",
        shell_quote(root),
        bin(),
        shell_quote(runs.path())
    );
    let term = Tmux::start(&command);
    term.wait_for("Finish the step");
    term.press(&["Enter"], "Checklist: tick each item");
    let screen = term.press(&["Space"], "[x] the error message");
    let (record, _) = read_run(runs.path());
    let run = record.file_stem().unwrap().to_string_lossy().into_owned();
    let screen = screen
        .replace(&run, "<run>")
        .replace(&runs.path().display().to_string(), "<runs>");
    let screen: Vec<&str> = screen.lines().map(str::trim_end).collect();
    let screen = screen.join("\n");
    insta::assert_snapshot!(screen.trim_end());
}
