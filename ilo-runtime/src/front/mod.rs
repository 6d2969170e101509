//! Front end: source text to a verified AST.

pub mod ast;
pub mod builtins;
pub mod codes;
pub mod format;
pub mod lexer;
pub mod parser;
pub mod types;
pub mod verify;

use crate::diag::{Diagnostic, Severity};

/// Parses and verifies `src`: the program every engine may run, or every
/// error found (hints for non-canonical forms are not errors).
pub fn check(src: &str) -> Result<ast::Program, Vec<Diagnostic>> {
    let program = parser::parse(src)?;
    let errors: Vec<Diagnostic> =
        verify::verify(&program).into_iter().filter(|d| d.severity == Severity::Error).collect();
    if errors.is_empty() {
        Ok(program)
    } else {
        Err(errors)
    }
}
