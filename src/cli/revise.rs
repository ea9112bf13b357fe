//! `sop revise FILE [--against REV]`: appends the revision line the change
//! since the last revision entry calls for.

use std::path::{Path, PathBuf};

use crate::diff::{compare, model_of, revision};
use crate::git::{Change, Repo};
use crate::model::Workflow;
use crate::output::{rewrite, Snapshot};
use crate::source::Source;
use crate::terminal::sanitize_for_terminal;
use crate::values::Date;

use super::{fail, print, EXIT_CLEAN, EXIT_DIAGNOSTICS};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The `.sop` file to add a revision line to.
    file: PathBuf,
    /// Compare with the file at this git revision (default: the commit
    /// that added the file's last revision line).
    #[arg(long, value_name = "REV")]
    against: Option<String>,
    /// Print the line instead of adding it.
    #[arg(long)]
    dry_run: bool,
    /// The date of the line (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    today: Option<Date>,
    /// The author (default: `git config user.name`, then the login name).
    #[arg(long, value_name = "NAME")]
    author: Option<String>,
}

pub fn run(args: Args) -> u8 {
    match revise(&args) {
        Ok(code) => code,
        Err(code) => code,
    }
}

fn revise(args: &Args) -> Result<u8, u8> {
    let today = args.today.unwrap_or_else(Date::today);
    let shown = args.file.display().to_string();
    let snapshot = Snapshot::read(&args.file).map_err(|e| fail(format!("{shown}: {e}")))?;
    let Some(current) = super::diff::model_version(&args.file, &snapshot.bytes, today) else {
        return Err(EXIT_DIAGNOSTICS);
    };
    let current = current.workflow;
    let (base, base_name) = base_version(&args.file, &current, args.against.as_deref(), today)?;
    let changes = compare(&base, &current);
    let author = args.author.clone().unwrap_or_else(super::person);
    let Some(draft) = revision::draft(&base, &current, &changes, today, &author) else {
        eprintln!(
            "{}",
            sanitize_for_terminal(&format!(
                "{shown}: nothing changed in meaning since {base_name}; no revision line to add"
            ))
        );
        return Ok(EXIT_CLEAN);
    };
    if args.dry_run {
        print(&format!("{}\n", draft.line()))
            .map_err(|e| fail(format!("cannot write the output: {e}")))?;
        return Ok(EXIT_CLEAN);
    }
    let text = String::from_utf8(snapshot.bytes.clone())
        .map_err(|_| fail(format!("{shown}: not UTF-8; run `sop fmt` on it first")))?;
    let revised = append(&text, &draft, &args.file)?;
    // What is written must read back with the new line, and nothing else
    // of its meaning changed.
    match model_of(&args.file, revised.as_bytes(), today) {
        Ok(after) if after.revisions.last().map(|r| r.version.as_str()) == Some(draft.version.as_str())
            && revision::recordable(&compare(&current, &after)).is_empty() => {}
        _ => {
            return Err(fail(format!(
                "{shown}: the revision line could not be added safely; the file is unchanged. Add it by hand: {}",
                draft.line()
            )))
        }
    }
    rewrite(&snapshot, revised.as_bytes()).map_err(|e| fail(format!("{shown}: {e}")))?;
    eprintln!(
        "{}",
        sanitize_for_terminal(&format!(
            "{shown}: added revision {} (changes since {base_name})",
            draft.line()
        ))
    );
    Ok(EXIT_CLEAN)
}

