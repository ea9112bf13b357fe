//! Git history, read through the `git` command.
//!
//! Every question is one `git` process, whatever the size of the
//! repository: [`Repo::history`] runs one `git log` for the whole history
//! of `HEAD`, [`Repo::files_at`] one `git ls-tree` for a commit's tree and
//! [`Repo::blobs`] one `git cat-file --batch` for any number of file
//! contents. Git runs without a shell, in the work tree's top folder, with
//! `LC_ALL=C`, `GIT_OPTIONAL_LOCKS=0`, and none of the variables that point
//! it at another repository (`GIT_DIR`, `GIT_WORK_TREE`, ...).
//!
//! Paths are relative to the work tree's top, with `/` separators. Entries
//! whose paths are not UTF-8 are left out.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};

/// Variables that would make git read another repository, work tree or
/// index than the one asked for (a hook or an alias sets some of them).
const REDIRECTING_VARIABLES: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
];

/// The format of a commit's header in [`Repo::history`]: fields separated
/// by NUL, which no commit id, date, name or subject contains.
const LOG_FORMAT: &str = "--format=%H%x00%aI%x00%an%x00%s";

/// A git work tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    root: PathBuf,
}

/// A git command that could not give an answer.
#[derive(Debug)]
pub enum GitError {
    /// There is no `git` command to run.
    NotFound,
    /// Git ran and failed, or its output could not be read.
    Failed {
        /// The command, e.g. `git log`.
        command: String,
        /// What git said on its standard error, or what was wrong with its
        /// output.
        stderr: String,
    },
    /// Git could not be started or talked to.
    Io(io::Error),
    /// A revision that names no commit (or no object) of the repository.
    BadRevision(String),
}

impl fmt::Display for GitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GitError::NotFound => write!(f, "git is not installed (no `git` command found)"),
            GitError::Failed { command, stderr } => {
                let said = stderr.trim();
                if said.is_empty() {
                    write!(f, "`{command}` failed")
                } else {
                    write!(f, "`{command}` failed: {said}")
                }
            }
            GitError::Io(error) => write!(f, "could not run git: {error}"),
            GitError::BadRevision(rev) => {
                write!(f, "`{rev}` is not a revision of this repository")
            }
        }
    }
}

impl std::error::Error for GitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GitError::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl From<io::Error> for GitError {
    fn from(error: io::Error) -> Self {
        GitError::Io(error)
    }
}

