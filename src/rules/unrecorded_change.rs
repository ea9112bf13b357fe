use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use super::{Context, Reporter};
use crate::diagnostics::{Diagnostic, Severity};
use crate::diff::{compare, model_of, revision, Kind};
use crate::git::{Change, Commit, Repo};
use crate::model::Workflow;
use crate::values::Date;

declare_rule! {
    /// ## What it does
    /// Warns when the procedure changed in a git commit dated after its last
    /// revision entry, and no revision line was added for it: steps,
    /// branches, limits, roles or wording changed, and `revisions:` does
    /// not say so. Changes of layout or comments (what `sop fmt` undoes)
    /// never count, nor does a commit that adds a revision line.
    ///
    /// `sop check` reads the history once for the whole repository, with
    /// the git command, and only inside a git work tree; `--no-git` skips
    /// it. A commit's date is its author date, in the author's time zone.
    ///
    /// ## Why is this bad?
    /// The revision history is what auditors and the team trust to know
    /// what the procedure says since when. A change that is in git but not
    /// in `revisions:` looks reviewed when it was not, and the review date
    /// the `stale-review` warning counts from is wrong.
    ///
    /// ## Example
    /// ```text
    /// revisions:
    ///   1.2  2026-10-01  Anna Kovács: Shorter refund limit
    /// ```
    /// and a commit of 2026-11-20 that cut a step's `within:` from
    /// 1 hour to 30 minutes.
    ///
    /// ## How to fix
    /// Add a revision line that says what changed: `sop revise FILE`
    /// drafts it from the change and appends it; `sop diff REV -- FILE`
    /// shows the change.
    pub struct UnrecordedChange {
        code: "unrecorded-change",
        severity: Warning,
        check: check,
    }
}

/// The file-by-file pass has nothing to do: the history is read once for
/// all files, by [`check_history`].
fn check(_: &Context<'_, '_>, _: &mut Reporter<'_>) {}

/// A file of the check, as the history pass needs it.
pub struct Tracked<'a> {
    /// The file on disk.
    pub path: &'a Path,
    /// The date of its last revision entry; files without one are skipped
    /// (`missing-revisions` speaks for them).
    pub last_revision: Option<Date>,
}

/// An unrecorded change found in the history of a file.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The most recent commit that changed the procedure unrecorded.
    pub commit: Commit,
    /// How many earlier commits did too.
    pub earlier: usize,
    /// What changed since the recorded state, in the file's language.
    pub summary: String,
    pub last_revision: Date,
}

