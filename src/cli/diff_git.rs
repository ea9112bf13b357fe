//! `sop diff` against git revisions: each SOP of the repository (or of the
//! paths given) at one revision against another revision or the working
//! tree. Files are paired by path, and a removed and an added file with the
//! same SOP id are one file renamed.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::diff::file_diff;
use crate::diff::output::Status;
use crate::git::{GitError, Repo};
use crate::values::Date;
use crate::workspace::Workspace;

use super::diff::{model_version, Compared, Side};
use super::fail;

/// One side of the comparison: a commit, or the working tree.
enum Tree {
    Commit(String),
    WorkTree,
}

/// Compares `versions` (one revision against the working tree, or two
/// revisions) over `paths` (the whole repository when empty).
pub(crate) fn compare_revisions(
    versions: &[String],
    paths: &[PathBuf],
    today: Date,
) -> Result<Compared, u8> {
    let cwd = std::env::current_dir()
        .map_err(|e| fail(format!("cannot read the current folder: {e}")))?;
    let Some(repo) = Repo::discover(&cwd) else {
        let missing: Vec<&String> = versions
            .iter()
            .filter(|v| !Path::new(v).is_file())
            .collect();
        return Err(fail(match (versions.len(), missing.first()) {
            (2, Some(v)) => format!(
                "`{v}` is not a file, and this folder is not in a git repository where it could be a revision"
            ),
            _ => "comparing revisions needs a git repository (and git); to compare two files: sop diff OLD.sop NEW.sop".to_string(),
        }));
    };
    let commit = |rev: &str| {
        repo.commit(rev).map_err(|e| match e {
            GitError::BadRevision(_) if !Path::new(rev).exists() => fail(format!(
                "`{rev}` is neither a file nor a revision of this repository"
            )),
            GitError::BadRevision(_) => fail(format!(
                "`{rev}` is a file, not a revision; to compare two files give both, to compare a file with a revision: sop diff REV -- {rev}"
            )),
            other => fail(other),
        })
    };
    let old = Tree::Commit(commit(&versions[0])?);
    let new = match versions.get(1) {
        Some(rev) => Tree::Commit(commit(rev)?),
        None => Tree::WorkTree,
    };
    let mut prefixes = Vec::new();
    for p in paths {
        match repo_path(repo.root(), &cwd, p) {
            Some(rel) => prefixes.push(rel),
            None => {
                return Err(fail(format!(
                    "{} is outside the repository at {}",
                    p.display(),
                    repo.root().display()
                )))
            }
        }
    }
    let old_files = files(&repo, &old, &prefixes)?;
    let new_files = files(&repo, &new, &prefixes)?;
    compare_trees(&repo, &old_files, &new_files, today)
}

/// A path given on the command line, relative to the repository root with
/// `/` separators (`""` for the root itself); `None` outside it. Works for
/// paths that no longer exist in the working tree.
fn repo_path(root: &Path, cwd: &Path, path: &Path) -> Option<String> {
    let joined = cwd.join(path);
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                parts.pop();
            }
            Component::Normal(p) => parts.push(p),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    let absolute: PathBuf = std::iter::once(std::ffi::OsStr::new("/"))
        .chain(parts)
        .collect();
    let cwd_real = cwd.canonicalize().ok()?;
    // The root is canonical; the current folder may be reached through a
    // symbolic link.
    let rel = match absolute.strip_prefix(root) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => {
            let under_cwd = absolute.strip_prefix(cwd).ok()?;
            cwd_real
                .join(under_cwd)
                .strip_prefix(root)
                .ok()?
                .to_path_buf()
        }
    };
    let text: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_str().map(str::to_string))
        .collect::<Option<_>>()?;
    Some(text.join("/"))
}

/// A file of a tree: its path from the root, and where its bytes are.
enum Content {
    Blob(String),
    Disk(PathBuf),
}

/// The `.sop` files of a tree under `prefixes`, by path from the root.
fn files(repo: &Repo, tree: &Tree, prefixes: &[String]) -> Result<BTreeMap<String, Content>, u8> {
    let under = |path: &str| {
        prefixes.is_empty()
            || prefixes.iter().any(|p| {
                p.is_empty()
                    || path == p
                    || path.starts_with(&format!("{}/", p.trim_end_matches('/')))
            })
    };
    match tree {
        Tree::Commit(id) => {
            let list = repo.files_at(id, prefixes).map_err(fail)?;
            Ok(list
                .into_iter()
                .filter(|(p, _)| p.ends_with(".sop") && under(p))
                .map(|(p, blob)| (p, Content::Blob(blob)))
                .collect())
        }
        Tree::WorkTree => {
            // The project's `exclude:` patterns apply as in `sop check`.
            let ws = Workspace::discover(&[repo.root().to_path_buf()]).map_err(fail)?;
            let mut map = BTreeMap::new();
            for target in ws.targets() {
                let Ok(rel) = target.path.strip_prefix(repo.root()) else {
                    continue;
                };
                let Some(rel) = rel.to_str().map(|r| r.replace('\\', "/")) else {
                    continue;
                };
                if under(&rel) {
                    map.insert(rel, Content::Disk(target.path.clone()));
                }
            }
            Ok(map)
        }
    }
}

