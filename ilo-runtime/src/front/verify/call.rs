//! Calls of functions, builtins and function values, with the builtins' signatures.

use super::*;

impl<'p> Verifier<'p> {
    // ---------------------------------------------------------- calls --

    pub(super) fn call(&mut self, func: &'p Ident, args: &'p [Expr], unwrap: bool, e: &'p Expr) -> Ty {
        let name = func.name.as_str();
        let ret = if let Some(t) = self.env.get(name).cloned() {
            self.call_value(func, &t, args)
        } else if let Some(f) = self.funcs.get(name).copied() {
            self.call_user(func, f, args)
        } else if !signatures(name).is_empty() {
            self.call_builtin(func, args, e.span)
        } else {
            self.call_unknown(func, args)
        };
        if unwrap {
            self.unwrap(func, &ret, e)
        } else {
            ret
        }
    }

    pub(super) fn arg_types(&mut self, args: &'p [Expr]) -> Vec<Ty> {
        args.iter().map(|a| self.expr(a)).collect()
    }

    #[inline(never)]
    pub(super) fn call_unknown(&mut self, func: &Ident, args: &'p [Expr]) -> Ty {
        self.arg_types(args);
        if !self.maybe_imported(&func.name) {
            let mut d = Diagnostic::error(
                UNDEFINED_FUNCTION,
                format!("unknown function `{}`", func.name),
                func.span,
            );
            match self.nearest_callable(&func.name, false) {
                Some(s) => d = d.with_suggestion(s),
                None => d = d.with_note("declare it: `name p:T>R;body`"),
            }
            self.report(d);
        }
        Ty::Any
    }

    /// A call of a variable: a function value, or unknown.
    #[inline(never)]
    pub(super) fn call_value(&mut self, func: &Ident, t: &Ty, args: &'p [Expr]) -> Ty {
        let types = self.arg_types(args);
        match t.strip_opt() {
            Ty::Func(ps, r) => {
                if ps.len() != args.len() {
                    let d = Diagnostic::error(
                        ARITY,
                        format!("`{}` takes {}, but is given {}", func.name, count(ps.len()), args.len()),
                        func.span,
                    )
                    .with_suggestion(format!("`{}` is {t}", func.name));
                    self.report(d);
                } else {
                    for (i, ((p, a), at)) in ps.iter().zip(args).zip(&types).enumerate() {
                        if !fits(at, p) {
                            self.mismatch(a, at, p, Why::Arg(&func.name, i), None);
                        }
                    }
                }
                (**r).clone()
            }
            t if t.is_unknown() => Ty::Any,
            other => {
                let d = Diagnostic::error(
                    NOT_FUNCTION,
                    format!("`{}` is {}, not a function", func.name, a_ty(other)),
                    func.span,
                )
                .with_note("a variable can be called only when it holds a function (a parameter of type `F …`)");
                self.report(d);
                Ty::Any
            }
        }
    }

    #[inline(never)]
    pub(super) fn call_user(&mut self, func: &'p Ident, f: &FuncDecl, args: &'p [Expr]) -> Ty {
        if f.params.len() != args.len() {
            self.arg_types(args);
            let d = Diagnostic::error(
                ARITY,
                format!(
                    "`{}` takes {}, but is given {}",
                    func.name,
                    count(f.params.len()),
                    args.len()
                ),
                func.span,
            )
            .with_label(f.name.span, "declared here")
            .with_suggestion(self.signature_text(f));
            self.report(d);
            return self.body_ty(&f.ret);
        }
        let mut s = Subst::default();
        for (i, (p, a)) in f.params.iter().zip(args).enumerate() {
            let pt = self.sig_ty(&p.ty);
            // Without type variables the argument can be checked part by
            // part (a list element, the inside of `~x`).
            if !pt.has_vars() {
                self.expect(a, &pt, Why::Arg(&func.name, i));
                continue;
            }
            let at = self.expr(a);
            if !s.unify(&pt, &at) {
                let want = s.apply(&pt).erase_vars();
                let want = if want.is_unknown() { pt.erase_vars() } else { want };
                self.mismatch(a, &at, &want, Why::Arg(&func.name, i), None);
            }
        }
        s.apply(&self.sig_ty(&f.ret)).erase_vars()
    }

