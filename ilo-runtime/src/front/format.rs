//! The formatter: an AST back to source text, in the dense or the expanded
//! form (spec sections 1 and 8, `--dense` / `--expanded`).
//!
//! * [`dense`] writes each declaration on one line, statements joined by `;`,
//!   with prefix operators and as few spaces as the syntax allows:
//!   `tot p:n q:n r:n>n;s=*p q;t=*s r;+s t`.
//! * [`expanded`] writes the header `tot p:n q:n r:n > n`, then one statement
//!   a line indented by two spaces, nested blocks (`{…}` of conditionals,
//!   loops and matches) indented further, and a blank line between
//!   declarations.
//!
//! Both are canonical: for any AST the parser produces, `parse(dense(p))`
//! and `parse(expanded(p))` equal `p` up to spans, so formatting is
//! idempotent. Canonical means: prefix operators (never infix), no pipes
//! (the parser has already turned `x>>f` into `f x`), short builtin names
//! (the parser has already rewritten long aliases), `ret` for `ret nil`,
//! numbers in their shortest form that reads back to the same f64 (`1e21`,
//! `0.1`, `-2.5e-3`; a literal is always finite, ILO-L006 refuses one too
//! large for f64), texts with the escapes `\t \n \r \" \\`.
//! Parentheses appear only where the grammar needs them (a call as an
//! argument, `(-a) b` where `-a b` would subtract, `+(=a b) c` where `+=`
//! would lex as one token, …).
//!
//! **Comments are not preserved**: they are not part of the AST.
//!
//! ASTs the parser cannot produce (a record with no fields, a guard whose
//! condition is no comparison, `nan` as a literal) still print, but may read
//! back differently.

use crate::front::ast::*;

/// The dense form: one line per declaration.
pub fn dense(p: &Program) -> String {
    let mut out = String::new();
    for d in &p.decls {
        out.push_str(&decl(d, Mode::Dense));
        out.push('\n');
    }
    out
}

/// The expanded form: indented, one statement a line.
pub fn expanded(p: &Program) -> String {
    let parts: Vec<String> = p
        .decls
        .iter()
        .map(|d| {
            let mut s = decl(d, Mode::Expanded);
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s
        })
        .collect();
    parts.join("\n")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Dense,
    Expanded,
}

/// Where an expression is printed, from the tightest position to the
/// loosest: a call argument or prefix operand, a term (a call, a record,
/// `~f x`, `with`), a full expression (`a??b`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Operand,
    Term,
    Expr,
}

const INDENT: &str = "  ";

// ---- declarations ----

fn decl(d: &Decl, mode: Mode) -> String {
    match d {
        Decl::Func(f) => func(f, mode),
        Decl::Type(t) => {
            let fields: Vec<String> = t.fields.iter().map(param).collect();
            format!("type {}{{{}}}", t.name.name, fields.join(";"))
        }
        Decl::Use(u) => {
            let mut s = format!("use {}", text_lit(&u.path));
            if let Some(names) = &u.names {
                let names: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
                s.push_str(&format!(" [{}]", names.join(" ")));
            }
            s
        }
    }
}

fn func(f: &FuncDecl, mode: Mode) -> String {
    let mut s = f.name.name.clone();
    for p in &f.params {
        s.push(' ');
        s.push_str(&param(p));
    }
    match mode {
        Mode::Dense => {
            s.push('>');
            s.push_str(&ty(&f.ret, true));
            s.push(';');
            s.push_str(&dense_stmts(&f.body));
            s
        }
        Mode::Expanded => {
            s.push_str(" > ");
            s.push_str(&ty(&f.ret, true));
            s.push('\n');
            s.push_str(&expanded_stmts(&f.body, 1));
            s
        }
    }
}

/// `name:type`. The type is followed by `>`, `;`, `}` or the next `name:`,
/// all of which end an `F` type.
fn param(p: &Param) -> String {
    format!("{}:{}", p.name.name, ty(&p.ty, true))
}

// ---- types ----

/// One expression as the dense form writes it (`+a b`, `f (g x) y`), for
/// messages and suggestions.
pub fn expr_text(e: &Expr) -> String {
    expr(e, Level::Expr, false)
}

/// One statement as the dense form writes it (`x=+a 1`, `>x 0{ret 1}`).
pub fn stmt_text(s: &Stmt) -> String {
    stmt(s, Mode::Dense, 0)
}

/// A type as ilo writes it: `L n`, `M t (O n)`, `F n n`.
pub fn type_text(t: &Type) -> String {
    ty(t, true)
}

/// `last`: the type ends its list, so an `F` type needs no parentheses
/// (`F` takes every following type of the list).
fn ty(t: &Type, last: bool) -> String {
    match t {
        Type::Num => "n".to_string(),
        Type::Text => "t".to_string(),
        Type::Bool => "b".to_string(),
        Type::Any => "_".to_string(),
        Type::Named(n) => n.clone(),
        Type::Var(c) => c.to_string(),
        Type::List(e) => format!("L {}", ty(e, last)),
        Type::Opt(e) => format!("O {}", ty(e, last)),
        Type::Map(k, v) => format!("M {} {}", ty(k, false), ty(v, last)),
        Type::Result(o, e) => format!("R {} {}", ty(o, false), ty(e, last)),
        Type::Func(params, ret) => {
            let mut s = "F".to_string();
            for p in params {
                s.push(' ');
                s.push_str(&ty(p, false));
            }
            s.push(' ');
            s.push_str(&ty(ret, true));
            if last {
                s
            } else {
                format!("({s})")
            }
        }
    }
}

