//! Builds the runtime from the tables plus one extra opcode and runs its
//! table-driven ISA tests: the new opcode is encoded, decoded, disassembled
//! and lowered for both JIT targets with no hand edit anywhere.

#[path = "../ilo-gen/tests/support/extra.rs"]
mod extra;

use std::process::Command;

#[test]
fn the_runtime_builds_and_passes_its_isa_tests_with_an_extra_opcode() {
    let tables = extra::tables_with_max(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("isa"), "build");
    let root = env!("CARGO_MANIFEST_DIR");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // A separate target directory: the outer cargo holds the main one's lock.
    let output = Command::new(cargo)
        .args([
            "test",
            "-p",
            "ilo-runtime",
            "--lib",
            "--",
            "isa::every_opcode",
            "--test-threads",
            "2",
        ])
        .current_dir(root)
        .env("ILO_ISA_DIR", &tables)
        .env("CARGO_TARGET_DIR", format!("{root}/target/extra-opcode"))
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "build or tests failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("every_lowering_assembles_on_both_targets ... ok"),
        "{stdout}"
    );
    assert!(stdout.contains("4 passed"), "{stdout}");
}