/// The version to compare with, and how to name it: the file at `--against`,
/// else the committed version that added its last revision line (the
/// oldest of the newest run of commits whose last revision is the file's).
fn base_version(
    file: &Path,
    current: &Workflow,
    against: Option<&str>,
    today: Date,
) -> Result<(Workflow, String), u8> {
    let shown = file.display().to_string();
    let dir = file
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    let Some(repo) = Repo::discover(&dir) else {
        return Err(fail(format!(
            "{shown} is not in a git repository, so there is no earlier version to compare with; to draft the line from two files: sop diff OLD.sop {shown} --revision-line"
        )));
    };
    let rel = file
        .canonicalize()
        .ok()
        .and_then(|p| repo.relative(&p))
        .ok_or_else(|| {
            fail(format!(
                "{shown} is outside the repository at {}",
                repo.root().display()
            ))
        })?;
    let read = |blob: &str| -> Result<Workflow, u8> {
        let bytes = repo.blobs(&[blob.to_string()]).map_err(fail)?;
        let bytes = bytes.into_iter().next().unwrap_or_default();
        model_of(Path::new(&rel), &bytes, today).map_err(|_| {
            fail(format!(
                "{shown}: the earlier version has errors, so it cannot be compared; give another with --against REV"
            ))
        })
    };
    if let Some(rev) = against {
        let commit = repo.commit(rev).map_err(fail)?;
        let files = repo
            .files_at(&commit, std::slice::from_ref(&rel))
            .map_err(fail)?;
        let Some((_, blob)) = files.into_iter().find(|(p, _)| *p == rel) else {
            return Err(fail(format!("{shown} is not in {rev}")));
        };
        return Ok((read(&blob)?, format!("`{rev}`")));
    }
    let last = current.revisions.last().map(|r| r.version.clone());
    let history = repo.history().map_err(fail)?;
    let mut base: Option<(String, String)> = None;
    for version in history.versions(&rel) {
        let Some(blob) = &version.new_blob else {
            break;
        };
        let model = read(blob)?;
        if model.revisions.last().map(|r| &r.version) != last.as_ref() {
            break;
        }
        let short = &version.commit.id[..version.commit.id.len().min(7)];
        base = Some((
            blob.clone(),
            format!(
                "revision {} (commit {short})",
                last.as_deref().unwrap_or("?")
            ),
        ));
        if matches!(version.change, Change::Added) {
            break;
        }
    }
    match base {
        Some((blob, name)) => Ok((read(&blob)?, name)),
        None => Err(fail(format!(
            "{shown}: no commit has its last revision line yet, so the change it describes is not committed; commit the file, or compare with a revision: sop revise {shown} --against REV"
        ))),
    }
}

/// The text with the drafted line after the last revision entry (indented
/// like it) and `version:` set to the new version.
fn append(text: &str, draft: &revision::Draft, file: &Path) -> Result<String, u8> {
    let shown = file.display().to_string();
    let source = Source::from_text(file, text);
    let doc = crate::syntax::parse(&source);
    let Some(last) = doc.revisions().last() else {
        return Err(fail(format!(
            "{shown} has no revision listed; add a `revisions:` section with its first line by hand (see `sop explain missing-revisions`)"
        )));
    };
    let line_start = text[..last.span.start].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text[line_start..last.span.start]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let line_end = text[last.span.end..]
        .find('\n')
        .map_or(text.len(), |i| last.span.end + i + 1);
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(text.len() + 120);
    out.push_str(&text[..line_end]);
    if !out.ends_with('\n') {
        out.push_str(newline);
    }
    out.push_str(&indent);
    out.push_str(&draft.line());
    out.push_str(newline);
    out.push_str(&text[line_end..]);
    // `version:` follows the new line (else `version-mismatch`).
    let source = Source::from_text(file, &out);
    let doc = crate::syntax::parse(&source);
    let version_value = doc.metadata.iter().find_map(|item| match item {
        crate::ast::MetaItem::Entry(e) if e.value.key_name() == Some("version") => Some(e.raw.span),
        _ => None,
    });
    if let Some(span) = version_value {
        out.replace_range(span.start..span.end, &draft.version);
    }
    // A file in the canonical layout stays in it.
    if crate::fmt::format_source(text).is_ok_and(|f| f == text) {
        if let Ok(formatted) = crate::fmt::format_source(&out) {
            out = formatted;
        }
    }
    Ok(out)
}
