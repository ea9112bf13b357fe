//! The safety net: formatted text must mean what the input meant.
//!
//! The formatted text is parsed again and compared with the input's tree:
//! the JSON workflow model (which decides what blank lines and indentation
//! mean in prose), and, line by line, every piece of content and every
//! comment, whatever the model keeps of it (a second `steps:` section or an
//! unknown metadata key is not in the model, but must not be lost either).

use crate::ast::{
    BlockItem, BranchKind, Document, EntryItem, MetaItem, ReferenceItem, RevisionItem, SectionBody,
    StepItem, Target, Trivia,
};
use crate::model::Workflow;
use crate::source::Source;

use super::FormatError;

pub(super) fn same_meaning(before: &Document<'_>, formatted: &str) -> Result<(), FormatError> {
    let source = Source::from_text("<formatted>", formatted);
    let after = crate::syntax::parse(&source);
    if let Some(error) = after.errors.first() {
        return Err(FormatError::Unfaithful(format!(
            "the formatted text has a syntax error: {}",
            error.message
        )));
    }
    if let Some((a, b)) = first_difference(&tokens(before), &tokens(&after)) {
        return Err(FormatError::Unfaithful(format!("`{a}` became `{b}`")));
    }
    if Workflow::from_document(before) != Workflow::from_document(&after) {
        return Err(FormatError::Unfaithful(
            "the workflow definition differs".into(),
        ));
    }
    Ok(())
}

fn first_difference(a: &[String], b: &[String]) -> Option<(String, String)> {
    let missing = || "(nothing)".to_string();
    (0..a.len().max(b.len())).find_map(|i| match (a.get(i), b.get(i)) {
        (Some(x), Some(y)) if x == y => None,
        (x, y) => Some((
            x.cloned().unwrap_or_else(missing),
            y.cloned().unwrap_or_else(missing),
        )),
    })
}

/// Every non-blank line of a document as a token of its kind and content,
/// in document order. Layout (indentation, blank lines, keyword case, colon
/// style, list separators, `else`/`otherwise`) does not show in the tokens.
fn tokens(doc: &Document<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let trivia = |out: &mut Vec<String>, t: &Trivia<'_>| {
        if let Trivia::Comment { text, .. } = t {
            out.push(format!("# {}", text.value));
        }
    };
    for t in &doc.leading {
        trivia(&mut out, t);
    }
    if let Some(h) = &doc.header {
        out.push(format!("sop {} {}", h.id.value, h.title.value));
    }
    for item in &doc.metadata {
        match item {
            MetaItem::Entry(e) => out.push(format!(
                "meta {} {}",
                e.value
                    .key_name()
                    .map_or_else(|| e.key.value.to_string(), str::to_string),
                match &e.value {
                    crate::ast::MetaValue::Tags { tags } if !tags.is_empty() => tags
                        .iter()
                        .map(|t| t.value)
                        .collect::<Vec<_>>()
                        .join("\u{1}"),
                    // A status is a keyword: its language may change.
                    crate::ast::MetaValue::Status {
                        parsed: Some(status),
                    } => status.name().to_string(),
                    _ => e.raw.value.to_string(),
                }
            )),
            MetaItem::Trivia(t) => trivia(&mut out, t),
        }
    }
    let block = |out: &mut Vec<String>, b: &BlockItem<'_>| match b {
        BlockItem::Prose { text, escaped, .. } => {
            out.push(format!("prose {escaped} {}", text.value))
        }
        BlockItem::Callout(c) => out.push(format!("{} {}", c.kind.name(), c.text.value)),
        BlockItem::Trivia(t) => trivia(out, t),
    };
    for section in &doc.sections {
        out.push(format!(
            "section {} {}",
            section.kind.name(),
            section.inline.map_or("", |t| t.value)
        ));
        match &section.body {
            SectionBody::Prose(items) => items.iter().for_each(|b| block(&mut out, b)),
            SectionBody::Entries(items) => {
                for item in items {
                    match item {
                        EntryItem::Entry(e) => {
                            out.push(format!("entry {} {}", e.name.value, e.value.value))
                        }
                        EntryItem::Trivia(t) => trivia(&mut out, t),
                    }
                }
            }
            SectionBody::References(items) => {
                for item in items {
                    match item {
                        ReferenceItem::Item { text, .. } => out.push(format!("- {}", text.value)),
                        ReferenceItem::Trivia(t) => trivia(&mut out, t),
                    }
                }
            }
            SectionBody::Revisions(items) => {
                for item in items {
                    match item {
                        RevisionItem::Revision(r) => out.push(format!(
                            "revision {} {} {} {}",
                            r.version.value,
                            r.date.value,
                            r.author.map_or("", |a| a.value),
                            r.description.value
                        )),
                        RevisionItem::Trivia(t) => trivia(&mut out, t),
                    }
                }
            }
            SectionBody::Steps(steps) => {
                steps.leading.iter().for_each(|t| trivia(&mut out, t));
                for step in &steps.steps {
                    out.push(format!(
                        "step {} {}",
                        step.id.map_or("", |i| i.value),
                        step.title.value
                    ));
                    for item in &step.items {
                        match item {
                            StepItem::Role { roles, .. } => out.push(format!(
                                "role {}",
                                roles.iter().map(|r| r.value).collect::<Vec<_>>().join(" ")
                            )),
                            StepItem::Within { text, .. } => {
                                out.push(format!("within {}", text.value))
                            }
                            StepItem::Say { text, .. } => out.push(format!("say {}", text.value)),
                            StepItem::Ask { text, .. } => out.push(format!("ask {}", text.value)),
                            StepItem::Branch(b) => out.push(format!(
                                "{} -> {}",
                                match b.kind {
                                    BranchKind::Goto => "goto".to_string(),
                                    BranchKind::If { condition } =>
                                        format!("if {}", condition.value),
                                    BranchKind::Otherwise => "otherwise".to_string(),
                                    BranchKind::Timeout => "timeout".to_string(),
                                },
                                match b.target {
                                    Target::Step(id) => format!("step {id}"),
                                    Target::Next => "next".into(),
                                    Target::End => "end".into(),
                                    Target::Sop(id) => format!("sop {id}"),
                                }
                            )),
                            StepItem::Block(b) => block(&mut out, b),
                        }
                    }
                }
            }
        }
    }
    out
}
