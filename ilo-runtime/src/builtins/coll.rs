//! List and text helpers (`hd tl rev srt unq flat slc has`) and the
//! higher-order builtins (`map flt fld grp`, `srt f xs`).
//!
//! Texts count in characters for `hd tl rev srt unq` and iteration, and in
//! bytes for `slc` (as `len` does).

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};

use super::{apply, Args, CallValue};
use crate::error::RtError;
use crate::heap::{Heap, Obj};
use crate::ops::{equal, key_text};
use crate::print::type_name;
use crate::value::Value;

/// `hd xs`: the first element, or the first character of a text.
pub(super) fn hd(a: Args<'_>) -> Result<Value, RtError> {
    match a.heap.get(a.arg(0)) {
        Some(Obj::List(items)) => items.first().copied().ok_or_else(|| RtError::empty("hd")),
        Some(Obj::Text(s)) => match s.chars().next() {
            Some(c) => Ok(a.heap.text(c.to_string())),
            None => Err(RtError::empty("hd")),
        },
        _ => Err(a.wrong(0, "a list or text")),
    }
}

/// `tl xs`: all but the first element or character.
pub(super) fn tl(a: Args<'_>) -> Result<Value, RtError> {
    match a.heap.get(a.arg(0)) {
        Some(Obj::List(items)) => match items.split_first() {
            Some((_, rest)) => {
                let rest = rest.to_vec();
                Ok(a.heap.list(rest))
            }
            None => Err(RtError::empty("tl")),
        },
        Some(Obj::Text(s)) => {
            let mut chars = s.chars();
            match chars.next() {
                Some(_) => {
                    let rest = chars.as_str().to_string();
                    Ok(a.heap.text(rest))
                }
                None => Err(RtError::empty("tl")),
            }
        }
        _ => Err(a.wrong(0, "a list or text")),
    }
}

/// `rev xs`: reversed list, or text reversed by characters.
pub(super) fn rev(a: Args<'_>) -> Result<Value, RtError> {
    match a.heap.get(a.arg(0)) {
        Some(Obj::List(items)) => {
            let out: Vec<Value> = items.iter().rev().copied().collect();
            Ok(a.heap.list(out))
        }
        Some(Obj::Text(s)) => {
            let out: String = s.chars().rev().collect();
            Ok(a.heap.text(out))
        }
        _ => Err(a.wrong(0, "a list or text")),
    }
}

/// Sort keys: all numbers or all texts.
enum Keys {
    Nums(Vec<f64>),
    Texts(Vec<String>),
}

fn sort_keys(heap: &Heap, what: &str, keys: &[Value]) -> Result<Keys, RtError> {
    if let Some(nums) = keys.iter().map(|k| k.to_num()).collect::<Option<Vec<f64>>>() {
        return Ok(Keys::Nums(nums));
    }
    if let Some(texts) = keys
        .iter()
        .map(|k| heap.as_text(*k).map(String::from))
        .collect::<Option<Vec<String>>>()
    {
        return Ok(Keys::Texts(texts));
    }
    let odd = keys
        .iter()
        .find(|k| !k.is_num() && heap.as_text(**k).is_none())
        .copied()
        .unwrap_or(Value::NIL);
    Err(RtError::type_error(format!(
        "`srt` sorts by numbers or by texts (not mixed); {what} include {}",
        type_name(heap, odd)
    )))
}

/// `items` stably sorted by `keys` (one per item): numbers ascending (`nan`
/// last), texts by their bytes.
fn sorted_by(keys: Keys, items: &[Value]) -> Vec<Value> {
    match keys {
        Keys::Nums(k) => {
            let mut pairs: Vec<(f64, Value)> = k.into_iter().zip(items.iter().copied()).collect();
            pairs.sort_by(|a, b| num_order(a.0, b.0));
            pairs.into_iter().map(|(_, v)| v).collect()
        }
        Keys::Texts(k) => {
            let mut pairs: Vec<(String, Value)> = k.into_iter().zip(items.iter().copied()).collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            pairs.into_iter().map(|(_, v)| v).collect()
        }
    }
}

fn num_order(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (false, false) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (a, b) => a.cmp(&b),
    }
}

/// `srt xs` (numbers or texts, or the characters of a text) or `srt f xs`
/// (by the key `f x`, computed once per element). Stable.
pub(super) fn srt(mut a: Args<'_>, callee: &mut dyn CallValue) -> Result<Value, RtError> {
    if a.args.len() == 2 {
        let f = a.arg(0);
        let items = a.items(1)?;
        let mut keys = Vec::with_capacity(items.len());
        for x in &items {
            keys.push(apply(a.heap, callee, f, &[*x])?);
        }
        let out = sorted_by(sort_keys(a.heap, "the keys", &keys)?, &items);
        return Ok(a.heap.list(out));
    }
    if let Some(s) = a.heap.as_text(a.arg(0)) {
        let mut chars: Vec<char> = s.chars().collect();
        chars.sort_unstable();
        let out: String = chars.into_iter().collect();
        return Ok(a.heap.text(out));
    }
    let items = a.list(0)?.to_vec();
    let out = sorted_by(sort_keys(a.heap, "the elements", &items)?, &items);
    Ok(a.heap.list(out))
}

