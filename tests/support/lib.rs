//! Shared support for the workspace-level tests.

use ilo_runtime::engine::{Engine, Loaded};

/// Parses and verifies `src`, panicking with the diagnostics if it is wrong:
/// for tests whose programs are known good.
pub fn load(src: &str) -> Loaded {
    match ilo_runtime::front::check(src) {
        Ok(p) => Loaded::new(p),
        Err(d) => panic!("program does not check:\n{src}\n{d:#?}"),
    }
}

/// The native JITs this ilo was built with: dynasm and Cranelift, and LLVM
/// with the `llvm` feature (`cargo test --workspace --features llvm`).
pub fn native_jits() -> Vec<Engine> {
    let mut all = vec![Engine::Jit, Engine::Cranelift];
    if ilo_runtime::jit::llvm::BUILT {
        all.push(Engine::Llvm);
    }
    all
}

/// Same bits, or both NaN (x86 and ARM disagree on the sign of the default NaN).
pub fn same_number(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Numeric functions the JITs take, each with argument sets that probe
/// signs, zeros, infinities and NaN. Shared by the JIT tests and snapshots.
pub const NUMERIC_PROGRAMS: &[(&str, &str, &[&[f64]])] = &[
    // Calls: compiled into one unit with their callees (declared before or
    // after), the caller's registers kept across each call.
    (
        "sq2",
        "sq2 x:n>n;a=sq x;sq a\nsq x:n>n;*x x",
        &[&[3.0], &[-1.5], &[f64::NAN]],
    ),
    (
        "hyp",
        "sq x:n>n;*x x\nhyp a:n b:n>n;c=*a 2;d=sq a;e=sq b;f=+d e;+f c",
        &[&[3.0, 4.0], &[-1.0, 0.5], &[0.0, -0.0]],
    ),
    (
        "chain",
        "chain a:n b:n c:n>n;x=m2 a b;y=m2 x c;z=tot a b c;+y z\nm2 p:n q:n>n;*p q\ntot p:n q:n r:n>n;s=*p q;t=*s r;+s t",
        &[&[10.0, 20.0, 30.0], &[1.5, -2.0, 0.25]],
    ),
    ("tau", "tau x:n>n;+x *2 pi2\npi2>n;3.14159", &[&[1.0], &[-3.0]]),
    (
        "tot",
        "tot p:n q:n r:n>n;s=*p q;t=*s r;+s t",
        &[
            &[10.0, 20.0, 30.0],
            &[1.5, -2.0, 0.25],
            &[0.0, -0.0, 1.0],
            &[f64::INFINITY, 0.0, 1.0],
            &[1e308, 10.0, 1.0],
        ],
    ),
    (
        "poly",
        "poly x:n>n;+*3 *x x +*2 x 1",
        &[&[0.0], &[2.0], &[-1.5], &[f64::NAN]],
    ),
    (
        "mid",
        "mid a:n b:n>n;/+a b 2",
        &[&[1.0, 2.0], &[-7.0, 3.0], &[f64::INFINITY, f64::NEG_INFINITY]],
    ),
    (
        "neg",
        "neg a:n b:n>n;c=-a;-c b",
        &[&[1.0, 2.0], &[0.0, 0.0], &[-0.0, 0.0], &[5.0, -5.0]],
    ),
    (
        "kforms",
        "kforms x:n>n;a=+x 1;b=-a 2;c=*b 3;d=/c 4;e=- 10 d;+e 0.5",
        &[&[0.0], &[7.0], &[-3.25]],
    ),
    ("div0", "div0 x:n>n;/x 0", &[&[1.0], &[-1.0], &[0.0]]),
    (
        "many",
        "many a:n b:n c:n d:n e:n f:n g:n h:n>n;+a +b +c +d +e +f +g h",
        &[&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]],
    ),
    ("konst", "konst>n;2.5", &[&[]]),
    ("rebind", "rebind x:n>n;x=*x x;x=+x 1;x", &[&[3.0], &[-0.5]]),
];
pub mod big_programs;
pub mod examples;
