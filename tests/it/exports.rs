//! The exports to workflow engines, `--to serverless` (CNCF Serverless
//! Workflow 1.0, YAML) and `--to asl` (AWS Step Functions): snapshots, the
//! same edges as the JSON workflow, quoting that YAML 1.1 reads right,
//! timeouts, hand-offs, names, user text kept exactly, and `sop render` on
//! a directory. `scripts/validate-exports.sh` checks the outputs with the
//! engines' own validators.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value as Json;
use serde_yaml::Value as Yaml;
use sop::model::{EdgeTo, NodeKind, Workflow};
use sop::render::asl::{Asl, ANSWER, HANDOFF_RESOURCE, STATE_MACHINE_ARN_PREFIX, STEP_RESOURCE};
use sop::render::engine::COMPLETION_EVENT;
use sop::render::serverless::{Serverless, TIMED_OUT, TIMEOUT_ERROR};
use sop::render::{RenderContext, Renderer};
use sop::source::Source;

use crate::support::{sop, sop_files};

const TODAY: &str = "2026-11-23";

fn model_of(path: &Path, text: &str) -> Workflow {
    let source = Source::from_text(path, text);
    let doc = sop::syntax::parse(&source);
    assert!(
        doc.errors.is_empty(),
        "{}: {:?}",
        path.display(),
        doc.errors
    );
    Workflow::from_document(&doc)
}

fn model(path: &Path) -> Workflow {
    model_of(path, &std::fs::read_to_string(path).unwrap())
}

fn inline(text: &str) -> Workflow {
    model_of(Path::new("t.sop"), text)
}

fn serverless(workflow: &Workflow) -> String {
    Serverless.render(workflow, &RenderContext::default())
}

fn asl(workflow: &Workflow) -> String {
    Asl.render(workflow, &RenderContext::default())
}

fn yaml(workflow: &Workflow) -> Yaml {
    let text = serverless(workflow);
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn json(workflow: &Workflow) -> Json {
    serde_json::from_str(&asl(workflow)).unwrap()
}

fn all_inputs() -> Vec<PathBuf> {
    let mut files = sop_files("examples");
    files.extend(sop_files("tests/fixtures/valid"));
    files
}

/// An edge as the JSON workflow has it: from, to (`end`, `sop:<ID>` or a
/// step id), the option's condition, and `timeout` for a timeout.
type EdgeKey = (String, String, Option<String>, Option<String>);

/// The model's edges, sorted. A task's lone `otherwise -> x` is its plain
/// way on: without options there is nothing for it to be other than.
fn model_edges(workflow: &Workflow) -> Vec<EdgeKey> {
    let kind: HashMap<&str, NodeKind> = workflow
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), n.kind))
        .collect();
    let mut edges: Vec<EdgeKey> = workflow
        .edges
        .iter()
        .map(|e| {
            let to = match &e.to {
                EdgeTo::Node(id) => id.clone(),
                EdgeTo::End => "end".into(),
                EdgeTo::Sop(id) => format!("sop:{id}"),
            };
            let when = match kind[e.from.as_str()] {
                NodeKind::Task => None,
                NodeKind::Decision => e.when.clone(),
            };
            (e.from.clone(), to, when, e.on.map(str::to_string))
        })
        .collect();
    edges.sort();
    edges
}

/// The condition in a switch case's `when`.
fn option_of(when: &str) -> String {
    let literal = when
        .strip_prefix("${ .event.answer == ")
        .and_then(|w| w.strip_suffix(" }"))
        .unwrap_or_else(|| panic!("not an option's condition: {when}"));
    serde_json::from_str(literal).unwrap()
}

/// The tasks of a task list, by name, in order.
fn task_list(list: &Yaml) -> Vec<(&str, &Yaml)> {
    list.as_sequence()
        .expect("a task list")
        .iter()
        .map(|item| {
            let map = item.as_mapping().expect("a task item");
            assert_eq!(map.len(), 1, "one task per item");
            let (name, task) = map.iter().next().unwrap();
            (name.as_str().expect("a task name"), task)
        })
        .collect()
}

