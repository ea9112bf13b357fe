//! Writing output files safely: never a half-written or clobbered file.
//!
//! Every file `sop` writes goes through here, under these rules:
//!
//! - A regular file is replaced atomically: the new content goes to a
//!   temporary file in the same directory, which is renamed over it, so a
//!   reader (or a `kill -9`) never sees half a file.
//! - A new file gets the mode any program gets, `0666` less the umask; an
//!   existing file keeps its mode, and its owner and group where the
//!   process may set them.
//! - A symbolic link is followed: the file it points to is replaced (in
//!   that file's directory) and the link stays a link.
//! - Anything that is not a regular file (a directory, a named pipe, a
//!   device, a socket) is refused and left as it is: `-o /dev/null` must
//!   never turn the device into a file.

use std::fs::{File, Metadata};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: to a temporary file in the same
/// directory, then renamed over `path`. Creates missing parent directories.
/// A failure at any point leaves `path` as it was. See the module
/// documentation for modes, owners, links and special files.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (target, existing) = destination(path)?;
    let dir = parent_dir(&target);
    std::fs::create_dir_all(dir)?;
    let mut file = temp_file(dir, existing.as_ref())?;
    if let Some(meta) = &existing {
        // A generated file: keeping the owner is a courtesy, not a must.
        let _ = keep_owner(file.as_file(), meta);
        set_mode(file.as_file(), meta)?;
    }
    file.write_all(bytes)?;
    // The rename is what keeps readers from ever seeing a partial file;
    // no fsync per file, which would make rendering a tree of thousands of
    // files wait on the disk for each one.
    file.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// Like [`write_atomic`], but leaves `path` alone when it already holds
/// exactly `bytes`, so re-rendering an unchanged tree touches nothing (and
/// timestamps stay as they were for build tools). Returns whether it wrote.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_file() && meta.len() == bytes.len() as u64 && std::fs::read(path)? == bytes {
            return Ok(false);
        }
    }
    write_atomic(path, bytes)?;
    Ok(true)
}

/// The error for a path that is not a regular file, naming what it is.
pub fn not_regular(meta: &Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "is {}, not a regular file; sop only replaces regular files, so it was left as it is",
            kind(meta)
        ),
    )
}

/// What a non-regular file is, for messages: "a named pipe (FIFO)"…
pub fn kind(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    if t.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// The file to replace for `path`, and its metadata when it exists:
/// symbolic links followed (also when they point to a file that does not
/// exist yet); anything but a regular file refused.
fn destination(path: &Path) -> io::Result<(PathBuf, Option<Metadata>)> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            let target = if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
                std::fs::canonicalize(path)?
            } else {
                path.to_path_buf()
            };
            Ok((target, Some(meta)))
        }
        Ok(meta) => Err(not_regular(&meta)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok((link_target(path)?, None)),
        Err(e) => Err(e),
    }
}

/// Where a chain of symbolic links ends, for a path that does not resolve
/// to an existing file: the path itself when it is no link.
fn link_target(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    // The limit Linux puts on a chain of links.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let next = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if next.is_relative() => dir.join(next),
                    _ => next,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A temporary file in `dir`, created with the mode a new file gets
/// (`0666` less the umask) or, to replace a file, that file's mode less the
/// umask (never more open than the file; [`set_mode`] then sets it exactly).
fn temp_file(dir: &Path, existing: Option<&Metadata>) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".sop-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let mode = existing.map_or(0o666, |m| m.mode() & 0o777);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = existing;
    builder.tempfile_in(dir)
}

/// Gives `file` the owner and group of `meta` when they differ (only root,
/// or an owner changing to one of their groups, may).
#[cfg(unix)]
fn keep_owner(file: &File, meta: &Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let now = file.metadata()?;
    if now.uid() == meta.uid() && now.gid() == meta.gid() {
        return Ok(());
    }
    let uid = (now.uid() != meta.uid()).then_some(meta.uid());
    let gid = (now.gid() != meta.gid()).then_some(meta.gid());
    std::os::unix::fs::fchown(file, uid, gid)
}

#[cfg(not(unix))]
fn keep_owner(_: &File, _: &Metadata) -> io::Result<()> {
    Ok(())
}

/// Gives `file` exactly the permissions of `meta` (after [`keep_owner`],
/// which clears the set-user-id and set-group-id bits).
fn set_mode(file: &File, meta: &Metadata) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        file.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))
    }
    #[cfg(not(unix))]
    file.set_permissions(meta.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/out.html");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.html")]);
    }

    #[test]
    fn unchanged_output_is_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        assert!(write_if_changed(&path, b"{}").unwrap());
        let inode = std::fs::metadata(&path).unwrap().modified().unwrap();
        assert!(!write_if_changed(&path, b"{}").unwrap());
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), inode);
        assert!(write_if_changed(&path, b"[]").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"[]");
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.sop");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let e = write_atomic(&fifo, b"x").unwrap_err();
        assert!(e.to_string().contains("named pipe"), "{e}");
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo());
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_gets_its_target_created() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("out.html");
        std::os::unix::fs::symlink("real.html", &link).unwrap();
        write_atomic(&link, b"page").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            std::fs::read(dir.path().join("real.html")).unwrap(),
            b"page"
        );
    }
}
