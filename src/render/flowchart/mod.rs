//! The procedure as an inline SVG flowchart, laid out by sop itself.
//!
//! Steps are rounded boxes, decisions hexagons, each linking to its step on
//! the page (`#step-<id>`). A small dot marks the start. Every step that
//! ends the procedure gets its own `end` pill, every hand-off its own
//! double-bordered box naming the other SOP. Option conditions label their
//! edges; loops run up lanes on the right. When two or more roles have
//! steps, every role gets a swimlane, a column headed by its name (see
//! [`crate::render::lanes`]). A procedure of more than [`MAX_DRAWN_STEPS`]
//! steps cannot be read as one flowchart: it gets an [`overview`] instead.
//! [`layout`] places everything, [`svg`] draws it.

pub mod layout;
pub mod overview;
pub mod svg;

use std::collections::BTreeMap;

use self::layout::{EdgeSpec, NodeSpec, Size};
use self::svg::{DrawEdge, DrawLane, DrawNode, Shape};
use crate::model::{EdgeTo, NodeKind, Workflow, WorstPlaces};
use crate::render::lanes::Swimlanes;
use crate::render::{Labels, RenderContext};

pub use self::overview::MAX_DRAWN_STEPS;

/// How wide a step's title may run before it wraps (about 28 Latin
/// characters), and how many lines it may take.
const TITLE_EM: f64 = 16.0;
const TITLE_LINES: usize = 2;
/// The same for edge labels (about 24 Latin characters, three lines).
const LABEL_EM: f64 = 13.5;
const LABEL_LINES: usize = 3;
const PAD_X: f64 = 12.0;
const PAD_Y: f64 = 9.0;
const MIN_WIDTH: f64 = 120.0;
const HEXAGON_INDENT: f64 = 14.0;
/// The same for a lane's heading.
const LANE_EM: f64 = 15.0;
const LANE_LINES: usize = 2;
/// The height of the lane headings' row.
const LANE_HEADING: f64 = 52.0;

/// The anchor of a step on the page: `step-<id>`, `step-<n>` for `#<n>`.
pub fn step_anchor(id: &str) -> String {
    format!("step-{}", id.trim_start_matches('#'))
}

