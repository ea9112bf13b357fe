//! The JSON workflow definition (docs/workflow-json.md).

use super::{RenderContext, Renderer};
use crate::model::Workflow;

pub struct Json;

impl Renderer for Json {
    fn extension(&self) -> &'static str {
        "json"
    }

    fn render(&self, workflow: &Workflow, _: &RenderContext<'_>) -> String {
        // Serialising plain data to a String cannot fail.
        let mut text = serde_json::to_string_pretty(workflow).unwrap_or_default();
        text.push('\n');
        text
    }
}
