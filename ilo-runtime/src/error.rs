//! Run-time errors: each has a stable `ILO-R` code, stops the program, and
//! makes the CLI exit with status 1.

use std::fmt;

/// Codes of run-time faults; each is explained in `front::codes`.
pub mod code {
    /// An operation met a value of the wrong type (only unverified programs reach it).
    pub const TYPE: &str = "ILO-R001";
    /// `mod a 0`.
    pub const MOD_ZERO: &str = "ILO-R002";
    /// List or text index out of range (`xs.5` on a shorter list).
    pub const INDEX: &str = "ILO-R003";
    /// `hd`/`tl` of an empty list or text, `min`/`max` of an empty list.
    pub const EMPTY: &str = "ILO-R004";
    /// `avg` of an empty list.
    pub const AVG_EMPTY: &str = "ILO-R005";
    /// Calls nested deeper than the depth limit.
    pub const DEPTH: &str = "ILO-R006";
    /// The run took more steps than `--max-steps` allows.
    pub const STEPS: &str = "ILO-R007";
    /// A builtin got an argument outside its domain: an invalid regex, a
    /// `fmt` whose placeholders and values do not pair up, `rnd a b` with
    /// `a > b`.
    pub const ARG: &str = "ILO-R008";
    /// A record has no field of that name (access, construction or `with`),
    /// or a construction leaves a field out.
    pub const FIELD: &str = "ILO-R009";
    /// A name read before any value was bound to it (a bind on a branch that
    /// did not run), or a call of a name that is no function.
    pub const UNBOUND: &str = "ILO-R010";
    /// A function value called with the wrong number of arguments (`map`
    /// given a two-parameter function).
    pub const ARITY: &str = "ILO-R011";
    /// A value nested too deeply for `jdmp`.
    pub const NESTING: &str = "ILO-R012";
    /// The run's objects need more memory than `--max-memory` allows.
    pub const MEMORY: &str = "ILO-R013";
    /// A fault inside an engine: a bug in ilo, never in the program.
    pub const INTERNAL: &str = "ILO-R099";

    /// Every run-time code with a one-line summary, for `--explain` and docs.
    pub const ALL: &[(&str, &str)] = &[
        (TYPE, "an operation met a value of the wrong type"),
        (MOD_ZERO, "`mod a 0`: remainder by zero"),
        (INDEX, "index out of range"),
        (EMPTY, "`hd`/`tl`/`min`/`max` of an empty list or text"),
        (AVG_EMPTY, "`avg` of an empty list"),
        (DEPTH, "call depth limit exceeded"),
        (STEPS, "step limit (`--max-steps`) exceeded"),
        (ARG, "a builtin argument outside its domain"),
        (FIELD, "no such record field, or a field left out of a construction"),
        (UNBOUND, "a name with no value at run time"),
        (ARITY, "a function value called with the wrong number of arguments"),
        (NESTING, "a value nested too deeply to convert"),
        (MEMORY, "the run needs more memory than `--max-memory` allows"),
        (INTERNAL, "an internal engine fault (a bug in ilo)"),
    ];
}

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
        RtError::new(code::INTERNAL, message)
    }

    pub fn type_error(message: impl Into<String>) -> RtError {
        RtError::new(code::TYPE, message)
    }

    pub fn depth(limit: usize) -> RtError {
        RtError::new(
            code::DEPTH,
            format!("call depth limit of {limit} exceeded (runaway recursion?)"),
        )
    }

    pub fn steps(limit: u64) -> RtError {
        RtError::new(code::STEPS, format!("step limit of {limit} exceeded"))
    }

    pub fn mod_zero() -> RtError {
        RtError::new(code::MOD_ZERO, "`mod a 0`: remainder by zero")
    }

    pub fn index(index: i64, len: usize) -> RtError {
        RtError::new(code::INDEX, format!("index {index} out of range for length {len}"))
    }

    pub fn empty(what: &str) -> RtError {
        RtError::new(code::EMPTY, format!("`{what}` of an empty list or text"))
    }

    pub fn avg_empty() -> RtError {
        RtError::new(code::AVG_EMPTY, "`avg` of an empty list (there is no mean)")
    }

    pub fn arg(message: impl Into<String>) -> RtError {
        RtError::new(code::ARG, message)
    }

    pub fn field(message: impl Into<String>) -> RtError {
        RtError::new(code::FIELD, message)
    }

    pub fn unbound(name: &str) -> RtError {
        RtError::new(
            code::UNBOUND,
            format!("`{name}` has no value here (bound only on a branch that did not run?)"),
        )
    }

    pub fn arity(what: &str, want: usize, got: usize) -> RtError {
        RtError::new(
            code::ARITY,
            format!("{what} takes {want} argument(s), but was called with {got}"),
        )
    }

    pub fn memory(limit: usize) -> RtError {
        RtError::new(
            code::MEMORY,
            format!(
                "out of memory: the values this run keeps alive need more than the limit of {} (--max-memory)",
                fmt_bytes(limit)
            ),
        )
    }

    pub fn nesting(limit: usize) -> RtError {
        RtError::new(code::NESTING, format!("value nested deeper than {limit} levels"))
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
    fn codes_are_distinct_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for (c, summary) in code::ALL {
            assert!(c.starts_with("ILO-R") && c.len() == 8, "{c}");
            assert!(seen.insert(*c), "duplicate {c}");
            assert!(!summary.is_empty());
        }
    }

    #[test]
    fn errors_display_with_their_code() {
        assert_eq!(
            RtError::mod_zero().to_string(),
            "ILO-R002: `mod a 0`: remainder by zero"
        );
        assert_eq!(RtError::index(5, 3).code, code::INDEX);
        assert_eq!(RtError::steps(10).code, code::STEPS);
    }
}
