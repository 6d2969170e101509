//! The Rust a table holds (`sem`, the dynasm templates) is checked by rustc
//! and dynasm when the runtime builds, inside files in `OUT_DIR` nobody
//! edits. This module ties each such error back to the table: the opcode
//! whose dispatch arm or lowering holds the error's line, and that opcode's
//! line in `register.toml` or `stack.toml`. `ilo-gen check --rust` runs the
//! build and prints the errors so.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One compiler error in a generated file, tied to the opcode it lies in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableError {
    /// `register.toml` or `stack.toml`.
    pub table: &'static str,
    /// The opcode's entry line in its table (0 when not found).
    pub line: usize,
    pub opcode: String,
    /// The compiler's message (`error[E0369]: binary operation …`).
    pub message: String,
    /// Where in the generated file: `reg_vm.rs:123:45`.
    pub generated: String,
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: opcode `{}`: {} (in generated {})",
            self.table, self.line, self.opcode, self.message, self.generated
        )
    }
}

/// The errors of a cargo run with `--message-format=short` that point into
/// a generated file, each tied to its opcode (`isa_dir` holds the tables the
/// build used). Errors elsewhere are not the table's and are left out.
pub fn table_errors(cargo_stderr: &str, isa_dir: &Path) -> Vec<TableError> {
    cargo_stderr
        .lines()
        .filter_map(short_error)
        .filter_map(|(path, line, col, message)| {
            let file = path.file_name()?.to_str()?.to_string();
            let generated = std::fs::read_to_string(&path).ok()?;
            if !generated.starts_with(crate::emit::HEADER) {
                return None;
            }
            let (table, opcode) = enclosing_arm(&generated, line)?;
            let text = std::fs::read_to_string(isa_dir.join(table)).unwrap_or_default();
            Some(TableError {
                table,
                line: crate::model::entry_line(&text, &opcode).unwrap_or(0),
                opcode,
                message: message.to_string(),
                generated: format!("{file}:{line}:{col}"),
            })
        })
        .collect()
}

/// `path:line:col: error…` (cargo's short message format).
fn short_error(l: &str) -> Option<(PathBuf, usize, usize, &str)> {
    let at = l.find(": error")?;
    let mut parts = l[..at].rsplitn(3, ':');
    let col = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let path = PathBuf::from(parts.next()?);
    Some((path, line, col, l[at + 2..].trim()))
}

/// The opcode whose arm (`rop::NAME => {` or `sop::NAME => {`) is the last
/// to start at or before 1-based `line`.
fn enclosing_arm(text: &str, line: usize) -> Option<(&'static str, String)> {
    text.lines().take(line).collect::<Vec<_>>().iter().rev().find_map(|l| {
        let l = l.trim_start();
        let (table, rest) = if let Some(r) = l.strip_prefix("rop::") {
            ("register.toml", r)
        } else if let Some(r) = l.strip_prefix("sop::") {
            ("stack.toml", r)
        } else {
            return None;
        };
        let name = rest.strip_suffix(" => {")?;
        name.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
            .then(|| (table, name.to_string()))
    })
}

/// Builds the runtime from the tables in `isa_dir` (`cargo check`, in its
/// own target directory so the main build is untouched) and returns the
/// errors in generated files, or cargo's whole output when it failed for
/// another reason.
pub fn check_with_rustc(isa_dir: &Path, workspace: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = workspace.join("target").join("ilo-gen-check");
    let out = Command::new(cargo)
        .args(["check", "-p", "ilo-runtime", "--message-format=short"])
        .current_dir(workspace)
        .env("ILO_ISA_DIR", isa_dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors = table_errors(&stderr, isa_dir);
    if errors.is_empty() {
        return Err(stderr.into_owned());
    }
    Err(errors.iter().map(|e| format!("{e}\n")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_line_is_tied_to_the_arm_it_lies_in() {
        let text = "match op {\n    // register.toml:9: doc\n    rop::ADD_NN => {\n        let x = b ** c;\n    }\n    sop::PUSHK => {\n        x\n    }\n}\n";
        assert_eq!(enclosing_arm(text, 4), Some(("register.toml", "ADD_NN".into())));
        assert_eq!(enclosing_arm(text, 7), Some(("stack.toml", "PUSHK".into())));
        assert_eq!(enclosing_arm(text, 1), None);
        let (path, line, col, msg) =
            short_error("/t/out/reg_vm.rs:120:31: error[E0614]: type `f64` cannot be dereferenced").unwrap();
        assert_eq!((path, line, col), (PathBuf::from("/t/out/reg_vm.rs"), 120, 31));
        assert_eq!(msg, "error[E0614]: type `f64` cannot be dereferenced");
        assert_eq!(short_error("warning: unused"), None);
    }
}
