//! Builds ilo from the tables plus a typed op and a superinstruction added
//! from TOML fragments alone (`ilo-gen/tests/support/extra.rs`) and runs a
//! program that uses both: the compiler selects them (`--emit bytecode`),
//! both dynasm targets lower them (`--emit asm`), and every engine — the
//! VMs, both dynasm targets and Cranelift — gives the same answer. (The
//! table-driven ISA unit tests run on the real table in the normal suite.)

#[path = "../ilo-gen/tests/support/extra.rs"]
mod extra;

use std::path::{Path, PathBuf};
use std::process::Command;

const PROGRAM: &str = "f x:n>n;y=flr x;- 1 y";

fn cargo(root: &str, tables: &Path, args: &[&str]) -> std::process::Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // A separate target directory: the outer cargo holds the main one's lock.
    Command::new(cargo)
        .args(args)
        .current_dir(root)
        .env("ILO_ISA_DIR", tables)
        .env("CARGO_TARGET_DIR", format!("{root}/target/extra-opcode"))
        .output()
        .expect("run cargo")
}

fn ilo(bin: &Path, args: &[&str]) -> (String, String, bool) {
    let out = Command::new(bin).args(args).output().expect("run ilo");
    (
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
        out.status.success(),
    )
}

#[test]
fn ilo_built_with_an_extra_typed_op_and_superinstruction_selects_and_runs_them_everywhere() {
    let root = env!("CARGO_MANIFEST_DIR");
    let tables = extra::tables_with_extras(&Path::new(root).join("isa"), "build");

    let output = cargo(root, &tables, &["build", "-p", "ilo-cli"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let bin = PathBuf::from(format!("{root}/target/extra-opcode/debug/ilo"));

    let (listing, err, ok) = ilo(&bin, &["--emit", "bytecode", PROGRAM]);
    assert!(ok, "{err}");
    assert!(
        listing.contains("XTRA_FLOOR_N"),
        "the typed op is selected for `flr x`:\n{listing}"
    );
    assert!(
        listing.contains("XTRA_RSUBK_N"),
        "the superinstruction is selected for `- 1 y`:\n{listing}"
    );

    for target in ["x86_64", "aarch64"] {
        let (asm, err, ok) = ilo(&bin, &["--emit", "asm", "--target", target, PROGRAM]);
        assert!(
            ok && asm.starts_with("f: ") && !asm.contains("not compiled"),
            "{target}: {asm}\n{err}"
        );
    }

    for (x, want) in [("2.5", "-1"), ("-2.5", "4"), ("7", "-6")] {
        let mut engines: Vec<Vec<&str>> = ["--run-tree", "--run-stack", "--run-vm", "--run-jit", "--run-cranelift"]
            .iter()
            .map(|e| vec![*e])
            .collect();
        if ilo_runtime::jit::emulate::available() {
            engines.push(vec!["--target", "aarch64", "--run-jit"]);
        }
        for engine in engines {
            let mut args = engine.clone();
            args.extend(["-v", PROGRAM, x]);
            let (out, err, ok) = ilo(&bin, &args);
            assert!(ok, "{engine:?} {x}: {err}");
            assert_eq!(out, want, "{engine:?} on {x}");
            if engine.contains(&"--run-jit") || engine.contains(&"--run-cranelift") {
                assert!(!err.contains("register VM"), "{engine:?} compiled `f` natively: {err}");
            }
        }
    }
}
