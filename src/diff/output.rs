//! How a diff reads: human (a terminal), Markdown (a pull-request
//! comment) and JSON, each line in the language of the SOP.

use serde::Serialize;

use super::{Change, Kind, Op, Piece, Value};
use crate::render::labels::Labels;
use crate::render::prose::escape;

/// The words of a diff in one language.
struct Words {
    none: &'static str,
    task: &'static str,
    decision: &'static str,
    next: &'static str,
    unchanged: &'static str,
    added_file: &'static str,
    removed_file: &'static str,
    flow_changed: &'static str,
    wording_changed: &'static str,
    changes: (&'static str, &'static str),
    next_version: &'static str,
    /// When only the revision history (and `version:`) changed.
    record_only: &'static str,
    /// A text whose words are the same, on other lines.
    rewrapped: &'static str,
    /// The separator of a list of roles or tags.
    list_sep: &'static str,
    quote: (&'static str, &'static str),
}

const EN: Words = Words {
    none: "none",
    task: "task",
    decision: "decision",
    next: "always",
    unchanged: "no change in meaning",
    added_file: "new SOP",
    removed_file: "SOP removed",
    flow_changed: "the flow changed",
    wording_changed: "the wording changed",
    changes: ("change", "changes"),
    next_version: "next version {}",
    rewrapped: "line breaks only; no words changed",
    record_only: "only the revision history changed",
    list_sep: ", ",
    quote: ("“", "”"),
};

const ZH: Words = Words {
    none: "无",
    task: "任务",
    decision: "判断",
    next: "无条件",
    unchanged: "含义没有变化",
    added_file: "新增SOP",
    removed_file: "删除SOP",
    flow_changed: "流程有变化",
    wording_changed: "措辞有变化",
    changes: ("处修改", "处修改"),
    next_version: "下一版本{}",
    rewrapped: "仅换行不同，文字未变",
    record_only: "仅修订记录有变化",
    list_sep: "、",
    quote: ("“", "”"),
};

const HU: Words = Words {
    none: "nincs",
    task: "feladat",
    decision: "döntés",
    next: "feltétel nélkül",
    unchanged: "a tartalom nem változott",
    added_file: "új SOP",
    removed_file: "törölt SOP",
    flow_changed: "a folyamat változott",
    wording_changed: "a szöveg változott",
    changes: ("változás", "változás"),
    next_version: "következő változat: {}",
    rewrapped: "csak a sortörések változtak, a szöveg nem",
    record_only: "csak a változások listája változott",
    list_sep: ", ",
    quote: ("„", "”"),
};

fn words(labels: &Labels) -> &'static Words {
    match labels.language {
        "zh" => &ZH,
        "hu" => &HU,
        _ => &EN,
    }
}

