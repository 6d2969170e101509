//! Types as the verifier sees them: conversion from the AST, compatibility,
//! joins, the builtin signature text parser and a small unifier for type
//! variables.
//!
//! The verifier is deliberately lenient where the language is dynamic:
//! `_` and anything it cannot infer are [`Ty::Any`], which fits everywhere
//! and is never reported; `O T` and `T` flow into each other (there is no
//! nil tracking beyond the literal `nil`); map key types are ignored because
//! keys are text at run time.
//!
//! Every type it builds is at most [`MAX_DEPTH`] levels deep (deeper parts
//! become `Any`), so the recursive functions here are bounded no matter what
//! the program does (`x=[x]` ten thousand times).

use std::fmt;

use crate::front::ast::Type;

/// Deepest type the verifier keeps; below that a type is `Any`.
pub const MAX_DEPTH: usize = 48;

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Num,
    Text,
    Bool,
    /// The literal `nil`.
    Nil,
    /// `_`, or not known: fits everywhere, never reported.
    Any,
    /// No value at all: the elements of `[]`, the value of `ret`. Fits
    /// everywhere and disappears in a join.
    Never,
    List(Box<Ty>),
    /// Key, value. Keys are text at run time; the key type is never checked.
    Map(Box<Ty>, Box<Ty>),
    /// Ok, error.
    Result(Box<Ty>, Box<Ty>),
    Opt(Box<Ty>),
    Func(Vec<Ty>, Box<Ty>),
    /// A record type declared with `type`.
    Record(String),
    /// A type variable of a signature (`a`…`z` except `n t b`).
    Var(char),
    /// `v|w` in a builtin signature: the join of both once bound (`mset`
    /// widens a map's value type instead of rejecting a new kind of value).
    Join(Box<Ty>, Box<Ty>),
}

impl Ty {
    pub fn list(t: Ty) -> Ty {
        bounded(Ty::List(Box::new(t)))
    }

    pub fn map(k: Ty, v: Ty) -> Ty {
        bounded(Ty::Map(Box::new(k), Box::new(v)))
    }

    pub fn result(ok: Ty, err: Ty) -> Ty {
        bounded(Ty::Result(Box::new(ok), Box::new(err)))
    }

    /// `O t`, without nesting options: `O (O n)` is `O n`, `O nil` is nil.
    pub fn opt(t: Ty) -> Ty {
        match t {
            Ty::Opt(_) | Ty::Nil | Ty::Any => t,
            Ty::Never => Ty::Nil,
            t => bounded(Ty::Opt(Box::new(t))),
        }
    }

    pub fn func(params: Vec<Ty>, ret: Ty) -> Ty {
        bounded(Ty::Func(params, Box::new(ret)))
    }

    /// `Any` or `Never`: nothing can be said about it.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Ty::Any | Ty::Never | Ty::Var(_) | Ty::Join(..))
    }

    /// The type without its option wrapper (`O n` is `n`).
    pub fn strip_opt(&self) -> &Ty {
        match self {
            Ty::Opt(t) => t,
            t => t,
        }
    }

    /// Levels of nesting (`n` is 1, `L n` is 2). Bounded by construction.
    pub fn depth(&self) -> usize {
        1 + match self {
            Ty::List(t) | Ty::Opt(t) => t.depth(),
            Ty::Map(a, b) | Ty::Result(a, b) | Ty::Join(a, b) => a.depth().max(b.depth()),
            Ty::Func(ps, r) => ps.iter().map(Ty::depth).max().unwrap_or(0).max(r.depth()),
            _ => 0,
        }
    }

    /// Whether the type mentions a type variable.
    pub fn has_vars(&self) -> bool {
        match self {
            Ty::Var(_) => true,
            Ty::List(t) | Ty::Opt(t) => t.has_vars(),
            Ty::Map(a, b) | Ty::Result(a, b) | Ty::Join(a, b) => a.has_vars() || b.has_vars(),
            Ty::Func(ps, r) => ps.iter().any(Ty::has_vars) || r.has_vars(),
            _ => false,
        }
    }

    /// The type with every type variable replaced by `Any`: what a
    /// parameter of type `a` is inside the function's body.
    pub fn erase_vars(&self) -> Ty {
        match self {
            Ty::Var(_) | Ty::Join(..) => Ty::Any,
            Ty::List(t) => Ty::list(t.erase_vars()),
            Ty::Opt(t) => Ty::opt(t.erase_vars()),
            Ty::Map(a, b) => Ty::map(a.erase_vars(), b.erase_vars()),
            Ty::Result(a, b) => Ty::result(a.erase_vars(), b.erase_vars()),
            Ty::Func(ps, r) => Ty::func(ps.iter().map(Ty::erase_vars).collect(), r.erase_vars()),
            t => t.clone(),
        }
    }
}

