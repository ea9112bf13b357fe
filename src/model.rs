//! The validated document as an owned, span-free model: what renderers see.
//!
//! Its serde form is the JSON workflow definition (`format: sop-workflow`,
//! version 1; see docs/workflow-json.md): every fall-through is an explicit
//! edge, steps without an id get `#<number>`, durations are ISO 8601, and
//! prose is Markdown source, laid out so that indentation never makes code.
//! `sop render --to json` adds the hashes of `identity.rs`: of the whole SOP
//! and of each step, by meaning.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::ast::{
    self, BlockItem, Document, MetaValue, ReferenceItem, SectionBody, SectionKind, StepItem,
};
use crate::flow::{EdgeKind, EdgeTarget, Flow};
use crate::values::{Cadence, Date, Duration, Status};

mod identity;
mod indentation;

pub use identity::{node_hash, Hashed};
use indentation::ProseLine;

/// A whole SOP. Serialised field by field, in this order, in `identity.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    pub format: &'static str,
    pub format_version: u32,
    pub id: String,
    pub title: String,
    pub meta: Meta,
    pub purpose: String,
    pub scope: String,
    pub roles: Vec<Role>,
    /// The first step's id, `None` without steps.
    pub start: Option<String>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// What the steps' time limits add up to.
    pub analysis: Analysis,
    pub metrics: Vec<Metric>,
    pub definitions: Vec<Definition>,
    pub references: Vec<Reference>,
    pub revisions: Vec<Revision>,
    /// Absent from the JSON when `None`.
    pub notes: Option<Notes>,
}

/// Metadata; absent keys are omitted from JSON.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Meta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<Cadence>,
    /// `sla:`, the time limit of the whole procedure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sla: Option<crate::values::Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// `x-` keys, with their spelling.
    #[serde(flatten)]
    pub custom: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Role {
    pub id: String,
    pub description: String,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    Task,
    Decision,
}

/// A step. Serialised field by field, in this order, in `identity.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The declared id, or `#<number>`.
    pub id: String,
    /// 1-based position.
    pub number: usize,
    pub kind: NodeKind,
    pub title: String,
    pub roles: Vec<String>,
    pub within: Option<Duration>,
    /// The step's prose, Markdown (see [`prose_text`]); `""` without prose.
    pub text: String,
    pub say: Vec<String>,
    pub ask: Option<String>,
    pub callouts: Vec<Callout>,
}

impl Node {
    /// Whether the id was declared (not a `#<number>` stand-in).
    pub fn has_declared_id(&self) -> bool {
        !self.id.starts_with('#')
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Callout {
    pub kind: CalloutKind,
    pub text: String,
}

/// What a callout is, serialised by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CalloutKind {
    Tip,
    Warning,
    Note,
}

impl CalloutKind {
    pub fn name(self) -> &'static str {
        match self {
            CalloutKind::Tip => "tip",
            CalloutKind::Warning => "warning",
            CalloutKind::Note => "note",
        }
    }
}

impl From<ast::CalloutKind> for CalloutKind {
    fn from(kind: ast::CalloutKind) -> Self {
        match kind {
            ast::CalloutKind::Tip => CalloutKind::Tip,
            ast::CalloutKind::Warning => CalloutKind::Warning,
            ast::CalloutKind::Note => CalloutKind::Note,
        }
    }
}

/// Where an edge leads: a node id, `end`, or `sop:<ID>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeTo {
    Node(String),
    End,
    Sop(String),
}

impl Serialize for EdgeTo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            EdgeTo::Node(id) => s.serialize_str(id),
            EdgeTo::End => s.serialize_str("end"),
            EdgeTo::Sop(id) => s.collect_str(&format_args!("sop:{id}")),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: EdgeTo,
    /// The option's condition, `otherwise` for a decision's default, `None`
    /// for a plain `->`, a fall-through or a timeout.
    pub when: Option<String>,
    /// `timeout` for the edge taken when the step's `within:` runs out;
    /// every other edge has no `on`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on: Option<&'static str>,
}

impl Edge {
    /// The label a diagram shows on the edge: the condition, or `timeout`.
    pub fn label(&self) -> Option<&str> {
        self.when.as_deref().or(self.on)
    }
}

