//! The workspace: the project a command works on, found once.
//!
//! Every command that reads SOPs starts here. [`Workspace::discover`] takes
//! the paths of the command line and finds, once:
//! - the project root: the nearest ancestor of the paths holding `sop.yaml`;
//!   without one, the root of the git work tree; outside git, the requested
//!   directories themselves (a single file outside any project or git tree
//!   has no project, and so no cross-file checks);
//! - the configuration (`sop.yaml`, or the defaults);
//! - the files asked for ([`Workspace::targets`]): the `*.sop` files under
//!   the requested directories, honouring `.gitignore` (inside and outside
//!   git) and the `exclude:` patterns, plus the requested files that
//!   `exclude:` does not name;
//! - on demand, the [`ProjectIndex`] of every SOP id of the project.
//!
//! Nothing else walks directories or reads `sop.yaml`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use rayon::prelude::*;

use crate::ast::Document;
use crate::check::{check_document, CheckOptions, CheckedFile};
use crate::config::{Config, ConfigError};
use crate::diagnostics::{Diagnostic, Severity};
use crate::index::ProjectIndex;
use crate::source::Source;
use crate::values::Date;

/// A failure that stops a command before any file is judged (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("{}: no such file or directory", .0.display())]
    NotFound(PathBuf),
    #[error("{}: {}", .0.display(), .1)]
    Io(PathBuf, std::io::Error),
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
}

/// A `.sop` file the command was asked to work on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SopFile {
    /// Absolute, with symbolic links of the requested paths resolved.
    pub path: PathBuf,
    /// As the user sees it: relative to the working directory when the file
    /// lies under it.
    pub shown: PathBuf,
}

/// What [`Workspace::discover_with`] should leave out besides `exclude:`.
#[derive(Debug, Clone, Default)]
pub struct Discover {
    /// Folders whose files are neither targets nor part of the project
    /// (the output folder of `sop handbook` inside the repository).
    pub skip: Vec<PathBuf>,
}

/// The project a command works on. See the module documentation.
#[derive(Debug)]
pub struct Workspace {
    cwd: PathBuf,
    root: Option<PathBuf>,
    config: Config,
    excluder: Option<Gitignore>,
    skip: Vec<PathBuf>,
    /// The requested paths, absolute.
    requested: Vec<PathBuf>,
    targets: Vec<SopFile>,
    /// Whether cross-file checks apply: there is a project root, or a
    /// directory was requested.
    cross_file: bool,
    index: OnceLock<Result<ProjectIndex, WorkspaceError>>,
}

/// The outcome of checking a workspace's targets.
#[derive(Debug)]
pub struct CheckRun {
    /// Every target with its diagnostics, sorted by path.
    pub files: Vec<CheckedFile>,
    /// How many `[[ID]]` links the files hold that were not checked,
    /// because there is no project to check them against (a single file
    /// outside any project or git work tree); 0 when they were checked.
    pub unchecked_links: usize,
}

impl CheckRun {
    pub fn count(&self, severity: Severity) -> usize {
        self.files
            .iter()
            .flat_map(|f| &f.diagnostics)
            .filter(|d| d.severity == severity)
            .count()
    }
}

impl Workspace {
    /// Finds the project of `paths` (files and directories; none means the
    /// working directory).
    pub fn discover(paths: &[PathBuf]) -> Result<Workspace, WorkspaceError> {
        Workspace::discover_with(paths, Discover::default())
    }

