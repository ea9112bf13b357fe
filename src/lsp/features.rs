//! What the server knows about one parsed buffer: the names at a place
//! (steps, roles, SOP ids), where each is declared and used, hover text,
//! completion, the outline and folding ranges.

use crate::ast::{Document, EntryItem, SectionBody, SectionKind, Step, StepItem, Target};
use crate::source::Span;
use crate::syntax::keywords::{self, Keyword, Word};

/// A name of the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name<'a> {
    /// A step id.
    Step(&'a str),
    /// A role id.
    Role(&'a str),
    /// An SOP id: the header's, or an `[[ID]]` link.
    Sop(&'a str),
}

/// One place a name is written: `declaration` for the step line, the
/// `roles:` entry, or the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub span: Span,
    pub declaration: bool,
}

fn contains(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// The span of `id` inside an `[[ID]]` link's span.
pub fn link_id_span(text: &str, link: Span, id: &str) -> Span {
    let inside = text.get(link.start..link.end).unwrap_or_default();
    let at = inside
        .get(2..)
        .and_then(|rest| rest.find(id))
        .map_or(0, |i| i + 2);
    Span::new(link.start + at, link.start + at + id.len())
}

/// The name at `offset` and the span of its text.
pub fn name_at<'a>(doc: &Document<'a>, text: &str, offset: usize) -> Option<(Name<'a>, Span)> {
    if let Some(header) = &doc.header {
        if contains(header.id.span, offset) {
            return Some((Name::Sop(header.id.value), header.id.span));
        }
    }
    for link in &doc.sop_links {
        if contains(link.span, offset) {
            return Some((
                Name::Sop(link.value),
                link_id_span(text, link.span, link.value),
            ));
        }
    }
    for entry in roles(doc) {
        if contains(entry.0.span, offset) {
            return Some((Name::Role(entry.0.value), entry.0.span));
        }
    }
    for step in doc.steps() {
        if !contains(step.span, offset) {
            continue;
        }
        if let Some(id) = step.id {
            if contains(id.span, offset) {
                return Some((Name::Step(id.value), id.span));
            }
        }
        for role in step.roles() {
            if contains(role.span, offset) {
                return Some((Name::Role(role.value), role.span));
            }
        }
        for branch in step.branches() {
            if let Target::Step(id) = branch.target {
                if contains(branch.target_span, offset) {
                    return Some((Name::Step(id), branch.target_span));
                }
            }
        }
    }
    None
}

/// The role entries: name and description.
pub fn roles<'d, 'a>(
    doc: &'d Document<'a>,
) -> impl Iterator<Item = (&'d crate::ast::Text<'a>, &'d crate::ast::Text<'a>)> {
    doc.sections
        .iter()
        .filter(|s| s.kind == SectionKind::Roles)
        .flat_map(|s| match &s.body {
            SectionBody::Entries(items) => items.as_slice(),
            _ => &[],
        })
        .filter_map(|item| match item {
            EntryItem::Entry(e) => Some((&e.name, &e.value)),
            _ => None,
        })
}

/// Every place `name` is written in this document.
pub fn occurrences(doc: &Document<'_>, text: &str, name: Name<'_>) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let mut push = |span: Span, declaration: bool| out.push(Occurrence { span, declaration });
    match name {
        Name::Step(wanted) => {
            for step in doc.steps() {
                if let Some(id) = step.id.filter(|id| id.value == wanted) {
                    push(id.span, true);
                }
                for branch in step.branches() {
                    if branch.target == Target::Step(wanted) {
                        push(branch.target_span, false);
                    }
                }
            }
        }
        Name::Role(wanted) => {
            for (name, _) in roles(doc) {
                if name.value == wanted {
                    push(name.span, true);
                }
            }
            for step in doc.steps() {
                for role in step.roles().filter(|r| r.value == wanted) {
                    push(role.span, false);
                }
            }
        }
        Name::Sop(wanted) => {
            if let Some(header) = doc.header.as_ref().filter(|h| h.id.value == wanted) {
                push(header.id.span, true);
            }
            for link in doc.sop_links.iter().filter(|l| l.value == wanted) {
                push(link_id_span(text, link.span, wanted), false);
            }
        }
    }
    out.sort_by_key(|o| (o.span.start, o.span.end));
    out.dedup();
    out
}

