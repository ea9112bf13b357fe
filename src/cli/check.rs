//! `sop check [PATH]...`

use std::path::PathBuf;

use crate::report::{render, Format, Style, Summary};
use crate::values::Date;
use crate::workspace::Workspace;

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
}

pub fn run(args: Args) -> u8 {
    let today = args.today.unwrap_or_else(Date::today);
    let run = match Workspace::discover(&args.paths).and_then(|ws| ws.check(today)) {
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
    let summary = Summary::of(&run.files);
    if summary.errors > 0 || (args.deny_warnings && summary.warnings > 0) {
        EXIT_DIAGNOSTICS
    } else {
        EXIT_CLEAN
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w| w >= 40)
        .unwrap_or(100)
}
