//! Layer 5: JIT compilation of register bytecode to native code.
//!
//! The JIT takes numeric functions (every parameter and the result `n`), as
//! in the original design: VM registers map one-to-one onto float registers,
//! arguments arrive in the first eight of them by the platform's calling
//! convention, exactly where the VM keeps its parameters, and each bytecode
//! instruction becomes the few machine instructions of its table template.
//! A function the JIT cannot take runs on the register VM instead.

pub mod abi;
pub mod bridge;
pub mod cranelift;
pub mod disasm;
pub mod emulate;
pub mod liveness;
pub mod llvm;
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

    /// VM registers a function keeps in float registers when all of its
    /// fit: the float registers but the scratch one.
    pub fn capacity(self) -> usize {
        match self {
            Target::X86_64 => 15,
            Target::Aarch64 => 23,
        }
    }

    /// The float registers a function with more VM registers than
    /// [`Target::capacity`] loads spilled operands into (for operands a,
    /// b, c): the last three of the map, so it keeps three fewer VM
    /// registers in float registers.
    pub fn temps(self) -> [u8; 3] {
        match self {
            Target::X86_64 => [12, 13, 14],
            Target::Aarch64 => [28, 29, 30],
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
            Unsupported::NotNumeric => write!(f, "it takes or returns something other than numbers and booleans"),
            Unsupported::TooManyRegisters(n) => write!(f, "it needs {n} registers"),
            Unsupported::TooManyParams(n) => write!(f, "it has {n} parameters (at most 8 arrive in registers)"),
            Unsupported::NonNumberConstant => write!(f, "it uses a constant that is not a number"),
            Unsupported::MissingCpuFeature(feat) => write!(f, "this CPU lacks {feat}"),
            Unsupported::Assembler(e) => write!(f, "the assembler failed: {e}"),
            Unsupported::Callee(name, why) => write!(f, "it calls `{name}`, which the JIT cannot take: {why}"),
        }
    }
}

/// The error exits of a unit, shared by its functions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Exits {
    pub steps: DynamicLabel,
    pub depth: DynamicLabel,
    /// A bare return: a callee's error status passed up, from where the
    /// stack holds nothing but the return address.
    pub pass: DynamicLabel,
}

/// Where a VM register lives in compiled code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// A float register.
    Reg(u8),
    /// A stack slot, bytes above the stack pointer of the function's body.
    Slot(u32),
}

/// What a generated lowering asks about the function being compiled.
pub(crate) struct LowerCx<'f> {
    target: Target,
    consts: &'f [Value],
    /// VM registers of the function: what a call saves.
    nregs: usize,
    /// VM registers kept in float registers; the rest are spilled to
    /// stack slots and staged through the target's temps.
    cap: usize,
    /// The function's stack frame (the spill slots, the home slots, the
    /// link slot), and which registers are in their homes before each
    /// instruction.
    homes: &'f Homes,
    /// The program's functions, and the entry label of each one in the unit.
    funcs: &'f [RegFunc],
    labels: &'f [Option<DynamicLabel>],
    /// A label for each instruction of the function: jump targets.
    pcs: &'f [DynamicLabel],
    /// The registers live after each instruction (`liveness.rs`).
    live: &'f [liveness::Regs],
    /// A label per constant of the function, and which ones the code
    /// reads from the constant pool after it.
    pool: &'f [DynamicLabel],
    pool_used: std::cell::RefCell<Vec<bool>>,
    /// Constants a lowering needs that are not the function's (`{one.at}`,
    /// the 1 a range steps by), pooled after its own, each once.
    pool_more: std::cell::RefCell<Vec<(DynamicLabel, i64)>>,
    exits: Exits,
}

