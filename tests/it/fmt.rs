//! `sop fmt`: idempotence and meaning preservation on every example, every
//! fixture, a generated corpus and property-based documents with scrambled
//! layout; snapshots of messy inputs; and the command line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::Value;
use sop::fmt::{format_document, format_document_with, format_source, FormatError, FormatOptions};
use sop::model::Workflow;
use sop::source::Source;

use crate::support::sop_files;

// ---------------------------------------------------------------------------
// Helpers

/// What a text means: its JSON workflow definition.
fn meaning(text: &str) -> Value {
    let source = Source::from_text("t.sop", text);
    let doc = sop::syntax::parse(&source);
    serde_json::to_value(Workflow::from_document(&doc)).unwrap()
}

/// The hashes of a text's meaning: of the whole SOP and of each step.
fn hashes(text: &str) -> (String, Vec<String>) {
    let source = Source::from_text("t.sop", text);
    let workflow = Workflow::from_document(&sop::syntax::parse(&source));
    (workflow.hash(), workflow.node_hashes())
}

/// The comments of a text, as written after the `#`.
fn comments(text: &str) -> Vec<String> {
    text.trim_start_matches('\u{feff}')
        .split('\n')
        .map(str::trim)
        .filter(|l| l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Every word of a text, layout aside: keywords in lower case, colons,
/// arrows and list separators as spaces, `else` as `otherwise`; sorted.
fn words(text: &str) -> Vec<String> {
    let text = text
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .replace("->", " ")
        .replace([':', '：', ',', '，', '、'], " ");
    let mut words: Vec<String> = text
        .split_whitespace()
        .map(|w| if w == "else" { "otherwise" } else { w }.to_string())
        .collect();
    words.sort();
    words
}

/// Formats, and checks that the result is a fixed point that means what the
/// input meant (with the same hashes) and keeps every word and comment.
fn assert_faithful(name: &str, input: &str) -> String {
    let once = format_source(input).unwrap_or_else(|e| panic!("{name}: {e}\n{input}"));
    let twice = format_source(&once).unwrap_or_else(|e| panic!("{name} (second pass): {e}"));
    assert_eq!(
        once, twice,
        "{name}: not idempotent\n--- input\n{input:?}\n--- once\n{once}\n--- twice\n{twice}"
    );
    assert_eq!(
        meaning(input),
        meaning(&once),
        "{name}: meaning changed\n--- input\n{input}\n--- output\n{once}"
    );
    assert_eq!(hashes(input), hashes(&once), "{name}: hashes changed");
    assert_eq!(comments(input), comments(&once), "{name}: comments changed");
    assert_eq!(words(input), words(&once), "{name}: words changed");
    for line in once.lines() {
        assert_eq!(line, line.trim_end(), "{name}: trailing whitespace");
        assert!(!line.starts_with('\t'), "{name}: tab indentation");
    }
    assert!(!once.contains("\n\n\n"), "{name}: two blank lines in a row");
    assert!(
        once.is_empty() || (once.ends_with('\n') && !once.ends_with("\n\n")),
        "{name}: must end with exactly one newline"
    );
    once
}

/// Reads a file as the formatter sees it; `None` when it has syntax errors
/// or invalid bytes (and then the formatter must refuse it).
fn formattable(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).unwrap();
    let source = Source::from_bytes(path, &bytes);
    let doc = sop::syntax::parse(&source);
    let result = format_document(&source, &doc);
    let unreadable = !doc.errors.is_empty() || !doc.unknown_sections.is_empty();
    if unreadable || !source.encoding_issues.is_empty() {
        assert!(
            matches!(result, Err(FormatError::Invalid(_))),
            "{}: must be refused",
            path.display()
        );
        return None;
    }
    result.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(String::from_utf8(bytes).unwrap())
}

// ---------------------------------------------------------------------------
// Examples and fixtures

#[test]
fn examples_and_fixtures_are_formatted_faithfully() {
    let mut files = sop_files("examples");
    files.extend(sop_files("tests/fixtures/valid"));
    files.extend(sop_files("tests/fixtures/diagnostics"));
    files.extend(sop_files("tests/fixtures/diagnostics/project"));
    files.extend(sop_files("tests/fixtures/fmt"));
    let mut formatted = 0;
    let mut refused = 0;
    for path in &files {
        match formattable(path) {
            Some(text) => {
                assert_faithful(&path.display().to_string(), &text);
                formatted += 1;
            }
            None => refused += 1,
        }
    }
    assert!(formatted > 40, "only {formatted} files formatted");
    // syntax.sop, five-errors.sop, broken-keywords.sop and the two encoding files.
    assert!(refused >= 5, "only {refused} files refused");
}

#[test]
fn canonical_files_are_left_as_they_are() {
    // The contract's own example is written in the canonical layout.
    let text = std::fs::read_to_string("tests/fixtures/valid/customer-inquiry.sop").unwrap();
    assert_eq!(format_source(&text).unwrap(), text);
}

#[test]
fn a_file_with_syntax_errors_is_refused_with_positions() {
    let text = std::fs::read_to_string("tests/fixtures/diagnostics/syntax.sop").unwrap();
    let Err(FormatError::Invalid(problems)) = format_source(&text) else {
        panic!("syntax.sop must be refused");
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 20);
    assert!(problems[0].message.contains("default"), "{}", problems[0]);

    let bytes = std::fs::read("tests/fixtures/diagnostics/invalid-encoding.sop").unwrap();
    let source = Source::from_bytes("invalid-encoding.sop", &bytes);
    let doc = sop::syntax::parse(&source);
    let Err(FormatError::Invalid(problems)) = format_document(&source, &doc) else {
        panic!("invalid bytes must be refused");
    };
    assert_eq!((problems[0].line, problems[0].column), (16, 47));
    assert!(problems[0].message.contains("419"), "{}", problems[0]);
}

#[test]
fn crlf_is_kept_only_when_asked() {
    let bytes = std::fs::read("tests/fixtures/fmt/crlf.sop").unwrap();
    let source = Source::from_bytes("crlf.sop", &bytes);
    let doc = sop::syntax::parse(&source);
    assert!(doc.crlf);
    let lf = format_document(&source, &doc).unwrap();
    assert!(!lf.contains("\r\n"));
    let kept = format_document_with(
        &source,
        &doc,
        &FormatOptions {
            keep_crlf: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(kept, lf.replace('\n', "\r\n"));
    // The lone CR inside a line is content, not a line break.
    assert!(lf.contains("lone CR\rinside"));
}

#[test]
fn a_bom_is_removed() {
    let bytes = std::fs::read("tests/fixtures/fmt/bom.sop").unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let source = Source::from_bytes("bom.sop", &bytes);
    let doc = sop::syntax::parse(&source);
    let out = format_document(&source, &doc).unwrap();
    assert!(out.starts_with("# A byte-order mark"));
}

// ---------------------------------------------------------------------------
// Snapshots of messy inputs

#[test]
fn snapshots_of_messy_inputs() {
    for path in sop_files("tests/fixtures/fmt") {
        let bytes = std::fs::read(&path).unwrap();
        let source = Source::from_bytes(&path, &bytes);
        let doc = sop::syntax::parse(&source);
        let out = format_document(&source, &doc).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(name, out);
    }
}

// ---------------------------------------------------------------------------
// Generated documents

const EN: &[&str] = &[
    "customer",
    "agent",
    "ticket",
    "order",
    "refund",
    "check",
    "the",
    "queue",
    "call",
    "record",
    "policy",
    "lead",
    "form",
    "box",
    "shelf",
    "report",
    "quickly",
    "every",
    "open",
    "close",
    "step",
    "if",
    "sop",
    "note",
    "end",
    "next",
    "Role",
    "otherwise",
];
const ZH: &[&str] = &[
    "客户", "订单", "退款", "核实", "记录", "政策", "反馈", "回访", "投诉",
];
const HU: &[&str] = &[
    "ügyfél",
    "hívás",
    "jegy",
    "bejelentés",
    "ellenőrzés",
    "szállítás",
];
const ESCAPES: &[&str] = &[
    "\\step two: an escaped step line",
    "\\# An escaped heading",
    "\\Note: an escaped callout",
    "\\if a -> b",
    "\\-> end",
    "\\role: agent",
    "\\   escaped with spaces",
    "\\",
];
const ROLES: &[&str] = &["agent", "lead", "tech", "厨师", "ügyintéző", "qa.team"];
const DURATIONS: &[&str] = &[
    "30s", "5 min", "1 hour", "24 hours", "PT15M", "1h 30m", "3 days",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(EN),
        2 => prop::sample::select(ZH),
        2 => prop::sample::select(HU),
    ]
    .prop_map(str::to_string)
}

fn phrase(n: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(word(), n).prop_map(|w| w.join(" "))
}

/// Text that is prose wherever it stands: starts with a capital letter or a
/// CJK character, holds no colon and no arrow.
fn sentence() -> impl Strategy<Value = String> {
    phrase(1..9).prop_map(|s| {
        let mut c = s.chars();
        let first = c.next().unwrap().to_uppercase().to_string();
        format!("Then {first}{}.", c.as_str())
    })
}

#[derive(Debug, Clone)]
enum Prose {
    /// Relative indentation and text.
    Line(usize, String),
    Blank,
    Comment(String),
}

fn prose() -> impl Strategy<Value = Prose> {
    prop_oneof![
        6 => sentence().prop_map(|s| Prose::Line(0, s)),
        1 => sentence().prop_map(|s| Prose::Line(0, format!("- {s}"))),
        1 => sentence().prop_map(|s| Prose::Line(2, format!("- [ ] {s}"))),
        1 => sentence().prop_map(|s| Prose::Line(4, format!("1. {s}"))),
        1 => (word(), word()).prop_map(|(a, b)| Prose::Line(0, format!("| {a} | {b} |"))),
        1 => prop::sample::select(ESCAPES).prop_map(|e| Prose::Line(0, e.to_string())),
        1 => (word(), word()).prop_map(|(a, b)| Prose::Line(0, format!("Open {a} -> {b} now."))),
        1 => (word(), word()).prop_map(|(a, b)| Prose::Line(0, format!("If {a} -> ask {b}"))),
        1 => Just(Prose::Blank),
        1 => comment().prop_map(Prose::Comment),
    ]
}

fn comment() -> impl Strategy<Value = String> {
    (phrase(0..6), prop::sample::select(&["# ", "#", "#   "][..]))
        .prop_map(|(text, hash)| format!("{hash}{text}"))
}

#[derive(Debug, Clone)]
enum Item {
    Role(Vec<String>),
    Within(String),
    Say(String),
    Ask(String),
    Callout(&'static str, String),
    Prose(Prose),
}

#[derive(Debug, Clone)]
struct GStep {
    named: bool,
    title: String,
    comment_above: Option<String>,
    items: Vec<Item>,
    /// 0 none, 1 goto, 2 options and otherwise, 3 options and a bare default,
    /// 4 one option only, 5 `else`.
    branching: u8,
    conditions: Vec<(String, usize)>,
    default: usize,
}

fn step() -> impl Strategy<Value = GStep> {
    let items = (
        prop::option::of(prop::collection::vec(prop::sample::select(ROLES), 1..3)),
        prop::option::of(prop::sample::select(DURATIONS)),
        prop::collection::vec(sentence(), 0..2),
        prop::option::of(sentence()),
        prop::collection::vec(
            (
                prop::sample::select(&["tip", "warning", "note"][..]),
                sentence(),
            ),
            0..3,
        ),
        prop::collection::vec(prose(), 0..7),
    )
        .prop_flat_map(|(role, within, say, ask, callouts, prose)| {
            let mut attributes = Vec::new();
            if let Some(r) = role {
                attributes.push(Item::Role(r.into_iter().map(str::to_string).collect()));
            }
            if let Some(w) = within {
                attributes.push(Item::Within(w.to_string()));
            }
            attributes.extend(say.into_iter().map(Item::Say));
            attributes.extend(ask.map(Item::Ask));
            attributes.extend(callouts.into_iter().map(|(k, t)| Item::Callout(k, t)));
            let n = attributes.len();
            // Attributes and callouts go anywhere among the prose lines.
            prop::collection::vec(any::<usize>(), n).prop_map(move |positions| {
                let mut items: Vec<Item> = prose.iter().cloned().map(Item::Prose).collect();
                for (attribute, at) in attributes.iter().zip(positions) {
                    items.insert(at % (items.len() + 1), attribute.clone());
                }
                items
            })
        });
    (
        any::<bool>(),
        phrase(1..5),
        prop::option::of(comment()),
        items,
        0u8..6,
        prop::collection::vec(
            (
                prop_oneof![
                    phrase(1..4),
                    phrase(1..3).prop_map(|p| format!("{p} -> {p}"))
                ],
                any::<usize>(),
            ),
            1..4,
        ),
        any::<usize>(),
    )
        .prop_map(
            |(named, title, comment_above, items, branching, conditions, default)| GStep {
                named,
                title,
                comment_above,
                items,
                branching,
                conditions,
                default,
            },
        )
}

#[derive(Debug, Clone)]
enum GSection {
    Prose {
        kind: &'static str,
        inline: Option<String>,
        body: Vec<Prose>,
        callouts: Vec<(&'static str, String)>,
    },
    Entries {
        kind: &'static str,
        items: Vec<(String, String)>,
    },
    Steps {
        leading: Option<String>,
        steps: Vec<GStep>,
    },
    References(Vec<String>),
    Revisions(Vec<(String, String, Option<String>, String)>),
}

fn prose_section(kind: &'static str) -> impl Strategy<Value = GSection> {
    (
        prop::option::of(sentence()),
        prop::collection::vec(prose(), 0..6),
        prop::collection::vec(
            (
                prop::sample::select(&["tip", "warning", "note"][..]),
                sentence(),
            ),
            0..2,
        ),
    )
        .prop_map(move |(inline, body, callouts)| GSection::Prose {
            kind,
            inline,
            body,
            callouts: if kind == "notes" {
                callouts
            } else {
                Vec::new()
            },
        })
}

fn sections() -> impl Strategy<Value = Vec<(Option<String>, GSection)>> {
    let roles =
        prop::collection::vec((prop::sample::select(ROLES), sentence()), 1..4).prop_map(|v| {
            GSection::Entries {
                kind: "roles",
                items: v.into_iter().map(|(r, d)| (r.to_string(), d)).collect(),
            }
        });
    let definitions =
        prop::collection::vec((phrase(1..4), sentence()), 1..3).prop_map(|v| GSection::Entries {
            kind: "definitions",
            items: v
                .into_iter()
                .map(|(t, d)| (format!("Term {t}"), d))
                .collect(),
        });
    let metrics = prop::collection::vec(
        (
            phrase(1..4),
            prop::sample::select(&[">= 85%", "< 5%", "100 per day"][..]),
        ),
        1..3,
    )
    .prop_map(|v| GSection::Entries {
        kind: "metrics",
        items: v
            .into_iter()
            .map(|(n, t)| (format!("Rate of {n}"), t.to_string()))
            .collect(),
    });
    let steps = (
        prop::option::of(comment()),
        prop::collection::vec(step(), 1..7),
    )
        .prop_map(|(leading, steps)| GSection::Steps { leading, steps });
    let references = prop::collection::vec(
        prop_oneof![
            sentence(),
            Just("[[CS-014]] Escalation procedure".to_string()),
            Just("[Handbook](https://example.com/a:b)".to_string()),
        ],
        1..4,
    )
    .prop_map(GSection::References);
    let revisions = prop::collection::vec(
        (
            prop::sample::select(&["1.0", "1.1", "V2.0.3", "10.2"][..]),
            prop::sample::select(&["2024-01-05", "2025-11-30", "2026-02-30"][..]),
            prop::option::of(prop::sample::select(
                &["Peter Wu", "王芳", "Anna Kovács"][..],
            )),
            sentence(),
        ),
        1..4,
    )
    .prop_map(|v| {
        GSection::Revisions(
            v.into_iter()
                .map(|(v, d, a, t)| (v.to_string(), d.to_string(), a.map(str::to_string), t))
                .collect(),
        )
    });
    let all = (
        prose_section("purpose"),
        prose_section("scope"),
        prop::option::of(roles),
        prop::option::of(definitions),
        prop::option::of(steps),
        prop::option::of(metrics),
        prop::option::of(prose_section("notes")),
        prop::option::of(references),
        prop::option::of(revisions),
    )
        .prop_map(|(p, s, r, d, st, m, n, re, rv)| {
            let mut v = vec![p, s];
            v.extend([r, d, st, m, n, re, rv].into_iter().flatten());
            v
        });
    (all, prop::collection::vec(prop::option::of(comment()), 9)).prop_flat_map(
        |(sections, comments)| {
            let with: Vec<(Option<String>, GSection)> =
                comments.into_iter().zip(sections).collect();
            Just(with).prop_shuffle()
        },
    )
}

#[derive(Debug, Clone)]
struct GDoc {
    leading: Vec<String>,
    id: String,
    title: String,
    meta: Vec<(&'static str, String)>,
    meta_comment: Option<(usize, String)>,
    sections: Vec<(Option<String>, GSection)>,
    trailing: Vec<String>,
}

fn document() -> impl Strategy<Value = GDoc> {
    let meta = (
        prop::option::of(prop::sample::select(&["1.0", "V2.0.3", "10.2"][..])),
        prop::option::of(phrase(1..3)),
        prop::option::of(prop::sample::select(&["active", "Draft", "RETIRED"][..])),
        prop::option::of(prop::sample::select(
            &["every 6 months", "2 weeks", "every year"][..],
        )),
        prop::option::of(prop::collection::vec(word(), 1..4)),
        prop::option::of(prop::sample::select(&["en", "zh", "hu"][..])),
        prop::option::of(sentence()),
    )
        .prop_map(|(v, o, s, r, t, l, x)| {
            let mut m: Vec<(&'static str, String)> = Vec::new();
            m.extend(v.map(|v| ("version", v.to_string())));
            m.extend(o.map(|o| ("owner", o)));
            m.extend(s.map(|s| ("status", s.to_string())));
            m.extend(r.map(|r| ("review", r.to_string())));
            m.extend(t.map(|t| ("tags", t.join("\u{E004}"))));
            m.extend(l.map(|l| ("language", l.to_string())));
            m.extend(x.map(|x| ("x-custom", x)));
            m
        });
    (
        prop::collection::vec(comment(), 0..3),
        prop::sample::select(&["CS-001", "厨房-003", "KARB-ÉPÜLET-02", "a.b_c"][..]),
        phrase(1..6),
        meta,
        prop::option::of((0usize..8, comment())),
        sections(),
        prop::collection::vec(comment(), 0..3),
    )
        .prop_map(
            |(leading, id, title, meta, meta_comment, sections, trailing)| GDoc {
                leading,
                id: id.to_string(),
                title,
                meta,
                meta_comment,
                sections,
                trailing,
            },
        )
}

/// Placeholders for syntax the layout may spell in several ways.
const COLON: char = '\u{E001}';
const ARROW: char = '\u{E002}';
const GOTO: char = '\u{E003}';
const LIST: char = '\u{E004}';
const GAP: char = '\u{E005}';

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A line after which blank lines are insignificant: the `sop` line, a
    /// section keyword line without text, a `step` line.
    Head,
    /// A prose section's keyword line with text.
    Inline,
    Content,
    Prose,
    Comment,
    Blank,
}

#[derive(Debug, Clone)]
struct L {
    kind: Kind,
    level: usize,
    keyword: &'static str,
    rest: String,
    rel: usize,
    block: usize,
}

fn lines_of(doc: &GDoc) -> Vec<L> {
    let mut out: Vec<L> = Vec::new();
    let mut block = 0;
    let push = |out: &mut Vec<L>, kind, level, keyword, rest: String| {
        out.push(L {
            kind,
            level,
            keyword,
            rest,
            rel: 0,
            block: 0,
        })
    };
    for c in &doc.leading {
        push(&mut out, Kind::Comment, 0, "", c.clone());
    }
    if !doc.leading.is_empty() {
        push(&mut out, Kind::Blank, 0, "", String::new());
    }
    push(
        &mut out,
        Kind::Head,
        0,
        "sop",
        format!(" {}{COLON} {}", doc.id, doc.title),
    );
    for (i, (key, value)) in doc.meta.iter().enumerate() {
        if let Some((at, c)) = &doc.meta_comment {
            if *at == i {
                push(&mut out, Kind::Comment, 0, "", c.clone());
            }
        }
        if key.starts_with("x-") {
            // Custom keys keep their spelling: not a keyword to scramble.
            push(
                &mut out,
                Kind::Content,
                0,
                "",
                format!("{key}{COLON} {value}"),
            );
        } else {
            push(&mut out, Kind::Content, 0, key, format!("{COLON} {value}"));
        }
    }
    let ids: Vec<Option<String>> = doc
        .sections
        .iter()
        .flat_map(|(_, s)| match s {
            GSection::Steps { steps, .. } => steps.clone(),
            _ => Vec::new(),
        })
        .enumerate()
        .map(|(i, s)| s.named.then(|| format!("s{}", i + 1)))
        .collect();
    let mut step_number = 0;
    for (comment, section) in &doc.sections {
        push(&mut out, Kind::Blank, 0, "", String::new());
        if let Some(c) = comment {
            push(&mut out, Kind::Comment, 0, "", c.clone());
        }
        block += 1;
        let prose = |out: &mut Vec<L>, p: &Prose, level: usize, block: usize| match p {
            Prose::Line(rel, text) => out.push(L {
                kind: Kind::Prose,
                level,
                keyword: "",
                rest: text.clone(),
                rel: *rel,
                block,
            }),
            Prose::Blank => out.push(L {
                kind: Kind::Blank,
                level,
                keyword: "",
                rest: String::new(),
                rel: 0,
                block,
            }),
            Prose::Comment(c) => out.push(L {
                kind: Kind::Comment,
                level,
                keyword: "",
                rest: c.clone(),
                rel: 0,
                block,
            }),
        };
        match section {
            GSection::Prose {
                kind,
                inline,
                body,
                callouts,
            } => {
                match inline {
                    Some(t) => push(&mut out, Kind::Inline, 0, kind, format!("{COLON} {t}")),
                    None => push(&mut out, Kind::Head, 0, kind, COLON.to_string()),
                }
                for p in body {
                    prose(&mut out, p, 1, block);
                }
                for (k, t) in callouts {
                    push(&mut out, Kind::Content, 1, k, format!("{COLON} {t}"));
                }
            }
            GSection::Entries { kind, items } => {
                push(&mut out, Kind::Head, 0, kind, COLON.to_string());
                for (name, value) in items {
                    push(
                        &mut out,
                        Kind::Content,
                        1,
                        "",
                        format!("{name}{COLON} {value}"),
                    );
                }
            }
            GSection::References(items) => {
                push(&mut out, Kind::Head, 0, "references", COLON.to_string());
                for text in items {
                    push(&mut out, Kind::Content, 1, "", format!("- {text}"));
                }
            }
            GSection::Revisions(items) => {
                push(&mut out, Kind::Head, 0, "revisions", COLON.to_string());
                for (v, d, a, t) in items {
                    let author = a.as_ref().map(|a| format!("{GAP}{a}")).unwrap_or_default();
                    push(
                        &mut out,
                        Kind::Content,
                        1,
                        "",
                        format!("{v}{GAP}{d}{author}{COLON} {t}"),
                    );
                }
            }
            GSection::Steps { leading, steps } => {
                push(&mut out, Kind::Head, 0, "steps", COLON.to_string());
                if let Some(c) = leading {
                    push(&mut out, Kind::Comment, 1, "", c.clone());
                }
                for (i, s) in steps.iter().enumerate() {
                    step_number += 1;
                    block += 1;
                    if i > 0 {
                        push(&mut out, Kind::Blank, 0, "", String::new());
                    }
                    if let Some(c) = &s.comment_above {
                        push(&mut out, Kind::Comment, 1, "", c.clone());
                    }
                    let rest = match &ids[step_number - 1] {
                        Some(id) => format!(" {id}{COLON} {}", s.title),
                        None => format!("{COLON} {}", s.title),
                    };
                    push(&mut out, Kind::Head, 1, "step", rest);
                    for item in &s.items {
                        let (kw, rest) = match item {
                            Item::Role(r) => ("role", r.join(&LIST.to_string())),
                            Item::Within(t) => ("within", t.clone()),
                            Item::Say(t) => ("say", t.clone()),
                            Item::Ask(t) => ("ask", t.clone()),
                            Item::Callout(k, t) => (*k, t.clone()),
                            Item::Prose(p) => {
                                prose(&mut out, p, 2, block);
                                continue;
                            }
                        };
                        push(&mut out, Kind::Content, 2, kw, format!("{COLON} {rest}"));
                    }
                    let target = |n: usize| -> String {
                        let j = n % (ids.len() + 3);
                        match ids.get(j) {
                            Some(Some(id)) => id.clone(),
                            Some(None) => "next".into(),
                            None => ["END", "Next", "[[CS-014]]"][j - ids.len()].into(),
                        }
                    };
                    let options = |out: &mut Vec<L>, n: usize| {
                        for (cond, t) in s.conditions.iter().take(n) {
                            out.push(L {
                                kind: Kind::Content,
                                level: 2,
                                keyword: "if",
                                rest: format!(" {cond}{ARROW}{}", target(*t)),
                                rel: 0,
                                block: 0,
                            });
                        }
                    };
                    let default = target(s.default);
                    match s.branching {
                        1 => push(&mut out, Kind::Content, 2, "", format!("{GOTO}{default}")),
                        2 | 5 => {
                            options(&mut out, 3);
                            let kw = if s.branching == 5 {
                                "else"
                            } else {
                                "otherwise"
                            };
                            push(&mut out, Kind::Content, 2, kw, format!("{ARROW}{default}"));
                        }
                        3 => {
                            options(&mut out, 3);
                            push(&mut out, Kind::Content, 2, "", format!("{GOTO}{default}"));
                        }
                        4 => options(&mut out, 1),
                        _ => {}
                    }
                }
            }
        }
    }
    if !doc.trailing.is_empty() {
        push(&mut out, Kind::Blank, 0, "", String::new());
        for c in &doc.trailing {
            push(&mut out, Kind::Comment, 0, "", c.clone());
        }
    }
    out
}

/// How one line is spelled.
#[derive(Debug, Clone, Copy)]
struct Style {
    indent: &'static str,
    trailing: &'static str,
    case: u8,
    colon: &'static str,
    arrow: &'static str,
    goto: &'static str,
    list: &'static str,
    gap: &'static str,
}

const CLEAN: Style = Style {
    indent: "",
    trailing: "",
    case: 0,
    colon: ":",
    arrow: " -> ",
    goto: "-> ",
    list: ", ",
    gap: "  ",
};

const INDENTS: &[&str] = &["", " ", "  ", "\t", "    ", " \t", "\t\t", "      ", "\t  "];

fn style() -> impl Strategy<Value = Style> {
    (
        prop::sample::select(INDENTS),
        prop::sample::select(&["", " ", "\t", "  \t", "\u{3000}"][..]),
        0u8..3,
        prop::sample::select(&[":", "：", " :", ":   ", "\t："][..]),
        prop::sample::select(&[" -> ", "->", "  ->\t"][..]),
        prop::sample::select(&["-> ", "->", "->  "][..]),
        prop::sample::select(&[", ", ",", "，", "、", " , "][..]),
        prop::sample::select(&["  ", " ", "\t", "   "][..]),
    )
        .prop_map(
            |(indent, trailing, case, colon, arrow, goto, list, gap)| Style {
                indent,
                trailing,
                case,
                colon,
                arrow,
                goto,
                list,
                gap,
            },
        )
}

fn spell(line: &L, style: &Style, indent: &str) -> String {
    let keyword = match style.case {
        1 => line.keyword.to_uppercase(),
        2 => {
            let mut c = line.keyword.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
        _ => line.keyword.to_string(),
    };
    let mut out = String::with_capacity(line.rest.len() + 16);
    out.push_str(indent);
    out.push_str(&keyword);
    for c in line.rest.chars() {
        match c {
            COLON => out.push_str(style.colon),
            ARROW => out.push_str(style.arrow),
            GOTO => out.push_str(style.goto),
            LIST => out.push_str(style.list),
            GAP => out.push_str(style.gap),
            c => out.push(c),
        }
    }
    if !out.trim().is_empty() {
        out.push_str(style.trailing);
    }
    out
}

/// The document in a tidy layout: two spaces per level, plain syntax.
fn render_clean(lines: &[L]) -> String {
    let mut out = String::new();
    for line in lines {
        if line.kind != Kind::Blank {
            let indent = " ".repeat(line.level * 2 + line.rel);
            out.push_str(&spell(line, &CLEAN, &indent));
        }
        out.push('\n');
    }
    out
}

/// Layout noise that must not change the formatted result: indentation
/// (a prose block moves as a whole), trailing whitespace, keyword case, the
/// colon, spacing around arrows and separators, and extra blank lines where
/// blank lines mean nothing.
#[derive(Debug, Clone)]
struct Noise {
    styles: Vec<Style>,
    bases: Vec<&'static str>,
    blanks: Vec<bool>,
    crlf: bool,
}

fn noise() -> impl Strategy<Value = Noise> {
    (
        prop::collection::vec(style(), 1..40),
        prop::collection::vec(prop::sample::select(INDENTS), 1..40),
        prop::collection::vec(any::<bool>(), 1..40),
        any::<bool>(),
    )
        .prop_map(|(styles, bases, blanks, crlf)| Noise {
            styles,
            bases,
            blanks,
            crlf,
        })
}

fn render_noisy(lines: &[L], noise: &Noise) -> String {
    let mut out = String::new();
    let newline = if noise.crlf { "\r\n" } else { "\n" };
    let mut previous: Option<Kind> = None;
    for (i, line) in lines.iter().enumerate() {
        let style = &noise.styles[i % noise.styles.len()];
        let extra = noise.blanks[i % noise.blanks.len()];
        // A blank line before a section or step line, unless a comment is
        // directly above it (that decides where the comment belongs).
        let starts_block =
            (line.kind == Kind::Head && line.keyword != "sop") || line.kind == Kind::Inline;
        if extra && starts_block && previous.is_some_and(|k| k != Kind::Comment) {
            out.push_str(newline);
        }
        match line.kind {
            Kind::Blank => {
                out.push_str(newline);
                if extra {
                    // Runs of blank lines count as one.
                    out.push_str(" \t");
                    out.push_str(newline);
                }
            }
            Kind::Prose => {
                let base = noise.bases[line.block % noise.bases.len()];
                let indent = format!("{base}{}", " ".repeat(line.rel));
                out.push_str(&spell(line, style, &indent));
                out.push_str(newline);
            }
            Kind::Comment if line.level == 0 => {
                out.push_str(&spell(line, style, ""));
                out.push_str(newline);
            }
            Kind::Comment => {
                let indent = if style.indent.is_empty() {
                    " "
                } else {
                    style.indent
                };
                out.push_str(&spell(line, style, indent));
                out.push_str(newline);
            }
            _ => {
                out.push_str(&spell(line, style, style.indent));
                out.push_str(newline);
            }
        }
        // A blank line right after a line that ends a head (`steps:`, a
        // `step` line) means nothing.
        if extra && line.kind == Kind::Head {
            out.push_str(newline);
        }
        previous = Some(line.kind);
    }
    out
}

/// Arbitrary scrambling, which may change what the document means (prose
/// indentation and paragraph breaks); the formatter must keep whatever it
/// means.
fn render_wild(lines: &[L], noise: &Noise) -> String {
    let mut out = String::new();
    let newline = if noise.crlf { "\r\n" } else { "\n" };
    for (i, line) in lines.iter().enumerate() {
        let style = &noise.styles[i % noise.styles.len()];
        if noise.blanks[i % noise.blanks.len()] && i % 3 == 0 {
            out.push_str(newline);
        }
        if line.kind != Kind::Blank {
            let indent = format!("{}{}", style.indent, " ".repeat(line.rel));
            out.push_str(&spell(line, style, &indent));
        }
        out.push_str(newline);
    }
    out
}

fn assert_no_refusal(text: &str) {
    let source = Source::from_text("t.sop", text);
    let doc = sop::syntax::parse(&source);
    assert!(
        doc.errors.is_empty(),
        "generated document has syntax errors: {:?}\n{text}",
        doc.errors.iter().map(|e| &e.message).collect::<Vec<_>>()
    );
}

proptest! {
    // 256 cases unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    #[test]
    fn layout_noise_does_not_change_the_result(doc in document(), noise in noise()) {
        let lines = lines_of(&doc);
        let clean = render_clean(&lines);
        let noisy = render_noisy(&lines, &noise);
        assert_no_refusal(&clean);
        assert_no_refusal(&noisy);
        let expected = assert_faithful("clean", &clean);
        let got = assert_faithful("noisy", &noisy);
        prop_assert_eq!(&got, &expected, "\n--- noisy input\n{}", noisy);
        prop_assert_eq!(meaning(&noisy), meaning(&clean));
        prop_assert_eq!(hashes(&noisy), hashes(&clean));
    }

    #[test]
    fn scrambled_documents_keep_their_meaning(doc in document(), noise in noise()) {
        let lines = lines_of(&doc);
        let wild = render_wild(&lines, &noise);
        assert_no_refusal(&wild);
        assert_faithful("wild", &wild);
    }
}

/// A corpus of generated files (a fixed sample of the generator above, in
/// the spirit of shared/tools/gen_corpus.py), formatted faithfully.
#[test]
fn generated_corpus_is_formatted_faithfully() {
    let mut runner = TestRunner::deterministic();
    let strategy = (document(), noise(), any::<bool>());
    for i in 0..200 {
        let (doc, noise, wild) = strategy.new_tree(&mut runner).unwrap().current();
        let lines = lines_of(&doc);
        let text = if wild {
            render_wild(&lines, &noise)
        } else {
            render_noisy(&lines, &noise)
        };
        assert_no_refusal(&text);
        assert_faithful(&format!("corpus #{i}"), &text);
    }
}

/// Property: a generated document in a dialect, converted with
/// `--keywords zh|hu` and back with `--keywords en`, keeps its JSON workflow
/// at every stage, and converting is idempotent.
#[test]
fn keyword_conversion_round_trips() {
    let mut runner = TestRunner::deterministic();
    let strategy = (document(), noise(), prop_oneof![Just("zh"), Just("hu")]);
    let mut converted = 0;
    for i in 0..200 {
        let (doc, noise, language) = strategy.new_tree(&mut runner).unwrap().current();
        let text = render_noisy(&lines_of(&doc), &noise);
        // The dialect holds for the whole file wherever `language:` stands
        // in the metadata: put it right after the `sop` line.
        let header = text.split_inclusive('\n').position(|l| {
            let l = l.trim_start().to_ascii_lowercase();
            l.starts_with("sop ") || l.starts_with("sop\t")
        });
        let Some(header) = header else {
            continue;
        };
        let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
        let language_line = format!("language: {language}\n");
        lines.insert(header + 1, &language_line);
        let text = lines.concat();
        let into = sop::ast::Dialect::parse(language).unwrap();
        let convert = |text: &str, into| {
            let source = Source::from_text("x.sop", text);
            let parsed = sop::syntax::parse(&source);
            let options = FormatOptions {
                keywords: Some(into),
                ..FormatOptions::default()
            };
            format_document_with(&source, &parsed, &options)
        };
        let local = match convert(&text, into) {
            Ok(local) => local,
            Err(_) => continue,
        };
        let english =
            convert(&local, sop::ast::Dialect::En).unwrap_or_else(|e| panic!("#{i}: {e}\n{local}"));
        let again = convert(&english, into).unwrap_or_else(|e| panic!("#{i}: {e}\n{english}"));
        assert_eq!(
            meaning(&text),
            meaning(&local),
            "#{i}\n{text}\n---\n{local}"
        );
        assert_eq!(
            meaning(&local),
            meaning(&english),
            "#{i}\n{local}\n---\n{english}"
        );
        assert_eq!(again, local, "#{i}: converting is not idempotent");
        converted += 1;
    }
    assert!(converted > 100, "only {converted} documents converted");
}

/// The shared corpus generator, when it is there (it is not part of this
/// repository, so CI without it skips this test).
#[test]
fn shared_corpus_is_formatted_faithfully() {
    let tool = Path::new("/work/shared/tools/gen_corpus.py");
    if !tool.exists() {
        eprintln!("skipped: {} is not present", tool.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("python3")
        .arg(tool)
        .arg(dir.path())
        .arg("200")
        .status();
    match status {
        Ok(s) if s.success() => {}
        _ => {
            eprintln!("skipped: python3 could not run {}", tool.display());
            return;
        }
    }
    let mut n = 0;
    for entry in walk(&dir.path().join("sop")) {
        let text = std::fs::read_to_string(&entry).unwrap();
        let out = assert_faithful(&entry.display().to_string(), &text);
        // The generator writes the canonical layout.
        assert_eq!(out, text, "{}", entry.display());
        n += 1;
    }
    assert_eq!(n, 200);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "sop") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Lines glued from fragments of the syntax, to find a line the formatter
/// spells in a way the parser reads differently. Texts with syntax errors
/// are skipped (the formatter refuses them, which is tested above).
fn fragment_line() -> impl Strategy<Value = String> {
    const FRAGMENTS: &[&str] = &[
        "sop",
        "step",
        "if",
        "otherwise",
        "else",
        "-> ",
        "->",
        "end",
        "next",
        "[[A-1]]",
        "purpose",
        "scope",
        "roles",
        "steps",
        "notes",
        "revisions",
        "references",
        "metrics",
        "definitions",
        "role",
        "within",
        "say",
        "ask",
        "tip",
        "note",
        "warning",
        "version",
        "x-a",
        ":",
        "：",
        " ",
        "  ",
        "\t",
        "#",
        "\\",
        "-",
        "- ",
        "a",
        "b-2",
        "厨房",
        "ügy",
        "1.0",
        "2024-01-02",
        "5 min",
        ",",
        "、",
        "|",
        "*",
        "\r",
        "\u{3000}",
        "X-",
        "[[",
        "]]",
        "http://a:b",
        "a b",
    ];
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..7).prop_map(|f| f.concat())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(4096),
        ..ProptestConfig::default()
    })]

    #[test]
    fn fragments_are_formatted_faithfully(
        groups in prop::collection::vec(prop::collection::vec(fragment_line(), 0..2), 11),
        order in Just((0..11).collect::<Vec<usize>>()).prop_shuffle(),
    ) {
        let heads = [
            "", "purpose:", "steps:\n  step a: A", "  step b: B", "notes:", "revisions:", "roles:",
            "references:", "definitions:", "metrics:", "scope: x",
        ];
        // The metadata first, the `step b` group right after `steps:`.
        let mut order: Vec<usize> = order.into_iter().filter(|&i| i != 0 && i != 3).collect();
        order.insert(0, 0);
        let at = order.iter().position(|&i| i == 2).unwrap();
        order.insert(at + 1, 3);
        let heads: Vec<&str> = order.iter().map(|&i| heads[i]).collect();
        let mut text = String::from("sop A-1: T\n");
        for (head, lines) in heads.iter().zip(&groups) {
            text.push_str(head);
            text.push('\n');
            for l in lines {
                text.push_str(l);
                text.push('\n');
            }
        }
        let source = Source::from_text("t.sop", &text);
        let doc = sop::syntax::parse(&source);
        if doc.errors.is_empty() {
            assert_faithful("fragments", &text);
        }

    }
}

// ---------------------------------------------------------------------------
// The command line

const MESSY: &str = "SOP T-1: Title\nPurpose:\n\tWhy.\nSTEPS:\n\tSTEP a: A\n\t\tDo it.   \n";
const TIDY: &str = "sop T-1: Title\n\npurpose:\n  Why.\n\nsteps:\n  step a: A\n    Do it.\n";
const BROKEN: &str = "sop T-2: Broken\npurpose:\n  role: agent\n";

fn sop(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut all = vec!["fmt"];
    all.extend_from_slice(args);
    crate::support::sop(&all)
        .current_dir(dir)
        .stdin(stdin.unwrap_or(""))
        .output()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn tidy_text_is_the_formatted_messy_text() {
    assert_eq!(format_source(MESSY).unwrap(), TIDY);
}

#[test]
fn cli_check_prints_a_diff_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("messy.sop"), MESSY).unwrap();
    let out = sop(dir.path(), &["--check", "messy.sop"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("--- a/messy.sop\n+++ b/messy.sop\n@@ "),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n-Purpose:\n") && stdout.contains("\n+purpose:\n"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("messy.sop")).unwrap(),
        MESSY
    );
    assert!(text(&out.stderr).contains("1 file would be reformatted, 0 already formatted."));
}

#[test]
fn cli_check_passes_on_formatted_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tidy.sop"), TIDY).unwrap();
    let out = sop(dir.path(), &["--check", "."], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("0 files would be reformatted, 1 already formatted."));
}

#[test]
fn cli_rewrites_in_place_only_what_changes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("messy.sop"), MESSY).unwrap();
    std::fs::write(dir.path().join("tidy.sop"), TIDY).unwrap();
    #[cfg(unix)]
    let inode = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(dir.path().join("tidy.sop"))
            .unwrap()
            .ino()
    };
    let out = sop(dir.path(), &["messy.sop", "tidy.sop"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("messy.sop")).unwrap(),
        TIDY
    );
    assert!(text(&out.stderr).contains("Formatted 1 file, 1 already formatted."));
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let after = std::fs::metadata(dir.path().join("tidy.sop"))
            .unwrap()
            .ino();
        assert_eq!(inode, after, "an unchanged file must not be rewritten");
    }
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 2, "no temporary files left behind");
}