/// The sentence of a change, with `{step}`, `{field}`, `{old}`, `{new}`,
/// `{to}` and `{words}` to fill in.
fn template(language: &str, change: &Change) -> &'static str {
    use Kind::*;
    match language {
        "zh" => match change.kind {
            IdChanged => "编号：{old} → {new}",
            TitleChanged => "标题：{old} → {new}",
            MetaChanged => "{field}：{old} → {new}",
            PurposeChanged => "目的：{words}",
            ScopeChanged => "范围：{words}",
            RoleAdded => "新增角色{field}：{new}",
            RoleRemoved => "删除角色{field}：{old}",
            RoleChanged => "角色{field}：{old} → {new}",
            StepAdded => "新增第{field}步{step}：{new}",
            StepRemoved => "删除第{field}步{step}：{old}",
            StepRenamed => "步骤{old}改名为{new}",
            StepRetitled => "步骤{step}：标题{old} → {new}",
            StepMoved => "步骤{step}：从第{old}步移到第{new}步",
            StepKindChanged => "步骤{step}：{old} → {new}",
            StepRolesChanged => "步骤{step}：角色{old} → {new}",
            StepLimitChanged => "步骤{step}：时限{old} → {new}",
            StepAskChanged => "步骤{step}：问题{old} → {new}",
            StepSayChanged => "步骤{step}：话术{old} → {new}",
            StepCalloutsChanged => "步骤{step}：提示{old} → {new}",
            StepTextChanged => "步骤{step}：正文：{words}",
            BranchAdded => "步骤{step}：新增分支{field} → {new}",
            BranchRemoved => "步骤{step}：删除分支{field} → {old}",
            BranchRetargeted if change.field.is_none() => "步骤{step}：改为转到{new}（原为{old}）",
            BranchRetargeted => "步骤{step}：分支{field}改为转到{new}（原为{old}）",
            BranchReworded => "步骤{step}：条件{old} → {new}（转到{to}）",
            HandoffAdded => "步骤{step}：新增移交{new}",
            HandoffRemoved => "步骤{step}：删除移交{old}",
            MetricAdded => "新增指标{field}：{new}",
            MetricRemoved => "删除指标{field}：{old}",
            MetricChanged => "指标{field}：{old} → {new}",
            DefinitionAdded => "新增术语{field}：{new}",
            DefinitionRemoved => "删除术语{field}：{old}",
            DefinitionChanged => "术语{field}：{old} → {new}",
            ReferenceAdded => "新增参考：{new}",
            ReferenceRemoved => "删除参考：{old}",
            NotesChanged => "备注：{words}",
            RevisionAdded => "新增修订{field}：{new}",
            RevisionRemoved => "删除修订{field}：{old}",
            RevisionChanged => "修订{field}：{old} → {new}",
            OrderChanged if change.step.is_some() => "步骤{step}：分支顺序：{old} → {new}",
            OrderChanged => "{field}顺序：{old} → {new}",
        },
        "hu" => match change.kind {
            IdChanged => "azonosító: {old} → {new}",
            TitleChanged => "cím: {old} → {new}",
            MetaChanged => "{field}: {old} → {new}",
            PurposeChanged => "cél: {words}",
            ScopeChanged => "hatály: {words}",
            RoleAdded => "új szerepkör: {field}: {new}",
            RoleRemoved => "törölt szerepkör: {field}: {old}",
            RoleChanged => "{field} szerepkör: {old} → {new}",
            StepAdded => "új lépés ({field}.): {step} {new}",
            StepRemoved => "törölt lépés ({field}.): {step} {old}",
            StepRenamed => "a {old} lépés új azonosítója: {new}",
            StepRetitled => "{step} lépés: cím: {old} → {new}",
            StepMoved => "{step} lépés: áthelyezve, {old}. → {new}. hely",
            StepKindChanged => "{step} lépés: {old} → {new}",
            StepRolesChanged => "{step} lépés: szerepkör: {old} → {new}",
            StepLimitChanged => "{step} lépés: határidő: {old} → {new}",
            StepAskChanged => "{step} lépés: kérdés: {old} → {new}",
            StepSayChanged => "{step} lépés: mondandó: {old} → {new}",
            StepCalloutsChanged => "{step} lépés: kiemelések: {old} → {new}",
            StepTextChanged => "{step} lépés: szöveg: {words}",
            BranchAdded => "{step} lépés: új ág: {field} → {new}",
            BranchRemoved => "{step} lépés: törölt ág: {field} → {old}",
            BranchRetargeted if change.field.is_none() => {
                "{step} lépés: új cél: {new} (eddig {old})"
            }
            BranchRetargeted => "{step} lépés: a(z) {field} ág új célja {new} (eddig {old})",
            BranchReworded => "{step} lépés: feltétel: {old} → {new} (cél: {to})",
            HandoffAdded => "{step} lépés: új átadás: {new}",
            HandoffRemoved => "{step} lépés: törölt átadás: {old}",
            MetricAdded => "új mérőszám: {field}: {new}",
            MetricRemoved => "törölt mérőszám: {field}: {old}",
            MetricChanged => "{field} mérőszám: {old} → {new}",
            DefinitionAdded => "új fogalom: {field}: {new}",
            DefinitionRemoved => "törölt fogalom: {field}: {old}",
            DefinitionChanged => "{field} fogalom: {old} → {new}",
            ReferenceAdded => "új hivatkozás: {new}",
            ReferenceRemoved => "törölt hivatkozás: {old}",
            NotesChanged => "megjegyzések: {words}",
            RevisionAdded => "új változat: {field}: {new}",
            RevisionRemoved => "törölt változat: {field}: {old}",
            RevisionChanged => "{field} változat: {old} → {new}",
            OrderChanged if change.step.is_some() => {
                "{step} lépés: az ágak sorrendje: {old} → {new}"
            }
            OrderChanged => "{field} sorrendje: {old} → {new}",
        },
        _ => match change.kind {
            IdChanged => "id: {old} → {new}",
            TitleChanged => "title: {old} → {new}",
            MetaChanged => "{field}: {old} → {new}",
            PurposeChanged => "purpose: {words}",
            ScopeChanged => "scope: {words}",
            RoleAdded => "role {field} added: {new}",
            RoleRemoved => "role {field} removed: {old}",
            RoleChanged => "role {field}: {old} → {new}",
            StepAdded => "step {field} added: {step} {new}",
            StepRemoved => "step {field} removed: {step} {old}",
            StepRenamed => "step {old} renamed {new}",
            StepRetitled => "step {step}: title {old} → {new}",
            StepMoved => "step {step}: moved from {old} to {new}",
            StepKindChanged => "step {step}: {old} → {new}",
            StepRolesChanged => "step {step}: role {old} → {new}",
            StepLimitChanged => "step {step}: time limit {old} → {new}",
            StepAskChanged => "step {step}: question {old} → {new}",
            StepSayChanged => "step {step}: script {old} → {new}",
            StepCalloutsChanged => "step {step}: callouts {old} → {new}",
            StepTextChanged => "step {step}: text: {words}",
            BranchAdded => "step {step}: new branch {field} → {new}",
            BranchRemoved => "step {step}: branch {field} → {old} removed",
            BranchRetargeted if change.field.is_none() => {
                "step {step}: now goes to {new} (was {old})"
            }
            BranchRetargeted => "step {step}: branch {field} now goes to {new} (was {old})",
            BranchReworded => "step {step}: condition {old} → {new} (to {to})",
            HandoffAdded => "step {step}: new hand-off to {new}",
            HandoffRemoved => "step {step}: hand-off to {old} removed",
            MetricAdded => "metric {field} added: {new}",
            MetricRemoved => "metric {field} removed: {old}",
            MetricChanged => "metric {field}: {old} → {new}",
            DefinitionAdded => "term {field} added: {new}",
            DefinitionRemoved => "term {field} removed: {old}",
            DefinitionChanged => "term {field}: {old} → {new}",
            ReferenceAdded => "reference added: {new}",
            ReferenceRemoved => "reference removed: {old}",
            NotesChanged => "notes: {words}",
            RevisionAdded => "revision {field} added: {new}",
            RevisionRemoved => "revision {field} removed: {old}",
            RevisionChanged => "revision {field}: {old} → {new}",
            OrderChanged if change.step.is_some() => {
                "step {step}: order of the branches: {old} → {new}"
            }
            OrderChanged => "order of {field}: {old} → {new}",
        },
    }
}

