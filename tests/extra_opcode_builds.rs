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

/// The real tables with `edit` applied to `register.toml`, in a scratch directory.
fn broken_tables(tag: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let isa = Path::new(env!("CARGO_MANIFEST_DIR")).join("isa");
    let dir = std::env::temp_dir().join(format!("ilo-broken-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    for f in ["register.toml", "stack.toml", "jit.toml"] {
        let text = std::fs::read_to_string(isa.join(f)).expect("read table");
        let text = if f == "register.toml" { edit(text) } else { text };
        std::fs::write(dir.join(f), text).expect("write table");
    }
    dir
}

/// A `sem` that parses but does not type-check (`b ** c` dereferences a
/// number), and a mnemonic dynasm does not know: the generator accepts both,
/// the build rejects them, and the errors are tied to the opcode's line in
/// `register.toml`, not only to a line of a file in `OUT_DIR`.
#[test]
fn rust_errors_in_a_table_are_reported_at_the_opcodes_line() {
    let root = env!("CARGO_MANIFEST_DIR");
    let cases: [(&str, &str, &str, &str); 2] = [
        ("sem", "sem = \"b + c\"", "sem = \"b ** c\"", "ADD_NN"),
        (
            "mnemonic",
            "jit.x86_64 = \"vsubsd {a}, {b}, {c}\"",
            "jit.x86_64 = \"vsubsdd {a}, {b}, {c}\"",
            "SUB_NN",
        ),
    ];
    for (tag, from, to, opcode) in cases {
        let tables = broken_tables(tag, |t| {
            assert!(t.contains(from), "{from} is in register.toml");
            t.replacen(from, to, 1)
        });
        ilo_gen::generate(&tables).expect("the generator alone accepts it");
        let output = cargo(root, &tables, &["build", "-p", "ilo-runtime", "--message-format=short"]);
        assert!(!output.status.success(), "{tag}: the runtime built");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let errors = ilo_gen::rustc_errors::table_errors(&stderr, &tables);
        let text = std::fs::read_to_string(tables.join("register.toml")).expect("read");
        let line = ilo_gen::model::entry_line(&text, opcode).expect("entry");
        assert!(
            errors
                .iter()
                .any(|e| e.opcode == opcode && e.table == "register.toml" && e.line == line),
            "{tag}: no error at register.toml:{line} `{opcode}`: {errors:?}\n{stderr}"
        );
    }
}
