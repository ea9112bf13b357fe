//! What changed in meaning between two versions of an SOP (`sop diff`).
//!
//! Both versions are compared as models ([`Workflow`]), which hold no
//! layout or comments, so what `sop fmt` would undo is never a change.
//! Steps are matched by id; steps whose id changed are found again by
//! title, then by content, then by position; steps without an id by title,
//! then by position. Branches are compared through that matching, so a
//! renamed step does not show every branch into it as retargeted.
//!
//! The result is a list of [`Change`]s in document order: the header and
//! sections first, then the steps in their new order (removed steps where
//! they were), then the closing sections.

pub mod output;
pub mod revision;
pub mod words;

use std::collections::{BTreeSet, HashMap, VecDeque};

use serde::Serialize;

use crate::model::{Callout, Edge, EdgeTo, Node, NodeKind, Workflow};
use crate::values::{Cadence, Duration, Status};

/// What kind of change: the `kind` of the JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    IdChanged,
    TitleChanged,
    /// A header key: `field` names it (`version`, `owner`, `x-team`…).
    MetaChanged,
    PurposeChanged,
    ScopeChanged,
    RoleAdded,
    RoleRemoved,
    RoleChanged,
    StepAdded,
    StepRemoved,
    /// The step's id changed (`old` → `new`).
    StepRenamed,
    StepRetitled,
    /// The step's place among the steps both versions have changed.
    StepMoved,
    /// Task ↔ decision.
    StepKindChanged,
    StepRolesChanged,
    StepLimitChanged,
    StepAskChanged,
    StepSayChanged,
    StepCalloutsChanged,
    /// The prose, with a word-level diff in `words`.
    StepTextChanged,
    BranchAdded,
    BranchRemoved,
    /// The same condition now leads elsewhere.
    BranchRetargeted,
    /// The same target is reached under another condition.
    BranchReworded,
    HandoffAdded,
    HandoffRemoved,
    MetricAdded,
    MetricRemoved,
    MetricChanged,
    DefinitionAdded,
    DefinitionRemoved,
    DefinitionChanged,
    ReferenceAdded,
    ReferenceRemoved,
    NotesChanged,
    RevisionAdded,
    RevisionRemoved,
    RevisionChanged,
    /// The entries of a section (`field`: roles, metrics, definitions,
    /// references, revisions) are the same but in another order.
    OrderChanged,
}

impl Kind {
    /// Whether the change alters the flow: which steps there are, in which
    /// order, and where each leads. The rest is wording (and limits,
    /// roles, metadata), which a minor version covers.
    pub fn is_flow(self) -> bool {
        matches!(
            self,
            Kind::StepAdded
                | Kind::StepRemoved
                | Kind::StepMoved
                | Kind::StepKindChanged
                | Kind::BranchAdded
                | Kind::BranchRemoved
                | Kind::BranchRetargeted
                | Kind::HandoffAdded
                | Kind::HandoffRemoved
        )
    }

    /// Whether the change is to the revision history itself (or the
    /// `version:` that follows it): the record of changes, not one.
    pub fn is_record(self, field: Option<&str>) -> bool {
        matches!(
            self,
            Kind::RevisionAdded | Kind::RevisionRemoved | Kind::RevisionChanged
        ) || (self == Kind::MetaChanged && field == Some("version"))
            || (self == Kind::OrderChanged && field == Some("revisions"))
    }
}

/// A value before or after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Text(String),
    List(Vec<String>),
    /// Durations are ISO 8601 in JSON and in words for people.
    Duration(Duration),
    Cadence(Cadence),
    Status(Status),
    Number(usize),
}

/// A piece of a word-level diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub op: Op,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Equal,
    Delete,
    Insert,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: Kind,
    /// The step it is about (its id in the new version; in the old one for
    /// a removed step).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// What within: a header key, a role id, a metric, a term, a revision's
    /// version, a branch's condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// For a reworded branch, where it leads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The word-level diff of a text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<Piece>,
}

