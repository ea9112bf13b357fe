//! The short format: `file:line:column: severity[code]: message`, one line
//! per diagnostic, with what would act on a terminal shown instead.

use std::fmt::Write;

use super::Summary;
use crate::check::CheckedFile;
use crate::terminal::sanitize_for_terminal;

pub fn render(files: &[CheckedFile], summary: Summary) -> String {
    let mut out = String::new();
    for file in files {
        let path = file.path.display().to_string();
        let path = sanitize_for_terminal(&path);
        for d in &file.diagnostics {
            let (line, column) = file.source.line_col(d.span().start);
            let _ = writeln!(
                out,
                "{}:{}:{}: {}[{}]: {}",
                path,
                line,
                column,
                d.severity.name(),
                d.code,
                sanitize_for_terminal(&d.message)
            );
        }
    }
    out.push_str(&summary.line());
    out.push('\n');
    out
}
