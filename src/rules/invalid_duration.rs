use super::{Context, Reporter};
use crate::ast::{MetaValue, StepItem};
use crate::render::labels::Labels;
use crate::values::{Cadence, CalendarUnit, Duration, Unparsed, WorkingDays};

declare_rule! {
    /// ## What it does
    /// Reports a time limit (`within:`) or a review cadence (`review:`) that
    /// does not parse, and says why when it counts working days.
    ///
    /// ## Why is this bad?
    /// A time limit that cannot be read cannot be shown, tracked or exported
    /// to a workflow engine; a cadence that cannot be read switches off the
    /// staleness check. Working days (`3 working days`, `3个工作日`, `3
    /// munkanap`) are not a length of time: how long they take depends on
    /// weekends and public holidays, and `sop` counts calendar time.
    ///
    /// ## Example
    /// ```text
    /// within: 5 minuets
    /// within: 3个工作日
    /// review: quarterly-ish
    /// ```
    ///
    /// ## How to fix
    /// Time limits are amounts with units, in English, Chinese or
    /// Hungarian: `30s`, `5 min`, `1 hour 30 minutes`, `3 days`, `2 weeks`,
    /// `30秒`, `5分钟`, `1小时30分钟`, `半小时`, `30 másodperc`, `1 óra 30
    /// perc`, or ISO 8601 such as `PT30S`. Cadences are `every 6 months`,
    /// `quarterly`, `every year`, `每6个月`, `每季度`, `每年`, `6 havonta`,
    /// `negyedévente`, `évente`, or ISO 8601 such as `P6M`. Write working
    /// days as calendar days, counting the weekends they may run over:
    /// 3 working days take up to `5 days`.
    pub struct InvalidDuration {
        code: "invalid-duration",
        severity: Error,
        check: check,
    }
}

const DURATION_FORMS: &str = "`30s`, `5 min`, `1 hour 30 minutes`, `3 days`; `30秒`, `1小时30分钟`, `半小时`; `30 másodperc`, `1 óra 30 perc`; or ISO 8601 such as `PT30S`";

