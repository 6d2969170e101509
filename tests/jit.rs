//! The JITs against the register VM: native x86-64 code runs here; ARM64
//! code, assembled here, runs under qemu-user. Every result must match the
//! register VM's bit for bit (NaN sign aside, which the hardware picks).

use ilo_runtime::engine::{Arg, Engine};
use ilo_runtime::error::Limits;
use ilo_runtime::jit::{self, native::JitFunc, Target};
use ilo_runtime::reg::RegVm;
use ilo_runtime::value::Value;
use ilo_suite::{load, native_jits, same_number, NUMERIC_PROGRAMS};

fn vm_result(src: &str, func: &str, args: &[f64]) -> f64 {
    let loaded = load(src);
    let prog = loaded.reg().expect("register VM compiles it");
    let index = prog.func_index(func).expect("function exists");
    let vals: Vec<Value> = args.iter().map(|n| Value::num(*n)).collect();
    let v = RegVm::new(Limits::default()).call(prog, index, &vals).expect("runs");
    v.to_num().expect("a number")
}

#[test]
fn native_jit_matches_the_register_vm() {
    for (func, src, arg_sets) in NUMERIC_PROGRAMS {
        let loaded = load(src);
        let prog = loaded.reg().expect("compiles");
        let root = prog.func_index(func).expect("exists") as usize;
        let jit = JitFunc::compile(&prog.funcs, root).unwrap_or_else(|e| panic!("{func} not compiled: {e}"));
        for args in *arg_sets {
            let want = vm_result(src, func, args);
            let got = jit.call(args).expect("arity");
            assert!(same_number(got, want), "{func}{args:?}: JIT {got:?} vs VM {want:?}");
        }
    }
}

#[test]
fn cranelift_jit_matches_the_register_vm() {
    for (func, src, arg_sets) in NUMERIC_PROGRAMS {
        let loaded = load(src);
        let prog = loaded.reg().expect("compiles");
        let root = prog.func_index(func).expect("exists") as usize;
        let jit = jit::cranelift::compile(&prog.funcs, root)
            .unwrap_or_else(|e| panic!("{func} not compiled by Cranelift: {e}"));
        for args in *arg_sets {
            let want = vm_result(src, func, args);
            let got = jit.call(args).expect("arity");
            assert!(
                same_number(got, want),
                "{func}{args:?}: Cranelift {got:?} vs VM {want:?}"
            );
        }
    }
}

#[test]
fn llvm_jit_matches_the_register_vm() {
    if !jit::llvm::BUILT {
        // Built without LLVM: it refuses, saying how to build with it.
        let err = jit::llvm::compile(&load("f x:n>n;x").reg().expect("compiles").funcs, 0).expect_err("no LLVM");
        assert!(err.to_string().contains("--features llvm"), "{err}");
        return;
    }
    for (func, src, arg_sets) in NUMERIC_PROGRAMS {
        let loaded = load(src);
        let prog = loaded.reg().expect("compiles");
        let root = prog.func_index(func).expect("exists") as usize;
        let jit = jit::llvm::compile(&prog.funcs, root).unwrap_or_else(|e| panic!("{func} not compiled by LLVM: {e}"));
        for args in *arg_sets {
            let want = vm_result(src, func, args);
            let got = jit.call(args).expect("arity");
            assert!(same_number(got, want), "{func}{args:?}: LLVM {got:?} vs VM {want:?}");
        }
    }
}

