//! The revision line a change calls for: the next version (minor for
//! wording, major for a changed flow), the date, the author, and a summary
//! of the change in the SOP's language.

use super::{Change, Kind, Value};
use crate::model::Workflow;
use crate::render::labels::Labels;
use crate::values::{Date, Version};

/// A drafted revision entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub version: String,
    pub date: Date,
    pub author: String,
    pub summary: String,
}

impl Draft {
    /// The line as `revisions:` holds it (the formatter aligns it).
    pub fn line(&self) -> String {
        format!(
            "{}  {}  {}: {}",
            self.version, self.date, self.author, self.summary
        )
    }
}

/// The changes a revision line describes: all but the revision history
/// itself and the `version:` that follows it.
pub fn recordable(changes: &[Change]) -> Vec<&Change> {
    changes
        .iter()
        .filter(|c| !c.kind.is_record(c.field.as_deref()))
        .collect()
}

/// The version after `current`: `2.0` after `1.4` for a changed flow,
/// `1.5` for wording. The prefix (`v1.4`) and the number of parts are
/// kept; `1.0` when there is no version to start from.
pub fn next_version(current: Option<&str>, flow: bool) -> String {
    let Some(current) = current.filter(|c| Version::parse(c).is_some()) else {
        return "1.0".into();
    };
    let (prefix, body) = match current.strip_prefix(['v', 'V']) {
        Some(rest) => (&current[..1], rest),
        None => ("", current),
    };
    let mut parts: Vec<u64> = body.split('.').filter_map(|p| p.parse().ok()).collect();
    if parts.len() < 2 {
        parts.resize(2, 0);
    }
    let bump = if flow { 0 } else { 1 };
    parts[bump] = parts[bump].saturating_add(1);
    for p in parts.iter_mut().skip(bump + 1) {
        *p = 0;
    }
    let text: Vec<String> = parts.iter().map(u64::to_string).collect();
    format!("{prefix}{}", text.join("."))
}

/// The version the SOP is at: the later of its last revision's and of
/// `version:`.
pub fn current_version(workflow: &Workflow) -> Option<&str> {
    let last = workflow.revisions.last().map(|r| r.version.as_str());
    let meta = workflow.meta.version.as_deref();
    match (last, meta) {
        (Some(a), Some(b)) => match (Version::parse(a), Version::parse(b)) {
            (Some(va), Some(vb)) if vb > va => Some(b),
            _ => Some(a),
        },
        (a, b) => a.or(b),
    }
}

/// The revision line for the change from `old` to `new`, or `None` when
/// nothing but the record itself changed.
pub fn draft(
    old: &Workflow,
    new: &Workflow,
    changes: &[Change],
    today: Date,
    author: &str,
) -> Option<Draft> {
    let changes = recordable(changes);
    if changes.is_empty() {
        return None;
    }
    let flow = changes.iter().any(|c| c.kind.is_flow());
    // What the old version was at, unless the new one already went further
    // without a revision line for it.
    let base = match (current_version(old), current_version(new)) {
        (Some(a), Some(b)) => match (Version::parse(a), Version::parse(b)) {
            (Some(va), Some(vb)) if vb > va => Some(b),
            _ => Some(a),
        },
        (a, b) => a.or(b),
    };
    let labels = Labels::for_language(
        new.meta
            .language
            .as_deref()
            .or(old.meta.language.as_deref()),
    );
    Some(Draft {
        version: next_version(base, flow),
        date: today,
        author: clean_author(author),
        summary: summary(&changes, old, new, labels),
    })
}

