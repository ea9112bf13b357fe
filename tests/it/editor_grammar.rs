//! The VS Code extension's TextMate grammar knows every keyword of the
//! language: each spelling of the keyword table (and the Hungarian ones
//! without accents) is in its patterns, so a keyword added to the language
//! cannot be forgotten in the editor. The grammar's behaviour is tested by
//! `vscode-tmgrammar-test` on `editors/vscode/tests/` (scripts/build-vscode.sh,
//! run by CI).

use sop::syntax::keywords::{all_spellings, Word};

#[test]
fn the_grammar_has_every_keyword_spelling() {
    let path = crate::support::root().join("editors/vscode/syntaxes/sop.tmLanguage.json");
    let grammar = std::fs::read_to_string(path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&grammar).unwrap();
    assert_eq!(value["scopeName"], "source.sop");
    let mut missing = Vec::new();
    for (word, spelling) in all_spellings() {
        if matches!(word, Word::Status(_)) {
            continue;
        }
        // Spaces inside a keyword are written `\s+` in the patterns.
        let pattern = spelling.replace(' ', "\\\\s+");
        if !grammar.contains(&pattern) {
            missing.push(spelling);
        }
    }
    assert!(missing.is_empty(), "not in the grammar: {missing:?}");
    // The grammar tests cover the three dialects.
    for dialect in ["en", "zh", "hu"] {
        let test = crate::support::root().join(format!("editors/vscode/tests/{dialect}.sop"));
        let text = std::fs::read_to_string(test).unwrap();
        assert!(text.starts_with("# SYNTAX TEST \"source.sop\""));
        assert!(
            text.matches("\n#").count() >= 15,
            "{dialect}: too few assertions"
        );
    }
}
