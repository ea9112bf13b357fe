//! What the exports to workflow engines (Serverless Workflow, Step
//! Functions) share: the names of tasks and states, the workflow's name and
//! version in the forms the engines accept, the details of a step, and where
//! each step goes next (docs/exports.md).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model::{Callout, EdgeTo, Node, NodeKind, Workflow};

/// The longest task or state name, in characters: Step Functions allows 80.
pub const MAX_NAME: usize = 80;

/// The CloudEvent type a step's completion is reported with.
pub const COMPLETION_EVENT: &str = "sop.step.completed";

/// Where an edge of the plan leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A step, by its index in [`Plan::steps`].
    Step(usize),
    End,
    /// A hand-off, by its index in [`Plan::handoffs`].
    Handoff(usize),
}

/// One step and where it goes.
pub struct StepPlan<'a> {
    pub node: &'a Node,
    /// The task or state name of the step.
    pub name: String,
    /// The name of what follows the step when it branches: the choice
    /// between its options, and in Serverless Workflow also the check for
    /// its timeout.
    pub branch_name: String,
    /// Where the step goes when its `within:` runs out.
    pub timeout: Option<Target>,
    /// A decision's options: condition and target, in document order.
    pub options: Vec<(&'a str, Target)>,
    /// Where the step goes otherwise: a decision's `otherwise`, a task's
    /// next step. `None` only for a decision without a default.
    pub default: Option<Target>,
}

/// A hand-off to another SOP.
pub struct Handoff {
    /// The other SOP's id.
    pub sop: String,
    /// The task or state name of the hand-off.
    pub name: String,
}

/// The steps of a workflow with names and targets, for the exports.
pub struct Plan<'a> {
    pub steps: Vec<StepPlan<'a>>,
    /// In the order they are first reached from the steps.
    pub handoffs: Vec<Handoff>,
    /// Names taken so far; helpers that a backend adds claim theirs here.
    pub names: Names,
}

impl<'a> Plan<'a> {
    pub fn new(workflow: &'a Workflow) -> Plan<'a> {
        let mut names = Names::default();
        // Reserved first, so that it stays as it is (no step is named so).
        names.claim("end");
        let step_names: Vec<String> = workflow
            .nodes
            .iter()
            .map(|node| names.claim(&step_name(node)))
            .collect();
        let branch_names: Vec<String> = step_names
            .iter()
            .map(|name| names.claim(&format!("{name}?")))
            .collect();
        let mut handoffs: Vec<Handoff> = Vec::new();
        let mut target = |to: &EdgeTo| match to {
            EdgeTo::Node(id) => workflow
                .nodes
                .iter()
                .position(|n| &n.id == id)
                .map_or(Target::End, Target::Step),
            EdgeTo::End => Target::End,
            EdgeTo::Sop(id) => match handoffs.iter().position(|h| &h.sop == id) {
                Some(k) => Target::Handoff(k),
                None => {
                    handoffs.push(Handoff {
                        sop: id.clone(),
                        name: names.claim(&format!("[[{id}]]")),
                    });
                    Target::Handoff(handoffs.len() - 1)
                }
            },
        };
        let mut steps = Vec::with_capacity(workflow.nodes.len());
        for ((node, name), branch_name) in workflow.nodes.iter().zip(step_names).zip(branch_names) {
            let mut step = StepPlan {
                node,
                name,
                branch_name,
                timeout: None,
                options: Vec::new(),
                default: None,
            };
            // Steps that share an id (only in files with errors) each take
            // all of that id's edges.
            for edge in workflow.edges.iter().filter(|e| e.from == node.id) {
                let to = target(&edge.to);
                if edge.on.is_some() {
                    step.timeout = step.timeout.or(Some(to));
                    continue;
                }
                match (node.kind, edge.when.as_deref()) {
                    (NodeKind::Decision, Some(condition))
                        if condition != "otherwise" || step.default.is_some() =>
                    {
                        step.options.push((condition, to))
                    }
                    _ => step.default = step.default.or(Some(to)),
                }
            }
            if node.kind == NodeKind::Task || step.options.is_empty() {
                // A step without options goes on whatever happens.
                step.default = step.default.or(Some(Target::End));
            }
            steps.push(step);
        }
        Plan {
            steps,
            handoffs,
            names,
        }
    }
}

/// A step's name before it is made unique: its id; `step 3` for the third
/// step when it has no id, and `step continue` for a step whose id is a
/// Serverless Workflow flow directive (`continue`, `exit`, `end`). Ids hold
/// no spaces, so these never meet a step's own id.
pub fn step_name(node: &Node) -> String {
    if !node.has_declared_id() {
        return format!("step {}", node.number);
    }
    let id = node.id.as_str();
    if ["continue", "exit", "end"]
        .iter()
        .any(|w| id.eq_ignore_ascii_case(w))
    {
        return format!("step {id}");
    }
    id.to_string()
}

/// The task and state names of one output, each unique.
#[derive(Default)]
pub struct Names {
    taken: BTreeSet<String>,
}

impl Names {
    /// `wanted`, cut to [`MAX_NAME`] characters (the cut marked by `~` and a
    /// hash of the whole name, as handbook page names are), and followed by
    /// `~2`, `~3`… in the unlikely case that the name is taken.
    pub fn claim(&mut self, wanted: &str) -> String {
        let base = fit(wanted, MAX_NAME, '~');
        let mut name = base.clone();
        let mut k = 2u32;
        while self.taken.contains(&name) {
            let suffix = format!("~{k}");
            let keep = MAX_NAME.saturating_sub(suffix.chars().count());
            name = base.chars().take(keep).collect::<String>() + &suffix;
            k += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

/// `text` when it has at most `max` characters; otherwise its start, then
/// `mark` and 16 hex digits of a hash of the whole text.
fn fit(text: &str, max: usize, mark: char) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let hash = format!("{mark}{:016x}", fnv1a(text));
    let keep = max.saturating_sub(hash.len());
    text.chars().take(keep).collect::<String>() + &hash
}

/// A hash that stays the same across builds and platforms: 64-bit FNV-1a.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// An SOP's name in the engines: its id when it is 1 to 63 ASCII letters,
/// digits and inner hyphens (what Serverless Workflow allows for a name);
/// otherwise those characters of it, every other run of characters as one
/// `-`, and a hash of the id, so that different ids keep different names.
pub fn workflow_name(id: &str) -> String {
    const MAX: usize = 63;
    let fits = |s: &str| {
        !s.is_empty()
            && s.len() <= MAX
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
    };
    if fits(id) {
        return id.to_string();
    }
    let mut slug = String::new();
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let hash = format!("{:016x}", fnv1a(id));
    let keep = MAX - hash.len() - 1;
    let slug: String = slug.trim_matches('-').chars().take(keep).collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("sop-{hash}")
    } else {
        format!("{slug}-{hash}")
    }
}

/// `version:` as a semantic version: the `v` dropped, leading zeros
/// dropped, padded to three numbers (`1.2` → `1.2.0`), numbers past the
/// third kept as build metadata (`1.2.3.4` → `1.2.3+4`). Without a version,
/// or with one that is not dot-separated numbers, `0.0.0`.
pub fn semver(version: Option<&str>) -> String {
    const NONE: &str = "0.0.0";
    let Some(version) = version else {
        return NONE.into();
    };
    let version = version.strip_prefix(['v', 'V']).unwrap_or(version).trim();
    let parts: Vec<&str> = version.split('.').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return NONE.into();
    }
    let number = |p: &str| {
        let p = p.trim_start_matches('0');
        if p.is_empty() {
            "0".to_string()
        } else {
            p.to_string()
        }
    };
    let mut core: Vec<String> = parts.iter().take(3).map(|p| number(p)).collect();
    core.resize(3, "0".into());
    let mut out = core.join(".");
    if parts.len() > 3 {
        out.push('+');
        out.push_str(&parts[3..].join("."));
    }
    out
}

/// What a person needs to do a step: the step's fields, empty ones left
/// out. The Serverless Workflow export has it as the step task's
/// `metadata`, the Step Functions export in the message the task sends.
#[derive(Serialize)]
pub struct StepDetails<'a> {
    /// The step's id in the JSON workflow (`#3` without a declared id).
    pub step: &'a str,
    pub number: usize,
    pub title: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub roles: &'a [String],
    /// ISO 8601.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub text: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub say: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ask: Option<&'a str>,
    /// A decision's conditions, one of which the answer names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub callouts: &'a [Callout],
}

