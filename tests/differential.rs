//! Every example on every engine, compared with the tree interpreter (the
//! reference semantics). Any difference — in the printed result or in the
//! run-time error code — fails the test: a difference is a bug in one of the
//! engines, never a reason to skip a case.
//!
//! Each engine also runs every example a second time with the collector in
//! stress mode (a collection at every safe point, no slot reused), where a
//! value freed while still reachable would read as missing: that run must
//! agree too. And every run must end with its heap empty once the result
//! is printed and the roots dropped — the heap's own accounting of objects
//! and bytes, which a leak or a miscount would leave above zero.
//!
//! An engine that cannot compile a program yet runs it on a slower engine;
//! that is counted, not compared, and the counts are held to a floor that
//! only ever rises (`MIN_COMPILED`) as the engines grow.

use ilo_runtime::engine::{Arg, Engine, Loaded, Outcome};
use ilo_runtime::error::{Limits, RtError};
use ilo_suite::examples::{self, Example};

/// Engines compared with the tree interpreter: the VMs and every native
/// JIT this ilo was built with (LLVM with the `llvm` feature).
fn engines() -> Vec<Engine> {
    let mut all = vec![Engine::Stack, Engine::Reg];
    all.extend(ilo_suite::native_jits());
    all
}

/// How many example runs each engine must run itself, at least. Raise these
/// when an engine learns more of the language; never lower them.
const MIN_COMPILED: [(Engine, usize); 5] = [
    (Engine::Stack, 260),
    (Engine::Reg, 260),
    (Engine::Jit, 260),
    (Engine::Cranelift, 260),
    (Engine::Llvm, 260),
];

/// What a run gave: the printed result, or the run-time error's code.
fn result_of(r: Result<Outcome, RtError>) -> (Result<String, &'static str>, Option<Engine>) {
    match r {
        Ok(o) => (Ok(o.printed), Some(o.engine)),
        Err(e) => (Err(e.code), None),
    }
}

/// A description of what a finished run left on its heap, if anything.
fn leftover(r: &Result<Outcome, RtError>) -> Option<String> {
    let h = r.as_ref().ok()?.heap;
    (h.live != 0 || h.bytes != 0).then(|| format!("{} objects, {} bytes left", h.live, h.bytes))
}

/// Whether `requested` really ran the function. The JIT hands functions it
/// does not take (not numeric) to the register VM by design, so for the JIT
/// "ran" means a compiled engine ran it, not the tree interpreter.
fn ran_itself(requested: Engine, loaded: &Loaded, engine: Option<Engine>) -> bool {
    match (requested, engine) {
        (Engine::Jit | Engine::Cranelift | Engine::Llvm, Some(e)) => e != Engine::Tree,
        (_, Some(e)) => e == requested,
        // It failed at run time: it ran if it compiled.
        (Engine::Stack, None) => loaded.stack().is_ok(),
        (Engine::Reg | Engine::Jit | Engine::Cranelift | Engine::Llvm, None) => loaded.reg().is_ok(),
        (Engine::Tree, None) => true,
    }
}

struct Tally {
    compiled: Vec<(Engine, usize)>,
    total_runs: usize,
    failures: Vec<String>,
}

fn compare_example(ex: &Example, limits: Limits, tally: &mut Tally) {
    let Ok(program) = ex.program() else {
        // The tree test reports examples that do not check.
        return;
    };
    let loaded = Loaded::new(program);
    for run in &ex.runs {
        let Ok(args) = run.typed_args(&loaded.program) else {
            continue;
        };
        tally.total_runs += 1;
        let where_ = format!("{}:{} `{} {}`", ex.name(), run.line, run.func, run.args.join(" "));
        let reference = loaded.run(&run.func, &args, Engine::Tree, limits);
        if let Some(left) = leftover(&reference) {
            tally
                .failures
                .push(format!("{where_}: the tree interpreter's heap: {left}"));
        }
        let (want, _) = result_of(reference);
        let stress = Limits {
            gc_stress: true,
            ..limits
        };
        for engine in [Engine::Tree, Engine::Stack, Engine::Reg] {
            let (got, _) = result_of(loaded.run(&run.func, &args, engine, stress));
            if got != want {
                tally.failures.push(format!(
                    "{where_}: {} with the collector in stress mode gave {got:?}, the tree interpreter {want:?}",
                    engine.name()
                ));
            }
        }
        // The JITs that compiled the function rather than handing it on.
        let mut native = Vec::new();
        for engine in engines() {
            let outcome = loaded.run(&run.func, &args, engine, limits);
            if matches!(&outcome, Ok(o) if o.engine == engine && o.compiled.is_some()) {
                native.push(engine);
            }
            if let Some(left) = leftover(&outcome) {
                tally
                    .failures
                    .push(format!("{where_}: {}'s heap: {left}", engine.name()));
            }
            let (got, ran) = result_of(outcome);
            if !ran_itself(engine, &loaded, ran) {
                continue;
            }
            if let Some(slot) = tally.compiled.iter_mut().find(|(e, _)| *e == engine) {
                slot.1 += 1;
            }
            if got != want {
                tally.failures.push(format!(
                    "{}:{} `{} {}`: {} gave {got:?}, the tree interpreter {want:?}",
                    ex.name(),
                    run.line,
                    run.func,
                    run.args.join(" "),
                    engine.name()
                ));
            }
        }
        // Every native JIT takes what the dynasm JIT takes.
        for engine in ilo_suite::native_jits() {
            if native.contains(&Engine::Jit) && !native.contains(&engine) {
                tally.failures.push(format!(
                    "{where_}: the {} did not compile what the dynasm JIT compiled",
                    engine.name()
                ));
            }
        }
    }
}

#[test]
fn every_example_agrees_on_every_engine() {
    let mut tally = Tally {
        compiled: engines().iter().map(|e| (*e, 0)).collect(),
        total_runs: 0,
        failures: Vec::new(),
    };
    let corpus = examples::load_dir(&examples::examples_dir()).expect("examples load");
    let errors = examples::load_dir(&examples::errors_dir()).unwrap_or_default();
    for ex in corpus.iter().chain(errors.iter()) {
        compare_example(ex, ex.limits(), &mut tally);
    }
    for (engine, n) in &tally.compiled {
        println!("{:<16} ran {n:>3} of {} runs itself", engine.name(), tally.total_runs);
    }
    assert!(
        tally.failures.is_empty(),
        "engines disagree:\n{}",
        tally.failures.join("\n")
    );
    for (engine, n) in &tally.compiled {
        let floor = MIN_COMPILED.iter().find(|(e, _)| e == engine).map_or(0, |(_, f)| *f);
        assert!(
            *n >= floor,
            "{} ran only {n} runs itself; the floor is {floor}",
            engine.name()
        );
    }
}

/// The seed subset runs on every engine itself, with no fallback.
#[test]
fn the_seed_function_runs_on_every_engine_itself() {
    let loaded = ilo_suite::load("tot p:n q:n r:n>n;s=*p q;t=*s r;+s t");
    let args = [Arg::Num(10.0), Arg::Num(20.0), Arg::Num(30.0)];
    for engine in Engine::ALL {
        let out = loaded.run("tot", &args, engine, Limits::default()).expect("runs");
        assert_eq!(
            (out.printed.as_str(), out.engine),
            ("6200", engine),
            "{engine:?}: {:?}",
            out.fallbacks
        );
    }
}
