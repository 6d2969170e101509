//! The lowering every SSA backend (Cranelift, LLVM) is generated from: one
//! arm per register-VM opcode with an `ssa` entry in the table. VM registers
//! are the backend's variables, so a lowering reads and writes them and the
//! backend builds the SSA form. What differs between backends — how an
//! instruction and a test are built, whether the context's methods can
//! fail — is an [`SsaBackend`]; the arms' shape is written once, here.

use crate::emit::{decode_expr, raw_index};
use crate::model::Slot;
use crate::model::{Isa, Kind, RegOp};
use crate::ssa::{Ssa, Test};

pub trait SsaBackend {
    /// The backend's name in doc comments ("Cranelift").
    const NAME: &'static str;
    /// The lowering context type the generated `lower` takes.
    const CONTEXT: &'static str;
    /// `"?"` when the context's `set`, `ret` and `bool_value` return a
    /// `Result`, `""` when they cannot fail.
    const TRY: &'static str;
    /// The value of instruction `name` of `ssa::INSTRUCTIONS` on the
    /// operand variables `args` (`o_b`, …).
    fn inst(name: &str, args: &[String]) -> String;
    /// The backend's boolean of a test.
    fn test(t: &Test) -> String;
}

pub fn emit<B: SsaBackend>(isa: &Isa) -> String {
    let lowered: Vec<&RegOp> = isa.reg.iter().filter(|op| op.ssa.is_some()).collect();
    let mut s = format!(
        "/// Register-VM opcodes with a lowering for {name}.\n\
         pub(crate) const LOWERED: &[RegOp] = &[{ops}];\n\
         /// Emits the {name} IR for the register-VM word `ins` at `pc`.\n\
         #[allow(unused_variables)]\n\
         pub(crate) fn lower(cx: &mut {cx}<'_, '_>, pc: usize, ins: u32, next: u32) -> Result<(), Unsupported> {{\n\
         match (ins & 0xff) as u8 {{\n",
        name = B::NAME,
        cx = B::CONTEXT,
        ops = lowered
            .iter()
            .map(|o| format!("RegOp::{}", o.name))
            .collect::<Vec<_>>()
            .join(", "),
    );
    for op in &lowered {
        s += &arm::<B>(op);
    }
    s.push_str("other => Err(Unsupported::Opcode(other)),\n}\n}\n");
    s
}

fn arm<B: SsaBackend>(op: &RegOp) -> String {
    let try_ = B::TRY;
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
                .map_or("None".to_string(), |t| format!("Some({})", B::test(t)));
            s += &format!(
                "let t = {test};\ncx.branch(pc, t, {when}, {tick}, (pc as isize + {from} + o_{target}) as usize)?;\nOk(())\n}}\n"
            );
            return s;
        }
        Some(Ssa::Test(t)) => format!("{{ let t = {}; cx.bool_value(t){try_} }}", B::test(t)),
        Some(Ssa::Operand(x)) => format!("o_{x}"),
        Some(Ssa::Return(x)) => format!("cx.ret(o_{x}){try_}"),
        Some(Ssa::Inst { name, args }) => {
            let args: Vec<String> = args.iter().map(|a| format!("o_{a}")).collect();
            B::inst(name, &args)
        }
        None => return String::new(),
    };
    match op.dst() {
        Some(d) => s += &format!("let v = {value};\ncx.set(o_{}_index, v){try_};\n", d.slot.name()),
        None => s += &format!("{value};\n"),
    }
    s.push_str("Ok(())\n}\n");
    s
}
