//! Parser: tokens to the AST of `ast.rs` (spec sections 1-4).
//!
//! Recursive descent over the token list. The decisions that make ilo's
//! space-separated syntax unambiguous (documented in `docs/spec-notes.md`):
//!
//! * An operator glued to what follows it and not to what precedes it is
//!   prefix (`f a +b c`, `fac -n 1`); otherwise, after a complete term, it is
//!   infix (`a + b`, `a+b`).
//! * A name followed by operands in the same statement is a call; call
//!   arguments and prefix operands are operands (atoms or prefix
//!   expressions), so `f a + b` is `(f a) + b`.
//! * At statement position, a comparison or logical expression followed by
//!   more of the statement is a braceless guard.
//!
//! Errors bubble up to the declaration being parsed, are recorded, and
//! parsing resumes at the next declaration (the next line at column 0).

use crate::diag::{Diagnostic, Severity};
use crate::front::ast::*;
use crate::front::lexer::{lex, Tok, Token};

/// Nesting deeper than this (expressions, blocks, types) is reported as
/// ILO-P008 instead of risking a stack overflow in any later pass.
pub const MAX_DEPTH: usize = 256;

/// Parses a whole source file. All syntax errors found are returned (recover at the next declaration), never a panic.
pub fn parse(src: &str) -> Result<Program, Vec<Diagnostic>> {
    parse_with_hints(src).0
}

/// Like [`parse`], and also returns hints about accepted non-canonical forms
/// (`==` for `=`, long builtin names such as `length` for `len`). Hints are
/// returned even when the parse fails.
pub fn parse_with_hints(src: &str) -> (Result<Program, Vec<Diagnostic>>, Vec<Diagnostic>) {
    let (toks, mut errs) = lex(src);
    let mut p = Parser::new(toks, errs.iter().map(|d| d.span.start).collect());
    let mut prog = p.program();
    errs.append(&mut p.errs);
    let mut hints = p.hints;
    if !errs.is_empty() {
        errs.sort_by_key(|d| d.span.start);
        return (Err(errs), hints);
    }
    crate::front::parser::aliases::rewrite(&mut prog, &mut hints);
    hints.sort_by_key(|d| d.span.start);
    (Ok(prog), hints)
}

/// Boxed: the error path is rare and a small `Result` keeps the recursive
/// descent's stack frames small.
type PResult<T> = Result<T, Box<Diagnostic>>;

fn fail<T>(d: Diagnostic) -> PResult<T> {
    Err(Box::new(d))
}

/// What each reserved word should have been.
fn reserved(word: &str) -> Option<(&'static str, &'static str)> {
    Some(match word {
        "if" => (
            "`if` is not ilo: use a guard `cond{…}`",
            ">x 0{…}  or the braceless guard  >x 0 value",
        ),
        "return" => (
            "`return` is not ilo: use `ret e`, or make `e` the last statement",
            "ret e",
        ),
        "let" | "var" | "const" => ("bindings need no keyword in ilo: write `x=e`", "x=e"),
        "fn" | "def" => (
            "functions need no keyword in ilo: declare `name p:T>R;body` at column 0",
            "name p:n q:n>n;body",
        ),
        _ => return None,
    })
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    eof: Token,
    /// End of the last consumed token, for spans.
    prev_end: usize,
    /// Inside `(…)` or `[…]` newlines do not end statements.
    nest: usize,
    depth: usize,
    /// Position of a token whose preceding newline has already served as a
    /// statement separator (so it starts, not ends, a statement).
    sep_pos: usize,
    /// Where the lexer reported errors: parser errors they cause are noise.
    lex_errs: Vec<u32>,
    errs: Vec<Diagnostic>,
    hints: Vec<Diagnostic>,
}

impl Parser {
    fn new(toks: Vec<Token>, lex_errs: Vec<u32>) -> Parser {
        let end = toks.last().map(|t| t.span).unwrap_or_default();
        let eof = Token {
            kind: Tok::Eof,
            span: end,
            nl: true,
            col0: true,
            space_before: true,
            space_after: true,
        };
        Parser {
            toks,
            pos: 0,
            eof,
            prev_end: 0,
            nest: 0,
            depth: 0,
            sep_pos: usize::MAX,
            lex_errs,
            errs: Vec::new(),
            hints: Vec::new(),
        }
    }

    // ---- token access ----

    fn tok(&self) -> &Token {
        self.toks.get(self.pos).unwrap_or(&self.eof)
    }

    fn look(&self, k: usize) -> &Token {
        self.toks.get(self.pos + k).unwrap_or(&self.eof)
    }

    fn kind(&self) -> &Tok {
        &self.tok().kind
    }

    fn is(&self, kind: &Tok) -> bool {
        self.kind() == kind
    }

    fn is_name(&self, word: &str) -> bool {
        matches!(self.kind(), Tok::Name(n) if n == word)
    }

    fn bump(&mut self) -> Token {
        let t = self.tok().clone();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        self.prev_end = t.span.end as usize;
        t
    }

