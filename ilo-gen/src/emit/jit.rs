//! `jit_<target>.rs`: one dynasm lowering per register-VM opcode that has a
//! template for the target. An opcode without one makes its function
//! ineligible for that JIT, and the runtime falls back to the register VM.

use crate::emit::{decode_expr, raw_index};
use crate::model::{Isa, Kind, RegOp, Target};
use crate::template;

pub fn emit(isa: &Isa, target: &Target) -> String {
    let lowered: Vec<&RegOp> = isa.reg.iter().filter(|op| op.jit.contains_key(&target.name)).collect();
    let mut s = format!(
        "#[allow(unused_imports)]\nuse dynasmrt::{{dynasm, DynasmApi, DynasmLabelApi}};\n\
         /// The assembler this target lowers into.\n\
         pub(crate) type Asm = dynasmrt::VecAssembler<dynasmrt::{arch}::{reloc}>;\n\
         /// Register-VM opcodes with a {name} lowering.\n\
         pub(crate) const LOWERED: &[RegOp] = &[{list}];\n\
         /// Appends the machine code for the register-VM word `ins` at `pc`.\n\
         #[allow(unused_variables, clippy::unnecessary_cast, clippy::identity_op)]\n\
         pub(crate) fn lower(ops: &mut Asm, pc: usize, ins: u32, cx: &LowerCx<'_>) -> Result<(), Unsupported> {{\n\
         match (ins & 0xff) as u8 {{\n",
        arch = target.arch,
        reloc = reloc_type(&target.arch),
        name = target.name,
        list = lowered
            .iter()
            .map(|o| format!("RegOp::{}", o.name))
            .collect::<Vec<_>>()
            .join(", "),
    );
    for op in &lowered {
        s += &arm(op, target);
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

fn arm(op: &RegOp, target: &Target) -> String {
    let mut s = format!("rop::{} => {{\n", op.name);
    for o in &op.operands {
        let idx = decode_expr(o.slot);
        // Prefixed so that no operand reads as a machine register (`bx`!).
        let name = format!("o_{}", o.slot.name());
        s += &match o.kind {
            k if k.is_register() || k == Kind::Base => format!("let {name}: u8 = cx.float_reg({idx})?;\n"),
            Kind::Const | Kind::ConstN => format!("let {name}: i64 = cx.const_bits({idx})?;\n"),
            Kind::Jump => format!("let {name} = cx.label((pc as isize + 1 + {idx}) as usize)?;\n"),
            Kind::Func => format!("let {name} = cx.func_label({idx} as usize)?;\n"),
            _ => format!("let {name} = {idx} as i64;\n"),
        };
    }
    let template = op.jit.get(&target.name).map(String::as_str).unwrap_or("");
    // Instructions go to dynasm in runs; an `@helper(x, …)` item between them
    // is a call into the target's `abi` module (code whose length depends on
    // the function, such as saving its live registers around a call), given
    // the operands' raw indices.
    let mut run: Vec<String> = Vec::new();
    for item in template.split(';').map(str::trim).filter(|i| !i.is_empty()) {
        if let Some(call) = item.strip_prefix('@') {
            s += &flush(&mut run, target);
            let (name, args) = call.split_once('(').unwrap_or((call, ")"));
            let args = template::substitute(args.trim_end_matches(')'), |name| raw_index(op, name));
            let sep = if args.trim().is_empty() { "" } else { ", " };
            s += &format!("abi::{name}(ops, cx{sep}{args})?;\n");
        } else {
            run.push(template::substitute(item, |name| {
                let kind = op.operands.iter().find(|o| o.slot.name() == name).map(|o| o.kind);
                match kind {
                    Some(k) if k.is_register() || k == Kind::Base => format!("{}(o_{name})", target.float_reg),
                    Some(Kind::Jump | Kind::Func) => format!("=>o_{name}"),
                    _ => format!("o_{name}"),
                }
            }));
        }
    }
    s += &flush(&mut run, target);
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
