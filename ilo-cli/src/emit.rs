//! `--emit`: the program as a syntax tree, bytecode or machine code, and
//! running AArch64 code under emulation on other machines.

use std::io::Write;

use ilo_runtime::engine::{Arg, Loaded};
use ilo_runtime::jit::{self, Target};
use ilo_runtime::reg::listing::{reg_listing, stack_listing};

use crate::args::EmitForm;
use crate::report::Reporter;
use crate::{EXIT_FAIL, EXIT_OK};

pub fn emit(
    loaded: &Loaded,
    form: EmitForm,
    target: Option<Target>,
    max_steps: Option<u64>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let text = match form {
        EmitForm::Python => {
            ilo_runtime::python::transpile_with(&loaded.program, ilo_runtime::python::Options { max_steps })
                .map_err(|e| format!("cannot translate to Python: {e}"))
        }
        EmitForm::Ast => Ok(format!("{:#?}\n", loaded.program)),
        EmitForm::Stack => loaded
            .stack()
            .map(stack_listing)
            .map_err(|u| format!("the stack VM cannot compile {u}")),
        EmitForm::Bytecode => loaded
            .reg()
            .map(reg_listing)
            .map_err(|u| format!("the register VM cannot compile {u}")),
        EmitForm::Asm => match target.or_else(Target::host) {
            Some(t) => asm_listing(loaded, t),
            None => Err("no JIT backend for this machine; pass --target x86_64 or aarch64".into()),
        },
    };
    match text {
        Ok(t) => {
            let _ = write!(out, "{t}");
            EXIT_OK
        }
        Err(msg) => {
            let _ = writeln!(err, "ilo: {msg}");
            EXIT_FAIL
        }
    }
}

/// Every function's machine code for `target`, each once (calls show the
/// callee's offset in the same listing), or why it stays on the VM.
fn asm_listing(loaded: &Loaded, target: Target) -> Result<String, String> {
    let prog = loaded
        .reg()
        .map_err(|u| format!("the register VM cannot compile {u}"))?;
    let (code, ranges) = jit::compile_program(&prog.funcs, target);
    let mut out = String::new();
    for (f, range) in prog.funcs.iter().zip(ranges) {
        match range {
            Ok(r) => {
                out += &format!("{}: {} bytes at {:#x}, {}\n", f.name, r.len(), r.start, target.name());
                out += &jit::disasm::disassemble_at(&code[r.clone()], target, r.start);
            }
            Err(why) => out += &format!("{}: not compiled for {}: {why}\n", f.name, target.name()),
        }
    }
    Ok(out)
}

/// `--target aarch64 --run-jit` on another machine: the AArch64 code runs
/// under user-mode emulation.
pub fn run_emulated(
    loaded: &Loaded,
    func: &str,
    args: &[Arg],
    out: &mut dyn Write,
    err: &mut dyn Write,
    _reporter: &Reporter,
) -> i32 {
    let result = (|| -> Result<f64, String> {
        let prog = loaded
            .reg()
            .map_err(|u| format!("the register VM cannot compile {u}"))?;
        let index = prog.func_index(func).ok_or("no such function")?;
        let code = jit::compile_code(&prog.funcs, index as usize, Target::Aarch64)
            .map_err(|why| format!("`{func}` not compiled for aarch64: {why}"))?;
        let nums: Vec<f64> = args
            .iter()
            .map(Arg::as_num)
            .collect::<Option<_>>()
            .ok_or("a non-number argument")?;
        jit::emulate::run_aarch64(&code, &nums).map_err(|e| e.to_string())
    })();
    match result {
        Ok(v) => {
            let _ = writeln!(out, "{}", ilo_runtime::print::fmt_num(v));
            EXIT_OK
        }
        Err(msg) => {
            let _ = writeln!(err, "ilo: {msg}");
            EXIT_FAIL
        }
    }
}
