//! BPMN 2.0 XML (docs/exports.md): one pool, a lane per role, the flow
//! left to right, with diagram interchange laid out by sop.
//!
//! - every step is a `userTask` named by its title, its prose, say, ask
//!   and callouts as documentation, its `within:` as extension data
//!   (`sop:within`, an ISO 8601 duration);
//! - a decision is its `userTask` (where the question is asked) followed by
//!   an `exclusiveGateway` named by the question: a `conditionExpression`
//!   per option (`${answer == "<option>"}`), `default` for `otherwise`;
//! - `timeout ->` is an interrupting timer `boundaryEvent` on the step's
//!   task, its `within:` as `timeDuration`, flowing to the timeout target;
//! - a hand-off is a `callActivity` (`calledElement` = the other SOP's
//!   process id) followed by its own end event; every step that ends the
//!   procedure gets its own end event;
//! - a step with several ways in gets an exclusive join gateway before it,
//!   so that no flow joins implicitly (bpmnlint's `fake-join`);
//! - `sla:` is in the process's documentation and its `sop:sla` extension.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::flowchart::layout::{self, EdgeSpec, NodeSpec, Point, Size};
use super::flowchart::svg;
use super::lanes::Swimlanes;
use super::{xml_into, Labels, RenderContext, Renderer};
use crate::model::{EdgeTo, NodeKind, Workflow};

pub struct Bpmn;

/// The namespace of sop's extension elements.
pub const EXTENSION_NAMESPACE: &str = "urn:sop:bpmn:1";

/// Width of the pool's and the lanes' name strips.
const STRIP: f64 = 30.0;
const TASK_MIN: Size = Size {
    width: 100.0,
    height: 80.0,
};
const EVENT: f64 = 36.0;
const GATEWAY: f64 = 50.0;
/// Room under an event or gateway for its name.
const NAME_ROOM: f64 = 34.0;

impl Renderer for Bpmn {
    fn extension(&self) -> &'static str {
        "bpmn"
    }

    fn render(&self, workflow: &Workflow, _: &RenderContext<'_>) -> String {
        let labels = Labels::for_language(workflow.meta.language.as_deref());
        Process::build(workflow, labels).write(workflow, labels)
    }
}

/// The id of the process an SOP becomes (`Process_CS-003`); also what a
/// `callActivity` of another SOP calls.
pub fn process_id(sop: &str) -> String {
    format!("Process_{}", ncname_part(sop))
}

/// Keeps the characters an XML NCName allows after its first (ASCII
/// letters, digits, `-`, `.`, `_`); anything else becomes `_`.
fn ncname_part(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Start,
    Task,
    /// A decision's gateway; `default` is its flow for `otherwise`.
    Split,
    Join,
    Call,
    End,
}

#[derive(Debug)]
struct Element {
    kind: Kind,
    id: String,
    name: String,
    documentation: String,
    /// The step's `within:` as extension data (ISO 8601).
    within: Option<String>,
    /// For a call activity: the process it calls.
    called: Option<String>,
    /// The lane (an index into the swimlanes), `None` without lanes.
    lane: Option<usize>,
    incoming: Vec<usize>,
    outgoing: Vec<usize>,
    default: Option<usize>,
}

#[derive(Debug)]
struct Flow {
    id: String,
    /// Element index; a flow out of a timer leaves from its task.
    from: usize,
    to: usize,
    name: Option<String>,
    /// `${answer == "…"}` for a decision's option.
    condition: Option<String>,
    /// Leaves from the step's timer boundary event.
    timer: Option<usize>,
}

#[derive(Debug)]
struct Timer {
    id: String,
    name: String,
    /// The task it is attached to.
    task: usize,
    duration: String,
    flow: usize,
}

struct Process<'a> {
    elements: Vec<Element>,
    flows: Vec<Flow>,
    timers: Vec<Timer>,
    lanes: Option<Swimlanes<'a>>,
}

