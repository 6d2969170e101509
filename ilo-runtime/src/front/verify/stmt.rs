//! Function bodies and statements.

use super::*;

impl<'p> Verifier<'p> {
    // ------------------------------------------------------- functions --

    pub(super) fn function(&mut self, f: &'p FuncDecl) {
        self.fname = f.name.name.as_str();
        self.ret = self.body_ty(&f.ret);
        self.loops = 0;
        self.prepass = false;
        self.nest = 0;
        let params = f
            .params
            .iter()
            .map(|p| (p.name.name.clone(), self.body_ty(&p.ty)))
            .collect();
        self.env = Env::new(params);
        self.block(&f.body, true);
    }

    /// Checks a block; `tail` when its last statement is the function's
    /// value. Returns the block's value type.
    pub(super) fn block(&mut self, stmts: &'p [Stmt], tail: bool) -> Ty {
        if self.nest > MAX_NEST {
            return Ty::Any;
        }
        self.nest += 1;
        let mut prev = Ty::Nil;
        let mut hinted = false;
        for (i, s) in stmts.iter().enumerate() {
            prev = self.stmt(s, &prev, tail && i + 1 == stmts.len());
            let kw = match s.kind {
                StmtKind::Return(_) => "ret",
                StmtKind::Break => "brk",
                StmtKind::Continue => "cnt",
                _ => continue,
            };
            // One hint per block is enough.
            if let (Some(next), false) = (stmts.get(i + 1), hinted) {
                hinted = true;
                self.hint(
                    UNREACHABLE_STMT,
                    format!("this never runs: `{kw}` above leaves first"),
                    next.span,
                );
            }
        }
        self.nest -= 1;
        prev
    }

    /// Checks one statement; returns its value type. `prev` is the value
    /// of the statement before (for `?{arms}`).
    pub(super) fn stmt(&mut self, s: &'p Stmt, prev: &Ty, tail: bool) -> Ty {
        match &s.kind {
            StmtKind::Bind { name, value } => {
                let t = if tail {
                    self.expect(value, &self.ret.clone(), Why::Return)
                } else {
                    self.expr(value)
                };
                self.env.bind(&name.name, t.clone());
                t
            }
            StmtKind::Destructure { names, value } => self.destructure(names, value, tail),
            StmtKind::Guard { cond, value, .. } => {
                self.cond(cond);
                self.expect(value, &self.ret.clone(), Why::Return);
                Ty::Nil
            }
            StmtKind::If { cond, then, els, .. } => self.if_stmt(cond, then, els.as_deref(), tail),
            StmtKind::Match { subject, arms } => self.match_stmt(subject.as_ref(), arms, prev, tail, s.span),
            StmtKind::ForEach { var, iter, body } => {
                let it = self.expr(iter);
                let elem = self.element(&it, iter.span);
                self.loop_body(Some((var, elem)), None, body);
                self.loop_value(tail, s.span)
            }
            StmtKind::ForRange { var, from, to, body } => {
                self.expect(from, &Ty::Num, Why::Bound);
                self.expect(to, &Ty::Num, Why::Bound);
                self.loop_body(Some((var, Ty::Num)), None, body);
                self.loop_value(tail, s.span)
            }
            StmtKind::While { cond, body } => {
                self.loop_body(None, Some(cond), body);
                self.loop_value(tail, s.span)
            }
            StmtKind::Break | StmtKind::Continue => {
                self.jump_in_loop(s);
                Ty::Never
            }
            StmtKind::Return(e) => {
                self.expect(e, &self.ret.clone(), Why::Return);
                Ty::Never
            }
            StmtKind::Expr(e) => {
                if self.bool_name_guard(e) {
                    return Ty::Nil;
                }
                if tail {
                    self.expect(e, &self.ret.clone(), Why::Return)
                } else {
                    self.expr(e)
                }
            }
        }
    }

    pub(super) fn jump_in_loop(&mut self, s: &Stmt) {
        if self.loops == 0 {
            let kw = if matches!(s.kind, StmtKind::Break) {
                "brk"
            } else {
                "cnt"
            };
            let d = Diagnostic::error(OUTSIDE_LOOP, format!("`{kw}` outside a loop"), s.span)
                .with_note("`brk` and `cnt` work inside `@x xs{…}`, `@i a..b{…}` and `wh cond{…}`")
                .with_suggestion("ret");
            self.report(d);
        }
    }

    /// `ok v` where `ok` is a bool variable: the parser reads a call, the
    /// run-time (and so the verifier) the guard "return `v` when `ok`".
    pub(super) fn bool_name_guard(&mut self, e: &'p Expr) -> bool {
        let Some((func, value)) = e.guard_shape() else {
            return false;
        };
        if !matches!(self.env.get(&func.name).map(Ty::strip_opt), Some(Ty::Bool)) {
            return false;
        }
        self.expect(value, &self.ret.clone(), Why::Return);
        true
    }