fn compare_trees(
    repo: &Repo,
    old: &BTreeMap<String, Content>,
    new: &BTreeMap<String, Content>,
    today: Date,
) -> Result<Compared, u8> {
    // Same path, same blob: unchanged without reading it.
    let same = |path: &str| match (old.get(path), new.get(path)) {
        (Some(Content::Blob(a)), Some(Content::Blob(b))) => a == b,
        _ => false,
    };
    let wanted_old: Vec<&String> = old.keys().filter(|p| !same(p)).collect();
    let wanted_new: Vec<&String> = new.keys().filter(|p| !same(p)).collect();
    let old_bytes = read_all(repo, old, &wanted_old)?;
    let new_bytes = read_all(repo, new, &wanted_new)?;
    let model = |items: Vec<(&String, Vec<u8>)>| -> Vec<(String, Option<Side>)> {
        items
            .into_par_iter()
            .map(|(path, bytes)| (path.clone(), model_version(Path::new(path), &bytes, today)))
            .collect()
    };
    let old_sides = model(wanted_old.into_iter().zip(old_bytes).collect());
    let new_sides = model(wanted_new.into_iter().zip(new_bytes).collect());
    let unreadable = old_sides.iter().chain(&new_sides).any(|(_, s)| s.is_none());
    let mut old_by_path: HashMap<String, Side> = old_sides
        .into_iter()
        .filter_map(|(p, s)| Some((p, s?)))
        .collect();
    let mut pairs: Vec<(Option<Side>, Option<Side>)> = Vec::new();
    let mut added: Vec<Side> = Vec::new();
    for (path, side) in new_sides {
        let Some(side) = side else { continue };
        match old_by_path.remove(&path) {
            Some(before) => pairs.push((Some(before), Some(side))),
            None if old.contains_key(&path) => {} // the old one has errors
            None => added.push(side),
        }
    }
    // A removed and an added file with the same SOP id: renamed.
    let mut removed_by_id: HashMap<String, Vec<Side>> = HashMap::new();
    let mut removed: Vec<Side> = old_by_path
        .into_iter()
        .filter(|(p, _)| !new.contains_key(p))
        .map(|(_, s)| s)
        .collect();
    removed.sort_by(|a, b| a.path.cmp(&b.path));
    for side in removed {
        removed_by_id
            .entry(side.workflow.id.clone())
            .or_default()
            .push(side);
    }
    for side in added {
        let before = removed_by_id
            .get_mut(&side.workflow.id)
            .filter(|_| !side.workflow.id.is_empty())
            .and_then(|v| (!v.is_empty()).then(|| v.remove(0)));
        pairs.push((before, Some(side)));
    }
    for (_, sides) in removed_by_id {
        for side in sides {
            pairs.push((Some(side), None));
        }
    }
    pairs.sort_by(|a, b| key(a).cmp(key(b)));
    let mut files = Vec::new();
    let mut sides = Vec::new();
    for (a, b) in pairs {
        let diff = file_diff(
            a.as_ref().map(|s| (s.path.as_str(), &s.workflow)),
            b.as_ref().map(|s| (s.path.as_str(), &s.workflow)),
        );
        if diff.status != Status::Unchanged {
            files.push(diff);
            sides.push((a, b));
        }
    }
    Ok((files, sides, unreadable))
}

/// Sorts pairs by their new path, else their old one.
fn key(pair: &(Option<Side>, Option<Side>)) -> &str {
    pair.1
        .as_ref()
        .or(pair.0.as_ref())
        .map_or("", |s| s.path.as_str())
}

/// The bytes of `paths`, in order: blobs in one batch, working-tree files
/// from disk.
fn read_all(
    repo: &Repo,
    files: &BTreeMap<String, Content>,
    paths: &[&String],
) -> Result<Vec<Vec<u8>>, u8> {
    let blobs: Vec<String> = paths
        .iter()
        .filter_map(|p| match files.get(*p) {
            Some(Content::Blob(id)) => Some(id.clone()),
            _ => None,
        })
        .collect();
    let mut blob_bytes = repo.blobs(&blobs).map_err(fail)?.into_iter();
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        match files.get(*p) {
            Some(Content::Blob(_)) => out.push(blob_bytes.next().unwrap_or_default()),
            Some(Content::Disk(path)) => match std::fs::read(path) {
                Ok(bytes) => out.push(bytes),
                Err(e) => return Err(fail(format!("{}: {e}", path.display()))),
            },
            None => out.push(Vec::new()),
        }
    }
    Ok(out)
}
