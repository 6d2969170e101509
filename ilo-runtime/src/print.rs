//! How values print (spec section 6).

/// [`fmt_num`] lives with [`Value`]: its `Debug` prints numbers so, and
/// `value` must not import `print` (which imports `builtins`, which imports
/// `value`: a cycle).
pub use crate::value::fmt_num;

use crate::heap::{Heap, Obj};
use crate::value::Value;

/// The ilo type of a value, for messages.
pub fn type_name(heap: &Heap, v: Value) -> &'static str {
    if v.is_num() {
        "a number"
    } else if v.to_bool().is_some() {
        "a bool"
    } else if v.is_nil() {
        "nil"
    } else if v.func_index().is_some() {
        "a function"
    } else {
        match heap.get(v) {
            Some(Obj::Text(_)) => "a text",
            Some(Obj::List(_)) => "a list",
            Some(Obj::Map(_)) => "a map",
            Some(Obj::Record(_)) => "a record",
            Some(Obj::Ok(_)) => "an ok result",
            Some(Obj::Err(_)) => "an error result",
            None => "an unknown value",
        }
    }
}

/// A value as the CLI prints a result (spec section 6): numbers by
/// [`fmt_num`], text raw (also inside lists, maps, records and results),
/// `true`/`false`, `nil`, lists `[1, 2, 3]`, results `~v` / `^e`, maps
/// `{a: 1, b: 2}` in key order, records `pt {x: 1, y: 2}` in declaration
/// order. Function values print as `<fn name>` for builtins and `<fn #i>`
/// for the program's `i`-th function.
///
/// Iterative, so a value nested a million levels deep prints without
/// exhausting the native stack.
pub fn fmt_value(heap: &Heap, v: Value) -> String {
    let mut out = String::new();
    write_value(heap, v, &mut out);
    out
}

