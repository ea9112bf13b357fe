//! The walk the page renderers share: which parts a page has and in what
//! order, each step with its outgoing branches, and where a branch leads.
//! Markdown and HTML differ only in how they write each part.

use std::collections::HashMap;

use crate::model::{Edge, EdgeTo, Node, Workflow};
use crate::values::Duration;

/// A prose section of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prose {
    Purpose,
    Scope,
}

impl Prose {
    /// The section's anchor.
    pub fn anchor(self) -> &'static str {
        match self {
            Prose::Purpose => "purpose",
            Prose::Scope => "scope",
        }
    }
}

/// What a page renderer writes, part by part. [`walk`] calls the parts in
/// the order every page shows them.
pub trait PageWriter {
    fn header(&mut self);
    fn prose(&mut self, section: Prose, markdown: &str);
    fn roles(&mut self);
    fn flowchart(&mut self);
    /// The time limits: `sla:`, the worst case and its path. Only called
    /// when the file has `sla:` or a step with `within:`.
    fn time(&mut self, facts: &TimeFacts<'_>);
    /// Before the first step; only called when the procedure has steps.
    fn steps_start(&mut self);
    fn step(&mut self, step: &Step<'_>, outline: &Outline<'_>);
    fn steps_end(&mut self);
    fn definitions(&mut self);
    fn metrics(&mut self);
    fn notes(&mut self);
    fn references(&mut self);
    fn revisions(&mut self);
}

/// Writes a workflow's page: every part in order.
pub fn walk(page: &mut impl PageWriter, workflow: &Workflow) {
    page.header();
    page.prose(Prose::Purpose, &workflow.purpose);
    page.prose(Prose::Scope, &workflow.scope);
    page.roles();
    page.flowchart();
    let outline = Outline::new(workflow);
    if let Some(facts) = TimeFacts::new(workflow, &outline) {
        page.time(&facts);
    }
    if !workflow.nodes.is_empty() {
        page.steps_start();
        for step in outline.steps() {
            page.step(&step, &outline);
        }
        page.steps_end();
    }
    page.definitions();
    page.metrics();
    page.notes();
    page.references();
    page.revisions();
}

/// What a page says about time: the limit of the whole procedure, the worst
/// case and the path that takes it (see [`crate::model::Analysis`]).
pub struct TimeFacts<'w> {
    pub sla: Option<Duration>,
    pub worst_case: Option<Duration>,
    /// `worst_case` may be too short: a step on the path has no limit, or
    /// the search stopped early.
    pub lower_bound: bool,
    /// The search stopped at its budget.
    pub inexact: bool,
    /// `Some(true)` when the worst case is longer than `sla:`,
    /// `Some(false)` when it is surely within it, `None` when there is no
    /// `sla:` or the worst case is a lower bound within it.
    pub exceeds_sla: Option<bool>,
    /// The worst path, as steps (index and node).
    pub path: Vec<(usize, &'w Node)>,
    pub unbounded: Vec<(usize, &'w Node)>,
    pub by_role: &'w [(String, Duration)],
}

impl<'w> TimeFacts<'w> {
    pub fn new(workflow: &'w Workflow, outline: &Outline<'w>) -> Option<Self> {
        let analysis = &workflow.analysis;
        let sla = workflow.meta.sla;
        if sla.is_none() && analysis.worst_case.is_none() {
            return None;
        }
        let steps = |ids: &'w [String]| -> Vec<(usize, &'w Node)> {
            ids.iter()
                .filter_map(|id| {
                    let &index = outline.positions.get(id.as_str())?;
                    Some((index, &workflow.nodes[index]))
                })
                .collect()
        };
        let lower_bound = analysis.is_lower_bound();
        let exceeds_sla = match (sla, analysis.worst_case) {
            _ if workflow.exceeds_sla() => Some(true),
            (Some(_), Some(_)) if !lower_bound => Some(false),
            _ => None,
        };
        Some(TimeFacts {
            sla,
            worst_case: analysis.worst_case,
            lower_bound,
            inexact: !analysis.exact,
            exceeds_sla,
            path: steps(&analysis.worst_path),
            unbounded: steps(&analysis.unbounded),
            by_role: &analysis.by_role,
        })
    }
}

/// One step and its branches, in the model's order.
pub struct Step<'w> {
    /// Its position among the steps.
    pub index: usize,
    pub node: &'w Node,
    pub edges: Vec<&'w Edge>,
}

/// Where a branch leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goes<'w> {
    /// A step of this procedure.
    Step {
        index: usize,
        node: &'w Node,
    },
    /// A step id that names no step (cannot happen in a checked file).
    Missing(&'w str),
    End,
    /// A hand-off to another SOP.
    Sop(&'w str),
}

/// The steps of a workflow with their outgoing edges, indexed once.
pub struct Outline<'w> {
    workflow: &'w Workflow,
    positions: HashMap<&'w str, usize>,
    outgoing: Vec<Vec<usize>>,
}

impl<'w> Outline<'w> {
    pub fn new(workflow: &'w Workflow) -> Self {
        let mut positions: HashMap<&str, usize> = HashMap::with_capacity(workflow.nodes.len());
        for (i, node) in workflow.nodes.iter().enumerate() {
            positions.entry(node.id.as_str()).or_insert(i);
        }
        let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); workflow.nodes.len()];
        for (e, edge) in workflow.edges.iter().enumerate() {
            if let Some(&i) = positions.get(edge.from.as_str()) {
                outgoing[i].push(e);
            }
        }
        Outline {
            workflow,
            positions,
            outgoing,
        }
    }

    /// Every step with its branches, in order.
    pub fn steps(&self) -> impl Iterator<Item = Step<'w>> + '_ {
        self.workflow
            .nodes
            .iter()
            .enumerate()
            .map(|(index, node)| Step {
                index,
                node,
                edges: self.outgoing[index]
                    .iter()
                    .map(|&e| &self.workflow.edges[e])
                    .collect(),
            })
    }

    /// Where `to` leads.
    pub fn goes(&self, to: &'w EdgeTo) -> Goes<'w> {
        match to {
            EdgeTo::Node(id) => match self.positions.get(id.as_str()) {
                Some(&index) => Goes::Step {
                    index,
                    node: &self.workflow.nodes[index],
                },
                None => Goes::Missing(id),
            },
            EdgeTo::End => Goes::End,
            EdgeTo::Sop(id) => Goes::Sop(id),
        }
    }

    /// Whether the branch of the step at `index` to `to` is the plain fall
    /// through to the next step (which a page does not print).
    pub fn falls_through(&self, index: usize, to: &EdgeTo) -> bool {
        matches!(self.goes_any(to), Some(i) if i == index + 1)
    }

    fn goes_any(&self, to: &EdgeTo) -> Option<usize> {
        match to {
            EdgeTo::Node(id) => self.positions.get(id.as_str()).copied(),
            _ => None,
        }
    }
}