// ---- statements ----

fn dense_stmts(stmts: &[Stmt]) -> String {
    let parts: Vec<String> = stmts.iter().map(|s| stmt(s, Mode::Dense, 0)).collect();
    parts.join(";")
}

/// Each statement on its own line at `depth` levels of indentation.
fn expanded_stmts(stmts: &[Stmt], depth: usize) -> String {
    let mut out = String::new();
    for s in stmts {
        out.push_str(&INDENT.repeat(depth));
        out.push_str(&stmt(s, Mode::Expanded, depth));
        out.push('\n');
    }
    out
}

/// `{a;b}` (dense) or `{`, the statements one level deeper, `}` (expanded).
fn block(stmts: &[Stmt], mode: Mode, depth: usize) -> String {
    match mode {
        Mode::Dense => format!("{{{}}}", dense_stmts(stmts)),
        Mode::Expanded if stmts.is_empty() => " {}".to_string(),
        Mode::Expanded => format!(" {{\n{}{}}}", expanded_stmts(stmts, depth + 1), INDENT.repeat(depth)),
    }
}

/// The statement at `depth` (its own indentation is the caller's).
fn stmt(s: &Stmt, mode: Mode, depth: usize) -> String {
    let eq = match mode {
        Mode::Dense => "=",
        Mode::Expanded => " = ",
    };
    match &s.kind {
        StmtKind::Bind { name, value } => format!("{}{}", name.name, bind_value(eq, value)),
        StmtKind::Destructure { names, value } => {
            let names: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
            format!("{{{}}}{}", names.join(";"), bind_value(eq, value))
        }
        StmtKind::Guard {
            cond: c,
            negated,
            value,
        } => {
            let mut v = expr(value, Level::Expr, false);
            // `=x 0 brk` would read as the braced `=x 0{brk}`, and
            // `true =a b` as a binding of `true`.
            if matches!(first_word(&v), "brk" | "cnt" | "ret") || v.starts_with('=') {
                v = paren(&v);
            }
            format!("{} {}", cond(c, *negated, true), v)
        }
        StmtKind::If {
            cond: c,
            negated,
            then,
            els,
        } => {
            let mut s = cond(c, *negated, false);
            s.push_str(&block(then, mode, depth));
            if let Some(els) = els {
                s.push_str(&block(els, mode, depth));
            }
            s
        }
        StmtKind::Match { subject, arms } => {
            let mut s = "?".to_string();
            if let Some(subj) = subject {
                s.push_str(&glued("?", subj, false));
            }
            let arm = |a: &Arm, sep: &str| format!("{}:{}{}", pattern(&a.pat), sep, expr(&a.body, Level::Expr, false));
            match mode {
                Mode::Dense => {
                    let arms: Vec<String> = arms.iter().map(|a| arm(a, "")).collect();
                    s.push_str(&format!("{{{}}}", arms.join(";")));
                }
                Mode::Expanded if arms.is_empty() => s.push_str(" {}"),
                Mode::Expanded => {
                    s.push_str(" {\n");
                    for a in arms {
                        s.push_str(&INDENT.repeat(depth + 1));
                        s.push_str(&arm(a, " "));
                        s.push('\n');
                    }
                    s.push_str(&INDENT.repeat(depth));
                    s.push('}');
                }
            }
            s
        }
        StmtKind::ForEach { var, iter, body } => format!(
            "@{} {}{}",
            var.name,
            expr(iter, Level::Expr, false),
            block(body, mode, depth)
        ),
        StmtKind::ForRange { var, from, to, body } => format!(
            "@{} {}..{}{}",
            var.name,
            expr(from, Level::Expr, false),
            expr(to, Level::Expr, false),
            block(body, mode, depth)
        ),
        StmtKind::While { cond: c, body } => {
            format!("wh {}{}", after_keyword(c), block(body, mode, depth))
        }
        StmtKind::Break => "brk".to_string(),
        StmtKind::Continue => "cnt".to_string(),
        StmtKind::Return(e) if matches!(e.kind, ExprKind::Lit(Lit::Nil)) => "ret".to_string(),
        StmtKind::Return(e) => format!("ret {}", after_keyword(e)),
        StmtKind::Expr(e) => stmt_start(expr(e, Level::Expr, false)),
    }
}

/// `=value` of a binding; `x= =a b`, since `x==a b` would lex `==`.
fn bind_value(eq: &str, value: &Expr) -> String {
    let v = expr(value, Level::Expr, false);
    if eq == "=" && v.starts_with('=') {
        format!("= {v}")
    } else {
        format!("{eq}{v}")
    }
}