    /// Like [`Workspace::discover`], leaving out what `options` says.
    pub fn discover_with(
        paths: &[PathBuf],
        options: Discover,
    ) -> Result<Workspace, WorkspaceError> {
        let cwd = std::env::current_dir()
            .and_then(|d| d.canonicalize())
            .map_err(|e| WorkspaceError::Io(PathBuf::from("."), e))?;
        let default = [PathBuf::from(".")];
        let paths = if paths.is_empty() {
            &default[..]
        } else {
            paths
        };
        let mut requested = Vec::with_capacity(paths.len());
        for path in paths {
            match path.canonicalize() {
                Ok(abs) => requested.push(abs),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(WorkspaceError::NotFound(path.clone()))
                }
                Err(e) => return Err(WorkspaceError::Io(path.clone(), e)),
            }
        }
        let anchor = common_ancestor(&requested);
        let config = match Config::find(&anchor) {
            Some(p) => Config::load(&p)?,
            None => Config::default(),
        };
        let excluder = excluder(&config);
        let root = config
            .root()
            .map(Path::to_path_buf)
            .or_else(|| git_root(&anchor));
        let cross_file = root.is_some() || requested.iter().any(|p| p.is_dir());
        let skip = options
            .skip
            .iter()
            .map(|p| absolute(p, &cwd))
            .collect::<Vec<_>>();
        let mut workspace = Workspace {
            cwd,
            root,
            config,
            excluder,
            skip,
            requested,
            targets: Vec::new(),
            cross_file,
            index: OnceLock::new(),
        };
        workspace.targets = workspace.find_targets()?;
        Ok(workspace)
    }

    /// The project root, if the paths lie in a project or git work tree.
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// The configuration: `sop.yaml` of the project, or the defaults.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The `.sop` files asked for, sorted by path.
    pub fn targets(&self) -> &[SopFile] {
        &self.targets
    }

    /// Whether the cross-file checks apply (see the module documentation).
    pub fn has_project(&self) -> bool {
        self.cross_file
    }

    /// A path as the user sees it.
    pub fn shown(&self, path: &Path) -> PathBuf {
        display_path(path, &self.cwd)
    }

    /// Whether `path` (absolute) is left out by `exclude:` or by the
    /// folders skipped at discovery.
    pub fn is_excluded(&self, path: &Path, is_dir: bool) -> bool {
        self.skip.iter().any(|s| path.starts_with(s))
            || self.excluder.as_ref().is_some_and(|g| {
                path.strip_prefix(g.path()).is_ok()
                    && g.matched_path_or_any_parents(path, is_dir).is_ignore()
            })
    }

    /// The index of every SOP id of the project, read from the header lines
    /// of its files; built on first use. Empty when there is no project.
    pub fn index(&self) -> Result<&ProjectIndex, &WorkspaceError> {
        self.index.get_or_init(|| self.build_index()).as_ref()
    }

    /// Checks every target with the cross-file checks of the project; the
    /// files are sorted by their shown path.
    pub fn check(&self, today: Date) -> Result<CheckRun, WorkspaceError> {
        self.check_run(today, false)
    }

    /// [`Workspace::check`], and inside a git work tree the checks that
    /// read the repository's history (`unrecorded-change`), the history
    /// read once for all files.
    pub fn check_with_history(&self, today: Date) -> Result<CheckRun, WorkspaceError> {
        self.check_run(today, true)
    }

    fn check_run(&self, today: Date, history: bool) -> Result<CheckRun, WorkspaceError> {
        let cross_file = self.cross_file;
        let checked = self.check_with(today, |_, doc, _| {
            let links = if cross_file { 0 } else { doc.sop_links.len() };
            let last_revision = doc.revisions().filter_map(|r| r.date_parsed).max();
            (links, last_revision)
        })?;
        let unchecked_links = checked.iter().map(|(_, (links, _))| links).sum();
        let mut files: Vec<CheckedFile> = Vec::with_capacity(checked.len());
        let mut last_revisions: Vec<Option<Date>> = Vec::with_capacity(checked.len());
        for (file, (_, last)) in checked {
            files.push(file);
            last_revisions.push(last);
        }
        if history {
            self.history_checks(&mut files, &last_revisions, today);
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(CheckRun {
            files,
            unchecked_links,
        })
    }

    /// Adds the `unrecorded-change` warnings to `files` (in the order of
    /// the targets).
    fn history_checks(
        &self,
        files: &mut [CheckedFile],
        last_revisions: &[Option<Date>],
        today: Date,
    ) {
        use crate::rules::unrecorded_change::{
            check_history, diagnostic, Tracked, UnrecordedChange,
        };
        let Some(severity) = self.config.severity(&UnrecordedChange::RULE) else {
            return;
        };
        let tracked: Vec<Tracked<'_>> = self
            .targets
            .iter()
            .zip(last_revisions)
            .map(|(t, last)| Tracked {
                path: &t.path,
                last_revision: *last,
            })
            .collect();
        for (i, finding) in check_history(&tracked, today) {
            let file = &mut files[i];
            // At the last revision entry: the line the fix goes after.
            let doc = crate::syntax::parse(&file.source);
            let span = doc
                .revisions()
                .max_by_key(|r| r.date_parsed)
                .map(|r| r.span)
                .unwrap_or_else(|| crate::source::Span::new(0, 0));
            file.diagnostics
                .push(diagnostic(&finding, severity, span, &file.path));
            file.diagnostics.sort_by_key(|d| d.span().start);
        }
    }

    /// Checks every target, in parallel, and hands each parsed file with
    /// its diagnostics to `then` (to build a model while the tree is at
    /// hand). The results follow [`Workspace::targets`].
    pub fn check_with<T: Send>(
        &self,
        today: Date,
        then: impl Fn(&Source, &Document<'_>, &[Diagnostic]) -> T + Sync,
    ) -> Result<Vec<(CheckedFile, T)>, WorkspaceError> {
        let options = CheckOptions {
            today,
            config: self.config.clone(),
        };
        let project = if self.cross_file {
            Some(self.index().map_err(clone_error)?)
        } else {
            None
        };
        self.targets
            .par_iter()
            .map(|file| {
                let bytes = std::fs::read(&file.path)
                    .map_err(|e| WorkspaceError::Io(file.shown.clone(), e))?;
                let source = Source::from_bytes(&file.shown, &bytes);
                let doc = crate::syntax::parse(&source);
                let diagnostics = check_document(&source, &doc, &options, project);
                let extra = then(&source, &doc, &diagnostics);
                drop(doc);
                let checked = CheckedFile {
                    path: file.shown.clone(),
                    source,
                    diagnostics,
                };
                Ok((checked, extra))
            })
            .collect()
    }

    /// Every `*.sop` file under `dir`, honouring `.gitignore` (inside and
    /// outside git), `exclude:` and the skipped folders, sorted. A folder
    /// that cannot be read is an error, not a silent gap.
    pub fn walk(&self, dir: &Path) -> Result<Vec<PathBuf>, WorkspaceError> {
        let mut files = Vec::new();
        let walker = ignore::WalkBuilder::new(dir)
            .require_git(false)
            .filter_entry({
                let skip = self.skip.clone();
                move |e| !skip.iter().any(|s| e.path().starts_with(s))
            })
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => match walk_error(&e, dir, &self.cwd) {
                    Some(fatal) => return Err(fatal),
                    None => continue,
                },
            };
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            let path = entry.into_path();
            if is_file
                && path.extension().is_some_and(|e| e == "sop")
                && !self.is_excluded(&path, false)
            {
                files.push(path);
            }
        }
        files.sort_unstable();
        Ok(files)
    }

    fn find_targets(&self) -> Result<Vec<SopFile>, WorkspaceError> {
        let mut targets: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
        for abs in &self.requested {
            if abs.is_dir() {
                for file in self.walk(abs)? {
                    let shown = display_path(&file, &self.cwd);
                    targets.insert(file, shown);
                }
            } else if !self.is_excluded(abs, false) {
                targets.insert(abs.clone(), display_path(abs, &self.cwd));
            }
        }
        Ok(targets
            .into_iter()
            .map(|(path, shown)| SopFile { path, shown })
            .collect())
    }

    /// The files of the project: everything under the root, or under the
    /// requested directories when there is no root.
    fn project_files(&self) -> Result<Vec<PathBuf>, WorkspaceError> {
        let mut all: BTreeSet<PathBuf> = match &self.root {
            Some(root) => self.walk(root)?.into_iter().collect(),
            None => {
                let mut all = BTreeSet::new();
                for dir in self.requested.iter().filter(|p| p.is_dir()) {
                    all.extend(self.walk(dir)?);
                }
                all
            }
        };
        all.extend(self.targets.iter().map(|t| t.path.clone()));
        Ok(all.into_iter().collect())
    }

    fn build_index(&self) -> Result<ProjectIndex, WorkspaceError> {
        if !self.cross_file {
            return Ok(ProjectIndex::default());
        }
        let files = self.project_files()?;
        let entries: Vec<(String, PathBuf)> = files
            .par_iter()
            .map(|p| {
                let shown = display_path(p, &self.cwd);
                match std::fs::read(p) {
                    Ok(bytes) => Ok(crate::syntax::header_id(&bytes).map(|id| (id, shown))),
                    Err(e) => Err(WorkspaceError::Io(shown, e)),
                }
            })
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        Ok(ProjectIndex::from_entries(entries))
    }
}