enum Piece<'h> {
    Val(Value),
    Lit(&'static str),
    Str(&'h str),
}

/// [`fmt_value`], appending to `out`.
pub fn write_value(heap: &Heap, v: Value, out: &mut String) {
    let mut todo = vec![Piece::Val(v)];
    while let Some(piece) = todo.pop() {
        let v = match piece {
            Piece::Lit(s) => {
                out.push_str(s);
                continue;
            }
            Piece::Str(s) => {
                out.push_str(s);
                continue;
            }
            Piece::Val(v) => v,
        };
        if let Some(n) = v.to_num() {
            out.push_str(&fmt_num(n));
            continue;
        }
        if let Some(b) = v.to_bool() {
            out.push_str(if b { "true" } else { "false" });
            continue;
        }
        if v.is_nil() {
            out.push_str("nil");
            continue;
        }
        if let Some(i) = v.func_index() {
            match crate::builtin_table::Builtin::from_func_value(v) {
                Some(b) => out.push_str(&format!("<fn {}>", b.name())),
                None => out.push_str(&format!("<fn #{i}>")),
            }
            continue;
        }
        match heap.get(v) {
            Some(Obj::Text(s)) => out.push_str(s),
            Some(Obj::List(items)) => {
                todo.push(Piece::Lit("]"));
                for (i, x) in items.iter().enumerate().rev() {
                    todo.push(Piece::Val(*x));
                    if i > 0 {
                        todo.push(Piece::Lit(", "));
                    }
                }
                todo.push(Piece::Lit("["));
            }
            Some(Obj::Map(m)) => {
                todo.push(Piece::Lit("}"));
                for (i, (k, x)) in m.iter().enumerate().rev() {
                    todo.push(Piece::Val(*x));
                    todo.push(Piece::Lit(": "));
                    todo.push(Piece::Str(k));
                    if i > 0 {
                        todo.push(Piece::Lit(", "));
                    }
                }
                todo.push(Piece::Lit("{"));
            }
            Some(Obj::Record(r)) => {
                todo.push(Piece::Lit("}"));
                for (i, (k, x)) in r.shape.fields.iter().zip(&r.values).enumerate().rev() {
                    todo.push(Piece::Val(*x));
                    todo.push(Piece::Lit(": "));
                    todo.push(Piece::Str(k));
                    if i > 0 {
                        todo.push(Piece::Lit(", "));
                    }
                }
                todo.push(Piece::Lit(" {"));
                todo.push(Piece::Str(&r.shape.name));
            }
            Some(Obj::Ok(x)) => {
                todo.push(Piece::Val(x));
                todo.push(Piece::Lit("~"));
            }
            Some(Obj::Err(x)) => {
                todo.push(Piece::Val(x));
                todo.push(Piece::Lit("^"));
            }
            None => out.push_str(&format!("{v:?}")),
        }
    }
}

#[cfg(test)]
mod value_tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::heap::RecordShape;

    #[test]
    fn scalars_print_plainly() {
        let h = Heap::default();
        assert_eq!(fmt_value(&h, Value::num(3.0)), "3");
        assert_eq!(fmt_value(&h, Value::num(-0.5)), "-0.5");
        assert_eq!(fmt_value(&h, Value::TRUE), "true");
        assert_eq!(fmt_value(&h, Value::FALSE), "false");
        assert_eq!(fmt_value(&h, Value::NIL), "nil");
        assert_eq!(fmt_value(&h, Value::func(2)), "<fn #2>");
    }

    #[test]
    fn compound_values_print_like_the_spec_says() {
        let mut h = Heap::default();
        let a = h.text("a b");
        let l = h.list(vec![Value::num(1.0), a, Value::NIL]);
        assert_eq!(fmt_value(&h, l), "[1, a b, nil]");
        let empty = h.list(vec![]);
        assert_eq!(fmt_value(&h, empty), "[]");
        let nested = h.list(vec![l, empty]);
        assert_eq!(fmt_value(&h, nested), "[[1, a b, nil], []]");
        let ok = h.ok(l);
        assert_eq!(fmt_value(&h, ok), "~[1, a b, nil]");
        let msg = h.text("not found");
        let err = h.err(msg);
        assert_eq!(fmt_value(&h, err), "^not found");
        let mut m = BTreeMap::new();
        m.insert("b".to_string(), Value::num(2.0));
        m.insert("a".to_string(), Value::num(1.0));
        let m = h.map(m);
        assert_eq!(fmt_value(&h, m), "{a: 1, b: 2}");
        let em = h.map(crate::heap::MapData::new());
        assert_eq!(fmt_value(&h, em), "{}");
        let shape = Arc::new(RecordShape::new("pt", vec!["y".into(), "x".into()]));
        let r = h.record(shape, vec![Value::num(2.0), Value::num(1.0)]);
        assert_eq!(fmt_value(&h, r), "pt {y: 2, x: 1}");
        let shape = Arc::new(RecordShape::new("unit", vec![]));
        let r = h.record(shape, vec![]);
        assert_eq!(fmt_value(&h, r), "unit {}");
        let inner = h.ok(Value::num(1.0));
        let e = h.text("bad");
        let inner_err = h.err(e);
        let l = h.list(vec![inner, inner_err]);
        assert_eq!(fmt_value(&h, l), "[~1, ^bad]");
    }

    #[test]
    fn deeply_nested_values_print_without_overflowing() {
        let mut h = Heap::default();
        let mut v = h.list(vec![]);
        for _ in 0..200_000 {
            v = h.list(vec![v]);
        }
        let s = fmt_value(&h, v);
        assert_eq!(s.len(), 2 * 200_001);
    }

    #[test]
    fn type_names_cover_every_kind() {
        let mut h = Heap::default();
        let t = h.text("x");
        let m = h.map(crate::heap::MapData::new());
        let ok = h.ok(t);
        let err = h.err(t);
        assert_eq!(type_name(&h, t), "a text");
        assert_eq!(type_name(&h, m), "a map");
        assert_eq!(type_name(&h, ok), "an ok result");
        assert_eq!(type_name(&h, err), "an error result");
        assert_eq!(type_name(&h, Value::NIL), "nil");
        assert_eq!(type_name(&h, Value::func(0)), "a function");
    }
}
