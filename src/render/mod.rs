//! Rendering: the [`Workflow`] model → Markdown, HTML, JSON, or a workflow
//! standard (BPMN 2.0, Serverless Workflow, Step Functions).
//!
//! One [`Renderer`] per backend, one file each. Renderers receive the
//! span-free model of a file that checked without errors.

pub mod asl;
pub mod bpmn;
pub mod engine;
pub mod flowchart;
pub mod html;
pub mod json;
pub mod labels;
pub mod lanes;
pub mod markdown;
pub mod mermaid;
pub mod outline;
pub mod prose;
pub mod serverless;
pub mod yaml;

use std::path::{Component, Path};

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
pub enum Backend {
    /// GitHub-flavoured Markdown with a Mermaid flowchart.
    Md,
    /// One self-contained HTML page with an SVG flowchart.
    Html,
    /// The JSON workflow definition.
    Json,
    /// BPMN 2.0 XML with diagram interchange (docs/exports.md).
    Bpmn,
    /// A CNCF Serverless Workflow 1.0 definition (YAML).
    Serverless,
    /// An AWS Step Functions state machine (Amazon States Language).
    Asl,
}

impl Backend {
    pub fn renderer(self) -> Box<dyn Renderer> {
        match self {
            Backend::Md => Box::new(markdown::Markdown),
            Backend::Html => Box::new(html::Html),
            Backend::Json => Box::new(json::Json),
            Backend::Bpmn => Box::new(bpmn::Bpmn),
            Backend::Serverless => Box::new(serverless::Serverless),
            Backend::Asl => Box::new(asl::Asl),
        }
    }
}

/// Percent-encodes one path segment for an `href`.
pub fn encode_segment(segment: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The relative `href` from the page `from` to the page `to`, both
/// relative paths in one output tree.
pub fn relative_href(from: &Path, to: &Path) -> String {
    let parts = |p: &Path| -> Vec<String> {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect()
    };
    let from = parts(from);
    let to = parts(to);
    let from_dir = &from[..from.len().saturating_sub(1)];
    let common = from_dir.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut segments: Vec<String> = vec!["..".to_string(); from_dir.len() - common];
    segments.extend(to[common..].iter().map(|s| encode_segment(s)));
    segments.join("/")
}

/// Appends text escaped for XML content and attribute values, without the
/// characters XML 1.0 cannot hold. Line breaks and tabs are character
/// references, so an attribute value keeps them.
pub fn xml_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_hrefs() {
        let href = |a: &str, b: &str| relative_href(Path::new(a), Path::new(b));
        assert_eq!(href("a.html", "b.html"), "b.html");
        assert_eq!(href("x/a.html", "x/b.html"), "b.html");
        assert_eq!(href("x/a.html", "b.html"), "../b.html");
        assert_eq!(href("a.html", "y/z/b.html"), "y/z/b.html");
        assert_eq!(
            href("x/y/a.html", "x/z/投诉 1.html"),
            "../z/%E6%8A%95%E8%AF%89%201.html"
        );
    }
}
