//! `stack_vm.rs`: the stack VM's dispatch loop. Each arm pops the inputs of
//! the opcode's stack effect (top last), binds its operand, evaluates `sem`
//! and pushes or stores the result. `include!`d into the runtime's
//! `stack::vm` module, which provides the names `sem` may use.

use crate::model::{Isa, Kind, StackOp};

pub fn emit(isa: &Isa) -> String {
    let mut s = String::from(
        "/// Runs stack bytecode from `cur` until the outermost frame returns.\n\
         #[allow(unused_variables, unused_braces, clippy::let_and_return, clippy::needless_return)]\n\
         pub(crate) fn run_loop<'p>(prog: &'p StackProgram, stack: &mut Vec<Value>, heap: &mut Heap, frames: &mut Frames<'p>, mut cur: Cursor<'p>) -> Result<Value, RtError> {\n\
         loop {\n\
         let Some(&ins) = cur.code.get(cur.pc) else { return Err(RtError::internal(\"pc ran off the end of the code\")) };\n\
         cur.pc += 1;\n\
         let x = (ins >> 8) as usize;\n\
         match (ins & 0xff) as u8 {\n",
    );
    for op in &isa.stack {
        s += &arm(op);
    }
    s.push_str("other => return Err(RtError::internal(format!(\"unknown stack opcode {other}\"))),\n}\n}\n}\n");
    s
}

fn arm(op: &StackOp) -> String {
    let mut s = format!("sop::{} => {{\n", op.name);
    // A unit `sem` (`POP`) only drops its inputs.
    let unit = op.sem.trim() == "()";
    for name in op.inputs.iter().flatten().rev() {
        s += &match unit {
            true => "pop(stack)?;\n".to_string(),
            false => format!("let {name}: Value = pop(stack)?;\n"),
        };
    }
    match op.operand {
        Some(Kind::Const) => s.push_str("let x: Value = cur.consts[x];\n"),
        Some(Kind::SlotIn) => s.push_str("let x: Value = stack[cur.frame.bp + x];\n"),
        _ => {}
    }
    match (op.operand, op.outputs.first()) {
        (Some(Kind::SlotOut), _) => s += &format!("stack[cur.frame.bp + x] = {{ {} }};\n", op.sem),
        (_, Some(out)) => s += &format!("let {out}: Value = {{ {} }};\nstack.push({out});\n", op.sem),
        (_, None) if unit => {}
        (_, None) => s += &format!("{{ {}; }}\n", op.sem),
    }
    s.push_str("}\n");
    s
}
