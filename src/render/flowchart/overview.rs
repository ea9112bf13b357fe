//! The overview of a procedure too large for one flowchart: each run of
//! consecutive steps is one box (linking to its first step), and the
//! arrows between runs are counted. Drawn for the HTML page (SVG) and the
//! Markdown (Mermaid) instead of the full flowchart, under a note that
//! says so.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::layout::{self, EdgeSpec, NodeSpec, Size};
use super::svg::{self, DrawEdge, DrawNode, Shape};
use super::{step_anchor, text_box, LABEL_EM, LABEL_LINES, TITLE_EM, TITLE_LINES};
use crate::model::{EdgeTo, Workflow, WorstPlaces};
use crate::render::mermaid::label;
use crate::render::{Labels, RenderContext};

/// The most steps a flowchart draws one by one. Past it, a flowchart is
/// taller than a hundred screens and its arrows cannot be followed.
pub const MAX_DRAWN_STEPS: usize = 200;
/// About how many boxes an overview has.
const BOXES: usize = 40;

/// Where an overview arrow leads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Run(usize),
    End,
    Sop(String),
}

/// Runs of consecutive steps and the arrows between them.
#[derive(Debug)]
pub struct Overview {
    /// Steps per run (the last run may hold fewer).
    pub size: usize,
    /// The first and last node index of every run.
    runs: Vec<(usize, usize)>,
    /// (from run, to, how many edges, on the worst path), in that order.
    arrows: Vec<(usize, Target, usize, bool)>,
    /// The run of the start step, and whether the worst path starts there.
    start: Option<(usize, bool)>,
}

impl Overview {
    /// The overview of a procedure of more than [`MAX_DRAWN_STEPS`] steps.
    pub fn of(workflow: &Workflow) -> Option<Self> {
        let count = workflow.nodes.len();
        if count <= MAX_DRAWN_STEPS {
            return None;
        }
        let size = count.div_ceil(BOXES);
        let runs: Vec<(usize, usize)> = (0..count)
            .step_by(size)
            .map(|first| (first, (first + size).min(count) - 1))
            .collect();
        let run_of: BTreeMap<&str, usize> = workflow
            .nodes
            .iter()
            .enumerate()
            .map(|(k, n)| (n.id.as_str(), k / size))
            .collect();
        let worst = WorstPlaces::new(&workflow.analysis);
        let mut arrows: BTreeMap<(usize, Target), (usize, bool)> = BTreeMap::new();
        for edge in &workflow.edges {
            let Some(&from) = run_of.get(edge.from.as_str()) else {
                continue;
            };
            let to = match &edge.to {
                EdgeTo::Node(id) => match run_of.get(id.as_str()) {
                    Some(&to) if to != from => Target::Run(to),
                    _ => continue,
                },
                EdgeTo::End => Target::End,
                EdgeTo::Sop(id) => Target::Sop(id.clone()),
            };
            let entry = arrows.entry((from, to)).or_insert((0, false));
            entry.0 += 1;
            entry.1 |= worst.has_edge(&edge.from, &edge.to);
        }
        let start = workflow
            .start
            .as_deref()
            .and_then(|s| run_of.get(s))
            .map(|&run| (run, !workflow.analysis.worst_path.is_empty()));
        Some(Overview {
            size,
            runs,
            arrows: arrows
                .into_iter()
                .map(|((from, to), (count, worst))| (from, to, count, worst))
                .collect(),
            start,
        })
    }

    /// The note above the overview, in the file's language.
    pub fn note(&self, workflow: &Workflow, labels: &Labels) -> String {
        labels.overview_text(workflow.nodes.len(), self.size)
    }

    fn run_title(&self, workflow: &Workflow, labels: &Labels, run: usize) -> String {
        let (first, last) = self.runs[run];
        labels.step_range_text(workflow.nodes[first].number, workflow.nodes[last].number)
    }

