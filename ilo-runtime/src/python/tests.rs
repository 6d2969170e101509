//! Unit tests of the translation's shape; `tests/python.rs` runs the
//! output under python3 against the register VM.

use super::*;

fn py(src: &str) -> String {
    let program = crate::front::check(src).unwrap_or_else(|d| panic!("{src}: {d:?}"));
    transpile(&program).unwrap_or_else(|e| panic!("{src}: {e}"))
}

#[test]
fn typed_arithmetic_is_plain_python() {
    let out = py("tot p:n q:n r:n>n;s=*p q;t=*s r;+s t");
    assert!(
        out.contains("def tot(p, q, r):\n    s = p * q\n    t = s * r\n    return s + t\n"),
        "{out}"
    );
}

#[test]
fn untyped_operands_go_through_helpers() {
    let out = py("f a:_ b:_>_;+a b");
    assert!(out.contains("return _add(a, b)"), "{out}");
}

#[test]
fn guards_return_early() {
    let out = py("fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b");
    assert!(out.contains("    if n <= 1.0:\n        return n\n"), "{out}");
    assert!(out.contains("a = fib(n - 1.0)"), "{out}");
}