impl<'a> Process<'a> {
    fn build(workflow: &'a Workflow, labels: &'static Labels) -> Self {
        let swimlanes = Swimlanes::of(workflow, labels);
        let has_lanes = swimlanes.role_count() > 0;
        let lane_of = |k: usize| has_lanes.then(|| swimlanes.of_node[k]);
        let mut p = Process {
            elements: Vec::with_capacity(workflow.nodes.len() * 2 + 4),
            flows: Vec::with_capacity(workflow.edges.len() + workflow.nodes.len()),
            timers: Vec::new(),
            lanes: None,
        };
        let start = p.add(Element {
            name: labels.start.to_string(),
            lane: lane_of(0),
            ..Element::new(Kind::Start, "StartEvent_1".into())
        });
        // Every step's task, and its index by id.
        let mut task_of: BTreeMap<&str, usize> = BTreeMap::new();
        for (k, node) in workflow.nodes.iter().enumerate() {
            let element = Element {
                name: node.title.clone(),
                documentation: documentation(node, labels),
                within: node.within.map(|d| d.iso()),
                lane: lane_of(k),
                ..Element::new(Kind::Task, format!("Task_{}", node.number))
            };
            task_of.insert(node.id.as_str(), p.add(element));
        }
        // A decision's gateway, after its task.
        let mut split_of: BTreeMap<&str, usize> = BTreeMap::new();
        for (k, node) in workflow.nodes.iter().enumerate() {
            if node.kind != NodeKind::Decision {
                continue;
            }
            let name = node
                .ask
                .clone()
                .filter(|a| !a.trim().is_empty())
                .unwrap_or_else(|| node.title.clone());
            let split = p.add(Element {
                name,
                lane: lane_of(k),
                ..Element::new(Kind::Split, format!("Gateway_{}", node.number))
            });
            p.connect(task_of[node.id.as_str()], split, None, None);
            split_of.insert(node.id.as_str(), split);
        }
        // The flows of the start and the edges, to tasks (joined below),
        // ends and calls: (from, timer, to, name, condition, is default).
        type Pending = (
            usize,
            Option<usize>,
            usize,
            Option<String>,
            Option<String>,
            bool,
        );
        let mut pending: Vec<Pending> = Vec::new();
        if let Some(&first) = workflow.start.as_deref().and_then(|s| task_of.get(s)) {
            pending.push((start, None, first, None, None, false));
        }
        let mut ends = 0;
        let mut calls = 0;
        let index: BTreeMap<&str, usize> = workflow
            .nodes
            .iter()
            .enumerate()
            .map(|(k, n)| (n.id.as_str(), k))
            .collect();
        for edge in &workflow.edges {
            let Some(&k) = index.get(edge.from.as_str()) else {
                continue;
            };
            let node = &workflow.nodes[k];
            let task = task_of[node.id.as_str()];
            let to = match &edge.to {
                EdgeTo::Node(id) => match task_of.get(id.as_str()) {
                    Some(&t) => t,
                    None => continue,
                },
                EdgeTo::End => {
                    ends += 1;
                    p.add(Element {
                        name: labels.end.to_string(),
                        lane: lane_of(k),
                        ..Element::new(Kind::End, format!("EndEvent_{ends}"))
                    })
                }
                EdgeTo::Sop(id) => {
                    calls += 1;
                    let call = p.add(Element {
                        name: format!("{} {id}", labels.hand_off),
                        called: Some(process_id(id)),
                        lane: lane_of(k),
                        ..Element::new(Kind::Call, format!("CallActivity_{calls}"))
                    });
                    ends += 1;
                    let end = p.add(Element {
                        name: labels.end.to_string(),
                        lane: lane_of(k),
                        ..Element::new(Kind::End, format!("EndEvent_{ends}"))
                    });
                    p.connect(call, end, None, None);
                    call
                }
            };
            if edge.on.is_some() {
                let limit = node.within;
                let timer = p.timers.len();
                p.timers.push(Timer {
                    id: format!("Timer_{}", node.number),
                    name: labels.timeout_label(limit),
                    task,
                    duration: limit.map_or_else(|| "PT0S".into(), |d| d.iso()),
                    flow: usize::MAX,
                });
                pending.push((task, Some(timer), to, None, None, false));
                continue;
            }
            let from = split_of.get(node.id.as_str()).copied().unwrap_or(task);
            let (name, condition) = match edge.when.as_deref() {
                Some("otherwise") => (Some(labels.otherwise.to_string()), None),
                Some(option) => (Some(option.to_string()), Some(condition(option))),
                None => (None, None),
            };
            let default = from != task && edge.when.as_deref() == Some("otherwise");
            pending.push((from, None, to, name, condition, default));
        }
        // A task with more than one way in gets a join gateway before it.
        let mut ways_in = vec![0usize; p.elements.len()];
        for &(_, _, to, ..) in &pending {
            ways_in[to] += 1;
        }
        let mut join_of: BTreeMap<usize, usize> = BTreeMap::new();
        for (from, timer, to, name, condition, default) in pending {
            let target = if ways_in[to] > 1 {
                match join_of.get(&to) {
                    Some(&join) => join,
                    None => {
                        let lane = p.elements[to].lane;
                        let id = p.elements[to].id.replacen("Task_", "Join_", 1);
                        let join = p.add(Element {
                            lane,
                            ..Element::new(Kind::Join, id)
                        });
                        join_of.insert(to, join);
                        join
                    }
                }
            } else {
                to
            };
            let flow = p.flows.len();
            p.flows.push(Flow {
                id: format!("Flow_{}", flow + 1),
                from,
                to: target,
                name,
                condition,
                timer,
            });
            match timer {
                Some(t) => p.timers[t].flow = flow,
                None => p.elements[from].outgoing.push(flow),
            }
            if default {
                p.elements[from].default = Some(flow);
            }
            p.elements[target].incoming.push(flow);
        }
        for (&task, &join) in &join_of {
            p.connect(join, task, None, None);
        }
        p.lanes = has_lanes.then_some(swimlanes);
        p
    }

