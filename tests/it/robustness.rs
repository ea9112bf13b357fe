//! Robustness: no input makes the decoder, parser, validator or the human
//! renderer panic, and every diagnostic points at a real place in the text.
//!
//! Three families of inputs: arbitrary bytes, text built from the language's
//! own vocabulary (so the parser goes deep), and mutations of the real
//! examples and fixtures. Each input goes through
//! [`Source::from_bytes`] → [`sop::syntax::parse`] → [`check_source`] (with a
//! project index, so the cross-file rules run) → the human format (and the
//! other formats). `header_id` must agree with the full parse.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;

use sop::ast::Span;
use sop::check::CheckedFile;
use sop::check::{check_source, CheckOptions};
use sop::diagnostics::Diagnostic;
use sop::index::ProjectIndex;
use sop::report::{graphical_handler, render, FileReport, Format, Style};
use sop::source::Source;
use sop::syntax::{header_id, is_valid_id, parse};
use sop::values::Date;

const CASES: u32 = 512;

/// Bytes that print as an escaped byte string, so a failing case can be
/// pasted into a test.
#[derive(Clone)]
struct Bytes(Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

fn config() -> Config {
    Config {
        // `PROPTEST_CASES=20000 cargo test --test it robustness` for a long run.
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(CASES),
        // Keep the source tree clean: no proptest-regressions/ files. A
        // failure prints its minimal input; turn it into a plain #[test].
        failure_persistence: None,
        ..Config::default()
    }
}

fn options() -> &'static CheckOptions {
    static OPTIONS: OnceLock<CheckOptions> = OnceLock::new();
    OPTIONS.get_or_init(|| CheckOptions::new(Date::parse("2026-11-23").unwrap()))
}

/// A few SOP ids, so `unknown-sop` and `duplicate-sop-id` have something to
/// look at. `FUZZ-1` is declared twice.
fn project() -> &'static ProjectIndex {
    static INDEX: OnceLock<ProjectIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        ProjectIndex::from_entries(
            [
                ("CS-001", "a.sop"),
                ("CS-014", "b.sop"),
                ("X", "c.sop"),
                ("厨房-003", "d.sop"),
                ("FUZZ-1", "e.sop"),
                ("FUZZ-1", "f.sop"),
            ]
            .map(|(id, path)| (id.to_string(), PathBuf::from(path))),
        )
    })
}

const STYLE: Style = Style {
    color: false,
    width: 80,
};

fn check_span(source: &Source, span: Span, what: &str) -> Result<(), TestCaseError> {
    let text = &source.text;
    prop_assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside the text (len {})",
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} not on char boundaries of {:?}",
        text
    );
    let (line, column) = source.line_col(span.start);
    let (end_line, end_column) = source.line_col(span.end);
    prop_assert!(line >= 1 && column >= 1, "{what}: {line}:{column}");
    prop_assert!(
        (line, column) <= (end_line, end_column),
        "{what}: {line}:{column} after {end_line}:{end_column}"
    );
    let position = source.span_position(span);
    prop_assert_eq!((position.line, position.column), (line, column));
    Ok(())
}

fn check_diagnostic(source: &Source, d: &Diagnostic) -> Result<(), TestCaseError> {
    let what = format!("[{}] {}", d.code, d.message);
    prop_assert!(!d.message.is_empty(), "{what}: empty message");
    prop_assert!(
        sop::rules::rule(d.code).is_some(),
        "{what}: code not in RULES"
    );
    check_span(source, d.primary.span, &what)?;
    for label in &d.secondary {
        check_span(source, label.span, &format!("{what} / {}", label.message))?;
    }
    // Each report renders on its own, without miette failing on a span.
    let handler = graphical_handler(false, 80);
    let mut out = String::new();
    let result = handler.render_report(&mut out, &FileReport::new(d, source));
    prop_assert!(result.is_ok(), "{what}: miette failed: {result:?}");
    prop_assert!(
        out.contains(d.code),
        "{what}: report lacks the code:\n{out}"
    );
    Ok(())
}