/// The edges a Serverless Workflow document encodes, read back the way a
/// runtime follows them: each step task's `then`, through the `switch`
/// after it, to steps, hand-offs (`run: workflow`) and `end`.
fn serverless_edges(doc: &Yaml) -> Vec<EdgeKey> {
    let tasks = task_list(&doc["do"]);
    let by_name: HashMap<&str, &Yaml> = tasks.iter().copied().collect();
    assert_eq!(by_name.len(), tasks.len(), "task names are unique");
    let dest = |name: &str| -> String {
        if name == "end" {
            return "end".into();
        }
        let task = by_name
            .get(name)
            .unwrap_or_else(|| panic!("`then: {name}` names no task"));
        if task.get("run").is_some() {
            format!("sop:{}", task["metadata"]["sop"].as_str().unwrap())
        } else {
            task["metadata"]["step"]
                .as_str()
                .unwrap_or_else(|| panic!("{name} is not a step"))
                .to_string()
        }
    };
    let mut edges = Vec::new();
    for (name, task) in &tasks {
        let Some(from) = task["metadata"]["step"].as_str() else {
            continue;
        };
        let decision = task["metadata"].get("options").is_some();
        let then = task["then"].as_str().expect("a step says where it goes");
        let Some(switch) = by_name.get(then).and_then(|t| t.get("switch")) else {
            edges.push((from.to_string(), dest(then), None, None));
            continue;
        };
        for (case, body) in task_list(switch) {
            let to = body["then"].as_str().unwrap();
            if by_name.get(to).is_some_and(|t| t.get("raise").is_some()) {
                assert!(decision && case == "otherwise", "{name}: {case}");
                continue;
            }
            let edge = match body["when"].as_str() {
                Some(TIMED_OUT) => {
                    // The timeout is caught around the step's listen.
                    assert_eq!(
                        task["catch"]["errors"]["with"]["type"].as_str(),
                        Some(TIMEOUT_ERROR),
                        "{name}"
                    );
                    let listen = &task_list(&task["try"])[0].1;
                    assert!(listen["timeout"]["after"].is_string(), "{name}");
                    (from.to_string(), dest(to), None, Some("timeout".into()))
                }
                Some(when) => (from.to_string(), dest(to), Some(option_of(when)), None),
                None => (
                    from.to_string(),
                    dest(to),
                    decision.then(|| "otherwise".into()),
                    None,
                ),
            };
            edges.push(edge);
        }
    }
    edges.sort();
    edges
}

/// The edges a state machine encodes: each step state's `Next`/`End`, its
/// `Catch` of `States.Timeout`, and the `Choice` after a decision.
fn asl_edges(machine: &Json) -> Vec<EdgeKey> {
    let states = machine["States"].as_object().unwrap();
    let dest = |name: &str| -> String {
        let state = states
            .get(name)
            .unwrap_or_else(|| panic!("no state {name}"));
        match (state["Type"].as_str(), state["Resource"].as_str()) {
            (Some("Succeed"), _) => "end".into(),
            (Some("Task"), Some(STEP_RESOURCE)) => state["Parameters"]["MessageBody"]["step"]
                .as_str()
                .unwrap()
                .to_string(),
            (Some("Task"), Some(HANDOFF_RESOURCE)) => {
                let id = name.strip_prefix("[[").and_then(|n| n.strip_suffix("]]"));
                format!("sop:{}", id.unwrap())
            }
            other => panic!("{name}: {other:?}"),
        }
    };
    let mut edges = Vec::new();
    for state in states.values() {
        if state["Resource"] != STEP_RESOURCE {
            continue;
        }
        let from = state["Parameters"]["MessageBody"]["step"].as_str().unwrap();
        for catcher in state["Catch"].as_array().into_iter().flatten() {
            assert_eq!(
                catcher["ErrorEquals"],
                serde_json::json!(["States.Timeout"])
            );
            let to = dest(catcher["Next"].as_str().unwrap());
            edges.push((from.to_string(), to, None, Some("timeout".into())));
        }
        if state["End"] == true {
            edges.push((from.to_string(), "end".into(), None, None));
            continue;
        }
        let next = state["Next"].as_str().unwrap();
        if states[next]["Type"] != "Choice" {
            edges.push((from.to_string(), dest(next), None, None));
            continue;
        }
        for rule in states[next]["Choices"].as_array().unwrap() {
            assert_eq!(rule["Variable"], ANSWER);
            let condition = rule["StringEquals"].as_str().unwrap().to_string();
            let to = dest(rule["Next"].as_str().unwrap());
            edges.push((from.to_string(), to, Some(condition), None));
        }
        if let Some(default) = states[next]["Default"].as_str() {
            edges.push((
                from.to_string(),
                dest(default),
                Some("otherwise".into()),
                None,
            ));
        }
    }
    edges.sort();
    edges
}

