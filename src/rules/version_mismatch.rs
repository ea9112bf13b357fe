use super::{Context, Reporter};
use crate::ast::MetaValue;

declare_rule! {
    /// ## What it does
    /// Warns when `version:` differs from the version of the last listed
    /// revision. Versions compare numerically: `1.0` equals `V1.0.0`.
    ///
    /// ## Why is this bad?
    /// The header and the history disagree about which version is current,
    /// usually because one of them was not updated in the last edit.
    ///
    /// ## Example
    /// ```text
    /// version: 1.2
    /// revisions:
    ///   1.1  2024-07-05  Peter Wu: Reviewed
    /// ```
    ///
    /// ## How to fix
    /// Add the missing revision line, or correct `version:`.
    pub struct VersionMismatch {
        code: "version-mismatch",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let Some((version, entry)) = ctx.doc.meta_entries().find_map(|e| match &e.value {
        MetaValue::Version { parsed: Some(v) } => Some((v, e)),
        _ => None,
    }) else {
        return;
    };
    let Some(last) = ctx.doc.revisions().last() else {
        return;
    };
    let Some(last_version) = &last.version_parsed else {
        return;
    };
    if version == last_version {
        return;
    }
    out.push(
        out.diagnostic(
            entry.raw.span,
            format!(
                "`version: {}` differs from the last revision, {}",
                entry.raw.value, last.version.value
            ),
        )
        .label("declared version")
        .with_secondary(last.version.span, "last revision")
        .help("Add a revision line for the new version, or correct `version:` so both agree."),
    );
}