/// Runs one input through every stage (see [`exercise_all`]).
fn exercise(bytes: &[u8]) -> Result<(), TestCaseError> {
    exercise_all(bytes)
}

/// Runs one input through every stage, checks the invariants, and renders
/// the diagnostics in every format.
fn exercise_all(bytes: &[u8]) -> Result<(), TestCaseError> {
    let source = Source::from_bytes("fuzz.sop", bytes);
    for issue in &source.encoding_issues {
        check_span(&source, issue.span, "encoding issue")?;
        prop_assert!(issue.byte_offset < bytes.len());
    }
    let doc = parse(&source);
    for error in &doc.errors {
        check_span(&source, error.span, &error.message)?;
        if let Some((span, label)) = &error.related {
            check_span(&source, *span, label)?;
        }
    }
    if let Some(header) = &doc.header {
        check_span(&source, header.span, "header")?;
        check_span(&source, header.id.span, "header id")?;
        check_span(&source, header.title.span, "header title")?;
    }
    drop(doc);

    let diagnostics = check_source(&source, options(), Some(project()));
    for d in &diagnostics {
        check_diagnostic(&source, d)?;
    }
    // Deterministic: the same input gives the same diagnostics.
    prop_assert_eq!(
        &check_source(&source, options(), Some(project())),
        &diagnostics
    );
    // The same file outside a project must not fail either.
    let alone = check_source(&source, options(), None);
    for d in &alone {
        check_diagnostic(&source, d)?;
    }

    let files = vec![CheckedFile {
        path: PathBuf::from("fuzz.sop"),
        source,
        diagnostics,
    }];
    let human = render(Format::Human, &files, STYLE);
    prop_assert!(human.ends_with(".\n"), "no summary line:\n{human}");
    let short = render(Format::Short, &files, STYLE);
    prop_assert_eq!(short.lines().count(), files[0].diagnostics.len() + 1);
    let json: serde_json::Value = match serde_json::from_str(&render(Format::Json, &files, STYLE)) {
        Ok(json) => json,
        Err(e) => return Err(TestCaseError::fail(format!("invalid JSON output: {e}"))),
    };
    prop_assert_eq!(
        json["diagnostics"].as_array().map(Vec::len),
        Some(files[0].diagnostics.len())
    );
    let sarif = render(Format::Sarif, &files, STYLE);
    prop_assert!(
        serde_json::from_str::<serde_json::Value>(&sarif).is_ok(),
        "invalid SARIF"
    );
    render(Format::Github, &files, STYLE);
    Ok(())
}