impl LowerCx<'_> {
    pub(crate) fn func_label(&self, i: usize) -> Result<DynamicLabel, Unsupported> {
        self.labels
            .get(i)
            .copied()
            .flatten()
            .ok_or(Unsupported::Opcode(rop::CALL))
    }

    /// The label of the instruction at `pc` (a jump's target).
    pub(crate) fn label(&self, pc: usize) -> Result<DynamicLabel, Unsupported> {
        self.pcs.get(pc).copied().ok_or(Unsupported::Opcode(rop::JMP))
    }

    /// How many arguments function `i` takes.
    pub(crate) fn nparams(&self, i: usize) -> Result<usize, Unsupported> {
        self.funcs
            .get(i)
            .map(|f| f.nparams)
            .ok_or(Unsupported::Opcode(rop::CALL))
    }

    /// What a call at `pc` whose result goes to `a` keeps across it: the
    /// registers read after it, but `a` (and spilled ones, which no call
    /// touches).
    pub(crate) fn saved_across(&self, pc: usize, a: usize) -> Vec<usize> {
        saved_across(self.live, self.nregs.min(self.cap), pc, a)
    }

    /// Of what a call at `pc` saves, the registers not in their homes
    /// already (a call since stored them, and nothing wrote them since):
    /// what it must store.
    pub(crate) fn to_store(&self, pc: usize, a: usize) -> Vec<usize> {
        let homed = self.homes.homed.get(pc).copied().unwrap_or(0);
        self.saved_across(pc, a)
            .into_iter()
            .filter(|&r| r >= 64 || homed & (1 << r) == 0)
            .collect()
    }

    /// Bytes of the function's stack frame (16-aligned), taken at entry.
    pub(crate) fn frame(&self) -> usize {
        self.homes.frame
    }

    /// Register `r`'s home slot, from the stack pointer.
    pub(crate) fn home(&self, r: usize) -> Result<u32, Unsupported> {
        self.homes
            .slot
            .get(r)
            .copied()
            .flatten()
            .ok_or(Unsupported::TooManyRegisters(r + 1))
    }

    /// Where a function that calls keeps the link register (`AArch64`'s
    /// x30) across its calls.
    pub(crate) fn link_slot(&self) -> u32 {
        self.homes.link
    }

    /// The float register of VM register `r`, one kept in a register.
    pub(crate) fn float_reg(&self, r: usize) -> Result<u8, Unsupported> {
        if r >= self.cap {
            return Err(Unsupported::TooManyRegisters(r + 1));
        }
        self.target.float_reg(r).ok_or(Unsupported::TooManyRegisters(r + 1))
    }

    /// Where VM register `r` lives.
    pub(crate) fn place(&self, r: usize) -> Result<Place, Unsupported> {
        if r < self.cap {
            return self.float_reg(r).map(Place::Reg);
        }
        if r >= self.nregs.max(self.cap) {
            return Err(Unsupported::TooManyRegisters(r + 1));
        }
        Ok(Place::Slot(8 * (r - self.cap) as u32))
    }

    /// The float register an operand in position `temp` (a 0, b 1, c 2)
    /// of register `r` is written in: its own, or a temp when spilled.
    pub(crate) fn dst_reg(&self, r: usize, temp: usize) -> Result<u8, Unsupported> {
        match self.place(r)? {
            Place::Reg(x) => Ok(x),
            Place::Slot(_) => Ok(self.target.temps()[temp]),
        }
    }

    /// Constant `k`'s label in the pool that follows the function's code.
    pub(crate) fn const_label(&self, k: usize) -> Result<DynamicLabel, Unsupported> {
        self.const_bits(k)?;
        let label = *self.pool.get(k).ok_or(Unsupported::NonNumberConstant)?;
        if let Some(used) = self.pool_used.borrow_mut().get_mut(k) {
            *used = true;
        }
        Ok(label)
    }

    /// The label of a pool entry holding `bits`: the function's own
    /// constant when it has one, else an entry made on first use.
    pub(crate) fn bits_label<R: Relocation>(&self, ops: &mut VecAssembler<R>, bits: i64) -> DynamicLabel {
        if let Some(label) = (0..self.consts.len())
            .find(|&k| self.const_bits(k) == Ok(bits))
            .and_then(|k| self.const_label(k).ok())
        {
            return label;
        }
        let mut more = self.pool_more.borrow_mut();
        if let Some(&(label, _)) = more.iter().find(|(_, b)| *b == bits) {
            return label;
        }
        let label = ops.new_dynamic_label();
        more.push((label, bits));
        label
    }

    /// A constant's bits: a number, a boolean, nil or the unbound marker
    /// (anything a register holds whole), never a heap value.
    pub(crate) fn const_bits(&self, k: usize) -> Result<i64, Unsupported> {
        match self.consts.get(k) {
            Some(v) if v.is_immediate() => Ok(v.bits() as i64),
            _ => Err(Unsupported::NonNumberConstant),
        }
    }
}

