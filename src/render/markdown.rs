//! GitHub-flavoured Markdown: a document that reads well on GitHub and
//! GitLab, with a Mermaid flowchart of the procedure.
//!
//! Layout: `# title`, a metadata table, purpose and scope, roles, the
//! flowchart, the numbered steps (each behind a stable `<a id="step-…">`
//! anchor, the same anchors the HTML page uses), definitions, metrics,
//! notes, references and the revision history.
//!
//! Text is handled in two ways:
//! - *plain* text (titles, ids, conditions, names) is escaped so that it
//!   shows as written: Markdown punctuation gets a backslash;
//! - *Markdown* text (prose, scripts, callouts, questions, descriptions,
//!   references) passes through, with rewrites made on the parsed source,
//!   so code spans and code blocks stay untouched:
//!   - `[[ID]]` becomes a link to the other SOP (when
//!     [`RenderContext::sop_link`] knows its page) or the id in bold;
//!   - raw HTML is shown as text (as in the HTML output, and so a stray
//!     `<!--` or `<pre>` cannot swallow the rest of the page): inline, its
//!     `<` becomes `&lt;`; an HTML block has all its punctuation escaped,
//!     since as text it is read as a paragraph of Markdown;
//!   - links with a script-capable or local scheme lose their link;
//!   - every link is written inline, with its destination as the parser
//!     resolved it: each piece of prose is parsed on its own, but the output
//!     is one document, in which a reference definition would apply
//!     everywhere (`[x]: javascript:…` in one section, `[x]` in another).
//!     The definitions are dropped;
//!   - what the parser took as text but another reader could take as markup
//!     gets a backslash: `[`, `{` (Pandoc's attributes), a backtick, a `<`
//!     before a letter.
//!
//!   Headings inside prose move down below the heading they stand under,
//!   and a code fence left open is closed. The result is parsed once more
//!   and checked ([`is_safe`]); should it fail, the prose is shown as plain
//!   text. One-line text (a `say:` line, a table cell) must be one
//!   paragraph, or it is shown as plain text too.
//!
//! In tables, `|` is escaped and a line break becomes `<br>`.

use std::fmt::Write;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Parser, Tag, TagEnd};

use super::flowchart::step_anchor;
use super::outline::{walk, Goes, Outline, PageWriter, Prose, Step, TimeFacts};
use super::prose::{guard_block_syntax, is_dangerous_url, markdown_options};
use super::{Labels, RenderContext, Renderer};
use crate::model::CalloutKind;
use crate::model::{Callout, EdgeTo, NodeKind, Workflow};

pub struct Markdown;

impl Renderer for Markdown {
    fn extension(&self) -> &'static str {
        "md"
    }

    fn render(&self, workflow: &Workflow, context: &RenderContext<'_>) -> String {
        let labels = Labels::for_language(workflow.meta.language.as_deref());
        let mut doc = Doc {
            blocks: Vec::new(),
            workflow,
            labels,
            ctx: context,
        };
        walk(&mut doc, workflow);
        let mut out = doc.blocks.join("\n\n");
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }
}

/// The document, as blocks separated by blank lines.
struct Doc<'a, 'c> {
    blocks: Vec<String>,
    workflow: &'a Workflow,
    labels: &'static Labels,
    ctx: &'a RenderContext<'c>,
}

impl PageWriter for Doc<'_, '_> {
    fn header(&mut self) {
        let (w, l, ctx) = (self.workflow, self.labels, self.ctx);
        self.block(format!("# {}", heading_text(&w.title)));
        let mut rows: Vec<(String, String)> = Vec::new();
        if let Some(version) = &w.meta.version {
            rows.push((plain(l.version), plain(version)));
        }
        if let Some(owner) = &w.meta.owner {
            rows.push((plain(l.owner), plain(owner)));
        }
        if let Some(status) = w.meta.status {
            rows.push((plain(l.status), plain(l.status(status))));
        }
        if let Some(date) = w.meta.effective {
            rows.push((plain(l.effective), date.to_string()));
        }
        let review = match w.meta.review {
            Some(cadence) => plain(&l.cadence(cadence)),
            None => format!(
                "{} ({})",
                plain(&l.cadence(ctx.default_review)),
                plain(l.default_marker)
            ),
        };
        rows.push((plain(l.review), review));
        if let Some(due) = w.next_review(ctx.default_review) {
            rows.push((plain(l.next_review), due.to_string()));
        }
        if let Some(tags) = w.meta.tags.as_ref().filter(|t| !t.is_empty()) {
            let tags: Vec<String> = tags.iter().map(|t| code_span(t)).collect();
            rows.push((plain(l.tags), tags.join(" ")));
        }
        for (key, value) in &w.meta.custom {
            rows.push((plain(key), plain(value)));
        }
        // The id heads the table: it is always there, and GFM tables need a
        // header row.
        let mut table = table_head(&[&plain(l.id), &plain(&w.id)]);
        for (label, value) in rows {
            table_row(&mut table, &[&label, &value]);
        }
        self.block(table);
    }

    fn roles(&mut self) {
        let (w, l) = (self.workflow, self.labels);
        if w.roles.is_empty() {
            return;
        }
        self.heading(l.roles);
        let mut table = table_head(&[&plain(l.role), &plain(l.description)]);
        for role in &w.roles {
            table_row(
                &mut table,
                &[&plain(&role.id), &self.inline(&role.description)],
            );
        }
        self.block(table);
    }

    fn flowchart(&mut self) {
        let (w, l) = (self.workflow, self.labels);
        if w.nodes.is_empty() {
            return;
        }
        self.heading(l.flowchart);
        if let Some(overview) = super::flowchart::overview::Overview::of(w) {
            self.block(plain(&overview.note(w, l)));
            self.block(format!("```mermaid\n{}```", overview.mermaid(w, l)));
            return;
        }
        self.block(format!("```mermaid\n{}```", super::mermaid::mermaid(w, l)));
    }

