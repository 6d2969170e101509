//! Expressions: operands, prefix and infix operators, calls, literals.

use super::*;

impl Parser {
    // ---- expressions ----
    //
    // The functions on the recursive path (expr, infix, term, operand,
    // operand_inner) keep their frames small: loops and rare branches live in
    // separate functions, so deep nesting costs little stack even unoptimised.

    /// A full expression: calls, infix operators, `??`, pipes.
    pub(super) fn expr(&mut self) -> PResult<Expr> {
        let lhs = self.infix(0, true)?;
        if self.is(&Tok::Pipe) && !self.at_stmt_end() {
            return self.pipes(lhs);
        }
        Ok(lhs)
    }

    /// `x>>f>>g a` is `g a (f x)`.
    #[inline(never)]
    pub(super) fn pipes(&mut self, mut lhs: Expr) -> PResult<Expr> {
        let mut n = 0;
        while self.is(&Tok::Pipe) && !self.at_stmt_end() {
            n += 1;
            self.chain(n)?;
            self.bump();
            let func = self.ident("a function name after `>>`")?;
            let unwrap = self.eat_unwrap_bang(&func);
            let mut args = self.operands()?;
            let span = lhs.span.to(self.span_from(func.span.start));
            args.push(lhs);
            lhs = Expr {
                kind: ExprKind::Call { func, args, unwrap },
                span,
            };
        }
        Ok(lhs)
    }

    /// Precedence climbing over terms (or, in lists, over operands).
    pub(super) fn infix(&mut self, min: u8, calls: bool) -> PResult<Expr> {
        let lhs = if calls { self.term()? } else { self.operand()? };
        match self.infix_op() {
            Some((_, prec)) if prec >= min => self.infix_rest(lhs, min, calls),
            _ => Ok(lhs),
        }
    }

    #[inline(never)]
    pub(super) fn infix_rest(&mut self, mut lhs: Expr, min: u8, calls: bool) -> PResult<Expr> {
        let mut n = 0;
        while let Some((op, prec)) = self.infix_op() {
            if prec < min {
                break;
            }
            n += 1;
            self.chain(n)?;
            let op_tok = self.bump();
            if op_tok.kind == Tok::EqEq {
                self.eqeq_hint(op_tok.span);
            }
            let rhs = self.infix(prec + 1, calls)?;
            let span = lhs.span.to(rhs.span);
            let (lhs_b, rhs_b) = (Box::new(lhs), Box::new(rhs));
            let kind = match op {
                Some(op) => ExprKind::Binary {
                    op,
                    lhs: lhs_b,
                    rhs: rhs_b,
                },
                None => ExprKind::Coalesce { lhs: lhs_b, rhs: rhs_b },
            };
            lhs = Expr { kind, span };
        }
        Ok(lhs)
    }

    /// The infix operator at the current token, with its precedence
    /// (`None` op is `??`). An operator glued to the next token but not to
    /// the previous one is prefix, so it is not infix here.
    pub(super) fn infix_op(&self) -> Option<(Option<BinOp>, u8)> {
        if self.at_stmt_end() {
            return None;
        }
        let t = self.tok();
        if t.kind == Tok::QQ {
            return Some((None, 0));
        }
        if t.space_before && !t.space_after {
            return None;
        }
        let op = binop(&t.kind)?;
        let prec = match op {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne => 3,
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => 4,
            BinOp::Add | BinOp::Sub | BinOp::Append => 5,
            BinOp::Mul | BinOp::Div => 6,
        };
        Some((Some(op), prec))
    }

    pub(super) fn eqeq_hint(&mut self, span: Span) {
        self.hint(code::DOUBLE_EQUALS, "`==` is written `=` in ilo", span, "=");
    }

