//! Benchmarks of the flowchart layout and of whole HTML pages, on random
//! procedures of 500, 2,000 and 10,000 steps: every step a decision with
//! two options to random steps and an `otherwise` to the next one (the
//! shape of `scripts/gen-random-sop.py`), so loops are long and edges span
//! thousands of layers.
//!
//! - `layout/<n>`: the layered layout alone (what the HTML flowchart and
//!   the BPMN diagram use), on the graph of n steps.
//! - `html/<n>`: the whole page, from the parsed procedure; past 200 steps
//!   its flowchart is the overview.
//!
//! Run with `cargo bench --bench flowchart`.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use sop::model::Workflow;
use sop::render::flowchart::layout::{layout, EdgeSpec, NodeSpec, Size};
use sop::render::{RenderContext, Renderer};
use sop::source::Source;

const SIZES: [usize; 3] = [500, 2_000, 10_000];

/// A small deterministic generator (a linear congruential one).
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound
    }
}

/// The targets of every step's two random options.
fn targets(steps: usize) -> Vec<[usize; 2]> {
    let mut rng = Rng(0x5EED);
    (0..steps)
        .map(|_| [rng.below(steps), rng.below(steps)])
        .collect()
}

fn graph(steps: usize) -> (Vec<NodeSpec>, Vec<EdgeSpec>) {
    let node = NodeSpec {
        size: Size {
            width: 140.0,
            height: 36.0,
        },
        side_indent: 14.0,
        lane: 0,
    };
    let label = Some(Size {
        width: 48.0,
        height: 20.0,
    });
    let mut edges = Vec::with_capacity(3 * steps);
    for (i, pair) in targets(steps).into_iter().enumerate() {
        for to in pair {
            edges.push(EdgeSpec { from: i, to, label });
        }
        if i + 1 < steps {
            edges.push(EdgeSpec {
                from: i,
                to: i + 1,
                label,
            });
        }
    }
    (vec![node; steps], edges)
}

fn procedure(steps: usize) -> Workflow {
    let mut text = format!(
        "sop RND-{steps}: A random procedure\npurpose: p\nscope: s\nrevisions:\n  1.0  2026-11-01  A: Created\nsteps:\n"
    );
    for (i, [a, b]) in targets(steps).into_iter().enumerate() {
        let otherwise = if i + 1 == steps {
            "end".to_string()
        } else {
            format!("s{}", i + 1)
        };
        text.push_str(&format!(
            "  step s{i}: Step {i}\n    ask: Which way?\n    if first -> s{a}\n    if second -> s{b}\n    otherwise -> {otherwise}\n"
        ));
    }
    let source = Source::from_text("random.sop", &text);
    let doc = sop::syntax::parse(&source);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors.first());
    Workflow::from_document(&doc)
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("layout");
    group.sample_size(10);
    for steps in SIZES {
        let (nodes, edges) = graph(steps);
        group.bench_with_input(BenchmarkId::from_parameter(steps), &steps, |b, _| {
            b.iter(|| black_box(layout(black_box(&nodes), &edges, 0)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("html");
    group.sample_size(10);
    for steps in SIZES {
        let workflow = procedure(steps);
        group.bench_with_input(BenchmarkId::from_parameter(steps), &steps, |b, _| {
            b.iter(|| {
                black_box(sop::render::html::Html.render(&workflow, &RenderContext::default()))
            })
        });
    }
    group.finish();
}

criterion_group!(flowchart, benches);
criterion_main!(flowchart);