impl Change {
    fn new(kind: Kind) -> Change {
        Change {
            kind,
            step: None,
            field: None,
            old: None,
            new: None,
            to: None,
            words: Vec::new(),
        }
    }

    fn step(mut self, id: &str) -> Change {
        self.step = Some(id.to_string());
        self
    }

    fn field(mut self, field: &str) -> Change {
        self.field = Some(field.to_string());
        self
    }

    fn old(mut self, value: Value) -> Change {
        self.old = Some(value);
        self
    }

    fn new_value(mut self, value: Value) -> Change {
        self.new = Some(value);
        self
    }

    fn values(self, old: Option<Value>, new: Option<Value>) -> Change {
        Change { old, new, ..self }
    }
}

/// The changes between two versions, in document order; empty when they
/// mean the same.
pub fn compare(old: &Workflow, new: &Workflow) -> Vec<Change> {
    let mut out = Vec::new();
    text_change(&mut out, Kind::IdChanged, &old.id, &new.id);
    text_change(&mut out, Kind::TitleChanged, &old.title, &new.title);
    meta(&mut out, old, new);
    prose_change(
        &mut out,
        Kind::PurposeChanged,
        None,
        &old.purpose,
        &new.purpose,
    );
    prose_change(&mut out, Kind::ScopeChanged, None, &old.scope, &new.scope);
    keyed(
        &mut out,
        "roles",
        old.roles
            .iter()
            .map(|r| (r.id.as_str(), r.description.as_str())),
        new.roles
            .iter()
            .map(|r| (r.id.as_str(), r.description.as_str())),
        [Kind::RoleAdded, Kind::RoleRemoved, Kind::RoleChanged],
    );
    steps(&mut out, old, new);
    keyed(
        &mut out,
        "metrics",
        old.metrics
            .iter()
            .map(|m| (m.name.as_str(), m.target.as_str())),
        new.metrics
            .iter()
            .map(|m| (m.name.as_str(), m.target.as_str())),
        [Kind::MetricAdded, Kind::MetricRemoved, Kind::MetricChanged],
    );
    keyed(
        &mut out,
        "definitions",
        old.definitions
            .iter()
            .map(|d| (d.term.as_str(), d.definition.as_str())),
        new.definitions
            .iter()
            .map(|d| (d.term.as_str(), d.definition.as_str())),
        [
            Kind::DefinitionAdded,
            Kind::DefinitionRemoved,
            Kind::DefinitionChanged,
        ],
    );
    references(&mut out, old, new);
    let notes = |w: &Workflow| {
        w.notes.as_ref().map_or_else(String::new, |n| {
            let mut text = n.text.clone();
            for c in &n.callouts {
                text.push_str("\n\n");
                text.push_str(&callout_text(c));
            }
            text
        })
    };
    prose_change(&mut out, Kind::NotesChanged, None, &notes(old), &notes(new));
    let revision_text = |r: &crate::model::Revision| match &r.author {
        Some(author) => format!("{} {}: {}", r.date, author, r.description),
        None => format!("{}: {}", r.date, r.description),
    };
    let old_revisions: Vec<(&str, String)> = old
        .revisions
        .iter()
        .map(|r| (r.version.as_str(), revision_text(r)))
        .collect();
    let new_revisions: Vec<(&str, String)> = new
        .revisions
        .iter()
        .map(|r| (r.version.as_str(), revision_text(r)))
        .collect();
    keyed(
        &mut out,
        "revisions",
        old_revisions.iter().map(|(v, t)| (*v, t.as_str())),
        new_revisions.iter().map(|(v, t)| (*v, t.as_str())),
        [
            Kind::RevisionAdded,
            Kind::RevisionRemoved,
            Kind::RevisionChanged,
        ],
    );
    out
}

fn text_change(out: &mut Vec<Change>, kind: Kind, old: &str, new: &str) {
    if old != new {
        out.push(
            Change::new(kind).values(Some(Value::Text(old.into())), Some(Value::Text(new.into()))),
        );
    }
}