/// The step whose id is `id`.
pub fn step<'d, 'a>(doc: &'d Document<'a>, id: &str) -> Option<&'d Step<'a>> {
    doc.steps()
        .iter()
        .find(|s| s.id.is_some_and(|i| i.value == id))
}

/// Markdown for a step: number, title, roles, time limit, where it leads.
pub fn step_hover(doc: &Document<'_>, step: &Step<'_>) -> String {
    let mut out = format!("**Step {}. {}**", step.number, step.title.value);
    if let Some(id) = step.id {
        out.push_str(&format!(" `{}`", id.value));
    }
    let roles: Vec<&str> = step.roles().map(|r| r.value).collect();
    let mut facts = Vec::new();
    if !roles.is_empty() {
        facts.push(format!("Role: {}", roles.join(", ")));
    }
    for item in &step.items {
        if let StepItem::Within { text, parsed, .. } = item {
            facts.push(match parsed {
                Some(d) => format!("Time limit: {} ({})", text.value, d.iso()),
                None => format!("Time limit: {}", text.value),
            });
        }
    }
    if !facts.is_empty() {
        out.push_str("\n\n");
        out.push_str(&facts.join(" · "));
    }
    let steps = doc.steps();
    let name = |i: usize| -> String {
        steps.get(i).map_or_else(
            || "end".into(),
            |s| format!("{}. {}", s.number, s.title.value),
        )
    };
    let index = step.number.saturating_sub(1);
    let mut leads = Vec::new();
    let mut any = false;
    for branch in step.branches() {
        let to = match branch.target {
            Target::Step(id) => match self::step(doc, id) {
                Some(s) => format!("{}. {}", s.number, s.title.value),
                None => format!("`{id}` (no such step)"),
            },
            Target::Next => name(index + 1),
            Target::End => "end".into(),
            Target::Sop(id) => format!("hand-off to [[{id}]]"),
        };
        let when = match &branch.kind {
            crate::ast::BranchKind::If { condition } => format!("if {}", condition.value),
            crate::ast::BranchKind::Otherwise => "otherwise".into(),
            crate::ast::BranchKind::Timeout => "on timeout".into(),
            crate::ast::BranchKind::Goto => String::new(),
        };
        any |= !matches!(branch.kind, crate::ast::BranchKind::Timeout);
        leads.push(if when.is_empty() {
            format!("→ {to}")
        } else {
            format!("{when} → {to}")
        });
    }
    if !any {
        leads.push(format!("→ {}", name(index + 1)));
    }
    out.push_str("\n\n");
    out.push_str(&leads.join("  \n"));
    out
}

