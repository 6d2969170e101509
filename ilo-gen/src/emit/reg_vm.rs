//! `reg_vm.rs`: the register VM's dispatch loop. Each arm binds the opcode's
//! operands as its kinds say, evaluates the table's `sem` and writes the
//! destination. The loop is `include!`d into the runtime's `reg::vm` module,
//! which provides the names `sem` may use (see isa/register.toml).

use crate::emit::decode_expr;
use crate::model::{Isa, Kind, RegOp};

pub fn emit(isa: &Isa) -> String {
    let mut s = String::from(
        "/// Runs register bytecode from `cur` until the outermost frame returns;\n\
         /// with `PROFILE`, counts every opcode dispatched (`ilo --profile-ops`).\n\
         #[allow(unused_variables, unused_braces, clippy::let_and_return, clippy::needless_return)]\n\
         pub(crate) fn run_loop<'p, const PROFILE: bool>(prog: &'p RegProgram, regs: &mut Vec<Value>, heap: &mut Heap, frames: &mut Frames, start: Cursor<'p>) -> Result<Value, RtError> {\n\
         // A local copy (not the by-reference argument), so the optimiser can keep it in registers.\n\
         let mut cur = start;\n\
         loop {\n\
         let Some(&ins) = cur.code.get(cur.pc) else { return Err(RtError::internal(\"pc ran off the end of the code\")) };\n\
         cur.pc += 1;\n\
         if PROFILE { if let Some(p) = frames.profile.as_mut() { p.record(ins as u8); } }\n\
         match (ins & 0xff) as u8 {\n",
    );
    for op in &isa.reg {
        s += &arm(op);
    }
    s.push_str("other => return Err(RtError::internal(format!(\"unknown register opcode {other}\"))),\n}\n}\n}\n");
    s
}

fn arm(op: &RegOp) -> String {
    let mut s = format!("rop::{} => {{\n", op.name);
    if op.takes_jump_word() {
        // The JMP word after a compare-and-branch carries its offset; the
        // instruction consumes it, and jumps relative to what follows it.
        s.push_str("let Some(&next) = cur.code.get(cur.pc) else { return Err(RtError::internal(\"a compare-and-branch without its JMP word\")) };\ncur.pc += 1;\n");
    }
    for o in &op.operands {
        let idx = decode_expr(o.slot);
        let name = o.slot.name();
        let bind = match o.kind {
            Kind::Reg => format!("let {name}: Value = regs[cur.frame.base + {idx}];"),
            Kind::RegN => format!("let {name}: f64 = regs[cur.frame.base + {idx}].as_f64();"),
            Kind::Const => format!("let {name}: Value = cur.consts[{idx}];"),
            Kind::ConstN => format!("let {name}: f64 = cur.consts[{idx}].as_f64();"),
            Kind::Base | Kind::Func | Kind::Imm | Kind::Jump | Kind::Text => format!("let {name} = {idx};"),
            // The destination is written after `sem`; bind its index.
            Kind::Dst | Kind::DstN => format!("let {name}_index = {idx};"),
            Kind::SlotIn | Kind::SlotOut => unreachable_kind(),
        };
        s += &bind;
        s.push('\n');
    }
    match op.dst() {
        Some(d) if d.kind == Kind::DstN => {
            s += &format!(
                "let result: f64 = {{ {} }};\nregs[cur.frame.base + {}_index] = Value::num(result);\n",
                op.sem,
                d.slot.name()
            )
        }
        Some(d) => {
            s += &format!(
                "let result: Value = {{ {} }};\nregs[cur.frame.base + {}_index] = result;\n",
                op.sem,
                d.slot.name()
            )
        }
        None => s += &format!("{{ {}; }}\n", op.sem),
    }
    s.push_str("}\n");
    s
}

/// The model only admits stack-slot kinds on stack ops.
fn unreachable_kind() -> String {
    "compile_error!(\"stack-slot operand on a register op\");".into()
}
