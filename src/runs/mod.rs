//! Runs of a procedure: the record each run leaves (see docs/runs.md),
//! what a step shows an operator, and what is made of records: the XES and
//! CSV exports and the report.

pub mod csv;
pub mod occurrence;
pub mod record;
pub mod report;
pub mod xes;

use sha2::{Digest, Sha256};

use crate::model::{Edge, EdgeTo, Node, Workflow};

/// The SHA-256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes in lowercase hex.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// The SHA-256 of `parts` one after the other, in lowercase hex.
pub fn sha256_hex_of(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hex(&hasher.finalize())
}

/// The SHA-256 of an SOP's meaning, [`Workflow::hash`]: what the JSON
/// workflow definition carries as `hash`. It holds no positions, comments
/// or layout, so `sop fmt` leaves it as it is.
pub fn sop_hash(workflow: &Workflow) -> String {
    workflow.hash()
}

/// A checklist item of a step's prose: a `- [ ]` (or `* [ ]`, `- [x]`) line.
pub fn checklist(node: &Node) -> Vec<String> {
    node.text.lines().filter_map(checklist_item).collect()
}

fn checklist_item(line: &str) -> Option<String> {
    let rest = line
        .trim_start()
        .strip_prefix("- ")
        .or_else(|| line.trim_start().strip_prefix("* "))
        .or_else(|| line.trim_start().strip_prefix("+ "))?;
    let rest = ["[ ]", "[x]", "[X]"]
        .iter()
        .find_map(|m| rest.strip_prefix(m))?;
    let item = rest.trim();
    (!item.is_empty()).then(|| item.to_string())
}

/// A step's prose as plain text for a terminal, without its checklist
/// items (shown apart): emphasis and links become their words.
pub fn plain_prose(node: &Node) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let source: String = node
        .text
        .lines()
        .filter(|l| checklist_item(l).is_none())
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = String::new();
    for event in Parser::new(&source) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => out.push_str("- "),
            Event::End(TagEnd::Item) => out.push('\n'),
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::CodeBlock) => {
                out.push_str("\n\n");
            }
            Event::End(TagEnd::Heading(_)) => out.push_str("\n\n"),
            _ => {}
        }
    }
    let text = out.replace("\n\n\n", "\n\n");
    text.trim().to_string()
}

/// Where a step can go next: its plain or conditional edges (a decision's
/// options in the order written, `otherwise` last) and its timeout edge.
pub struct Exits<'a> {
    pub options: Vec<&'a Edge>,
    pub timeout: Option<&'a Edge>,
}

impl<'a> Exits<'a> {
    pub fn of(workflow: &'a Workflow, step: &str) -> Exits<'a> {
        let from: Vec<&Edge> = workflow.edges.iter().filter(|e| e.from == step).collect();
        let timeout = from.iter().copied().find(|e| e.on == Some("timeout"));
        let mut options: Vec<&Edge> = from
            .iter()
            .copied()
            .filter(|e| e.on.is_none() && e.when.as_deref() != Some("otherwise"))
            .collect();
        options.extend(
            from.iter()
                .copied()
                .filter(|e| e.on.is_none() && e.when.as_deref() == Some("otherwise")),
        );
        Exits { options, timeout }
    }
}

/// An edge target as the record writes it: a step id, `end`, `sop:<ID>`.
pub fn target_name(to: &EdgeTo) -> String {
    match to {
        EdgeTo::Node(id) => id.clone(),
        EdgeTo::End => "end".into(),
        EdgeTo::Sop(id) => format!("sop:{id}"),
    }
}