    #[inline(never)]
    pub(super) fn destructure(&mut self, names: &'p [Ident], value: &'p Expr, tail: bool) -> Ty {
        let t = if tail {
            self.expect(value, &self.ret.clone(), Why::Return)
        } else {
            self.expr(value)
        };
        for n in names {
            let ft = match t.strip_opt() {
                Ty::Record(rec) => match self.record_field(rec, &n.name) {
                    Some(ft) => ft,
                    None => {
                        let rec = rec.clone();
                        self.unknown_field(&rec, n);
                        Ty::Any
                    }
                },
                Ty::Map(_, v) => (**v).clone(),
                t if t.is_unknown() => Ty::Any,
                other => {
                    let d = Diagnostic::error(
                        NO_FIELDS,
                        format!("cannot destructure a {other}: it has no fields"),
                        value.span,
                    )
                    .with_note("`{a;b}=rec` takes the fields of a record");
                    self.report(d);
                    return t;
                }
            };
            self.env.bind(&n.name, ft);
        }
        t
    }

    #[inline(never)]
    pub(super) fn if_stmt(&mut self, cond: &'p Expr, then: &'p [Stmt], els: Option<&'p [Stmt]>, tail: bool) -> Ty {
        self.cond(cond);
        let mark = self.env.mark();
        let then_t = self.block(then, tail);
        let after_then = self.env.undo(mark);
        let Some(els) = els else {
            // The condition may be false: the old values are the other path.
            self.env.meet(&[after_then], true);
            return Ty::opt(then_t);
        };
        let mark = self.env.mark();
        let else_t = self.block(els, tail);
        let after_else = self.env.undo(mark);
        self.env.meet(&[after_then, after_else], false);
        join(&then_t, &else_t)
    }

    /// Checks a loop body (with its variable, or a `wh` condition). A first,
    /// silent pass learns how the body rebinds variables, so the second
    /// pass sees the types a later iteration has. Nested loops skip their
    /// own first pass inside an outer one, so the work stays quadratic in
    /// the nesting depth.
    pub(super) fn loop_body(&mut self, var: Option<(&Ident, Ty)>, cond: Option<&'p Expr>, body: &'p [Stmt]) {
        self.loops += 1;
        let binding = var.map(|(v, t)| (v.name.clone(), t));
        if !self.prepass {
            let mark = self.env.mark();
            self.prepass = true;
            self.quiet += 1;
            self.loop_pass(&binding, cond, body);
            self.quiet -= 1;
            self.prepass = false;
            let learned = self.env.undo(mark);
            self.env.meet(&[learned], true);
        }
        // The body may run or not: the values before it are the other path.
        let mark = self.env.mark();
        self.loop_pass(&binding, cond, body);
        let after = self.env.undo(mark);
        self.env.meet(&[after], true);
        self.loops -= 1;
    }

    pub(super) fn loop_pass(&mut self, binding: &Option<(String, Ty)>, cond: Option<&'p Expr>, body: &'p [Stmt]) {
        if let Some(c) = cond {
            self.cond(c);
        }
        self.env.push(binding.clone());
        self.block(body, false);
        self.env.pop();
    }

    /// A loop's value is nil: as the function's last statement that is
    /// worth a word unless the function may return nil.
    pub(super) fn loop_value(&mut self, tail: bool, span: Span) -> Ty {
        if tail && !fits(&Ty::Nil, &self.ret) {
            let d = Diagnostic::error(
                RETURN_MISMATCH,
                format!(
                    "`{}` returns {}, but its last statement is a loop, whose value is nil",
                    self.fname, self.ret
                ),
                span,
            )
            .with_suggestion("end the body with the value to return, e.g. `…};s`");
            self.report(d);
        }
        Ty::Nil
    }

    /// The element type of what `@x e` walks.
    pub(super) fn element(&mut self, t: &Ty, span: Span) -> Ty {
        match t.strip_opt() {
            Ty::List(e) => (**e).clone(),
            Ty::Text | Ty::Map(..) => Ty::Text,
            t if t.is_unknown() => Ty::Any,
            other => {
                let mut d = Diagnostic::error(NOT_ITERABLE, format!("cannot loop over a {other}"), span)
                    .with_note("`@x e{…}` walks a list, the characters of a text, or the keys of a map");
                if *other == Ty::Num {
                    d = d.with_suggestion("@i 0..n{…}");
                }
                self.report(d);
                Ty::Any
            }
        }
    }

    /// A guard, `if`, `wh` or ternary condition: a bool, or something
    /// whose truthiness means presence (an option).
    pub(super) fn cond(&mut self, e: &'p Expr) {
        let t = self.expr(e);
        if matches!(t, Ty::Bool | Ty::Opt(_) | Ty::Nil) || t.is_unknown() {
            return;
        }
        let mut d = Diagnostic::error(NOT_BOOL, format!("this condition is {}, not a bool", a_ty(&t)), e.span)
            .with_note("a condition is a comparison, `&`, `|`, `!`, or a bool; any other value is always true");
        let shown = show(e);
        let fix = match (&t, &shown) {
            (Ty::Num, Some(x)) => Some(format!("!={x} 0")),
            (Ty::Text, Some(x)) => Some(format!("!={x} \"\"")),
            (Ty::List(_), Some(x)) => Some(format!(">(len {x}) 0")),
            (Ty::Result(..), Some(x)) => Some(format!("?{}{{~v:…;^e:…}}", paren(x))),
            _ => None,
        };
        if let Some(fix) = fix {
            d = d.with_suggestion(fix);
        }
        self.report(d);
    }
}
