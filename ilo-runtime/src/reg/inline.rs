//! Inlining, the last step of compiling to register code: a `CALL` of a
//! function that calls nothing becomes its body, so `i>>dbl>>inc` or a
//! guard chain called in a loop costs no call, no saved registers and no
//! return, on the register VM and in every JIT (which compile this code);
//! and a small recursive function has its own calls replaced by its body a
//! few levels deep (`fib`'s two calls become two bodies, whose four calls
//! become four…), so a native recursion makes a fraction of the calls.
//!
//! The body runs in the caller's registers from the call window `a` up,
//! exactly where the register VM puts the callee's frame (so whatever the
//! caller keeps below `a` is untouched, and what lies above it is dead after
//! the call, as after a real one). A leaf's body starts with `ENTERL`,
//! which checks the depth limit and counts the step a call's entry would; a
//! body that calls on is between `ENTERI`, which takes the call level too
//! (a call inside the body sees the depth it would under a real call), and
//! `LEAVEI`, which gives it back. Each return becomes a copy of the result
//! into `a` and a jump past the body. Limits and results are the same as
//! with the call; `--emit bytecode` shows this code, as it is what runs.
//!
//! A call left (of a function too big to inline, or the calls a recursive
//! function's innermost inlined level makes) runs its callee's opening
//! guard in place when the guard returns a parameter or a constant (`fib`'s
//! `<=n 1 n`): when it holds, an `ENTERL` counts the call and the result is
//! copied into the window, and only otherwise is the call made (where the
//! callee tests the guard again). In `fib` 20 that is 42 % of the calls
//! left.
//!
//! Operands are renumbered by their kinds in the table: registers by `a`,
//! constants by where the callee's pool lands in the caller's, jumps by
//! where their targets land.

use crate::isa::codec::{encode_abc, encode_abx, encode_asbx, reg_form, RegForm};
use crate::isa::{decode_reg, RegIns, RegOp};
use crate::reg::RegFunc;

/// Registers an inlined body may reach: the fewest a target keeps in
/// float registers (x86-64's xmm0-xmm14), so inlining never makes a
/// function too big for a JIT.
pub const MAX_REGS: usize = 15;
/// Longest callee body inlined, in words.
pub const MAX_BODY: usize = 48;
/// Longest caller grown by inlining, in words.
pub const MAX_CALLER: usize = 4096;
/// Longest recursive function inlined into itself, in words, and how many
/// levels deep: each level doubles the calls of `fib`'s kind of body, so
/// the code grows with 2^levels, and the calls left are about a 1/2^levels
/// share of the calls made before.
pub const MAX_RECURSIVE_BODY: usize = 24;
pub const RECURSIVE_LEVELS: usize = 3;
/// Longest a recursive function grows to by inlining itself, in words.
pub const MAX_RECURSIVE: usize = 512;

/// How a call is replaced by the callee's body.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Inline {
    /// A leaf's body after an `ENTERL`, which runs of leaves share.
    Leaf,
    /// A body that calls on, between `ENTERI` and `LEAVEI`.
    Level,
    /// The callee's opening guard, then the call only when it fails.
    Guard,
}

/// `funcs` with each call of an inlinable leaf replaced by its body, then
/// each small recursive function's calls of itself replaced by its body
/// [`RECURSIVE_LEVELS`] deep. Once is all it does: a function with a leaf
/// inlined is no leaf (its `ENTERL` checks one call level, not two), and
/// one with `ENTERI` is not inlined into itself again.
pub fn inline_leaves(funcs: &[RegFunc]) -> Vec<RegFunc> {
    let leaf: Vec<bool> = funcs.iter().map(is_inlinable_leaf).collect();
    let leafed: Vec<RegFunc> = funcs
        .iter()
        .map(|f| {
            let pick =
                |g: usize| (leaf.get(g).copied().unwrap_or(false) && funcs[g].name != f.name).then_some(Inline::Leaf);
            expand(f, funcs, pick, MAX_CALLER).unwrap_or_else(|| f.clone())
        })
        .collect();
    let levelled: Vec<RegFunc> = leafed
        .iter()
        .enumerate()
        .map(|(i, f)| inline_into_itself(i, &leafed).unwrap_or_else(|| f.clone()))
        .collect();
    let guarded: Vec<bool> = levelled.iter().map(|g| leading_guard(g).is_some()).collect();
    levelled
        .iter()
        .map(|f| {
            let pick = |g: usize| guarded.get(g).copied().unwrap_or(false).then_some(Inline::Guard);
            expand(f, &levelled, pick, MAX_CALLER).unwrap_or_else(|| f.clone())
        })
        .collect()
}

