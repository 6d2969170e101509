//! `jit_cranelift.rs`: one Cranelift lowering per register-VM opcode with a
//! `cranelift` entry in the table. VM registers are Cranelift variables, so
//! the lowering reads and writes them and the frontend builds the SSA form.

use crate::emit::{decode_expr, raw_index};
use crate::model::{Isa, Kind, RegOp};
use crate::template;

pub fn emit(isa: &Isa) -> String {
    let lowered: Vec<&RegOp> = isa.reg.iter().filter(|op| op.cranelift.is_some()).collect();
    let mut s = format!(
        "/// Register-VM opcodes with a Cranelift lowering.\n\
         pub(crate) const LOWERED: &[RegOp] = &[{}];\n\
         /// Emits the Cranelift IR for the register-VM word `ins` at `pc`.\n\
         #[allow(unused_variables)]\n\
         pub(crate) fn lower(cx: &mut ClCx<'_, '_>, pc: usize, ins: u32) -> Result<(), Unsupported> {{\n\
         match (ins & 0xff) as u8 {{\n",
        lowered
            .iter()
            .map(|o| format!("RegOp::{}", o.name))
            .collect::<Vec<_>>()
            .join(", "),
    );
    for op in &lowered {
        s += &arm(op);
    }
    s.push_str("other => Err(Unsupported::Opcode(other)),\n}\n}\n");
    s
}

fn arm(op: &RegOp) -> String {
    let mut s = format!("rop::{} => {{\n", op.name);
    for o in &op.operands {
        let idx = decode_expr(o.slot);
        let name = format!("o_{}", o.slot.name());
        s += &match o.kind {
            // The destination is written after the lowering's value exists.
            k if k.is_dst() => format!("let {name}_index = {idx};\n"),
            k if k.is_register() => format!("let {name} = cx.reg({idx})?;\n"),
            Kind::Const | Kind::ConstN => format!("let {name} = cx.konst({idx})?;\n"),
            _ => format!("let {name} = {idx};\n"),
        };
    }
    let template = op.cranelift.as_deref().unwrap_or("");
    // `@helper(x, …)`: a method of the lowering context, given the operands'
    // raw indices (a call builds its argument list from the callee).
    if let Some(call) = template.strip_prefix('@') {
        let call = template::substitute(call, |name| raw_index(op, name));
        s += &format!("cx.{call}?;\nOk(())\n}}\n");
        return s;
    }
    let expr = template::substitute(template, |name| format!("o_{name}"));
    // A bare operand is a value already; anything else is an instruction.
    let value = if template.starts_with('{') {
        expr
    } else {
        format!("cx.b.ins().{expr}")
    };
    match op.dst() {
        Some(d) => s += &format!("let v = {value};\ncx.set(o_{}_index, v);\n", d.slot.name()),
        None => s += &format!("{value};\n"),
    }
    s.push_str("Ok(())\n}\n");
    s
}
