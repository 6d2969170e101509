//! Superinstructions composed from the table: `NAME = FIRST -> SECOND.slot`
//! in `register.toml`'s `fused` list (CPython's `macro(NAME) = _A + _B`).
//! The generator derives the new op's operands, `sem`, flags, doc and
//! lowerings from its parts, so a fusion is one line and never restates
//! what its parts already say. Two shapes fit:
//!
//! - **constant into an operand**: FIRST loads a constant (`LOADK`); SECOND's
//!   register operand `slot` becomes a constant-pool index of the same kind
//!   (`reg_n` -> `const_n`). Each dynasm lowering reads the constant into
//!   the target's scratch register first (the `const_to_scratch` snippet of
//!   `jit.toml`, from the function's constant pool); a SECOND whose lowering already uses that register does
//!   not fit. The Cranelift lowering is SECOND's, over the constant.
//! - **result into a conditional jump**: SECOND is `JMPF`-like (form AsBx,
//!   `a` a register read, `sbx` a jump); FIRST's destination disappears and
//!   the composed op is followed by a `JMP` word: it jumps by that word's
//!   offset when SECOND would, else skips the word (LuaJIT's compare-then-
//!   `JMP`). A word that is still a `JMP` keeps listings and patching plain.

use crate::model::{Flags, Form, Fusion, GenError, Kind, Operand, RegOp, Slot, Target};
use crate::ssa::Ssa;

/// Parses and composes one `fused` entry against the ops defined so far.
pub fn fused_entry(file: &str, entry: &str, ops: &[RegOp], targets: &[Target]) -> Result<RegOp, GenError> {
    let shape = "write it `NAME = FIRST -> SECOND.slot`";
    let bad = |name: Option<&str>, msg: String| GenError::new(file, name, "fused", msg);
    let (name, rest) = entry
        .split_once('=')
        .ok_or_else(|| bad(None, format!("`{entry}`: {shape}")))?;
    let name = name.trim();
    let (first, second) = rest
        .split_once("->")
        .ok_or_else(|| bad(Some(name), format!("`{entry}`: {shape}")))?;
    let (second, slot) = second.trim().split_once('.').ok_or_else(|| {
        bad(
            Some(name),
            format!("`{entry}`: name SECOND's operand, as in `ADD_NN.c`"),
        )
    })?;
    let find = |n: &str| {
        ops.iter()
            .find(|o| o.name == n)
            .ok_or_else(|| bad(Some(name), format!("opcode `{n}` is not defined above this entry")))
    };
    let first = find(first.trim())?;
    let second = find(second.trim())?;
    let into = Slot::parse(slot.trim())
        .filter(|s| second.operand(*s).is_some())
        .ok_or_else(|| {
            bad(
                Some(name),
                format!("`{}` has no operand `{}`", second.name, slot.trim()),
            )
        })?;
    let fusion = Fusion {
        first: first.name.clone(),
        second: second.name.clone(),
        into,
    };
    let composed = if is_constant_load(first) {
        constant_into(name, first, second, into, targets)
    } else if is_conditional_jump(second) && into == Slot::A {
        result_into_jump(name, first, second)
    } else {
        Err(format!(
            "operands do not fit: `{}` is neither a constant load nor does `{}.{}` take a condition to jump on",
            first.name,
            second.name,
            into.name()
        ))
    };
    let mut op = composed.map_err(|m| bad(Some(name), m))?;
    op.fuses = Some(fusion);
    Ok(op)
}

/// `LOADK`-shaped: writes a constant and reads nothing.
fn is_constant_load(op: &RegOp) -> bool {
    op.operands.len() == 2 && op.dst().is_some() && op.operands.iter().any(|o| o.kind == Kind::Const)
}

