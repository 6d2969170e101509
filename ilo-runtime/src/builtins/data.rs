//! Maps (`mget mset mhas mdel mkeys mvals`; `mmap` is inline) and JSON
//! (`jdmp jpar jpth`).
//!
//! Map keys are text at run time: a key that is not a text is used in its
//! printed form (`mset m 1 v` stores under `"1"`).

use super::Args;
use crate::error::RtError;
use crate::heap::{Heap, Obj};
use crate::ops::key_text;
use crate::print::fmt_num;
use crate::value::Value;

/// `mget m k`: the value under `k`, or `nil`.
pub(super) fn mget(a: Args<'_>) -> Result<Value, RtError> {
    let k = key_text(a.heap, a.arg(1));
    Ok(a.map(0)?.get(k.as_str()).copied().unwrap_or(Value::NIL))
}

/// `mset m k v`: a new map with `k` set to `v`; `m` is unchanged.
pub(super) fn mset(a: Args<'_>) -> Result<Value, RtError> {
    let k = key_text(a.heap, a.arg(1));
    let m = a.map(0)?.update(k.into(), a.arg(2));
    Ok(a.heap.map_version(a.arg(0), m, &[a.arg(2)]))
}

/// `mhas m k`.
pub(super) fn mhas(a: Args<'_>) -> Result<Value, RtError> {
    let k = key_text(a.heap, a.arg(1));
    Ok(Value::bool(a.map(0)?.contains_key(k.as_str())))
}

/// `mdel m k`: a new map without `k`.
pub(super) fn mdel(a: Args<'_>) -> Result<Value, RtError> {
    let k = key_text(a.heap, a.arg(1));
    let m = a.map(0)?.without(k.as_str());
    Ok(a.heap.map_version(a.arg(0), m, &[]))
}

/// `mkeys m`: the keys, in order.
pub(super) fn mkeys(a: Args<'_>) -> Result<Value, RtError> {
    let keys: Vec<String> = a.map(0)?.keys().map(|k| k.to_string()).collect();
    let items = keys.into_iter().map(|k| a.heap.text(k)).collect();
    Ok(a.heap.list(items))
}

/// `mvals m`: the values, in key order.
pub(super) fn mvals(a: Args<'_>) -> Result<Value, RtError> {
    let vals: Vec<Value> = a.map(0)?.values().copied().collect();
    Ok(a.heap.list(vals))
}

/// How deep `jdmp` follows nested lists, maps, records and results before
/// giving up (`ILO-R012`): as deep as `jpar` (serde_json) reads back.
pub const JSON_MAX_DEPTH: usize = 127;

/// `jdmp v`: compact JSON. Numbers print as ilo prints them (`inf` and
/// `nan`, which JSON lacks, become `null`); `nil` is `null`; lists are
/// arrays; maps and records are objects (record fields in declaration
/// order); `~v` is `{"ok":v}` and `^e` is `{"err":e}`; functions are `null`.
pub(super) fn jdmp(a: Args<'_>) -> Result<Value, RtError> {
    let mut out = String::new();
    dump(a.heap, a.arg(0), &mut out, 0)?;
    Ok(a.heap.text(out))
}

/// A value as JSON text, appended to `out`.
pub fn dump(heap: &Heap, v: Value, out: &mut String, depth: usize) -> Result<(), RtError> {
    if let Some(n) = v.to_num() {
        if n.is_finite() {
            out.push_str(&fmt_num(n));
        } else {
            out.push_str("null");
        }
        return Ok(());
    }
    if let Some(b) = v.to_bool() {
        out.push_str(if b { "true" } else { "false" });
        return Ok(());
    }
    let fields = |out: &mut String, pairs: &mut dyn Iterator<Item = (&str, Value)>| -> Result<(), RtError> {
        out.push('{');
        for (i, (k, x)) in pairs.enumerate() {
            if i > 0 {
                out.push(',');
            }
            quote(k, out);
            out.push(':');
            dump(heap, x, out, depth + 1)?;
        }
        out.push('}');
        Ok(())
    };
    if depth >= JSON_MAX_DEPTH && !matches!(heap.get(v), Some(Obj::Text(_)) | None) {
        return Err(RtError::nesting(JSON_MAX_DEPTH));
    }
    match heap.get(v) {
        Some(Obj::Text(s)) => quote(s, out),
        Some(Obj::List(items)) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                dump(heap, *x, out, depth + 1)?;
            }
            out.push(']');
        }
        Some(Obj::Map(m)) => fields(out, &mut m.iter().map(|(k, x)| (&**k, *x)))?,
        Some(Obj::Record(r)) => fields(
            out,
            &mut r.shape.fields.iter().map(String::as_str).zip(r.values.iter().copied()),
        )?,
        Some(Obj::Ok(x)) => fields(out, &mut std::iter::once(("ok", x)))?,
        Some(Obj::Err(x)) => fields(out, &mut std::iter::once(("err", x)))?,
        None => out.push_str("null"),
    }
    Ok(())
}

