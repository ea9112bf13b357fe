//! Block-style YAML that every YAML reader takes the same way.
//!
//! serde_yaml writes YAML 1.2, where `yes`, `on` or `2024-06-27` are plain
//! strings; a YAML 1.1 reader (PyYAML, many workflow engines) takes them
//! for a boolean or a date. Here a string is written plain only when it
//! means the same string under both versions; otherwise it is quoted.
//! Multi-line strings are literal blocks when that keeps them exact, and
//! anything else is double-quoted with escapes.

use std::fmt::Write;

use serde_yaml::Value;

/// Implicit keys may not be longer than this (YAML allows 1024 characters;
/// this leaves room for quotes and escapes).
const LONGEST_IMPLICIT_KEY: usize = 1000;

/// The YAML document of `value`, ending with a line break.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Mapping(m) if !m.is_empty() => mapping(&mut out, m, 0),
        Value::Sequence(s) if !s.is_empty() => sequence(&mut out, s, 0),
        other => {
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A block mapping at `indent`; the first key is written where the cursor
/// stands (after `- ` in a sequence), the others after `indent` spaces.
fn mapping(out: &mut String, m: &serde_yaml::Mapping, indent: usize) {
    for (i, (key, value)) in m.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        let key = inline(key);
        if key.chars().count() > LONGEST_IMPLICIT_KEY {
            // An explicit key: `? key` and `: value` on lines of their own.
            out.push_str("? ");
            out.push_str(&key);
            out.push('\n');
            pad(out, indent);
            out.push(':');
        } else {
            out.push_str(&key);
            out.push(':');
        }
        after_indicator(out, value, indent);
    }
}

/// A block sequence at `indent`.
fn sequence(out: &mut String, s: &[Value], indent: usize) {
    for (i, item) in s.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push('-');
        match item {
            Value::Mapping(m) if !m.is_empty() => {
                out.push(' ');
                mapping(out, m, indent + 2);
            }
            Value::Sequence(s) if !s.is_empty() => {
                out.push(' ');
                sequence(out, s, indent + 2);
            }
            other => scalar_after_indicator(out, other, indent),
        }
    }
}

/// What follows a key's `:`: a nested block on the next lines, or a scalar.
fn after_indicator(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Mapping(m) if !m.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            mapping(out, m, indent + 2);
        }
        Value::Sequence(s) if !s.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            sequence(out, s, indent + 2);
        }
        other => scalar_after_indicator(out, other, indent),
    }
}

/// A scalar (or an empty collection) after `:` or `-`, then a line break.
fn scalar_after_indicator(out: &mut String, value: &Value, indent: usize) {
    if let Value::String(s) = value {
        if let Some(block) = literal_block(s, indent + 2) {
            out.push(' ');
            out.push_str(&block);
            return;
        }
    }
    out.push(' ');
    out.push_str(&inline(value));
    out.push('\n');
}

/// A value on one line: a scalar, `[]` or `{}`. Collections that are not
/// empty only occur as keys, which these documents never have.
fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Sequence(s) if s.is_empty() => "[]".into(),
        Value::Mapping(m) if m.is_empty() => "{}".into(),
        Value::Tagged(tagged) => inline(&tagged.value),
        // A flow collection, written as JSON (which is YAML).
        other => serde_json::to_string(other).unwrap_or_else(|_| "null".into()),
    }
}

/// A one-line string: plain when that is unambiguous, else single-quoted
/// when nothing needs escaping, else double-quoted.
pub fn string(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else if s.chars().all(|c| !needs_escape(c) && c != '\t') {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        double_quoted(s)
    }
}