/// The worst case of the time limits (see [`crate::analysis`]): over the
/// simple paths from the start step to `end` or a hand-off, the largest sum
/// of `within:`, a step without one counting zero.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Analysis {
    /// The largest total; `None` when no step has `within:` or no path
    /// reaches an end.
    pub worst_case: Option<Duration>,
    /// The steps of a path with that total (on a tie, the one whose choices
    /// come first in the document); empty when `worst_case` is `None`.
    pub worst_path: Vec<String>,
    /// The steps of `worst_path` without `within:`: when there are any,
    /// `worst_case` is a lower bound.
    pub unbounded: Vec<String>,
    /// Per role, the sum of the limits of its steps on `worst_path`, in the
    /// order of the Roles section, then of first appearance.
    #[serde(serialize_with = "role_totals")]
    pub by_role: Vec<(String, Duration)>,
    /// `false` when the exact search ran out of its budget: `worst_path` is
    /// then a real path, but a longer one may exist. Written only then.
    #[serde(skip_serializing_if = "is_true")]
    pub exact: bool,
}

fn is_true(b: &bool) -> bool {
    *b
}

fn role_totals<S: Serializer>(totals: &[(String, Duration)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(totals.iter().map(|(role, total)| (role, total)))
}

/// Where the worst path goes, for diagrams that mark it.
pub struct WorstPlaces<'a> {
    place: BTreeMap<&'a str, usize>,
    last: Option<usize>,
}

impl<'a> WorstPlaces<'a> {
    pub fn new(analysis: &'a Analysis) -> Self {
        let mut place = BTreeMap::new();
        for (k, id) in analysis.worst_path.iter().enumerate() {
            place.entry(id.as_str()).or_insert(k);
        }
        WorstPlaces {
            place,
            last: analysis.worst_path.len().checked_sub(1),
        }
    }

    /// Whether the step `id` is on the worst path.
    pub fn has_step(&self, id: &str) -> bool {
        self.place.contains_key(id)
    }

    /// Whether an edge is on the worst path: from one of its steps to the
    /// next, or from its last step out of the procedure.
    pub fn has_edge(&self, from: &str, to: &EdgeTo) -> bool {
        let Some(&k) = self.place.get(from) else {
            return false;
        };
        match to {
            EdgeTo::Node(id) => self.place.get(id.as_str()) == Some(&(k + 1)),
            EdgeTo::End | EdgeTo::Sop(_) => Some(k) == self.last,
        }
    }
}

impl Analysis {
    /// Whether the worst case may be longer than `worst_case` says: a step
    /// on the path has no limit, or the search stopped early.
    pub fn is_lower_bound(&self) -> bool {
        !self.unbounded.is_empty() || !self.exact
    }

