//! The JSON format: one object with counts and every diagnostic.

use serde::Serialize;

use super::Summary;
use crate::check::CheckedFile;

#[derive(Serialize)]
struct Output<'a> {
    files: usize,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    help: Option<&'a str>,
}

pub fn render(files: &[CheckedFile], summary: Summary) -> String {
    let diagnostics = files
        .iter()
        .flat_map(|file| {
            file.diagnostics.iter().map(move |d| {
                let pos = file.source.span_position(d.span());
                Entry {
                    file: file.path.display().to_string(),
                    line: pos.line,
                    column: pos.column,
                    end_line: pos.end_line,
                    end_column: pos.end_column,
                    severity: d.severity.name(),
                    code: d.code,
                    message: &d.message,
                    help: d.help.as_deref(),
                }
            })
        })
        .collect();
    let output = Output {
        files: summary.files,
        errors: summary.errors,
        warnings: summary.warnings,
        diagnostics,
    };
    let mut text = serde_json::to_string_pretty(&output).unwrap_or_default();
    text.push('\n');
    text
}
