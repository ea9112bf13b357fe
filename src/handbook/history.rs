//! The versions of each SOP's file recorded in git, for its page: newest
//! first, each with its commit and what it changed in meaning, as
//! `sop diff` says it.
//!
//! The cost does not grow with the number of git processes: one `git log`
//! for the whole repository, one `git cat-file --batch` for the contents
//! of every version compared, across all SOPs, and the versions parsed in
//! parallel. A first version needs no contents: it is "created".

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use super::site::Entry;
use crate::diff::output::{self, Markup};
use crate::diff::{compare, model_of};
use crate::git::{self, GitError, Repo};
use crate::model::Workflow;
use crate::render::Labels;
use crate::values::Date;

/// The newest versions a page lists; the older ones are only counted, so
/// a page stays bounded however long its file's history.
pub const MAX_VERSIONS: usize = 50;

/// An SOP's versions, as its page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// Newest first, at most [`MAX_VERSIONS`].
    pub versions: Vec<Version>,
    /// How many older versions are not listed.
    pub older: usize,
}

/// One commit's change to the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The full commit id.
    pub commit: String,
    /// The author date, `YYYY-MM-DD`.
    pub date: String,
    pub author: String,
    pub subject: String,
    /// The path before, when the commit moved the file.
    pub renamed_from: Option<String>,
    pub what: What,
}

/// What a version did, in meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// The file's first version.
    Created,
    /// The file was removed (only a file not in `HEAD` has such a version).
    Deleted,
    /// What `sop diff` says, as HTML: one (sign, sentence) per change, the
    /// sign `+`, `-` or `~`.
    Changes(Vec<(&'static str, String)>),
    /// Layout, comments or the file's name only.
    Unchanged,
    /// The version has errors: it has no meaning to compare.
    HasErrors,
    /// The version before has errors.
    PreviousHasErrors,
}

/// The history of every entry (in their order), read from the git
/// repository holding `dir`: `None` for an entry whose file git does not
/// know. `Ok(None)` outside a git work tree or without git; an error when
/// git is there but could not answer.
pub fn read(
    entries: &[Entry],
    dir: &Path,
    today: Date,
) -> Result<Option<Vec<Option<History>>>, GitError> {
    let Some(repo) = Repo::discover(dir) else {
        return Ok(None);
    };
    let history = repo.history()?;
    let listed: Vec<(Vec<git::Version<'_>>, usize)> = entries
        .iter()
        .map(|entry| {
            let Some(path) = repo.relative(&dir.join(&entry.source)) else {
                return (Vec::new(), 0);
            };
            let mut versions = history.versions(&path);
            let older = versions.len().saturating_sub(MAX_VERSIONS);
            versions.truncate(MAX_VERSIONS);
            (versions, older)
        })
        .collect();
    // Every blob a comparison needs, once, in one batch.
    let mut ids: Vec<String> = listed
        .iter()
        .flat_map(|(versions, _)| versions.iter().filter_map(compared))
        .flat_map(|(old, new)| [old.to_string(), new.to_string()])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let blobs = repo.blobs(&ids)?;
    let contents: HashMap<&str, &[u8]> = ids
        .iter()
        .map(String::as_str)
        .zip(blobs.iter().map(Vec::as_slice))
        .collect();
    let pages = entries
        .par_iter()
        .zip(listed.par_iter())
        .map(|(entry, (versions, older))| {
            if versions.is_empty() {
                return None;
            }
            let labels = Labels::for_language(entry.workflow.meta.language.as_deref());
            Some(History {
                versions: shown(versions, &contents, labels, today),
                older: *older,
            })
        })
        .collect();
    Ok(Some(pages))
}

/// The (old, new) blobs of a version that has two different ones to
/// compare: a modified file, or a renamed one that changed.
fn compared<'v>(version: &'v git::Version<'_>) -> Option<(&'v str, &'v str)> {
    if !matches!(
        version.change,
        git::Change::Modified | git::Change::Renamed { .. }
    ) {
        return None;
    }
    match (&version.old_blob, &version.new_blob) {
        (Some(old), Some(new)) if old != new => Some((old, new)),
        _ => None,
    }
}

/// The versions of one file as its page shows them. Each blob is parsed
/// once (a version's new blob is the next one's old blob).
fn shown<'v>(
    versions: &'v [git::Version<'_>],
    contents: &HashMap<&str, &[u8]>,
    labels: &'static Labels,
    today: Date,
) -> Vec<Version> {
    let mut models: HashMap<&'v str, Option<Workflow>> = HashMap::new();
    for version in versions {
        let Some((old, new)) = compared(version) else {
            continue;
        };
        let old_path = match &version.change {
            git::Change::Renamed { from } => from.as_str(),
            _ => version.path.as_str(),
        };
        for (id, path) in [(old, old_path), (new, version.path.as_str())] {
            models.entry(id).or_insert_with(|| {
                let bytes = contents.get(id)?;
                model_of(Path::new(path), bytes, today).ok()
            });
        }
    }
    let model = |id: &str| models.get(id).and_then(Option::as_ref);
    versions
        .iter()
        .map(|version| {
            let what = match &version.change {
                git::Change::Added => What::Created,
                git::Change::Deleted => What::Deleted,
                git::Change::Modified | git::Change::Renamed { .. } => match compared(version) {
                    // The same contents: a file renamed or its mode changed.
                    None => What::Unchanged,
                    Some((old, new)) => match (model(old), model(new)) {
                        (_, None) => What::HasErrors,
                        (None, _) => What::PreviousHasErrors,
                        (Some(old), Some(new)) => {
                            let changes = compare(old, new);
                            if changes.is_empty() {
                                What::Unchanged
                            } else {
                                What::Changes(
                                    changes
                                        .iter()
                                        .map(|c| {
                                            (
                                                output::sign(c.kind),
                                                output::sentence(c, labels, Markup::Html),
                                            )
                                        })
                                        .collect(),
                                )
                            }
                        }
                    },
                },
            };
            let commit = version.commit;
            Version {
                commit: commit.id.clone(),
                date: commit.date.clone(),
                author: commit.author.clone(),
                subject: commit.subject.clone(),
                renamed_from: match &version.change {
                    git::Change::Renamed { from } => Some(from.clone()),
                    _ => None,
                },
                what,
            }
        })
        .collect()
}
