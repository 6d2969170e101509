//! Layers 3 and 4: the register VM. The AST compiles to LuaJIT-style 32-bit
//! words over a sliding register window; the compiler tracks which registers
//! hold numbers and emits the typed `_NN` and fused `K` forms. [`RegVm`] is
//! the run state, reusable across calls (layer 4).

pub mod compile;
pub mod listing;
pub mod vm;

pub use compile::{compile, RegFunc, RegProgram};
pub use vm::RegVm;

#[cfg(test)]
mod tests;
