//! What the bytecode compilers share: the program's function table, the
//! variables that may be read before they are bound, and the error for a
//! construct an engine cannot compile yet.

use std::collections::{HashMap, HashSet};

use crate::front::ast::{FuncDecl, Program, Span, Stmt, StmtKind, Type};

/// A construct this engine does not compile; the run falls back or reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported {
    pub what: String,
    pub span: Span,
}

impl Unsupported {
    pub fn new(what: impl Into<String>, span: Span) -> Unsupported {
        Unsupported {
            what: what.into(),
            span,
        }
    }
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at {}..{})", self.what, self.span.start, self.span.end)
    }
}

/// Functions numbered in declaration order, as bytecode refers to them.
pub struct FuncTable<'p> {
    pub funcs: Vec<&'p FuncDecl>,
    index: HashMap<&'p str, u32>,
}

impl<'p> FuncTable<'p> {
    pub fn new(program: &'p Program) -> FuncTable<'p> {
        let funcs: Vec<&FuncDecl> = program.funcs().collect();
        let mut index = HashMap::new();
        for (i, f) in funcs.iter().enumerate() {
            // The first declaration wins; the verifier reports duplicates.
            index.entry(f.name.name.as_str()).or_insert(i as u32);
        }
        FuncTable { funcs, index }
    }

    pub fn lookup(&self, name: &str) -> Option<(u32, &'p FuncDecl)> {
        let i = *self.index.get(name)?;
        Some((i, self.funcs[i as usize]))
    }
}

/// Whether a declared type is a number or a boolean: a value a register
/// holds whole, with no heap behind it.
pub fn is_scalar(ty: &Type) -> bool {
    matches!(ty, Type::Num | Type::Bool)
}

/// Whether a declared type is the number type.
pub fn is_num(ty: &Type) -> bool {
    matches!(ty, Type::Num)
}

/// The variables of `f` bound inside a branch or loop body (not parameters),
/// in order of first binding. Variables are function-scoped, so such a name
/// may be read where its binding did not run (after an untaken branch, or
/// earlier in a loop body on the first iteration): the compilers give these
/// a slot from the function's start, holding [`Value::UNBOUND`] until bound,
/// and check reads that may meet it (ILO-R010, or the function of that name).
///
/// [`Value::UNBOUND`]: crate::value::Value::UNBOUND
pub fn late_names(f: &FuncDecl) -> Vec<&str> {
    fn walk<'a>(body: &'a [Stmt], nested: bool, out: &mut Vec<&'a str>) {
        for s in body {
            match &s.kind {
                StmtKind::Bind { name, .. } if nested => out.push(&name.name),
                StmtKind::Destructure { names, .. } if nested => out.extend(names.iter().map(|n| n.name.as_str())),
                StmtKind::If { then, els, .. } => {
                    walk(then, true, out);
                    walk(els.as_deref().unwrap_or_default(), true, out);
                }
                StmtKind::ForEach { body, .. } | StmtKind::ForRange { body, .. } | StmtKind::While { body, .. } => {
                    walk(body, true, out)
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&f.body, false, &mut out);
    let mut seen: HashSet<&str> = f.params.iter().map(|p| p.name.name.as_str()).collect();
    out.retain(|n| seen.insert(n));
    out
}
