//! `opcodes.rs`: the opcode enums, their numbers and metadata.

use crate::emit::lit;
use crate::model::{Flags, Isa};

pub fn emit(isa: &Isa) -> String {
    let mut s = String::new();
    s.push_str(OP_INFO);
    // Register VM.
    s.push_str("/// Register-VM opcode numbers, for `match` on a decoded byte.\n#[allow(dead_code)] pub mod rop {\n");
    for op in &isa.reg {
        s += &format!("/// {}\npub const {}: u8 = {};\n", op.doc, op.name, op.code);
    }
    s.push_str("}\n");
    s += &enum_def(
        "RegOp",
        "A register-VM opcode.",
        isa.reg.iter().map(|o| (o.name.as_str(), o.code)).collect(),
    );
    s.push_str("pub static REG_OP_INFO: &[OpInfo] = &[\n");
    for op in &isa.reg {
        let operands: Vec<String> = op
            .operands
            .iter()
            .map(|o| format!("({}, {})", lit(o.slot.name()), lit(o.kind.name())))
            .collect();
        s += &info_entry(
            &op.name,
            &op.doc,
            op.form.name(),
            &format!("&[{}]", operands.join(", ")),
            &op.flags,
        );
    }
    s.push_str("];\n");
    s.push_str("impl RegOp {\n");
    s.push_str("/// Name, doc, encoding and flags from the table.\npub fn info(self) -> &'static OpInfo { &REG_OP_INFO[self as usize] }\n");
    s.push_str("}\n");
    // Stack VM.
    s.push_str("/// Stack-VM opcode numbers.\n#[allow(dead_code)] pub mod sop {\n");
    for op in &isa.stack {
        s += &format!("/// {}\npub const {}: u8 = {};\n", op.doc, op.name, op.code);
    }
    s.push_str("}\n");
    s += &enum_def(
        "StackOp",
        "A stack-VM opcode.",
        isa.stack.iter().map(|o| (o.name.as_str(), o.code)).collect(),
    );
    s.push_str("pub static STACK_OP_INFO: &[OpInfo] = &[\n");
    for op in &isa.stack {
        let operand = match op.operand {
            Some(k) => format!("&[(\"x\", {})]", lit(k.name())),
            None => "&[]".into(),
        };
        s += &info_entry(&op.name, &op.doc, &op.effect, &operand, &op.flags);
    }
    s.push_str("];\n");
    s.push_str("impl StackOp {\npub fn info(self) -> &'static OpInfo { &STACK_OP_INFO[self as usize] }\n}\n");
    s
}

const OP_INFO: &str = r#"
/// What the table says about one opcode.
#[derive(Debug)]
pub struct OpInfo {
    pub name: &'static str,
    pub doc: &'static str,
    /// Register VM: `ABC`, `ABx` or `AsBx`; stack VM: the stack effect.
    pub encoding: &'static str,
    /// `(operand, kind)` in encoding order.
    pub operands: &'static [(&'static str, &'static str)],
    pub may_fail: bool,
    pub branch: bool,
    pub call: bool,
    pub ret: bool,
    pub commutative: bool,
}
"#;

fn enum_def(name: &str, doc: &str, ops: Vec<(&str, u8)>) -> String {
    let mut s = format!(
        "/// {doc}\n#[allow(non_camel_case_types)]\n#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n#[repr(u8)]\npub enum {name} {{\n"
    );
    for (op, code) in &ops {
        s += &format!("{op} = {code},\n");
    }
    s += "}\n";
    s += &format!(
        "impl {name} {{\n/// Every opcode, in number order.\npub const ALL: [{name}; {}] = [",
        ops.len()
    );
    for (op, _) in &ops {
        s += &format!("{name}::{op}, ");
    }
    s += "];\n";
    s += "#[inline]\npub fn from_u8(byte: u8) -> Option<Self> { Self::ALL.get(byte as usize).copied() }\n";
    s += "pub fn name(self) -> &'static str { match self {\n";
    for (op, _) in &ops {
        s += &format!("{name}::{op} => {},\n", lit(op));
    }
    s += "} }\n";
    s += "pub fn from_name(name: &str) -> Option<Self> { Self::ALL.iter().copied().find(|op| op.name() == name) }\n";
    s += "}\n";
    s
}

fn info_entry(name: &str, doc: &str, encoding: &str, operands: &str, f: &Flags) -> String {
    format!(
        "OpInfo {{ name: {}, doc: {}, encoding: {}, operands: {operands}, may_fail: {}, branch: {}, call: {}, ret: {}, commutative: {} }},\n",
        lit(name),
        lit(doc),
        lit(encoding),
        f.may_fail,
        f.branch,
        f.call,
        f.ret,
        f.commutative
    )
}