    fn add(&mut self, element: Element) -> usize {
        self.elements.push(element);
        self.elements.len() - 1
    }

    fn connect(&mut self, from: usize, to: usize, name: Option<String>, condition: Option<String>) {
        let flow = self.flows.len();
        self.flows.push(Flow {
            id: format!("Flow_{}", flow + 1),
            from,
            to,
            name,
            condition,
            timer: None,
        });
        self.elements[from].outgoing.push(flow);
        self.elements[to].incoming.push(flow);
    }

    /// The XML document.
    fn write(&self, workflow: &Workflow, labels: &Labels) -> String {
        let diagram = Diagram::lay_out(self);
        let process = process_id(&workflow.id);
        let mut out = String::with_capacity(4096 + 1200 * self.elements.len());
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" \
             xmlns:bpmndi=\"http://www.omg.org/spec/BPMN/20100524/DI\" \
             xmlns:dc=\"http://www.omg.org/spec/DD/20100524/DC\" \
             xmlns:di=\"http://www.omg.org/spec/DD/20100524/DI\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xmlns:sop=\"{EXTENSION_NAMESPACE}\" id=\"Definitions_1\" \
             targetNamespace=\"{EXTENSION_NAMESPACE}\" exporter=\"sop\" exporterVersion=\"{}\">",
            env!("CARGO_PKG_VERSION")
        );
        out.push_str("  <bpmn:collaboration id=\"Collaboration_1\">\n");
        out.push_str("    <bpmn:participant id=\"Participant_1\" name=\"");
        xml_into(&mut out, &format!("{}: {}", workflow.id, workflow.title));
        let _ = writeln!(out, "\" processRef=\"{process}\" />");
        out.push_str("  </bpmn:collaboration>\n");
        let _ = write!(out, "  <bpmn:process id=\"{process}\" name=\"");
        xml_into(&mut out, &workflow.title);
        out.push_str("\" isExecutable=\"false\">\n");
        let mut doc = workflow.purpose.trim().to_string();
        if let Some(sla) = workflow.meta.sla {
            let _ = write!(
                doc,
                "\n\n{}",
                labels.field(labels.sla, &labels.duration(sla))
            );
        }
        if !doc.trim().is_empty() {
            out.push_str("    <bpmn:documentation>");
            xml_into(&mut out, doc.trim());
            out.push_str("</bpmn:documentation>\n");
        }
        if let Some(sla) = workflow.meta.sla {
            let _ = writeln!(
                out,
                "    <bpmn:extensionElements>\n      <sop:sla duration=\"{}\" />\n    </bpmn:extensionElements>",
                sla.iso()
            );
        }
        if let Some(lanes) = &self.lanes {
            out.push_str("    <bpmn:laneSet id=\"LaneSet_1\">\n");
            for (k, lane) in lanes.lanes.iter().enumerate() {
                let _ = write!(out, "      <bpmn:lane id=\"Lane_{}\" name=\"", k + 1);
                xml_into(&mut out, lane.name);
                out.push_str("\">\n");
                for element in self.elements.iter().filter(|e| e.lane == Some(k)) {
                    let _ = writeln!(
                        out,
                        "        <bpmn:flowNodeRef>{}</bpmn:flowNodeRef>",
                        element.id
                    );
                }
                for timer in self
                    .timers
                    .iter()
                    .filter(|t| self.elements[t.task].lane == Some(k))
                {
                    let _ = writeln!(
                        out,
                        "        <bpmn:flowNodeRef>{}</bpmn:flowNodeRef>",
                        timer.id
                    );
                }
                out.push_str("      </bpmn:lane>\n");
            }
            out.push_str("    </bpmn:laneSet>\n");
        }
        for element in &self.elements {
            self.write_element(&mut out, element);
        }
        for timer in &self.timers {
            let _ = write!(out, "    <bpmn:boundaryEvent id=\"{}\" name=\"", timer.id);
            xml_into(&mut out, &timer.name);
            let _ = writeln!(
                out,
                "\" attachedToRef=\"{}\" cancelActivity=\"true\">",
                self.elements[timer.task].id
            );
            let _ = writeln!(
                out,
                "      <bpmn:outgoing>{}</bpmn:outgoing>",
                self.flows[timer.flow].id
            );
            let _ = writeln!(
                out,
                "      <bpmn:timerEventDefinition id=\"{}_definition\">\n        <bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">{}</bpmn:timeDuration>\n      </bpmn:timerEventDefinition>",
                timer.id, timer.duration
            );
            out.push_str("    </bpmn:boundaryEvent>\n");
        }
        for flow in &self.flows {
            let source = match flow.timer {
                Some(t) => &self.timers[t].id,
                None => &self.elements[flow.from].id,
            };
            let _ = write!(
                out,
                "    <bpmn:sequenceFlow id=\"{}\" sourceRef=\"{source}\" targetRef=\"{}\"",
                flow.id, self.elements[flow.to].id
            );
            if let Some(name) = &flow.name {
                out.push_str(" name=\"");
                xml_into(&mut out, name);
                out.push('"');
            }
            match &flow.condition {
                Some(condition) => {
                    out.push_str(
                        ">\n      <bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">",
                    );
                    xml_into(&mut out, condition);
                    out.push_str("</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>\n");
                }
                None => out.push_str(" />\n"),
            }
        }
        out.push_str("  </bpmn:process>\n");
        diagram.write(&mut out, self);
        out.push_str("</bpmn:definitions>\n");
        out
    }

    fn write_element(&self, out: &mut String, element: &Element) {
        let tag = match element.kind {
            Kind::Start => "startEvent",
            Kind::Task => "userTask",
            Kind::Split | Kind::Join => "exclusiveGateway",
            Kind::Call => "callActivity",
            Kind::End => "endEvent",
        };
        let _ = write!(out, "    <bpmn:{tag} id=\"{}\"", element.id);
        if !element.name.is_empty() {
            out.push_str(" name=\"");
            xml_into(out, &element.name);
            out.push('"');
        }
        if let Some(called) = &element.called {
            let _ = write!(out, " calledElement=\"{called}\"");
        }
        if let Some(default) = element.default {
            let _ = write!(out, " default=\"{}\"", self.flows[default].id);
        }
        out.push_str(">\n");
        if !element.documentation.is_empty() {
            out.push_str("      <bpmn:documentation>");
            xml_into(out, &element.documentation);
            out.push_str("</bpmn:documentation>\n");
        }
        if let Some(within) = &element.within {
            let _ = writeln!(
                out,
                "      <bpmn:extensionElements>\n        <sop:within duration=\"{within}\" />\n      </bpmn:extensionElements>"
            );
        }
        for &flow in &element.incoming {
            let _ = writeln!(
                out,
                "      <bpmn:incoming>{}</bpmn:incoming>",
                self.flows[flow].id
            );
        }
        for &flow in &element.outgoing {
            let _ = writeln!(
                out,
                "      <bpmn:outgoing>{}</bpmn:outgoing>",
                self.flows[flow].id
            );
        }
        let _ = writeln!(out, "    </bpmn:{tag}>");
    }
}

