//! The site's data: every SOP that will get a page, and what links them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::Severity;
use crate::model::Workflow;
use crate::values::Date;
use crate::workspace::CheckRun;

/// One SOP of the site.
#[derive(Debug)]
pub struct Entry {
    pub workflow: Workflow,
    /// The source file, relative to the handbook's directory.
    pub source: PathBuf,
    /// The folder it is grouped under (`""` for the top level).
    pub folder: String,
    /// The `[[ID]]` links in the file, without duplicates.
    pub links: BTreeSet<String>,
    pub last_review: Option<Date>,
    pub next_review: Option<Date>,
    /// The versions of its file recorded in git (None outside git, with
    /// `--no-git`, or for a file git does not know).
    pub history: Option<super::history::History>,
}

/// A file left out of the site (with `--keep-going`).
#[derive(Debug)]
pub struct Problem {
    pub source: PathBuf,
    /// `line:column: severity[code]: message`, one per error.
    pub errors: Vec<String>,
}

/// Everything the pages are made from.
#[derive(Debug)]
pub struct Site {
    pub title: String,
    /// The checked `handbook: logo:`.
    pub logo: Option<crate::config::Logo>,
    pub today: Date,
    pub entries: Vec<Entry>,
    /// SOP id → index in `entries`.
    pub by_id: BTreeMap<String, usize>,
    /// SOP id → the entries that link to it.
    pub backlinks: BTreeMap<String, Vec<usize>>,
    /// Folder → group heading, in display order.
    pub groups: Vec<(String, String)>,
    pub problems: Vec<Problem>,
    pub config: Config,
}

impl Site {
    pub fn collect(run: &CheckRun, config: &Config, dir: &Path, today: Date) -> Site {
        let config = config.clone();
        let dir_abs = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let cwd = std::env::current_dir()
            .and_then(|d| d.canonicalize())
            .unwrap_or_default();
        let relative = |shown: &Path| {
            let abs = if shown.is_absolute() {
                shown.to_path_buf()
            } else {
                cwd.join(shown)
            };
            abs.strip_prefix(&dir_abs)
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| shown.to_path_buf())
        };
        let mut entries: Vec<Entry> = run
            .files
            .par_iter()
            .filter(|f| f.diagnostics.iter().all(|d| d.severity != Severity::Error))
            .map(|f| {
                let doc = crate::syntax::parse(&f.source);
                let workflow = Workflow::from_document(&doc);
                let source = relative(&f.path);
                let folder = source.parent().map(super::url_path).unwrap_or_default();
                let links = doc.sop_links.iter().map(|l| l.value.to_string()).collect();
                let last_review = workflow.last_reviewed();
                let next_review = workflow.next_review(config.default_review);
                Entry {
                    workflow,
                    source,
                    folder,
                    links,
                    last_review,
                    next_review,
                    history: None,
                }
            })
            .collect();
        entries.sort_by(|a, b| (&a.workflow.id, &a.source).cmp(&(&b.workflow.id, &b.source)));
        // A duplicate id is an error, so with --keep-going only one copy can
        // remain per id; keep the first, deterministically.
        entries.dedup_by(|b, a| a.workflow.id == b.workflow.id);
        let by_id: BTreeMap<String, usize> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.workflow.id.clone(), i))
            .collect();
        let mut backlinks: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, entry) in entries.iter().enumerate() {
            for link in &entry.links {
                if *link != entry.workflow.id && by_id.contains_key(link) {
                    backlinks.entry(link.clone()).or_default().push(i);
                }
            }
        }
        let problems = run
            .files
            .iter()
            .filter(|f| f.diagnostics.iter().any(|d| d.severity == Severity::Error))
            .map(|f| Problem {
                source: relative(&f.path),
                errors: f
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .map(|d| {
                        let (line, column) = f.source.line_col(d.span().start);
                        format!("{line}:{column}: error[{}]: {}", d.code, d.message)
                    })
                    .collect(),
            })
            .collect();
        let groups = group_order(&entries, &config);
        Site {
            title: config
                .handbook
                .title
                .clone()
                .unwrap_or_else(|| "SOP handbook".to_string()),
            logo: None,
            today,
            entries,
            by_id,
            backlinks,
            groups,
            problems,
            config,
        }
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }
}

/// Configured groups first, in their order; other folders alphabetically,
/// headed by their path.
fn group_order(entries: &[Entry], config: &Config) -> Vec<(String, String)> {
    let folders: BTreeSet<&str> = entries.iter().map(|e| e.folder.as_str()).collect();
    let mut groups: Vec<(String, String)> = config
        .handbook
        .groups
        .iter()
        .filter(|(f, _)| folders.contains(f.as_str()))
        .cloned()
        .collect();
    for folder in folders {
        if !groups.iter().any(|(f, _)| f == folder) {
            let heading = if folder.is_empty() {
                "General".to_string()
            } else {
                folder.to_string()
            };
            groups.push((folder.to_string(), heading));
        }
    }
    groups
}
