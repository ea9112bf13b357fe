//! Rendering diagnostics with miette: source snippets and labelled spans.

use std::borrow::Cow;
use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostics::{Diagnostic, Severity};
use crate::source::Source;
use crate::terminal::{acts_on_terminal, sanitize_for_terminal, sanitize_lines_for_terminal};

/// One diagnostic together with its file, as a [`miette::Diagnostic`].
pub struct FileReport<'a> {
    pub diagnostic: &'a Diagnostic,
    source: NamedText<'a>,
    message: String,
    help: Option<String>,
    labels: Vec<String>,
}

/// A file's text and name, borrowed (miette's `NamedSource` owns its text).
struct NamedText<'a> {
    name: String,
    text: Cow<'a, str>,
}

impl SourceCode for NamedText<'_> {
    fn read_span<'s>(
        &'s self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'s> + 's>, MietteError> {
        let inner =
            self.text
                .as_ref()
                .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.clone(),
                inner.data(),
                *inner.span(),
                inner.line(),
                inner.column(),
                inner.line_count(),
            )
            .with_language("sop"),
        ))
    }
}

impl<'a> FileReport<'a> {
    pub fn new(diagnostic: &'a Diagnostic, source: &'a Source) -> Self {
        let name = sanitize_for_terminal(&source.path().display().to_string()).into_owned();
        FileReport {
            diagnostic,
            source: NamedText {
                name,
                text: printable_source(&source.text),
            },
            message: sanitize_lines_for_terminal(&diagnostic.message).into_owned(),
            help: diagnostic
                .help
                .as_deref()
                .map(|h| sanitize_lines_for_terminal(h).into_owned()),
            labels: std::iter::once(&diagnostic.primary)
                .chain(&diagnostic.secondary)
                .map(|l| sanitize_lines_for_terminal(&l.message).into_owned())
                .collect(),
        }
    }
}

impl fmt::Debug for FileReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileReport")
            .field("diagnostic", self.diagnostic)
            .finish()
    }
}

impl fmt::Display for FileReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FileReport<'_> {}

fn source_span(span: crate::ast::Span) -> SourceSpan {
    SourceSpan::new(span.start.into(), span.len())
}

impl miette::Diagnostic for FileReport<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = &self.diagnostic.primary;
        let label = |message: &str| (!message.is_empty()).then(|| message.to_string());
        let first =
            LabeledSpan::new_primary_with_span(label(&self.labels[0]), source_span(primary.span));
        let rest = self
            .diagnostic
            .secondary
            .iter()
            .zip(&self.labels[1..])
            .map(move |(l, m)| LabeledSpan::new_with_span(label(m), source_span(l.span)));
        Some(Box::new(std::iter::once(first).chain(rest)))
    }
}

/// miette's graphical handler: colour or not, at a fixed width.
pub fn graphical_handler(color: bool, width: usize) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_context_lines(1)
        .with_links(false)
}

/// A source for snippets: what would act on a terminal (see
/// [`acts_on_terminal`]) replaced by characters of the same UTF-8 length
/// (`?` for one byte, `¿` for two, `�` for three), so spans still point at
/// the same bytes. Line breaks (LF, and CR before LF) stay.
fn printable_source(text: &str) -> Cow<'_, str> {
    let unprintable = |c: char| c != '\n' && acts_on_terminal(c);
    if !text.chars().any(unprintable) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => out.push(c),
            c if unprintable(c) => out.push(match c.len_utf8() {
                1 => '?',
                2 => '\u{bf}',
                _ => '\u{fffd}',
            }),
            c => out.push(c),
        }
    }
    debug_assert_eq!(out.len(), text.len());
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let source = "x\u{1b}[2J\r\n\u{85}y\rz\u{202e}w";
        let shown = printable_source(source);
        assert_eq!(shown.len(), source.len());
        assert_eq!(shown, "x?[2J\r\n\u{bf}y?z\u{fffd}w");
        assert_eq!(printable_source("crlf\r\n"), "crlf\r\n");
        assert!(matches!(printable_source("plain"), Cow::Borrowed(_)));
    }
}
