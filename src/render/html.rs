//! One self-contained HTML page: inline CSS, an inline SVG flowchart, no
//! scripts and nothing fetched from anywhere (a Content-Security-Policy
//! says so to the browser as well). Readable on screen, in dark mode and on
//! paper. All user text is escaped; prose goes through [`super::prose`].

use std::fmt::Write;

use super::flowchart::{self, step_anchor};
use super::outline::{walk, Goes, Outline, PageWriter, Prose, Step, TimeFacts};
use super::prose::{escape_into, render_blocks, render_inline, sop_ref};
use super::{Labels, RenderContext, Renderer};
use crate::model::{Callout, EdgeTo, NodeKind, Workflow};

pub struct Html;

impl Renderer for Html {
    fn extension(&self) -> &'static str {
        "html"
    }

    fn render(&self, workflow: &Workflow, context: &RenderContext<'_>) -> String {
        let labels = Labels::for_language(workflow.meta.language.as_deref());
        let mut out = String::with_capacity(16 * 1024 + STYLESHEET.len());
        out.push_str("<!DOCTYPE html>\n<html lang=\"");
        out.push_str(&language_tag(workflow.meta.language.as_deref()));
        out.push_str("\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        out.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
        out.push_str(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n",
        );
        out.push_str("<title>");
        escape_into(&mut out, &workflow.id);
        out.push_str(": ");
        escape_into(&mut out, &workflow.title);
        out.push_str("</title>\n<style>\n");
        out.push_str(STYLESHEET);
        out.push_str("</style>\n</head>\n<body>\n");
        body_into(&mut out, workflow, labels, context);
        out.push_str("</body>\n</html>\n");
        out
    }
}

/// The page's stylesheet, for pages that embed [`body`] in their own frame.
pub fn stylesheet() -> &'static str {
    STYLESHEET
}

/// The page's content (a `<main>` element) without the document around it.
pub fn body(workflow: &Workflow, context: &RenderContext<'_>) -> String {
    let labels = Labels::for_language(workflow.meta.language.as_deref());
    let mut out = String::with_capacity(16 * 1024);
    body_into(&mut out, workflow, labels, context);
    out
}

/// The `lang` attribute for a `language:` value: the value (with `_`
/// written `-`) when it has the shape of a BCP 47 tag (subtags of one to
/// eight letters or digits joined by `-`, the first two to eight letters or
/// `x`/`i`, 35 characters at most); `und` (undetermined) when it does not;
/// English, the labels' language, when there is none.
pub fn language_tag(tag: Option<&str>) -> String {
    let Some(tag) = tag.map(str::trim) else {
        return "en".into();
    };
    let tag = tag.replace('_', "-");
    let mut subtags = tag.split('-');
    let first_ok = subtags.next().is_some_and(|first| {
        first.chars().all(|c| c.is_ascii_alphabetic())
            && ((2..=8).contains(&first.len())
                || first.eq_ignore_ascii_case("x")
                || first.eq_ignore_ascii_case("i"))
    });
    let rest_ok =
        subtags.all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()));
    if first_ok && rest_ok && tag.len() <= 35 {
        tag
    } else {
        "und".into()
    }
}

struct Page<'a, 'c> {
    out: &'a mut String,
    workflow: &'a Workflow,
    labels: &'static Labels,
    ctx: &'a RenderContext<'c>,
}

fn body_into(
    out: &mut String,
    workflow: &Workflow,
    labels: &'static Labels,
    ctx: &RenderContext<'_>,
) {
    let mut page = Page {
        out,
        workflow,
        labels,
        ctx,
    };
    page.out.push_str("<main class=\"sop\">\n");
    walk(&mut page, workflow);
    page.out.push_str("</main>\n");
}