/// `JMPF`-shaped: reads register `a`, jumps by `sbx`.
fn is_conditional_jump(op: &RegOp) -> bool {
    op.form == Form::AsBx
        && op.operand(Slot::A).is_some_and(|o| o.kind == Kind::Reg)
        && op.operand(Slot::SBx).is_some_and(|o| o.kind == Kind::Jump)
}

fn base(name: &str, second: &RegOp, doc: String) -> RegOp {
    RegOp {
        name: name.to_string(),
        code: 0,
        doc,
        form: second.form,
        operands: Vec::new(),
        sem: String::new(),
        flags: Flags::default(),
        variant_of: None,
        fuses: None,
        operator: None,
        operation: None,
        line: 0,
        jit: Default::default(),
        cond: Default::default(),
        ssa: None,
    }
}

fn constant_into(name: &str, first: &RegOp, second: &RegOp, into: Slot, targets: &[Target]) -> Result<RegOp, String> {
    let target_operand = second.operand(into).map(|o| o.kind);
    let kind = match target_operand {
        Some(Kind::RegN) => Kind::ConstN,
        Some(Kind::Reg) => Kind::Const,
        _ => {
            return Err(format!(
                "operands do not fit: `{}.{}` is not a register read, so no constant can take its place",
                second.name,
                into.name()
            ))
        }
    };
    if !matches!(into, Slot::A | Slot::B | Slot::C) {
        return Err(format!(
            "operands do not fit: a constant index takes an 8-bit operand (a, b or c), not `{}`",
            into.name()
        ));
    }
    let doc = format!(
        "{}; {} = K[{}] ({} fused into {})",
        second.doc,
        into.name().to_uppercase(),
        into.name().to_uppercase(),
        first.name,
        second.name
    );
    let mut op = base(name, second, doc);
    op.operands = second
        .operands
        .iter()
        .map(|o| Operand {
            slot: o.slot,
            kind: if o.slot == into { kind } else { o.kind },
        })
        .collect();
    op.sem = second.sem.clone();
    // Still commutative at the level of the operation: the compiler may
    // swap `+1 x` into `x + K`.
    op.flags = second.flags.clone();
    let placeholder = format!("{{{}}}", into.name());
    for (target_name, tpl) in &second.jit {
        let Some(target) = targets.iter().find(|t| &t.name == target_name) else {
            continue;
        };
        if tpl.contains(&target.scratch) {
            return Err(format!(
                "operands do not fit: `{}`'s {target_name} lowering already uses the scratch register {}",
                second.name, target.scratch
            ));
        }
        let lowering = match direct_const(target, tpl, &placeholder, into) {
            Some(direct) => direct,
            None => format!(
                "{} ; {}",
                scratch_load(target, into)?,
                tpl.replace(&placeholder, &target.scratch)
            ),
        };
        op.jit.insert(target_name.clone(), lowering);
    }
    for (target_name, cond) in &second.cond {
        let Some(target) = targets.iter().find(|t| &t.name == target_name) else {
            continue;
        };
        if cond.mentions(&target.scratch) {
            return Err(format!(
                "operands do not fit: `{}`'s {target_name} condition already uses the scratch register {}",
                second.name, target.scratch
            ));
        }
        let rewritten = match direct_const(target, &cond.test, &placeholder, into) {
            Some(test) if !cond.yes.contains(&placeholder) && !cond.no.contains(&placeholder) => {
                let mut c = cond.clone();
                c.test = test;
                c
            }
            _ => cond.rewritten(&scratch_load(target, into)?, &placeholder, &target.scratch),
        };
        op.cond.insert(target_name.clone(), rewritten);
    }
    op.ssa = second.ssa.clone();
    Ok(op)
}

