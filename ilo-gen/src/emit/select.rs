//! The instruction selection the compilers call, generated from the table:
//! for an operation (an operator, a named operation such as a builtin) and
//! what the compiler knows of its operands, the most specific instruction
//! the table offers — a typed variant, a `K` form, a compare fused with the
//! conditional jump that follows it. A new typed op or superinstruction in
//! the TOML is chosen with no compiler change.

use crate::emit::lit;
use crate::model::{GenError, Isa, Kind, RegOp, Slot};

/// The op an instruction implements at the root of its `variant_of` and
/// fusion chain, and the conditional jump fused into it, if any.
fn root<'a>(isa: &'a Isa, op: &'a RegOp) -> (&'a RegOp, Option<&'a str>) {
    let find = |n: &str| isa.reg_op(n);
    if let Some(base) = op.variant_of.as_deref().and_then(find) {
        return root(isa, base);
    }
    match &op.fuses {
        Some(f) if f.into == Slot::A && op.takes_jump_word() => match find(&f.first) {
            Some(first) => (root(isa, first).0, Some(f.second.as_str())),
            None => (op, None),
        },
        Some(f) => match find(&f.second) {
            Some(second) => root(isa, second),
            None => (op, None),
        },
        None => (op, None),
    }
}

/// The operands an operation reads, in slot order.
fn reads(op: &RegOp) -> Vec<(Slot, Kind)> {
    op.operands
        .iter()
        .filter(|o| !o.kind.is_dst() && o.slot != Slot::J)
        .map(|o| (o.slot, o.kind))
        .collect()
}

fn need(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Reg => "Need::Reg",
        Kind::RegN => "Need::Num",
        Kind::ConstN => "Need::NumConst",
        Kind::Const => "Need::Const",
        _ => return None,
    })
}

struct Choice<'a> {
    op: &'a RegOp,
    operation: String,
    branch: Option<&'a str>,
    needs: Vec<&'static str>,
    commutative: bool,
}

impl Choice<'_> {
    /// More constant and number operands first: the most specific wins.
    fn rank(&self) -> (usize, usize) {
        let count = |n: &str| self.needs.iter().filter(|x| **x == n).count();
        (count("Need::NumConst") + count("Need::Const"), count("Need::Num"))
    }
}

fn choices(isa: &Isa) -> Result<Vec<Choice<'_>>, GenError> {
    let mut out = Vec::new();
    for op in &isa.reg {
        let (r, branch) = root(isa, op);
        let operation = match (&r.operator, &r.operation) {
            (Some(sym), _) => format!("Operation::Operator({})", lit(sym)),
            (None, Some(name)) => format!("Operation::Named({})", lit(name)),
            (None, None) => continue,
        };
        let Some(needs) = reads(op).iter().map(|(_, k)| need(*k)).collect::<Option<Vec<_>>>() else {
            continue;
        };
        if reads(op)
            .iter()
            .any(|(slot, _)| !matches!(slot, Slot::A | Slot::B | Slot::C))
        {
            continue;
        }
        let root_slots: Vec<Slot> = reads(r).iter().map(|(s, _)| *s).collect();
        let slots: Vec<Slot> = reads(op).iter().map(|(s, _)| *s).collect();
        if slots != root_slots {
            return Err(GenError::new(
                "register.toml",
                Some(&op.name),
                "operands",
                format!(
                    "reads {slots:?} but the op it implements, `{}`, reads {root_slots:?}",
                    r.name
                ),
            ));
        }
        out.push(Choice {
            op,
            operation,
            branch,
            needs,
            commutative: op.flags.commutative,
        });
    }
    // Stable: among equals, the table's order decides.
    out.sort_by_key(|c| std::cmp::Reverse(c.rank()));
    Ok(out)
}

