//! Value operations shared by every engine: the tree-walk interpreter calls
//! them directly and the table's `sem` expressions call them from the
//! generated VM loops, so the engines agree by construction.
//!
//! Every operation is a pure function over `(&mut Heap, Value…)` returning
//! `Result<Value, RtError>`; those that cannot fail or allocate also have a
//! plain form (`equal`, `compare`, `key_text`) for engine code and builtins.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::error::RtError;
use crate::heap::{Heap, Obj, RecordShape};
use crate::print::type_name;
use crate::value::Value;

fn both_nums(a: Value, b: Value) -> Option<(f64, f64)> {
    Some((a.to_num()?, b.to_num()?))
}

fn mismatch(heap: &Heap, op: &str, a: Value, b: Value) -> RtError {
    RtError::type_error(format!(
        "`{op}` cannot combine {} and {}",
        type_name(heap, a),
        type_name(heap, b)
    ))
}

/// `+a b`: numbers add, texts and lists concatenate.
pub fn add(heap: &mut Heap, a: Value, b: Value) -> Result<Value, RtError> {
    if let Some((x, y)) = both_nums(a, b) {
        return Ok(Value::num(x + y));
    }
    if let Some(r) = heap.concat_within(a, b) {
        return Ok(r);
    }
    match (heap.get(a), heap.get(b)) {
        // Both grow `a` in place when it ends where its storage ends (see `heap`).
        (Some(Obj::Text(_)), Some(Obj::Text(_))) => heap.concat_text(a, b),
        (Some(Obj::List(_)), Some(Obj::List(y))) => {
            let y = y.to_vec();
            heap.extend_list(a, &y)
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
// IEEE: `/1 0` is `inf`, `/0 0` is `nan`; never an error.
numeric_binop!(div, "/", /);

/// `-a` on a number.
pub fn neg(heap: &mut Heap, a: Value) -> Result<Value, RtError> {
    match a.to_num() {
        Some(x) => Ok(Value::num(-x)),
        None => Err(RtError::type_error(format!("`-` cannot negate {}", type_name(heap, a)))),
    }
}

/// `!a`: `true` when `a` is `false` or `nil`.
pub fn not(_heap: &mut Heap, a: Value) -> Result<Value, RtError> {
    Ok(Value::bool(!a.truthy()))
}

/// `mod a b`: the remainder with the sign of `a` (`mod -7 3` is `-1`);
/// `mod a 0` is an `ILO-R002` error.
pub fn modulo(heap: &mut Heap, a: Value, b: Value) -> Result<Value, RtError> {
    let (x, y) = both_nums(a, b).ok_or_else(|| mismatch(heap, "mod", a, b))?;
    if y == 0.0 {
        return Err(RtError::mod_zero());
    }
    Ok(Value::num(x % y))
}

/// `+=xs v`: `xs` with `v` appended; `xs` itself never changes, but its
/// storage grows in place when it can (see `heap`).
pub fn append(heap: &mut Heap, xs: Value, v: Value) -> Result<Value, RtError> {
    if let Some(r) = heap.push_within(xs, &[v]) {
        return Ok(r);
    }
    match heap.get(xs) {
        Some(Obj::List(_)) => heap.extend_list(xs, &[v]),
        _ => Err(RtError::type_error(format!(
            "`+=` appends to a list, not to {}",
            type_name(heap, xs)
        ))),
    }
}

/// Structural equality: numbers by IEEE `==` (so `nan` is not equal to
/// itself and `-0` equals `0`), texts by content, lists, maps, records and
/// results element by element; functions by identity. Iterative, so deeply
/// nested values cannot exhaust the native stack.
pub fn equal(heap: &Heap, a: Value, b: Value) -> bool {
    let mut todo = vec![(a, b)];
    while let Some((a, b)) = todo.pop() {
        if let Some((x, y)) = both_nums(a, b) {
            if x != y {
                return false;
            }
            continue;
        }
        if a == b {
            continue; // same bits: same special, same object or same function
        }
        let same = match (heap.get(a), heap.get(b)) {
            (Some(Obj::Text(x)), Some(Obj::Text(y))) => x == y,
            (Some(Obj::List(x)), Some(Obj::List(y))) => {
                x.len() == y.len() && {
                    todo.extend(x.iter().copied().zip(y.iter().copied()));
                    true
                }
            }
            (Some(Obj::Map(x)), Some(Obj::Map(y))) => {
                x.len() == y.len()
                    && x.iter().zip(y.iter()).all(|((kx, vx), (ky, vy))| {
                        todo.push((*vx, *vy));
                        kx == ky
                    })
            }
            (Some(Obj::Record(x)), Some(Obj::Record(y))) => {
                x.shape == y.shape && x.values.len() == y.values.len() && {
                    todo.extend(x.values.iter().copied().zip(y.values.iter().copied()));
                    true
                }
            }
            (Some(Obj::Ok(x)), Some(Obj::Ok(y))) | (Some(Obj::Err(x)), Some(Obj::Err(y))) => {
                todo.push((x, y));
                true
            }
            _ => false,
        };
        if !same {
            return false;
        }
    }
    true
}

/// `=a b`: structural equality, as a bool value.
pub fn eq(heap: &mut Heap, a: Value, b: Value) -> Result<Value, RtError> {
    Ok(Value::bool(equal(heap, a, b)))
}

/// `!=a b`.
pub fn ne(heap: &mut Heap, a: Value, b: Value) -> Result<Value, RtError> {
    Ok(Value::bool(!equal(heap, a, b)))
}

/// Orders two numbers or two texts (texts by their bytes, so `"B" < "a"`).
/// `None` for `nan` against anything; an `ILO-R001` error for any other pair.
pub fn compare(heap: &Heap, op: &str, a: Value, b: Value) -> Result<Option<Ordering>, RtError> {
    if let Some((x, y)) = both_nums(a, b) {
        return Ok(x.partial_cmp(&y));
    }
    match (heap.as_text(a), heap.as_text(b)) {
        (Some(x), Some(y)) => Ok(Some(x.cmp(y))),
        _ => Err(RtError::type_error(format!(
            "`{op}` compares two numbers or two texts, not {} and {}",
            type_name(heap, a),
            type_name(heap, b)
        ))),
    }
}

macro_rules! comparison {
    ($name:ident, $sym:literal, $($ord:pat_param)|+) => {
        #[doc = concat!("`", $sym, "a b` on two numbers or two texts; any comparison with `nan` is false.")]
        pub fn $name(heap: &mut Heap, a: Value, b: Value) -> Result<Value, RtError> {
            Ok(Value::bool(matches!(compare(heap, $sym, a, b)?, Some($($ord)|+))))
        }
    };
}

comparison!(lt, "<", Ordering::Less);
comparison!(gt, ">", Ordering::Greater);
comparison!(le, "<=", Ordering::Less | Ordering::Equal);
comparison!(ge, ">=", Ordering::Greater | Ordering::Equal);

/// A value as a map key: keys are text at run time, so a text is itself and
/// anything else is its printed form (`1` -> `"1"`, `true` -> `"true"`).
pub fn key_text(heap: &Heap, v: Value) -> String {
    match heap.as_text(v) {
        Some(s) => s.to_string(),
        None => crate::print::fmt_value(heap, v),
    }
}

/// `x.i` with a literal index: the `i`-th element of a list or character
/// of a text; out of range is an `ILO-R003` error.
pub fn index(heap: &mut Heap, target: Value, i: usize) -> Result<Value, RtError> {
    match heap.get(target) {
        Some(Obj::List(items)) => items
            .get(i)
            .copied()
            .ok_or_else(|| RtError::index(i as i64, items.len())),
        Some(Obj::Text(s)) => match s.chars().nth(i) {
            Some(c) => Ok(heap.text(c.to_string())),
            None => Err(RtError::index(i as i64, s.chars().count())),
        },
        _ => Err(RtError::type_error(format!(
            "`.{i}` indexes a list or text, not {}",
            type_name(heap, target)
        ))),
    }
}

/// `x.f`: a record's field, or a map's entry (`nil` when the key is absent,
/// as for `mget`). A record without the field is an `ILO-R009` error.
pub fn field(heap: &mut Heap, target: Value, name: &str) -> Result<Value, RtError> {
    match heap.get(target) {
        Some(Obj::Record(r)) => r.get(name).ok_or_else(|| {
            RtError::field(format!(
                "record `{}` has no field `{name}` (fields: {})",
                r.shape.name,
                r.shape.fields.join(" ")
            ))
        }),
        Some(Obj::Map(m)) => Ok(m.get(name).copied().unwrap_or(Value::NIL)),
        _ => Err(RtError::type_error(format!(
            "`.{name}` reads a field of a record, not of {}",
            type_name(heap, target)
        ))),
    }
}

/// What `@x e` walks, read once before the first iteration: a list's
/// elements, a text's characters (each a one-character text), or a map's
/// keys in order.
pub fn iter_items(heap: &mut Heap, v: Value) -> Result<Vec<Value>, RtError> {
    match heap.get(v) {
        Some(Obj::List(items)) => Ok(items.to_vec()),
        Some(Obj::Text(s)) => {
            let chars: Vec<String> = s.chars().map(String::from).collect();
            Ok(chars.into_iter().map(|c| heap.text(c)).collect())
        }
        Some(Obj::Map(m)) => {
            let keys: Vec<String> = m.keys().map(|k| k.to_string()).collect();
            Ok(keys.into_iter().map(|k| heap.text(k)).collect())
        }
        _ => Err(RtError::type_error(format!(
            "`@` walks a list, text or map, not {}",
            type_name(heap, v)
        ))),
    }
}

/// What `@x xs` walks, as one list value (the VMs' `ITER`): a list walks
/// itself; a text's characters and a map's keys become a new list.
pub fn iteration_list(heap: &mut Heap, xs: Value) -> Result<Value, RtError> {
    if heap.as_list(xs).is_some() {
        return Ok(xs);
    }
    let items = iter_items(heap, xs)?;
    Ok(heap.list(items))
}

/// `f!` on the value `r` a call returned: `Ok(Some(v))` for `~v`,
/// `Ok(None)` for `^e` (the enclosing function then returns `r` itself),
/// ILO-R001 for anything else.
pub fn unwrap(heap: &Heap, func: &str, r: Value) -> Result<Option<Value>, RtError> {
    match heap.get(r) {
        Some(Obj::Ok(x)) => Ok(Some(x)),
        Some(Obj::Err(_)) => Ok(None),
        _ => Err(RtError::type_error(format!(
            "`{func}!` unwraps a result, but `{func}` returned {}",
            type_name(heap, r)
        ))),
    }
}

/// The kinds a typed match pattern (`n v:` `t v:` `b v:` `l v:`) tests for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Num,
    Text,
    Bool,
    List,
}

/// Whether `v` is of kind `k`.
pub fn is_kind(heap: &Heap, k: Kind, v: Value) -> bool {
    match k {
        Kind::Num => v.is_num(),
        Kind::Bool => v.to_bool().is_some(),
        Kind::Text => heap.as_text(v).is_some(),
        Kind::List => heap.as_list(v).is_some(),
    }
}

/// The inner value of `~v` (`ok: true`) or `^e` (`ok: false`), for the
/// match patterns `~v:` and `^e:`; `None` when `v` is not that result.
pub fn result_inner(heap: &Heap, v: Value, ok: bool) -> Option<Value> {
    match (heap.get(v)?, ok) {
        (Obj::Ok(x), true) | (Obj::Err(x), false) => Some(x),
        _ => None,
    }
}

fn no_field(shape: &RecordShape, name: &str) -> RtError {
    RtError::field(format!(
        "record `{}` has no field `{name}` (fields: {})",
        shape.name,
        shape.fields.join(" ")
    ))
}

/// `pt x:1 y:2`: a record of type `shape` from fields given by name in any
/// order (values already evaluated in the order written); stored in
/// declaration order. An unknown or missing field is ILO-R009.
pub fn make_record(heap: &mut Heap, shape: &Arc<RecordShape>, given: &[(&str, Value)]) -> Result<Value, RtError> {
    let mut values: Vec<Option<Value>> = vec![None; shape.fields.len()];
    for (name, v) in given {
        let slot = shape
            .field(name)
            .and_then(|i| values.get_mut(i))
            .ok_or_else(|| no_field(shape, name))?;
        *slot = Some(*v);
    }
    let mut out = Vec::with_capacity(values.len());
    for (v, name) in values.into_iter().zip(&shape.fields) {
        match v {
            Some(v) => out.push(v),
            None => return Err(RtError::field(format!("record `{}` needs field `{name}`", shape.name))),
        }
    }
    Ok(heap.record(shape.clone(), out))
}

/// `p with x:5`: a copy of record `p` with the named fields replaced
/// (ILO-R009 for a field it lacks); on a map, a copy with those keys set.
pub fn with_fields(heap: &mut Heap, target: Value, given: &[(&str, Value)]) -> Result<Value, RtError> {
    match heap.get(target) {
        Some(Obj::Record(r)) => {
            let mut r = r.clone();
            for (name, v) in given {
                let slot = r.shape.field(name).and_then(|i| r.values.get_mut(i));
                match slot {
                    Some(slot) => *slot = *v,
                    None => return Err(no_field(&r.shape, name)),
                }
            }
            Ok(heap.record(r.shape, r.values.into_vec()))
        }
        Some(Obj::Map(m)) => {
            let mut m = m.clone();
            for (name, v) in given {
                m.insert((*name).into(), *v);
            }
            let added: Vec<Value> = given.iter().map(|(_, v)| *v).collect();
            Ok(heap.map_version(target, m, &added))
        }
        _ => Err(RtError::type_error(format!(
            "`with` copies a record, not {}",
            type_name(heap, target)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::codes::runtime as code;
    use crate::heap::RecordShape;
    use crate::print::fmt_value;

    fn n(x: f64) -> Value {
        Value::num(x)
    }

    #[test]
    fn arithmetic_on_numbers() {
        let mut h = Heap::default();
        assert_eq!(add(&mut h, n(1.0), n(2.0)), Ok(n(3.0)));
        assert_eq!(sub(&mut h, n(1.0), n(2.0)), Ok(n(-1.0)));
        assert_eq!(mul(&mut h, n(3.0), n(2.0)), Ok(n(6.0)));
        assert_eq!(div(&mut h, n(1.0), n(0.0)), Ok(n(f64::INFINITY)));
        assert_eq!(div(&mut h, n(-1.0), n(0.0)), Ok(n(f64::NEG_INFINITY)));
        assert!(div(&mut h, n(0.0), n(0.0))
            .ok()
            .and_then(Value::to_num)
            .is_some_and(f64::is_nan));
        assert_eq!(neg(&mut h, n(2.0)), Ok(n(-2.0)));
    }

    #[test]
    fn add_concatenates_texts_and_lists() {
        let mut h = Heap::default();
        let a = h.text("ab");
        let b = h.text("cd");
        let ab = add(&mut h, a, b).unwrap_or(Value::NIL);
        assert_eq!(h.as_text(ab), Some("abcd"));
        let l1 = h.list(vec![n(1.0)]);
        let l2 = h.list(vec![n(2.0), n(3.0)]);
        let l = add(&mut h, l1, l2).unwrap_or(Value::NIL);
        assert_eq!(fmt_value(&h, l), "[1, 2, 3]");
        assert_eq!(add(&mut h, a, n(1.0)).map_err(|e| e.code), Err(code::TYPE));
        assert_eq!(add(&mut h, a, l1).map_err(|e| e.code), Err(code::TYPE));
        assert_eq!(sub(&mut h, a, b).map_err(|e| e.code), Err(code::TYPE));
        assert_eq!(neg(&mut h, a).map_err(|e| e.code), Err(code::TYPE));
    }

    #[test]
    fn modulo_has_the_sign_of_the_dividend() {
        let mut h = Heap::default();
        assert_eq!(modulo(&mut h, n(7.0), n(3.0)), Ok(n(1.0)));
        assert_eq!(modulo(&mut h, n(-7.0), n(3.0)), Ok(n(-1.0)));
        assert_eq!(modulo(&mut h, n(7.0), n(-3.0)), Ok(n(1.0)));
        assert_eq!(modulo(&mut h, n(5.5), n(2.0)), Ok(n(1.5)));
        assert_eq!(modulo(&mut h, n(1.0), n(0.0)).map_err(|e| e.code), Err(code::MOD_ZERO));
        assert_eq!(modulo(&mut h, n(1.0), n(-0.0)).map_err(|e| e.code), Err(code::MOD_ZERO));
    }

    #[test]
    fn append_builds_a_new_list() {
        let mut h = Heap::default();
        let xs = h.list(vec![n(1.0)]);
        let ys = append(&mut h, xs, n(2.0)).unwrap_or(Value::NIL);
        assert_eq!(fmt_value(&h, xs), "[1]");
        assert_eq!(fmt_value(&h, ys), "[1, 2]");
        assert_eq!(append(&mut h, n(1.0), n(2.0)).map_err(|e| e.code), Err(code::TYPE));
    }

    #[test]
    fn equality_is_structural() {
        let mut h = Heap::default();
        let a = h.text("x");
        let b = h.text("x");
        let c = h.text("y");
        assert!(equal(&h, a, b));
        assert!(!equal(&h, a, c));
        let l1 = h.list(vec![n(1.0), a]);
        let l2 = h.list(vec![n(1.0), b]);
        let l3 = h.list(vec![n(1.0)]);
        assert!(equal(&h, l1, l2));
        assert!(!equal(&h, l1, l3));
        let o1 = h.ok(l1);
        let o2 = h.ok(l2);
        let e1 = h.err(l1);
        assert!(equal(&h, o1, o2));
        assert!(!equal(&h, o1, e1));
        let mut m = BTreeMap::new();
        m.insert("k".to_string(), l1);
        let m1 = h.map(m.clone());
        m.insert("k".to_string(), l2);
        let m2 = h.map(m.clone());
        m.insert("k".to_string(), l3);
        let m3 = h.map(m);
        assert!(equal(&h, m1, m2));
        assert!(!equal(&h, m1, m3));
        let shape = Arc::new(RecordShape::new("pt", vec!["x".into()]));
        let other = Arc::new(RecordShape::new("qt", vec!["x".into()]));
        let r1 = h.record(shape.clone(), vec![n(1.0)]);
        let r2 = h.record(shape, vec![n(1.0)]);
        let r3 = h.record(other, vec![n(1.0)]);
        assert!(equal(&h, r1, r2));
        assert!(!equal(&h, r1, r3));
        assert!(equal(&h, n(0.0), n(-0.0)));
        assert!(!equal(&h, n(f64::NAN), n(f64::NAN)));
        assert!(equal(&h, Value::NIL, Value::NIL));
        assert!(!equal(&h, Value::NIL, Value::FALSE));
        assert!(!equal(&h, n(1.0), a));
        assert!(equal(&h, Value::func(1), Value::func(1)));
        assert_eq!(eq(&mut h, l1, l2), Ok(Value::TRUE));
        assert_eq!(ne(&mut h, l1, l2), Ok(Value::FALSE));
    }

    #[test]
    fn deep_equality_does_not_overflow() {
        let mut h = Heap::default();
        let mut a = h.list(vec![]);
        let mut b = h.list(vec![]);
        for _ in 0..200_000 {
            a = h.list(vec![a]);
            b = h.list(vec![b]);
        }
        assert!(equal(&h, a, b));
    }

    #[test]
    fn comparisons_take_numbers_or_texts() {
        let mut h = Heap::default();
        assert_eq!(lt(&mut h, n(1.0), n(2.0)), Ok(Value::TRUE));
        assert_eq!(gt(&mut h, n(1.0), n(2.0)), Ok(Value::FALSE));
        assert_eq!(le(&mut h, n(2.0), n(2.0)), Ok(Value::TRUE));
        assert_eq!(ge(&mut h, n(1.0), n(2.0)), Ok(Value::FALSE));
        assert_eq!(lt(&mut h, n(f64::NAN), n(2.0)), Ok(Value::FALSE));
        assert_eq!(ge(&mut h, n(f64::NAN), n(f64::NAN)), Ok(Value::FALSE));
        let a = h.text("apple");
        let b = h.text("banana");
        assert_eq!(lt(&mut h, a, b), Ok(Value::TRUE));
        assert_eq!(ge(&mut h, a, b), Ok(Value::FALSE));
        assert_eq!(lt(&mut h, a, n(1.0)).map_err(|e| e.code), Err(code::TYPE));
        assert_eq!(lt(&mut h, Value::NIL, Value::NIL).map_err(|e| e.code), Err(code::TYPE));
    }

    #[test]
    fn not_uses_truthiness() {
        let mut h = Heap::default();
        assert_eq!(not(&mut h, Value::NIL), Ok(Value::TRUE));
        assert_eq!(not(&mut h, Value::FALSE), Ok(Value::TRUE));
        assert_eq!(not(&mut h, n(0.0)), Ok(Value::FALSE));
        let e = h.text("");
        assert_eq!(not(&mut h, e), Ok(Value::FALSE));
    }

    #[test]
    fn index_and_field() {
        let mut h = Heap::default();
        let xs = h.list(vec![n(10.0), n(20.0)]);
        assert_eq!(index(&mut h, xs, 1), Ok(n(20.0)));
        assert_eq!(index(&mut h, xs, 2).map_err(|e| e.code), Err(code::INDEX));
        let t = h.text("héllo");
        let c = index(&mut h, t, 1).unwrap_or(Value::NIL);
        assert_eq!(h.as_text(c), Some("é"));
        assert_eq!(index(&mut h, t, 5).map_err(|e| e.code), Err(code::INDEX));
        assert_eq!(index(&mut h, n(1.0), 0).map_err(|e| e.code), Err(code::TYPE));
        let shape = Arc::new(RecordShape::new("pt", vec!["x".into(), "y".into()]));
        let r = h.record(shape, vec![n(1.0), n(2.0)]);
        assert_eq!(field(&mut h, r, "y"), Ok(n(2.0)));
        assert_eq!(field(&mut h, r, "z").map_err(|e| e.code), Err(code::FIELD));
        let mut m = BTreeMap::new();
        m.insert("a".to_string(), n(1.0));
        let m = h.map(m);
        assert_eq!(field(&mut h, m, "a"), Ok(n(1.0)));
        assert_eq!(field(&mut h, m, "b"), Ok(Value::NIL));
        assert_eq!(field(&mut h, xs, "a").map_err(|e| e.code), Err(code::TYPE));
    }

    #[test]
    fn keys_are_text() {
        let mut h = Heap::default();
        let t = h.text("k");
        assert_eq!(key_text(&h, t), "k");
        assert_eq!(key_text(&h, n(1.0)), "1");
        assert_eq!(key_text(&h, n(2.5)), "2.5");
        assert_eq!(key_text(&h, Value::TRUE), "true");
    }

    #[test]
    fn iteration_unwrap_and_patterns() {
        let mut h = Heap::default();
        let t = h.text("hé");
        let items = iter_items(&mut h, t).unwrap_or_default();
        let l = h.list(items);
        assert_eq!(fmt_value(&h, l), "[h, é]");
        let m = h.map(BTreeMap::from([("b".to_string(), n(2.0)), ("a".to_string(), n(1.0))]));
        let keys = iter_items(&mut h, m).unwrap_or_default();
        let l = h.list(keys);
        assert_eq!(fmt_value(&h, l), "[a, b]");
        assert_eq!(iter_items(&mut h, n(3.0)).map_err(|e| e.code), Err(code::TYPE));
        let ok = h.ok(n(1.0));
        let err = h.err(n(2.0));
        assert_eq!(unwrap(&h, "f", ok), Ok(Some(n(1.0))));
        assert_eq!(unwrap(&h, "f", err), Ok(None));
        assert_eq!(unwrap(&h, "f", n(1.0)).map_err(|e| e.code), Err(code::TYPE));
        assert_eq!(result_inner(&h, ok, true), Some(n(1.0)));
        assert_eq!(result_inner(&h, ok, false), None);
        assert_eq!(result_inner(&h, err, false), Some(n(2.0)));
        assert!(is_kind(&h, Kind::Text, t));
        assert!(!is_kind(&h, Kind::List, t));
        assert!(is_kind(&h, Kind::Bool, Value::FALSE));
        assert!(is_kind(&h, Kind::Num, n(0.0)));
    }

    #[test]
    fn records_are_built_and_copied() {
        let mut h = Heap::default();
        let shape = Arc::new(RecordShape::new("pt", vec!["x".into(), "y".into()]));
        let p = make_record(&mut h, &shape, &[("y", n(2.0)), ("x", n(1.0))]).unwrap_or(Value::NIL);
        assert_eq!(fmt_value(&h, p), "pt {x: 1, y: 2}");
        let q = with_fields(&mut h, p, &[("x", n(9.0))]).unwrap_or(Value::NIL);
        assert_eq!(fmt_value(&h, q), "pt {x: 9, y: 2}");
        assert_eq!(fmt_value(&h, p), "pt {x: 1, y: 2}");
        assert_eq!(
            make_record(&mut h, &shape, &[("x", n(1.0))]).map_err(|e| e.code),
            Err(code::FIELD)
        );
        assert_eq!(
            make_record(&mut h, &shape, &[("x", n(1.0)), ("y", n(1.0)), ("z", n(1.0))]).map_err(|e| e.code),
            Err(code::FIELD)
        );
        assert_eq!(
            with_fields(&mut h, p, &[("z", n(1.0))]).map_err(|e| e.code),
            Err(code::FIELD)
        );
        assert_eq!(
            with_fields(&mut h, n(1.0), &[("x", n(1.0))]).map_err(|e| e.code),
            Err(code::TYPE)
        );
        let m = h.map(crate::heap::MapData::new());
        let m2 = with_fields(&mut h, m, &[("k", n(1.0))]).unwrap_or(Value::NIL);
        assert_eq!(fmt_value(&h, m2), "{k: 1}");
    }
}