/// `header_id` (the quick project index) agrees with a full parse whenever
/// the parse finds a header with a valid id, and never finds one the parse
/// does not.
fn header_agrees(bytes: &[u8]) -> Result<(), TestCaseError> {
    let source = Source::from_bytes("fuzz.sop", bytes);
    let doc = parse(&source);
    let parsed = doc
        .header
        .as_ref()
        .map(|h| h.id.value)
        .filter(|id| is_valid_id(id));
    let quick = header_id(bytes);
    if parsed.is_some() || quick.is_some() {
        prop_assert_eq!(
            quick.as_deref(),
            parsed,
            "header_id disagrees with parse on {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// (a) arbitrary bytes

/// Bytes, biased toward the ones that matter: line breaks, CR, NUL, BOM,
/// invalid and truncated UTF-8, and ASCII.
fn interesting_bytes() -> impl Strategy<Value = Vec<u8>> {
    let chunk = prop_oneof![
        3 => any::<u8>().prop_map(|b| vec![b]),
        2 => proptest::collection::vec(0x20u8..0x7f, 1..12),
        1 => Just(b"\n".to_vec()),
        1 => Just(b"\r\n".to_vec()),
        1 => Just(b"\r".to_vec()),
        1 => Just(b"\0".to_vec()),
        1 => Just(b"\xEF\xBB\xBF".to_vec()),
        1 => Just(b"\xFF".to_vec()),
        1 => Just(b"\xC3".to_vec()),         // truncated 2-byte sequence
        1 => Just(b"\xE5\x8E".to_vec()),     // truncated 3-byte sequence
        1 => Just(b"\xF0\x9F\x98".to_vec()), // truncated 4-byte sequence
        1 => Just(b"\xED\xA0\x80".to_vec()), // surrogate
        1 => Just(b"\xC0\x80".to_vec()),     // overlong NUL
        1 => Just("目的：".as_bytes().to_vec()),
        1 => Just(b"sop X: T\n".to_vec()),
        1 => Just(b"steps:\n  step a: A\n".to_vec()),
    ];
    (
        any::<bool>(),
        proptest::collection::vec(chunk, 0..64),
        proptest::collection::vec(any::<u8>(), 0..16),
    )
        .prop_map(|(bom, chunks, tail)| {
            let mut out = Vec::new();
            if bom {
                out.extend_from_slice(b"\xEF\xBB\xBF");
            }
            for c in chunks {
                out.extend(c);
            }
            out.extend(tail);
            out
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512).prop_map(Bytes)) {
        exercise(&bytes.0)?;
        header_agrees(&bytes.0)?;
    }

    #[test]
    fn interesting_byte_soup(bytes in interesting_bytes().prop_map(Bytes)) {
        exercise(&bytes.0)?;
        header_agrees(&bytes.0)?;
    }
}

// ---------------------------------------------------------------------------
// (b) text from the language's vocabulary

const WORDS: &[&str] = &[
    "greet",
    "listen",
    "solve",
    "close",
    "end",
    "End",
    "next",
    "NEXT",
    "CS-001",
    "CS-014",
    "X",
    "a.b-c",
    "_x",
    "-x",
    "问候",
    "厨房-003",
    "王芳",
    "ügyfél",
    "Ügyintéző",
    "árvíztűrő",
    "e\u{301}",
    "two words",
    "[[CS-014]]",
    "[[NOPE-1]]",
    "[[FUZZ-1]]",
    "[[X]]",
    "[[]]",
    "[[bad id]]",
    "1.0",
    "V2.0.3",
    "1.x",
    "2026-11-23",
    "2026-02-30",
    "2027-01-15",
    "2024-06-27",
    "30s",
    "5 min",
    "PT30S",
    "1h 30m",
    "ASAP",
    "every 6 months",
    "every year",
    "2 weeks",
    "active",
    "draft",
    "retired",
    "en",
    "zh",
    "🙂",
    "\u{FEFF}",
    "\u{3000}",
    "\u{A0}",
    "\u{200B}",
    "\u{FFFD}",
    "\0",
    "\r",
    "\t",
    "**bold**",
    "`code`",
    "[link](https://x.y)",
    "[x](javascript:alert(1))",
    "<b>",
    "&amp;",
    "|a|b|",
    "- [ ]",
    "1.",
];

const KEYWORDS: &[&str] = &[
    "sop",
    "SOP",
    "step",
    "Step",
    "STEP",
    "stpe",
    "steps",
    "if",
    "If",
    "otherwise",
    "Otherwise",
    "else",
    "->",
    "=>",
    "- >",
    "-->",
    ":",
    "：",
    "\\",
    "#",
    "##",
    "-",
    "purpose",
    "Purpose",
    "scope",
    "roles",
    "definitions",
    "metrics",
    "notes",
    "references",
    "revisions",
    "version",
    "owner",
    "status",
    "effective",
    "review",
    "reveiw",
    "tags",
    "language",
    "x-team",
    "role",
    "within",
    "say",
    "ask",
    "tip",
    "Tip",
    "warning",
    "note",
    "purpose:",
    "scope:",
    "roles:",
    "steps:",
    "notes:",
    "references:",
    "revisions:",
    "metrics:",
    "definitions:",
    "目的：",
    "步骤：",
];

/// Whole lines in the shapes the grammar knows.
fn template_line() -> impl Strategy<Value = String> {
    let w = || proptest::sample::select(WORDS).prop_map(str::to_string);
    prop_oneof![
        (w(), w()).prop_map(|(a, b)| format!("sop {a}: {b}")),
        (w(), w()).prop_map(|(a, b)| format!("step {a}: {b}")),
        w().prop_map(|b| format!("step: {b}")),
        (w(), w()).prop_map(|(a, b)| format!("if {a} -> {b}")),
        (w(), w(), w()).prop_map(|(a, b, c)| format!("if {a} -> {b} -> {c}")),
        w().prop_map(|b| format!("otherwise -> {b}")),
        w().prop_map(|b| format!("else -> {b}")),
        w().prop_map(|b| format!("-> {b}")),
        (proptest::sample::select(KEYWORDS), w()).prop_map(|(k, v)| format!("{k}: {v}")),
        (proptest::sample::select(KEYWORDS), w()).prop_map(|(k, v)| format!("{k}：{v}")),
        (w(), w()).prop_map(|(a, b)| format!("- {a} {b}")),
        (w(), w(), w()).prop_map(|(v, d, a)| format!("{v}  {d}  {a}: {v}")),
        (w(), w()).prop_map(|(a, b)| format!("{a}: {b}")),
        w().prop_map(|b| format!("# {b}")),
        w().prop_map(|b| format!("\\{b}")),
    ]
}

/// Lines made of vocabulary tokens in any order.
fn token_line() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        proptest::sample::select(WORDS),
        proptest::sample::select(KEYWORDS),
        proptest::sample::select(&[" ", "", "\t", "  "][..]),
    ];
    proptest::collection::vec(token, 0..8).prop_map(|tokens| tokens.concat())
}

fn grammar_text() -> impl Strategy<Value = String> {
    let indent = proptest::sample::select(&["", "", "  ", "    ", "\t", " \t ", "      "][..]);
    let body = prop_oneof![3 => template_line(), 2 => token_line(), 1 => "\\PC{0,12}"];
    let end = proptest::sample::select(&["\n", "\n", "\n", "\r\n", "\r", "  \n", "\t\n", ""][..]);
    let line = (indent, body, end).prop_map(|(i, b, e)| format!("{i}{b}{e}"));
    (
        proptest::option::of(template_line()),
        proptest::collection::vec(line, 0..48),
    )
        .prop_map(|(first, lines)| {
            let mut text = String::new();
            if let Some(first) = first {
                text.push_str(&first);
                text.push('\n');
            }
            text.extend(lines);
            text
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn grammar_aware_text(text in grammar_text()) {
        exercise(text.as_bytes())?;
        header_agrees(text.as_bytes())?;
    }
}

// ---------------------------------------------------------------------------
// (c) mutations of the examples and fixtures

fn corpus() -> &'static [(PathBuf, Vec<u8>)] {
    static CORPUS: OnceLock<Vec<(PathBuf, Vec<u8>)>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut files = Vec::new();
        for dir in [
            "examples",
            "tests/fixtures/valid",
            "tests/fixtures/diagnostics",
            "tests/fixtures/diagnostics/project",
        ] {
            let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
                .unwrap_or_else(|e| panic!("{dir}: {e}"))
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "sop"))
                .collect();
            paths.sort();
            for p in paths {
                let bytes = std::fs::read(&p).unwrap();
                files.push((p, bytes));
            }
        }
        assert!(files.len() > 20, "corpus too small: {}", files.len());
        files
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    MoveLine(Index, Index),
    InsertBytes(Index, Vec<u8>),
    InsertText(Index, String),
    ReplaceByte(Index, u8),
    DeleteRange(Index, usize),
    Truncate(Index),
    Reindent(Index, &'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let text = prop_oneof![
        proptest::sample::select(WORDS).prop_map(str::to_string),
        proptest::sample::select(KEYWORDS).prop_map(str::to_string),
        template_line().prop_map(|l| format!("{l}\n")),
    ];
    prop_oneof![
        3 => any::<Index>().prop_map(Mutation::DeleteLine),
        2 => any::<Index>().prop_map(Mutation::DuplicateLine),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::MoveLine(a, b)),
        2 => (any::<Index>(), proptest::collection::vec(any::<u8>(), 1..6))
            .prop_map(|(a, b)| Mutation::InsertBytes(a, b)),
        3 => (any::<Index>(), text).prop_map(|(a, t)| Mutation::InsertText(a, t)),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(a, b)| Mutation::ReplaceByte(a, b)),
        1 => (any::<Index>(), 1usize..40).prop_map(|(a, n)| Mutation::DeleteRange(a, n)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => (any::<Index>(), proptest::sample::select(&["", " ", "\t", "        ", "\u{3000}"][..]))
            .prop_map(|(a, i)| Mutation::Reindent(a, i)),
    ]
}

