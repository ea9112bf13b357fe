//! Swimlanes: a lane per role that steps name, in the order of `roles:`,
//! and a lane of its own for the steps that name no role. A step with
//! several roles is in the lane of the first. Roles no step names get no
//! lane. The HTML and Mermaid flowcharts draw lanes when two or more roles
//! have steps; BPMN always has them.

use std::collections::HashMap;

use crate::model::Workflow;
use crate::render::Labels;

/// The lanes of a procedure and the lane of every step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Swimlanes<'a> {
    pub lanes: Vec<Lane<'a>>,
    /// The lane of each of the workflow's nodes, by index.
    pub of_node: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane<'a> {
    /// The role's id; `None` for the steps without a role.
    pub role: Option<&'a str>,
    /// What a reader sees: the role's description (its id when it has
    /// none), or "No role" in the file's language.
    pub name: &'a str,
}

impl<'a> Swimlanes<'a> {
    pub fn of(workflow: &'a Workflow, labels: &'static Labels) -> Self {
        let declared: HashMap<&str, usize> = workflow
            .roles
            .iter()
            .enumerate()
            .map(|(k, r)| (r.id.as_str(), k))
            .collect();
        // (declared position or past the end, first use) of every role used.
        let mut used: HashMap<&str, (usize, usize)> = HashMap::new();
        let mut unassigned = false;
        for (k, node) in workflow.nodes.iter().enumerate() {
            match node.roles.first() {
                Some(role) => {
                    let rank = declared.get(role.as_str()).copied().unwrap_or(usize::MAX);
                    used.entry(role.as_str()).or_insert((rank, k));
                }
                None => unassigned = true,
            }
        }
        let mut roles: Vec<(&str, (usize, usize))> = used.into_iter().collect();
        roles.sort_unstable_by_key(|&(_, rank)| rank);
        let mut lanes: Vec<Lane<'a>> = roles
            .iter()
            .map(|&(id, (rank, _))| {
                let description = workflow
                    .roles
                    .get(rank)
                    .map(|r| r.description.trim())
                    .filter(|d| !d.is_empty());
                Lane {
                    role: Some(id),
                    name: description.unwrap_or(id),
                }
            })
            .collect();
        if unassigned {
            lanes.push(Lane {
                role: None,
                name: labels.no_role,
            });
        }
        let index: HashMap<&str, usize> = lanes
            .iter()
            .enumerate()
            .filter_map(|(k, lane)| Some((lane.role?, k)))
            .collect();
        let none = lanes.len().saturating_sub(1);
        let of_node = workflow
            .nodes
            .iter()
            .map(|node| {
                node.roles
                    .first()
                    .and_then(|r| index.get(r.as_str()).copied())
                    .unwrap_or(none)
            })
            .collect();
        Swimlanes { lanes, of_node }
    }

    /// How many lanes belong to a role.
    pub fn role_count(&self) -> usize {
        self.lanes.iter().filter(|l| l.role.is_some()).count()
    }

    /// Whether a flowchart draws these lanes: two or more roles have steps.
    pub fn drawn(&self) -> bool {
        self.role_count() >= 2
    }
}