/// A change of prose, with its word-level diff.
fn prose_change(out: &mut Vec<Change>, kind: Kind, step: Option<&str>, old: &str, new: &str) {
    if old == new {
        return;
    }
    let mut change = Change::new(kind);
    change.step = step.map(str::to_string);
    change.words = words::diff(old, new);
    out.push(change);
}

fn meta(out: &mut Vec<Change>, old: &Workflow, new: &Workflow) {
    let (a, b) = (&old.meta, &new.meta);
    let text = |v: &Option<String>| v.clone().map(Value::Text);
    let mut field = |name: &str, old: Option<Value>, new: Option<Value>| {
        if old != new {
            out.push(Change::new(Kind::MetaChanged).field(name).values(old, new));
        }
    };
    field("version", text(&a.version), text(&b.version));
    field("owner", text(&a.owner), text(&b.owner));
    field(
        "status",
        a.status.map(Value::Status),
        b.status.map(Value::Status),
    );
    field(
        "effective",
        a.effective.map(|d| Value::Text(d.to_string())),
        b.effective.map(|d| Value::Text(d.to_string())),
    );
    field(
        "review",
        a.review.map(Value::Cadence),
        b.review.map(Value::Cadence),
    );
    field(
        "sla",
        a.sla.map(Value::Duration),
        b.sla.map(Value::Duration),
    );
    field(
        "tags",
        a.tags.clone().map(Value::List),
        b.tags.clone().map(Value::List),
    );
    field("language", text(&a.language), text(&b.language));
    let keys: BTreeSet<&String> = a.custom.keys().chain(b.custom.keys()).collect();
    for key in keys {
        field(
            key,
            a.custom.get(key).cloned().map(Value::Text),
            b.custom.get(key).cloned().map(Value::Text),
        );
    }
}

/// Entries with a name (roles, metrics, definitions, revisions): added,
/// removed, or with another value, in the new order then the removed ones.
fn keyed<'a>(
    out: &mut Vec<Change>,
    section: &str,
    old: impl Iterator<Item = (&'a str, &'a str)>,
    new: impl Iterator<Item = (&'a str, &'a str)>,
    [added, removed, changed]: [Kind; 3],
) {
    let old: Vec<(&str, &str)> = old.collect();
    let mut old_by_key: HashMap<&str, VecDeque<&str>> = HashMap::new();
    for (k, v) in &old {
        old_by_key.entry(k).or_default().push_back(v);
    }
    // How many entries of each key the new version took over.
    let mut consumed: HashMap<&str, usize> = HashMap::new();
    let mut new_order: Vec<&str> = Vec::new();
    for (k, v) in new {
        match old_by_key.get_mut(k).and_then(VecDeque::pop_front) {
            Some(before) => {
                *consumed.entry(k).or_default() += 1;
                new_order.push(k);
                if before != v {
                    out.push(Change::new(changed).field(k).values(
                        Some(Value::Text(before.into())),
                        Some(Value::Text(v.into())),
                    ));
                }
            }
            None => out.push(Change::new(added).field(k).new_value(Value::Text(v.into()))),
        }
    }
    let mut occurrence: HashMap<&str, usize> = HashMap::new();
    let mut old_order: Vec<&str> = Vec::new();
    for (k, v) in &old {
        let n = occurrence.entry(k).or_default();
        if *n >= consumed.get(k).copied().unwrap_or(0) {
            out.push(Change::new(removed).field(k).old(Value::Text((*v).into())));
        } else {
            old_order.push(k);
        }
        *n += 1;
    }
    order_change(out, section, old_order, new_order);
}

/// The entries both versions have, in another order.
fn order_change(out: &mut Vec<Change>, section: &str, old: Vec<&str>, new: Vec<&str>) {
    if old != new {
        let list = |v: Vec<&str>| Value::List(v.into_iter().map(str::to_string).collect());
        out.push(
            Change::new(Kind::OrderChanged)
                .field(section)
                .values(Some(list(old)), Some(list(new))),
        );
    }
}

