//! Validation: one parsed file → its diagnostics.

use crate::ast::Document;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::flow::Flow;
use crate::index::ProjectIndex;
use crate::rules::{Context, Reporter, RULES};
use crate::source::Source;
use crate::syntax;
use crate::values::Date;

/// One checked file.
#[derive(Debug)]
pub struct CheckedFile {
    /// The path as the user sees it (relative when under the working directory).
    pub path: std::path::PathBuf,
    pub source: Source,
    pub diagnostics: Vec<Diagnostic>,
}

/// What a check needs besides the file.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub today: Date,
    pub config: Config,
}

impl CheckOptions {
    pub fn new(today: Date) -> Self {
        CheckOptions {
            today,
            config: Config::default(),
        }
    }
}

/// Parses and validates one source. `project` enables the cross-file checks.
pub fn check_source(
    source: &Source,
    options: &CheckOptions,
    project: Option<&ProjectIndex>,
) -> Vec<Diagnostic> {
    let doc = syntax::parse(source);
    check_document(source, &doc, options, project)
}

/// Validates a parsed document: runs every rule that is not switched off,
/// and returns the diagnostics in source order.
pub fn check_document(
    source: &Source,
    doc: &Document<'_>,
    options: &CheckOptions,
    project: Option<&ProjectIndex>,
) -> Vec<Diagnostic> {
    let flow = Flow::build(doc);
    let ctx = Context {
        source,
        doc,
        flow: &flow,
        today: options.today,
        default_review: options.config.default_review,
        project,
    };
    let mut out = Vec::new();
    for rule in RULES {
        if let Some(severity) = options.config.severity(rule) {
            let mut reporter = Reporter::new(rule, severity, &mut out);
            (rule.check)(&ctx, &mut reporter);
        }
    }
    out.sort_by(|a, b| {
        (a.primary.span.start, a.primary.span.end, a.code).cmp(&(
            b.primary.span.start,
            b.primary.span.end,
            b.code,
        ))
    });
    out
}
