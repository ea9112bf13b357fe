//! Rendering diagnostics with miette: source snippets and labelled spans.

use std::borrow::Cow;
use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostics::{Diagnostic, Severity};
use crate::source::Source;
use crate::source::Span;
use crate::terminal::{acts_on_terminal, sanitize_for_terminal, sanitize_lines_for_terminal};

/// One diagnostic together with its file, as a [`miette::Diagnostic`].
///
/// miette is handed an [`Excerpt`] of the file, not the file: the lines
/// around the labels, long lines cut around the labels. Reading it costs
/// the same whatever the size of the file, and what is printed per
/// diagnostic is bounded.
pub struct FileReport<'a> {
    pub diagnostic: &'a Diagnostic,
    source: Excerpt,
    message: String,
    help: Option<String>,
    labels: Vec<String>,
    /// The labels' spans in the excerpt, primary first.
    spans: Vec<SourceSpan>,
}

/// Lines of a file further apart than this (between the context lines of
/// two labels) are shown as separate snippets.
const MAX_GAP_LINES: usize = 10;
/// A label over more lines than this is shown on its first line only.
const MAX_SPAN_LINES: usize = 8;
/// Lines longer than this many characters are cut around the labels.
const MAX_COLUMNS: usize = 120;
/// At most this many characters of one label are shown on a cut line.
const MAX_LABEL_COLUMNS: usize = 80;
/// Marks where a cut line was cut.
const CUT: &str = "\u{2026}";

/// The part of a file a diagnostic shows, with its own offsets: labels
/// are given to miette in excerpt offsets, and line numbers and columns
/// are the file's.
struct Excerpt {
    name: String,
    text: String,
    /// Runs of consecutive lines of the file, in order.
    groups: Vec<Group>,
    /// Every line of the excerpt, in order.
    lines: Vec<ExcerptLine>,
}

struct Group {
    /// Where the group starts and ends in the excerpt's text.
    start: usize,
    end: usize,
    /// 0-based line of the file the group starts with.
    first_line: usize,
}

struct ExcerptLine {
    /// Where the line starts in the file.
    file_start: usize,
    /// Where the line starts in the excerpt.
    start: usize,
    /// For a cut line, the pieces kept: (file offset, excerpt offset, length
    /// in bytes). Empty for a line kept whole.
    pieces: Vec<(usize, usize, usize)>,
}

impl ExcerptLine {
    /// The excerpt offset of a file offset on this line; an offset in a
    /// part that was cut away moves to the nearest end of a kept piece.
    fn to_excerpt(&self, offset: usize) -> usize {
        if self.pieces.is_empty() {
            return self.start + offset.saturating_sub(self.file_start);
        }
        let mut at = self.pieces[0].1;
        for &(file, excerpt, len) in &self.pieces {
            if offset < file {
                break;
            }
            at = excerpt + (offset - file).min(len);
        }
        at
    }

    /// The file offset of an excerpt offset on this line.
    fn to_file(&self, offset: usize) -> usize {
        if self.pieces.is_empty() {
            return self.file_start + offset.saturating_sub(self.start);
        }
        let mut at = self.pieces[0].0;
        for &(file, excerpt, len) in &self.pieces {
            if offset < excerpt {
                break;
            }
            at = file + (offset - excerpt).min(len);
        }
        at
    }
}