/// Lines with their terminators, so joining them gives the bytes back.
fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let line_op = |bytes: &mut Vec<u8>, f: &dyn Fn(&mut Vec<Vec<u8>>)| {
        let mut lines = split_lines(bytes);
        if !lines.is_empty() {
            f(&mut lines);
            *bytes = lines.concat();
        }
    };
    // Byte offsets are in 0..=len, so insertions can go at the very end.
    let offset = |bytes: &Vec<u8>, i: &Index| i.index(bytes.len() + 1);
    match m {
        Mutation::DeleteLine(i) => line_op(bytes, &|l| {
            let i = i.index(l.len());
            l.remove(i);
        }),
        Mutation::DuplicateLine(i) => line_op(bytes, &|l| {
            let i = i.index(l.len());
            let copy = l[i].clone();
            l.insert(i, copy);
        }),
        Mutation::SwapLines(a, b) => line_op(bytes, &|l| {
            let (a, b) = (a.index(l.len()), b.index(l.len()));
            l.swap(a, b);
        }),
        Mutation::MoveLine(a, b) => line_op(bytes, &|l| {
            let line = l.remove(a.index(l.len()));
            let to = b.index(l.len() + 1);
            l.insert(to, line);
        }),
        Mutation::Reindent(i, indent) => line_op(bytes, &|l| {
            let i = i.index(l.len());
            let start = l[i]
                .iter()
                .position(|&b| b != b' ' && b != b'\t')
                .unwrap_or(l[i].len());
            let mut line = indent.as_bytes().to_vec();
            line.extend_from_slice(&l[i][start..]);
            l[i] = line;
        }),
        Mutation::InsertBytes(i, new) => {
            let at = offset(bytes, i);
            bytes.splice(at..at, new.iter().copied());
        }
        Mutation::InsertText(i, new) => {
            let at = offset(bytes, i);
            bytes.splice(at..at, new.bytes());
        }
        Mutation::ReplaceByte(i, b) => {
            if !bytes.is_empty() {
                let at = i.index(bytes.len());
                bytes[at] = *b;
            }
        }
        Mutation::DeleteRange(i, n) => {
            let at = offset(bytes, i);
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
        }
        // Any byte offset, including inside a multi-byte character.
        Mutation::Truncate(i) => {
            let at = offset(bytes, i);
            bytes.truncate(at);
        }
    }
}