impl PageWriter for Page<'_, '_> {
    fn header(&mut self) {
        let (w, l) = (self.workflow, self.labels);
        self.push("<header>\n<p class=\"sop-id\">");
        self.text(&w.id);
        self.push("</p>\n<h1>");
        self.text(&w.title);
        self.push("</h1>\n</header>\n<table class=\"meta\">\n<tbody>\n");
        self.meta_row(l.id, |p| p.text(&w.id));
        if let Some(version) = &w.meta.version {
            self.meta_row(l.version, |p| p.text(version));
        }
        if let Some(owner) = &w.meta.owner {
            self.meta_row(l.owner, |p| p.text(owner));
        }
        if let Some(status) = w.meta.status {
            self.meta_row(l.status, |p| {
                let _ = write!(p.out, "<span class=\"status status-{}\">", status.name());
                p.text(l.status(status));
                p.push("</span>");
            });
        }
        if let Some(date) = w.meta.effective {
            self.meta_row(l.effective, |p| {
                let _ = write!(p.out, "<time datetime=\"{date}\">{date}</time>");
            });
        }
        self.meta_row(l.review, |p| match w.meta.review {
            Some(cadence) => p.text(&l.cadence(cadence)),
            None => {
                p.text(&l.cadence(p.ctx.default_review));
                p.push(" <span class=\"default\">(");
                p.text(l.default_marker);
                p.push(")</span>");
            }
        });
        if let Some(due) = w.next_review(self.ctx.default_review) {
            let overdue = self.ctx.today.is_some_and(|today| due < today);
            self.meta_row(l.next_review, |p| {
                let class = if overdue { " class=\"overdue\"" } else { "" };
                let _ = write!(p.out, "<time datetime=\"{due}\"{class}>{due}</time>");
            });
        }
        if let Some(tags) = w.meta.tags.as_ref().filter(|t| !t.is_empty()) {
            self.meta_row(l.tags, |p| {
                for tag in tags {
                    p.push("<span class=\"tag\">");
                    p.text(tag);
                    p.push("</span> ");
                }
            });
        }
        for (key, value) in &w.meta.custom {
            self.meta_row(key, |p| p.text(value));
        }
        self.push("</tbody>\n</table>\n");
    }

    fn roles(&mut self) {
        let (w, l) = (self.workflow, self.labels);
        if w.roles.is_empty() {
            return;
        }
        self.section_start("roles", l.roles);
        self.table(
            "roles",
            [l.role, l.description],
            &w.roles,
            |p, role, col| {
                if col == 0 {
                    p.push("<span class=\"role-id\">");
                    p.text(&role.id);
                    p.push("</span>");
                } else {
                    p.inline(&role.description);
                }
            },
        );
        self.push("</section>\n");
    }

    fn flowchart(&mut self) {
        if self.workflow.nodes.is_empty() {
            return;
        }
        self.section_start("flowchart", self.labels.flowchart);
        if let Some(overview) = flowchart::overview::Overview::of(self.workflow) {
            self.push("<p class=\"flowchart-note\">");
            self.text(&overview.note(self.workflow, self.labels));
            self.push("</p>\n");
        }
        self.push("<figure class=\"flowchart-figure\">\n");
        let svg = flowchart::render(self.workflow, self.labels, self.ctx);
        self.push(&svg);
        self.push("</figure>\n</section>\n");
    }

    fn time(&mut self, facts: &TimeFacts<'_>) {
        let l = self.labels;
        self.section_start("time", l.time);
        self.push("<table class=\"meta time\">\n<tbody>\n");
        if let Some(sla) = facts.sla {
            self.meta_row(l.sla, |p| p.text(&l.duration(sla)));
        }
        if let Some(worst) = facts.worst_case {
            self.meta_row(l.worst_case, |p| {
                let mut text = l.duration(worst);
                if facts.lower_bound {
                    text = l.at_least_text(&text);
                }
                p.push("<strong class=\"worst-case\">");
                p.text(&text);
                p.push("</strong>");
                match facts.exceeds_sla {
                    Some(true) => {
                        p.push(" <span class=\"sla-exceeded\">⚠ ");
                        p.text(l.exceeds_sla);
                        p.push("</span>");
                    }
                    Some(false) => {
                        p.push(" <span class=\"sla-kept\">✓ ");
                        p.text(l.within_sla);
                        p.push("</span>");
                    }
                    None => {}
                }
            });
            self.meta_row(l.worst_path, |p| {
                p.push("<ol class=\"worst-path\">");
                for (_, node) in &facts.path {
                    p.push("<li>");
                    p.step_link(node);
                    p.push("</li>");
                }
                p.push("</ol>");
            });
            if !facts.by_role.is_empty() {
                self.meta_row(l.by_role, |p| {
                    for (k, (role, total)) in facts.by_role.iter().enumerate() {
                        if k > 0 {
                            p.push("; ");
                        }
                        p.push("<span class=\"role-id\">");
                        p.text(role);
                        p.push("</span>: ");
                        p.text(&l.duration(*total));
                    }
                });
            }
            if !facts.unbounded.is_empty() {
                self.meta_row(l.unbounded, |p| {
                    for (k, (_, node)) in facts.unbounded.iter().enumerate() {
                        if k > 0 {
                            p.push(", ");
                        }
                        p.step_link(node);
                    }
                });
            }
        }
        self.push("</tbody>\n</table>\n");
        if facts.inexact {
            self.push("<p class=\"inexact\">");
            self.text(l.inexact);
            self.push("</p>\n");
        }
        self.push("</section>\n");
    }

