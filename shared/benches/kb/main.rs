//! Index build, encode/decode and query latency of the KB matcher at 100
//! and 5,000 articles. Run with `cargo bench -p deflect-shared` (or
//! `cargo xtask bench matcher`, which also writes BENCHMARKS.md).

mod corpus;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use deflect_shared::kb::{BuildOptions, KbIndex, SearchOptions};
use std::hint::black_box;

fn build(c: &mut Criterion) {
    let mut group = c.benchmark_group("kb_build");
    group.sample_size(10);
    for n in [100, 5_000] {
        let articles = corpus::articles(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &articles, |b, a| {
            b.iter(|| KbIndex::build(black_box(a), &BuildOptions::default()).expect("the corpus is valid"))
        });
    }
    group.finish();
}

fn decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("kb_decode");
    for n in [100, 5_000] {
        let bytes = KbIndex::build(&corpus::articles(n), &BuildOptions::default()).expect("builds").encode();
        group.bench_with_input(BenchmarkId::from_parameter(n), &bytes, |b, bytes| {
            b.iter(|| KbIndex::decode(black_box(bytes)).expect("decodes"))
        });
    }
    group.finish();
}

fn query(c: &mut Criterion) {
    let mut group = c.benchmark_group("kb_query");
    for n in [100, 5_000] {
        let index = KbIndex::build(&corpus::articles(n), &BuildOptions::default()).expect("builds");
        let questions = corpus::questions(n, 200);
        // Each answer must be an article of the corpus, so the work is real.
        let first = index.search(&questions[0], SearchOptions::default());
        assert!(!first.hits.is_empty(), "the corpus questions find articles");
        let mut i = 0;
        group.bench_with_input(BenchmarkId::from_parameter(n), &questions, |b, qs| {
            b.iter(|| {
                i = (i + 1) % qs.len();
                index.search(black_box(&qs[i]), SearchOptions::default())
            })
        });
        // A keystroke: the last word unfinished.
        let typed: Vec<String> = questions.iter().map(|q| q[..q.len() - 3].to_string()).collect();
        group.bench_with_input(BenchmarkId::new("keystroke", n), &typed, |b, qs| {
            b.iter(|| {
                i = (i + 1) % qs.len();
                index.search(black_box(&qs[i]), SearchOptions { limit: 3, last_word_unfinished: true })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, build, decode, query);
criterion_main!(benches);
