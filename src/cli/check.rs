//! `sop check [PATH]...`

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::report::{render, Format, Style, Summary};
use crate::values::Date;
use crate::workspace::{CheckRun, Workspace};

use super::{fail, print, ColorChoice, EXIT_CLEAN, EXIT_DIAGNOSTICS};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files, and directories searched recursively for `*.sop` (honouring `.gitignore`).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// The date reviews and revisions are judged against (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    today: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit with 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Colour the human format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Do not read the git history (skips `unrecorded-change`).
    #[arg(long)]
    no_git: bool,
}

pub fn run(args: Args) -> u8 {
    let today = args.today.unwrap_or_else(Date::today);
    let run = match Workspace::discover(&args.paths).and_then(|ws| {
        if args.no_git {
            ws.check(today)
        } else {
            ws.check_with_history(today)
        }
    }) {
        Ok(run) => run,
        Err(e) => return fail(e),
    };
    let style = Style {
        color: args.color.enabled(),
        width: terminal_width(),
    };
    if let Err(e) = print(&render(args.format, &run.files, style)) {
        return fail(format!("cannot write the output: {e}"));
    }
    if args.format == Format::Human && run.unchecked_links > 0 {
        eprintln!(
            "{}",
            crate::terminal::sanitize_for_terminal(&unchecked_links_note(&run))
        );
    }
    let summary = Summary::of(&run.files);
    if summary.errors > 0 || (args.deny_warnings && summary.warnings > 0) {
        EXIT_DIAGNOSTICS
    } else {
        EXIT_CLEAN
    }
}

/// The one line that says a file's `[[ID]]` links were not checked, and
/// how to have them checked.
fn unchecked_links_note(run: &CheckRun) -> String {
    let links = match run.unchecked_links {
        1 => "1 link to another SOP (`[[ID]]`) was".to_string(),
        n => format!("{n} links to other SOPs (`[[ID]]`) were"),
    };
    let folders: BTreeSet<&Path> = run
        .files
        .iter()
        .map(|f| f.path.parent().unwrap_or(Path::new("")))
        .collect();
    let what = match run.files.as_slice() {
        [file] => format!("{} is", file.path.display()),
        _ => "these files are".to_string(),
    };
    let folder = match folders.len() {
        1 => folders.first().copied(),
        _ => None,
    };
    let command = match folder {
        Some(dir) if dir.as_os_str().is_empty() => "`sop check .`".to_string(),
        Some(dir) => format!("`sop check {}`", shell_word(&dir.display().to_string())),
        None => "`sop check FOLDER`".to_string(),
    };
    format!(
        "note: {links} not checked, because {what} outside any project; to check them, check the whole folder ({command}) or add a `sop.yaml` in the project's root folder"
    )
}

/// A path as a shell word: quoted when it holds more than plain characters.
fn shell_word(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | '+' | ',' | ':'))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w| w >= 40)
        .unwrap_or(100)
}
