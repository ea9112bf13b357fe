//! The project index: every SOP id of a project and the files that declare
//! it. Built by the workspace (`src/workspace.rs`) from the header lines
//! alone; read by the cross-file rules.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The SOP ids of a project and the files that declare them.
#[derive(Debug, Default)]
pub struct ProjectIndex {
    ids: HashMap<String, Vec<PathBuf>>,
    /// Every id, sorted, for did-you-mean suggestions and listings.
    sorted: Vec<String>,
}

impl ProjectIndex {
    /// An index of `(id, file)` pairs, in any order. The files of one id
    /// keep the order of their paths.
    pub fn from_entries(entries: impl IntoIterator<Item = (String, PathBuf)>) -> Self {
        let mut entries: Vec<(String, PathBuf)> = entries.into_iter().collect();
        entries.sort();
        let mut ids: HashMap<String, Vec<PathBuf>> = HashMap::with_capacity(entries.len());
        let mut sorted: Vec<String> = Vec::with_capacity(entries.len());
        for (id, path) in entries {
            if sorted.last() != Some(&id) {
                sorted.push(id.clone());
            }
            ids.entry(id).or_default().push(path);
        }
        ProjectIndex { ids, sorted }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    /// Every id, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.sorted.iter().map(String::as_str)
    }

    /// How many distinct ids the project has.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// The files that declare `id`, as they were inserted.
    pub fn files_with_id<'s>(&'s self, id: &str) -> impl Iterator<Item = &'s Path> {
        self.ids.get(id).into_iter().flatten().map(PathBuf::as_path)
    }
}