/// The registers of `0..kept` read after the call at `pc`, but `a`.
fn saved_across(live: &[liveness::Regs], kept: usize, pc: usize, a: usize) -> Vec<usize> {
    let live = live.get(pc).copied().unwrap_or(liveness::Regs::MAX);
    (0..kept)
        .filter(|&r| r != a && (r >= 64 || live & (1 << r) != 0))
        .collect()
}

/// A compiled function's stack frame, taken once at its entry: the spill
/// slots of the registers past the float registers, then a home slot for
/// each register some call keeps across it, then (on a target whose calls
/// overwrite a link register) the link slot. A call
/// stores a register it keeps only when its home is not up to date, so a
/// value kept across several calls (`n` through the calls of an inlined
/// `fib`) is stored once, not before each.
pub(crate) struct Homes {
    /// Each register's home, in bytes from the stack pointer.
    slot: Vec<Option<u32>>,
    link: u32,
    /// Bytes of the frame, 16-aligned (`AArch64` needs it; x86-64 code
    /// calls only compiled code and does not).
    frame: usize,
    /// The registers in their homes before each instruction.
    homed: Vec<liveness::Regs>,
}

impl Homes {
    fn plan(f: &RegFunc, funcs: &[RegFunc], live: &[liveness::Regs], cap: usize, target: Target) -> Homes {
        let kept = f.nregs.min(cap);
        let saved_at = |pc: usize| -> Option<Vec<usize>> {
            let ins = crate::isa::decode_reg(*f.code.get(pc)?)?;
            ins.op.info().call.then(|| saved_across(live, kept, pc, ins.a as usize))
        };
        let spill_bytes = 8 * f.nregs.saturating_sub(cap);
        let mut slot = vec![None; f.nregs];
        let mut next = spill_bytes;
        let mut calls = false;
        for pc in 0..f.code.len() {
            for r in saved_at(pc).inspect(|_| calls = true).into_iter().flatten() {
                if slot[r].is_none() {
                    slot[r] = Some(next as u32);
                    next += 8;
                }
            }
        }
        let link = next as u32;
        if calls && target == Target::Aarch64 {
            next += 8;
        }
        let bits = |rs: Vec<usize>| rs.into_iter().filter(|&r| r < 64).fold(0, |s, r| s | 1 << r);
        let homed = liveness::homed_before(f, funcs, |pc| saved_at(pc).map_or(0, bits));
        Homes {
            slot,
            link,
            frame: next.div_ceil(16) * 16,
            homed,
        }
    }
}

pub const MAX_PARAMS: usize = 8;

/// Checks what the generated lowerings cannot see instruction by instruction,
/// and names the first opcode the target has no lowering for (a loop's or a
/// branch's, rather than whatever the lowering would trip on first).
fn check_eligible(f: &RegFunc, target: Target) -> Result<(), Unsupported> {
    eligible_with(f, lowered_ops(target))
}

/// Whether a backend lowering the opcodes `lowered` takes `f` by itself
/// (its calls aside): scalar parameters and result, every opcode lowered
/// (the first one not is named), parameters that arrive in registers.
pub(crate) fn eligible_with(f: &RegFunc, lowered: &[RegOp]) -> Result<(), Unsupported> {
    if !f.scalar {
        return Err(Unsupported::NotNumeric);
    }
    if let Some(op) = first_not_in(f, lowered) {
        return Err(Unsupported::Opcode(op as u8));
    }
    if f.nparams > MAX_PARAMS {
        return Err(Unsupported::TooManyParams(f.nparams));
    }
    Ok(())
}

/// The first opcode of `f` not among `lowered`.
pub(crate) fn first_not_in(f: &RegFunc, lowered: &[RegOp]) -> Option<RegOp> {
    f.code
        .iter()
        .filter_map(|w| decode_reg(*w))
        .map(|i| i.op)
        .find(|op| !lowered.contains(op))
}

