//! Writing files safely: never a half-written, clobbered or lost file.
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
//!
//! `sop fmt` rewrites the user's own files, so [`rewrite`] is stricter: a
//! read-only file is left alone, the owner must be kept or the file is left
//! alone, a file with several hard links is rewritten through its inode so
//! the links stay, and a file that changed since it was read is not
//! overwritten.

use std::fs::{File, Metadata};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: to a temporary file in the same
/// directory, then renamed over `path`. Creates missing parent directories.
/// A failure at any point leaves `path` as it was. See the module
/// documentation for modes, owners, links and special files.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// Like [`write_atomic`], with the content written by `write` (to a
/// buffered temporary file), so that a large output is never held in
/// memory. When `write` fails, `path` is left as it was.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
) -> io::Result<()> {
    let (target, existing) = destination(path)?;
    let dir = parent_dir(&target);
    std::fs::create_dir_all(dir)?;
    let mut file = temp_file(dir, existing.as_ref())?;
    if let Some(meta) = &existing {
        // A generated file: keeping the owner is a courtesy, not a must.
        let _ = keep_owner(file.as_file(), meta);
        set_mode(file.as_file(), meta)?;
    }
    {
        let mut buffered = io::BufWriter::with_capacity(1 << 16, file.as_file_mut());
        write(&mut buffered)?;
        buffered.flush()?;
    }
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

/// Writes a new file at `path` and never over anything: when something is
/// there already (a file, a directory, a symbolic link, even a broken one)
/// it is left as it is and the error is [`io::ErrorKind::AlreadyExists`].
/// The content goes to a temporary file in the same directory, which is
/// then moved into place only if the name is still free (one atomic step),
/// so no reader sees half a file and a file that appears meanwhile is not
/// replaced. Creates missing parent directories; the file gets the mode any
/// program gets, `0666` less the umask.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let exists = || io::Error::new(io::ErrorKind::AlreadyExists, "already exists");
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(exists());
    }
    let dir = parent_dir(path);
    std::fs::create_dir_all(dir)?;
    let mut file = temp_file(dir, None)?;
    file.write_all(bytes)?;
    file.persist_noclobber(path)
        .map_err(|e| match e.error.kind() {
            io::ErrorKind::AlreadyExists => exists(),
            _ => e.error,
        })?;
    Ok(())
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

/// A file as it was read, so that it is replaced only if it has not
/// changed since.
#[derive(Debug)]
pub struct Snapshot {
    /// The file read, symbolic links resolved.
    target: PathBuf,
    meta: Metadata,
    /// Its content.
    pub bytes: Vec<u8>,
}

impl Snapshot {
    /// Reads a regular file (through a symbolic link, if `path` is one).
    /// Anything else is refused without being opened for long: a named
    /// pipe is opened without waiting for a writer, and not read.
    pub fn read(path: &Path) -> io::Result<Snapshot> {
        let target = if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
            std::fs::canonicalize(path)?
        } else {
            path.to_path_buf()
        };
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
        }
        let mut file = options.open(&target)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(not_regular(&meta));
        }
        let mut bytes = Vec::with_capacity(meta.len().try_into().unwrap_or(0));
        file.read_to_end(&mut bytes)?;
        Ok(Snapshot {
            target,
            meta,
            bytes,
        })
    }
}

/// Why [`rewrite`] left a file as it was.
#[derive(Debug)]
pub enum RewriteError {
    /// The file may not be written: its mode, the user's rights, or a
    /// read-only file system (the reason).
    ReadOnly(String),
    /// The file changed after it was read.
    Changed,
    /// A rewritten file would get another owner or group, and this user
    /// cannot give it back.
    Owner,
    Io(io::Error),
}