    fn definitions(&mut self) {
        let (w, l) = (self.workflow, self.labels);
        if w.definitions.is_empty() {
            return;
        }
        self.section_start("definitions", l.definitions);
        self.table(
            "definitions",
            [l.term, l.definition],
            &w.definitions,
            |p, d, col| {
                if col == 0 {
                    p.push("<dfn>");
                    p.text(&d.term);
                    p.push("</dfn>");
                } else {
                    p.inline(&d.definition);
                }
            },
        );
        self.push("</section>\n");
    }

    fn metrics(&mut self) {
        let (w, l) = (self.workflow, self.labels);
        if w.metrics.is_empty() {
            return;
        }
        self.section_start("metrics", l.metrics);
        self.table("metrics", [l.metric, l.target], &w.metrics, |p, m, col| {
            if col == 0 {
                p.text(&m.name);
            } else {
                p.inline(&m.target);
            }
        });
        self.push("</section>\n");
    }

    fn notes(&mut self) {
        let Some(notes) = &self.workflow.notes else {
            return;
        };
        if notes.text.trim().is_empty() && notes.callouts.is_empty() {
            return;
        }
        self.section_start("notes", self.labels.notes);
        if !notes.text.trim().is_empty() {
            self.push("<div class=\"prose\">\n");
            render_blocks(self.out, &notes.text, 2, self.ctx);
            self.push("</div>\n");
        }
        self.callouts(&notes.callouts);
        self.push("</section>\n");
    }

    fn references(&mut self) {
        let w = self.workflow;
        if w.references.is_empty() {
            return;
        }
        self.section_start("references", self.labels.references);
        self.push("<ul class=\"references\">\n");
        for reference in &w.references {
            self.push("<li>");
            self.inline(&reference.text);
            self.push("</li>\n");
        }
        self.push("</ul>\n</section>\n");
    }

    fn revisions(&mut self) {
        let (w, l) = (self.workflow, self.labels);
        if w.revisions.is_empty() {
            return;
        }
        self.section_start("revisions", l.revisions);
        self.push("<table class=\"revisions\">\n<thead><tr>");
        for h in [l.version, l.date, l.author, l.change] {
            self.push("<th scope=\"col\">");
            self.text(h);
            self.push("</th>");
        }
        self.push("</tr></thead>\n<tbody>\n");
        for r in &w.revisions {
            self.push("<tr><td>");
            self.text(&r.version);
            self.push("</td><td>");
            self.text(&r.date);
            self.push("</td><td>");
            self.text(r.author.as_deref().unwrap_or(""));
            self.push("</td><td>");
            self.inline(&r.description);
            self.push("</td></tr>\n");
        }
        self.push("</tbody>\n</table>\n</section>\n");
    }

    fn prose(&mut self, section: Prose, markdown: &str) {
        if markdown.trim().is_empty() {
            return;
        }
        let heading = match section {
            Prose::Purpose => self.labels.purpose,
            Prose::Scope => self.labels.scope,
        };
        self.section_start(section.anchor(), heading);
        self.push("<div class=\"prose\">\n");
        render_blocks(self.out, markdown, 2, self.ctx);
        self.push("</div>\n</section>\n");
    }