const CADENCE_FORMS: &str = "`every 6 months`, `quarterly`, `every year`; `每6个月`, `每季度`, `每年`; `6 havonta`, `negyedévente`, `évente`; or ISO 8601 such as `P6M`";

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    for entry in ctx.doc.meta_entries() {
        if let MetaValue::Review { parsed: None } = entry.value {
            let text = entry.raw.value;
            let d = match Cadence::read(text) {
                Err(Unparsed::WorkingDays(days)) => out
                    .diagnostic(
                        entry.raw.span,
                        format!("`{text}` counts working days, which are not a review cadence"),
                    )
                    .label("working days")
                    .help(working_days_help(days, Suggest::Cadence)),
                _ => out
                    .diagnostic(entry.raw.span, format!("`{text}` is not a review cadence"))
                    .label("expected a cadence")
                    .help(format!(
                        "Write how often the SOP is reviewed: {CADENCE_FORMS}."
                    )),
            };
            out.push(d);
        }
    }
    for entry in ctx.doc.meta_entries() {
        if let MetaValue::Sla { parsed: None } = entry.value {
            let text = entry.raw.value;
            let d = match Duration::read(text) {
                Err(Unparsed::WorkingDays(days)) => out
                    .diagnostic(
                        entry.raw.span,
                        format!("`{text}` counts working days, which are not a time limit"),
                    )
                    .label("working days")
                    .help(working_days_help(days, Suggest::Duration)),
                _ => out
                    .diagnostic(entry.raw.span, format!("`{text}` is not a time limit"))
                    .label("expected a duration")
                    .help(format!(
                        "Write the time limit of the whole procedure: {DURATION_FORMS}."
                    )),
            };
            out.push(d);
        }
    }
    for step in ctx.doc.steps() {
        for item in &step.items {
            if let StepItem::Within {
                text, parsed: None, ..
            } = item
            {
                let d = match Duration::read(text.value) {
                    Err(Unparsed::WorkingDays(days)) => out
                        .diagnostic(
                            text.span,
                            format!(
                                "`{}` counts working days, which are not a duration",
                                text.value
                            ),
                        )
                        .label("working days")
                        .help(working_days_help(days, Suggest::Duration)),
                    _ => out
                        .diagnostic(text.span, format!("`{}` is not a duration", text.value))
                        .label("expected a time limit")
                        .help(format!("Write an amount and a unit: {DURATION_FORMS}.")),
                };
                out.push(d);
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Suggest {
    Duration,
    Cadence,
}

/// Why working days do not do, and the calendar days to write instead, in
/// the language the working days were written in.
fn working_days_help(days: WorkingDays, suggest: Suggest) -> String {
    let labels = Labels::for_language(Some(days.language.tag()));
    let spell = |n: u64| match suggest {
        Suggest::Duration => format!(
            "`{}`",
            labels.duration(Duration {
                days: n,
                ..Duration::default()
            })
        ),
        Suggest::Cadence => match u32::try_from(n) {
            Ok(count) => format!(
                "`{}`",
                labels.cadence(Cadence {
                    count,
                    unit: CalendarUnit::Day
                })
            ),
            Err(_) => format!("{n} days"),
        },
    };
    let why = "Working days depend on weekends and public holidays, and `sop` counts calendar time";
    match suggest {
        Suggest::Duration => match (days.count, days.calendar_days()) {
            (Some(n), Some(calendar)) => {
                let working = if n == 1 { "working day takes" } else { "working days take" };
                format!(
                    "{why}. Write calendar days or hours instead: {n} {working} up to {} when they run over a weekend ({} if the work goes on every day).",
                    spell(calendar),
                    spell(n)
                )
            }
            _ => format!(
                "{why}. Write calendar days or hours instead, counting the weekends they may run over: 3 working days take up to {}.",
                spell(5)
            ),
        },
        // Five working days to a week of seven, rounded.
        Suggest::Cadence => match days.count.and_then(|n| Some((n, n.checked_mul(7)?.checked_add(2)? / 5))) {
            Some((n, calendar)) if calendar > 0 => {
                let every = if n == 1 {
                    "every working day is".to_string()
                } else {
                    format!("every {n} working days are")
                };
                format!(
                    "{why}. Write the cadence in calendar days instead: {every} about {}.",
                    spell(calendar)
                )
            }
            _ => format!(
                "{why}. Write the cadence in calendar days instead: every 5 working days are {}.",
                spell(7)
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::UnitLanguage;

    #[test]
    fn working_days_help_suggests_calendar_days_in_the_authors_language() {
        let days = |count, language| WorkingDays { count, language };
        let zh = working_days_help(days(Some(3), UnitLanguage::Chinese), Suggest::Duration);
        assert!(zh.contains("3 working days take up to `5天`"), "{zh}");
        assert!(zh.contains("(`3天` if"), "{zh}");
        let hu = working_days_help(days(Some(1), UnitLanguage::Hungarian), Suggest::Duration);
        assert!(hu.contains("1 working day takes up to `3 nap`"), "{hu}");
        let en = working_days_help(days(None, UnitLanguage::English), Suggest::Duration);
        assert!(en.contains("3 working days take up to `5 days`"), "{en}");
        let cadence = working_days_help(days(Some(5), UnitLanguage::Hungarian), Suggest::Cadence);
        assert!(
            cadence.contains("every 5 working days are about `7 naponta`"),
            "{cadence}"
        );
        let cadence = working_days_help(days(Some(1), UnitLanguage::Chinese), Suggest::Cadence);
        assert!(
            cadence.contains("every working day is about `每天`"),
            "{cadence}"
        );
        let huge = working_days_help(
            days(Some(u64::MAX), UnitLanguage::English),
            Suggest::Duration,
        );
        assert!(
            huge.contains("3 working days take up to `5 days`"),
            "{huge}"
        );
    }
}