    /// The overview as one `<svg>` element.
    pub fn render(&self, workflow: &Workflow, labels: &Labels, ctx: &RenderContext<'_>) -> String {
        let worst = WorstPlaces::new(&workflow.analysis);
        let mut nodes: Vec<DrawNode> = vec![DrawNode {
            shape: Shape::Start,
            size: Size {
                width: 14.0,
                height: 14.0,
            },
            side_indent: 0.0,
            lines: Vec::new(),
            tooltip: String::new(),
            href: None,
            worst: self.start.is_some_and(|s| s.1),
        }];
        for (run, &(first, last)) in self.runs.iter().enumerate() {
            let title = self.run_title(workflow, labels, run);
            let (lines, _) = svg::wrap(&title, TITLE_EM, TITLE_LINES);
            let (a, b) = (&workflow.nodes[first], &workflow.nodes[last]);
            nodes.push(DrawNode {
                shape: Shape::Task,
                size: text_box(&lines, svg::FONT_SIZE, 0.0),
                side_indent: 0.0,
                lines,
                tooltip: format!("{}. {} … {}. {}", a.number, a.title, b.number, b.title),
                href: Some(format!("#{}", step_anchor(&a.id))),
                worst: workflow.nodes[first..=last]
                    .iter()
                    .any(|n| worst.has_step(&n.id)),
            });
        }
        let mut edges: Vec<EdgeSpec> = Vec::new();
        let mut draw_edges: Vec<DrawEdge> = Vec::new();
        if let Some((run, on_worst)) = self.start {
            edges.push(EdgeSpec {
                from: 0,
                to: run + 1,
                label: None,
            });
            draw_edges.push(DrawEdge {
                worst: on_worst,
                ..DrawEdge::default()
            });
        }
        for (from, to, count, on_worst) in &self.arrows {
            let to = match to {
                Target::Run(run) => run + 1,
                Target::End => {
                    let lines = vec![labels.end.to_string()];
                    let size = text_box(&lines, svg::FONT_SIZE, 0.0);
                    nodes.push(DrawNode {
                        shape: Shape::End,
                        size: Size {
                            width: size.width.min(96.0),
                            height: 28.0,
                        },
                        side_indent: 0.0,
                        lines,
                        tooltip: labels.end.to_string(),
                        href: None,
                        worst: *on_worst,
                    });
                    nodes.len() - 1
                }
                Target::Sop(id) => {
                    let (mut lines, _) = svg::wrap(id, TITLE_EM, 1);
                    lines.insert(0, labels.hand_off.to_string());
                    let size = text_box(&lines, svg::FONT_SIZE, 0.0);
                    nodes.push(DrawNode {
                        shape: Shape::HandOff,
                        size: Size {
                            width: size.width,
                            height: size.height + 4.0,
                        },
                        side_indent: 0.0,
                        lines,
                        tooltip: format!("{} {id}", labels.hand_off),
                        href: (ctx.sop_link)(id)
                            .filter(|u| !crate::render::prose::is_dangerous_url(u)),
                        worst: *on_worst,
                    });
                    nodes.len() - 1
                }
            };
            let draw = if *count > 1 {
                let text = count.to_string();
                let (lines, _) = svg::wrap(&text, LABEL_EM, LABEL_LINES);
                let width = svg::text_width(&text) * svg::LABEL_FONT_SIZE + 10.0;
                let height = svg::line_height(svg::LABEL_FONT_SIZE) + 4.0;
                DrawEdge {
                    lines,
                    size: Some(Size { width, height }),
                    worst: *on_worst,
                    ..DrawEdge::default()
                }
            } else {
                DrawEdge {
                    worst: *on_worst,
                    ..DrawEdge::default()
                }
            };
            edges.push(EdgeSpec {
                from: from + 1,
                to,
                label: draw.size,
            });
            draw_edges.push(draw);
        }
        let specs: Vec<NodeSpec> = nodes
            .iter()
            .map(|n| NodeSpec {
                size: n.size,
                side_indent: n.side_indent,
                lane: 0,
            })
            .collect();
        let layout = layout::layout(&specs, &edges, 0);
        let title = format!("{}: {} — {}", workflow.id, workflow.title, labels.flowchart);
        let mut out = String::with_capacity(4096 + 600 * nodes.len());
        svg::draw(&mut out, &title, &nodes, &draw_edges, &[], &layout);
        out
    }

    /// The overview as Mermaid `flowchart TD` source, ending with a newline.
    pub fn mermaid(&self, workflow: &Workflow, labels: &Labels) -> String {
        let mut out = String::from("flowchart TD\n");
        for run in 0..self.runs.len() {
            let title = label(&self.run_title(workflow, labels, run));
            let _ = writeln!(out, "    r{}(\"{title}\")", run + 1);
        }
        let mut hand_offs: BTreeMap<&str, usize> = BTreeMap::new();
        let mut reaches_end = false;
        for (_, to, _, _) in &self.arrows {
            match to {
                Target::Sop(id) => {
                    let next = hand_offs.len() + 1;
                    hand_offs.entry(id.as_str()).or_insert(next);
                }
                Target::End => reaches_end = true,
                Target::Run(_) => {}
            }
        }
        let mut numbered: Vec<(&usize, &&str)> = hand_offs.iter().map(|(k, v)| (v, k)).collect();
        numbered.sort_unstable();
        for (n, id) in numbered {
            let text = label(&format!("{} {id}", labels.hand_off));
            let _ = writeln!(out, "    h_{n}[[\"{text}\"]]");
        }
        if reaches_end {
            let _ = writeln!(out, "    done([\"{}\"])", label(labels.end));
        }
        for (from, to, count, _) in &self.arrows {
            let to = match to {
                Target::Run(run) => format!("r{}", run + 1),
                Target::End => "done".to_string(),
                Target::Sop(id) => format!("h_{}", hand_offs[id.as_str()]),
            };
            if *count > 1 {
                let _ = writeln!(out, "    r{} -->|\"{count}\"| {to}", from + 1);
            } else {
                let _ = writeln!(out, "    r{} --> {to}", from + 1);
            }
        }
        out.push_str("    classDef handoff fill:#f5f3ff,stroke:#7c3aed,color:#1e293b\n");
        out.push_str("    classDef finish fill:#f1f5f9,stroke:#334155,color:#1e293b\n");
        if !hand_offs.is_empty() {
            let list: Vec<String> = (1..=hand_offs.len()).map(|n| format!("h_{n}")).collect();
            let _ = writeln!(out, "    class {} handoff", list.join(","));
        }
        if reaches_end {
            out.push_str("    class done finish\n");
        }
        out
    }
}