    fn of(nodes: &[Node], flow: &Flow, roles: &[Role]) -> Analysis {
        let mut analysis = Analysis {
            worst_case: None,
            worst_path: Vec::new(),
            unbounded: Vec::new(),
            by_role: Vec::new(),
            exact: true,
        };
        if nodes.iter().all(|n| n.within.is_none()) {
            return analysis;
        }
        let within: Vec<Option<Duration>> = nodes.iter().map(|n| n.within).collect();
        let Some(longest) = crate::analysis::worst_path(flow, &within) else {
            return analysis;
        };
        analysis.worst_case = Some(Duration::from_seconds(longest.total));
        analysis.exact = longest.exact;
        let mut totals: Vec<(String, u128)> = roles.iter().map(|r| (r.id.clone(), 0)).collect();
        let mut on_path = vec![false; totals.len()];
        for &i in &longest.path {
            let node = &nodes[i];
            analysis.worst_path.push(node.id.clone());
            if node.within.is_none() {
                analysis.unbounded.push(node.id.clone());
            }
            for role in &node.roles {
                let k = match totals.iter().position(|(r, _)| r == role) {
                    Some(k) => k,
                    None => {
                        totals.push((role.clone(), 0));
                        on_path.push(false);
                        totals.len() - 1
                    }
                };
                on_path[k] = true;
                let cost = node.within.map_or(0, |d| d.saturating_seconds());
                totals[k].1 += u128::from(cost);
            }
        }
        analysis.by_role = totals
            .into_iter()
            .zip(on_path)
            .filter(|(_, on)| *on)
            .map(|((role, total), _)| (role, Duration::from_seconds(total)))
            .collect();
        analysis
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Metric {
    pub name: String,
    pub target: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Definition {
    pub term: String,
    pub definition: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Reference {
    pub text: String,
    /// The `[[ID]]` links in the text.
    pub sops: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Revision {
    pub version: String,
    pub date: String,
    pub author: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Notes {
    pub text: String,
    pub callouts: Vec<Callout>,
}

impl Workflow {
    /// Builds the model of a parsed document. Meant for documents without
    /// errors; for others it does its best and never panics.
    pub fn from_document(doc: &Document<'_>) -> Workflow {
        let flow = Flow::build(doc);
        let steps = doc.steps();
        let node_id = |i: usize| {
            steps[i].id.map_or_else(
                || format!("#{}", steps[i].number),
                |id| id.value.to_string(),
            )
        };
        let nodes: Vec<Node> = steps
            .iter()
            .enumerate()
            .map(|(i, s)| node(s, node_id(i)))
            .collect();
        let edges = flow
            .edges
            .iter()
            .map(|e| Edge {
                from: node_id(e.from),
                to: match &e.to {
                    EdgeTarget::Step(j) => EdgeTo::Node(node_id(*j)),
                    EdgeTarget::End => EdgeTo::End,
                    EdgeTarget::Sop(id) => EdgeTo::Sop(id.clone()),
                    EdgeTarget::Unknown(id) => EdgeTo::Node(id.clone()),
                },
                when: match &e.kind {
                    EdgeKind::If(condition) => Some(condition.clone()),
                    EdgeKind::Otherwise => Some("otherwise".into()),
                    EdgeKind::Goto if nodes[e.from].kind == NodeKind::Decision => {
                        Some("otherwise".into())
                    }
                    EdgeKind::Goto | EdgeKind::FallThrough | EdgeKind::Timeout => None,
                },
                on: (e.kind == EdgeKind::Timeout).then_some("timeout"),
            })
            .collect();
        let roles: Vec<Role> = doc
            .entries(SectionKind::Roles)
            .map(|e| Role {
                id: e.name.value.into(),
                description: e.value.value.into(),
            })
            .collect();
        let analysis = Analysis::of(&nodes, &flow, &roles);
        Workflow {
            format: "sop-workflow",
            format_version: 1,
            id: doc.id().unwrap_or_default().to_string(),
            title: doc
                .header
                .as_ref()
                .map(|h| h.title.value.to_string())
                .unwrap_or_default(),
            meta: meta(doc),
            purpose: section_text(doc, SectionKind::Purpose),
            scope: section_text(doc, SectionKind::Scope),
            roles,
            start: (!nodes.is_empty()).then(|| node_id(0)),
            nodes,
            edges,
            analysis,
            metrics: doc
                .entries(SectionKind::Metrics)
                .map(|e| Metric {
                    name: e.name.value.into(),
                    target: e.value.value.into(),
                })
                .collect(),
            definitions: doc
                .entries(SectionKind::Definitions)
                .map(|e| Definition {
                    term: e.name.value.into(),
                    definition: e.value.value.into(),
                })
                .collect(),
            references: references(doc),
            revisions: doc
                .revisions()
                .map(|r| Revision {
                    version: r.version.value.into(),
                    date: r.date.value.into(),
                    author: r.author.map(|a| a.value.into()),
                    description: r.description.value.into(),
                })
                .collect(),
            notes: notes(doc),
        }
    }

    /// The latest of the revision dates and `effective:`.
    pub fn last_reviewed(&self) -> Option<Date> {
        self.revisions
            .iter()
            .filter_map(|r| Date::parse(&r.date))
            .chain(self.meta.effective)
            .max()
    }

    /// Whether the worst case is longer than `sla:`.
    pub fn exceeds_sla(&self) -> bool {
        match (self.meta.sla, self.analysis.worst_case) {
            (Some(sla), Some(worst)) => worst.saturating_seconds() > sla.saturating_seconds(),
            _ => false,
        }
    }

    /// When the next review is due, with `default` when no `review:` is set.
    pub fn next_review(&self, default: Cadence) -> Option<Date> {
        self.last_reviewed()?
            .plus(self.meta.review.unwrap_or(default))
    }
}

fn meta(doc: &Document<'_>) -> Meta {
    let mut meta = Meta::default();
    for entry in doc.meta_entries() {
        let raw = entry.raw.value.to_string();
        match &entry.value {
            MetaValue::Version { .. } => meta.version = Some(raw),
            MetaValue::Owner => meta.owner = Some(raw),
            MetaValue::Status { parsed } => meta.status = *parsed,
            MetaValue::Effective { parsed } => meta.effective = *parsed,
            MetaValue::Review { parsed } => meta.review = *parsed,
            MetaValue::Sla { parsed } => meta.sla = *parsed,
            MetaValue::Tags { tags } => {
                meta.tags = Some(tags.iter().map(|t| t.value.to_string()).collect())
            }
            MetaValue::Language => meta.language = Some(raw),
            MetaValue::Custom => {
                meta.custom.insert(entry.key.value.to_string(), raw);
            }
            MetaValue::Unknown => {}
        }
    }
    meta
}

fn node(step: &crate::ast::Step<'_>, id: String) -> Node {
    let mut say = Vec::new();
    let mut ask = None;
    let mut within = None;
    let mut callouts = Vec::new();
    let mut prose = Vec::new();
    // A line that is not prose (a script, a callout, an attribute) between
    // two prose lines ends a paragraph, as a blank line would.
    static BREAK: BlockItem<'static> = BlockItem::Trivia(crate::ast::Trivia::Blank {
        span: crate::ast::Span { start: 0, end: 0 },
    });
    for item in &step.items {
        let is_prose = matches!(
            item,
            StepItem::Block(BlockItem::Prose { .. } | BlockItem::Trivia(_))
        );
        if !is_prose && !prose.is_empty() {
            prose.push(&BREAK);
        }
        match item {
            StepItem::Say { text, .. } => say.push(text.value.to_string()),
            StepItem::Ask { text, .. } => ask = ask.or(Some(text.value.to_string())),
            StepItem::Within { parsed, .. } => within = within.or(*parsed),
            StepItem::Block(block) => match block {
                BlockItem::Callout(c) => callouts.push(Callout {
                    kind: c.kind.into(),
                    text: c.text.value.to_string(),
                }),
                other => prose.push(other),
            },
            StepItem::Role { .. } | StepItem::Branch(_) => {}
        }
    }
    Node {
        id,
        number: step.number,
        kind: if step.is_decision() {
            NodeKind::Decision
        } else {
            NodeKind::Task
        },
        title: step.title.value.to_string(),
        roles: step.roles().map(|r| r.value.to_string()).collect(),
        within,
        text: prose_text(None, prose),
        say,
        ask,
        callouts,
    }
}

/// Joins a block's prose lines into Markdown: the inline text (from the
/// keyword line) first, at the block's own indentation, then the other
/// lines, comments dropped, runs of blank lines kept as one. Indentation
/// only says what belongs to what (a nested list item, an item's
/// continuation); it never makes code ([`indentation`]).
pub fn prose_text<'i, 'a: 'i>(
    inline: Option<&str>,
    items: impl IntoIterator<Item = &'i BlockItem<'a>>,
) -> String {
    let items: Vec<&BlockItem<'a>> = items.into_iter().collect();
    let mut lines: Vec<ProseLine<'_>> = Vec::new();
    if let Some(inline) = inline.filter(|t| !t.is_empty()) {
        let base = items
            .iter()
            .filter_map(|item| match item {
                BlockItem::Prose { indent, .. } => Some(*indent),
                _ => None,
            })
            .min()
            .unwrap_or(0);
        lines.push(Some((base, inline)));
    }
    for item in items {
        match item {
            BlockItem::Prose { text, indent, .. } => lines.push(Some((*indent, text.value))),
            BlockItem::Trivia(crate::ast::Trivia::Blank { .. }) => {
                if lines.last().is_some_and(Option::is_some) {
                    lines.push(None);
                }
            }
            BlockItem::Trivia(crate::ast::Trivia::Comment { .. }) | BlockItem::Callout(_) => {}
        }
    }
    if lines.last().is_some_and(Option::is_none) {
        lines.pop();
    }
    indentation::markdown(&lines)
}

fn section_text(doc: &Document<'_>, kind: SectionKind) -> String {
    let Some(section) = doc.section(kind) else {
        return String::new();
    };
    match &section.body {
        SectionBody::Prose(items) => prose_text(section.inline.map(|t| t.value), items),
        _ => String::new(),
    }
}

fn notes(doc: &Document<'_>) -> Option<Notes> {
    let section = doc.section(SectionKind::Notes)?;
    let SectionBody::Prose(items) = &section.body else {
        return None;
    };
    Some(Notes {
        text: prose_text(section.inline.map(|t| t.value), items),
        callouts: items
            .iter()
            .filter_map(|i| match i {
                BlockItem::Callout(c) => Some(Callout {
                    kind: c.kind.into(),
                    text: c.text.value.to_string(),
                }),
                _ => None,
            })
            .collect(),
    })
}

fn references(doc: &Document<'_>) -> Vec<Reference> {
    let Some(section) = doc.section(SectionKind::References) else {
        return Vec::new();
    };
    let SectionBody::References(items) = &section.body else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| match i {
            ReferenceItem::Item { text, span } => Some(Reference {
                text: text.value.to_string(),
                sops: doc
                    .sop_links
                    .iter()
                    .filter(|l| l.span.start >= span.start && l.span.end <= span.end)
                    .map(|l| l.value.to_string())
                    .collect(),
            }),
            ReferenceItem::Trivia(_) => None,
        })
        .collect()
}
