//! `jit_<target>.rs`: one dynasm lowering per register-VM opcode that has a
//! template for the target. An opcode without one makes its function
//! ineligible for that JIT, and the runtime falls back to the register VM.

use crate::emit::{decode_expr, raw_index};
use crate::model::{Isa, Kind, RegOp, Slot, Target};
use crate::template;

pub fn emit(isa: &Isa, target: &Target) -> String {
    // (op, its template): the load checked that every lowering expands.
    let lowered: Vec<(&RegOp, String)> = isa
        .reg
        .iter()
        .filter_map(|op| Some((op, crate::cond::lowering(op, target).ok().flatten()?)))
        .collect();
    let mut s = format!(
        "#[allow(unused_imports)]\nuse dynasmrt::{{dynasm, DynasmApi, DynasmLabelApi}};\n\
         /// The assembler this target lowers into.\n\
         pub(crate) type Asm = dynasmrt::VecAssembler<dynasmrt::{arch}::{reloc}>;\n\
         /// Register-VM opcodes with a {name} lowering.\n\
         pub(crate) const LOWERED: &[RegOp] = &[{list}];\n\
         /// Appends the machine code for the register-VM word `ins` at `pc`\n\
         /// (`next` is the word after it: a compare-and-branch's JMP).\n\
         #[allow(unused_variables, clippy::unnecessary_cast, clippy::identity_op)]\n\
         pub(crate) fn lower(ops: &mut Asm, pc: usize, ins: u32, next: u32, cx: &LowerCx<'_>) -> Result<(), Unsupported> {{\n\
         match (ins & 0xff) as u8 {{\n",
        arch = target.arch,
        reloc = reloc_type(&target.arch),
        name = target.name,
        list = lowered
            .iter()
            .map(|(o, _)| format!("RegOp::{}", o.name))
            .collect::<Vec<_>>()
            .join(", "),
    );
    for (op, template) in &lowered {
        s += &arm(op, template, target);
    }
    s.push_str("other => Err(Unsupported::Opcode(other)),\n}\n}\n");
    s
}

fn reloc_type(arch: &str) -> &'static str {
    match arch {
        "aarch64" => "Aarch64Relocation",
        _ => "X64Relocation",
    }
}

fn arm(op: &RegOp, template: &str, target: &Target) -> String {
    let mut s = format!("rop::{} => {{\n", op.name);
    // A register operand is bound to a float register: its own, or (in a
    // function with more VM registers than float registers) a temp of its
    // position, loaded from its slot when read and stored back after the
    // template when written.
    let temp = |slot: Slot| match slot {
        Slot::A => 0,
        Slot::B => 1,
        _ => 2,
    };
    let mut write_backs = Vec::new();
    // The number 1 in the pool (a range's step), read in place.
    if template.contains("{one.at}") {
        s += "let o_one_at = cx.bits_label(ops, 1f64.to_bits() as i64);\n";
    }
    for o in &op.operands {
        let idx = decode_expr(o.slot);
        // Prefixed so that no operand reads as a machine register (`bx`!).
        let name = format!("o_{}", o.slot.name());
        let t = temp(o.slot);
        s += &match o.kind {
            k if k.is_dst() => {
                write_backs.push(format!("abi::write_reg(ops, cx, pc, {idx}, {name})?;\n"));
                format!("let {name}: u8 = cx.dst_reg({idx}, {t})?;\n")
            }
            k if k.is_register() => format!("let {name}: u8 = abi::read_reg(ops, cx, pc, {idx}, {t})?;\n"),
            // A window's first register (read and written: a call's result,
            // a range's counter), and the one after it (`{a+1}`).
            Kind::Base => {
                write_backs.push(format!("abi::write_reg(ops, cx, pc, {idx}, {name})?;\n"));
                let mut bind = format!("let {name}: u8 = abi::read_reg(ops, cx, pc, {idx}, {t})?;\n");
                if template.contains(&format!("{{{}+1}}", o.slot.name())) {
                    bind += &format!("let {name}_next: u8 = abi::read_reg(ops, cx, pc, {idx} + 1, 1)?;\n");
                }
                bind
            }
            // After the instruction and the JMP word it consumes.
            Kind::Jump if o.slot == Slot::J => {
                format!("let {name} = cx.label((pc as isize + 2 + {idx}) as usize)?;\n")
            }
            // The bits, and (`{c.at}`) the label of the constant in the pool.
            Kind::Const | Kind::ConstN => {
                let mut bind = format!("let {name}: i64 = cx.const_bits({idx})?;\n");
                if template.contains(&format!("{{{}.at}}", o.slot.name())) {
                    bind += &format!("let {name}_at = cx.const_label({idx})?;\n");
                }
                bind
            }
            Kind::Jump => format!("let {name} = cx.label((pc as isize + 1 + {idx}) as usize)?;\n"),
            Kind::Func => format!("let {name} = cx.func_label({idx} as usize)?;\n"),
            _ => format!("let {name} = {idx} as i64;\n"),
        };
    }
    // Instructions go to dynasm in runs; an `@helper(x, …)` item between them
    // is a call into the target's `abi` module (code whose length depends on
    // the function, such as saving its live registers around a call), given
    // the pc and the operands' raw indices (a jump's label).
    let mut run: Vec<String> = Vec::new();
    for item in template.split(';').map(str::trim).filter(|i| !i.is_empty()) {
        if let Some(call) = item.strip_prefix('@') {
            s += &flush(&mut run, target);
            let (name, args) = call.split_once('(').unwrap_or((call, ")"));
            // A jump operand is passed as its label, anything else by its
            // raw index.
            let args = template::substitute(args.trim_end_matches(')'), |name| {
                match op.operands.iter().find(|o| o.slot.name() == name) {
                    Some(o) if o.kind == Kind::Jump => format!("o_{name}"),
                    _ => raw_index(op, name),
                }
            });
            let sep = if args.trim().is_empty() { "" } else { ", " };
            s += &format!("abi::{name}(ops, cx, pc{sep}{args})?;\n");
        } else {
            run.push(template::substitute(item, |name| {
                let kind = op.operands.iter().find(|o| o.slot.name() == name).map(|o| o.kind);
                let next = name.strip_suffix("+1");
                if let Some(base) = next {
                    return format!("{}(o_{base}_next)", target.float_reg);
                }
                if let Some(konst) = name.strip_suffix(".at") {
                    return format!("o_{konst}_at");
                }
                match kind {
                    Some(k) if k.is_register() || k == Kind::Base => format!("{}(o_{name})", target.float_reg),
                    Some(Kind::Jump | Kind::Func) => format!("=>o_{name}"),
                    _ => format!("o_{name}"),
                }
            }));
        }
    }
    s += &flush(&mut run, target);
    for w in write_backs {
        s += &w;
    }
    s += "Ok(())\n}\n";
    s
}

/// One `dynasm!` invocation for the instructions collected so far.
fn flush(run: &mut Vec<String>, target: &Target) -> String {
    if run.is_empty() {
        return String::new();
    }
    let code = run.join(" ; ");
    run.clear();
    format!("dynasm!(ops ; .arch {} ; {code});\n", target.arch)
}