/// `unq xs`: the first occurrence of each distinct element (structural
/// equality), or of each character of a text.
pub(super) fn unq(a: Args<'_>) -> Result<Value, RtError> {
    if let Some(s) = a.heap.as_text(a.arg(0)) {
        let mut seen = HashSet::new();
        let out: String = s.chars().filter(|c| seen.insert(*c)).collect();
        return Ok(a.heap.text(out));
    }
    let items = a.list(0)?;
    let mut out: Vec<Value> = Vec::new();
    let mut seen_nums = HashSet::new();
    let mut seen_texts: HashSet<&str> = HashSet::new();
    for &x in items {
        let fresh = if let Some(n) = x.to_num() {
            // `nan` equals nothing, so each one is kept; -0 is 0.
            n.is_nan() || seen_nums.insert(if n == 0.0 { 0u64 } else { n.to_bits() })
        } else if let Some(t) = a.heap.as_text(x) {
            seen_texts.insert(t)
        } else {
            !out.iter().any(|y| equal(a.heap, x, *y))
        };
        if fresh {
            out.push(x);
        }
    }
    drop(seen_texts);
    Ok(a.heap.list(out))
}

/// `flat xs`: lists inside `xs` spliced in, one level; other elements kept.
pub(super) fn flat(a: Args<'_>) -> Result<Value, RtError> {
    let items = a.list(0)?;
    let mut out = Vec::with_capacity(items.len());
    for &x in items {
        match a.heap.as_list(x) {
            Some(inner) => out.extend_from_slice(inner),
            None => out.push(x),
        }
    }
    Ok(a.heap.list(out))
}

/// A slice bound: fractions round down, negative counts from the end (as in
/// Python), then clamped to `0..=len`.
fn bound(i: f64, len: usize) -> usize {
    let i = i.floor();
    let j = if i < 0.0 { i + len as f64 } else { i };
    if j.is_nan() || j <= 0.0 {
        0
    } else if j >= len as f64 {
        len
    } else {
        j as usize
    }
}

/// `slc xs a b`: elements from index `a` up to, not including, `b`; for a
/// text, bytes (as `len` counts), a bound inside a character moving forward
/// to the next character. Out-of-range bounds are clamped; `a >= b` gives
/// an empty slice.
pub(super) fn slc(a: Args<'_>) -> Result<Value, RtError> {
    let (from, to) = (a.num(1)?, a.num(2)?);
    match a.heap.get(a.arg(0)) {
        Some(Obj::List(items)) => {
            let (i, j) = (bound(from, items.len()), bound(to, items.len()));
            let out = if i < j {
                items.get(i..j).unwrap_or_default().to_vec()
            } else {
                Vec::new()
            };
            Ok(a.heap.list(out))
        }
        Some(Obj::Text(s)) => {
            let snap = |mut k: usize| {
                while k < s.len() && !s.is_char_boundary(k) {
                    k += 1;
                }
                k
            };
            let (i, j) = (snap(bound(from, s.len())), snap(bound(to, s.len())));
            let out = if i < j {
                s.get(i..j).unwrap_or_default().to_string()
            } else {
                String::new()
            };
            Ok(a.heap.text(out))
        }
        _ => Err(a.wrong(0, "a list or text")),
    }
}

/// `has xs v`: list membership (structural), substring of a text, or key of
/// a map.
pub(super) fn has(a: Args<'_>) -> Result<Value, RtError> {
    let v = a.arg(1);
    let found = match a.heap.get(a.arg(0)) {
        Some(Obj::List(items)) => items.iter().any(|x| equal(a.heap, *x, v)),
        Some(Obj::Text(s)) => s.contains(a.text(1)?),
        Some(Obj::Map(m)) => m.contains_key(key_text(a.heap, v).as_str()),
        _ => return Err(a.wrong(0, "a list, text or map")),
    };
    Ok(Value::bool(found))
}

/// `map f xs`: `f` applied to each element (or character of a text).
pub(super) fn map(mut a: Args<'_>, callee: &mut dyn CallValue) -> Result<Value, RtError> {
    let f = a.arg(0);
    let items = a.items(1)?;
    let mut out = Vec::with_capacity(items.len());
    for x in items {
        out.push(apply(a.heap, callee, f, &[x])?);
    }
    Ok(a.heap.list(out))
}

/// `flt f xs`: the elements for which `f` is truthy.
pub(super) fn flt(mut a: Args<'_>, callee: &mut dyn CallValue) -> Result<Value, RtError> {
    let f = a.arg(0);
    let items = a.items(1)?;
    let mut out = Vec::new();
    for x in items {
        if apply(a.heap, callee, f, &[x])?.truthy() {
            out.push(x);
        }
    }
    Ok(a.heap.list(out))
}

/// `fld f xs init`: `f (… (f (f init x0) x1) …) xn`.
pub(super) fn fld(mut a: Args<'_>, callee: &mut dyn CallValue) -> Result<Value, RtError> {
    let f = a.arg(0);
    let items = a.items(1)?;
    let mut acc = a.arg(2);
    for x in items {
        acc = apply(a.heap, callee, f, &[acc, x])?;
    }
    Ok(acc)
}

/// `grp f xs`: a map from each key `f x` (as text: `1` -> `"1"`) to the
/// list of elements with that key, in their original order.
pub(super) fn grp(mut a: Args<'_>, callee: &mut dyn CallValue) -> Result<Value, RtError> {
    let f = a.arg(0);
    let items = a.items(1)?;
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for x in items {
        let k = apply(a.heap, callee, f, &[x])?;
        groups.entry(key_text(a.heap, k)).or_default().push(x);
    }
    let entries: crate::heap::MapData = groups.into_iter().map(|(k, xs)| (k, a.heap.list(xs))).collect();
    Ok(a.heap.map(entries))
}
