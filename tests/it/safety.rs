//! Nothing the user owns is lost: the output folder of `sop handbook`, the
//! files `sop render -o` writes, the files `sop fmt` rewrites, and the
//! handbook's logo. Every test keeps the user's files and checks them byte
//! for byte afterwards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{sop, Out};

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

/// Every file and symbolic link under `root` with its content (a link's
/// target), and every folder, so that any change shows.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut map = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(root).unwrap().to_path_buf();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                map.insert(relative, target.to_string_lossy().as_bytes().to_vec());
            } else if meta.is_dir() {
                map.insert(relative.join(""), b"<dir>".to_vec());
                stack.push(path);
            } else {
                map.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    map
}

/// A project as a user has it: `sop.yaml`, SOPs in a folder, a README and
/// a `.git` folder.
fn project(root: &Path) -> PathBuf {
    let proj = root.join("proj");
    std::fs::create_dir_all(proj.join("sops/support")).unwrap();
    std::fs::create_dir_all(proj.join(".git/objects")).unwrap();
    std::fs::write(proj.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(proj.join(".git/objects/ab"), [0u8, 1, 2, 255]).unwrap();
    std::fs::write(proj.join("sop.yaml"), "# project\n").unwrap();
    std::fs::write(proj.join("README.md"), "# Our SOPs\n").unwrap();
    std::fs::write(proj.join("sops/a.sop"), standalone("FU-1")).unwrap();
    std::fs::write(proj.join("sops/support/b.sop"), standalone("FU-2")).unwrap();
    proj
}

fn handbook(cwd: &Path, dir: &str, out: &str) -> Out {
    sop(&["handbook", dir, "-o", out, "--today", "2026-11-23"])
        .current_dir(cwd)
        .env("CI", "1")
        .env("NO_COLOR", "1")
        .run()
}

/// `sop handbook` refused to build: exit 2, a message that says why, no
/// staging folder left, and every file as it was.
#[track_caller]
fn refused(cwd: &Path, dir: &str, out: &str, watched: &Path, why: &str) -> Out {
    let before = tree(watched);
    let result = handbook(cwd, dir, out);
    result.code(2);
    assert!(
        result.stderr.contains(why) && result.stderr.contains("sop: "),
        "`{}`: expected {why:?} in\n{}",
        result.shown,
        result.stderr
    );
    assert_eq!(tree(watched), before, "`{}` changed files", result.shown);
    result
}

#[test]
fn handbook_refuses_the_input_folder_as_output() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = project(tmp.path());
    let out = refused(
        &proj,
        "sops",
        "sops",
        tmp.path(),
        "is the folder of the SOPs",
    );
    assert!(
        out.stderr.contains("-o site"),
        "says what to do: {}",
        out.stderr
    );
    refused(&proj, ".", ".", tmp.path(), "is the folder of the SOPs");
    // The same folder by another name.
    refused(
        &proj,
        "sops",
        "./sops/../sops/",
        tmp.path(),
        "folder of the SOPs",
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(proj.join("sops"), tmp.path().join("link")).unwrap();
        refused(
            tmp.path(),
            "proj/sops",
            "link",
            tmp.path(),
            "folder of the SOPs",
        );
    }
}

#[test]
fn handbook_refuses_a_parent_of_the_input() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = project(tmp.path());
    refused(&proj, "sops/support", "sops", tmp.path(), "holds the SOPs");
    refused(
        tmp.path(),
        "proj/sops",
        "proj",
        tmp.path(),
        "holds the SOPs",
    );
    refused(tmp.path(), "proj/sops", ".", tmp.path(), "holds the SOPs");
}

#[test]
fn handbook_refuses_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = project(tmp.path());
    refused(
        &proj,
        "sops",
        "README.md",
        tmp.path(),
        "README.md is a file",
    );
}

#[test]
fn handbook_refuses_the_current_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = project(tmp.path());
    let elsewhere = tmp.path().join("work");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("notes.txt"), "mine").unwrap();
    refused(
        &elsewhere,
        "../proj/sops",
        ".",
        tmp.path(),
        "the current folder",
    );
    // Even an empty current folder: the shell would be left in a deleted
    // folder.
    std::fs::remove_file(elsewhere.join("notes.txt")).unwrap();
    refused(
        &elsewhere,
        "../proj/sops",
        ".",
        tmp.path(),
        "the current folder",
    );
    let _ = proj;
}

