//! `sop log show RUN`, `sop log verify RUN…`, `sop log export RUN…`,
//! `sop log report RUN…`: read run records.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::output::write_atomic_with;
use crate::runs::record::{self, Broken, Checked, Event};
use crate::runs::report::Report;
use crate::runs::{csv, xes};
use crate::terminal::sanitize_lines_for_terminal;

use super::run::{find_record, summary};
use super::{fail, print, EXIT_CLEAN, EXIT_DIAGNOSTICS, EXIT_FAILURE};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: LogCommand,
}

#[derive(Debug, clap::Subcommand)]
enum LogCommand {
    /// Print a run as a readable timeline.
    Show {
        /// A record's path, or a run id in the runs directory.
        run: String,
        /// Where the records are (default: `runs/` at the project root).
        #[arg(long, value_name = "DIR")]
        runs: Option<PathBuf>,
    },
    /// Check the records' hash chains and sequence numbers; exit 1 naming
    /// the first broken line.
    Verify {
        /// Records' paths, run ids in the runs directory, or directories
        /// (every `*.jsonl` in them).
        #[arg(required = true)]
        run: Vec<String>,
        /// Where the records are (default: `runs/` at the project root).
        #[arg(long, value_name = "DIR")]
        runs: Option<PathBuf>,
    },
    /// Export runs as an XES event log (process mining) or as CSV
    /// (spreadsheets).
    Export {
        /// Records' paths, run ids in the runs directory, or directories
        /// (every `*.jsonl` in them).
        #[arg(required = true)]
        run: Vec<String>,
        /// Output format.
        #[arg(long, value_enum)]
        to: ExportFormat,
        /// The file to write; `-` for standard output.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// CSV without the UTF-8 byte order mark.
        #[arg(long)]
        no_bom: bool,
        /// Where the records are (default: `runs/` at the project root).
        #[arg(long, value_name = "DIR")]
        runs: Option<PathBuf>,
    },
    /// Per step of each SOP: the runs that reached it, its time against its
    /// limit, how often it was late or skipped, the options its decisions
    /// took.
    Report {
        /// Records' paths, run ids in the runs directory, or directories
        /// (every `*.jsonl` in them).
        #[arg(required = true)]
        run: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
        format: ReportFormat,
        /// Where the records are (default: `runs/` at the project root).
        #[arg(long, value_name = "DIR")]
        runs: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExportFormat {
    /// IEEE 1849-2016 XES: a trace per run, an event per start and finish
    /// of a step.
    Xes,
    /// RFC 4180 CSV: a row per event, a column per key.
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    /// Tables for people.
    Human,
    /// One JSON document, for programs.
    Json,
}

pub fn run(args: Args) -> u8 {
    match args.command {
        LogCommand::Show { run, runs } => show(&run, runs),
        LogCommand::Verify { run, runs } => verify(&run, runs),
        LogCommand::Export {
            run,
            to,
            output,
            no_bom,
            runs,
        } => export(&run, runs.as_deref(), to, &output, !no_bom),
        LogCommand::Report { run, format, runs } => report(&run, runs.as_deref(), format),
    }
}

fn verify(runs: &[String], dir: Option<PathBuf>) -> u8 {
    let mut code = EXIT_CLEAN;
    let (paths, missing) = records(runs, dir.as_deref());
    for e in missing {
        fail(e);
        code = EXIT_FAILURE;
    }
    for path in paths {
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                fail(format!("{}: {e}", path.display()));
                code = EXIT_FAILURE;
                continue;
            }
        };
        match record::verify(&bytes) {
            Ok(lines) => {
                let _ = print(&format!("{}: intact, {lines} events\n", path.display()));
            }
            Err(broken) => {
                say_broken(&path, &broken);
                if code == EXIT_CLEAN {
                    code = EXIT_DIAGNOSTICS;
                }
            }
        }
    }
    code
}

/// `FILE:LINE: line LINE <what is wrong>` on stderr.
fn say_broken(path: &Path, broken: &Broken) {
    eprintln!(
        "{}",
        sanitize_lines_for_terminal(&format!(
            "{}:{}: line {} {}",
            path.display(),
            broken.line,
            broken.line,
            broken.what
        ))
    );
}

/// The records named on the command line, each once, in the order named: a
/// record's path, a run id in the runs directory, or a directory, which
/// stands for every `*.jsonl` file in it (not in its subdirectories), by
/// name, so oldest run first. Also what could not be found.
fn records(runs: &[String], dir: Option<&Path>) -> (Vec<PathBuf>, Vec<String>) {
    let mut paths = Vec::new();
    let mut missing = Vec::new();
    let mut seen = HashSet::new();
    let mut add = |path: PathBuf, paths: &mut Vec<PathBuf>| {
        let key = path.canonicalize().unwrap_or_else(|_| path.clone());
        if seen.insert(key) {
            paths.push(path);
        }
    };
    for run in runs {
        let as_dir = Path::new(run);
        if as_dir.is_dir() {
            match jsonl_files(as_dir) {
                Ok(files) if files.is_empty() => missing.push(format!(
                    "{}: no run records (*.jsonl) in this directory",
                    as_dir.display()
                )),
                Ok(files) => files.into_iter().for_each(|f| add(f, &mut paths)),
                Err(e) => missing.push(format!("{}: {e}", as_dir.display())),
            }
            continue;
        }
        match find_record(run, dir) {
            Ok(path) => add(path, &mut paths),
            Err(e) => missing.push(e),
        }
    }
    (paths, missing)
}

