//! Human-readable listings of compiled bytecode, for `--emit` and snapshots.

use super::compile::{RegFunc, RegProgram};
use crate::isa::{disasm_reg, disasm_stack, DisasmNames};
use crate::print::fmt_num;
use crate::stack::{StackFunc, StackProgram};
use crate::value::Value;

struct Names<'a> {
    consts: &'a [Value],
    funcs: Vec<&'a str>,
    texts: &'a [String],
}

impl DisasmNames for Names<'_> {
    fn constant(&self, i: usize) -> String {
        match self.consts.get(i) {
            Some(v) => match v.to_num() {
                Some(n) => format!("K{i}({})", fmt_num(n)),
                None => format!("K{i}({v:?})"),
            },
            None => format!("K{i}(?)"),
        }
    }

    fn text(&self, i: usize) -> String {
        self.texts
            .get(i)
            .map_or_else(|| format!("T{i}(?)"), |t| format!("{t:?}"))
    }

    fn function(&self, i: usize) -> String {
        self.funcs.get(i).map_or_else(|| format!("f{i}"), |n| n.to_string())
    }
}

fn header(name: &str, detail: String) -> String {
    format!("{name}: {detail}\n")
}

/// Every function's register bytecode, one instruction a line.
pub fn reg_listing(prog: &RegProgram) -> String {
    let funcs: Vec<&str> = prog.funcs.iter().map(|f| f.name.as_str()).collect();
    let mut out = String::new();
    for f in &prog.funcs {
        out += &reg_func_listing(f, funcs.clone(), &prog.texts);
    }
    out
}

fn reg_func_listing(f: &RegFunc, funcs: Vec<&str>, texts: &[String]) -> String {
    let names = Names {
        consts: &f.consts,
        funcs,
        texts,
    };
    let mut out = header(&f.name, format!("{} params, {} registers", f.nparams, f.nregs));
    for (pc, w) in f.code.iter().enumerate() {
        let next = f.code.get(pc + 1).copied();
        out += &format!("  {pc:>3}  {}\n", disasm_reg(pc, *w, next, &names));
    }
    out
}

/// Every function's stack bytecode, one instruction a line.
pub fn stack_listing(prog: &StackProgram) -> String {
    let funcs: Vec<&str> = prog.funcs.iter().map(|f| f.name.as_str()).collect();
    let mut out = String::new();
    for f in &prog.funcs {
        out += &stack_func_listing(f, funcs.clone(), &prog.texts);
    }
    out
}

fn stack_func_listing(f: &StackFunc, funcs: Vec<&str>, texts: &[String]) -> String {
    let names = Names {
        consts: &f.consts,
        funcs,
        texts,
    };
    let mut out = header(&f.name, format!("{} params, {} slots", f.nparams, f.nslots));
    for (pc, w) in f.code.iter().enumerate() {
        out += &format!("  {pc:>3}  {}\n", disasm_stack(*w, &names));
    }
    out
}