/// Whether `s` can be written without quotes and read back as the same
/// string by YAML 1.1 and 1.2 readers alike: it starts with a letter, holds
/// only spaces, ASCII letters, digits and `-_./()+?,'!;&=<>*`, and other
/// characters that are neither white space nor in need of escaping (no
/// character outside ASCII means anything to YAML), does not end with a
/// space, and is none of the words YAML 1.1 reads as a boolean or null.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !first.is_alphabetic() || s.ends_with(' ') {
        return false;
    }
    let allowed = |c: char| {
        if c.is_ascii() {
            c.is_ascii_alphanumeric() || " -_./()+?,'!;&=<>*".contains(c)
        } else {
            !c.is_whitespace() && !needs_escape(c)
        }
    };
    if !s.chars().all(allowed) {
        return false;
    }
    const WORDS: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null"];
    !WORDS.iter().any(|w| s.eq_ignore_ascii_case(w))
}

/// Characters that YAML does not allow raw in a quoted or block scalar, or
/// that YAML 1.1 reads as a line break.
fn needs_escape(c: char) -> bool {
    matches!(c,
        '\0'..='\u{8}' | '\u{a}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let _ = if (c as u32) <= 0xff {
                    write!(out, "\\x{:02X}", c as u32)
                } else {
                    write!(out, "\\u{:04X}", c as u32)
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A multi-line string as a literal block (`|`, `|-` or `|+` and the lines
/// at `indent`), or `None` when a block would not keep it exact: a
/// character that needs escaping or a tab, a line of only spaces, a first
/// line that starts with a space, or no line with text at all.
fn literal_block(s: &str, indent: usize) -> Option<String> {
    if !s.contains('\n')
        || s.chars()
            .any(|c| c == '\t' || (c != '\n' && needs_escape(c)))
    {
        return None;
    }
    let body = s.trim_end_matches('\n');
    let first = body.lines().find(|l| !l.is_empty())?;
    if first.starts_with(' ') || body.lines().any(|l| !l.is_empty() && l.trim().is_empty()) {
        return None;
    }
    let chomping = match s.len() - body.len() {
        0 => "|-",
        1 => "|",
        _ => "|+",
    };
    let mut out = String::from(chomping);
    out.push('\n');
    for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
        if !line.is_empty() {
            pad(&mut out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_look_alikes_are_quoted() {
        for s in [
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "N",
            "True",
            "fAlse",
            "null",
            "~",
            "",
            "1.3",
            "2024-06-27",
            "0x1F",
            "1_000",
            "12:30",
            ".5",
            "-",
            "= x",
            "<<",
            "#3",
            "a: b",
            "x #y",
            " lead",
            "trail ",
            "@x",
            "`x`",
            "a\u{3000}",
            "x\u{a0}y",
            "[[CS-014]]",
        ] {
            assert!(string(s).starts_with(['\'', '"']), "{s:?} -> {}", string(s));
        }
        for s in [
            "greet",
            "Yesterday",
            "PT30S",
            "sop.step.completed",
            "投诉处理",
            "step 3",
            "wait?",
            "发送欢迎语。",
            "Don't, ever!",
        ] {
            assert_eq!(string(s), s);
        }
    }

    #[test]
    fn escapes_are_readable_back() {
        let value: Value = serde_yaml::from_str("a: 1").unwrap();
        let mut m = serde_yaml::Mapping::new();
        for s in [
            "it's",
            "a \"b\"",
            "tab\there",
            "nul\0",
            "nel\u{85}",
            "ls\u{2028}",
            "bom\u{feff}",
            "back\\slash",
            "line\nbreak\n",
            "  indented\nsecond",
            "trailing\n\n\n",
            "\n\nlead",
            "blank \n line",
            "x\r\ny",
            "last\n   ",
        ] {
            m.insert(Value::String(s.into()), Value::String(s.into()));
        }
        m.insert(Value::String("nested".into()), value);
        let doc = Value::Mapping(m);
        let text = to_string(&doc);
        let back: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, doc, "{text}");
    }

    #[test]
    fn literal_blocks_for_prose() {
        let mut m = serde_yaml::Mapping::new();
        m.insert(
            "text".into(),
            "First line.\n\n- an item\n  continued".into(),
        );
        assert_eq!(
            to_string(&Value::Mapping(m)),
            "text: |-\n  First line.\n\n  - an item\n    continued\n"
        );
    }
}
