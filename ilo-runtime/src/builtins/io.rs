//! The outside world: files (`rd rdl wr wrl`), `env`, `prnt`, `now`, `rnd`.
//! Failures of the outside world are `^"message"` results, never crashes.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::Args;
use crate::error::RtError;
use crate::print::fmt_value;
use crate::value::Value;

/// `rd path`: `~contents` or `^"message"`.
pub(super) fn rd(a: Args<'_>) -> Result<Value, RtError> {
    let path = a.text(0)?.to_string();
    match std::fs::read_to_string(&path) {
        Ok(s) => {
            let t = a.heap.text(s);
            Ok(a.heap.ok(t))
        }
        Err(e) => Ok(a.heap.err_text(format!("cannot read `{path}`: {e}"))),
    }
}

/// `rdl path`: `~lines` (without line endings; no empty last line for a
/// file that ends with a newline) or `^"message"`.
pub(super) fn rdl(a: Args<'_>) -> Result<Value, RtError> {
    let path = a.text(0)?.to_string();
    match std::fs::read_to_string(&path) {
        Ok(s) => {
            let lines = s.lines().map(|l| a.heap.text(l)).collect();
            let l = a.heap.list(lines);
            Ok(a.heap.ok(l))
        }
        Err(e) => Ok(a.heap.err_text(format!("cannot read `{path}`: {e}"))),
    }
}

fn write(a: Args<'_>, contents: String) -> Result<Value, RtError> {
    let path = a.text(0)?.to_string();
    match std::fs::write(&path, contents) {
        Ok(()) => {
            let p = a.heap.text(path);
            Ok(a.heap.ok(p))
        }
        Err(e) => Ok(a.heap.err_text(format!("cannot write `{path}`: {e}"))),
    }
}

/// `wr path s`: writes `s` (a non-text value is written as it prints);
/// `~path` or `^"message"`.
pub(super) fn wr(a: Args<'_>) -> Result<Value, RtError> {
    let contents = fmt_value(a.heap, a.arg(1));
    write(a, contents)
}

/// `wrl path xs`: writes each element on its own line, each ending in a
/// newline; `~path` or `^"message"`.
pub(super) fn wrl(a: Args<'_>) -> Result<Value, RtError> {
    let mut contents = String::new();
    for v in a.list(1)? {
        crate::print::write_value(a.heap, *v, &mut contents);
        contents.push('\n');
    }
    write(a, contents)
}

/// `env k`: `~value` or `^"message"` when unset (or not Unicode).
pub(super) fn env(a: Args<'_>) -> Result<Value, RtError> {
    let k = a.text(0)?.to_string();
    match std::env::var(&k) {
        Ok(v) => {
            let t = a.heap.text(v);
            Ok(a.heap.ok(t))
        }
        Err(std::env::VarError::NotPresent) => Ok(a.heap.err_text(format!("environment variable `{k}` is not set"))),
        Err(std::env::VarError::NotUnicode(_)) => Ok(a
            .heap
            .err_text(format!("environment variable `{k}` is not valid UTF-8"))),
    }
}

/// `prnt v`: prints `v` as the CLI prints a result, then a newline, to
/// stdout; returns `v`. A closed stdout is ignored.
pub(super) fn prnt(a: Args<'_>) -> Result<Value, RtError> {
    let v = a.arg(0);
    let s = fmt_value(a.heap, v);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{s}");
    let _ = out.flush();
    Ok(v)
}

/// `now`: seconds since the Unix epoch, with a fraction.
pub(super) fn now() -> Result<Value, RtError> {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    Ok(Value::num(secs))
}

static RNG: AtomicU64 = AtomicU64::new(0);

/// splitmix64 over a shared counter, seeded from the clock on first use.
fn next_u64() -> u64 {
    const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
    if RNG.load(Ordering::Relaxed) == 0 {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(GAMMA);
        let _ = RNG.compare_exchange(0, seed | 1, Ordering::Relaxed, Ordering::Relaxed);
    }
    let mut z = RNG.fetch_add(GAMMA, Ordering::Relaxed).wrapping_add(GAMMA);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform number in [0, 1).
pub fn random_unit() -> f64 {
    (next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// `rnd`: uniform in [0, 1). `rnd a b`: a uniform integer in [a, b]
/// (bounds rounded inwards); `ILO-R008` when there is none.
pub(super) fn rnd(a: Args<'_>) -> Result<Value, RtError> {
    if a.args.is_empty() {
        return Ok(Value::num(random_unit()));
    }
    let (lo, hi) = (a.num(0)?.ceil(), a.num(1)?.floor());
    if !lo.is_finite() || !hi.is_finite() || lo > hi {
        return Err(RtError::arg(format!(
            "`rnd a b` needs an integer between a and b, but got a={lo} b={hi}"
        )));
    }
    let span = hi - lo + 1.0;
    let r = random_unit();
    let x = if span.is_finite() {
        lo + (r * span).floor()
    } else {
        // The width overflows (`rnd -1e308 1e308`): mix the ends instead,
        // which cannot.
        (lo * (1.0 - r) + hi * r).floor()
    };
    Ok(Value::num(x.clamp(lo, hi)))
}