#[test]
fn handbook_refuses_a_folder_that_is_not_its_site() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = project(tmp.path());
    std::fs::create_dir(proj.join("notes")).unwrap();
    std::fs::write(proj.join("notes/todo.txt"), "buy milk").unwrap();
    let out = refused(&proj, "sops", "notes", tmp.path(), "not empty");
    assert!(out.stderr.contains(".sop-handbook.json"), "{}", out.stderr);
    // A folder holding only hidden files is not empty either.
    std::fs::create_dir(proj.join("hidden")).unwrap();
    std::fs::write(proj.join("hidden/.env"), "KEY=1").unwrap();
    refused(&proj, "sops", "hidden", tmp.path(), "not empty");
    // A marker that is not ours does not make a site.
    std::fs::write(proj.join("notes/.sop-handbook.json"), "{}").unwrap();
    refused(&proj, "sops", "notes", tmp.path(), "not empty");
}

#[test]
fn handbook_replaces_its_own_site_and_keeps_what_the_user_added() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = project(tmp.path());
    handbook(&proj, "sops", "../site").code(0);
    let site = tmp.path().join("site");
    let listed = sop::handbook::listed_files(&site).expect("the site has a marker");
    assert!(listed.contains(&"index.html".to_string()), "{listed:?}");
    assert!(listed.contains(&"print.html".to_string()), "{listed:?}");
    assert!(listed.contains(&"sop/FU-1.html".to_string()), "{listed:?}");
    // Every file of the site is listed, and nothing else.
    let mut files: Vec<String> = tree(&site)
        .into_iter()
        .filter(|(_, v)| v != b"<dir>")
        .map(|(p, _)| p.to_string_lossy().into_owned())
        .filter(|p| p != sop::handbook::MARKER)
        .collect();
    files.sort();
    assert_eq!(files, listed);

    // An earlier site is replaced.
    std::fs::remove_file(proj.join("sops/support/b.sop")).unwrap();
    handbook(&proj, "sops", "../site").code(0);
    assert!(!site.join("sop/FU-2.html").exists(), "the old page is gone");
    assert_eq!(names(tmp.path()), ["proj", "site"], "nothing left behind");

    // A file the user put into the site is theirs: the build is refused.
    std::fs::write(site.join("CNAME"), "sops.example.com\n").unwrap();
    std::fs::create_dir(site.join("extra")).unwrap();
    std::fs::write(site.join("extra/keep.txt"), "mine").unwrap();
    let out = refused(
        &proj,
        "sops",
        "../site",
        tmp.path(),
        "files it did not write",
    );
    assert!(
        out.stderr.contains("CNAME") && out.stderr.contains("extra/keep.txt"),
        "names them: {}",
        out.stderr
    );
}

#[test]
fn handbook_builds_into_a_new_or_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = project(tmp.path());
    std::fs::create_dir(tmp.path().join("empty")).unwrap();
    handbook(&proj, "sops", "../empty").code(0);
    assert!(tmp.path().join("empty/index.html").is_file());
    handbook(&proj, "sops", "../new/deep/site").code(0);
    assert!(tmp.path().join("new/deep/site/index.html").is_file());
    assert_eq!(names(&tmp.path().join("new/deep")), ["site"]);
    assert_eq!(names(tmp.path()), ["empty", "new", "proj"]);
}

#[test]
fn handbook_output_inside_the_repository_is_not_part_of_it() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = project(tmp.path());
    handbook(&proj, ".", "site").code(0);
    let site = proj.join("site");
    assert!(site.join("sop/FU-1.html").is_file());
    // Suppose the site held a `.sop` file (listed in its marker, so the
    // site is still ours): it is not an SOP of the project, neither for
    // the check (it is broken) nor for the pages.
    std::fs::write(
        site.join("sop/copy.sop"),
        "sop FU-1: A copy\nsteps:\n  oops\n",
    )
    .unwrap();
    let marker = site.join(sop::handbook::MARKER);
    let text = std::fs::read_to_string(&marker).unwrap();
    let text = text.replacen("\"files\": [", "\"files\": [\n    \"sop/copy.sop\",", 1);
    std::fs::write(&marker, text).unwrap();
    let result = handbook(&proj, ".", "site");
    result.code(0);
    assert!(!result.stderr.contains("copy.sop"), "{}", result.stderr);
    assert!(result.stderr.contains("Built 2 SOPs"), "{}", result.stderr);
    // And `sop check` still sees the whole repository.
    let check = sop(&["check", "sops"]).current_dir(&proj).run();
    check.code(0);
}