impl Element {
    fn new(kind: Kind, id: String) -> Self {
        Element {
            kind,
            id,
            name: String::new(),
            documentation: String::new(),
            within: None,
            called: None,
            lane: None,
            incoming: Vec::new(),
            outgoing: Vec::new(),
            default: None,
        }
    }
}

/// The expression of an option: true when the task's form set `answer`
/// to the option's text (JUEL, as Camunda 7, Flowable and Activiti read
/// it).
fn condition(option: &str) -> String {
    let mut text = String::from("${answer == \"");
    for c in option.chars() {
        match c {
            '"' | '\\' => {
                text.push('\\');
                text.push(c);
            }
            '\n' | '\r' => text.push(' '),
            c => text.push(c),
        }
    }
    text.push_str("\"}");
    text
}

/// What a reader of the model needs from a step, as plain text: its prose,
/// what to say, the question, the callouts, the roles.
fn documentation(node: &crate::model::Node, labels: &Labels) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !node.roles.is_empty() {
        parts.push(labels.field(labels.role, &node.roles.join(", ")));
    }
    if !node.text.trim().is_empty() {
        parts.push(node.text.trim().to_string());
    }
    for say in &node.say {
        parts.push(labels.field(labels.say, say));
    }
    if let Some(ask) = &node.ask {
        parts.push(labels.field(labels.question, ask));
    }
    for callout in &node.callouts {
        parts.push(labels.field(labels.callout(callout.kind), &callout.text));
    }
    parts.join("\n\n")
}

