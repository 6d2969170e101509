//! Statements: bindings, guards, conditionals, matches, loops.

use super::*;

impl Parser {
    // ---- statements ----

    /// The statements of a function, up to the next declaration.
    pub(super) fn top_body(&mut self) -> PResult<Vec<Stmt>> {
        let mut body = Vec::new();
        loop {
            while self.eat(&Tok::Semi) {}
            if self.at_boundary() {
                return Ok(body);
            }
            if self.is(&Tok::RBrace) {
                return fail(
                    self.error(code::UNEXPECTED_TOKEN, "unmatched `}`")
                        .with_suggestion("remove this `}`"),
                );
            }
            self.begin_stmt();
            body.push(self.stmt()?);
            self.stmt_sep()?;
        }
    }

    /// `{stmt;stmt}`
    pub(super) fn block(&mut self) -> PResult<Vec<Stmt>> {
        let open = self.expect(&Tok::LBrace, "`{`")?;
        let saved = std::mem::replace(&mut self.nest, 0);
        let r = self.nested(|p| p.block_inner(open));
        self.nest = saved;
        r
    }

    pub(super) fn block_inner(&mut self, open: Span) -> PResult<Vec<Stmt>> {
        let mut body = Vec::new();
        loop {
            while self.eat(&Tok::Semi) {}
            if self.eat(&Tok::RBrace) {
                return Ok(body);
            }
            if self.at_boundary() {
                return fail(self.unclosed(open, "{", "}"));
            }
            self.begin_stmt();
            body.push(self.stmt()?);
            if !self.is(&Tok::RBrace) {
                self.stmt_sep()?;
            }
        }
    }

    /// After a statement: `;`, a newline, `}` or the next declaration.
    pub(super) fn stmt_sep(&mut self) -> PResult<()> {
        if self.eat(&Tok::Semi) || self.at_stmt_end() {
            return Ok(());
        }
        fail(self.unexpected("`;` or the end of the statement"))
    }

    pub(super) fn stmt(&mut self) -> PResult<Stmt> {
        let start = self.tok().span.start;
        let kind = self.stmt_kind()?;
        Ok(Stmt {
            kind,
            span: self.span_from(start),
        })
    }

    pub(super) fn stmt_kind(&mut self) -> PResult<StmtKind> {
        if let Some(d) = self.reserved_error() {
            return fail(d);
        }
        match self.kind().clone() {
            Tok::LBrace => self.destructure(),
            Tok::At => self.for_loop(),
            Tok::Question => self.match_or_ternary(),
            Tok::Name(n) if n == "wh" && !self.look_is_bind() && !self.next_ends_stmt() => self.while_loop(),
            Tok::Name(n) if n == "brk" && self.next_ends_stmt() => {
                self.bump();
                Ok(StmtKind::Break)
            }
            Tok::Name(n) if n == "cnt" && self.next_ends_stmt() => {
                self.bump();
                Ok(StmtKind::Continue)
            }
            Tok::Name(n) if n == "ret" && !self.look_is_bind() => self.ret(),
            Tok::Name(_) if self.look_is_bind() => self.bind(),
            _ => self.expr_stmt(),
        }
    }

    /// `name=` (a single `=`): a binding.
    pub(super) fn look_is_bind(&self) -> bool {
        matches!(self.kind(), Tok::Name(_)) && self.look(1).kind == Tok::Eq && !(self.look(1).nl && self.nest == 0)
    }

    pub(super) fn next_ends_stmt(&self) -> bool {
        let t = self.look(1);
        t.kind == Tok::Eof || t.col0 || t.nl || matches!(t.kind, Tok::Semi | Tok::RBrace)
    }

    pub(super) fn bind(&mut self) -> PResult<StmtKind> {
        let name = self.ident("a name")?;
        self.bump();
        let value = self.value_expr()?;
        Ok(StmtKind::Bind { name, value })
    }

    /// An expression in a position whose statement must end after it; a
    /// trailing `{` means a statement-only form was used as a value.
    pub(super) fn value_expr(&mut self) -> PResult<Expr> {
        let e = self.expr()?;
        if self.is(&Tok::LBrace) && !self.at_stmt_end() {
            return fail(
                self.error(
                    code::STATEMENT_AS_VALUE,
                    "a braced conditional is a statement, not a value",
                )
                .with_note("bind inside the branches, or use the prefix ternary `?cond a b`")
                .with_suggestion("x=?>a 0 1 2"),
            );
        }
        Ok(e)
    }

