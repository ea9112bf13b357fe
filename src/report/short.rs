//! The short format: `file:line:column: severity[code]: message`.

use std::fmt::Write;

use super::Summary;
use crate::check::CheckedFile;

pub fn render(files: &[CheckedFile], summary: Summary) -> String {
    let mut out = String::new();
    for file in files {
        for d in &file.diagnostics {
            let (line, column) = file.source.line_col(d.span().start);
            let _ = writeln!(
                out,
                "{}:{}:{}: {}[{}]: {}",
                file.path.display(),
                line,
                column,
                d.severity.name(),
                d.code,
                d.message
            );
        }
    }
    out.push_str(&summary.line());
    out.push('\n');
    out
}
