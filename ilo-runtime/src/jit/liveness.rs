//! Which VM registers are live after each instruction, so that a compiled
//! call saves only the registers its caller still reads (every float
//! register is caller-saved), not the whole register file.
//!
//! Reads and writes come from the table's operand kinds: `reg`/`reg_n` are
//! read, `dst`/`dst_n` written; a call window (`base`) is the callee's
//! arguments, read, and its result, written; any other window (`FORSTEP`'s
//! counter and limit) is read and written. Control flow follows the ops'
//! jump operands; an op flagged `ret` ends a path.

use crate::isa::{decode_reg, operand as field, takes_jump_word};
use crate::reg::RegFunc;

/// A set of VM registers, bit `r` for register `r`.
pub type Regs = u64;

/// What one instruction reads and writes, and where control goes after it.
struct Effect {
    uses: Regs,
    defs: Regs,
    /// What the instruction may overwrite: `defs`, and the whole of a
    /// window an op other than a call writes into (`FORIN`'s index and
    /// item), which `defs` leaves out so as not to cut a liveness short.
    kills: Regs,
    /// Words the instruction takes (a compare-and-branch's JMP word too).
    width: usize,
    /// The next instruction, when control can fall through to it.
    next: Option<usize>,
    target: Option<usize>,
}

fn bit(r: usize) -> Regs {
    if r < 64 {
        1 << r
    } else {
        0
    }
}

fn effect(funcs: &[RegFunc], code: &[u32], pc: usize) -> Option<Effect> {
    let ins = decode_reg(code[pc])?;
    let info = ins.op.info();
    let width = if takes_jump_word(ins.op) { 2 } else { 1 };
    let (mut uses, mut defs, mut kills, mut target, mut conditional) = (0, 0, 0, None, false);
    let callee = info
        .operands
        .iter()
        .find(|(_, k)| *k == "func")
        .and_then(|(n, _)| funcs.get(field(&ins, n)));
    for &(name, kind) in info.operands {
        match kind {
            "reg" | "reg_n" => {
                uses |= bit(field(&ins, name));
                conditional = true;
            }
            "dst" | "dst_n" => defs |= bit(field(&ins, name)),
            "base" => {
                let a = field(&ins, name);
                let n = match (info.call, callee) {
                    (true, Some(f)) => f.nparams,
                    (true, None) => return None,
                    (false, _) => 2,
                };
                uses |= (a..a + n).fold(0, |s, r| s | bit(r));
                defs |= bit(a);
                if !info.call {
                    kills |= (a..a + 3).fold(0, |s, r| s | bit(r));
                }
                conditional = true;
            }
            "jump" => {
                let offset = if name == "j" {
                    (*code.get(pc + 1)? >> 16) as u16 as i16 as isize
                } else {
                    ins.sbx as isize
                };
                target = Some((pc as isize + width as isize + offset) as usize);
            }
            _ => {}
        }
    }
    // A jump with no operand to test always jumps.
    let falls_through = !info.ret && (target.is_none() || conditional);
    Some(Effect {
        uses,
        defs,
        kills: kills | defs,
        width,
        next: falls_through.then_some(pc + width),
        target,
    })
}

/// `f`'s instructions: where each starts and what it does; `None` when
/// one is not understood.
fn instructions(f: &RegFunc, funcs: &[RegFunc]) -> Option<(Vec<usize>, Vec<Effect>)> {
    let n = f.code.len();
    let mut effects = Vec::with_capacity(n);
    let mut starts = Vec::with_capacity(n);
    let mut pc = 0;
    while pc < n {
        let e = effect(funcs, &f.code, pc)?;
        starts.push(pc);
        pc += e.width;
        effects.push(e);
    }
    Some((starts, effects))
}

/// A set per instruction spread over the words it takes (the JMP word
/// after a compare-and-branch shares its compare's).
fn per_word(n: usize, starts: &[usize], effects: &[Effect], sets: &[Regs]) -> Vec<Regs> {
    let mut out = vec![0; n];
    for ((&start, e), &set) in starts.iter().zip(effects).zip(sets) {
        for slot in &mut out[start..(start + e.width).min(n)] {
            *slot = set;
        }
    }
    out
}

/// The registers live after each instruction of `f` (indexed by pc; the JMP
/// word after a compare-and-branch shares its compare's set). All
/// registers when `f` has more than 64 or an instruction is not understood.
pub fn live_after(f: &RegFunc, funcs: &[RegFunc]) -> Vec<Regs> {
    let n = f.code.len();
    let all = vec![Regs::MAX; n];
    if f.nregs > 64 {
        return all;
    }
    let Some((starts, effects)) = instructions(f, funcs) else {
        return all;
    };
    let index_of = |pc: usize| starts.binary_search(&pc).ok();
    let mut live_in = vec![0 as Regs; effects.len()];
    let mut live_out = vec![0 as Regs; effects.len()];
    // Backward to a fixed point: loops need more than one pass.
    let mut changed = true;
    while changed {
        changed = false;
        for i in (0..effects.len()).rev() {
            let e = &effects[i];
            let succ = [e.next, e.target];
            let out = succ
                .iter()
                .flatten()
                .filter_map(|&p| index_of(p))
                .fold(0, |s, j| s | live_in[j]);
            let inn = e.uses | (out & !e.defs);
            if out != live_out[i] || inn != live_in[i] {
                live_out[i] = out;
                live_in[i] = inn;
                changed = true;
            }
        }
    }
    per_word(n, &starts, &effects, &live_out)
}