    fn eat(&mut self, kind: &Tok) -> bool {
        if self.is(kind) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn span_from(&self, start: u32) -> Span {
        Span {
            start,
            end: (self.prev_end as u32).max(start),
        }
    }

    /// A token at column 0 starts the next declaration (a closing bracket
    /// there is still read as part of the current one).
    fn at_boundary(&self) -> bool {
        let t = self.tok();
        t.kind == Tok::Eof || (t.col0 && !matches!(t.kind, Tok::RParen | Tok::RBracket | Tok::RBrace))
    }

    /// The current statement ends before this token.
    fn at_stmt_end(&self) -> bool {
        let t = self.tok();
        self.at_boundary()
            || matches!(t.kind, Tok::Semi | Tok::RBrace)
            || (t.nl && self.nest == 0 && self.pos != self.sep_pos)
    }

    /// Marks the current token as a statement start: a newline before it
    /// was the separator.
    fn begin_stmt(&mut self) {
        self.sep_pos = self.pos;
    }

    /// Whether the lexer reported an error between `start` and here.
    fn lex_error_since(&self, start: u32) -> bool {
        self.lex_errs.iter().any(|&e| e >= start && e <= self.prev_end as u32)
    }

    // ---- errors ----

    fn error(&self, code: &'static str, msg: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, msg, self.tok().span)
    }

    fn unexpected(&self, expected: &str) -> Diagnostic {
        let t = self.tok();
        let found = if t.nl && self.nest == 0 && t.kind != Tok::Eof {
            "end of line".to_string()
        } else {
            t.kind.describe()
        };
        let span = if found == "end of line" {
            Span::new(self.prev_end, self.prev_end)
        } else {
            t.span
        };
        Diagnostic::error("ILO-P001", format!("expected {expected}, found {found}"), span)
    }

    fn expect(&mut self, kind: &Tok, expected: &str) -> PResult<Span> {
        if self.is(kind) && !self.at_boundary() {
            Ok(self.bump().span)
        } else {
            fail(self.unexpected(expected))
        }
    }

    fn hint(&mut self, code: &'static str, msg: impl Into<String>, span: Span, fix: &str) {
        let mut d = Diagnostic::error(code, msg, span).with_suggestion(fix);
        d.severity = Severity::Hint;
        self.hints.push(d);
    }

    /// Runs `f` one nesting level deeper, failing cleanly past MAX_DEPTH.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.depth >= MAX_DEPTH {
            return fail(self.too_deep());
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn too_deep(&self) -> Diagnostic {
        self.error("ILO-P008", format!("nesting is deeper than {MAX_DEPTH} levels"))
            .with_note("split the expression with intermediate bindings: `a=…;b=…`")
    }

    /// Guards chains that grow without recursion (`a+b+c+…`, `x.a.b…`),
    /// whose trees later passes walk recursively.
    fn chain(&self, len: usize) -> PResult<()> {
        if self.depth + len > MAX_DEPTH {
            fail(self.too_deep())
        } else {
            Ok(())
        }
    }

    fn ident(&mut self, what: &str) -> PResult<Ident> {
        match self.kind().clone() {
            Tok::Name(name) => {
                if let Some(d) = self.reserved_error() {
                    return fail(d);
                }
                let span = self.bump().span;
                Ok(Ident { name, span })
            }
            _ => fail(self.unexpected(what)),
        }
    }

    /// The ILO-P007 error when the current token is a reserved word.
    fn reserved_error(&self) -> Option<Diagnostic> {
        let Tok::Name(word) = self.kind() else { return None };
        let (msg, fix) = reserved(word)?;
        Some(self.error("ILO-P007", msg).with_suggestion(fix))
    }

    // ---- declarations ----

    fn program(&mut self) -> Program {
        let mut decls = Vec::new();
        while !self.is(&Tok::Eof) {
            let start = self.pos;
            match self.decl() {
                Ok(d) => decls.push(d),
                Err(e) => {
                    self.errs.push(*e);
                    self.recover(start);
                }
            }
        }
        Program { decls }
    }

    /// Skips to the next declaration, always making progress.
    fn recover(&mut self, start: usize) {
        self.nest = 0;
        self.depth = 0;
        if self.pos == start {
            self.bump();
        }
        while !self.at_boundary() {
            self.bump();
        }
    }

    fn decl(&mut self) -> PResult<Decl> {
        let d = if self.is_name("type") && matches!(self.look(1).kind, Tok::Name(_)) {
            Decl::Type(self.type_decl()?)
        } else if self.is_name("use") && matches!(self.look(1).kind, Tok::Text(_)) {
            Decl::Use(self.use_decl()?)
        } else if matches!(self.kind(), Tok::Name(_)) {
            Decl::Func(self.func_decl()?)
        } else {
            return fail(self.unexpected("a declaration").with_note(
                "a declaration is `name p:T>R;body`, `type name{f:T}` or `use \"file.ilo\"`, starting at column 0",
            ));
        };
        if !self.at_boundary() {
            return fail(
                self.unexpected("the end of the declaration")
                    .with_note("each declaration starts on its own line at column 0; indent lines that continue it"),
            );
        }
        Ok(d)
    }

    fn func_decl(&mut self) -> PResult<FuncDecl> {
        let start = self.tok().span.start;
        let name = self.ident("a function name")?;
        let mut params = Vec::new();
        while !self.is(&Tok::Gt) {
            params.push(self.param(&name)?);
        }
        self.bump();
        let ret = self.ty()?;
        if !self.eat(&Tok::Semi) && !self.tok().nl {
            return fail(self.unexpected("`;` before the function body"));
        }
        let body = self.top_body()?;
        if body.is_empty() && !self.lex_error_since(start) {
            return fail(
                Diagnostic::error("ILO-P013", format!("function `{}` has no body", name.name), name.span)
                    .with_suggestion(format!("{}>n;0", name.name)),
            );
        }
        Ok(FuncDecl {
            name,
            params,
            ret,
            body,
            span: self.span_from(start),
        })
    }

    /// `name:type` in a function header.
    fn param(&mut self, func: &Ident) -> PResult<Param> {
        let t = self.tok();
        let is_param_name = matches!(t.kind, Tok::Name(_)) && !self.at_stmt_end();
        if !is_param_name {
            let mut d = self.unexpected(&format!(
                "a parameter `name:type` or `>` and the return type of `{}`",
                func.name
            ));
            if self.tok().col0 || self.tok().nl {
                d = d.with_suggestion(format!("{} x:n>n;body", func.name));
            }
            return fail(d);
        }
        if self.look(1).kind != Tok::Colon {
            let Tok::Name(n) = self.kind().clone() else {
                return fail(self.unexpected("a parameter"));
            };
            return fail(
                self.error("ILO-P012", format!("parameter `{n}` needs a type"))
                    .with_note("parameters are `name:type`, e.g. `x:n`; `>` then the return type ends the header")
                    .with_suggestion(format!("{n}:n")),
            );
        }
        self.field()
    }

    /// `name:type`, a parameter or a record field.
    fn field(&mut self) -> PResult<Param> {
        let start = self.tok().span.start;
        let name = self.ident("a field name")?;
        self.expect(&Tok::Colon, "`:` and a type")?;
        let ty = self.ty()?;
        Ok(Param {
            name,
            ty,
            span: self.span_from(start),
        })
    }

    /// `type name{f:T;g:T}`
    fn type_decl(&mut self) -> PResult<TypeDecl> {
        let start = self.bump().span.start;
        let name = self.ident("a type name")?;
        let open = self.expect(&Tok::LBrace, "`{` and the fields")?;
        let mut fields = Vec::new();
        loop {
            while self.eat(&Tok::Semi) || self.eat(&Tok::Comma) {}
            if self.eat(&Tok::RBrace) {
                break;
            }
            if self.at_boundary() {
                return fail(self.unclosed(open, "{", "}"));
            }
            self.begin_stmt();
            fields.push(self.field()?);
        }
        Ok(TypeDecl {
            name,
            fields,
            span: self.span_from(start),
        })
    }

    /// `use "path.ilo"` or `use "path.ilo" [a b]`
    fn use_decl(&mut self) -> PResult<UseDecl> {
        let start = self.bump().span.start;
        let Tok::Text(path) = self.bump().kind else {
            return fail(self.unexpected("a path"));
        };
        let mut names = None;
        if self.is(&Tok::LBracket) && !self.at_stmt_end() {
            let open = self.bump().span;
            let mut list = Vec::new();
            loop {
                self.eat(&Tok::Comma);
                if self.eat(&Tok::RBracket) {
                    break;
                }
                if self.at_boundary() {
                    return fail(self.unclosed(open, "[", "]"));
                }
                self.nest += 1;
                let id = self.ident("a declaration name to import");
                self.nest -= 1;
                list.push(id?);
            }
            names = Some(list);
        }
        Ok(UseDecl {
            path,
            names,
            span: self.span_from(start),
        })
    }

    fn unclosed(&self, open: Span, o: &str, c: &str) -> Diagnostic {
        self.error("ILO-P006", format!("unclosed `{o}`"))
            .with_label(open, format!("`{o}` opened here"))
            .with_suggestion(format!("add `{c}`"))
    }

    // ---- types ----

    fn ty(&mut self) -> PResult<Type> {
        self.nested(|p| p.ty_inner())
    }

    fn ty_inner(&mut self) -> PResult<Type> {
        if self.at_stmt_end() {
            let mut d = self.unexpected("a type").with_note(TYPE_NOTE);
            d.code = "ILO-P004";
            return fail(d);
        }
        let t = self.tok().clone();
        match t.kind {
            Tok::Underscore => {
                self.bump();
                Ok(Type::Any)
            }
            Tok::LParen => {
                let open = self.bump().span;
                self.nest += 1;
                let inner = self.ty();
                self.nest -= 1;
                let inner = inner?;
                if !self.eat(&Tok::RParen) {
                    return fail(self.unclosed(open, "(", ")"));
                }
                Ok(inner)
            }
            Tok::Name(name) => {
                self.bump();
                self.named_type(&name)
            }
            _ => fail(
                self.error("ILO-P004", format!("expected a type, found {}", t.kind.describe()))
                    .with_note(TYPE_NOTE),
            ),
        }
    }

    fn named_type(&mut self, name: &str) -> PResult<Type> {
        Ok(match name {
            "n" => Type::Num,
            "t" => Type::Text,
            "b" => Type::Bool,
            "L" => Type::List(Box::new(self.ty()?)),
            "O" => Type::Opt(Box::new(self.ty()?)),
            "M" => {
                let k = self.ty()?;
                Type::Map(Box::new(k), Box::new(self.ty()?))
            }
            "R" => {
                let ok = self.ty()?;
                Type::Result(Box::new(ok), Box::new(self.ty()?))
            }
            "F" => self.func_type()?,
            _ => match single_lower(name) {
                Some(c) => Type::Var(c),
                None => Type::Named(name.to_string()),
            },
        })
    }

    /// `F A… R`: takes types up to the end of the enclosing list (a `>`, `;`,
    /// `)`, `}`, the next `name:` or the end of the line); the last is R.
    fn func_type(&mut self) -> PResult<Type> {
        let mut tys = Vec::new();
        while self.starts_type() {
            self.chain(tys.len())?;
            tys.push(self.ty()?);
        }
        match tys.pop() {
            Some(ret) => Ok(Type::Func(tys, Box::new(ret))),
            None => fail(
                self.unexpected("the types of `F`")
                    .with_note("`F n n` is a function from n to n; the last type is the result"),
            ),
        }
    }

    fn starts_type(&self) -> bool {
        if self.at_stmt_end() {
            return false;
        }
        match self.kind() {
            Tok::Underscore | Tok::LParen => true,
            Tok::Name(_) => self.look(1).kind != Tok::Colon,
            _ => false,
        }
    }

    // ---- statements ----

    /// The statements of a function, up to the next declaration.
    fn top_body(&mut self) -> PResult<Vec<Stmt>> {
        let mut body = Vec::new();
        loop {
            while self.eat(&Tok::Semi) {}
            if self.at_boundary() {
                return Ok(body);
            }
            if self.is(&Tok::RBrace) {
                return fail(
                    self.error("ILO-P001", "unmatched `}`")
                        .with_suggestion("remove this `}`"),
                );
            }
            self.begin_stmt();
            body.push(self.stmt()?);
            self.stmt_sep()?;
        }
    }

    /// `{stmt;stmt}`
    fn block(&mut self) -> PResult<Vec<Stmt>> {
        let open = self.expect(&Tok::LBrace, "`{`")?;
        let saved = std::mem::replace(&mut self.nest, 0);
        let r = self.nested(|p| p.block_inner(open));
        self.nest = saved;
        r
    }

    fn block_inner(&mut self, open: Span) -> PResult<Vec<Stmt>> {
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
    fn stmt_sep(&mut self) -> PResult<()> {
        if self.eat(&Tok::Semi) || self.at_stmt_end() {
            return Ok(());
        }
        fail(self.unexpected("`;` or the end of the statement"))
    }

    fn stmt(&mut self) -> PResult<Stmt> {
        let start = self.tok().span.start;
        let kind = self.nested(|p| p.stmt_kind())?;
        Ok(Stmt {
            kind,
            span: self.span_from(start),
        })
    }

    fn stmt_kind(&mut self) -> PResult<StmtKind> {
        if let Some(d) = self.reserved_error() {
            return fail(d);
        }
        match self.kind().clone() {
            Tok::LBrace => self.destructure(),
            Tok::At => self.for_loop(),
            Tok::Question => self.match_or_ternary(),
            Tok::Name(n) if n == "wh" && !self.look_is_bind() => self.while_loop(),
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
    fn look_is_bind(&self) -> bool {
        matches!(self.kind(), Tok::Name(_)) && self.look(1).kind == Tok::Eq && !(self.look(1).nl && self.nest == 0)
    }

    fn next_ends_stmt(&self) -> bool {
        let t = self.look(1);
        t.kind == Tok::Eof || t.col0 || t.nl || matches!(t.kind, Tok::Semi | Tok::RBrace)
    }

    fn bind(&mut self) -> PResult<StmtKind> {
        let name = self.ident("a name")?;
        self.bump();
        let value = self.value_expr()?;
        Ok(StmtKind::Bind { name, value })
    }

    /// An expression in a position whose statement must end after it; a
    /// trailing `{` means a statement-only form was used as a value.
    fn value_expr(&mut self) -> PResult<Expr> {
        let e = self.expr()?;
        if self.is(&Tok::LBrace) && !self.at_stmt_end() {
            return fail(
                self.error("ILO-P010", "a braced conditional is a statement, not a value")
                    .with_note("bind inside the branches, or use the prefix ternary `?cond a b`")
                    .with_suggestion("x=?>a 0 1 2"),
            );
        }
        Ok(e)
    }

    /// `{a;b}=rec`
    fn destructure(&mut self) -> PResult<StmtKind> {
        let open = self.bump().span;
        let mut names = Vec::new();
        loop {
            while self.eat(&Tok::Semi) || self.eat(&Tok::Comma) {}
            if self.eat(&Tok::RBrace) {
                break;
            }
            if self.at_boundary() {
                return fail(self.unclosed(open, "{", "}"));
            }
            if !matches!(self.kind(), Tok::Name(_)) {
                return fail(
                    self.error(
                        "ILO-P016",
                        format!("expected a field name to destructure, found {}", self.kind().describe()),
                    )
                    .with_note("a statement starting with `{` destructures a record: `{a;b}=rec`"),
                );
            }
            names.push(self.ident("a field name")?);
        }
        if !self.is(&Tok::Eq) {
            return fail(
                self.error("ILO-P016", "expected `=` and a record after `{…}`")
                    .with_label(open, "a statement starting with `{` destructures a record")
                    .with_suggestion("{a;b}=rec"),
            );
        }
        self.bump();
        let value = self.value_expr()?;
        Ok(StmtKind::Destructure { names, value })
    }

    /// `@x xs{body}` or `@i a..b{body}`
    fn for_loop(&mut self) -> PResult<StmtKind> {
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
    fn while_loop(&mut self) -> PResult<StmtKind> {
        self.bump();
        let cond = self.expr()?;
        let body = self.block()?;
        Ok(StmtKind::While { cond, body })
    }

    /// `ret e`; a bare `ret` returns nil.
    fn ret(&mut self) -> PResult<StmtKind> {
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
    fn match_or_ternary(&mut self) -> PResult<StmtKind> {
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
    fn arms(&mut self) -> PResult<Vec<Arm>> {
        let open = self.expect(&Tok::LBrace, "`{` and the match arms")?;
        let saved = std::mem::replace(&mut self.nest, 0);
        let r = self.nested(|p| p.arms_inner(open));
        self.nest = saved;
        r
    }

    fn arms_inner(&mut self, open: Span) -> PResult<Vec<Arm>> {
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

    fn pattern(&mut self) -> PResult<Pattern> {
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
    fn binder(&mut self) -> PResult<Ident> {
        if self.is(&Tok::Underscore) {
            let span = self.bump().span;
            return Ok(Ident {
                name: "_".to_string(),
                span,
            });
        }
        self.ident("a name to bind")
    }

    fn bad_pattern(&self) -> Diagnostic {
        self.error(
            "ILO-P011",
            format!("expected a match pattern, found {}", self.kind().describe()),
        )
        .with_note("patterns: `42:e` `\"gold\":e` `true:e` `~v:e` `^e:e` `n v:e` `t v:e` `b v:e` `l v:e` `_:e`")
    }

    /// An expression statement, a braceless guard, or a braced conditional.
    fn expr_stmt(&mut self) -> PResult<StmtKind> {
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
    fn if_stmt(&mut self, cond: Expr) -> PResult<StmtKind> {
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
    fn guard(&mut self, cond: Expr) -> PResult<StmtKind> {
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

    // ---- expressions ----

    /// A full expression: calls, infix operators, `??`, pipes.
    fn expr(&mut self) -> PResult<Expr> {
        self.nested(|p| p.pipe())
    }

    /// `x>>f>>g a` is `g a (f x)`.
    fn pipe(&mut self) -> PResult<Expr> {
        let mut lhs = self.infix(0, true)?;
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
    fn infix(&mut self, min: u8, calls: bool) -> PResult<Expr> {
        let mut lhs = if calls { self.term()? } else { self.operand()? };
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
            let rhs = self.nested(|p| p.infix(prec + 1, calls))?;
            let span = lhs.span.to(rhs.span);
            let kind = match op {
                Some(op) => ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                None => ExprKind::Coalesce {
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
            };
            lhs = Expr { kind, span };
        }
        Ok(lhs)
    }

    /// The infix operator at the current token, with its precedence
    /// (`None` op is `??`). An operator glued to the next token but not to
    /// the previous one is prefix, so it is not infix here.
    fn infix_op(&self) -> Option<(Option<BinOp>, u8)> {
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

    fn eqeq_hint(&mut self, span: Span) {
        self.hint("ILO-P020", "`==` is written `=` in ilo", span, "=");
    }

    /// A call, record construction, `~e`/`^e`, or an operand; then `with`.
    fn term(&mut self) -> PResult<Expr> {
        let mut e = self.nested(|p| p.term_inner())?;
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

    fn term_inner(&mut self) -> PResult<Expr> {
        let start = self.tok().span.start;
        match self.kind().clone() {
            Tok::Name(n) if !is_literal_word(&n) && n != "with" => self.name_term(),
            Tok::Tilde | Tok::Caret => {
                let ok = self.bump().kind == Tok::Tilde;
                let inner = Box::new(self.term()?);
                let kind = if ok { ExprKind::Ok(inner) } else { ExprKind::Err(inner) };
                Ok(Expr {
                    kind,
                    span: self.span_from(start),
                })
            }
            _ => self.operand(),
        }
    }

    /// `f a b`, `f! a`, `mk()`, `pt x:1 y:2`, or a lone name.
    fn name_term(&mut self) -> PResult<Expr> {
        let next = self.look(1).clone();
        let same_stmt = !(next.nl && self.nest == 0);
        if same_stmt && matches!(next.kind, Tok::Name(_)) && self.look(2).kind == Tok::Colon {
            return self.record();
        }
        if same_stmt && next.kind == Tok::LParen && self.look(2).kind == Tok::RParen {
            let func = self.ident("a name")?;
            self.bump();
            self.bump();
            return Ok(Expr {
                span: self.span_from(func.span.start),
                kind: ExprKind::Call {
                    func,
                    args: Vec::new(),
                    unwrap: false,
                },
            });
        }
        let func = self.ident("a name")?;
        let unwrap = self.eat_unwrap_bang(&func);
        if !unwrap && !self.starts_operand() {
            return Ok(Expr {
                span: func.span,
                kind: ExprKind::Name(func.name),
            });
        }
        if unwrap && self.is(&Tok::LParen) && self.look(1).kind == Tok::RParen {
            self.bump();
            self.bump();
            return Ok(Expr {
                span: self.span_from(func.span.start),
                kind: ExprKind::Call {
                    func,
                    args: Vec::new(),
                    unwrap,
                },
            });
        }
        let args = self.operands()?;
        Ok(Expr {
            span: self.span_from(func.span.start),
            kind: ExprKind::Call { func, args, unwrap },
        })
    }

    /// `f!`: a `!` glued to the function name (not `f !x`, not `f!=x`).
    fn eat_unwrap_bang(&mut self, func: &Ident) -> bool {
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
    fn operands(&mut self) -> PResult<Vec<Expr>> {
        let mut args = Vec::new();
        while self.starts_operand() {
            args.push(self.operand()?);
        }
        Ok(args)
    }

    /// `pt x:1 y:2`
    fn record(&mut self) -> PResult<Expr> {
        let ty = self.ident("a record type")?;
        let fields = self.field_inits("`field:value`")?;
        Ok(Expr {
            span: self.span_from(ty.span.start),
            kind: ExprKind::Record { ty, fields },
        })
    }

    /// `x:1 y:2`, at least one.
    fn field_inits(&mut self, what: &str) -> PResult<Vec<(Ident, Expr)>> {
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
    fn starts_operand(&self) -> bool {
        if self.at_stmt_end() {
            return false;
        }
        let t = self.tok();
        match &t.kind {
            Tok::Num(_) | Tok::Text(_) | Tok::LParen | Tok::LBracket | Tok::Tilde | Tok::Caret | Tok::Question => true,
            Tok::Name(n) => n != "with",
            Tok::Bang => !t.space_after,
            k => binop(k).is_some() && !t.space_after,
        }
    }

    /// An atom or a prefix expression, then any `.f`, `.0`, `.?f`.
    fn operand(&mut self) -> PResult<Expr> {
        let e = self.nested(|p| p.operand_inner())?;
        self.postfix(e)
    }

    fn operand_inner(&mut self) -> PResult<Expr> {
        let t = self.tok().clone();
        if self.at_stmt_end() {
            return fail(self.unexpected("an expression"));
        }
        let lit = |kind| Ok(Expr { kind, span: t.span });
        match &t.kind {
            Tok::Num(v) => {
                self.bump();
                lit(ExprKind::Lit(Lit::Num(*v)))
            }
            Tok::Text(s) => {
                self.bump();
                lit(ExprKind::Lit(Lit::Text(s.clone())))
            }
            Tok::Name(n) if is_literal_word(n) => {
                self.bump();
                lit(ExprKind::Lit(match n.as_str() {
                    "true" => Lit::Bool(true),
                    "false" => Lit::Bool(false),
                    _ => Lit::Nil,
                }))
            }
            Tok::Name(_) => {
                let id = self.ident("a name")?;
                Ok(Expr {
                    span: id.span,
                    kind: ExprKind::Name(id.name),
                })
            }
            Tok::LParen => self.paren(),
            Tok::LBracket => self.list(),
            Tok::Minus => self.minus(),
            Tok::Bang => self.unary(UnOp::Not),
            Tok::Tilde | Tok::Caret => self.wrap(t.kind == Tok::Tilde),
            Tok::Question => self.ternary(),
            k => match binop(k) {
                Some(op) => self.prefix_binary(op),
                None => fail(self.not_an_expression()),
            },
        }
    }

    fn not_an_expression(&self) -> Diagnostic {
        let t = self.tok();
        let mut d = self.error(
            "ILO-P001",
            format!("expected an expression, found {}", t.kind.describe()),
        );
        if t.kind == Tok::Dot {
            d = d.with_note("a number needs a digit before the point: `0.5`");
        }
        d
    }

    /// `(e)`; `f(a, b)` gets a pointer to ilo's call syntax.
    fn paren(&mut self) -> PResult<Expr> {
        let open = self.bump().span;
        if self.is(&Tok::RParen) {
            return fail(self.error(
                "ILO-P001",
                "empty parentheses `()` are only a zero-argument call: `mk()`",
            ));
        }
        self.nest += 1;
        let inner = self.expr();
        self.nest -= 1;
        let mut inner = inner?;
        if self.is(&Tok::Comma) {
            return fail(
                self.error("ILO-P015", "arguments are separated by spaces, not commas")
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
    fn list(&mut self) -> PResult<Expr> {
        let open = self.bump().span;
        self.nest += 1;
        let items = self.list_items(open);
        self.nest -= 1;
        Ok(Expr {
            kind: ExprKind::List(items?),
            span: self.span_from(open.start),
        })
    }

    fn list_items(&mut self, open: Span) -> PResult<Vec<Expr>> {
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
            items.push(self.nested(|p| p.infix(0, false))?);
        }
    }

    /// `-a b` is subtraction when a second operand follows, else `-a` negates.
    fn minus(&mut self) -> PResult<Expr> {
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

    fn unary(&mut self, op: UnOp) -> PResult<Expr> {
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
    fn wrap(&mut self, ok: bool) -> PResult<Expr> {
        let start = self.bump().span;
        let a = Box::new(self.need_operand(if ok { "~" } else { "^" }, start)?);
        Ok(Expr {
            span: start.to(a.span),
            kind: if ok { ExprKind::Ok(a) } else { ExprKind::Err(a) },
        })
    }

    /// `?c a b`
    fn ternary(&mut self) -> PResult<Expr> {
        let start = self.bump().span;
        let cond = self.need_operand("?", start)?;
        if self.is(&Tok::LBrace) && !self.at_stmt_end() {
            return fail(
                self.error("ILO-P010", "a match is a statement, not a value")
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

    fn prefix_binary(&mut self, op: BinOp) -> PResult<Expr> {
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
    fn need_operand(&mut self, op: &str, op_span: Span) -> PResult<Expr> {
        if self.starts_operand() {
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
        let mut d = Diagnostic::error("ILO-P005", format!("`{op}` needs {arity}, found {found}"), t.span)
            .with_label(op_span, format!("prefix `{op}`"));
        if binop(&t.kind).is_some() && t.space_after {
            d = d.with_note(
                "a prefix operator is glued to its first operand: `+a b`; infix needs spaces on both sides: `a + b`",
            );
        }
        fail(d)
    }

    /// `.f` `.0` `.?f` after an operand.
    fn postfix(&mut self, mut e: Expr) -> PResult<Expr> {
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

const TYPE_NOTE: &str = "types: n t b _ L T, M K V, R T E, O T, F A… R, a record name, or a letter a…z";

/// Binary operators that also exist in prefix form.
fn binop(t: &Tok) -> Option<BinOp> {
    Some(match t {
        Tok::Plus => BinOp::Add,
        Tok::Minus => BinOp::Sub,
        Tok::Star => BinOp::Mul,
        Tok::Slash => BinOp::Div,
        Tok::PlusEq => BinOp::Append,
        Tok::Eq | Tok::EqEq => BinOp::Eq,
        Tok::BangEq => BinOp::Ne,
        Tok::Lt => BinOp::Lt,
        Tok::Gt => BinOp::Gt,
        Tok::Le => BinOp::Le,
        Tok::Ge => BinOp::Ge,
        Tok::Amp => BinOp::And,
        Tok::Bar => BinOp::Or,
        _ => return None,
    })
}

fn is_literal_word(n: &str) -> bool {
    matches!(n, "true" | "false" | "nil")
}

fn single_lower(name: &str) -> Option<char> {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_lowercase() => Some(c),
        _ => None,
    }
}

fn type_tag(n: &str) -> Option<TypeTag> {
    Some(match n {
        "n" => TypeTag::Num,
        "t" => TypeTag::Text,
        "b" => TypeTag::Bool,
        "l" => TypeTag::List,
        _ => return None,
    })
}

/// Comparison and logical expressions can open a braceless guard.
fn is_condition(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Binary { op, .. } => matches!(
            op,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge | BinOp::And | BinOp::Or
        ),
        ExprKind::Unary { op: UnOp::Not, .. } => true,
        ExprKind::Lit(Lit::Bool(_)) => true,
        _ => false,
    }
}

/// `!c` as a condition becomes `c` with `negated`.
fn strip_not(e: Expr) -> (Expr, bool) {
    match e.kind {
        ExprKind::Unary { op: UnOp::Not, operand } => (*operand, true),
        kind => (Expr { kind, span: e.span }, false),
    }
}

fn index_of(v: f64, span: Span) -> PResult<usize> {
    if v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 {
        Ok(v as usize)
    } else {
        fail(
            Diagnostic::error(
                "ILO-P014",
                "a list index after `.` must be a non-negative integer literal",
                span,
            )
            .with_note("for a computed index use a slice or a loop"),
        )
    }
}

mod aliases {
    use crate::diag::Diagnostic;
    use crate::front::ast::Program;

    /// Rewrites long builtin names to the short ones (filled in step 2).
    pub fn rewrite(_prog: &mut Program, _hints: &mut Vec<Diagnostic>) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Debug form of the program with every span removed, so the dense and
    /// expanded forms of a program compare equal.
    fn shape(p: &Program) -> String {
        let dbg = format!("{p:?}");
        let mut out = String::new();
        let mut rest = dbg.as_str();
        while let Some(i) = rest.find("Span { start: ") {
            out.push_str(rest.get(..i).unwrap_or(""));
            let after = rest.get(i..).unwrap_or("");
            let close = after.find('}').map(|j| j + 1).unwrap_or(after.len());
            out.push_str("Span");
            rest = after.get(close..).unwrap_or("");
        }
        out.push_str(rest);
        out
    }

    fn ok(src: &str) -> Program {
        match parse(src) {
            Ok(p) => p,
            Err(e) => panic!("{src:?} failed: {e:#?}"),
        }
    }

    fn same(a: &str, b: &str) {
        assert_eq!(shape(&ok(a)), shape(&ok(b)), "{a:?} vs {b:?}");
    }

    fn err_codes(src: &str) -> Vec<&'static str> {
        match parse(src) {
            Ok(p) => panic!("{src:?} parsed: {p:#?}"),
            Err(e) => e.into_iter().map(|d| d.code).collect(),
        }
    }

    fn first_err(src: &str) -> Diagnostic {
        match parse(src) {
            Ok(p) => panic!("{src:?} parsed: {p:#?}"),
            Err(e) => e.into_iter().next().unwrap_or_else(|| panic!("no error")),
        }
    }

    /// An S-expression rendering, to state expected trees compactly.
    fn sx(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Lit(Lit::Num(v)) => format!("{v}"),
            ExprKind::Lit(Lit::Text(s)) => format!("{s:?}"),
            ExprKind::Lit(Lit::Bool(b)) => format!("{b}"),
            ExprKind::Lit(Lit::Nil) => "nil".into(),
            ExprKind::List(xs) => format!("[{}]", xs.iter().map(sx).collect::<Vec<_>>().join(" ")),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Unary { op: UnOp::Neg, operand } => format!("(neg {})", sx(operand)),
            ExprKind::Unary { op: UnOp::Not, operand } => format!("(! {})", sx(operand)),
            ExprKind::Binary { op, lhs, rhs } => format!("({} {} {})", op.symbol(), sx(lhs), sx(rhs)),
            ExprKind::Call { func, args, unwrap } => {
                let bang = if *unwrap { "!" } else { "" };
                let args: Vec<String> = args.iter().map(sx).collect();
                format!(
                    "({}{bang}{}{})",
                    func.name,
                    if args.is_empty() { "" } else { " " },
                    args.join(" ")
                )
            }
            ExprKind::Ok(x) => format!("(~ {})", sx(x)),
            ExprKind::Err(x) => format!("(^ {})", sx(x)),
            ExprKind::Coalesce { lhs, rhs } => format!("(?? {} {})", sx(lhs), sx(rhs)),
            ExprKind::Field { target, field, safe } => {
                format!("{}.{}{}", sx(target), if *safe { "?" } else { "" }, field.name)
            }
            ExprKind::Index { target, index } => format!("{}.{index}", sx(target)),
            ExprKind::Record { ty, fields } => format!("(rec {}{})", ty.name, fields_sx(fields)),
            ExprKind::With { target, fields } => format!("(with {}{})", sx(target), fields_sx(fields)),
            ExprKind::Ternary { cond, then, els } => format!("(? {} {} {})", sx(cond), sx(then), sx(els)),
        }
    }

    fn fields_sx(fields: &[(Ident, Expr)]) -> String {
        fields.iter().map(|(n, e)| format!(" {}:{}", n.name, sx(e))).collect()
    }

    fn stmt_sx(s: &Stmt) -> String {
        let block = |b: &[Stmt]| format!("{{{}}}", b.iter().map(stmt_sx).collect::<Vec<_>>().join("; "));
        let neg = |n: &bool| if *n { "!" } else { "" };
        match &s.kind {
            StmtKind::Bind { name, value } => format!("{}={}", name.name, sx(value)),
            StmtKind::Destructure { names, value } => {
                let n: Vec<&str> = names.iter().map(|i| i.name.as_str()).collect();
                format!("{{{}}}={}", n.join(";"), sx(value))
            }
            StmtKind::Guard { cond, negated, value } => format!("guard{} {} {}", neg(negated), sx(cond), sx(value)),
            StmtKind::If {
                cond,
                negated,
                then,
                els,
            } => {
                let e = els.as_ref().map(|b| block(b)).unwrap_or_default();
                format!("if{} {} {}{}", neg(negated), sx(cond), block(then), e)
            }
            StmtKind::Match { subject, arms } => {
                let arms: Vec<String> = arms
                    .iter()
                    .map(|a| format!("{}:{}", pat_sx(&a.pat), sx(&a.body)))
                    .collect();
                format!(
                    "match {}{{{}}}",
                    subject.as_ref().map(sx).unwrap_or_default(),
                    arms.join("; ")
                )
            }
            StmtKind::ForEach { var, iter, body } => format!("each {} {} {}", var.name, sx(iter), block(body)),
            StmtKind::ForRange { var, from, to, body } => {
                format!("range {} {} {} {}", var.name, sx(from), sx(to), block(body))
            }
            StmtKind::While { cond, body } => format!("while {} {}", sx(cond), block(body)),
            StmtKind::Break => "brk".into(),
            StmtKind::Continue => "cnt".into(),
            StmtKind::Return(e) => format!("ret {}", sx(e)),
            StmtKind::Expr(e) => sx(e),
        }
    }

    fn pat_sx(p: &Pattern) -> String {
        match p {
            Pattern::Lit(l) => sx(&Expr {
                kind: ExprKind::Lit(l.clone()),
                span: Span::default(),
            }),
            Pattern::Ok(v) => format!("~{}", v.name),
            Pattern::Err(v) => format!("^{}", v.name),
            Pattern::Typed(t, v) => format!("{t:?} {}", v.name),
            Pattern::Wild => "_".into(),
        }
    }

    /// The body of the single function in `src`, one string per statement.
    fn body(src: &str) -> Vec<String> {
        let p = ok(src);
        let f = p.funcs().next().unwrap_or_else(|| panic!("no function in {src:?}"));
        f.body.iter().map(stmt_sx).collect()
    }

    /// The single expression statement `src` as the body of `f>_`.
    fn ex(src: &str) -> String {
        let b = body(&format!("f>_;{src}"));
        assert_eq!(b.len(), 1, "{src:?} gave {b:?}");
        b.into_iter().next().unwrap_or_default()
    }

    // ---- seed subset ----

    #[test]
    fn dense_and_expanded_are_the_same() {
        same(
            "tot p:n q:n r:n>n;s=*p q;t=*s r;+s t",
            "tot p:n q:n r:n > n\n  s = *p q\n  t = *s r\n  +s t\n",
        );
    }

    #[test]
    fn tot_tree() {
        let p = ok("tot p:n q:n r:n>n;s=*p q;t=*s r;+s t");
        let f = p.func("tot").unwrap_or_else(|| panic!("no tot"));
        let params: Vec<(&str, &Type)> = f.params.iter().map(|p| (p.name.name.as_str(), &p.ty)).collect();
        assert_eq!(params, vec![("p", &Type::Num), ("q", &Type::Num), ("r", &Type::Num)]);
        assert_eq!(f.ret, Type::Num);
        assert_eq!(
            body("tot p:n q:n r:n>n;s=*p q;t=*s r;+s t"),
            vec!["s=(* p q)", "t=(* s r)", "(+ s t)"]
        );
        assert_eq!(f.span, Span::new(0, 36));
        assert_eq!(f.name.span, Span::new(0, 3));
    }

    #[test]
    fn zero_param_function() {
        let p = ok("mk>n;42");
        let f = p.func("mk").unwrap_or_else(|| panic!("no mk"));
        assert!(f.params.is_empty());
        assert_eq!(body("mk>n;42"), vec!["42"]);
    }

    #[test]
    fn numbers() {
        for (src, want) in [
            ("42", "42"),
            ("-7", "-7"),
            ("3.5", "3.5"),
            ("1e3", "1000"),
            ("-2.5e-3", "-0.0025"),
        ] {
            assert_eq!(ex(src), want);
        }
    }

    #[test]
    fn minus_forms() {
        assert_eq!(ex("- 0 v"), "(- 0 v)");
        assert_eq!(ex("-n 1"), "(- n 1)");
        assert_eq!(ex("-n"), "(neg n)");
        assert_eq!(ex("+-a b c"), "(+ (- a b) c)");
        assert_eq!(ex("*a -b"), "(* a (neg b))");
        assert_eq!(ex("-1"), "-1");
    }

    #[test]
    fn prefix_nesting() {
        assert_eq!(ex("+*a b c"), "(+ (* a b) c)");
        assert_eq!(ex("*a +b c"), "(* a (+ b c))");
        assert_eq!(ex("/a b"), "(/ a b)");
    }

    #[test]
    fn dashed_names() {
        assert_eq!(ex("get-user"), "get-user");
        assert_eq!(ex("-a b"), "(- a b)");
        assert_eq!(ex("a-b"), "a-b");
    }

    #[test]
    fn calls() {
        assert_eq!(ex("f a b"), "(f a b)");
        assert_eq!(ex("fac -n 1"), "(fac (- n 1))");
        assert_eq!(ex("f (g x) y"), "(f (g x) y)");
        assert_eq!(ex("mk()"), "(mk)");
        assert_eq!(ex("x"), "x");
        assert_eq!(ex("send d.email \"hi\" msg"), "(send d.email \"hi\" msg)");
        assert_eq!(ex("(+a b)"), "(+ a b)");
    }

    #[test]
    fn comments() {
        same(
            "f x:n>n -- header\n  -- a comment line\n  +x 1 -- add one",
            "f x:n>n;+x 1",
        );
    }

    #[test]
    fn several_declarations() {
        let p = ok("a>n;1\nb x:n>n\n  *x 2\n\n-- c\nc>n;3");
        let names: Vec<&str> = p.funcs().map(|f| f.name.name.as_str()).collect();
        assert_eq!(names, vec!["a", "b", "c"]);
    }

    #[test]
    fn spans_are_precise() {
        let p = ok("f x:n>n;+x 10");
        let Some(Decl::Func(f)) = p.decls.first() else { panic!() };
        let Some(Stmt {
            kind: StmtKind::Expr(e),
            span,
        }) = f.body.first()
        else {
            panic!()
        };
        assert_eq!(*span, Span::new(8, 13));
        assert_eq!(e.span, Span::new(8, 13));
        let ExprKind::Binary { rhs, .. } = &e.kind else {
            panic!()
        };
        assert_eq!(rhs.span, Span::new(11, 13));
    }

    #[test]
    fn spec_section_4_examples() {
        assert_eq!(
            body("cls sp:n>t;>=sp 1000 \"gold\";>=sp 500 \"silver\";\"bronze\""),
            vec![
                "guard (>= sp 1000) \"gold\"",
                "guard (>= sp 500) \"silver\"",
                "\"bronze\""
            ]
        );
        assert_eq!(
            body("fac n:n>n;<=n 1 1;r=fac -n 1;*n r"),
            vec!["guard (<= n 1) 1", "r=(fac (- n 1))", "(* n r)"]
        );
        assert_eq!(
            body("fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b"),
            vec!["guard (<= n 1) n", "a=(fib (- n 1))", "b=(fib (- n 2))", "(+ a b)"]
        );
        assert_eq!(
            body("sm xs:L n>n;s=0;@x xs{s=+s x};s"),
            vec!["s=0", "each x xs {s=(+ s x)}", "s"]
        );
        assert_eq!(
            body("fst xs:L n>n;@x xs{>=x 10{ret x}};0"),
            vec!["each x xs {if (>= x 10) {ret x}}", "0"]
        );
        assert_eq!(
            body("evn>n;s=0;@i 0..7{r=mod i 2;!=r 0{cnt};s=+s i};s"),
            vec!["s=0", "range i 0 7 {r=(mod i 2); if (!= r 0) {cnt}; s=(+ s i)}", "s"]
        );
        assert_eq!(body("pos x:n>b;>x 0"), vec!["(> x 0)"]);
    }

    // ---- seed errors ----

    #[test]
    fn missing_operand() {
        let d = first_err("f x:n>n;+x");
        assert_eq!(d.code, "ILO-P005");
        assert_eq!(d.labels.first().map(|l| l.span), Some(Span::new(8, 9)));
    }

    #[test]
    fn missing_type() {
        assert_eq!(err_codes("f x>n;x"), vec!["ILO-P012"]);
        assert_eq!(err_codes("f x:>n;x"), vec!["ILO-P004"]);
    }

    #[test]
    fn missing_return_type() {
        assert_eq!(err_codes("f x:n;x"), vec!["ILO-P001"]);
        assert_eq!(err_codes("f x:n>;x"), vec!["ILO-P004"]);
    }

    #[test]
    fn empty_body() {
        assert_eq!(err_codes("f x:n>n"), vec!["ILO-P013"]);
    }

    #[test]
    fn unclosed_paren() {
        let d = first_err("f x:n>n;g (h x");
        assert_eq!(d.code, "ILO-P006");
        assert_eq!(d.labels.first().map(|l| l.span), Some(Span::new(10, 11)));
    }

    #[test]
    fn several_errors_reported() {
        assert_eq!(
            err_codes("a>n;+1\nb>n;2\nc x>n;x\nd>n;$"),
            vec!["ILO-P005", "ILO-P012", "ILO-L001"]
        );
    }

    #[test]
    fn lexer_errors_are_reported() {
        assert_eq!(err_codes("f>t;\"abc"), vec!["ILO-L002"]);
    }

    #[test]
    fn unindented_continuation() {
        let d = first_err("f x:n>n\ns=*x 2\n+s 1");
        assert_eq!(d.code, "ILO-P013");
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let src = format!("f>n;{}1{}", "(".repeat(5000), ")".repeat(5000));
        assert_eq!(err_codes(&src), vec!["ILO-P008"]);
        let src = format!("f>n;{}1 1", "+1 ".repeat(5000));
        assert_eq!(err_codes(&src), vec!["ILO-P008"]);
        let src = format!("f>n;1{}", " + 1".repeat(5000));
        assert_eq!(err_codes(&src), vec!["ILO-P008"]);
    }

    #[test]
    fn no_panic_on_garbage() {
        for src in [
            "", ">", "f", "f>", "f>n;", "(", "f>n;(", "f>n;[", "f>n;{", "f>n;}", "\"", "f>n;?", "f>n;@", "f>n;.",
            "f>n;x.", "-", "f>n;-", "type", "use",
        ] {
            let _ = parse(src);
        }
    }
}
