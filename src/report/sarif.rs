//! SARIF 2.1.0, as GitHub code scanning accepts it.
//! <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>

use std::path::Path;

use serde_json::{json, Value};

use crate::check::CheckedFile;
use crate::diagnostics::Severity;
use crate::rules::RULES;

pub fn render(files: &[CheckedFile]) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code,
                "name": rule.code,
                "shortDescription": { "text": rule.summary() },
                "fullDescription": { "text": rule.summary() },
                "help": { "text": rule.explanation(), "markdown": rule.explanation() },
                "defaultConfiguration": { "level": level(rule.default_severity) },
                "properties": { "tags": ["sop"] },
            })
        })
        .collect();
    let mut results = Vec::new();
    for file in files {
        let uri = uri(&file.path);
        for d in &file.diagnostics {
            let pos = file.source.span_position(d.span());
            let rule_index = RULES.iter().position(|r| r.code == d.code).unwrap_or(0);
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push('\n');
                text.push_str(help);
            }
            let related: Vec<Value> = d
                .secondary
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    let p = file.source.span_position(label.span);
                    json!({
                        "id": i + 1,
                        "message": { "text": if label.message.is_empty() { "related" } else { &label.message } },
                        "physicalLocation": physical(&uri, p),
                    })
                })
                .collect();
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": rule_index,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [{ "physicalLocation": physical(&uri, pos) }],
            });
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            results.push(result);
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "sop",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn physical(uri: &str, pos: crate::source::Position) -> Value {
    json!({
        "artifactLocation": { "uri": uri },
        "region": {
            "startLine": pos.line,
            "startColumn": pos.column,
            "endLine": pos.end_line,
            "endColumn": pos.end_column,
        },
    })
}

/// A relative URI reference for a path (RFC 3986): every byte outside the
/// unreserved set and `/` percent-encoded. On Unix the bytes are the file
/// name's own, so a name that is not UTF-8 keeps its bytes (`%FF`, not the
/// replacement character); on Windows, `\\` separates folders and becomes
/// `/`.
fn uri(path: &Path) -> String {
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().replace('\\', "/").into_bytes();
    let mut out = String::with_capacity(bytes.len());
    for b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(
            super::uri(Path::new("examples/a b.sop")),
            "examples/a%20b.sop"
        );
        assert_eq!(super::uri(Path::new("目的.sop")), "%E7%9B%AE%E7%9A%84.sop");
    }

    #[cfg(unix)]
    #[test]
    fn uris_keep_the_bytes_of_names_that_are_not_utf8() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(OsStr::from_bytes(b"dir/a\xFF\\b.sop"));
        assert_eq!(super::uri(path), "dir/a%FF%5Cb.sop");
    }
}
