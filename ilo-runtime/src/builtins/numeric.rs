//! Numeric builtins: `abs flr cel rou min max sum avg`.

use super::Args;
use crate::error::RtError;
use crate::value::Value;

pub(super) fn unary(a: Args<'_>, f: fn(f64) -> f64) -> Result<Value, RtError> {
    Ok(Value::num(f(a.num(0)?)))
}

/// IEEE 754-2019 `maximum`/`minimum`, as the spec states for `max`/`min`:
/// `nan` if either operand is `nan`, and `-0` is less than `0`. (Rust's
/// `f64::max` ignores a `nan` and may give either zero.)
pub fn ieee_min_max(x: f64, y: f64, max: bool) -> f64 {
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == y {
        // Equal, or zeros of either sign: the sign decides.
        let take_x = if max {
            x.is_sign_positive()
        } else {
            x.is_sign_negative()
        };
        return if take_x { x } else { y };
    }
    if (x > y) == max {
        x
    } else {
        y
    }
}

/// `min a b` / `max a b` on numbers, or `min xs` / `max xs` of a non-empty
/// list of numbers, by [`ieee_min_max`].
pub(super) fn min_max(a: Args<'_>, max: bool) -> Result<Value, RtError> {
    let pick = |x: f64, y: f64| ieee_min_max(x, y, max);
    if a.args.len() == 2 {
        return Ok(Value::num(pick(a.num(0)?, a.num(1)?)));
    }
    let nums = numbers(&a, 0)?;
    match nums.into_iter().reduce(pick) {
        Some(m) => Ok(Value::num(m)),
        None => Err(RtError::empty(a.b.name())),
    }
}

fn numbers(a: &Args<'_>, i: usize) -> Result<Vec<f64>, RtError> {
    a.list(i)?
        .iter()
        .map(|v| v.to_num().ok_or_else(|| a.wrong(i, "a list of numbers")))
        .collect()
}

pub(super) fn sum(a: Args<'_>) -> Result<Value, RtError> {
    // Folded from +0 (the std `sum` starts at -0, so `sum []` would print `-0`).
    Ok(Value::num(numbers(&a, 0)?.iter().fold(0.0, |s, x| s + x)))
}

pub(super) fn avg(a: Args<'_>) -> Result<Value, RtError> {
    let nums = numbers(&a, 0)?;
    if nums.is_empty() {
        return Err(RtError::avg_empty());
    }
    Ok(Value::num(nums.iter().fold(0.0, |s, x| s + x) / nums.len() as f64))
}