/// Which pcs of `f` a jump goes back to: the heads of its loops.
pub fn loop_heads(f: &RegFunc, funcs: &[RegFunc]) -> Vec<bool> {
    let mut heads = vec![false; f.code.len()];
    if let Some((starts, effects)) = instructions(f, funcs) {
        for (&pc, e) in starts.iter().zip(&effects) {
            if let Some(t) = e.target.filter(|&t| t <= pc) {
                if let Some(h) = heads.get_mut(t) {
                    *h = true;
                }
            }
        }
    }
    heads
}

/// For each instruction of `f`, the registers whose home slot holds their
/// value when it starts, on every path to it: a call at `pc` stores the
/// registers `saved(pc)` in their homes (those not there already) and
/// loads them back after it, so they are there after the call, until an
/// instruction writes them. Nothing at the entry, and nothing anywhere
/// when an instruction is not understood (every call then stores all it
/// saves).
pub fn homed_before(f: &RegFunc, funcs: &[RegFunc], saved: impl Fn(usize) -> Regs) -> Vec<Regs> {
    let n = f.code.len();
    let Some((starts, effects)) = instructions(f, funcs) else {
        return vec![0; n];
    };
    let index_of = |pc: usize| starts.binary_search(&pc).ok();
    let calls: Vec<bool> = starts
        .iter()
        .map(|&pc| decode_reg(f.code[pc]).is_some_and(|ins| ins.op.info().call))
        .collect();
    // A must-analysis: everything until a path shows otherwise.
    let mut homed_in = vec![Regs::MAX; effects.len()];
    if let Some(first) = homed_in.first_mut() {
        *first = 0;
    }
    let mut changed = true;
    while changed {
        changed = false;
        for i in 0..effects.len() {
            let e = &effects[i];
            let through = if calls[i] {
                homed_in[i] | saved(starts[i])
            } else {
                homed_in[i]
            };
            let out = through & !e.kills;
            for j in [e.next, e.target].iter().flatten().filter_map(|&p| index_of(p)) {
                let meet = homed_in[j] & out;
                if meet != homed_in[j] {
                    homed_in[j] = meet;
                    changed = true;
                }
            }
        }
    }
    per_word(n, &starts, &effects, &homed_in)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::front::check;
    use crate::reg::compile;

    fn live(src: &str, func: &str) -> (RegFunc, Vec<Regs>) {
        let prog = compile(&check(src).expect("valid")).expect("compiles");
        let f = prog.funcs[prog.func_index(func).expect("function") as usize].clone();
        let live = live_after(&f, &prog.funcs);
        (f, live)
    }

    #[test]
    fn a_call_keeps_only_what_is_read_after_it() {
        // fib: after the first call r0 (n, for the second) and r1 (its
        // result); after the second r1 and r2. (Through `g`, so neither
        // is a leaf nor calls itself: the calls are not inlined.)
        let (f, live) = live("fib n:n>n;<=n 1 n;a=g -n 1;b=g -n 2;+a b\ng n:n>n;fib n", "fib");
        let calls: Vec<usize> = (0..f.code.len())
            .filter(|&pc| decode_reg(f.code[pc]).is_some_and(|i| i.op.info().call))
            .collect();
        assert_eq!(calls.len(), 2);
        assert_eq!(live[calls[0]], 0b011);
        assert_eq!(live[calls[1]], 0b110);
    }

    #[test]
    fn a_loop_keeps_its_variables_live_around_the_back_edge() {
        // numeric: s (r1), i (r2) and n (r0) are live through the body.
        let (f, live) = live("f n:n>n;s=0;i=1;wh <=i n{s=+s i;i=+i 1};s", "f");
        let body = (0..f.code.len())
            .find(|&pc| decode_reg(f.code[pc]).is_some_and(|i| i.op.name() == "ADD_NN"))
            .expect("the body's add");
        assert_eq!(live[body] & 0b111, 0b111);
    }

    #[test]
    fn a_value_kept_across_two_calls_is_stored_once() {
        // r0 (n) is kept across both calls: stored before the first, still
        // in its home at the second, which stores only r1 (the first
        // result). A write to r0 would take it out of its home.
        let calls_of = |f: &RegFunc| -> Vec<usize> {
            (0..f.code.len())
                .filter(|&pc| decode_reg(f.code[pc]).is_some_and(|i| i.op.info().call))
                .collect()
        };
        let src = "fib n:n>n;<=n 1 n;a=g -n 1;b=g -n 2;+a b\ng n:n>n;fib n";
        let prog = compile(&check(src).expect("valid")).expect("compiles");
        let f = &prog.funcs[prog.func_index("fib").expect("fib") as usize];
        let after = live_after(f, &prog.funcs);
        let saved = |pc: usize| after[pc] & !(1 << decode_reg(f.code[pc]).map_or(63, |i| i.a));
        let homed = homed_before(f, &prog.funcs, saved);
        let calls = calls_of(f);
        assert_eq!(homed[calls[0]], 0);
        assert_eq!(homed[calls[1]], 0b001);
        let src = "f n:n>n;a=g n;n=+n 1;b=g n;+a b\ng n:n>n;f n";
        let prog = compile(&check(src).expect("valid")).expect("compiles");
        let f = &prog.funcs[prog.func_index("f").expect("f") as usize];
        let homed = homed_before(f, &prog.funcs, |_| 0b001);
        assert_eq!(homed[calls_of(f)[1]] & 0b001, 0, "n was written between the calls");
    }
}