/// What assembling needs of a target besides the generated lowering: the
/// calling convention's code (`abi.rs`).
trait Arch {
    type R: Relocation;
    fn lower(
        ops: &mut VecAssembler<Self::R>,
        pc: usize,
        ins: u32,
        next: u32,
        cx: &LowerCx<'_>,
    ) -> Result<(), Unsupported>;
    fn enter(ops: &mut VecAssembler<Self::R>, exits: &Exits);
    fn exits(ops: &mut VecAssembler<Self::R>, exits: &Exits, frame: usize);
    fn open_frame(ops: &mut VecAssembler<Self::R>, frame: usize);
    /// No-ops up to the next 16-byte boundary, before a loop's head.
    fn align_loop(ops: &mut VecAssembler<Self::R>);
    fn vm_stub(
        ops: &mut VecAssembler<Self::R>,
        label: DynamicLabel,
        func: usize,
        nparams: usize,
    ) -> Result<(), Unsupported>;
    /// The constants `(label, bits)` a function reads from memory.
    fn pool(ops: &mut VecAssembler<Self::R>, entries: &[(DynamicLabel, i64)]);
    fn entry(ops: &mut VecAssembler<Self::R>, root: DynamicLabel, nparams: usize);
}

/// An [`Arch`] whose pieces are the generated lowering module `$gen` and
/// the calling-convention module `abi::$abi`.
macro_rules! arch {
    ($name:ident, $reloc:ty, $gen:ident, $abi:ident) => {
        struct $name;

        impl Arch for $name {
            type R = $reloc;
            fn lower(
                ops: &mut VecAssembler<Self::R>,
                pc: usize,
                ins: u32,
                next: u32,
                cx: &LowerCx<'_>,
            ) -> Result<(), Unsupported> {
                $gen::lower(ops, pc, ins, next, cx)
            }
            fn enter(ops: &mut VecAssembler<Self::R>, exits: &Exits) {
                abi::$abi::enter(ops, exits)
            }
            fn exits(ops: &mut VecAssembler<Self::R>, exits: &Exits, frame: usize) {
                abi::$abi::exits(ops, exits, frame)
            }
            fn open_frame(ops: &mut VecAssembler<Self::R>, frame: usize) {
                abi::$abi::open_frame(ops, frame)
            }
            fn align_loop(ops: &mut VecAssembler<Self::R>) {
                abi::$abi::align_loop(ops)
            }
            fn vm_stub(
                ops: &mut VecAssembler<Self::R>,
                label: DynamicLabel,
                func: usize,
                nparams: usize,
            ) -> Result<(), Unsupported> {
                abi::$abi::vm_stub(ops, label, func, nparams)
            }
            fn pool(ops: &mut VecAssembler<Self::R>, entries: &[(DynamicLabel, i64)]) {
                abi::$abi::pool(ops, entries)
            }
            fn entry(ops: &mut VecAssembler<Self::R>, root: DynamicLabel, nparams: usize) {
                abi::$abi::entry(ops, root, nparams)
            }
        }
    };
}

arch!(X64, dynasmrt::x64::X64Relocation, x86_64, x86_64);
arch!(A64, dynasmrt::aarch64::Aarch64Relocation, aarch64, aarch64);

/// Machine code for `funcs[root]` on `target`, with every function it calls
/// after it: at offset 0 the C function [`abi::Entry`] that runs it.
pub fn compile_code(funcs: &[RegFunc], root: usize, target: Target) -> Result<Vec<u8>, Unsupported> {
    let bridge = bridges_to_vm(target);
    let (unit, bridged) = plan_unit(funcs, root, |f| check_eligible(f, target), bridge)?;
    let assembled = match target {
        Target::X86_64 => assemble::<X64>(funcs, &unit, &bridged, target, true),
        Target::Aarch64 => assemble::<A64>(funcs, &unit, &bridged, target, true),
    };
    assembled.map(|(code, _)| code)
}

