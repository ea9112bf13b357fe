//! `sop handbook [DIR] -o OUTDIR`

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::handbook::{build, serve, Error, Options};
use crate::report::{render, Format, Style};
use crate::values::Date;

use super::{fail, ColorChoice, EXIT_CLEAN, EXIT_DIAGNOSTICS};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The repository of `.sop` files.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// The site's directory, replaced as a whole when the build succeeds:
    /// a new or empty folder, or a site `sop handbook` wrote before; never
    /// the folder of the SOPs or one that holds it.
    #[arg(short, long, value_name = "OUTDIR")]
    output: PathBuf,
    /// The date review states are judged against (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    today: Option<Date>,
    /// Build what is valid; list the files with errors on a problems page.
    #[arg(long)]
    keep_going: bool,
    /// After building, serve the site on localhost for a preview.
    #[arg(long)]
    serve: bool,
    /// The port for --serve (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Colour the diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Do not read the git history (the SOP pages get no History).
    #[arg(long)]
    no_git: bool,
}

pub fn run(args: Args) -> u8 {
    if !args.dir.is_dir() {
        return fail(format!("{}: no such directory", args.dir.display()));
    }
    let quiet = std::env::var_os("CI").is_some() || !std::io::stderr().is_terminal();
    let options = Options {
        dir: args.dir.clone(),
        out: args.output.clone(),
        today: args.today.unwrap_or_else(Date::today),
        keep_going: args.keep_going,
        progress: !quiet,
        history: !args.no_git,
    };
    let style = Style {
        color: args.color.enabled_on_stderr(),
        width: 100,
    };
    let report = match build(&options) {
        Ok(report) => report,
        Err(Error::Diagnostics(run)) => {
            eprint!("{}", render(Format::Human, &run.files, style));
            eprintln!("sop: the handbook was not built: fix the errors, or use --keep-going to build what is valid");
            return EXIT_DIAGNOSTICS;
        }
        Err(e) => return fail(e),
    };
    if let Some(problem) = &report.history_error {
        eprintln!(
            "sop: warning: the SOP pages have no History: {}",
            crate::terminal::sanitize_for_terminal(problem)
        );
    }
    let left_out = report.left_out;
    if left_out > 0 {
        let failing: Vec<_> = report
            .check
            .files
            .into_iter()
            .filter(|f| {
                f.diagnostics
                    .iter()
                    .any(|d| d.severity == crate::diagnostics::Severity::Error)
            })
            .collect();
        eprint!("{}", render(Format::Short, &failing, style));
    }
    eprintln!(
        "Built {} SOPs into {} ({} pages, {:.1} MB){}.",
        report.sops,
        crate::terminal::sanitize_for_terminal(&args.output.display().to_string()),
        report.pages,
        report.bytes as f64 / 1_000_000.0,
        if left_out > 0 {
            format!("; {left_out} files left out, see problems.html")
        } else {
            String::new()
        }
    );
    if args.serve {
        if let Err(e) = serve(&args.output, args.port) {
            return fail(format!(
                "cannot serve on port {}: {e} (choose another with --port, or --port 0 for any free port)",
                args.port
            ));
        }
    }
    if left_out > 0 {
        EXIT_DIAGNOSTICS
    } else {
        EXIT_CLEAN
    }
}