impl Repo {
    /// The repository containing `path` (a file or folder, existing or
    /// not), or None outside git, when git is not installed, or for a bare
    /// repository.
    pub fn discover(path: &Path) -> Option<Repo> {
        let start = nearest_folder(path)?;
        let mut command = git_in(&start);
        command.args(["rev-parse", "--show-toplevel"]);
        let stdout = run(command, "git rev-parse --show-toplevel").ok()?;
        let line = stdout.strip_suffix(b"\n").unwrap_or(&stdout);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return None;
        }
        let root = path_from_bytes(line)?.canonicalize().ok()?;
        Some(Repo { root })
    }

    /// The top folder of the work tree, canonical.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A path of the work tree relative to the root, with '/' separators
    /// (`""` for the root itself); None when outside the work tree, inside
    /// `.git`, or not UTF-8. A relative `path` is taken from the current
    /// folder; it need not exist.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let absolute = canonical_lenient(path)?;
        let rest = absolute.strip_prefix(&self.root).ok()?;
        let mut parts = Vec::new();
        for component in rest.components() {
            match component {
                Component::Normal(part) => parts.push(part.to_str()?),
                _ => return None,
            }
        }
        if parts.first() == Some(&".git") {
            return None;
        }
        Some(parts.join("/"))
    }

    /// The commit id (40 hex digits, 64 in a SHA-256 repository) a revision
    /// names: `HEAD`, `main~2`, a tag, a short id. A revision starting with
    /// '-' is refused ([`GitError::BadRevision`]), never passed as an
    /// option; so is one naming no commit.
    pub fn commit(&self, rev: &str) -> Result<String, GitError> {
        if !plausible_revision(rev) {
            return Err(GitError::BadRevision(rev.to_string()));
        }
        let mut command = self.git();
        command
            .args(["rev-parse", "--verify", "--quiet"])
            .arg(format!("{rev}^{{commit}}"));
        let shown = format!("git rev-parse --verify {rev}^{{commit}}");
        let output = command.output().map_err(spawn_error)?;
        if !output.status.success() {
            // `--quiet` makes a revision that names nothing a silent exit 1.
            if output.status.code() == Some(1) && output.stderr.trim_ascii().is_empty() {
                return Err(GitError::BadRevision(rev.to_string()));
            }
            return Err(failed(&shown, &output.stderr, output.status));
        }
        let id = String::from_utf8_lossy(output.stdout.trim_ascii()).into_owned();
        if is_object_id(&id) {
            Ok(id)
        } else {
            Err(unexpected(&shown, &id))
        }
    }

    /// The files of a commit's tree under the given path prefixes (all
    /// when empty): (path relative to the root, blob id), sorted by path.
    /// A prefix names a folder or a file (`sops` matches `sops/a.sop` but
    /// not `sops-old/a.sop`). Regular files only: symbolic links and
    /// submodules are left out.
    pub fn files_at(
        &self,
        commit: &str,
        prefixes: &[String],
    ) -> Result<Vec<(String, String)>, GitError> {
        if !plausible_revision(commit) {
            return Err(GitError::BadRevision(commit.to_string()));
        }
        let mut command = self.git();
        command
            .args(["ls-tree", "-r", "-z", "--full-tree"])
            .arg(commit);
        let shown = format!("git ls-tree -r -z --full-tree {commit}");
        let output = command.output().map_err(spawn_error)?;
        if !output.status.success() {
            if output.stderr.starts_with(b"fatal: Not a valid object name") {
                return Err(GitError::BadRevision(commit.to_string()));
            }
            return Err(failed(&shown, &output.stderr, output.status));
        }
        let prefixes: Vec<&str> = prefixes.iter().map(|p| p.trim_end_matches('/')).collect();
        let mut files = Vec::new();
        for entry in output.stdout.split(|&b| b == 0) {
            if entry.is_empty() {
                continue;
            }
            // `<mode> SP <type> SP <object> TAB <path>`
            let Some(tab) = entry.iter().position(|&b| b == b'\t') else {
                return Err(unexpected(&shown, &String::from_utf8_lossy(entry)));
            };
            let (meta, path) = (&entry[..tab], &entry[tab + 1..]);
            let mut fields = meta.split(|&b| b == b' ');
            let (Some(mode), Some(kind), Some(id), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Err(unexpected(&shown, &String::from_utf8_lossy(entry)));
            };
            if kind != b"blob" || mode == b"120000" {
                continue;
            }
            let (Ok(path), Ok(id)) = (std::str::from_utf8(path), std::str::from_utf8(id)) else {
                continue;
            };
            if under(path, &prefixes) {
                files.push((path.to_string(), id.to_string()));
            }
        }
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(files)
    }

    /// The contents of objects (blobs, by id or any name git knows, such as
    /// `HEAD:a.sop`), in the order asked, through one `git cat-file
    /// --batch` process. An object that does not exist is a
    /// [`GitError::Failed`].
    pub fn blobs(&self, ids: &[String]) -> Result<Vec<Vec<u8>>, GitError> {
        const SHOWN: &str = "git cat-file --batch";
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(bad) = ids
            .iter()
            .find(|id| id.is_empty() || id.contains(['\n', '\r', '\0']))
        {
            return Err(GitError::BadRevision(bad.clone()));
        }
        let mut command = self.git();
        command.args(["cat-file", "--batch"]).stdin(Stdio::piped());
        let mut child = command.spawn().map_err(spawn_error)?;
        let (Some(stdin), Some(stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(GitError::Io(io::Error::other(
                "git's pipes were not opened",
            )));
        };
        std::thread::scope(|scope| {
            // Requests go in from their own thread, and standard error is
            // drained by another: git can fill any pipe while this thread
            // reads the answers without anything waiting on anything else.
            scope.spawn(move || {
                let mut stdin = BufWriter::new(stdin);
                for id in ids {
                    if writeln!(stdin, "{id}").is_err() {
                        // Git stopped reading; the reading side reports why.
                        return;
                    }
                }
                let _ = stdin.flush();
            });
            let errors = scope.spawn(move || {
                let mut said = Vec::new();
                let _ = stderr.read_to_end(&mut said);
                said
            });
            let read = read_batch(&mut BufReader::new(stdout), ids);
            if read.is_err() {
                // Unblocks the writer; a finished git makes this a no-op.
                let _ = child.kill();
            }
            let status = child.wait();
            let said = errors.join().unwrap_or_default();
            match read {
                Err(BatchError::Io(error)) => Err(GitError::Io(error)),
                Err(BatchError::Output(problem)) => {
                    let said = String::from_utf8_lossy(&said);
                    let said = said.trim();
                    Err(GitError::Failed {
                        command: SHOWN.to_string(),
                        stderr: if said.is_empty() {
                            problem
                        } else {
                            format!("{problem} ({said})")
                        },
                    })
                }
                Ok(contents) => match status {
                    Ok(status) if status.success() => Ok(contents),
                    Ok(status) => Err(failed(SHOWN, &said, status)),
                    Err(error) => Err(GitError::Io(error)),
                },
            }
        })
    }

    /// The whole history of `HEAD`, newest first, with each commit's file
    /// changes: one `git log --raw -z -M --no-merges`. Merge commits are
    /// left out (the commits they bring in are there). Empty for a
    /// repository with no commits yet.
    pub fn history(&self) -> Result<History, GitError> {
        let mut command = self.git();
        command.args(["-c", "log.showRoot=true", "log"]).args([
            "--raw",
            "-z",
            "-M",
            "--no-abbrev",
            "--no-merges",
            "--date-order",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-show-signature",
            "--encoding=UTF-8",
            LOG_FORMAT,
        ]);
        let shown = "git log --raw -z -M --no-merges";
        let output = command.output().map_err(spawn_error)?;
        if !output.status.success() {
            // No commits yet: `HEAD` names nothing.
            return match self.commit("HEAD") {
                Err(GitError::BadRevision(_)) => Ok(History::default()),
                _ => Err(failed(shown, &output.stderr, output.status)),
            };
        }
        parse_log(&output.stdout).map_err(|problem| GitError::Failed {
            command: shown.to_string(),
            stderr: problem,
        })
    }

    /// A git command run in the work tree's top folder.
    fn git(&self) -> Command {
        git_in(&self.root)
    }
}

/// The history of a repository's `HEAD`: commits newest first, each with
/// its file changes, and an index from path to changes.
#[derive(Debug, Default)]
pub struct History {
    commits: Vec<Commit>,
    /// Parallel to `commits`.
    changes: Vec<Vec<FileChange>>,
    /// Path (the path in that commit) to (commit index, change index),
    /// in commit order.
    by_path: HashMap<String, Vec<(usize, usize)>>,
}

/// A commit of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The full commit id.
    pub id: String,
    /// The author's local calendar date, `YYYY-MM-DD`.
    pub date: String,
    /// The author's date and time, strict ISO 8601 with the author's
    /// offset, e.g. `2026-11-20T23:30:00+08:00`.
    pub time: String,
    /// The author's name.
    pub author: String,
    /// The first paragraph of the message, on one line.
    pub subject: String,
}

/// What a commit did to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The file was created (or copied from another).
    Added,
    /// The contents (or the file type) changed.
    Modified,
    /// The file was removed.
    Deleted,
    /// The file was moved from another path, perhaps with changes.
    Renamed {
        /// The path before the commit.
        from: String,
    },
}

