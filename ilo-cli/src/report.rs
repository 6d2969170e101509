//! Writing diagnostics and run-time errors to stderr, as text or JSON.

use std::io::Write;

use ilo_runtime::codes;
use ilo_runtime::diag::Diagnostic;
use ilo_runtime::error::RtError;

use crate::{EXIT_FAIL, EXIT_OK};

pub struct Reporter {
    pub json: bool,
    pub color: bool,
}

impl Reporter {
    /// JSON when asked for or when stderr is not a terminal; colour only on
    /// a terminal.
    pub fn new(json: bool, err_is_tty: bool) -> Reporter {
        Reporter {
            json: json || !err_is_tty,
            color: err_is_tty && !json,
        }
    }

    pub fn diagnostics(&self, diags: &[Diagnostic], file: &str, src: &str, err: &mut dyn Write) {
        let text = if self.json {
            ilo_runtime::render::render_json(diags, file, src)
        } else {
            ilo_runtime::render::render_human(diags, file, src, self.color)
        };
        let _ = write!(err, "{text}");
        if !text.ends_with('\n') {
            let _ = writeln!(err);
        }
    }

    /// An error about how ilo was called (`ILO-U…`): exit code 2.
    pub fn usage_error(&self, code: &str, message: &str, notes: &[String], err: &mut dyn Write) -> i32 {
        if self.json {
            let obj = serde_json::json!({
                "severity": "error",
                "code": code,
                "message": message,
                "labels": [],
                "notes": notes,
                "suggestion": null,
            });
            let _ = writeln!(err, "{obj}");
        } else {
            let _ = writeln!(err, "ilo: error[{code}]: {message}");
            for note in notes {
                let _ = writeln!(err, "  = {note}");
            }
        }
        crate::EXIT_USAGE
    }

    pub fn runtime_error(&self, e: &RtError, err: &mut dyn Write) {
        if self.json {
            let obj = serde_json::json!({
                "severity": "error",
                "code": e.code,
                "message": e.message,
                "labels": [],
                "notes": [],
                "suggestion": null,
            });
            let _ = writeln!(err, "{obj}");
        } else {
            let _ = writeln!(err, "error[{}]: {}", e.code, e.message);
        }
    }
}

/// `--explain CODE`.
pub fn explain(code: &str, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match codes::lookup(&code.to_ascii_uppercase()) {
        Some(info) => {
            let _ = writeln!(
                out,
                "{}: {}\n\n{}\n\nExample:\n{}",
                info.code, info.title, info.explanation, info.example
            );
            EXIT_OK
        }
        None => {
            let _ = writeln!(err, "ilo: unknown error code `{code}`");
            EXIT_FAIL
        }
    }
}
