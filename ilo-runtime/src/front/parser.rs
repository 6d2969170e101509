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
    aliases::rewrite(&mut prog, &mut hints);
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
                if is_literal_word(&name) || name == "with" {
                    return fail(self.error("ILO-P001", format!("`{name}` is a keyword, not a name")));
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
        } else if self.is_name("use") && self.look(1).kind != Tok::Gt && self.look(2).kind != Tok::Colon {
            return fail(
                self.error("ILO-P017", "`use` needs the path of an ilo file in double quotes")
                    .with_suggestion("use \"lib.ilo\"  or  use \"lib.ilo\" [f g]"),
            );
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
        let kind = self.stmt_kind()?;
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
    //
    // The functions on the recursive path (expr, infix, term, operand,
    // operand_inner) keep their frames small: loops and rare branches live in
    // separate functions, so deep nesting costs little stack even unoptimised.

    /// A full expression: calls, infix operators, `??`, pipes.
    fn expr(&mut self) -> PResult<Expr> {
        let lhs = self.infix(0, true)?;
        if self.is(&Tok::Pipe) && !self.at_stmt_end() {
            return self.pipes(lhs);
        }
        Ok(lhs)
    }

    /// `x>>f>>g a` is `g a (f x)`.
    #[inline(never)]
    fn pipes(&mut self, mut lhs: Expr) -> PResult<Expr> {
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
        let lhs = if calls { self.term()? } else { self.operand()? };
        match self.infix_op() {
            Some((_, prec)) if prec >= min => self.infix_rest(lhs, min, calls),
            _ => Ok(lhs),
        }
    }

    #[inline(never)]
    fn infix_rest(&mut self, mut lhs: Expr, min: u8, calls: bool) -> PResult<Expr> {
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
    fn wrap_term(&mut self) -> PResult<Expr> {
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
    fn withs(&mut self, mut e: Expr) -> PResult<Expr> {
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
    fn name_term(&mut self) -> PResult<Expr> {
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
            Tok::Bang => self.is_prefix_here(),
            k => binop(k).is_some() && self.is_prefix_here(),
        }
    }

    /// An operator token is prefix when glued to what follows and not glued
    /// to a term before it: `f a +b c` and `+*a b c` are prefix, `a+b` and
    /// `a + b` infix.
    fn is_prefix_here(&self) -> bool {
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
    fn operand(&mut self) -> PResult<Expr> {
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

    fn operand_inner(&mut self) -> PResult<Expr> {
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
    fn atom(&mut self) -> PResult<Expr> {
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
            items.push(self.infix(0, false)?);
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
        let mut d = Diagnostic::error("ILO-P005", format!("`{op}` needs {arity}, found {found}"), span)
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

/// Long builtin names accepted as aliases of the short ones (spec section 5).
pub mod aliases {
    use crate::diag::{Diagnostic, Severity};
    use crate::front::ast::*;
    use std::collections::HashSet;

    /// `(long name, builtin)`. Only call positions are rewritten, and only
    /// when the file does not declare or import a function of that name.
    pub const ALIASES: &[(&str, &str)] = &[
        ("length", "len"),
        ("size", "len"),
        ("string", "str"),
        ("tostr", "str"),
        ("number", "num"),
        ("tonum", "num"),
        ("absolute", "abs"),
        ("minimum", "min"),
        ("maximum", "max"),
        ("floor", "flr"),
        ("ceil", "cel"),
        ("ceiling", "cel"),
        ("round", "rou"),
        ("modulo", "mod"),
        ("rem", "mod"),
        ("total", "sum"),
        ("average", "avg"),
        ("mean", "avg"),
        ("head", "hd"),
        ("first", "hd"),
        ("tail", "tl"),
        ("rest", "tl"),
        ("reverse", "rev"),
        ("sort", "srt"),
        ("sorted", "srt"),
        ("unique", "unq"),
        ("uniq", "unq"),
        ("dedup", "unq"),
        ("flatten", "flat"),
        ("slice", "slc"),
        ("contains", "has"),
        ("includes", "has"),
        ("split", "spl"),
        ("join", "cat"),
        ("trim", "trm"),
        ("strip", "trm"),
        ("format", "fmt"),
        ("filter", "flt"),
        ("fold", "fld"),
        ("reduce", "fld"),
        ("group", "grp"),
        ("group-by", "grp"),
        ("groupby", "grp"),
        ("newmap", "mmap"),
        ("map-get", "mget"),
        ("map-set", "mset"),
        ("map-has", "mhas"),
        ("map-del", "mdel"),
        ("keys", "mkeys"),
        ("values", "mvals"),
        ("vals", "mvals"),
        ("json-dump", "jdmp"),
        ("to-json", "jdmp"),
        ("json-parse", "jpar"),
        ("from-json", "jpar"),
        ("json-path", "jpth"),
        ("read", "rd"),
        ("read-file", "rd"),
        ("readlines", "rdl"),
        ("read-lines", "rdl"),
        ("write", "wr"),
        ("write-file", "wr"),
        ("writelines", "wrl"),
        ("write-lines", "wrl"),
        ("getenv", "env"),
        ("print", "prnt"),
        ("println", "prnt"),
        ("time", "now"),
        ("random", "rnd"),
        ("rand", "rnd"),
        ("regex", "rgx"),
    ];

    /// The builtin a long name stands for.
    pub fn builtin_for(name: &str) -> Option<&'static str> {
        ALIASES.iter().find(|(long, _)| *long == name).map(|(_, short)| *short)
    }

    /// Rewrites aliased calls in place, adding one ILO-P021 hint per rewrite.
    pub fn rewrite(prog: &mut Program, hints: &mut Vec<Diagnostic>) {
        let declared: HashSet<String> = prog
            .decls
            .iter()
            .flat_map(|d| match d {
                Decl::Func(f) => vec![f.name.name.clone()],
                Decl::Type(t) => vec![t.name.name.clone()],
                Decl::Use(u) => u.names.iter().flatten().map(|i| i.name.clone()).collect(),
            })
            .collect();
        let mut fix = |e: &mut Expr| {
            let ExprKind::Call { func, .. } = &mut e.kind else {
                return;
            };
            let Some(short) = builtin_for(&func.name) else { return };
            if declared.contains(&func.name) {
                return;
            }
            let mut d = Diagnostic::error(
                "ILO-P021",
                format!("`{}` is written `{short}` in ilo", func.name),
                func.span,
            )
            .with_suggestion(short);
            d.severity = Severity::Hint;
            hints.push(d);
            func.name = short.to_string();
        };
        for d in &mut prog.decls {
            if let Decl::Func(f) = d {
                walk_stmts(&mut f.body, &mut fix);
            }
        }
    }

    /// Calls `f` on every expression under `stmts`, outermost first.
    pub fn walk_stmts(stmts: &mut [Stmt], f: &mut impl FnMut(&mut Expr)) {
        for s in stmts {
            walk_stmt(s, f);
        }
    }

    fn walk_stmt(s: &mut Stmt, f: &mut impl FnMut(&mut Expr)) {
        match &mut s.kind {
            StmtKind::Bind { value, .. } | StmtKind::Destructure { value, .. } | StmtKind::Return(value) => {
                walk_expr(value, f)
            }
            StmtKind::Expr(e) => walk_expr(e, f),
            StmtKind::Guard { cond, value, .. } => {
                walk_expr(cond, f);
                walk_expr(value, f);
            }
            StmtKind::If { cond, then, els, .. } => {
                walk_expr(cond, f);
                walk_stmts(then, f);
                if let Some(els) = els {
                    walk_stmts(els, f);
                }
            }
            StmtKind::Match { subject, arms } => {
                if let Some(subject) = subject {
                    walk_expr(subject, f);
                }
                for arm in arms {
                    walk_expr(&mut arm.body, f);
                }
            }
            StmtKind::ForEach { iter, body, .. } => {
                walk_expr(iter, f);
                walk_stmts(body, f);
            }
            StmtKind::ForRange { from, to, body, .. } => {
                walk_expr(from, f);
                walk_expr(to, f);
                walk_stmts(body, f);
            }
            StmtKind::While { cond, body } => {
                walk_expr(cond, f);
                walk_stmts(body, f);
            }
            StmtKind::Break | StmtKind::Continue => {}
        }
    }

    fn walk_expr(e: &mut Expr, f: &mut impl FnMut(&mut Expr)) {
        f(e);
        match &mut e.kind {
            ExprKind::Lit(_) | ExprKind::Name(_) => {}
            ExprKind::List(xs) | ExprKind::Call { args: xs, .. } => xs.iter_mut().for_each(|x| walk_expr(x, f)),
            ExprKind::Unary { operand: x, .. }
            | ExprKind::Ok(x)
            | ExprKind::Err(x)
            | ExprKind::Field { target: x, .. }
            | ExprKind::Index { target: x, .. } => walk_expr(x, f),
            ExprKind::Binary { lhs, rhs, .. } | ExprKind::Coalesce { lhs, rhs } => {
                walk_expr(lhs, f);
                walk_expr(rhs, f);
            }
            ExprKind::Record { fields, .. } => fields.iter_mut().for_each(|(_, x)| walk_expr(x, f)),
            ExprKind::With { target, fields } => {
                walk_expr(target, f);
                fields.iter_mut().for_each(|(_, x)| walk_expr(x, f));
            }
            ExprKind::Ternary { cond, then, els } => {
                walk_expr(cond, f);
                walk_expr(then, f);
                walk_expr(els, f);
            }
        }
    }
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
        // An operator glued to the previous operand still starts the next one.
        assert_eq!(ex("+x*x 2"), "(+ x (* x 2))");
        assert_eq!(ex("*a+b c"), "(* a (+ b c))");
        assert_eq!(ex("+a/b c"), "(+ a (/ b c))");
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
    fn nesting_just_below_the_limit_parses() {
        let d = MAX_DEPTH - 1;
        ok(&format!("f>n;{}1{}", "(".repeat(d), ")".repeat(d)));
        ok(&format!("f>n;{}1", "+1 ".repeat(d)));
        ok(&format!("f>n;{}1", "~".repeat(d)));
        ok(&format!("f x:{}n>n;1", "L ".repeat(d - 1)));
    }

    #[test]
    fn keywords_are_not_names() {
        assert_eq!(err_codes("f>n;true=1;1"), vec!["ILO-P001"]);
        assert_eq!(err_codes("f with:n>n;1"), vec!["ILO-P001"]);
    }

    /// Random token soup: the parser must return, never panic.
    #[test]
    fn random_input_never_panics() {
        let pieces = [
            "f", "x", "n", "L", ">", "<", "=", "==", "!", "!=", "+", "-", "*", "/", "+=", "&", "|", "~", "^", "?",
            "??", ".", ".?", "..", ">>", "@", ":", ";", ",", "(", ")", "[", "]", "{", "}", "_", "1", "-2", "\"s\"",
            " ", " ", " ", "\n", "\n  ", "type", "use", "wh", "ret", "brk", "with", "if", "0.5", "--c\n",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut src = String::new();
            let len = (seed >> 60) as usize + 4;
            for _ in 0..len * 3 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                src.push_str(pieces.get((seed % pieces.len() as u64) as usize).copied().unwrap_or(""));
            }
            let _ = parse_with_hints(&src);
        }
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

    // ---- section 1: programs and declarations ----

    fn hints(src: &str) -> Vec<(&'static str, String)> {
        let (r, hints) = parse_with_hints(src);
        assert!(r.is_ok(), "{src:?}: {r:?}");
        hints
            .into_iter()
            .map(|d| (d.code, d.suggestion.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn type_declaration() {
        let p = ok("type pt{x:n;y:n}\ntype usr{name:t;tags:L t;ok:b}");
        let Some(Decl::Type(t)) = p.decls.first() else {
            panic!("{p:?}")
        };
        assert_eq!(t.name.name, "pt");
        let fields: Vec<(&str, &Type)> = t.fields.iter().map(|f| (f.name.name.as_str(), &f.ty)).collect();
        assert_eq!(fields, vec![("x", &Type::Num), ("y", &Type::Num)]);
        let Some(Decl::Type(u)) = p.decls.get(1) else { panic!() };
        assert_eq!(u.fields.get(1).map(|f| &f.ty), Some(&Type::List(Box::new(Type::Text))));
        same("type pt{x:n;y:n}", "type pt{\n  x:n\n  y:n\n}");
    }

    #[test]
    fn use_declarations() {
        let p = ok("use \"lib/util.ilo\"\nuse \"m.ilo\" [a get-user]\nf>n;1");
        let uses: Vec<(String, Option<Vec<String>>)> = p
            .decls
            .iter()
            .filter_map(|d| match d {
                Decl::Use(u) => Some((
                    u.path.clone(),
                    u.names.as_ref().map(|n| n.iter().map(|i| i.name.clone()).collect()),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            uses,
            vec![
                ("lib/util.ilo".to_string(), None),
                ("m.ilo".to_string(), Some(vec!["a".to_string(), "get-user".to_string()]))
            ]
        );
        assert_eq!(err_codes("use util"), vec!["ILO-P017"]);
    }

    #[test]
    fn names() {
        assert_eq!(ex("get-user"), "get-user");
        assert_eq!(ex("wh-sum"), "wh-sum");
        assert_eq!(ex("x2"), "x2");
        assert_eq!(ex("-a b"), "(- a b)");
        assert_eq!(body("get-user id:n>n;id"), vec!["id"]);
    }

    #[test]
    fn reserved_words() {
        for (src, word) in [
            ("f x:n>n;if >x 0{1}", "`if`"),
            ("f x:n>n;return x", "`return`"),
            ("f x:n>n;let y=x;y", "bindings"),
            ("f x:n>n;var y=x;y", "bindings"),
            ("f x:n>n;const y=x;y", "bindings"),
            ("fn f x:n>n;x", "functions"),
            ("def f x:n>n;x", "functions"),
        ] {
            let d = first_err(src);
            assert_eq!(d.code, "ILO-P007", "{src}");
            assert!(d.message.contains(word), "{src}: {}", d.message);
            assert!(d.suggestion.is_some());
        }
        assert!(first_err("f>n;if").message.contains("use a guard `cond{…}`"));
        assert_eq!(first_err("f x:n>n;+x if").code, "ILO-P007");
        assert_eq!(first_err("f if:n>n;1").code, "ILO-P007");
    }

    // ---- section 2: types ----

    fn param_ty(ty: &str) -> Type {
        let p = ok(&format!("f a:{ty}>n;1"));
        let f = p.func("f").unwrap_or_else(|| panic!("no f"));
        f.params
            .first()
            .map(|p| p.ty.clone())
            .unwrap_or_else(|| panic!("no param"))
    }

    fn bx(t: Type) -> Box<Type> {
        Box::new(t)
    }

    #[test]
    fn types() {
        assert_eq!(param_ty("n"), Type::Num);
        assert_eq!(param_ty("t"), Type::Text);
        assert_eq!(param_ty("b"), Type::Bool);
        assert_eq!(param_ty("_"), Type::Any);
        assert_eq!(param_ty("L n"), Type::List(bx(Type::Num)));
        assert_eq!(param_ty("M t n"), Type::Map(bx(Type::Text), bx(Type::Num)));
        assert_eq!(param_ty("R n t"), Type::Result(bx(Type::Num), bx(Type::Text)));
        assert_eq!(param_ty("O n"), Type::Opt(bx(Type::Num)));
        assert_eq!(param_ty("F n n"), Type::Func(vec![Type::Num], bx(Type::Num)));
        assert_eq!(
            param_ty("F n t b"),
            Type::Func(vec![Type::Num, Type::Text], bx(Type::Bool))
        );
        assert_eq!(param_ty("pt"), Type::Named("pt".into()));
        assert_eq!(param_ty("a"), Type::Var('a'));
        assert_eq!(param_ty("z"), Type::Var('z'));
    }

    #[test]
    fn nested_types() {
        assert_eq!(param_ty("L L n"), Type::List(bx(Type::List(bx(Type::Num)))));
        assert_eq!(
            param_ty("R L t t"),
            Type::Result(bx(Type::List(bx(Type::Text))), bx(Type::Text))
        );
        assert_eq!(
            param_ty("M t L n"),
            Type::Map(bx(Type::Text), bx(Type::List(bx(Type::Num))))
        );
        assert_eq!(
            param_ty("R (L n) t"),
            Type::Result(bx(Type::List(bx(Type::Num))), bx(Type::Text))
        );
        assert_eq!(
            param_ty("L (F n n)"),
            Type::List(bx(Type::Func(vec![Type::Num], bx(Type::Num))))
        );
    }

    #[test]
    fn func_type_stops_at_next_param_and_return() {
        let p = ok("ap f:F n n xs:L n>L n;map f xs");
        let f = p.func("ap").unwrap_or_else(|| panic!());
        assert_eq!(f.params.len(), 2);
        assert_eq!(f.ret, Type::List(bx(Type::Num)));
        let p = ok("mk>F n n\n  dbl");
        assert_eq!(
            p.func("mk").map(|f| f.ret.clone()),
            Some(Type::Func(vec![Type::Num], bx(Type::Num)))
        );
    }

    #[test]
    fn type_errors() {
        assert_eq!(err_codes("f a:L>n;1"), vec!["ILO-P004"]);
        assert_eq!(err_codes("f a:(L n>n;1"), vec!["ILO-P006"]);
        assert_eq!(err_codes("f a:F>n;1"), vec!["ILO-P001"]);
        assert_eq!(err_codes("f a:1>n;1"), vec!["ILO-P004"]);
    }

    // ---- section 3: expressions ----

    #[test]
    fn literals() {
        assert_eq!(ex(r#""a\tb\n\"q\"\\""#), "\"a\\tb\\n\\\"q\\\"\\\\\"");
        assert_eq!(ex("true"), "true");
        assert_eq!(ex("false"), "false");
        assert_eq!(ex("nil"), "nil");
        assert_eq!(ex("[1 2 3]"), "[1 2 3]");
        assert_eq!(ex("[1, 2, 3]"), "[1 2 3]");
        assert_eq!(ex("[]"), "[]");
        assert_eq!(ex("[-1 +a b x.0]"), "[-1 (+ a b) x.0]");
        assert_eq!(ex("[x + 1, y]"), "[(+ x 1) y]");
        assert_eq!(ex("[\n  1\n  2\n]"), "[1 2]");
    }

    #[test]
    fn prefix_operator_table() {
        for (src, want) in [
            ("+a b", "(+ a b)"),
            ("-a b", "(- a b)"),
            ("*a b", "(* a b)"),
            ("/a b", "(/ a b)"),
            ("+=xs v", "(+= xs v)"),
            ("=a b", "(= a b)"),
            ("!=a b", "(!= a b)"),
            ("==a b", "(= a b)"),
            ("<a b", "(< a b)"),
            (">a b", "(> a b)"),
            ("<=a b", "(<= a b)"),
            (">=a b", "(>= a b)"),
            ("&a b", "(& a b)"),
            ("|a b", "(| a b)"),
            ("-a", "(neg a)"),
            ("!a", "(! a)"),
            ("/1 0", "(/ 1 0)"),
            (">=+x y 100", "(>= (+ x y) 100)"),
        ] {
            assert_eq!(ex(src), want, "{src}");
        }
    }

    #[test]
    fn prefix_operands_are_atoms() {
        assert_eq!(ex("+a.b xs.0"), "(+ a.b xs.0)");
        assert_eq!(ex("*(f x) 2"), "(* (f x) 2)");
        assert_eq!(ex("+!a b"), "(+ (! a) b)");
    }

    #[test]
    fn infix_precedence() {
        for (src, want) in [
            ("a + b * c", "(+ a (* b c))"),
            ("(x + y) * 2", "(* (+ x y) 2)"),
            ("a == b", "(= a b)"),
            ("a >= b & c", "(& (>= a b) c)"),
            ("a | b & c", "(| a (& b c))"),
            ("(a = b < c)", "(= a (< b c))"),
            ("a - b - c", "(- (- a b) c)"),
            ("a / b * c", "(* (/ a b) c)"),
            ("xs += 1 * 2", "(+= xs (* 1 2))"),
            ("xs += 1 + 2", "(+ (+= xs 1) 2)"),
            ("a != b | c", "(| (!= a b) c)"),
            ("f a + b", "(+ (f a) b)"),
            ("a+b", "(+ a b)"),
            ("a-1", "(- a 1)"),
            ("x*2+1", "(+ (* x 2) 1)"),
            ("a + *b c", "(+ a (* b c))"),
        ] {
            assert_eq!(ex(src), want, "{src}");
        }
    }

    #[test]
    fn call_forms() {
        assert_eq!(ex("fac -n 1"), "(fac (- n 1))");
        assert_eq!(ex("send d.email \"hi\" msg"), "(send d.email \"hi\" msg)");
        assert_eq!(ex("f (g x) y"), "(f (g x) y)");
        assert_eq!(ex("mk()"), "(mk)");
        assert_eq!(ex("f! a b"), "(f! a b)");
        assert_eq!(ex("num! s"), "(num! s)");
        assert_eq!(ex("mk!()"), "(mk!)");
        assert_eq!(ex("f a +b c"), "(f a (+ b c))");
        assert_eq!(ex("f !x"), "(f (! x))");
        assert_eq!(ex("map dbl xs"), "(map dbl xs)");
        assert_eq!(ex("f(x)"), "(f x)");
    }

    #[test]
    fn other_expressions() {
        for (src, want) in [
            ("~e", "(~ e)"),
            ("^e", "(^ e)"),
            ("^\"bad\"", "(^ \"bad\")"),
            ("~fac n", "(~ (fac n))"),
            ("f ~x ^y", "(f (~ x) (^ y))"),
            ("a??b", "(?? a b)"),
            ("mget m k??0", "(?? (mget m k) 0)"),
            ("a ?? b ?? c", "(?? (?? a b) c)"),
            ("x.f", "x.f"),
            ("x.0", "x.0"),
            ("x.0.1", "x.0.1"),
            ("x.a.b", "x.a.b"),
            ("x.?f", "x.?f"),
            ("x.?f.?g??0", "(?? x.?f.?g 0)"),
            ("x>>f>>g a", "(g a (f x))"),
            ("x >> f! >> g", "(g (f! x))"),
            ("+a b>>str", "(str (+ a b))"),
            ("pt x:1 y:2", "(rec pt x:1 y:2)"),
            ("pt x:+a b y:p.y", "(rec pt x:(+ a b) y:p.y)"),
            ("p with x:5", "(with p x:5)"),
            ("p with x:5 y:-1", "(with p x:5 y:-1)"),
            ("?c a b", "(? c a b)"),
            ("?>x 0 \"pos\" \"neg\"", "(? (> x 0) \"pos\" \"neg\")"),
        ] {
            assert_eq!(ex(src), want, "{src}");
        }
        assert_eq!(body("f>n;r=?>x 0 1 2;r"), vec!["r=(? (> x 0) 1 2)", "r"]);
    }

    #[test]
    fn expression_spans() {
        let p = ok("f>n;x.a.b");
        let Some(Decl::Func(f)) = p.decls.first() else { panic!() };
        let Some(Stmt {
            kind: StmtKind::Expr(e),
            ..
        }) = f.body.first()
        else {
            panic!()
        };
        assert_eq!(e.span, Span::new(4, 9));
        let p = ok("f>n;x>>g a");
        let Some(Decl::Func(f)) = p.decls.first() else { panic!() };
        let Some(Stmt {
            kind: StmtKind::Expr(e),
            ..
        }) = f.body.first()
        else {
            panic!()
        };
        assert_eq!(e.span, Span::new(4, 10));
    }

    #[test]
    fn expression_errors() {
        assert_eq!(err_codes("f>n;x."), vec!["ILO-P001"]);
        assert_eq!(err_codes("f>n;x.-1"), vec!["ILO-P014"]);
        assert_eq!(ex("x.1.5"), "x.1.5");
        assert_eq!(err_codes("f>n;x.?0"), vec!["ILO-P001"]);
        assert_eq!(err_codes("f>n;f(a, b)"), vec!["ILO-P015"]);
        assert_eq!(err_codes("f>n;()"), vec!["ILO-P001"]);
        assert_eq!(err_codes("f>n;[1 2"), vec!["ILO-P006"]);
        assert_eq!(err_codes("f>n;?a b"), vec!["ILO-P005"]);
        assert_eq!(err_codes("f>n;x=?y{1:2}"), vec!["ILO-P010"]);
        assert_eq!(err_codes("f>n;p with"), vec!["ILO-P001"]);
        assert_eq!(err_codes("f>n;pt x:"), vec!["ILO-P001"]);
        assert_eq!(err_codes("f>n;x>>1"), vec!["ILO-P001"]);
        assert_eq!(err_codes("f>n;\"a\" \"b\""), vec!["ILO-P001"]);
        assert_eq!(err_codes("f>n;.5"), vec!["ILO-P001"]);
        let d = first_err("f>n;*a + b");
        assert_eq!(d.code, "ILO-P005");
        assert!(!d.notes.is_empty());
    }

    // ---- section 4: statements ----

    #[test]
    fn statement_table() {
        assert_eq!(body("f>n;x=1;x"), vec!["x=1", "x"]);
        assert_eq!(body("f>n;x = f a b;x"), vec!["x=(f a b)", "x"]);
        assert_eq!(body("f>n;{a;b}=rec;a"), vec!["{a;b}=rec", "a"]);
        assert_eq!(body("f>n;{a b}=f x;a"), vec!["{a;b}=(f x)", "a"]);
        assert_eq!(body("f>n;>x 0 1;2"), vec!["guard (> x 0) 1", "2"]);
        assert_eq!(body("f>n;!>x 0 1;2"), vec!["guard! (> x 0) 1", "2"]);
        assert_eq!(body("f>n;!ok 1;2"), vec!["guard! ok 1", "2"]);
        assert_eq!(body("f>n;>x 0{y=1};2"), vec!["if (> x 0) {y=1}", "2"]);
        assert_eq!(body("f>n;>x 0{1}{2}"), vec!["if (> x 0) {1}{2}"]);
        assert_eq!(body("f>n;!>x 0{1}"), vec!["if! (> x 0) {1}"]);
        assert_eq!(body("f>n;ok{1}"), vec!["if ok {1}"]);
        assert_eq!(body("f>n;has xs 1{1}"), vec!["if (has xs 1) {1}"]);
        assert_eq!(body("f>n;?x{1:2}"), vec!["match x{1:2}"]);
        assert_eq!(body("f>n;g 1;?{_:2}"), vec!["(g 1)", "match {_:2}"]);
        assert_eq!(body("f>n;@x xs{g x}"), vec!["each x xs {(g x)}"]);
        assert_eq!(body("f>n;@i 0..n{g i}"), vec!["range i 0 n {(g i)}"]);
        assert_eq!(body("f>n;@i 1..len xs{g i}"), vec!["range i 1 (len xs) {(g i)}"]);
        assert_eq!(body("f>n;wh <i 10{i=+i 1}"), vec!["while (< i 10) {i=(+ i 1)}"]);
        assert_eq!(body("f>n;wh 1{brk;cnt}"), vec!["while 1 {brk; cnt}"]);
        assert_eq!(body("f>n;ret +a 1"), vec!["ret (+ a 1)"]);
        assert_eq!(body("f>n;ret"), vec!["ret nil"]);
    }

    #[test]
    fn guards_and_values() {
        assert_eq!(body("pos x:n>b;>x 0"), vec!["(> x 0)"]);
        assert_eq!(body("f>n;x > 0 \"pos\";0"), vec!["guard (> x 0) \"pos\"", "0"]);
        assert_eq!(body("f>n;>=x 0 fac x;0"), vec!["guard (>= x 0) (fac x)", "0"]);
        assert_eq!(
            body("f>n;@x xs{=x 0 brk;=x 1 cnt};0"),
            vec!["each x xs {if (= x 0) {brk}; if (= x 1) {cnt}}", "0"]
        );
        assert_eq!(body("f>n;&a b 1;0"), vec!["guard (& a b) 1", "0"]);
    }

    #[test]
    fn match_arms() {
        let src = "f>n;?x{42:a;-1:b;\"gold\":c;true:d;nil:e;~v:v;^e:e;n v:v;t v:v;b v:v;l v:v;_:0}";
        assert_eq!(
            body(src),
            vec![
                "match x{42:a; -1:b; \"gold\":c; true:d; nil:e; ~v:v; ^e:e; Num v:v; Text v:v; Bool v:v; List v:v; _:0}"
            ]
        );
        same(src, "f>n\n  ?x{\n    42:a\n    -1:b\n    \"gold\":c;true:d\n    nil:e;~v:v;^e:e\n    n v:v;t v:v;b v:v;l v:v\n    _:0\n  }");
        assert_eq!(body("f>n;?r{~v:+v 1;^e:0}"), vec!["match r{~v:(+ v 1); ^e:0}"]);
        assert_eq!(body("f>n;?r.s{~_:1;_:0}"), vec!["match r.s{~_:1; _:0}"]);
        assert_eq!(err_codes("f>n;?x{x:1}"), vec!["ILO-P011"]);
        assert_eq!(err_codes("f>n;?x{1 2}"), vec!["ILO-P001"]);
        assert_eq!(err_codes("f>n;?x{1:2"), vec!["ILO-P006"]);
    }

    #[test]
    fn expanded_blocks() {
        same(
            "cls sp:n>t;>=sp 1000{\"gold\"}{\"other\"};@x xs{s=+s x};\"bronze\"",
            "cls sp:n > t\n  >=sp 1000{\n    \"gold\"\n  }{\n    \"other\"\n  }\n  @x xs{\n    s = +s x\n}\n  \"bronze\"",
        );
    }

    #[test]
    fn statement_errors() {
        assert_eq!(err_codes("f>n;x=>a 0{1}{2}"), vec!["ILO-P010"]);
        assert_eq!(err_codes("f>n;{a;b}"), vec!["ILO-P016"]);
        assert_eq!(err_codes("f>n;{1}=x"), vec!["ILO-P016"]);
        assert_eq!(err_codes("f>n;@x xs"), vec!["ILO-P001"]);
        assert_eq!(err_codes("f>n;@ xs{1}"), vec!["ILO-P001"]);
        assert_eq!(err_codes("f>n;>x 0{1"), vec!["ILO-P006"]);
        assert_eq!(err_codes("f>n;1}"), vec!["ILO-P001"]);
        assert_eq!(err_codes("f>n;wh x"), vec!["ILO-P001"]);
    }

    #[test]
    fn documented_decisions() {
        assert_eq!(body("f>n;wh=1;wh"), vec!["wh=1", "wh"]);
        assert_eq!(ex("> >a b c"), "(> (> a b) c)");
        assert_eq!(ex("+(a??0) 1"), "(+ (?? a 0) 1)");
        assert_eq!(ex("(f a) with x:5"), "(with (f a) x:5)");
        assert_eq!(ex("f -x y"), "(f (- x y))");
        assert_eq!(ex("[(f x) y]"), "[(f x) y]");
        assert_eq!(ex("[a b]"), "[a b]");
        assert_eq!(ex("f (=a b)"), "(f (= a b))");
        assert_eq!(body("f>n;x --a\n  1"), vec!["x", "1"]);
        assert_eq!(body("f>n;{a, b}=r;a"), vec!["{a;b}=r", "a"]);
        assert_eq!(body("f>n;?x{n _:1;_:0}"), vec!["match x{Num _:1; _:0}"]);
        assert_eq!(body("f>n;?(g x){_:0}"), vec!["match (g x){_:0}"]);
        assert_eq!(body("f>n;true 1;0"), vec!["guard true 1", "0"]);
    }

    // ---- hints ----

    #[test]
    fn eqeq_hint() {
        assert_eq!(hints("f>b;a == b"), vec![("ILO-P020", "=".to_string())]);
        assert_eq!(hints("f>b;==a b"), vec![("ILO-P020", "=".to_string())]);
        assert_eq!(hints("f>b;?==a b 1 2"), vec![("ILO-P020", "=".to_string())]);
        assert!(hints("f>b;=a b").is_empty());
    }

    #[test]
    fn long_builtin_names() {
        assert_eq!(body("f xs:L n>n;length xs"), vec!["(len xs)"]);
        assert_eq!(body("f xs:L n>L n;filter pos xs>>reverse"), vec!["(rev (flt pos xs))"]);
        assert_eq!(hints("f x:n>n;floor x"), vec![("ILO-P021", "flr".to_string())]);
        // A declared function of that name is not an alias.
        assert_eq!(body("length x:n>n;x\nf>n;length 1").len(), 1);
        assert!(hints("length x:n>n;x\nf>n;length 1").is_empty());
        // Variables are not rewritten.
        assert_eq!(body("f>n;length=1;length"), vec!["length=1", "length"]);
    }
}