/// One commit's change to a file.
#[derive(Debug, Clone)]
pub struct Version<'h> {
    /// The commit.
    pub commit: &'h Commit,
    /// What it did.
    pub change: Change,
    /// The file's path in that commit (after the change).
    pub path: String,
    /// The blob before the commit; None for an added file.
    pub old_blob: Option<String>,
    /// The blob after the commit; None for a deleted file.
    pub new_blob: Option<String>,
}

/// A file change as `git log --raw` gives it.
#[derive(Debug, Clone)]
struct FileChange {
    change: Change,
    path: String,
    old_blob: Option<String>,
    new_blob: Option<String>,
}

impl History {
    /// The commits, newest first (parents after their children).
    pub fn commits(&self) -> &[Commit] {
        &self.commits
    }

    /// The versions of the file now at `path` (relative to the root),
    /// newest first, following renames backwards: when a commit renames A
    /// to `path`, older commits are looked up under A. Stops at the commit
    /// that added the file, so a file deleted and added again has the
    /// versions of its latest life. A path not in `HEAD` gives the changes
    /// made under that name, newest first.
    pub fn versions(&self, path: &str) -> Vec<Version<'_>> {
        let mut versions = Vec::new();
        let mut current = path;
        // Only commits at this index or older count.
        let mut from_commit = 0;
        loop {
            let Some(entries) = self.by_path.get(current) else {
                return versions;
            };
            let start = entries.partition_point(|&(c, _)| c < from_commit);
            let mut last_commit = None;
            let mut renamed = None;
            for &(c, k) in &entries[start..] {
                if last_commit == Some(c) {
                    continue;
                }
                last_commit = Some(c);
                let change = &self.changes[c][k];
                versions.push(self.version(c, change));
                match &change.change {
                    Change::Added => return versions,
                    Change::Renamed { from } => {
                        renamed = Some((from.as_str(), c + 1));
                        break;
                    }
                    Change::Modified | Change::Deleted => {}
                }
            }
            match renamed {
                Some((from, older)) => (current, from_commit) = (from, older),
                None => return versions,
            }
        }
    }

    /// The file changes of the commit at `index` in [`History::commits`],
    /// in git's order; empty for an index out of range.
    pub fn changed_in(&self, index: usize) -> Vec<Version<'_>> {
        self.changes
            .get(index)
            .map(|changes| changes.iter().map(|c| self.version(index, c)).collect())
            .unwrap_or_default()
    }

    fn version(&self, commit: usize, change: &FileChange) -> Version<'_> {
        Version {
            commit: &self.commits[commit],
            change: change.change.clone(),
            path: change.path.clone(),
            old_blob: change.old_blob.clone(),
            new_blob: change.new_blob.clone(),
        }
    }
}

/// Reads `git log -z --raw` output with [`LOG_FORMAT`] headers: per
/// commit, four NUL-terminated header fields, then (after a newline) its
/// raw records, each `:<mode> <mode> <blob> <blob> <status>` followed by
/// one path, or two for a rename or copy, all NUL-terminated.
fn parse_log(out: &[u8]) -> Result<History, String> {
    let mut history = History::default();
    let mut tokens = out.split(|&b| b == 0);
    while let Some(token) = tokens.next() {
        let token = trim_leading_newlines(token);
        if token.is_empty() {
            continue;
        }
        if token.starts_with(b":") {
            let Some(changes) = history.changes.last_mut() else {
                return Err("a file change before any commit".to_string());
            };
            if let Some(change) = parse_record(token, &mut tokens)? {
                changes.push(change);
            }
            continue;
        }
        let id = String::from_utf8_lossy(token).into_owned();
        if !is_object_id(&id) {
            return Err(format!("`{}` is not a commit id", shorten(&id)));
        }
        let mut field = || {
            tokens
                .next()
                .map(|t| String::from_utf8_lossy(t).into_owned())
                .ok_or_else(|| format!("the output stops inside commit {id}"))
        };
        let time = field()?;
        let author = field()?;
        let subject = field()?;
        let date = time.get(..10).unwrap_or(&time).to_string();
        history.commits.push(Commit {
            id,
            date,
            time,
            author,
            subject,
        });
        history.changes.push(Vec::new());
    }
    for (c, changes) in history.changes.iter().enumerate() {
        for (k, change) in changes.iter().enumerate() {
            history
                .by_path
                .entry(change.path.clone())
                .or_default()
                .push((c, k));
        }
    }
    Ok(history)
}

/// One raw record, its paths taken from `tokens`; None for an entry left
/// out (a path not UTF-8, a submodule, a status this module does not use).
fn parse_record<'a>(
    record: &[u8],
    tokens: &mut impl Iterator<Item = &'a [u8]>,
) -> Result<Option<FileChange>, String> {
    let text = String::from_utf8_lossy(record);
    let fields: Vec<&str> = text.get(1..).unwrap_or("").split(' ').collect();
    let &[old_mode, new_mode, old_blob, new_blob, status] = fields.as_slice() else {
        return Err(format!("`{}` is not a file change", shorten(&text)));
    };
    let letter = status.chars().next().unwrap_or(' ');
    let mut path = || {
        tokens
            .next()
            .ok_or_else(|| format!("the output stops inside `{}`", shorten(&text)))
            .map(|p| std::str::from_utf8(p).ok().map(str::to_string))
    };
    let (from, to) = if matches!(letter, 'R' | 'C') {
        let from = path()?;
        (from, path()?)
    } else {
        (None, path()?)
    };
    let Some(to) = to else {
        return Ok(None);
    };
    if old_mode == "160000" || new_mode == "160000" {
        return Ok(None);
    }
    let blob = |id: &str| (!id.bytes().all(|b| b == b'0')).then(|| id.to_string());
    let (old_blob, new_blob) = (blob(old_blob), blob(new_blob));
    let change = match letter {
        'A' => Change::Added,
        'M' | 'T' => Change::Modified,
        'D' => Change::Deleted,
        'C' => Change::Added,
        'R' => match from {
            Some(from) => Change::Renamed { from },
            // From a path that is not UTF-8: a new file as far as UTF-8
            // paths go.
            None => Change::Added,
        },
        _ => return Ok(None),
    };
    let old_blob = if change == Change::Added {
        None
    } else {
        old_blob
    };
    Ok(Some(FileChange {
        change,
        path: to,
        old_blob,
        new_blob,
    }))
}

