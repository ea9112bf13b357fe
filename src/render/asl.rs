//! AWS Step Functions (Amazon States Language, JSON), docs/exports.md: a
//! step is a `Task` that sends its details to a queue and waits for the
//! task token to come back, a decision a `Choice` on the answer, a timeout
//! a `Catch` of `States.Timeout`, a hand-off a synchronous start of the
//! other SOP's state machine.

use serde::{Serialize, Serializer};

use super::engine::{workflow_name, Plan, StepDetails, Target};
use super::{RenderContext, Renderer};
use crate::model::Workflow;

pub struct Asl;

/// The resource of a step: a message to a queue, then a wait for the task
/// token.
pub const STEP_RESOURCE: &str = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";

/// The resource of a hand-off: another state machine, run to its end.
pub const HANDOFF_RESOURCE: &str = "arn:aws:states:::states:startExecution.sync:2";

/// The placeholder for the URL of the queue the steps are sent to.
pub const QUEUE_URL: &str = "${SopTaskQueueUrl}";

/// The placeholder for what precedes a state machine's name in its ARN,
/// `arn:aws:states:<region>:<account>:stateMachine:`.
pub const STATE_MACHINE_ARN_PREFIX: &str = "${SopStateMachineArnPrefix}";

/// The path a decision's answer is read from.
pub const ANSWER: &str = "$.answer";

/// The largest `TimeoutSeconds` Step Functions accepts.
const LONGEST_TIMEOUT: u64 = 99_999_999;

impl Renderer for Asl {
    fn extension(&self) -> &'static str {
        "asl.json"
    }

    fn render(&self, workflow: &Workflow, _: &RenderContext<'_>) -> String {
        // Serialising plain data to a String cannot fail.
        let mut text = serde_json::to_string_pretty(&state_machine(workflow)).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct StateMachine<'a> {
    comment: String,
    start_at: String,
    states: States<'a>,
}

/// The states, in the order written (a map to Step Functions).
struct States<'a>(Vec<(String, State<'a>)>);

impl Serialize for States<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(name, state)| (name, state)))
    }
}

#[derive(Serialize)]
#[serde(tag = "Type")]
enum State<'a> {
    Task(Box<Task<'a>>),
    Choice(Choice<'a>),
    Succeed {},
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Task<'a> {
    comment: String,
    resource: &'static str,
    parameters: Parameters<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    catch: Vec<Catcher>,
    #[serde(flatten)]
    next: Next,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Parameters<'a> {
    #[serde(rename_all = "PascalCase")]
    Step {
        queue_url: &'static str,
        message_body: Message<'a>,
    },
    #[serde(rename_all = "PascalCase")]
    Handoff {
        state_machine_arn: String,
        input: HandoffInput<'a>,
    },
}

/// The message a step sends: the SOP's id, the step's details and the
/// token that `SendTaskSuccess` returns.
#[derive(Serialize)]
struct Message<'a> {
    sop: &'a str,
    #[serde(flatten)]
    details: StepDetails<'a>,
    #[serde(rename = "TaskToken.$")]
    task_token: &'static str,
}

#[derive(Serialize)]
struct HandoffInput<'a> {
    handed_off_by: &'a str,
    #[serde(rename = "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$")]
    started_by: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Catcher {
    error_equals: [&'static str; 1],
    next: String,
}

#[derive(Serialize)]
enum Next {
    Next(String),
    End(bool),
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Choice<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    choices: Vec<Rule<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Rule<'a> {
    variable: &'static str,
    string_equals: &'a str,
    next: String,
}

fn state_machine(workflow: &Workflow) -> StateMachine<'_> {
    let plan = Plan::new(workflow);
    // The state Choice and Catch go to when the procedure ends there; the
    // plan keeps its name free.
    let end = "end".to_string();
    let mut needs_end = plan.steps.is_empty();
    let mut name = |to: Target| -> String {
        match to {
            Target::Step(i) => plan.steps[i].name.clone(),
            Target::End => {
                needs_end = true;
                end.clone()
            }
            Target::Handoff(k) => plan.handoffs[k].name.clone(),
        }
    };
    let mut states = Vec::new();
    for step in &plan.steps {
        let chooses = !step.options.is_empty();
        let next = if chooses {
            Next::Next(step.branch_name.clone())
        } else {
            match step.default.unwrap_or(Target::End) {
                Target::End => Next::End(true),
                to => Next::Next(name(to)),
            }
        };
        let task = Task {
            comment: step.node.title.clone(),
            resource: STEP_RESOURCE,
            parameters: Parameters::Step {
                queue_url: QUEUE_URL,
                message_body: Message {
                    sop: &workflow.id,
                    details: StepDetails::of(step),
                    task_token: "$$.Task.Token",
                },
            },
            timeout_seconds: step
                .node
                .within
                .map(|d| d.saturating_seconds().clamp(1, LONGEST_TIMEOUT)),
            catch: step
                .timeout
                .map(|to| Catcher {
                    error_equals: ["States.Timeout"],
                    next: name(to),
                })
                .into_iter()
                .collect(),
            next,
        };
        states.push((step.name.clone(), State::Task(Box::new(task))));
        if chooses {
            let choices = step
                .options
                .iter()
                .map(|(condition, to)| Rule {
                    variable: ANSWER,
                    string_equals: condition,
                    next: name(*to),
                })
                .collect();
            let choice = Choice {
                comment: step.node.ask.as_deref(),
                choices,
                default: step.default.map(&mut name),
            };
            states.push((step.branch_name.clone(), State::Choice(choice)));
        }
    }
    for handoff in &plan.handoffs {
        let task = Task {
            comment: format!(
                "Hand-off to {}: runs its state machine to the end, then ends this one.",
                handoff.sop
            ),
            resource: HANDOFF_RESOURCE,
            parameters: Parameters::Handoff {
                state_machine_arn: format!(
                    "{STATE_MACHINE_ARN_PREFIX}{}",
                    workflow_name(&handoff.sop)
                ),
                input: HandoffInput {
                    handed_off_by: &workflow.id,
                    started_by: "$$.Execution.Id",
                },
            },
            timeout_seconds: None,
            catch: Vec::new(),
            next: Next::End(true),
        };
        states.push((handoff.name.clone(), State::Task(Box::new(task))));
    }
    if needs_end {
        states.push((end.clone(), State::Succeed {}));
    }
    let start_at = plan.steps.first().map_or(end, |s| s.name.clone());
    StateMachine {
        comment: comment(workflow),
        start_at,
        states: States(states),
    }
}

/// `CS-001: Title`, with the version and `sla:` when the SOP has them.
fn comment(workflow: &Workflow) -> String {
    let mut comment = format!("{}: {}", workflow.id, workflow.title);
    if let Some(version) = &workflow.meta.version {
        comment.push_str(&format!("; version {version}"));
    }
    if let Some(sla) = workflow.meta.sla {
        comment.push_str(&format!("; sla {}", sla.iso()));
    }
    comment
}
