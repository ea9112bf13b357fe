//! Projects: finding the set of SOPs a check runs against, and checking it.
//!
//! Cross-file checks need every SOP of the project, not only the files named
//! on the command line (a pre-commit hook passes just the changed files). The
//! project root is the nearest ancestor of the checked paths that holds
//! `sop.yaml`; without one, the root of the git work tree; outside git, the
//! checked directories themselves. A single file outside any project or git
//! tree is checked without the cross-file checks.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::check::{check_source, CheckOptions};
use crate::config::{Config, ConfigError};
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::Source;

/// The SOP ids of a project and the files that declare them.
#[derive(Debug, Default)]
pub struct ProjectIndex {
    ids: HashMap<String, Vec<PathBuf>>,
}

impl ProjectIndex {
    pub fn insert(&mut self, id: &str, path: PathBuf) {
        self.ids.entry(id.to_string()).or_default().push(path);
    }

    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    /// Every id, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        let mut ids: Vec<&str> = self.ids.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids.into_iter()
    }

    /// The files that declare `id`, as they were inserted.
    pub fn files_with_id<'s>(&'s self, id: &str) -> impl Iterator<Item = &'s Path> {
        self.ids.get(id).into_iter().flatten().map(PathBuf::as_path)
    }
}

/// A failure that stops a check before any file is judged (exit code 2).
#[derive(Debug)]
pub enum ProjectError {
    NotFound(PathBuf),
    Io(PathBuf, std::io::Error),
    Config(ConfigError),
}

impl std::fmt::Display for ProjectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProjectError::NotFound(p) => write!(f, "{}: no such file or directory", p.display()),
            ProjectError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            ProjectError::Config(e) => write!(f, "invalid configuration: {e}"),
        }
    }
}

impl std::error::Error for ProjectError {}

/// One checked file.
#[derive(Debug)]
pub struct CheckedFile {
    /// The path as the user sees it (relative when under the working directory).
    pub path: PathBuf,
    pub source: Source,
    pub diagnostics: Vec<Diagnostic>,
}