impl Excerpt {
    /// The lines of `source` around `spans`, long lines cut around them.
    fn new(name: String, source: &Source, spans: &[Span]) -> Excerpt {
        let text = source.text.as_str();
        let last_line = source.line_count() - 1;
        let lines_of = |span: &Span| {
            let first = source.line_index(span.start);
            let last = source.line_index(span.end.saturating_sub(1).max(span.start));
            (first, last)
        };
        // The line ranges to show, merged where they are close.
        let mut ranges: Vec<(usize, usize)> = spans
            .iter()
            .map(|span| {
                let (first, last) = lines_of(span);
                (first.saturating_sub(1), (last + 1).min(last_line))
            })
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
        for (first, last) in ranges {
            match merged.last_mut() {
                Some(prev) if first <= prev.1 + 1 + MAX_GAP_LINES => prev.1 = prev.1.max(last),
                _ => merged.push((first, last)),
            }
        }
        let mut excerpt = Excerpt {
            name,
            text: String::new(),
            groups: Vec::with_capacity(merged.len()),
            lines: Vec::new(),
        };
        for (first, last) in merged {
            let start = excerpt.text.len();
            for index in first..=last {
                let Some((line_start, next)) = source.line_bounds(index) else {
                    break;
                };
                excerpt.push_line(text, line_start, next, spans);
            }
            excerpt.groups.push(Group {
                start,
                end: excerpt.text.len(),
                first_line: first,
            });
        }
        excerpt
    }

    /// Appends the line `text[start..next]` (with its line break), cut when
    /// it is long.
    fn push_line(&mut self, text: &str, start: usize, next: usize, spans: &[Span]) {
        let raw = &text[start..next];
        let body = raw.strip_suffix('\n').unwrap_or(raw);
        let body = body.strip_suffix('\r').unwrap_or(body);
        let end = start + body.len();
        let mut line = ExcerptLine {
            file_start: start,
            start: self.text.len(),
            pieces: Vec::new(),
        };
        if body.len() <= MAX_COLUMNS || body.char_indices().nth(MAX_COLUMNS).is_none() {
            self.text.push_str(&printable_source(raw));
            self.lines.push(line);
            return;
        }
        // Windows of the line around the labels on it, in file offsets.
        let mut windows: Vec<(usize, usize)> = spans
            .iter()
            .filter(|s| s.start <= end && s.end >= start && (s.start >= start || s.end > start))
            .map(|s| {
                let from = s.start.max(start);
                let to = s.end.min(end).max(from);
                let to = forward(text, from, MAX_LABEL_COLUMNS, to);
                let width = text[from..to].chars().count();
                let room = MAX_COLUMNS.saturating_sub(width);
                let before = back(text, from, room / 2, start);
                let used = text[before..from].chars().count();
                let after = forward(text, to, room - used, end);
                // Room left after the end of the line goes before the label.
                let used = used + text[to..after].chars().count();
                let before = back(text, before, room.saturating_sub(used), start);
                (before, after)
            })
            .collect();
        if windows.is_empty() {
            windows.push((start, forward(text, start, MAX_COLUMNS, end)));
        }
        windows.sort_unstable();
        let mut kept: Vec<(usize, usize)> = Vec::with_capacity(windows.len());
        for (from, to) in windows {
            match kept.last_mut() {
                Some(prev) if from <= prev.1 => prev.1 = prev.1.max(to),
                _ => kept.push((from, to)),
            }
        }
        let mut at = start;
        for (from, to) in kept {
            if from > at {
                self.text.push_str(CUT);
            }
            line.pieces.push((from, self.text.len(), to - from));
            self.text.push_str(&printable_source(&text[from..to]));
            at = to;
        }
        if at < end {
            self.text.push_str(CUT);
        }
        self.text.push_str(&text[end..next]);
        self.lines.push(line);
    }

    /// The line of the excerpt that holds a file offset.
    fn line_at_file(&self, offset: usize) -> Option<&ExcerptLine> {
        let i = self.lines.partition_point(|l| l.file_start <= offset);
        self.lines[..i].last()
    }

    /// A file span in excerpt offsets.
    fn span(&self, span: Span) -> SourceSpan {
        let start = self
            .line_at_file(span.start)
            .map_or(0, |l| l.to_excerpt(span.start));
        let end = self
            .line_at_file(span.end)
            .map_or(start, |l| l.to_excerpt(span.end))
            .max(start);
        SourceSpan::new(start.into(), end - start)
    }
}