/// x, y, width, height.
type Bounds = (f64, f64, f64, f64);

/// Bounds and waypoints, left to right: the layered layout run on the
/// transposed sizes, then transposed back, lanes becoming rows.
struct Diagram {
    /// Every element's bounds (x, y, width, height).
    bounds: Vec<(f64, f64, f64, f64)>,
    /// Every flow's waypoints and label bounds.
    flows: Vec<(Vec<Point>, Option<Bounds>)>,
    timers: Vec<(f64, f64)>,
    /// Every lane's top and bottom, the pool's bounds.
    lanes: Vec<(f64, f64)>,
    pool: (f64, f64, f64, f64),
}

impl Diagram {
    fn lay_out(p: &Process<'_>) -> Self {
        let sizes: Vec<Size> = p
            .elements
            .iter()
            .map(|e| match e.kind {
                Kind::Start | Kind::End => Size {
                    width: EVENT,
                    height: EVENT,
                },
                Kind::Split | Kind::Join => Size {
                    width: GATEWAY,
                    height: GATEWAY,
                },
                Kind::Task | Kind::Call => {
                    let (lines, _) = svg::wrap(&e.name, 10.0, 4);
                    let text = lines.iter().map(|l| svg::text_width(l)).fold(0.0, f64::max);
                    Size {
                        width: (text * 12.0 + 20.0).max(TASK_MIN.width).ceil(),
                        height: (lines.len() as f64 * 16.0 + 24.0)
                            .max(TASK_MIN.height)
                            .ceil(),
                    }
                }
            })
            .collect();
        let lane_count = p.lanes.as_ref().map_or(0, |l| l.lanes.len());
        // Transposed: the layout's layers run down, ours run right. Events
        // and gateways get room under them for their names.
        let specs: Vec<NodeSpec> = p
            .elements
            .iter()
            .zip(&sizes)
            .map(|(e, s)| {
                let room = match e.kind {
                    Kind::Task | Kind::Call => 0.0,
                    _ => NAME_ROOM,
                };
                NodeSpec {
                    size: Size {
                        width: s.height + 2.0 * room,
                        height: s.width,
                    },
                    side_indent: 0.0,
                    lane: e.lane.unwrap_or(0),
                }
            })
            .collect();
        let edges: Vec<EdgeSpec> = p
            .flows
            .iter()
            .map(|f| EdgeSpec {
                from: f.from,
                to: f.to,
                label: f.name.as_ref().map(|name| {
                    let (lines, _) = svg::wrap(name, 12.0, 3);
                    let w = lines.iter().map(|l| svg::text_width(l)).fold(0.0, f64::max);
                    // Transposed too.
                    Size {
                        width: lines.len() as f64 * 14.0 + 6.0,
                        height: w * 11.0 + 10.0,
                    }
                }),
            })
            .collect();
        let min_lane = vec![120.0; lane_count];
        let layout = if lane_count > 0 {
            layout::layout_in_lanes(&specs, &edges, 0, &min_lane)
        } else {
            layout::layout(&specs, &edges, 0)
        };
        let strips = if lane_count > 0 { 2.0 * STRIP } else { STRIP };
        let at = |p: Point| Point {
            x: p.y + strips,
            y: p.x,
        };
        let bounds: Vec<(f64, f64, f64, f64)> = layout
            .nodes
            .iter()
            .zip(&sizes)
            .map(|(&c, s)| {
                let c = at(c);
                (c.x - s.width / 2.0, c.y - s.height / 2.0, s.width, s.height)
            })
            .collect();
        let flows = layout
            .routes
            .iter()
            .zip(&edges)
            .map(|(route, edge)| {
                let mut points: Vec<Point> = Vec::with_capacity(route.points.len() * 2);
                for (k, &q) in route.points.iter().enumerate() {
                    let q = at(q);
                    if let Some(&last) = points.last() {
                        let last: Point = last;
                        if (last.x - q.x).abs() > 0.5 && (last.y - q.y).abs() > 0.5 && k > 0 {
                            // A bend halfway, so every segment is straight.
                            let mid = (last.x + q.x) / 2.0;
                            points.push(Point { x: mid, y: last.y });
                            points.push(Point { x: mid, y: q.y });
                        }
                    }
                    points.push(q);
                }
                let points = straight_runs(points);
                let label = route.label.zip(edge.label).map(|(c, s)| {
                    let c = at(c);
                    (c.x - s.height / 2.0, c.y - s.width / 2.0, s.height, s.width)
                });
                (points, label)
            })
            .collect();
        let timers = p
            .timers
            .iter()
            .map(|t| {
                let (x, y, w, h) = bounds[t.task];
                (x + w - EVENT / 2.0 - 10.0, y + h - EVENT / 2.0)
            })
            .collect();
        let width = layout.height + strips;
        // One lane has no band in the layout: it is the whole height.
        let lanes: Vec<(f64, f64)> = match lane_count {
            0 => Vec::new(),
            1 => vec![(0.0, layout.width)],
            _ => layout.lanes.clone(),
        };
        let (top, bottom) = match (lanes.first(), lanes.last()) {
            (Some(a), Some(b)) => (a.0, b.1),
            _ => (0.0, layout.width),
        };
        Diagram {
            bounds,
            flows,
            timers,
            lanes,
            pool: (0.0, top, width, bottom - top),
        }
    }