/// A function's opening guard that returns a parameter or a constant: a
/// compare-and-branch of parameters and constants that cannot fail (its
/// `JMP` word jumping on past the return), then the return.
struct Guard {
    test: RegIns,
    test_word: u32,
    jump_word: u32,
    ret: Returned,
}

fn leading_guard(g: &RegFunc) -> Option<Guard> {
    let (&test_word, &jump_word, &ret_word) = (g.code.first()?, g.code.get(1)?, g.code.get(2)?);
    let test = decode_reg(test_word)?;
    let info = test.op.info();
    if !crate::isa::takes_jump_word(test.op) || info.may_fail || info.call {
        return None;
    }
    let reads_params_only = info.operands.iter().all(|&(name, kind)| match kind {
        "reg" | "reg_n" => crate::isa::operand(&test, name) < g.nparams,
        "const" | "const_n" | "jump" => true,
        _ => false,
    });
    let jump = decode_reg(jump_word)?;
    let past_return = jump.op == RegOp::JMP && jump_target(&g.code, 1, &jump).is_some_and(|t| t > 2);
    let ret_ins = decode_reg(ret_word)?;
    let ret = return_of(&ret_ins).filter(|_| ret_ins.op.info().ret)?;
    let returns_param = match ret {
        Returned::Reg(r) => r < g.nparams,
        Returned::Const(_) => true,
    };
    (reads_params_only && past_return && returns_param).then_some(Guard {
        test,
        test_word,
        jump_word,
        ret,
    })
}

/// Function `i` of `funcs` with its calls of itself replaced by its body,
/// level after level while the registers and [`MAX_RECURSIVE`] allow, or
/// `None` when it is not a small recursive function.
fn inline_into_itself(i: usize, funcs: &[RegFunc]) -> Option<RegFunc> {
    let g = &funcs[i];
    let calls_itself = g
        .code
        .iter()
        .any(|&w| decode_reg(w).is_some_and(|ins| ins.op == RegOp::CALL && ins.bx as usize == i));
    if !calls_itself || g.code.len() > MAX_RECURSIVE_BODY || !has_plain_returns(g) {
        return None;
    }
    if g.code
        .iter()
        .any(|&w| decode_reg(w).is_some_and(|ins| ins.op == RegOp::ENTERI))
    {
        return None;
    }
    let pick = |callee: usize| (callee == i).then_some(Inline::Level);
    // Each pass replaces the calls the last one laid out (the body inlined
    // is always the original, whose calls are real).
    let mut f = expand(g, funcs, pick, MAX_RECURSIVE)?;
    for _ in 1..RECURSIVE_LEVELS {
        match expand(&f, funcs, pick, MAX_RECURSIVE) {
            Some(deeper) => f = deeper,
            None => break,
        }
    }
    Some(f)
}

/// Every return of `f` is a `RET`/`RETK` of a register or a constant.
fn has_plain_returns(f: &RegFunc) -> bool {
    f.code
        .iter()
        .all(|&w| decode_reg(w).is_some_and(|ins| !ins.op.info().ret || return_of(&ins).is_some()))
}

/// Calls nothing, has no body inlined (no `ENTERL`/`ENTERI`), is short,
/// and returns only by `RET`/`RETK` (a register or a constant): its body
/// can stand in for a call.
fn is_inlinable_leaf(f: &RegFunc) -> bool {
    f.code.len() <= MAX_BODY
        && has_plain_returns(f)
        && f.code.iter().all(|w| {
            decode_reg(*w).is_some_and(|ins| !ins.op.info().call && !matches!(ins.op, RegOp::ENTERL | RegOp::ENTERI))
        })
}

