//! `sop fmt`: prints a syntax tree back in the canonical layout.
//!
//! The formatter works from the tree [`crate::syntax::parse`] builds, which
//! keeps comments and blank lines in their places; it never parses the text
//! a second time to decide the layout. Only the layout changes (indentation,
//! blank lines, keyword case, the colon, spacing around separators): every
//! word of content and every comment is printed as written. The layout is
//! described in `docs/language.md` (Canonical layout).
//!
//! A file with syntax errors or invalid bytes is not formatted: a line the
//! parser did not understand has no place in the tree to be printed from.
//! As a last safety net the output of a file that changes is parsed again and
//! must mean exactly what the input meant (the same JSON workflow, the same
//! comments, the same unknown metadata); otherwise the formatter refuses.

mod verify;

use std::fmt;

use crate::ast::{
    BlockItem, Branch, BranchKind, Dialect, Document, EntryItem, MetaEntry, MetaItem, MetaValue,
    ReferenceItem, RevisionItem, Section, SectionBody, Span, Step, StepItem, Target, Trivia,
};
use crate::source::{EncodingIssueKind, Source};
use crate::syntax::keywords::{self, Keyword, Word};

/// Indentation of a section's content: prose, entries, references,
/// revisions, and the `step` lines.
pub const SECTION_INDENT: usize = 2;
/// Indentation of a step's content: attributes, prose, callouts, branches.
pub const STEP_INDENT: usize = 4;

/// How to format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FormatOptions {
    /// Keep CRLF line endings in a file that uses them (judged by its first
    /// line break). Without it, the output always has LF line endings.
    pub keep_crlf: bool,
    /// Write every keyword in this language (`sop fmt --keywords`). Without
    /// it each keyword stays in the language it was written in.
    pub keywords: Option<Dialect>,
}

/// One reason a file cannot be formatted: a syntax error or invalid bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Why a file was not formatted. The file is to be left as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The file has syntax errors or invalid bytes, in source order.
    Invalid(Vec<Problem>),
    /// The formatted text would not mean what the file means. This is a bug
    /// in the formatter; the message says what differs.
    Unfaithful(String),
    /// `--keywords` asked for a language whose keywords the file cannot
    /// hold: Chinese or Hungarian keywords are read only in a file whose
    /// `language:` is Chinese or Hungarian.
    Keywords { into: Dialect, file: Dialect },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Invalid(problems) => {
                let n = problems.len();
                write!(
                    f,
                    "{n} {} that must be fixed before formatting",
                    if n == 1 { "problem" } else { "problems" }
                )?;
                for p in problems {
                    write!(f, "\n{p}")?;
                }
                Ok(())
            }
            FormatError::Keywords { into, file } => {
                let language = |d: Dialect| match d {
                    Dialect::En => "English",
                    Dialect::Zh => "Chinese",
                    Dialect::Hu => "Hungarian",
                };
                write!(
                    f,
                    "cannot write {} keywords in a file whose language is {}: {} keywords are read only in a file with `language: {}`; add that line first, or use `--keywords en`",
                    language(*into),
                    language(*file),
                    language(*into),
                    into.code()
                )
            }
            FormatError::Unfaithful(what) => write!(
                f,
                "internal error: the formatted text would change the file's meaning ({what}); \
                 the file is left as it is, please report this"
            ),
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats a text in the canonical layout, with LF line endings.
pub fn format_source(text: &str) -> Result<String, FormatError> {
    let source = Source::from_text("<input>", text);
    let doc = crate::syntax::parse(&source);
    format_document(&source, &doc)
}

/// Formats a parsed document in the canonical layout, with LF line endings.
pub fn format_document(source: &Source, doc: &Document<'_>) -> Result<String, FormatError> {
    format_document_with(source, doc, &FormatOptions::default())
}

/// Formats a parsed document in the canonical layout.
pub fn format_document_with(
    source: &Source,
    doc: &Document<'_>,
    options: &FormatOptions,
) -> Result<String, FormatError> {
    let problems = problems(source, doc);
    if !problems.is_empty() {
        return Err(FormatError::Invalid(problems));
    }
    if let Some(into) = options.keywords {
        if into != Dialect::En && into != doc.dialect {
            return Err(FormatError::Keywords {
                into,
                file: doc.dialect,
            });
        }
    }
    let crlf = options.keep_crlf && doc.crlf;
    let out = print(&source.text, doc, crlf, options.keywords);
    if out != source.text {
        verify::same_meaning(doc, &out)?;
    }
    Ok(out)
}