    /// A call, record construction, `~e`/`^e`, or an operand; then `with`.
    pub(super) fn term(&mut self) -> PResult<Expr> {
        let e = match self.kind() {
            Tok::Name(n) if !is_literal_word(n) && n != "with" => self.name_term()?,
            Tok::Tilde | Tok::Caret => self.wrap_term()?,
            _ => self.operand()?,
        };
        if self.is_name("with") && !self.at_stmt_end() {
            return self.withs(e);
        }
        Ok(e)
    }

    /// `~e` / `^e` at term level wrap a whole term: `~fac n` is `~(fac n)`.
    #[inline(never)]
    pub(super) fn wrap_term(&mut self) -> PResult<Expr> {
        let start = self.tok().span.start;
        let ok = self.bump().kind == Tok::Tilde;
        let inner = Box::new(self.nested(|p| p.term())?);
        let kind = if ok { ExprKind::Ok(inner) } else { ExprKind::Err(inner) };
        Ok(Expr {
            kind,
            span: self.span_from(start),
        })
    }

    /// `p with x:5 y:6`
    #[inline(never)]
    pub(super) fn withs(&mut self, mut e: Expr) -> PResult<Expr> {
        let mut n = 0;
        while self.is_name("with") && !self.at_stmt_end() {
            n += 1;
            self.chain(n)?;
            self.bump();
            let fields = self.field_inits("`field:value` after `with`")?;
            let span = e.span.to(self.span_from(e.span.start));
            e = Expr {
                kind: ExprKind::With {
                    target: Box::new(e),
                    fields,
                },
                span,
            };
        }
        Ok(e)
    }

    /// `f a b`, `f! a`, `mk()`, `pt x:1 y:2`, or a lone name.
    pub(super) fn name_term(&mut self) -> PResult<Expr> {
        let next = self.look(1).clone();
        let same_stmt = !(next.nl && self.nest == 0);
        if same_stmt && matches!(next.kind, Tok::Name(_)) && self.look(2).kind == Tok::Colon {
            return self.record();
        }
        let func = self.ident("a name")?;
        let unwrap = self.eat_unwrap_bang(&func);
        if self.is(&Tok::LParen) && self.look(1).kind == Tok::RParen && !self.at_stmt_end() {
            self.bump();
            self.bump();
            let span = self.span_from(func.span.start);
            return self.postfix(Expr {
                span,
                kind: ExprKind::Call {
                    func,
                    args: Vec::new(),
                    unwrap,
                },
            });
        }
        if !unwrap && !self.starts_operand() {
            return self.postfix(Expr {
                span: func.span,
                kind: ExprKind::Name(func.name),
            });
        }
        let args = self.operands()?;
        Ok(Expr {
            span: self.span_from(func.span.start),
            kind: ExprKind::Call { func, args, unwrap },
        })
    }