/// Reads the history of the repository holding `files` once and returns,
/// per file index, its unrecorded change. Outside git, or when git cannot
/// read the history, nothing.
///
/// What counts is the net change: the file as last committed against the
/// recorded state, which is the version committed on or before its last
/// revision date, or after it by a commit that added a revision line (or,
/// for a file added after that date, its first version). A change reverted
/// since is no change. Commits dated after `today` are not read, so a check
/// "as of" a date gives the same answer however the history grew since.
pub fn check_history(files: &[Tracked<'_>], today: Date) -> HashMap<usize, Finding> {
    let Some(first) = files.first() else {
        return HashMap::new();
    };
    let Some(repo) = Repo::discover(first.path.parent().unwrap_or(first.path)) else {
        return HashMap::new();
    };
    let Ok(history) = repo.history() else {
        return HashMap::new();
    };
    let today_text = today.to_string();
    // Per file: the versions after its last revision date (newest first),
    // and the version of the recorded state before them.
    struct Span<'h> {
        file: usize,
        after: Vec<crate::git::Version<'h>>,
        base: Option<String>,
    }
    let mut spans: Vec<Span<'_>> = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let (Some(last), Some(rel)) = (file.last_revision, repo.relative(file.path)) else {
            continue;
        };
        let last = last.to_string();
        let mut after = Vec::new();
        let mut base = None;
        for version in history.versions(&rel) {
            if version.commit.date > today_text {
                continue;
            }
            if version.commit.date <= last {
                base = version.new_blob.clone();
                break;
            }
            let added = matches!(version.change, Change::Added);
            after.push(version);
            if added {
                break;
            }
        }
        // Nothing after the last revision date, or only the file's first
        // version (its revision lines are its author's record).
        let changed_after = after
            .iter()
            .any(|v| matches!(v.change, Change::Modified | Change::Renamed { .. }));
        if changed_after {
            spans.push(Span {
                file: i,
                after,
                base,
            });
        }
    }
    if spans.is_empty() {
        return HashMap::new();
    }
    // Every blob once, in one batch.
    let mut ids: Vec<String> = spans
        .iter()
        .flat_map(|s| {
            s.after
                .iter()
                .flat_map(|v| [v.old_blob.clone(), v.new_blob.clone()])
                .chain([s.base.clone()])
        })
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let Ok(blobs) = repo.blobs(&ids) else {
        return HashMap::new();
    };
    let models: HashMap<&str, Option<Workflow>> = ids
        .par_iter()
        .zip(blobs.par_iter())
        .map(|(id, bytes)| (id.as_str(), model_of(Path::new("x.sop"), bytes, today).ok()))
        .collect();
    let model = |id: &Option<String>| -> Option<&Workflow> { models.get(id.as_deref()?)?.as_ref() };
    let mut found: HashMap<usize, Finding> = HashMap::new();
    for span in &spans {
        // The commits' own changes, newest first; the recorded state is the
        // newest version whose commit added a revision line, else `base`,
        // else the first version.
        let mut own: Vec<(usize, Vec<crate::diff::Change>)> = Vec::new();
        let mut recorded: Option<&Option<String>> = None;
        for (k, v) in span.after.iter().enumerate() {
            let (Some(old), Some(new)) = (model(&v.old_blob), model(&v.new_blob)) else {
                continue;
            };
            let changes = compare(old, new);
            if changes.iter().any(|c| c.kind == Kind::RevisionAdded) {
                recorded = Some(&v.new_blob);
                break;
            }
            own.push((k, changes));
        }
        let base = match recorded {
            Some(blob) => model(blob),
            None => {
                model(&span.base).or_else(|| span.after.last().and_then(|v| model(&v.new_blob)))
            }
        };
        let (Some(base), Some(head)) = (base, span.after.first().and_then(|v| model(&v.new_blob)))
        else {
            continue;
        };
        let net = compare(base, head);
        if revision::recordable(&net).is_empty() {
            continue;
        }
        let mut culprits = own
            .iter()
            .filter(|(_, changes)| !revision::recordable(changes).is_empty());
        let Some((newest, _)) = culprits.next() else {
            continue;
        };
        let labels = crate::render::labels::Labels::for_language(head.meta.language.as_deref());
        found.insert(
            span.file,
            Finding {
                commit: span.after[*newest].commit.clone(),
                earlier: culprits.count(),
                summary: revision::summary(&revision::recordable(&net), base, head, labels),
                last_revision: files[span.file].last_revision.unwrap_or(today),
            },
        );
    }
    found
}

/// The diagnostic of a finding, at the file's last revision entry.
pub fn diagnostic(
    finding: &Finding,
    severity: Severity,
    span: crate::source::Span,
    shown: &Path,
) -> Diagnostic {
    let short = &finding.commit.id[..finding.commit.id.len().min(7)];
    let earlier = match finding.earlier {
        0 => String::new(),
        1 => " (and 1 earlier commit)".into(),
        n => format!(" (and {n} earlier commits)"),
    };
    Diagnostic::new(
        UnrecordedChange::RULE.code,
        severity,
        span,
        format!(
            "the procedure changed after its last revision entry: commit {short} of {}{earlier}, “{}”",
            finding.commit.date,
            crate::terminal::sanitize_for_terminal(&finding.commit.subject)
        ),
    )
    .label(format!("last revision entry, {}", finding.last_revision))
    .help(format!(
        "Changed since then: {}. Add a revision line that says so: `sop revise {}` drafts and appends it.",
        finding.summary,
        shown.display()
    ))
}
