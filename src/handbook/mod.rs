//! `sop handbook`: a repository of SOPs → a static, searchable website.
//!
//! The build checks every file the way `sop check` does, renders each SOP
//! with the HTML renderer inside the site's navigation, and adds the pages
//! that only a whole repository has: the index, the review dashboard, one
//! page per role and per tag, a print edition, and an offline search index.
//! Inside a git work tree, each SOP's page lists the versions of its file
//! and what each changed in meaning (see `history`).
//! Everything is built into a temporary directory that replaces the output
//! directory at the end, so a failed build leaves the previous site as it
//! was; only a folder whose loss costs nothing may be replaced (see
//! `outdir`). Every link is relative, so the site works from `file://` and from
//! any sub-path of a web server.

mod history;
mod outdir;
mod pages;
mod search;
mod serve;
mod site;
mod write;

use std::path::{Path, PathBuf};

pub use outdir::{listed_files, MARKER};
pub use serve::{serve, Limits, Server, CONTENT_SECURITY_POLICY};
pub use site::{Entry, Site};

use crate::diagnostics::Severity;
use crate::values::Date;
use crate::workspace::{CheckRun, Discover, Workspace, WorkspaceError};

/// What to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// The repository of `.sop` files.
    pub dir: PathBuf,
    /// The site's directory; replaced as a whole at the end of the build,
    /// if it may be (see `outdir`).
    pub out: PathBuf,
    /// The date reviews are judged against.
    pub today: Date,
    /// Build what is valid and list the rest on a problems page.
    pub keep_going: bool,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
    /// Read the git history, when the folder is in a git work tree, for
    /// the History of each SOP's page.
    pub history: bool,
}

/// What a build produced.
#[derive(Debug)]
pub struct Report {
    pub sops: usize,
    pub pages: usize,
    pub bytes: u64,
    /// Files left out because of errors (only with `keep_going`).
    pub left_out: usize,
    /// The check, for printing its diagnostics.
    pub check: CheckRun,
    /// Why the pages have no History although the folder is in a git work
    /// tree: git could not read its history.
    pub history_error: Option<String>,
}

/// Why a build did not happen.
#[derive(Debug)]
pub enum Error {
    /// Files have errors and `keep_going` was not given; nothing was written.
    Diagnostics(Box<CheckRun>),
    Workspace(WorkspaceError),
    /// The output folder may not be replaced: why, and what to do.
    Output(String),
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Diagnostics(run) => write!(
                f,
                "{} errors in the SOPs; the site was not built (use --keep-going to build what is valid)",
                run.count(Severity::Error)
            ),
            Error::Workspace(e) => e.fmt(f),
            Error::Output(message) => f.write_str(message),
            Error::Io(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for Error {}

/// Builds the site.
pub fn build(options: &Options) -> Result<Report, Error> {
    let out = outdir::OutDir::check(&options.out, &options.dir).map_err(Error::Output)?;
    outdir::clean_leftovers(out.parent());
    // The site's folder may lie inside the repository: its files are not
    // SOPs of the project.
    let discover = Discover {
        skip: vec![out.path.clone()],
    };
    let workspace = Workspace::discover_with(std::slice::from_ref(&options.dir), discover)
        .map_err(Error::Workspace)?;
    let run = workspace.check(options.today).map_err(Error::Workspace)?;
    let has_errors = run.count(Severity::Error) > 0;
    if has_errors && !options.keep_going {
        return Err(Error::Diagnostics(Box::new(run)));
    }
    let logo = workspace
        .config()
        .handbook_logo()
        .map_err(|e| Error::Workspace(WorkspaceError::Config(e)))?;
    let mut site = Site::collect(&run, workspace.config(), &options.dir, options.today);
    site.logo = logo;
    let mut history_error = None;
    if options.history {
        match history::read(&site.entries, &options.dir, options.today) {
            Ok(Some(histories)) => {
                for (entry, history) in site.entries.iter_mut().zip(histories) {
                    entry.history = history;
                }
            }
            Ok(None) => {}
            Err(e) => history_error = Some(e.to_string()),
        }
    }
    let staging = write::Staging::new(&out)?;
    let written = write::write_site(&site, &run, staging.path(), options)?;
    staging.commit(&out, written.files)?;
    Ok(Report {
        sops: site.entries.len(),
        pages: written.pages,
        bytes: written.bytes,
        left_out: site.problems.len(),
        check: run,
        history_error,
    })
}

/// A path's components joined with `/`, for URLs.
pub(crate) fn url_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// An SOP's content, as the HTML renderer lays it out.
pub(crate) fn sop_body(
    workflow: &crate::model::Workflow,
    context: &crate::render::RenderContext<'_>,
) -> String {
    crate::render::html::body(workflow, context)
}

/// The HTML renderer's stylesheet, shared by every page of the site.
pub(crate) fn sop_stylesheet() -> &'static str {
    crate::render::html::stylesheet()
}
