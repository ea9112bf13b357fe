//! The output folder of `sop handbook`: which folders may be replaced, the
//! marker that says a folder is a site `sop handbook` wrote, and the
//! clean-up of what an interrupted build left behind.
//!
//! The site replaces its output folder as a whole, so the folder must be
//! one whose loss costs nothing: a folder that does not exist, an empty
//! one, or a site an earlier build wrote. Every site holds a marker,
//! [`MARKER`], listing its files; a folder with a file the marker does not
//! list is the user's and is refused. The folder may never be, hold, or be
//! the current folder, nor be or hold the input. It may lie inside the
//! input (`sop handbook . -o site`): the build leaves it out of the SOPs.
//!
//! A build works in a staging folder next to the output,
//! `.sop-handbook-XXXXXX`, which holds the marker from its first moment and
//! keeps it locked while the build runs. The old site is moved aside to
//! `.sop-handbook-XXXXXX.old` and deleted once the new one is in place.
//! Folders are deleted marker last, so a build killed at any point leaves
//! folders that the next build recognises (by name and marker, and by the
//! lock being free) and deletes.

use std::io::{Seek as _, Write as _};
use std::path::{Component, Path, PathBuf};

/// The marker file in every site and staging folder.
pub const MARKER: &str = ".sop-handbook.json";

/// How staging folders are named: this, then letters and digits.
pub const STAGING_PREFIX: &str = ".sop-handbook-";

/// What the marker says.
const GENERATOR: &str = "sop handbook";

/// A marker larger than this is not ours (a site of a million pages lists
/// about 40 MB of names).
const MARKER_LIMIT: u64 = 256 << 20;

/// A folder without a marker is deleted as a leftover only when empty and
/// older than this, so that a build that has just created its staging
/// folder does not lose it to another build's clean-up.
const EMPTY_LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(60);

/// The marker's content.
#[derive(serde::Serialize, serde::Deserialize)]
struct Manifest {
    generator: String,
    version: String,
    /// Every file of the site but the marker, `/`-separated, sorted.
    files: Vec<String>,
}

/// The output folder, checked: safe to replace.
#[derive(Debug, Clone)]
pub struct OutDir {
    /// As the user gave it, for messages.
    pub shown: PathBuf,
    /// Absolute, with symbolic links resolved: the folder that is replaced.
    pub path: PathBuf,
}

impl OutDir {
    /// Checks that `out` may be replaced by a site built from `input`.
    /// The error says why not and what to do.
    pub fn check(out: &Path, input: &Path) -> Result<OutDir, String> {
        let shown = out.display();
        let cwd = std::env::current_dir()
            .and_then(|d| d.canonicalize())
            .map_err(|e| format!("cannot read the current folder: {e}"))?;
        let input_abs = input
            .canonicalize()
            .map_err(|e| format!("{}: {e}", input.display()))?;
        let path = resolve(&cwd.join(out)).map_err(|e| format!("{shown}: {e}"))?;
        let choose = "choose a folder of its own for the site, such as `-o site`";
        if path == input_abs {
            return Err(format!(
                "{shown} is the folder of the SOPs itself: the site replaces its output folder as a whole, so building there would delete the SOPs; {choose}"
            ));
        }
        if input_abs.starts_with(&path) {
            return Err(format!(
                "{shown} holds the SOPs ({} lies inside it): the site replaces its output folder as a whole, so building there would delete them; {choose}",
                input.display()
            ));
        }
        if cwd.starts_with(&path) {
            return Err(format!(
                "{shown} is (or holds) the current folder: the site replaces its output folder as a whole, so building there would delete what it holds; {choose}"
            ));
        }
        let dir = OutDir {
            shown: out.to_path_buf(),
            path,
        };
        dir.replaceable()?;
        Ok(dir)
    }

