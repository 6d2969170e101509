//! Layer 2: the stack VM. The AST compiles to `[OP:8|X:24]` words that push
//! and pop NaN-boxed values; the dispatch loop is generated from isa/stack.toml.

pub mod compile;
mod support;
pub mod vm;

pub use compile::{compile, RecordLayout, StackFunc, StackProgram};
pub use vm::StackVm;
