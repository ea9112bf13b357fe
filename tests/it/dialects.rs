//! Keyword dialects: Chinese and Hungarian files mean what their
//! English-keyword twins mean, keyword for keyword.

use std::path::Path;

use sop::ast::Dialect;
use sop::check::{check_source, CheckOptions};
use sop::fmt::{format_document_with, FormatError, FormatOptions};
use sop::model::Workflow;
use sop::render::{RenderContext, Renderer};
use sop::source::Source;
use sop::values::Date;

use crate::support::{sop, sop_files};

fn json(name: &str, text: &str) -> String {
    let source = Source::from_text(name, text);
    let doc = sop::syntax::parse(&source);
    sop::render::json::Json.render(&Workflow::from_document(&doc), &RenderContext::default())
}

/// Codes, lines, columns, messages and helps of a text's diagnostics.
fn diagnostics(name: &str, text: &str) -> Vec<String> {
    let source = Source::from_text(name, text);
    let options = CheckOptions::new(Date::parse("2026-11-23").unwrap());
    check_source(&source, &options, None)
        .iter()
        .map(|d| {
            let (line, column) = source.line_col(d.span().start);
            format!("{} {line}:{column} {} | {:?}", d.code, d.message, d.help)
        })
        .collect()
}

fn convert(text: &str, into: Dialect) -> Result<String, FormatError> {
    let source = Source::from_text("x.sop", text);
    let doc = sop::syntax::parse(&source);
    let options = FormatOptions {
        keywords: Some(into),
        ..FormatOptions::default()
    };
    format_document_with(&source, &doc, &options)
}

fn dialect_of(text: &str) -> Dialect {
    sop::syntax::parse(&Source::from_text("x.sop", text)).dialect
}

const ZH_KEYWORDS: &[&str] = &[
    "目的：",
    "范围：",
    "职责：",
    "流程：",
    "步骤 ",
    "角色：",
    "时限：",
    "话术：",
    "询问：",
    "如果",
    "否则",
    "修订记录：",
];
const HU_KEYWORDS: &[&str] = &[
    "cél:",
    "hatály:",
    "szerepkörök:",
    "lépések:",
    "lépés ",
    "szerepkör:",
    "határidő:",
    "ha ",
    "egyébként",
    "változások:",
];

#[test]
fn the_dialect_examples_are_written_in_dialect_keywords() {
    for (file, words) in [
        ("examples/CS-010-reception-and-needs.sop", ZH_KEYWORDS),
        ("examples/CS-020-telefonos-megkeresesek.sop", HU_KEYWORDS),
    ] {
        let text = std::fs::read_to_string(file).unwrap();
        for word in words {
            assert!(text.contains(word), "{file} does not use `{word}`");
        }
        for english in [
            "purpose:",
            "steps:",
            "step ",
            "role:",
            "within:",
            "if ",
            "otherwise",
        ] {
            assert!(
                !text.lines().any(|l| l.trim_start().starts_with(english)),
                "{file} still uses `{english}`"
            );
        }
        // Local units, no English ones.
        for english_unit in ["seconds", "minutes", "hour", "every "] {
            assert!(!text.contains(english_unit), "{file}: `{english_unit}`");
        }
    }
}

/// Every example and valid fixture in a dialect, and its English-keyword
/// twin: the identical JSON workflow and the same diagnostics.
#[test]
fn dialect_files_and_their_english_twins_mean_the_same() {
    let mut files = sop_files("examples");
    files.extend(sop_files("tests/fixtures/valid"));
    files.extend(sop_files("tests/fixtures/dialects"));
    let mut twins = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let dialect = dialect_of(&text);
        if dialect == Dialect::En {
            continue;
        }
        let name = path.display().to_string();
        let twin = convert(&text, Dialect::En).unwrap_or_else(|e| panic!("{name}: {e}"));
        for word in match dialect {
            Dialect::Zh => ZH_KEYWORDS,
            _ => HU_KEYWORDS,
        } {
            assert!(
                !twin.lines().any(|l| l.trim_start().starts_with(word)),
                "{name}: the twin still has `{word}`"
            );
        }
        assert_eq!(json(&name, &text), json(&name, &twin), "{name}");
        assert_eq!(
            diagnostics(&name, &text),
            diagnostics(&name, &twin),
            "{name}"
        );
        // And back: the dialect again, the same text as the file's own
        // formatting.
        let back = convert(&twin, dialect).unwrap();
        assert_eq!(json(&name, &back), json(&name, &text), "{name}");
        twins += 1;
    }
    assert!(twins >= 3, "only {twins} dialect files");
}

