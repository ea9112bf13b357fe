//! `sop run FILE [--as NAME] [--runs DIR]`, `sop run --resume RUN [--force]`
//!
//! Walks a procedure step by step and records the run (see docs/runs.md):
//! on a terminal as an interactive program ([`terminal`]), otherwise one
//! answer a line on standard input ([`operator::Lines`]).

mod operator;
mod terminal;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::diagnostics::Severity;
use crate::model::{EdgeTo, Node, NodeKind, Workflow};
use crate::report::{render as render_diagnostics, Format, Style};
use crate::runs::record::{self, Clock, Event, Writer};
use crate::runs::{checklist, plain_prose, sop_hash, target_name, Exits};
use crate::terminal::sanitize_lines_for_terminal;
use crate::values::{Date, Duration};
use crate::workspace::Workspace;

use super::{fail, print, ColorChoice, EXIT_CLEAN, EXIT_DIAGNOSTICS, EXIT_FAILURE};
use operator::{Answer, Limit, Lines, Operator, Question};

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
    /// Read one answer a line even on a terminal (no menus, no countdown).
    #[arg(long)]
    plain: bool,
    /// Colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

pub fn run(args: Args) -> u8 {
    match go(args) {
        Ok(code) | Err(code) => code,
    }
}

/// A run to start: a new one, or one a hand-off links to.
struct Begin {
    file: PathBuf,
    workspace: Workspace,
    workflow: Workflow,
    writer: Writer,
    run: String,
    /// The run that handed off to this one.
    parent: Option<String>,
    clock: Clock,
}

fn go(args: Args) -> Result<u8, u8> {
    let clock = Clock::from_env().map_err(fail)?;
    let color = args.color.enabled();
    let by = args.person.clone().unwrap_or_else(super::person);
    let interactive = !args.plain
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal()
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
    let mut operator: Box<dyn Operator> = if interactive {
        Box::new(terminal::Terminal::new(color))
    } else {
        Box::new(Lines::new(Box::new(std::io::stdin().lock()), color))
    };
    install_interrupt_handler();
    let dir_of = |workspace: &Workspace| {
        args.runs.clone().unwrap_or_else(|| {
            workspace
                .root()
                .map(|r| r.join("runs"))
                .unwrap_or_else(|| PathBuf::from("runs"))
        })
    };
    let mut next = match &args.resume {
        None => {
            let file = args.file.clone().unwrap_or_default();
            let (workspace, workflow) = load(&file, args.color)?;
            let dir = dir_of(&workspace);
            let (run, writer) = create(&dir, &workflow, clock.now())?;
            start(
                Begin {
                    file,
                    workspace,
                    workflow,
                    writer,
                    run,
                    parent: None,
                    clock,
                },
                &by,
                color,
                operator.as_mut(),
                &dir_of,
            )?
        }
        Some(run) => {
            let path = find_record(run, args.runs.as_deref()).map_err(fail)?;
            resume(&path, &args, clock, &by, color, operator.as_mut(), &dir_of)?
        }
    };
    // A hand-off the operator chose to follow starts the next run here.
    loop {
        match next {
            Next::Exit(code) => return Ok(code),
            Next::Begin(begin) => {
                next = start(*begin, &by, color, operator.as_mut(), &dir_of)?;
            }
        }
    }
}

/// What comes after a run.
enum Next {
    Exit(u8),
    Begin(Box<Begin>),
}

