//! CNCF Serverless Workflow 1.0 (YAML), docs/exports.md: a step is a
//! `listen` for its completion event, a decision a `switch` on the answer,
//! a timeout a `try` that catches the timeout error, a hand-off a
//! `run: workflow`.

use serde::{Serialize, Serializer};

use super::engine::{
    completion_subject, semver, workflow_name, Plan, StepDetails, StepPlan, Target,
    COMPLETION_EVENT,
};
use super::{yaml, RenderContext, Renderer};
use crate::model::{Meta, Role, Workflow};

pub struct Serverless;

/// The DSL version written.
pub const DSL: &str = "1.0.0";

/// The namespace of every SOP's workflow.
pub const NAMESPACE: &str = "sop";

/// The error type a runtime raises when a task's timeout runs out.
pub const TIMEOUT_ERROR: &str = "https://serverlessworkflow.io/spec/1.0.0/errors/timeout";

/// The error raised when a decision's answer names none of its options and
/// it has no `otherwise`.
const VALIDATION_ERROR: &str = "https://serverlessworkflow.io/spec/1.0.0/errors/validation";

/// The `when` of the case taken after a timeout.
pub const TIMED_OUT: &str = "${ .timeout == true }";

/// What a step's `listen` outputs when a `switch` follows: its completion
/// event's data under `event`, so the `switch` can read the answer and
/// tell the step's end from a timeout.
pub const LISTEN_OUTPUT: &str = "${ { event: .[0] } }";

/// The `when` of a decision's option: the answer is the condition's text.
pub fn option_condition(condition: &str) -> String {
    // A JSON string is a jq string literal, escapes and all.
    let literal = serde_json::to_string(condition).unwrap_or_else(|_| "\"\"".into());
    format!("${{ .event.answer == {literal} }}")
}

impl Renderer for Serverless {
    fn extension(&self) -> &'static str {
        "sw.yaml"
    }

    fn render(&self, workflow: &Workflow, _: &RenderContext<'_>) -> String {
        let document = document(workflow);
        let value = serde_yaml::to_value(&document).unwrap_or(serde_yaml::Value::Null);
        yaml::to_string(&value)
    }
}

#[derive(Serialize)]
struct Document<'a> {
    document: Header<'a>,
    #[serde(rename = "do")]
    tasks: Vec<Named<Task<'a>>>,
}

#[derive(Serialize)]
struct Header<'a> {
    dsl: &'static str,
    namespace: &'static str,
    name: String,
    version: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    title: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    summary: &'a str,
    metadata: DocumentMetadata<'a>,
}

/// The SOP's id and metadata as written, its roles and its scope.
#[derive(Serialize)]
struct DocumentMetadata<'a> {
    sop: &'a str,
    #[serde(flatten)]
    meta: &'a Meta,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    roles: &'a [Role],
    #[serde(skip_serializing_if = "str::is_empty")]
    scope: &'a str,
}

/// A list entry `- name: value`.
struct Named<T>(String, T);

impl<T: Serialize> Serialize for Named<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(std::iter::once((&self.0, &self.1)))
    }
}

#[derive(Serialize, Default)]
struct Task<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<Listen>,
    #[serde(rename = "try", skip_serializing_if = "Option::is_none")]
    attempt: Option<Vec<Named<Task<'a>>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    catch: Option<Catch<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    switch: Option<Vec<Named<Case>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<Run>,
    #[serde(skip_serializing_if = "Option::is_none")]
    raise: Option<Raise>,
    #[serde(skip_serializing_if = "Option::is_none")]
    set: Option<TimedOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<Timeout>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<Output>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<TaskMetadata<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    then: Option<String>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum TaskMetadata<'a> {
    Step(StepDetails<'a>),
    Handoff { sop: String },
}

#[derive(Serialize)]
struct Listen {
    to: ListenTo,
}

#[derive(Serialize)]
struct ListenTo {
    one: EventFilter,
}

#[derive(Serialize)]
struct EventFilter {
    with: EventProperties,
}

#[derive(Serialize)]
struct EventProperties {
    #[serde(rename = "type")]
    kind: &'static str,
    subject: String,
}

#[derive(Serialize)]
struct Timeout {
    after: String,
}

#[derive(Serialize)]
struct Output {
    #[serde(rename = "as")]
    expression: &'static str,
}

#[derive(Serialize)]
struct Catch<'a> {
    errors: CatchErrors,
    #[serde(rename = "do")]
    tasks: Vec<Named<Task<'a>>>,
}

#[derive(Serialize)]
struct CatchErrors {
    with: ErrorFilter,
}

