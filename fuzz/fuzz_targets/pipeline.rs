//! Any bytes through the whole pipeline: decode → parse → check (with a
//! project index) → fmt → every renderer. Asserts no panic, an idempotent
//! `sop fmt`, and output with no live script: no dangerous URL and no raw
//! tag in the HTML page beyond the renderer's own, and a Markdown page whose
//! links are safe and whose only raw HTML is the renderer's own anchors and
//! line breaks, read back with pulldown-cmark.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use pulldown_cmark::{Event, Parser, Tag};
use sop::check::{check_document, CheckOptions};
use sop::diagnostics::Severity;
use sop::index::ProjectIndex;
use sop::model::Workflow;
use sop::render::prose::{is_dangerous_url, markdown_options};
use sop::render::{Backend, RenderContext};
use sop::source::Source;
use sop::values::Date;

fuzz_target!(|data: &[u8]| {
    let source = Source::from_bytes(Path::new("fuzz.sop"), data);
    let doc = sop::syntax::parse(&source);
    let index = ProjectIndex::from_entries([
        ("CS-001".to_string(), "a.sop".into()),
        ("CS-014".to_string(), "b.sop".into()),
    ]);
    let today = Date::parse("2026-11-23").expect("a date");
    let diagnostics = check_document(&source, &doc, &CheckOptions::new(today), Some(&index));

    if let Ok(formatted) = sop::fmt::format_document(&source, &doc) {
        let again = sop::fmt::format_source(&formatted).expect("formatted text formats");
        assert_eq!(again, formatted, "sop fmt is not idempotent");
    }

    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return;
    }
    let workflow = Workflow::from_document(&doc);
    let link = |id: &str| Some(format!("{id}.html"));
    let context = RenderContext {
        sop_link: &link,
        ..RenderContext::default()
    };
    for backend in [
        Backend::Md,
        Backend::Html,
        Backend::Json,
        Backend::Bpmn,
        Backend::Serverless,
        Backend::Asl,
    ] {
        let out = backend.renderer().render(&workflow, &context);
        match backend {
            Backend::Md => markdown_is_safe(&out),
            Backend::Html => html_is_safe(&out),
            Backend::Json | Backend::Asl => {
                assert!(out.starts_with('{'), "JSON output: {out}");
            }
            Backend::Serverless => {
                assert!(out.starts_with("document:\n"), "YAML output: {out}");
            }
            Backend::Bpmn => {
                if let Err(e) = roxmltree::Document::parse(&out) {
                    panic!("BPMN output is not well-formed XML ({e}):\n{out}");
                }
            }
        }
    }
});

/// The Markdown's links are safe and its only raw HTML is the renderer's
/// own: step anchors and line breaks in table cells.
fn markdown_is_safe(md: &str) {
    for event in Parser::new_ext(md, markdown_options()) {
        match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                assert!(!is_dangerous_url(&dest_url), "link to {dest_url:?} in\n{md}");
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let html = html.trim();
                let own = html == "</a>"
                    || html == "<br>"
                    || (html.starts_with("<a id=\"step-")
                        && (html.ends_with("\"></a>") || html.ends_with("\">"))
                        && !html["<a id=\"".len()..].trim_end_matches("\"></a>").trim_end_matches("\">").contains(['"', '<', '>']));
                assert!(own, "raw HTML {html:?} in\n{md}");
            }
            _ => {}
        }
    }
}

/// Every tag of the HTML page is one the renderer writes on purpose, with
/// no event-handler attribute and no dangerous URL.
fn html_is_safe(html: &str) {
    const FORBIDDEN: &[&str] = &[
        "script", "iframe", "object", "embed", "form", "base", "frame", "frameset", "applet",
        "template", "math", "link",
    ];
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(open) = rest.find('<') {
        let tag = &rest[open + 1..];
        let end = tag.find('>').unwrap_or(tag.len());
        let inside = &tag[..end];
        let name: String = inside
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(!FORBIDDEN.contains(&name.as_str()), "<{inside}> in the page");
        for (key, value) in attributes(inside) {
            assert!(
                !(key.starts_with("on") && value.is_some()),
                "event handler in <{inside}>"
            );
            if matches!(key, "href" | "src" | "xlink:href" | "action" | "formaction") {
                let value = value.unwrap_or_default();
                assert!(!is_dangerous_url(value), "{key}={value:?} in <{inside}>");
            }
        }
        rest = &tag[end..];
    }
}

/// The attributes of a tag's inside (`a href="x" title='y z'`), as a browser
/// reads them: names, and values that may be quoted and hold spaces.
fn attributes(inside: &str) -> Vec<(&str, Option<&str>)> {
    let mut out = Vec::new();
    // Skip the tag name.
    let mut rest = inside.trim_start_matches('/');
    let name_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    rest = &rest[name_end..];
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return out;
        }
        let key_end = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let key = &rest[..key_end];
        rest = rest[key_end..].trim_start();
        let Some(after) = rest.strip_prefix('=') else {
            out.push((key, None));
            continue;
        };
        let after = after.trim_start();
        let (value, next) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let body = &after[1..];
                let close = body.find(q).unwrap_or(body.len());
                (&body[..close], body.get(close + 1..).unwrap_or(""))
            }
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        out.push((key, Some(value)));
        rest = next;
    }
}