impl SourceCode for Excerpt {
    fn read_span<'s>(
        &'s self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'s> + 's>, MietteError> {
        let index = self.groups.partition_point(|g| g.start <= span.offset());
        let group = index
            .checked_sub(1)
            .map(|i| &self.groups[i])
            .filter(|g| span.offset() + span.len() <= g.end)
            .ok_or(MietteError::OutOfBounds)?;
        let text = &self.text[group.start..group.end];
        let inner = text.read_span(
            &SourceSpan::new((span.offset() - group.start).into(), span.len()),
            context_lines_before,
            context_lines_after,
        )?;
        let column = if context_lines_before == 0 {
            // The column in the file, whatever was cut before it.
            let i = self.lines.partition_point(|l| l.start <= span.offset());
            let line = &self.lines[i.saturating_sub(1)];
            line.to_file(span.offset()) - line.file_start
        } else {
            inner.column()
        };
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.clone(),
                inner.data(),
                SourceSpan::new(
                    (inner.span().offset() + group.start).into(),
                    inner.span().len(),
                ),
                inner.line() + group.first_line,
                column,
                // miette compares line + line_count of neighbouring labels to
                // decide whether to show them together; counted from the
                // start of the file, as miette's own sources do.
                inner.line_count() + group.first_line,
            )
            .with_language("sop"),
        ))
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// `pos` moved back by up to `n` characters, not before `floor`.
fn back(text: &str, pos: usize, n: usize, floor: usize) -> usize {
    text[floor..pos]
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(pos, |(i, _)| floor + i)
}

/// `pos` moved on by up to `n` characters, not past `ceil`.
fn forward(text: &str, pos: usize, n: usize, ceil: usize) -> usize {
    text[pos..ceil]
        .char_indices()
        .nth(n)
        .map_or(ceil, |(i, _)| pos + i)
}

