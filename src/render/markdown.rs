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
//!   references) passes through, with three rewrites made on the parsed
//!   source, so code spans and code blocks stay untouched: `[[ID]]` becomes a
//!   link to the other SOP (when [`RenderContext::sop_link`] knows its page)
//!   or the id in bold; raw HTML is shown as text (as in the HTML output,
//!   and so a stray `<!--` or `<pre>` cannot swallow the rest of the page);
//!   links with a script-capable scheme lose their link. Headings inside
//!   prose move down below the heading they stand under, and a code fence
//!   left open is closed.
//!
//! In tables, `|` is escaped and a line break becomes `<br>`.

use std::fmt::Write;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Parser, Tag, TagEnd};

use super::flowchart::step_anchor;
use super::outline::{walk, Goes, Outline, PageWriter, Prose, Step};
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
        self.block(format!("# {}", plain(&w.title)));
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
        self.block(format!("```mermaid\n{}```", super::mermaid::mermaid(w, l)));
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
            self.block(rewrite(&notes.text, 2, false, self.ctx));
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
        self.block(rewrite(markdown, 2, false, self.ctx));
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
            plain(&node.title)
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
            self.block(rewrite(&node.text, 3, false, self.ctx));
        }
        for line in &node.say {
            self.block(format!("> **{}:** {}", plain(l.say), self.inline(line)));
        }
        self.callouts(&node.callouts);

        if let Some(ask) = node.ask.as_deref().filter(|a| !a.trim().is_empty()) {
            let mut question = rewrite(ask.trim(), 0, true, self.ctx);
            if question.ends_with('\\') {
                // A trailing backslash would escape the closing `**`.
                question.push('\\');
            }
            self.block(format!("**{question}**"));
        }
        if node.kind == NodeKind::Decision {
            let mut list = String::new();
            for edge in &step.edges {
                let condition = match edge.when.as_deref() {
                    Some("otherwise") | None => format!("*{}*", plain(l.otherwise)),
                    Some(condition) => guard_block_syntax(&plain(condition)).into_owned(),
                };
                let _ = writeln!(list, "- {condition} → {}", self.target(&edge.to, outline));
            }
            self.block(list);
        } else {
            for edge in &step.edges {
                let to = &edge.to;
                if outline.falls_through(index, to) {
                    continue;
                }
                let target = self.target(to, outline);
                let line = match to {
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
            Goes::Step { node, .. } => format!(
                "[{}. {}](#{})",
                node.number,
                plain(&node.title),
                step_anchor(&node.id)
            ),
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
        self.block(format!("## {}", plain(text)));
    }

    /// Inline Markdown from the file: one line, `[[ID]]` links resolved.
    fn inline(&self, text: &str) -> String {
        rewrite(text.trim(), 0, false, self.ctx)
    }

    /// Inline Markdown that starts a line: list item, alert body.
    fn inline_at_line_start(&self, text: &str) -> String {
        rewrite(&guard_block_syntax(text.trim()), 0, false, self.ctx)
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
            '\\' | '`' | '*' | '[' | ']' | '<' | '~' | '$' => {
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

/// A URL as a Markdown link destination: the characters that would end or
/// break `(…)` are percent-encoded.
fn link_destination(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' | '(' | ')' | '<' | '>' | '\\' | '|' | '"' => {
                let _ = write!(out, "%{:02X}", u32::from(c));
            }
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

/// A reference to another SOP: a link to its page when there is one (and
/// the reference is not already inside a link), else the id in bold (or
/// as it is, inside bold text).
fn sop_ref(id: &str, in_link: bool, in_strong: bool, ctx: &RenderContext<'_>) -> String {
    let shown = plain(id);
    let url = if in_link { None } else { (ctx.sop_link)(id) };
    match url.filter(|u| !is_dangerous_url(u)) {
        Some(url) => format!("[{shown}]({})", link_destination(&url)),
        None if in_strong => shown,
        None => format!("**{shown}**"),
    }
}

/// An edit of the Markdown source: replace `range` with `with`.
struct Edit {
    range: Range<usize>,
    with: String,
}

/// A link or image being parsed: its source, whether its URL is a script,
/// and the extent of its text.
struct OpenLink {
    range: Range<usize>,
    dangerous: bool,
    /// `<https://…>`: its text is its URL, which must stay as it is.
    autolink: bool,
    inner: Option<Range<usize>>,
}

/// Passes Markdown from the file through, rewriting what must change (see
/// the module documentation). Headings move down `heading_offset` levels;
/// `in_strong` says the text will be set in bold.
fn rewrite(markdown: &str, heading_offset: u8, in_strong: bool, ctx: &RenderContext<'_>) -> String {
    let src = markdown;
    let mut edits: Vec<Edit> = Vec::new();
    // Text runs outside code: (range, inside a link, inside bold).
    let mut texts: Vec<(Range<usize>, bool, bool)> = Vec::new();
    let mut links: Vec<OpenLink> = Vec::new();
    let mut strong = 0usize;
    let mut in_code_block = false;

    for (event, range) in Parser::new_ext(src, markdown_options()).into_offset_iter() {
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
                ..
            }) => {
                links.push(OpenLink {
                    range,
                    dangerous: is_dangerous_url(&dest_url),
                    autolink: matches!(link_type, LinkType::Autolink | LinkType::Email),
                    inner: None,
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                links.push(OpenLink {
                    range,
                    dangerous: is_dangerous_url(&dest_url),
                    autolink: false,
                    inner: None,
                });
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                let Some(link) = links.pop() else { continue };
                if link.dangerous {
                    // Keep the link's text, drop the brackets and the URL.
                    match &link.inner {
                        Some(inner) => {
                            edits.push(Edit {
                                range: link.range.start..inner.start,
                                with: String::new(),
                            });
                            edits.push(Edit {
                                range: inner.end..link.range.end,
                                with: String::new(),
                            });
                        }
                        None => edits.push(Edit {
                            range: link.range.clone(),
                            with: String::new(),
                        }),
                    }
                }
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
                if matches!(kind, CodeBlockKind::Fenced(_)) {
                    close_fence(src, range, &mut edits);
                }
            }
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Start(Tag::Heading { level, .. }) => {
                demote_heading(src, range, level as usize, heading_offset, &mut edits);
            }
            Event::Text(_) if !in_code_block && !links.iter().any(|l| l.autolink) => {
                texts.push((range, !links.is_empty(), in_strong || strong > 0));
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                for (i, _) in src[range.clone()].match_indices('<') {
                    let at = range.start + i;
                    edits.push(Edit {
                        range: at..at + 1,
                        with: "&lt;".into(),
                    });
                }
            }
            _ => {}
        }
    }

    // `[[ID]]` in runs of adjacent text (the parser splits text at `[`).
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
        for link in crate::ids::sop_links(text) {
            // A backslash just before the run escapes its first bracket.
            if src[..range.start + link.range.start].ends_with('\\') {
                continue;
            }
            edits.push(Edit {
                range: range.start + link.range.start..range.start + link.range.end,
                with: sop_ref(link.id, in_link, bold, ctx),
            });
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
        assert_eq!(md("[[not an id]] \\[[X]]"), "[[not an id]] \\[[X]]");
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
        assert_eq!(md("<!-- open"), "&lt;!-- open");
        assert_eq!(
            md("[x](javascript:alert(1)) [y](https://e.com)"),
            "x [y](https://e.com)"
        );
        assert_eq!(md("<javascript:alert(1)>"), "javascript:alert(1)");
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