/// The syntax errors and encoding issues of a file, in source order.
pub fn problems(source: &Source, doc: &Document<'_>) -> Vec<Problem> {
    let mut problems: Vec<Problem> = Vec::new();
    for issue in &source.encoding_issues {
        let message = match issue.kind {
            EncodingIssueKind::InvalidUtf8 => {
                format!("invalid UTF-8 at byte offset {}", issue.byte_offset)
            }
            EncodingIssueKind::Nul => format!("NUL byte at byte offset {}", issue.byte_offset),
        };
        problems.push(problem(source, issue.span, message));
    }
    for error in &doc.errors {
        problems.push(problem(source, error.span, error.message.clone()));
    }
    // A heading read as the section it names would be printed as that
    // section's keyword: the author decides, not the formatter.
    for unknown in &doc.unknown_sections {
        let message = format!("`{}:` is not a section", unknown.heading.value);
        problems.push(problem(source, unknown.heading.span, message));
    }
    problems.sort_by_key(|p| (p.span.start, p.span.end));
    problems
}

fn problem(source: &Source, span: Span, message: String) -> Problem {
    let (line, column) = source.line_col(span.start);
    Problem {
        span,
        line,
        column,
        message,
    }
}

/// Prints a document that has no syntax errors.
fn print(src: &str, doc: &Document<'_>, crlf: bool, into: Option<Dialect>) -> String {
    let mut p = Printer::new(src, doc.dialect, into);
    for trivia in &doc.leading {
        p.trivia(trivia, 0);
    }
    if let Some(header) = &doc.header {
        p.line(
            Kind::Head,
            0,
            header.span,
            &["sop ", header.id.value, ": ", header.title.value],
        );
    }
    for item in &doc.metadata {
        match item {
            MetaItem::Entry(entry) => p.meta(entry),
            MetaItem::Trivia(trivia) => p.trivia(trivia, 0),
        }
    }
    for section in &doc.sections {
        p.attach(0, true, false);
        p.section(section);
    }
    p.attach(0, false, true);
    p.finish(crlf)
}

/// What an output line is, for the blank-line rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blank,
    /// `col0`: the comment stands at column 0 in the input.
    Comment {
        col0: bool,
    },
    /// The `sop` line, a section keyword line without text, a `step` line:
    /// blank lines right after it are dropped.
    Head,
    Content,
    /// Exactly one blank line here, unless nothing was printed yet.
    Separator,
}

#[derive(Debug, Clone, Copy)]
struct Line {
    kind: Kind,
    indent: usize,
    start: usize,
    end: usize,
}

/// Collects the output lines; their text lives in one buffer.
struct Printer<'s> {
    src: &'s str,
    buf: String,
    lines: Vec<Line>,
    /// The file's dialect.
    dialect: Dialect,
    /// The language every keyword is written in (`--keywords`).
    into: Option<Dialect>,
}

const SPACES: &str = "                                ";

impl<'s> Printer<'s> {
    fn new(src: &'s str, dialect: Dialect, into: Option<Dialect>) -> Self {
        Printer {
            src,
            buf: String::with_capacity(src.len() + src.len() / 8),
            lines: Vec::with_capacity(src.len() / 24 + 4),
            dialect,
            into,
        }
    }

    /// The language to print a keyword in: `--keywords`, else the one it
    /// was `written` in.
    fn language(&self, written: &str) -> Dialect {
        self.into.unwrap_or_else(|| {
            keywords::lookup(written.trim(), self.dialect).map_or(Dialect::En, |(_, d)| d)
        })
    }

    /// A keyword in canonical spelling, and the colon that follows it: the
    /// full-width `：` after a Chinese keyword.
    fn keyword(&self, word: Word, written: &str) -> (&'static str, &'static str) {
        let language = self.language(written);
        let colon = if language == Dialect::Zh { "：" } else { ": " };
        (keywords::spelling(word, language), colon)
    }