    /// "`fac` takes n:n, returns n".
    pub(super) fn signature_text(&self, f: &FuncDecl) -> String {
        let params: Vec<String> = f
            .params
            .iter()
            .map(|p| format!("{}:{}", p.name.name, self.sig_ty(&p.ty)))
            .collect();
        let takes = if params.is_empty() {
            "no arguments".to_string()
        } else {
            params.join(" ")
        };
        format!("`{}` takes {takes}, returns {}", f.name.name, self.sig_ty(&f.ret))
    }

    /// A builtin call: the first signature (by arity, then types) that
    /// fits. Unknown arguments may fit several; the result is then their
    /// join.
    #[inline(never)]
    pub(super) fn call_builtin(&mut self, func: &Ident, args: &'p [Expr], span: Span) -> Ty {
        let name = func.name.as_str();
        let types = self.arg_types(args);
        let sigs = signatures(name);
        let cands: Vec<&Sig> = sigs.iter().filter(|s| s.builtin.accepts(args.len())).collect();
        if cands.is_empty() {
            let shapes: Vec<String> = sigs.iter().map(|s| s.builtin.shape()).collect();
            let takes = arities(sigs);
            let d = Diagnostic::error(
                ARITY,
                format!("`{name}` takes {takes}, but is given {}", args.len()),
                func.span,
            )
            .with_suggestion(shapes.join("  or  "));
            self.report(d);
            return sigs
                .first()
                .map_or(Ty::Any, |s| Subst::default().apply(&s.ret).erase_vars());
        }
        let mut result: Option<Ty> = None;
        for sig in &cands {
            let mut s = Subst::default();
            if types.iter().enumerate().all(|(i, t)| s.unify(sig.param(i), t)) {
                let r = s.apply(&sig.ret);
                result = Some(match result {
                    Some(prev) => join(&prev, &r),
                    None => r,
                });
            }
        }
        if let Some(r) = result {
            return r;
        }
        match closest(&cands, &types) {
            Some(one) => self.builtin_arg_mismatch(name, one, args, &types),
            None => {
                let got: Vec<String> = types.iter().map(|t| t.to_string()).collect();
                let shapes: Vec<String> = cands.iter().map(|s| s.builtin.shape()).collect();
                let d = Diagnostic::error(
                    MISMATCH,
                    format!(
                        "`{name}` does not take ({}); it takes {}",
                        got.join(", "),
                        takes_list(&cands)
                    ),
                    span,
                )
                .with_suggestion(shapes.join("  or  "));
                self.report(d);
            }
        }
        Ty::Any
    }

    /// Reports the first argument that does not fit the only candidate.
    pub(super) fn builtin_arg_mismatch(&mut self, name: &str, sig: &Sig, args: &'p [Expr], types: &[Ty]) {
        let mut s = Subst::default();
        for (i, (a, t)) in args.iter().zip(types).enumerate() {
            let p = sig.param(i);
            if !s.unify(p, t) {
                let want = s.apply(p);
                let want = if want.is_unknown() { p.clone() } else { want };
                let mut d = Diagnostic::error(
                    MISMATCH,
                    format!(
                        "argument {} of `{name}` must be `{want}`, but this is {}",
                        i + 1,
                        a_ty(t)
                    ),
                    a.span,
                )
                .with_note(format!("`{}`: {}", sig.builtin.shape(), sig.builtin.doc));
                if let Some(fix) = self.conversion(a, t, &want, false) {
                    d = d.with_suggestion(fix);
                }
                self.report(d);
                return;
            }
        }
    }

