//! Rendering diagnostics with miette: source snippets and labelled spans.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Diagnostic, Severity};
use crate::source::Source;

/// One diagnostic together with its file, as a [`miette::Diagnostic`].
pub struct FileReport<'a> {
    pub diagnostic: &'a Diagnostic,
    source: NamedText<'a>,
}

/// A file's text and name, borrowed (miette's `NamedSource` owns its text).
struct NamedText<'a> {
    name: String,
    text: &'a str,
}

impl SourceCode for NamedText<'_> {
    fn read_span<'s>(
        &'s self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'s> + 's>, MietteError> {
        let inner = self
            .text
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
        let name = source.path().display().to_string();
        FileReport {
            diagnostic,
            source: NamedText {
                name,
                text: source.text.as_str(),
            },
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
        f.write_str(&self.diagnostic.message)
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
        self.diagnostic
            .help
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
            LabeledSpan::new_primary_with_span(label(&primary.message), source_span(primary.span));
        let rest = self
            .diagnostic
            .secondary
            .iter()
            .map(move |l| LabeledSpan::new_with_span(label(&l.message), source_span(l.span)));
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
