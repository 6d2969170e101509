//! Front end: source text to a verified AST.

pub mod ast;
pub mod builtins;
pub mod format;
pub mod imports;
pub mod lexer;
pub mod parser;
pub mod types;
pub mod verify;
pub mod visit;

use std::path::Path;

use crate::diag::Diagnostic;

/// Parses and verifies `src`, resolving its `use` declarations relative to
/// the working directory: the program every engine may run, or every error
/// found (hints for non-canonical forms are not errors).
pub fn check(src: &str) -> Result<ast::Program, Vec<Diagnostic>> {
    imports::check(None, src)
}

/// [`check`] for the text of the file at `path`: its imports are relative
/// to that file.
pub fn check_file(path: &Path, src: &str) -> Result<ast::Program, Vec<Diagnostic>> {
    imports::check(Some(path), src)
}

/// [`check`] (or [`check_file`] with a `path`), also returning the hints and
/// warnings, which do not stop the program: non-canonical forms (`==` for
/// `=`, `length` for `len`) and the verifier's advice.
pub fn check_with_hints(path: Option<&Path>, src: &str) -> (Result<ast::Program, Vec<Diagnostic>>, Vec<Diagnostic>) {
    imports::check_with_hints(path, src)
}
