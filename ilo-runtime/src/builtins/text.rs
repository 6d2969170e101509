//! Text builtins: `len str num spl cat trm fmt rgx`.

use std::cell::RefCell;
use std::collections::HashMap;

use super::Args;
use crate::error::RtError;
use crate::heap::Obj;
use crate::print::{fmt_num, fmt_value};
use crate::value::Value;

/// `len x`: bytes of a text, elements of a list, entries of a map.
pub(super) fn len(a: Args<'_>) -> Result<Value, RtError> {
    let n = match a.heap.get(a.arg(0)) {
        Some(Obj::Text(s)) => s.len(),
        Some(Obj::List(items)) => items.len(),
        Some(Obj::Map(m)) => m.len(),
        _ => return Err(a.wrong(0, "a text, list or map")),
    };
    Ok(Value::num(n as f64))
}

/// `str x`: a number as text (integers without `.0`); a text is itself;
/// anything else is its printed form.
pub(super) fn str(a: Args<'_>) -> Result<Value, RtError> {
    let v = a.arg(0);
    if let Some(n) = v.to_num() {
        return Ok(a.heap.text(fmt_num(n)));
    }
    if a.heap.as_text(v).is_some() {
        return Ok(v);
    }
    let s = fmt_value(a.heap, v);
    Ok(a.heap.text(s))
}

/// Text as ilo reads a number: optional sign, digits, point, exponent, or
/// `inf` `-inf` `nan`; surrounding whitespace is ignored.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    match t {
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "nan" => Some(f64::NAN),
        _ if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) => t.parse().ok(),
        _ => None,
    }
}

/// `num s`: `~n`, or `^"…"` when `s` is not a number.
pub(super) fn num(a: Args<'_>) -> Result<Value, RtError> {
    let v = a.arg(0);
    if v.is_num() {
        return Ok(a.heap.ok(v));
    }
    let s = a.text(0)?;
    match parse_number(s) {
        Some(n) => Ok(a.heap.ok(Value::num(n))),
        None => {
            let msg = format!("`{s}` is not a number");
            Ok(a.heap.err_text(msg))
        }
    }
}

/// `spl s sep`: the parts between separators; `sep` empty splits into
/// characters.
pub(super) fn spl(a: Args<'_>) -> Result<Value, RtError> {
    let s = a.text(0)?;
    let sep = a.text(1)?;
    let parts: Vec<String> = if sep.is_empty() {
        s.chars().map(String::from).collect()
    } else {
        s.split(sep).map(String::from).collect()
    };
    let items = parts.into_iter().map(|p| a.heap.text(p)).collect();
    Ok(a.heap.list(items))
}

/// `cat xs sep`: elements joined by `sep`; elements that are not text are
/// printed (`cat [1 2] ","` is `"1,2"`).
pub(super) fn cat(a: Args<'_>) -> Result<Value, RtError> {
    let sep = a.text(1)?;
    let items = a.list(0)?;
    let mut out = String::new();
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        crate::print::write_value(a.heap, *v, &mut out);
    }
    Ok(a.heap.text(out))
}

/// `trm s`: without leading and trailing whitespace.
pub(super) fn trm(a: Args<'_>) -> Result<Value, RtError> {
    let s = a.text(0)?.trim().to_string();
    Ok(a.heap.text(s))
}

/// `fmt "{} and {}" a b`: each `{}` replaced by the next value, printed as
/// the CLI prints it. The number of placeholders and of values must agree
/// (`ILO-R008`), so a forgotten value never passes silently.
pub(super) fn fmt(a: Args<'_>) -> Result<Value, RtError> {
    let template = a.text(0)?;
    let values = a.args.get(1..).unwrap_or_default();
    let holes = template.matches("{}").count();
    if holes != values.len() {
        return Err(RtError::arg(format!(
            "`fmt` template has {holes} placeholder(s) `{{}}` but {} value(s) follow it",
            values.len()
        )));
    }
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    for v in values {
        let Some((before, after)) = rest.split_once("{}") else {
            break;
        };
        out.push_str(before);
        crate::print::write_value(a.heap, *v, &mut out);
        rest = after;
    }
    out.push_str(rest);
    Ok(a.heap.text(out))
}

thread_local! {
    static REGEX_CACHE: RefCell<HashMap<String, regex::Regex>> = RefCell::new(HashMap::new());
}

fn compile(pat: &str) -> Result<regex::Regex, RtError> {
    let cached = REGEX_CACHE.with(|c| c.try_borrow().ok().and_then(|c| c.get(pat).cloned()));
    if let Some(re) = cached {
        return Ok(re);
    }
    let re = regex::Regex::new(pat).map_err(|e| RtError::arg(format!("`rgx`: invalid pattern `{pat}`: {e}")))?;
    REGEX_CACHE.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            if c.len() >= 64 {
                c.clear();
            }
            c.insert(pat.to_string(), re.clone());
        }
    });
    Ok(re)
}

/// `rgx pat s`: without capture groups, every match; with groups, the
/// groups of the first match (a group that took no part is `""`), or `[]`
/// when nothing matches. An invalid pattern is an `ILO-R008` error.
pub(super) fn rgx(a: Args<'_>) -> Result<Value, RtError> {
    let re = compile(a.text(0)?)?;
    let s = a.text(1)?;
    let found: Vec<String> = if re.captures_len() > 1 {
        match re.captures(s) {
            Some(caps) => caps
                .iter()
                .skip(1)
                .map(|m| m.map(|m| m.as_str().to_string()).unwrap_or_default())
                .collect(),
            None => Vec::new(),
        }
    } else {
        re.find_iter(s).map(|m| m.as_str().to_string()).collect()
    };
    let items = found.into_iter().map(|t| a.heap.text(t)).collect();
    Ok(a.heap.list(items))
}
