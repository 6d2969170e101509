//! `jit_cranelift.rs`: the SSA lowering ([`super::ssa_lowering`]) with the
//! neutral instructions mapped to Cranelift's `InstBuilder`, whose names
//! they share.

use super::ssa_lowering::SsaBackend;
use crate::ssa::Test;

pub struct Cranelift;

impl SsaBackend for Cranelift {
    const NAME: &'static str = "Cranelift";
    const CONTEXT: &'static str = "ClCx";
    const TRY: &'static str = "";

    fn inst(name: &str, args: &[String]) -> String {
        format!("cx.b.ins().{name}({})", args.join(", "))
    }

    /// An `i8`, nonzero when true.
    fn test(t: &Test) -> String {
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
}