fn references(out: &mut Vec<Change>, old: &Workflow, new: &Workflow) {
    let old_texts: HashMap<&str, usize> = count(old.references.iter().map(|r| r.text.as_str()));
    let new_texts: HashMap<&str, usize> = count(new.references.iter().map(|r| r.text.as_str()));
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for r in &new.references {
        let n = seen.entry(&r.text).or_default();
        *n += 1;
        if *n > old_texts.get(r.text.as_str()).copied().unwrap_or(0) {
            out.push(Change::new(Kind::ReferenceAdded).new_value(Value::Text(r.text.clone())));
        }
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for r in &old.references {
        let n = seen.entry(&r.text).or_default();
        *n += 1;
        if *n > new_texts.get(r.text.as_str()).copied().unwrap_or(0) {
            out.push(Change::new(Kind::ReferenceRemoved).old(Value::Text(r.text.clone())));
        }
    }
    // The references both have, in order.
    let common = |refs: &[crate::model::Reference], other: &HashMap<&str, usize>| {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut kept: Vec<String> = Vec::new();
        for r in refs {
            let n = seen.entry(&r.text).or_default();
            *n += 1;
            if *n <= other.get(r.text.as_str()).copied().unwrap_or(0) {
                kept.push(r.text.clone());
            }
        }
        kept
    };
    let old_common = common(&old.references, &new_texts);
    let new_common = common(&new.references, &old_texts);
    order_change(
        out,
        "references",
        old_common.iter().map(String::as_str).collect(),
        new_common.iter().map(String::as_str).collect(),
    );
}

fn count<'a>(items: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    let mut map = HashMap::new();
    for item in items {
        *map.entry(item).or_default() += 1;
    }
    map
}

fn callout_text(c: &Callout) -> String {
    format!("{}: {}", c.kind.name(), c.text)
}

/// Which new step each old step became (`None`: removed).
pub fn match_steps(old: &[Node], new: &[Node]) -> Vec<Option<usize>> {
    let mut to_new: Vec<Option<usize>> = vec![None; old.len()];
    let mut taken = vec![false; new.len()];
    // 1. The same declared id.
    let by_id: HashMap<&str, usize> = new
        .iter()
        .enumerate()
        .filter(|(_, n)| n.has_declared_id())
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    for (i, o) in old.iter().enumerate() {
        if !o.has_declared_id() {
            continue;
        }
        if let Some(&j) = by_id.get(o.id.as_str()) {
            to_new[i] = Some(j);
            taken[j] = true;
        }
    }
    // A new step whose declared id an old step had is that step: it is not
    // free for the passes below (an old unnamed step gaining that id is
    // covered by the passes, since the old step with the id is elsewhere).
    let free = |taken: &[bool], j: usize| !taken[j];
    // 2. The same title, in order.
    let mut by_title: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for (j, n) in new.iter().enumerate() {
        if free(&taken, j) {
            by_title.entry(n.title.as_str()).or_default().push_back(j);
        }
    }
    for (i, o) in old.iter().enumerate() {
        if to_new[i].is_some() {
            continue;
        }
        if let Some(j) = by_title
            .get_mut(o.title.as_str())
            .and_then(VecDeque::pop_front)
        {
            to_new[i] = Some(j);
            taken[j] = true;
        }
    }
    // 3. The same content (a step renamed and retitled at once).
    let content = |n: &Node| {
        (
            n.kind == NodeKind::Decision,
            n.text.clone(),
            n.ask.clone(),
            n.say.clone(),
        )
    };
    let mut by_content: HashMap<_, VecDeque<usize>> = HashMap::new();
    for (j, n) in new.iter().enumerate() {
        if free(&taken, j) && !(n.text.is_empty() && n.ask.is_none() && n.say.is_empty()) {
            by_content.entry(content(n)).or_default().push_back(j);
        }
    }
    for (i, o) in old.iter().enumerate() {
        if to_new[i].is_some() {
            continue;
        }
        if let Some(j) = by_content
            .get_mut(&content(o))
            .and_then(VecDeque::pop_front)
        {
            if free(&taken, j) {
                to_new[i] = Some(j);
                taken[j] = true;
            }
        }
    }
    // 4. The same position, when title or text are alike.
    for (i, o) in old.iter().enumerate() {
        if to_new[i].is_some() || i >= new.len() || taken[i] {
            continue;
        }
        let n = &new[i];
        let alike = strsim::normalized_levenshtein(&o.title, &n.title) >= 0.5
            || (!o.text.is_empty() && strsim::normalized_levenshtein(&o.text, &n.text) >= 0.6);
        if alike {
            to_new[i] = Some(i);
            taken[i] = true;
        }
    }
    to_new
}

