//! Random programs of numbers and booleans with branches, loops, calls,
//! recursion and calls into the register VM (`support/scalar_programs.rs`),
//! each compiled by every JIT and run under several step limits: the dynasm
//! JIT (natively), Cranelift, LLVM (with the `llvm` feature) and the ARM64
//! JIT (under qemu-user) must each give what the register VM gives, the
//! same result or the same `ILO-R` error, and none may hand the program back
//! to the VM (but ARM64, run under emulation with no VM to call, a program
//! calling `m`).

use ilo_runtime::engine::{Arg, Engine, Loaded};
use ilo_runtime::error::Limits;
use ilo_runtime::jit::{self, abi, emulate, Target};
use ilo_runtime::value::Value;
use proptest::prelude::*;

#[path = "support/scalar_programs.rs"]
mod scalar_programs;

/// What a run gave: the printed result, or the error's code and message.
type Outcome = Result<String, (String, String)>;

/// Step limits every case runs under: none, and ones that stop it at the
/// first entry, early, inside loops, and (often) not at all.
const STEP_LIMITS: [Option<u64>; 5] = [None, Some(1), Some(6), Some(60), Some(900)];

fn limits(max_steps: Option<u64>) -> Limits {
    Limits {
        max_steps,
        ..Limits::default()
    }
}

fn run(loaded: &Loaded, args: &[f64], engine: Engine, limits: Limits) -> Outcome {
    let args: Vec<Arg> = args.iter().map(|&x| Arg::Num(x)).collect();
    let mut fell_back = Vec::new();
    let out = loaded.run_noting("f", &args, engine, limits, &mut |n| fell_back.push(n.to_string()));
    // `--verbose` notes say what was compiled; a fallback says "not compiled".
    assert!(
        !fell_back.iter().any(|n| n.contains("not compiled")),
        "{engine:?} did not compile it: {fell_back:?}"
    );
    out.map(|o| o.printed).map_err(|e| (e.code.to_string(), e.message))
}

fn printed(v: Value) -> String {
    ilo_runtime::print::fmt_value(&ilo_runtime::heap::Heap::default(), v)
}

fn check(seed: u64) {
    let src = scalar_programs::program(seed);
    let loaded = ilo_suite::load(&src);
    let prog = loaded.reg().expect("the register VM compiles it");
    let root = prog.func_index("f").expect("f") as usize;
    // ARM64 code runs under emulation, with no register VM to call: a
    // program calling `m` stays on the VM there, and only such a program.
    let arm = match jit::compile_code(&prog.funcs, root, Target::Aarch64) {
        Ok(code) => Some(code),
        Err(e) => {
            assert!(src.contains("(m "), "the ARM64 JIT refuses it: {e}\n{src}");
            None
        }
    };
    let mut arm_runs = Vec::new();
    let mut want_arm = Vec::new();
    for args in scalar_programs::ARGS {
        for max_steps in STEP_LIMITS {
            let limits = limits(max_steps);
            let want = run(&loaded, args, Engine::Reg, limits);
            for engine in ilo_suite::native_jits() {
                let got = run(&loaded, args, engine, limits);
                assert_eq!(
                    got, want,
                    "{engine:?} on {args:?} with --max-steps {max_steps:?}:\n{src}"
                );
            }
            arm_runs.push(emulate::Run {
                steps_left: limits.max_steps.unwrap_or(u64::MAX),
                depth_left: limits.max_depth as u64,
                args: args.iter().map(|x| x.to_bits()).collect(),
            });
            want_arm.push((want, *args, max_steps, limits));
        }
    }
    let Some(arm) = arm else { return };
    let results = emulate::run_aarch64_runs(&arm, &arm_runs).unwrap_or_else(|e| panic!("{e}\n{src}"));
    for ((status, bits), (want, args, max_steps, limits)) in results.into_iter().zip(want_arm) {
        let got = abi::outcome(status, bits, &limits)
            .map(printed)
            .map_err(|e| (e.code.to_string(), e.message));
        assert_eq!(got, want, "ARM64 on {args:?} with --max-steps {max_steps:?}:\n{src}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_jit_agrees_with_the_register_vm_on_random_programs(seed in any::<u64>()) {
        check(seed);
    }
}

/// The generator makes what it promises: programs every JIT takes, with
/// loops, recursion, spilled registers and runs that hit each limit.
#[test]
fn the_random_programs_cover_what_the_jits_must_handle() {
    assert!(
        emulate::available(),
        "qemu-aarch64 and aarch64-linux-gnu-gcc are needed (.ci/apt-packages.txt)"
    );
    let (mut loops, mut spilled, mut depth, mut steps, mut bridged, mut failed) = (0, 0, 0, 0, 0, 0);
    for seed in 1..=80u64 {
        let src = scalar_programs::program(seed * 7919);
        let loaded = ilo_suite::load(&src);
        let prog = loaded.reg().expect("compiles");
        let f = &prog.funcs[prog.func_index("f").expect("f") as usize];
        loops += usize::from(src.contains("wh ") || src.contains('@'));
        bridged += usize::from(src.contains("(m "));
        spilled += usize::from(f.nregs > Target::X86_64.capacity());
        for max_steps in STEP_LIMITS {
            match loaded.run("f", &[Arg::Num(0.0), Arg::Num(-2.5)], Engine::Reg, limits(max_steps)) {
                Err(e) if e.code == ilo_runtime::codes::runtime::DEPTH => depth += 1,
                Err(e) if e.code == ilo_runtime::codes::runtime::STEPS => steps += 1,
                Err(_) => failed += 1,
                _ => {}
            }
        }
    }
    assert!(
        loops >= 20 && spilled >= 5 && depth >= 1 && steps >= 40 && bridged >= 5 && failed >= 1,
        "loops {loops}, spilled {spilled}, depth {depth}, steps {steps}, calls into the VM {bridged}, other errors {failed}"
    );
}
