//! Fuzzes the whole front end (lexer, parser, verifier) and, for programs
//! that check, runs the first function on the tree interpreter, the stack VM
//! and the register VM, and asserts that every VM that really ran agrees
//! with the tree interpreter (same printed result, or same error code).
//!
//! See `fuzz/README.md` for how to run it on the stable toolchain.

#![no_main]

use ilo_runtime::engine::{Arg, Engine, Loaded, Outcome};
use ilo_runtime::error::{Limits, RtError};
use ilo_runtime::front::ast::Type;
use libfuzzer_sys::fuzz_target;

/// Builtins (and their long aliases) whose result is not a function of the
/// program, or which touch the file system: `wr`/`wrl` (`write…`) would
/// scatter files, `rd`/`rdl` (`read…`) could read `/dev/zero`, `now`
/// (`time`) and `rnd` (`rand`, `random`) differ between engines by nature.
/// A source containing any of these substrings is only checked, not run.
/// (Substrings, not names: a false positive only skips a run.)
const UNRUNNABLE: &[&str] = &["wr", "rd", "read", "now", "time", "rnd", "rand"];

fn arg_for(ty: &Type) -> Arg {
    match ty {
        Type::Num => Arg::Num(1.0),
        Type::Text => Arg::Text("ab".into()),
        Type::Bool => Arg::Bool(true),
        Type::List(_) => Arg::List(vec![Arg::Num(1.0), Arg::Num(2.0)]),
        _ => Arg::Num(1.0),
    }
}

/// What a run is compared by: the printed result, or the error code only
/// (messages may legitimately differ in wording between engines).
fn key(r: &Result<Outcome, RtError>) -> Result<&str, &'static str> {
    match r {
        Ok(o) => Ok(o.printed.as_str()),
        Err(e) => Err(e.code),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(program) = ilo_runtime::front::check(src) else {
        return;
    };
    if UNRUNNABLE.iter().any(|w| src.contains(w)) {
        return;
    }
    let Some(func) = program.funcs().next() else {
        return;
    };
    let name = func.name.name.clone();
    let args: Vec<Arg> = func.params.iter().map(|p| arg_for(&p.ty)).collect();
    let limits = Limits {
        max_steps: Some(10_000),
        max_depth: 200,
        ..Limits::default()
    };
    let loaded = Loaded::new(program);
    let tree = loaded.run(&name, &args, Engine::Tree, limits);
    for engine in [Engine::Reg, Engine::Stack] {
        let vm = loaded.run(&name, &args, engine, limits);
        // A VM that could not compile the function falls back to the tree
        // interpreter; only a run that really happened on the VM counts.
        // (An error carries no engine: the fallback is decided before the
        // run, so compile success tells whether the VM ran.)
        let vm_ran = match &vm {
            Ok(o) => o.engine == engine,
            Err(_) => match engine {
                Engine::Reg => loaded.reg().is_ok(),
                Engine::Stack => loaded.stack().is_ok(),
                _ => false,
            },
        };
        let tree_ran = match &tree {
            Ok(o) => o.engine == Engine::Tree,
            Err(_) => true,
        };
        if vm_ran && tree_ran {
            assert_eq!(
                key(&tree),
                key(&vm),
                "tree interpreter and {} disagree on `{name}`\ntree: {tree:?}\nvm:   {vm:?}",
                engine.name()
            );
        }
    }
});