    /// `f! args`: `f` must return a result, and so must the function
    /// around it, with an error type that the result's errors fit.
    #[inline(never)]
    pub(super) fn unwrap(&mut self, func: &Ident, ret: &Ty, e: &Expr) -> Ty {
        let (ok, err) = match ret {
            Ty::Result(o, er) => ((**o).clone(), (**er).clone()),
            t if t.is_unknown() => (Ty::Any, Ty::Any),
            other => {
                let mut d = Diagnostic::error(
                    UNWRAP_NOT_RESULT,
                    format!("`{}!` unwraps a result, but `{}` returns {other}", func.name, func.name),
                    func.span,
                );
                if let Some(s) = show(e) {
                    d = d.with_suggestion(s.replacen('!', "", 1));
                }
                self.report(d);
                return other.clone();
            }
        };
        match self.ret.clone() {
            Ty::Result(_, outer) => {
                if !fits(&err, &outer) {
                    let d = Diagnostic::error(
                        RETURN_MISMATCH,
                        format!(
                            "`{}!` passes on errors of type {err}, but `{}` returns errors of type {outer}",
                            func.name, self.fname
                        ),
                        func.span,
                    )
                    .with_suggestion(format!("match instead: ?({} …){{~v:…;^e:…}}", func.name));
                    self.report(d);
                }
            }
            t if t.is_unknown() => {}
            outer => {
                let d = Diagnostic::error(
                    UNWRAP_OUTSIDE_RESULT,
                    format!(
                        "`{}!` returns the error from `{}`, but `{}` returns {outer}, not a result",
                        func.name, self.fname, self.fname
                    ),
                    func.span,
                )
                .with_note(format!(
                    "declare `{}` to return `R {outer} {err}`, or match the result",
                    self.fname
                ))
                .with_suggestion(format!("?({} …){{~v:…;^e:…}}", func.name));
                self.report(d);
            }
        }
        ok
    }
}

// ------------------------------------------------------------ signatures --

/// A builtin signature with its type texts parsed once.
pub(super) struct Sig {
    pub(super) builtin: &'static Builtin,
    pub(super) params: Vec<Ty>,
    pub(super) ret: Ty,
}

impl Sig {
    fn param(&self, i: usize) -> &Ty {
        let last = if self.builtin.variadic {
            self.params.last()
        } else {
            None
        };
        self.params.get(i).or(last).unwrap_or(&Ty::Any)
    }
}

/// Every builtin signature, parsed, in table order.
pub(super) fn parsed() -> &'static [Sig] {
    static SIGS: OnceLock<Vec<Sig>> = OnceLock::new();
    SIGS.get_or_init(|| {
        builtins::all()
            .iter()
            .map(|b| Sig {
                builtin: b,
                params: b.params.iter().map(|p| types::parse(p).unwrap_or(Ty::Any)).collect(),
                ret: types::parse(b.ret).unwrap_or(Ty::Any),
            })
            .collect()
    })
}

/// The parsed signatures of builtin `name` (adjacent in the table).
pub(super) fn signatures(name: &str) -> &'static [Sig] {
    let all = parsed();
    let Some(start) = all.iter().position(|s| s.builtin.name == name) else {
        return &[];
    };
    let rest = all.get(start..).unwrap_or(&[]);
    let len = rest.iter().take_while(|s| s.builtin.name == name).count();
    rest.get(..len).unwrap_or(&[])
}

/// The one candidate that fits the most leading arguments (at least one),
/// or the only candidate: the signature the call most likely meant.
pub(super) fn closest<'s>(cands: &[&'s Sig], types: &[Ty]) -> Option<&'s Sig> {
    if let [one] = cands {
        return Some(one);
    }
    let fitting = |sig: &Sig| {
        let mut s = Subst::default();
        types
            .iter()
            .enumerate()
            .take_while(|(i, t)| s.unify(sig.param(*i), t))
            .count()
    };
    let scores: Vec<usize> = cands.iter().map(|c| fitting(c)).collect();
    let best = scores.iter().copied().max().filter(|b| *b > 0)?;
    let mut winners = cands.iter().zip(&scores).filter(|(_, s)| **s == best);
    let first = winners.next()?;
    winners.next().is_none().then_some(*first.0)
}

/// "1 argument", "1 or 2 arguments", "1 or more arguments".
pub(super) fn arities(sigs: &[Sig]) -> String {
    let mut ns: Vec<usize> = sigs.iter().map(|s| s.params.len()).collect();
    ns.sort_unstable();
    ns.dedup();
    if sigs.iter().any(|s| s.builtin.variadic) {
        return format!("{} or more arguments", ns.first().map_or(0, |n| n.saturating_sub(1)));
    }
    let words: Vec<String> = ns.iter().map(|n| n.to_string()).collect();
    let plural = ns.last().is_some_and(|n| *n != 1) || ns.len() > 1;
    format!("{} argument{}", words.join(" or "), if plural { "s" } else { "" })
}

pub(super) fn takes_list(cands: &[&Sig]) -> String {
    let shapes: Vec<String> = cands
        .iter()
        .map(|s| {
            let ps: Vec<String> = s.params.iter().map(|p| p.to_string()).collect();
            format!("({})", ps.join(", "))
        })
        .collect();
    shapes.join(" or ")
}
