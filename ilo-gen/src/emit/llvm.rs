//! `jit_llvm.rs`: one LLVM lowering per register-VM opcode with an `ssa`
//! entry in the table, the neutral instruction mapped to an inkwell builder
//! call or an LLVM intrinsic. As for Cranelift, VM registers are variables
//! (stack slots that LLVM's mem2reg turns into SSA values), so a lowering
//! reads and writes them and the optimiser builds the SSA form.

use crate::emit::{decode_expr, raw_index};
use crate::model::Slot;
use crate::model::{Isa, Kind, RegOp};
use crate::ssa::{Ssa, Test};

/// How each instruction of `ssa::INSTRUCTIONS` is built: an inkwell
/// builder method, or an LLVM intrinsic of the same IEEE semantics
/// (`minimum`/`maximum` are 754-2019's, `roundeven` rounds half to even).
pub const LLVM_INSTRUCTIONS: &[(&str, Build)] = &[
    ("fadd", Build::Method("build_float_add")),
    ("fsub", Build::Method("build_float_sub")),
    ("fmul", Build::Method("build_float_mul")),
    ("fdiv", Build::Method("build_float_div")),
    ("fneg", Build::Method("build_float_neg")),
    ("fmin", Build::Intrinsic("llvm.minimum")),
    ("fmax", Build::Intrinsic("llvm.maximum")),
    ("copysign", Build::Intrinsic("llvm.copysign")),
    ("fabs", Build::Intrinsic("llvm.fabs")),
    ("sqrt", Build::Intrinsic("llvm.sqrt")),
    ("floor", Build::Intrinsic("llvm.floor")),
    ("ceil", Build::Intrinsic("llvm.ceil")),
    ("trunc", Build::Intrinsic("llvm.trunc")),
    ("nearest", Build::Intrinsic("llvm.roundeven")),
];

#[derive(Clone, Copy, Debug)]
pub enum Build {
    /// `cx.b.NAME(x, [y,] "")`.
    Method(&'static str),
    /// `cx.intrinsic("llvm.NAME", &[x, ...])`, overloaded on `double`.
    Intrinsic(&'static str),
}

pub fn emit(isa: &Isa) -> String {
    let lowered: Vec<&RegOp> = isa.reg.iter().filter(|op| op.ssa.is_some()).collect();
    let mut s = format!(
        "/// Register-VM opcodes with an LLVM lowering.\n\
         pub(crate) const LOWERED: &[RegOp] = &[{}];\n\
         /// Emits the LLVM IR for the register-VM word `ins` at `pc`.\n\
         #[allow(unused_variables)]\n\
         pub(crate) fn lower(cx: &mut LlCx<'_, '_>, pc: usize, ins: u32, next: u32) -> Result<(), Unsupported> {{\n\
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
        Some(Ssa::Test(t)) => format!("{{ let t = {}; cx.bool_value(t)? }}", test_expr(t)),
        Some(Ssa::Operand(x)) => format!("o_{x}"),
        Some(Ssa::Return(x)) => format!("cx.ret(o_{x})?"),
        Some(Ssa::Inst { name, args }) => inst_expr(name, args),
        None => return String::new(),
    };
    match op.dst() {
        Some(d) => s += &format!("let v = {value};\ncx.set(o_{}_index, v)?;\n", d.slot.name()),
        None => s += &format!("{value};\n"),
    }
    s.push_str("Ok(())\n}\n");
    s
}

/// The builder call for instruction `name` on operands `args`. The SSA
/// parser admits only `ssa::INSTRUCTIONS`, each of which has an entry here
/// (a test below holds the two lists together).
fn inst_expr(name: &str, args: &[String]) -> String {
    let args: Vec<String> = args.iter().map(|a| format!("o_{a}")).collect();
    match LLVM_INSTRUCTIONS.iter().find(|(n, _)| *n == name) {
        Some((_, Build::Method(m))) => format!("cx.b.{m}({}, \"\").map_err(err)?", args.join(", ")),
        Some((_, Build::Intrinsic(i))) => format!("cx.intrinsic({i:?}, &[{}])?", args.join(", ")),
        None => format!("return Err(Unsupported::Assembler(\"no LLVM instruction for `{name}`\".into()))"),
    }
}

/// The LLVM `i1` of a test.
fn test_expr(t: &Test) -> String {
    match t {
        Test::Fcmp { cc, x, y } => {
            // Ordered compares but `ne`, which is true on NaN.
            let cc = match cc.as_str() {
                "lt" => "OLT",
                "gt" => "OGT",
                "le" => "OLE",
                "ge" => "OGE",
                "eq" => "OEQ",
                _ => "UNE",
            };
            format!("cx.fcmp(inkwell::FloatPredicate::{cc}, o_{x}, o_{y})?")
        }
        Test::Truthy(x) => format!("cx.truthy(o_{x})?"),
        Test::Falsy(x) => format!("cx.falsy(o_{x})?"),
    }
}

#[cfg(test)]
mod tests {
    use super::LLVM_INSTRUCTIONS;
    use crate::ssa::INSTRUCTIONS;

    #[test]
    fn every_ssa_instruction_has_an_llvm_build() {
        for (name, _) in INSTRUCTIONS {
            assert!(
                LLVM_INSTRUCTIONS.iter().any(|(n, _)| n == name),
                "`{name}` has no LLVM build"
            );
        }
        assert_eq!(LLVM_INSTRUCTIONS.len(), INSTRUCTIONS.len());
    }
}
