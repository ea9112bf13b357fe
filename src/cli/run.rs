//! `sop run FILE [--as NAME] [--runs DIR]`, `sop run --resume RUN [--force]`
//!
//! Walks a procedure step by step, one answer a line on standard input,
//! and records the run (see docs/runs.md).

use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::diagnostics::Severity;
use crate::model::{EdgeTo, Node, NodeKind, Workflow};
use crate::report::{render as render_diagnostics, Format, Style};
use crate::runs::record::{self, Clock, Event, Writer};
use crate::runs::{checklist, plain_prose, sop_hash, target_name, Exits};
use crate::terminal::sanitize_lines_for_terminal;
use crate::values::{Date, Duration};
use crate::workspace::Workspace;

use super::{fail, print, ColorChoice, EXIT_CLEAN, EXIT_DIAGNOSTICS, EXIT_FAILURE};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The `.sop` file to run; with --resume, by default the file the run
    /// began with.
    #[arg(required_unless_present = "resume")]
    file: Option<PathBuf>,
    /// The person carrying out the run (default: `git config user.name`,
    /// then the login name).
    #[arg(long = "as", value_name = "NAME")]
    person: Option<String>,
    /// Where the records are (default: `runs/` at the project root).
    #[arg(long, value_name = "DIR")]
    runs: Option<PathBuf>,
    /// Go on with a paused or interrupted run: its id or its record's path.
    #[arg(long, value_name = "RUN")]
    resume: Option<String>,
    /// Resume even though the SOP's meaning changed since the run began
    /// (the resume event says so).
    #[arg(long, requires = "resume")]
    force: bool,
    /// Colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

pub fn run(args: Args) -> u8 {
    match go(args) {
        Ok(code) | Err(code) => code,
    }
}

fn go(args: Args) -> Result<u8, u8> {
    let clock = Clock::from_env().map_err(fail)?;
    let color = args.color.enabled();
    let by = args.person.clone().unwrap_or_else(person);
    match &args.resume {
        None => {
            let file = args.file.as_deref().unwrap_or(Path::new(""));
            let (workspace, workflow) = load(file, args.color)?;
            let dir = args.runs.clone().unwrap_or_else(|| {
                workspace
                    .root()
                    .map(|r| r.join("runs"))
                    .unwrap_or_else(|| PathBuf::from("runs"))
            });
            start(file, &workflow, &dir, clock, by, color)
        }
        Some(run) => {
            let path = find_record(run, args.runs.as_deref()).map_err(fail)?;
            resume(&path, &args, clock, by, color)
        }
    }
}

/// Checks `file` and builds its workflow; diagnostics go to stderr.
fn load(file: &Path, color: ColorChoice) -> Result<(Workspace, Workflow), u8> {
    if file.is_dir() {
        return Err(fail(format!(
            "{} is a directory; sop run takes one .sop file",
            file.display()
        )));
    }
    let workspace = Workspace::discover(&[file.to_path_buf()]).map_err(fail)?;
    if workspace.targets().is_empty() {
        return Err(fail(format!(
            "{} is excluded by the `exclude:` patterns of sop.yaml; nothing to run",
            file.display()
        )));
    }
    let checked = workspace
        .check_with(Date::today(), |_, doc, diagnostics| {
            let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
            (!has_errors).then(|| Workflow::from_document(doc))
        })
        .map_err(fail)?;
    let (files, workflows): (Vec<_>, Vec<_>) = checked.into_iter().unzip();
    if files.iter().any(|f| !f.diagnostics.is_empty()) {
        let style = Style {
            color: color.enabled_on_stderr(),
            width: 100,
        };
        eprint!("{}", render_diagnostics(Format::Human, &files, style));
    }
    match workflows.into_iter().next().flatten() {
        Some(workflow) => Ok((workspace, workflow)),
        None => Err(EXIT_DIAGNOSTICS),
    }
}

