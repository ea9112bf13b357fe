use super::{Context, Reporter};
use crate::ast::{MetaValue, StepItem};

declare_rule! {
    /// ## What it does
    /// Reports a time limit (`within:`) or a review cadence (`review:`) that
    /// does not parse.
    ///
    /// ## Why is this bad?
    /// A time limit that cannot be read cannot be shown, tracked or exported
    /// to a workflow engine; a cadence that cannot be read switches off the
    /// staleness check.
    ///
    /// ## Example
    /// ```text
    /// within: 5 minuets
    /// review: quarterly-ish
    /// ```
    ///
    /// ## How to fix
    /// Time limits are amounts with units: `30s`, `5 min`, `2h`, `1 hour`,
    /// `24 hours`, `3 days`, `2 weeks`, compounds such as `1h 30m`, or ISO
    /// 8601 such as `PT30S`. Cadences are `every 6 months`, `every year`,
    /// `every 90 days` or `every 2 weeks`.
    pub struct InvalidDuration {
        code: "invalid-duration",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    for entry in ctx.doc.meta_entries() {
        if let MetaValue::Review { parsed: None } = entry.value {
            out.push(
                out.diagnostic(entry.raw.span, format!("`{}` is not a review cadence", entry.raw.value))
                    .label("expected a cadence")
                    .help("Write how often the SOP is reviewed: `every 6 months`, `every year`, `every 90 days` or `every 2 weeks`."),
            );
        }
    }
    for step in ctx.doc.steps() {
        for item in &step.items {
            if let StepItem::Within {
                text, parsed: None, ..
            } = item
            {
                out.push(
                    out.diagnostic(text.span, format!("`{}` is not a duration", text.value))
                        .label("expected a time limit")
                        .help("Write an amount and a unit: `30s`, `5 min`, `2h`, `1 hour 30 minutes`, `3 days`, `2 weeks`, or ISO 8601 such as `PT30S`."),
                );
            }
        }
    }
}