/// Why `git cat-file --batch` output could not be read.
enum BatchError {
    Io(io::Error),
    Output(String),
}

impl From<io::Error> for BatchError {
    fn from(error: io::Error) -> Self {
        BatchError::Io(error)
    }
}

/// One answer per id from `git cat-file --batch`: `<id> <type>
/// <size>\n<contents>\n`, or `<name> missing\n`.
fn read_batch(reader: &mut impl BufRead, ids: &[String]) -> Result<Vec<Vec<u8>>, BatchError> {
    let mut contents = Vec::with_capacity(ids.len());
    let mut header = Vec::new();
    for id in ids {
        header.clear();
        if reader.read_until(b'\n', &mut header)? == 0 {
            return Err(BatchError::Output(format!(
                "git stopped answering before object {id}"
            )));
        }
        let line = String::from_utf8_lossy(header.strip_suffix(b"\n").unwrap_or(&header));
        if line.ends_with(" missing") {
            return Err(BatchError::Output(format!("object {id} does not exist")));
        }
        if line.ends_with(" ambiguous") {
            return Err(BatchError::Output(format!("object name {id} is ambiguous")));
        }
        let size = line
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|_| line.split(' ').count() == 3)
            .ok_or_else(|| BatchError::Output(format!("unexpected answer `{}`", shorten(&line))))?;
        // Grown as it is read: a size is never trusted with an allocation.
        let mut blob = Vec::with_capacity(size.min(1 << 20) as usize);
        reader.by_ref().take(size).read_to_end(&mut blob)?;
        let mut newline = [0u8];
        if blob.len() as u64 != size
            || reader.read_exact(&mut newline).is_err()
            || newline != *b"\n"
        {
            return Err(BatchError::Output(format!(
                "the contents of {id} stop early"
            )));
        }
        contents.push(blob);
    }
    Ok(contents)
}

/// A `git` command run in `dir`, without a shell, in the C locale, taking
/// no optional locks, with no variable pointing it elsewhere.
fn git_in(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(dir)
        .args(["-c", "core.quotepath=off"])
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for name in REDIRECTING_VARIABLES {
        command.env_remove(name);
    }
    command
}

/// Standard output of a command that succeeded.
fn run(mut command: Command, shown: &str) -> Result<Vec<u8>, GitError> {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().map_err(spawn_error)?;
    if status.success() {
        Ok(stdout)
    } else {
        Err(failed(shown, &stderr, status))
    }
}

fn spawn_error(error: io::Error) -> GitError {
    if error.kind() == io::ErrorKind::NotFound {
        GitError::NotFound
    } else {
        GitError::Io(error)
    }
}

fn failed(shown: &str, stderr: &[u8], status: ExitStatus) -> GitError {
    let said = String::from_utf8_lossy(stderr).trim().to_string();
    GitError::Failed {
        command: shown.to_string(),
        stderr: if said.is_empty() {
            status.to_string()
        } else {
            said
        },
    }
}

fn unexpected(shown: &str, output: &str) -> GitError {
    GitError::Failed {
        command: shown.to_string(),
        stderr: format!("unexpected output `{}`", shorten(output)),
    }
}

/// At most 80 characters of `text`, for a message.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}

/// Whether `rev` may be given to git as a revision: not empty, not an
/// option, on one line.
fn plausible_revision(rev: &str) -> bool {
    !rev.is_empty() && !rev.starts_with('-') && !rev.contains(['\n', '\r', '\0'])
}

/// A full object id: 40 hex digits (SHA-1) or 64 (SHA-256).
fn is_object_id(id: &str) -> bool {
    matches!(id.len(), 40 | 64) && id.bytes().all(|b| b.is_ascii_hexdigit())
}

fn trim_leading_newlines(token: &[u8]) -> &[u8] {
    let start = token
        .iter()
        .position(|&b| b != b'\n')
        .unwrap_or(token.len());
    &token[start..]
}

