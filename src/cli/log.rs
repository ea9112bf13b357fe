//! `sop log show RUN`, `sop log verify RUN…`: read run records.

use std::path::PathBuf;

use crate::runs::record::{self, Event};
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
        /// Records' paths, or run ids in the runs directory.
        #[arg(required = true)]
        run: Vec<String>,
        /// Where the records are (default: `runs/` at the project root).
        #[arg(long, value_name = "DIR")]
        runs: Option<PathBuf>,
    },
}

pub fn run(args: Args) -> u8 {
    match args.command {
        LogCommand::Show { run, runs } => show(&run, runs),
        LogCommand::Verify { run, runs } => verify(&run, runs),
    }
}

fn verify(runs: &[String], dir: Option<PathBuf>) -> u8 {
    let mut code = EXIT_CLEAN;
    for run in runs {
        let path = match find_record(run, dir.as_deref()) {
            Ok(path) => path,
            Err(e) => {
                fail(e);
                code = EXIT_FAILURE;
                continue;
            }
        };
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
                if code == EXIT_CLEAN {
                    code = EXIT_DIAGNOSTICS;
                }
            }
        }
    }
    code
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