    fn write(&self, out: &mut String, p: &Process<'_>) {
        out.push_str("  <bpmndi:BPMNDiagram id=\"BPMNDiagram_1\">\n");
        out.push_str("    <bpmndi:BPMNPlane id=\"BPMNPlane_1\" bpmnElement=\"Collaboration_1\">\n");
        let shape = |out: &mut String, element: &str, b: (f64, f64, f64, f64), extra: &str| {
            let _ = writeln!(
                out,
                "      <bpmndi:BPMNShape id=\"{element}_di\" bpmnElement=\"{element}\"{extra}>\n        <dc:Bounds x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" />\n      </bpmndi:BPMNShape>",
                n(b.0),
                n(b.1),
                n(b.2),
                n(b.3)
            );
        };
        shape(out, "Participant_1", self.pool, " isHorizontal=\"true\"");
        for (k, &(top, bottom)) in self.lanes.iter().enumerate() {
            shape(
                out,
                &format!("Lane_{}", k + 1),
                (STRIP, top, self.pool.2 - STRIP, bottom - top),
                " isHorizontal=\"true\"",
            );
        }
        for (element, &b) in p.elements.iter().zip(&self.bounds) {
            let extra = match element.kind {
                Kind::Split | Kind::Join => " isMarkerVisible=\"true\"",
                _ => "",
            };
            shape(out, &element.id, b, extra);
        }
        for (timer, &(cx, cy)) in p.timers.iter().zip(&self.timers) {
            shape(
                out,
                &timer.id,
                (cx - EVENT / 2.0, cy - EVENT / 2.0, EVENT, EVENT),
                "",
            );
        }
        for (flow, (points, label)) in p.flows.iter().zip(&self.flows) {
            let _ = writeln!(
                out,
                "      <bpmndi:BPMNEdge id=\"{}_di\" bpmnElement=\"{}\">",
                flow.id, flow.id
            );
            let mut points = points.clone();
            if let Some(t) = flow.timer {
                // Out of the timer's bottom instead of the task's side.
                let (cx, cy) = self.timers[t];
                let from = Point {
                    x: cx,
                    y: cy + EVENT / 2.0,
                };
                let next = points.get(1).copied().unwrap_or(from);
                points = std::iter::once(from)
                    .chain(std::iter::once(Point {
                        x: cx,
                        y: next.y.max(from.y + 10.0),
                    }))
                    .chain(std::iter::once(Point {
                        x: next.x,
                        y: next.y.max(from.y + 10.0),
                    }))
                    .chain(points.into_iter().skip(1))
                    .collect();
            }
            for q in &points {
                let _ = writeln!(
                    out,
                    "        <di:waypoint x=\"{}\" y=\"{}\" />",
                    n(q.x),
                    n(q.y)
                );
            }
            if let Some(b) = label {
                let _ = writeln!(
                    out,
                    "        <bpmndi:BPMNLabel>\n          <dc:Bounds x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" />\n        </bpmndi:BPMNLabel>",
                    n(b.0),
                    n(b.1),
                    n(b.2),
                    n(b.3)
                );
            }
            out.push_str("      </bpmndi:BPMNEdge>\n");
        }
        out.push_str("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n");
    }
}

/// The corners of a polyline: points in the middle of a straight
/// horizontal or vertical run, and repeated points, dropped.
fn straight_runs(points: Vec<Point>) -> Vec<Point> {
    let same = |a: f64, b: f64| (a - b).abs() < 0.5;
    let mut out: Vec<Point> = Vec::with_capacity(points.len());
    for p in points {
        if let Some(&q) = out.last() {
            if same(q.x, p.x) && same(q.y, p.y) {
                continue;
            }
        }
        if let [.., a, b] = out[..] {
            let vertical = same(a.x, b.x) && same(b.x, p.x) && (a.y - b.y) * (b.y - p.y) > 0.0;
            let horizontal = same(a.y, b.y) && same(b.y, p.y) && (a.x - b.x) * (b.x - p.x) > 0.0;
            if vertical || horizontal {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// A coordinate, rounded to whole pixels.
fn n(v: f64) -> i64 {
    v.round() as i64
}
