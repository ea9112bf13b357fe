//! Writing output files safely: never a half-written or clobbered file.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically: to a temporary file in the same
/// directory, then renamed over `path`. Creates missing parent directories.
/// A failure at any point leaves `path` as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::Builder::new()
        .prefix(".sop-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    file.write_all(bytes)?;
    // The rename is what keeps readers from ever seeing a partial file;
    // no fsync per file, which would make rendering a tree of thousands of
    // files wait on the disk for each one.
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Like [`write_atomic`], but leaves `path` alone when it already holds
/// exactly `bytes`, so re-rendering an unchanged tree touches nothing (and
/// timestamps stay as they were for build tools). Returns whether it wrote.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_file() && meta.len() == bytes.len() as u64 && std::fs::read(path)? == bytes {
            return Ok(false);
        }
    }
    write_atomic(path, bytes)?;
    Ok(true)
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
}
