//! Layer 5: JIT compilation of register bytecode to native code.
//!
//! The JIT takes numeric functions (every parameter and the result `n`), as
//! in the original design: VM registers map one-to-one onto float registers,
//! arguments arrive in the first eight of them by the platform's calling
//! convention, exactly where the VM keeps its parameters, and each bytecode
//! instruction becomes the few machine instructions of its table template.
//! A function the JIT cannot take runs on the register VM instead.

mod abi;
pub mod cranelift;
pub mod disasm;
pub mod emulate;
pub mod limits;
pub mod native;

use dynasmrt::relocations::Relocation;
use dynasmrt::{DynamicLabel, DynasmApi, DynasmLabelApi, VecAssembler};

use crate::isa::{decode_reg, rop, RegOp};
use crate::reg::RegFunc;
use crate::value::Value;

// dynasm's expansion converts register numbers to their own type and
// evaluates operands for effect; clippy flags that in the generated code.
#[allow(clippy::useless_conversion, clippy::unnecessary_operation, clippy::no_effect)]
mod x86_64 {
    use super::abi::x86_64 as abi;
    use super::{LowerCx, Unsupported};
    use crate::isa::{rop, RegOp};
    include!(concat!(env!("OUT_DIR"), "/jit_x86_64.rs"));
}

// dynasm's expansion converts register numbers to their own type and
// evaluates operands for effect; clippy flags that in the generated code.
#[allow(clippy::useless_conversion, clippy::unnecessary_operation, clippy::no_effect)]
mod aarch64 {
    use super::abi::aarch64 as abi;
    use super::{LowerCx, Unsupported};
    use crate::isa::{rop, RegOp};
    include!(concat!(env!("OUT_DIR"), "/jit_aarch64.rs"));
}

/// A native code target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    X86_64,
    Aarch64,
}

impl Target {
    /// The machine this process runs on, if the JIT has a backend for it.
    pub fn host() -> Option<Target> {
        if cfg!(target_arch = "x86_64") {
            Some(Target::X86_64)
        } else if cfg!(target_arch = "aarch64") {
            Some(Target::Aarch64)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Target::X86_64 => "x86_64",
            Target::Aarch64 => "aarch64",
        }
    }

    pub fn parse(s: &str) -> Option<Target> {
        match s {
            "x86_64" | "x86-64" | "x64" => Some(Target::X86_64),
            "aarch64" | "arm64" => Some(Target::Aarch64),
            _ => None,
        }
    }

    /// The float register that holds VM register `r`. x86-64: xmm0-xmm14
    /// (xmm15 is the templates' scratch; every xmm is caller-saved in the
    /// System V ABI). AArch64: d0-d7 then d16-d30, the caller-saved ones
    /// (d8-d15 are callee-saved; d31 is the scratch).
    pub fn float_reg(self, r: usize) -> Option<u8> {
        match self {
            Target::X86_64 => (r < 15).then_some(r as u8),
            Target::Aarch64 => match r {
                0..=7 => Some(r as u8),
                8..=22 => Some(r as u8 + 8),
                _ => None,
            },
        }
    }
}

/// Why a function was not compiled; the register VM runs it instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unsupported {
    /// The opcode has no lowering for the target in isa/register.toml.
    Opcode(u8),
    /// A parameter or the result is not a number.
    NotNumeric,
    /// More VM registers than the target has float registers for.
    TooManyRegisters(usize),
    /// More parameters than arrive in registers.
    TooManyParams(usize),
    /// A constant that is not a number.
    NonNumberConstant,
    /// The machine lacks an instruction-set extension the templates use.
    MissingCpuFeature(&'static str),
    /// dynasm could not finish the code.
    Assembler(String),
    /// It calls itself, directly or not: the JIT has no depth limit, so the
    /// register VM (which has) runs it.
    Recursive(String),
    /// It calls a function that the JIT cannot take (named, and why).
    Callee(String, Box<Unsupported>),
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unsupported::Opcode(op) => {
                let name = RegOp::from_u8(*op).map_or("an unknown opcode", RegOp::name);
                write!(f, "{name} has no lowering for this target")
            }
            Unsupported::NotNumeric => write!(f, "it takes or returns something other than numbers"),
            Unsupported::TooManyRegisters(n) => write!(f, "it needs {n} registers"),
            Unsupported::TooManyParams(n) => write!(f, "it has {n} parameters (at most 8 arrive in registers)"),
            Unsupported::NonNumberConstant => write!(f, "it uses a constant that is not a number"),
            Unsupported::MissingCpuFeature(feat) => write!(f, "this CPU lacks {feat}"),
            Unsupported::Assembler(e) => write!(f, "the assembler failed: {e}"),
            Unsupported::Recursive(name) => write!(f, "it reaches a recursive call of `{name}`"),
            Unsupported::Callee(name, why) => write!(f, "it calls `{name}`, which the JIT cannot take: {why}"),
        }
    }
}