/// A new record for a run of `workflow` in `dir`, under a fresh id.
fn create(dir: &Path, workflow: &Workflow, now: jiff::Timestamp) -> Result<(String, Writer), u8> {
    // A new id until the name is free: a record is never overwritten.
    let mut attempts = 0;
    loop {
        let run = record::run_id(now, &workflow.id);
        match Writer::create(&dir.join(format!("{run}.jsonl"))) {
            Ok(w) => return Ok((run, w)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempts < 100 => {
                attempts += 1;
            }
            Err(e) => return Err(fail(format!("{}: {e}", dir.display()))),
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
    begin: Begin,
    by: &str,
    color: bool,
    operator: &mut dyn Operator,
    dir_of: &dyn Fn(&Workspace) -> PathBuf,
) -> Result<Next, u8> {
    let Begin {
        file,
        workspace,
        workflow,
        writer,
        run,
        parent,
        clock,
    } = begin;
    let Some(first) = workflow.start.clone() else {
        return Err(fail(format!(
            "{} has no steps; nothing to run",
            file.display()
        )));
    };
    let base = Event {
        run,
        sop: workflow.id.clone(),
        version: workflow.meta.version.clone(),
        sop_hash: sop_hash(&workflow),
        by: by.to_string(),
        ..Event::default()
    };
    let mut session = Session::new(
        &workflow,
        &workspace,
        writer,
        clock,
        base,
        Vec::new(),
        color,
        operator,
    );
    let shown = file
        .canonicalize()
        .unwrap_or_else(|_| file.to_path_buf())
        .to_string_lossy()
        .into_owned();
    session.record("start", |e| {
        e.title = Some(workflow.title.clone());
        e.file = Some(shown);
        e.linked = parent.clone();
    })?;
    let path = session.recorder().writer.path().display().to_string();
    let rest = match &parent {
        Some(parent) => format!(
            "Run {} by {}, handed off from run {parent}; the record is {path}\n",
            session.base.run, session.base.by
        ),
        None => format!(
            "Run {} by {}; the record is {path}\n",
            session.base.run, session.base.by
        ),
    };
    session.say_styled(
        &session.bold(&format!("{} {}", workflow.id, workflow.title)),
        &rest,
    )?;
    session.walk(first, Vec::new(), dir_of)
}

fn resume(
    path: &Path,
    args: &Args,
    clock: Clock,
    by: &str,
    color: bool,
    operator: &mut dyn Operator,
    dir_of: &dyn Fn(&Workspace) -> PathBuf,
) -> Result<Next, u8> {
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
    let (workspace, workflow) = load(&file, args.color)?;
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
    // The checklist items of that step already ticked stay ticked.
    let ticked = ticked_since_start(&read.events, &at);
    let writer =
        Writer::append(path, &read).map_err(|e| fail(format!("{}: {e}", path.display())))?;
    let base = Event {
        run: first.run.clone(),
        sop: workflow.id.clone(),
        version: workflow.meta.version.clone(),
        sop_hash: now_hash,
        by: by.to_string(),
        ..Event::default()
    };
    let mut session = Session::new(
        &workflow,
        &workspace,
        writer,
        clock,
        base,
        read.events,
        color,
        operator,
    );
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
    session.walk(at, ticked, dir_of)
}

/// The checklist items of `step` answered `y` since it last started.
fn ticked_since_start(events: &[Event], step: &str) -> Vec<String> {
    let from = events
        .iter()
        .rposition(|e| e.event == "step-start" && e.step.as_deref() == Some(step));
    let Some(from) = from else {
        return Vec::new();
    };
    events[from..]
        .iter()
        .filter(|e| {
            e.event == "checklist-item"
                && e.step.as_deref() == Some(step)
                && e.answer.as_deref() == Some("y")
        })
        .filter_map(|e| e.item.clone())
        .collect()
}

/// What writes the record, shared with the Ctrl-C handler so that an
/// interruption is recorded between two events, never inside one.
struct Recorder {
    writer: Writer,
    clock: Clock,
    base: Event,
    /// The step under way.
    step: Option<String>,
    /// Whether the run is under way (not paused or ended).
    open: bool,
    interactive: bool,
}

impl Recorder {
    fn write(&mut self, kind: &str, fill: impl FnOnce(&mut Event)) -> std::io::Result<Event> {
        let mut event = Event {
            time: record::format_time(self.clock.now()),
            event: kind.into(),
            ..self.base.clone()
        };
        fill(&mut event);
        self.writer.write(event)
    }
}

/// The run under way, for the Ctrl-C handler.
static ACTIVE: Mutex<Option<Arc<Mutex<Recorder>>>> = Mutex::new(None);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Ctrl-C (and SIGTERM, SIGHUP) pause the run under way: the pause is
/// recorded after the event being written, and sop exits 2.
fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        let _ = crossterm::terminal::disable_raw_mode();
        if let Some(recorder) = lock(&ACTIVE).clone() {
            // Held until the process exits, so that nothing is recorded
            // after the pause.
            let mut recorder = lock(&recorder);
            interrupted(&mut recorder);
            std::process::exit(i32::from(EXIT_FAILURE));
        }
        std::process::exit(i32::from(EXIT_FAILURE));
    });
}