/// What a return op returns: a register or a constant.
#[derive(Clone, Copy)]
enum Returned {
    Reg(usize),
    Const(usize),
}

fn return_of(ins: &RegIns) -> Option<Returned> {
    match ins.op.info().operands {
        [("a", "reg" | "reg_n")] => Some(Returned::Reg(ins.a as usize)),
        [("a", "const" | "const_n")] => Some(Returned::Const(ins.a as usize)),
        _ => None,
    }
}

/// Where a jump of the new code goes.
#[derive(Clone, Copy)]
enum Target {
    /// An instruction of the caller, by its old pc.
    Caller(usize),
    /// An instruction of the new code, by index.
    New(usize),
    /// An instruction of the inlined body being laid out, by its pc there.
    Body { pc: usize },
}

/// A word of the new code, and where its `sbx` jumps, if it does.
struct Word {
    word: u32,
    jump: Option<Target>,
}

fn jump_target(code: &[u32], pc: usize, ins: &RegIns) -> Option<usize> {
    let jumps = ins.op.info().operands.iter().any(|(n, k)| *n == "sbx" && *k == "jump");
    jumps
        .then(|| (pc as isize + 1 + ins.sbx as isize) as usize)
        .filter(|&t| t <= code.len())
}

/// `f` with the calls `pick` chooses inlined, or `None` when nothing
/// changes or something does not fit (an operand past 8 bits, a body past
/// the registers, code past `max_len` words).
fn expand(f: &RegFunc, funcs: &[RegFunc], pick: impl Fn(usize) -> Option<Inline>, max_len: usize) -> Option<RegFunc> {
    let mut out: Vec<Word> = Vec::new();
    let mut at_old: Vec<usize> = Vec::with_capacity(f.code.len() + 1);
    let mut consts = f.consts.clone();
    let mut nregs = f.nregs;
    let mut changed = false;
    let mut inlined = f.inlined.clone();
    let targets = jump_targets(&f.code);
    // The `ENTERL` that the next inlined leaf's entry may join: none past
    // a jump target or an op that may fail, branch or call.
    let mut open: Option<usize> = None;
    for (pc, &word) in f.code.iter().enumerate() {
        at_old.push(out.len());
        let ins = decode_reg(word)?;
        if targets.get(pc).copied().unwrap_or(true) {
            open = None;
        }
        let how = (ins.op == RegOp::CALL)
            .then_some(ins.bx as usize)
            .filter(|&g| g < funcs.len())
            .and_then(|g| Some((g, pick(g)?)));
        if let Some((gi, how)) = how {
            let g = &funcs[gi];
            let a = ins.a as usize;
            let laid_out = match how {
                // The guard reads only the call's own arguments: no
                // register limit.
                Inline::Guard => {
                    open = None;
                    !guarded_before(&f.code, pc) && guard(&mut out, g, word, &mut consts).is_some()
                }
                _ if a + g.nregs > MAX_REGS || g.nslots > 0 || consts.len() + g.consts.len() > 256 => false,
                Inline::Leaf | Inline::Level => {
                    nregs = nregs.max(a + g.nregs);
                    let kmap = merge_pool(&mut consts, &g.consts);
                    if how == Inline::Leaf {
                        enter(&mut out, &mut open);
                        body(&mut out, g, a, &kmap)?;
                        if !is_quiet(g) {
                            open = None;
                        }
                        if !inlined.contains(&(gi as u32)) {
                            inlined.push(gi as u32);
                        }
                    } else {
                        out.push(Word {
                            word: encode_abc(RegOp::ENTERI, 0, 0, 0),
                            jump: None,
                        });
                        body(&mut out, g, a, &kmap)?;
                        out.push(Word {
                            word: encode_abc(RegOp::LEAVEI, 0, 0, 0),
                            jump: None,
                        });
                        open = None;
                    }
                    true
                }
            };
            if !laid_out {
                out.push(Word { word, jump: None });
                open = None;
            }
            changed |= laid_out;
            continue;
        }
        if !is_quiet_op(&ins) {
            open = None;
        }
        let jump = jump_target(&f.code, pc, &ins).map(Target::Caller);
        out.push(Word { word, jump });
    }
    at_old.push(out.len());
    if !changed || out.len() > max_len {
        return None;
    }
    // Offsets from where each jump ends up to where its target does.
    let mut code = Vec::with_capacity(out.len());
    for (i, w) in out.iter().enumerate() {
        let to = match w.jump {
            None => {
                code.push(w.word);
                continue;
            }
            Some(Target::Caller(pc)) => *at_old.get(pc)?,
            Some(Target::New(i)) => i,
            Some(Target::Body { .. }) => return None,
        };
        let offset = i16::try_from(to as isize - (i as isize + 1)).ok()?;
        code.push((w.word & 0xffff) | ((offset as u16 as u32) << 16));
    }
    Some(RegFunc {
        name: f.name.clone(),
        nparams: f.nparams,
        nregs,
        nslots: f.nslots,
        code,
        consts,
        scalar: f.scalar,
        inlined,
    })
}

