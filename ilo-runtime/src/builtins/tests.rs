//! Every builtin on the values a program would give it, including the error
//! cases. Higher-order builtins are driven with builtins as the function
//! values (through `NoCallback`) and with a small test callee.

use std::collections::BTreeMap;

use super::*;
// The run-time codes, as `code::NAME`.
use crate::codes::runtime as code;
use crate::print::fmt_value;

fn n(x: f64) -> Value {
    Value::num(x)
}

struct T {
    h: Heap,
}

impl T {
    fn new() -> T {
        T { h: Heap::default() }
    }

    fn t(&mut self, s: &str) -> Value {
        self.h.text(s)
    }

    fn l(&mut self, items: &[Value]) -> Value {
        self.h.list(items.to_vec())
    }

    fn nums(&mut self, xs: &[f64]) -> Value {
        let items = xs.iter().map(|x| n(*x)).collect();
        self.h.list(items)
    }

    fn texts(&mut self, xs: &[&str]) -> Value {
        let items = xs.iter().map(|x| self.h.text(*x)).collect();
        self.h.list(items)
    }

    fn call(&mut self, name: &str, args: &[Value]) -> Result<Value, RtError> {
        let b = Builtin::from_name(name).unwrap_or_else(|| panic!("no builtin {name}"));
        call(b, &mut self.h, args, &mut Doubler)
    }

    /// The call's printed result, or its error code.
    fn p(&mut self, name: &str, args: &[Value]) -> String {
        match self.call(name, args) {
            Ok(v) => fmt_value(&self.h, v),
            Err(e) => e.code.to_string(),
        }
    }
}

/// A callee standing for user functions: `Value::func(0)` doubles a number,
/// `Value::func(1)` adds two numbers, `Value::func(2)` tells whether a
/// number is even; builtins run as themselves.
struct Doubler;

impl CallValue for Doubler {
    fn call_value(&mut self, heap: &mut Heap, f: Value, args: &[Value]) -> Result<Value, RtError> {
        if let Some(b) = Builtin::from_func_value(f) {
            return call(b, heap, args, self);
        }
        let x = args.first().and_then(|v| v.to_num());
        match (f.func_index(), x, args.len()) {
            (Some(0), Some(x), 1) => Ok(n(x * 2.0)),
            (Some(1), Some(x), 2) => Ok(n(x + args[1].to_num().unwrap_or(f64::NAN))),
            (Some(2), Some(x), 1) => Ok(Value::bool(x % 2.0 == 0.0)),
            _ => Err(RtError::arity("test function", 1, args.len())),
        }
    }
}

#[test]
fn names_and_ids_round_trip() {
    for (i, b) in Builtin::ALL.iter().enumerate() {
        assert_eq!(b.id() as usize, i);
        assert_eq!(Builtin::from_name(b.name()), Some(*b));
        assert_eq!(Builtin::from_id(b.id()), Some(*b));
        assert_eq!(Builtin::from_func_value(b.func_value()), Some(*b));
    }
    assert_eq!(Builtin::ALL.len(), 47);
    assert_eq!(Builtin::from_name("length"), None);
    assert_eq!(Builtin::from_func_value(Value::func(0)), None);
    assert_eq!(Builtin::from_func_value(Value::num(1.0)), None);
}

#[test]
fn arity_is_checked() {
    let mut t = T::new();
    assert_eq!(t.p("len", &[]), code::ARITY);
    assert_eq!(t.p("len", &[n(1.0), n(2.0)]), code::ARITY);
    assert_eq!(t.p("rnd", &[n(1.0)]), code::ARITY);
    assert_eq!(t.p("mmap", &[n(1.0)]), code::ARITY);
}