/// How the parts of a sentence are marked up: plain text for a terminal
/// (with or without colour), Markdown, or HTML (every text escaped, ids in
/// `<code>`, a word diff in `<del>` and `<ins>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    Plain,
    Color,
    Markdown,
    Html,
}

/// The file-level outcome of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Added,
    Removed,
    Modified,
    Unchanged,
}

/// One compared file, as the outputs show it.
#[derive(Debug, Clone, Serialize)]
pub struct FileDiff {
    /// The path of the old version (`None` for an added SOP).
    pub old_path: Option<String>,
    pub new_path: Option<String>,
    pub id: String,
    pub title: String,
    pub status: Status,
    pub flow_changed: bool,
    /// The version a revision line for this change would give.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_version: Option<String>,
    pub changes: Vec<Change>,
    /// The `language:` of the SOP (the new version's, else the old's).
    #[serde(skip)]
    pub language: Option<String>,
}

impl FileDiff {
    fn labels(&self) -> &'static Labels {
        Labels::for_language(self.language.as_deref())
    }

    fn path(&self) -> &str {
        self.new_path
            .as_deref()
            .or(self.old_path.as_deref())
            .unwrap_or("-")
    }
}

/// A change as one line of text in the SOP's language (the word-level
/// diff of a text inline).
pub fn sentence(change: &Change, labels: &Labels, markup: Markup) -> String {
    let w = words(labels);
    // Text that is neither code nor quoted: escaped in HTML, as it is
    // elsewhere.
    let plain = |s: String| match markup {
        Markup::Html => escape(&s),
        _ => s,
    };
    let code = |s: &str| match markup {
        Markup::Markdown => md_code(s),
        Markup::Html => format!("<code>{}</code>", escape(&one_line(s))),
        _ => format!("`{s}`"),
    };
    let quoted = |s: &str| match markup {
        Markup::Markdown => format!("{}{}{}", w.quote.0, md_text(s), w.quote.1),
        Markup::Html => format!("{}{}{}", w.quote.0, escape(&one_line(s)), w.quote.1),
        _ => format!("{}{}{}", w.quote.0, one_line(s), w.quote.1),
    };
    let value = |v: &Option<Value>, is_target: bool| -> String {
        match v {
            None => plain(w.none.to_string()),
            Some(Value::Text(t)) if is_target => target(t, labels, markup, &code),
            Some(Value::Text(t)) => match (change.kind, t.as_str()) {
                (Kind::StepKindChanged, "task") => plain(w.task.to_string()),
                (Kind::StepKindChanged, "decision") => plain(w.decision.to_string()),
                (Kind::StepRenamed, _) => code(t),
                (Kind::MetaChanged, _) if change.field.as_deref() == Some("version") => code(t),
                _ => quoted(t),
            },
            Some(Value::List(items)) if items.is_empty() => plain(w.none.to_string()),
            Some(Value::List(items)) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|i| match change.kind {
                        Kind::StepRolesChanged => code(i),
                        Kind::OrderChanged if change.field.as_deref() == Some("branches") => {
                            condition(Some(i), labels, w, &quoted, &plain)
                        }
                        Kind::OrderChanged if change.field.as_deref() != Some("references") => {
                            code(i)
                        }
                        _ => quoted(i),
                    })
                    .collect();
                items.join(&plain(w.list_sep.to_string()))
            }
            Some(Value::Duration(d)) => plain(labels.duration(*d)),
            Some(Value::Cadence(c)) => plain(labels.cadence(*c)),
            Some(Value::Status(s)) => plain(lower_first(labels.status(*s))),
            Some(Value::Number(n)) => n.to_string(),
        }
    };
    let is_target = matches!(
        change.kind,
        Kind::BranchAdded
            | Kind::BranchRemoved
            | Kind::BranchRetargeted
            | Kind::HandoffAdded
            | Kind::HandoffRemoved
    );
    let field = match change.kind {
        Kind::MetaChanged => plain(lower_first(&meta_label(
            change.field.as_deref().unwrap_or(""),
            labels,
        ))),
        Kind::StepAdded | Kind::StepRemoved => plain(change.field.clone().unwrap_or_default()),
        Kind::BranchAdded | Kind::BranchRemoved | Kind::BranchRetargeted => {
            condition(change.field.as_deref(), labels, w, &quoted, &plain)
        }
        Kind::RevisionAdded | Kind::RevisionRemoved | Kind::RevisionChanged => {
            code(change.field.as_deref().unwrap_or(""))
        }
        Kind::OrderChanged => plain(section_label(change.field.as_deref().unwrap_or(""), labels)),
        _ => change.field.as_deref().map(&quoted).unwrap_or_default(),
    };
    let (old, new) = if change.kind == Kind::BranchReworded {
        (
            condition(text_of(&change.old), labels, w, &quoted, &plain),
            condition(text_of(&change.new), labels, w, &quoted, &plain),
        )
    } else {
        (value(&change.old, is_target), value(&change.new, is_target))
    };
    let step = change.step.as_deref().map(&code).unwrap_or_default();
    let to = change
        .to
        .as_deref()
        .map(|t| target(t, labels, markup, &code))
        .unwrap_or_default();
    let words = if change.words.iter().all(|p| p.op == Op::Equal) {
        plain(w.rewrapped.to_string())
    } else {
        render_words(&change.words, markup)
    };
    fill(
        &plain(template(labels.language, change).to_string()),
        &[
            ("{step}", &step),
            ("{field}", &field),
            ("{old}", &old),
            ("{new}", &new),
            ("{to}", &to),
            ("{words}", &words),
        ],
    )
}

