//! Pinned listings of every layer's output for the seed function and a
//! handful of others: the AST, the stack bytecode, the register bytecode
//! (showing the `_NN`/`K` forms chosen), and the machine code for both JIT
//! targets. A change shows up as a reviewable diff under `snapshots/`.

use ilo_runtime::jit::{self, disasm::disassemble, Target};
use ilo_runtime::reg::listing::{reg_listing, stack_listing};
use ilo_suite::{load, NUMERIC_PROGRAMS};

/// Programs beyond the numeric ones: calls between functions.
const CALL_PROGRAMS: &[(&str, &str)] = &[
    ("calls", "sq x:n>n;*x x\nhyp a:n b:n>n;+(sq a) (sq b)"),
    ("nested", "add a:n b:n>n;+a b\nf x:n>n;add (add x 1) (add x 2)"),
];

fn programs() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<(&str, &str)> = NUMERIC_PROGRAMS.iter().map(|(n, s, _)| (*n, *s)).collect();
    all.extend_from_slice(CALL_PROGRAMS);
    all
}

fn snapshot(name: String, text: String) {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn ast() {
    for (name, src) in programs() {
        snapshot(format!("{name}.ast"), format!("{src}\n\n{:#?}", load(src).program));
    }
}

#[test]
fn stack_bytecode() {
    for (name, src) in programs() {
        let loaded = load(src);
        snapshot(
            format!("{name}.stack"),
            format!("{src}\n\n{}", stack_listing(loaded.stack().expect("compiles"))),
        );
    }
}

#[test]
fn register_bytecode() {
    for (name, src) in programs() {
        let loaded = load(src);
        snapshot(
            format!("{name}.bytecode"),
            format!("{src}\n\n{}", reg_listing(loaded.reg().expect("compiles"))),
        );
    }
}

#[test]
fn machine_code() {
    for (name, src) in programs() {
        let loaded = load(src);
        let prog = loaded.reg().expect("compiles");
        for target in [Target::X86_64, Target::Aarch64] {
            let mut text = format!("{src}\n\n");
            for (i, f) in prog.funcs.iter().enumerate() {
                match jit::compile_code(&prog.funcs, i, target) {
                    Ok(code) => text += &format!("{}:\n{}", f.name, disassemble(&code, target)),
                    Err(why) => text += &format!("{}: not compiled: {why}\n", f.name),
                }
            }
            snapshot(format!("{name}.{}", target.name()), text);
        }
    }
}
