//! Lowering the `steps:` section: step lines, attributes and branches.

use crate::ast::{Branch, BranchKind, SectionBody, Span, Step, StepItem, Text};
use crate::values::Duration;

use super::ids::{is_valid_id, parse_target};
use super::keywords::{self, Keyword};
use super::lines::{Form, Line};
use super::lower::{trivia, BranchLine, Lowerer};

impl<'a> Lowerer<'a> {
    pub(super) fn steps_line(&mut self, line: &Line<'a>) {
        let after_prose = std::mem::take(&mut self.after_step_prose);
        if let Form::StepLine { head, value } = line.form {
            if after_prose {
                self.doc.split_paragraphs.push(line.content.span);
            }
            self.start_step(line, head, value);
            return;
        }
        if !self.in_step() {
            match line.form {
                Form::Blank | Form::Comment => {
                    let t = trivia(line);
                    if let Some(steps) = self.steps_mut() {
                        steps.leading.push(t);
                    }
                }
                Form::Prose if self.missing_step_colon(line, false) => {}
                _ => self.error(
                    line.content.span,
                    "expected a step",
                    "not inside a step",
                    Some("Under `steps:`, start each step with `step <id>: <title>` (or `step: <title>`). Text before the first step has no place in the procedure; put it in `purpose:` or `notes:`.".into()),
                ),
            }
            return;
        }
        if let Some(item) = self.step_item(line) {
            if let StepItem::Block(crate::ast::BlockItem::Prose {
                text,
                escaped: false,
                ..
            }) = &item
            {
                self.after_step_prose = continues_sentence(text.value);
            }
            if !matches!(item, StepItem::Block(crate::ast::BlockItem::Trivia(_))) {
                if let Some(step) = self.current_step() {
                    step.span.end = step.span.end.max(line.content.span.end);
                }
            }
            if let Some(step) = self.current_step() {
                step.items.push(item);
            }
        }
    }

    fn step_item(&mut self, line: &Line<'a>) -> Option<StepItem<'a>> {
        match line.form {
            Form::Keyword {
                kind: Keyword::Attribute(attr),
                value,
                ..
            } => return self.attribute(line, attr, value),
            Form::Goto { .. } | Form::If { .. } | Form::Otherwise { .. } | Form::Timeout { .. } => {
                return match self.parse_branch(line) {
                    BranchLine::Branch(branch) => self.add_branch(branch),
                    BranchLine::Broken => None,
                    BranchLine::Prose => Some(StepItem::Block(crate::ast::BlockItem::Prose {
                        text: line.content,
                        indent: line.indent,
                        escaped: false,
                    })),
                };
            }
            _ => {}
        }
        self.block_item(line, true, "steps").map(StepItem::Block)
    }

    fn attribute(
        &mut self,
        line: &Line<'a>,
        attr: &'static str,
        value: Text<'a>,
    ) -> Option<StepItem<'a>> {
        let span = line.content.span;
        if value.value.is_empty() {
            let what = match attr {
                "role" => "a role id from `roles:`",
                "within" => "a time limit such as `30s`, `5 min` or `2 hours`",
                "say" => "the words the performer says",
                _ => "the question this decision answers",
            };
            self.error(
                span,
                format!("`{attr}:` has no value"),
                "empty",
                Some(format!("Write {what} after the colon, or remove the line.")),
            );
            return None;
        }
        Some(match attr {
            "role" => {
                let mut roles = Vec::new();
                for part in split_list(value) {
                    if is_valid_id(part.value) {
                        roles.push(part);
                    } else {
                        self.error(
                            part.span,
                            format!("`{}` is not a valid role id", part.value),
                            "invalid role id",
                            Some("Role ids are single words (letters, digits, `_`, `.`, `-`), declared under `roles:`. Separate several roles with commas.".into()),
                        );
                    }
                }
                StepItem::Role { roles, span }
            }
            "within" => StepItem::Within {
                text: value,
                parsed: Duration::parse(value.value),
                span,
            },
            "say" => StepItem::Say { text: value, span },
            _ => StepItem::Ask { text: value, span },
        })
    }

