//! Static verification (spec sections 2-5, 7): every problem the verifier
//! can see before anything runs, each with a stable `ILO-T` code, the most
//! precise span it has and, where it helps, a fix.
//!
//! What it checks: undefined names and functions, arity, types (arguments,
//! operator operands, record fields, list elements, results, the declared
//! return type), `!` misuse, match arms that are missing or can never match,
//! `brk`/`cnt` outside a loop, duplicate declarations, unknown fields and
//! record types, conditions that are not bools.
//!
//! It is sound where it speaks and quiet where it cannot know: `_`, type
//! variables and anything it cannot infer (the value of `jpar`, an imported
//! function) are unknown and never reported. Variables are function-scoped
//! and may be rebound with another type; a variable's type is the one of
//! its latest binding, joined over branches and loop iterations.
//!
//! Imports: a single-file verifier cannot see another file. Names imported
//! with `use "f.ilo" [a b]` are accepted as functions, values and record
//! types of unknown type; after `use "f.ilo"` (import all) no unknown
//! function, name or record type is reported in the program at all. A later
//! pass that resolves imports before verifying lifts this.
//!
//! Recursion follows the AST, which the parser bounds at 256 levels; a
//! separate guard stops descending past [`MAX_NEST`] levels for trees built
//! by other means, and every type is bounded by [`types::MAX_DEPTH`].

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::diag::{Diagnostic, Severity};
use crate::front::ast::*;
use crate::front::builtins::{self, Builtin};
use crate::front::types::{self, fits, join, Subst, Ty};

// The verifier's codes (`ILO-T…`), generated from diagnostics/codes.toml.
use crate::codes::verify::*;

/// Deepest expression or block nesting the verifier descends into; deeper
/// parts are unknown. The parser already stops at 256.
pub const MAX_NEST: u32 = 320;

/// Every problem found in `program`: errors (Severity::Error) and hints
/// (Severity::Hint), sorted by position. Never panics.
pub fn verify(program: &Program) -> Vec<Diagnostic> {
    let mut v = Verifier::new();
    v.declarations(program);
    for f in program.funcs() {
        v.function(f);
    }
    let mut diags = v.diags;
    order(&mut diags);
    diags
}

/// The type the verifier inferred for each expression of `program`, as a
/// side table for passes that translate by type (the Python transpiler).
/// An expression the verifier did not reach, or where it knows nothing, is
/// [`Ty::Any`].
pub fn expr_types(program: &Program) -> ExprTypes<'_> {
    let mut v = Verifier::new();
    v.types = Some(HashMap::new());
    v.declarations(program);
    for f in program.funcs() {
        v.function(f);
    }
    ExprTypes {
        types: v.types.unwrap_or_default(),
        _program: std::marker::PhantomData,
    }
}

/// Expression -> inferred type, keyed by the expression's address: the
/// table borrows the program, so the addresses stay valid while it lives
/// (spans would not do: imported declarations keep their own file's spans).
pub struct ExprTypes<'p> {
    types: HashMap<usize, Ty>,
    _program: std::marker::PhantomData<&'p Program>,
}

impl<'p> ExprTypes<'p> {
    /// The type of `e`, [`Ty::Any`] when unknown. When a loop body is
    /// checked twice, the later pass (which sees every iteration's
    /// bindings) is the one kept.
    pub fn get(&self, e: &'p Expr) -> &Ty {
        static ANY: Ty = Ty::Any;
        self.types.get(&(e as *const Expr as usize)).unwrap_or(&ANY)
    }
}

/// The order diagnostics are reported in: by position, each cause before
/// the diagnostics whose spans enclose it.
pub fn order(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    cause_first(diags);
}

/// Moves each diagnostic whose span lies inside an earlier one's before
/// it: in `f x:n>n;+x "a"` the type error of `+` (the cause) comes before
/// "`f` returns `n`, but this is a text", whose span encloses it.
fn cause_first(diags: &mut [Diagnostic]) {
    // Insertion sort on "encloses": stable, and the lists are short.
    for i in 1..diags.len() {
        let mut j = i;
        while j > 0 && encloses(&diags[j - 1], &diags[j]) {
            diags.swap(j - 1, j);
            j -= 1;
        }
    }
}

