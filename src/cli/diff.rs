//! `sop diff OLD NEW`, `sop diff REV -- FILE…`, `sop diff REV1 REV2 [-- PATH…]`

use std::path::{Path, PathBuf};

use crate::diff::output::{self, FileDiff, Status};
use crate::diff::{file_diff, model_of, revision};
use crate::model::Workflow;
use crate::report::{render as render_diagnostics, Format, Style};
use crate::values::Date;

use super::{fail, print, ColorChoice, EXIT_CLEAN, EXIT_DIAGNOSTICS, EXIT_FAILURE};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Two `.sop` files (old, new); or one git revision, compared with the
    /// working tree; or two git revisions.
    #[arg(num_args = 1..=2, required = true, value_name = "OLD NEW | REV [REV]")]
    versions: Vec<String>,
    /// With revisions: the files or folders to compare (default: the whole
    /// repository).
    #[arg(last = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format: `human`, `json`, or `md` (Markdown for a pull-request
    /// comment).
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// Print the revision line each change calls for instead of the changes.
    #[arg(long)]
    revision_line: bool,
    /// The date of a drafted revision line (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    today: Option<Date>,
    /// The author of a drafted revision line (default: `git config
    /// user.name`, then the login name).
    #[arg(long, value_name = "NAME")]
    author: Option<String>,
    /// Colour the human format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    Human,
    Json,
    Md,
}

/// A version of one file, read and modelled.
pub(crate) struct Side {
    /// The path as shown.
    pub path: String,
    pub workflow: Workflow,
}

pub fn run(args: Args) -> u8 {
    let today = args.today.unwrap_or_else(Date::today);
    let two_files = args.paths.is_empty()
        && args.versions.len() == 2
        && args.versions.iter().all(|v| Path::new(v).is_file());
    let compared = if two_files {
        compare_files(&args.versions[0], &args.versions[1], today)
    } else {
        super::diff_git::compare_revisions(&args.versions, &args.paths, today)
    };
    let (files, sides, unreadable) = match compared {
        Ok(c) => c,
        Err(code) => return code,
    };
    let text = if args.revision_line {
        let author = args.author.clone().unwrap_or_else(super::person);
        revision_lines(&files, &sides, today, &author)
    } else {
        match args.format {
            DiffFormat::Human => output::human(&files, args.color.enabled()),
            DiffFormat::Json => output::json(&files),
            DiffFormat::Md => output::markdown(&files),
        }
    };
    if let Err(e) = print(&text) {
        return fail(format!("cannot write the output: {e}"));
    }
    if unreadable {
        EXIT_FAILURE
    } else if files.iter().any(|f| f.status != Status::Unchanged) {
        EXIT_DIAGNOSTICS
    } else {
        EXIT_CLEAN
    }
}

/// The old and new versions of each compared file, in the order of
/// `files`.
pub(crate) type Sides = Vec<(Option<Side>, Option<Side>)>;

/// What a comparison gives: the file diffs, the versions compared, and
/// whether some file could not be read or has errors (exit 2).
pub(crate) type Compared = (Vec<FileDiff>, Sides, bool);

fn compare_files(old: &str, new: &str, today: Date) -> Result<Compared, u8> {
    let a = read_side(Path::new(old), today)?;
    let b = read_side(Path::new(new), today)?;
    let diff = file_diff(Some((&a.path, &a.workflow)), Some((&b.path, &b.workflow)));
    Ok((vec![diff], vec![(Some(a), Some(b))], false))
}

/// Reads and models a file; errors are printed and make exit code 2.
fn read_side(path: &Path, today: Date) -> Result<Side, u8> {
    let bytes = std::fs::read(path).map_err(|e| fail(format!("{}: {e}", path.display())))?;
    model_version(path, &bytes, today).ok_or(EXIT_FAILURE)
}

/// Models one version; prints its errors (and returns `None`) when it has
/// any, since a version with errors has no reliable meaning to compare.
pub(crate) fn model_version(path: &Path, bytes: &[u8], today: Date) -> Option<Side> {
    match model_of(path, bytes, today) {
        Ok(workflow) => Some(Side {
            path: path.display().to_string(),
            workflow,
        }),
        Err(checked) => {
            let style = Style {
                color: ColorChoice::Auto.enabled_on_stderr(),
                width: 100,
            };
            eprint!(
                "{}",
                render_diagnostics(Format::Human, std::slice::from_ref(&*checked), style)
            );
            eprintln!(
                "sop: {} has errors; it is not compared (fix them first: sop check)",
                crate::terminal::sanitize_for_terminal(&path.display().to_string())
            );
            None
        }
    }
}

/// The drafted revision line of each changed file: the line alone for one
/// file, `path: line` for several.
fn revision_lines(files: &[FileDiff], sides: &Sides, today: Date, author: &str) -> String {
    let mut out = String::new();
    let several = files.len() > 1;
    for (file, (old, new)) in files.iter().zip(sides) {
        let (Some(old), Some(new)) = (old, new) else {
            continue;
        };
        let Some(draft) =
            revision::draft(&old.workflow, &new.workflow, &file.changes, today, author)
        else {
            continue;
        };
        if several {
            out.push_str(&format!("{}: ", new.path));
        }
        out.push_str(&draft.line());
        out.push('\n');
    }
    out
}
