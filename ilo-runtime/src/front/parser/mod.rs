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

use crate::codes::parser as code;
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
        Diagnostic::error(
            code::UNEXPECTED_TOKEN,
            format!("expected {expected}, found {found}"),
            span,
        )
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
        self.error(code::TOO_DEEP, format!("nesting is deeper than {MAX_DEPTH} levels"))
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
                    return fail(self.error(code::UNEXPECTED_TOKEN, format!("`{name}` is a keyword, not a name")));
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
        Some(self.error(code::RESERVED_WORD, msg).with_suggestion(fix))
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
                code::BAD_INDEX,
                "a list index after `.` must be a non-negative integer literal",
                span,
            )
            .with_note("for a computed index use a slice or a loop"),
        )
    }
}

pub mod aliases;
mod decl;
mod expr;
mod stmt;

#[cfg(test)]
mod tests;