/// A `CALL` (`call`) of `g` at its window `a`, with `g`'s opening guard in
/// front: the guard's test jumps to the call as in `g` it jumps past the
/// return; where it does not, an `ENTERL` counts the call's entry and the
/// returned value is copied into the window. The guard is pure, so testing
/// it before the entry's checks stops a run with the same error.
fn guard(out: &mut Vec<Word>, g: &RegFunc, call: u32, consts: &mut Vec<crate::value::Value>) -> Option<()> {
    let Guard {
        test,
        test_word,
        jump_word,
        ret,
    } = leading_guard(g)?;
    let a = decode_reg(call)?.a as usize;
    // Only the constants the guard reads join the caller's pool (the
    // callee's others stay its own), and only once the guard fits.
    let mut pool = consts.clone();
    let mut kmap = vec![usize::MAX; g.consts.len()];
    let read = test
        .op
        .info()
        .operands
        .iter()
        .filter(|(_, kind)| matches!(*kind, "const" | "const_n"));
    let read = read.map(|&(name, _)| crate::isa::operand(&test, name));
    let returned = match ret {
        Returned::Const(k) => Some(k),
        Returned::Reg(_) => None,
    };
    for k in read.chain(returned) {
        *kmap.get_mut(k)? = merge_pool(&mut pool, std::slice::from_ref(g.consts.get(k)?))[0];
    }
    if pool.len() > 256 {
        return None;
    }
    let copy = match ret {
        Returned::Reg(0) => None,
        Returned::Reg(r) => Some(encode_abc(RegOp::MOV, a as u8, u8::try_from(a + r).ok()?, 0)),
        Returned::Const(k) => Some(encode_abx(RegOp::LOADK, a as u8, u16::try_from(*kmap.get(k)?).ok()?)),
    };
    let test_word = renumber(&test, test_word, a, &kmap)?;
    *consts = pool;
    let start = out.len();
    // test, its jump word, ENTERL, [copy], JMP past the call, CALL
    let call_at = start + 4 + usize::from(copy.is_some());
    out.push(Word {
        word: test_word,
        jump: None,
    });
    out.push(Word {
        word: jump_word,
        jump: Some(Target::New(call_at)),
    });
    out.push(Word {
        word: encode_abx(RegOp::ENTERL, 0, 1),
        jump: None,
    });
    if let Some(word) = copy {
        out.push(Word { word, jump: None });
    }
    out.push(Word {
        word: encode_asbx(RegOp::JMP, 0, 0),
        jump: Some(Target::New(call_at + 1)),
    });
    out.push(Word { word: call, jump: None });
    Some(())
}

/// The `CALL` at `pc` already has a guard in front: the `JMP` over it
/// that ends the guard's return path (so a second pass changes nothing).
fn guarded_before(code: &[u32], pc: usize) -> bool {
    let prev = pc.checked_sub(1).and_then(|p| decode_reg(code[p]));
    prev.is_some_and(|p| p.op == RegOp::JMP && p.sbx == 1)
}

