//! Expressions.

use super::*;

impl<'p> Verifier<'p> {
    // ---------------------------------------------------- expressions --

    /// Checks `e` where a `want` is required, reporting a mismatch at the
    /// most precise place (a list element, the inside of `~`/`^`, a branch
    /// of a ternary). Returns the type of `e`.
    pub(super) fn expect(&mut self, e: &'p Expr, want: &Ty, why: Why<'_>) -> Ty {
        self.expect_at(e, want, why, None)
    }

    /// `outer` is the whole required type when `want` is a part of it.
    pub(super) fn expect_at(&mut self, e: &'p Expr, want: &Ty, why: Why<'_>, outer: Option<&Ty>) -> Ty {
        if self.nest > MAX_NEST {
            return Ty::Any;
        }
        self.nest += 1;
        let t = self.expect_inner(e, want, why, outer);
        self.nest -= 1;
        self.record_type(e, &t);
        t
    }

    pub(super) fn expect_inner(&mut self, e: &'p Expr, want: &Ty, why: Why<'_>, outer: Option<&Ty>) -> Ty {
        let whole = Some(outer.unwrap_or(want));
        match (&e.kind, want.strip_opt()) {
            (ExprKind::List(items), Ty::List(elem)) if !elem.is_unknown() => {
                let mut t = Ty::Never;
                for x in items {
                    let xt = self.expect_at(x, elem, why, whole);
                    t = join(&t, &xt);
                }
                Ty::list(t)
            }
            (ExprKind::Ok(x), Ty::Result(o, _)) => Ty::result(self.expect_at(x, o, why, whole), Ty::Never),
            (ExprKind::Err(x), Ty::Result(_, er)) => Ty::result(Ty::Never, self.expect_at(x, er, why, whole)),
            (ExprKind::Ternary { cond, then, els }, _) => {
                self.cond(cond);
                let a = self.expect_at(then, want, why, outer);
                let b = self.expect_at(els, want, why, outer);
                join(&a, &b)
            }
            _ => {
                let t = self.expr(e);
                if !fits(&t, want) {
                    self.mismatch(e, &t, want, why, outer);
                }
                t
            }
        }
    }

    #[inline(never)]
    pub(super) fn mismatch(&mut self, e: &Expr, got: &Ty, want: &Ty, why: Why<'_>, outer: Option<&Ty>) {
        let got_text = a_ty(got);
        // "must be L n, so this must be n, but it is a t" for a part.
        let tail = match outer {
            Some(o) => format!("`{o}`, so this must be `{want}`, but it is {got_text}"),
            None => format!("`{want}`, but this is {got_text}"),
        };
        let (code, msg) = match why {
            Why::Return => (RETURN_MISMATCH, format!("`{}` returns {tail}", self.fname)),
            Why::Arg(callee, i) => (MISMATCH, format!("argument {} of `{callee}` must be {tail}", i + 1)),
            Why::Field(rec, f) => (MISMATCH, format!("field `{f}` of `{rec}` is {tail}")),
            Why::Bound => (MISMATCH, format!("a range bound must be {tail}")),
        };
        let mut d = Diagnostic::error(code, msg, e.span);
        if let Some(fix) = self.conversion(e, got, want, matches!(why, Why::Return)) {
            d = d.with_suggestion(fix);
        }
        self.report(d);
    }

    /// A fix that turns a value of type `got` into `want`, when there is an
    /// obvious one.
    pub(super) fn conversion(&self, e: &Expr, got: &Ty, want: &Ty, returning: bool) -> Option<String> {
        let x = show(e);
        let x = x.as_deref().map(paren).unwrap_or_else(|| "(…)".to_string());
        let want = want.strip_opt();
        Some(match (got.strip_opt(), want) {
            (Ty::Num, Ty::Text) => match &e.kind {
                ExprKind::Lit(Lit::Num(n)) => format!("\"{n}\""),
                _ => format!("str {x}"),
            },
            (Ty::Text, Ty::Num) => match &e.kind {
                ExprKind::Lit(Lit::Text(t)) => format!("{}", t.trim().parse::<f64>().ok()?),
                _ => self.num_fix(&x),
            },
            (Ty::Result(..), w) if !matches!(w, Ty::Result(..)) => match &e.kind {
                ExprKind::Call {
                    func,
                    args,
                    unwrap: false,
                } if matches!(self.ret, Ty::Result(..)) => {
                    let shown = show(e)?;
                    let rest = shown.get(func.name.len()..)?;
                    if args.is_empty() {
                        format!("{}!()", func.name)
                    } else {
                        format!("{}!{rest}", func.name)
                    }
                }
                _ => format!("?{x}{{~v:v;^e:…}}"),
            },
            (g, Ty::Result(o, _)) if returning && fits(g, o) => format!("~{x}"),
            _ => return None,
        })
    }

    /// How to read a number from text here: `num!` inside a function that
    /// returns a result, else a match.
    pub(super) fn num_fix(&self, x: &str) -> String {
        if matches!(self.ret, Ty::Result(..)) {
            format!("num! {x}")
        } else {
            format!("?(num {x}){{~v:v;^e:0}}")
        }
    }