impl std::fmt::Display for RewriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RewriteError::ReadOnly(why) => write!(f, "read-only ({why}), left unchanged"),
            RewriteError::Changed => write!(
                f,
                "changed while it was being formatted, so it was left as it is; run the command again"
            ),
            RewriteError::Owner => write!(
                f,
                "belongs to another user or group, which a rewritten file could not keep, so it was left unchanged; run the command as its owner"
            ),
            RewriteError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RewriteError {}

impl From<io::Error> for RewriteError {
    fn from(e: io::Error) -> Self {
        if is_read_only_fs(&e) {
            RewriteError::ReadOnly("read-only file system".into())
        } else {
            RewriteError::Io(e)
        }
    }
}

fn is_read_only_fs(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(rustix::io::Errno::ROFS.raw_os_error())
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// Replaces the content of the file `snapshot` was read from with `bytes`,
/// keeping the file's mode, owner, group and hard links, unless the file
/// is read-only or has changed since it was read. A single link is
/// replaced atomically (temporary file, then rename); a file with several
/// hard links is rewritten in place, since a rename would cut it off from
/// its other names.
pub fn rewrite(snapshot: &Snapshot, bytes: &[u8]) -> Result<(), RewriteError> {
    let target = &snapshot.target;
    read_only(target, &snapshot.meta)?;
    if links(&snapshot.meta) > 1 {
        return rewrite_in_place(snapshot, bytes);
    }
    let mut file = temp_file(parent_dir(target), Some(&snapshot.meta))?;
    if let Err(e) = keep_owner(file.as_file(), &snapshot.meta) {
        return Err(if e.kind() == io::ErrorKind::PermissionDenied {
            RewriteError::Owner
        } else {
            RewriteError::Io(e)
        });
    }
    set_mode(file.as_file(), &snapshot.meta)?;
    file.write_all(bytes)?;
    // The user's own file: on disk before it replaces the old one.
    file.as_file().sync_data()?;
    unchanged(snapshot)?;
    file.persist(target).map_err(|e| e.error)?;
    Ok(())
}

/// Refuses a file that may not be written. The mode bits decide first, so
/// that root, whom permissions do not stop, leaves a `0444` file alone too.
fn read_only(target: &Path, meta: &Metadata) -> Result<(), RewriteError> {
    #[cfg(unix)]
    {
        use rustix::fs::{Access, AtFlags, CWD};
        use rustix::io::Errno;
        use std::os::unix::fs::MetadataExt;
        if meta.mode() & 0o222 == 0 {
            return Err(RewriteError::ReadOnly(format!(
                "mode {:04o}",
                meta.mode() & 0o7777
            )));
        }
        match rustix::fs::accessat(CWD, target, Access::WRITE_OK, AtFlags::EACCESS) {
            Err(Errno::ROFS) => Err(RewriteError::ReadOnly("read-only file system".into())),
            Err(Errno::ACCESS | Errno::PERM) => Err(RewriteError::ReadOnly(
                "you have no permission to write it".into(),
            )),
            _ => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = target;
        if meta.permissions().readonly() {
            return Err(RewriteError::ReadOnly("read-only attribute".into()));
        }
        Ok(())
    }
}

fn links(meta: &Metadata) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.nlink()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        1
    }
}

/// Whether two metadata describe the same file with the same content as
/// far as the file system tells: same inode, size, and modification and
/// change times.
fn same_state(a: &Metadata, b: &Metadata) -> bool {
    if !b.is_file() || a.len() != b.len() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (
            a.dev(),
            a.ino(),
            a.mtime(),
            a.mtime_nsec(),
            a.ctime(),
            a.ctime_nsec(),
        ) == (
            b.dev(),
            b.ino(),
            b.mtime(),
            b.mtime_nsec(),
            b.ctime(),
            b.ctime_nsec(),
        )
    }
    #[cfg(not(unix))]
    {
        a.modified().ok() == b.modified().ok()
    }
}