fn mutated() -> impl Strategy<Value = (PathBuf, Bytes)> {
    (any::<Index>(), proptest::collection::vec(mutation(), 0..8)).prop_map(|(file, ms)| {
        let files = corpus();
        let (path, original) = &files[file.index(files.len())];
        let mut bytes = original.clone();
        for m in &ms {
            apply(&mut bytes, m);
        }
        (path.clone(), Bytes(bytes))
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_examples_and_fixtures((_path, bytes) in mutated()) {
        exercise(&bytes.0)?;
    }

    #[test]
    fn header_id_agrees_with_parse_on_mutations((_path, bytes) in mutated()) {
        header_agrees(&bytes.0)?;
    }
}

// ---------------------------------------------------------------------------
// Deterministic sweeps over the corpus.

/// Every real file, truncated at each byte offset of its first and last
/// bytes, at a stride elsewhere, and inside multi-byte characters spread
/// over the file.
#[test]
fn every_file_truncated() {
    for (path, bytes) in corpus() {
        let n = bytes.len();
        let mut cuts: Vec<usize> = (0..n.min(40)).collect();
        cuts.extend(n.saturating_sub(40)..=n);
        cuts.extend((0..n).step_by(251));
        // Inside multi-byte characters (before a continuation byte).
        let inside: Vec<usize> = (0..n).filter(|&i| bytes[i] & 0xC0 == 0x80).collect();
        cuts.extend(inside.iter().step_by(inside.len() / 16 + 1));
        cuts.sort_unstable();
        cuts.dedup();
        for cut in cuts {
            if let Err(e) = exercise(&bytes[..cut]) {
                panic!("{} truncated at {cut}: {e}", path.display());
            }
            if let Err(e) = header_agrees(&bytes[..cut]) {
                panic!("{} truncated at {cut}: {e}", path.display());
            }
        }
    }
}

/// Every real file with each of its lines deleted in turn.
#[test]
fn every_line_deleted() {
    for (path, bytes) in corpus() {
        let lines = split_lines(bytes);
        for i in 0..lines.len() {
            let mut rest = lines.clone();
            rest.remove(i);
            if let Err(e) = exercise(&rest.concat()) {
                panic!("{} without line {}: {e}", path.display(), i + 1);
            }
        }
    }
}

/// The corpus itself passes the invariants (a sanity check of the harness).
#[test]
fn corpus_files_pass() {
    let mut failures = String::new();
    for (path, bytes) in corpus() {
        if let Err(e) = exercise(bytes) {
            let _ = writeln!(failures, "{}: {e}", path.display());
        }
        if let Err(e) = header_agrees(bytes) {
            let _ = writeln!(failures, "{}: {e}", path.display());
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

// ---------------------------------------------------------------------------
// Regression tests for bugs the properties found: they state the correct
// behaviour and are ignored until the bug is fixed.

#[test]
fn bug1_multibyte_metadata_key_does_not_panic() {
    for input in [
        "\u{76EE}\u{7684}\u{FF1A}\n",                                   // 目的：
        "\u{20AC}x: 1\n",                                               // €x: 1
        "sop A: B\n\u{8D1F}\u{8D23}\u{4EBA}\u{FF1A}\u{738B}\u{82B3}\n", // 负责人：王芳 as metadata
    ] {
        if let Err(e) = exercise_all(input.as_bytes()) {
            panic!("{input:?}: {e}");
        }
    }
    if let Err(e) = exercise_all(b"\x80:") {
        panic!("b\"\\x80:\": {e}");
    }
}

#[test]
fn bug2_header_id_reads_past_invalid_utf8() {
    assert_eq!(header_id(b"# \xFF\nsop A: B\n").as_deref(), Some("A"));
    assert_eq!(header_id(b"sop A: B \xFF\n").as_deref(), Some("A"));
    for input in [&b"# \xFF\nsop A: B\n"[..], b"sop A: B \xFF\n"] {
        let source = Source::from_bytes("bug2.sop", input);
        let doc = parse(&source);
        assert_eq!(doc.header.map(|h| h.id.value), Some("A"));
    }
}

#[test]
fn bug3_header_id_agrees_on_unicode_whitespace_before_comment() {
    for input in [
        "\u{3000}# c\nsop A: B\n",
        "\u{A0}# c\nsop A: B\n",
        " \u{B}# c\nsop A: B\n",
    ] {
        let source = Source::from_text("bug3.sop", input);
        let doc = parse(&source);
        let parsed = doc.header.as_ref().map(|h| h.id.value.to_string());
        assert_eq!(header_id(input.as_bytes()), parsed, "{input:?}");
    }
}