    fn time(&mut self, facts: &TimeFacts<'_>) {
        let l = self.labels;
        self.heading(l.time);
        let mut rows: Vec<(String, String)> = Vec::new();
        if let Some(sla) = facts.sla {
            rows.push((plain(l.sla), plain(&l.duration(sla))));
        }
        if let Some(worst) = facts.worst_case {
            let mut text = l.duration(worst);
            if facts.lower_bound {
                text = l.at_least_text(&text);
            }
            let mut cell = format!("**{}**", plain(&text));
            match facts.exceeds_sla {
                Some(true) => {
                    let _ = write!(cell, " ⚠ {}", plain(l.exceeds_sla));
                }
                Some(false) => {
                    let _ = write!(cell, " ✓ {}", plain(l.within_sla));
                }
                None => {}
            }
            rows.push((plain(l.worst_case), cell));
            let path: Vec<String> = facts.path.iter().map(|(_, n)| step_link(n)).collect();
            rows.push((plain(l.worst_path), path.join(" → ")));
            if !facts.by_role.is_empty() {
                let roles: Vec<String> = facts
                    .by_role
                    .iter()
                    .map(|(role, total)| format!("{}: {}", plain(role), plain(&l.duration(*total))))
                    .collect();
                rows.push((plain(l.by_role), roles.join("; ")));
            }
            if !facts.unbounded.is_empty() {
                let steps: Vec<String> =
                    facts.unbounded.iter().map(|(_, n)| step_link(n)).collect();
                rows.push((plain(l.unbounded), steps.join(", ")));
            }
        }
        let mut rows = rows.into_iter();
        if let Some((label, value)) = rows.next() {
            let mut table = table_head(&[&label, &value]);
            for (label, value) in rows {
                table_row(&mut table, &[&label, &value]);
            }
            self.block(table);
        }
        if facts.inexact {
            self.block(plain(l.inexact));
        }
    }

    fn definitions(&mut self) {
        let (w, l) = (self.workflow, self.labels);
        if w.definitions.is_empty() {
            return;
        }
        self.heading(l.definitions);
        let mut table = table_head(&[&plain(l.term), &plain(l.definition)]);
        for d in &w.definitions {
            let term = format!("**{}**", plain(&d.term));
            table_row(&mut table, &[&term, &self.inline(&d.definition)]);
        }
        self.block(table);
    }

    fn metrics(&mut self) {
        let (w, l) = (self.workflow, self.labels);
        if w.metrics.is_empty() {
            return;
        }
        self.heading(l.metrics);
        let mut table = table_head(&[&plain(l.metric), &plain(l.target)]);
        for m in &w.metrics {
            table_row(&mut table, &[&plain(&m.name), &self.inline(&m.target)]);
        }
        self.block(table);
    }

    fn notes(&mut self) {
        let Some(notes) = &self.workflow.notes else {
            return;
        };
        if notes.text.trim().is_empty() && notes.callouts.is_empty() {
            return;
        }
        self.heading(self.labels.notes);
        if !notes.text.trim().is_empty() {
            self.block(block_markdown(&notes.text, 2, self.ctx));
        }
        self.callouts(&notes.callouts);
    }

    fn references(&mut self) {
        let w = self.workflow;
        if w.references.is_empty() {
            return;
        }
        self.heading(self.labels.references);
        let mut list = String::new();
        for reference in &w.references {
            let _ = writeln!(list, "- {}", self.inline_at_line_start(&reference.text));
        }
        self.block(list);
    }

    fn revisions(&mut self) {
        let (w, l) = (self.workflow, self.labels);
        if w.revisions.is_empty() {
            return;
        }
        self.heading(l.revisions);
        let mut table = table_head(&[
            &plain(l.version),
            &plain(l.date),
            &plain(l.author),
            &plain(l.change),
        ]);
        for r in &w.revisions {
            let author = r.author.as_deref().map(plain).unwrap_or_default();
            table_row(
                &mut table,
                &[
                    &plain(&r.version),
                    &plain(&r.date),
                    &author,
                    &self.inline(&r.description),
                ],
            );
        }
        self.block(table);
    }

    fn prose(&mut self, section: Prose, markdown: &str) {
        if markdown.trim().is_empty() {
            return;
        }
        let heading = match section {
            Prose::Purpose => self.labels.purpose,
            Prose::Scope => self.labels.scope,
        };
        self.heading(heading);
        self.block(block_markdown(markdown, 2, self.ctx));
    }

    fn steps_start(&mut self) {
        self.heading(self.labels.steps);
    }