/// Records that the run was interrupted at its step and says how to go on.
fn interrupted(recorder: &mut Recorder) {
    // The terminal may be gone (a closed window hangs up): nothing here may
    // panic on a failed write, or the process would never exit; and the
    // menu may hold standard output's lock, so the cursor comes back
    // through standard error (the same terminal).
    use std::io::Write as _;
    if recorder.interactive {
        let _ = write!(std::io::stderr(), "\u{1b}[?25h");
    }
    if !recorder.open {
        return;
    }
    recorder.open = false;
    let step = recorder.step.clone();
    let written = recorder.write("pause", |e| {
        e.step = step.clone();
        e.note = Some("interrupted".into());
    });
    let run = recorder.base.run.clone();
    let at = step.map(|s| format!(" at step {s}")).unwrap_or_default();
    let _ = match written {
        Ok(_) => writeln!(
            std::io::stderr(),
            "\nsop: interrupted{at}; the run is paused. Resume it with: sop run --resume {run}"
        ),
        Err(e) => writeln!(
            std::io::stderr(),
            "\nsop: interrupted{at}; the pause could not be recorded ({e}). Resume it with: sop run --resume {run}"
        ),
    };
}

/// A run under way.
struct Session<'a> {
    workflow: &'a Workflow,
    workspace: &'a Workspace,
    /// Step id → index in `workflow.nodes`.
    steps: HashMap<&'a str, usize>,
    recorder: Arc<Mutex<Recorder>>,
    base: Event,
    events: Vec<Event>,
    operator: &'a mut dyn Operator,
    color: bool,
}

/// How a step ended: where the run goes, or that it stops (exit code).
type Flow = Result<EdgeTo, u8>;

