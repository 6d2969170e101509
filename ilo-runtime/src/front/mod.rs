//! Front end: source text to a verified AST.

pub mod ast;
pub mod lexer;
pub mod parser;