    /// `f!`: a `!` glued to the function name (not `f !x`, not `f!=x`).
    pub(super) fn eat_unwrap_bang(&mut self, func: &Ident) -> bool {
        let t = self.tok();
        if t.kind == Tok::Bang && t.span.start == func.span.end && !(t.nl && self.nest == 0) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Call arguments: operands up to the end of the statement or the first
    /// token that cannot start one.
    pub(super) fn operands(&mut self) -> PResult<Vec<Expr>> {
        let mut args = Vec::new();
        while self.starts_operand() {
            args.push(self.operand()?);
        }
        Ok(args)
    }

    /// `pt x:1 y:2`
    pub(super) fn record(&mut self) -> PResult<Expr> {
        let ty = self.ident("a record type")?;
        let fields = self.field_inits("`field:value`")?;
        Ok(Expr {
            span: self.span_from(ty.span.start),
            kind: ExprKind::Record { ty, fields },
        })
    }

    /// `x:1 y:2`, at least one.
    pub(super) fn field_inits(&mut self, what: &str) -> PResult<Vec<(Ident, Expr)>> {
        let mut fields = Vec::new();
        while matches!(self.kind(), Tok::Name(_)) && self.look(1).kind == Tok::Colon && !self.at_stmt_end() {
            let name = self.ident("a field name")?;
            self.bump();
            if !self.starts_operand() {
                return fail(self.unexpected(&format!("a value for field `{}`", name.name)));
            }
            fields.push((name, self.operand()?));
        }
        if fields.is_empty() {
            return fail(self.unexpected(what));
        }
        Ok(fields)
    }

    /// Whether the current token can begin an operand of this statement.
    pub(super) fn starts_operand(&self) -> bool {
        if self.at_stmt_end() {
            return false;
        }
        let t = self.tok();
        match &t.kind {
            Tok::Num(_) | Tok::Text(_) | Tok::LParen | Tok::LBracket | Tok::Tilde | Tok::Caret | Tok::Question => true,
            Tok::Name(n) => n != "with",
            Tok::Bang => self.is_prefix_here(),
            k => binop(k).is_some() && self.is_prefix_here(),
        }
    }

    /// An operator token is prefix when glued to what follows and not glued
    /// to a term before it: `f a +b c` and `+*a b c` are prefix, `a+b` and
    /// `a + b` infix.
    pub(super) fn is_prefix_here(&self) -> bool {
        let t = self.tok();
        if t.space_after {
            return false;
        }
        let prev_ends_term = self.pos > 0
            && matches!(
                self.toks.get(self.pos - 1).map(|p| &p.kind),
                Some(Tok::Name(_) | Tok::Num(_) | Tok::Text(_) | Tok::RParen | Tok::RBracket)
            );
        t.space_before || !prev_ends_term
    }

    /// An atom or a prefix expression, then any `.f`, `.0`, `.?f`. Every
    /// level of expression nesting passes here, so the depth is counted here.
    pub(super) fn operand(&mut self) -> PResult<Expr> {
        if self.depth >= MAX_DEPTH {
            return fail(self.too_deep());
        }
        self.depth += 1;
        let r = self.operand_inner();
        self.depth -= 1;
        let e = r?;
        if matches!(self.kind(), Tok::Dot | Tok::DotQ) {
            return self.postfix(e);
        }
        Ok(e)
    }

    pub(super) fn operand_inner(&mut self) -> PResult<Expr> {
        if self.at_stmt_end() {
            return fail(self.unexpected("an expression"));
        }
        match self.kind() {
            Tok::Num(_) | Tok::Text(_) | Tok::Name(_) => self.atom(),
            Tok::LParen => self.paren(),
            Tok::LBracket => self.list(),
            Tok::Minus => self.minus(),
            Tok::Bang => self.unary(UnOp::Not),
            Tok::Tilde => self.wrap(true),
            Tok::Caret => self.wrap(false),
            Tok::Question => self.ternary(),
            k => match binop(k) {
                Some(op) => self.prefix_binary(op),
                None => fail(self.not_an_expression()),
            },
        }
    }

    /// A literal or a name.
    #[inline(never)]
    pub(super) fn atom(&mut self) -> PResult<Expr> {
        let span = self.tok().span;
        let lit = match self.kind() {
            Tok::Num(v) => Lit::Num(*v),
            Tok::Text(s) => Lit::Text(s.clone()),
            Tok::Name(n) if n == "true" => Lit::Bool(true),
            Tok::Name(n) if n == "false" => Lit::Bool(false),
            Tok::Name(n) if n == "nil" => Lit::Nil,
            _ => {
                let id = self.ident("a name")?;
                return Ok(Expr {
                    span: id.span,
                    kind: ExprKind::Name(id.name),
                });
            }
        };
        self.bump();
        Ok(Expr {
            kind: ExprKind::Lit(lit),
            span,
        })
    }

    pub(super) fn not_an_expression(&self) -> Diagnostic {
        let t = self.tok();
        let mut d = self.error(
            code::UNEXPECTED_TOKEN,
            format!("expected an expression, found {}", t.kind.describe()),
        );
        if t.kind == Tok::Dot {
            d = d.with_note("a number needs a digit before the point: `0.5`");
        }
        d
    }

    /// `(e)`; `f(a, b)` gets a pointer to ilo's call syntax.
    pub(super) fn paren(&mut self) -> PResult<Expr> {
        let open = self.bump().span;
        if self.is(&Tok::RParen) {
            return fail(self.error(
                code::UNEXPECTED_TOKEN,
                "empty parentheses `()` are only a zero-argument call: `mk()`",
            ));
        }
        self.nest += 1;
        let inner = self.expr();
        self.nest -= 1;
        let mut inner = inner?;
        if self.is(&Tok::Comma) {
            return fail(
                self.error(code::COMMA_ARGS, "arguments are separated by spaces, not commas")
                    .with_label(open, "call arguments need no parentheses")
                    .with_suggestion("f a b"),
            );
        }
        if !self.eat(&Tok::RParen) {
            if self.at_boundary() {
                return fail(self.unclosed(open, "(", ")"));
            }
            return fail(self.unexpected("`)`").with_label(open, "`(` opened here"));
        }
        inner.span = self.span_from(open.start);
        Ok(inner)
    }

    /// `[1 2 3]`, `[1, 2, 3]`, `[]`. Elements are operands combined by infix
    /// operators (`[x + 1, y]`), not calls: `[a b]` is two elements.
    pub(super) fn list(&mut self) -> PResult<Expr> {
        let open = self.bump().span;
        self.nest += 1;
        let items = self.list_items(open);
        self.nest -= 1;
        Ok(Expr {
            kind: ExprKind::List(items?),
            span: self.span_from(open.start),
        })
    }

    pub(super) fn list_items(&mut self, open: Span) -> PResult<Vec<Expr>> {
        let mut items = Vec::new();
        loop {
            self.eat(&Tok::Comma);
            if self.eat(&Tok::RBracket) {
                return Ok(items);
            }
            if self.at_boundary() {
                return fail(self.unclosed(open, "[", "]"));
            }
            if !self.starts_operand() {
                return fail(
                    self.unexpected("a list element or `]`")
                        .with_label(open, "list opened here"),
                );
            }
            items.push(self.infix(0, false)?);
        }
    }

    /// `-a b` is subtraction when a second operand follows, else `-a` negates.
    pub(super) fn minus(&mut self) -> PResult<Expr> {
        let start = self.bump().span;
        let a = self.need_operand("-", start)?;
        if self.starts_operand() {
            let b = self.operand()?;
            let span = start.to(b.span);
            return Ok(Expr {
                kind: ExprKind::Binary {
                    op: BinOp::Sub,
                    lhs: Box::new(a),
                    rhs: Box::new(b),
                },
                span,
            });
        }
        let span = start.to(a.span);
        Ok(Expr {
            kind: ExprKind::Unary {
                op: UnOp::Neg,
                operand: Box::new(a),
            },
            span,
        })
    }

    pub(super) fn unary(&mut self, op: UnOp) -> PResult<Expr> {
        let start = self.bump().span;
        let a = self.need_operand("!", start)?;
        Ok(Expr {
            span: start.to(a.span),
            kind: ExprKind::Unary {
                op,
                operand: Box::new(a),
            },
        })
    }

    /// `~e` / `^e` as an operand: wraps the following operand.
    pub(super) fn wrap(&mut self, ok: bool) -> PResult<Expr> {
        let start = self.bump().span;
        let a = Box::new(self.need_operand(if ok { "~" } else { "^" }, start)?);
        Ok(Expr {
            span: start.to(a.span),
            kind: if ok { ExprKind::Ok(a) } else { ExprKind::Err(a) },
        })
    }

    /// `?c a b`
    pub(super) fn ternary(&mut self) -> PResult<Expr> {
        let start = self.bump().span;
        let cond = self.need_operand("?", start)?;
        if self.is(&Tok::LBrace) && !self.at_stmt_end() {
            return fail(
                self.error(code::STATEMENT_AS_VALUE, "a match is a statement, not a value")
                    .with_note("match as its own statement; `?{…}` after a statement matches that statement's value")
                    .with_suggestion("?x{1:\"one\";_:\"other\"}"),
            );
        }
        let then = self.need_operand("?", start)?;
        let els = self.need_operand("?", start)?;
        let span = start.to(els.span);
        Ok(Expr {
            kind: ExprKind::Ternary {
                cond: Box::new(cond),
                then: Box::new(then),
                els: Box::new(els),
            },
            span,
        })
    }

    pub(super) fn prefix_binary(&mut self, op: BinOp) -> PResult<Expr> {
        let tok = self.bump();
        if tok.kind == Tok::EqEq {
            self.eqeq_hint(tok.span);
        }
        let sym = tok.kind.symbol();
        let a = self.need_operand(sym, tok.span)?;
        let b = self.need_operand(sym, tok.span)?;
        let span = tok.span.to(b.span);
        Ok(Expr {
            kind: ExprKind::Binary {
                op,
                lhs: Box::new(a),
                rhs: Box::new(b),
            },
            span,
        })
    }

    /// The next operand of prefix operator `op`, or ILO-P005.
    pub(super) fn need_operand(&mut self, op: &str, op_span: Span) -> PResult<Expr> {
        // Where an operand must follow, an operator glued to what comes next
        // starts a prefix operand even when glued to the term before it:
        // `+x*x 2` is `+x (*x 2)`, as `*a +b c` is `*a (+b c)`.
        let glued_operator = !self.at_stmt_end() && binop(&self.tok().kind).is_some() && !self.tok().space_after;
        if self.starts_operand() || glued_operator {
            return self.operand();
        }
        let t = self.tok();
        let found = if self.at_stmt_end() {
            "the end of the statement".to_string()
        } else {
            t.kind.describe()
        };
        let arity = match op {
            "!" | "~" | "^" => "one operand",
            "?" => "three operands: `?cond then else`",
            "-" => "one or two operands",
            _ => "two operands",
        };
        // At a line end, point just after the operator's last operand.
        let span = if t.nl || t.kind == Tok::Eof {
            Span::new(self.prev_end, self.prev_end)
        } else {
            t.span
        };
        let mut d = Diagnostic::error(
            code::MISSING_OPERAND,
            format!("`{op}` needs {arity}, found {found}"),
            span,
        )
        .with_label(op_span, format!("prefix `{op}`"));
        if binop(&t.kind).is_some() && t.space_after {
            d = d.with_note(
                "a prefix operator is glued to its first operand: `+a b`; infix needs spaces on both sides: `a + b`",
            );
        }
        fail(d)
    }

    /// `.f` `.0` `.?f` after an operand.
    pub(super) fn postfix(&mut self, mut e: Expr) -> PResult<Expr> {
        let start = e.span.start;
        let mut n = 0;
        while matches!(self.kind(), Tok::Dot | Tok::DotQ) && !self.at_stmt_end() {
            n += 1;
            self.chain(n)?;
            let safe = self.bump().kind == Tok::DotQ;
            let t = self.tok().clone();
            let kind = match t.kind {
                Tok::Num(v) if !safe => {
                    self.bump();
                    ExprKind::Index {
                        target: Box::new(e),
                        index: index_of(v, t.span)?,
                    }
                }
                Tok::Name(_) => {
                    let field = self.ident("a field name")?;
                    ExprKind::Field {
                        target: Box::new(e),
                        field,
                        safe,
                    }
                }
                _ => {
                    return fail(self.unexpected(if safe {
                        "a field name after `.?`"
                    } else {
                        "a field name or index after `.`"
                    }))
                }
            };
            e = Expr {
                kind,
                span: self.span_from(start),
            };
        }
        Ok(e)
    }
}