fn encloses(outer: &Diagnostic, inner: &Diagnostic) -> bool {
    let (o, n) = (outer.span, inner.span);
    o.start <= n.start && n.end <= o.end && (o.start, o.end) != (n.start, n.end)
}

// ---------------------------------------------------------------- scopes --

/// Variables of the function being checked. Parameters and every name
/// bound by `x=e` are function-level; loop variables and match-arm bindings
/// live in inner scopes and shadow them.
///
/// Branches and loops are merged through a trail of changes rather than
/// copies of the whole environment, so a function with thousands of
/// variables and conditionals costs time in proportion to its changes.
#[derive(Default)]
struct Env {
    /// Every variable slot created so far; `None` when the name is not bound
    /// on the current path (a binding made in a branch that was undone).
    slots: Vec<(String, Option<Ty>)>,
    /// Name to its slots, innermost last.
    names: HashMap<String, Vec<usize>>,
    /// The slot of each inner scope (loop variable, arm binding), if any.
    scopes: Vec<Option<usize>>,
    /// Previous values of changed slots, while `marks > 0`.
    trail: Vec<(usize, Option<Ty>)>,
    marks: u32,
}

/// The value each slot changed since a mark had at the end of a path.
type Changes = Vec<(usize, Option<Ty>)>;

impl Env {
    fn new(params: Vec<(String, Ty)>) -> Env {
        let mut env = Env::default();
        for (name, t) in params {
            env.create(name, Some(t));
        }
        env
    }

    fn create(&mut self, name: String, t: Option<Ty>) -> usize {
        let i = self.slots.len();
        self.names.entry(name.clone()).or_default().push(i);
        self.slots.push((name, t));
        i
    }

    fn get(&self, name: &str) -> Option<&Ty> {
        let i = *self.names.get(name)?.last()?;
        self.slots.get(i)?.1.as_ref()
    }

    /// Sets slot `i`, remembering the old value when a path may be undone.
    fn set(&mut self, i: usize, t: Option<Ty>) {
        if let Some(slot) = self.slots.get_mut(i) {
            let old = std::mem::replace(&mut slot.1, t);
            if self.marks > 0 {
                self.trail.push((i, old));
            }
        }
    }

    /// `x=e`: rebinds the innermost `x`, or binds a new function-level `x`.
    fn bind(&mut self, name: &str, t: Ty) {
        match self.names.get(name).and_then(|s| s.last()).copied() {
            Some(i) => self.set(i, Some(t)),
            None => {
                // Unbound until set, so undoing the path unbinds it again.
                let i = self.create(name.to_string(), None);
                self.set(i, Some(t));
            }
        }
    }

    /// Opens an inner scope, with a loop variable or arm binding.
    fn push(&mut self, binding: Option<(String, Ty)>) {
        let slot = binding.map(|(n, t)| self.create(n, Some(t)));
        self.scopes.push(slot);
    }

    fn pop(&mut self) {
        if let Some(Some(i)) = self.scopes.pop() {
            if let Some(name) = self.slots.get(i).map(|s| s.0.clone()) {
                if let Some(stack) = self.names.get_mut(&name) {
                    stack.pop();
                }
            }
        }
    }

    /// Starts a path that [`Env::undo`] can take back.
    fn mark(&mut self) -> usize {
        self.marks += 1;
        self.trail.len()
    }

    /// Ends the path started at `mark`: returns the final value of every
    /// slot it changed and restores the values from before it.
    fn undo(&mut self, mark: usize) -> Changes {
        self.marks = self.marks.saturating_sub(1);
        let mut changed: Vec<usize> = self.trail.get(mark..).unwrap_or(&[]).iter().map(|(i, _)| *i).collect();
        changed.sort_unstable();
        changed.dedup();
        let finals: Changes = changed
            .iter()
            .map(|i| (*i, self.slots.get(*i).and_then(|s| s.1.clone())))
            .collect();
        while self.trail.len() > mark {
            let Some((i, old)) = self.trail.pop() else { break };
            if let Some(slot) = self.slots.get_mut(i) {
                slot.1 = old;
            }
        }
        finals
    }