    /// Checks the folder's content: none, empty, or a site `sop handbook`
    /// wrote with no file of the user's in it. Run again just before the
    /// site is swapped in.
    pub fn replaceable(&self) -> Result<(), String> {
        let shown = self.shown.display();
        let meta = match std::fs::symlink_metadata(&self.path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(format!("{shown}: {e}")),
        };
        if meta.is_file() {
            return Err(format!(
                "{shown} is a file: sop handbook writes a whole folder and would replace it; choose a folder for the site instead, such as `-o site`"
            ));
        }
        if !meta.is_dir() {
            return Err(format!(
                "{shown} is {}, not a folder; choose a folder for the site, such as `-o site`",
                crate::output::kind(&meta)
            ));
        }
        let mut entries = std::fs::read_dir(&self.path).map_err(|e| format!("{shown}: {e}"))?;
        if entries.next().is_none() {
            return Ok(());
        }
        let Some(manifest) = read_marker(&self.path.join(MARKER)) else {
            return Err(format!(
                "{shown} is not empty and is not a site that sop handbook wrote (it has no {MARKER}); the site replaces its output folder as a whole, so building there would delete what it holds. Choose a new or empty folder, or move its content elsewhere first (a site built by an older sop has no marker: delete it yourself once)"
            ));
        };
        let listed: std::collections::HashSet<&str> =
            manifest.files.iter().map(String::as_str).collect();
        let mut foreign = Vec::new();
        foreign_files(&self.path, "", &listed, &mut foreign)
            .map_err(|e| format!("{shown}: {e}"))?;
        if !foreign.is_empty() {
            foreign.sort();
            let more = if foreign.len() > 5 {
                format!(" and {} more", foreign.len() - 5)
            } else {
                String::new()
            };
            foreign.truncate(5);
            return Err(format!(
                "{shown} is a site that sop handbook wrote, but it also holds files it did not write ({}{more}); the site is replaced as a whole, so they would be deleted. Move them elsewhere, or choose another output folder",
                foreign.join(", ")
            ));
        }
        Ok(())
    }

    /// The folder the output lies in, where staging folders go.
    pub fn parent(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("/"))
    }
}

/// An absolute path with its symbolic links resolved, for a path that may
/// not exist yet: its nearest existing ancestor resolved, the rest
/// appended (a `..` there is taken lexically: nothing below the ancestor
/// exists, so nothing there is a link).
fn resolve(abs: &Path) -> std::io::Result<PathBuf> {
    let mut missing = Vec::new();
    let mut existing = abs;
    loop {
        match std::fs::symlink_metadata(existing) {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let Some(parent) = existing.parent() else {
                    break;
                };
                missing.push(existing);
                existing = parent;
            }
            Err(e) => return Err(e),
        }
    }
    let mut path = existing.canonicalize().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            std::io::Error::new(
                e.kind(),
                "a symbolic link to a folder that does not exist; create that folder first",
            )
        } else {
            e
        }
    })?;
    for part in missing.iter().rev() {
        match part.components().next_back() {
            Some(Component::ParentDir) => {
                path.pop();
            }
            Some(Component::Normal(name)) => path.push(name),
            _ => {}
        }
    }
    Ok(path)
}

/// The manifest in a marker file, if it is one of ours.
fn read_marker(path: &Path) -> Option<Manifest> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MARKER_LIMIT {
        return None;
    }
    let text = std::fs::read(path).ok()?;
    let manifest: Manifest = serde_json::from_slice(&text).ok()?;
    (manifest.generator == GENERATOR).then_some(manifest)
}

/// Collects the files under `dir` (as `prefix/name`) that `listed` does not
/// hold. Folders are looked into, never followed through links; a link is
/// a file of the user's.
fn foreign_files(
    dir: &Path,
    prefix: &str,
    listed: &std::collections::HashSet<&str>,
    out: &mut Vec<String>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            foreign_files(&entry.path(), &relative, listed, out)?;
        } else {
            let is_marker = prefix.is_empty() && relative == MARKER;
            if !is_marker && !listed.contains(relative.as_str()) {
                out.push(relative);
            }
        }
    }
    Ok(())
}

/// An open, locked marker: the lock says the folder belongs to a running
/// build, and goes away with the process however it ends.
pub struct Marker {
    file: std::fs::File,
}

impl Marker {
    /// Creates the marker of a staging folder, with no files listed yet,
    /// and locks it.
    pub fn create(dir: &Path) -> std::io::Result<Marker> {
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(dir.join(MARKER))?;
        lock(&file, true)?;
        file.write_all(&manifest_bytes(Vec::new()))?;
        Ok(Marker { file })
    }

    /// Writes the final list of the site's files.
    pub fn finish(&mut self, mut files: Vec<String>) -> std::io::Result<()> {
        files.sort_unstable();
        files.dedup();
        self.file.set_len(0)?;
        self.file.seek(std::io::SeekFrom::Start(0))?;
        self.file.write_all(&manifest_bytes(files))?;
        self.file.flush()
    }
}

