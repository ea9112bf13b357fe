//! The procedure as a Mermaid flowchart, for the Markdown output (GitHub and
//! GitLab draw ```` ```mermaid ```` blocks).
//!
//! One node per step, `s<number>`: tasks are rounded boxes, decisions
//! diamonds. Every hand-off target is one subroutine box `h_<n>` (numbered
//! in order of first use) and the end, when some edge reaches it, one
//! stadium `done` (`end` is a Mermaid keyword). Option conditions label
//! their edges, `otherwise` in the content's language.
//!
//! Labels are quoted, and everything Mermaid (or the Markdown it applies to
//! labels since version 10) could read as syntax is written as an entity
//! code (`#quot;`, `#42;`…), so a title shows as written.
//!
//! When two or more roles have steps, each role's steps are in a
//! `subgraph` named after the role (see [`crate::render::lanes`]); the end
//! and the hand-offs stay outside.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::model::{EdgeTo, NodeKind, Workflow, WorstPlaces};
use crate::render::lanes::Swimlanes;
use crate::render::Labels;

/// The `flowchart TD` source (without the fence), ending with a newline.
pub fn mermaid(workflow: &Workflow, labels: &'static Labels) -> String {
    let mut out = String::from("flowchart TD\n");
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    let mut decisions: Vec<String> = Vec::new();
    let swimlanes = Swimlanes::of(workflow, labels);
    let lanes = swimlanes.drawn().then_some(&swimlanes);
    // The node declarations of every lane (one list without lanes).
    let mut declared: Vec<String> = vec![String::new(); lanes.map_or(1, |l| l.lanes.len())];
    for (k, node) in workflow.nodes.iter().enumerate() {
        let id = format!("s{}", node.number);
        let text = label(&format!("{}. {}", node.number, node.title));
        let into = &mut declared[lanes.map_or(0, |l| l.of_node[k])];
        let _ = match node.kind {
            NodeKind::Task => writeln!(into, "{id}(\"{text}\")"),
            NodeKind::Decision => {
                decisions.push(id.clone());
                writeln!(into, "{id}{{\"{text}\"}}")
            }
        };
        ids.entry(node.id.as_str()).or_insert(id);
    }
    match lanes {
        None => {
            for line in declared[0].lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
        Some(lanes) => {
            for (k, (lane, lines)) in lanes.lanes.iter().zip(&declared).enumerate() {
                let _ = writeln!(out, "    subgraph lane{}[\"{}\"]", k + 1, label(lane.name));
                for line in lines.lines() {
                    let _ = writeln!(out, "        {line}");
                }
                out.push_str("    end\n");
            }
        }
    }

    // Hand-off targets, one node per SOP, in order of first use.
    let mut hand_offs: Vec<&str> = Vec::new();
    let mut hand_off_number: BTreeMap<&str, usize> = BTreeMap::new();
    let mut reaches_end = false;
    for edge in &workflow.edges {
        match &edge.to {
            EdgeTo::Sop(sop) if !hand_off_number.contains_key(sop.as_str()) => {
                hand_offs.push(sop);
                hand_off_number.insert(sop, hand_offs.len());
            }
            EdgeTo::End => reaches_end = true,
            _ => {}
        }
    }
    for (n, sop) in hand_offs.iter().enumerate() {
        let text = label(&format!("{} {sop}", labels.hand_off));
        let _ = writeln!(out, "    h_{}[[\"{text}\"]]", n + 1);
    }
    if reaches_end {
        let _ = writeln!(out, "    done([\"{}\"])", label(labels.end));
    }

    // The worst path, and the links along it.
    let path = &workflow.analysis.worst_path;
    let worst = WorstPlaces::new(&workflow.analysis);
    let within: BTreeMap<&str, Option<crate::values::Duration>> = workflow
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), n.within))
        .collect();
    let mut links = 0usize;
    let mut worst_links: Vec<String> = Vec::new();
    for edge in &workflow.edges {
        let Some(from) = ids.get(edge.from.as_str()) else {
            continue;
        };
        let to = match &edge.to {
            EdgeTo::Node(id) => match ids.get(id.as_str()) {
                Some(to) => to.clone(),
                // Only in a document with errors: nothing to draw.
                None => continue,
            },
            EdgeTo::End => "done".to_string(),
            EdgeTo::Sop(sop) => format!("h_{}", hand_off_number.get(sop.as_str()).unwrap_or(&1)),
        };
        let _ = match edge.label() {
            // A timeout is dashed and labelled with the step's limit.
            _ if edge.on.is_some() => {
                let limit = within.get(edge.from.as_str()).copied().flatten();
                writeln!(
                    out,
                    "    {from} -.->|\"{}\"| {to}",
                    label(&labels.timeout_label(limit))
                )
            }
            None => writeln!(out, "    {from} --> {to}"),
            Some("otherwise") => {
                writeln!(out, "    {from} -->|\"{}\"| {to}", label(labels.otherwise))
            }
            Some(condition) => writeln!(out, "    {from} -->|\"{}\"| {to}", label(condition)),
        };
        if worst.has_edge(&edge.from, &edge.to) {
            worst_links.push(links.to_string());
        }
        links += 1;
    }

    // Explicit text colours keep the light fills readable in dark themes.
    out.push_str("    classDef decision fill:#eff6ff,stroke:#1d4ed8,color:#1e293b\n");
    out.push_str("    classDef handoff fill:#f5f3ff,stroke:#7c3aed,color:#1e293b\n");
    out.push_str("    classDef finish fill:#f1f5f9,stroke:#334155,color:#1e293b\n");
    if !decisions.is_empty() {
        let _ = writeln!(out, "    class {} decision", decisions.join(","));
    }
    if !hand_offs.is_empty() {
        let list: Vec<String> = (1..=hand_offs.len()).map(|n| format!("h_{n}")).collect();
        let _ = writeln!(out, "    class {} handoff", list.join(","));
    }
    if reaches_end {
        out.push_str("    class done finish\n");
    }
    let worst_nodes: Vec<&str> = path
        .iter()
        .filter_map(|id| ids.get(id.as_str()).map(String::as_str))
        .collect();
    if !worst_nodes.is_empty() {
        out.push_str("    classDef worst stroke:#be123c,stroke-width:3px\n");
        let _ = writeln!(out, "    class {} worst", worst_nodes.join(","));
    }
    if !worst_links.is_empty() {
        let _ = writeln!(
            out,
            "    linkStyle {} stroke:#be123c,stroke-width:3px",
            worst_links.join(",")
        );
    }
    out
}

