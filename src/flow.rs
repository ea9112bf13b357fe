//! The procedure as a graph: steps are nodes, branches and fall-throughs edges.

use std::collections::HashMap;

use crate::ast::{BranchKind, Document, Span, Target};

/// Where an edge leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeTarget {
    /// A step, by its index in document order.
    Step(usize),
    /// The procedure ends.
    End,
    /// Hand-off to another SOP; the procedure ends here.
    Sop(String),
    /// A step id that does not exist (`unknown-target` reports it).
    Unknown(String),
}

/// How an edge was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeKind {
    /// No branch lines: on to the next step (or the end).
    FallThrough,
    /// `-> target`
    Goto,
    /// `if <condition> -> target`
    If(String),
    /// `otherwise -> target` / `else -> target`
    Otherwise,
    /// `timeout -> target`: when the step's `within:` runs out.
    Timeout,
}

#[derive(Debug, Clone)]
pub struct Edge {
    pub from: usize,
    pub to: EdgeTarget,
    pub kind: EdgeKind,
    /// The branch line, `None` for a fall-through.
    pub span: Option<Span>,
}

/// The flow of one document's steps.
#[derive(Debug, Default)]
pub struct Flow {
    pub step_count: usize,
    pub edges: Vec<Edge>,
    /// `reachable[i]`: some path from the first step reaches step `i`.
    pub reachable: Vec<bool>,
    /// `can_finish[i]`: some path from step `i` reaches an end or a hand-off.
    pub can_finish: Vec<bool>,
}

impl Flow {
    pub fn build(doc: &Document<'_>) -> Flow {
        let steps = doc.steps();
        let n = steps.len();
        let mut ids: HashMap<&str, usize> = HashMap::with_capacity(n);
        for (i, step) in steps.iter().enumerate() {
            if let Some(id) = step.id {
                ids.entry(id.value).or_insert(i);
            }
        }
        let following = |i: usize| {
            if i + 1 < n {
                EdgeTarget::Step(i + 1)
            } else {
                EdgeTarget::End
            }
        };
        let mut edges = Vec::with_capacity(n + n / 2);
        for (i, step) in steps.iter().enumerate() {
            let mut any = false;
            for branch in step.branches() {
                // A timeout is a way out besides the step's own: without
                // other branches the step still goes on to the next.
                any |= !matches!(branch.kind, BranchKind::Timeout);
                let to = match branch.target {
                    Target::Step(id) => ids.get(id).map_or_else(
                        || EdgeTarget::Unknown(id.to_string()),
                        |&j| EdgeTarget::Step(j),
                    ),
                    Target::Next => following(i),
                    Target::End => EdgeTarget::End,
                    Target::Sop(id) => EdgeTarget::Sop(id.to_string()),
                };
                let kind = match &branch.kind {
                    BranchKind::Goto => EdgeKind::Goto,
                    BranchKind::If { condition } => EdgeKind::If(condition.value.to_string()),
                    BranchKind::Otherwise => EdgeKind::Otherwise,
                    BranchKind::Timeout => EdgeKind::Timeout,
                };
                edges.push(Edge {
                    from: i,
                    to,
                    kind,
                    span: Some(branch.span),
                });
            }
            if !any {
                edges.push(Edge {
                    from: i,
                    to: following(i),
                    kind: EdgeKind::FallThrough,
                    span: None,
                });
            }
        }
        let mut flow = Flow {
            step_count: n,
            edges,
            reachable: vec![false; n],
            can_finish: vec![false; n],
        };
        flow.analyse();
        flow
    }

    /// Forward search from the first step, backward search from the exits.
    fn analyse(&mut self) {
        let n = self.step_count;
        if n == 0 {
            return;
        }
        let mut forward: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut backward: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut exits = Vec::new();
        for edge in &self.edges {
            match edge.to {
                EdgeTarget::Step(j) => {
                    forward[edge.from].push(j);
                    backward[j].push(edge.from);
                }
                // An unknown target is reported on its own; counting it as an
                // exit keeps one typo from also reporting `no-path-to-end`.
                EdgeTarget::End | EdgeTarget::Sop(_) | EdgeTarget::Unknown(_) => {
                    exits.push(edge.from)
                }
            }
        }
        search(&forward, [0], &mut self.reachable);
        search(&backward, exits, &mut self.can_finish);
    }
}

fn search(adjacent: &[Vec<usize>], start: impl IntoIterator<Item = usize>, seen: &mut [bool]) {
    let mut stack: Vec<usize> = Vec::new();
    for s in start {
        if !seen[s] {
            seen[s] = true;
            stack.push(s);
        }
    }
    while let Some(i) = stack.pop() {
        for &j in &adjacent[i] {
            if !seen[j] {
                seen[j] = true;
                stack.push(j);
            }
        }
    }
}