/// What a generated lowering asks about the function being compiled.
pub(crate) struct LowerCx<'f> {
    target: Target,
    consts: &'f [Value],
    /// VM registers of the function: what a call saves.
    nregs: usize,
    /// The program's functions, and the entry label of each one in the unit.
    funcs: &'f [RegFunc],
    labels: &'f [Option<DynamicLabel>],
}

impl LowerCx<'_> {
    pub(crate) fn func_label(&self, i: usize) -> Result<DynamicLabel, Unsupported> {
        self.labels
            .get(i)
            .copied()
            .flatten()
            .ok_or(Unsupported::Opcode(rop::CALL))
    }

    /// How many arguments function `i` takes.
    pub(crate) fn nparams(&self, i: usize) -> Result<usize, Unsupported> {
        self.funcs
            .get(i)
            .map(|f| f.nparams)
            .ok_or(Unsupported::Opcode(rop::CALL))
    }

    pub(crate) fn float_reg(&self, r: usize) -> Result<u8, Unsupported> {
        self.target.float_reg(r).ok_or(Unsupported::TooManyRegisters(r + 1))
    }

    pub(crate) fn const_bits(&self, k: usize) -> Result<i64, Unsupported> {
        match self.consts.get(k) {
            Some(v) if v.is_num() => Ok(v.bits() as i64),
            _ => Err(Unsupported::NonNumberConstant),
        }
    }
}

pub const MAX_PARAMS: usize = 8;

/// Checks what the generated lowerings cannot see instruction by instruction,
/// and names the first opcode the target has no lowering for (a loop's or a
/// branch's, rather than whatever the lowering would trip on first).
fn check_eligible(f: &RegFunc, target: Target) -> Result<(), Unsupported> {
    if !f.numeric {
        return Err(Unsupported::NotNumeric);
    }
    if let Some(op) = first_unlowered(f, target) {
        return Err(Unsupported::Opcode(op as u8));
    }
    if f.nparams > MAX_PARAMS {
        return Err(Unsupported::TooManyParams(f.nparams));
    }
    if target.float_reg(f.nregs.saturating_sub(1)).is_none() {
        return Err(Unsupported::TooManyRegisters(f.nregs));
    }
    Ok(())
}

/// Machine code for `funcs[root]` on `target`, with every function it calls
/// after it: at offset 0 a function `double f(double…)` in the target's C
/// calling convention.
pub fn compile_code(funcs: &[RegFunc], root: usize, target: Target) -> Result<Vec<u8>, Unsupported> {
    let unit = call_unit(funcs, root)?;
    for &i in &unit {
        check_eligible(&funcs[i], target).map_err(|why| blame(funcs, root, i, why))?;
    }
    match target {
        Target::X86_64 => assemble(funcs, &unit, target, x86_64::lower),
        Target::Aarch64 => assemble(funcs, &unit, target, aarch64::lower),
    }
}

