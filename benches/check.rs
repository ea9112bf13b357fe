//! Benchmarks of the front end, single-threaded: parsing, and parsing plus
//! validation, over an in-memory corpus. Throughput is reported in bytes.
//!
//! Two corpora:
//! - `examples`: the bundled example SOPs (English, Chinese, Hungarian);
//! - `generated`: synthetic SOPs shaped like those of a large repository
//!   (5 to 24 steps, decisions with loops, scripts, tips, references to
//!   other SOPs), made by a small deterministic generator below.
//!
//! Run with `cargo bench --bench check`; `scripts/bench-corpus.sh` times the
//! whole command line over thousands of files instead.

use std::path::PathBuf;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use sop::check::{check_source, CheckOptions};
use sop::index::ProjectIndex;
use sop::source::Source;
use sop::values::Date;

/// How many synthetic SOPs the `generated` corpus holds.
const GENERATED_FILES: usize = 300;

fn examples() -> Vec<Source> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/ exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sop"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("readable example");
            Source::from_bytes(p, &bytes)
        })
        .collect()
}

fn generated() -> Vec<Source> {
    let mut rng = Rng(0x5EED_0F50_B5B5);
    (0..GENERATED_FILES)
        .map(|i| {
            let (id, text) = synthetic_sop(&mut rng, i, GENERATED_FILES);
            Source::from_text(format!("{id}.sop"), &text)
        })
        .collect()
}

fn index(sources: &[Source]) -> ProjectIndex {
    ProjectIndex::from_entries(sources.iter().filter_map(|source| {
        let id = sop::syntax::header_id(source.text.as_bytes())?;
        Some((id, source.path.clone()))
    }))
}

