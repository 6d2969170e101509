//! What the bytecode compilers share: the program's function table and the
//! error for a construct an engine cannot compile yet.

use std::collections::HashMap;

use crate::front::ast::{FuncDecl, Program, Span, Type};

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

/// Whether a declared type is the number type.
pub fn is_num(ty: &Type) -> bool {
    matches!(ty, Type::Num)
}
