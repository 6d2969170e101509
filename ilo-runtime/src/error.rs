//! Run-time errors: each has a stable `ILO-R` code (`codes::runtime`,
//! generated from `diagnostics/codes.toml`), stops the program, and makes
//! the CLI exit with status 1.

use std::fmt;

use crate::codes::runtime;

/// The default call-depth limit: deep enough for real recursion, shallow
/// enough that no engine's native stack overflows first. The tree-walk
/// interpreter recurses natively and moves deep recursion onto fresh large
/// stack segments (see `tree`), so it honours any limit.
pub const DEFAULT_MAX_DEPTH: usize = 10_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RtError {
    pub code: &'static str,
    pub message: String,
}

impl RtError {
    pub fn new(code: &'static str, message: impl Into<String>) -> RtError {
        RtError {
            code,
            message: message.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> RtError {
        RtError::new(runtime::INTERNAL, message)
    }

    pub fn type_error(message: impl Into<String>) -> RtError {
        RtError::new(runtime::TYPE, message)
    }

    pub fn depth(limit: usize) -> RtError {
        RtError::new(
            runtime::DEPTH,
            format!("call depth limit of {limit} exceeded (runaway recursion?)"),
        )
    }

    pub fn steps(limit: u64) -> RtError {
        RtError::new(runtime::STEPS, format!("step limit of {limit} exceeded"))
    }

    pub fn mod_zero() -> RtError {
        RtError::new(runtime::MOD_ZERO, "`mod a 0`: remainder by zero")
    }

    pub fn index(index: i64, len: usize) -> RtError {
        RtError::new(runtime::INDEX, format!("index {index} out of range for length {len}"))
    }

    pub fn empty(what: &str) -> RtError {
        RtError::new(runtime::EMPTY, format!("`{what}` of an empty list or text"))
    }

    pub fn avg_empty() -> RtError {
        RtError::new(runtime::AVG_EMPTY, "`avg` of an empty list (there is no mean)")
    }

    pub fn arg(message: impl Into<String>) -> RtError {
        RtError::new(runtime::ARG, message)
    }

    pub fn field(message: impl Into<String>) -> RtError {
        RtError::new(runtime::FIELD, message)
    }

    pub fn unbound(name: &str) -> RtError {
        RtError::new(
            runtime::UNBOUND,
            format!("`{name}` has no value here (bound only on a branch that did not run?)"),
        )
    }

    pub fn arity(what: &str, want: usize, got: usize) -> RtError {
        RtError::new(
            runtime::ARITY,
            format!("{what} takes {want} argument(s), but was called with {got}"),
        )
    }

    pub fn memory(limit: usize) -> RtError {
        RtError::new(
            runtime::MEMORY,
            format!(
                "out of memory: the values this run keeps alive need more than the limit of {} (--max-memory)",
                fmt_bytes(limit)
            ),
        )
    }

    pub fn nesting(limit: usize) -> RtError {
        RtError::new(runtime::NESTING, format!("value nested deeper than {limit} levels"))
    }
}

/// `4 GiB`, `1.5 MiB`, `300 KiB`, `12 bytes`.
pub fn fmt_bytes(n: usize) -> String {
    const UNITS: [(&str, usize); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    match UNITS.iter().find(|(_, size)| n >= *size) {
        Some((unit, size)) => {
            let x = format!("{:.1}", n as f64 / *size as f64);
            format!("{} {unit}", x.trim_end_matches(".0"))
        }
        None => format!("{n} bytes"),
    }
}

impl fmt::Display for RtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for RtError {}

/// Limits every engine enforces on a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Nested calls of ilo functions (including calls made by higher-order
    /// builtins) allowed at once.
    pub max_depth: usize,
    /// `None`: unbounded. A step is one call of an ilo function and one
    /// iteration of a loop (`@`, `wh`); builtins count as part of the step
    /// that called them, but each call they make back into ilo is a step.
    pub max_steps: Option<u64>,
    /// Bytes the heap may hold at once (`--max-memory`).
    pub max_memory: usize,
    /// For tests: collect at every safe point and never reuse a slot, so a
    /// value the collector wrongly freed reads as missing and shows up as
    /// a wrong result (see `heap`).
    pub gc_stress: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: DEFAULT_MAX_DEPTH,
            max_steps: None,
            max_memory: crate::heap::default_limit(),
            gc_stress: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_display_with_their_code() {
        assert_eq!(
            RtError::mod_zero().to_string(),
            format!("{}: `mod a 0`: remainder by zero", runtime::MOD_ZERO)
        );
        assert_eq!(RtError::index(5, 3).code, runtime::INDEX);
        assert_eq!(RtError::steps(10).code, runtime::STEPS);
    }
}
