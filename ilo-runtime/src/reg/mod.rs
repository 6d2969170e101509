//! Layers 3 and 4: the register VM. The AST compiles to LuaJIT-style 32-bit
//! words over a sliding register window; the compiler tracks which registers
//! hold numbers and asks the table for the most specific instruction (typed
//! `_NN`, `K` forms, compare-and-branch). [`RegVm`] is the run state,
//! reusable across calls (layer 4); [`profile`] counts its opcodes.

pub mod compile;
pub mod inline;
pub mod listing;
pub mod profile;
pub mod vm;

pub use compile::{compile, RegFunc, RegProgram};
pub use profile::OpProfile;
pub use vm::RegVm;

#[cfg(test)]
pub(crate) mod tests;
