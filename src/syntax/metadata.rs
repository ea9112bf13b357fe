//! Lowering the header and the metadata lines before the first section.

use crate::ast::{Header, MetaEntry, MetaItem, MetaValue, Text};
use crate::values::{Cadence, Date, Status, Version};

use super::ids::is_valid_id;
use super::keywords::Keyword;
use super::lines::{Form, Line};
use super::lower::{trivia, Lowerer};
use super::steps::split_list;

impl<'a> Lowerer<'a> {
    pub(super) fn header(&mut self, line: &Line<'a>, id: Text<'a>, title: Text<'a>) {
        if !is_valid_id(id.value) {
            let span = if id.value.is_empty() {
                line.content.span
            } else {
                id.span
            };
            self.error(
                span,
                if id.value.is_empty() {
                    "the `sop` line has no id".to_string()
                } else {
                    format!("`{}` is not a valid SOP id", id.value)
                },
                "invalid id",
                Some("An SOP id is one word of letters, digits, `_`, `.` or `-`, such as `CS-001`: `sop CS-001: Handle customer inquiries`.".into()),
            );
        }
        if title.value.is_empty() {
            self.error(
                line.content.span,
                "the `sop` line has no title",
                "missing title",
                Some("Write the procedure's title after the colon: `sop CS-001: Handle customer inquiries`.".into()),
            );
        }
        self.doc.header = Some(Header {
            id,
            title,
            span: line.content.span,
        });
    }

    pub(super) fn metadata_line(&mut self, line: &Line<'a>) {
        match line.form {
            Form::Blank | Form::Comment => {
                let t = trivia(line);
                self.doc.metadata.push(MetaItem::Trivia(t));
            }
            Form::Keyword {
                keyword,
                kind,
                value,
            } => match kind {
                Keyword::Section(kind) => self.start_section(line, kind, keyword, value),
                Keyword::Meta(key) => self.meta_entry(line, keyword, key, value),
                Keyword::Attribute(attr) => self.misplaced(
                    line,
                    keyword,
                    format!("`{attr}:` describes a step: it belongs inside a `step` under `steps:`."),
                ),
                Keyword::Callout(kind) => self.misplaced(
                    line,
                    keyword,
                    format!("`{}:` is a callout: it belongs inside a step or under `notes:`.", kind.name()),
                ),
            },
            Form::Entry { .. } if self.unknown_section(line) => {}
            Form::Entry { key, value } if !key.value.contains(char::is_whitespace) => {
                let custom = key.value.len() > 2
                    && key.value.as_bytes()[..2].eq_ignore_ascii_case(b"x-");
                self.doc.metadata.push(MetaItem::Entry(MetaEntry {
                    key,
                    value: if custom {
                        MetaValue::Custom
                    } else {
                        MetaValue::Unknown
                    },
                    raw: value,
                    span: line.content.span,
                }));
            }
            Form::Header { .. } if self.doc.header.is_some() => self.error(
                line.content.span,
                "a second `sop` line",
                "second header",
                Some("A file holds one SOP. Put the other procedure in a file of its own, or start the line with `\\` to keep it as text.".into()),
            ),
            Form::StepLine { .. } => self.error(
                line.content.span,
                "a step before `steps:`",
                "not inside `steps:`",
                Some("Steps belong under a `steps:` section: add a line `steps:` before the first step. If this line is prose, start it with `\\` to keep it as text.".into()),
            ),
            _ => self.error(
                line.content.span,
                if self.doc.header.is_some() {
                    "expected metadata or a section"
                } else {
                    "expected the `sop` line, metadata or a section"
                },
                "not metadata",
                Some("Before the first section only `key: value` metadata may stand (`version:`, `owner:`, `status:`, `effective:`, `review:`, `tags:`, `language:`, `x-…:`). Prose belongs in `purpose:`, `scope:` or `notes:`.".into()),
            ),
        }
    }

    fn meta_entry(&mut self, line: &Line<'a>, keyword: Text<'a>, key: &'static str, raw: Text<'a>) {
        if raw.value.is_empty() {
            self.error(
                line.content.span,
                format!("`{key}:` has no value"),
                "empty",
                Some(format!(
                    "Write the {key} after the colon, or remove the line."
                )),
            );
            return;
        }
        let value = match key {
            "version" => MetaValue::Version {
                parsed: Version::parse(raw.value),
            },
            "owner" => MetaValue::Owner,
            "status" => {
                let parsed = super::keywords::status_value(raw.value).and_then(Status::parse);
                if parsed.is_none() {
                    self.error(
                        raw.span,
                        format!("`{}` is not a status", raw.value),
                        "unknown status",
                        Some(status_help(self.doc.dialect)),
                    );
                }
                MetaValue::Status { parsed }
            }
            "effective" => MetaValue::Effective {
                parsed: Date::parse(raw.value),
            },
            "review" => MetaValue::Review {
                parsed: Cadence::parse(raw.value),
            },
            "sla" => MetaValue::Sla {
                parsed: crate::values::Duration::parse(raw.value),
            },
            "tags" => MetaValue::Tags {
                tags: split_list(raw),
            },
            _ => MetaValue::Language,
        };
        self.doc.metadata.push(MetaItem::Entry(MetaEntry {
            key: keyword,
            value,
            raw,
            span: line.content.span,
        }));
    }
}

/// The help for an unknown status: the values, in the file's dialect too.
fn status_help(dialect: crate::ast::Dialect) -> String {
    use super::keywords::{spelling, Word};
    let names = ["draft", "active", "retired"];
    if dialect == crate::ast::Dialect::En {
        return "`status:` is one of `draft`, `active` or `retired`.".into();
    }
    let local: Vec<String> = names
        .iter()
        .map(|n| format!("`{}` ({n})", spelling(Word::Status(n), dialect)))
        .collect();
    format!("`status:` is one of {}.", local.join(", "))
}