/// Renders the flowchart of a procedure as one `<svg>` element; past
/// [`MAX_DRAWN_STEPS`] steps, its overview.
pub fn render(workflow: &Workflow, labels: &'static Labels, ctx: &RenderContext<'_>) -> String {
    if let Some(overview) = overview::Overview::of(workflow) {
        return overview.render(workflow, labels, ctx);
    }
    let swimlanes = Swimlanes::of(workflow, labels);
    let lanes = swimlanes.drawn().then_some(&swimlanes);
    let mut nodes: Vec<DrawNode> = Vec::with_capacity(workflow.nodes.len() + 4);
    // The lane of every drawn node (start and terminals go with their step).
    let mut node_lanes: Vec<usize> = Vec::with_capacity(workflow.nodes.len() + 4);
    node_lanes.push(lanes.and_then(|l| l.of_node.first().copied()).unwrap_or(0));
    nodes.push(DrawNode {
        shape: Shape::Start,
        size: Size {
            width: 14.0,
            height: 14.0,
        },
        side_indent: 0.0,
        lines: Vec::new(),
        tooltip: String::new(),
        href: None,
        worst: !workflow.analysis.worst_path.is_empty(),
    });
    let worst_path = WorstPlaces::new(&workflow.analysis);
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut within: BTreeMap<&str, Option<crate::values::Duration>> = BTreeMap::new();
    for (k, node) in workflow.nodes.iter().enumerate() {
        node_lanes.push(lanes.map_or(0, |l| l.of_node[k]));
        index.insert(node.id.as_str(), nodes.len());
        within.insert(node.id.as_str(), node.within);
        let text = format!("{}. {}", node.number, node.title);
        let (lines, _) = svg::wrap(&text, TITLE_EM, TITLE_LINES);
        let decision = node.kind == NodeKind::Decision;
        let indent = if decision { HEXAGON_INDENT } else { 0.0 };
        nodes.push(DrawNode {
            shape: if decision {
                Shape::Decision
            } else {
                Shape::Task
            },
            size: text_box(&lines, svg::FONT_SIZE, indent),
            side_indent: indent,
            lines,
            tooltip: text,
            href: Some(format!("#{}", step_anchor(&node.id))),
            worst: worst_path.has_step(&node.id),
        });
    }

    let mut edges: Vec<EdgeSpec> = Vec::with_capacity(workflow.edges.len() + 1);
    let mut draw_edges: Vec<DrawEdge> = Vec::with_capacity(workflow.edges.len() + 1);
    if let Some(&first) = workflow.start.as_deref().and_then(|s| index.get(s)) {
        edges.push(EdgeSpec {
            from: 0,
            to: first,
            label: None,
        });
        draw_edges.push(DrawEdge {
            worst: !workflow.analysis.worst_path.is_empty(),
            ..DrawEdge::default()
        });
    }
    // One terminal per step that ends the procedure, one per hand-off.
    let mut terminals: BTreeMap<(usize, Option<&str>), usize> = BTreeMap::new();
    for edge in &workflow.edges {
        let Some(&from) = index.get(edge.from.as_str()) else {
            continue;
        };
        let worst = worst_path.has_edge(&edge.from, &edge.to);
        let from_lane = node_lanes[from];
        let to = match &edge.to {
            EdgeTo::Node(id) => match index.get(id.as_str()) {
                Some(&to) => to,
                None => continue,
            },
            EdgeTo::End => *terminals.entry((from, None)).or_insert_with(|| {
                let lines = vec![labels.end.to_string()];
                nodes.push(DrawNode {
                    shape: Shape::End,
                    size: Size {
                        width: (svg::text_width(labels.end) * svg::FONT_SIZE + 32.0)
                            .max(64.0)
                            .ceil(),
                        height: 28.0,
                    },
                    side_indent: 0.0,
                    lines,
                    tooltip: labels.end.to_string(),
                    href: None,
                    worst,
                });
                node_lanes.push(from_lane);
                nodes.len() - 1
            }),
            EdgeTo::Sop(id) => *terminals
                .entry((from, Some(id.as_str())))
                .or_insert_with(|| {
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
                        worst,
                    });
                    node_lanes.push(from_lane);
                    nodes.len() - 1
                }),
        };
        let timeout = edge.on.is_some();
        let timeout_label;
        let condition = match edge.label() {
            _ if timeout => {
                let limit = within.get(edge.from.as_str()).copied().flatten();
                timeout_label = labels.timeout_label(limit);
                Some(timeout_label.as_str())
            }
            Some("otherwise") => Some(labels.otherwise),
            other => other,
        };
        let draw = match condition {
            Some(text) => {
                let (lines, cut) = svg::wrap(text, LABEL_EM, LABEL_LINES);
                let width = lines.iter().map(|l| svg::text_width(l)).fold(0.0, f64::max)
                    * svg::LABEL_FONT_SIZE
                    + 10.0;
                let height = lines.len() as f64 * svg::line_height(svg::LABEL_FONT_SIZE) + 4.0;
                DrawEdge {
                    lines,
                    size: Some(Size { width, height }),
                    tooltip: cut.then(|| text.to_string()),
                    timeout,
                    worst,
                }
            }
            None => DrawEdge {
                timeout,
                worst,
                ..DrawEdge::default()
            },
        };
        edges.push(EdgeSpec {
            from,
            to,
            label: draw.size,
        });
        draw_edges.push(draw);
    }

    let specs: Vec<NodeSpec> = nodes
        .iter()
        .zip(&node_lanes)
        .map(|(n, &lane)| NodeSpec {
            size: n.size,
            side_indent: n.side_indent,
            lane,
        })
        .collect();
    let title = format!("{}: {} — {}", workflow.id, workflow.title, labels.flowchart);
    let mut out = String::with_capacity(2048 + 600 * nodes.len());
    match lanes {
        Some(lanes) => {
            let headings: Vec<(Vec<String>, bool)> = lanes
                .lanes
                .iter()
                .map(|lane| svg::wrap(lane.name, LANE_EM, LANE_LINES))
                .collect();
            let widths: Vec<f64> = headings
                .iter()
                .map(|(lines, _)| text_box(lines, svg::FONT_SIZE, 0.0).width + 16.0)
                .collect();
            let mut layout = layout::layout_in_lanes(&specs, &edges, 0, &widths);
            layout.translate(0.0, LANE_HEADING);
            let draw_lanes: Vec<DrawLane> = lanes
                .lanes
                .iter()
                .zip(headings)
                .zip(&layout.lanes)
                .map(|((lane, (lines, _)), &(left, right))| DrawLane {
                    left,
                    right,
                    lines,
                    tooltip: lane.name.to_string(),
                    heading: LANE_HEADING,
                })
                .collect();
            svg::draw(&mut out, &title, &nodes, &draw_edges, &draw_lanes, &layout);
        }
        None => {
            let layout = layout::layout(&specs, &edges, 0);
            svg::draw(&mut out, &title, &nodes, &draw_edges, &[], &layout);
        }
    }
    out
}

/// The size of a box holding centred lines of text.
fn text_box(lines: &[String], font_size: f64, indent: f64) -> Size {
    let text = lines.iter().map(|l| svg::text_width(l)).fold(0.0, f64::max) * font_size;
    Size {
        width: (text + 2.0 * PAD_X + 1.6 * indent).max(MIN_WIDTH).ceil(),
        height: (lines.len().max(1) as f64 * svg::line_height(font_size) + 2.0 * PAD_Y).ceil(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors() {
        assert_eq!(step_anchor("greet"), "step-greet");
        assert_eq!(step_anchor("#3"), "step-3");
    }
}
