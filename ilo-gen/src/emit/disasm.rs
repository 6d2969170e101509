//! `disasm.rs`: bytecode listings for both VMs, operand by operand as the
//! table describes them.

use crate::model::{Isa, Kind, Slot};

pub fn emit(isa: &Isa) -> String {
    let mut s = String::from(HEAD);
    s.push_str("/// One register-VM instruction at `pc` as text, e.g. `MUL_NN r3, r0, r1`.\n///\n/// `next` is the word after it: a compare-and-branch shows the target of that JMP word.\n#[allow(unused_variables)]\npub fn disasm_reg(pc: usize, word: u32, next: Option<u32>, names: &dyn DisasmNames) -> String {\nlet Some(ins) = decode_reg(word) else { return format!(\"??? {word:#010x}\") };\nlet next_sbx = next.map_or(0, |w| (w >> 16) as u16 as i16 as isize);\nlet operands: Vec<String> = match ins.op {\n");
    for op in &isa.reg {
        let parts: Vec<String> = op
            .operands
            .iter()
            .map(|o| {
                let field = format!("ins.{} as usize", o.slot.name());
                match o.kind {
                    Kind::Const | Kind::ConstN => format!("names.constant({field})"),
                    Kind::Func => format!("names.function({field})"),
                    Kind::Text => format!("names.text({field})"),
                    Kind::Jump if o.slot == Slot::J => "format!(\"-> {}\", pc as isize + 2 + next_sbx)".to_string(),
                    Kind::Jump => "format!(\"-> {}\", pc as isize + 1 + ins.sbx as isize)".to_string(),
                    Kind::Imm if o.slot == Slot::SBx => "format!(\"{}\", ins.sbx)".to_string(),
                    Kind::Imm => format!("format!(\"{{}}\", {field})"),
                    _ => format!("format!(\"r{{}}\", {field})"),
                }
            })
            .collect();
        s += &format!("RegOp::{} => vec![{}],\n", op.name, parts.join(", "));
    }
    s.push_str("};\nline(ins.op.name(), &operands)\n}\n");
    s.push_str("/// One stack-VM instruction as text, e.g. `PUSHK 2.5`.\npub fn disasm_stack(word: u32, names: &dyn DisasmNames) -> String {\nlet Some((op, x)) = decode_stack(word) else { return format!(\"??? {word:#010x}\") };\nlet x = x as usize;\nlet operands: Vec<String> = match op {\n");
    for op in &isa.stack {
        let part = match op.operand {
            None => String::new(),
            Some(Kind::Const) => "names.constant(x)".into(),
            Some(Kind::Func) => "names.function(x)".into(),
            Some(Kind::Text) => "names.text(x)".into(),
            Some(Kind::SlotIn) | Some(Kind::SlotOut) => "format!(\"s{x}\")".into(),
            Some(_) => "format!(\"{x}\")".into(),
        };
        s += &format!("StackOp::{} => vec![{part}],\n", op.name);
    }
    s.push_str("};\nline(op.name(), &operands)\n}\n");
    s
}

const HEAD: &str = r#"
use super::codec::{decode_reg, decode_stack};
use super::opcodes::{RegOp, StackOp};

/// How a listing names what an index refers to.
pub trait DisasmNames {
    /// Constant `i` of the function being listed, e.g. `2.5`.
    fn constant(&self, i: usize) -> String;
    /// Function `i` of the program, e.g. `fac`.
    fn function(&self, i: usize) -> String;
    /// Entry `i` of the program's text table, quoted.
    fn text(&self, i: usize) -> String;
}

fn line(name: &str, operands: &[String]) -> String {
    if operands.is_empty() {
        name.to_string()
    } else {
        format!("{name:<8} {}", operands.join(", "))
    }
}
"#;