    /// `{a;b}=rec`
    pub(super) fn destructure(&mut self) -> PResult<StmtKind> {
        let open = self.bump().span;
        let names = self.brace_items(open, |p| {
            if !matches!(p.kind(), Tok::Name(_)) {
                return fail(
                    p.error(
                        code::BAD_DESTRUCTURE,
                        format!("expected a field name to destructure, found {}", p.kind().describe()),
                    )
                    .with_note("a statement starting with `{` destructures a record: `{a;b}=rec`"),
                );
            }
            p.ident("a field name")
        })?;
        if !self.is(&Tok::Eq) {
            return fail(
                self.error(code::BAD_DESTRUCTURE, "expected `=` and a record after `{…}`")
                    .with_label(open, "a statement starting with `{` destructures a record")
                    .with_suggestion("{a;b}=rec"),
            );
        }
        self.bump();
        let value = self.value_expr()?;
        Ok(StmtKind::Destructure { names, value })
    }

    /// `@x xs{body}` or `@i a..b{body}`
    pub(super) fn for_loop(&mut self) -> PResult<StmtKind> {
        self.bump();
        let var = self.ident("a loop variable after `@`")?;
        let from = self.expr()?;
        if self.eat(&Tok::DotDot) {
            let to = self.expr()?;
            let body = self.block()?;
            return Ok(StmtKind::ForRange { var, from, to, body });
        }
        let body = self.block()?;
        Ok(StmtKind::ForEach { var, iter: from, body })
    }

    /// `wh cond{body}`
    pub(super) fn while_loop(&mut self) -> PResult<StmtKind> {
        self.bump();
        let cond = self.expr()?;
        let body = self.block()?;
        Ok(StmtKind::While { cond, body })
    }

    /// `ret e`; a bare `ret` returns nil.
    pub(super) fn ret(&mut self) -> PResult<StmtKind> {
        let kw = self.bump().span;
        if self.at_stmt_end() {
            return Ok(StmtKind::Return(Expr {
                kind: ExprKind::Lit(Lit::Nil),
                span: kw,
            }));
        }
        Ok(StmtKind::Return(self.value_expr()?))
    }

    /// `?x{arms}`, `?{arms}`, or an expression statement starting with the
    /// prefix ternary `?c a b`.
    pub(super) fn match_or_ternary(&mut self) -> PResult<StmtKind> {
        if self.look(1).kind == Tok::LBrace {
            self.bump();
            let arms = self.arms()?;
            return Ok(StmtKind::Match { subject: None, arms });
        }
        let (pos, prev_end, hints) = (self.pos, self.prev_end, self.hints.len());
        self.bump();
        let subject = self.operand()?;
        if self.is(&Tok::LBrace) && !self.at_stmt_end() {
            let arms = self.arms()?;
            return Ok(StmtKind::Match {
                subject: Some(subject),
                arms,
            });
        }
        // Not a match: reparse from `?` as an expression.
        self.pos = pos;
        self.prev_end = prev_end;
        self.hints.truncate(hints);
        self.expr_stmt()
    }

    /// `{pat:e;pat:e}`
    pub(super) fn arms(&mut self) -> PResult<Vec<Arm>> {
        let open = self.expect(&Tok::LBrace, "`{` and the match arms")?;
        let saved = std::mem::replace(&mut self.nest, 0);
        let r = self.nested(|p| p.arms_inner(open));
        self.nest = saved;
        r
    }

    pub(super) fn arms_inner(&mut self, open: Span) -> PResult<Vec<Arm>> {
        let mut arms = Vec::new();
        loop {
            while self.eat(&Tok::Semi) {}
            if self.eat(&Tok::RBrace) {
                return Ok(arms);
            }
            if self.at_boundary() {
                return fail(self.unclosed(open, "{", "}"));
            }
            self.begin_stmt();
            let start = self.tok().span.start;
            let pat = self.pattern()?;
            self.expect(&Tok::Colon, "`:` after the pattern")?;
            let body = self.value_expr()?;
            arms.push(Arm {
                pat,
                body,
                span: self.span_from(start),
            });
            if !self.is(&Tok::RBrace) {
                self.stmt_sep()?;
            }
        }
    }