/// What completion offers at a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completing<'t> {
    /// After `[[`: SOP ids; the typed part.
    SopId(&'t str),
    /// After `->`: step ids and the reserved targets.
    Target(&'t str),
    /// After `role:`: role ids.
    Role(&'t str),
    /// After a number in `within:`: time units.
    Unit(&'t str),
    /// At the start of a line: keywords; `in_steps` inside `steps:`,
    /// `indent` the line's indentation.
    Keyword {
        typed: &'t str,
        in_steps: bool,
        indent: usize,
    },
}

/// What to complete, from the line up to the cursor.
pub fn completing<'t>(
    before: &'t str,
    dialect: crate::ast::Dialect,
    in_steps: bool,
) -> Option<Completing<'t>> {
    // Inside an unclosed `[[`.
    if let Some(open) = before.rfind("[[") {
        let after = &before[open + 2..];
        if !after.contains("]]") {
            return Some(Completing::SopId(after.trim_start()));
        }
    }
    let trimmed = before.trim_start_matches([' ', '\t', '\u{3000}']);
    let indent = before.len() - trimmed.len();
    for arrow in ["->", "→"] {
        if let Some(at) = before.rfind(arrow) {
            let typed = before[at + arrow.len()..].trim_start();
            if !typed.contains(char::is_whitespace) {
                return Some(Completing::Target(typed));
            }
        }
    }
    if let Some((key, rest)) = split_key(trimmed) {
        let word = keywords::lookup(key, dialect).map(|(w, _)| w);
        match word {
            Some(Word::Key(Keyword::Attribute("role"))) => {
                let typed = rest
                    .rsplit([',', '，', '、'])
                    .next()
                    .unwrap_or(rest)
                    .trim_start();
                return Some(Completing::Role(typed));
            }
            Some(Word::Key(Keyword::Attribute("within")) | Word::Key(Keyword::Meta("sla"))) => {
                let rest = rest.trim_start();
                let digits = rest.trim_end_matches(|c: char| !c.is_ascii_digit());
                if !digits.is_empty() {
                    let typed = rest[digits.len()..].trim_start();
                    if !typed.contains(char::is_whitespace) {
                        return Some(Completing::Unit(typed));
                    }
                }
            }
            _ => {}
        }
        return None;
    }
    if !trimmed.contains(char::is_whitespace) {
        return Some(Completing::Keyword {
            typed: trimmed,
            in_steps,
            indent,
        });
    }
    None
}

/// `key: rest` or `key：rest`.
fn split_key(line: &str) -> Option<(&str, &str)> {
    let at = line.find([':', '：'])?;
    let key = line[..at].trim_end();
    let colon = line[at..].chars().next()?.len_utf8();
    Some((key, &line[at + colon..]))
}

/// The keywords offered at the start of a line, in the file's dialect
/// (and English, which every file accepts): `(label, insert text, detail)`.
pub fn keyword_items(
    dialect: crate::ast::Dialect,
    in_steps: bool,
    indent: usize,
) -> Vec<(String, String, &'static str)> {
    use crate::ast::Dialect;
    let mut words: Vec<(Word, &'static str, &'static str)> = Vec::new();
    let colon = |d: Dialect| if d == Dialect::Zh { "：" } else { ": " };
    if in_steps && indent > 0 {
        words.push((Word::Step, " ", "a step: `step <id>: <title>`"));
        for attribute in keywords::ATTRIBUTES {
            words.push((
                Word::Key(Keyword::Attribute(attribute)),
                "",
                "step attribute",
            ));
        }
        for kind in [
            crate::ast::CalloutKind::Tip,
            crate::ast::CalloutKind::Warning,
            crate::ast::CalloutKind::Note,
        ] {
            words.push((Word::Key(Keyword::Callout(kind)), "", "callout"));
        }
        words.push((Word::If, " ", "an option: `if <condition> -> <target>`"));
        words.push((Word::Otherwise, " -> ", "the default option"));
        words.push((Word::Timeout, " -> ", "where to go when `within:` runs out"));
    } else {
        for kind in SectionKind::ALL {
            words.push((Word::Key(Keyword::Section(kind)), "", "section"));
        }
        for key in keywords::META_KEYS {
            words.push((Word::Key(Keyword::Meta(key)), "", "metadata"));
        }
    }
    let mut out = Vec::new();
    let mut dialects = vec![Dialect::En];
    if dialect != Dialect::En {
        dialects.insert(0, dialect);
    }
    for d in dialects {
        for (word, tail, detail) in &words {
            let spelling = keywords::spelling(*word, d);
            let insert = match word {
                Word::Key(_) => format!("{spelling}{}", colon(d)),
                _ => format!("{spelling}{tail}"),
            };
            if !out
                .iter()
                .any(|(label, _, _): &(String, String, &str)| label == spelling)
            {
                out.push((spelling.to_string(), insert, *detail));
            }
        }
    }
    out
}

/// The time units offered after a number, in the file's dialect first.
pub fn unit_items(dialect: crate::ast::Dialect) -> &'static [&'static str] {
    match dialect {
        crate::ast::Dialect::Zh => &[
            "秒", "分钟", "小时", "天", "周", "s", "min", "h", "days", "weeks",
        ],
        crate::ast::Dialect::Hu => &[
            "másodperc",
            "perc",
            "óra",
            "nap",
            "hét",
            "s",
            "min",
            "h",
            "days",
        ],
        crate::ast::Dialect::En => &["s", "min", "minutes", "h", "hours", "days", "weeks"],
    }
}

