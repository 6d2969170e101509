//! Long builtin names accepted as aliases of the short ones (spec section 5).

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
            crate::codes::parser::LONG_BUILTIN_NAME,
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