/// Every function of the program the JIT takes on `target`, assembled once
/// into one buffer (each function once, whatever calls it): the buffer and
/// per function its byte range, or why it stays on the VM. Linear in the
/// program's size, for `--emit asm` of programs of thousands of functions.
pub fn compile_program(
    funcs: &[RegFunc],
    target: Target,
) -> (Vec<u8>, Vec<Result<std::ops::Range<usize>, Unsupported>>) {
    let verdicts = program_verdicts(funcs, target);
    let good: Vec<usize> = (0..funcs.len()).filter(|&i| verdicts[i].is_ok()).collect();
    let assembled = match target {
        Target::X86_64 => assemble_with_offsets(funcs, &good, target, x86_64::lower),
        Target::Aarch64 => assemble_with_offsets(funcs, &good, target, aarch64::lower),
    };
    let (code, starts) = match assembled {
        Ok(x) => x,
        Err(why) => {
            let all = (0..funcs.len()).map(|_| Err(why.clone())).collect();
            return (Vec::new(), all);
        }
    };
    let mut ranges: Vec<Result<std::ops::Range<usize>, Unsupported>> =
        verdicts.into_iter().map(|v| v.map(|()| 0..0)).collect();
    for (k, &i) in good.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(code.len());
        ranges[i] = Ok(starts[k]..end);
    }
    (code, ranges)
}

/// Whether each function's unit compiles, decided once per function: its
/// own shape and opcodes, then (callees first) its calls. A function in a
/// cycle is recursive; one calling a function that cannot be taken blames it.
fn program_verdicts(funcs: &[RegFunc], target: Target) -> Vec<Result<(), Unsupported>> {
    let own: Vec<Result<(), Unsupported>> = funcs.iter().map(|f| check_eligible(f, target)).collect();
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark = vec![Mark::New; funcs.len()];
    let mut verdict: Vec<Result<(), Unsupported>> = own.clone();
    for root in 0..funcs.len() {
        if mark[root] != Mark::New {
            continue;
        }
        // Iterative post-order: (function, its callees, next to look at).
        let mut stack = vec![(root, static_calls(&funcs[root], false), 0)];
        mark[root] = Mark::Open;
        while let Some((i, callees, next)) = stack.last_mut() {
            let i = *i;
            if let Some(&c) = callees.get(*next) {
                *next += 1;
                match mark.get(c) {
                    Some(Mark::New) => {
                        mark[c] = Mark::Open;
                        stack.push((c, static_calls(&funcs[c], false), 0));
                    }
                    Some(Mark::Open) if verdict[i].is_ok() => {
                        verdict[i] = Err(Unsupported::Recursive(funcs[c].name.clone()));
                    }
                    _ => {}
                }
                continue;
            }
            // Every callee is decided: the first that cannot be taken blames
            // the function that stops it, as `compile_code` would.
            if verdict[i].is_ok() {
                let bad = static_calls(&funcs[i], false)
                    .into_iter()
                    .find_map(|c| match verdict.get(c) {
                        Some(Err(Unsupported::Callee(name, why))) => {
                            Some(Unsupported::Callee(name.clone(), why.clone()))
                        }
                        Some(Err(Unsupported::Recursive(name))) => Some(Unsupported::Recursive(name.clone())),
                        Some(Err(why)) => Some(Unsupported::Callee(funcs[c].name.clone(), Box::new(why.clone()))),
                        _ => None,
                    });
                if let Some(why) = bad {
                    verdict[i] = Err(why);
                }
            }
            mark[i] = Mark::Done;
            stack.pop();
        }
    }
    verdict
}

