use super::{Context, Reporter};
use crate::ast::MetaValue;
use crate::render::labels::Labels;
use crate::values::Duration;

declare_rule! {
    /// ## What it does
    /// Adds up the steps' `within:` limits along every path from the first
    /// step to the end (each loop taken at most once) and reports when the
    /// longest path takes more than the procedure's `sla:`. The message
    /// names both durations and the path, in the file's language.
    ///
    /// ## Why is this bad?
    /// `sla:` is the promise made to the customer: close every complaint
    /// within 24 hours. When the limits the procedure gives its own steps
    /// add up to more, a case that uses every step's full time breaks the
    /// promise while every person followed the procedure. Nobody notices
    /// until it happens.
    ///
    /// ## Example
    /// ```text
    /// sla: 24 hours
    /// steps:
    ///   step verify: Check the facts with the department
    ///     within: 1 hour
    ///   step answer: Tell the customer the solution
    ///     within: 2 hours
    ///   step follow-up: Call the customer back
    ///     within: 24 hours
    /// ```
    ///
    /// The longest path takes 1 day 3 hours, 3 hours more than the promise.
    ///
    /// ## How to fix
    /// Shorten the `within:` limits on the path the message names, change
    /// the procedure so that the slow steps do not follow each other, or
    /// promise what the procedure can keep: a longer `sla:`. Steps without
    /// `within:` count as zero, so the real worst case may be longer still.
    pub struct SlaExceeded {
        code: "sla-exceeded",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let Some((sla, span)) = ctx.doc.meta_entries().find_map(|entry| match entry.value {
        MetaValue::Sla { parsed: Some(sla) } => Some((sla, entry.raw.span)),
        _ => None,
    }) else {
        return;
    };
    let steps = ctx.doc.steps();
    let within: Vec<Option<Duration>> = steps.iter().map(|s| s.within()).collect();
    let Some(worst) = crate::analysis::worst_path(ctx.flow, &within) else {
        return;
    };
    let limit = u128::from(sla.saturating_seconds());
    if worst.total <= limit {
        return;
    }
    let language = ctx.doc.meta_entries().find_map(|entry| match entry.value {
        MetaValue::Language => Some(entry.raw.value),
        _ => None,
    });
    let labels = Labels::for_language(language);
    let ids: Vec<String> = worst
        .path
        .iter()
        .map(|&i| {
            steps[i].id.map_or_else(
                || format!("#{}", steps[i].number),
                |id| id.value.to_string(),
            )
        })
        .collect();
    let path = ids.join(" → ");
    let unbounded: Vec<&str> = worst
        .path
        .iter()
        .zip(&ids)
        .filter(|(&i, _)| within[i].is_none())
        .map(|(_, id)| id.as_str())
        .collect();
    let mut total = labels.duration(Duration::from_seconds(worst.total));
    if !unbounded.is_empty() || !worst.exact {
        total = labels.at_least_text(&total);
    }
    let sla = labels.duration(sla);
    let (message, label, mut help) = match labels.language {
        "zh" => (
            format!("最长耗时{total}，超过总时限{sla}"),
            "总时限",
            format!("最长路径：{path}。请缩短这条路径上各步骤的时限，或放宽总时限。"),
        ),
        "hu" => (
            format!("A legrosszabb eset ({total}) hosszabb a teljes határidőnél ({sla})"),
            "teljes határidő",
            format!("Leghosszabb út: {path}. Rövidítse az út lépéseinek határidejét, vagy növelje a teljes határidőt."),
        ),
        _ => (
            format!("the worst case, {total}, is longer than the time limit of the whole procedure, {sla}"),
            "the limit of the whole procedure",
            format!("Longest path: {path}. Shorten the steps' `within:` limits on this path, or give the procedure a longer `sla:`."),
        ),
    };
    if !unbounded.is_empty() {
        let list = unbounded.join(", ");
        help.push_str(&match labels.language {
            "zh" => format!("未设时限的步骤按零计：{list}。"),
            "hu" => format!(" Határidő nélküli lépések, nullának számítva: {list}."),
            _ => format!(" Steps without a time limit count as zero: {list}."),
        });
    }
    out.push(out.diagnostic(span, message).label(label).help(help));
}