    fn step(&mut self, step: &Step<'_>, outline: &Outline<'_>) {
        let (index, node) = (step.index, step.node);
        let l = self.labels;
        self.block(format!(
            "<a id=\"{}\"></a>\n### {}. {}",
            attribute(&step_anchor(&node.id)),
            node.number,
            heading_text(&node.title)
        ));

        let mut facts: Vec<String> = Vec::new();
        if !node.roles.is_empty() {
            let label = if node.roles.len() > 1 {
                l.roles
            } else {
                l.role
            };
            let roles: Vec<String> = node.roles.iter().map(|r| plain(r)).collect();
            facts.push(format!("**{}:** {}", plain(label), roles.join(", ")));
        }
        if let Some(within) = node.within {
            facts.push(format!(
                "**{}:** {}",
                plain(l.within),
                plain(&l.duration(within))
            ));
        }
        if !facts.is_empty() {
            self.block(facts.join(" · "));
        }

        if !node.text.trim().is_empty() {
            self.block(block_markdown(&node.text, 3, self.ctx));
        }
        for line in &node.say {
            self.block(format!("> **{}:** {}", plain(l.say), self.inline(line)));
        }
        self.callouts(&node.callouts);

        if let Some(ask) = node.ask.as_deref().filter(|a| !a.trim().is_empty()) {
            let mut question = inline_markdown(ask, false, true, self.ctx);
            if question.ends_with('\\') {
                // A trailing backslash would escape the closing `**`.
                question.push('\\');
            }
            self.block(format!("**{question}**"));
        }
        if node.kind == NodeKind::Decision {
            let mut list = String::new();
            for edge in &step.edges {
                let condition = match edge.label() {
                    _ if edge.on.is_some() => format!("*{}*", plain(&l.timeout_label(node.within))),
                    Some("otherwise") | None => format!("*{}*", plain(l.otherwise)),
                    Some(condition) => guard_block_syntax(&plain(condition)).into_owned(),
                };
                let _ = writeln!(list, "- {condition} → {}", self.target(&edge.to, outline));
            }
            self.block(list);
        } else {
            for edge in &step.edges {
                let to = &edge.to;
                if edge.on.is_none() && outline.falls_through(index, to) {
                    continue;
                }
                let target = self.target(to, outline);
                let line = match to {
                    _ if edge.on.is_some() => {
                        format!("*{}* → {target}", plain(&l.timeout_label(node.within)))
                    }
                    EdgeTo::Node(_) => format!("→ {} {target}", plain(l.go_to)),
                    EdgeTo::End | EdgeTo::Sop(_) => format!("→ {target}"),
                };
                self.block(line);
            }
        }
    }

    fn steps_end(&mut self) {}
}

impl Doc<'_, '_> {
    /// A branch target: a link to the step, the end, or a hand-off.
    fn target(&self, to: &EdgeTo, outline: &Outline<'_>) -> String {
        let l = self.labels;
        match outline.goes(to) {
            Goes::Step { node, .. } => step_link(node),
            Goes::Missing(id) => plain(id),
            Goes::End => format!("**{}**", plain(l.end)),
            Goes::Sop(id) => format!(
                "{} {}",
                plain(l.hand_off),
                sop_ref(id, false, false, self.ctx)
            ),
        }
    }
    fn block(&mut self, text: impl Into<String>) {
        let text = text.into();
        let text = text.trim_end();
        if !text.trim().is_empty() {
            self.blocks.push(text.to_string());
        }
    }

    fn heading(&mut self, text: &str) {
        self.block(format!("## {}", heading_text(text)));
    }

    /// Inline Markdown from the file, in the middle of a line: one line,
    /// `[[ID]]` links resolved.
    fn inline(&self, text: &str) -> String {
        inline_markdown(text, false, false, self.ctx)
    }

    /// Inline Markdown that starts a line: list item, alert body.
    fn inline_at_line_start(&self, text: &str) -> String {
        inline_markdown(text, true, false, self.ctx)
    }

    /// Callouts as GitHub alerts (GitLab draws them too).
    fn callouts(&mut self, callouts: &[Callout]) {
        for callout in callouts {
            let kind = match callout.kind {
                CalloutKind::Tip => "TIP",
                CalloutKind::Warning => "WARNING",
                CalloutKind::Note => "NOTE",
            };
            let text = self.inline_at_line_start(&callout.text);
            self.block(format!("> [!{kind}]\n> {text}"));
        }
    }
}

/// A link to a step: `[3. Title](#step-…)`.
fn step_link(node: &crate::model::Node) -> String {
    format!(
        "[{}. {}](#{})",
        node.number,
        plain(&node.title),
        step_anchor(&node.id)
    )
}

/// A table's header and delimiter rows.
fn table_head(cells: &[&str]) -> String {
    let mut out = String::new();
    table_row(&mut out, cells);
    out.push('|');
    for _ in cells {
        out.push_str(" --- |");
    }
    out.push('\n');
    out
}

/// One table row; each cell is Markdown, escaped for the table here.
fn table_row(out: &mut String, cells: &[&str]) {
    out.push('|');
    for cell in cells {
        out.push(' ');
        out.push_str(&table_cell(cell));
        out.push_str(" |");
    }
    out.push('\n');
}

