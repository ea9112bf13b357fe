//! `sop render --to bpmn`: snapshots, the graph read back from the XML is
//! the JSON workflow's, lanes, timers, hand-offs, escaping, determinism.
//! The official XSD, bpmnlint and bpmn-js run over every file in
//! `scripts/validate-bpmn.sh` (from `.ci/run`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sop::model::{EdgeTo, Workflow};
use sop::render::{RenderContext, Renderer};
use sop::source::Source;

use crate::support::sop_files;

const BPMN: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";

fn workflow(path: &Path) -> Workflow {
    let bytes = std::fs::read(path).unwrap();
    let source = Source::from_bytes(path, &bytes);
    workflow_of(&source)
}

fn workflow_of(source: &Source) -> Workflow {
    let doc = sop::syntax::parse(source);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    Workflow::from_document(&doc)
}

fn bpmn(workflow: &Workflow) -> String {
    sop::render::bpmn::Bpmn.render(workflow, &RenderContext::default())
}

fn all_inputs() -> Vec<PathBuf> {
    let mut files = sop_files("examples");
    files.extend(sop_files("tests/fixtures/valid"));
    files
}

/// An edge as (from step, to, how): `to` is a step id, `end` or
/// `sop:<ID>`; `how` the option, `otherwise`, `timeout` or `-`.
type Edge = (String, String, String);

fn model_edges(workflow: &Workflow) -> Vec<Edge> {
    let mut edges: Vec<Edge> = workflow
        .edges
        .iter()
        .map(|e| {
            let to = match &e.to {
                EdgeTo::Node(id) => id.clone(),
                EdgeTo::End => "end".into(),
                EdgeTo::Sop(id) => format!("sop:{id}"),
            };
            let how = match (&e.on, &e.when) {
                (Some(_), _) => "timeout".to_string(),
                (None, Some(w)) => w.clone(),
                (None, None) => "-".into(),
            };
            (e.from.clone(), to, how)
        })
        .collect();
    edges.sort();
    edges
}

/// The steps' graph, read back from the XML: through decisions' gateways,
/// join gateways, timers, and call activities to their SOP.
fn bpmn_edges(xml: &str, workflow: &Workflow) -> Vec<Edge> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let by_id: BTreeMap<&str, roxmltree::Node> = doc
        .descendants()
        .filter_map(|n| Some((n.attribute("id")?, n)))
        .collect();
    let flows: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name((BPMN, "sequenceFlow")))
        .collect();
    let step_of = |task: &str| -> String {
        let number: usize = task.trim_start_matches("Task_").parse().unwrap();
        workflow.nodes[number - 1].id.clone()
    };
    // Where a flow into `id` leads, through join gateways.
    let resolve = |start: &str| -> String {
        let mut id = start.to_string();
        loop {
            let id_now = id.clone();
            let id = &mut id;
            let node = by_id[id_now.as_str()];
            let tag = node.tag_name().name();
            match tag {
                "userTask" => return step_of(&id_now),
                "endEvent" => return "end".into(),
                "callActivity" => {
                    let called = node.attribute("calledElement").unwrap();
                    return format!("sop:{}", called.trim_start_matches("Process_"));
                }
                "exclusiveGateway" if id_now.starts_with("Join_") => {
                    let out: Vec<_> = flows
                        .iter()
                        .filter(|f| f.attribute("sourceRef") == Some(id_now.as_str()))
                        .collect();
                    assert_eq!(out.len(), 1, "a join has one way out");
                    *id = out[0].attribute("targetRef").unwrap().to_string();
                }
                other => panic!("a flow leads to {other} {id_now}"),
            }
        }
    };
    let mut edges = Vec::new();
    for flow in &flows {
        let source = flow.attribute("sourceRef").unwrap();
        let target = flow.attribute("targetRef").unwrap();
        let node = by_id[source];
        let (from, how) = match node.tag_name().name() {
            "userTask" if target.starts_with("Gateway_") => continue,
            "userTask" => (step_of(source), "-".to_string()),
            "boundaryEvent" => {
                let task = node.attribute("attachedToRef").unwrap();
                (step_of(task), "timeout".to_string())
            }
            "exclusiveGateway" if source.starts_with("Gateway_") => {
                let task = format!("Task_{}", source.trim_start_matches("Gateway_"));
                let default = node.attribute("default") == flow.attribute("id");
                let how = if default {
                    "otherwise".to_string()
                } else {
                    let condition = flow
                        .children()
                        .find(|c| c.has_tag_name((BPMN, "conditionExpression")))
                        .expect("an option has a condition")
                        .text()
                        .unwrap()
                        .to_string();
                    let name = flow.attribute("name").unwrap().to_string();
                    let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
                    assert_eq!(condition, format!("${{answer == \"{quoted}\"}}"));
                    name
                };
                (step_of(&task), how)
            }
            // The start, joins and calls' ends are not steps' edges.
            _ => continue,
        };
        edges.push((from, resolve(target), how));
    }
    edges.sort();
    edges
}

#[test]
fn the_edges_are_exactly_the_workflows() {
    for path in all_inputs() {
        let workflow = workflow(&path);
        let xml = bpmn(&workflow);
        assert_eq!(
            bpmn_edges(&xml, &workflow),
            model_edges(&workflow),
            "{}",
            path.display()
        );
    }
}