fn manifest_bytes(files: Vec<String>) -> Vec<u8> {
    let manifest = Manifest {
        generator: GENERATOR.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        files,
    };
    let mut bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Takes an exclusive lock on `file`, waiting for it or not.
#[cfg(unix)]
fn lock(file: &std::fs::File, wait: bool) -> std::io::Result<()> {
    use rustix::fs::{flock, FlockOperation};
    let op = if wait {
        FlockOperation::LockExclusive
    } else {
        FlockOperation::NonBlockingLockExclusive
    };
    flock(file, op).map_err(std::io::Error::from)
}

#[cfg(not(unix))]
fn lock(_: &std::fs::File, _: bool) -> std::io::Result<()> {
    Ok(())
}

/// Locks the marker of an existing site while it is being replaced, so no
/// other build's clean-up takes the moved-aside copy for a leftover.
pub fn lock_site(dir: &Path) -> Option<std::fs::File> {
    let file = std::fs::File::open(dir.join(MARKER)).ok()?;
    lock(&file, false).ok()?;
    Some(file)
}

/// Whether `name` is the name of a staging folder or of a moved-aside old
/// site: [`STAGING_PREFIX`], letters and digits, and maybe `.old`.
pub fn is_staging_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix(STAGING_PREFIX) else {
        return false;
    };
    let rest = rest.strip_suffix(".old").unwrap_or(rest);
    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Deletes what interrupted builds left in `parent`: staging folders and
/// moved-aside old sites, recognised by their name and their marker, and
/// not locked by a build that is still running. Empty ones (a build killed
/// before it wrote its marker) go once they are a minute old. Anything
/// else is left alone. Best effort: what cannot be deleted stays.
pub fn clean_leftovers(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(is_staging_name) {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if !kind.is_dir() {
            continue;
        }
        let dir = entry.path();
        let marker = dir.join(MARKER);
        match std::fs::symlink_metadata(&marker) {
            Ok(meta) if meta.is_file() => {
                // A marker cut short by a kill does not parse; the name and
                // the file are enough then. A lock held means a live build.
                let Ok(file) = std::fs::File::open(&marker) else {
                    continue;
                };
                if lock(&file, false).is_err() {
                    continue;
                }
                let _ = remove_marked(&dir);
            }
            Ok(_) => {}
            Err(_) => {
                let old_enough = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age >= EMPTY_LEFTOVER_AGE);
                if old_enough {
                    // Fails, as it should, unless the folder is empty.
                    let _ = std::fs::remove_dir(&dir);
                }
            }
        }
    }
}

/// Deletes a folder that holds a marker: everything but the marker, then
/// the marker, then the folder, so that an interruption leaves a folder
/// that is still recognisably ours.
pub fn remove_marked(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == MARKER {
            continue;
        }
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    match std::fs::remove_file(dir.join(MARKER)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    std::fs::remove_dir(dir)
}

/// Reads the manifest of a site, for tests and tools: the files it lists.
pub fn listed_files(dir: &Path) -> Option<Vec<String>> {
    read_marker(&dir.join(MARKER)).map(|m| m.files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_names() {
        assert!(is_staging_name(".sop-handbook-a1B2c3"));
        assert!(is_staging_name(".sop-handbook-a1B2c3.old"));
        assert!(!is_staging_name(".sop-handbook-"));
        assert!(!is_staging_name(".sop-handbook-.old"));
        assert!(!is_staging_name(".sop-handbook-notes.txt"));
        assert!(!is_staging_name(".sop-handbook.json"));
        assert!(!is_staging_name("site"));
    }

    #[test]
    fn missing_paths_resolve_through_their_existing_ancestor() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("a")).unwrap();
        assert_eq!(resolve(&root.join("a/b/c")).unwrap(), root.join("a/b/c"));
        assert_eq!(resolve(&root.join("a/b/../c")).unwrap(), root.join("a/c"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("a"), root.join("link")).unwrap();
            assert_eq!(resolve(&root.join("link/new")).unwrap(), root.join("a/new"));
            std::os::unix::fs::symlink(root.join("gone"), root.join("dangling")).unwrap();
            assert!(resolve(&root.join("dangling")).is_err());
        }
    }

    #[test]
    fn a_marked_folder_is_removed_marker_last() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join(".sop-handbook-abc");
        std::fs::create_dir_all(site.join("sop")).unwrap();
        std::fs::write(site.join("sop/a.html"), "a").unwrap();
        let mut marker = Marker::create(&site).unwrap();
        marker.finish(vec!["sop/a.html".into()]).unwrap();
        assert_eq!(listed_files(&site).unwrap(), vec!["sop/a.html"]);
        // Locked by a live build: left alone.
        clean_leftovers(dir.path());
        assert!(site.exists());
        drop(marker);
        clean_leftovers(dir.path());
        assert!(!site.exists());
    }
}