/// The type, or `Any` when it is too deep to keep.
fn bounded(t: Ty) -> Ty {
    if t.depth() > MAX_DEPTH {
        Ty::Any
    } else {
        t
    }
}

/// Converts a declared type. `named` decides what a record name becomes
/// (`Record`, or `Any` for a type the verifier cannot see). AST types are at
/// most 256 deep (the parser's limit); past [`MAX_DEPTH`] they become `Any`.
pub fn from_ast(t: &Type, named: &dyn Fn(&str) -> Ty) -> Ty {
    from_ast_at(t, named, 0)
}

fn from_ast_at(t: &Type, named: &dyn Fn(&str) -> Ty, depth: usize) -> Ty {
    if depth >= MAX_DEPTH {
        return Ty::Any;
    }
    let sub = |t: &Type| from_ast_at(t, named, depth + 1);
    match t {
        Type::Num => Ty::Num,
        Type::Text => Ty::Text,
        Type::Bool => Ty::Bool,
        Type::Any => Ty::Any,
        Type::List(e) => Ty::list(sub(e)),
        Type::Map(k, v) => Ty::map(sub(k), sub(v)),
        Type::Result(o, e) => Ty::result(sub(o), sub(e)),
        Type::Opt(e) => Ty::opt(sub(e)),
        Type::Func(ps, r) => Ty::func(ps.iter().map(sub).collect(), sub(r)),
        Type::Named(n) => named(n),
        Type::Var(c) => Ty::Var(*c),
    }
}

/// Whether a value of type `actual` may be used where `expected` is
/// declared. Unknown types fit everywhere; `nil` fits only options.
pub fn fits(actual: &Ty, expected: &Ty) -> bool {
    use Ty::*;
    match (actual, expected) {
        (Any | Never | Var(_) | Join(..), _) | (_, Any | Never | Var(_) | Join(..)) => true,
        (Nil, Opt(_) | Nil) => true,
        (Nil, _) => false,
        (Opt(a), Opt(e)) => fits(a, e),
        // No nil tracking: an option is used as its value and vice versa.
        (Opt(a), e) => fits(a, e),
        (a, Opt(e)) => fits(a, e),
        (Num, Num) | (Text, Text) | (Bool, Bool) => true,
        (List(a), List(e)) => fits(a, e),
        (Map(_, a), Map(_, e)) => fits(a, e),
        (Result(a, b), Result(c, d)) => fits(a, c) && fits(b, d),
        (Func(ps, r), Func(qs, s)) => ps.len() == qs.len() && ps.iter().zip(qs).all(|(p, q)| fits(q, p)) && fits(r, s),
        (Record(a), Record(b)) => a == b,
        _ => false,
    }
}

/// The least type both `a` and `b` fit (`n` and `nil` give `O n`); `Any`
/// when they have nothing in common.
pub fn join(a: &Ty, b: &Ty) -> Ty {
    use Ty::*;
    if a == b {
        return a.clone();
    }
    match (a, b) {
        (Never, x) | (x, Never) => x.clone(),
        (Any | Var(_) | Join(..), _) | (_, Any | Var(_) | Join(..)) => Any,
        (Nil, x) | (x, Nil) => Ty::opt(x.clone()),
        (Opt(x), Opt(y)) => Ty::opt(join(x, y)),
        (Opt(x), y) | (y, Opt(x)) => Ty::opt(join(x, y)),
        (List(x), List(y)) => Ty::list(join(x, y)),
        (Map(k, v), Map(l, w)) => Ty::map(join(k, l), join(v, w)),
        (Result(o, e), Result(p, f)) => Ty::result(join(o, p), join(e, f)),
        _ => Any,
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Num => f.write_str("n"),
            Ty::Text => f.write_str("t"),
            Ty::Bool => f.write_str("b"),
            Ty::Nil => f.write_str("nil"),
            Ty::Any | Ty::Never => f.write_str("_"),
            Ty::List(t) => write!(f, "L {}", Arg(t)),
            Ty::Opt(t) => write!(f, "O {}", Arg(t)),
            Ty::Map(k, v) => write!(f, "M {} {}", Arg(k), Arg(v)),
            Ty::Result(o, e) => write!(f, "R {} {}", Arg(o), Arg(e)),
            Ty::Func(ps, r) => {
                f.write_str("F")?;
                for p in ps {
                    write!(f, " {}", Arg(p))?;
                }
                write!(f, " {}", Arg(r))
            }
            Ty::Record(n) => f.write_str(n),
            Ty::Var(c) => write!(f, "{c}"),
            Ty::Join(a, b) => write!(f, "{a}|{b}"),
        }
    }
}

/// A type in argument position: parenthesised when it takes arguments.
struct Arg<'a>(&'a Ty);