/// The `*.jsonl` files directly in `dir`, sorted by name.
fn jsonl_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "jsonl") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Why a record could not be used.
enum Trouble {
    /// It cannot be read: exit 2.
    Io(String),
    /// A line is broken: exit 1.
    Broken(Broken),
}

/// Reads and checks a record (its first `limit` lines, when given).
fn load(path: &Path, limit: Option<usize>) -> Result<Checked, Trouble> {
    let bytes = std::fs::read(path).map_err(|e| Trouble::Io(format!("{}: {e}", path.display())))?;
    record::check(&bytes, limit).map_err(Trouble::Broken)
}

/// The records behind `runs`, checked; `Err(exit code)` after saying on
/// stderr what is wrong with them: exit 2 when one is missing or cannot
/// be read, or two are of the same run; 1 when one is broken. A last line
/// cut short is left out, with a note. `each` sees every record's events.
fn check_all(
    runs: &[String],
    dir: Option<&Path>,
    what: &str,
    mut each: impl FnMut(&[Event]),
) -> Result<Vec<(PathBuf, usize)>, u8> {
    let (paths, missing) = records(runs, dir);
    let mut code = EXIT_CLEAN;
    for e in missing {
        fail(e);
        code = EXIT_FAILURE;
    }
    let mut checked = Vec::new();
    let mut broken = 0;
    let mut runs_seen: HashMap<String, PathBuf> = HashMap::new();
    for path in paths {
        match load(&path, None) {
            Ok(record) => {
                if let Some(line) = record.incomplete {
                    eprintln!(
                        "{}",
                        sanitize_lines_for_terminal(&format!(
                            "sop: {}:{line}: the last line is incomplete (a write was cut short); it is left out",
                            path.display()
                        ))
                    );
                }
                let Some(run) = record.events.first().map(|e| e.run.clone()) else {
                    continue;
                };
                if let Some(other) = runs_seen.get(&run) {
                    fail(format!(
                        "{} and {} are both records of run {run}; name each run once",
                        other.display(),
                        path.display()
                    ));
                    code = EXIT_FAILURE;
                    continue;
                }
                runs_seen.insert(run, path.clone());
                each(&record.events);
                checked.push((path, record.events.len()));
            }
            Err(Trouble::Io(e)) => {
                fail(e);
                code = EXIT_FAILURE;
            }
            Err(Trouble::Broken(b)) => {
                say_broken(&path, &b);
                broken += 1;
            }
        }
    }
    if code == EXIT_CLEAN && broken > 0 {
        eprintln!(
            "sop: {what}: {broken} broken {} (`sop log verify` checks records)",
            if broken == 1 { "record" } else { "records" }
        );
        code = EXIT_DIAGNOSTICS;
    }
    match code {
        EXIT_CLEAN => Ok(checked),
        code => Err(code),
    }
}

fn export(runs: &[String], dir: Option<&Path>, to: ExportFormat, out: &Path, bom: bool) -> u8 {
    if !bom && to != ExportFormat::Csv {
        return fail("--no-bom goes with --to csv");
    }
    let mut activities = xes::Activities::default();
    let checked = match check_all(runs, dir, "nothing was exported", |events| {
        if to == ExportFormat::Xes {
            activities.learn(events);
        }
    }) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    let names = activities.names();
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        match to {
            ExportFormat::Xes => xes::head(w)?,
            ExportFormat::Csv => csv::head(w, bom)?,
        }
        for (path, lines) in &checked {
            // The same lines as checked: a run still under way may have
            // grown since, and a record changed since is refused.
            let events = match load(path, Some(*lines)) {
                Ok(record) if record.events.len() == *lines => record.events,
                _ => {
                    return Err(std::io::Error::other(format!(
                        "{} changed while it was being exported",
                        path.display()
                    )))
                }
            };
            match to {
                ExportFormat::Xes => xes::trace(w, &events, &names)?,
                ExportFormat::Csv => csv::rows(w, &events)?,
            }
        }
        if to == ExportFormat::Xes {
            xes::tail(w)?;
        }
        Ok(())
    };
    if out == Path::new("-") {
        let stdout = std::io::stdout();
        let mut lock = std::io::BufWriter::new(stdout.lock());
        return match write(&mut lock).and_then(|()| lock.flush()) {
            Ok(()) => EXIT_CLEAN,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_CLEAN,
            Err(e) => fail(format!("cannot write the output: {e}")),
        };
    }
    let target = out.canonicalize().ok();
    if let Some((path, _)) = checked
        .iter()
        .find(|(path, _)| path.canonicalize().ok() == target && target.is_some())
    {
        return fail(format!(
            "{}: is the run record {} itself; write the export elsewhere",
            out.display(),
            path.display()
        ));
    }
    match write_atomic_with(out, write) {
        Ok(()) => EXIT_CLEAN,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => fail(format!(
            "{}: {e}; to write to standard output, use -o -",
            out.display()
        )),
        Err(e) => fail(format!("{}: {e}", out.display())),
    }
}