/// Steps and decisions the examples and fixtures do not have.
const EXTRA: &[&str] = &[
    // A lone `otherwise`, a decision without one, steps without ids, a
    // step whose id is a flow directive.
    "sop T-1: T\npurpose: p\nscope: s\nsteps:\n  step a: A\n    otherwise -> continue\n  step continue: C\n    ask: Which?\n    if x -> exit\n    if y -> end\n  step exit: E\n  step: Anonymous\n    within: 1h\n    timeout -> [[T-2]]\n",
    // A decision with a timeout, and a timeout straight to a hand-off.
    "sop T-2: T\npurpose: p\nscope: s\nsteps:\n  step ask: Ask\n    within: 5 min\n    if yes -> end\n    otherwise -> ask\n    timeout -> [[T-3]]\n",
];

#[test]
fn the_edges_are_the_json_workflows_edges() {
    let mut workflows: Vec<(String, Workflow)> = all_inputs()
        .iter()
        .map(|p| (p.display().to_string(), model(p)))
        .collect();
    workflows.extend(
        EXTRA
            .iter()
            .map(|t| (t.lines().next().unwrap().into(), inline(t))),
    );
    for (name, workflow) in &workflows {
        let expected = model_edges(workflow);
        let doc = yaml(workflow);
        assert_eq!(serverless_edges(&doc), expected, "{name}: serverless");
        // The first task is where the workflow starts.
        let first = task_list(&doc["do"])[0].1;
        assert_eq!(
            first["metadata"]["step"].as_str(),
            workflow.start.as_deref(),
            "{name}"
        );
        let machine = json(workflow);
        assert_eq!(asl_edges(&machine), expected, "{name}: asl");
        let start = machine["StartAt"].as_str().unwrap();
        assert_eq!(
            machine["States"][start]["Parameters"]["MessageBody"]["step"].as_str(),
            workflow.start.as_deref(),
            "{name}"
        );
    }
}

#[test]
fn snapshots_of_every_example() {
    for path in sop_files("examples") {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let workflow = model(&path);
        insta::assert_snapshot!(format!("serverless-{name}"), serverless(&workflow));
        insta::assert_snapshot!(format!("asl-{name}"), asl(&workflow));
    }
}

#[test]
fn output_is_deterministic() {
    for path in all_inputs() {
        assert_eq!(serverless(&model(&path)), serverless(&model(&path)));
        assert_eq!(asl(&model(&path)), asl(&model(&path)));
    }
}

/// Whether YAML 1.1 reads a plain scalar as something other than a string
/// (booleans, nulls, numbers, dates, merge and value keys), generously.
fn not_a_string_in_yaml_1_1(plain: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "<<", "=",
    ];
    let rest = plain.trim_start_matches(['-', '+']);
    WORDS.iter().any(|w| plain.eq_ignore_ascii_case(w))
        || rest.starts_with(|c: char| c.is_ascii_digit())
        || rest.starts_with('.')
}

