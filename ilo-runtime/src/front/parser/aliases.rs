//! Long builtin names accepted as aliases of the short ones (spec section 5).

use crate::diag::{Diagnostic, Severity};
use crate::front::ast::*;
use crate::front::visit::for_each_expr_mut;
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
            for_each_expr_mut(&mut f.body, &mut fix);
        }
    }
}