type Lower<R> = fn(&mut VecAssembler<R>, usize, u32, &LowerCx<'_>) -> Result<(), Unsupported>;

/// The unit's functions one after the other, each at its label.
fn assemble<R: Relocation>(
    funcs: &[RegFunc],
    unit: &[usize],
    target: Target,
    lower: Lower<R>,
) -> Result<Vec<u8>, Unsupported> {
    assemble_with_offsets(funcs, unit, target, lower).map(|(code, _)| code)
}

/// [`assemble`], also giving where each function of `unit` starts.
fn assemble_with_offsets<R: Relocation>(
    funcs: &[RegFunc],
    unit: &[usize],
    target: Target,
    lower: Lower<R>,
) -> Result<(Vec<u8>, Vec<usize>), Unsupported> {
    let mut starts = Vec::with_capacity(unit.len());
    let mut ops = VecAssembler::<R>::new(0);
    let mut labels = vec![None; funcs.len()];
    for &i in unit {
        labels[i] = Some(ops.new_dynamic_label());
    }
    for &i in unit {
        let f = &funcs[i];
        if let Some(l) = labels[i] {
            ops.dynamic_label(l);
        }
        starts.push(ops.offset().0);
        let cx = LowerCx {
            target,
            consts: &f.consts,
            nregs: f.nregs,
            funcs,
            labels: &labels,
        };
        for (pc, ins) in f.code.iter().enumerate() {
            lower(&mut ops, pc, *ins, &cx).map_err(|why| blame(funcs, unit[0], i, why))?;
        }
    }
    let code = ops.finalize().map_err(|e| Unsupported::Assembler(format!("{e:?}")))?;
    Ok((code, starts))
}

/// Why `funcs[i]` of the unit of `root` stops the unit: a callee is named.
pub(crate) fn blame(funcs: &[RegFunc], root: usize, i: usize, why: Unsupported) -> Unsupported {
    match (i == root, funcs.get(i)) {
        (false, Some(f)) => Unsupported::Callee(f.name.clone(), Box::new(why)),
        _ => why,
    }
}

/// `root` and the functions it calls, directly or not, root first
/// (depth-first preorder). Linear in the unit's size: a chain of thousands
/// of functions is fine.
pub(crate) fn call_unit(funcs: &[RegFunc], root: usize) -> Result<Vec<usize>, Unsupported> {
    let mut seen = vec![false; funcs.len()];
    let mut on_path = vec![false; funcs.len()];
    let mut out = Vec::new();
    // (function, its callees, how many of them are visited): an explicit
    // stack, so a long chain does not exhaust the native one.
    let mut stack: Vec<(usize, Vec<usize>, usize)> = Vec::new();
    let enter = |i: usize, seen: &mut Vec<bool>, on_path: &mut Vec<bool>, out: &mut Vec<usize>| {
        let f = funcs.get(i).ok_or(Unsupported::Opcode(rop::CALL))?;
        seen[i] = true;
        on_path[i] = true;
        out.push(i);
        Ok::<_, Unsupported>((i, static_calls(f, false), 0))
    };
    stack.push(enter(root, &mut seen, &mut on_path, &mut out)?);
    while let Some((i, callees, next)) = stack.last_mut() {
        let Some(&c) = callees.get(*next) else {
            on_path[*i] = false;
            stack.pop();
            continue;
        };
        *next += 1;
        match (on_path.get(c), seen.get(c)) {
            (Some(true), _) => {
                let name = funcs.get(c).map_or_else(String::new, |f| f.name.clone());
                return Err(Unsupported::Recursive(name));
            }
            (_, Some(true)) => {}
            _ => stack.push(enter(c, &mut seen, &mut on_path, &mut out)?),
        }
    }
    Ok(out)
}

/// The functions `f` calls by name, in code order: an op the table flags
/// `call` whose `bx` names the function. With `until_return`, only the calls
/// before its first return (all that straight-line code executes).
pub(crate) fn static_calls(f: &RegFunc, until_return: bool) -> Vec<usize> {
    let mut out = Vec::new();
    for ins in f.code.iter().filter_map(|w| decode_reg(*w)) {
        let info = ins.op.info();
        if info.call && info.operands.contains(&("bx", "func")) {
            out.push(ins.bx as usize);
        }
        if until_return && info.ret {
            break;
        }
    }
    out
}

/// The opcodes `target` lowers, from the table.
pub fn lowered_ops(target: Target) -> &'static [RegOp] {
    match target {
        Target::X86_64 => x86_64::LOWERED,
        Target::Aarch64 => aarch64::LOWERED,
    }
}

/// Whether the first instruction the JIT rejects would be `op`: used by
/// listings to say why a function stays on the VM.
pub fn first_unlowered(f: &RegFunc, target: Target) -> Option<RegOp> {
    let lowered = lowered_ops(target);
    f.code
        .iter()
        .filter_map(|w| decode_reg(*w))
        .map(|i| i.op)
        .find(|op| !lowered.contains(op))
}
