//! The GitHub format: workflow commands that annotate a pull request.
//! <https://docs.github.com/actions/reference/workflow-commands-for-github-actions>
//!
//! The commands are also the job's log, shown as a terminal shows it, so
//! what would act on a terminal is shown instead (line breaks stay, as the
//! commands' own `%0A` escapes).

use std::fmt::Write;

use super::Summary;
use crate::check::CheckedFile;
use crate::diagnostics::Severity;
use crate::terminal::sanitize_lines_for_terminal;

pub fn render(files: &[CheckedFile], summary: Summary) -> String {
    let mut out = String::new();
    for file in files {
        let path = file.path.display().to_string().replace('\\', "/");
        let path = sanitize_lines_for_terminal(&path);
        for d in &file.diagnostics {
            let pos = file.source.span_position(d.span());
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut message = sanitize_lines_for_terminal(&d.message).into_owned();
            if let Some(help) = &d.help {
                message.push_str("\n\n");
                message.push_str(&sanitize_lines_for_terminal(help));
            }
            let _ = writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(&path),
                pos.line,
                pos.column,
                pos.end_line,
                pos.end_column,
                property(&format!("sop {}", d.code)),
                data(&message)
            );
        }
    }
    out.push_str(&summary.line());
    out.push('\n');
    out
}

/// Escapes a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(super::data("50%\nnext"), "50%25%0Anext");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
