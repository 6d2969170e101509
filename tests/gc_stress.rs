//! The collector never frees a value the program can still reach, and an
//! update in place never shows through an older binding: random programs
//! that build, alias, grow and nest lists, texts, maps and records (inside
//! loops, across calls and through higher-order builtins' callbacks) run on
//! the tree interpreter as the reference, then on every engine with the
//! collector in stress mode — a collection at every safe point and no slot
//! ever reused, so a wrongly freed value reads as missing — and with a
//! small heap limit that forces ordinary collections. Every run must print
//! the reference's result and end with nothing left on its heap.

use ilo_runtime::engine::{Engine, Outcome};
use ilo_runtime::error::{Limits, RtError};
use proptest::prelude::*;

#[path = "support/random_programs.rs"]
mod random_programs;
use random_programs::program;

fn key(r: &Result<Outcome, RtError>) -> Result<String, &'static str> {
    match r {
        Ok(o) => Ok(o.printed.clone()),
        Err(e) => Err(e.code),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn collections_never_free_what_a_program_reaches(src in program()) {
        let loaded = ilo_suite::load(&src);
        let limits = Limits { max_steps: Some(20_000), ..Limits::default() };
        // The reference may stop at the step limit; the others must stop
        // with the same error then.
        let want = key(&loaded.run("f", &[], Engine::Tree, limits));
        let stress = Limits { gc_stress: true, ..limits };
        // A small limit collects often without stress mode's no-reuse rule,
        // so reused slots are exercised too; it stays far above what these
        // programs keep alive.
        let tight = Limits { max_memory: 64 << 20, ..limits };
        for engine in [Engine::Tree, Engine::Stack, Engine::Reg] {
            for (mode, l) in [("stress", stress), ("tight", tight)] {
                let r = loaded.run("f", &[], engine, l);
                prop_assert_eq!(&key(&r), &want, "{} ({}) differs on\n{}", engine.name(), mode, src);
                let h = r.map(|o| o.heap).unwrap_or_default();
                prop_assert_eq!((h.live, h.bytes), (0, 0), "{} ({}) left objects on\n{}", engine.name(), mode, src);
            }
        }
    }
}