/// Escapes the pipes of Markdown that goes into a table cell (those not
/// already escaped) and turns line breaks into `<br>`.
fn table_cell(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut chars = markdown.trim().chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push('\\');
                match chars.next() {
                    Some('\n') => out.push_str("<br>"),
                    Some(next) => out.push(next),
                    None => out.push('\\'),
                }
            }
            '|' => out.push_str("\\|"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Plain text, escaped so that Markdown shows it as written.
pub fn plain(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '~' | '$' | '{' => {
                out.push('\\');
                out.push(c);
            }
            // `snake_case` stays as it is: an underscore inside a word
            // never emphasises.
            '_' => {
                let inside = i > 0
                    && chars[i - 1].is_alphanumeric()
                    && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
                if !inside {
                    out.push('\\');
                }
                out.push('_');
            }
            '&' if starts_entity(&chars[i + 1..]) => out.push_str("\\&"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Plain text for a heading: as [`plain`], and a closing run of `#` (`Test
/// #`, which an ATX heading would drop) escaped.
fn heading_text(text: &str) -> String {
    let mut out = plain(text.trim());
    let hashes = out.len() - out.trim_end_matches('#').len();
    let before = &out[..out.len() - hashes];
    if hashes > 0 && (before.is_empty() || before.ends_with([' ', '\t'])) {
        out.insert(before.len(), '\\');
    }
    out
}

/// Whether the characters after an `&` would make it an entity reference:
/// `&name;`, `&#123;`, `&#x1F;`.
fn starts_entity(rest: &[char]) -> bool {
    let Some(end) = rest.iter().take(34).position(|&c| c == ';') else {
        return false;
    };
    let body = &rest[..end];
    match body {
        ['#', 'x' | 'X', hex @ ..] => !hex.is_empty() && hex.iter().all(char::is_ascii_hexdigit),
        ['#', digits @ ..] => !digits.is_empty() && digits.iter().all(char::is_ascii_digit),
        [first, ..] => first.is_ascii_alphabetic() && body.iter().all(char::is_ascii_alphanumeric),
        [] => false,
    }
}

/// A code span holding `text` as written.
fn code_span(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A value for a double-quoted HTML attribute.
fn attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL as a Markdown link destination that every reader decodes to the
/// same URL: the characters that would end or break `(…)` (and a backtick,
/// which some readers pair with a code span) are percent-encoded, and an
/// `&` that would start a character reference is written `&amp;`.
fn link_destination(url: &str) -> String {
    let chars: Vec<char> = url.chars().collect();
    let mut out = String::with_capacity(url.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            ' ' | '(' | ')' | '<' | '>' | '\\' | '|' | '"' | '`' => {
                let _ = write!(out, "%{:02X}", u32::from(c));
            }
            '&' if starts_entity(&chars[i + 1..]) => out.push_str("&amp;"),
            c if c.is_control() => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// A link's `(destination "title")`, written so that every reader takes the
/// same destination and title from it.
fn link_target(url: &str, title: &str) -> String {
    let mut out = format!("({}", link_destination(url));
    if !title.is_empty() {
        let chars: Vec<char> = title.chars().collect();
        out.push_str(" \"");
        for (i, &c) in chars.iter().enumerate() {
            match c {
                '"' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                '&' if starts_entity(&chars[i + 1..]) => out.push_str("&amp;"),
                c if c.is_control() => out.push(' '),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push(')');
    out
}

/// A reference to another SOP: a link to its page when there is one (and
/// the reference is not already inside a link), else the id in bold (or
/// as it is, inside bold text).
fn sop_ref(id: &str, in_link: bool, in_strong: bool, ctx: &RenderContext<'_>) -> String {
    let shown = plain(id);
    let url = if in_link { None } else { (ctx.sop_link)(id) };
    match url.filter(|u| !is_dangerous_url(u)) {
        Some(url) => format!("[{shown}]{}", link_target(&url, "")),
        None if in_strong => shown,
        None => format!("**{shown}**"),
    }
}

/// Prose blocks (a section, a step's text, notes), with headings moved down
/// `heading_offset` levels. Should the result not pass [`is_safe`] (which
/// the rewrite is built to prevent), the prose is shown as plain text.
fn block_markdown(markdown: &str, heading_offset: u8, ctx: &RenderContext<'_>) -> String {
    let out = rewrite(markdown, heading_offset, false, ctx);
    if is_safe(&out, false) {
        out
    } else {
        plain_lines(markdown)
    }
}

/// One piece of inline Markdown (a `say:` line, a callout, a table cell).
/// It is parsed the way it will be read: as the text of a paragraph, with
/// what would make it a block at the start of a line escaped. When it is
/// written in the middle of a line, that escape is left out again
/// (`>= 85%` in a table cell stays as it is). Text that is not one
/// paragraph even so (a line of raw HTML) is shown as plain text.
fn inline_markdown(
    text: &str,
    at_line_start: bool,
    in_strong: bool,
    ctx: &RenderContext<'_>,
) -> String {
    let text = text.trim();
    let guarded = guard_block_syntax(text);
    // The guard inserts one backslash: before the first character, or after
    // the digits of `1.`.
    let guard = (guarded.len() != text.len()).then(|| {
        text.bytes()
            .zip(guarded.bytes())
            .take_while(|(a, b)| a == b)
            .count()
    });
    let mut out = rewrite(&guarded, 0, in_strong, ctx);
    if !is_safe(&out, true) {
        let shown = plain(text);
        return if at_line_start {
            guard_block_syntax(&shown).into_owned()
        } else {
            shown
        };
    }
    if let Some(at) = guard.filter(|&at| !at_line_start && out.as_bytes().get(at) == Some(&b'\\')) {
        out.remove(at);
    }
    out
}

/// Whether Markdown is safe to write into the document whatever reads it:
/// no raw HTML, no link reference definition (it would apply to the whole
/// document), and only inline links and images whose scheme is harmless.
/// With `single_paragraph`, it must be exactly one paragraph; otherwise it
/// must leave nothing open (a code fence, an HTML block) that would run on
/// into the blocks after it.
fn is_safe(markdown: &str, single_paragraph: bool) -> bool {
    const NEXT: &str = "sop-next-block";
    let checked = if single_paragraph {
        markdown.to_string()
    } else {
        format!("{markdown}\n\n{NEXT}\n")
    };
    let parser = Parser::new_ext(&checked, markdown_options());
    if parser.reference_definitions().iter().next().is_some() {
        return false;
    }
    let events: Vec<Event<'_>> = parser.collect();
    let harmless = events.iter().all(|event| match event {
        Event::Html(_) | Event::InlineHtml(_) | Event::Start(Tag::HtmlBlock) => false,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            ..
        }) => {
            matches!(
                link_type,
                LinkType::Inline | LinkType::Autolink | LinkType::Email
            ) && !is_dangerous_url(dest_url)
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            ..
        }) => *link_type == LinkType::Inline && !is_dangerous_url(dest_url),
        _ => true,
    });
    if !harmless {
        return false;
    }
    if !single_paragraph {
        // The paragraph after it must be a paragraph of its own, at the top.
        let [before @ .., Event::Start(Tag::Paragraph), Event::Text(next), Event::End(TagEnd::Paragraph)] =
            events.as_slice()
        else {
            return false;
        };
        let depth: isize = before
            .iter()
            .map(|e| match e {
                Event::Start(_) => 1,
                Event::End(_) => -1,
                _ => 0,
            })
            .sum();
        return next.as_ref() == NEXT && depth == 0;
    }
    matches!(events.first(), Some(Event::Start(Tag::Paragraph)))
        && matches!(events.last(), Some(Event::End(TagEnd::Paragraph)))
        && events
            .iter()
            .filter(|e| matches!(e, Event::End(TagEnd::Paragraph)))
            .count()
            == 1
}

/// Prose shown as plain text, line by line: every ASCII punctuation
/// character is escaped, so no line can be read as markup, and blank lines
/// still separate paragraphs.
fn plain_lines(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() * 2);
    for line in markdown.lines() {
        out.push_str(&escape_punctuation(line.trim()));
        out.push('\n');
    }
    out
}

/// Whether a character of text that the parser took literally would be read
/// as markup by some other reader, and so needs a backslash: `[` (a link or
/// a reference), `{` (Pandoc's attributes and raw blocks), a backtick (a
/// code span), and `<` before what could be a tag or an autolink.
fn needs_escape(src: &str, at: usize) -> bool {
    match src.as_bytes()[at] {
        b'[' | b'{' | b'`' => true,
        b'<' => src
            .as_bytes()
            .get(at + 1)
            .is_some_and(|&b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?')),
        _ => false,
    }
}

/// An edit of the Markdown source: replace `range` with `with`.
struct Edit {
    range: Range<usize>,
    with: String,
}

impl Edit {
    fn insert(at: usize, with: impl Into<String>) -> Edit {
        Edit {
            range: at..at,
            with: with.into(),
        }
    }
}

/// A link or image being parsed: its source, its destination and title,
/// and the extent of its text.
struct OpenLink<'a> {
    range: Range<usize>,
    image: bool,
    link_type: LinkType,
    dest: pulldown_cmark::CowStr<'a>,
    title: pulldown_cmark::CowStr<'a>,
    inner: Option<Range<usize>>,
}

impl OpenLink<'_> {
    /// `<https://…>`: its text is its URL, which must stay as it is.
    fn autolink(&self) -> bool {
        matches!(self.link_type, LinkType::Autolink | LinkType::Email)
    }
}

/// An HTML block being parsed: the source ranges of its lines.
#[derive(Default)]
struct HtmlBlock {
    lines: Vec<Range<usize>>,
}

/// Passes Markdown from the file through, rewriting what must change (see
/// the module documentation). Headings move down `heading_offset` levels;
/// `in_strong` says the text will be set in bold.
fn rewrite(markdown: &str, heading_offset: u8, in_strong: bool, ctx: &RenderContext<'_>) -> String {
    let src = markdown;
    let parser = Parser::new_ext(src, markdown_options()).into_offset_iter();
    // Each prose block is parsed on its own, but the output is one
    // document, in which a definition would apply everywhere: links that
    // use one are written inline below, and the definitions are dropped.
    let mut edits: Vec<Edit> = parser
        .reference_definitions()
        .iter()
        .map(|(_, def)| Edit {
            range: def.span.clone(),
            with: String::new(),
        })
        .collect();
    // Text runs outside code: (range, inside a link, inside bold).
    let mut texts: Vec<(Range<usize>, bool, bool)> = Vec::new();
    let mut links: Vec<OpenLink<'_>> = Vec::new();
    let mut html_block: Option<HtmlBlock> = None;
    let mut strong = 0usize;
    let mut in_code_block = false;

    for (event, range) in parser {
        let closes_link = matches!(event, Event::End(TagEnd::Link | TagEnd::Image));
        if !closes_link {
            if let Some(link) = links.last_mut() {
                link.inner = Some(match &link.inner {
                    Some(r) => r.start.min(range.start)..r.end.max(range.end),
                    None => range.clone(),
                });
            }
        }
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) => {
                links.push(OpenLink {
                    range,
                    image: false,
                    link_type,
                    dest: dest_url,
                    title,
                    inner: None,
                });
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                ..
            }) => {
                links.push(OpenLink {
                    range,
                    image: true,
                    link_type,
                    dest: dest_url,
                    title,
                    inner: None,
                });
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                let Some(mut link) = links.pop() else {
                    continue;
                };
                if link.link_type == LinkType::Collapsed && src[link.range.end..].starts_with("[]")
                {
                    // The parser's range of `[text][]` stops before `[]`.
                    link.range.end += 2;
                }
                close_link(src, &link, &mut edits);
                if let Some(parent) = links.last_mut() {
                    parent.inner = Some(match &parent.inner {
                        Some(r) => r.start.min(link.range.start)..r.end.max(link.range.end),
                        None => link.range.clone(),
                    });
                }
            }
            Event::Start(Tag::Strong) => strong += 1,
            Event::End(TagEnd::Strong) => strong = strong.saturating_sub(1),
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code_block = true;
                if let CodeBlockKind::Fenced(info) = kind {
                    fence_info(src, range.clone(), &info, &mut edits);
                    close_fence(src, range, &mut edits);
                }
            }
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Start(Tag::Heading { level, .. }) => {
                demote_heading(src, range, level as usize, heading_offset, &mut edits);
            }
            Event::Text(_) if !in_code_block && !links.iter().any(OpenLink::autolink) => {
                texts.push((range, !links.is_empty(), in_strong || strong > 0));
            }
            Event::Start(Tag::HtmlBlock) => html_block = Some(HtmlBlock::default()),
            Event::Html(_) if html_block.is_some() => {
                if let Some(block) = html_block.as_mut() {
                    block.lines.push(range);
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(block) = html_block.take() {
                    escape_html_block(src, &block, &mut edits);
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => inline_html(src, range, &mut edits),
            _ => {}
        }
    }

    // `[[ID]]` in runs of adjacent text (the parser splits text at `[`), and
    // a backslash before what another reader could take for markup.
    let mut runs: Vec<(Range<usize>, bool, bool)> = Vec::new();
    for (range, link, bold) in texts {
        match runs.last_mut() {
            Some((last, l, b)) if last.end == range.start && *l == link && *b == bold => {
                last.end = range.end;
            }
            _ => runs.push((range, link, bold)),
        }
    }
    for (range, in_link, bold) in runs {
        let text = &src[range.clone()];
        // The links, found by the one scanner (`src/ids.rs`), which reads
        // the backslashes just before the run too (`\[[X]]` is text,
        // `\\[[X]]` a backslash and a link).
        // (Only for a run that holds `[[`, so the walk back over a long
        // row of escaped backslashes happens once, not once per run.)
        let from = if text.contains("[[") {
            src[..range.start].trim_end_matches('\\').len()
        } else {
            range.start
        };
        let mut links = crate::ids::sop_links(&src[from..range.end])
            .filter(|l| l.range.start >= range.start - from)
            .map(|l| {
                (
                    l.range.start + from - range.start,
                    l.range.end + from - range.start,
                    l.id,
                )
            })
            .peekable();
        let mut at = 0;
        while at < text.len() {
            let abs = range.start + at;
            if let Some((_, end, id)) = links.next_if(|l| l.0 == at) {
                edits.push(Edit {
                    range: abs..range.start + end,
                    with: sop_ref(id, in_link, bold, ctx),
                });
                at = end;
                continue;
            }
            if needs_escape(src, abs) && !crate::ids::is_escaped(src.as_bytes(), abs) {
                edits.push(Edit::insert(abs, "\\"));
            }
            at += text[at..].chars().next().map_or(1, char::len_utf8);
        }
    }

    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(src.len() + 64);
    let mut at = 0;
    for edit in edits {
        if edit.range.start < at {
            // Overlapping edits cannot arise from one parse; never garble.
            continue;
        }
        out.push_str(&src[at..edit.range.start]);
        out.push_str(&edit.with);
        at = edit.range.end;
    }
    out.push_str(&src[at..]);
    out
}

/// The edits for a link or image that has been parsed: one with a script
/// scheme keeps only its text; an autolink stays as it is; any other is
/// written inline, `[text](destination "title")`, with its destination as
/// the parser resolved it (from a reference definition, too).
fn close_link(src: &str, link: &OpenLink<'_>, edits: &mut Vec<Edit>) {
    let dangerous = is_dangerous_url(&link.dest);
    if link.autolink() {
        if dangerous {
            // `<javascript:…>`: its text, shown as written.
            let text = src[link.range.clone()]
                .trim_start_matches('<')
                .trim_end_matches('>');
            edits.push(Edit {
                range: link.range.clone(),
                with: plain(text),
            });
        }
        return;
    }
    let opening = if link.image { "![" } else { "[" };
    let Some(inner) = link.inner.clone() else {
        // No text: `[](url)` or `[][ref]`.
        edits.push(Edit {
            range: link.range.clone(),
            with: if dangerous {
                String::new()
            } else {
                format!("{opening}]{}", link_target(&link.dest, &link.title))
            },
        });
        return;
    };
    let closed = src[inner.end..link.range.end].starts_with(']');
    if dangerous || !closed {
        // Keep the link's text, drop the brackets and the URL.
        edits.push(Edit {
            range: link.range.start..inner.start,
            with: String::new(),
        });
        edits.push(Edit {
            range: inner.end..link.range.end,
            with: String::new(),
        });
        return;
    }
    if src[link.range.start..inner.start] != *opening {
        edits.push(Edit {
            range: link.range.start..inner.start,
            with: opening.to_string(),
        });
    }
    edits.push(Edit {
        range: inner.end..link.range.end,
        with: format!("]{}", link_target(&link.dest, &link.title)),
    });
}

/// Raw HTML inside a paragraph is shown as text: its `<` becomes `&lt;`,
/// and what it held that Markdown would read (an `alt="[x](…)"`) is
/// escaped.
fn inline_html(src: &str, range: Range<usize>, edits: &mut Vec<Edit>) {
    for (i, c) in src[range.clone()].char_indices() {
        let at = range.start + i;
        match c {
            '<' => edits.push(Edit {
                range: at..at + 1,
                with: "&lt;".into(),
            }),
            '\\' | '[' | ']' | '{' | '}' | '`' => edits.push(Edit::insert(at, "\\")),
            _ => {}
        }
    }
}

/// An HTML block is shown as text, with every ASCII punctuation character
/// escaped: whatever reads it (and however it reads the blocks around it)
/// finds no markup in it. As text it is a paragraph, which would take in a
/// line right after it (an indented code block, whose content was never
/// rewritten), so a blank line follows it, with the container prefix of
/// its first line (`>`).
fn escape_html_block(src: &str, block: &HtmlBlock, edits: &mut Vec<Edit>) {
    let (Some(first), Some(last)) = (block.lines.first(), block.lines.last()) else {
        return;
    };
    for line in &block.lines {
        let text = src[line.clone()].trim_end_matches(['\n', '\r']);
        edits.push(Edit {
            range: line.start..line.start + text.len(),
            with: escape_punctuation(text),
        });
    }
    let rest = &src[last.end..];
    let next_line = rest.split('\n').next().unwrap_or("");
    if src[..last.end].ends_with('\n') && !next_line.trim().is_empty() {
        let line_start = src[..first.start].rfind('\n').map_or(0, |i| i + 1);
        let prefix: String = src[line_start..first.start]
            .chars()
            .map(|c| if c == '>' || c == '\t' { c } else { ' ' })
            .collect();
        edits.push(Edit::insert(last.end, format!("{}\n", prefix.trim_end())));
    }
}

/// `text` with a backslash before every ASCII punctuation character and
/// control characters (but tab) dropped: text that no Markdown reader
/// takes for markup.
fn escape_punctuation(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
            out.push(c);
        } else if !c.is_control() || c == '\t' {
            out.push(c);
        }
    }
    out
}

/// Keeps a code fence's language word and drops the rest of its info
/// string: Pandoc reads `{=html}` there as raw HTML and `{…}` as
/// attributes.
fn fence_info(src: &str, range: Range<usize>, info: &str, edits: &mut Vec<Edit>) {
    let safe = |word: &str| {
        word.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '+' | '.' | '#'))
    };
    if safe(info.trim()) {
        return;
    }
    let line = &src[range.clone()];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let Some(open) = line.find(['`', '~']) else {
        return;
    };
    let fence_char = line.as_bytes()[open];
    let info_start = open
        + line[open..]
            .bytes()
            .take_while(|&b| b == fence_char)
            .count();
    let word = info
        .split_whitespace()
        .next()
        .filter(|w| safe(w))
        .unwrap_or("");
    edits.push(Edit {
        range: range.start + info_start..range.start + line.trim_end_matches('\r').len(),
        with: word.to_string(),
    });
}

