//! `jit_llvm.rs`: the SSA lowering ([`super::ssa_lowering`]) with each
//! neutral instruction mapped to an inkwell builder call or an LLVM
//! intrinsic. VM registers are stack slots that LLVM's mem2reg turns into
//! SSA values.

use super::ssa_lowering::SsaBackend;
use crate::ssa::Test;

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

pub struct Llvm;

impl SsaBackend for Llvm {
    const NAME: &'static str = "LLVM";
    const CONTEXT: &'static str = "LlCx";
    const TRY: &'static str = "?";

    fn inst(name: &str, args: &[String]) -> String {
        inst_expr(name, args)
    }

    fn test(t: &Test) -> String {
        test_expr(t)
    }
}

/// The builder call for instruction `name` on operands `args`. The SSA
/// parser admits only `ssa::INSTRUCTIONS`, each of which has an entry here
/// (a test below holds the two lists together).
fn inst_expr(name: &str, args: &[String]) -> String {
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