fn text_of(v: &Option<Value>) -> Option<&str> {
    match v {
        Some(Value::Text(t)) => Some(t),
        _ => None,
    }
}

/// Fills every placeholder in one pass (a value containing `{new}` stays
/// as it is).
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        match values.iter().find(|(k, _)| tail.starts_with(k)) {
            Some((k, v)) => {
                out.push_str(v);
                rest = &tail[k.len()..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A branch's condition as a reader says it.
fn condition(
    when: Option<&str>,
    labels: &Labels,
    w: &Words,
    quoted: &dyn Fn(&str) -> String,
    plain: &dyn Fn(String) -> String,
) -> String {
    match when {
        None => plain(w.next.to_string()),
        Some("otherwise") => plain(lower_first(labels.otherwise)),
        Some("timeout") => plain(lower_first(labels.timeout)),
        Some(c) => quoted(c),
    }
}

/// Where a branch leads: a step, `end`, or a hand-off `[[ID]]`.
fn target(t: &str, labels: &Labels, markup: Markup, code: &dyn Fn(&str) -> String) -> String {
    match t {
        "end" if markup == Markup::Html => escape(&lower_first(labels.end)),
        "end" => lower_first(labels.end),
        _ => match t.strip_prefix("sop:") {
            Some(id) if markup == Markup::Markdown => format!("\\[\\[{}\\]\\]", md_text(id)),
            Some(id) if markup == Markup::Html => format!("[[{}]]", escape(&one_line(id))),
            Some(id) => format!("[[{}]]", one_line(id)),
            None => code(t),
        },
    }
}

/// A label inside a sentence: `End` → `end` (a label stands alone in a
/// rendered page, capitalised).
pub(crate) fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A section's name inside a sentence, in the SOP's language.
pub(crate) fn section_label(section: &str, labels: &Labels) -> String {
    lower_first(match section {
        "roles" => labels.roles,
        "metrics" => labels.metrics,
        "definitions" => labels.definitions,
        "references" => labels.references,
        "revisions" => labels.revisions,
        other => other,
    })
}

/// The label of a header key, in the SOP's language.
fn meta_label(key: &str, labels: &Labels) -> String {
    match key {
        "version" => labels.version.into(),
        "owner" => labels.owner.into(),
        "status" => labels.status.into(),
        "effective" => labels.effective.into(),
        "review" => labels.review.into(),
        "sla" => labels.sla.into(),
        "tags" => labels.tags.into(),
        "language" => "language".into(),
        other => other.into(),
    }
}

/// A text on one line: line breaks become spaces.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Equal text longer than this is cut to its ends around the changes.
const CONTEXT: usize = 40;

/// The word-level diff inline: `[-old-]{+new+}` as `git diff --word-diff`
/// writes it, red and green on a terminal, ~~struck~~ and **bold** in
/// Markdown, `<del>` and `<ins>` in HTML. Long unchanged stretches are cut
/// to their ends.
fn render_words(pieces: &[Piece], markup: Markup) -> String {
    let mut out = String::new();
    let last = pieces.len().saturating_sub(1);
    for (i, p) in pieces.iter().enumerate() {
        let text = one_line_keep_edges(&p.text);
        match p.op {
            Op::Equal => {
                let text = elide(&text, i == 0, i == last);
                match markup {
                    Markup::Markdown => out.push_str(&md_marked("", &text)),
                    Markup::Html => out.push_str(&escape(&text)),
                    _ => out.push_str(&text),
                }
            }
            _ if markup == Markup::Markdown && p.text.trim().is_empty() => out.push(' '),
            Op::Delete => match markup {
                Markup::Plain => out.push_str(&format!("[-{text}-]")),
                Markup::Color => out.push_str(&format!("\x1b[31;9m{text}\x1b[0m")),
                Markup::Markdown => out.push_str(&md_marked("~~", &text)),
                Markup::Html => out.push_str(&format!("<del>{}</del>", escape(&text))),
            },
            Op::Insert => match markup {
                Markup::Plain => out.push_str(&format!("{{+{text}+}}")),
                Markup::Color => out.push_str(&format!("\x1b[32;4m{text}\x1b[0m")),
                Markup::Markdown => out.push_str(&md_marked("**", &text)),
                Markup::Html => out.push_str(&format!("<ins>{}</ins>", escape(&text))),
            },
        }
    }
    out
}

/// `text` between `mark`s, its spaces at either end outside them (a
/// marker next to a space does not open or close).
fn md_marked(mark: &str, text: &str) -> String {
    let core = text.trim();
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[text.trim_end().len()..];
    format!("{lead}{mark}{}{mark}{trail}", md_text(core))
}

/// Line breaks as spaces, but a space at either end kept.
fn one_line_keep_edges(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '\n' || c == '\r' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// `…` for the middle of a long unchanged text; only the end of the first
/// piece and the start of the last one are shown.
fn elide(text: &str, first: bool, last: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= CONTEXT * 2 {
        return text.to_string();
    }
    let head: String = chars[..CONTEXT].iter().collect();
    let tail: String = chars[chars.len() - CONTEXT..].iter().collect();
    match (first, last) {
        (true, true) => format!("{head} … {tail}"),
        (true, false) => format!("…{tail}"),
        (false, true) => format!("{head}…"),
        (false, false) => format!("{head} … {tail}"),
    }
}

/// Text that no Markdown reader takes for markup: ASCII punctuation
/// escaped (but the marks of ordinary sentences, which are never markup),
/// control characters dropped.
fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in one_line(text).chars() {
        if c.is_ascii_punctuation() && !matches!(c, ',' | ';' | '?' | '"' | '\'' | '/' | '%' | '=')
        {
            out.push('\\');
        }
        if !c.is_control() {
            out.push(c);
        }
    }
    out
}

/// An inline code span holding `s` whatever backticks it contains.
fn md_code(s: &str) -> String {
    let s = one_line(s);
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if s.starts_with('`') || s.ends_with('`') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

fn count_text(n: usize, w: &Words, language: &str) -> String {
    let unit = if n == 1 { w.changes.0 } else { w.changes.1 };
    if language == "zh" {
        format!("{n}{unit}")
    } else {
        format!("{n} {unit}")
    }
}

/// The summary after a file's name: the number of changes, whether the
/// flow changed, the next version.
fn headline(file: &FileDiff) -> String {
    let labels = file.labels();
    let w = words(labels);
    match file.status {
        Status::Unchanged => return w.unchanged.to_string(),
        Status::Added => return w.added_file.to_string(),
        Status::Removed => return w.removed_file.to_string(),
        Status::Modified => {}
    }
    let sep = if labels.language == "zh" { "，" } else { ", " };
    let mut parts = vec![count_text(file.changes.len(), w, labels.language)];
    let record_only = file
        .changes
        .iter()
        .all(|c| c.kind.is_record(c.field.as_deref()));
    parts.push(
        if file.flow_changed {
            w.flow_changed
        } else if record_only {
            w.record_only
        } else {
            w.wording_changed
        }
        .to_string(),
    );
    if let Some(v) = &file.next_version {
        parts.push(w.next_version.replace("{}", v));
    }
    parts.join(sep)
}

/// The human format: per file its path, id and title, a summary, then a
/// line per change (`+` added, `-` removed, `~` changed).
pub fn human(files: &[FileDiff], color: bool) -> String {
    let markup = if color { Markup::Color } else { Markup::Plain };
    let mut out = String::new();
    if files.is_empty() {
        out.push_str(EN.unchanged);
        out.push('\n');
    }
    for file in files {
        let bold = |s: &str| {
            if color {
                format!("\x1b[1m{s}\x1b[0m")
            } else {
                s.to_string()
            }
        };
        let path = match (&file.old_path, &file.new_path) {
            (Some(a), Some(b)) if a != b => format!("{a} → {b}"),
            _ => file.path().to_string(),
        };
        out.push_str(&bold(&format!(
            "{path}: {} {}",
            file.id,
            one_line(&file.title)
        )));
        out.push('\n');
        out.push_str(&format!("  {}\n", headline(file)));
        for change in &file.changes {
            let (mark, paint) = marker(change.kind);
            let mark = if color {
                format!("\x1b[{paint}m{mark}\x1b[0m")
            } else {
                mark.to_string()
            };
            out.push_str(&format!(
                "  {mark} {}\n",
                sentence(change, file.labels(), markup)
            ));
        }
    }
    out
}

/// Whether a change adds something (`+`), removes something (`-`) or
/// changes it (`~`), as the human format marks it.
pub fn sign(kind: Kind) -> &'static str {
    marker(kind).0
}

/// "no change in meaning", in the language of `labels`.
pub fn unchanged_text(labels: &Labels) -> &'static str {
    words(labels).unchanged
}

/// "SOP removed", in the language of `labels`.
pub fn removed_text(labels: &Labels) -> &'static str {
    words(labels).removed_file
}

fn marker(kind: Kind) -> (&'static str, &'static str) {
    use Kind::*;
    match kind {
        RoleAdded | StepAdded | BranchAdded | HandoffAdded | MetricAdded | DefinitionAdded
        | ReferenceAdded | RevisionAdded => ("+", "32"),
        RoleRemoved | StepRemoved | BranchRemoved | HandoffRemoved | MetricRemoved
        | DefinitionRemoved | ReferenceRemoved | RevisionRemoved => ("-", "31"),
        _ => ("~", "33"),
    }
}

/// Markdown for a pull-request comment: a heading per file, a list of the
/// changes; every text from the files escaped, so nothing in them is
/// markup, a link or HTML.
pub fn markdown(files: &[FileDiff]) -> String {
    let mut out = String::new();
    let changed = files
        .iter()
        .filter(|f| f.status != Status::Unchanged)
        .count();
    if changed == 0 {
        let w = words(
            files
                .first()
                .map_or_else(|| Labels::for_language(None), |f| f.labels()),
        );
        out.push_str(&format!("{}\n", w.unchanged));
        return out;
    }
    for file in files.iter().filter(|f| f.status != Status::Unchanged) {
        out.push_str(&format!(
            "### {} {}\n\n{} — {}\n\n",
            md_text(&file.id),
            md_text(&file.title),
            md_code(file.path()),
            md_text(&headline(file)),
        ));
        for change in &file.changes {
            let (mark, _) = marker(change.kind);
            let mark = match mark {
                "+" => "➕",
                "-" => "➖",
                _ => "✏️",
            };
            out.push_str(&format!(
                "- {mark} {}\n",
                sentence(change, file.labels(), Markup::Markdown)
            ));
        }
        out.push('\n');
    }
    out
}

/// The JSON format (see docs/change-management.md).
pub fn json(files: &[FileDiff]) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        format: &'static str,
        format_version: u32,
        changed: bool,
        files: &'a [FileDiff],
    }
    let out = Out {
        format: "sop-diff",
        format_version: 1,
        changed: files.iter().any(|f| f.status != Status::Unchanged),
        files,
    };
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::labels::{EN, ZH};

    fn change(kind: Kind) -> Change {
        Change {
            kind,
            step: None,
            field: None,
            old: None,
            new: None,
            to: None,
            words: Vec::new(),
        }
    }

    fn text(s: &str) -> Option<Value> {
        Some(Value::Text(s.to_string()))
    }

    #[test]
    fn html_escapes_every_text_from_the_files() {
        let mut c = change(Kind::StepRetitled);
        c.step = Some("a<b".into());
        c.old = text("<script>alert(1)</script>");
        c.new = text("Tom & \"Jerry\" 'x'");
        assert_eq!(
            sentence(&c, &EN, Markup::Html),
            "step <code>a&lt;b</code>: title “&lt;script&gt;alert(1)&lt;/script&gt;” → \
             “Tom &amp; &quot;Jerry&quot; &#39;x&#39;”"
        );
        let mut c = change(Kind::MetaChanged);
        c.field = Some("x-<i>".into());
        c.old = text("<b>");
        c.new = None;
        assert_eq!(
            sentence(&c, &EN, Markup::Html),
            "x-&lt;i&gt;: “&lt;b&gt;” → none"
        );
        let mut c = change(Kind::HandoffAdded);
        c.step = Some("s".into());
        c.new = text("sop:<X>");
        assert_eq!(
            sentence(&c, &EN, Markup::Html),
            "step <code>s</code>: new hand-off to [[&lt;X&gt;]]"
        );
    }

    #[test]
    fn html_word_diffs_are_del_and_ins() {
        let mut c = change(Kind::StepTextChanged);
        c.step = Some("s".into());
        c.words = vec![
            Piece {
                op: Op::Equal,
                text: "Ask for ".into(),
            },
            Piece {
                op: Op::Delete,
                text: "a <photo>".into(),
            },
            Piece {
                op: Op::Insert,
                text: "two photos & a receipt".into(),
            },
        ];
        assert_eq!(
            sentence(&c, &EN, Markup::Html),
            "step <code>s</code>: text: Ask for <del>a &lt;photo&gt;</del>\
             <ins>two photos &amp; a receipt</ins>"
        );
        let mut c = change(Kind::StepLimitChanged);
        c.step = Some("s".into());
        c.old = Some(Value::Duration(
            crate::values::Duration::parse("10m").unwrap(),
        ));
        c.new = Some(Value::Duration(
            crate::values::Duration::parse("5m").unwrap(),
        ));
        assert_eq!(
            sentence(&c, &ZH, Markup::Html),
            "步骤<code>s</code>：时限10分钟 → 5分钟"
        );
    }
}
