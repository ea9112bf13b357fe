//! Lowering the list-like sections: roles, definitions, metrics,
//! references and revisions.

use crate::ast::{
    Entry, EntryItem, ReferenceItem, Revision, RevisionItem, SectionBody, SectionKind, Span, Text,
};
use crate::values::{Date, Version};

use super::ids::is_valid_id;
use super::keywords::Keyword;
use super::lines::{Form, Line};
use super::lower::{trivia, Lowerer};

impl<'a> Lowerer<'a> {
    pub(super) fn entry_line(&mut self, line: &Line<'a>, kind: SectionKind) {
        let item = match line.form {
            Form::Blank | Form::Comment => Some(EntryItem::Trivia(trivia(line))),
            // The contract's misplaced keywords are errors here too, even
            // though `owner: …` would otherwise read as an entry.
            Form::Keyword {
                keyword,
                kind: kind @ (Keyword::Meta(_) | Keyword::Attribute(_)),
                ..
            } => {
                let belongs = match kind {
                    Keyword::Meta(key) => format!("`{key}:` is metadata: it belongs right after the `sop` line, before the first section."),
                    Keyword::Attribute(attr) => format!("`{attr}:` describes a step: it belongs inside a `step` under `steps:`."),
                    _ => String::new(),
                };
                self.misplaced_entry(line, keyword, &belongs);
                None
            }
            Form::StepLine { .. } => {
                let word = Text::new(line.content.value, line.content.span);
                self.misplaced_entry(
                    line,
                    word,
                    &format!("Steps belong under `steps:`, not in `{}:`.", kind.name()),
                );
                None
            }
            _ => self.entry(line, kind).map(EntryItem::Entry),
        };
        if let (Some(item), Some(SectionBody::Entries(items))) =
            (item, self.doc.sections.last_mut().map(|s| &mut s.body))
        {
            items.push(item);
        }
    }

    /// A keyword line in roles, definitions or metrics: escaping does not
    /// help there, so the help suggests renaming instead.
    fn misplaced_entry(&mut self, line: &Line<'a>, keyword: Text<'a>, belongs: &str) {
        let word = keyword.value.split_whitespace().next().unwrap_or_default();
        self.error(
            line.content.span,
            format!("`{word}` is not allowed here"),
            "not allowed here",
            Some(format!(
                "{belongs} If this is an entry of the section, reword its name."
            )),
        );
    }