#[test]
fn aarch64_jit_matches_the_register_vm_under_emulation() {
    assert!(
        jit::emulate::available(),
        "qemu-aarch64 and aarch64-linux-gnu-gcc are needed: run .ci/run (it installs .ci/apt-packages.txt)"
    );
    let mut checked = 0;
    for (func, src, arg_sets) in NUMERIC_PROGRAMS {
        let loaded = load(src);
        let prog = loaded.reg().expect("compiles");
        let root = prog.func_index(func).expect("exists") as usize;
        let code = jit::compile_code(&prog.funcs, root, Target::Aarch64).unwrap_or_else(|e| panic!("{func}: {e}"));
        for args in *arg_sets {
            let want = vm_result(src, func, args);
            let got = jit::emulate::run_aarch64(&code, args).unwrap_or_else(|e| panic!("{func}{args:?}: {e}"));
            assert!(same_number(got, want), "{func}{args:?}: ARM64 {got:?} vs VM {want:?}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} ARM64 runs");
}

#[test]
fn a_callee_the_jit_cannot_take_runs_on_the_register_vm_through_a_trampoline() {
    // `show` calls a builtin (CALLB has no lowering) but takes and returns
    // numbers: `sq2` is compiled and calls it on the register VM.
    let loaded = load("show x:n>n;s=str x;len s\nsq2 x:n>n;a=show x;*a a");
    for engine in native_jits() {
        let out = loaded
            .run("sq2", &[Arg::Num(12345.0)], engine, Limits::default())
            .expect("runs");
        assert_eq!(
            (out.printed.as_str(), out.engine),
            ("25", engine),
            "{:?}",
            out.fallbacks
        );
        // Its steps count against the run's limit, its errors are its own.
        let steps = Limits {
            max_steps: Some(1),
            ..Limits::default()
        };
        let err = loaded.run("sq2", &[Arg::Num(1.0)], engine, steps).expect_err("2 steps");
        assert_eq!(err.code, ilo_runtime::codes::runtime::STEPS);
    }
    let failing = load("m x:n>n;mod 7 x\nf x:n>n;a=m x;+a 1");
    let mut engines = vec![Engine::Reg];
    engines.extend(native_jits());
    for engine in engines {
        let err = failing
            .run("f", &[Arg::Num(0.0)], engine, Limits::default())
            .expect_err("mod 7 0");
        assert_eq!(err.code, ilo_runtime::codes::runtime::MOD_ZERO, "{engine:?}");
    }
    // A function of compiled calls is compiled by every backend.
    let calls = load("sq x:n>n;*x x\nsq2 x:n>n;a=sq x;sq a");
    for engine in native_jits() {
        let out = calls
            .run("sq2", &[Arg::Num(3.0)], engine, Limits::default())
            .expect("runs");
        assert_eq!((out.printed.as_str(), out.engine), ("81", engine));
    }
    // A callee returning a text cannot be bridged: its caller stays on the VM.
    let loaded = load("show x:n>t;str x\nf x:n>n;s=show x;3");
    for engine in native_jits() {
        let out = loaded
            .run("f", &[Arg::Num(3.0)], engine, Limits::default())
            .expect("runs");
        assert_eq!((out.printed.as_str(), out.engine), ("3", Engine::Reg));
        assert!(
            out.fallbacks.iter().any(|f| f.contains("calls `show`")),
            "{:?}",
            out.fallbacks
        );
    }
}

#[test]
fn recursion_runs_natively_and_stops_at_the_depth_limit() {
    // A call cycle compiles; the depth counter in native code stops it with
    // the register VM's error.
    let loaded = load("f x:n>n;g x\ng x:n>n;f x");
    let prog = loaded.reg().expect("compiles");
    for target in [Target::X86_64, Target::Aarch64] {
        jit::compile_code(&prog.funcs, 0, target).unwrap_or_else(|e| panic!("{target:?}: {e}"));
    }
    jit::cranelift::compile(&prog.funcs, 0).expect("Cranelift compiles it");
    if jit::llvm::BUILT {
        jit::llvm::compile(&prog.funcs, 0).expect("LLVM compiles it");
    }
    let vm = loaded
        .run("f", &[Arg::Num(1.0)], Engine::Reg, Limits::default())
        .expect_err("runs away");
    for engine in native_jits() {
        let mut notes = Vec::new();
        let err = loaded
            .run_noting("f", &[Arg::Num(1.0)], engine, Limits::default(), &mut |n| {
                notes.push(n.to_string())
            })
            .expect_err("runs away");
        assert_eq!((err.code, &err.message), (vm.code, &vm.message), "{engine:?}");
        assert_eq!(err.code, ilo_runtime::codes::runtime::DEPTH);
        assert!(
            !notes.iter().any(|n| n.contains("not compiled")),
            "{engine:?} fell back: {notes:?}"
        );
    }
}

#[test]
fn a_recursion_inlined_into_itself_stops_where_its_calls_would() {
    // `fib`'s calls of itself are its body three levels deep (ENTERI …
    // LEAVEI): every engine, compiled or not, must reach the same depth
    // and step limits at the same point as the tree interpreter's real
    // calls, and give the same result when it does not.
    let loaded = load("fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b");
    let prog = loaded.reg().expect("compiles");
    let fib = &prog.funcs[prog.func_index("fib").expect("fib") as usize];
    let enters = fib
        .code
        .iter()
        .filter(|w| (**w & 0xff) as u8 == ilo_runtime::isa::rop::ENTERI)
        .count();
    assert!(enters >= 2, "fib is not inlined into itself:\n{fib:?}");
    same_limits_everywhere(&loaded, "fib", &[Arg::Num(12.0)]);
}

#[test]
fn a_guard_run_in_place_of_a_call_stops_where_the_call_would() {
    // A call's callee opening with a guard that returns a parameter or a
    // constant tests it in place (reg/inline.rs): an `ENTERL` counts the
    // call when it holds. Guards returning the first parameter (fib, above),
    // another one, and a constant; and a function that is not inlined (it
    // calls a leaf).
    let cases = [
        (
            "sm n:n acc:n>n;<=n 0 acc;sm -n 1 +acc n",
            "sm",
            vec![Arg::Num(9.0), Arg::Num(0.5)],
        ),
        ("dn n:n>n;<n 1 7;a=dn -n 1;b=dn -n 3;+a b", "dn", vec![Arg::Num(11.0)]),
        (
            "dbl x:n>n;*x 2\nbig n:n>n;<n 1 7;a=dbl n;+a 3\ngo n:n>n;a=big n;b=big -n 1;c=big -n 2;+a +b c",
            "go",
            vec![Arg::Num(1.0)],
        ),
    ];
    for (src, func, args) in cases {
        let loaded = load(src);
        let prog = loaded.reg().expect("compiles");
        let f = &prog.funcs[prog.func_index(func).expect("function") as usize];
        let guarded = f
            .code
            .iter()
            .any(|w| (*w & 0xff) as u8 == ilo_runtime::isa::rop::ENTERL);
        assert!(guarded, "no call of {func} has its guard in place:\n{f:?}");
        same_limits_everywhere(&loaded, func, &args);
    }
}

/// `func` on `args` under 13 depth limits and 9 step limits: every engine
/// gives the tree interpreter's result or error, and both limits are hit.
fn same_limits_everywhere(loaded: &ilo_runtime::engine::Loaded, func: &str, args: &[Arg]) {
    let outcome = |engine, max_depth, max_steps| {
        let limits = Limits {
            max_depth,
            max_steps,
            ..Limits::default()
        };
        match loaded.run(func, args, engine, limits) {
            Ok(out) => Ok(out.printed),
            Err(e) => Err((e.code, e.message)),
        }
    };
    let mut stopped = [0, 0];
    for max_depth in 1..=13 {
        for max_steps in [
            None,
            Some(1),
            Some(2),
            Some(3),
            Some(7),
            Some(50),
            Some(232),
            Some(233),
            Some(464),
        ] {
            let want = outcome(Engine::Tree, max_depth, max_steps);
            match &want {
                Err((code, _)) if *code == ilo_runtime::codes::runtime::DEPTH => stopped[0] += 1,
                Err(_) => stopped[1] += 1,
                Ok(_) => {}
            }
            for engine in Engine::ALL {
                assert_eq!(
                    outcome(engine, max_depth, max_steps),
                    want,
                    "{func}: {engine:?}, max depth {max_depth}, max steps {max_steps:?}"
                );
            }
        }
    }
    // Both limits were reached, not only a result compared.
    assert!(stopped[0] > 0 && stopped[1] > 0, "{func}: {stopped:?}");
}

#[test]
fn non_numeric_functions_are_not_compiled() {
    let loaded = load("id x:t>t;x");
    let prog = loaded.reg().expect("compiles");
    let err = jit::compile_code(&prog.funcs, 0, Target::X86_64).expect_err("text is not scalar");
    assert_eq!(err, jit::Unsupported::NotNumeric);
}

/// Every example (and run-time error example) whose function the ARM64 JIT
/// takes, run under qemu-user: the register VM's output or error, with the
/// example's limits.
#[test]
fn every_example_the_aarch64_jit_takes_agrees_with_the_register_vm() {
    use ilo_suite::examples;
    assert!(
        jit::emulate::available(),
        "qemu-aarch64 and aarch64-linux-gnu-gcc are needed"
    );
    let mut all = examples::all().expect("examples load");
    all.extend(examples::all_errors().expect("error examples load"));
    let mut checked = 0;
    for ex in &all {
        let Ok(program) = ex.program() else { continue };
        let loaded = ilo_runtime::engine::Loaded::new(program);
        let Ok(prog) = loaded.reg() else { continue };
        let limits = ex.limits();
        for run in &ex.runs {
            let Some(root) = prog.func_index(&run.func) else {
                continue;
            };
            let Ok(code) = jit::compile_code(&prog.funcs, root as usize, Target::Aarch64) else {
                continue;
            };
            let Ok(args) = run.typed_args(&loaded.program) else {
                continue;
            };
            let mut heap = ilo_runtime::heap::Heap::default();
            let emu_run = jit::emulate::Run {
                steps_left: limits.max_steps.unwrap_or(u64::MAX),
                depth_left: limits.max_depth as u64,
                args: args.iter().map(|a| a.to_value(&mut heap).bits()).collect(),
            };
            let (status, bits) = jit::emulate::run_aarch64_runs(&code, &[emu_run]).expect("runs")[0];
            let got = jit::abi::outcome(status, bits, &limits)
                .map(|v| ilo_runtime::print::fmt_value(&heap, v))
                .map_err(|e| e.code);
            let want = loaded
                .run(&run.func, &args, Engine::Reg, limits)
                .map(|o| o.printed)
                .map_err(|e| e.code);
            assert_eq!(got, want, "{}:{} `{}`", ex.name(), run.line, run.func);
            checked += 1;
        }
    }
    eprintln!("{checked} example runs compiled for ARM64");
    assert!(checked >= 10, "only {checked} example runs compiled for ARM64");
}