/// The text of a quoted Mermaid label. Quotes, the entity marker `#`, HTML
/// and the Markdown Mermaid applies to labels (emphasis, code, links, a
/// leading list marker such as `1.`) become entity codes; line breaks
/// become spaces.
pub fn label(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let chars: Vec<char> = text.trim().chars().collect();
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    for (i, &c) in chars.iter().enumerate() {
        let at_start = i == 0;
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '*' | '_' | '`' | '~' | '[' | ']' | '\\' | '|' | '{' | '}' => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            // `1. Title` would be an ordered list, `- x` a bullet list.
            '.' | ')' if digits > 0 && i == digits => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            '-' | '+' | '=' if at_start => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn labels_are_neutralised() {
        assert_eq!(label("1. Greet"), "1#46; Greet");
        assert_eq!(label("say \"hi\""), "say #quot;hi#quot;");
        assert_eq!(label("<b>x</b> #3"), "#lt;b#gt;x#lt;/b#gt; #35;3");
        assert_eq!(label("**bold** a_b"), "#42;#42;bold#42;#42; a#95;b");
        assert_eq!(label("- item"), "#45; item");
        assert_eq!(label("需求挖掘"), "需求挖掘");
        assert_eq!(label("12) x. y"), "12#41; x. y");
    }
}