fn report(runs: &[String], dir: Option<&Path>, format: ReportFormat) -> u8 {
    let mut report = Report::default();
    if let Err(code) = check_all(runs, dir, "no report", |events| report.add(events)) {
        return code;
    }
    let text = match format {
        ReportFormat::Human => sanitize_lines_for_terminal(&report.human()).into_owned(),
        ReportFormat::Json => report.json(),
    };
    match print(&text) {
        Ok(()) => EXIT_CLEAN,
        Err(e) => fail(format!("cannot write the output: {e}")),
    }
}

fn show(run: &str, dir: Option<PathBuf>) -> u8 {
    let path = match find_record(run, dir.as_deref()) {
        Ok(path) => path,
        Err(e) => return fail(e),
    };
    let read = match record::read(&path) {
        Ok(read) => read,
        Err(e) => return fail(e),
    };
    let mut out = timeline(&read.events);
    if let Some(line) = read.incomplete {
        out.push_str(&format!(
            "(line {line} is incomplete: a write was cut short)\n"
        ));
    }
    match print(&sanitize_lines_for_terminal(&out)) {
        Ok(()) => EXIT_CLEAN,
        Err(e) => fail(format!("cannot write the output: {e}")),
    }
}

/// A run's events as a timeline, a line each, then the summary.
pub(crate) fn timeline(events: &[Event]) -> String {
    let mut out = String::new();
    let Some(first) = events.first() else {
        return out;
    };
    out.push_str(&format!(
        "Run {}\nSOP {}{}: {}\nSHA-256 {}\n\n",
        first.run,
        first.sop,
        first
            .version
            .as_deref()
            .map(|v| format!(" version {v}"))
            .unwrap_or_default(),
        first.title.as_deref().unwrap_or(""),
        first.sop_hash
    ));
    let mut day = "";
    for e in events {
        let date = e.time.get(..10).unwrap_or("");
        if date != day {
            out.push_str(&format!("{date}\n"));
            day = date;
        }
        let time = e.time.get(11..19).unwrap_or(&e.time);
        let step = e.step.as_deref().unwrap_or("");
        let or = |v: &Option<String>| v.clone().unwrap_or_default();
        let what = match e.event.as_str() {
            "start" => format!("start, by {}", e.by),
            "step-start" => {
                let mut s = format!("step {step}: {}", or(&e.title));
                if let Some(role) = &e.role {
                    s.push_str(&format!(" (role: {role})"));
                }
                if let Some(limit) = &e.limit {
                    s.push_str(&format!(" (within {limit})"));
                }
                s
            }
            "checklist-item" => {
                let mark = match e.answer.as_deref() {
                    Some("y") => "[x]",
                    Some("override") => "[!]",
                    _ => "[ ]",
                };
                let mut s = format!("  {mark} {}", or(&e.item));
                if let Some(note) = &e.note {
                    s.push_str(&format!(" (overridden: {note})"));
                }
                s
            }
            "step-done" => format!("  done after {}", or(&e.elapsed)),
            "step-skipped" => format!("  skipped after {}: {}", or(&e.elapsed), or(&e.answer)),
            "decision" => format!(
                "  chose \u{201c}{}\u{201d} -> {} after {}",
                or(&e.answer),
                or(&e.to),
                or(&e.elapsed)
            ),
            "late" => format!("  late: {} over {}", or(&e.elapsed), or(&e.limit)),
            "timeout" => format!(
                "  timed out after {} (limit {}) -> {}",
                or(&e.elapsed),
                or(&e.limit),
                or(&e.to)
            ),
            "handoff" => format!("hand-off to {}", or(&e.to)),
            "pause" => match &e.note {
                Some(note) => format!("paused at {step} ({note}), by {}", e.by),
                None => format!("paused at {step}, by {}", e.by),
            },
            "resume" => match &e.note {
                Some(note) => format!("resumed at {step}, by {} ({note})", e.by),
                None => format!("resumed at {step}, by {}", e.by),
            },
            "end" => format!("end after {}", or(&e.elapsed)),
            other => other.to_string(),
        };
        out.push_str(&format!("  {time}  {what}\n"));
    }
    out.push('\n');
    out.push_str(&summary(events));
    out
}