impl<'a> FileReport<'a> {
    pub fn new(diagnostic: &'a Diagnostic, source: &'a Source) -> Self {
        let name = sanitize_for_terminal(&source.path().display().to_string()).into_owned();
        let len = source.text.len();
        let spans: Vec<Span> = std::iter::once(&diagnostic.primary)
            .chain(&diagnostic.secondary)
            .map(|l| {
                // The excerpt slices the text: spans must lie on characters.
                let start = floor_char_boundary(&source.text, l.span.start.min(len));
                let end = floor_char_boundary(&source.text, l.span.end.clamp(start, len));
                let first = source.line_index(start);
                if source.line_index(end.saturating_sub(1).max(start)) > first + MAX_SPAN_LINES {
                    // Shown on its first line only.
                    let (_, next) = source.line_bounds(first).unwrap_or((start, end));
                    Span::new(start, next.max(start))
                } else {
                    Span::new(start, end)
                }
            })
            .collect();
        let excerpt = Excerpt::new(name, source, &spans);
        FileReport {
            diagnostic,
            spans: spans.iter().map(|s| excerpt.span(*s)).collect(),
            source: excerpt,
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
        let label = |message: &str| (!message.is_empty()).then(|| message.to_string());
        let first = LabeledSpan::new_primary_with_span(label(&self.labels[0]), self.spans[0]);
        let rest = self.spans[1..]
            .iter()
            .zip(&self.labels[1..])
            .map(move |(span, m)| LabeledSpan::new_with_span(label(m), *span));
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
    use crate::diagnostics::Severity;

    fn render(diagnostic: &Diagnostic, source: &Source) -> String {
        let mut out = String::new();
        graphical_handler(false, 100)
            .render_report(&mut out, &FileReport::new(diagnostic, source))
            .unwrap();
        out
    }

    fn at(text: &str, needle: &str) -> Span {
        let start = text.find(needle).unwrap();
        Span::new(start, start + needle.len())
    }

    #[test]
    fn long_lines_are_cut_around_the_label() {
        let links: Vec<String> = (0..6000).map(|i| format!("[[Q{i}]]")).collect();
        let text = format!(
            "sop X-1: T\nsteps:\n  step a: A\n    {}\nend\n",
            links.join(" ")
        );
        let source = Source::from_text("long.sop", &text);
        let span = at(&text, "[[Q3000]]");
        let d = Diagnostic::new("unknown-sop", Severity::Error, span, "no SOP").label("here");
        let report = FileReport::new(&d, &source);
        // miette is handed a few lines of bounded length, not the file.
        assert!(
            report.source.text.len() < 3 * MAX_COLUMNS * 4,
            "{}",
            report.source.text
        );
        let out = render(&d, &source);
        assert!(out.len() < 2_000, "{} bytes:\n{out}", out.len());
        let column = span.start - text[..span.start].rfind('\n').unwrap();
        assert!(out.contains(&format!("[long.sop:4:{column}]")), "{out}");
        assert!(out.contains(" 4 │ \u{2026}"), "{out}");
        assert!(out.contains(" [[Q2995]] "), "{out}");
        assert!(out.contains("[[Q3000]]"), "{out}");
        assert!(out.contains("\u{2026}\n"), "{out}");
        // The underline sits under the label.
        let lines: Vec<&str> = out.lines().collect();
        let row = lines.iter().position(|l| l.contains("[[Q3000]]")).unwrap();
        let col = lines[row][..lines[row].find("[[Q3000]]").unwrap()]
            .chars()
            .count();
        let underline: String = lines[row + 1].chars().skip(col).take(9).collect();
        assert_eq!(underline, "────┬────", "{out}");
    }

    #[test]
    fn far_apart_labels_are_separate_snippets() {
        let mut text = String::from("sop X-1: T\nsteps:\n  step check: A\n");
        for i in 0..10_000 {
            text.push_str(&format!("  step s{i}: S\n"));
        }
        text.push_str("  step check: B\n");
        let source = Source::from_text("far.sop", &text);
        let second = text.rfind("check").unwrap();
        let d = Diagnostic::new(
            "duplicate-step-id",
            Severity::Error,
            Span::new(second, second + 5),
            "twice",
        )
        .with_secondary(at(&text, "check"), "first");
        let report = FileReport::new(&d, &source);
        assert_eq!(report.source.groups.len(), 2);
        let out = render(&d, &source);
        assert!(out.len() < 2_000, "{} bytes:\n{out}", out.len());
        assert!(out.contains(" 3 │   step check: A"), "{out}");
        assert!(out.contains(" 10004 │   step check: B"), "{out}");
    }

    #[test]
    fn labels_over_many_lines_show_their_first_line() {
        let mut text = String::from("purpose:\n");
        for i in 0..1000 {
            text.push_str(&format!("  line {i}\n"));
        }
        let source = Source::from_text("span.sop", &text);
        let d = Diagnostic::new("x", Severity::Error, Span::new(0, text.len()), "all");
        let out = render(&d, &source);
        assert!(out.lines().count() < 12, "{out}");
    }

    #[test]
    fn spans_inside_a_character_do_not_panic() {
        let text = format!("sop X-1: {}\n", "目的".repeat(200));
        let source = Source::from_text("cjk.sop", &text);
        for (start, end) in [(10, 11), (11, 400), (400, 10_000), (10_000, 20_000)] {
            let d = Diagnostic::new("x", Severity::Error, Span::new(start, end.max(start)), "m");
            assert!(render(&d, &source).contains("cjk.sop"));
        }
    }

    #[test]
    fn the_excerpt_does_not_grow_with_the_file() {
        for steps in [10, 10_000] {
            let mut text = String::from("sop X-1: T\nsteps:\n");
            for i in 0..steps {
                text.push_str(&format!("  step s{i}: S\n    -> s{}\n", (i + 1) % steps));
            }
            let source = Source::from_text("cycle.sop", &text);
            let span = at(&text, "step s5:");
            let d = Diagnostic::new("no-path-to-end", Severity::Error, span, "loops");
            let report = FileReport::new(&d, &source);
            assert_eq!(report.source.lines.len(), 3, "{}", report.source.text);
        }
    }

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