/// The old steps (by index) that moved: matched steps not on a longest
/// run that kept its order. O(n log n).
fn moved(to_new: &[Option<usize>]) -> Vec<bool> {
    let pairs: Vec<(usize, usize)> = to_new
        .iter()
        .enumerate()
        .filter_map(|(i, j)| Some((i, (*j)?)))
        .collect();
    // Longest increasing subsequence of the new positions.
    let mut tails: Vec<usize> = Vec::new(); // index into pairs
    let mut parent: Vec<Option<usize>> = vec![None; pairs.len()];
    for (k, &(_, j)) in pairs.iter().enumerate() {
        let at = tails.partition_point(|&t| pairs[t].1 < j);
        parent[k] = at.checked_sub(1).map(|p| tails[p]);
        if at == tails.len() {
            tails.push(k);
        } else {
            tails[at] = k;
        }
    }
    let mut kept = vec![false; to_new.len()];
    let mut k = tails.last().copied();
    while let Some(at) = k {
        kept[pairs[at].0] = true;
        k = parent[at];
    }
    to_new
        .iter()
        .enumerate()
        .map(|(i, j)| j.is_some() && !kept[i])
        .collect()
}

fn steps(out: &mut Vec<Change>, old: &Workflow, new: &Workflow) {
    let to_new = match_steps(&old.nodes, &new.nodes);
    let mut to_old: Vec<Option<usize>> = vec![None; new.nodes.len()];
    for (i, j) in to_new.iter().enumerate() {
        if let Some(j) = j {
            to_old[*j] = Some(i);
        }
    }
    let moved = moved(&to_new);
    // Old ids in new terms, so branches compare through the matching.
    let old_to_new_id: HashMap<&str, &str> = to_new
        .iter()
        .enumerate()
        .filter_map(|(i, j)| Some((old.nodes[i].id.as_str(), new.nodes[(*j)?].id.as_str())))
        .collect();
    let old_edges = edges_by_from(&old.edges);
    let new_edges = edges_by_from(&new.edges);
    let added: BTreeSet<&str> = new
        .nodes
        .iter()
        .zip(&to_old)
        .filter(|(_, o)| o.is_none())
        .map(|(n, _)| n.id.as_str())
        .collect();
    let removed: BTreeSet<&str> = old
        .nodes
        .iter()
        .zip(&to_new)
        .filter(|(_, j)| j.is_none())
        .map(|(n, _)| n.id.as_str())
        .collect();
    let ctx = FlowContext {
        old,
        new,
        old_to_new_id: &old_to_new_id,
        added: &added,
        removed: &removed,
    };
    // Removed steps are listed where they were: before the first new step
    // that comes from an old step after them.
    let mut pending_removed = (0..old.nodes.len())
        .filter(|&i| to_new[i].is_none())
        .peekable();
    for (j, n) in new.nodes.iter().enumerate() {
        if let Some(i) = to_old[j] {
            while let Some(&r) = pending_removed.peek() {
                if r > i {
                    break;
                }
                removed_step(out, &old.nodes[r]);
                pending_removed.next();
            }
            let o = &old.nodes[i];
            step_changes(out, o, n, moved[i]);
            branches(
                out,
                &ctx,
                o,
                n,
                old_edges.get(o.id.as_str()).map_or(&[][..], Vec::as_slice),
                new_edges.get(n.id.as_str()).map_or(&[][..], Vec::as_slice),
            );
        } else {
            let mut change = Change::new(Kind::StepAdded)
                .step(&n.id)
                .new_value(Value::Text(n.title.clone()));
            change.field = Some(n.number.to_string());
            out.push(change);
        }
    }
    for r in pending_removed {
        removed_step(out, &old.nodes[r]);
    }
}