/// An expression after `wh` or `ret`: `ret =a b` would be a binding of `ret`.
fn after_keyword(e: &Expr) -> String {
    let s = expr(e, Level::Expr, false);
    if s.starts_with('=') {
        paren(&s)
    } else {
        s
    }
}

/// The condition of a guard or conditional at the start of a statement;
/// `more`: a value follows (a braceless guard).
fn cond(c: &Expr, negated: bool, more: bool) -> String {
    if negated {
        return format!("!{}", glued("!", c, more));
    }
    stmt_start(expr(c, Level::Expr, more))
}

/// Text at the start of a statement must not begin with a statement
/// keyword (`ret x` would return, `wh x{…}` loop, `brk` break).
fn stmt_start(s: String) -> String {
    if matches!(first_word(&s), "wh" | "brk" | "cnt" | "ret") {
        paren(&s)
    } else {
        s
    }
}

/// The name at the start of `s`, as the lexer reads names.
fn first_word(s: &str) -> &str {
    let b = s.as_bytes();
    if !b.first().is_some_and(|c| c.is_ascii_alphabetic()) {
        return "";
    }
    let mut i = 0;
    loop {
        while b.get(i).is_some_and(|c| c.is_ascii_alphanumeric()) {
            i += 1;
        }
        if b.get(i) == Some(&b'-') && b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
            i += 1;
            continue;
        }
        break;
    }
    s.get(..i).unwrap_or("")
}

fn pattern(p: &Pattern) -> String {
    match p {
        Pattern::Lit(l) => lit(l),
        Pattern::Ok(v) => format!("~{}", v.name),
        Pattern::Err(v) => format!("^{}", v.name),
        Pattern::Typed(tag, v) => {
            let t = match tag {
                TypeTag::Num => "n",
                TypeTag::Text => "t",
                TypeTag::Bool => "b",
                TypeTag::List => "l",
            };
            format!("{t} {}", v.name)
        }
        Pattern::Wild => "_".to_string(),
    }
}

// ---- expressions ----

fn paren(s: &str) -> String {
    format!("({s})")
}

/// `e` printed at `level`. `more`: an operand may follow in the same
/// statement, which a call would take as an argument and `-a` as the
/// second operand of a subtraction, so those get parentheses.
fn expr(e: &Expr, level: Level, more: bool) -> String {
    let needs_parens = match &e.kind {
        ExprKind::Coalesce { .. } => level < Level::Expr || more,
        ExprKind::Call { .. } | ExprKind::Record { .. } | ExprKind::With { .. } => level < Level::Term || more,
        // At term level `x y` is a call and `~x y` is `~(x y)`.
        ExprKind::Name(_) | ExprKind::Ok(_) | ExprKind::Err(_) => level >= Level::Term && more,
        ExprKind::Unary { op: UnOp::Neg, .. } => more,
        _ => false,
    };
    if needs_parens {
        return paren(&expr(e, Level::Expr, false));
    }
    match &e.kind {
        ExprKind::Lit(l) => lit(l),
        ExprKind::Name(n) => n.clone(),
        ExprKind::List(items) => {
            let n = items.len();
            let items: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(i, x)| expr(x, Level::Operand, i + 1 < n))
                .collect();
            format!("[{}]", items.join(" "))
        }
        ExprKind::Unary { op, operand } => {
            let sym = match op {
                UnOp::Neg => "-",
                UnOp::Not => "!",
            };
            format!("{sym}{}", glued(sym, operand, more))
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let sym = op.symbol();
            format!("{sym}{} {}", glued(sym, lhs, true), expr(rhs, Level::Operand, more))
        }
        ExprKind::Ternary { cond, then, els } => format!(
            "?{} {} {}",
            glued("?", cond, true),
            expr(then, Level::Operand, true),
            expr(els, Level::Operand, more)
        ),
        ExprKind::Ok(inner) | ExprKind::Err(inner) => {
            let sym = if matches!(e.kind, ExprKind::Ok(_)) { "~" } else { "^" };
            // As an operand `~` wraps one operand; as a term, a whole term.
            let inner_level = if level == Level::Operand {
                Level::Operand
            } else {
                Level::Term
            };
            format!("{sym}{}", expr(inner, inner_level, more))
        }
        ExprKind::Coalesce { lhs, rhs } => {
            format!("{}??{}", expr(lhs, Level::Expr, false), expr(rhs, Level::Term, false))
        }
        ExprKind::Field { target, field, safe } => {
            format!(
                "{}{}{}",
                postfix_target(target),
                if *safe { ".?" } else { "." },
                field.name
            )
        }
        ExprKind::Index { target, index } => format!("{}.{index}", postfix_target(target)),
        ExprKind::Call { func, args, unwrap } => {
            let mut s = func.name.clone();
            if *unwrap {
                s.push('!');
            }
            if args.is_empty() {
                s.push_str("()");
            }
            let n = args.len();
            for (i, a) in args.iter().enumerate() {
                let mut arg = expr(a, Level::Operand, i + 1 < n || more);
                // `f =a b` at the start of a statement binds `f`.
                if i == 0 && arg.starts_with('=') {
                    arg = paren(&arg);
                }
                s.push(' ');
                s.push_str(&arg);
            }
            s
        }
        ExprKind::Record { ty, fields } => format!("{}{}", ty.name, field_inits(fields, more)),
        ExprKind::With { target, fields } => {
            // `~x with a:1` is `~(x with a:1)`.
            let t = match target.kind {
                ExprKind::Ok(_) | ExprKind::Err(_) => paren(&expr(target, Level::Expr, false)),
                _ => expr(target, Level::Term, false),
            };
            format!("{t} with{}", field_inits(fields, more))
        }
    }
}