#[test]
fn handbook_follows_a_link_to_its_site() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = project(tmp.path());
    handbook(&proj, "sops", "../real").code(0);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("real", tmp.path().join("site")).unwrap();
        std::fs::remove_file(proj.join("sops/support/b.sop")).unwrap();
        handbook(&proj, "sops", "../site").code(0);
        let link = std::fs::symlink_metadata(tmp.path().join("site")).unwrap();
        assert!(link.file_type().is_symlink(), "the link stays a link");
        assert!(!tmp.path().join("real/sop/FU-2.html").exists());
        assert!(tmp.path().join("real/sop/FU-1.html").exists());
        assert_eq!(names(tmp.path()), ["proj", "real", "site"]);
    }
}

/// A leftover of a killed build: a staging folder with a marker.
fn leftover(dir: &Path, marker: &str) {
    std::fs::create_dir_all(dir.join("sop")).unwrap();
    std::fs::write(dir.join("sop/A.html"), "<p>half").unwrap();
    std::fs::write(dir.join(".sop-handbook.json"), marker).unwrap();
}

#[test]
fn handbook_cleans_up_what_a_killed_build_left_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = project(tmp.path());
    let marker = "{\"generator\": \"sop handbook\", \"version\": \"0.1.0\", \"files\": []}";
    leftover(&tmp.path().join(".sop-handbook-Ab12Cd"), marker);
    // Killed while writing the marker.
    leftover(&tmp.path().join(".sop-handbook-Ef34Gh"), "{\"generat");
    // Killed while deleting the old site.
    leftover(&tmp.path().join(".sop-handbook-Ij56Kl.old"), marker);
    // Not ours: no marker, a name that is not a staging name, a file.
    std::fs::create_dir(tmp.path().join(".sop-handbook-Mn78Op")).unwrap();
    std::fs::write(tmp.path().join(".sop-handbook-Mn78Op/mine.txt"), "keep").unwrap();
    std::fs::create_dir(tmp.path().join(".sop-handbook-my-notes")).unwrap();
    std::fs::write(
        tmp.path().join(".sop-handbook-my-notes/.sop-handbook.json"),
        marker,
    )
    .unwrap();
    std::fs::write(tmp.path().join(".sop-handbook-Qr90St"), "a file").unwrap();
    // Killed before the marker was written, a while ago.
    let empty = tmp.path().join(".sop-handbook-Uv12Wx");
    std::fs::create_dir(&empty).unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::open(&empty)
        .unwrap()
        .set_modified(old)
        .unwrap();

    let keep: BTreeMap<PathBuf, Vec<u8>> = tree(tmp.path())
        .into_iter()
        .filter(|(p, _)| {
            let s = p.to_string_lossy();
            s.starts_with(".sop-handbook-Mn78Op")
                || s.starts_with(".sop-handbook-my-notes")
                || s.starts_with(".sop-handbook-Qr90St")
                || s.starts_with("proj")
        })
        .collect();
    handbook(&proj, "sops", "../site").code(0);
    assert_eq!(
        names(tmp.path()),
        [
            ".sop-handbook-Mn78Op",
            ".sop-handbook-Qr90St",
            ".sop-handbook-my-notes",
            "proj",
            "site"
        ]
    );
    let after: BTreeMap<PathBuf, Vec<u8>> = tree(tmp.path())
        .into_iter()
        .filter(|(p, _)| !p.starts_with("site"))
        .collect();
    assert_eq!(after, keep, "the user's files are as they were");
}