#[test]
fn chinese_keywords_without_spaces_and_reserved_targets() {
    let text = "sop ZH-1：测试\n语言：zh\n\n目的：测试\n\n范围：全部\n\n流程：\n  步骤 问候：问候客户\n    时限：半小时\n    询问：客户满意吗？\n    如果满意 -> 结束\n    如果不满意→安抚\n    否则->下一步\n\n  步骤 安抚：安抚客户\n    -> 结束\n\n  步骤1：登记\n    -> 结束\n";
    let out = json("zh.sop", text);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let nodes = value["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3, "{out}");
    assert_eq!(nodes[2]["id"], "1");
    assert_eq!(nodes[0]["within"], "PT30M");
    let edges: Vec<(&str, &str)> = value["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["from"] == "问候")
        .map(|e| (e["to"].as_str().unwrap(), e["when"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        edges,
        [("end", "满意"), ("安抚", "不满意"), ("安抚", "otherwise")],
        "{out}"
    );
    let codes = diagnostics("zh.sop", text);
    assert!(codes.iter().all(|d| !d.starts_with("syntax")), "{codes:#?}");
}

#[test]
fn hungarian_keywords_match_without_accents() {
    let accents = "sop HU-1: Teszt\nnyelv: hu\n\ncél: Teszt\n\nhatály: Minden\n\nlépések:\n  lépés a: Első\n    határidő: 5 perc\n    ha igen -> vége\n    egyébként -> b\n\n  lépés b: Második\n    -> következő\n\n  lépés c: Harmadik\n";
    let plain = "sop HU-1: Teszt\nNYELV: hu\n\nCel: Teszt\n\nHataly: Minden\n\nLepesek:\n  LEPES a: Első\n    hatarido: 5 perc\n    Ha igen -> vege\n    egyebkent -> b\n\n  lepes b: Második\n    -> kovetkezo\n\n  lepes c: Harmadik\n";
    assert_eq!(json("a.sop", accents), json("b.sop", plain));
    assert_eq!(
        diagnostics("a.sop", accents).len(),
        diagnostics("b.sop", plain).len()
    );
    assert!(json("a.sop", accents).contains("\"PT5M\""));
}

#[test]
fn dialect_keywords_hold_only_in_their_files() {
    // No `language: zh`: `目的：` is a heading of another language.
    let text = "sop X-1: T\n\n目的：测试\n\nscope: all\n\nsteps:\n  step a: A\n    角色：agent\n    -> end\n";
    let found = diagnostics("x.sop", text);
    assert!(
        found
            .iter()
            .any(|d| d.starts_with("unknown-section 3:1") && d.contains("language: zh")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|d| d.starts_with("syntax 9:5") && d.contains("`角色`")),
        "{found:#?}"
    );
    // `结束` is an id in an English file and reserved in a Chinese one.
    let en = "sop X-1: T\npurpose: p\nscope: s\nsteps:\n  step 结束: End\n    -> end\n";
    assert!(diagnostics("x.sop", en)
        .iter()
        .all(|d| !d.starts_with("syntax")));
    let zh =
        "sop X-1: T\nlanguage: zh\npurpose: p\nscope: s\nsteps:\n  step 结束: End\n    -> end\n";
    let found = diagnostics("x.sop", zh);
    assert!(
        found
            .iter()
            .any(|d| d.starts_with("syntax 6:8") && d.contains("cannot be a step id")),
        "{found:#?}"
    );
    let hu =
        "sop X-1: T\nlanguage: hu\npurpose: p\nscope: s\nsteps:\n  step vege: End\n    -> end\n";
    let found = diagnostics("x.sop", hu);
    assert!(
        found.iter().any(|d| d.contains("cannot be a step id")),
        "{found:#?}"
    );
}

#[test]
fn arrows_and_full_width_indentation() {
    let ascii = "sop X-1: T\npurpose: p\nscope: s\nsteps:\n  step a: A\n    if yes -> b\n    otherwise -> end\n  step b: B\n    -> end\n";
    let unicode = "sop X-1: T\npurpose: p\nscope: s\nsteps:\n\u{3000}step a: A\n\u{3000}\u{3000}if yes → b\n\u{3000}\u{3000}otherwise → end\n\u{3000}step b: B\n\u{3000}\u{3000}→ end\n";
    assert_eq!(json("a.sop", ascii), json("b.sop", unicode));
    let source = Source::from_text("b.sop", unicode);
    let doc = sop::syntax::parse(&source);
    let formatted = sop::fmt::format_document(&source, &doc).unwrap();
    assert_eq!(formatted, sop::fmt::format_source(ascii).unwrap());
    assert!(formatted.contains("if yes -> b") && !formatted.contains('→'));
}

#[test]
fn fmt_keeps_each_keywords_language_and_converts_on_request() {
    let mixed = "sop X-1: T\nlanguage: zh\nversion: 1.0\n状态: 草稿\n\n目的: p\n\nscope: s\n\n流程:\n  步骤 a: A\n    role: x\n    如果 是 -> end\n    otherwise -> 下一步\n\n  step b: B\n    -> 结束\n";
    let out = sop::fmt::format_source(mixed).unwrap();
    assert_eq!(
        out,
        "sop X-1: T\nlanguage: zh\nversion: 1.0\n状态：草稿\n\n目的：p\n\nscope: s\n\n流程：\n  步骤 a：A\n    role: x\n    如果是 -> end\n    otherwise -> 下一步\n\n  step b: B\n    -> 结束\n"
    );
    let zh = convert(mixed, Dialect::Zh).unwrap();
    assert_eq!(
        zh,
        "sop X-1: T\n语言：zh\n版本：1.0\n状态：草稿\n\n目的：p\n\n范围：s\n\n流程：\n  步骤 a：A\n    角色：x\n    如果是 -> 结束\n    否则 -> 下一步\n\n  步骤 b：B\n    -> 结束\n"
    );
    let en = convert(mixed, Dialect::En).unwrap();
    assert_eq!(
        en,
        "sop X-1: T\nlanguage: zh\nversion: 1.0\nstatus: draft\n\npurpose: p\n\nscope: s\n\nsteps:\n  step a: A\n    role: x\n    if 是 -> end\n    otherwise -> next\n\n  step b: B\n    -> end\n"
    );
    // Hungarian keywords cannot be written into a Chinese file.
    let err = convert(mixed, Dialect::Hu).unwrap_err();
    assert!(err.to_string().contains("language: hu"), "{err}");
}

#[test]
fn fmt_keywords_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.sop");
    std::fs::write(
        &file,
        "sop X-1: T\nlanguage: hu\npurpose: p\nscope: s\nsteps:\n  step a: A\n    -> end\n",
    )
    .unwrap();
    let out = sop(&["fmt", "--keywords", "hu", file.to_str().unwrap()]).run();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("cél: p") && text.contains("lépés a: A") && text.contains("-> vége"),
        "{text}"
    );
    let out = sop(&["fmt", "--keywords", "zh", file.to_str().unwrap()]).run();
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("language: zh"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        text,
        "refused files stay as they are"
    );
    let out = sop(&["fmt", "--keywords", "fr", file.to_str().unwrap()]).run();
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(Path::new(&file).is_file());
}
