//! One self-contained HTML page: inline CSS, an inline SVG flowchart, no
//! scripts and nothing fetched from anywhere (a Content-Security-Policy
//! says so to the browser as well). Readable on screen, in dark mode and on
//! paper. All user text is escaped; prose goes through [`super::prose`].

use std::fmt::Write;

use super::flowchart::{self, step_anchor};
use super::prose::{escape_into, render_blocks, render_inline, sop_ref};
use super::{Labels, RenderContext, Renderer};
use crate::model::{Callout, EdgeTo, Node, NodeKind, Workflow};

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
    page.header();
    page.prose_section("purpose", labels.purpose, &workflow.purpose);
    page.prose_section("scope", labels.scope, &workflow.scope);
    page.roles();
    page.flowchart();
    page.steps();
    page.definitions();
    page.metrics();
    page.notes();
    page.references();
    page.revisions();
    page.out.push_str("</main>\n");
}

impl Page<'_, '_> {
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

    fn meta_row(&mut self, label: &str, value: impl FnOnce(&mut Self)) {
        self.push("<tr><th scope=\"row\">");
        self.text(label);
        self.push("</th><td>");
        value(self);
        self.push("</td></tr>\n");
    }

    fn prose_section(&mut self, id: &str, heading: &str, markdown: &str) {
        if markdown.trim().is_empty() {
            return;
        }
        self.section_start(id, heading);
        self.push("<div class=\"prose\">\n");
        render_blocks(self.out, markdown, 2, self.ctx);
        self.push("</div>\n</section>\n");
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
        self.push("<figure class=\"flowchart-figure\">\n");
        let svg = flowchart::render(self.workflow, self.labels, self.ctx);
        self.push(&svg);
        self.push("</figure>\n</section>\n");
    }