/// An inlined body's entry: one more call for the open `ENTERL`, or a new
/// one. Between the first entry of a run and the last nothing can fail or
/// jump, so checking the depth once and taking the steps together stops a
/// run with the same error as one entry at a time (depth does not change
/// in between, and a step error is the same error wherever it falls).
fn enter(out: &mut Vec<Word>, open: &mut Option<usize>) {
    if let Some(i) = *open {
        if let Some(ins) = decode_reg(out[i].word).filter(|ins| ins.bx < 255) {
            out[i].word = encode_abx(RegOp::ENTERL, 0, ins.bx + 1);
            return;
        }
    }
    *open = Some(out.len());
    out.push(Word {
        word: encode_abx(RegOp::ENTERL, 0, 1),
        jump: None,
    });
}

/// Nothing in `ins` can fail, jump, call or return.
fn is_quiet_op(ins: &RegIns) -> bool {
    let info = ins.op.info();
    !(info.may_fail || info.branch || info.call || info.ret)
}

/// `g`'s body, inlined, is straight-line code that cannot fail: an `ENTERL`
/// before it may also count the entry of the leaf after it.
fn is_quiet(g: &RegFunc) -> bool {
    let Some((_, rest)) = g.code.split_last() else {
        return false;
    };
    rest.iter().all(|&w| decode_reg(w).is_some_and(|ins| is_quiet_op(&ins)))
}

/// Which pcs of `code` some jump lands on (and the end).
fn jump_targets(code: &[u32]) -> Vec<bool> {
    let mut at = vec![false; code.len() + 1];
    for (pc, &w) in code.iter().enumerate() {
        if let Some(t) = decode_reg(w).and_then(|ins| jump_target(code, pc, &ins)) {
            at[t] = true;
        }
    }
    at
}

/// `consts` with `more` added, each constant once: where each of `more`
/// is in the pool. (A recursive function inlined into itself brings the
/// same constants at every level.)
fn merge_pool(consts: &mut Vec<crate::value::Value>, more: &[crate::value::Value]) -> Vec<usize> {
    more.iter()
        .map(|k| match consts.iter().position(|c| c.bits() == k.bits()) {
            Some(i) => i,
            None => {
                consts.push(*k);
                consts.len() - 1
            }
        })
        .collect()
}

/// Appends `g`'s body for a call at window `a`, its constants at `kmap`
/// (after its `ENTERL`): the body renumbered (a compare-and-branch's JMP
/// word is a jump of the body like any other), each return a copy into
/// `a` and a jump past the body.
fn body(out: &mut Vec<Word>, g: &RegFunc, a: usize, kmap: &[usize]) -> Option<()> {
    let start = out.len();
    let fold = result_into_window(g);
    let body_targets = jump_targets(&g.code);
    // Each return's words: a copy (unless the result is in `a` already)
    // and a jump to the end, which is known once the body is laid out.
    let mut at_pc: Vec<usize> = Vec::with_capacity(g.code.len() + 1);
    let mut ends: Vec<usize> = Vec::new();
    for (pc, &word) in g.code.iter().enumerate() {
        at_pc.push(out.len());
        let ins = decode_reg(word)?;
        if let (true, Some(r)) = (ins.op.info().ret, return_of(&ins)) {
            let copy = match r {
                Returned::Reg(0) => None,
                Returned::Reg(_) if fold.is_some() && pc + 1 == g.code.len() => None,
                Returned::Reg(r) => Some(encode_abc(RegOp::MOV, a as u8, u8::try_from(a + r).ok()?, 0)),
                Returned::Const(k) => Some(encode_abx(RegOp::LOADK, a as u8, u16::try_from(*kmap.get(k)?).ok()?)),
            };
            if let Some(word) = copy {
                out.push(Word { word, jump: None });
            }
            // The last return falls through to what follows the body.
            if pc + 1 == g.code.len() {
                continue;
            }
            // `<=n 1 n`'s `LEKJF_N …, past; RET` would become a jump over
            // a jump to the end: the negated branch jumps to the end and
            // falls through past, with one word less.
            if copy.is_none() && !body_targets[pc] {
                if let Some(i) = invertible_skip(out, start, pc) {
                    ends.push(i);
                    continue;
                }
            }
            ends.push(out.len());
            out.push(Word {
                word: encode_asbx(RegOp::JMP, 0, 0),
                jump: None,
            });
            continue;
        }
        let jump = jump_target(&g.code, pc, &ins).map(|t| Target::Body { pc: t });
        let (ins, word) = match fold {
            Some(at) if at == pc => {
                let word = with_a(&ins, word, 0)?;
                (decode_reg(word)?, word)
            }
            _ => (ins, word),
        };
        out.push(Word {
            word: renumber(&ins, word, a, kmap)?,
            jump,
        });
    }
    at_pc.push(out.len());
    let end = out.len();
    for i in ends {
        out[i].jump = Some(Target::New(end));
    }
    // The body's own jumps, now that its layout is known.
    for w in &mut out[start..end] {
        if let Some(Target::Body { pc }) = w.jump {
            w.jump = Some(Target::New(*at_pc.get(pc)?));
        }
    }
    Some(())
}

