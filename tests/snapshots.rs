//! Pinned listings of every layer's output for the seed function, the
//! numeric programs, and examples with guards, loops, match, records,
//! lists, results and calls: the program in the formatter's expanded form,
//! the stack bytecode, the register bytecode (showing the instructions the
//! table selected: typed, `K`, compare-and-branch), and the machine code for
//! both JIT targets (or why a function is not compiled). One snapshot per
//! program and layer under `snapshots/`; a test checks them all and then
//! fails once, so every changed snapshot shows in one run
//! (`cargo insta review` to accept).

use std::panic::{catch_unwind, AssertUnwindSafe};

use ilo_runtime::jit::{self, Target};
use ilo_runtime::reg::listing::{reg_listing, stack_listing};
use ilo_suite::{load, NUMERIC_PROGRAMS};

/// Examples whose control flow and data the snapshots pin.
const EXAMPLES: &[&str] = &[
    "guards", "while", "range", "brk_cnt", "foreach", "match", "records", "results", "fib", "pipe", "ternary",
];

/// Programs beyond the numeric ones: calls between functions, the JIT
/// workloads' loops (benches/report/workloads.ilo), a call into the
/// register VM, and a function with more registers than float registers.
const CALL_PROGRAMS: &[(&str, &str)] = &[
    ("calls", "sq x:n>n;*x x\nhyp a:n b:n>n;+(sq a) (sq b)"),
    ("nested", "add a:n b:n>n;+a b\nf x:n>n;add (add x 1) (add x 2)"),
    ("numeric-loop", "numeric n:n>n;s=0;i=1;wh <=i n{s=+s i;i=+i 1};s"),
    (
        "guards-loop",
        "cls x:n>n;>=x 900{ret 30};>=x 700{ret 25};>=x 500{ret 20};>=x 300{ret 15};>=x 100{ret 10};5\n\
         guards n:n>n;s=0;@i 0..n{c=cls i;s=+s c};s",
    ),
    ("trampoline", "show x:n>n;s=str x;len s\nsq2 x:n>n;a=show x;*a a"),
    (
        "spilled",
        "f a:n b:n>n;c=+a b;d=*c a;e=-d b;g=/e c;h=+g d;i=*h e;j=-i g;k=+j h;l=*k i;m=-l j;n=+m k;o=*n l;p=-o m;q=+p n;r=*q o;s=-r p;+s q",
    ),
];

fn programs() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = NUMERIC_PROGRAMS
        .iter()
        .map(|(n, s, _)| (n.to_string(), s.to_string()))
        .chain(CALL_PROGRAMS.iter().map(|(n, s)| (n.to_string(), s.to_string())))
        .collect();
    for name in EXAMPLES {
        let path = format!("{}/examples/{name}.ilo", env!("CARGO_MANIFEST_DIR"));
        let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        all.push((format!("example-{name}"), src));
    }
    all
}

/// Checks one snapshot per program, then fails once naming every one that
/// changed (each mismatch prints its diff as it is found).
fn check_all(layer: &str, render: impl Fn(&str) -> String) {
    check_some(layer, |_| true, render);
}

/// [`check_all`] for the programs whose names `pick` picks.
fn check_some(layer: &str, pick: impl Fn(&str) -> bool, render: impl Fn(&str) -> String) {
    let mut changed = Vec::new();
    for (name, src) in programs().into_iter().filter(|(n, _)| pick(n)) {
        let text = format!("{}\n\n{}", src.trim_end(), render(&src));
        let snap = format!("{name}.{layer}");
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!(snap.clone(), text);
            });
        }));
        if outcome.is_err() {
            changed.push(snap);
        }
    }
    assert!(changed.is_empty(), "changed snapshots: {changed:?}");
}

#[test]
fn ast() {
    check_all("ast", |src| ilo_runtime::front::format::expanded(&load(src).program));
}

#[test]
fn stack_bytecode() {
    check_all("stack", |src| stack_listing(load(src).stack().expect("compiles")));
}

#[test]
fn register_bytecode() {
    check_all("bytecode", |src| reg_listing(load(src).reg().expect("compiles")));
}

fn machine_code(target: Target) -> impl Fn(&str) -> String {
    move |src| jit::disasm::program_listing(&load(src).reg().expect("compiles").funcs, target)
}

#[test]
fn x86_64_machine_code() {
    check_all("x86_64", machine_code(Target::X86_64));
}

#[test]
fn aarch64_machine_code() {
    check_all("aarch64", machine_code(Target::Aarch64));
}

/// LLVM's optimised IR for the seed function and recursive fib (with the
/// `llvm` feature; the IR is the host's, whose CPU only the code generator
/// reads).
#[test]
fn llvm_ir() {
    let ir = |src: &str| jit::llvm::program_ir(&load(src).reg().expect("compiles").funcs);
    if !jit::llvm::BUILT {
        assert!(ir("f x:n>n;x").is_err_and(|e| e.contains("--features llvm")));
        return;
    }
    check_some(
        "llvm",
        |name| name == "tot" || name == "example-fib",
        |src| ir(src).unwrap_or_else(|e| panic!("{e}")),
    );
}
