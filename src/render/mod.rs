//! Rendering: the [`Workflow`] model → Markdown, HTML or JSON.
//!
//! One [`Renderer`] per backend, one file each. Renderers receive the
//! span-free model of a file that checked without errors.

pub mod flowchart;
pub mod html;
pub mod json;
pub mod labels;
pub mod markdown;
pub mod mermaid;
pub mod prose;

use crate::model::Workflow;
use crate::values::{Cadence, Date};

pub use labels::Labels;

/// What a renderer needs besides the document.
pub struct RenderContext<'a> {
    /// The cadence used when the SOP declares no `review:`.
    pub default_review: Cadence,
    /// The page of another SOP, for `[[ID]]` links and hand-offs; `None`
    /// renders the link as plain text (a single file has no site around it).
    pub sop_link: &'a dyn Fn(&str) -> Option<String>,
    /// Pins the date shown as "next review due" context, if any.
    pub today: Option<Date>,
}

impl Default for RenderContext<'_> {
    fn default() -> Self {
        RenderContext {
            default_review: crate::config::Config::default().default_review,
            sop_link: &|_| None,
            today: None,
        }
    }
}

/// A backend.
pub trait Renderer {
    /// The file extension of its output, without the dot.
    fn extension(&self) -> &'static str;
    fn render(&self, workflow: &Workflow, context: &RenderContext<'_>) -> String;
}

/// The output formats of `sop render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// GitHub-flavoured Markdown with a Mermaid flowchart.
    Md,
    /// One self-contained HTML page with an SVG flowchart.
    Html,
    /// The JSON workflow definition.
    Json,
}

impl Target {
    pub fn renderer(self) -> Box<dyn Renderer> {
        match self {
            Target::Md => Box::new(markdown::Markdown),
            Target::Html => Box::new(html::Html),
            Target::Json => Box::new(json::Json),
        }
    }
}