    fn steps_start(&mut self) {
        self.section_start("procedure", self.labels.steps);
    }

    fn step(&mut self, step: &Step<'_>, outline: &Outline<'_>) {
        let (index, node) = (step.index, step.node);
        let (w, l) = (self.workflow, self.labels);
        let anchor = step_anchor(&node.id);
        let kind = match node.kind {
            NodeKind::Task => "task",
            NodeKind::Decision => "decision",
        };
        self.push("<article class=\"step step-");
        self.push(kind);
        self.push("\" id=\"");
        self.text(&anchor);
        self.push("\">\n<h3><a class=\"step-number\" href=\"#");
        self.text(&anchor);
        let _ = write!(self.out, "\">{}.</a> ", node.number);
        self.text(&node.title);
        self.push("</h3>\n");

        if !node.roles.is_empty() || node.within.is_some() {
            self.push("<dl class=\"step-meta\">");
            if !node.roles.is_empty() {
                self.push("<div><dt>");
                self.text(l.role);
                self.push("</dt><dd>");
                for (k, role) in node.roles.iter().enumerate() {
                    if k > 0 {
                        self.push(", ");
                    }
                    self.push("<span class=\"role-id\"");
                    if let Some(r) = w.roles.iter().find(|r| &r.id == role) {
                        self.push(" title=\"");
                        self.text(&r.description);
                        self.push("\"");
                    }
                    self.push(">");
                    self.text(role);
                    self.push("</span>");
                }
                self.push("</dd></div>");
            }
            if let Some(within) = node.within {
                self.push("<div><dt>");
                self.text(l.within);
                self.push("</dt><dd>");
                self.text(&l.duration(within));
                self.push("</dd></div>");
            }
            self.push("</dl>\n");
        }

        if !node.text.trim().is_empty() {
            self.push("<div class=\"prose\">\n");
            render_blocks(self.out, &node.text, 3, self.ctx);
            self.push("</div>\n");
        }
        for line in &node.say {
            self.push("<blockquote class=\"say\"><p><span class=\"say-label\">");
            self.text(l.say);
            self.push("</span> ");
            self.inline(line);
            self.push("</p></blockquote>\n");
        }
        self.callouts(&node.callouts);

        let decision = node.kind == NodeKind::Decision;
        if decision || node.ask.is_some() {
            self.push("<div class=\"decision\">\n");
            if let Some(ask) = &node.ask {
                self.push("<p class=\"question\"><span class=\"question-label\">");
                self.text(l.question);
                self.push("</span> ");
                self.inline(ask);
                self.push("</p>\n");
            }
            if decision {
                self.push("<ul class=\"options\">\n");
                for edge in &step.edges {
                    self.push("<li>");
                    match edge.label() {
                        _ if edge.on.is_some() => {
                            self.push("<span class=\"condition timeout\">");
                            self.text(&l.timeout_label(node.within));
                        }
                        Some("otherwise") | None => {
                            self.push("<span class=\"condition otherwise\">");
                            self.text(l.otherwise);
                        }
                        Some(condition) => {
                            self.push("<span class=\"condition\">");
                            self.text(condition);
                        }
                    }
                    self.push("</span> <span class=\"arrow\" aria-hidden=\"true\">→</span> ");
                    self.target(&edge.to, outline);
                    self.push("</li>\n");
                }
                self.push("</ul>\n");
            }
            self.push("</div>\n");
        }
        if !decision {
            for edge in &step.edges {
                let to = &edge.to;
                if edge.on.is_some() {
                    self.push("<p class=\"next timeout\"><span class=\"condition timeout\">");
                    self.text(&l.timeout_label(node.within));
                    self.push("</span> <span class=\"arrow\" aria-hidden=\"true\">→</span> ");
                    self.target(to, outline);
                    self.push("</p>\n");
                    continue;
                }
                if outline.falls_through(index, to) {
                    continue;
                }
                self.push("<p class=\"next\"><span class=\"arrow\" aria-hidden=\"true\">→</span> ");
                if matches!(to, EdgeTo::Node(_)) {
                    self.text(l.go_to);
                    self.push(" ");
                }
                self.target(to, outline);
                self.push("</p>\n");
            }
        }
        self.push("</article>\n");
    }

