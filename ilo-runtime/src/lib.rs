//! The ilo runtime: front end, NaN-boxed values, the five execution layers
//! (tree-walk interpreter, stack VM, register VM, reused register VM state,
//! JITs) and the glue that picks an engine per function.

pub mod bench;
pub mod builtin_table;
pub mod builtins;
pub mod cli_list;
pub mod codes;
pub mod diag;
pub mod engine;
pub mod error;
pub mod front;
pub mod heap;
pub mod isa;
pub mod jit;
pub mod lower;
pub mod ops;
pub mod print;
pub mod python;
pub mod reg;
pub mod render;
pub mod stack;
pub mod tree;
pub mod value;
pub mod vm_support;