fn quote(s: &str, out: &mut String) {
    match serde_json::to_string(s) {
        Ok(q) => out.push_str(&q),
        Err(_) => {
            out.push('"');
            out.push('"');
        }
    }
}

/// A parsed JSON value as ilo values: objects become maps, arrays lists,
/// `null` nil. (serde_json refuses nesting deeper than 128, so this
/// recursion is bounded.)
fn from_json(heap: &mut Heap, j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::NIL,
        serde_json::Value::Bool(b) => Value::bool(*b),
        serde_json::Value::Number(n) => Value::num(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => heap.text(s.clone()),
        serde_json::Value::Array(items) => {
            let vals = items.iter().map(|x| from_json(heap, x)).collect();
            heap.list(vals)
        }
        serde_json::Value::Object(m) => {
            let entries: crate::heap::MapData = m
                .iter()
                .map(|(k, x)| (std::sync::Arc::<str>::from(k.as_str()), from_json(heap, x)))
                .collect();
            heap.map(entries)
        }
    }
}

/// `jpar s`: `~value`, or `^"message"` for text that is not JSON.
pub(super) fn jpar(a: Args<'_>) -> Result<Value, RtError> {
    let parsed: Result<serde_json::Value, _> = serde_json::from_str(a.text(0)?);
    match parsed {
        Ok(j) => {
            let v = from_json(a.heap, &j);
            Ok(a.heap.ok(v))
        }
        Err(e) => Ok(a.heap.err_text(format!("invalid JSON: {e}"))),
    }
}

/// `jpth s path`: the value at a dotted path (`"a.b.0"`: object keys and
/// array indices) as text: a string raw, anything else as compact JSON
/// (as `jdmp` writes it).
/// `^"message"` when `s` is not JSON or the path leads nowhere. The empty
/// path is the whole document.
pub(super) fn jpth(a: Args<'_>) -> Result<Value, RtError> {
    let parsed: Result<serde_json::Value, _> = serde_json::from_str(a.text(0)?);
    let path = a.text(1)?.to_string();
    let doc = match parsed {
        Ok(j) => j,
        Err(e) => return Ok(a.heap.err_text(format!("invalid JSON: {e}"))),
    };
    let mut cur = &doc;
    if !path.is_empty() {
        for (depth, seg) in path.split('.').enumerate() {
            let next = match cur {
                serde_json::Value::Object(m) => m.get(seg),
                serde_json::Value::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => cur = n,
                None => {
                    let reached: Vec<&str> = path.split('.').take(depth).collect();
                    let at = if reached.is_empty() {
                        "the top".to_string()
                    } else {
                        format!("`{}`", reached.join("."))
                    };
                    return Ok(a
                        .heap
                        .err_text(format!("no `{seg}` at {at} of the JSON (path `{path}`)")));
                }
            }
        }
    }
    let text = match cur {
        serde_json::Value::String(s) => s.clone(),
        other => {
            // Through ilo values, so numbers read as ilo prints them (`1`, not `1.0`).
            let v = from_json(a.heap, other);
            let mut out = String::new();
            dump(a.heap, v, &mut out, 0)?;
            out
        }
    };
    let t = a.heap.text(text);
    Ok(a.heap.ok(t))
}
