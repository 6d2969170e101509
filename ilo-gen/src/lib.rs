//! `ilo-gen`: the build-time generator behind every execution layer.
//!
//! `isa/*.toml` is read into a checked [`model::Isa`]; each emitter turns it
//! into one pretty-printed Rust file (or the ISA reference page). The runtime's
//! `build.rs` writes them into `OUT_DIR`; `ilo-gen print NAME` shows any of
//! them to a human. `diagnostics/codes.toml` is read the same way into the
//! diagnostic codes (see [`codes`]).

pub mod codes;
pub mod compose;
pub mod cond;
pub mod emit;
pub mod model;
pub mod rustc_errors;
pub mod ssa;
pub mod template;

use std::path::Path;

pub use model::{GenError, Isa};

/// One generated file: its name in `OUT_DIR` and its text.
#[derive(Clone, Debug)]
pub struct GenFile {
    pub name: &'static str,
    pub text: String,
}

/// Reads and checks the tables in `isa_dir`, then generates every file.
pub fn generate(isa_dir: &Path) -> Result<Vec<GenFile>, GenError> {
    let isa = model::load(isa_dir)?;
    emit::all(&isa)
}

/// Generates every file into `out_dir`, rewriting only those that changed.
pub fn write_all(isa_dir: &Path, out_dir: &Path) -> Result<Vec<GenFile>, GenError> {
    let files = generate(isa_dir)?;
    write_files(&files, out_dir)?;
    Ok(files)
}

/// Reads and checks the diagnostic codes at `codes_toml`, then generates
/// `codes.rs`, `codes.py` and `codes.md` into `out_dir`.
pub fn write_codes(codes_toml: &Path, out_dir: &Path) -> Result<Vec<GenFile>, GenError> {
    let files = codes::generate(codes_toml)?;
    write_files(&files, out_dir)?;
    Ok(files)
}

fn write_files(files: &[GenFile], out_dir: &Path) -> Result<(), GenError> {
    for f in files {
        let path = out_dir.join(f.name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(f.text.as_str()) {
            std::fs::write(&path, &f.text).map_err(|e| GenError {
                at: String::new(),
                file: path.display().to_string(),
                opcode: None,
                field: String::new(),
                message: e.to_string(),
            })?;
        }
    }
    Ok(())
}