/// Fails with [`RewriteError::Changed`] unless the file still is what the
/// snapshot saw: the same metadata and the same bytes (file systems with
/// coarse timestamps can hide an edit from the metadata).
fn unchanged(snapshot: &Snapshot) -> Result<(), RewriteError> {
    let now = match std::fs::metadata(&snapshot.target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(RewriteError::Changed),
        Err(e) => return Err(e.into()),
    };
    if !same_state(&snapshot.meta, &now) || std::fs::read(&snapshot.target)? != snapshot.bytes {
        return Err(RewriteError::Changed);
    }
    Ok(())
}

/// Rewrites a hard-linked file through its inode: checks, through the open
/// file, that it is unchanged, then writes the new content over the old
/// and cuts it to length. Should the write fail (a full disk), the old
/// content is written back.
fn rewrite_in_place(snapshot: &Snapshot, bytes: &[u8]) -> Result<(), RewriteError> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&snapshot.target)?;
    let now = file.metadata()?;
    let mut current = Vec::with_capacity(snapshot.bytes.len());
    file.read_to_end(&mut current)?;
    if !same_state(&snapshot.meta, &now) || current != snapshot.bytes {
        return Err(RewriteError::Changed);
    }
    let put = |file: &mut File, content: &[u8]| -> io::Result<()> {
        use std::io::Seek as _;
        file.seek(io::SeekFrom::Start(0))?;
        file.write_all(content)?;
        file.set_len(content.len() as u64)?;
        file.sync_data()
    };
    if let Err(e) = put(&mut file, bytes) {
        return Err(match put(&mut file, &snapshot.bytes) {
            Ok(()) => RewriteError::Io(e),
            Err(_) => RewriteError::Io(io::Error::new(
                e.kind(),
                format!("{e}; the file may be damaged: restore it from version control"),
            )),
        });
    }
    Ok(())
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

    #[test]
    fn a_file_changed_after_it_was_read_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sop");
        std::fs::write(&path, "old content\n").unwrap();
        let snapshot = Snapshot::read(&path).unwrap();
        // An editor saves while the formatter works.
        std::fs::write(&path, "the user's edit\n").unwrap();
        let result = rewrite(&snapshot, b"formatted\n");
        assert!(matches!(result, Err(RewriteError::Changed)), "{result:?}");
        assert_eq!(std::fs::read(&path).unwrap(), b"the user's edit\n");
    }

    #[test]
    fn an_edit_of_the_same_length_and_time_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sop");
        std::fs::write(&path, "aaaa\n").unwrap();
        let snapshot = Snapshot::read(&path).unwrap();
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        // Same length, and the modification time put back, as on a file
        // system with coarse timestamps.
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        (&file).write_all(b"bbbb\n").unwrap();
        file.set_modified(modified).unwrap();
        drop(file);
        for links in [1, 2] {
            if links == 2 {
                std::fs::hard_link(&path, dir.path().join("b.sop")).unwrap();
            }
            let result = rewrite(&snapshot, b"formatted\n");
            assert!(matches!(result, Err(RewriteError::Changed)), "{result:?}");
            assert_eq!(std::fs::read(&path).unwrap(), b"bbbb\n");
        }
    }

    #[test]
    fn a_deleted_file_is_not_recreated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sop");
        std::fs::write(&path, "x\n").unwrap();
        let snapshot = Snapshot::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            rewrite(&snapshot, b"y\n"),
            Err(RewriteError::Changed)
        ));
        assert!(!path.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_neither_read_nor_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.sop");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let e = Snapshot::read(&fifo).unwrap_err();
        assert!(e.to_string().contains("named pipe"), "{e}");
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

    #[test]
    fn a_new_file_never_replaces_anything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/new.sop");
        write_new(&path, b"one").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        let e = write_new(&path, b"two").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        let e = write_new(dir.path(), b"x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("new.sop")]);
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_does_not_follow_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("new.sop");
        std::os::unix::fs::symlink("elsewhere.sop", &link).unwrap();
        let e = write_new(&link, b"x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert!(!dir.path().join("elsewhere.sop").exists());
    }
}