    /// The keyword of a `key: value` line as written: the text before its
    /// first colon.
    fn written_key(&self, span: Span) -> &'s str {
        let line = &self.src[span.start..span.end];
        line.find([':', '：']).map_or(line, |i| &line[..i])
    }

    /// Adds a line printed from `parts`; `origin` is the line in the source.
    fn line(&mut self, kind: Kind, indent: usize, origin: Span, parts: &[&str]) {
        let start = self.buf.len();
        for part in parts {
            self.buf.push_str(part);
        }
        self.end(kind, indent, origin, start);
    }

    /// Ends a line whose text was pushed to `buf` from `start`.
    fn end(&mut self, kind: Kind, indent: usize, origin: Span, start: usize) {
        let written = &self.src[origin.start..origin.end];
        if odd_head(written) {
            // Whitespace that is not indentation (a CR, an ideographic
            // space) stands where the parser trims words: in front of the
            // line, a key, an id or a name. Printing the trimmed pieces could
            // change how the line reads, so such a line is kept as written.
            self.buf.truncate(start);
            self.buf.push_str(written);
        }
        // Values are trimmed already; an empty value must not leave `key: `.
        let trimmed = self.buf[start..].trim_end().len();
        self.buf.truncate(start + trimmed);
        self.lines.push(Line {
            kind,
            indent,
            start,
            end: self.buf.len(),
        });
    }

    fn trivia(&mut self, trivia: &Trivia<'_>, indent: usize) {
        match trivia {
            Trivia::Blank { .. } => self.lines.push(Line {
                kind: Kind::Blank,
                indent: 0,
                start: 0,
                end: 0,
            }),
            Trivia::Comment { span, .. } => {
                let col0 = span.start == 0 || self.src.as_bytes()[span.start - 1] == b'\n';
                // The whole comment as written, `#` included.
                let text = &self.src[span.start..span.end];
                self.line(Kind::Comment { col0 }, indent, *span, &[text]);
            }
        }
    }

    /// Attaches the comments and blank lines that end the block printed so
    /// far to what comes next (a section or step at `indent`, or the end of
    /// the file): the comments directly above it, or, when blank lines stand
    /// between, the comments after the first blank line, take its
    /// indentation; the comments right after the block's last line stay with
    /// the block. `separate` puts exactly one blank line before the attached
    /// comments.
    fn attach(&mut self, indent: usize, separate: bool, eof: bool) {
        if eof {
            // Blank lines at the end of the file (the text after the last
            // line break reads as one) are dropped.
            while self.lines.last().is_some_and(|l| l.kind == Kind::Blank) {
                self.lines.pop();
            }
        }
        let end = self.lines.len();
        let mut start = end;
        while start > 0
            && matches!(
                self.lines[start - 1].kind,
                Kind::Blank | Kind::Comment { .. }
            )
        {
            start -= 1;
        }
        if start > 0 && self.lines[start - 1].kind == Kind::Head {
            // Blank lines right after a head line are dropped: they do not
            // separate anything.
            while start < end && self.lines[start].kind == Kind::Blank {
                start += 1;
            }
        }
        let first_blank = (start..end).find(|&i| self.lines[i].kind == Kind::Blank);
        let split = match first_blank {
            Some(i) => i,
            // At the end of the file nothing follows: a comment stays with
            // the last block unless it was written at column 0.
            None if eof => (start..end)
                .find(|&i| self.lines[i].kind == Kind::Comment { col0: true })
                .unwrap_or(end),
            None => start,
        };
        for line in &mut self.lines[split..] {
            if let Kind::Comment { .. } = line.kind {
                line.indent = indent;
            }
        }
        if separate {
            self.lines.insert(
                split,
                Line {
                    kind: Kind::Separator,
                    indent: 0,
                    start: 0,
                    end: 0,
                },
            );
        }
    }

    fn finish(self, crlf: bool) -> String {
        let newline = if crlf { "\r\n" } else { "\n" };
        let mut out = String::with_capacity(self.buf.len() + self.lines.len() * 6);
        let mut pending = false;
        let mut any = false;
        let mut after_head = false;
        for line in &self.lines {
            match line.kind {
                Kind::Blank => pending |= any && !after_head,
                Kind::Separator => pending |= any,
                _ => {
                    if pending {
                        out.push_str(newline);
                        pending = false;
                    }
                    let text = &self.buf[line.start..line.end];
                    if !text.is_empty() {
                        let mut indent = line.indent;
                        while indent > 0 {
                            let n = indent.min(SPACES.len());
                            out.push_str(&SPACES[..n]);
                            indent -= n;
                        }
                    }
                    out.push_str(text);
                    out.push_str(newline);
                    any = true;
                    after_head = line.kind == Kind::Head;
                }
            }
        }
        out
    }

    fn meta(&mut self, entry: &MetaEntry<'_>) {
        let (key, colon) = match entry.value.key_name() {
            Some(name) => self.keyword(Word::Key(Keyword::Meta(name)), entry.key.value),
            None => (entry.key.value, ": "),
        };
        let start = self.buf.len();
        self.buf.push_str(key);
        self.buf.push_str(colon);
        match &entry.value {
            MetaValue::Tags { tags } if !tags.is_empty() => {
                self.join(tags.iter().map(|t| t.value));
            }
            // A status value is a keyword: it is rewritten only with
            // `--keywords`, so `Draft` stays as written.
            MetaValue::Status {
                parsed: Some(status),
            } if self.into.is_some() => {
                let (value, _) = self.keyword(Word::Status(status.name()), entry.raw.value);
                self.buf.push_str(value);
            }
            _ => self.buf.push_str(entry.raw.value),
        }
        self.end(Kind::Content, 0, entry.span, start);
    }

    fn join<'t>(&mut self, parts: impl Iterator<Item = &'t str>) {
        for (i, part) in parts.enumerate() {
            if i > 0 {
                self.buf.push_str(", ");
            }
            self.buf.push_str(part);
        }
    }

    fn section(&mut self, section: &Section<'_>) {
        let (name, colon) = self.keyword(
            Word::Key(Keyword::Section(section.kind)),
            section.keyword.value,
        );
        match section.inline {
            // Text on the keyword line is the first line of the prose: a
            // blank line after it is a paragraph break, so it is content.
            Some(inline) => self.line(Kind::Content, 0, section.head, &[name, colon, inline.value]),
            None => self.line(Kind::Head, 0, section.head, &[name, colon.trim_end()]),
        }
        let indent = SECTION_INDENT;
        match &section.body {
            SectionBody::Prose(items) => {
                let common = common_indent(items.iter());
                for item in items {
                    self.block_item(item, indent, common);
                }
            }
            SectionBody::Entries(items) => {
                for item in items {
                    match item {
                        EntryItem::Entry(e) => self.line(
                            Kind::Content,
                            indent,
                            e.span,
                            &[e.name.value, ": ", e.value.value],
                        ),
                        EntryItem::Trivia(t) => self.trivia(t, indent),
                    }
                }
            }
            SectionBody::Steps(steps) => {
                for trivia in &steps.leading {
                    self.trivia(trivia, indent);
                }
                for (i, step) in steps.steps.iter().enumerate() {
                    self.attach(indent, i > 0, false);
                    self.step(step);
                }
            }
            SectionBody::References(items) => {
                for item in items {
                    match item {
                        ReferenceItem::Item { text, span } => {
                            self.line(Kind::Content, indent, *span, &["- ", text.value])
                        }
                        ReferenceItem::Trivia(t) => self.trivia(t, indent),
                    }
                }
            }
            SectionBody::Revisions(items) => {
                let width = items
                    .iter()
                    .filter_map(|item| match item {
                        RevisionItem::Revision(r) => Some(r.version.value.chars().count()),
                        RevisionItem::Trivia(_) => None,
                    })
                    .max()
                    .unwrap_or(0);
                for item in items {
                    match item {
                        RevisionItem::Revision(r) => {
                            let start = self.buf.len();
                            self.buf.push_str(r.version.value);
                            let pad = width - r.version.value.chars().count();
                            self.buf.push_str(&SPACES[..pad.min(SPACES.len())]);
                            for _ in SPACES.len()..pad {
                                self.buf.push(' ');
                            }
                            self.buf.push_str("  ");
                            self.buf.push_str(r.date.value);
                            if let Some(author) = r.author {
                                self.buf.push_str("  ");
                                self.buf.push_str(author.value);
                            }
                            self.buf.push_str(": ");
                            self.buf.push_str(r.description.value);
                            self.end(Kind::Content, indent, r.span, start);
                        }
                        RevisionItem::Trivia(t) => self.trivia(t, indent),
                    }
                }
            }
        }
    }

    fn step(&mut self, step: &Step<'_>) {
        let line = &self.src[step.head.start..step.head.end];
        let written = match keywords::step_keyword(line, self.dialect) {
            Some(at) => &line[..at],
            None => "step",
        };
        let (keyword, colon) = self.keyword(Word::Step, written);
        match step.id {
            Some(id) => self.line(
                Kind::Head,
                SECTION_INDENT,
                step.head,
                &[keyword, " ", id.value, colon, step.title.value],
            ),
            None => self.line(
                Kind::Head,
                SECTION_INDENT,
                step.head,
                &[keyword, colon, step.title.value],
            ),
        }
        let indent = STEP_INDENT;
        let common = common_indent(step.items.iter().filter_map(|item| match item {
            StepItem::Block(b) => Some(b),
            _ => None,
        }));
        for item in &step.items {
            match item {
                StepItem::Role { roles, span } => {
                    let (keyword, colon) = self.keyword(
                        Word::Key(Keyword::Attribute("role")),
                        self.written_key(*span),
                    );
                    let start = self.buf.len();
                    self.buf.push_str(keyword);
                    self.buf.push_str(colon);
                    if roles.is_empty() {
                        self.buf.push_str(after_colon(self.src, *span));
                    } else {
                        self.join(roles.iter().map(|r| r.value));
                    }
                    self.end(Kind::Content, indent, *span, start);
                }
                StepItem::Within { text, span, .. } => {
                    self.attribute("within", *text, *span, indent)
                }
                StepItem::Say { text, span } => self.attribute("say", *text, *span, indent),
                StepItem::Ask { text, span } => self.attribute("ask", *text, *span, indent),
                StepItem::Branch(branch) => self.branch(branch, indent),
                StepItem::Block(block) => self.block_item(block, indent, common),
            }
        }
    }

    fn attribute(
        &mut self,
        name: &'static str,
        text: crate::ast::Text<'_>,
        span: Span,
        indent: usize,
    ) {
        let (keyword, colon) =
            self.keyword(Word::Key(Keyword::Attribute(name)), self.written_key(span));
        self.line(Kind::Content, indent, span, &[keyword, colon, text.value]);
    }

    fn branch(&mut self, branch: &Branch<'_>, indent: usize) {
        let start = self.buf.len();
        let line = &self.src[branch.span.start..branch.span.end];
        match branch.kind {
            BranchKind::Goto => self.buf.push_str("-> "),
            BranchKind::If { condition } => {
                let written =
                    &self.src[branch.span.start..condition.span.start.max(branch.span.start)];
                let (keyword, _) = self.keyword(Word::If, written);
                self.buf.push_str(keyword);
                // A Chinese `如果` needs no space before a Chinese condition.
                let joined = keyword == keywords::spelling(Word::If, Dialect::Zh)
                    && !condition.value.starts_with(|c: char| c.is_ascii());
                if !joined {
                    self.buf.push(' ');
                }
                self.buf.push_str(condition.value);
                self.buf.push_str(" -> ");
            }
            BranchKind::Timeout => {
                let written = line
                    .split(|c: char| c.is_whitespace() || c == '-' || c == '→')
                    .next()
                    .unwrap_or_default();
                let (keyword, _) = self.keyword(Word::Timeout, written);
                self.buf.push_str(keyword);
                self.buf.push_str(" -> ");
            }
            BranchKind::Otherwise => {
                let written = line
                    .split(|c: char| c.is_whitespace() || c == '-' || c == '→')
                    .next()
                    .unwrap_or_default();
                let (keyword, _) = self.keyword(Word::Otherwise, written);
                self.buf.push_str(keyword);
                self.buf.push_str(" -> ");
            }
        }
        let target = &self.src[branch.target_span.start..branch.target_span.end];
        match branch.target {
            Target::Step(id) => self.buf.push_str(id),
            Target::Next => {
                let (keyword, _) = self.keyword(Word::Next, target);
                self.buf.push_str(keyword);
            }
            Target::End => {
                let (keyword, _) = self.keyword(Word::End, target);
                self.buf.push_str(keyword);
            }
            Target::Sop(id) => {
                self.buf.push_str("[[");
                self.buf.push_str(id);
                self.buf.push_str("]]");
            }
        }
        self.end(Kind::Content, indent, branch.span, start);
    }

    /// A line of a prose-holding block. Prose keeps its indentation relative
    /// to the block's least indented prose line (`common`).
    fn block_item(&mut self, item: &BlockItem<'_>, indent: usize, common: usize) {
        match item {
            BlockItem::Prose {
                text,
                indent: own,
                escaped,
            } => {
                let indent = indent + own.saturating_sub(common);
                let escape = if *escaped { "\\" } else { "" };
                // Prose is printed as written: no origin to fall back to.
                self.line(
                    Kind::Content,
                    indent,
                    Span::default(),
                    &[escape, text.value],
                );
            }
            BlockItem::Callout(c) => {
                let (keyword, colon) = self.keyword(
                    Word::Key(Keyword::Callout(c.kind)),
                    self.written_key(c.span),
                );
                self.line(
                    Kind::Content,
                    indent,
                    c.span,
                    &[keyword, colon, c.text.value],
                );
            }
            BlockItem::Trivia(t) => self.trivia(t, indent),
        }
    }
}

