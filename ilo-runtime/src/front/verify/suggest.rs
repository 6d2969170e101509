//! Suggestions: nearest names, types and how to show an expression.

use super::*;

// ----------------------------------------------------------------- helpers --

pub(super) fn is_unary_builtin(name: &str) -> bool {
    signatures(name).iter().any(|s| s.params.len() == 1)
}

pub(super) fn lit_ty(l: &Lit) -> Ty {
    match l {
        Lit::Num(_) => Ty::Num,
        Lit::Text(_) => Ty::Text,
        Lit::Bool(_) => Ty::Bool,
        Lit::Nil => Ty::Nil,
    }
}

/// "a n", "a L n", "nil": a type in running text.
/// A type in a message: in words, with the ilo spelling (`n` alone reads
/// badly in a sentence).
pub(super) fn a_ty(t: &Ty) -> String {
    let kind = match t {
        Ty::Nil => return "nil".to_string(),
        Ty::Record(name) => return format!("a `{name}` record"),
        Ty::Any | Ty::Never | Ty::Var(_) | Ty::Join(..) => return format!("a value of type `{t}`"),
        Ty::Num => "a number",
        Ty::Text => "a text",
        Ty::Bool => "a bool",
        Ty::List(_) => "a list",
        Ty::Opt(_) => "an option",
        Ty::Map(..) => "a map",
        Ty::Result(..) => "a result",
        Ty::Func(..) => "a function",
    };
    format!("{kind} (`{t}`)")
}

pub(super) fn count(n: usize) -> String {
    match n {
        0 => "no arguments".to_string(),
        1 => "1 argument".to_string(),
        n => format!("{n} arguments"),
    }
}

pub(super) fn backticked(names: &[&str]) -> String {
    let v: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

/// A common name for a built-in type (`int`, `string`) or the nearest
/// declared record name.
pub(super) fn type_suggestion(name: &str, records: &[&str]) -> Option<String> {
    let builtin = match name.to_ascii_lowercase().as_str() {
        "int" | "integer" | "float" | "double" | "num" | "number" | "i64" | "f64" => "n",
        "str" | "string" | "text" => "t",
        "bool" | "boolean" => "b",
        "any" => "_",
        "list" | "array" | "vec" => "L _",
        "map" | "dict" | "hash" => "M t _",
        _ => return nearest(name, records.iter().copied()),
    };
    Some(builtin.to_string())
}

/// The candidate closest to `name` by edit distance (adjacent swaps count
/// one), if it is close enough to be a likely typo. Ties go to the first.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = match name.chars().count() {
        0..=2 => 1,
        3..=5 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // The length difference is a lower bound of the distance: a cheap
        // filter before the quadratic computation.
        if c == name || c == "_" || c.chars().count().abs_diff(name.chars().count()) > limit {
            continue;
        }
        let d = distance(name, c);
        let better = match best {
            Some((bd, _)) => d < bd,
            None => true,
        };
        if d <= limit && better {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// Optimal string alignment distance, on at most 64 characters of each.
pub(super) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    let at = |i: usize, j: usize| i * w + j;
    for i in 0..=a.len() {
        if let Some(x) = d.get_mut(at(i, 0)) {
            *x = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(x) = d.get_mut(at(0, j)) {
            *x = j;
        }
    }
    let get = |d: &Vec<usize>, i: usize, j: usize| d.get(at(i, j)).copied().unwrap_or(usize::MAX / 2);
    for (i, ca) in a.iter().enumerate() {
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut v = (get(&d, i, j + 1) + 1)
                .min(get(&d, i + 1, j) + 1)
                .min(get(&d, i, j) + cost);
            if i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca) {
                v = v.min(get(&d, i - 1, j - 1) + 1);
            }
            if let Some(x) = d.get_mut(at(i + 1, j + 1)) {
                *x = v;
            }
        }
    }
    get(&d, a.len(), b.len())
}

/// `x` in parentheses unless it is a single atom.
pub(super) fn paren(x: &str) -> String {
    let text_literal = x.len() >= 2 && x.starts_with('"') && x.ends_with('"');
    if x.contains(' ') && !text_literal && !(x.starts_with('(') && x.ends_with(')')) {
        format!("({x})")
    } else {
        x.to_string()
    }
}

/// Short ilo text of a small expression (the formatter's dense form), for
/// messages and suggestions; `None` when it would be long.
pub(super) fn show(e: &Expr) -> Option<String> {
    let mut budget = 40;
    if !small(e, &mut budget) {
        return None;
    }
    let s = crate::front::format::expr_text(e);
    (s.len() <= 60).then_some(s)
}

/// Whether `e` has at most `budget` nodes (so it is cheap to format and
/// could fit in a message): no part of the AST is walked past the budget.
fn small(e: &Expr, budget: &mut u32) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    let parts: Vec<&Expr> = match &e.kind {
        ExprKind::Lit(_) | ExprKind::Name(_) => Vec::new(),
        ExprKind::List(xs) | ExprKind::Call { args: xs, .. } => xs.iter().collect(),
        ExprKind::Record { fields, .. } => fields.iter().map(|(_, x)| x).collect(),
        ExprKind::With { target, fields } => std::iter::once(&**target)
            .chain(fields.iter().map(|(_, x)| x))
            .collect(),
        ExprKind::Unary { operand: x, .. }
        | ExprKind::Ok(x)
        | ExprKind::Err(x)
        | ExprKind::Field { target: x, .. }
        | ExprKind::Index { target: x, .. } => vec![&**x],
        ExprKind::Binary { lhs, rhs, .. } | ExprKind::Coalesce { lhs, rhs } => vec![&**lhs, &**rhs],
        ExprKind::Ternary { cond, then, els } => vec![&**cond, &**then, &**els],
    };
    parts.into_iter().all(|x| small(x, budget))
}