fn removed_step(out: &mut Vec<Change>, o: &Node) {
    let mut change = Change::new(Kind::StepRemoved)
        .step(&o.id)
        .old(Value::Text(o.title.clone()));
    change.field = Some(o.number.to_string());
    out.push(change);
}

fn edges_by_from(edges: &[Edge]) -> HashMap<&str, Vec<&Edge>> {
    let mut map: HashMap<&str, Vec<&Edge>> = HashMap::new();
    for e in edges {
        map.entry(e.from.as_str()).or_default().push(e);
    }
    map
}

fn step_changes(out: &mut Vec<Change>, o: &Node, n: &Node, moved: bool) {
    let id = n.id.as_str();
    if o.id != n.id && (o.has_declared_id() || n.has_declared_id()) {
        out.push(Change::new(Kind::StepRenamed).step(id).values(
            Some(Value::Text(o.id.clone())),
            Some(Value::Text(n.id.clone())),
        ));
    }
    if o.title != n.title {
        out.push(Change::new(Kind::StepRetitled).step(id).values(
            Some(Value::Text(o.title.clone())),
            Some(Value::Text(n.title.clone())),
        ));
    }
    if moved {
        out.push(
            Change::new(Kind::StepMoved)
                .step(id)
                .values(Some(Value::Number(o.number)), Some(Value::Number(n.number))),
        );
    }
    if o.kind != n.kind {
        let kind = |k: NodeKind| {
            Value::Text(match k {
                NodeKind::Task => "task".into(),
                NodeKind::Decision => "decision".into(),
            })
        };
        out.push(
            Change::new(Kind::StepKindChanged)
                .step(id)
                .values(Some(kind(o.kind)), Some(kind(n.kind))),
        );
    }
    if o.roles != n.roles {
        out.push(Change::new(Kind::StepRolesChanged).step(id).values(
            Some(Value::List(o.roles.clone())),
            Some(Value::List(n.roles.clone())),
        ));
    }
    if o.within != n.within {
        out.push(
            Change::new(Kind::StepLimitChanged)
                .step(id)
                .values(o.within.map(Value::Duration), n.within.map(Value::Duration)),
        );
    }
    if o.ask != n.ask {
        out.push(Change::new(Kind::StepAskChanged).step(id).values(
            o.ask.clone().map(Value::Text),
            n.ask.clone().map(Value::Text),
        ));
    }
    if o.say != n.say {
        out.push(Change::new(Kind::StepSayChanged).step(id).values(
            Some(Value::List(o.say.clone())),
            Some(Value::List(n.say.clone())),
        ));
    }
    if o.callouts != n.callouts {
        let list = |n: &Node| Value::List(n.callouts.iter().map(callout_text).collect());
        out.push(
            Change::new(Kind::StepCalloutsChanged)
                .step(id)
                .values(Some(list(o)), Some(list(n))),
        );
    }
    prose_change(out, Kind::StepTextChanged, Some(id), &o.text, &n.text);
}

struct FlowContext<'a> {
    old: &'a Workflow,
    new: &'a Workflow,
    old_to_new_id: &'a HashMap<&'a str, &'a str>,
    added: &'a BTreeSet<&'a str>,
    removed: &'a BTreeSet<&'a str>,
}