/// The scalars written without quotes in a YAML text: keys, values after
/// `key:` and `- `, outside block scalars.
fn plain_scalars(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut block: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(level) = block {
            if line.trim().is_empty() || indent > level {
                continue;
            }
            block = None;
        }
        let mut rest = line.trim_start();
        while let Some(after) = rest.strip_prefix("- ") {
            rest = after;
        }
        let mut parts = Vec::new();
        match rest.split_once(": ") {
            Some((key, value)) => parts.extend([key, value]),
            None => parts.push(rest.strip_suffix(':').unwrap_or(rest)),
        }
        for part in parts {
            if part.starts_with('|') {
                block = Some(indent);
            } else if !part.is_empty() && !part.starts_with(['\'', '"', '[', '{']) {
                out.push(part.to_string());
            }
        }
    }
    out
}

#[test]
fn every_plain_scalar_is_a_string_to_yaml_1_1_too() {
    for path in all_inputs() {
        let text = serverless(&model(&path));
        for plain in plain_scalars(&text) {
            // Numbers and booleans written as such are meant to be.
            let meant: Yaml = serde_yaml::from_str(&plain).unwrap();
            assert!(
                !meant.is_string() || !not_a_string_in_yaml_1_1(&plain),
                "{}: `{plain}` is not quoted",
                path.display()
            );
        }
    }
}

#[test]
fn yaml_1_1_look_alikes_are_quoted() {
    let path = Path::new("tests/fixtures/valid/yaml-look-alikes.sop");
    let text = serverless(&model(path));
    for expected in [
        "  - 'yes':\n",
        "  - 'off':\n",
        "  - 'No':\n",
        "  - '1.5':\n",
        "  - 'true':\n",
        "  - 'null':\n",
        "  - 'y':\n",
        "        title: 'Yes'\n",
        "          - 'on'\n          - 'no'\n          - '1.0'\n          - '2026-11-01'\n          - '~'\n",
        "            then: 'off'\n",
        "          - 'no'\n          - '0x1F'\n",
        "    sop: '2026.1'\n",
        "    effective: '2026-11-01'\n",
        "  version: '1.0.0'\n",
    ] {
        assert!(text.contains(expected), "no {expected:?} in\n{text}");
    }
    // Read back, every one of them is the string it was.
    let doc: Yaml = serde_yaml::from_str(&text).unwrap();
    let names: Vec<&str> = task_list(&doc["do"]).iter().map(|(n, _)| *n).collect();
    for id in ["yes", "off", "No", "1.5", "true", "null", "y"] {
        assert!(names.contains(&id), "{id} in {names:?}");
    }
}

const WAIT: &str = "sop T-1: Chat\npurpose: p\nscope: s\nsteps:\n  step wait: Wait for the customer\n    within: 5 min\n    -> wait\n    timeout -> care\n  step care: Send a care message\n    -> end\n";

#[test]
fn a_timeout_routes_to_its_target() {
    let workflow = inline(WAIT);
    let doc = yaml(&workflow);
    let tasks = task_list(&doc["do"]);
    let names: Vec<&str> = tasks.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["wait", "wait?", "care"]);
    // The step's listen runs in a try that catches the timeout error…
    let wait = tasks[0].1;
    let listen = task_list(&wait["try"])[0].1;
    assert_eq!(listen["timeout"]["after"], "PT5M");
    assert_eq!(
        listen["listen"]["to"]["one"]["with"]["type"],
        COMPLETION_EVENT
    );
    assert_eq!(listen["listen"]["to"]["one"]["with"]["subject"], "T-1/wait");
    assert_eq!(wait["catch"]["errors"]["with"]["type"], TIMEOUT_ERROR);
    let caught = task_list(&wait["catch"]["do"])[0].1;
    assert_eq!(caught["set"]["timeout"], true);
    assert_eq!(wait["then"], "wait?");
    // …and the switch after it sends a timeout to its target.
    let cases = task_list(&tasks[1].1["switch"]);
    assert_eq!(cases[0].0, "timeout");
    assert_eq!(cases[0].1["when"], TIMED_OUT);
    assert_eq!(cases[0].1["then"], "care");
    assert_eq!(cases[1].1["then"], "wait");
    assert!(cases[1].1.get("when").is_none());
    // A step without `timeout ->` has its limit on the listen itself.
    assert!(tasks[2].1.get("try").is_none());

    let machine = json(&workflow);
    let wait = &machine["States"]["wait"];
    assert_eq!(wait["TimeoutSeconds"], 300);
    assert_eq!(
        wait["Catch"],
        serde_json::json!([{"ErrorEquals": ["States.Timeout"], "Next": "care"}])
    );
    assert_eq!(wait["Next"], "wait");
}

