//! Output formats for diagnostics (`sop check --format`): one file per
//! format. They read checked files and the rule catalogue (SARIF lists the
//! rules), never the workspace that produced them.

mod github;
mod graphical;
mod human;
mod json;
mod sarif;
mod short;

pub use graphical::{graphical_handler, FileReport};

use crate::check::CheckedFile;

/// How `sop check` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphical reports with source snippets (miette).
    Human,
    /// One line per diagnostic: `file:line:column: severity[code]: message`.
    Short,
    /// One JSON object with counts and diagnostics.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other tools.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

/// The totals printed at the end of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    pub fn of(files: &[CheckedFile]) -> Summary {
        let all = files.iter().flat_map(|f| &f.diagnostics);
        let errors = all
            .clone()
            .filter(|d| d.severity == crate::diagnostics::Severity::Error)
            .count();
        Summary {
            files: files.len(),
            errors,
            warnings: all.count() - errors,
        }
    }

    /// `Checked 7 files: 1 error, 2 warnings.`
    pub fn line(&self) -> String {
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("{n} {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        format!(
            "Checked {}: {}, {}.",
            plural(self.files, "file"),
            plural(self.errors, "error"),
            plural(self.warnings, "warning")
        )
    }
}

/// Options of the human format.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

/// Renders a run's diagnostics in a format, ready to print.
pub fn render(format: Format, files: &[CheckedFile], style: Style) -> String {
    let summary = Summary::of(files);
    match format {
        Format::Human => human::render(files, style, summary),
        Format::Short => short::render(files, summary),
        Format::Json => json::render(files, summary),
        Format::Sarif => sarif::render(files),
        Format::Github => github::render(files, summary),
    }
}