/// Where an edge leads, as text: a step id, `end`, or `sop:ID`.
pub fn target_text(to: &EdgeTo) -> String {
    match to {
        EdgeTo::Node(id) => id.clone(),
        EdgeTo::End => "end".into(),
        EdgeTo::Sop(id) => format!("sop:{id}"),
    }
}

/// A branch's label for matching: its condition, `timeout`, or none.
fn label(e: &Edge) -> Option<&str> {
    e.label()
}

fn branches(
    out: &mut Vec<Change>,
    ctx: &FlowContext<'_>,
    o: &Node,
    n: &Node,
    old_edges: &[&Edge],
    new_edges: &[&Edge],
) {
    let id = n.id.as_str();
    // Old targets in new terms; a removed step keeps its old id.
    let old_target = |e: &Edge| match &e.to {
        EdgeTo::Node(t) => ctx
            .old_to_new_id
            .get(t.as_str())
            .map_or_else(|| t.clone(), |t| t.to_string()),
        other => target_text(other),
    };
    let old: Vec<(Option<&str>, String)> = old_edges
        .iter()
        .map(|e| (label(e), old_target(e)))
        .collect();
    let new: Vec<(Option<&str>, String)> = new_edges
        .iter()
        .map(|e| (label(e), target_text(&e.to)))
        .collect();
    let mut old_left: Vec<bool> = vec![true; old.len()];
    let mut new_left: Vec<bool> = vec![true; new.len()];
    // The old branch each new one continues.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    // Identical branches.
    for (j, b) in new.iter().enumerate() {
        if let Some(i) = (0..old.len()).find(|&i| old_left[i] && old[i] == *b) {
            old_left[i] = false;
            new_left[j] = false;
            pairs.push((i, j));
        }
    }
    // The same condition, elsewhere: retargeted.
    for (j, (when, to)) in new.iter().enumerate() {
        if !new_left[j] {
            continue;
        }
        if let Some(i) = (0..old.len()).find(|&i| old_left[i] && old[i].0 == *when) {
            old_left[i] = false;
            new_left[j] = false;
            pairs.push((i, j));
            if when.is_none() && implied(ctx, o, n, &old[i].1, to) {
                continue;
            }
            let mut change = Change::new(Kind::BranchRetargeted).step(id).values(
                Some(Value::Text(old[i].1.clone())),
                Some(Value::Text(to.clone())),
            );
            change.field = when.map(str::to_string);
            out.push(change);
        }
    }
    // The same target under another condition: reworded.
    for (j, (when, to)) in new.iter().enumerate() {
        if !new_left[j] {
            continue;
        }
        if let Some(i) = (0..old.len()).find(|&i| old_left[i] && old[i].1 == *to) {
            old_left[i] = false;
            new_left[j] = false;
            pairs.push((i, j));
            let text = |w: Option<&str>| w.map(|w| Value::Text(w.to_string()));
            let mut change = Change::new(Kind::BranchReworded)
                .step(id)
                .values(text(old[i].0), text(*when));
            change.to = Some(to.clone());
            out.push(change);
        }
    }
    for (j, (when, to)) in new.iter().enumerate() {
        if new_left[j] {
            let kind = if to.starts_with("sop:") {
                Kind::HandoffAdded
            } else {
                Kind::BranchAdded
            };
            let mut change = Change::new(kind)
                .step(id)
                .new_value(Value::Text(to.clone()));
            change.field = when.map(str::to_string);
            out.push(change);
        }
    }
    // The options both versions have, in another order (a decision's
    // options are numbered in the order written).
    let name =
        |(when, to): &(Option<&str>, String)| when.map_or_else(|| to.clone(), str::to_string);
    let mut by_new = pairs.clone();
    by_new.sort_unstable_by_key(|&(_, j)| j);
    let mut by_old = pairs;
    by_old.sort_unstable();
    if by_new != by_old {
        let old_order = by_old.iter().map(|&(i, _)| name(&old[i])).collect();
        let new_order = by_new.iter().map(|&(_, j)| name(&new[j])).collect();
        out.push(
            Change::new(Kind::OrderChanged)
                .step(id)
                .field("branches")
                .values(Some(Value::List(old_order)), Some(Value::List(new_order))),
        );
    }
    for (i, (when, to)) in old.iter().enumerate() {
        if old_left[i] {
            let kind = if to.starts_with("sop:") {
                Kind::HandoffRemoved
            } else {
                Kind::BranchRemoved
            };
            let mut change = Change::new(kind).step(id).old(Value::Text(to.clone()));
            change.field = when.map(str::to_string);
            out.push(change);
        }
    }
}

