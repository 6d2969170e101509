//! `jit_cranelift.rs`: one Cranelift lowering per register-VM opcode with an
//! `ssa` entry in the table, the neutral instruction mapped to Cranelift's
//! `InstBuilder` (whose names it shares). VM registers are Cranelift variables, so
//! the lowering reads and writes them and the frontend builds the SSA form.

use crate::emit::{decode_expr, raw_index};
use crate::model::Slot;
use crate::model::{Isa, Kind, RegOp};
use crate::ssa::{Ssa, Test};

pub fn emit(isa: &Isa) -> String {
    let lowered: Vec<&RegOp> = isa.reg.iter().filter(|op| op.ssa.is_some()).collect();
    let mut s = format!(
        "/// Register-VM opcodes with a Cranelift lowering.\n\
         pub(crate) const LOWERED: &[RegOp] = &[{}];\n\
         /// Emits the Cranelift IR for the register-VM word `ins` at `pc`.\n\
         #[allow(unused_variables)]\n\
         pub(crate) fn lower(cx: &mut ClCx<'_, '_>, pc: usize, ins: u32, next: u32) -> Result<(), Unsupported> {{\n\
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
    let value = match &op.ssa {
        // A method of the lowering context, given the pc and the operands'
        // raw indices.
        Some(Ssa::Helper { name, args }) => {
            let args: Vec<String> = args.iter().map(|a| raw_index(op, a)).collect();
            s += &format!("cx.{name}(pc, {})?;\nOk(())\n}}\n", args.join(", "));
            return s;
        }
        Some(Ssa::Jump {
            test,
            when,
            tick,
            target,
        }) => {
            // An offset from the next instruction, or from the JMP word
            // after a compare-and-branch.
            let from = if target == Slot::J.name() { 2 } else { 1 };
            let test = test
                .as_ref()
                .map_or("None".to_string(), |t| format!("Some({})", test_expr(t)));
            s += &format!(
                "let t = {test};\ncx.branch(pc, t, {when}, {tick}, (pc as isize + {from} + o_{target}) as usize)?;\nOk(())\n}}\n"
            );
            return s;
        }
        Some(Ssa::Test(t)) => format!("{{ let t = {}; cx.bool_value(t) }}", test_expr(t)),
        Some(Ssa::Operand(x)) => format!("o_{x}"),
        Some(Ssa::Return(x)) => format!("cx.ret(o_{x})"),
        Some(Ssa::Inst { name, args }) => {
            let args: Vec<String> = args.iter().map(|a| format!("o_{a}")).collect();
            format!("cx.b.ins().{name}({})", args.join(", "))
        }
        None => return String::new(),
    };
    match op.dst() {
        Some(d) => s += &format!("let v = {value};\ncx.set(o_{}_index, v);\n", d.slot.name()),
        None => s += &format!("{value};\n"),
    }
    s.push_str("Ok(())\n}\n");
    s
}

/// The Cranelift value (an `i8`, nonzero when true) of a test.
fn test_expr(t: &Test) -> String {
    match t {
        Test::Fcmp { cc, x, y } => {
            let cc = match cc.as_str() {
                "lt" => "LessThan",
                "gt" => "GreaterThan",
                "le" => "LessThanOrEqual",
                "ge" => "GreaterThanOrEqual",
                "eq" => "Equal",
                _ => "NotEqual",
            };
            format!("cx.b.ins().fcmp(cranelift_codegen::ir::condcodes::FloatCC::{cc}, o_{x}, o_{y})")
        }
        Test::Truthy(x) => format!("cx.truthy(o_{x})"),
        Test::Falsy(x) => format!("cx.falsy(o_{x})"),
    }
}