    /// Where paths meet: each changed slot gets the join of its value on
    /// every path (`paths`), the current value standing for a path that did
    /// not change it. A name bound on one path only stays bound (the
    /// run-time reports a read of it if that path did not run).
    fn meet(&mut self, paths: &[Changes], include_current: bool) {
        let mut slots: Vec<usize> = paths.iter().flatten().map(|(i, _)| *i).collect();
        slots.sort_unstable();
        slots.dedup();
        for i in slots {
            let current = self.slots.get(i).and_then(|s| s.1.clone());
            let mut acc: Option<Ty> = if include_current { current.clone() } else { None };
            for path in paths {
                // `undo` returns changes sorted by slot.
                let v = match path.binary_search_by_key(&i, |(j, _)| *j) {
                    Ok(k) => path.get(k).and_then(|(_, v)| v.clone()),
                    Err(_) => current.clone(),
                };
                acc = match (acc, v) {
                    (Some(a), Some(b)) => Some(join(&a, &b)),
                    (a, b) => a.or(b),
                };
            }
            self.set(i, acc);
        }
    }

    /// Names bound on the current path, in the order they were created.
    fn names(&self) -> impl Iterator<Item = &str> {
        self.slots.iter().enumerate().filter_map(move |(i, (n, t))| {
            let visible = self.names.get(n).and_then(|s| s.last()) == Some(&i);
            (visible && t.is_some()).then_some(n.as_str())
        })
    }
}

/// Why a value must have a type, for the message and the code.
#[derive(Clone, Copy)]
enum Why<'a> {
    /// The declared return type of the current function (ILO-T016).
    Return,
    /// Argument `i` of a call of `callee` (ILO-T004).
    Arg(&'a str, usize),
    /// Field `field` of record `rec` (ILO-T004).
    Field(&'a str, &'a str),
    /// A bound of `@i a..b` (ILO-T004).
    Bound,
}

// -------------------------------------------------------------- verifier --

struct Verifier<'p> {
    funcs: HashMap<&'p str, &'p FuncDecl>,
    /// Declaration order, so suggestions are deterministic.
    func_names: Vec<&'p str>,
    records: HashMap<&'p str, &'p TypeDecl>,
    record_names: Vec<&'p str>,
    imported: HashSet<&'p str>,
    import_all: bool,
    diags: Vec<Diagnostic>,
    /// While positive, diagnostics are dropped (the first pass over a loop
    /// body, which only learns how the body rebinds variables).
    quiet: u32,
    // The function being checked.
    fname: &'p str,
    ret: Ty,
    env: Env,
    loops: u32,
    prepass: bool,
    nest: u32,
    /// When set, the type of every expression checked (see [`expr_types`]).
    types: Option<HashMap<usize, Ty>>,
}

impl<'p> Verifier<'p> {
    fn new() -> Self {
        Verifier {
            funcs: HashMap::new(),
            func_names: Vec::new(),
            records: HashMap::new(),
            record_names: Vec::new(),
            imported: HashSet::new(),
            import_all: false,
            diags: Vec::new(),
            quiet: 0,
            fname: "",
            ret: Ty::Any,
            env: Env::default(),
            loops: 0,
            prepass: false,
            nest: 0,
            types: None,
        }
    }

    /// Records `t` as the type of `e` when a side table is being built.
    fn record_type(&mut self, e: &Expr, t: &Ty) {
        if let Some(types) = &mut self.types {
            types.insert(e as *const Expr as usize, t.clone());
        }
    }

    fn report(&mut self, d: Diagnostic) {
        if self.quiet == 0 {
            self.diags.push(d);
        }
    }

    fn hint(&mut self, code: &'static str, msg: impl Into<String>, span: Span) {
        let mut d = Diagnostic::error(code, msg, span);
        d.severity = Severity::Hint;
        self.report(d);
    }

    /// Whether an unknown name may come from an import.
    fn maybe_imported(&self, name: &str) -> bool {
        self.import_all || self.imported.contains(name)
    }
}

mod call;
mod cover;
mod decls;
mod expr;
mod record;
mod stmt;
mod suggest;

use call::*;

pub use suggest::nearest;
use suggest::*;

#[cfg(test)]
mod tests;