/// The outcome of checking a set of paths.
#[derive(Debug)]
pub struct CheckRun {
    pub files: Vec<CheckedFile>,
    pub config: Config,
    pub root: Option<PathBuf>,
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

/// Checks `paths` (files and directories) with the cross-file checks of
/// their project.
pub fn check_paths(
    paths: &[PathBuf],
    today: crate::values::Date,
) -> Result<CheckRun, ProjectError> {
    check_paths_skipping(paths, today, &[])
}

/// Like [`check_paths`], with the folders `skip` (absolute, symbolic links
/// resolved) left out of every walk, as if they were not there: the `.sop`
/// files under them are not SOPs of the project. `sop handbook` skips its
/// output folder when it lies inside the repository.
pub fn check_paths_skipping(
    paths: &[PathBuf],
    today: crate::values::Date,
    skip: &[PathBuf],
) -> Result<CheckRun, ProjectError> {
    let cwd = std::env::current_dir()
        .and_then(|d| d.canonicalize())
        .map_err(|e| ProjectError::Io(PathBuf::from("."), e))?;
    let mut absolute = Vec::with_capacity(paths.len());
    for path in paths {
        if !path.exists() {
            return Err(ProjectError::NotFound(path.clone()));
        }
        let abs = path
            .canonicalize()
            .map_err(|e| ProjectError::Io(path.clone(), e))?;
        absolute.push(abs);
    }
    let anchor = common_ancestor(&absolute);
    let config_path = Config::find(&anchor);
    let config = match &config_path {
        Some(p) => Config::load(p).map_err(ProjectError::Config)?,
        None => Config::default(),
    };
    let excluder = excluder(&config);

    // The files asked for.
    let mut targets: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    for abs in &absolute {
        if abs.is_dir() {
            for file in walk_skipping(abs, &excluder, skip) {
                let shown = display_path(&file, &cwd);
                targets.insert(file, shown);
            }
        } else if !is_excluded(&excluder, abs, false) {
            targets.insert(abs.clone(), display_path(abs, &cwd));
        }
    }

    // The project the cross-file checks see.
    let root = config
        .root()
        .map(Path::to_path_buf)
        .or_else(|| git_root(&anchor));
    let project_files: Vec<PathBuf> = match &root {
        Some(root) => walk_skipping(root, &excluder, skip),
        None => absolute
            .iter()
            .filter(|p| p.is_dir())
            .flat_map(|d| walk_skipping(d, &excluder, skip))
            .collect(),
    };
    let cross_file = root.is_some() || absolute.iter().any(|p| p.is_dir());

    let mut all: Vec<PathBuf> = project_files;
    all.extend(targets.keys().cloned());
    all.sort_unstable();
    all.dedup();

    // Read everything once, in parallel; index the ids.
    let loaded: Vec<(PathBuf, Result<Vec<u8>, std::io::Error>)> = all
        .into_par_iter()
        .map(|p| {
            let bytes = std::fs::read(&p);
            (p, bytes)
        })
        .collect();
    let mut index = ProjectIndex::default();
    let mut target_bytes: HashMap<PathBuf, Vec<u8>> = HashMap::with_capacity(targets.len());
    let is_target: HashSet<&PathBuf> = targets.keys().collect();
    let mut ids: Vec<(String, PathBuf)> = loaded
        .par_iter()
        .filter_map(|(p, bytes)| {
            let bytes = bytes.as_ref().ok()?;
            let id = crate::syntax::header_id(bytes)?;
            Some((id, display_path(p, &cwd)))
        })
        .collect();
    ids.sort();
    for (id, shown) in ids {
        index.insert(&id, shown);
    }
    for (p, bytes) in loaded {
        if is_target.contains(&p) {
            let bytes = bytes.map_err(|e| ProjectError::Io(targets[&p].clone(), e))?;
            target_bytes.insert(p, bytes);
        }
    }

    let options = CheckOptions {
        today,
        config: config.clone(),
    };
    let project = cross_file.then_some(&index);
    let mut files: Vec<CheckedFile> = targets
        .into_iter()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(abs, shown)| {
            let bytes = target_bytes
                .get(&abs)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let source = Source::from_bytes(&shown, bytes);
            let diagnostics = check_source(&source, &options, project);
            CheckedFile {
                path: shown,
                source,
                diagnostics,
            }
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(CheckRun {
        files,
        config,
        root,
    })
}

/// The matcher of a configuration's `exclude:` patterns, if it has any.
pub fn excluder(config: &Config) -> Option<ignore::gitignore::Gitignore> {
    let root = config.root()?;
    if config.exclude.is_empty() {
        return None;
    }
    let mut builder = ignore::gitignore::GitignoreBuilder::new(root);
    for pattern in &config.exclude {
        // Patterns were validated when the configuration was loaded.
        let _ = builder.add_line(None, pattern);
    }
    builder.build().ok()
}

/// Whether `exclude:` patterns exclude `path` (absolute).
pub fn is_excluded(
    excluder: &Option<ignore::gitignore::Gitignore>,
    path: &Path,
    is_dir: bool,
) -> bool {
    excluder.as_ref().is_some_and(|g| {
        path.strip_prefix(g.path()).is_ok()
            && g.matched_path_or_any_parents(path, is_dir).is_ignore()
    })
}

/// Every `*.sop` file under `dir`, honouring `.gitignore` (inside and outside
/// git) and the configuration's excludes, sorted.
pub fn walk(dir: &Path, excluder: &Option<ignore::gitignore::Gitignore>) -> Vec<PathBuf> {
    walk_skipping(dir, excluder, &[])
}

/// Like [`walk`], without descending into the folders `skip`.
pub fn walk_skipping(
    dir: &Path,
    excluder: &Option<ignore::gitignore::Gitignore>,
    skip: &[PathBuf],
) -> Vec<PathBuf> {
    let skip = skip.to_vec();
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .require_git(false)
        .filter_entry(move |e| !skip.iter().any(|s| e.path() == s))
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|e| e == "sop"))
        .filter(|p| !is_excluded(excluder, p, false))
        .collect();
    files.sort_unstable();
    files
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

/// A path relative to the working directory when it lies under it.
fn display_path(path: &Path, cwd: &Path) -> PathBuf {
    path.strip_prefix(cwd)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}