/// A real `kill -9` in the middle of a build, then a build that succeeds:
/// nothing of the killed build remains.
#[test]
fn handbook_after_kill_9_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = project(tmp.path());
    for i in 0..400 {
        std::fs::write(
            proj.join(format!("sops/s{i:03}.sop")),
            standalone(&format!("GEN-{i:03}")),
        )
        .unwrap();
    }
    handbook(&proj, "sops", "../site").code(0);
    let mut child = Command::new(env!("CARGO_BIN_EXE_sop"))
        .args(["handbook", "sops", "-o", "../site", "--today", "2026-11-23"])
        .current_dir(&proj)
        .env("CI", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the build has a staging folder, then kill it.
    let start = Instant::now();
    let mut seen = false;
    while start.elapsed() < Duration::from_secs(20) {
        if names(tmp.path())
            .iter()
            .any(|n| n.starts_with(".sop-handbook-"))
        {
            seen = true;
            std::thread::sleep(Duration::from_millis(30));
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    let _ = child.wait();
    if !seen {
        eprintln!("note: the build finished before it could be killed");
    }
    handbook(&proj, "sops", "../site").code(0);
    assert_eq!(names(tmp.path()), ["proj", "site"]);
    assert!(tmp.path().join("site/sop/GEN-399.html").is_file());
}

/// A folder the site goes into gets the mode the umask says, like any.
#[cfg(unix)]
#[test]
fn handbook_site_folder_follows_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let proj = project(tmp.path());
    let out = with_umask(
        "022",
        &proj,
        &["handbook", "sops", "-o", "../site", "--today", "2026-11-23"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let mode = |p: &str| {
        std::fs::metadata(tmp.path().join(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("site"), 0o755);
    assert_eq!(mode("site/index.html"), 0o644);
}

/// A project with `sop.yaml` holding `logo:`, and a handbook build of it.
fn logo_build(tmp: &Path, logo: &str, files: &[(&str, &[u8])]) -> Out {
    let proj = tmp.join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    std::fs::write(proj.join("a.sop"), standalone("FU-1")).unwrap();
    std::fs::write(
        proj.join("sop.yaml"),
        format!("review: every year\nhandbook:\n  title: Ours\n  logo: {logo}\n"),
    )
    .unwrap();
    for (name, bytes) in files {
        let path = tmp.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    handbook(&proj, ".", "../site")
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

#[track_caller]
fn logo_refused(logo: &str, files: &[(&str, &[u8])], why: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let result = logo_build(tmp.path(), logo, files);
    result.code(2);
    assert!(
        result.stderr.contains("sop.yaml:4: handbook: logo:") && result.stderr.contains(why),
        "logo: {logo}: expected {why:?} in\n{}",
        result.stderr
    );
    assert!(!tmp.path().join("site").exists(), "nothing published");
}

#[test]
fn handbook_logo_must_lie_inside_the_project() {
    logo_refused(
        "../secret.env",
        &[("secret.env", b"\x89PNG\r\n\x1a\nAPI_KEY=hunter2")],
        "lies outside the project",
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let secret = elsewhere.path().join("secret.png");
    std::fs::write(&secret, PNG).unwrap();
    logo_refused(secret.to_str().unwrap(), &[], "lies outside the project");
    logo_refused("/etc/hostname", &[], "handbook: logo:");
    logo_refused("missing.png", &[], "does not exist");
    #[cfg(unix)]
    {
        // A link inside the project to a file outside it.
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("outside.png"), PNG).unwrap();
        std::fs::create_dir(tmp.path().join("proj")).unwrap();
        std::os::unix::fs::symlink("../outside.png", tmp.path().join("proj/logo.png")).unwrap();
        let result = logo_build(tmp.path(), "logo.png", &[]);
        result.code(2);
        assert!(
            result.stderr.contains("lies outside the project"),
            "{}",
            result.stderr
        );
    }
}

#[test]
fn handbook_logo_must_be_an_image() {
    logo_refused(
        "logo.png",
        &[("proj/logo.png", b"API_KEY=hunter2\n")],
        "is not a PNG image",
    );
    // A real image named like the site's stylesheet.
    logo_refused(
        "site.css",
        &[("proj/site.css", PNG)],
        "is not an image file",
    );
    logo_refused(
        "assets/site.js",
        &[("proj/assets/site.js", PNG)],
        "is not an image file",
    );
    logo_refused("logo.jpg", &[("proj/logo.jpg", PNG)], "is not a JPEG image");
    logo_refused("img", &[("proj/img/x.png", PNG)], "is not an image file");
    logo_refused(
        "logo.svg",
        &[(
            "proj/logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
        )],
        "<script>",
    );
    logo_refused(
        "logo.svg",
        &[(
            "proj/logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
        )],
        "event handler",
    );
    logo_refused(
        "logo.svg",
        &[(
            "proj/logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"&#106;ava&#x09;script:alert(1)\"><rect/></a></svg>",
        )],
        "javascript:",
    );
}

#[test]
fn handbook_logo_gets_a_name_of_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let result = logo_build(
        tmp.path(),
        "brand/Site.PNG",
        &[("proj/brand/Site.PNG", PNG)],
    );
    result.code(0);
    let site = tmp.path().join("site");
    let assets = names(&site.join("assets"));
    let logo = assets
        .iter()
        .find(|n| n.starts_with("logo-") && n.ends_with(".png"))
        .unwrap_or_else(|| panic!("no logo in {assets:?}"));
    assert_eq!(std::fs::read(site.join("assets").join(logo)).unwrap(), PNG);
    let css = std::fs::read_to_string(site.join("assets/site.css")).unwrap();
    assert!(css.contains("header.site"), "the stylesheet is the site's");
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains(&format!("src=\"assets/{logo}\"")), "{index}");
    let page = std::fs::read_to_string(site.join("sop/FU-1.html")).unwrap();
    assert!(page.contains(&format!("src=\"../assets/{logo}\"")));
}