    fn add_branch(&mut self, branch: Branch<'a>) -> Option<StepItem<'a>> {
        if matches!(branch.kind, BranchKind::Timeout) {
            let first = self.current_step().and_then(|step| {
                step.branches()
                    .find(|b| matches!(b.kind, BranchKind::Timeout))
                    .map(|b| b.span)
            });
            if let Some(first) = first {
                self.error(
                    branch.span,
                    "a step has at most one timeout branch",
                    "second timeout",
                    Some("When the step's `within:` runs out the procedure goes one way: remove one of the `timeout ->` lines.".into()),
                );
                if let Some(err) = self.doc.errors.last_mut() {
                    err.related = Some((first, "first timeout here".into()));
                }
                return None;
            }
        }
        if matches!(branch.kind, BranchKind::Goto | BranchKind::Otherwise) {
            let first_default = self.current_step().and_then(|step| {
                step.branches()
                    .find(|b| matches!(b.kind, BranchKind::Goto | BranchKind::Otherwise))
                    .map(|b| b.span)
            });
            if let Some(first) = first_default {
                self.error(
                    branch.span,
                    "a step has at most one default branch",
                    "second default",
                    Some("A step leaves by one `-> target` (or `otherwise ->`) when no `if` option applies. Remove one of them, or turn it into an `if <condition> -> <target>` option.".into()),
                );
                if let Some(err) = self.doc.errors.last_mut() {
                    err.related = Some((first, "first default here".into()));
                }
                return None;
            }
        }
        Some(StepItem::Branch(branch))
    }

    /// Reads a line that starts like a branch (`->`, `if … ->`, `otherwise ->`).
    pub(super) fn parse_branch(&mut self, line: &Line<'a>) -> BranchLine<'a> {
        let content = line.content;
        let (kind, target) = match line.form {
            Form::Goto { value } => (BranchKind::Goto, value),
            Form::Otherwise { value } => (BranchKind::Otherwise, value),
            Form::Timeout { value } => (BranchKind::Timeout, value),
            Form::If { keyword } => {
                // The target follows the last arrow; the condition may hold arrows.
                let (arrow, arrow_len) =
                    last_arrow(content.value).unwrap_or((content.value.len(), 0));
                let from = (keyword.span.end - content.span.start).min(arrow);
                let cond_raw = &content.value[from..arrow];
                let cond = cond_raw.trim();
                let cond_start =
                    content.span.start + from + (cond_raw.len() - cond_raw.trim_start().len());
                let target_raw = content.value.get(arrow + arrow_len..).unwrap_or("");
                let target = target_raw.trim();
                let target_start = content.span.end - target_raw.trim_start().len();
                if cond.is_empty() {
                    self.broken_branch(content.span, "`if` has no condition");
                    return BranchLine::Broken;
                }
                (
                    BranchKind::If {
                        condition: Text::new(cond, Span::new(cond_start, cond_start + cond.len())),
                    },
                    Text::new(target, Span::new(target_start, target_start + target.len())),
                )
            }
            _ => return BranchLine::Prose,
        };
        if target.value.is_empty() {
            self.broken_branch(content.span, "this branch has no target");
            return BranchLine::Broken;
        }
        match parse_target(target.value, self.doc.dialect) {
            Some(t) => BranchLine::Branch(Branch {
                kind,
                target: t,
                target_span: target.span,
                span: content.span,
            }),
            // `if <words> -> <several words>` is prose, so `If in doubt -> ask
            // the lead` reads as a sentence. Lines that start with `->`,
            // `otherwise ->` or `else ->` can only be branches.
            None if matches!(kind, BranchKind::If { .. }) => BranchLine::Prose,
            None => {
                self.error(
                    target.span,
                    format!("`{}` is not a branch target", target.value),
                    "invalid target",
                    Some("A target is one step id, `next`, `end` or `[[SOP-ID]]`. If this line is prose, start it with `\\` to keep it as text.".into()),
                );
                BranchLine::Broken
            }
        }
    }

    fn broken_branch(&mut self, span: Span, message: &str) {
        self.error(
            span,
            message,
            "incomplete branch",
            Some("Write the target after `->`: a step id, `next`, `end` or `[[SOP-ID]]`. If this line is prose, start it with `\\` to keep it as text.".into()),
        );
    }

    /// Prose that ends in `->` is a branch with its target missing, such as
    /// `no ->`. Reports it and returns true.
    pub(super) fn dangling_arrow(&mut self, line: &Line<'a>) -> bool {
        if !line.content.value.ends_with("->") {
            return false;
        }
        self.broken_branch(
            line.content.span,
            "this line ends in `->` but has no target",
        );
        true
    }

    fn start_step(&mut self, line: &Line<'a>, head: Text<'a>, title: Text<'a>) {
        let id = if head.value.is_empty() {
            None
        } else if keywords::reserved_target(head.value, self.doc.dialect).is_some() {
            self.error(
                head.span,
                format!("`{}` cannot be a step id", head.value),
                "reserved word",
                Some(format!(
                    "{} are branch targets with a fixed meaning. Choose another id, such as `finish` or `continue`.",
                    reserved_words(self.doc.dialect)
                )),
            );
            None
        } else if !is_valid_id(head.value) {
            self.error(
                head.span,
                format!("`{}` is not a valid step id", head.value),
                "invalid step id",
                Some("A step id is one word: letters, digits, `_`, `.` or `-`, such as `verify-identity`. For a step without an id, write `step: <title>`.".into()),
            );
            None
        } else {
            Some(head)
        };
        if title.value.is_empty() {
            self.error(
                line.content.span,
                "this step has no title",
                "missing title",
                Some(
                    "Write the step's title after the colon: `step greet: Greet the customer`."
                        .into(),
                ),
            );
        }
        let Some(steps) = self.steps_mut() else {
            return;
        };
        let number = steps.steps.len() + 1;
        steps.steps.push(Step {
            number,
            id,
            title,
            head: line.content.span,
            span: line.content.span,
            items: Vec::new(),
        });
    }

    /// Starts a step whose line could not be read (its colon is missing),
    /// so the lines after it are read as its content.
    pub(super) fn start_step_recovered(&mut self, line: &Line<'a>, title: Text<'a>) {
        let Some(steps) = self.steps_mut() else {
            return;
        };
        let number = steps.steps.len() + 1;
        steps.steps.push(Step {
            number,
            id: None,
            title,
            head: line.content.span,
            span: line.content.span,
            items: Vec::new(),
        });
    }

    fn steps_mut(&mut self) -> Option<&mut crate::ast::Steps<'a>> {
        match self.doc.sections.last_mut().map(|s| &mut s.body) {
            Some(SectionBody::Steps(steps)) => Some(steps),
            _ => None,
        }
    }

    fn in_step(&mut self) -> bool {
        self.steps_mut().is_some_and(|s| !s.steps.is_empty())
    }

    fn current_step(&mut self) -> Option<&mut Step<'a>> {
        self.steps_mut().and_then(|s| s.steps.last_mut())
    }
}