/// When the last words laid out (from `start` on) are a compare-and-branch
/// and its `JMP` word jumping past the return at `pc` (to the body's
/// `pc + 1`), and the branch has a negation: the branch negated, and the
/// index of its `JMP` word, which the caller points at the body's end.
fn invertible_skip(out: &mut [Word], start: usize, pc: usize) -> Option<usize> {
    let j = out.len().checked_sub(1).filter(|&j| j > start)?;
    let branch = decode_reg(out[j - 1].word).filter(|ins| crate::isa::takes_jump_word(ins.op))?;
    if !matches!(out[j].jump, Some(Target::Body { pc: t }) if t == pc + 1) {
        return None;
    }
    let negated = negation(branch.op)?;
    out[j - 1].word = (out[j - 1].word & !0xff) | u32::from(negated as u8);
    Some(j)
}

/// The compare-and-branch that jumps exactly when `op` does not: the
/// table composes both from one compare, with `JMPF` (`…JF…`) and with
/// `JMPT` (`…JT…`).
fn negation(op: RegOp) -> Option<RegOp> {
    let name = op.name();
    let twin = if name.contains("JF") {
        name.replacen("JF", "JT", 1)
    } else {
        name.replacen("JT", "JF", 1)
    };
    RegOp::from_name(&twin).filter(|t| *t != op && crate::isa::takes_jump_word(*t))
}

/// In a body that ends `OP rN, …; RET rN`, where no jump lands on that
/// `RET`, the pc of that `OP`: it can write the result straight into the
/// window's `a`, so no copy follows (`dbl`'s `MULK_N r1, r0, K; RET r1`
/// becomes one `MULK_N a, a, K`; the templates allow a destination that is
/// an input). Only that path changes: the `RET` is reached from the `OP`
/// alone, and the body's other returns keep their copies.
fn result_into_window(g: &RegFunc) -> Option<usize> {
    let code: Vec<RegIns> = g.code.iter().map(|w| decode_reg(*w)).collect::<Option<_>>()?;
    let (last, rest) = code.split_last()?;
    let Returned::Reg(r) = return_of(last)? else {
        return None;
    };
    let lands_on_last = jump_targets(&g.code).get(rest.len()).copied().unwrap_or(true);
    let before = rest.last()?;
    let writes_r = before
        .op
        .info()
        .operands
        .iter()
        .any(|&(name, kind)| name == "a" && matches!(kind, "dst" | "dst_n"))
        && before.a as usize == r;
    (r != 0 && !lands_on_last && writes_r && !before.op.info().branch).then_some(rest.len() - 1)
}

/// `word` with its `a` field set to `a`.
fn with_a(ins: &RegIns, word: u32, a: u8) -> Option<u32> {
    Some(match reg_form(ins.op) {
        RegForm::Abc => encode_abc(ins.op, a, ins.b, ins.c),
        RegForm::ABx => encode_abx(ins.op, a, ins.bx),
        RegForm::AsBx => (word & !0xff00) | (u32::from(a) << 8),
    })
}

