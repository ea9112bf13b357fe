//! The second pass: classified lines → syntax tree, with their context.

use crate::ast::{
    BlockItem, Callout, CalloutKind, Dialect, Document, Section, SectionBody, SectionKind, Span,
    Steps, SyntaxError, Text, Trivia, UnknownSection,
};

use super::keywords::{self, Keyword, Word};
use super::lines::{Form, Line};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    BeforeHeader,
    Metadata,
    InSection,
}

pub(super) struct Lowerer<'a> {
    pub(super) doc: Document<'a>,
    state: State,
    /// The line before the current one, unless it was blank or a comment:
    /// whether it was prose of a step (for `split-paragraph`).
    pub(super) after_step_prose: bool,
}

pub(super) fn lower<'a>(text: &'a str, lines: &[Line<'a>], dialect: Dialect) -> Document<'a> {
    let mut lowerer = Lowerer {
        doc: Document {
            dialect,
            ..Document::default()
        },
        state: State::BeforeHeader,
        after_step_prose: false,
    };
    lowerer.doc.crlf = memchr::memchr(b'\n', text.as_bytes())
        .is_some_and(|i| i > 0 && text.as_bytes()[i - 1] == b'\r');
    for line in lines {
        lowerer.line(line);
    }
    lowerer.doc
}

impl<'a> Lowerer<'a> {
    fn line(&mut self, line: &Line<'a>) {
        if !matches!(line.form, Form::Comment | Form::Blank) {
            self.collect_links(line);
            if self.doc.first_content.is_none() {
                self.doc.first_content = Some(line.content.span);
            }
        }
        match self.state {
            State::BeforeHeader => self.before_header(line),
            State::Metadata => self.metadata_line(line),
            State::InSection => self.section_line(line),
        }
    }

    fn before_header(&mut self, line: &Line<'a>) {
        match line.form {
            Form::Blank | Form::Comment => {
                let trivia = trivia(line);
                self.doc.leading.push(trivia);
            }
            Form::Header { head, value } => {
                self.header(line, head, value);
                self.state = State::Metadata;
            }
            _ => {
                // No header: `missing-header` reports it; check the rest anyway.
                self.state = State::Metadata;
                self.metadata_line(line);
            }
        }
    }

    fn section_line(&mut self, line: &Line<'a>) {
        if let Form::Keyword {
            keyword,
            kind: Keyword::Section(kind),
            value,
        } = line.form
        {
            self.start_section(line, kind, keyword, value);
            return;
        }
        if self.unknown_section(line) {
            return;
        }
        let Some(section) = self.doc.sections.last() else {
            return;
        };
        let kind = section.kind;
        if !matches!(line.form, Form::Blank | Form::Comment) {
            self.extend_section(line.content.span);
        }
        match kind {
            SectionKind::Purpose | SectionKind::Scope => {
                if let Some(item) = self.block_item(line, false, kind.name()) {
                    self.push_block(item);
                }
            }
            SectionKind::Notes => {
                if let Some(item) = self.block_item(line, true, kind.name()) {
                    self.push_block(item);
                }
            }
            SectionKind::Steps => self.steps_line(line),
            SectionKind::Roles | SectionKind::Definitions | SectionKind::Metrics => {
                self.entry_line(line, kind)
            }
            SectionKind::References => self.reference_line(line),
            SectionKind::Revisions => self.revision_line(line),
        }
    }

    pub(super) fn start_section(
        &mut self,
        line: &Line<'a>,
        kind: SectionKind,
        keyword: Text<'a>,
        value: Text<'a>,
    ) {
        self.state = State::InSection;
        let body = match kind {
            SectionKind::Purpose | SectionKind::Scope | SectionKind::Notes => {
                SectionBody::Prose(Vec::new())
            }
            SectionKind::Roles | SectionKind::Definitions | SectionKind::Metrics => {
                SectionBody::Entries(Vec::new())
            }
            SectionKind::Steps => SectionBody::Steps(Steps::default()),
            SectionKind::References => SectionBody::References(Vec::new()),
            SectionKind::Revisions => SectionBody::Revisions(Vec::new()),
        };
        let inline = if value.value.is_empty() {
            None
        } else if kind.holds_prose() {
            Some(value)
        } else {
            self.error(
                value.span,
                format!("`{}:` takes no text on its own line", kind.name()),
                "unexpected text",
                Some(if kind == SectionKind::Roles && self.in_steps_section() {
                    "Did you mean `role:`, the performer of this step? `roles:` starts the section that declares the roles.".to_string()
                } else {
                    format!(
                        "Put the {} on the lines below `{}:`, one per line.",
                        content_noun(kind),
                        kind.name()
                    )
                }),
            );
            None
        };
        self.doc.sections.push(Section {
            kind,
            keyword,
            head: line.content.span,
            span: line.content.span,
            inline,
            body,
        });
    }

    fn in_steps_section(&self) -> bool {
        self.doc
            .sections
            .last()
            .is_some_and(|s| s.kind == SectionKind::Steps)
    }

    fn extend_section(&mut self, span: Span) {
        if let Some(section) = self.doc.sections.last_mut() {
            section.span.end = section.span.end.max(span.end);
        }
    }

    fn push_block(&mut self, item: BlockItem<'a>) {
        if let Some(Section {
            body: SectionBody::Prose(items),
            ..
        }) = self.doc.sections.last_mut()
        {
            items.push(item);
        }
    }

    /// A line in a prose-holding block: purpose, scope, notes, or a step
    /// (after the step's own attributes and branches were ruled out).
    /// Returns `None` when the line was an error.
    pub(super) fn block_item(
        &mut self,
        line: &Line<'a>,
        callouts: bool,
        place: &str,
    ) -> Option<BlockItem<'a>> {
        let prose = BlockItem::Prose {
            text: line.content,
            indent: line.indent,
            escaped: false,
        };
        match line.form {
            Form::Blank | Form::Comment => Some(BlockItem::Trivia(trivia(line))),
            Form::Escape => Some(escaped(line)),
            Form::Keyword {
                keyword,
                kind,
                value,
            } => match kind {
                Keyword::Callout(kind) if callouts => self.callout(line, kind, value),
                Keyword::Meta(key) => {
                    self.misplaced(line, keyword, format!("`{key}:` is metadata: it belongs right after the `sop` line, before the first section."));
                    None
                }
                Keyword::Attribute(attr) => {
                    self.misplaced(
                        line,
                        keyword,
                        format!("`{attr}:` describes a step: it belongs inside a `step` under `steps:`."),
                    );
                    None
                }
                _ => Some(prose),
            },
            Form::StepLine { .. } => {
                self.misplaced(
                    line,
                    Text::new(line.content.value, line.content.span),
                    format!("Steps belong under `steps:`, not in `{place}:`."),
                );
                None
            }
            Form::Goto { .. } | Form::If { .. } | Form::Otherwise { .. } | Form::Timeout { .. } => {
                match self.parse_branch(line) {
                    BranchLine::Branch(_) => {
                        self.error(
                            line.content.span,
                            format!("a branch in `{place}:`"),
                            "branch outside a step",
                            Some("Branch lines belong inside a step under `steps:`. Start the line with `\\` to keep it as prose.".into()),
                        );
                        None
                    }
                    BranchLine::Broken => None,
                    BranchLine::Prose => Some(prose),
                }
            }
            Form::Entry { key, .. } if callouts && self.misspelled_keyword(key, place) => None,
            Form::Entry { key, .. } if self.foreign_keyword(key) => None,
            Form::Prose if place == "steps" && self.missing_step_colon(line, true) => None,
            Form::Header { .. } | Form::Entry { .. } | Form::Prose => {
                if self.dangling_arrow(line) {
                    None
                } else {
                    Some(prose)
                }
            }
        }
    }

    /// A heading that names a section in other words (`Revision history:`,
    /// `目标：`), or a section keyword of another dialect than the file's
    /// (`目的：` without `language: zh`): recorded for `unknown-section`,
    /// and read as the section meant unless the file has that section
    /// already. Returns true when the line was taken.
    pub(super) fn unknown_section(&mut self, line: &Line<'a>) -> bool {
        let Form::Entry { key, value } = line.form else {
            return false;
        };
        if !value.value.is_empty() && key.value.is_ascii() {
            return false;
        }
        let (meant, dialect) = match keywords::foreign(key.value, self.doc.dialect) {
            Some((Word::Key(Keyword::Section(kind)), d)) => (kind, Some(d)),
            _ if value.value.is_empty() => match keywords::section_synonym(key.value) {
                Some(kind) => (kind, None),
                None => return false,
            },
            _ => return false,
        };
        self.doc.unknown_sections.push(UnknownSection {
            heading: key,
            meant,
            dialect,
        });
        let exists = self.doc.sections.iter().any(|s| s.kind == meant);
        if !exists {
            self.start_section(line, meant, key, value);
        }
        true
    }

    /// A key that is a keyword of another dialect than the file's (`角色：`
    /// in a file without `language: zh`): it would silently be prose.
    /// Reports it and returns true.
    pub(super) fn foreign_keyword(&mut self, key: Text<'a>) -> bool {
        let Some((Word::Key(keyword), dialect)) = keywords::foreign(key.value, self.doc.dialect)
        else {
            return false;
        };
        let english = match keyword {
            Keyword::Section(kind) => kind.name(),
            Keyword::Meta(k) | Keyword::Attribute(k) => k,
            Keyword::Callout(kind) => kind.name(),
        };
        let (language, code) = match dialect {
            Dialect::Zh => ("Chinese", "zh"),
            _ => ("Hungarian", "hu"),
        };
        self.error(
            key.span,
            format!(
                "`{}` is the {language} keyword for `{english}:`, but this file is not written in {language}",
                key.value
            ),
            "keyword of another language",
            Some(format!(
                "Add `language: {code}` to the metadata to write {language} keywords, or write `{english}:`. If this line is prose, start it with `\\` to keep it as text."
            )),
        );
        true
    }

    /// A prose line that is a step line without its colon (`step
    /// 1.主动响应`): one error, and the step is started anyway so the lines
    /// after it are read as its content. Inside a step only a step keyword
    /// followed by a number and a title counts (`Step 3. Confirm`), so that
    /// prose such as `Step back and listen` stays prose.
    pub(super) fn missing_step_colon(&mut self, line: &Line<'a>, in_step: bool) -> bool {
        let content = line.content;
        let Some(at) = keywords::step_keyword(content.value, self.doc.dialect) else {
            return false;
        };
        let rest = content.value[at..].trim_start_matches(super::lines::is_space);
        if rest.is_empty() {
            return false;
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let after = &rest[digits..];
        let numbered = digits > 0
            && after
                .chars()
                .next()
                .is_some_and(|c| matches!(c, '.' | ')' | '、' | '．' | '）') || !c.is_whitespace());
        if in_step && !numbered {
            return false;
        }
        let (id, title) = if numbered {
            let title = after
                .trim_start_matches(['.', ')', '、', '．', '）'])
                .trim_start();
            (&rest[..digits], title)
        } else {
            ("", rest)
        };
        let keyword = &content.value[..at];
        let colon = if self.doc.dialect == Dialect::Zh && !keyword.is_ascii() {
            "："
        } else {
            ": "
        };
        let fixed = if id.is_empty() {
            format!("{keyword}{colon}{title}")
        } else {
            format!("{keyword} {id}{colon}{title}")
        };
        self.error(
            content.span,
            "this step line has no colon",
            "missing colon",
            Some(format!(
                "Write a colon after the step's id: `{}`. If this line is prose, start it with `\\` to keep it as text.",
                fixed.trim_end()
            )),
        );
        let title_start = content.span.end - title.len();
        self.start_step_recovered(
            line,
            Text::new(title, Span::new(title_start, content.span.end)),
        );
        true
    }

    /// A `key:` that looks like a misspelled attribute or callout keyword
    /// (`whithin:`, `roles:`, `wraning:`) would silently become prose.
    /// Reports it and returns true. Only close misses count: one edit for
    /// keywords of five letters or more, a plural, or two swapped letters,
    /// so that prose such as `Rule: …` stays prose.
    fn misspelled_keyword(&mut self, key: Text<'a>, place: &str) -> bool {
        let word = key.value;
        if word.is_empty() || !word.chars().all(|c| c.is_ascii_alphabetic()) {
            return false;
        }
        let lower = word.to_ascii_lowercase();
        let candidates: &[&str] = if place == "steps" {
            &["role", "within", "say", "ask", "tip", "warning", "note"]
        } else {
            &["tip", "warning", "note"]
        };
        let close = |k: &str| {
            lower == format!("{k}s")
                || (k.len() >= 5 && strsim::damerau_levenshtein(&lower, k) == 1)
                || is_transposition(&lower, k)
        };
        let Some(keyword) = candidates.iter().copied().find(|k| close(k)) else {
            return false;
        };
        self.error(
            key.span,
            format!("`{word}:` is not a keyword"),
            format!("did you mean `{keyword}:`?"),
            Some(format!(
                "Did you mean `{keyword}:`? If this line is prose, start it with `\\` to keep it as text."
            )),
        );
        true
    }

    pub(super) fn callout(
        &mut self,
        line: &Line<'a>,
        kind: CalloutKind,
        value: Text<'a>,
    ) -> Option<BlockItem<'a>> {
        if value.value.is_empty() {
            self.error(
                line.content.span,
                format!("`{}:` has no text", kind.name()),
                "empty callout",
                Some(format!(
                    "Write the {} after the colon, or remove the line.",
                    kind.name()
                )),
            );
            return None;
        }
        Some(BlockItem::Callout(Callout {
            kind,
            text: value,
            span: line.content.span,
        }))
    }

    /// Reports a keyword line that is not allowed where it stands.
    pub(super) fn misplaced(&mut self, line: &Line<'a>, keyword: Text<'a>, belongs: String) {
        let word = keyword.value.split_whitespace().next().unwrap_or_default();
        self.error(
            line.content.span,
            format!("`{word}` is not allowed here"),
            "not allowed here",
            Some(format!(
                "{belongs} If this line is prose, start it with `\\` to keep it as text."
            )),
        );
    }

    pub(super) fn error(
        &mut self,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        self.doc.errors.push(SyntaxError {
            span,
            message: message.into(),
            help,
            label: label.into(),
            related: None,
        });
    }

    fn collect_links(&mut self, line: &Line<'a>) {
        // An escape line's backslash escapes the line, not its first
        // bracket.
        let skip = usize::from(matches!(line.form, Form::Escape));
        let text = &line.content.value[skip..];
        let start = line.content.span.start + skip;
        for link in crate::ids::sop_links(text) {
            self.doc.sop_links.push(Text::new(
                link.id,
                Span::new(start + link.range.start, start + link.range.end),
            ));
        }
    }
}