/// The last arrow of a line (`->` or `→`): its byte offset and length.
pub(super) fn last_arrow(text: &str) -> Option<(usize, usize)> {
    let ascii = text.rfind("->").map(|i| (i, 2));
    let unicode = text.rfind('→').map(|i| (i, '→'.len_utf8()));
    match (ascii, unicode) {
        (Some(a), Some(u)) => Some(if a.0 > u.0 { a } else { u }),
        (a, u) => a.or(u),
    }
}

/// The reserved targets of a dialect, for messages.
fn reserved_words(dialect: crate::ast::Dialect) -> String {
    use keywords::{spelling, Word};
    let mut words = vec!["`end`".to_string(), "`next`".to_string()];
    if dialect != crate::ast::Dialect::En {
        words.push(format!("`{}`", spelling(Word::End, dialect)));
        words.push(format!("`{}`", spelling(Word::Next, dialect)));
    }
    let last = words.pop().unwrap_or_default();
    format!("{} and {last}", words.join(", "))
}

/// Whether a prose line reads as a sentence that goes on in the next line:
/// it does not end in a full stop, a question or exclamation mark or a
/// colon, and is not a list item.
fn continues_sentence(text: &str) -> bool {
    let text = text.trim();
    let list = text.starts_with(['-', '*', '+', '•'])
        || text
            .split_once(['.', ')', '、'])
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    !list
        && !text.ends_with([
            '.', '。', '!', '！', '?', '？', ':', '：', ';', '；', '…', ')', '）', '"', '”', '`',
        ])
}

/// Splits a comma-separated value (`,`, `，` or `、`) into trimmed parts.
pub(super) fn split_list(value: Text<'_>) -> Vec<Text<'_>> {
    let mut parts = Vec::new();
    let mut start = 0;
    let text = value.value;
    let mut push = |from: usize, to: usize| {
        let raw = &text[from..to];
        let trimmed = raw.trim();
        if !trimmed.is_empty() {
            let s = value.span.start + from + (raw.len() - raw.trim_start().len());
            parts.push(Text::new(trimmed, Span::new(s, s + trimmed.len())));
        }
    };
    for (i, c) in text.char_indices() {
        if matches!(c, ',' | '，' | '、') {
            push(start, i);
            start = i + c.len_utf8();
        }
    }
    push(start, text.len());
    parts
}