#[test]
fn a_timeout_to_the_end_goes_to_a_succeed_state() {
    let workflow = inline("sop T-1: T\npurpose: p\nscope: s\nsteps:\n  step a: A\n    within: 1 day\n    timeout -> end\n  step b: B\n");
    let machine = json(&workflow);
    assert_eq!(machine["States"]["a"]["Catch"][0]["Next"], "end");
    assert_eq!(machine["States"]["a"]["TimeoutSeconds"], 86_400);
    assert_eq!(machine["States"]["end"]["Type"], "Succeed");
    assert_eq!(machine["States"]["b"]["End"], true);
}

#[test]
fn a_hand_off_runs_the_other_sops_workflow() {
    let workflow = inline("sop T-1: T\nversion: 2\npurpose: p\nscope: s\nsteps:\n  step escalate: Escalate\n    -> [[CS-014]]\n");
    let doc = yaml(&workflow);
    let tasks = task_list(&doc["do"]);
    assert_eq!(tasks[0].1["then"], "[[CS-014]]");
    let handoff = tasks[1].1;
    assert_eq!(tasks[1].0, "[[CS-014]]");
    assert_eq!(handoff["run"]["workflow"]["namespace"], "sop");
    assert_eq!(handoff["run"]["workflow"]["name"], "CS-014");
    assert_eq!(handoff["run"]["workflow"]["version"], "latest");
    assert_eq!(handoff["then"], "end");

    let machine = json(&workflow);
    assert_eq!(machine["States"]["escalate"]["Next"], "[[CS-014]]");
    let state = &machine["States"]["[[CS-014]]"];
    assert_eq!(state["Resource"], HANDOFF_RESOURCE);
    assert_eq!(
        state["Parameters"]["StateMachineArn"],
        format!("{STATE_MACHINE_ARN_PREFIX}CS-014")
    );
    assert_eq!(state["End"], true);
}