pub(super) fn trivia<'a>(line: &Line<'a>) -> Trivia<'a> {
    match line.form {
        Form::Comment => {
            let text = line.content.value[1..].trim();
            let start = line.content.span.end - line.content.value[1..].trim_start().len();
            Trivia::Comment {
                text: Text::new(text, Span::new(start, start + text.len())),
                span: line.content.span,
            }
        }
        _ => Trivia::Blank { span: line.span },
    }
}

pub(super) fn escaped<'a>(line: &Line<'a>) -> BlockItem<'a> {
    let span = line.content.span;
    BlockItem::Prose {
        text: Text::new(
            &line.content.value[1..],
            Span::new(span.start + 1, span.end),
        ),
        indent: line.indent,
        escaped: true,
    }
}

/// Whether `a` is `b` with two adjacent letters swapped.
fn is_transposition(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() || a == b {
        return false;
    }
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    diff.len() == 2
        && diff[1] == diff[0] + 1
        && a[diff[0]] == b[diff[1]]
        && a[diff[1]] == b[diff[0]]
}

fn content_noun(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Roles => "roles",
        SectionKind::Definitions => "definitions",
        SectionKind::Steps => "steps",
        SectionKind::Metrics => "metrics",
        SectionKind::References => "references",
        SectionKind::Revisions => "revisions",
        SectionKind::Purpose | SectionKind::Scope | SectionKind::Notes => "text",
    }
}

/// The outcome of reading a line that starts like a branch.
pub(super) enum BranchLine<'a> {
    Branch(crate::ast::Branch<'a>),
    /// It tried to be a branch and failed; the error is recorded.
    Broken,
    /// Not a branch after all (a multi-word target): prose.
    Prose,
}