/// The least indentation among a block's prose lines (what the renderers
/// dedent by).
fn common_indent<'i, 'a: 'i>(items: impl Iterator<Item = &'i BlockItem<'a>>) -> usize {
    items
        .filter_map(|item| match item {
            BlockItem::Prose { indent, .. } => Some(*indent),
            _ => None,
        })
        .min()
        .unwrap_or(0)
}

/// Whether whitespace other than spaces and tabs stands before the first
/// colon of a line (or anywhere in a line without one).
fn odd_head(line: &str) -> bool {
    let head = line.find([':', '：']).map_or(line, |i| &line[..i]);
    head.contains(|c: char| c.is_whitespace() && c != ' ' && c != '\t')
}

/// The text after the first colon of a line, trimmed.
fn after_colon(src: &str, span: Span) -> &str {
    let line = &src[span.start..span.end];
    match line.char_indices().find(|&(_, c)| c == ':' || c == '：') {
        Some((i, c)) => line[i + c.len_utf8()..].trim(),
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        format_source(text).unwrap()
    }

    #[test]
    fn keywords_colons_and_indentation() {
        let input = "SOP X-1：Title\nVersion：1.0\n\n\nPurpose：Why\n\tmore\nSTEPS:\n STEP a：A\nRole: x,y\n  If yes -> b\n  Else -> END\n";
        let expected = "sop X-1: Title\nversion: 1.0\n\npurpose: Why\n  more\n\nsteps:\n  step a: A\n    role: x, y\n    if yes -> b\n    otherwise -> end\n";
        assert_eq!(fmt(input), expected);
    }

    #[test]
    fn comments_attach_to_what_follows() {
        let input = "sop X: T\nsteps:\n  step a: A\n    text\n    # about text\n\n  # about b\n  step b: B\n# about scope\nscope: all\n";
        let expected = "sop X: T\n\nsteps:\n  step a: A\n    text\n    # about text\n\n  # about b\n  step b: B\n\n# about scope\nscope: all\n";
        assert_eq!(fmt(input), expected);
    }

    #[test]
    fn refuses_syntax_errors() {
        let err = format_source("sop X: T\npurpose:\n  role: x\n").unwrap_err();
        let FormatError::Invalid(problems) = err else {
            panic!("expected Invalid");
        };
        assert_eq!((problems[0].line, problems[0].column), (3, 3));
    }

    #[test]
    fn empty_and_comment_only() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("\n\n"), "");
        assert_eq!(fmt("  # a\n\n\n# b  \n\n"), "# a\n\n# b\n");
    }

    #[test]
    fn comments_at_the_end_of_the_file() {
        let input = "sop X: T\nrevisions:\n  1.0  2019-03-01  Jane Doe: Created\n# end of file\n";
        assert_eq!(
            fmt(input),
            "sop X: T\n\nrevisions:\n  1.0  2019-03-01  Jane Doe: Created\n# end of file\n"
        );
        let input = "sop X: T\npurpose:\n\n    # stays\n\n# goes to column 0\n";
        assert_eq!(
            fmt(input),
            "sop X: T\n\npurpose:\n  # stays\n\n# goes to column 0\n"
        );
    }
}