impl fmt::Display for Arg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            t @ (Ty::List(_) | Ty::Opt(_) | Ty::Map(..) | Ty::Result(..) | Ty::Func(..)) => write!(f, "({t})"),
            t => write!(f, "{t}"),
        }
    }
}

/// Parses signature text such as `L a`, `M _ v`, `R (L t) t`, `F a b a` or
/// `M t v|w` (the builtin table's notation: ilo types plus `|` between type
/// variables). `None` when it is malformed.
pub fn parse(text: &str) -> Option<Ty> {
    let toks: Vec<&str> = tokens(text);
    let mut pos = 0;
    let t = parse_at(&toks, &mut pos, 0)?;
    (pos == toks.len()).then_some(t)
}

fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let single = matches!(c, '(' | ')' | '|');
        if c.is_whitespace() || single {
            if let Some(s) = start.take() {
                out.push(text.get(s..i).unwrap_or(""));
            }
            if single {
                out.push(text.get(i..i + 1).unwrap_or(""));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(text.get(s..).unwrap_or(""));
    }
    out
}

fn parse_at(toks: &[&str], pos: &mut usize, depth: usize) -> Option<Ty> {
    if depth > MAX_DEPTH {
        return None;
    }
    let tok = *toks.get(*pos)?;
    *pos += 1;
    let sub = |pos: &mut usize| parse_at(toks, pos, depth + 1);
    let t = match tok {
        "n" => Ty::Num,
        "t" => Ty::Text,
        "b" => Ty::Bool,
        "_" => Ty::Any,
        "L" => Ty::list(sub(pos)?),
        "O" => Ty::opt(sub(pos)?),
        "M" => {
            let k = sub(pos)?;
            Ty::map(k, sub(pos)?)
        }
        "R" => {
            let o = sub(pos)?;
            Ty::result(o, sub(pos)?)
        }
        "F" => {
            let mut all = Vec::new();
            while toks.get(*pos).is_some_and(|t| *t != ")") {
                all.push(sub(pos)?);
            }
            let ret = all.pop()?;
            Ty::func(all, ret)
        }
        "(" => {
            let t = sub(pos)?;
            (toks.get(*pos) == Some(&")")).then_some(())?;
            *pos += 1;
            t
        }
        v => {
            let mut chars = v.chars();
            let c = chars
                .next()
                .filter(|c| c.is_ascii_lowercase() && chars.next().is_none())?;
            Ty::Var(c)
        }
    };
    if toks.get(*pos) == Some(&"|") {
        *pos += 1;
        let other = sub(pos)?;
        return Some(Ty::Join(Box::new(t), Box::new(other)));
    }
    Some(t)
}

/// Bindings of type variables while one call is checked.
#[derive(Default)]
pub struct Subst {
    vars: Vec<(char, Ty)>,
}

impl Subst {
    fn get(&self, c: char) -> Option<&Ty> {
        self.vars.iter().find(|(v, _)| *v == c).map(|(_, t)| t)
    }

    fn set(&mut self, c: char, t: Ty) {
        match self.vars.iter_mut().find(|(v, _)| *v == c) {
            Some(slot) => slot.1 = t,
            None => self.vars.push((c, t)),
        }
    }

    /// Matches `actual` against the signature type `pattern`, binding its
    /// variables. A variable met again must get a compatible type (the two
    /// are joined: `[]` then `n` is `n`). False on a mismatch.
    pub fn unify(&mut self, pattern: &Ty, actual: &Ty) -> bool {
        use Ty::*;
        match (pattern, actual) {
            (Var(c), _) => self.bind(*c, actual),
            (Join(a, b), _) => self.unify(a, actual) && self.unify(b, actual),
            (_, Any) => {
                self.bind_all_any(pattern);
                true
            }
            (_, Never) => true,
            (List(p), List(a)) | (Opt(p), Opt(a)) => self.unify(p, a),
            (Opt(p), Nil) => {
                let _ = p;
                true
            }
            (Opt(p), a) => self.unify(p, a),
            (p, Opt(a)) => self.unify(p, a),
            // Keys are text at run time: only the values are matched.
            (Map(_, p), Map(_, a)) => self.unify(p, a),
            (Result(p, q), Result(a, b)) => self.unify(p, a) && self.unify(q, b),
            (Func(ps, r), Func(qs, s)) => {
                ps.len() == qs.len() && ps.iter().zip(qs).all(|(p, q)| self.unify(p, q)) && self.unify(r, s)
            }
            (p, a) => fits(a, p),
        }
    }

    fn bind(&mut self, c: char, actual: &Ty) -> bool {
        match self.get(c) {
            None => {
                self.set(c, actual.clone());
                true
            }
            Some(prev) if fits(actual, prev) || fits(prev, actual) => {
                let j = join(prev, actual);
                self.set(c, j);
                true
            }
            Some(_) => false,
        }
    }

