//! Run-time errors: each has a stable `ILO-R` code, stops the program, and
//! makes the CLI exit with status 1.

use std::fmt;

/// Codes of run-time faults; each is explained in `front::codes`.
pub mod code {
    /// An operation met a value of the wrong type (only unverified programs reach it).
    pub const TYPE: &str = "ILO-R001";
    /// `mod a 0`.
    pub const MOD_ZERO: &str = "ILO-R002";
    /// List or text index out of range.
    pub const INDEX: &str = "ILO-R003";
    /// `hd`/`tl` of an empty list or text.
    pub const EMPTY: &str = "ILO-R004";
    /// `avg` of an empty list.
    pub const AVG_EMPTY: &str = "ILO-R005";
    /// Calls nested deeper than the depth limit.
    pub const DEPTH: &str = "ILO-R006";
    /// The run took more steps than `--max-steps` allows.
    pub const STEPS: &str = "ILO-R007";
    /// A fault inside an engine: a bug in ilo, never in the program.
    pub const INTERNAL: &str = "ILO-R099";
}

/// The default call-depth limit: deep enough for real recursion, shallow
/// enough that no engine's native stack overflows first.
pub const DEFAULT_MAX_DEPTH: usize = 10_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RtError {
    pub code: &'static str,
    pub message: String,
}

impl RtError {
    pub fn new(code: &'static str, message: impl Into<String>) -> RtError {
        RtError { code, message: message.into() }
    }

    pub fn internal(message: impl Into<String>) -> RtError {
        RtError::new(code::INTERNAL, message)
    }

    pub fn type_error(message: impl Into<String>) -> RtError {
        RtError::new(code::TYPE, message)
    }

    pub fn depth(limit: usize) -> RtError {
        RtError::new(code::DEPTH, format!("call depth limit of {limit} exceeded (runaway recursion?)"))
    }

    pub fn steps(limit: u64) -> RtError {
        RtError::new(code::STEPS, format!("step limit of {limit} exceeded"))
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
    pub max_depth: usize,
    /// `None`: unbounded.
    pub max_steps: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: DEFAULT_MAX_DEPTH, max_steps: None }
    }
}