#[test]
fn snapshots_of_every_example() {
    for path in sop_files("examples") {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(name, bpmn(&workflow(&path)));
    }
}

#[test]
fn output_is_deterministic() {
    for path in all_inputs() {
        let workflow = workflow(&path);
        assert_eq!(bpmn(&workflow), bpmn(&workflow), "{}", path.display());
    }
}

#[test]
fn every_node_and_flow_has_its_diagram_and_shapes_do_not_overlap() {
    for path in all_inputs() {
        let xml = bpmn(&workflow(&path));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let shapes: BTreeMap<&str, (f64, f64, f64, f64)> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "BPMNShape")
            .map(|n| {
                let b = n
                    .children()
                    .find(|c| c.tag_name().name() == "Bounds")
                    .unwrap();
                let v = |k: &str| b.attribute(k).unwrap().parse::<f64>().unwrap();
                (
                    n.attribute("bpmnElement").unwrap(),
                    (v("x"), v("y"), v("width"), v("height")),
                )
            })
            .collect();
        let edges: Vec<&str> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "BPMNEdge")
            .map(|n| n.attribute("bpmnElement").unwrap())
            .collect();
        let process = doc
            .descendants()
            .find(|n| n.has_tag_name((BPMN, "process")))
            .unwrap();
        let mut nodes = Vec::new();
        for n in process.descendants().filter(|n| n.is_element()) {
            let id = n.attribute("id");
            match n.tag_name().name() {
                "sequenceFlow" => assert!(edges.contains(&id.unwrap()), "{id:?}"),
                "startEvent" | "endEvent" | "userTask" | "exclusiveGateway" | "callActivity"
                | "lane" => {
                    assert!(shapes.contains_key(id.unwrap()), "{id:?} has no shape");
                    if n.tag_name().name() != "lane" {
                        nodes.push(shapes[id.unwrap()]);
                    }
                }
                _ => {}
            }
        }
        for (i, a) in nodes.iter().enumerate() {
            for b in &nodes[i + 1..] {
                let apart =
                    a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
                assert!(apart, "{}: {a:?} overlaps {b:?}", path.display());
            }
        }
    }
}

#[test]
fn lanes_timers_sla_and_hand_offs() {
    let workflow = workflow(Path::new("examples/CS-003-card-payment-failure.sop"));
    let xml = bpmn(&workflow);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let lanes: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name((BPMN, "lane")))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(lanes, ["Customer service agent", "Billing specialist"]);
    let call = doc
        .descendants()
        .find(|n| n.has_tag_name((BPMN, "callActivity")))
        .unwrap();
    assert_eq!(call.attribute("calledElement"), Some("Process_CS-014"));
    // `within:` without a timeout is extension data with the ISO duration.
    assert!(xml.contains("<sop:within duration=\"PT24H\" />"), "{xml}");

    let timeouts = workflow_of(&Source::from_text(
        "t.sop",
        "sop T-1: Timeouts\nsla: 2 hours\npurpose: p\nscope: s\nroles:\n  a: A\n  b: B\nsteps:\n  step wait: Wait for the call back\n    role: a\n    within: 30 min\n    timeout -> chase\n    -> done\n  step chase: Chase \"them\" <now> & again\n    role: b\n    -> done\n  step done: Close\n    -> end\n",
    ));
    let xml = bpmn(&timeouts);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let timer = doc
        .descendants()
        .find(|n| n.has_tag_name((BPMN, "boundaryEvent")))
        .unwrap();
    assert_eq!(timer.attribute("attachedToRef"), Some("Task_1"));
    assert_eq!(timer.attribute("cancelActivity"), Some("true"));
    let duration = timer
        .descendants()
        .find(|n| n.has_tag_name((BPMN, "timeDuration")))
        .unwrap();
    assert_eq!(duration.text(), Some("PT30M"));
    assert!(xml.contains("<sop:sla duration=\"PT2H\" />"));
    // User text is escaped, and read back as written.
    let chase = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("Task_2"))
        .unwrap();
    assert_eq!(
        chase.attribute("name"),
        Some("Chase \"them\" <now> & again")
    );
    // A step without a role has a lane of its own.
    let lanes: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name((BPMN, "lane")))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(lanes, ["A", "B", "No role"]);
    assert_eq!(bpmn_edges(&xml, &timeouts), model_edges(&timeouts));
}

#[test]
fn a_directory_renders_to_bpmn_files() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    crate::support::sop(&["render", "examples", "--to", "bpmn", "-o", dir])
        .run()
        .code(0);
    let written = std::fs::read_dir(out.path()).unwrap().count();
    assert_eq!(written, sop_files("examples").len());
    let page =
        std::fs::read_to_string(out.path().join("CS-003-card-payment-failure.bpmn")).unwrap();
    assert!(page.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bpmn:definitions"));
}

#[test]
fn files_with_errors_still_give_well_formed_xml() {
    // The command line refuses them; the renderer must not fail on them.
    for path in sop_files("tests/fixtures/diagnostics") {
        let bytes = std::fs::read(&path).unwrap();
        let source = Source::from_bytes(&path, &bytes);
        let workflow = Workflow::from_document(&sop::syntax::parse(&source));
        let xml = bpmn(&workflow);
        if let Err(e) = roxmltree::Document::parse(&xml) {
            panic!("{}: {e}\n{xml}", path.display());
        }
    }
}