/// Whether `path` is one of `prefixes` or under one (all paths are when
/// there are none). Prefixes come without a trailing '/'.
fn under(path: &str, prefixes: &[&str]) -> bool {
    prefixes.is_empty()
        || prefixes.iter().any(|&prefix| {
            prefix.is_empty()
                || prefix == "."
                || path
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
}

/// `path` if it is a folder, else its nearest ancestor that is.
fn nearest_folder(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .find(|p| p.is_dir())
        .map(Path::to_path_buf)
}

/// `path` made absolute and canonical; for a path that does not exist,
/// its nearest existing ancestor canonical and the rest as written.
fn canonical_lenient(path: &Path) -> Option<PathBuf> {
    if let Ok(canonical) = path.canonicalize() {
        return Some(canonical);
    }
    let mut rest = Vec::new();
    let mut current = path;
    loop {
        rest.push(current.file_name()?);
        current = current.parent()?;
        let base = if current.as_os_str().is_empty() {
            Path::new(".")
        } else {
            current
        };
        if let Ok(mut canonical) = base.canonicalize() {
            canonical.extend(rest.iter().rev());
            return Some(canonical);
        }
    }
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> Option<PathBuf> {
    std::str::from_utf8(bytes).ok().map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A temporary repository built with the git command, isolated from
    /// the user's configuration.
    struct Sandbox {
        dir: tempfile::TempDir,
        repo: PathBuf,
    }

    impl Sandbox {
        /// None (with a note) when git is not installed.
        fn new() -> Option<Sandbox> {
            if Command::new("git").arg("--version").output().is_err() {
                eprintln!("note: git is not installed; skipping a git test");
                return None;
            }
            let dir = tempfile::tempdir().unwrap();
            let repo = dir.path().join("repo");
            fs::create_dir(&repo).unwrap();
            let sandbox = Sandbox { dir, repo };
            sandbox.git(&["init", "-q"]);
            Some(sandbox)
        }

        fn command(&self, args: &[&str], date: &str) -> Command {
            let mut command = Command::new("git");
            command
                .arg("-C")
                .arg(&self.repo)
                .args([
                    "-c",
                    "user.name=Test Author",
                    "-c",
                    "user.email=author@example.com",
                    "-c",
                    "commit.gpgsign=false",
                    "-c",
                    "init.defaultBranch=main",
                    "-c",
                    "core.autocrlf=false",
                ])
                .args(args)
                .env("HOME", self.dir.path())
                .env("XDG_CONFIG_HOME", self.dir.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_AUTHOR_DATE", date)
                .env("GIT_COMMITTER_DATE", date)
                .env_remove("GIT_AUTHOR_NAME")
                .env_remove("GIT_AUTHOR_EMAIL")
                .env_remove("GIT_COMMITTER_NAME")
                .env_remove("GIT_COMMITTER_EMAIL");
            for name in REDIRECTING_VARIABLES {
                command.env_remove(name);
            }
            command
        }

        fn git_at(&self, args: &[&str], date: &str) -> String {
            let output = self.command(args, date).output().unwrap();
            assert!(
                output.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8(output.stdout).unwrap()
        }

        fn git(&self, args: &[&str]) -> String {
            self.git_at(args, "2026-01-01T12:00:00+00:00")
        }

        /// Commits everything in the work tree.
        fn commit(&self, message: &str, date: &str) -> String {
            self.git_at(&["add", "-A"], date);
            self.git_at(
                &[
                    "commit",
                    "-q",
                    "--allow-empty",
                    "--allow-empty-message",
                    "-m",
                    message,
                ],
                date,
            );
            self.git(&["rev-parse", "HEAD"]).trim().to_string()
        }

        fn write(&self, path: &str, contents: &str) {
            let path = self.repo.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, contents).unwrap();
        }

        fn open(&self) -> Repo {
            Repo::discover(&self.repo).expect("the sandbox is a repository")
        }
    }

    /// Twenty lines, so that a small edit keeps a renamed file similar.
    fn procedure(title: &str) -> String {
        let mut text = format!("# {title}\n");
        for n in 1..20 {
            text.push_str(&format!("{n}. Step number {n} of the procedure.\n"));
        }
        text
    }

    fn day(n: u32) -> String {
        format!("2026-03-{n:02}T10:00:00+00:00")
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn discovers_the_work_tree_from_inside_and_nothing_outside() {
        let Some(sandbox) = Sandbox::new() else {
            return;
        };
        sandbox.write("sops/deep/a.sop", "x\n");
        let root = sandbox.repo.canonicalize().unwrap();
        for inside in [
            sandbox.repo.clone(),
            sandbox.repo.join("sops/deep"),
            sandbox.repo.join("sops/deep/a.sop"),
            sandbox.repo.join("sops/not/yet.sop"),
        ] {
            let repo = Repo::discover(&inside).expect("inside the repository");
            assert_eq!(repo.root(), root);
        }
        let repo = sandbox.open();
        assert_eq!(
            repo.relative(&sandbox.repo.join("sops/deep/a.sop"))
                .as_deref(),
            Some("sops/deep/a.sop")
        );
        assert_eq!(
            repo.relative(&sandbox.repo.join("sops/not/yet.sop"))
                .as_deref(),
            Some("sops/not/yet.sop")
        );
        assert_eq!(repo.relative(&sandbox.repo).as_deref(), Some(""));
        assert_eq!(repo.relative(&sandbox.repo.join(".git/config")), None);

        let outside = sandbox.dir.path().join("outside");
        fs::create_dir(&outside).unwrap();
        assert_eq!(repo.relative(&outside), None);
        assert_eq!(repo.relative(&outside.join("a.sop")), None);
        let bare = sandbox.dir.path().join("bare.git");
        sandbox.git(&["init", "-q", "--bare", bare.to_str().unwrap()]);
        assert_eq!(Repo::discover(&bare), None, "a bare repository");
        // Only meaningful when the temporary folder is not itself in git.
        let temp_in_git = Command::new("git")
            .arg("-C")
            .arg(&outside)
            .args(["rev-parse", "--git-dir"])
            .output()
            .is_ok_and(|o| o.status.success());
        if temp_in_git {
            eprintln!("note: the temporary folder is inside a repository");
        } else {
            assert_eq!(Repo::discover(&outside), None);
            assert_eq!(Repo::discover(&outside.join("missing/a.sop")), None);
        }
    }

    #[test]
    fn names_commits_and_refuses_bad_revisions() {
        let Some(sandbox) = Sandbox::new() else {
            return;
        };
        let repo = sandbox.open();
        assert!(matches!(repo.commit("HEAD"), Err(GitError::BadRevision(r)) if r == "HEAD"));
        sandbox.write("a.sop", "one\n");
        let first = sandbox.commit("first", &day(1));
        sandbox.write("a.sop", "two\n");
        let second = sandbox.commit("second", &day(2));
        sandbox.git(&["tag", "v1", &first]);

        assert_eq!(repo.commit("HEAD").unwrap(), second);
        assert_eq!(repo.commit("main").unwrap(), second);
        assert_eq!(repo.commit("HEAD~1").unwrap(), first);
        assert_eq!(repo.commit("v1").unwrap(), first);
        assert_eq!(repo.commit(&first[..8]).unwrap(), first);
        assert_eq!(repo.commit("HEAD").unwrap().len(), 40);

        for bad in [
            "main~3",
            "nope",
            "HEAD:a.sop",
            "",
            "-h",
            "--all",
            "--output=x",
        ] {
            match repo.commit(bad) {
                Err(GitError::BadRevision(r)) => assert_eq!(r, bad),
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(!sandbox.repo.join("x").exists());
        assert_eq!(
            GitError::BadRevision("main~3".into()).to_string(),
            "`main~3` is not a revision of this repository"
        );
    }

    #[test]
    fn lists_files_under_prefixes_sorted() {
        let Some(sandbox) = Sandbox::new() else {
            return;
        };
        sandbox.write("top.sop", "top\n");
        sandbox.write("sops/b.sop", "b\n");
        sandbox.write("sops/a/z.sop", "z\n");
        sandbox.write("sops-old/w.sop", "w\n");
        sandbox.write("docs/readme.md", "r\n");
        let first = sandbox.commit("first", &day(1));
        sandbox.write("sops/c.sop", "c\n");
        sandbox.commit("second", &day(2));
        let repo = sandbox.open();
        let head = repo.commit("HEAD").unwrap();

        let paths = |commit: &str, prefixes: &[&str]| -> Vec<String> {
            repo.files_at(commit, &strings(prefixes))
                .unwrap()
                .into_iter()
                .map(|(path, _)| path)
                .collect()
        };
        assert_eq!(
            paths(&head, &[]),
            [
                "docs/readme.md",
                "sops-old/w.sop",
                "sops/a/z.sop",
                "sops/b.sop",
                "sops/c.sop",
                "top.sop"
            ]
        );
        assert_eq!(
            paths(&head, &["sops"]),
            ["sops/a/z.sop", "sops/b.sop", "sops/c.sop"]
        );
        assert_eq!(
            paths(&head, &["sops/a/", "top.sop"]),
            ["sops/a/z.sop", "top.sop"]
        );
        assert_eq!(paths(&first, &["sops"]), ["sops/a/z.sop", "sops/b.sop"]);
        assert!(paths(&head, &["nothing"]).is_empty());

        let files = repo.files_at("HEAD", &strings(&["top.sop"])).unwrap();
        let expected = sandbox.git(&["rev-parse", "HEAD:top.sop"]);
        assert_eq!(
            files,
            [("top.sop".to_string(), expected.trim().to_string())]
        );

        assert!(matches!(
            repo.files_at("nope", &[]),
            Err(GitError::BadRevision(r)) if r == "nope"
        ));
        assert!(matches!(
            repo.files_at("--help", &[]),
            Err(GitError::BadRevision(_))
        ));
    }

    #[test]
    fn reads_blobs_in_the_order_asked() {
        let Some(sandbox) = Sandbox::new() else {
            return;
        };
        sandbox.write("empty.sop", "");
        sandbox.write("a.sop", "alpha\n");
        sandbox.write("b.sop", "beta\r\nno newline at the end");
        let count = 3000;
        for n in 0..count {
            sandbox.write(&format!("many/{n:04}.txt"), &format!("file {n}\n"));
        }
        sandbox.commit("files", &day(1));
        let repo = sandbox.open();
        let files = repo.files_at("HEAD", &[]).unwrap();
        let id = |path: &str| files.iter().find(|f| f.0 == path).unwrap().1.clone();

        let asked = vec![id("b.sop"), id("empty.sop"), id("a.sop"), id("b.sop")];
        let contents = repo.blobs(&asked).unwrap();
        assert_eq!(
            contents,
            [
                b"beta\r\nno newline at the end".to_vec(),
                Vec::new(),
                b"alpha\n".to_vec(),
                b"beta\r\nno newline at the end".to_vec(),
            ]
        );
        assert!(repo.blobs(&[]).unwrap().is_empty());

        // More requests and answers than a pipe holds, newest first.
        let many: Vec<(String, String)> = repo
            .files_at("HEAD", &strings(&["many"]))
            .unwrap()
            .into_iter()
            .rev()
            .collect();
        assert_eq!(many.len(), count);
        let ids: Vec<String> = many.iter().map(|(_, id)| id.clone()).collect();
        let contents = repo.blobs(&ids).unwrap();
        for ((path, _), contents) in many.iter().zip(&contents) {
            let n: usize = path[5..9].parse().unwrap();
            assert_eq!(contents, format!("file {n}\n").as_bytes());
        }

        let missing = "0123456789abcdef0123456789abcdef01234567".to_string();
        let mut with_missing = ids.clone();
        with_missing.insert(10, missing.clone());
        match repo.blobs(&with_missing) {
            Err(GitError::Failed { command, stderr }) => {
                assert_eq!(command, "git cat-file --batch");
                assert!(stderr.contains(&missing), "{stderr}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            repo.blobs(&strings(&["a\nb"])),
            Err(GitError::BadRevision(_))
        ));
    }

    #[test]
    fn follows_adds_changes_renames_deletions_and_re_adds() {
        let Some(sandbox) = Sandbox::new() else {
            return;
        };
        sandbox.write("a.sop", &procedure("Alpha"));
        sandbox.write("b.sop", "bravo\n");
        let c1 = sandbox.commit("add a and b", &day(1));
        sandbox.write("a.sop", &procedure("Alpha, revised"));
        let c2 = sandbox.commit("revise a", &day(2));
        sandbox.write("sops/.keep", "");
        sandbox.git(&["mv", "a.sop", "sops/alpha.sop"]);
        sandbox.write(
            "sops/alpha.sop",
            &procedure("Alpha, revised").replace("Step number 7", "Step seven"),
        );
        let c3 = sandbox.commit("move a", &day(3));
        fs::remove_file(sandbox.repo.join("b.sop")).unwrap();
        let c4 = sandbox.commit("delete b", &day(4));
        sandbox.write("b.sop", "bravo again\n");
        let c5 = sandbox.commit("add b again", &day(5));
        sandbox.write("b.sop", "bravo again, changed\n");
        let c6 = sandbox.commit("change b", &day(6));
        let c7 = sandbox.commit("nothing", &day(7));

        let repo = sandbox.open();
        let history = repo.history().unwrap();
        let ids: Vec<&str> = history.commits().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, [&c7, &c6, &c5, &c4, &c3, &c2, &c1]);
        let first = &history.commits()[6];
        assert_eq!(first.subject, "add a and b");
        assert_eq!(first.author, "Test Author");
        assert_eq!(first.date, "2026-03-01");
        // Git writes a zero offset as `Z`.
        assert_eq!(first.time, "2026-03-01T10:00:00Z");
        assert!(history.changed_in(0).is_empty(), "an empty commit");
        assert!(history.changed_in(99).is_empty());

        let alpha = history.versions("sops/alpha.sop");
        let summary: Vec<(&str, &Change, &str)> = alpha
            .iter()
            .map(|v| (v.commit.id.as_str(), &v.change, v.path.as_str()))
            .collect();
        let renamed = Change::Renamed {
            from: "a.sop".into(),
        };
        assert_eq!(
            summary,
            [
                (c3.as_str(), &renamed, "sops/alpha.sop"),
                (c2.as_str(), &Change::Modified, "a.sop"),
                (c1.as_str(), &Change::Added, "a.sop"),
            ]
        );
        let now = repo
            .files_at("HEAD", &strings(&["sops/alpha.sop"]))
            .unwrap();
        assert_eq!(alpha[0].new_blob.as_ref(), Some(&now[0].1));
        assert_eq!(alpha[0].old_blob, alpha[1].new_blob);
        assert_eq!(alpha[1].old_blob, alpha[2].new_blob);
        assert_eq!(alpha[2].old_blob, None);
        let contents = repo.blobs(&[alpha[2].new_blob.clone().unwrap()]).unwrap();
        assert_eq!(contents[0], procedure("Alpha").as_bytes());

        let bravo: Vec<(&str, Change)> = history
            .versions("b.sop")
            .into_iter()
            .map(|v| (v.commit.id.as_str(), v.change))
            .collect();
        assert_eq!(
            bravo,
            [
                (c6.as_str(), Change::Modified),
                (c5.as_str(), Change::Added)
            ]
        );
        let keep = history.versions("sops/.keep");
        assert_eq!(keep.len(), 1);
        assert_eq!(keep[0].new_blob.as_deref(), Some(EMPTY_BLOB));
        assert!(history.versions("never.sop").is_empty());

        let deleted = history.changed_in(3);
        assert_eq!(deleted.len(), 1);
        assert_eq!(deleted[0].change, Change::Deleted);
        assert_eq!(deleted[0].new_blob, None);
        assert!(deleted[0].old_blob.is_some());
    }

    const EMPTY_BLOB: &str = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

    #[test]
    fn includes_merged_branches_but_not_merges() {
        let Some(sandbox) = Sandbox::new() else {
            return;
        };
        sandbox.write("a.sop", "a\n");
        sandbox.write("b.sop", "b\n");
        let base = sandbox.commit("base", &day(1));
        sandbox.git(&["checkout", "-q", "-b", "feature"]);
        sandbox.write("b.sop", "b on the branch\n");
        let branch = sandbox.commit("branch work", "2026-03-03T09:00:00-04:00");
        sandbox.git(&["checkout", "-q", "main"]);
        sandbox.write("a.sop", "a on main\n");
        let main = sandbox.commit("main work", &day(2));
        sandbox.git_at(
            &["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"],
            &day(4),
        );

        let repo = sandbox.open();
        let history = repo.history().unwrap();
        let ids: Vec<&str> = history.commits().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, [&branch, &main, &base]);
        assert!(history
            .commits()
            .iter()
            .all(|c| c.subject != "Merge feature"));
        assert_eq!(history.commits()[0].date, "2026-03-03");
        let b: Vec<&str> = history
            .versions("b.sop")
            .iter()
            .map(|v| v.commit.id.as_str())
            .collect();
        assert_eq!(b, [&branch, &base]);
    }

    #[test]
    fn reads_odd_subjects_authors_and_paths() {
        let Some(sandbox) = Sandbox::new() else {
            return;
        };
        let odd_paths = [
            "with space.sop",
            "ünï/cødé ✓.sop",
            "colon:name.sop",
            ":starts with colon.sop",
            "HEAD",
            "-dash.sop",
            "quote\"s.sop",
        ];
        let subjects = [
            "Ünïcødé ✓ — «quotes» \"dq\" 'sq' %s %H %x00 \\ back\u{1e}rs\u{1f}us\ttab",
            ":100644 100644 looks like a record",
            "0123456789abcdef0123456789abcdef01234567",
            "",
        ];
        for (n, path) in odd_paths.iter().enumerate() {
            sandbox.write(path, &format!("{n}\n"));
        }
        sandbox.commit(subjects[0], &day(1));
        for (n, subject) in subjects[1..].iter().enumerate() {
            sandbox.write("with space.sop", &format!("{subject}\n"));
            sandbox.commit(subject, &day(n as u32 + 2));
        }
        sandbox.write("HEAD", "changed\n");
        sandbox.git_at(
            &[
                "-c",
                "user.name=Zoë Ölund-Ñ",
                "commit",
                "-q",
                "-a",
                "-m",
                "first line\nsecond line\n\nthe body",
            ],
            &day(9),
        );

        let repo = sandbox.open();
        let history = repo.history().unwrap();
        let got: Vec<&str> = history
            .commits()
            .iter()
            .map(|c| c.subject.as_str())
            .collect();
        let mut expected = vec!["first line second line"];
        expected.extend(subjects.iter().rev());
        assert_eq!(got, expected);
        assert_eq!(history.commits()[0].author, "Zoë Ölund-Ñ");
        for path in odd_paths {
            let versions = history.versions(path);
            assert!(!versions.is_empty(), "{path}");
            assert_eq!(versions.last().unwrap().change, Change::Added, "{path}");
            assert_eq!(versions[0].path, path);
        }
        assert_eq!(history.versions("with space.sop").len(), 4);
        let files = repo.files_at("HEAD", &[]).unwrap();
        assert_eq!(files.len(), odd_paths.len());
        assert_eq!(
            repo.relative(&sandbox.repo.join("ünï/cødé ✓.sop"))
                .as_deref(),
            Some("ünï/cødé ✓.sop")
        );
    }

    #[cfg(unix)]
    #[test]
    fn leaves_out_paths_that_are_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let Some(sandbox) = Sandbox::new() else {
            return;
        };
        sandbox.write("good.sop", "good\n");
        sandbox.write("new\nline.sop", "newline\n");
        let bad = sandbox
            .repo
            .join(std::ffi::OsStr::from_bytes(b"bad\xff.sop"));
        if fs::write(&bad, "bad\n").is_err() {
            eprintln!("note: this file system refuses names that are not UTF-8");
            return;
        }
        sandbox.commit("add", &day(1));
        let repo = sandbox.open();
        let paths: Vec<String> = repo
            .files_at("HEAD", &[])
            .unwrap()
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(paths, ["good.sop", "new\nline.sop"]);
        let history = repo.history().unwrap();
        let changed: Vec<String> = history.changed_in(0).into_iter().map(|v| v.path).collect();
        assert_eq!(changed, ["good.sop", "new\nline.sop"]);
        assert_eq!(repo.relative(&bad), None);
    }

    #[test]
    fn a_repository_without_commits_has_an_empty_history() {
        let Some(sandbox) = Sandbox::new() else {
            return;
        };
        sandbox.write("a.sop", "staged but not committed\n");
        sandbox.git(&["add", "a.sop"]);
        let repo = sandbox.open();
        let history = repo.history().unwrap();
        assert!(history.commits().is_empty());
        assert!(history.versions("a.sop").is_empty());
    }

    #[test]
    fn dates_are_the_authors_local_dates() {
        let Some(sandbox) = Sandbox::new() else {
            return;
        };
        for (n, date) in [
            "2026-11-20T23:30:00+08:00",
            "2026-11-20T20:00:00-05:00",
            "2026-11-21T00:30:00+14:00",
        ]
        .iter()
        .enumerate()
        {
            sandbox.write("a.sop", &format!("{n}\n"));
            sandbox.commit(&format!("commit {n}"), date);
        }
        // Newest first by parentage, although the newest is the earliest
        // instant of the three.
        let history = sandbox.open().history().unwrap();
        let dates: Vec<(&str, &str)> = history
            .commits()
            .iter()
            .map(|c| (c.date.as_str(), c.time.as_str()))
            .collect();
        assert_eq!(
            dates,
            [
                ("2026-11-21", "2026-11-21T00:30:00+14:00"),
                ("2026-11-20", "2026-11-20T20:00:00-05:00"),
                ("2026-11-20", "2026-11-20T23:30:00+08:00"),
            ]
        );
    }

    #[test]
    fn parses_log_output_without_panicking_on_any_prefix() {
        let id = "a".repeat(40);
        let blob = "b".repeat(40);
        let zero = "0".repeat(40);
        let log = format!(
            "{id}\x002026-01-02T03:04:05+06:00\x00Ann\x00subject\x00\n\
             :000000 100644 {zero} {blob} A\x00new.sop\x00\
             :100644 100644 {blob} {blob} R087\x00old.sop\x00moved.sop\x00\
             :100644 100644 {blob} {blob} C100\x00moved.sop\x00copy.sop\x00\
             :100644 120000 {blob} {blob} T\x00link\x00\
             :100644 000000 {blob} {zero} D\x00gone.sop\x00\
             :160000 160000 {blob} {blob} M\x00submodule\x00\
             :100644 100644 {blob} {blob} X\x00unknown\x00\
             {id}\x002026-01-01T00:00:00Z\x00Bob\x00\x00"
        );
        let history = parse_log(log.as_bytes()).unwrap();
        assert_eq!(history.commits().len(), 2);
        assert_eq!(history.commits()[1].subject, "");
        let changes: Vec<(String, Change)> = history
            .changed_in(0)
            .into_iter()
            .map(|v| (v.path, v.change))
            .collect();
        assert_eq!(
            changes,
            [
                ("new.sop".to_string(), Change::Added),
                (
                    "moved.sop".to_string(),
                    Change::Renamed {
                        from: "old.sop".into()
                    }
                ),
                ("copy.sop".to_string(), Change::Added),
                ("link".to_string(), Change::Modified),
                ("gone.sop".to_string(), Change::Deleted),
            ]
        );
        assert_eq!(history.changed_in(0)[2].old_blob, None);
        for end in 0..log.len() {
            let _ = parse_log(&log.as_bytes()[..end]);
        }
        for garbage in [&b":"[..], b"\n\n:", b"x", b"\0\0\0", b": a b c d e\0"] {
            let _ = parse_log(garbage);
        }
        assert!(parse_log(b":100644 100644 a b M\0x\0").is_err());
        assert!(parse_log(b"not a commit\0").is_err());
        assert!(parse_log(b"").unwrap().commits().is_empty());
    }

    #[test]
    fn reads_batches_without_panicking_on_bad_answers() {
        let ids = strings(&["one", "two"]);
        let mut ok: &[u8] = b"one blob 3\nabc\ntwo blob 0\n\n";
        assert!(matches!(read_batch(&mut ok, &ids), Ok(c) if c == [b"abc".to_vec(), vec![]]));
        for bad in [
            &b""[..],
            b"one blob 3\nab",
            b"one blob 3\nabcX",
            b"one blob 99999999999999999\nabc\n",
            b"one blob x\n",
            b"one missing\n",
            b"one ambiguous\n",
            b"one blob 3\nabc\n",
        ] {
            let mut reader = bad;
            assert!(read_batch(&mut reader, &ids).is_err());
        }
    }
}
