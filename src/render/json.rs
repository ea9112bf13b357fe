//! The JSON workflow definition (docs/workflow-json.md): the model with
//! the hashes of the SOP and of each node ([`Workflow::hashed`]).

use super::{RenderContext, Renderer};
use crate::model::Workflow;

pub struct Json;

impl Renderer for Json {
    fn extension(&self) -> &'static str {
        "json"
    }

    fn render(&self, workflow: &Workflow, _: &RenderContext<'_>) -> String {
        // Serialising plain data to a String cannot fail.
        let mut text = serde_json::to_string_pretty(&workflow.hashed()).unwrap_or_default();
        text.push('\n');
        text
    }
}
