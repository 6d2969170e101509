//! Memory follows what a program keeps alive, measured by the heap's own
//! accounting (`HeapStats`), on every engine: append and text loops hold
//! memory proportional to what they keep (a list) or flat (a text remade
//! each step), a reused register VM stays flat across many calls, and
//! passing `--max-memory` is the `ILO-R013` error, never an abort.

use ilo_runtime::codes::runtime;
use ilo_runtime::engine::{Arg, Engine, Loaded};
use ilo_runtime::error::Limits;
use ilo_runtime::heap::MIN_GC_BYTES;
use ilo_runtime::reg::RegVm;

const ENGINES: [Engine; 3] = [Engine::Tree, Engine::Stack, Engine::Reg];

fn peak(loaded: &Loaded, engine: Engine, n: f64) -> usize {
    let out = loaded
        .run("f", &[Arg::Num(n)], engine, Limits::default())
        .unwrap_or_else(|e| panic!("{}: {e}", engine.name()));
    assert_eq!(out.engine, engine, "{:?}", out.fallbacks);
    out.heap.peak_bytes
}

/// On every engine, `src` at `n` items peaks at no more than `per_item`
/// bytes an item, and 4x the items take at most `growth` x the memory:
/// proportional, where a copy per step would be quadratic.
fn holds_in_proportion(src: &str, n: usize, per_item: usize, growth: usize) {
    let loaded = ilo_suite::load(src);
    for engine in ENGINES {
        let (small, large) = (peak(&loaded, engine, n as f64 / 4.0), peak(&loaded, engine, n as f64));
        assert!(
            large <= per_item * n,
            "{} on {src}: {large} bytes at n={n}",
            engine.name()
        );
        assert!(
            large <= growth * small,
            "{} on {src}: {small} -> {large} bytes for 4x the items",
            engine.name()
        );
    }
}

#[test]
fn an_append_loop_holds_memory_in_proportion_to_its_list() {
    // The list's own storage is 8 bytes an element (16 while its buffer
    // doubles), plus garbage views until the next collection. Copying on
    // every append (the old arena) held ~n²/2 words: 160 GB here.
    holds_in_proportion("f n:n>n;r=[];@i 0..n{r=+=r i};len r", 200_000, 40, 5);
}

#[test]
fn loops_that_drop_their_texts_run_in_flat_memory() {
    // Each source with the bytes its result legitimately keeps at n=100000.
    let sources = [
        ("f n:n>n;i=0;wh <i n{t=+\"abc\" (str i);i=+i 1};i", 0),
        ("f n:n>n;@i 0..n{t=str i};n", 0),
        // The string workload: one text of ~1.4 MB grows (its buffer may
        // be up to twice that while it doubles); the pieces are dropped.
        (
            "f n:n>n;s=\"\";i=0;wh <i n{s=+s \"item-\";v=str i;s=+s v;s=+s \", \";i=+i 1};len s",
            3 * 1_500_000,
        ),
    ];
    for (src, kept) in sources {
        let loaded = ilo_suite::load(src);
        for engine in ENGINES {
            let (small, large) = (peak(&loaded, engine, 2_000.0), peak(&loaded, engine, 100_000.0));
            assert!(
                large <= 3 * MIN_GC_BYTES + kept,
                "{} on {src}: {large} bytes at n=100000 ({small} at n=2000)",
                engine.name()
            );
        }
    }
}

#[test]
fn a_reused_register_vm_stays_flat_across_100000_calls() {
    let loaded = ilo_suite::load("f n:n>n;s=\"\";i=0;wh <i n{s=+s \"item-\";v=str i;s=+s v;s=+s \", \";i=+i 1};len s");
    let prog = loaded.reg().expect("compiles");
    let f = prog.func_index("f").expect("f");
    let mut vm = RegVm::new(Limits::default());
    let mut after_warmup = 0;
    for call in 0..100_000 {
        let v = vm.call(prog, f, &[ilo_runtime::value::Value::num(10.0)]).expect("runs");
        assert_eq!(v.to_num(), Some(80.0));
        if call == 999 {
            after_warmup = vm.heap.stats().peak_bytes;
        }
    }
    let stats = vm.heap.stats();
    assert!(stats.collections > 10, "{stats:?}");
    assert!(
        stats.peak_bytes <= after_warmup.max(MIN_GC_BYTES) * 2,
        "peak {} after 100000 calls, {after_warmup} after 1000",
        stats.peak_bytes
    );
    assert!(stats.live < 10_000, "{stats:?}");
}

#[test]
fn passing_the_memory_limit_is_ilo_r013_on_every_engine() {
    let loaded = ilo_suite::load("f>n;s=\"ab\";@i 0..60{s=+s s};len s");
    let limits = Limits {
        max_memory: 16 << 20,
        ..Limits::default()
    };
    for engine in Engine::ALL {
        let r = loaded.run("f", &[], engine, limits);
        assert_eq!(
            r.map(|o| o.printed).map_err(|e| e.code),
            Err(runtime::MEMORY),
            "{}",
            engine.name()
        );
    }
    // Lists too, and growth that is not doubling.
    let lists = ilo_suite::load("f>n;r=[];@i 0..100000000{r=+=r i};len r");
    for engine in ENGINES {
        let r = lists.run("f", &[], engine, limits);
        assert_eq!(
            r.map(|o| o.printed).map_err(|e| e.code),
            Err(runtime::MEMORY),
            "{}",
            engine.name()
        );
    }
    // Under the limit, the same programs run.
    let fine = ilo_suite::load("f>n;s=\"ab\";@i 0..20{s=+s s};len s");
    for engine in Engine::ALL {
        let r = fine.run("f", &[], engine, limits).map(|o| o.printed);
        assert_eq!(r.map_err(|e| e.code), Ok("2097152".to_string()), "{}", engine.name());
    }
}

#[test]
fn a_map_building_loop_holds_memory_in_proportion_to_its_map() {
    // `mset` shares the old map's structure: a copy per step (the old
    // behaviour) would have held ~n²/2 entries, 12 GB at n=20000.
    holds_in_proportion(
        "f n:n>n;m=mmap;@i 0..n{m=mset m (str i) [i]};len (mkeys m)",
        20_000,
        400,
        6,
    );
}