/// The index is built once and shared; its error is copied out for `?`.
fn clone_error(e: &WorkspaceError) -> WorkspaceError {
    match e {
        WorkspaceError::NotFound(p) => WorkspaceError::NotFound(p.clone()),
        WorkspaceError::Io(p, e) => {
            WorkspaceError::Io(p.clone(), std::io::Error::new(e.kind(), e.to_string()))
        }
        WorkspaceError::Config(c) => WorkspaceError::Config(c.clone()),
    }
}

/// A folder or file the walk could not read; `None` for what is not an
/// I/O failure (a bad line in a `.gitignore` is that file's problem, and
/// git ignores it too).
fn walk_error(error: &ignore::Error, dir: &Path, cwd: &Path) -> Option<WorkspaceError> {
    fn path_of(error: &ignore::Error) -> Option<&Path> {
        match error {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            _ => None,
        }
    }
    let io = error.io_error()?;
    let path = path_of(error).map_or_else(|| dir.to_path_buf(), Path::to_path_buf);
    Some(WorkspaceError::Io(
        display_path(&path, cwd),
        std::io::Error::new(io.kind(), io.to_string()),
    ))
}

/// The matcher of a configuration's `exclude:` patterns, if it has any.
fn excluder(config: &Config) -> Option<Gitignore> {
    let root = config.root()?;
    if config.exclude.is_empty() {
        return None;
    }
    let mut builder = GitignoreBuilder::new(root);
    for pattern in &config.exclude {
        // Patterns were validated when the configuration was loaded.
        let _ = builder.add_line(None, pattern);
    }
    builder.build().ok()
}

/// The root of the git work tree holding `dir`.
fn git_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

fn common_ancestor(paths: &[PathBuf]) -> PathBuf {
    let dir_of = |p: &PathBuf| {
        if p.is_dir() {
            p.clone()
        } else {
            p.parent().map(Path::to_path_buf).unwrap_or_default()
        }
    };
    let mut iter = paths.iter().map(dir_of);
    let Some(mut common) = iter.next() else {
        return PathBuf::from(".");
    };
    for p in iter {
        while !p.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    common
}

/// `path` made absolute against `cwd`, without touching the file system
/// (the path may not exist yet).
fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    // Resolve what exists, so a symbolic link in the prefix matches the
    // canonical paths the walker yields.
    let mut existing = joined.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            let mut out = canonical;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return joined,
        }
    }
}

/// A path relative to the working directory when it lies under it.
fn display_path(path: &Path, cwd: &Path) -> PathBuf {
    path.strip_prefix(cwd)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}