/// The person carrying out a run: `git config user.name`, then the login
/// name.
fn person() -> String {
    let git = std::process::Command::new("git")
        .args(["config", "user.name"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|n| !n.is_empty());
    git.or_else(|| {
        ["USER", "USERNAME", "LOGNAME"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    })
    .unwrap_or_else(|| "unknown".into())
}

/// A record's path: `run` itself when it names a file, else `<id>.jsonl`
/// in `--runs` or in `runs/` at the project root of the current directory.
pub(crate) fn find_record(run: &str, runs: Option<&Path>) -> Result<PathBuf, String> {
    let as_path = Path::new(run);
    if as_path.is_file() {
        return Ok(as_path.to_path_buf());
    }
    let dir = match runs {
        Some(dir) => dir.to_path_buf(),
        None => {
            let here = std::env::current_dir().map_err(|e| e.to_string())?;
            Workspace::discover(&[here])
                .ok()
                .and_then(|w| w.root().map(|r| r.join("runs")))
                .unwrap_or_else(|| PathBuf::from("runs"))
        }
    };
    let path = dir.join(format!("{run}.jsonl"));
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "no run record {run}: neither a file nor {}",
            path.display()
        ))
    }
}

fn start(
    file: &Path,
    workflow: &Workflow,
    dir: &Path,
    clock: Clock,
    by: String,
    color: bool,
) -> Result<u8, u8> {
    let Some(first) = workflow.start.clone() else {
        return Err(fail(format!(
            "{} has no steps; nothing to run",
            file.display()
        )));
    };
    let now = clock.now();
    // A new id until the name is free: a record is never overwritten.
    let mut attempts = 0;
    let (run, writer) = loop {
        let run = record::run_id(now, &workflow.id);
        match Writer::create(&dir.join(format!("{run}.jsonl"))) {
            Ok(w) => break (run, w),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempts < 100 => {
                attempts += 1;
            }
            Err(e) => return Err(fail(format!("{}: {e}", dir.display()))),
        }
    };
    let base = Event {
        run,
        sop: workflow.id.clone(),
        version: workflow.meta.version.clone(),
        sop_hash: sop_hash(workflow),
        by,
        ..Event::default()
    };
    let mut session = Session::new(workflow, writer, clock, base, Vec::new(), color);
    let shown = file
        .canonicalize()
        .unwrap_or_else(|_| file.to_path_buf())
        .to_string_lossy()
        .into_owned();
    session.record("start", |e| {
        e.title = Some(workflow.title.clone());
        e.file = Some(shown);
    })?;
    let rest = format!(
        "Run {} by {}; the record is {}\n",
        session.base.run,
        session.base.by,
        session.writer.path().display()
    );
    session.say_styled(
        &session.bold(&format!("{} {}", workflow.id, workflow.title)),
        &rest,
    )?;
    session.walk(first)
}

fn resume(path: &Path, args: &Args, clock: Clock, by: String, color: bool) -> Result<u8, u8> {
    let read = record::read(path).map_err(fail)?;
    if let Some(line) = read.incomplete {
        eprintln!(
            "sop: {}:{line}: the last line is incomplete (a write was cut short); it is dropped",
            path.display()
        );
    }
    let first = read.events[0].clone();
    let mut at: Option<String> = None;
    for e in &read.events {
        match e.event.as_str() {
            "step-start" => at = e.step.clone(),
            "step-done" | "step-skipped" | "decision" | "timeout" => at = e.to.clone(),
            "end" | "handoff" => {
                return Err(fail(format!(
                    "run {} has ended; there is nothing to resume",
                    first.run
                )))
            }
            _ => {}
        }
    }
    let file = match (&args.file, &first.file) {
        (Some(f), _) => f.clone(),
        (None, Some(f)) => PathBuf::from(f),
        (None, None) => {
            return Err(fail(format!(
                "{}: the record does not say which file the run began with; name it: sop run FILE --resume {}",
                path.display(),
                first.run
            )))
        }
    };
    if !file.is_file() {
        return Err(fail(format!(
            "{}: the SOP of run {} is no longer there",
            file.display(),
            first.run
        )));
    }
    let (_, workflow) = load(&file, args.color)?;
    let last_hash = read
        .events
        .last()
        .map(|e| e.sop_hash.clone())
        .unwrap_or_default();
    let now_hash = sop_hash(&workflow);
    let changed = now_hash != last_hash;
    if changed && !args.force {
        return Err(fail(format!(
            "the meaning of {} changed since run {} began (its SHA-256 was {last_hash}, is {now_hash}); \
             check the run against the new version, then resume with --force",
            file.display(),
            first.run
        )));
    }
    let at = at
        .or_else(|| workflow.start.clone())
        .filter(|id| workflow.nodes.iter().any(|n| n.id == *id))
        .ok_or_else(|| {
            fail(format!(
                "run {} stopped at a step that {} no longer has",
                first.run,
                file.display()
            ))
        })?;
    let writer =
        Writer::append(path, &read).map_err(|e| fail(format!("{}: {e}", path.display())))?;
    let base = Event {
        run: first.run.clone(),
        sop: workflow.id.clone(),
        version: workflow.meta.version.clone(),
        sop_hash: now_hash,
        by,
        ..Event::default()
    };
    let mut session = Session::new(&workflow, writer, clock, base, read.events, color);
    session.record("resume", |e| {
        e.step = Some(at.clone());
        if changed {
            e.note = Some(format!(
                "forced: the SOP changed since the run began (its SHA-256 was {last_hash})"
            ));
        }
    })?;
    let rest = format!("Resuming run {} by {}\n", session.base.run, session.base.by);
    session.say_styled(
        &session.bold(&format!("{} {}", workflow.id, workflow.title)),
        &rest,
    )?;
    session.walk(at)
}

