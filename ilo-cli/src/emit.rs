//! `--emit`: the program as a syntax tree, bytecode or machine code, and
//! running AArch64 code under emulation on other machines.

use std::io::Write;

use ilo_runtime::engine::{Arg, Loaded};
use ilo_runtime::error::Limits;
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
        EmitForm::Llvm => loaded
            .reg()
            .map_err(|u| format!("the register VM cannot compile {u}"))
            .and_then(|prog| jit::llvm::program_ir(&prog.funcs)),
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

/// Every function's machine code for `target`, each once, or why it stays
/// on the VM.
fn asm_listing(loaded: &Loaded, target: Target) -> Result<String, String> {
    let prog = loaded
        .reg()
        .map_err(|u| format!("the register VM cannot compile {u}"))?;
    Ok(jit::disasm::program_listing(&prog.funcs, target))
}

/// `--target aarch64 --run-jit` on another machine: the AArch64 code runs
/// under user-mode emulation.
pub fn run_emulated(
    loaded: &Loaded,
    func: &str,
    args: &[Arg],
    limits: &Limits,
    out: &mut dyn Write,
    err: &mut dyn Write,
    reporter: &Reporter,
) -> i32 {
    let result = (|| -> Result<(u32, u64), String> {
        let prog = loaded
            .reg()
            .map_err(|u| format!("the register VM cannot compile {u}"))?;
        let index = prog.func_index(func).ok_or("no such function")?;
        let code = jit::compile_code(&prog.funcs, index as usize, Target::Aarch64)
            .map_err(|why| format!("`{func}` not compiled for aarch64: {why}"))?;
        // Scalar arguments: the heap stays empty.
        let mut heap = ilo_runtime::heap::Heap::default();
        let run = jit::emulate::Run {
            steps_left: limits.max_steps.unwrap_or(u64::MAX),
            depth_left: limits.max_depth as u64,
            args: args.iter().map(|a| a.to_value(&mut heap).bits()).collect(),
        };
        let mut results = jit::emulate::run_aarch64_runs(&code, &[run]).map_err(|e| e.to_string())?;
        results.pop().ok_or_else(|| "no result from the emulator".to_string())
    })();
    match result {
        Ok((status, bits)) => match jit::abi::outcome(status, bits, limits) {
            Ok(v) => {
                let heap = ilo_runtime::heap::Heap::default();
                let _ = writeln!(out, "{}", ilo_runtime::print::fmt_value(&heap, v));
                EXIT_OK
            }
            Err(e) => {
                reporter.runtime_error(&e, err);
                EXIT_FAIL
            }
        },
        Err(msg) => {
            let _ = writeln!(err, "ilo: {msg}");
            EXIT_FAIL
        }
    }
}