    pub(super) fn expr(&mut self, e: &'p Expr) -> Ty {
        if self.nest > MAX_NEST {
            return Ty::Any;
        }
        self.nest += 1;
        let t = self.expr_inner(e);
        self.nest -= 1;
        self.record_type(e, &t);
        t
    }

    /// One level of inference; each case lives in its own function so the
    /// recursive path keeps small stack frames.
    pub(super) fn expr_inner(&mut self, e: &'p Expr) -> Ty {
        match &e.kind {
            ExprKind::Lit(l) => lit_ty(l),
            ExprKind::List(items) => self.list(items),
            ExprKind::Name(n) => self.name(n, e.span),
            ExprKind::Unary { op, operand } => self.unary(*op, operand),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, e.span),
            ExprKind::Call { func, args, unwrap } => self.call(func, args, *unwrap, e),
            ExprKind::Ok(x) => Ty::result(self.expr(x), Ty::Never),
            ExprKind::Err(x) => Ty::result(Ty::Never, self.expr(x)),
            ExprKind::Coalesce { lhs, rhs } => {
                let a = self.expr(lhs);
                let b = self.expr(rhs);
                match a {
                    Ty::Nil => b,
                    a => join(a.strip_opt(), &b),
                }
            }
            ExprKind::Field { target, field, safe } => self.field(target, field, *safe),
            ExprKind::Index { target, index } => self.index(target, *index),
            ExprKind::Record { ty, fields } => self.record(ty, fields, e.span),
            ExprKind::With { target, fields } => self.with(target, fields),
            ExprKind::Ternary { cond, then, els } => {
                self.cond(cond);
                let a = self.expr(then);
                let b = self.expr(els);
                join(&a, &b)
            }
        }
    }

    /// A list literal may mix kinds (`[1 "a"]` is `L _`); against a declared
    /// element type each element is checked by [`Self::expect`].
    pub(super) fn list(&mut self, items: &'p [Expr]) -> Ty {
        let mut t = Ty::Never;
        for x in items {
            let xt = self.expr(x);
            t = join(&t, &xt);
        }
        Ty::list(t)
    }

    /// A name in value position: a variable, else a function (called when
    /// it takes no arguments, else a function value), else a builtin.
    #[inline(never)]
    pub(super) fn name(&mut self, n: &str, span: Span) -> Ty {
        if let Some(t) = self.env.get(n) {
            return t.clone();
        }
        if let Some(f) = self.funcs.get(n).copied() {
            let ret = self.body_ty(&f.ret);
            if f.params.is_empty() {
                return ret;
            }
            return Ty::func(f.params.iter().map(|p| self.body_ty(&p.ty)).collect(), ret);
        }
        let sigs = signatures(n);
        if let Some(zero) = sigs.iter().find(|s| s.params.is_empty()) {
            return Subst::default().apply(&zero.ret);
        }
        match sigs {
            [one] => return Ty::func(one.params.clone(), one.ret.clone()).erase_vars(),
            [_, ..] => return Ty::Any,
            [] => {}
        }
        if !self.maybe_imported(n) {
            let mut d = Diagnostic::error(UNDEFINED_NAME, format!("undefined name `{n}`"), span);
            if let Some(s) = self.nearest_callable(n, true) {
                d = d.with_suggestion(s);
            } else {
                d = d.with_note("bind it first with `x=…`, or declare it as a parameter");
            }
            self.report(d);
        }
        Ty::Any
    }

    /// The nearest variable, function or builtin name to `n` (variables
    /// first for a value, functions first for a call).
    pub(super) fn nearest_callable(&self, n: &str, value: bool) -> Option<String> {
        let mut cands: Vec<&str> = Vec::new();
        if value {
            cands.extend(self.env.names());
        }
        cands.extend(self.func_names.iter().copied());
        for b in builtins::names() {
            cands.push(b);
        }
        if !value {
            cands.extend(self.env.names());
        }
        nearest(n, cands)
    }

    pub(super) fn unary(&mut self, op: UnOp, operand: &'p Expr) -> Ty {
        let t = self.expr(operand);
        match op {
            UnOp::Not => Ty::Bool,
            UnOp::Neg => {
                self.numeric(operand, &t, "-");
                Ty::Num
            }
        }
    }

    /// Reports an operand of `- * / <…` that is known not to be a number.
    pub(super) fn numeric(&mut self, e: &Expr, t: &Ty, op: &str) -> bool {
        let base = t.strip_opt();
        if *base == Ty::Num || base.is_unknown() {
            return true;
        }
        let mut d = Diagnostic::error(
            OPERAND,
            format!("`{op}` takes numbers, but this is {}", a_ty(t)),
            e.span,
        );
        if let Some(fix) = self.conversion(e, t, &Ty::Num, false) {
            d = d.with_suggestion(fix);
        }
        self.report(d);
        false
    }

    #[inline(never)]
    pub(super) fn binary(&mut self, op: BinOp, lhs: &'p Expr, rhs: &'p Expr, span: Span) -> Ty {
        let a = self.expr(lhs);
        let b = self.expr(rhs);
        match op {
            BinOp::Add => self.add(lhs, &a, rhs, &b, span),
            BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let sym = op.symbol();
                let _ = self.numeric(lhs, &a, sym) && self.numeric(rhs, &b, sym);
                Ty::Num
            }
            BinOp::Append => self.append(lhs, &a, rhs, &b),
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
                self.compare(op.symbol(), lhs, &a, rhs, &b);
                Ty::Bool
            }
            BinOp::Eq | BinOp::Ne | BinOp::And | BinOp::Or => Ty::Bool,
        }
    }

    /// `+`: n n, t t or L L.
    pub(super) fn add(&mut self, lhs: &Expr, a: &Ty, rhs: &Expr, b: &Ty, span: Span) -> Ty {
        let (x, y) = (a.strip_opt(), b.strip_opt());
        let addable = |t: &Ty| matches!(t, Ty::Num | Ty::Text | Ty::List(_)) || t.is_unknown();
        match (x, y) {
            (Ty::Num, Ty::Num) => Ty::Num,
            (Ty::Text, Ty::Text) => Ty::Text,
            (Ty::List(p), Ty::List(q)) if fits(p, q) || fits(q, p) => Ty::list(join(p, q)),
            (Ty::List(_), Ty::List(_)) => {
                let d = Diagnostic::error(OPERAND, format!("`+` joins lists of one kind, not {a} and {b}"), span)
                    .with_note("declare the list as `L _` to mix kinds");
                self.report(d);
                Ty::list(Ty::Any)
            }
            (u, t) | (t, u) if u.is_unknown() && addable(t) => {
                if t.is_unknown() {
                    Ty::Any
                } else {
                    t.clone()
                }
            }
            (Ty::Num, Ty::Text) | (Ty::Text, Ty::Num) => {
                let (num_side, text_side) = if *x == Ty::Num { (lhs, rhs) } else { (rhs, lhs) };
                let mut d = Diagnostic::error(OPERAND, "`+` of a text and a number", num_side.span)
                    .with_label(text_side.span, "this is text")
                    .with_note("`+` adds two numbers or joins two texts; convert one side");
                if let (Some(l), Some(r)) = (show(lhs), show(rhs)) {
                    let (l, r) = if *x == Ty::Num {
                        (format!("(str {l})"), paren(&r))
                    } else {
                        (paren(&l), format!("(str {r})"))
                    };
                    d = d.with_suggestion(format!("+{l} {r}"));
                }
                self.report(d);
                Ty::Text
            }
            _ => {
                let (bad, t) = if !addable(x) { (lhs, a) } else { (rhs, b) };
                let d = Diagnostic::error(
                    OPERAND,
                    format!("`+` takes two numbers, two texts or two lists, but this is {}", a_ty(t)),
                    bad.span,
                );
                self.report(d);
                Ty::Any
            }
        }
    }

    /// `+=xs v`: a list and an element that fits it.
    pub(super) fn append(&mut self, lhs: &Expr, a: &Ty, rhs: &Expr, b: &Ty) -> Ty {
        match a.strip_opt() {
            Ty::List(e) if fits(b, e) => Ty::list(join(e, b)),
            Ty::List(e) => {
                let d = Diagnostic::error(
                    OPERAND,
                    format!("`+=` appends to a list of `{e}`, but this is {}", a_ty(b)),
                    rhs.span,
                )
                .with_label(lhs.span, format!("this is {a}"));
                self.report(d);
                a.clone()
            }
            t if t.is_unknown() => Ty::list(Ty::Any),
            t => {
                let mut d = Diagnostic::error(
                    OPERAND,
                    format!("`+=` appends to a list, but this is {}", a_ty(t)),
                    lhs.span,
                );
                if *t == Ty::Text {
                    if let (Some(l), Some(r)) = (show(lhs), show(rhs)) {
                        d = d.with_suggestion(format!("+{} {}", paren(&l), paren(&r)));
                    }
                }
                self.report(d);
                Ty::Any
            }
        }
    }

    /// `< > <= >=`: two numbers or two texts.
    pub(super) fn compare(&mut self, op: &str, lhs: &Expr, a: &Ty, rhs: &Expr, b: &Ty) {
        let (x, y) = (a.strip_opt(), b.strip_opt());
        let ordered = |t: &Ty| matches!(t, Ty::Num | Ty::Text) || t.is_unknown();
        if !ordered(x) || !ordered(y) {
            let (bad, t) = if !ordered(x) { (lhs, a) } else { (rhs, b) };
            let d = Diagnostic::error(
                OPERAND,
                format!("`{op}` compares two numbers or two texts, but this is {}", a_ty(t)),
                bad.span,
            );
            self.report(d);
        } else if x != y && !x.is_unknown() && !y.is_unknown() {
            let num_side = if *x == Ty::Num { lhs } else { rhs };
            let mut d = Diagnostic::error(OPERAND, format!("`{op}` of a number and a text"), num_side.span)
                .with_note("a comparison takes two numbers or two texts; convert one side");
            if let Some(n) = show(num_side) {
                d = d.with_suggestion(format!("str {}", paren(&n)));
            }
            self.report(d);
        }
    }
}