/// `tpl` reading constant operand `into` straight from the pool, when it
/// reads it once, as the last operand of an instruction the target takes a
/// memory operand in (`vsubsd {a}, {b}, QWORD [=>K]`): one instruction
/// less than a load into the scratch register.
fn direct_const(target: &Target, tpl: &str, placeholder: &str, into: Slot) -> Option<String> {
    let operand = target.snippets.get("const_operand")?;
    if tpl.matches(placeholder).count() != 1 {
        return None;
    }
    let item = tpl.split(';').map(str::trim).find(|i| i.contains(placeholder))?;
    let mnemonic = item.split_whitespace().next()?;
    let last = item.strip_suffix(placeholder)?.trim_end().ends_with(',');
    (last && target.const_operand_ops.iter().any(|m| m == mnemonic))
        .then(|| tpl.replace(placeholder, &operand.replace("{0}", &format!("{{{}.at}}", into.name()))))
}

/// The instructions putting constant operand `into` in the target's
/// scratch register: from the constant pool when the target has a
/// `const_to_scratch` snippet, else as an immediate (`bits_to_scratch`).
fn scratch_load(target: &Target, into: Slot) -> Result<String, String> {
    let name = into.name();
    match (
        target.snippets.get("const_to_scratch"),
        target.snippets.get("bits_to_scratch"),
    ) {
        (Some(pool), _) => Ok(pool.replace("{0}", &format!("{{{name}.at}}"))),
        (None, Some(bits)) => Ok(bits.replace("{0}", &format!("{{{name}}}"))),
        (None, None) => Err(format!(
            "jit.toml's {} has neither a `const_to_scratch` nor a `bits_to_scratch` snippet",
            target.name
        )),
    }
}

fn result_into_jump(name: &str, first: &RegOp, second: &RegOp) -> Result<RegOp, String> {
    let dst = first
        .dst()
        .filter(|d| d.slot == Slot::A && first.form == Form::Abc)
        .ok_or_else(|| format!("operands do not fit: `{}` writes no register A to jump on", first.name))?;
    if first.operands.iter().any(|o| o.kind == Kind::Jump) || first.flags.ret {
        return Err(format!(
            "operands do not fit: `{}` already changes control flow",
            first.name
        ));
    }
    let doc = format!(
        "{}; then `{}` on it, by the offset of the JMP word that follows ({} fused into {})",
        first.doc, second.name, first.name, second.name
    );
    let mut op = base(name, first, doc);
    op.operands = first.operands.iter().filter(|o| !o.kind.is_dst()).cloned().collect();
    op.operands.push(Operand {
        slot: Slot::J,
        kind: Kind::Jump,
    });
    // SECOND's condition `a` is FIRST's value; its jump offset is `j`.
    let value = match dst.kind {
        Kind::DstN => format!("Value::num({{ {} }})", first.sem),
        _ => format!("{{ {} }}", first.sem),
    };
    op.sem = format!("{{ let a: Value = {value}; let sbx: isize = j; {} }}", second.sem);
    // Natively: SECOND's template, jumping by `j`, its `?yes`/`?no` now
    // testing FIRST's condition (a target where FIRST has none has no
    // lowering for the fusion).
    for (target_name, cond) in &first.cond {
        // A template reading the condition's register other than through
        // `?yes`/`?no` cannot lose it.
        if let Some(tpl) = second.jit.get(target_name).filter(|t| !t.contains("{a}")) {
            op.jit.insert(target_name.clone(), tpl.replace("{sbx}", "{j}"));
            op.cond.insert(target_name.clone(), cond.clone());
        }
    }
    // In SSA: SECOND's jump on FIRST's truth value.
    if let (
        Some(Ssa::Test(test)),
        Some(Ssa::Jump {
            test: Some(_),
            when,
            tick,
            ..
        }),
    ) = (&first.ssa, &second.ssa)
    {
        op.ssa = Some(Ssa::Jump {
            test: Some(test.clone()),
            when: *when,
            tick: *tick,
            target: Slot::J.name().to_string(),
        });
    }
    op.flags = Flags {
        may_fail: first.flags.may_fail || second.flags.may_fail,
        branch: true,
        call: first.flags.call,
        ret: false,
        commutative: false,
    };
    Ok(op)
}
