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

#[test]
fn a_parameter_rebound_is_never_reset() {
    let out = py("f len:n>n;len=+len 1;len");
    assert!(!out.contains("_UNSET\n    len_"), "{out}");
    assert!(out.contains("def f(len_):\n    len_ = len_ + 1.0\n"), "{out}");
}

#[test]
fn a_variable_named_like_a_function_falls_back_to_it_until_bound() {
    let out = py("f n:n>n;s=0;@i 0..n{s=+s y;y=i};s\ny>n;9");
    assert!(out.contains("y_2 = _UNSET"), "{out}");
    assert!(out.contains("(y_2 if y_2 is not _UNSET else y())"), "{out}");
}

#[test]
fn loop_variables_shadowing_others_get_their_own_name() {
    let out = py("f>n;x=100;@x [1 2 3]{x};x");
    assert!(
        out.contains("for x_2 in [1.0, 2.0, 3.0]:\n        pass\n    return x\n"),
        "{out}"
    );
}

#[test]
fn steps_are_counted_only_when_asked() {
    let src = "s>n;i=0;wh true{i=+i 1};i";
    assert!(!py(src).contains("    _tick()"));
    let program = crate::front::check(src).expect("checks");
    let out = transpile_with(&program, Options { max_steps: Some(10) }).expect("transpiles");
    assert!(
        out.contains("_MAX_STEPS = 10\n") && out.contains("    _tick()"),
        "{out}"
    );
}
