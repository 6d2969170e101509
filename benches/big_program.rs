//! Criterion: a generated 1 MB program (`tests/support/big_programs.rs`: one
//! function of ~40,000 statements binding thousands of locals) from source
//! to result on every engine: lex, parse, verify, compile, run. Every pass
//! must be linear in the function's size for this to stay well under a
//! second.
//!
//! `cargo bench --bench big_program` (reports land in target/criterion). The
//! program is also written to `target/big_program.ilo`, so the CLI can be
//! timed on it: `ilo --run-vm target/big_program.ilo big 7`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use ilo_runtime::engine::{Arg, Engine, Loaded};
use ilo_runtime::error::Limits;
use ilo_suite::big_programs;

const BYTES: usize = 1_000_000;

/// Source to printed result, as `ilo --run-…` does it.
fn run(src: &str, engine: Engine) -> String {
    let program = ilo_runtime::front::check(src).expect("the generated program checks");
    let loaded = Loaded::new(program);
    match loaded.run("big", &[Arg::Num(7.0)], engine, Limits::default()) {
        Ok(o) => o.printed,
        Err(e) => panic!("{engine:?}: {}", e.code),
    }
}

fn big_program(c: &mut Criterion) {
    let src = big_programs::program(big_programs::units_for_bytes(BYTES), 1);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/target/big_program.ilo");
    if let Err(e) = std::fs::write(path, &src) {
        eprintln!("could not write {path}: {e}");
    }
    let expected = run(&src, Engine::Tree);
    let mut group = c.benchmark_group(format!("big_program_{}kB", src.len() / 1000));
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    group.bench_function("front_end", |b| {
        b.iter(|| ilo_runtime::front::check(black_box(&src)).expect("checks"))
    });
    for engine in Engine::ALL {
        assert_eq!(
            run(&src, engine),
            expected,
            "{engine:?} disagrees with the tree interpreter"
        );
        group.bench_function(engine.name(), |b| b.iter(|| run(black_box(&src), engine)));
    }
    group.finish();
}

criterion_group!(benches, big_program);
criterion_main!(benches);