/// What `--verbose` says of the unit compiled for `root` (by Cranelift, or
/// by the dynasm JIT for this machine): the functions compiled, the leaves
/// inlined into them, and those called on the register VM.
pub fn unit_summary(funcs: &[RegFunc], root: usize, cranelift: bool) -> String {
    let plan = match (cranelift, Target::host()) {
        (true, _) => plan_unit(funcs, root, cranelift::eligible, true),
        (false, Some(t)) => plan_unit(funcs, root, |f| check_eligible(f, t), bridges_to_vm(t)),
        (false, None) => return String::new(),
    };
    let Ok((unit, bridged)) = plan else {
        return String::new();
    };
    let names = |list: &[usize]| {
        list.iter()
            .map(|&i| format!("`{}`", funcs[i].name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut gone: Vec<usize> = Vec::new();
    for g in unit.iter().flat_map(|&i| funcs[i].inlined.iter().map(|&g| g as usize)) {
        if !unit.contains(&g) && !bridged.contains(&g) && !gone.contains(&g) {
            gone.push(g);
        }
    }
    let mut out = format!("compiled {}", names(&unit));
    if !gone.is_empty() {
        out += &format!("; inlined {}", names(&gone));
    }
    // A recursive function inlined into itself: its `ENTERI`s count the
    // bodies.
    for &i in &unit {
        let bodies = funcs[i]
            .code
            .iter()
            .filter(|w| crate::isa::decode_reg(**w).is_some_and(|ins| ins.op == RegOp::ENTERI))
            .count();
        if bodies > 0 {
            out += &format!("; `{}` inlined into itself ({bodies} bodies)", funcs[i].name);
        }
    }
    if !bridged.is_empty() {
        out += &format!("; called on the register VM through a trampoline: {}", names(&bridged));
    }
    out
}

/// Whether code for `target` can call the register VM of this process
/// through a trampoline: only when it runs here (not under emulation), on
/// a backend with a trampoline stub (`abi::x86_64::vm_stub`).
fn bridges_to_vm(target: Target) -> bool {
    target == Target::X86_64 && Target::host() == Some(Target::X86_64)
}

/// Whether a function the JIT cannot take can still be called from
/// compiled code, on the register VM through a trampoline: its arguments
/// and result are numbers or booleans, so no heap value crosses.
pub(crate) fn bridgeable(f: &RegFunc) -> bool {
    f.scalar && f.nparams <= MAX_PARAMS
}

/// The functions compiled with `root` (root first, each once) and the ones
/// they call on the register VM through trampolines; or why `root` cannot
/// be compiled. `eligible` is the backend's own check of one function.
pub(crate) fn plan_unit(
    funcs: &[RegFunc],
    root: usize,
    eligible: impl Fn(&RegFunc) -> Result<(), Unsupported>,
    bridge: bool,
) -> Result<(Vec<usize>, Vec<usize>), Unsupported> {
    let verdicts = verdicts_with(funcs, eligible, bridge);
    verdicts.get(root).cloned().ok_or(Unsupported::Opcode(rop::CALL))??;
    let mut seen = vec![false; funcs.len()];
    let (mut unit, mut bridged) = (Vec::new(), Vec::new());
    let mut todo = vec![root];
    while let Some(i) = todo.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        if verdicts[i].is_err() {
            bridged.push(i);
            continue;
        }
        unit.push(i);
        // Reversed, so the first callee is visited first.
        todo.extend(static_calls(&funcs[i], false).into_iter().rev().filter(|&c| !seen[c]));
    }
    Ok((unit, bridged))
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
    // What compiled code calls on the register VM, each once.
    let mut bridged: Vec<usize> = good
        .iter()
        .flat_map(|&i| static_calls(&funcs[i], false))
        .filter(|&c| verdicts.get(c).is_some_and(Result::is_err))
        .collect();
    bridged.sort_unstable();
    bridged.dedup();
    let assembled = match target {
        Target::X86_64 => assemble::<X64>(funcs, &good, &bridged, target, false),
        Target::Aarch64 => assemble::<A64>(funcs, &good, &bridged, target, false),
    };
    let (code, spans) = match assembled {
        Ok(x) => x,
        Err(why) => {
            let all = (0..funcs.len()).map(|_| Err(why.clone())).collect();
            return (Vec::new(), all);
        }
    };
    let mut ranges: Vec<Result<std::ops::Range<usize>, Unsupported>> =
        verdicts.into_iter().map(|v| v.map(|()| 0..0)).collect();
    for (&i, span) in good.iter().zip(spans) {
        ranges[i] = Ok(span);
    }
    (code, ranges)
}

/// Whether each function's unit compiles: its own shape and opcodes, and
/// every function it reaches (a cycle of calls is fine: recursion runs
/// natively with the depth counter). One that cannot be taken blames each
/// function reaching it, found backwards along the calls in linear time.
fn program_verdicts(funcs: &[RegFunc], target: Target) -> Vec<Result<(), Unsupported>> {
    verdicts_with(funcs, |f| check_eligible(f, target), bridges_to_vm(target))
}

/// [`program_verdicts`] for a backend's check of one function; with
/// `bridge`, a function that cannot be taken but is [`bridgeable`] blames
/// no caller (they call it through a trampoline).
pub(crate) fn verdicts_with(
    funcs: &[RegFunc],
    eligible: impl Fn(&RegFunc) -> Result<(), Unsupported>,
    bridge: bool,
) -> Vec<Result<(), Unsupported>> {
    let mut verdict: Vec<Result<(), Unsupported>> = funcs.iter().map(eligible).collect();
    let mut callers: Vec<Vec<usize>> = vec![Vec::new(); funcs.len()];
    for (i, f) in funcs.iter().enumerate() {
        for c in static_calls(f, false) {
            if let Some(list) = callers.get_mut(c) {
                list.push(i);
            } else {
                verdict[i] = Err(Unsupported::Opcode(rop::CALL));
            }
        }
    }
    let mut todo: std::collections::VecDeque<usize> = (0..funcs.len()).filter(|&i| verdict[i].is_err()).collect();
    while let Some(bad) = todo.pop_front() {
        if bridge && bridgeable(&funcs[bad]) {
            continue;
        }
        // Whom to blame: the function itself, or what it blames in turn.
        let why = match &verdict[bad] {
            Err(Unsupported::Callee(name, why)) => Unsupported::Callee(name.clone(), why.clone()),
            Err(why) => Unsupported::Callee(funcs[bad].name.clone(), Box::new(why.clone())),
            Ok(()) => continue,
        };
        for &caller in &callers[bad] {
            if verdict[caller].is_ok() {
                verdict[caller] = Err(why.clone());
                todo.push_back(caller);
            }
        }
    }
    verdict
}

/// The entry (if asked for), then the unit's functions one after the other,
/// each at its label and starting with its call level and step, then the
/// shared error exits: the code and each function's byte range.
fn assemble<A: Arch>(
    funcs: &[RegFunc],
    unit: &[usize],
    bridged: &[usize],
    target: Target,
    with_entry: bool,
) -> Result<(Vec<u8>, Vec<std::ops::Range<usize>>), Unsupported> {
    let mut spans = Vec::with_capacity(unit.len());
    let mut ops = VecAssembler::<A::R>::new(0);
    let mut labels = vec![None; funcs.len()];
    for &i in unit.iter().chain(bridged) {
        labels[i] = Some(ops.new_dynamic_label());
    }
    let exits = Exits {
        steps: ops.new_dynamic_label(),
        depth: ops.new_dynamic_label(),
        pass: ops.new_dynamic_label(),
    };
    if let (true, Some(&root)) = (with_entry, unit.first()) {
        let label = labels[root].ok_or(Unsupported::Opcode(rop::CALL))?;
        A::entry(&mut ops, label, funcs[root].nparams);
    }
    for &i in unit {
        let f = &funcs[i];
        if let Some(l) = labels[i] {
            ops.dynamic_label(l);
        }
        let start = ops.offset().0;
        A::enter(&mut ops, &exits);
        // More VM registers than float registers: the last three float
        // registers stage operands of the rest, which live in stack slots
        // taken here; the function's own exits give them back.
        let spilled = f.nregs > target.capacity();
        let cap = if spilled {
            target.capacity() - 3
        } else {
            target.capacity()
        };
        let live = liveness::live_after(f, funcs);
        let homes = Homes::plan(f, funcs, &live, cap, target);
        let frame = homes.frame;
        let own_exits = if frame > 0 {
            Exits {
                steps: ops.new_dynamic_label(),
                depth: ops.new_dynamic_label(),
                pass: ops.new_dynamic_label(),
            }
        } else {
            exits
        };
        if frame > 0 {
            A::open_frame(&mut ops, frame);
        }
        let pcs: Vec<DynamicLabel> = (0..f.code.len()).map(|_| ops.new_dynamic_label()).collect();
        let heads = liveness::loop_heads(f, funcs);
        let pool: Vec<DynamicLabel> = f.consts.iter().map(|_| ops.new_dynamic_label()).collect();
        let cx = LowerCx {
            live: &live,
            pool: &pool,
            pool_used: std::cell::RefCell::new(vec![false; f.consts.len()]),
            pool_more: std::cell::RefCell::new(Vec::new()),
            cap,
            homes: &homes,
            target,
            consts: &f.consts,
            nregs: f.nregs,
            funcs,
            labels: &labels,
            pcs: &pcs,
            exits: own_exits,
        };
        let mut pc = 0;
        while pc < f.code.len() {
            // A loop's head on a 16-byte boundary, as compilers place them:
            // the loop's instructions then sit in fewer fetch blocks.
            if heads.get(pc).copied().unwrap_or(false) {
                A::align_loop(&mut ops);
            }
            ops.dynamic_label(pcs[pc]);
            let ins = f.code[pc];
            let next = f.code.get(pc + 1).copied().unwrap_or(0);
            A::lower(&mut ops, pc, ins, next, &cx).map_err(|why| blame(funcs, unit[0], i, why))?;
            // A compare-and-branch consumed the JMP word after it: the code
            // goes on after that word when it does not jump.
            let consumed = RegOp::from_u8(ins as u8).is_some_and(crate::isa::takes_jump_word);
            if consumed {
                if let Some(&l) = pcs.get(pc + 1) {
                    ops.dynamic_label(l);
                }
                pc += 1;
            }
            pc += 1;
        }
        if frame > 0 {
            A::exits(&mut ops, &own_exits, frame);
        }
        // The listing shows instructions; the pool after them is data.
        let code_end = ops.offset().0;
        let mut entries: Vec<(DynamicLabel, i64)> = cx
            .pool_used
            .borrow()
            .iter()
            .enumerate()
            .filter(|(_, used)| **used)
            .filter_map(|(k, _)| Some((pool[k], cx.const_bits(k).ok()?)))
            .collect();
        entries.extend(cx.pool_more.borrow().iter().copied());
        if !entries.is_empty() {
            A::pool(&mut ops, &entries);
        }
        spans.push(start..code_end);
    }
    A::exits(&mut ops, &exits, 0);
    // A call of a function on the register VM lands on its trampoline.
    for &i in bridged {
        let label = labels[i].ok_or(Unsupported::Opcode(rop::CALL))?;
        A::vm_stub(&mut ops, label, i, funcs[i].nparams)?;
    }
    let code = ops.finalize().map_err(|e| Unsupported::Assembler(format!("{e:?}")))?;
    Ok((code, spans))
}

/// Why `funcs[i]` of the unit of `root` stops the unit: a callee is named.
pub(crate) fn blame(funcs: &[RegFunc], root: usize, i: usize, why: Unsupported) -> Unsupported {
    match (i == root, funcs.get(i)) {
        (false, Some(f)) => Unsupported::Callee(f.name.clone(), Box::new(why)),
        _ => why,
    }
}

/// `root` and the functions it calls, directly or not, root first
/// (depth-first preorder), each once: a recursive call is to a function
/// already in the unit. Linear in the unit's size, without recursion of its
/// own, so a chain of thousands of functions is fine.
pub(crate) fn call_unit(funcs: &[RegFunc], root: usize) -> Result<Vec<usize>, Unsupported> {
    let mut seen = vec![false; funcs.len()];
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(i) = todo.pop() {
        let f = funcs.get(i).ok_or(Unsupported::Opcode(rop::CALL))?;
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        out.push(i);
        // Reversed, so the first callee is visited first.
        todo.extend(
            static_calls(f, false)
                .into_iter()
                .rev()
                .filter(|&c| !seen.get(c).copied().unwrap_or(false)),
        );
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
    first_not_in(f, lowered_ops(target))
}
