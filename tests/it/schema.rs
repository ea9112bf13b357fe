//! The JSON Schema's own text: patterns that every mainstream validator
//! reads (Python's `re`, ECMA-262 with or without the `u` flag, Rust's
//! `regex`), and an id pattern that accepts every id the language accepts.
//! `scripts/validate-schema.sh` runs the outputs through Python's
//! `jsonschema` and ajv; `render_json.rs` through the Rust crate.

use serde_json::{json, Value};

fn schema() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string("docs/schema/sop-workflow.v1.schema.json").unwrap(),
    )
    .unwrap()
}

/// Every `pattern` and `patternProperties` key in the schema.
fn patterns(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("pattern", Value::String(p)) => out.push(p.clone()),
                    ("patternProperties", Value::Object(props)) => {
                        out.extend(props.keys().cloned());
                    }
                    _ => {}
                }
                patterns(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| patterns(v, out)),
        _ => {}
    }
}

#[test]
fn patterns_use_only_portable_regex_syntax() {
    let mut found = Vec::new();
    patterns(&schema(), &mut found);
    assert!(found.len() >= 5, "{found:?}");
    // Unicode property classes (`\p{L}`) are not in Python's `re` nor in
    // ECMA-262 without the `u` flag; groups with `(?` (look-behind, named
    // or inline flags) differ between engines; `\Z`, `\A`, `\h` and
    // possessive or atomic forms are engine-specific.
    for pattern in &found {
        for bad in [
            "\\p", "\\P", "(?", "\\Z", "\\A", "\\z", "\\h", "*+", "++", "?+",
        ] {
            assert!(
                !pattern.contains(bad),
                "the pattern {pattern:?} uses {bad:?}, which not every validator reads"
            );
        }
    }
}

fn id_validator() -> jsonschema::Validator {
    let pattern = schema()["$defs"]["id"]["pattern"].clone();
    jsonschema::validator_for(&json!({ "type": "string", "pattern": pattern })).unwrap()
}

#[test]
fn the_id_pattern_accepts_every_id_and_refuses_what_is_plainly_not_one() {
    let validator = id_validator();
    let accepts = |id: &str| validator.is_valid(&Value::from(id));
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        for id in [c.to_string(), format!("a{c}")] {
            let valid = sop::syntax::is_valid_id(&id);
            if valid {
                assert!(
                    accepts(&id),
                    "the schema refuses the id {id:?} (U+{:04X}), which the language allows",
                    c as u32
                );
            } else if c.is_ascii() {
                assert!(
                    !accepts(&id),
                    "the schema accepts {id:?} (U+{:04X}), which is not an id",
                    c as u32
                );
            }
        }
    }
    for id in [
        "CS-001",
        "问候",
        "ügyfél_1",
        "a.b-c",
        "_x",
        "1",
        "·",
        "a\u{00B7}b",
    ] {
        assert!(accepts(id), "{id:?}");
    }
    for not_id in [
        "",
        "-x",
        ".x",
        "a b",
        "a\u{00A0}b",
        "a\u{2003}b",
        "a\u{3000}b",
        "a\u{202E}b",
        "a\u{2066}b",
        "a\u{200B}b",
        "a\u{FEFF}",
        "a\u{2028}b",
        "a\u{0085}b",
        "a，b",
        "a。b",
        "a、b",
        "「a」",
        "a！",
        "a\u{2014}b",
        "a«b»",
        "a×b",
        "[[a]]",
        "a\nb",
    ] {
        assert!(!accepts(not_id), "the schema accepts {not_id:?}");
    }
}