impl<'a> StepDetails<'a> {
    pub fn of(step: &StepPlan<'a>) -> StepDetails<'a> {
        let node = step.node;
        StepDetails {
            step: &node.id,
            number: node.number,
            title: &node.title,
            roles: &node.roles,
            within: node.within.map(|d| d.iso()),
            text: &node.text,
            say: &node.say,
            ask: node.ask.as_deref(),
            options: step.options.iter().map(|(c, _)| *c).collect(),
            callouts: &node.callouts,
        }
    }
}

/// The subject of a step's completion event: `<SOP id>/<step id>`.
pub fn completion_subject(workflow: &Workflow, node: &Node) -> String {
    format!("{}/{}", workflow.id, node.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_become_semantic_versions() {
        assert_eq!(semver(Some("1.2")), "1.2.0");
        assert_eq!(semver(Some("V2.0.3")), "2.0.3");
        assert_eq!(semver(Some("1")), "1.0.0");
        assert_eq!(semver(Some("01.002.0")), "1.2.0");
        assert_eq!(semver(Some("1.2.3.4.5")), "1.2.3+4.5");
        assert_eq!(semver(None), "0.0.0");
        assert_eq!(semver(Some("1..2")), "0.0.0");
        assert_eq!(semver(Some("beta")), "0.0.0");
    }

    #[test]
    fn workflow_names_fit_the_pattern_and_keep_ids_apart() {
        assert_eq!(workflow_name("CS-001"), "CS-001");
        let a = workflow_name("VAL.1");
        let b = workflow_name("VAL_1");
        assert!(a.starts_with("VAL-1-") && b.starts_with("VAL-1-") && a != b);
        assert!(workflow_name("投诉").starts_with("sop-"));
        let long = workflow_name(&"A".repeat(200));
        assert_eq!(long.len(), 63);
        for name in [a, b, long, workflow_name(""), workflow_name("-x-")] {
            assert!(name.len() <= 63 && !name.starts_with('-') && !name.ends_with('-'));
            assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        }
    }

    #[test]
    fn names_are_unique_and_short() {
        let mut names = Names::default();
        let long = "x".repeat(200);
        let first = names.claim(&long);
        assert_eq!(first.chars().count(), MAX_NAME);
        let second = names.claim(&long);
        assert_ne!(first, second);
        assert_eq!(second.chars().count(), MAX_NAME);
        assert_eq!(names.claim("greet"), "greet");
        assert_eq!(names.claim("greet"), "greet~2");
    }
}