/// What an answer asks for besides ticking or choosing.
enum Control {
    Pause,
    Skip(String),
    Timeout,
}

/// A run under way.
struct Session<'a> {
    workflow: &'a Workflow,
    writer: Writer,
    clock: Clock,
    base: Event,
    events: Vec<Event>,
    input: std::io::StdinLock<'static>,
    color: bool,
}

impl<'a> Session<'a> {
    fn new(
        workflow: &'a Workflow,
        writer: Writer,
        clock: Clock,
        base: Event,
        events: Vec<Event>,
        color: bool,
    ) -> Session<'a> {
        Session {
            workflow,
            writer,
            clock,
            base,
            events,
            input: std::io::stdin().lock(),
            color,
        }
    }

    /// Appends an event of kind `kind`, filled in by `fill`.
    fn record(&mut self, kind: &str, fill: impl FnOnce(&mut Event)) -> Result<(), u8> {
        let mut event = Event {
            time: record::format_time(self.clock.now()),
            event: kind.into(),
            ..self.base.clone()
        };
        fill(&mut event);
        let written = self
            .writer
            .write(event)
            .map_err(|e| fail(format!("{}: {e}", self.writer.path().display())))?;
        self.events.push(written);
        Ok(())
    }

    fn say(&self, text: &str) -> Result<(), u8> {
        print(&format!("{}\n", sanitize_lines_for_terminal(text)))
            .map_err(|e| fail(format!("cannot write the output: {e}")))
    }

    /// Prints `styled` (already made safe, with colour codes) on a line,
    /// then `text` like [`Session::say`].
    fn say_styled(&self, styled: &str, text: &str) -> Result<(), u8> {
        let text = if text.is_empty() {
            format!("{styled}\n")
        } else {
            format!("{styled}\n{}\n", sanitize_lines_for_terminal(text))
        };
        print(&text).map_err(|e| fail(format!("cannot write the output: {e}")))
    }

    /// `text` made safe for a terminal, in bold when colouring.
    fn bold(&self, text: &str) -> String {
        let text = sanitize_lines_for_terminal(text);
        if self.color {
            format!("\u{1b}[1m{text}\u{1b}[0m")
        } else {
            text.to_string()
        }
    }

    /// Reads one answer; `None` at the end of the input.
    fn answer(&mut self, prompt: &str) -> Result<Option<String>, u8> {
        let prompt = sanitize_lines_for_terminal(prompt);
        let prompt = if self.color {
            format!("\u{1b}[36m? {prompt}\u{1b}[0m")
        } else {
            format!("? {prompt}")
        };
        self.say_styled(&prompt, "")?;
        let mut line = Vec::new();
        let n = self
            .input
            .read_until(b'\n', &mut line)
            .map_err(|e| fail(format!("cannot read the answers: {e}")))?;
        if n == 0 {
            return Ok(None);
        }
        self.clock.tick();
        Ok(Some(String::from_utf8_lossy(&line).trim().to_string()))
    }

    /// The end of the input: the run is paused, exit 2.
    fn interrupted(&mut self, step: &str) -> Result<u8, u8> {
        self.record("pause", |e| {
            e.step = Some(step.into());
            e.note = Some("end of input".into());
        })?;
        eprintln!(
            "sop: the answers ended in the middle of step {step}; the run is paused. Resume it with: sop run --resume {}",
            self.base.run
        );
        Ok(EXIT_FAILURE)
    }

    fn paused(&mut self, step: &str) -> Result<u8, u8> {
        self.record("pause", |e| e.step = Some(step.into()))?;
        self.say(&format!(
            "Paused at step {step}. Resume with: sop run --resume {}",
            self.base.run
        ))?;
        Ok(EXIT_CLEAN)
    }

    fn show(&self, node: &Node) -> Result<(), u8> {
        let mut head = self.bold(&format!(
            "Step {}/{}: {}",
            node.number,
            self.workflow.nodes.len(),
            node.title
        ));
        if node.has_declared_id() {
            head.push_str(&sanitize_lines_for_terminal(&format!(" [{}]", node.id)));
        }
        let mut out = String::new();
        let mut facts = Vec::new();
        if !node.roles.is_empty() {
            facts.push(format!("role: {}", node.roles.join(", ")));
        }
        if let Some(within) = node.within {
            facts.push(format!("within: {}", within.iso()));
        }
        if !facts.is_empty() {
            out.push_str(&format!("{}\n", facts.join(" · ")));
        }
        let prose = plain_prose(node);
        if !prose.is_empty() {
            out.push_str(&format!("\n{prose}\n"));
        }
        for say in &node.say {
            out.push_str(&format!("say: \u{201c}{say}\u{201d}\n"));
        }
        for callout in &node.callouts {
            out.push_str(&format!("{}: {}\n", callout.kind.name(), callout.text));
        }
        if let Some(ask) = &node.ask {
            out.push_str(&format!("ask: {ask}\n"));
        }
        self.say_styled(&head, &out)
    }

    /// Seconds since the last step-start of `step`.
    fn elapsed(&self, step: &str) -> u64 {
        let started = self
            .events
            .iter()
            .rev()
            .find(|e| e.event == "step-start" && e.step.as_deref() == Some(step))
            .map(|e| e.time.clone())
            .unwrap_or_default();
        record::seconds_between(&started, &record::format_time(self.clock.now()))
    }

    /// Records how a step finished (`kind`), then `late` when it took
    /// longer than its `within:`.
    fn finish(
        &mut self,
        node: &Node,
        kind: &str,
        answer: Option<String>,
        to: &EdgeTo,
    ) -> Result<(), u8> {
        let seconds = self.elapsed(&node.id);
        let elapsed = Duration::from_seconds(seconds.into()).iso();
        let limit = node.within.map(|w| w.iso());
        self.record(kind, |e| {
            step_fields(e, node);
            e.answer = answer;
            e.to = Some(target_name(to));
            e.elapsed = Some(elapsed.clone());
        })?;
        if kind != "timeout"
            && node
                .within
                .is_some_and(|w| seconds > w.saturating_seconds())
        {
            self.record("late", |e| {
                step_fields(e, node);
                e.limit = limit;
                e.elapsed = Some(elapsed);
            })?;
        }
        Ok(())
    }

    /// Walks from step `at` to the end, a hand-off or a pause.
    fn walk(&mut self, mut at: String) -> Result<u8, u8> {
        let workflow = self.workflow;
        loop {
            let Some(node) = workflow.nodes.iter().find(|n| n.id == at) else {
                return Err(fail(format!("the procedure has no step {at}")));
            };
            self.record("step-start", |e| step_fields(e, node))?;
            self.show(node)?;
            let exits = Exits::of(workflow, &node.id);
            let next = match self.checklist(node)? {
                Err(code) => return Ok(code),
                Ok(Some(control)) => self.control(node, &exits, control)?,
                Ok(None) => self.conclude(node, &exits)?,
            };
            let next = match next {
                Ok(next) => next,
                Err(code) => return Ok(code),
            };
            match next {
                EdgeTo::Node(id) => at = id,
                EdgeTo::End => return self.end(None),
                EdgeTo::Sop(id) => {
                    self.record("handoff", |e| {
                        step_fields(e, node);
                        e.to = Some(format!("sop:{id}"));
                    })?;
                    return self.end(Some(id));
                }
            }
        }
    }

    /// Asks for each checklist item until all are ticked or overridden.
    /// `Ok(Err(code))` when the run stopped (end of input).
    fn checklist(&mut self, node: &Node) -> Result<Result<Option<Control>, u8>, u8> {
        let mut pending = checklist(node);
        let mut round = 0;
        while !pending.is_empty() {
            if round > 0 {
                self.say(&format!(
                    "{} item(s) not ticked; each is asked again (`override REASON` finishes the step without them)",
                    pending.len()
                ))?;
            }
            round += 1;
            let mut still = Vec::new();
            let mut items = pending.into_iter();
            while let Some(item) = items.next() {
                let Some(answer) = self.answer(&format!("[ ] {item} (y/n)"))? else {
                    return Ok(Err(self.interrupted(&node.id)?));
                };
                let (word, rest) = split_answer(&answer);
                match word.as_str() {
                    "y" | "yes" => self.tick(node, &item, "y", None)?,
                    "n" | "no" => {
                        self.tick(node, &item, "n", None)?;
                        still.push(item);
                    }
                    "override" if !rest.is_empty() => {
                        for item in std::iter::once(item).chain(still.drain(..)).chain(items) {
                            self.tick(node, &item, "override", Some(rest.clone()))?;
                        }
                        return Ok(Ok(None));
                    }
                    _ => match control(&word, &rest) {
                        Some(control) => return Ok(Ok(Some(control))),
                        None => {
                            self.say("answer y or n (or override REASON, skip REASON, pause)")?;
                            still.push(item);
                        }
                    },
                }
            }
            pending = still;
        }
        Ok(Ok(None))
    }

    fn tick(
        &mut self,
        node: &Node,
        item: &str,
        answer: &str,
        note: Option<String>,
    ) -> Result<(), u8> {
        self.record("checklist-item", |e| {
            step_fields(e, node);
            e.item = Some(item.into());
            e.answer = Some(answer.into());
            e.note = note;
        })
    }

    /// Acts on pause, skip or timeout; `Ok(Err(code))` when the run stops.
    fn control(
        &mut self,
        node: &Node,
        exits: &Exits<'_>,
        control: Control,
    ) -> Result<Result<EdgeTo, u8>, u8> {
        match control {
            Control::Pause => Ok(Err(self.paused(&node.id)?)),
            Control::Skip(reason) => {
                if node.kind == NodeKind::Decision {
                    self.say("a decision cannot be skipped: choose an option")?;
                    return self.conclude(node, exits);
                }
                let to = exits
                    .options
                    .first()
                    .map(|e| e.to.clone())
                    .unwrap_or(EdgeTo::End);
                self.finish(node, "step-skipped", Some(reason), &to)?;
                Ok(Ok(to))
            }
            Control::Timeout => match exits.timeout {
                Some(edge) => {
                    let to = edge.to.clone();
                    self.finish(node, "timeout", None, &to)?;
                    Ok(Ok(to))
                }
                None => {
                    self.say("this step has no `timeout ->` branch")?;
                    self.conclude(node, exits)
                }
            },
        }
    }

    /// Asks for `done` (a task) or an option (a decision).
    fn conclude(&mut self, node: &Node, exits: &Exits<'_>) -> Result<Result<EdgeTo, u8>, u8> {
        let decision = exits.options.len() > 1 || node.kind == NodeKind::Decision;
        let mut prompt = String::new();
        if decision {
            prompt.push_str("choose an option:");
            for (i, edge) in exits.options.iter().enumerate() {
                prompt.push_str(&format!(
                    "\n  {}. {} -> {}",
                    i + 1,
                    edge.when.as_deref().unwrap_or(""),
                    target_name(&edge.to)
                ));
            }
            prompt.push_str("\n  (or pause");
        } else {
            prompt.push_str("done, skip REASON or pause");
        }
        if exits.timeout.is_some() {
            prompt.push_str(if decision {
                ", timeout)"
            } else {
                ", or timeout"
            });
        } else if decision {
            prompt.push(')');
        }
        loop {
            if let (Some(within), Some(edge)) = (node.within, exits.timeout) {
                if self.elapsed(&node.id) > within.saturating_seconds() {
                    self.say(&format!(
                        "the time limit ({}) has passed: `timeout` goes to {}",
                        within.iso(),
                        target_name(&edge.to)
                    ))?;
                }
            }
            let Some(answer) = self.answer(&prompt)? else {
                return Ok(Err(self.interrupted(&node.id)?));
            };
            let (word, rest) = split_answer(&answer);
            if decision {
                let chosen = answer
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| exits.options.get(i))
                    .or_else(|| {
                        exits.options.iter().find(|e| {
                            e.when
                                .as_deref()
                                .is_some_and(|w| w.eq_ignore_ascii_case(answer.trim()))
                        })
                    });
                if let Some(edge) = chosen {
                    let to = edge.to.clone();
                    self.finish(node, "decision", edge.when.clone(), &to)?;
                    return Ok(Ok(to));
                }
            } else if word == "done" && rest.is_empty() {
                let to = exits
                    .options
                    .first()
                    .map(|e| e.to.clone())
                    .unwrap_or(EdgeTo::End);
                self.finish(node, "step-done", None, &to)?;
                return Ok(Ok(to));
            }
            match control(&word, &rest) {
                Some(Control::Skip(_)) if decision => {
                    self.say("a decision cannot be skipped: choose an option")?;
                }
                Some(Control::Timeout) if exits.timeout.is_none() => {
                    self.say("this step has no `timeout ->` branch")?;
                }
                Some(control) => return self.control(node, exits, control),
                None => self.say(&format!("not an answer here: {answer}"))?,
            }
        }
    }

    /// Records `end` and prints the summary.
    fn end(&mut self, handoff: Option<String>) -> Result<u8, u8> {
        let started = self
            .events
            .first()
            .map(|e| e.time.clone())
            .unwrap_or_default();
        let total = record::seconds_between(&started, &record::format_time(self.clock.now()));
        let total = Duration::from_seconds(total.into()).iso();
        self.record("end", |e| {
            e.elapsed = Some(total);
            e.to = handoff.as_ref().map(|id| format!("sop:{id}"));
        })?;
        let summary = summary(&self.events);
        self.say(&summary)?;
        Ok(EXIT_CLEAN)
    }
}

