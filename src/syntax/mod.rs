//! Parsing: source text → [`Document`](crate::ast::Document).
//!
//! Two passes over the lines of a file. [`lines`] runs the pest grammar
//! (`grammar/sop.pest`), which classifies every line by its first words
//! without looking at its neighbours. [`lower`] walks the classified lines
//! with the context they stand in (metadata, which section, which step) and
//! builds the syntax tree. A line that is not allowed where it stands becomes
//! a [`SyntaxError`](crate::ast::SyntaxError) and lowering goes on with the
//! next line, so one bad line is one diagnostic.

mod entries;
mod ids;
pub mod keywords;
mod lines;
mod lower;
mod metadata;
mod steps;

pub use ids::{is_valid_id, parse_target};
pub use lines::{Form, Line};

use crate::ast::Document;
use crate::source::Source;

/// Parses a source into its syntax tree. Never fails: problems are recorded
/// in [`Document::errors`].
pub fn parse(source: &Source) -> Document<'_> {
    let dialect = keywords::dialect_of(&source.text);
    let lines = lines::classify(&source.text, dialect);
    let mut doc = lower::lower(&source.text, &lines, dialect);
    doc.bom = source.bom;
    doc
}

/// The SOP id a file declares, read from its header only: enough to index a
/// project without parsing every file in full. Agrees with [`parse`]: lines
/// are decoded as the parser decodes them (invalid UTF-8 replaced), only
/// spaces, tabs and full-width spaces are indentation, and blank and comment lines are skipped.
pub fn header_id(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    for raw in bytes.split(|&b| b == b'\n') {
        let text = String::from_utf8_lossy(raw);
        let body = text.trim_start_matches(lines::is_space);
        if body.trim_end().is_empty() || body.starts_with('#') {
            continue;
        }
        let lines = lines::classify(&text, crate::ast::Dialect::En);
        return match lines.first()?.form {
            Form::Header { head, .. } if is_valid_id(head.value) => Some(head.value.to_string()),
            _ => None,
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::{BlockItem, MetaItem, StepItem, Trivia};

    #[test]
    fn a_run_of_blank_lines_is_one_node() {
        let blank = "\n".repeat(100_000);
        let text = format!("sop A-1: T\n{blank}steps:\n  step a: A\n    one{blank}    two\n");
        let source = Source::from_text("t.sop", &text);
        let doc = parse(&source);
        let meta_blanks = doc
            .metadata
            .iter()
            .filter(|m| matches!(m, MetaItem::Trivia(Trivia::Blank { .. })))
            .count();
        assert_eq!(meta_blanks, 1, "{:?}", doc.metadata);
        let step = &doc.steps()[0];
        let blanks: Vec<_> = step
            .items
            .iter()
            .filter_map(|i| match i {
                StepItem::Block(BlockItem::Trivia(Trivia::Blank { span })) => Some(*span),
                _ => None,
            })
            .collect();
        // The run, and the empty line after the last line break.
        assert_eq!(blanks.len(), 2, "{blanks:?}");
        // 99,999 blank lines: the 99,998 line breaks between them.
        let run = &text[blanks[0].start..blanks[0].end];
        assert!(run.len() == blank.len() - 2 && run.bytes().all(|b| b == b'\n'));
        assert_eq!(blanks[1].start, text.len());
        assert_eq!(step.items.len(), 4);
    }
}