fn bench_corpus(c: &mut Criterion, name: &str, sources: &[Source]) {
    let bytes: usize = sources.iter().map(|s| s.text.len()).sum();
    let options = CheckOptions::new(Date::parse("2026-11-23").expect("a valid date"));
    let project = index(sources);
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("parse", |b| {
        b.iter(|| {
            for source in sources {
                black_box(sop::syntax::parse(black_box(source)));
            }
        })
    });
    group.bench_function("parse+validate", |b| {
        b.iter(|| {
            for source in sources {
                black_box(check_source(black_box(source), &options, Some(&project)));
            }
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let examples = examples();
    bench_corpus(c, "examples", &examples);
    let generated = generated();
    // The generator writes valid SOPs; a diagnostic here means it drifted
    // from the language, and the numbers would measure error paths.
    let options = CheckOptions::new(Date::parse("2026-11-23").expect("a valid date"));
    let project = index(&generated);
    for source in &generated {
        let errors: Vec<_> = check_source(source, &options, Some(&project))
            .into_iter()
            .filter(|d| d.severity == sop::diagnostics::Severity::Error)
            .map(|d| d.message)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", source.path.display());
    }
    bench_corpus(c, "generated", &generated);
}

/// A 40,000-step procedure shaped by `shape(i)`, which writes the branch
/// lines of step `i`; every step has a time limit.
fn long_procedure(steps: usize, shape: impl Fn(usize) -> String) -> String {
    let mut text = String::from(
        "sop BENCH-1: A long procedure\npurpose: p\nscope: s\nrevisions:\n  1.0  2026-11-01  A: Created\nsteps:\n",
    );
    for i in 0..steps {
        text.push_str(&format!(
            "  step s{i}: Step {i}\n    within: {} min\n{}",
            1 + i % 7,
            shape(i)
        ));
    }
    text
}

/// Writes the branch lines of step `i`.
type Shape = Box<dyn Fn(usize) -> String>;

/// The worst-case analysis alone (flow graph to longest path) on 40,000
/// steps: decisions that each skip a step (2^n paths, no loop), retry
/// loops of four steps, and one loop through every step (the search's
/// budget, then the linear fallback).
fn bench_analysis(c: &mut Criterion) {
    const STEPS: usize = 40_000;
    let last = STEPS - 1;
    let shapes: [(&str, Shape); 3] = [
        (
            "decisions",
            Box::new(move |i| match i {
                _ if i == last => "    -> end\n".into(),
                _ if i + 2 > last => "    -> next\n".into(),
                _ => format!("    if quick -> s{}\n    otherwise -> next\n", i + 2),
            }),
        ),
        (
            "retry-loops",
            Box::new(move |i| match i {
                _ if i == last => "    -> end\n".into(),
                _ if i % 4 == 3 => format!("    if failed -> s{}\n    otherwise -> next\n", i - 3),
                _ => String::new(),
            }),
        ),
        (
            "one-big-loop",
            Box::new(move |i| match i {
                _ if i == last => "    if again -> s0\n    otherwise -> end\n".into(),
                _ if i + 2 > last => "    -> next\n".into(),
                _ => format!("    if quick -> s{}\n    otherwise -> next\n", i + 2),
            }),
        ),
    ];
    let mut group = c.benchmark_group("analysis");
    group.sample_size(20);
    for (name, shape) in shapes {
        let text = long_procedure(STEPS, shape);
        let source = Source::from_text("long.sop", &text);
        let doc = sop::syntax::parse(&source);
        assert!(doc.errors.is_empty(), "{name}: {:?}", doc.errors.first());
        let flow = sop::flow::Flow::build(&doc);
        let within: Vec<_> = doc.steps().iter().map(|s| s.within()).collect();
        let found = sop::analysis::worst_path(&flow, &within).expect("a way to the end");
        assert_eq!(found.path.first(), Some(&0), "{name}");
        group.bench_function(name, |b| {
            b.iter(|| black_box(sop::analysis::worst_path(black_box(&flow), &within)))
        });
    }
    group.finish();
}

criterion_group!(check, benches, bench_analysis);
criterion_main!(check);

// A small generator of realistic SOPs, after the shape of
// shared/tools/gen_corpus.py (kept here so the benchmark needs nothing else).

/// xorshift64*: deterministic and good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `low..=high`.
    fn range(&mut self, low: usize, high: usize) -> usize {
        low + (self.next() % (high - low + 1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.range(0, items.len() - 1)]
    }
}

const WORDS_EN: &[&str] = &[
    "customer",
    "agent",
    "ticket",
    "order",
    "refund",
    "priority",
    "channel",
    "escalate",
    "verify",
    "record",
    "policy",
    "response",
    "feedback",
    "satisfaction",
    "callback",
    "identity",
    "warehouse",
    "delivery",
    "invoice",
    "account",
    "password",
    "device",
    "network",
    "report",
    "supervisor",
    "quality",
    "follow-up",
    "resolution",
    "complaint",
    "inquiry",
];
const WORDS_ZH: &[&str] = &[
    "客户",
    "订单",
    "退款",
    "优先级",
    "渠道",
    "升级",
    "核实",
    "记录",
    "政策",
    "响应",
    "反馈",
    "满意度",
    "回访",
    "身份",
    "物流",
    "发票",
    "账户",
    "投诉",
];
const DEPARTMENTS: &[&str] = &[
    "SUPPORT",
    "BILLING",
    "LOGISTICS",
    "SECURITY",
    "IT",
    "QUALITY",
];
const ROLES: &[(&str, &str)] = &[
    ("agent", "Customer service agent"),
    ("lead", "Shift supervisor"),
    ("tech", "Technical support engineer"),
    ("qa", "Quality analyst"),
];
const LIMITS: &[Option<&str>] = &[
    Some("30s"),
    Some("5 min"),
    Some("1 hour"),
    Some("4 hours"),
    Some("24 hours"),
    None,
];

fn sentence(rng: &mut Rng, zh: bool, words: usize) -> String {
    if zh {
        let mut s: String = (0..words / 2 + 2).map(|_| *rng.pick(WORDS_ZH)).collect();
        s.push('。');
        return s;
    }
    let mut s = (0..words)
        .map(|_| *rng.pick(WORDS_EN))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(first) = s.get(..1) {
        s = first.to_uppercase() + &s[1..];
    }
    s.push('.');
    s
}

fn title(rng: &mut Rng, zh: bool, words: usize) -> String {
    let s = sentence(rng, zh, words);
    s.trim_end_matches(['.', '。']).to_string()
}

fn sop_id(index: usize) -> String {
    format!("{}-{index:05}", DEPARTMENTS[index % DEPARTMENTS.len()])
}

/// One synthetic SOP: valid, with every step reachable and able to finish.
fn synthetic_sop(rng: &mut Rng, index: usize, total: usize) -> (String, String) {
    use std::fmt::Write;

    let zh = index % 5 == 0;
    let id = sop_id(index);
    let steps = rng.range(5, 24);
    let roles = &ROLES[..rng.range(2, 4)];
    let mut out = String::with_capacity(4096);
    let revisions = rng.range(1, 5);
    let _ = writeln!(out, "sop {id}: {}", title(rng, zh, 5));
    let _ = writeln!(out, "version: 1.{}", revisions - 1);
    out.push_str("owner: Operations\nstatus: active\nreview: every 36 months\n");
    out.push_str("tags: generated, benchmark\n");
    if zh {
        out.push_str("language: zh\n");
    }
    out.push_str("\npurpose:\n");
    for _ in 0..3 {
        let n = rng.range(6, 16);
        let _ = writeln!(out, "  {}", sentence(rng, zh, n));
    }
    out.push_str("\nscope:\n");
    for _ in 0..2 {
        let n = rng.range(6, 16);
        let _ = writeln!(out, "  {}", sentence(rng, zh, n));
    }
    out.push_str("\nroles:\n");
    for (role, description) in roles {
        let _ = writeln!(out, "  {role}: {description}");
    }
    out.push_str("\nsteps:\n");
    // Every role is used at least once: the first steps take them in turn.
    for step in 0..steps {
        let _ = writeln!(out, "  step s{}: {}", step + 1, title(rng, zh, 4));
        let role = if step < roles.len() {
            roles[step].0
        } else {
            rng.pick(roles).0
        };
        let _ = writeln!(out, "    role: {role}");
        if let Some(limit) = rng.pick(LIMITS) {
            let _ = writeln!(out, "    within: {limit}");
        }
        for _ in 0..rng.range(1, 4) {
            let n = rng.range(6, 16);
            let _ = writeln!(out, "    {}", sentence(rng, zh, n));
        }
        if rng.chance(40) {
            let n = rng.range(6, 16);
            let _ = writeln!(out, "    say: {}", sentence(rng, zh, n));
        }
        if rng.chance(20) {
            let n = rng.range(6, 16);
            let _ = writeln!(out, "    tip: {}", sentence(rng, zh, n));
        }
        // A decision jumps forward or back to an earlier step; the earlier
        // step still falls through forward, so every step can finish.
        if step > 0 && step + 2 < steps && rng.chance(25) {
            let forward = rng.range(step + 2, steps);
            let back = rng.range(1, step);
            let _ = writeln!(out, "    ask: {}?", title(rng, zh, 5));
            let _ = writeln!(out, "    if yes -> s{forward}");
            let _ = writeln!(out, "    if no -> s{back}");
            out.push_str("    otherwise -> next\n");
        }
        out.push('\n');
    }
    out.push_str("references:\n");
    let _ = writeln!(out, "  - DOC-{} {}", rng.range(1, 99), sentence(rng, zh, 3));
    if total > 1 {
        let other = (index + rng.range(1, total - 1)) % total;
        let _ = writeln!(out, "  - [[{}]]", sop_id(other));
    }
    out.push_str("\nrevisions:\n");
    let (mut year, mut month) = (2021 + rng.range(0, 3), rng.range(1, 12));
    for version in 0..revisions {
        let day = rng.range(1, 28);
        let _ = writeln!(
            out,
            "  1.{version}  {year}-{month:02}-{day:02}  Peter Wu: {}",
            sentence(rng, zh, 4)
        );
        month += rng.range(1, 6);
        if month > 12 {
            year += 1;
            month -= 12;
        }
    }
    (id, out)
}
