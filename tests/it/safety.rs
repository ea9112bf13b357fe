//! Nothing the user owns is lost: the files `sop render -o` writes and
//! the files `sop fmt` rewrites.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// A valid SOP.
fn standalone(id: &str) -> String {
    format!(
        "sop {id}: Follow up {id}\nowner: Ops\nreview: every year\npurpose: Close the loop.\nscope: All agents.\nroles:\n  agent: Agent\nsteps:\n  step call: Call the customer\n    role: agent\n  step log: Log the call\n    role: agent\nrevisions:\n  1.0  2026-06-01  Ann: Created\n"
    )
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs `cmd`, killing it after 30 s (the test then fails).
fn timed(mut cmd: Command) -> std::process::Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
            panic!("`{cmd:?}` hung");
        }
    }
}

fn sop_timed(cwd: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sop"));
    cmd.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    timed(cmd)
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `sop ARGS` under `umask MASK` in `cwd`, within a time limit (a
/// program that opens a named pipe could wait forever).
#[cfg(unix)]
fn with_umask(mask: &str, cwd: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("umask {mask} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_sop"))
        .args(args)
        .current_dir(cwd)
        .env("CI", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    timed(cmd)
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

#[cfg(unix)]
fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_fifo()
}

#[cfg(unix)]
#[test]
fn render_refuses_to_replace_a_named_pipe() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a.sop"), standalone("FU-1")).unwrap();
    mkfifo(&tmp.path().join("pipe"));
    std::os::unix::fs::symlink("pipe", tmp.path().join("link")).unwrap();
    for out in ["pipe", "link"] {
        let result = sop_timed(
            tmp.path(),
            &[
                "render",
                "a.sop",
                "--to",
                "md",
                "--today",
                "2026-11-23",
                "-o",
                out,
            ],
        );
        assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
        let message = stderr(&result);
        assert!(
            message.contains("named pipe") && message.contains("leave out -o"),
            "{message}"
        );
        assert!(is_fifo(&tmp.path().join("pipe")));
    }
    assert!(std::fs::symlink_metadata(tmp.path().join("link"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(names(tmp.path()), ["a.sop", "link", "pipe"]);
}

/// A character device like `/dev/null`, made in a temporary folder (as
/// root, where the container allows it), so that no test can ever touch
/// the real one.
#[cfg(unix)]
#[test]
fn render_refuses_to_replace_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a.sop"), standalone("FU-1")).unwrap();
    let null = tmp.path().join("null");
    let made = Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("note: skipping render_refuses_to_replace_a_device: mknod is not allowed here");
        return;
    }
    let result = sop_timed(
        tmp.path(),
        &[
            "render",
            "a.sop",
            "--to",
            "json",
            "--today",
            "2026-11-23",
            "-o",
            "null",
        ],
    );
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    assert!(
        stderr(&result).contains("character device"),
        "{}",
        stderr(&result)
    );
    assert!(std::fs::symlink_metadata(&null)
        .unwrap()
        .file_type()
        .is_char_device());
}

#[cfg(unix)]
#[test]
fn render_replaces_the_file_a_link_points_to() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a.sop"), standalone("FU-1")).unwrap();
    std::fs::create_dir(tmp.path().join("docs")).unwrap();
    std::fs::write(tmp.path().join("docs/real.md"), "old").unwrap();
    std::os::unix::fs::symlink("docs/real.md", tmp.path().join("out.md")).unwrap();
    let result = sop_timed(
        tmp.path(),
        &[
            "render",
            "a.sop",
            "--to",
            "md",
            "--today",
            "2026-11-23",
            "-o",
            "out.md",
        ],
    );
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let link = std::fs::symlink_metadata(tmp.path().join("out.md")).unwrap();
    assert!(link.file_type().is_symlink(), "the link stays a link");
    let text = std::fs::read_to_string(tmp.path().join("docs/real.md")).unwrap();
    assert!(text.contains("FU-1"), "{text}");
    assert_eq!(names(&tmp.path().join("docs")), ["real.md"]);
}

#[cfg(unix)]
#[test]
fn render_output_modes_follow_the_umask_or_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a.sop"), standalone("FU-1")).unwrap();
    let mode = |p: &str| {
        std::fs::metadata(tmp.path().join(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    };
    // New files: 0666 less the umask.
    for (mask, expected) in [("022", 0o644), ("027", 0o640), ("002", 0o664)] {
        let name = format!("new-{mask}.html");
        let out = with_umask(
            mask,
            tmp.path(),
            &[
                "render",
                "a.sop",
                "--to",
                "html",
                "--today",
                "2026-11-23",
                "-o",
                &name,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(mode(&name), expected, "umask {mask}");
    }
    // Existing files keep their mode, whatever the umask.
    std::fs::write(tmp.path().join("old.html"), "old").unwrap();
    std::fs::set_permissions(
        tmp.path().join("old.html"),
        std::fs::Permissions::from_mode(0o664),
    )
    .unwrap();
    let out = with_umask(
        "077",
        tmp.path(),
        &[
            "render",
            "a.sop",
            "--to",
            "html",
            "--today",
            "2026-11-23",
            "-o",
            "old.html",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(mode("old.html"), 0o664);
    assert!(std::fs::read_to_string(tmp.path().join("old.html"))
        .unwrap()
        .contains("FU-1"));
    // A tree of outputs too.
    std::fs::create_dir(tmp.path().join("tree")).unwrap();
    std::fs::write(tmp.path().join("tree/b.sop"), standalone("FU-2")).unwrap();
    let out = with_umask(
        "022",
        tmp.path(),
        &[
            "render",
            "tree",
            "--to",
            "md",
            "--today",
            "2026-11-23",
            "-o",
            "md",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(mode("md/b.md"), 0o644);
}

const MESSY: &str = "SOP T-1: Title\nPurpose:\n\tWhy.\nSTEPS:\n\tSTEP a: A\n\t\tDo it.   \n";

const TIDY: &str = "sop T-1: Title\n\npurpose:\n  Why.\n\nsteps:\n  step a: A\n    Do it.\n";

fn fmt(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["fmt"];
    all.extend_from_slice(args);
    sop_timed(dir, &all)
}

#[cfg(unix)]
#[test]
fn fmt_leaves_read_only_files_alone() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("ro.sop");
    std::fs::write(&path, MESSY).unwrap();
    std::fs::write(tmp.path().join("rw.sop"), MESSY).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    // Root may write anything: the mode bits decide, not access(2).
    let out = fmt(tmp.path(), &["."]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("sop: ro.sop: read-only (mode 0444), left unchanged"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out)
            .contains("Formatted 1 file, 0 already formatted, 1 file not read or not written."),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), MESSY);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777,
        0o444
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("rw.sop")).unwrap(),
        TIDY
    );
    // --check still reports it.
    let out = fmt(tmp.path(), &["--check", "ro.sop"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn fmt_keeps_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("a.sop");
    std::fs::write(&path, MESSY).unwrap();
    for mode in [0o640, 0o604, 0o2775] {
        std::fs::write(&path, MESSY).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let out = with_umask("077", tmp.path(), &["fmt", "a.sop"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), TIDY);
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777,
            mode,
            "mode {mode:o}"
        );
    }
}

#[cfg(unix)]
#[test]
fn fmt_keeps_hard_links() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.sop");
    std::fs::create_dir(tmp.path().join("other")).unwrap();
    let b = tmp.path().join("other/b.sop");
    std::fs::write(&a, MESSY).unwrap();
    std::fs::hard_link(&a, &b).unwrap();
    let inode = std::fs::metadata(&a).unwrap().ino();
    let out = fmt(tmp.path(), &["a.sop"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::metadata(&a).unwrap().ino(), inode, "same inode");
    assert_eq!(std::fs::metadata(&a).unwrap().nlink(), 2);
    assert_eq!(std::fs::read_to_string(&a).unwrap(), TIDY);
    assert_eq!(std::fs::read_to_string(&b).unwrap(), TIDY, "both names");
    assert_eq!(names(tmp.path()), ["a.sop", "other"], "no temporary file");
}

#[cfg(unix)]
#[test]
fn fmt_keeps_the_owner() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("a.sop");
    std::fs::write(&path, MESSY).unwrap();
    if std::os::unix::fs::chown(&path, Some(1234), Some(1234)).is_err() {
        eprintln!("note: fmt_keeps_the_owner checks the owner only as root; not root here");
        // Not root: a file of another user's cannot be created here, and
        // the group is kept (the owner may keep their own group).
        let out = fmt(tmp.path(), &["a.sop"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        return;
    }
    let out = fmt(tmp.path(), &["a.sop"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (1234, 1234));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), TIDY);
}

#[cfg(unix)]
#[test]
fn fmt_follows_links_and_refuses_named_pipes() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("real.sop"), MESSY).unwrap();
    std::os::unix::fs::symlink("real.sop", tmp.path().join("link.sop")).unwrap();
    let out = fmt(tmp.path(), &["link.sop"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(tmp.path().join("link.sop"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("real.sop")).unwrap(),
        TIDY
    );
    // A named pipe is neither waited on nor replaced.
    mkfifo(&tmp.path().join("pipe.sop"));
    let out = fmt(tmp.path(), &["pipe.sop"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("named pipe"), "{}", stderr(&out));
    assert!(is_fifo(&tmp.path().join("pipe.sop")));
}