/// Whether an unlabelled way on from a step changed only because the step
/// after it was added or removed: the step falls through to what now
/// follows it, which the added or removed step already says.
fn implied(ctx: &FlowContext<'_>, o: &Node, n: &Node, old_to: &str, new_to: &str) -> bool {
    let next_new = ctx.new.nodes.get(n.number).map(|x| x.id.as_str());
    let next_old = ctx.old.nodes.get(o.number).map(|x| {
        ctx.old_to_new_id
            .get(x.id.as_str())
            .copied()
            .unwrap_or(x.id.as_str())
    });
    (ctx.added.contains(new_to) && next_new == Some(new_to))
        || (ctx.removed.contains(old_to) && next_old == Some(old_to))
}

/// Whether a list of changes changes the flow (see [`Kind::is_flow`]).
pub fn changes_flow(changes: &[Change]) -> bool {
    changes.iter().any(|c| c.kind.is_flow())
}

/// A version read for comparison: its model, or the checked file with the
/// errors that keep it from having one.
pub fn model_of(
    path: &std::path::Path,
    bytes: &[u8],
    today: crate::values::Date,
) -> Result<Workflow, Box<crate::check::CheckedFile>> {
    use crate::check::{check_document, CheckOptions, CheckedFile};
    use crate::diagnostics::Severity;
    let source = crate::source::Source::from_bytes(path, bytes);
    let doc = crate::syntax::parse(&source);
    let diagnostics = check_document(&source, &doc, &CheckOptions::new(today), None);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        let errors = diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        return Err(Box::new(CheckedFile {
            path: path.to_path_buf(),
            source,
            diagnostics: errors,
        }));
    }
    Ok(Workflow::from_document(&doc))
}

/// Compares two versions of a file (either may be missing: an added or a
/// removed SOP) into what the outputs show.
pub fn file_diff(
    old: Option<(&str, &Workflow)>,
    new: Option<(&str, &Workflow)>,
) -> output::FileDiff {
    use output::Status;
    let (changes, status) = match (old, new) {
        (Some((_, a)), Some((_, b))) => {
            let changes = compare(a, b);
            let status = if changes.is_empty() {
                Status::Unchanged
            } else {
                Status::Modified
            };
            (changes, status)
        }
        (None, _) => (Vec::new(), Status::Added),
        (_, None) => (Vec::new(), Status::Removed),
    };
    let shown = new.or(old).map(|(_, w)| w);
    let flow_changed = changes_flow(&changes);
    let next_version = match (old, new) {
        (Some((_, a)), Some((_, _))) if !revision::recordable(&changes).is_empty() => Some(
            revision::next_version(revision::current_version(a), flow_changed),
        ),
        _ => None,
    };
    output::FileDiff {
        old_path: old.map(|(p, _)| p.to_string()),
        new_path: new.map(|(p, _)| p.to_string()),
        id: shown.map(|w| w.id.clone()).unwrap_or_default(),
        title: shown.map(|w| w.title.clone()).unwrap_or_default(),
        status,
        flow_changed,
        next_version,
        changes,
        language: new
            .and_then(|(_, w)| w.meta.language.clone())
            .or_else(|| old.and_then(|(_, w)| w.meta.language.clone())),
    }
}