/// Whether `offset` lies inside the `steps:` section.
pub fn in_steps(doc: &Document<'_>, offset: usize) -> bool {
    doc.sections
        .iter()
        .any(|s| s.kind == SectionKind::Steps && s.head.end <= offset && offset <= s.span.end + 1)
}

/// An outline entry: name, detail, the whole span, the span to select,
/// whether it is a step, and its children.
#[derive(Debug)]
pub struct Outline {
    pub name: String,
    pub detail: Option<String>,
    pub span: Span,
    pub selection: Span,
    pub step: bool,
    pub children: Vec<Outline>,
}

/// The sections, with the steps under `steps:`.
pub fn outline(doc: &Document<'_>) -> Vec<Outline> {
    let mut out = Vec::new();
    if let Some(header) = &doc.header {
        out.push(Outline {
            name: format!("{}: {}", header.id.value, header.title.value),
            detail: None,
            span: header.span,
            selection: header.id.span,
            step: false,
            children: Vec::new(),
        });
    }
    for section in &doc.sections {
        let children = match &section.body {
            SectionBody::Steps(_) => doc
                .steps()
                .iter()
                .filter(|s| s.span.start >= section.span.start && s.span.end <= section.span.end)
                .map(|s| Outline {
                    name: format!("{}. {}", s.number, s.title.value),
                    detail: s.id.map(|id| id.value.to_string()),
                    span: s.span,
                    selection: s.id.map_or(s.title.span, |id| id.span),
                    step: true,
                    children: Vec::new(),
                })
                .collect(),
            _ => Vec::new(),
        };
        out.push(Outline {
            name: section.keyword.value.to_string(),
            detail: None,
            span: section.span,
            selection: section.keyword.span,
            step: false,
            children,
        });
    }
    out
}

/// The kinds of semantic tokens, in the order of the legend.
pub const TOKEN_TYPES: [&str; 9] = [
    "keyword",
    "namespace",
    "function",
    "variable",
    "enumMember",
    "number",
    "string",
    "comment",
    "property",
];

const KEYWORD: u32 = 0;
const SOP: u32 = 1;
const STEP: u32 = 2;
const ROLE: u32 = 3;
const TARGET: u32 = 4;
const VALUE: u32 = 5;
const SCRIPT: u32 = 6;
const COMMENT: u32 = 7;
const KEY: u32 = 8;

/// The keyword at the start of a line's content, from `start`: the longest
/// prefix of its first word that is a keyword (`如果` in `如果满意`).
fn keyword_at(text: &str, start: usize, dialect: crate::ast::Dialect) -> Option<Span> {
    let rest = text.get(start..)?;
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '\u{3000}']).len();
    let from = start + skipped;
    let word_end = text[from..]
        .find(|c: char| c.is_whitespace() || matches!(c, ':' | '：' | '-' | '→'))
        .map_or(text.len(), |i| from + i);
    let word = &text[from..word_end];
    if word.is_empty() {
        return None;
    }
    let mut best = None;
    for (i, c) in word.char_indices() {
        let end = i + c.len_utf8();
        if keywords::lookup(&word[..end], dialect).is_some() {
            best = Some(end);
        }
    }
    best.map(|end| Span::new(from, from + end))
}