/// `word` with its register operands moved up by `a` and its constants by
/// `kmap`, by the kinds the table gives them.
fn renumber(ins: &RegIns, word: u32, a: usize, kmap: &[usize]) -> Option<u32> {
    let mut fields = [ins.a as usize, ins.b as usize, ins.c as usize, ins.bx as usize];
    for &(name, kind) in ins.op.info().operands {
        let slot = match name {
            "a" => 0,
            "b" => 1,
            "c" => 2,
            "bx" => 3,
            _ => continue,
        };
        match kind {
            "reg" | "reg_n" | "dst" | "dst_n" | "base" => fields[slot] += a,
            "const" | "const_n" => fields[slot] = *kmap.get(fields[slot])?,
            _ => {}
        }
    }
    let [fa, fb, fc, fbx] = fields;
    let op = ins.op;
    let fits8 = |x: usize| u8::try_from(x).ok();
    Some(match reg_form(op) {
        RegForm::Abc => encode_abc(op, fits8(fa)?, fits8(fb)?, fits8(fc)?),
        RegForm::ABx => encode_abx(op, fits8(fa)?, u16::try_from(fbx).ok()?),
        RegForm::AsBx => (word & !0xff00) | (u32::from(fits8(fa)?) << 8),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::front::check;
    use crate::reg::compile;

    /// `func`'s code as compiled (with its leaves inlined), after checking
    /// that a second pass changes nothing.
    fn inlined(src: &str, func: &str) -> Vec<RegIns> {
        let prog = compile(&check(src).expect("valid")).expect("compiles");
        let again = inline_leaves(&prog.funcs);
        for (f, g) in prog.funcs.iter().zip(&again) {
            assert_eq!(f.code, g.code, "a second pass changed `{}`", f.name);
        }
        let f = &prog.funcs[prog.func_index(func).expect("function") as usize];
        f.code.iter().map(|w| decode_reg(*w).expect("decodes")).collect()
    }

    fn ops(code: &[RegIns]) -> Vec<RegOp> {
        code.iter().map(|i| i.op).collect()
    }

    #[test]
    fn leaves_in_a_row_share_one_entry_and_write_their_result_in_place() {
        let code = inlined("dbl x:n>n;*x 2\ninc x:n>n;+x 1\nf x:n>n;x>>dbl>>inc>>dbl>>inc", "f");
        let enters: Vec<u16> = code.iter().filter(|i| i.op == RegOp::ENTERL).map(|i| i.bx).collect();
        assert_eq!(enters, vec![4], "{:?}", ops(&code));
        // No copy of a body's result into the window: each op writes it.
        assert!(
            !code.iter().any(|i| i.op == RegOp::MOV && i.a != i.b && i.b > i.a),
            "{:?}",
            ops(&code)
        );
        assert_eq!(code.iter().filter(|i| i.op == RegOp::MULK_N).count(), 2);
    }

    #[test]
    fn an_entry_is_not_shared_across_what_may_fail_or_jump() {
        // `mod` may fail between the two calls; a guard jumps.
        let code = inlined("dbl x:n>n;*x 2\nf x:n>n;a=dbl x;b=mod a 3;dbl b", "f");
        let enters: Vec<u16> = code.iter().filter(|i| i.op == RegOp::ENTERL).map(|i| i.bx).collect();
        assert_eq!(enters, vec![1, 1], "{:?}", ops(&code));
        let code = inlined("dbl x:n>n;*x 2\nf x:n>n;a=dbl x;>a 5{ret a};dbl a", "f");
        let enters: Vec<u16> = code.iter().filter(|i| i.op == RegOp::ENTERL).map(|i| i.bx).collect();
        assert_eq!(enters, vec![1, 1], "{:?}", ops(&code));
    }

    #[test]
    fn a_small_recursive_function_is_inlined_into_itself_levels_deep() {
        let code = inlined("fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b", "fib");
        let count = |op| code.iter().filter(|i| i.op == op).count();
        // 2 + 4 + 8 bodies, each entered and left once; 16 real calls.
        let bodies: usize = (1..=RECURSIVE_LEVELS).map(|l| 1 << l).sum();
        assert_eq!(count(RegOp::ENTERI), bodies, "{:?}", ops(&code));
        assert_eq!(count(RegOp::LEAVEI), bodies);
        assert_eq!(count(RegOp::CALL), 2 << RECURSIVE_LEVELS);
        // Each body's `<=n 1 n` jumps straight to the body's end (the
        // negated branch), not over a jump there.
        assert_eq!(count(RegOp::LEKJT_N), bodies);
        // The function's own keeps its return; each real call has the
        // guard in front (an `ENTERL` where it holds).
        assert_eq!(count(RegOp::LEKJF_N), 1 + (2 << RECURSIVE_LEVELS));
        assert_eq!(count(RegOp::ENTERL), 2 << RECURSIVE_LEVELS);
        // The constants are pooled once, not per level.
        let prog = compile(&check("fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b").expect("valid")).expect("compiles");
        assert_eq!(prog.funcs[0].consts.len(), 2);
    }

    #[test]
    fn a_call_tests_its_callees_opening_guard_in_place() {
        // `big` is no leaf (it calls `dbl`), so its calls stay calls, each
        // behind `<n 1 7`: test, its jump word to the call, ENTERL, the
        // constant into the window, a jump past the call, the call.
        let src = "dbl x:n>n;*x 2\nbig n:n>n;<n 1 7;a=dbl n;+a 3\ngo n:n>n;a=big n;b=big -n 1;+a b";
        let code = inlined(src, "go");
        let calls: Vec<usize> = (0..code.len()).filter(|&i| code[i].op == RegOp::CALL).collect();
        assert_eq!(calls.len(), 2, "{:?}", ops(&code));
        for &c in &calls {
            let at = c - 5;
            assert_eq!(
                ops(&code[at..=c]),
                [
                    RegOp::LTKJF_N,
                    RegOp::JMP,
                    RegOp::ENTERL,
                    RegOp::LOADK,
                    RegOp::JMP,
                    RegOp::CALL
                ]
            );
            assert_eq!(code[at].b, code[c].a, "the guard tests the call's argument");
            assert_eq!((code[at + 1].sbx, code[at + 4].sbx), (3, 1));
        }
        // Only the guard's constants (1 and 7) join `go`'s pool, not the
        // rest of `big`'s (3, and `dbl`'s 2).
        let prog = compile(&check(src).expect("valid")).expect("compiles");
        let go = &prog.funcs[prog.func_index("go").expect("go") as usize];
        let pooled: Vec<f64> = go.consts.iter().filter_map(|k| k.to_num()).collect();
        assert!(
            pooled.contains(&7.0) && !pooled.contains(&3.0) && !pooled.contains(&2.0),
            "{pooled:?}"
        );
        // A guard that returns something else than a parameter or a
        // constant, or one that is not first, is not run in place.
        for src in [
            "dbl x:n>n;*x 2\nbig n:n>n;<n 1 *n 2;a=dbl n;+a 3\ngo n:n>n;big n",
            "dbl x:n>n;*x 2\nbig n:n>n;m=*n 2;<m 1 m;a=dbl n;+a 3\ngo n:n>n;big n",
        ] {
            let code = inlined(src, "go");
            assert!(!code.iter().any(|i| i.op == RegOp::ENTERL), "{src}: {:?}", ops(&code));
        }
    }

    #[test]
    fn a_branch_and_its_negation_are_twins_in_the_table() {
        for op in [RegOp::LEKJF_N, RegOp::LTJF_NN, RegOp::GEKJT_N] {
            let twin = negation(op).expect("has a negation");
            assert_eq!(negation(twin), Some(op));
            assert_eq!(op.info().operands, twin.info().operands);
        }
        // No `JMPT` form of `==`: not inverted.
        assert_eq!(negation(RegOp::EQKJF_N), None);
    }
}
