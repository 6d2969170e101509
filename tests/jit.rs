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
fn a_function_the_jit_cannot_take_falls_back_to_the_register_vm() {
    // `show` calls a builtin (CALLB has no lowering), so neither it nor its
    // caller is compiled and the register VM runs them.
    let loaded = load("show x:n>n;str x;x\nsq2 x:n>n;a=show x;*a a");
    for engine in native_jits() {
        let out = loaded
            .run("sq2", &[Arg::Num(3.0)], engine, Limits::default())
            .expect("runs");
        assert_eq!((out.printed.as_str(), out.engine), ("9", Engine::Reg));
        assert!(
            out.fallbacks
                .iter()
                .any(|f| f.contains("calls `show`") && f.contains("CALLB")),
            "{:?}",
            out.fallbacks
        );
    }
    // ...while a function of numeric calls is compiled.
    let loaded = load("sq x:n>n;*x x\nsq2 x:n>n;a=sq x;sq a");
    for engine in native_jits() {
        let out = loaded
            .run("sq2", &[Arg::Num(3.0)], engine, Limits::default())
            .expect("runs");
        assert_eq!((out.printed.as_str(), out.engine), ("81", engine));
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
        assert_eq!(err.code, ilo_runtime::error::code::DEPTH);
        assert!(notes.is_empty(), "{engine:?} fell back: {notes:?}");
    }
}

#[test]
fn non_numeric_functions_are_not_compiled() {
    let loaded = load("id x:t>t;x");
    let prog = loaded.reg().expect("compiles");
    let err = jit::compile_code(&prog.funcs, 0, Target::X86_64).expect_err("text is not scalar");
    assert_eq!(err, jit::Unsupported::NotNumeric);
}