/// Moves a heading down `offset` levels (at most to level 6). A setext
/// heading (underlined with `===` or `---`) becomes an ATX heading.
fn demote_heading(src: &str, range: Range<usize>, level: usize, offset: u8, edits: &mut Vec<Edit>) {
    let new = (level + usize::from(offset)).min(6);
    if new <= level {
        return;
    }
    let text = &src[range.clone()];
    let body = text.trim_end_matches(['\n', '\r']);
    match body.rfind('\n') {
        // Setext: its content lines, then the underline.
        Some(underline) => {
            let start = range.start + (text.len() - text.trim_start().len());
            edits.push(Edit {
                range: start..start,
                with: format!("{} ", "#".repeat(new)),
            });
            for (i, _) in body[..underline].match_indices('\n') {
                let rest = &body[i + 1..];
                let indent = rest.len() - rest.trim_start_matches([' ', '\t']).len();
                edits.push(Edit {
                    range: range.start + i..range.start + i + 1 + indent,
                    with: " ".into(),
                });
            }
            edits.push(Edit {
                range: range.start + underline..range.start + body.len(),
                with: String::new(),
            });
        }
        None => {
            if let Some(hash) = text.find('#') {
                let at = range.start + hash;
                edits.push(Edit {
                    range: at..at,
                    with: "#".repeat(new - level),
                });
            }
        }
    }
}