    pub(super) fn pattern(&mut self) -> PResult<Pattern> {
        let t = self.tok().clone();
        let pat = match &t.kind {
            Tok::Num(v) => Pattern::Lit(Lit::Num(*v)),
            Tok::Text(s) => Pattern::Lit(Lit::Text(s.clone())),
            Tok::Underscore => Pattern::Wild,
            Tok::Name(n) if n == "true" || n == "false" => Pattern::Lit(Lit::Bool(n == "true")),
            Tok::Name(n) if n == "nil" => Pattern::Lit(Lit::Nil),
            Tok::Tilde | Tok::Caret => {
                self.bump();
                let v = self.binder()?;
                return Ok(if t.kind == Tok::Tilde {
                    Pattern::Ok(v)
                } else {
                    Pattern::Err(v)
                });
            }
            Tok::Name(n) if type_tag(n).is_some() && matches!(self.look(1).kind, Tok::Name(_) | Tok::Underscore) => {
                let tag = type_tag(n).unwrap_or(TypeTag::Num);
                self.bump();
                return Ok(Pattern::Typed(tag, self.binder()?));
            }
            _ => return fail(self.bad_pattern()),
        };
        self.bump();
        Ok(pat)
    }

    /// The name a pattern binds; `_` binds nothing useful but is accepted.
    pub(super) fn binder(&mut self) -> PResult<Ident> {
        if self.is(&Tok::Underscore) {
            let span = self.bump().span;
            return Ok(Ident {
                name: "_".to_string(),
                span,
            });
        }
        self.ident("a name to bind")
    }

    pub(super) fn bad_pattern(&self) -> Diagnostic {
        self.error(
            code::BAD_PATTERN,
            format!("expected a match pattern, found {}", self.kind().describe()),
        )
        .with_note("patterns: `42:e` `\"gold\":e` `true:e` `~v:e` `^e:e` `n v:e` `t v:e` `b v:e` `l v:e` `_:e`")
    }

    /// An expression statement, a braceless guard, or a braced conditional.
    pub(super) fn expr_stmt(&mut self) -> PResult<StmtKind> {
        let e = self.expr()?;
        if self.is(&Tok::LBrace) && !self.at_stmt_end() {
            return self.if_stmt(e);
        }
        if self.at_stmt_end() || self.is(&Tok::Semi) {
            return Ok(StmtKind::Expr(e));
        }
        if is_condition(&e) {
            return self.guard(e);
        }
        fail(self.unexpected("`;` or the end of the statement").with_note(
            "a braceless guard needs a comparison first (`>=x 10 \"big\"`); \
             a call takes atoms or prefix expressions as arguments, a nested call needs parentheses: `f (g x) y`",
        ))
    }

    /// `cond{then}` / `cond{then}{else}` / `!cond{…}`
    pub(super) fn if_stmt(&mut self, cond: Expr) -> PResult<StmtKind> {
        let (cond, negated) = strip_not(cond);
        let then = self.block()?;
        let els = if self.is(&Tok::LBrace) && !self.at_stmt_end() {
            Some(self.block()?)
        } else {
            None
        };
        Ok(StmtKind::If {
            cond,
            negated,
            then,
            els,
        })
    }

    /// `cond e` / `!cond e`. A loop keyword or `ret` in the value position
    /// (`=x 0 brk`) is read as the braced form `=x 0{brk}`.
    pub(super) fn guard(&mut self, cond: Expr) -> PResult<StmtKind> {
        let (cond, negated) = strip_not(cond);
        let is_kw = |p: &Self, w: &str| p.is_name(w) && p.next_ends_stmt();
        if is_kw(self, "brk") || is_kw(self, "cnt") || self.is_name("ret") {
            let stmt = self.stmt()?;
            return Ok(StmtKind::If {
                cond,
                negated,
                then: vec![stmt],
                els: None,
            });
        }
        let value = self.value_expr()?;
        Ok(StmtKind::Guard { cond, negated, value })
    }
}