#[test]
fn cli_stdin_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = sop(dir.path(), &["-"], Some(MESSY));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), TIDY);

    let out = sop(dir.path(), &["--check", "-"], Some(MESSY));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).starts_with("--- a/<stdin>\n+++ b/<stdin>\n"));

    // Text that cannot be formatted comes back unchanged, and is reported.
    let out = sop(dir.path(), &["-"], Some(BROKEN));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), BROKEN);
    assert!(
        text(&out.stderr).contains("<stdin>:3:3: "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn cli_leaves_files_with_syntax_errors_untouched() {
    let dir = tempfile::tempdir().unwrap();
    // Trailing spaces and tabs a formatter would remove, if it touched it.
    let broken = format!("{BROKEN}\t\n  # trailing  \n");
    std::fs::write(dir.path().join("broken.sop"), &broken).unwrap();
    std::fs::write(dir.path().join("messy.sop"), MESSY).unwrap();
    let out = sop(dir.path(), &["."], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("broken.sop:3:3: `role` is not allowed here"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("Formatted 1 file, 0 already formatted, 1 file with errors left unchanged."),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("broken.sop")).unwrap(),
        broken.as_bytes()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("messy.sop")).unwrap(),
        TIDY
    );

    // Invalid bytes too.
    let bytes = b"sop T-3: Bad\npurpose:\n  caf\xE9\n".to_vec();
    std::fs::write(dir.path().join("latin1.sop"), &bytes).unwrap();
    let out = sop(dir.path(), &["latin1.sop"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("latin1.sop:3:6: invalid UTF-8 at byte offset 27"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(dir.path().join("latin1.sop")).unwrap(), bytes);
}

#[test]
fn cli_keep_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let crlf = MESSY.replace('\n', "\r\n");
    std::fs::write(dir.path().join("a.sop"), &crlf).unwrap();
    std::fs::write(dir.path().join("b.sop"), &crlf).unwrap();
    let out = sop(dir.path(), &["--keep-crlf", "a.sop"], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.sop")).unwrap(),
        TIDY.replace('\n', "\r\n")
    );
    let out = sop(dir.path(), &["b.sop"], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("b.sop")).unwrap(),
        TIDY
    );
    // A formatted CRLF file is already formatted under --keep-crlf.
    let out = sop(dir.path(), &["--check", "--keep-crlf", "a.sop"], None);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn cli_directories_honour_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("procs/nested")).unwrap();
    std::fs::create_dir_all(root.join("procs/build")).unwrap();
    std::fs::write(root.join("procs/.gitignore"), "build/\nskip.sop\n").unwrap();
    std::fs::write(root.join("procs/nested/a.sop"), MESSY).unwrap();
    std::fs::write(root.join("procs/skip.sop"), MESSY).unwrap();
    std::fs::write(root.join("procs/build/b.sop"), MESSY).unwrap();
    std::fs::write(root.join("procs/notes.txt"), MESSY).unwrap();
    let out = sop(root, &["procs"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(root.join("procs/nested/a.sop")).unwrap(),
        TIDY
    );
    for untouched in ["procs/skip.sop", "procs/build/b.sop", "procs/notes.txt"] {
        assert_eq!(
            std::fs::read_to_string(root.join(untouched)).unwrap(),
            MESSY,
            "{untouched}"
        );
    }
    // A file named explicitly is formatted even when ignored.
    let out = sop(root, &["procs/skip.sop"], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(root.join("procs/skip.sop")).unwrap(),
        TIDY
    );
}

#[test]
fn cli_missing_path_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("messy.sop"), MESSY).unwrap();
    let out = sop(dir.path(), &["messy.sop", "nope.sop"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("nope.sop: no such file or directory"));
    // Nothing was formatted.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("messy.sop")).unwrap(),
        MESSY
    );
}

#[test]
fn exclude_patterns_in_sop_yaml_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let messy = "sop X-1: Messy\n      purpose:   P.\nscope: S.\nsteps:\n step a: A\n";
    std::fs::create_dir_all(dir.path().join("archive")).unwrap();
    std::fs::write(dir.path().join("archive/old.sop"), messy).unwrap();
    std::fs::write(dir.path().join("sop.yaml"), "exclude:\n  - archive/\n").unwrap();
    for args in [&["fmt", "."][..], &["fmt", "archive/old.sop"][..]] {
        let out = crate::support::sop(args).current_dir(dir.path()).output();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("archive/old.sop")).unwrap(),
            messy,
            "{args:?} formatted an excluded file"
        );
    }
}
