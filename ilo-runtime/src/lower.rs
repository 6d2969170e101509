//! What the bytecode compilers share: the program's function table, the
//! variables that may be read before they are bound, and the error for a
//! construct an engine cannot compile yet.

use std::collections::{HashMap, HashSet};

use crate::front::ast::{FuncDecl, Ident, Program, Span, Stmt, Type};
use crate::front::visit::{walk, Binder, Visitor};

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
    /// The `x=…` and `{a;b}=…` names of blocks nested in the function's
    /// body (deeper than 1, the body's own depth); not loop variables or
    /// pattern names.
    struct Late<'a> {
        depth: usize,
        out: Vec<&'a str>,
    }
    impl<'a> Visitor<'a> for Late<'a> {
        fn visit_body(&mut self, body: &'a [Stmt]) {
            self.depth += 1;
            walk::body(self, body);
            self.depth -= 1;
        }
        fn visit_binding(&mut self, name: &'a Ident, how: Binder) {
            if how == Binder::Let && self.depth > 1 {
                self.out.push(&name.name);
            }
        }
    }
    let mut late = Late {
        depth: 0,
        out: Vec::new(),
    };
    late.visit_body(&f.body);
    let mut out = late.out;
    let mut seen: HashSet<&str> = f.params.iter().map(|p| p.name.name.as_str()).collect();
    out.retain(|n| seen.insert(n));
    out
}