#[test]
fn len_str_num() {
    let mut t = T::new();
    let s = t.t("héllo");
    assert_eq!(t.p("len", &[s]), "6");
    let l = t.nums(&[1.0, 2.0]);
    assert_eq!(t.p("len", &[l]), "2");
    let m = t.h.map(BTreeMap::from([("a".to_string(), n(1.0))]));
    assert_eq!(t.p("len", &[m]), "1");
    assert_eq!(t.p("len", &[n(3.0)]), code::TYPE);

    assert_eq!(t.p("str", &[n(3.0)]), "3");
    assert_eq!(t.p("str", &[n(2.5)]), "2.5");
    assert_eq!(t.p("str", &[n(-0.0)]), "-0");
    assert_eq!(t.p("str", &[s]), "héllo");
    assert_eq!(t.p("str", &[Value::TRUE]), "true");
    assert_eq!(t.p("str", &[l]), "[1, 2]");

    for (text, want) in [("42", "~42"), (" -2.5 ", "~-2.5"), ("1e3", "~1000"), ("inf", "~inf")] {
        let v = t.t(text);
        assert_eq!(t.p("num", &[v]), want, "{text}");
    }
    for text in ["abc", "", "1,5", "12abc", "--"] {
        let v = t.t(text);
        assert!(t.p("num", &[v]).starts_with('^'), "{text}");
    }
    assert_eq!(t.p("num", &[n(7.0)]), "~7");
    assert_eq!(t.p("num", &[Value::NIL]), code::TYPE);
}

#[test]
fn numeric_helpers() {
    let mut t = T::new();
    assert_eq!(t.p("abs", &[n(-3.5)]), "3.5");
    assert_eq!(t.p("flr", &[n(-3.5)]), "-4");
    assert_eq!(t.p("cel", &[n(3.2)]), "4");
    assert_eq!(t.p("rou", &[n(2.5)]), "3");
    assert_eq!(t.p("rou", &[n(-2.5)]), "-3");
    assert_eq!(t.p("rou", &[n(2.4)]), "2");
    assert_eq!(t.p("min", &[n(3.0), n(2.0)]), "2");
    assert_eq!(t.p("max", &[n(3.0), n(2.0)]), "3");
    let l = t.nums(&[4.0, -1.0, 9.0]);
    assert_eq!(t.p("min", &[l]), "-1");
    assert_eq!(t.p("max", &[l]), "9");
    let e = t.nums(&[]);
    assert_eq!(t.p("max", &[e]), code::EMPTY);
    assert_eq!(t.p("abs", &[Value::TRUE]), code::TYPE);
    assert_eq!(t.p("mod", &[n(7.0), n(3.0)]), "1");
    assert_eq!(t.p("mod", &[n(-7.0), n(3.0)]), "-1");
    assert_eq!(t.p("mod", &[n(7.0), n(0.0)]), code::MOD_ZERO);
    assert_eq!(t.p("sum", &[l]), "12");
    assert_eq!(t.p("sum", &[e]), "0");
    assert_eq!(t.p("avg", &[l]), "4");
    assert_eq!(t.p("avg", &[e]), code::AVG_EMPTY);
    let mixed = t.l(&[n(1.0), Value::NIL]);
    assert_eq!(t.p("sum", &[mixed]), code::TYPE);
}

