//! The command line: one file per subcommand.

mod check;
mod diff;
mod diff_git;
mod explain;
mod fmt;
mod handbook;
mod log;
mod lsp;
mod new;
mod parse;
mod render;
mod revise;
mod run;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::values::Date;

/// Exit code: no errors (and, under `--deny-warnings`, no warnings).
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: the files have diagnostics.
pub const EXIT_DIAGNOSTICS: u8 = 1;
/// Exit code: bad usage or an I/O failure.
pub const EXIT_FAILURE: u8 = 2;

/// sop — Standard Operating Procedures as code.
#[derive(Debug, Parser)]
#[command(name = "sop", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and validate SOP files and directories.
    Check(check::Args),
    /// Explain a diagnostic code: what it means, an example, the fix.
    Explain(explain::Args),
    /// Rewrite files in the canonical layout.
    Fmt(fmt::Args),
    /// Print a file's syntax tree, for debugging and for tools.
    Parse(parse::Args),
    /// Render a file (or a directory of files) as Markdown, HTML, JSON,
    /// BPMN 2.0, or a Serverless Workflow or Step Functions definition.
    Render(render::Args),
    /// Publish a repository of SOPs as a static, searchable website.
    Handbook(handbook::Args),
    /// Start a new SOP: a skeleton to fill in, in English, Chinese or Hungarian.
    New(new::Args),
    /// Run the language server, for editors (LSP over standard input and output).
    Lsp(lsp::Args),
    /// Carry out a procedure step by step, recording the run.
    Run(run::Args),
    /// Read run records: show a run, verify hash chains, export to XES or
    /// CSV, report per step.
    Log(log::Args),
    /// What changed in meaning between two versions of SOPs: two files, or
    /// git revisions.
    Diff(diff::Args),
    /// Add the revision line a file's change since its last revision
    /// entry calls for (drafted from the change, in the file's language).
    Revise(revise::Args),
}

/// Runs the command line and returns the process's exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_FAILURE
            } else {
                EXIT_CLEAN
            });
        }
    };
    let code = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Parse(args) => parse::run(args),
        Command::Render(args) => render::run(args),
        Command::Handbook(args) => handbook::run(args),
        Command::New(args) => new::run(args),
        Command::Lsp(args) => lsp::run(args),
        Command::Run(args) => run::run(args),
        Command::Log(args) => log::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Revise(args) => revise::run(args),
    };
    ExitCode::from(code)
}

/// The person at the keyboard: `git config user.name`, then the login
/// name.
pub(crate) fn person() -> String {
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

/// Parses `--today`.
pub(crate) fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a date; write it as YYYY-MM-DD"))
}

/// When to colour the human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour output written to stdout.
    pub(crate) fn enabled(self) -> bool {
        self.resolve(std::io::stdout().is_terminal())
    }

    /// Whether to colour output written to stderr.
    pub(crate) fn enabled_on_stderr(self) -> bool {
        self.resolve(std::io::stderr().is_terminal())
    }

    fn resolve(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && terminal
            }
        }
    }
}

/// Writes to stdout; a closed pipe (`sop check | head`) is not an error.
pub(crate) fn print(text: &str) -> Result<(), std::io::Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Reports a failure on stderr, `sop: <message>`, and returns exit code 2.
/// What the message quotes (a path, a file's text) is shown, never acts on
/// the terminal.
pub(crate) fn fail(message: impl std::fmt::Display) -> u8 {
    eprintln!(
        "sop: {}",
        crate::terminal::sanitize_lines_for_terminal(&message.to_string())
    );
    EXIT_FAILURE
}