    /// An unknown argument says nothing: every variable it would have bound
    /// becomes `Any`, so the result is unknown too.
    fn bind_all_any(&mut self, pattern: &Ty) {
        match pattern {
            Ty::Var(c) => self.set(*c, Ty::Any),
            Ty::List(t) | Ty::Opt(t) => self.bind_all_any(t),
            Ty::Map(a, b) | Ty::Result(a, b) | Ty::Join(a, b) => {
                self.bind_all_any(a);
                self.bind_all_any(b);
            }
            Ty::Func(ps, r) => {
                ps.iter().for_each(|p| self.bind_all_any(p));
                self.bind_all_any(r);
            }
            _ => {}
        }
    }

    /// `t` with bound variables replaced. Unbound variables are `Never`: no
    /// argument constrained them (`mmap` is `M t _` with no values yet).
    pub fn apply(&self, t: &Ty) -> Ty {
        match t {
            Ty::Var(c) => self.get(*c).cloned().unwrap_or(Ty::Never),
            Ty::Join(a, b) => join(&self.apply(a), &self.apply(b)),
            Ty::List(e) => Ty::list(self.apply(e)),
            Ty::Opt(e) => Ty::opt(self.apply(e)),
            Ty::Map(k, v) => Ty::map(self.apply(k), self.apply(v)),
            Ty::Result(o, e) => Ty::result(self.apply(o), self.apply(e)),
            Ty::Func(ps, r) => Ty::func(ps.iter().map(|p| self.apply(p)).collect(), self.apply(r)),
            t => t.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Ty {
        match parse(s) {
            Some(t) => t,
            None => panic!("{s:?} does not parse"),
        }
    }

    #[test]
    fn parses_and_prints_signature_text() {
        for s in [
            "n",
            "L n",
            "M t (L n)",
            "R (L t) t",
            "F a c a",
            "O n",
            "M t v|w",
            "L (F n n)",
        ] {
            assert_eq!(p(s).to_string(), s);
        }
        assert_eq!(p("L L n").to_string(), "L (L n)");
        assert!(parse("L").is_none());
        assert!(parse("n n").is_none());
        assert!(parse("(n").is_none());
        assert!(parse("xy").is_none());
    }

    #[test]
    fn fits_is_lenient_about_unknowns_and_options() {
        assert!(fits(&Ty::Any, &Ty::Num));
        assert!(fits(&Ty::Num, &Ty::Any));
        assert!(fits(&Ty::Opt(Box::new(Ty::Num)), &Ty::Num));
        assert!(fits(&Ty::Nil, &p("O n")));
        assert!(!fits(&Ty::Nil, &Ty::Num));
        assert!(!fits(&Ty::Text, &Ty::Num));
        assert!(fits(&p("L _"), &p("L n")));
        assert!(!fits(&p("L t"), &p("L n")));
        assert!(fits(&p("M n t"), &p("M t t")), "map keys are not checked");
        assert!(!fits(&p("R n t"), &Ty::Num));
    }

    #[test]
    fn joins() {
        assert_eq!(join(&Ty::Num, &Ty::Nil), p("O n"));
        assert_eq!(join(&Ty::Never, &Ty::Text), Ty::Text);
        assert_eq!(join(&Ty::Num, &Ty::Text), Ty::Any);
        assert_eq!(join(&p("L _"), &p("L n")), p("L _"));
        assert_eq!(join(&Ty::list(Ty::Never), &p("L n")), p("L n"));
    }

    #[test]
    fn unifies_type_variables() {
        let mut s = Subst::default();
        assert!(s.unify(&p("F a c"), &p("F n t")));
        assert!(s.unify(&p("L a"), &p("L n")));
        assert_eq!(s.apply(&p("L c")), p("L t"));
        let mut s = Subst::default();
        assert!(s.unify(&p("L a"), &p("L n")));
        assert!(!s.unify(&p("a"), &Ty::Text));
        let mut s = Subst::default();
        assert!(s.unify(&p("L a"), &Ty::Any));
        assert_eq!(s.apply(&p("a")), Ty::Any);
        assert_eq!(Subst::default().apply(&p("M t v")), Ty::map(Ty::Text, Ty::Never));
        let mut s = Subst::default();
        assert!(s.unify(&p("M _ v"), &p("M t n")));
        assert!(s.unify(&p("w"), &Ty::Text));
        assert_eq!(s.apply(&p("M t v|w")), p("M t _"));
    }

    #[test]
    fn deep_types_are_cut_off() {
        let mut t = Ty::Num;
        for _ in 0..10_000 {
            t = Ty::list(t);
        }
        assert!(t.depth() <= MAX_DEPTH);
    }
}