#[test]
fn list_and_text_helpers() {
    let mut t = T::new();
    let l = t.nums(&[3.0, 1.0, 2.0]);
    let e = t.nums(&[]);
    let s = t.t("héllo");
    let es = t.t("");
    assert_eq!(t.p("hd", &[l]), "3");
    assert_eq!(t.p("hd", &[s]), "h");
    assert_eq!(t.p("hd", &[e]), code::EMPTY);
    assert_eq!(t.p("hd", &[es]), code::EMPTY);
    assert_eq!(t.p("tl", &[l]), "[1, 2]");
    assert_eq!(t.p("tl", &[s]), "éllo");
    assert_eq!(t.p("tl", &[e]), code::EMPTY);
    assert_eq!(t.p("rev", &[l]), "[2, 1, 3]");
    assert_eq!(t.p("rev", &[s]), "olléh");
    assert_eq!(t.p("srt", &[l]), "[1, 2, 3]");
    assert_eq!(t.p("srt", &[e]), "[]");
    let words = t.texts(&["pear", "apple", "Fig"]);
    assert_eq!(t.p("srt", &[words]), "[Fig, apple, pear]");
    let odd = t.t("cab");
    assert_eq!(t.p("srt", &[odd]), "abc");
    let nanl = t.nums(&[2.0, f64::NAN, 1.0]);
    assert_eq!(t.p("srt", &[nanl]), "[1, 2, nan]");
    let one = t.t("x");
    let mixed = t.l(&[n(1.0), one]);
    assert_eq!(t.p("srt", &[mixed]), code::TYPE);
    let dups = t.nums(&[1.0, 2.0, 1.0, 3.0, 2.0, -0.0, 0.0]);
    assert_eq!(t.p("unq", &[dups]), "[1, 2, 3, -0]");
    let dupt = t.texts(&["a", "b", "a"]);
    assert_eq!(t.p("unq", &[dupt]), "[a, b]");
    let inner1 = t.nums(&[1.0]);
    let inner2 = t.nums(&[1.0]);
    let dupl = t.l(&[inner1, inner2]);
    assert_eq!(t.p("unq", &[dupl]), "[[1]]");
    let mississippi = t.t("mississippi");
    assert_eq!(t.p("unq", &[mississippi]), "misp");
    let i2 = t.nums(&[2.0, 3.0]);
    let nested = t.l(&[inner1, n(9.0), i2, e]);
    assert_eq!(t.p("flat", &[nested]), "[1, 9, 2, 3]");
    assert_eq!(t.p("flat", &[s]), code::TYPE);
}

#[test]
fn slices() {
    let mut t = T::new();
    let l = t.nums(&[0.0, 1.0, 2.0, 3.0, 4.0]);
    assert_eq!(t.p("slc", &[l, n(1.0), n(3.0)]), "[1, 2]");
    assert_eq!(t.p("slc", &[l, n(3.0), n(99.0)]), "[3, 4]");
    assert_eq!(t.p("slc", &[l, n(3.0), n(1.0)]), "[]");
    assert_eq!(t.p("slc", &[l, n(-2.0), n(5.0)]), "[3, 4]");
    assert_eq!(t.p("slc", &[l, n(0.0), n(-1.0)]), "[0, 1, 2, 3]");
    assert_eq!(t.p("slc", &[l, n(0.5), n(2.5)]), "[0, 1]");
    let s = t.t("hello");
    assert_eq!(t.p("slc", &[s, n(1.0), n(3.0)]), "el");
    let u = t.t("héllo");
    // Bytes, with a bound inside `é` moved forward to the next character.
    assert_eq!(t.p("slc", &[u, n(0.0), n(2.0)]), "hé");
    assert_eq!(t.p("slc", &[u, n(2.0), n(6.0)]), "llo");
    assert_eq!(t.p("slc", &[n(1.0), n(0.0), n(1.0)]), code::TYPE);
    assert_eq!(t.p("slc", &[l, s, n(1.0)]), code::TYPE);
}

#[test]
fn membership() {
    let mut t = T::new();
    let l = t.nums(&[1.0, 2.0]);
    assert_eq!(t.p("has", &[l, n(2.0)]), "true");
    assert_eq!(t.p("has", &[l, n(5.0)]), "false");
    let inner = t.nums(&[1.0, 2.0]);
    let ll = t.l(&[inner]);
    assert_eq!(t.p("has", &[ll, l]), "true");
    let s = t.t("hello");
    let sub = t.t("ell");
    let nope = t.t("xyz");
    assert_eq!(t.p("has", &[s, sub]), "true");
    assert_eq!(t.p("has", &[s, nope]), "false");
    assert_eq!(t.p("has", &[s, n(1.0)]), code::TYPE);
    let m = t.h.map(BTreeMap::from([("a".to_string(), n(1.0))]));
    let a = t.t("a");
    assert_eq!(t.p("has", &[m, a]), "true");
    assert_eq!(t.p("has", &[n(1.0), a]), code::TYPE);
}