#[derive(Serialize)]
struct ErrorFilter {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct TimedOut {
    timeout: bool,
}

#[derive(Serialize)]
struct Case {
    #[serde(skip_serializing_if = "Option::is_none")]
    when: Option<String>,
    then: String,
}

#[derive(Serialize)]
struct Run {
    workflow: Subflow,
}

#[derive(Serialize)]
struct Subflow {
    namespace: &'static str,
    name: String,
    version: &'static str,
}

#[derive(Serialize)]
struct Raise {
    error: Error,
}

#[derive(Serialize)]
struct Error {
    #[serde(rename = "type")]
    kind: &'static str,
    status: u16,
    title: &'static str,
}

fn document(workflow: &Workflow) -> Document<'_> {
    let mut plan = Plan::new(workflow);
    let no_match = plan
        .steps
        .iter()
        .any(|s| !s.options.is_empty() && s.default.is_none())
        .then(|| plan.names.claim("no option matches"));
    let target = |to: Target| -> String {
        match to {
            Target::Step(i) => plan.steps[i].name.clone(),
            Target::End => "end".into(),
            Target::Handoff(k) => plan.handoffs[k].name.clone(),
        }
    };
    let mut tasks = Vec::new();
    for step in &plan.steps {
        let branches = !step.options.is_empty() || step.timeout.is_some();
        let then = if branches {
            step.branch_name.clone()
        } else {
            target(step.default.unwrap_or(Target::End))
        };
        let mut task = step_task(workflow, step, branches);
        task.then = Some(then);
        tasks.push(Named(step.name.clone(), task));
        if branches {
            let mut cases = Vec::new();
            if let Some(to) = step.timeout {
                cases.push(case("timeout", Some(TIMED_OUT.into()), target(to)));
            }
            for (k, (condition, to)) in step.options.iter().enumerate() {
                let name = format!("option-{}", k + 1);
                cases.push(case(&name, Some(option_condition(condition)), target(*to)));
            }
            let otherwise = match (step.default, &no_match) {
                (Some(to), _) => Some(target(to)),
                (None, Some(raise)) => Some(raise.clone()),
                (None, None) => None,
            };
            if let Some(then) = otherwise {
                cases.push(case("otherwise", None, then));
            }
            tasks.push(Named(
                step.branch_name.clone(),
                Task {
                    switch: Some(cases),
                    ..Task::default()
                },
            ));
        }
    }
    for handoff in &plan.handoffs {
        tasks.push(Named(
            handoff.name.clone(),
            Task {
                run: Some(Run {
                    workflow: Subflow {
                        namespace: NAMESPACE,
                        name: workflow_name(&handoff.sop),
                        version: "latest",
                    },
                }),
                metadata: Some(TaskMetadata::Handoff {
                    sop: handoff.sop.clone(),
                }),
                then: Some("end".into()),
                ..Task::default()
            },
        ));
    }
    if let Some(name) = no_match {
        tasks.push(Named(
            name,
            Task {
                raise: Some(Raise {
                    error: Error {
                        kind: VALIDATION_ERROR,
                        status: 400,
                        title: "The answer names none of the decision's options",
                    },
                }),
                ..Task::default()
            },
        ));
    }
    Document {
        document: Header {
            dsl: DSL,
            namespace: NAMESPACE,
            name: workflow_name(&workflow.id),
            version: semver(workflow.meta.version.as_deref()),
            title: &workflow.title,
            summary: &workflow.purpose,
            metadata: DocumentMetadata {
                sop: &workflow.id,
                meta: &workflow.meta,
                roles: &workflow.roles,
                scope: &workflow.scope,
            },
        },
        tasks,
    }
}

fn case(name: &str, when: Option<String>, then: String) -> Named<Case> {
    Named(name.to_string(), Case { when, then })
}

/// The step's own task: a `listen` for its completion event, inside a
/// `try` that catches its timeout when it has `timeout ->`.
fn step_task<'a>(workflow: &'a Workflow, step: &StepPlan<'a>, branches: bool) -> Task<'a> {
    let listen = Task {
        listen: Some(Listen {
            to: ListenTo {
                one: EventFilter {
                    with: EventProperties {
                        kind: COMPLETION_EVENT,
                        subject: completion_subject(workflow, step.node),
                    },
                },
            },
        }),
        timeout: step.node.within.map(|d| Timeout { after: d.iso() }),
        output: branches.then_some(Output {
            expression: LISTEN_OUTPUT,
        }),
        ..Task::default()
    };
    let metadata = Some(TaskMetadata::Step(StepDetails::of(step)));
    if step.timeout.is_none() {
        return Task { metadata, ..listen };
    }
    Task {
        attempt: Some(vec![Named("listen".into(), listen)]),
        catch: Some(Catch {
            errors: CatchErrors {
                with: ErrorFilter {
                    kind: TIMEOUT_ERROR,
                },
            },
            tasks: vec![Named(
                "timed-out".into(),
                Task {
                    set: Some(TimedOut { timeout: true }),
                    ..Task::default()
                },
            )],
        }),
        metadata,
        ..Task::default()
    }
}