/// The summary of a run from its events: duration, path, late and
/// skipped steps.
pub(crate) fn summary(events: &[Event]) -> String {
    let mut out = String::new();
    let Some(first) = events.first() else {
        return out;
    };
    let last = events.last().unwrap_or(first);
    let ended = last.event == "end";
    out.push_str(&format!(
        "Run {} of {}: {}\n",
        first.run,
        first.sop,
        if ended { "ended" } else { "not ended" }
    ));
    if let Some(elapsed) = &last.elapsed.as_ref().filter(|_| ended) {
        out.push_str(&format!("Duration: {elapsed}\n"));
    }
    let mut path: Vec<String> = Vec::new();
    for e in events.iter().filter(|e| e.event == "step-start") {
        let step = e.step.clone().unwrap_or_default();
        if path.last() != Some(&step) {
            path.push(step);
        }
    }
    match (ended, &last.to) {
        (true, Some(to)) => path.push(format!("[[{}]]", to.trim_start_matches("sop:"))),
        (true, None) => path.push("end".into()),
        _ => {}
    }
    out.push_str(&format!("Path: {}\n", path.join(" -> ")));
    let late: Vec<String> = events
        .iter()
        .filter(|e| e.event == "late")
        .map(|e| {
            format!(
                "{} ({} over {})",
                e.step.as_deref().unwrap_or(""),
                e.elapsed.as_deref().unwrap_or(""),
                e.limit.as_deref().unwrap_or("")
            )
        })
        .collect();
    out.push_str(&format!(
        "Late: {}\n",
        if late.is_empty() {
            "none".into()
        } else {
            late.join(", ")
        }
    ));
    let skipped: Vec<String> = events
        .iter()
        .filter(|e| e.event == "step-skipped")
        .map(|e| {
            format!(
                "{} ({})",
                e.step.as_deref().unwrap_or(""),
                e.answer.as_deref().unwrap_or("")
            )
        })
        .collect();
    if !skipped.is_empty() {
        out.push_str(&format!("Skipped: {}\n", skipped.join(", ")));
    }
    if let Some(to) = last.to.as_ref().filter(|_| ended) {
        out.push_str(&format!(
            "Handed off to [[{}]]: run it with sop run on its file\n",
            to.trim_start_matches("sop:")
        ));
    }
    out
}

/// The step's id, title, roles and limit on an event.
fn step_fields(e: &mut Event, node: &Node) {
    e.step = Some(node.id.clone());
    e.title = Some(node.title.clone());
    e.role = (!node.roles.is_empty()).then(|| node.roles.join(", "));
    e.limit = node.within.map(|w| w.iso());
}

/// The first word of an answer, lowercased, and the rest.
fn split_answer(answer: &str) -> (String, String) {
    let answer = answer.trim();
    match answer.split_once(char::is_whitespace) {
        Some((word, rest)) => (word.to_lowercase(), rest.trim().to_string()),
        None => (answer.to_lowercase(), String::new()),
    }
}

fn control(word: &str, rest: &str) -> Option<Control> {
    match word {
        "pause" => Some(Control::Pause),
        "skip" if !rest.is_empty() => Some(Control::Skip(rest.to_string())),
        "timeout" => Some(Control::Timeout),
        _ => None,
    }
}