#[test]
fn split_join_trim_format() {
    let mut t = T::new();
    let s = t.t("a,b,,c");
    let comma = t.t(",");
    let empty = t.t("");
    assert_eq!(t.p("spl", &[s, comma]), "[a, b, , c]");
    let ab = t.t("ab");
    assert_eq!(t.p("spl", &[ab, empty]), "[a, b]");
    let parts = t.texts(&["x", "y"]);
    let dash = t.t("-");
    assert_eq!(t.p("cat", &[parts, dash]), "x-y");
    let ns = t.nums(&[1.0, 2.5]);
    assert_eq!(t.p("cat", &[ns, comma]), "1,2.5");
    let e = t.nums(&[]);
    assert_eq!(t.p("cat", &[e, comma]), "");
    let padded = t.t("  hi \n");
    assert_eq!(t.p("trm", &[padded]), "hi");
    let tpl = t.t("{} and {}");
    let word = t.t("cats");
    assert_eq!(t.p("fmt", &[tpl, n(1.0), word]), "1 and cats");
    assert_eq!(t.p("fmt", &[tpl, n(1.0)]), code::ARG);
    assert_eq!(t.p("fmt", &[tpl, n(1.0), n(2.0), n(3.0)]), code::ARG);
    let plain = t.t("no holes");
    assert_eq!(t.p("fmt", &[plain]), "no holes");
    let l = t.nums(&[1.0]);
    let one = t.t("v={}");
    assert_eq!(t.p("fmt", &[one, l]), "v=[1]");
    assert_eq!(t.p("spl", &[n(1.0), comma]), code::TYPE);
}

