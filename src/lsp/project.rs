//! The project the server works in: every `.sop` file under the root (the
//! same root, `sop.yaml` and ignore rules as `sop check`), with what hover
//! and completion show of each, and the index of SOP ids the cross-file
//! checks use. Open buffers replace their file's summary as they change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::ast::{Document, MetaValue, SectionBody, SectionKind};
use crate::config::Config;
use crate::index::ProjectIndex;
use crate::source::Source;
use crate::workspace::Workspace;

/// What the server shows of an SOP without opening it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    /// The purpose, Markdown; `""` without one.
    pub purpose: String,
}

impl Summary {
    /// The summary of a file on disk; `None` when it cannot be read or has
    /// no header.
    pub fn read(path: &Path) -> Option<Summary> {
        let bytes = std::fs::read(path).ok()?;
        Summary::of(&crate::syntax::parse(&Source::from_bytes(path, &bytes)))
    }

    /// The summary of a parsed file; `None` without a header.
    pub fn of(doc: &Document<'_>) -> Option<Summary> {
        let header = doc.header.as_ref()?;
        let owner = doc.meta_entries().find_map(|e| match e.value {
            MetaValue::Owner => Some(e.raw.value.to_string()),
            _ => None,
        });
        let purpose = doc
            .section(SectionKind::Purpose)
            .map(|section| match &section.body {
                SectionBody::Prose(items) => {
                    crate::model::prose_text(section.inline.map(|t| t.value), items)
                }
                _ => String::new(),
            })
            .unwrap_or_default();
        Some(Summary {
            id: header.id.value.to_string(),
            title: header.title.value.to_string(),
            owner,
            purpose,
        })
    }
}

/// The files of the project.
#[derive(Debug, Default)]
pub struct Project {
    pub root: Option<PathBuf>,
    pub config: Config,
    /// Whether the cross-file checks apply (there is a project root).
    pub cross_file: bool,
    files: BTreeMap<PathBuf, Option<Summary>>,
    index: ProjectIndex,
}

impl Project {
    /// Reads every file of the project at `root`, in parallel. Without a
    /// root, or when the project cannot be read, the server still works,
    /// file by file, and says why in `problem`.
    pub fn load(root: Option<&Path>) -> (Project, Option<String>) {
        let Some(root) = root else {
            return (Project::default(), None);
        };
        let workspace = match Workspace::discover(&[root.to_path_buf()]) {
            Ok(workspace) => workspace,
            Err(e) => return (Project::default(), Some(e.to_string())),
        };
        let files: BTreeMap<PathBuf, Option<Summary>> = workspace
            .targets()
            .par_iter()
            .map(|file| (file.path.clone(), Summary::read(&file.path)))
            .collect();
        let mut project = Project {
            root: workspace
                .root()
                .map(Path::to_path_buf)
                .or(Some(root.into())),
            config: workspace.config().clone(),
            cross_file: true,
            files,
            index: ProjectIndex::default(),
        };
        project.reindex();
        (project, None)
    }

    fn reindex(&mut self) {
        self.index = ProjectIndex::from_entries(
            self.files
                .iter()
                .filter_map(|(path, s)| Some((s.as_ref()?.id.clone(), path.clone()))),
        );
    }

    /// Whether `path` is a file of the project (or would be, once saved).
    pub fn contains(&self, path: &Path) -> bool {
        self.files.contains_key(path)
            || (self.cross_file
                && self.root.as_ref().is_some_and(|r| path.starts_with(r))
                && path.extension().is_some_and(|e| e == "sop"))
    }

    /// Records what a file now says. Returns whether the set of ids
    /// changed, so the files that link to them must be checked again.
    pub fn update(&mut self, path: &Path, summary: Option<Summary>) -> bool {
        if !self.contains(path) {
            return false;
        }
        let old = self.files.insert(path.to_path_buf(), summary.clone());
        let id = |s: &Option<Option<Summary>>| s.clone().flatten().map(|s| s.id);
        let changed = id(&old) != summary.as_ref().map(|s| s.id.clone());
        if changed {
            self.reindex();
        }
        changed
    }

    /// The index for the cross-file checks; `None` outside a project.
    pub fn index(&self) -> Option<&ProjectIndex> {
        self.cross_file.then_some(&self.index)
    }

    /// The first file that declares `id`, and its summary.
    pub fn find(&self, id: &str) -> Option<(&Path, &Summary)> {
        self.index.files_with_id(id).find_map(|path| {
            let summary = self.files.get(path)?.as_ref()?;
            Some((path, summary))
        })
    }

    /// Every SOP of the project, by id.
    pub fn summaries(&self) -> impl Iterator<Item = &Summary> {
        self.files.values().flatten()
    }

    /// Every file of the project.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.keys().map(PathBuf::as_path)
    }

    /// How many files the project has.
    pub fn len(&self) -> usize {
        self.files.len()
    }
}