    fn steps(&mut self) {
        let (w, l) = (self.workflow, self.labels);
        if w.nodes.is_empty() {
            return;
        }
        self.section_start("procedure", l.steps);
        // Outgoing edges per node, in the model's order.
        let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); w.nodes.len()];
        let mut positions: std::collections::BTreeMap<&str, usize> = Default::default();
        for (i, node) in w.nodes.iter().enumerate() {
            positions.entry(node.id.as_str()).or_insert(i);
        }
        for (e, edge) in w.edges.iter().enumerate() {
            if let Some(&i) = positions.get(edge.from.as_str()) {
                outgoing[i].push(e);
            }
        }
        for (i, node) in w.nodes.iter().enumerate() {
            self.step(i, node, &outgoing[i], &positions);
        }
        self.push("</section>\n");
    }

    fn step(
        &mut self,
        index: usize,
        node: &Node,
        outgoing: &[usize],
        positions: &std::collections::BTreeMap<&str, usize>,
    ) {
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
                for &e in outgoing {
                    let edge = &w.edges[e];
                    self.push("<li>");
                    match edge.when.as_deref() {
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
                    self.target(&edge.to, positions);
                    self.push("</li>\n");
                }
                self.push("</ul>\n");
            }
            self.push("</div>\n");
        }
        if !decision {
            for &e in outgoing {
                let to = &w.edges[e].to;
                let falls_through = matches!(to, EdgeTo::Node(id)
                    if positions.get(id.as_str()) == Some(&(index + 1)));
                if falls_through {
                    continue;
                }
                self.push("<p class=\"next\"><span class=\"arrow\" aria-hidden=\"true\">→</span> ");
                if matches!(to, EdgeTo::Node(_)) {
                    self.text(l.go_to);
                    self.push(" ");
                }
                self.target(to, positions);
                self.push("</p>\n");
            }
        }
        self.push("</article>\n");
    }

    /// A branch target: a link to the step, the end, or a hand-off.
    fn target(&mut self, to: &EdgeTo, positions: &std::collections::BTreeMap<&str, usize>) {
        let l = self.labels;
        match to {
            EdgeTo::Node(id) => match positions.get(id.as_str()) {
                Some(&i) => {
                    let target = &self.workflow.nodes[i];
                    self.push("<a href=\"#");
                    self.text(&step_anchor(id));
                    let _ = write!(self.out, "\">{}. ", target.number);
                    self.text(&target.title);
                    self.push("</a>");
                }
                None => self.text(id),
            },
            EdgeTo::End => {
                self.push("<span class=\"end\">");
                self.text(l.end);
                self.push("</span>");
            }
            EdgeTo::Sop(id) => {
                self.push("<span class=\"hand-off\">");
                self.text(l.hand_off);
                self.push("</span> ");
                sop_ref(self.out, id, true, self.ctx);
            }
        }
    }

    fn callouts(&mut self, callouts: &[Callout]) {
        for callout in callouts {
            let kind = callout.kind.0;
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
}

/// Screen (light and dark) and print styles. The flowchart's colours are
/// set here too, overriding the SVG's own presentation attributes.
const STYLESHEET: &str = r#":root {
  color-scheme: light dark;
  --fg: #1e293b; --muted: #64748b; --bg: #ffffff; --surface: #f8fafc; --border: #e2e8f0;
  --accent: #1d4ed8; --link: #1d4ed8;
  --tip: #15803d; --tip-bg: #f0fdf4; --warning: #b45309; --warning-bg: #fffbeb;
  --note: #1d4ed8; --note-bg: #eff6ff; --danger: #b91c1c;
  --node-bg: #ffffff; --node-border: #334155; --decision-bg: #eff6ff; --decision-border: #1d4ed8;
  --edge: #64748b; --loop: #b45309; --handoff: #7c3aed; --end-bg: #f1f5f9;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e2e8f0; --muted: #94a3b8; --bg: #0f172a; --surface: #1e293b; --border: #334155;
    --accent: #93c5fd; --link: #93c5fd;
    --tip: #4ade80; --tip-bg: #052e16; --warning: #fbbf24; --warning-bg: #2a1d05;
    --note: #93c5fd; --note-bg: #0c1a3a; --danger: #f87171;
    --node-bg: #1e293b; --node-border: #94a3b8; --decision-bg: #172554; --decision-border: #93c5fd;
    --edge: #94a3b8; --loop: #fbbf24; --handoff: #c4b5fd; --end-bg: #334155;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 54rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: .2rem 0 1.25rem; }
h2 { font-size: 1.35rem; line-height: 1.3; margin: 2.5rem 0 .75rem; padding-bottom: .3rem; border-bottom: 1px solid var(--border); }
h3 { font-size: 1.15rem; line-height: 1.35; }
h4, h5, h6 { font-size: 1rem; margin: 1rem 0 .4rem; }
a { color: var(--link); text-underline-offset: .15em; }
p, ul, ol { margin: .6rem 0; }
.sop-id { margin: 0; color: var(--muted); font-weight: 600; letter-spacing: .04em; }
table { border-collapse: collapse; width: 100%; margin: .75rem 0; font-size: .95rem; }
th, td { text-align: left; vertical-align: top; padding: .45rem .65rem; border-bottom: 1px solid var(--border); }
thead th { border-bottom: 2px solid var(--border); }
table.meta th { width: 30%; color: var(--muted); font-weight: 600; }
.tag { display: inline-block; margin: .1rem .2rem .1rem 0; padding: 0 .55rem; border: 1px solid var(--border); border-radius: 999px; background: var(--surface); font-size: .85rem; }
.status { font-weight: 600; }
.status-active { color: var(--tip); }
.status-draft { color: var(--warning); }
.status-retired { color: var(--muted); }
.default { color: var(--muted); font-style: italic; }
.overdue { color: var(--danger); font-weight: 600; }
.role-id { font-weight: 600; }
dfn { font-style: normal; font-weight: 600; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .9em; padding: .1em .3em; border-radius: .25rem; background: var(--surface); }
pre { overflow-x: auto; padding: .75rem 1rem; border-radius: .4rem; background: var(--surface); }
pre code { padding: 0; background: none; }
.prose blockquote { margin: .75rem 0; padding: 0 1rem; border-left: 4px solid var(--border); color: var(--muted); }
.prose table { width: auto; }
li:has(> input[type="checkbox"]) { list-style: none; }
li > input[type="checkbox"] { margin: 0 .45rem 0 -1.3rem; vertical-align: -.1em; }
.sop-ref { font-weight: 600; white-space: nowrap; }
span.sop-ref { padding: 0 .3rem; border: 1px solid var(--border); border-radius: .3rem; background: var(--surface); font-size: .92em; }
.flowchart-figure { margin: 1rem 0; overflow-x: auto; }
svg.flowchart { display: block; margin: 0 auto; height: auto; }
svg.flowchart text { fill: var(--fg); }
svg.flowchart .fc-task rect { fill: var(--node-bg); stroke: var(--node-border); }
svg.flowchart .fc-decision path { fill: var(--decision-bg); stroke: var(--decision-border); }
svg.flowchart .fc-end rect { fill: var(--end-bg); stroke: var(--node-border); }
svg.flowchart .fc-handoff rect { stroke: var(--handoff); }
svg.flowchart .fc-handoff rect:first-of-type { fill: var(--node-bg); }
svg.flowchart .fc-start circle { fill: var(--node-border); }
svg.flowchart .fc-caption { fill: var(--muted); }
svg.flowchart path.fc-edge { stroke: var(--edge); }
svg.flowchart path.fc-arrow { fill: var(--edge); }
svg.flowchart path.fc-edge.fc-loop { stroke: var(--loop); }
svg.flowchart path.fc-arrow.fc-loop { fill: var(--loop); }
svg.flowchart .fc-label rect { fill: var(--bg); }
svg.flowchart .fc-label text { fill: var(--muted); }
svg.flowchart a.fc-node:hover rect, svg.flowchart a.fc-node:hover path,
svg.flowchart a.fc-node:focus rect, svg.flowchart a.fc-node:focus path { stroke-width: 3; }
.step { margin: 1rem 0; padding: 1rem 1.25rem; border: 1px solid var(--border); border-radius: .6rem; scroll-margin-top: 1rem; }
.step:target { outline: 3px solid var(--accent); outline-offset: 2px; }
.step h3 { margin: 0 0 .5rem; }
.step-number { margin-right: .2rem; color: var(--accent); text-decoration: none; }
.step-decision { border-left: 4px solid var(--decision-border); }
.step-meta { display: flex; flex-wrap: wrap; gap: .2rem 1.5rem; margin: 0 0 .6rem; color: var(--muted); font-size: .92rem; }
.step-meta dt { display: inline; font-weight: 600; }
.step-meta dt::after { content: ":"; margin-right: .35rem; }
.step-meta dd { display: inline; margin: 0; }
.say { margin: .75rem 0; padding: .45rem 1rem; border-left: 4px solid var(--accent); border-radius: 0 .4rem .4rem 0; background: var(--surface); }
.say p { margin: 0; font-style: italic; }
.say-label { margin-right: .35rem; color: var(--muted); font-style: normal; font-weight: 600; }
.callout { margin: .75rem 0; padding: .55rem 1rem; border-left: 4px solid; border-radius: .4rem; }
.callout p { margin: 0; }
.callout-title { font-weight: 700; font-size: .92rem; }
.callout-tip { border-color: var(--tip); background: var(--tip-bg); }
.callout-tip .callout-title { color: var(--tip); }
.callout-warning { border-color: var(--warning); background: var(--warning-bg); }
.callout-warning .callout-title { color: var(--warning); }
.callout-note { border-color: var(--note); background: var(--note-bg); }
.callout-note .callout-title { color: var(--note); }
.decision { margin: .75rem 0 0; padding: .6rem 1rem; border: 1px solid var(--border); border-radius: .4rem; background: var(--surface); }
.question { margin: 0 0 .3rem; font-weight: 600; }
.question-label { margin-right: .35rem; color: var(--muted); }
.options { margin: 0; padding-left: 1.25rem; }
.condition { font-weight: 600; }
.otherwise { font-style: italic; }
.arrow { margin: 0 .3rem; color: var(--muted); }
.next { margin: .75rem 0 0; }
.end { font-weight: 600; }
.hand-off { color: var(--muted); }
.references li { margin: .25rem 0; }
@media (max-width: 600px) {
  main { padding: 1rem .75rem 3rem; }
  h1 { font-size: 1.6rem; }
  table.meta th { width: 40%; }
}
@media print {
  :root {
    color-scheme: light;
    --fg: #000; --muted: #444; --bg: #fff; --surface: #fff; --border: #bbb;
    --accent: #000; --link: #000; --tip-bg: #fff; --warning-bg: #fff; --note-bg: #fff;
    --node-bg: #fff; --decision-bg: #fff; --end-bg: #fff;
  }
  @page { margin: 1.6cm 1.4cm; }
  body { font-size: 10.5pt; line-height: 1.45; }
  main { max-width: none; margin: 0; padding: 0; }
  h2, h3 { break-after: avoid; }
  .step, .callout, .decision, .say, tr, dl { break-inside: avoid; }
  .step:target { outline: none; }
  a { text-decoration: none; }
  main a[href^="http"]::after { content: " (" attr(href) ")"; font-size: .85em; color: var(--muted); word-break: break-all; }
  .flowchart-figure { overflow: visible; }
  svg.flowchart { height: auto; }
}
"#;

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