impl<'a> Session<'a> {
    #[allow(clippy::too_many_arguments)]
    fn new(
        workflow: &'a Workflow,
        workspace: &'a Workspace,
        writer: Writer,
        clock: Clock,
        base: Event,
        events: Vec<Event>,
        color: bool,
        operator: &'a mut dyn Operator,
    ) -> Session<'a> {
        let recorder = Arc::new(Mutex::new(Recorder {
            writer,
            clock,
            base: base.clone(),
            step: None,
            open: true,
            interactive: operator.interactive(),
        }));
        *lock(&ACTIVE) = Some(recorder.clone());
        Session {
            workflow,
            workspace,
            steps: workflow
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.id.as_str(), i))
                .collect(),
            recorder,
            base,
            events,
            operator,
            color,
        }
    }

    fn recorder(&self) -> MutexGuard<'_, Recorder> {
        lock(&self.recorder)
    }

    fn now(&self) -> jiff::Timestamp {
        self.recorder().clock.now()
    }

    /// Appends an event of kind `kind`, filled in by `fill`.
    fn record(&mut self, kind: &str, fill: impl FnOnce(&mut Event)) -> Result<(), u8> {
        let written = {
            let mut recorder = lock(&self.recorder);
            let written = recorder
                .write(kind, fill)
                .map_err(|e| fail(format!("{}: {e}", recorder.writer.path().display())))?;
            match kind {
                "pause" | "end" => recorder.open = false,
                "step-start" => recorder.step = written.step.clone(),
                _ => {}
            }
            written
        };
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

    /// Asks `question` of the operator; the test clock moves on with each
    /// answer.
    fn ask(&mut self, question: &Question<'_>, node: &Node) -> Result<Answer, u8> {
        let limit = self.limit(node);
        let recorder = self.recorder.clone();
        let now = move || lock(&recorder).clock.now();
        let answer = self
            .operator
            .ask(question, limit.as_ref(), &now)
            .map_err(|e| fail(format!("cannot read the answers: {e}")))?;
        if answer != Answer::EndOfInput {
            self.recorder().clock.tick();
        }
        Ok(answer)
    }

    fn limit(&self, node: &Node) -> Option<Limit> {
        let timeout_to = Exits::of(self.workflow, &node.id)
            .timeout
            .map(|e| target_name(&e.to));
        if node.within.is_none() && timeout_to.is_none() {
            return None;
        }
        let started = self
            .events
            .iter()
            .rev()
            .find(|e| e.event == "step-start" && e.step.as_deref() == Some(&node.id))
            .and_then(|e| e.time.parse().ok())
            .unwrap_or_else(|| self.now());
        Some(Limit {
            started,
            within: node.within.map(|w| w.saturating_seconds()),
            shown: node.within.map(|w| w.iso()).unwrap_or_default(),
            timeout_to,
        })
    }

    /// The end of the input: the run is paused, exit 2.
    fn end_of_input(&mut self, step: &str) -> Result<u8, u8> {
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

    /// Ctrl-C on the interactive terminal: as the signal handler does.
    fn interrupt(&mut self) -> u8 {
        interrupted(&mut lock(&self.recorder));
        EXIT_FAILURE
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
        record::seconds_between(&started, &record::format_time(self.now()))
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

    /// Walks from step `at` (with the checklist items `ticked` already) to
    /// the end, a hand-off or a pause.
    fn walk(
        &mut self,
        mut at: String,
        mut ticked: Vec<String>,
        dir_of: &dyn Fn(&Workspace) -> PathBuf,
    ) -> Result<Next, u8> {
        let workflow = self.workflow;
        loop {
            let Some(node) = self.steps.get(at.as_str()).map(|&i| &workflow.nodes[i]) else {
                return Err(fail(format!("the procedure has no step {at}")));
            };
            self.record("step-start", |e| step_fields(e, node))?;
            self.show(node)?;
            let exits = Exits::of(workflow, &node.id);
            let next = match self.checklist(node, std::mem::take(&mut ticked))? {
                Ok(None) => self.conclude(node, &exits)?,
                Ok(Some(control)) => self.control(node, &exits, control)?,
                Err(code) => return Ok(Next::Exit(code)),
            };
            let next = match next {
                Ok(next) => next,
                Err(code) => return Ok(Next::Exit(code)),
            };
            match next {
                EdgeTo::Node(id) => at = id,
                EdgeTo::End => return self.end(None, None),
                EdgeTo::Sop(id) => {
                    self.record("handoff", |e| {
                        step_fields(e, node);
                        e.to = Some(format!("sop:{id}"));
                    })?;
                    let begin = self.follow(node, &id, dir_of)?;
                    return self.end(Some(id), begin);
                }
            }
        }
    }

    /// Offers to start a run of the SOP `id` a hand-off goes to; the new
    /// run's record is created here, so this run's end can name it.
    fn follow(
        &mut self,
        node: &Node,
        id: &str,
        dir_of: &dyn Fn(&Workspace) -> PathBuf,
    ) -> Result<Option<Box<Begin>>, u8> {
        let file = self
            .workspace
            .index()
            .ok()
            .and_then(|index| index.files_with_id(id).next().map(Path::to_path_buf));
        let Some(file) = file else {
            self.say(&format!(
                "[[{id}]] is not a file of this project; run it with sop run on its file"
            ))?;
            return Ok(None);
        };
        let (workspace, workflow) = match load(&file, ColorChoice::Never) {
            Ok(loaded) => loaded,
            Err(_) => {
                self.say(&format!(
                    "[[{id}]] ({}) has errors; fix them, then run it with sop run",
                    file.display()
                ))?;
                return Ok(None);
            }
        };
        let question = Question::HandOff {
            id: id.to_string(),
            title: workflow.title.clone(),
        };
        loop {
            match self.ask(&question, node)? {
                Answer::Tick(_) => break,
                Answer::No | Answer::EndOfInput => return Ok(None),
                Answer::Interrupt => return Err(self.interrupt()),
                other => self.say(&format!("answer y or n, not {}", shown(&other)))?,
            }
        }
        let dir = dir_of(&workspace);
        let (run, writer) = create(&dir, &workflow, self.now())?;
        Ok(Some(Box::new(Begin {
            file,
            workspace,
            workflow,
            writer,
            run,
            parent: Some(self.base.run.clone()),
            clock: self.recorder().clock,
        })))
    }

    /// Asks for each checklist item until all are ticked or overridden;
    /// `ticked` are the items ticked before (a resumed step).
    /// `Ok(Some(control))` when the operator skips, pauses or takes the
    /// timeout instead, `Err(code)` when the run stopped.
    fn checklist(
        &mut self,
        node: &Node,
        ticked: Vec<String>,
    ) -> Result<Result<Option<Answer>, u8>, u8> {
        let items = checklist(node);
        let mut done: Vec<bool> = items.iter().map(|i| ticked.contains(i)).collect();
        let Some(mut at) = done.iter().position(|d| !d) else {
            return Ok(Ok(None));
        };
        loop {
            let question = Question::Item {
                items: &items,
                ticked: &done,
                at,
            };
            let answer = self.ask(&question, node)?;
            let mut next_from = at;
            match answer {
                Answer::Tick(i) if i < items.len() && !done[i] => {
                    self.tick(node, &items[i], "y", None)?;
                    done[i] = true;
                    next_from = i;
                }
                Answer::No => self.tick(node, &items[at], "n", None)?,
                Answer::Override(reason) => {
                    // The item asked about first, then the others in order.
                    let rest = (0..items.len()).filter(|&i| i != at && !done[i]);
                    for i in std::iter::once(at).chain(rest.collect::<Vec<_>>()) {
                        self.tick(node, &items[i], "override", Some(reason.clone()))?;
                    }
                    return Ok(Ok(None));
                }
                Answer::EndOfInput => return Ok(Err(self.end_of_input(&node.id)?)),
                Answer::Interrupt => return Ok(Err(self.interrupt())),
                control @ (Answer::Skip(_) | Answer::Pause | Answer::Timeout) => {
                    return Ok(Ok(Some(control)))
                }
                _ => {
                    self.say("answer y or n (or override REASON, skip REASON, pause)")?;
                    continue;
                }
            }
            // The next item not ticked, after this one; back to the first
            // once past the last.
            let n = items.len();
            let Some(next) = (1..=n).map(|k| (next_from + k) % n).find(|&i| !done[i]) else {
                return Ok(Ok(None));
            };
            if next <= next_from && !self.operator.interactive() {
                self.say(&format!(
                    "{} item(s) not ticked; each is asked again (`override REASON` finishes the step without them)",
                    done.iter().filter(|d| !**d).count()
                ))?;
            }
            at = next;
        }
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

    /// Acts on pause, skip or timeout.
    fn control(&mut self, node: &Node, exits: &Exits<'_>, control: Answer) -> Result<Flow, u8> {
        let decision = is_decision(node, exits);
        match control {
            Answer::Pause => Ok(Err(self.paused(&node.id)?)),
            Answer::Skip(_) if decision => {
                self.say("a decision cannot be skipped: choose an option")?;
                self.conclude(node, exits)
            }
            Answer::Skip(reason) => {
                let to = exits
                    .options
                    .first()
                    .map(|e| e.to.clone())
                    .unwrap_or(EdgeTo::End);
                self.finish(node, "step-skipped", Some(reason), &to)?;
                Ok(Ok(to))
            }
            Answer::Timeout => match exits.timeout {
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
            _ => self.conclude(node, exits),
        }
    }

    /// Asks for `done` (a task) or an option (a decision).
    fn conclude(&mut self, node: &Node, exits: &Exits<'_>) -> Result<Flow, u8> {
        let question = if is_decision(node, exits) {
            Question::Decision {
                options: exits
                    .options
                    .iter()
                    .map(|e| (e.when.clone().unwrap_or_default(), target_name(&e.to)))
                    .collect(),
            }
        } else {
            Question::Task
        };
        loop {
            if let (Some(within), Some(edge), false) =
                (node.within, exits.timeout, self.operator.interactive())
            {
                if self.elapsed(&node.id) > within.saturating_seconds() {
                    self.say(&format!(
                        "the time limit ({}) has passed: `timeout` goes to {}",
                        within.iso(),
                        target_name(&edge.to)
                    ))?;
                }
            }
            match self.ask(&question, node)? {
                Answer::Choose(i) => {
                    if let Some(edge) = exits.options.get(i) {
                        let to = edge.to.clone();
                        self.finish(node, "decision", edge.when.clone(), &to)?;
                        return Ok(Ok(to));
                    }
                }
                Answer::Done => {
                    let to = exits
                        .options
                        .first()
                        .map(|e| e.to.clone())
                        .unwrap_or(EdgeTo::End);
                    self.finish(node, "step-done", None, &to)?;
                    return Ok(Ok(to));
                }
                Answer::EndOfInput => return Ok(Err(self.end_of_input(&node.id)?)),
                Answer::Interrupt => return Ok(Err(self.interrupt())),
                Answer::Skip(_) if matches!(question, Question::Decision { .. }) => {
                    self.say("a decision cannot be skipped: choose an option")?;
                }
                Answer::Timeout if exits.timeout.is_none() => {
                    self.say("this step has no `timeout ->` branch")?;
                }
                control @ (Answer::Skip(_) | Answer::Pause | Answer::Timeout) => {
                    return self.control(node, exits, control)
                }
                other => self.say(&format!("not an answer here: {}", shown(&other)))?,
            }
        }
    }

    /// Records `end` and prints the summary; `begin` is the run started
    /// for the hand-off, if the operator chose to.
    fn end(&mut self, handoff: Option<String>, begin: Option<Box<Begin>>) -> Result<Next, u8> {
        let started = self
            .events
            .first()
            .map(|e| e.time.clone())
            .unwrap_or_default();
        let total = record::seconds_between(&started, &record::format_time(self.now()));
        let total = Duration::from_seconds(total.into()).iso();
        let linked = begin.as_ref().map(|b| b.run.clone());
        self.record("end", |e| {
            e.elapsed = Some(total);
            e.to = handoff.as_ref().map(|id| format!("sop:{id}"));
            e.linked = linked;
        })?;
        let summary = summary(&self.events);
        self.say(&summary)?;
        Ok(match begin {
            Some(begin) => Next::Begin(begin),
            None => Next::Exit(EXIT_CLEAN),
        })
    }
}

fn is_decision(node: &Node, exits: &Exits<'_>) -> bool {
    exits.options.len() > 1 || node.kind == NodeKind::Decision
}

/// An answer as the operator typed it, for "not an answer here".
fn shown(answer: &Answer) -> String {
    match answer {
        Answer::Unknown(text) => text.clone(),
        Answer::Done => "done".into(),
        Answer::Tick(_) => "y".into(),
        Answer::No => "n".into(),
        Answer::Override(r) => format!("override {r}"),
        Answer::Skip(r) => format!("skip {r}"),
        Answer::Pause => "pause".into(),
        Answer::Timeout => "timeout".into(),
        Answer::Choose(i) => (i + 1).to_string(),
        Answer::EndOfInput | Answer::Interrupt => String::new(),
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