/// The semantic tokens of a document: `(span, type)`, in order, one line
/// each.
pub fn tokens(doc: &Document<'_>, text: &str) -> Vec<(Span, u32)> {
    use crate::ast::{BlockItem, MetaItem, Trivia};
    let dialect = doc.dialect;
    let mut out: Vec<(Span, u32)> = Vec::new();
    let comment = |trivia: &Trivia<'_>, out: &mut Vec<(Span, u32)>| {
        if let Trivia::Comment { span, .. } = trivia {
            out.push((*span, COMMENT));
        }
    };
    for trivia in &doc.leading {
        comment(trivia, &mut out);
    }
    if let Some(header) = &doc.header {
        if let Some(keyword) = keyword_at(text, header.span.start, dialect) {
            out.push((keyword, KEYWORD));
        } else {
            out.push((Span::new(header.span.start, header.span.start + 3), KEYWORD));
        }
        out.push((header.id.span, SOP));
    }
    for item in &doc.metadata {
        match item {
            MetaItem::Entry(entry) => {
                out.push((entry.key.span, KEY));
                out.push((entry.raw.span, VALUE));
            }
            MetaItem::Trivia(trivia) => comment(trivia, &mut out),
        }
    }
    for section in &doc.sections {
        out.push((section.keyword.span, KEYWORD));
        let blocks: Vec<&BlockItem<'_>> = match &section.body {
            SectionBody::Prose(items) => items.iter().collect(),
            _ => Vec::new(),
        };
        for block in blocks {
            match block {
                BlockItem::Trivia(trivia) => comment(trivia, &mut out),
                BlockItem::Callout(c) => {
                    if let Some(k) = keyword_at(text, c.span.start, dialect) {
                        out.push((k, KEYWORD));
                    }
                }
                BlockItem::Prose { .. } => {}
            }
        }
        if let SectionBody::Entries(items) = &section.body {
            for item in items {
                match item {
                    EntryItem::Entry(e) if section.kind == SectionKind::Roles => {
                        out.push((e.name.span, ROLE))
                    }
                    EntryItem::Entry(e) => out.push((e.name.span, KEY)),
                    EntryItem::Trivia(trivia) => comment(trivia, &mut out),
                }
            }
        }
    }
    for step in doc.steps() {
        if let Some(k) = keyword_at(text, step.head.start, dialect) {
            out.push((k, KEYWORD));
        }
        if let Some(id) = step.id {
            out.push((id.span, STEP));
        }
        for item in &step.items {
            match item {
                StepItem::Role { roles, span } => {
                    if let Some(k) = keyword_at(text, span.start, dialect) {
                        out.push((k, KEYWORD));
                    }
                    for role in roles {
                        out.push((role.span, ROLE));
                    }
                }
                StepItem::Within {
                    text: value, span, ..
                } => {
                    if let Some(k) = keyword_at(text, span.start, dialect) {
                        out.push((k, KEYWORD));
                    }
                    out.push((value.span, VALUE));
                }
                StepItem::Say { text: value, span } | StepItem::Ask { text: value, span } => {
                    if let Some(k) = keyword_at(text, span.start, dialect) {
                        out.push((k, KEYWORD));
                    }
                    out.push((value.span, SCRIPT));
                }
                StepItem::Branch(branch) => {
                    if !matches!(branch.kind, crate::ast::BranchKind::Goto) {
                        if let Some(k) = keyword_at(text, branch.span.start, dialect) {
                            out.push((k, KEYWORD));
                        }
                    }
                    match branch.target {
                        Target::Sop(id) => {
                            out.push((link_id_span(text, branch.target_span, id), SOP))
                        }
                        _ => out.push((branch.target_span, TARGET)),
                    }
                }
                StepItem::Block(BlockItem::Callout(c)) => {
                    if let Some(k) = keyword_at(text, c.span.start, dialect) {
                        out.push((k, KEYWORD));
                    }
                }
                StepItem::Block(BlockItem::Trivia(trivia)) => comment(trivia, &mut out),
                StepItem::Block(BlockItem::Prose { .. }) => {}
            }
        }
    }
    for link in &doc.sop_links {
        out.push((link_id_span(text, link.span, link.value), SOP));
    }
    // One token per place, in order, none empty or across a line break.
    out.retain(|(span, _)| span.start < span.end && !text[span.start..span.end].contains('\n'));
    out.sort_by_key(|(span, _)| (span.start, std::cmp::Reverse(span.end)));
    let mut last_end = 0;
    out.retain(|(span, _)| {
        let keep = span.start >= last_end;
        if keep {
            last_end = span.end;
        }
        keep
    });
    out
}