#[test]
fn higher_order() {
    let mut t = T::new();
    let l = t.nums(&[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(t.p("map", &[Value::func(0), l]), "[2, 4, 6, 8]");
    assert_eq!(t.p("flt", &[Value::func(2), l]), "[2, 4]");
    assert_eq!(t.p("fld", &[Value::func(1), l, n(100.0)]), "110");
    let e = t.nums(&[]);
    assert_eq!(t.p("fld", &[Value::func(1), e, n(7.0)]), "7");
    assert_eq!(t.p("map", &[Builtin::Str.func_value(), l]), "[1, 2, 3, 4]");
    assert_eq!(t.p("grp", &[Value::func(2), l]), "{false: [1, 3], true: [2, 4]}");
    let words = t.texts(&["ccc", "a", "bb"]);
    assert_eq!(t.p("srt", &[Builtin::Len.func_value(), words]), "[a, bb, ccc]");
    assert_eq!(
        t.p("grp", &[Builtin::Len.func_value(), words]),
        "{1: [a], 2: [bb], 3: [ccc]}"
    );
    let s = t.t("ab");
    assert_eq!(t.p("map", &[Builtin::Str.func_value(), s]), "[a, b]");
    // Not a function, and a function of the wrong arity.
    assert_eq!(t.p("map", &[n(1.0), l]), code::TYPE);
    assert_eq!(t.p("map", &[Value::func(1), l]), code::ARITY);
    assert_eq!(t.p("map", &[Value::func(0), n(1.0)]), code::TYPE);
    // Keys of mixed kinds cannot be sorted.
    let mixed = t.l(&[n(1.0), s]);
    assert_eq!(t.p("srt", &[Builtin::Str.func_value(), mixed]), "[1, ab]");
    assert_eq!(t.p("srt", &[Value::func(0), mixed]), code::ARITY);
}

#[test]
fn maps_are_persistent_and_ordered() {
    let mut t = T::new();
    let m0 = t.call("mmap", &[]).unwrap_or(Value::NIL);
    assert_eq!(fmt_value(&t.h, m0), "{}");
    let b = t.t("b");
    let a = t.t("a");
    let m1 = t.call("mset", &[m0, b, n(2.0)]).unwrap_or(Value::NIL);
    let m2 = t.call("mset", &[m1, a, n(1.0)]).unwrap_or(Value::NIL);
    assert_eq!(fmt_value(&t.h, m0), "{}");
    assert_eq!(fmt_value(&t.h, m1), "{b: 2}");
    assert_eq!(fmt_value(&t.h, m2), "{a: 1, b: 2}");
    assert_eq!(t.p("mget", &[m2, a]), "1");
    let z = t.t("z");
    assert_eq!(t.p("mget", &[m2, z]), "nil");
    assert_eq!(t.p("mhas", &[m2, a]), "true");
    assert_eq!(t.p("mhas", &[m1, a]), "false");
    assert_eq!(t.p("mkeys", &[m2]), "[a, b]");
    assert_eq!(t.p("mvals", &[m2]), "[1, 2]");
    let m3 = t.call("mdel", &[m2, a]).unwrap_or(Value::NIL);
    assert_eq!(fmt_value(&t.h, m3), "{b: 2}");
    assert_eq!(fmt_value(&t.h, m2), "{a: 1, b: 2}");
    // Keys are text: a number key is its printed form.
    let m4 = t.call("mset", &[m0, n(1.0), a]).unwrap_or(Value::NIL);
    let one = t.t("1");
    assert_eq!(t.p("mget", &[m4, one]), "a");
    assert_eq!(t.p("mget", &[m4, n(1.0)]), "a");
    assert_eq!(t.p("mget", &[a, a]), code::TYPE);
    assert_eq!(t.p("mkeys", &[n(1.0)]), code::TYPE);
}

#[test]
fn json() {
    let mut t = T::new();
    let s = t.t("a\"b");
    let inner = t.l(&[n(1.0), n(2.5), Value::NIL, Value::TRUE, s]);
    let m = t.h.map(BTreeMap::from([
        ("k".to_string(), inner),
        ("a".to_string(), n(f64::INFINITY)),
    ]));
    assert_eq!(t.p("jdmp", &[m]), r#"{"a":null,"k":[1,2.5,null,true,"a\"b"]}"#);
    let ok = t.h.ok(n(1.0));
    assert_eq!(t.p("jdmp", &[ok]), r#"{"ok":1}"#);
    let src = t.t(r#"{"b": [1, 2.5, {"c": "x"}], "a": null, "t": true}"#);
    assert_eq!(t.p("jpar", &[src]), "~{a: nil, b: [1, 2.5, {c: x}], t: true}");
    let bad = t.t("{oops");
    assert!(t.p("jpar", &[bad]).starts_with("^invalid JSON"));
    for (path, want) in [
        ("b.2.c", "~x"),
        ("b.0", "~1"),
        ("b", r#"~[1,2.5,{"c":"x"}]"#),
        ("t", "~true"),
        ("", r#"~{"a":null,"b":[1,2.5,{"c":"x"}],"t":true}"#),
    ] {
        let p = t.t(path);
        assert_eq!(t.p("jpth", &[src, p]), want, "{path}");
    }
    for path in ["b.9", "z", "t.x", "b.x"] {
        let p = t.t(path);
        assert!(t.p("jpth", &[src, p]).starts_with('^'), "{path}");
    }
    let p = t.t("a");
    assert!(t.p("jpth", &[bad, p]).starts_with("^invalid JSON"));
    // Round trip.
    let dumped = t.call("jdmp", &[m]).unwrap_or(Value::NIL);
    let back = t.call("jpar", &[dumped]).unwrap_or(Value::NIL);
    assert_eq!(fmt_value(&t.h, back), "~{a: nil, k: [1, 2.5, nil, true, a\"b]}");
    // As deep as `jpar` reads back, and no deeper.
    let mut deep = t.nums(&[]);
    for _ in 0..126 {
        deep = t.l(&[deep]);
    }
    let dumped = t.call("jdmp", &[deep]).unwrap_or(Value::NIL);
    assert!(t.p("jpar", &[dumped]).starts_with("~[[[["));
    deep = t.l(&[deep]);
    assert_eq!(t.p("jdmp", &[deep]), code::NESTING);
}

#[test]
fn files_and_env() {
    let mut t = T::new();
    let dir = std::env::temp_dir().join(format!("ilo-builtins-test-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("f.txt").to_string_lossy().into_owned();
    let p = t.t(&path);
    let body = t.t("one\ntwo\n");
    assert_eq!(t.p("wr", &[p, body]), format!("~{path}"));
    assert_eq!(t.p("rd", &[p]), "~one\ntwo\n");
    assert_eq!(t.p("rdl", &[p]), "~[one, two]");
    let lines = t.texts(&["a", "b"]);
    assert_eq!(t.p("wrl", &[p, lines]), format!("~{path}"));
    assert_eq!(t.p("rd", &[p]), "~a\nb\n");
    let missing = t.t(&dir.join("missing.txt").to_string_lossy());
    assert!(t.p("rd", &[missing]).starts_with("^cannot read"));
    assert!(t.p("rdl", &[missing]).starts_with("^cannot read"));
    let bad_dir = t.t(&dir.join("no/such/dir/x").to_string_lossy());
    assert!(t.p("wr", &[bad_dir, body]).starts_with("^cannot write"));
    assert_eq!(t.p("rd", &[n(1.0)]), code::TYPE);
    let _ = std::fs::remove_dir_all(&dir);

    let k = t.t("PATH");
    assert!(t.p("env", &[k]).starts_with('~'));
    let k = t.t("ILO_SURELY_NOT_SET_42");
    assert!(t.p("env", &[k]).starts_with("^environment variable"));
}

#[test]
fn clock_random_print() {
    let mut t = T::new();
    let now = t.call("now", &[]).ok().and_then(Value::to_num).unwrap_or(0.0);
    assert!(now > 1.6e9, "{now}");
    for _ in 0..200 {
        let r = t.call("rnd", &[]).ok().and_then(Value::to_num).unwrap_or(-1.0);
        assert!((0.0..1.0).contains(&r), "{r}");
        let i = t
            .call("rnd", &[n(1.0), n(3.0)])
            .ok()
            .and_then(Value::to_num)
            .unwrap_or(-1.0);
        assert!([1.0, 2.0, 3.0].contains(&i), "{i}");
    }
    assert_eq!(t.p("rnd", &[n(5.0), n(5.0)]), "5");
    // A range wider than the largest number still gives numbers inside it.
    let wide: Vec<f64> = (0..50)
        .filter_map(|_| t.call("rnd", &[n(-1e308), n(1e308)]).ok().and_then(Value::to_num))
        .collect();
    assert_eq!(wide.len(), 50);
    assert!(wide.iter().all(|x| (-1e308..=1e308).contains(x)), "{wide:?}");
    assert!(wide.iter().any(|x| *x != 1e308), "{wide:?}");
    assert_eq!(t.p("rnd", &[n(3.0), n(1.0)]), code::ARG);
    assert_eq!(t.p("rnd", &[n(1.2), n(1.8)]), code::ARG);
    let v = t.nums(&[1.0]);
    assert_eq!(t.call("prnt", &[v]), Ok(v));
}

#[test]
fn regexes() {
    let mut t = T::new();
    let digits = t.t(r"\d+");
    let s = t.t("a1 b22 c333");
    assert_eq!(t.p("rgx", &[digits, s]), "[1, 22, 333]");
    let groups = t.t(r"(\w)(\d+)");
    assert_eq!(t.p("rgx", &[groups, s]), "[a, 1]");
    let optional = t.t(r"(x)?(\d)");
    assert_eq!(t.p("rgx", &[optional, s]), "[, 1]");
    let none = t.t("zzz");
    assert_eq!(t.p("rgx", &[none, s]), "[]");
    let grouped_none = t.t("(z)z");
    assert_eq!(t.p("rgx", &[grouped_none, s]), "[]");
    let bad = t.t("(");
    assert_eq!(t.p("rgx", &[bad, s]), code::ARG);
    assert_eq!(t.p("rgx", &[digits, n(1.0)]), code::TYPE);
}