#[test]
fn a_hand_off_names_the_workflow_the_other_sop_exports() {
    // An id that is not a Serverless Workflow name gets a name with a hash;
    // the hand-off and the other SOP's own export agree on it.
    let other = inline("sop CS.014_b: Other\npurpose: p\nscope: s\nsteps:\n  step a: A\n");
    let from =
        inline("sop T-1: T\npurpose: p\nscope: s\nsteps:\n  step a: A\n    -> [[CS.014_b]]\n");
    let name = yaml(&other)["document"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(name.starts_with("CS-014-b-"), "{name}");
    let from_doc = yaml(&from);
    let handoff = task_list(&from_doc["do"])[1].1;
    assert_eq!(handoff["run"]["workflow"]["name"], name.as_str());
    assert_eq!(handoff["metadata"]["sop"], "CS.014_b");
    let arn = json(&from)["States"]["[[CS.014_b]]"]["Parameters"]["StateMachineArn"].clone();
    assert_eq!(arn, format!("{STATE_MACHINE_ARN_PREFIX}{name}"));
}

#[test]
fn document_names_versions_and_metadata() {
    let workflow = inline("sop T-1: Title\nversion: v2\nsla: 24 hours\nx-team: Ops\npurpose: Why.\nscope: Who.\nsteps:\n  step a: A\n");
    let doc = yaml(&workflow);
    let header = &doc["document"];
    assert_eq!(header["dsl"], "1.0.0");
    assert_eq!(header["namespace"], "sop");
    assert_eq!(header["name"], "T-1");
    assert_eq!(header["version"], "2.0.0");
    assert_eq!(header["title"], "Title");
    assert_eq!(header["summary"], "Why.");
    assert_eq!(header["metadata"]["version"], "v2");
    assert_eq!(header["metadata"]["sla"], "PT24H");
    assert_eq!(header["metadata"]["x-team"], "Ops");
    assert_eq!(header["metadata"]["scope"], "Who.");
    // The sla is a promise, not a limit the engine enforces.
    assert!(doc.get("timeout").is_none());
    let machine = json(&workflow);
    assert_eq!(machine["Comment"], "T-1: Title; version v2; sla PT24H");
    assert!(machine.get("TimeoutSeconds").is_none());

    let unversioned = inline("sop T-1: T\npurpose: p\nscope: s\nsteps:\n  step a: A\n");
    assert_eq!(yaml(&unversioned)["document"]["version"], "0.0.0");
}

#[test]
fn steps_without_ids_and_directive_ids_get_names_of_their_own() {
    let workflow = inline(EXTRA[0]);
    let doc = yaml(&workflow);
    let names: Vec<&str> = task_list(&doc["do"]).iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "a",
            "step continue",
            "step continue?",
            "step exit",
            "step 4",
            "step 4?",
            "[[T-2]]",
            "no option matches",
        ]
    );
    let tasks = task_list(&doc["do"]);
    assert_eq!(tasks[4].1["metadata"]["step"], "#4");
    // A decision without `otherwise`: an answer that names no option is an
    // error, not a silent fall-through.
    let cases = task_list(&tasks[2].1["switch"]);
    assert_eq!(cases.last().unwrap().1["then"], "no option matches");
    assert!(tasks[7].1["raise"]["error"]["type"].is_string());
    let machine = json(&workflow);
    assert!(machine["States"]["step continue?"].get("Default").is_none());
    assert_eq!(machine["States"]["step 4"]["Catch"][0]["Next"], "[[T-2]]");
}

const HOSTILE: &str = "sop T-1: \"Quoted\" 'single' ${ .secret } <script>alert(1)</script>\npurpose: p\nscope: s\nroles:\n  agent: A \"role\" # not a comment\nsteps:\n  step a: Title with \"quotes\", ${ .x } and <script>x</script>: yes\n    role: agent\n    within: 30s\n    First line with trailing backslash \\\\\n    second line: #not a comment\n\n      - indented item ${{ }}\n    say: Say \"hi\" \\n not a newline ${ .y }\n    say: no\n    ask: 'Really?' #1\n    warning: <script>alert(\"x\")</script>\n    if \"yes\" ${ .z } } -> b\n    if a: b -> b\n    otherwise -> b\n  step b: B\n";

#[test]
fn user_text_round_trips_exactly() {
    let workflow = inline(HOSTILE);
    let node = &workflow.nodes[0];
    assert!(node.text.contains('\n'), "{:?}", node.text);
    let doc = yaml(&workflow);
    let tasks = task_list(&doc["do"]);
    let meta = &tasks[0].1["metadata"];
    assert_eq!(meta["title"], node.title.as_str());
    assert_eq!(meta["text"], node.text.as_str());
    assert_eq!(meta["say"][0], node.say[0].as_str());
    assert_eq!(meta["say"][1], "no");
    assert_eq!(meta["ask"], node.ask.as_deref().unwrap());
    assert_eq!(meta["callouts"][0]["text"], node.callouts[0].text.as_str());
    assert_eq!(doc["document"]["title"], workflow.title.as_str());
    assert_eq!(
        doc["document"]["metadata"]["roles"][0]["description"],
        workflow.roles[0].description.as_str()
    );
    let conditions: Vec<String> = task_list(&tasks[1].1["switch"])
        .iter()
        .filter_map(|(_, case)| case["when"].as_str().map(option_of))
        .collect();
    assert_eq!(conditions, ["\"yes\" ${ .z } }", "a: b"]);

    let machine = json(&workflow);
    let body = &machine["States"]["a"]["Parameters"]["MessageBody"];
    assert_eq!(body["title"], node.title.as_str());
    assert_eq!(body["text"], node.text.as_str());
    assert_eq!(body["say"][0], node.say[0].as_str());
    assert_eq!(body["callouts"][0]["text"], node.callouts[0].text.as_str());
    assert_eq!(
        body["options"],
        serde_json::json!(["\"yes\" ${ .z } }", "a: b"])
    );
    let rules = machine["States"]["a?"]["Choices"].as_array().unwrap();
    assert_eq!(rules[0]["StringEquals"], "\"yes\" ${ .z } }");
    assert_eq!(machine["States"]["a"]["Comment"], node.title.as_str());
}