/// Closes a fenced code block that runs to the end of the prose, so that
/// it does not run on to the end of the document.
fn close_fence(src: &str, range: Range<usize>, edits: &mut Vec<Edit>) {
    let text = &src[range.clone()];
    let Some(open) = text.find(['`', '~']) else {
        return;
    };
    let fence_char = text[open..].chars().next().unwrap_or('`');
    let fence_len = text[open..]
        .chars()
        .take_while(|&c| c == fence_char)
        .count();
    let body = text.trim_end_matches(['\n', '\r']);
    let closed = body.rfind('\n').is_some_and(|nl| {
        let last = body[nl + 1..]
            .trim_start_matches([' ', '\t', '>'])
            .trim_end();
        last.chars().count() >= fence_len && last.chars().all(|c| c == fence_char)
    });
    if closed {
        return;
    }
    // Repeat the container prefix of the opening line: `> ` for a quote,
    // spaces for a list item.
    let line_start = src[..range.start + open].rfind('\n').map_or(0, |i| i + 1);
    let prefix: String = src[line_start..range.start + open]
        .chars()
        .map(|c| if c == '>' { '>' } else { ' ' })
        .collect();
    let newline = if text.ends_with('\n') { "" } else { "\n" };
    edits.push(Edit {
        range: range.end..range.end,
        with: format!(
            "{newline}{prefix}{}\n",
            fence_char.to_string().repeat(fence_len)
        ),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str) -> String {
        rewrite(text, 2, false, &RenderContext::default())
    }

    #[test]
    fn plain_text_is_escaped() {
        assert_eq!(
            plain("a *b* [c](d) <e> snake_case _x_"),
            "a \\*b\\* \\[c\\](d) \\<e> snake_case \\_x\\_"
        );
        assert_eq!(plain("R&D &amp; &#35;"), "R&D \\&amp; \\&#35;");
        assert_eq!(plain("~5 min, $10"), "\\~5 min, \\$10");
    }

    #[test]
    fn guards_and_cells() {
        assert_eq!(guard_block_syntax("# x"), "\\# x");
        assert_eq!(guard_block_syntax("3. x"), "3\\. x");
        assert_eq!(guard_block_syntax("3.5 x"), "3.5 x");
        assert_eq!(guard_block_syntax("- x"), "\\- x");
        assert_eq!(table_cell("a | b \\| c\nd"), "a \\| b \\| c<br>d");
        assert_eq!(code_span("a`b"), "``a`b``");
    }

    #[test]
    fn sop_refs_outside_code() {
        assert_eq!(
            md("See [[CS-014]] and `[[CS-1]]`."),
            "See **CS-014** and `[[CS-1]]`."
        );
        assert_eq!(md("**See [[CS-014]]**"), "**See CS-014**");
        assert_eq!(md("[[not an id]] \\[[X]]"), "\\[\\[not an id]] \\[\\[X]]");
        assert_eq!(md("\\\\[[X]]"), "\\\\**X**");
        assert_eq!(md("[[ CS-1 ]] [[a]b]]"), "**CS-1** \\[\\[a]b]]");
        assert_eq!(md("<https://e.com/[[X]]>"), "<https://e.com/[[X]]>");
        let link = |id: &str| Some(format!("{id}.md"));
        let ctx = RenderContext {
            sop_link: &link,
            ..RenderContext::default()
        };
        assert_eq!(
            rewrite("See [[CS-014]].", 0, false, &ctx),
            "See [CS-014](CS-014.md)."
        );
        assert_eq!(
            rewrite("[see [[CS-014]]](https://x)", 0, false, &ctx),
            "[see **CS-014**](https://x)"
        );
    }

    #[test]
    fn html_and_script_links_are_neutralised() {
        assert_eq!(md("a <b>c</b>"), "a &lt;b>c&lt;/b>");
        assert_eq!(
            md("x <img alt=\"[a](javascript:1)\">"),
            "x &lt;img alt=\"\\[a\\](javascript:1)\">"
        );
        // An HTML block is shown as text, whatever container it stands in,
        // and stays apart from the line after it.
        assert_eq!(md("<!-- open"), "\\<\\!\\-\\- open");
        assert_eq!(
            md("<div>[a](javascript:1)\n\ntext"),
            "\\<div\\>\\[a\\]\\(javascript\\:1\\)\n\ntext"
        );
        assert_eq!(md("> <div>\n> [a](x)\n"), "> \\<div\\>\n> \\[a\\]\\(x\\)\n");
        assert_eq!(
            md("- <script></script>\n      [a](x)"),
            "- \\<script\\>\\<\\/script\\>\n\n      [a](x)"
        );
        assert_eq!(
            md("> <script></script>\n>     [a](x)"),
            "> \\<script\\>\\<\\/script\\>\n>\n>     [a](x)"
        );
        assert_eq!(md("[a](vbscript:x) [b](file:///etc/passwd)"), "a b");
        assert_eq!(md("[a](java&#115;cript:x)"), "a");
        assert_eq!(
            md("[x](javascript:alert(1)) [y](https://e.com)"),
            "x [y](https://e.com)"
        );
        assert_eq!(md("<javascript:alert(1)>"), "javascript:alert(1)");
        assert_eq!(
            md("<javascript:[a](javascript:1)>"),
            "javascript:\\[a\\](javascript:1)"
        );
    }

    #[test]
    fn reference_links_are_written_inline_and_definitions_dropped() {
        assert_eq!(
            md("[a][x], [x][], [x] and ![i][x].\n\n[x]: https://e.com/a&b \"T\\\"t\""),
            "[a](https://e.com/a&b \"T\\\"t\"), [x](https://e.com/a&b \"T\\\"t\"), \
             [x](https://e.com/a&b \"T\\\"t\") and ![i](https://e.com/a&b \"T\\\"t\").\n\n"
        );
        assert_eq!(md("[x]: javascript:alert(1)\n\n[x]"), "\n\nx");
        assert_eq!(md("> [x]:\n> /u\n\ntext"), "> \n\ntext");
        // A link the parser could not place is not left to another reader.
        assert_eq!(md("[x] [ ] {a} `b"), "\\[x] \\[ ] \\{a} \\`b");
        assert_eq!(md("a < b <c"), "a < b \\<c");
    }

    #[test]
    fn destinations_read_the_same_everywhere() {
        assert_eq!(
            md("[a](<x y> \"t\") [b](x&amp;copy;y) [c](u`v)"),
            "[a](x%20y \"t\") [b](x&amp;copy;y) [c](u%60v)"
        );
        assert_eq!(
            link_target("a&b", "x&copy;\"\n"),
            "(a&b \"x&amp;copy;\\\" \")"
        );
    }

    #[test]
    fn code_fences_keep_only_their_language() {
        assert_eq!(md("```{=html}\n<b>\n```"), "```\n<b>\n```");
        assert_eq!(md("~~~ python {.x}\ncode\n~~~"), "~~~python\ncode\n~~~");
        assert_eq!(md("```mermaid\nx\n```"), "```mermaid\nx\n```");
    }

    #[test]
    fn inline_text_is_one_paragraph() {
        let ctx = RenderContext::default();
        assert_eq!(inline_markdown(">= 85%", false, false, &ctx), ">= 85%");
        assert_eq!(inline_markdown("1. **a**", false, false, &ctx), "1. **a**");
        assert_eq!(inline_markdown("1. **a**", true, false, &ctx), "1\\. **a**");
        assert_eq!(
            inline_markdown("<script></script>[a](javascript:1)", false, false, &ctx),
            "\\<script\\>\\<\\/script\\>\\[a\\]\\(javascript\\:1\\)"
        );
        assert_eq!(inline_markdown("<div>x", true, false, &ctx), "\\<div\\>x");
        assert_eq!(inline_markdown("a\n\nb", true, false, &ctx), "a  b");
    }

    #[test]
    fn hostile_prose_takes_linear_time() {
        let n = 40_000;
        for text in [
            format!("{}{}]]", "[[x".repeat(n), " ".repeat(n)),
            "[".repeat(4 * n),
            format!("{}x", "\\".repeat(4 * n)),
            "<a ".repeat(n),
            format!("{}{}", "[a](".repeat(n), "&#".repeat(n)),
        ] {
            let start = std::time::Instant::now();
            let out = md(&text);
            assert!(is_safe(&out, false));
            assert!(
                start.elapsed() < std::time::Duration::from_secs(5),
                "{:?} for {} bytes",
                start.elapsed(),
                text.len()
            );
        }
    }

    #[test]
    fn headings_keep_a_closing_hash() {
        assert_eq!(heading_text("Test #"), "Test \\#");
        assert_eq!(heading_text("Test ## "), "Test \\##");
        assert_eq!(heading_text("#"), "\\#");
        assert_eq!(heading_text("C#"), "C#");
        assert_eq!(heading_text("a {b}"), "a \\{b}");
    }

    #[test]
    fn headings_move_down_and_fences_close() {
        assert_eq!(md("# Top\ntext"), "### Top\ntext");
        assert_eq!(md("Big\n===\n\ntext"), "### Big\n\ntext");
        assert_eq!(md("#### Deep"), "###### Deep");
        assert_eq!(md("```\ncode"), "```\ncode\n```\n");
        assert_eq!(md("```\ncode\n```"), "```\ncode\n```");
    }
}