pub fn emit(isa: &Isa) -> Result<String, GenError> {
    let mut s = String::from(HEAD);
    s.push_str(
        "/// Every instruction a compiler may select, most specific first.\npub static CHOICES: &[Choice] = &[\n",
    );
    for c in choices(isa)? {
        let result_num = c.op.dst().is_some_and(|d| d.kind == Kind::DstN);
        s += &format!(
            "Choice {{ op: RegOp::{}, operation: {}, branch: {}, needs: &[{}], slots: &[{}], result_num: {result_num}, commutative: {} }},\n",
            c.op.name,
            c.operation,
            c.branch.map_or("None".to_string(), |b| format!("Some(RegOp::{b})")),
            c.needs.join(", "),
            reads(c.op)
                .iter()
                .map(|(slot, _)| format!("Field::{}", slot.name().to_uppercase()))
                .collect::<Vec<_>>()
                .join(", "),
            c.commutative,
        );
    }
    s.push_str("];\n");
    s.push_str("impl RegOp {\n/// The generic op that implements a source operator (`+`, `<=`, `-x` for negation, `!x`).\npub fn for_operator(symbol: &str) -> Option<RegOp> { match symbol {\n");
    for op in isa.reg.iter().filter(|o| o.operator.is_some()) {
        s += &format!(
            "{} => Some(RegOp::{}),\n",
            lit(op.operator.as_deref().unwrap_or("")),
            op.name
        );
    }
    s.push_str("_ => None } }\n}\n");
    s.push_str("impl StackOp {\n/// The stack op that implements a source operator (`+`, `<=`, `-x` for negation, `!x`).\npub fn for_operator(symbol: &str) -> Option<StackOp> { match symbol {\n");
    for op in isa.stack.iter().filter(|o| o.operator.is_some()) {
        s += &format!(
            "{} => Some(StackOp::{}),\n",
            lit(op.operator.as_deref().unwrap_or("")),
            op.name
        );
    }
    s.push_str("_ => None } }\n}\n");
    Ok(s)
}

const HEAD: &str = r#"
use super::opcodes::{RegOp, StackOp};

/// What a compiler selects an instruction for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// A source operator: `+`, `<=`, `-x` (negation), `!x`.
    Operator(&'static str),
    /// A named operation: a builtin such as `max`.
    Named(&'static str),
}

/// What the compiler knows of an operand before it is placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known {
    /// Any value, in a register.
    Value,
    /// A number, in a register.
    Num,
    /// A number literal, not yet placed anywhere.
    NumConst,
}

/// What an instruction needs of an operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// A register holding any value.
    Reg,
    /// A register holding a number.
    Num,
    /// A number constant's pool index.
    NumConst,
    /// A constant's pool index.
    Const,
}

impl Need {
    /// Whether an operand known as `k` can be given where this is needed
    /// (a literal can always be loaded into a register first).
    pub fn accepts(self, k: Known) -> bool {
        match self {
            Need::Reg => true,
            Need::Num => k != Known::Value,
            Need::NumConst | Need::Const => k == Known::NumConst,
        }
    }

    /// The operand goes into the constant pool, not a register.
    pub fn is_const(self) -> bool {
        matches!(self, Need::NumConst | Need::Const)
    }
}

/// Where an operand goes in an ABC word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    A,
    B,
    C,
}

/// One instruction the table offers for an operation.
#[derive(Debug)]
pub struct Choice {
    pub op: RegOp,
    pub operation: Operation,
    /// The conditional jump fused into it: the op is followed by a `JMP` word.
    pub branch: Option<RegOp>,
    /// Per operand read, in the operation's order.
    pub needs: &'static [Need],
    /// Where each operand read goes in the instruction word.
    pub slots: &'static [Field],
    /// Its destination is `dst_n`: the result is a number.
    pub result_num: bool,
    /// The operation's operands may be given in either order.
    pub commutative: bool,
}

/// A selected instruction; `swapped`: give the two operands in reverse order.
#[derive(Clone, Copy, Debug)]
pub struct Selected {
    pub choice: &'static Choice,
    pub swapped: bool,
}

impl Selected {
    /// What the instruction needs of operand `i` of the operation as written.
    pub fn need(&self, i: usize) -> Need {
        let n = self.choice.needs.len();
        if self.swapped { self.choice.needs[n - 1 - i] } else { self.choice.needs[i] }
    }
}

/// The most specific instruction for `operation` over operands known as
/// `known`, fused with the conditional jump `branch` when asked (and only
/// then): the table's choices in order of specificity, each as written and,
/// if the operation is commutative, with its two operands swapped.
pub fn select(operation: Operation, known: &[Known], branch: Option<RegOp>) -> Option<Selected> {
    let fits = |needs: &[Need], ks: &mut dyn Iterator<Item = Known>| needs.iter().zip(ks).all(|(n, k)| n.accepts(k));
    CHOICES
        .iter()
        .filter(|c| c.operation == operation && c.branch == branch && c.needs.len() == known.len())
        .find_map(|c| {
            if fits(c.needs, &mut known.iter().copied()) {
                Some(Selected { choice: c, swapped: false })
            } else if c.commutative && known.len() == 2 && fits(c.needs, &mut known.iter().rev().copied()) {
                Some(Selected { choice: c, swapped: true })
            } else {
                None
            }
        })
}
"#;
