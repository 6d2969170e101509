//! Generates the opcode tables, codecs, VM dispatch loops and JIT lowerings
//! from `isa/*.toml` (or `$ILO_ISA_DIR`), and the diagnostic codes from
//! `diagnostics/codes.toml` (or `$ILO_CODES`), into `OUT_DIR`.

use std::path::PathBuf;

fn main() {
    let isa_dir = match std::env::var_os("ILO_ISA_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../isa"),
    };
    println!("cargo:rerun-if-env-changed=ILO_ISA_DIR");
    println!("cargo:rerun-if-changed={}", isa_dir.display());
    for file in ["register.toml", "stack.toml", "jit.toml"] {
        println!("cargo:rerun-if-changed={}", isa_dir.join(file).display());
    }
    let codes_toml = match std::env::var_os("ILO_CODES") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../diagnostics/codes.toml"),
    };
    println!("cargo:rerun-if-env-changed=ILO_CODES");
    println!("cargo:rerun-if-changed={}", codes_toml.display());
    let out_dir = match std::env::var_os("OUT_DIR") {
        Some(d) => PathBuf::from(d),
        None => {
            eprintln!("OUT_DIR is not set: run through cargo");
            std::process::exit(1);
        }
    };
    if let Err(e) = ilo_gen::write_all(&isa_dir, &out_dir) {
        eprintln!("error: ilo-gen rejected the instruction set\n  {e}");
        std::process::exit(1);
    }
    if let Err(e) = ilo_gen::write_codes(&codes_toml, &out_dir) {
        eprintln!("error: ilo-gen rejected the diagnostic codes\n  {e}");
        std::process::exit(1);
    }
}