/// ` x:1 y:2`
fn field_inits(fields: &[(Ident, Expr)], more: bool) -> String {
    let n = fields.len();
    let mut s = String::new();
    for (i, (name, v)) in fields.iter().enumerate() {
        s.push_str(&format!(
            " {}:{}",
            name.name,
            expr(v, Level::Operand, i + 1 < n || more)
        ));
    }
    s
}

/// The operand right after the prefix symbol `sym`, which it must not fuse
/// with: `+` `=a b` would lex as `+=`, `-` `1` as the number `-1`, `-`
/// `-a` as a comment, `?` `?c a b` as `??`. (The operand is printed once and
/// wrapped, never printed again: printing twice per level would take time
/// exponential in the nesting, as in `-(-(-(…)))`.)
fn glued(sym: &str, operand: &Expr, more: bool) -> String {
    let s = expr(operand, Level::Operand, more);
    if fuses(sym, &s) {
        paren(&s)
    } else {
        s
    }
}

fn fuses(sym: &str, next: &str) -> bool {
    let (Some(p), Some(n)) = (sym.chars().last(), next.chars().next()) else {
        return false;
    };
    if sym.len() != 1 {
        // Two-character operators are complete tokens already.
        return false;
    }
    matches!(
        (p, n),
        ('+', '=') | ('=', '=') | ('!', '=') | ('<', '=') | ('>', '=') | ('>', '>') | ('?', '?') | ('-', '-')
    ) || (p == '-' && n.is_ascii_digit())
}

/// The target of `.f`, `.0`, `.?f`: an atom, or parenthesised (`-a.x` is
/// `-(a.x)`, and `5.0` is a number).
fn postfix_target(t: &Expr) -> String {
    match &t.kind {
        ExprKind::Name(_)
        | ExprKind::List(_)
        | ExprKind::Field { .. }
        | ExprKind::Index { .. }
        | ExprKind::Lit(Lit::Text(_) | Lit::Bool(_) | Lit::Nil) => expr(t, Level::Operand, false),
        _ => paren(&expr(t, Level::Expr, false)),
    }
}

fn lit(l: &Lit) -> String {
    match l {
        Lit::Num(v) => num(*v),
        Lit::Text(s) => text_lit(s),
        Lit::Bool(b) => b.to_string(),
        Lit::Nil => "nil".to_string(),
    }
}

/// The shortest spelling that reads back to the same f64: `42`, `0.1`,
/// `1e21`, `-2.5e-3`. No literal is infinite or NaN (the lexer refuses
/// `1e400`); should a folded value be, it prints as `1e999` or `nan`.
pub fn num(v: f64) -> String {
    if v.is_nan() {
        return "nan".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "1e999" } else { "-1e999" }.to_string();
    }
    let plain = format!("{v}");
    let exp = format!("{v:e}");
    // Integers below 1e16 stay plain (`1000`, not `1e3`), as the CLI prints them.
    let small_int = v.fract() == 0.0 && v.abs() < 1e16;
    if exp.len() < plain.len() && !small_int {
        exp
    } else {
        plain
    }
}