    fn steps_end(&mut self) {
        self.push("</section>\n");
    }
}

impl Page<'_, '_> {
    /// A branch target: a link to the step, the end, or a hand-off.
    fn target(&mut self, to: &EdgeTo, outline: &Outline<'_>) {
        let l = self.labels;
        match outline.goes(to) {
            Goes::Step { node: target, .. } => self.step_link(target),
            Goes::Missing(id) => self.text(id),
            Goes::End => {
                self.push("<span class=\"end\">");
                self.text(l.end);
                self.push("</span>");
            }
            Goes::Sop(id) => {
                self.push("<span class=\"hand-off\">");
                self.text(l.hand_off);
                self.push("</span> ");
                sop_ref(self.out, id, true, self.ctx);
            }
        }
    }

    /// A link to a step: `<a href="#step-…">3. Title</a>`.
    fn step_link(&mut self, node: &crate::model::Node) {
        self.push("<a href=\"#");
        self.text(&step_anchor(&node.id));
        let _ = write!(self.out, "\">{}. ", node.number);
        self.text(&node.title);
        self.push("</a>");
    }

    fn text(&mut self, text: &str) {
        escape_into(self.out, text);
    }

    fn push(&mut self, html: &str) {
        self.out.push_str(html);
    }

    fn inline(&mut self, markdown: &str) {
        render_inline(self.out, markdown, self.ctx);
    }

    fn section_start(&mut self, id: &str, heading: &str) {
        let _ = write!(self.out, "<section id=\"{id}\">\n<h2>");
        self.text(heading);
        self.push("</h2>\n");
    }

    fn meta_row(&mut self, label: &str, value: impl FnOnce(&mut Self)) {
        self.push("<tr><th scope=\"row\">");
        self.text(label);
        self.push("</th><td>");
        value(self);
        self.push("</td></tr>\n");
    }

    /// A table of two columns; cells are escaped text or inline Markdown.
    fn table<T>(
        &mut self,
        class: &str,
        head: [&str; 2],
        rows: &[T],
        mut cells: impl FnMut(&mut Self, &T, usize),
    ) {
        let _ = write!(self.out, "<table class=\"{class}\">\n<thead><tr>");
        for h in head {
            self.push("<th scope=\"col\">");
            self.text(h);
            self.push("</th>");
        }
        self.push("</tr></thead>\n<tbody>\n");
        for row in rows {
            self.push("<tr><td>");
            cells(self, row, 0);
            self.push("</td><td>");
            cells(self, row, 1);
            self.push("</td></tr>\n");
        }
        self.push("</tbody>\n</table>\n");
    }

    fn callouts(&mut self, callouts: &[Callout]) {
        for callout in callouts {
            let kind = callout.kind;
            let _ = write!(
                self.out,
                "<aside class=\"callout callout-{}\"><p class=\"callout-title\">",
                kind.name()
            );
            self.text(self.labels.callout(kind));
            self.push("</p><p>");
            self.inline(&callout.text);
            self.push("</p></aside>\n");
        }
    }
}

/// Screen (light and dark) and print styles. The flowchart's colours are
/// set here too, overriding the SVG's own presentation attributes.
const STYLESHEET: &str = include_str!("assets/page.css");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_are_sanitised() {
        assert_eq!(language_tag(Some("zh-CN")), "zh-CN");
        assert_eq!(language_tag(Some("en_GB")), "en-GB");
        assert_eq!(language_tag(Some("\"><script>")), "und");
        assert_eq!(language_tag(None), "en");
        assert_eq!(language_tag(Some(" hu ")), "hu");
        assert_eq!(language_tag(Some("zh-Hans-CN")), "zh-Hans-CN");
        assert_eq!(language_tag(Some("x-klingon")), "x-klingon");
        for bad in [
            "",
            "e",
            "english language",
            "en--GB",
            "en-",
            "1en",
            "en-toolongsubtag",
            "en-GB-oxendict-aaaaaaaa-bbbbbbbb-cccccccc",
            "ünkn",
        ] {
            assert_eq!(language_tag(Some(bad)), "und", "{bad:?}");
        }
    }
}
