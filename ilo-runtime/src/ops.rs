//! Value operations shared by every engine: the tree-walk interpreter calls
//! them directly and the table's `sem` expressions call them from the
//! generated VM loops, so the engines agree by construction.

use crate::error::RtError;
use crate::heap::{Heap, Obj};
use crate::value::Value;

fn both_nums(a: Value, b: Value) -> Option<(f64, f64)> {
    Some((a.to_num()?, b.to_num()?))
}

fn mismatch(heap: &Heap, op: &str, a: Value, b: Value) -> RtError {
    RtError::type_error(format!(
        "`{op}` cannot combine {} and {}",
        crate::print::type_name(heap, a),
        crate::print::type_name(heap, b)
    ))
}

/// `+a b`: numbers add, texts and lists concatenate.
pub fn add(heap: &mut Heap, a: Value, b: Value) -> Result<Value, RtError> {
    if let Some((x, y)) = both_nums(a, b) {
        return Ok(Value::num(x + y));
    }
    match (heap.get(a), heap.get(b)) {
        (Some(Obj::Text(x)), Some(Obj::Text(y))) => {
            let joined = format!("{x}{y}");
            Ok(heap.text(joined))
        }
        (Some(Obj::List(x)), Some(Obj::List(y))) => {
            let joined: Vec<Value> = x.iter().chain(y.iter()).copied().collect();
            Ok(heap.alloc(Obj::List(joined)))
        }
        _ => Err(mismatch(heap, "+", a, b)),
    }
}

macro_rules! numeric_binop {
    ($name:ident, $sym:literal, $op:tt) => {
        #[doc = concat!("`", $sym, "a b` on numbers.")]
        pub fn $name(heap: &mut Heap, a: Value, b: Value) -> Result<Value, RtError> {
            match both_nums(a, b) {
                Some((x, y)) => Ok(Value::num(x $op y)),
                None => Err(mismatch(heap, $sym, a, b)),
            }
        }
    };
}

numeric_binop!(sub, "-", -);
numeric_binop!(mul, "*", *);
numeric_binop!(div, "/", /);

/// `-a` on a number.
pub fn neg(heap: &mut Heap, a: Value) -> Result<Value, RtError> {
    match a.to_num() {
        Some(x) => Ok(Value::num(-x)),
        None => Err(RtError::type_error(format!("`-` cannot negate {}", crate::print::type_name(heap, a)))),
    }
}