    fn entry(&mut self, line: &Line<'a>, kind: SectionKind) -> Option<Entry<'a>> {
        let (shape, example) = match kind {
            SectionKind::Roles => (
                "`<role-id>: <description>`",
                "`agent: Customer service agent`",
            ),
            SectionKind::Definitions => (
                "`<term>: <definition>`",
                "`First contact resolution: solved in the first interaction`",
            ),
            _ => ("`<name>: <target>`", "`First contact resolution: >= 85%`"),
        };
        let help = || {
            Some(format!(
                "Each line under `{}:` is {shape}, for example {example}.",
                kind.name()
            ))
        };
        let Some((name, value)) = split_entry(line.content, kind == SectionKind::Definitions)
        else {
            self.error(
                line.content.span,
                format!("expected {shape}"),
                "no colon",
                help(),
            );
            return None;
        };
        if kind == SectionKind::Roles && !is_valid_id(name.value) {
            self.error(
                name.span,
                format!("`{}` is not a valid role id", name.value),
                "invalid role id",
                Some("A role id is one word (letters, digits, `_`, `.`, `-`), such as `shift-lead`; the description after the colon may be any text.".into()),
            );
            return None;
        }
        if name.value.is_empty() || value.value.is_empty() {
            self.error(
                line.content.span,
                format!("expected {shape}"),
                if name.value.is_empty() {
                    "missing name"
                } else {
                    "missing value"
                },
                help(),
            );
            return None;
        }
        Some(Entry {
            name,
            value,
            span: line.content.span,
        })
    }

    /// A step line in `references:` or `revisions:`.
    fn step_in_list(&mut self, line: &Line<'a>, kind: SectionKind) {
        self.error(
            line.content.span,
            "a step line outside `steps:`",
            "not allowed here",
            Some(format!(
                "Steps belong under `steps:`, not in `{}:`. If this line is text, start it with `\\` to keep it as text.",
                kind.name()
            )),
        );
    }

    pub(super) fn reference_line(&mut self, line: &Line<'a>) {
        let item = match line.form {
            Form::Blank | Form::Comment => Some(ReferenceItem::Trivia(trivia(line))),
            Form::StepLine { .. } => {
                self.step_in_list(line, SectionKind::References);
                None
            }
            _ => {
                let content = line.content;
                let rest = content
                    .value
                    .strip_prefix('-')
                    .filter(|r| r.is_empty() || r.starts_with([' ', '\t']));
                match rest.map(str::trim) {
                    Some(text) if !text.is_empty() => {
                        let start = content.span.end - text.len();
                        Some(ReferenceItem::Item {
                            text: Text::new(text, Span::new(start, content.span.end)),
                            span: content.span,
                        })
                    }
                    _ => {
                        self.error(
                            content.span,
                            "expected a reference list item",
                            "not a list item",
                            Some("Each reference is one line starting with `- `, such as `- [[CS-014]] Escalation procedure` or `- [Handbook](https://example.com)`.".into()),
                        );
                        None
                    }
                }
            }
        };
        if let (Some(item), Some(SectionBody::References(items))) =
            (item, self.doc.sections.last_mut().map(|s| &mut s.body))
        {
            items.push(item);
        }
    }

    pub(super) fn revision_line(&mut self, line: &Line<'a>) {
        let item = match line.form {
            Form::Blank | Form::Comment => Some(RevisionItem::Trivia(trivia(line))),
            Form::StepLine { .. } => {
                self.step_in_list(line, SectionKind::Revisions);
                None
            }
            _ => match parse_revision(line.content) {
                Some(rev) => Some(RevisionItem::Revision(rev)),
                None => {
                    self.error(
                        line.content.span,
                        "expected a revision",
                        "not a revision",
                        Some("Each revision is `<version> <YYYY-MM-DD> [author]: <description>`, such as `1.1  2024-07-05  Peter Wu: Reviewed and updated`.".into()),
                    );
                    None
                }
            },
        };
        if let (Some(item), Some(SectionBody::Revisions(items))) =
            (item, self.doc.sections.last_mut().map(|s| &mut s.body))
        {
            items.push(item);
        }
    }
}

/// Splits `name: value`. A definition's term ends at the first colon that is
/// followed by a space or ends the line, so terms may hold `3:1` or a URL.
fn split_entry(content: Text<'_>, definition: bool) -> Option<(Text<'_>, Text<'_>)> {
    let text = content.value;
    let colon = text.char_indices().find(|&(i, c)| {
        (c == ':' || c == '：')
            && (!definition
                || c == '：'
                || text[i + 1..].is_empty()
                || text[i + 1..].starts_with([' ', '\t']))
    })?;
    let (i, c) = colon;
    Some((
        sub(content, 0, i),
        sub(content, i + c.len_utf8(), text.len()),
    ))
}

/// A trimmed piece of a text, with its span.
fn sub(text: Text<'_>, from: usize, to: usize) -> Text<'_> {
    let raw = &text.value[from..to];
    let trimmed = raw.trim();
    let start = text.span.start + from + (raw.len() - raw.trim_start().len());
    Text::new(trimmed, Span::new(start, start + trimmed.len()))
}

/// `<version> <YYYY-MM-DD> [<author>]: <description>`
fn parse_revision(content: Text<'_>) -> Option<Revision<'_>> {
    let text = content.value;
    let version_end = text.find(char::is_whitespace)?;
    let after_version = text[version_end..].len() - text[version_end..].trim_start().len();
    let date_start = version_end + after_version;
    let date_len = text[date_start..]
        .find(|c: char| c.is_whitespace() || c == ':' || c == '：')
        .unwrap_or(text.len() - date_start);
    if date_len == 0 {
        return None;
    }
    let date_end = date_start + date_len;
    let (colon, colon_len) = text[date_end..]
        .char_indices()
        .find(|&(_, c)| c == ':' || c == '：')
        .map(|(i, c)| (date_end + i, c.len_utf8()))?;
    let version = sub(content, 0, version_end);
    let date = sub(content, date_start, date_end);
    let author = sub(content, date_end, colon);
    let description = sub(content, colon + colon_len, text.len());
    if description.value.is_empty() {
        return None;
    }
    Some(Revision {
        version_parsed: Version::parse(version.value),
        version,
        date_parsed: Date::parse(date.value),
        date,
        author: (!author.value.is_empty()).then_some(author),
        description,
        span: content.span,
    })
}