/// An author as a revision line can hold it: one line, no colon (which
/// ends the author), never empty.
fn clean_author(author: &str) -> String {
    let cleaned: String = author
        .chars()
        .map(|c| {
            if c == ':' || c == '：' || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() {
        "unknown".into()
    } else {
        cleaned
    }
}

/// How many changes a summary names before it counts the rest.
const NAMED: usize = 3;

/// A short summary: the flow changes first, then the others, at most
/// [`NAMED`] of them and a count of the rest.
pub fn summary(changes: &[&Change], old: &Workflow, new: &Workflow, labels: &Labels) -> String {
    let mut ordered: Vec<&Change> = changes
        .iter()
        .copied()
        .filter(|c| c.kind.is_flow())
        .collect();
    ordered.extend(changes.iter().copied().filter(|c| !c.kind.is_flow()));
    // One phrase per distinct sentence: three reworded paragraphs of one
    // step are one "reworded step".
    let mut phrases: Vec<String> = Vec::new();
    for c in &ordered {
        let p = phrase(c, old, new, labels);
        if !phrases.contains(&p) {
            phrases.push(p);
        }
    }
    let total = phrases.len();
    let (sep, more): (&str, String) = match labels.language {
        "zh" => ("；", format!("等{total}处修改")),
        "hu" => (
            "; ",
            format!("és még {} változás", total.saturating_sub(NAMED)),
        ),
        _ => ("; ", format!("and {} more", total.saturating_sub(NAMED))),
    };
    let mut text = phrases
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(sep);
    if total > NAMED {
        if labels.language == "zh" {
            text.push_str(&more);
        } else {
            text.push_str(sep);
            text.push_str(&more);
        }
    }
    // A revision's description is one line.
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A step as a summary names it: its title in quotes (an id means less to
/// a reader of the history).
fn step_name(id: &str, old: &Workflow, new: &Workflow, labels: &Labels) -> String {
    let title = new
        .nodes
        .iter()
        .chain(&old.nodes)
        .find(|n| n.id == id)
        .map(|n| n.title.as_str())
        .filter(|t| !t.is_empty());
    let (open, close) = match labels.language {
        "hu" => ("„", "”"),
        _ => ("“", "”"),
    };
    match title {
        Some(t) => format!("{open}{t}{close}"),
        None => id.to_string(),
    }
}

fn phrase(c: &Change, old: &Workflow, new: &Workflow, labels: &Labels) -> String {
    use Kind::*;
    let step = c
        .step
        .as_deref()
        .map(|s| step_name(s, old, new, labels))
        .unwrap_or_default();
    let text = |v: &Option<Value>| match v {
        Some(Value::Text(t)) => match t.strip_prefix("sop:") {
            Some(id) => id.to_string(),
            None if t == "end" => super::output::lower_first(labels.end),
            None => t.clone(),
        },
        Some(Value::Duration(d)) => labels.duration(*d),
        Some(Value::Cadence(d)) => labels.cadence(*d),
        Some(Value::Status(s)) => super::output::lower_first(labels.status(*s)),
        Some(Value::List(l)) => l.join(", "),
        Some(Value::Number(n)) => n.to_string(),
        None => "-".into(),
    };
    let (old_v, new_v) = (text(&c.old), text(&c.new));
    let field = c.field.clone().unwrap_or_default();
    let target = |v: &Option<Value>| match v {
        Some(Value::Text(t)) if !t.starts_with("sop:") && t != "end" => {
            step_name(t, old, new, labels)
        }
        _ => text(v),
    };
    let template = match labels.language {
        "zh" => match c.kind {
            StepAdded => "新增步骤{step}",
            StepRemoved => "删除步骤{step}",
            StepRenamed => "步骤{old}改名为{new}",
            StepRetitled => "修改步骤{step}的标题",
            StepMoved => "调整步骤{step}的顺序",
            StepKindChanged => "步骤{step}改为{new}",
            StepRolesChanged => "修改步骤{step}的角色",
            StepLimitChanged => "步骤{step}时限{old}→{new}",
            StepAskChanged => "修改步骤{step}的问题",
            StepSayChanged => "修改步骤{step}的话术",
            StepCalloutsChanged => "修改步骤{step}的提示",
            StepTextChanged => "修改步骤{step}的内容",
            BranchAdded => "步骤{step}新增分支",
            BranchRemoved => "删除步骤{step}的一个分支",
            BranchRetargeted => "步骤{step}改为转到{target}",
            BranchReworded => "修改步骤{step}的条件",
            HandoffAdded => "新增移交{new}",
            HandoffRemoved => "删除移交{old}",
            IdChanged => "编号改为{new}",
            TitleChanged => "修改标题",
            MetaChanged => "{field}：{old}→{new}",
            PurposeChanged => "修改目的",
            ScopeChanged => "修改范围",
            RoleAdded => "新增角色{field}",
            RoleRemoved => "删除角色{field}",
            RoleChanged => "修改角色{field}",
            MetricAdded => "新增指标{field}",
            MetricRemoved => "删除指标{field}",
            MetricChanged => "修改指标{field}",
            DefinitionAdded => "新增术语{field}",
            DefinitionRemoved => "删除术语{field}",
            DefinitionChanged => "修改术语{field}",
            ReferenceAdded => "新增参考",
            ReferenceRemoved => "删除参考",
            NotesChanged => "修改备注",
            RevisionAdded | RevisionRemoved | RevisionChanged => "修改修订记录",
            OrderChanged if c.step.is_some() => "调整步骤{step}的分支顺序",
            OrderChanged => "调整{section}顺序",
        },
        "hu" => match c.kind {
            StepAdded => "új lépés: {step}",
            StepRemoved => "törölt lépés: {step}",
            StepRenamed => "a {old} lépés új azonosítója: {new}",
            StepRetitled => "{step} lépés új címet kapott",
            StepMoved => "{step} lépés áthelyezve",
            StepKindChanged => "{step} lépés mostantól {new}",
            StepRolesChanged => "{step} lépés szerepköre módosult",
            StepLimitChanged => "{step} lépés határideje: {old} → {new}",
            StepAskChanged => "{step} lépés kérdése módosult",
            StepSayChanged => "{step} lépés mondandója módosult",
            StepCalloutsChanged => "{step} lépés kiemelései módosultak",
            StepTextChanged => "{step} lépés szövege módosult",
            BranchAdded => "{step} lépés új ágat kapott",
            BranchRemoved => "{step} lépés egyik ága megszűnt",
            BranchRetargeted => "{step} lépés új célja: {target}",
            BranchReworded => "{step} lépés egyik feltétele módosult",
            HandoffAdded => "új átadás: {new}",
            HandoffRemoved => "megszűnt átadás: {old}",
            IdChanged => "új azonosító: {new}",
            TitleChanged => "új cím",
            MetaChanged => "{field}: {old} → {new}",
            PurposeChanged => "a cél szövege módosult",
            ScopeChanged => "a hatály szövege módosult",
            RoleAdded => "új szerepkör: {field}",
            RoleRemoved => "törölt szerepkör: {field}",
            RoleChanged => "{field} szerepkör leírása módosult",
            MetricAdded => "új mérőszám: {field}",
            MetricRemoved => "törölt mérőszám: {field}",
            MetricChanged => "{field} mérőszám módosult",
            DefinitionAdded => "új fogalom: {field}",
            DefinitionRemoved => "törölt fogalom: {field}",
            DefinitionChanged => "{field} fogalom módosult",
            ReferenceAdded => "új hivatkozás",
            ReferenceRemoved => "törölt hivatkozás",
            NotesChanged => "a megjegyzések módosultak",
            RevisionAdded | RevisionRemoved | RevisionChanged => "a változások listája módosult",
            OrderChanged if c.step.is_some() => "{step} lépés ágainak sorrendje módosult",
            OrderChanged => "{section} sorrendje módosult",
        },
        _ => match c.kind {
            StepAdded => "added step {step}",
            StepRemoved => "removed step {step}",
            StepRenamed => "renamed step {old} to {new}",
            StepRetitled => "retitled step {step}",
            StepMoved => "moved step {step}",
            StepKindChanged => "made step {step} a {new}",
            StepRolesChanged => "changed the role of step {step}",
            StepLimitChanged => "time limit of step {step}: {old} → {new}",
            StepAskChanged => "reworded the question of step {step}",
            StepSayChanged => "changed the script of step {step}",
            StepCalloutsChanged => "changed the callouts of step {step}",
            StepTextChanged => "reworded step {step}",
            BranchAdded => "added a branch to step {step}",
            BranchRemoved => "removed a branch of step {step}",
            BranchRetargeted => "step {step} now goes to {target}",
            BranchReworded => "reworded a condition of step {step}",
            HandoffAdded => "added a hand-off to {new}",
            HandoffRemoved => "removed the hand-off to {old}",
            IdChanged => "new id {new}",
            TitleChanged => "new title",
            MetaChanged => "{field}: {old} → {new}",
            PurposeChanged => "reworded the purpose",
            ScopeChanged => "reworded the scope",
            RoleAdded => "added role {field}",
            RoleRemoved => "removed role {field}",
            RoleChanged => "redescribed role {field}",
            MetricAdded => "added metric {field}",
            MetricRemoved => "removed metric {field}",
            MetricChanged => "changed metric {field}",
            DefinitionAdded => "added term {field}",
            DefinitionRemoved => "removed term {field}",
            DefinitionChanged => "redefined term {field}",
            ReferenceAdded => "added a reference",
            ReferenceRemoved => "removed a reference",
            NotesChanged => "reworded the notes",
            RevisionAdded | RevisionRemoved | RevisionChanged => "edited the revision history",
            OrderChanged if c.step.is_some() => "reordered the branches of step {step}",
            OrderChanged => "reordered {section}",
        },
    };
    let kind_word = |v: &str| match (labels.language, v) {
        ("zh", "task") => "任务".to_string(),
        ("zh", "decision") => "判断".to_string(),
        ("hu", "task") => "feladat".to_string(),
        ("hu", "decision") => "döntés".to_string(),
        (_, v) => v.to_string(),
    };
    let new_v = if c.kind == StepKindChanged {
        kind_word(&new_v)
    } else {
        new_v
    };
    let section = super::output::section_label(&field, labels);
    let target = target(&c.new);
    super::output::fill(
        template,
        &[
            ("{section}", &section),
            ("{step}", &step),
            ("{field}", &field),
            ("{target}", &target),
            ("{old}", &old_v),
            ("{new}", &new_v),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_bump_minor_for_wording_and_major_for_flow() {
        assert_eq!(next_version(Some("1.4"), false), "1.5");
        assert_eq!(next_version(Some("1.4"), true), "2.0");
        assert_eq!(next_version(Some("v2.3.1"), false), "v2.4.0");
        assert_eq!(next_version(Some("V3"), true), "V4.0");
        assert_eq!(next_version(Some("3"), false), "3.1");
        assert_eq!(next_version(None, false), "1.0");
        assert_eq!(next_version(Some("draft"), true), "1.0");
    }

    #[test]
    fn authors_lose_colons_and_line_breaks() {
        assert_eq!(clean_author("Anna: Kovács\n"), "Anna Kovács");
        assert_eq!(clean_author("王芳："), "王芳");
        assert_eq!(clean_author(" \t"), "unknown");
    }
}