/// `"…"` with the escapes `\t \n \r \" \\`.
pub fn text_lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::front::parser::parse;
    use crate::front::visit::VisitorMut;
    use proptest::prelude::*;

    // ---- span erasure ----

    /// A copy of `p` with every span cleared, to compare ASTs by meaning.
    pub(crate) fn erase(p: &Program) -> Program {
        struct Erase;
        impl VisitorMut for Erase {
            fn visit_span(&mut self, span: &mut Span) {
                *span = Span::default();
            }
        }
        let mut p = p.clone();
        Erase.visit_program(&mut p);
        p
    }

    // ---- helpers ----

    fn ok(src: &str) -> Program {
        match parse(src) {
            Ok(p) => p,
            Err(e) => panic!("does not parse:\n{src}\n{e:#?}"),
        }
    }

    /// Both forms of `p` read back to `p` and format to themselves again.
    fn check_round_trip(p: &Program) -> Result<(), String> {
        let want = erase(p);
        for (name, f) in [("dense", dense as fn(&Program) -> String), ("expanded", expanded)] {
            let text = f(p);
            let back = match parse(&text) {
                Ok(b) => b,
                Err(e) => return Err(format!("{name} form does not parse:\n{text}\n{e:?}\nAST: {want:?}")),
            };
            if erase(&back) != want {
                return Err(format!(
                    "{name} form reads back differently:\n{text}\nwant {want:?}\ngot  {:?}",
                    erase(&back)
                ));
            }
            let again = f(&back);
            if again != text {
                return Err(format!("{name} form is not idempotent:\n{text}\nthen\n{again}"));
            }
        }
        Ok(())
    }

    fn round_trip(src: &str) {
        if let Err(e) = check_round_trip(&ok(src)) {
            panic!("{src}: {e}");
        }
    }

    fn dense_of(src: &str) -> String {
        dense(&ok(src))
    }

    // ---- fixed cases ----

    const TOT_DENSE: &str = "tot p:n q:n r:n>n;s=*p q;t=*s r;+s t\n";
    const TOT_EXPANDED: &str = "tot p:n q:n r:n > n\n  s = *p q\n  t = *s r\n  +s t\n";

    #[test]
    fn tot_in_both_forms() {
        assert_eq!(dense_of(TOT_EXPANDED), TOT_DENSE);
        assert_eq!(expanded(&ok(TOT_DENSE)), TOT_EXPANDED);
        assert_eq!(dense_of(TOT_DENSE), TOT_DENSE);
        assert_eq!(expanded(&ok(TOT_EXPANDED)), TOT_EXPANDED);
    }

    #[test]
    fn canonical_dense_forms() {
        for (src, want) in [
            ("f x:n>n;x + 1", "f x:n>n;+x 1"),
            ("f x:n>n;(x + 1) * 2", "f x:n>n;*+x 1 2"),
            ("f xs:L n>n;xs>>rev>>len", "f xs:L n>n;len (rev xs)"),
            ("f xs:L n>n;length xs", "f xs:L n>n;len xs"),
            ("f x:n>n;ret nil", "f x:n>n;ret"),
            ("f>n;1e21", "f>n;1e21"),
            ("f>n;1000", "f>n;1000"),
            ("f>n;0.000001", "f>n;1e-6"),
            ("f>n;-2.5e-3", "f>n;-0.0025"),
            ("f>t;\"a\\tb\\n\\\"q\\\"\\\\\"", "f>t;\"a\\tb\\n\\\"q\\\"\\\\\""),
            ("f x:n>n;a=- x;a", "f x:n>n;a=-x;a"),
            ("f x:n>n;g (-x) 1", "f x:n>n;g (-x) 1"),
            ("f x:n>n;- 1", "f x:n>n;-(1)"),
            ("f x:n>n;- 1 2", "f x:n>n;-(1) 2"),
            ("f x:b>b;+ (=x x) x", "f x:b>b;+(=x x) x"),
            ("f x:b>b;!(x == x)", "f x:b>b;!(=x x)"),
            ("f x:n>b;f (=x 1)", "f x:n>b;f (=x 1)"),
            ("f x:n>n;x= =x 1;x", "f x:n>n;x= =x 1;x"),
            ("f x:n>n;ret (=x 1)", "f x:n>n;ret (=x 1)"),
            ("f x:n>n;=x 0 brk", "f x:n>n;=x 0{brk}"),
            ("f x:n>n;=x 0 (brk)", "f x:n>n;=x 0 (brk)"),
            ("f x:n>n;? ?x 1 2 3 4", "f x:n>n;?(?x 1 2) 3 4"),
            ("f x:n>n;?(?x 1 2){1:2}", "f x:n>n;?(?x 1 2){1:2}"),
            ("f p:pt>n;(p with x:1).x", "f p:pt>n;(p with x:1).x"),
            ("f p:pt>n;(5).0", "f p:pt>n;(5).0"),
            ("f g:F n n h:n>F n n;g", "f g:F n n h:n>F n n;g"),
            ("f g:L (F n n)>M (F n n) t;g", "f g:L F n n>M (F n n) t;g"),
            ("type pt{x:n;y:n}", "type pt{x:n;y:n}"),
            ("use \"a.ilo\" [f g]", "use \"a.ilo\" [f g]"),
            ("f x:n>n;@i 0..x{brk};cnt", "f x:n>n;@i 0..x{brk};cnt"),
            ("f>n;x=mk();x", "f>n;x=mk();x"),
            ("f>n;x=mk!;x", "f>n;x=mk!();x"),
        ] {
            assert_eq!(dense_of(src), format!("{want}\n"), "{src}");
            round_trip(src);
        }
    }

    #[test]
    fn expanded_blocks_nest() {
        let src = "f xs:L n>n;s=0;@x xs{>x 2{s=+s x}{?x{1:brk;_:cnt}}};s";
        let want = "f xs:L n > n\n  s = 0\n  @x xs {\n    >x 2 {\n      s = +s x\n    } {\n      ?x {\n        1: brk\n        _: cnt\n      }\n    }\n  }\n  s\n";
        assert_eq!(expanded(&ok(src)), want);
        round_trip(src);
    }

    #[test]
    fn spec_examples_round_trip() {
        for src in [
            "tot p:n q:n r:n>n;s=*p q;t=*s r;+s t",
            "cls sp:n>t;>=sp 1000 \"gold\";>=sp 500 \"silver\";\"bronze\"",
            "fac n:n>n;<=n 1 1;r=fac -n 1;*n r",
            "fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b",
            "sm xs:L n>n;s=0;@x xs{s=+s x};s",
            "fst xs:L n>n;@x xs{>=x 10{ret x}};0",
            "evn>n;s=0;@i 0..7{r=mod i 2;!=r 0{cnt};s=+s i};s",
            "f x:n>n;+*x x x;*x +x x;>=+x x 100",
            "f x:n>R n t;~fac x;^\"e\";a=g! x 1;a??0;x.?y;x>>f>>g 1;pt x:1 y:2;p with x:5;?>x 0 1 2",
            "f x:n>n;?x{42:1;\"gold\":2;true:3;~v:v;^e:e;n v:v;t v:v;b v:v;l v:v;_:0;-1:2;nil:3}",
            "f x:n>n;?{~_:1;^_:2;n _:3}",
            "f x:n>n;{a;b}=r;{}=r;wh >x 0{x=-x 1};!ok \"no\";!ok{1}{2};wh=1;ret=2;brk=3",
            "f x:O n>M t L n;mget m k??0;+(a??0) 1;xs += 1 + 2",
            "f x:n>n;wh;brk x;(wh x);(ret x);(cnt);ret",
        ] {
            round_trip(src);
        }
    }

    #[test]
    fn deep_nesting_formats_in_linear_time() {
        // Each unit is up to four levels of the parser's 256.
        let d = 60;
        for src in [
            format!("f x:n>n;{}x{}", "-(".repeat(d), ")".repeat(d)),
            format!("f x:n>n;{}x{}", "!(=x ".repeat(d), ")".repeat(d)),
            format!("f x:n>n;{}x{}", "?(".repeat(d), ") 3 4".repeat(d)),
            format!("f x:n>n;{}x", "g (=x 1) ".repeat(d)),
            format!("f x:n>n;{}x{}", "+(- 1 ".repeat(d), ") x".repeat(d)),
        ] {
            round_trip(&src);
        }
    }

    #[test]
    fn expanded_declarations_are_separated_by_a_blank_line() {
        let src = "use \"a.ilo\"\ntype pt{x:n}\nf>n;1\ng>n;2";
        assert_eq!(
            expanded(&ok(src)),
            "use \"a.ilo\"\n\ntype pt{x:n}\n\nf > n\n  1\n\ng > n\n  2\n"
        );
        assert_eq!(dense_of(src), "use \"a.ilo\"\ntype pt{x:n}\nf>n;1\ng>n;2\n");
    }

    #[test]
    fn comments_are_dropped() {
        assert_eq!(dense_of("-- a comment\nf>n;1 -- one\n"), "f>n;1\n");
    }

    #[test]
    fn examples_round_trip() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        let mut n = 0;
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .expect("examples/")
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.extension().and_then(|e| e.to_str()) != Some("ilo") {
                continue;
            }
            let src = std::fs::read_to_string(&path).expect("read example");
            let Ok(p) = parse(&src) else { continue };
            if let Err(e) = check_round_trip(&p) {
                panic!("{}: {e}", path.display());
            }
            n += 1;
        }
        assert!(n >= 10, "only {n} examples parsed");
    }

    // ---- random ASTs ----

    fn sp() -> Span {
        Span::default()
    }

    fn ident(s: &str) -> Ident {
        Ident {
            name: s.to_string(),
            span: sp(),
        }
    }

    fn mk(kind: ExprKind) -> Expr {
        Expr { kind, span: sp() }
    }

    fn pick(names: &'static [&'static str]) -> impl Strategy<Value = String> + Clone {
        prop::sample::select(names).prop_map(str::to_string)
    }

    /// Names, including the statement keywords that are names elsewhere.
    fn var() -> impl Strategy<Value = String> {
        pick(&[
            "a", "x", "xs", "acc", "get-user", "k2", "n", "t", "l", "wh", "ret", "brk", "cnt", "use", "type",
        ])
    }

    fn func_name() -> impl Strategy<Value = String> {
        pick(&["f", "g", "len", "mod", "fmt", "go-on", "wh", "ret", "brk"])
    }

    fn field() -> impl Strategy<Value = String> {
        pick(&["x", "y", "name", "wh", "ret"])
    }

    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![
            prop::sample::select(vec![
                0.0,
                -0.0,
                1.0,
                -1.0,
                42.0,
                -7.0,
                3.5,
                0.1,
                1e3,
                1e21,
                1e-7,
                -2.5e-3,
                1e300,
                f64::MAX,
                f64::MIN_POSITIVE,
                5e-324,
            ]),
            any::<f64>().prop_filter("a literal", |v| v.is_finite()),
            (-1000i32..1000).prop_map(f64::from),
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z \"\\\\\\n\\t\\r{}-]{0,6}",
            prop::collection::vec(any::<char>(), 0..5).prop_map(|v| v.into_iter().collect()),
        ]
    }

    fn lit() -> impl Strategy<Value = Lit> {
        prop_oneof![
            number().prop_map(Lit::Num),
            text().prop_map(Lit::Text),
            any::<bool>().prop_map(Lit::Bool),
            Just(Lit::Nil),
        ]
    }

    fn binop() -> impl Strategy<Value = BinOp> {
        prop::sample::select(vec![
            BinOp::Add,
            BinOp::Sub,
            BinOp::Mul,
            BinOp::Div,
            BinOp::Append,
            BinOp::Eq,
            BinOp::Ne,
            BinOp::Lt,
            BinOp::Gt,
            BinOp::Le,
            BinOp::Ge,
            BinOp::And,
            BinOp::Or,
        ])
    }

    fn fields(e: impl Strategy<Value = Expr>) -> impl Strategy<Value = Vec<(Ident, Expr)>> {
        prop::collection::vec((field().prop_map(|f| ident(&f)), e), 1..3)
    }

    fn expr_strategy() -> impl Strategy<Value = Expr> {
        let leaf = prop_oneof![
            lit().prop_map(|l| mk(ExprKind::Lit(l))),
            var().prop_map(|n| mk(ExprKind::Name(n)))
        ];
        leaf.prop_recursive(4, 40, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(|v| mk(ExprKind::List(v))),
                (any::<bool>(), inner.clone()).prop_map(|(neg, x)| mk(ExprKind::Unary {
                    op: if neg { UnOp::Neg } else { UnOp::Not },
                    operand: Box::new(x)
                })),
                (binop(), inner.clone(), inner.clone()).prop_map(|(op, a, b)| mk(ExprKind::Binary {
                    op,
                    lhs: Box::new(a),
                    rhs: Box::new(b)
                })),
                (func_name(), prop::collection::vec(inner.clone(), 0..4), any::<bool>()).prop_map(
                    |(f, args, unwrap)| mk(ExprKind::Call {
                        func: ident(&f),
                        args,
                        unwrap
                    })
                ),
                (any::<bool>(), inner.clone()).prop_map(|(ok, x)| mk(if ok {
                    ExprKind::Ok(Box::new(x))
                } else {
                    ExprKind::Err(Box::new(x))
                })),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| mk(ExprKind::Coalesce {
                    lhs: Box::new(a),
                    rhs: Box::new(b)
                })),
                (inner.clone(), field(), any::<bool>()).prop_map(|(t, f, safe)| mk(ExprKind::Field {
                    target: Box::new(t),
                    field: ident(&f),
                    safe
                })),
                (inner.clone(), 0usize..20).prop_map(|(t, index)| mk(ExprKind::Index {
                    target: Box::new(t),
                    index
                })),
                (pick(&["pt", "user"]), fields(inner.clone()))
                    .prop_map(|(ty, fields)| mk(ExprKind::Record { ty: ident(&ty), fields })),
                (inner.clone(), fields(inner.clone())).prop_map(|(t, fields)| mk(ExprKind::With {
                    target: Box::new(t),
                    fields
                })),
                (inner.clone(), inner.clone(), inner).prop_map(|(c, a, b)| mk(ExprKind::Ternary {
                    cond: Box::new(c),
                    then: Box::new(a),
                    els: Box::new(b)
                })),
            ]
        })
    }

    /// A condition a braceless guard can start with: a comparison or logic
    /// operator, or a bool literal.
    fn condition() -> impl Strategy<Value = Expr> {
        let cmp = prop::sample::select(vec![
            BinOp::Eq,
            BinOp::Ne,
            BinOp::Lt,
            BinOp::Gt,
            BinOp::Le,
            BinOp::Ge,
            BinOp::And,
            BinOp::Or,
        ]);
        prop_oneof![
            (cmp, expr_strategy(), expr_strategy()).prop_map(|(op, a, b)| mk(ExprKind::Binary {
                op,
                lhs: Box::new(a),
                rhs: Box::new(b)
            })),
            any::<bool>().prop_map(|b| mk(ExprKind::Lit(Lit::Bool(b)))),
        ]
    }

    /// A conditional's condition: anything but `!x` when not negated (the
    /// parser always moves the `!` into `negated`).
    fn if_cond() -> impl Strategy<Value = (Expr, bool)> {
        (expr_strategy(), any::<bool>()).prop_map(|(c, negated)| match c.kind {
            ExprKind::Unary { op: UnOp::Not, .. } if !negated => (c, true),
            _ => (c, negated),
        })
    }

    fn pattern_strategy() -> impl Strategy<Value = Pattern> {
        let binder = pick(&["v", "e", "_", "x"]).prop_map(|n| ident(&n));
        prop_oneof![
            lit().prop_map(Pattern::Lit),
            binder.clone().prop_map(Pattern::Ok),
            binder.clone().prop_map(Pattern::Err),
            (
                prop::sample::select(vec![TypeTag::Num, TypeTag::Text, TypeTag::Bool, TypeTag::List]),
                binder
            )
                .prop_map(|(t, v)| Pattern::Typed(t, v)),
            Just(Pattern::Wild),
        ]
    }

    fn st(kind: StmtKind) -> Stmt {
        Stmt { kind, span: sp() }
    }

    fn stmt_strategy() -> impl Strategy<Value = Stmt> {
        let simple = prop_oneof![
            (var(), expr_strategy()).prop_map(|(n, v)| st(StmtKind::Bind {
                name: ident(&n),
                value: v
            })),
            (prop::collection::vec(var(), 0..3), expr_strategy()).prop_map(|(ns, v)| st(StmtKind::Destructure {
                names: ns.iter().map(|n| ident(n)).collect(),
                value: v
            })),
            (condition(), expr_strategy()).prop_map(|(c, v)| st(StmtKind::Guard {
                cond: c,
                negated: false,
                value: v
            })),
            (expr_strategy(), expr_strategy()).prop_map(|(c, v)| st(StmtKind::Guard {
                cond: c,
                negated: true,
                value: v
            })),
            (
                prop::option::of(expr_strategy()),
                prop::collection::vec((pattern_strategy(), expr_strategy()), 0..3)
            )
                .prop_map(|(subject, arms)| st(StmtKind::Match {
                    subject,
                    arms: arms
                        .into_iter()
                        .map(|(pat, body)| Arm { pat, body, span: sp() })
                        .collect()
                })),
            Just(st(StmtKind::Break)),
            Just(st(StmtKind::Continue)),
            expr_strategy().prop_map(|e| st(StmtKind::Return(e))),
            expr_strategy().prop_map(|e| st(StmtKind::Expr(e))),
        ];
        simple.prop_recursive(3, 24, 3, |inner| {
            let body = prop::collection::vec(inner, 0..3);
            prop_oneof![
                (if_cond(), body.clone(), prop::option::of(body.clone())).prop_map(|((cond, negated), then, els)| st(
                    StmtKind::If {
                        cond,
                        negated,
                        then,
                        els
                    }
                )),
                (var(), expr_strategy(), body.clone()).prop_map(|(v, iter, body)| st(StmtKind::ForEach {
                    var: ident(&v),
                    iter,
                    body
                })),
                (var(), expr_strategy(), expr_strategy(), body.clone()).prop_map(|(v, from, to, body)| st(
                    StmtKind::ForRange {
                        var: ident(&v),
                        from,
                        to,
                        body
                    }
                )),
                (expr_strategy(), body).prop_map(|(cond, body)| st(StmtKind::While { cond, body })),
            ]
        })
    }

    fn type_strategy() -> impl Strategy<Value = Type> {
        let leaf = prop_oneof![
            Just(Type::Num),
            Just(Type::Text),
            Just(Type::Bool),
            Just(Type::Any),
            pick(&["pt", "user", "Pt"]).prop_map(Type::Named),
            prop::sample::select(vec!['a', 'k', 'z']).prop_map(Type::Var),
        ];
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|t| Type::List(Box::new(t))),
                inner.clone().prop_map(|t| Type::Opt(Box::new(t))),
                (inner.clone(), inner.clone()).prop_map(|(k, v)| Type::Map(Box::new(k), Box::new(v))),
                (inner.clone(), inner.clone()).prop_map(|(k, v)| Type::Result(Box::new(k), Box::new(v))),
                (prop::collection::vec(inner.clone(), 0..3), inner).prop_map(|(ps, r)| Type::Func(ps, Box::new(r))),
            ]
        })
    }

    fn params() -> impl Strategy<Value = Vec<Param>> {
        prop::collection::vec((pick(&["a", "x", "xs", "p"]), type_strategy()), 0..3).prop_map(|ps| {
            ps.into_iter()
                .map(|(n, ty)| Param {
                    name: ident(&n),
                    ty,
                    span: sp(),
                })
                .collect()
        })
    }

    fn decl_strategy() -> impl Strategy<Value = Decl> {
        prop_oneof![
            4 => (pick(&["f", "g", "go-on", "main"]), params(), type_strategy(), prop::collection::vec(stmt_strategy(), 1..4))
                .prop_map(|(n, params, ret, body)| Decl::Func(FuncDecl {
                    name: ident(&n),
                    params,
                    ret,
                    body,
                    span: sp()
                })),
            1 => (pick(&["pt", "user"]), params()).prop_map(|(n, fields)| Decl::Type(TypeDecl {
                name: ident(&n),
                fields,
                span: sp()
            })),
            1 => (text(), prop::option::of(prop::collection::vec(pick(&["f", "g", "pt"]), 0..3))).prop_map(|(path, names)| {
                Decl::Use(UseDecl {
                    path,
                    names: names.map(|ns| ns.iter().map(|n| ident(n)).collect()),
                    span: sp()
                })
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn random_programs_round_trip(decls in prop::collection::vec(decl_strategy(), 1..3)) {
            let p = Program { decls };
            if let Err(e) = check_round_trip(&p) {
                prop_assert!(false, "{}", e);
            }
        }

        #[test]
        fn numbers_read_back(v in number()) {
            let src = format!("f>n;{}", num(v));
            let p = ok(&src);
            let Some(Decl::Func(f)) = p.decls.first() else { panic!("{src}") };
            let Some(StmtKind::Expr(Expr { kind: ExprKind::Lit(Lit::Num(back)), .. })) = f.body.first().map(|s| &s.kind) else {
                panic!("{src}")
            };
            prop_assert_eq!(back.to_bits(), v.to_bits(), "{}", src);
        }
    }
}