/// The text of the first fenced block opened by a line of three backticks
/// and `info`.
fn fenced_block<'a>(markdown: &'a str, info: &str) -> &'a str {
    let open = format!("```{info}\n");
    let start = markdown
        .find(&open)
        .unwrap_or_else(|| panic!("no ```{info} block"))
        + open.len();
    let end = markdown[start..].find("\n```\n").expect("a closed block") + 1;
    &markdown[start..start + end]
}

#[test]
fn the_docs_show_what_sop_renders() {
    let docs = std::fs::read_to_string("docs/exports.md").unwrap();
    let workflow = model_of(Path::new("docs/exports.md"), fenced_block(&docs, "sop"));
    assert_eq!(fenced_block(&docs, "yaml"), serverless(&workflow));
    assert_eq!(fenced_block(&docs, "json"), asl(&workflow));
}

proptest! {
    #[test]
    fn any_text_round_trips_through_the_yaml_writer(
        key in any::<String>(),
        value in any::<String>(),
        list in proptest::collection::vec(any::<String>(), 0..3),
    ) {
        let mut map = serde_yaml::Mapping::new();
        map.insert(Yaml::String(key.clone()), Yaml::String(value.clone()));
        map.insert(
            Yaml::String("list".into()),
            Yaml::Sequence(list.into_iter().map(Yaml::String).collect()),
        );
        let mut inner = serde_yaml::Mapping::new();
        inner.insert(Yaml::String(value), Yaml::String(key));
        map.insert(Yaml::String("inner".into()), Yaml::Mapping(inner));
        let doc = Yaml::Mapping(map);
        let text = sop::render::yaml::to_string(&doc);
        let back: Yaml = serde_yaml::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, doc, "{}", text);
    }
}

#[test]
fn files_with_errors_still_render_without_panicking() {
    // The command line refuses them; the renderers must not fail on them.
    for path in sop_files("tests/fixtures/diagnostics") {
        let bytes = std::fs::read(&path).unwrap();
        let source = Source::from_bytes(&path, &bytes);
        let workflow = Workflow::from_document(&sop::syntax::parse(&source));
        let text = serverless(&workflow);
        serde_yaml::from_str::<Yaml>(&text)
            .unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()));
        serde_json::from_str::<Json>(&asl(&workflow)).unwrap();
    }
}

#[test]
fn rendering_a_directory_writes_every_format_side_by_side() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    for to in ["json", "serverless", "asl"] {
        sop(&[
            "render", "examples", "--to", to, "-o", dir, "--today", TODAY,
        ])
        .run()
        .code(0);
    }
    for path in sop_files("examples") {
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let file = path.to_str().unwrap();
        for (to, extension) in [("serverless", "sw.yaml"), ("asl", "asl.json")] {
            let written = std::fs::read_to_string(out.path().join(format!("{stem}.{extension}")))
                .unwrap_or_else(|e| panic!("{stem}.{extension}: {e}"));
            let alone = sop(&["render", file, "--to", to, "--today", TODAY])
                .run()
                .code(0)
                .stdout
                .clone();
            assert_eq!(written, alone, "{stem}.{extension}");
        }
        assert!(out.path().join(format!("{stem}.json")).is_file());
    }
}
