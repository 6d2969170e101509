//! `codec.rs`: encoders the compilers call and the decoder the tools use.
//! Register words are `[OP:8|A:8|B:8|C:8]` / `[OP:8|A:8|Bx:16]` with the
//! opcode in the low byte; stack words are `[OP:8|X:24]`.

use crate::model::{Form, Isa, Slot};

pub fn emit(isa: &Isa) -> String {
    let mut s = String::from(GENERIC);
    s.push_str("/// One encoder per register-VM opcode, taking exactly its operands.\n#[allow(non_snake_case, dead_code)]\npub mod reg_enc {\nuse super::*;\n");
    for op in &isa.reg {
        // A compare-and-branch's offset lives in the JMP word the compiler
        // emits after it, not in its own word.
        let params: Vec<String> = op
            .operands
            .iter()
            .filter(|o| o.slot != Slot::J)
            .map(|o| format!("{}: {}", o.slot.name(), slot_type(o.slot)))
            .collect();
        let arg = |slot: Slot| {
            if op.operand(slot).is_some() {
                slot.name().to_string()
            } else {
                "0".into()
            }
        };
        let body = match op.form {
            Form::Abc => format!(
                "encode_abc(RegOp::{}, {}, {}, {})",
                op.name,
                arg(Slot::A),
                arg(Slot::B),
                arg(Slot::C)
            ),
            Form::ABx => format!("encode_abx(RegOp::{}, {}, {})", op.name, arg(Slot::A), arg(Slot::Bx)),
            Form::AsBx => format!("encode_asbx(RegOp::{}, {}, {})", op.name, arg(Slot::A), arg(Slot::SBx)),
        };
        let then = if op.takes_jump_word() {
            " Followed by the JMP word whose offset it takes."
        } else {
            ""
        };
        s += &format!(
            "/// {}.{then}\n#[inline]\npub fn {}({}) -> u32 {{ {body} }}\n",
            op.doc.trim_end_matches('.'),
            op.name,
            params.join(", ")
        );
    }
    s.push_str("}\n");
    s.push_str("/// One encoder per stack-VM opcode.\n#[allow(non_snake_case, dead_code)]\npub mod stack_enc {\nuse super::*;\n");
    for op in &isa.stack {
        let (params, x) = if op.operand.is_some() {
            ("x: u32", "x")
        } else {
            ("", "0")
        };
        s += &format!(
            "/// {}\n#[inline]\npub fn {}({params}) -> u32 {{ encode_stack(StackOp::{}, {x}) }}\n",
            op.doc, op.name, op.name
        );
    }
    s.push_str("}\n");
    s.push_str("/// The encoding form of a register-VM opcode.\npub fn reg_form(op: RegOp) -> RegForm { match op {\n");
    for op in &isa.reg {
        let form = match op.form {
            Form::Abc => "Abc",
            Form::ABx => "ABx",
            Form::AsBx => "AsBx",
        };
        s += &format!("RegOp::{} => RegForm::{form},\n", op.name);
    }
    s.push_str("} }\n");
    s.push_str("/// Whether a register-VM opcode is followed by a JMP word holding its jump offset.\npub fn takes_jump_word(op: RegOp) -> bool { matches!(op, ");
    let jumpers: Vec<String> = isa
        .reg
        .iter()
        .filter(|o| o.takes_jump_word())
        .map(|o| format!("RegOp::{}", o.name))
        .collect();
    s += &if jumpers.is_empty() {
        "RegOp::JMP if false".to_string()
    } else {
        jumpers.join(" | ")
    };
    s.push_str(") }\n");
    s
}

fn slot_type(slot: Slot) -> &'static str {
    match slot {
        Slot::A | Slot::B | Slot::C => "u8",
        Slot::Bx => "u16",
        Slot::SBx | Slot::J => "i16",
    }
}

const GENERIC: &str = r#"
use super::opcodes::{RegOp, StackOp};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegForm { Abc, ABx, AsBx }

#[inline]
pub fn encode_abc(op: RegOp, a: u8, b: u8, c: u8) -> u32 {
    op as u32 | (a as u32) << 8 | (b as u32) << 16 | (c as u32) << 24
}

#[inline]
pub fn encode_abx(op: RegOp, a: u8, bx: u16) -> u32 {
    op as u32 | (a as u32) << 8 | (bx as u32) << 16
}

#[inline]
pub fn encode_asbx(op: RegOp, a: u8, sbx: i16) -> u32 {
    op as u32 | (a as u32) << 8 | (sbx as u16 as u32) << 16
}

/// The largest operand a stack word holds.
pub const STACK_X_MAX: u32 = (1 << 24) - 1;

#[inline]
pub fn encode_stack(op: StackOp, x: u32) -> u32 {
    op as u32 | (x & STACK_X_MAX) << 8
}

/// A register-VM word taken apart; every field is filled, whatever the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegIns { pub op: RegOp, pub a: u8, pub b: u8, pub c: u8, pub bx: u16, pub sbx: i16 }

pub fn decode_reg(word: u32) -> Option<RegIns> {
    Some(RegIns {
        op: RegOp::from_u8(word as u8)?,
        a: (word >> 8) as u8,
        b: (word >> 16) as u8,
        c: (word >> 24) as u8,
        bx: (word >> 16) as u16,
        sbx: (word >> 16) as u16 as i16,
    })
}

pub fn decode_stack(word: u32) -> Option<(StackOp, u32)> {
    Some((StackOp::from_u8(word as u8)?, word >> 8))
}
"#;
