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

/// The verifier's codes, one constant each; `ALL` lists them in order.
pub mod code {
    pub const UNDEFINED_NAME: &str = "ILO-T001";
    pub const UNDEFINED_FUNCTION: &str = "ILO-T002";
    pub const ARITY: &str = "ILO-T003";
    pub const MISMATCH: &str = "ILO-T004";
    pub const OPERAND: &str = "ILO-T005";
    pub const UNWRAP_NOT_RESULT: &str = "ILO-T006";
    pub const UNWRAP_OUTSIDE_RESULT: &str = "ILO-T007";
    pub const MISSING_ARM: &str = "ILO-T008";
    pub const OUTSIDE_LOOP: &str = "ILO-T009";
    pub const DUPLICATE_FUNCTION: &str = "ILO-T010";
    pub const DUPLICATE_TYPE: &str = "ILO-T011";
    pub const DUPLICATE_PARAM: &str = "ILO-T012";
    pub const DUPLICATE_FIELD: &str = "ILO-T013";
    pub const UNKNOWN_FIELD: &str = "ILO-T014";
    pub const UNKNOWN_TYPE: &str = "ILO-T015";
    pub const RETURN_MISMATCH: &str = "ILO-T016";
    pub const NOT_BOOL: &str = "ILO-T017";
    pub const MISSING_FIELD: &str = "ILO-T018";
    pub const NO_FIELDS: &str = "ILO-T019";
    pub const NOT_FUNCTION: &str = "ILO-T020";
    pub const PATTERN_NEVER_MATCHES: &str = "ILO-T021";
    pub const NOT_ITERABLE: &str = "ILO-T022";
    /// Hint.
    pub const UNREACHABLE_ARM: &str = "ILO-T030";
    /// Hint.
    pub const UNREACHABLE_STMT: &str = "ILO-T031";

    pub const ALL: &[&str] = &[
        UNDEFINED_NAME,
        UNDEFINED_FUNCTION,
        ARITY,
        MISMATCH,
        OPERAND,
        UNWRAP_NOT_RESULT,
        UNWRAP_OUTSIDE_RESULT,
        MISSING_ARM,
        OUTSIDE_LOOP,
        DUPLICATE_FUNCTION,
        DUPLICATE_TYPE,
        DUPLICATE_PARAM,
        DUPLICATE_FIELD,
        UNKNOWN_FIELD,
        UNKNOWN_TYPE,
        RETURN_MISMATCH,
        NOT_BOOL,
        MISSING_FIELD,
        NO_FIELDS,
        NOT_FUNCTION,
        PATTERN_NEVER_MATCHES,
        NOT_ITERABLE,
        UNREACHABLE_ARM,
        UNREACHABLE_STMT,
    ];
}

use code::*;

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

    // ---------------------------------------------------- declarations --

    fn declarations(&mut self, program: &'p Program) {
        for d in &program.decls {
            match d {
                Decl::Use(u) => match &u.names {
                    Some(names) => self.imported.extend(names.iter().map(|n| n.name.as_str())),
                    None => self.import_all = true,
                },
                Decl::Type(t) => self.declare_type(t),
                Decl::Func(f) => self.declare_func(f),
            }
        }
        // Types may be used before they are declared, so check them after.
        for d in &program.decls {
            match d {
                Decl::Type(t) => self.check_type_decl(t),
                Decl::Func(f) => self.check_signature(f),
                Decl::Use(_) => {}
            }
        }
    }

    fn declare_type(&mut self, t: &'p TypeDecl) {
        let name = t.name.name.as_str();
        if let Some(first) = self.records.get(name) {
            let d = Diagnostic::error(DUPLICATE_TYPE, format!("type `{name}` is declared twice"), t.name.span)
                .with_label(first.name.span, "first declared here")
                .with_suggestion(format!("rename one of them, e.g. `{name}2`"));
            self.report(d);
            return;
        }
        self.records.insert(name, t);
        self.record_names.push(name);
    }

    fn declare_func(&mut self, f: &'p FuncDecl) {
        let name = f.name.name.as_str();
        if let Some(first) = self.funcs.get(name) {
            let d = Diagnostic::error(
                DUPLICATE_FUNCTION,
                format!("function `{name}` is declared twice"),
                f.name.span,
            )
            .with_label(first.name.span, "first declared here")
            .with_suggestion(format!("rename one of them, e.g. `{name}2`"));
            self.report(d);
            return;
        }
        self.funcs.insert(name, f);
        self.func_names.push(name);
    }

    fn check_type_decl(&mut self, t: &TypeDecl) {
        let mut seen: Vec<&Param> = Vec::new();
        for field in &t.fields {
            if let Some(first) = seen.iter().find(|p| p.name.name == field.name.name) {
                let d = Diagnostic::error(
                    DUPLICATE_FIELD,
                    format!("field `{}` appears twice in type `{}`", field.name.name, t.name.name),
                    field.name.span,
                )
                .with_label(first.name.span, "first declared here");
                self.report(d);
            } else {
                seen.push(field);
            }
            self.check_declared_type(&field.ty, field.span);
        }
    }

    fn check_signature(&mut self, f: &FuncDecl) {
        let mut seen: Vec<&Param> = Vec::new();
        for p in &f.params {
            if let Some(first) = seen.iter().find(|q| q.name.name == p.name.name) {
                let d = Diagnostic::error(
                    DUPLICATE_PARAM,
                    format!("parameter `{}` appears twice in `{}`", p.name.name, f.name.name),
                    p.name.span,
                )
                .with_label(first.name.span, "first declared here");
                self.report(d);
            } else {
                seen.push(p);
            }
            self.check_declared_type(&p.ty, p.span);
        }
        self.check_declared_type(&f.ret, f.name.span);
    }

    /// Reports record names in a declared type that nothing declares.
    fn check_declared_type(&mut self, t: &Type, span: Span) {
        let mut unknown = Vec::new();
        self.unknown_names(t, &mut unknown, 0);
        for name in unknown {
            let mut d = Diagnostic::error(UNKNOWN_TYPE, format!("unknown type `{name}`"), span);
            if let Some(fix) = type_suggestion(&name, &self.record_names) {
                d = d.with_suggestion(fix);
            } else {
                d = d.with_note("types are n t b _ L M R O F, a type variable, or a name declared with `type`");
            }
            self.report(d);
        }
    }

    fn unknown_names(&self, t: &Type, out: &mut Vec<String>, depth: u32) {
        if depth > MAX_NEST {
            return;
        }
        match t {
            Type::Named(n) if !self.records.contains_key(n.as_str()) && !self.maybe_imported(n) => out.push(n.clone()),
            Type::List(e) | Type::Opt(e) => self.unknown_names(e, out, depth + 1),
            Type::Map(a, b) | Type::Result(a, b) => {
                self.unknown_names(a, out, depth + 1);
                self.unknown_names(b, out, depth + 1);
            }
            Type::Func(ps, r) => {
                ps.iter().for_each(|p| self.unknown_names(p, out, depth + 1));
                self.unknown_names(r, out, depth + 1);
            }
            _ => {}
        }
    }

    /// A declared type with its type variables kept (signatures).
    fn sig_ty(&self, t: &Type) -> Ty {
        let records = &self.records;
        types::from_ast(t, &|n: &str| {
            if records.contains_key(n) {
                Ty::Record(n.to_string())
            } else {
                Ty::Any
            }
        })
    }

    /// A declared type as a value inside a body: type variables are unknown.
    fn body_ty(&self, t: &Type) -> Ty {
        self.sig_ty(t).erase_vars()
    }

    fn record_field(&self, rec: &str, field: &str) -> Option<Ty> {
        let decl = self.records.get(rec)?;
        let p = decl.fields.iter().find(|p| p.name.name == field)?;
        Some(self.body_ty(&p.ty))
    }

    // ------------------------------------------------------- functions --

    fn function(&mut self, f: &'p FuncDecl) {
        self.fname = f.name.name.as_str();
        self.ret = self.body_ty(&f.ret);
        self.loops = 0;
        self.prepass = false;
        self.nest = 0;
        let params = f
            .params
            .iter()
            .map(|p| (p.name.name.clone(), self.body_ty(&p.ty)))
            .collect();
        self.env = Env::new(params);
        self.block(&f.body, true);
    }

    /// Checks a block; `tail` when its last statement is the function's
    /// value. Returns the block's value type.
    fn block(&mut self, stmts: &'p [Stmt], tail: bool) -> Ty {
        if self.nest > MAX_NEST {
            return Ty::Any;
        }
        self.nest += 1;
        let mut prev = Ty::Nil;
        let mut hinted = false;
        for (i, s) in stmts.iter().enumerate() {
            prev = self.stmt(s, &prev, tail && i + 1 == stmts.len());
            let kw = match s.kind {
                StmtKind::Return(_) => "ret",
                StmtKind::Break => "brk",
                StmtKind::Continue => "cnt",
                _ => continue,
            };
            // One hint per block is enough.
            if let (Some(next), false) = (stmts.get(i + 1), hinted) {
                hinted = true;
                self.hint(
                    UNREACHABLE_STMT,
                    format!("this never runs: `{kw}` above leaves first"),
                    next.span,
                );
            }
        }
        self.nest -= 1;
        prev
    }

    /// Checks one statement; returns its value type. `prev` is the value
    /// of the statement before (for `?{arms}`).
    fn stmt(&mut self, s: &'p Stmt, prev: &Ty, tail: bool) -> Ty {
        match &s.kind {
            StmtKind::Bind { name, value } => {
                let t = if tail {
                    self.expect(value, &self.ret.clone(), Why::Return)
                } else {
                    self.expr(value)
                };
                self.env.bind(&name.name, t.clone());
                t
            }
            StmtKind::Destructure { names, value } => self.destructure(names, value, tail),
            StmtKind::Guard { cond, value, .. } => {
                self.cond(cond);
                self.expect(value, &self.ret.clone(), Why::Return);
                Ty::Nil
            }
            StmtKind::If { cond, then, els, .. } => self.if_stmt(cond, then, els.as_deref(), tail),
            StmtKind::Match { subject, arms } => self.match_stmt(subject.as_ref(), arms, prev, tail, s.span),
            StmtKind::ForEach { var, iter, body } => {
                let it = self.expr(iter);
                let elem = self.element(&it, iter.span);
                self.loop_body(Some((var, elem)), None, body);
                self.loop_value(tail, s.span)
            }
            StmtKind::ForRange { var, from, to, body } => {
                self.expect(from, &Ty::Num, Why::Bound);
                self.expect(to, &Ty::Num, Why::Bound);
                self.loop_body(Some((var, Ty::Num)), None, body);
                self.loop_value(tail, s.span)
            }
            StmtKind::While { cond, body } => {
                self.loop_body(None, Some(cond), body);
                self.loop_value(tail, s.span)
            }
            StmtKind::Break | StmtKind::Continue => {
                self.jump_in_loop(s);
                Ty::Never
            }
            StmtKind::Return(e) => {
                self.expect(e, &self.ret.clone(), Why::Return);
                Ty::Never
            }
            StmtKind::Expr(e) => {
                if self.bool_name_guard(e) {
                    return Ty::Nil;
                }
                if tail {
                    self.expect(e, &self.ret.clone(), Why::Return)
                } else {
                    self.expr(e)
                }
            }
        }
    }

    fn jump_in_loop(&mut self, s: &Stmt) {
        if self.loops == 0 {
            let kw = if matches!(s.kind, StmtKind::Break) {
                "brk"
            } else {
                "cnt"
            };
            let d = Diagnostic::error(OUTSIDE_LOOP, format!("`{kw}` outside a loop"), s.span)
                .with_note("`brk` and `cnt` work inside `@x xs{…}`, `@i a..b{…}` and `wh cond{…}`")
                .with_suggestion("ret");
            self.report(d);
        }
    }

    /// `ok v` where `ok` is a bool variable: the parser reads a call, the
    /// run-time (and so the verifier) the guard "return `v` when `ok`".
    fn bool_name_guard(&mut self, e: &'p Expr) -> bool {
        let ExprKind::Call {
            func,
            args,
            unwrap: false,
        } = &e.kind
        else {
            return false;
        };
        let [value] = args.as_slice() else { return false };
        if !matches!(self.env.get(&func.name).map(Ty::strip_opt), Some(Ty::Bool)) {
            return false;
        }
        self.expect(value, &self.ret.clone(), Why::Return);
        true
    }

    #[inline(never)]
    fn destructure(&mut self, names: &'p [Ident], value: &'p Expr, tail: bool) -> Ty {
        let t = if tail {
            self.expect(value, &self.ret.clone(), Why::Return)
        } else {
            self.expr(value)
        };
        for n in names {
            let ft = match t.strip_opt() {
                Ty::Record(rec) => match self.record_field(rec, &n.name) {
                    Some(ft) => ft,
                    None => {
                        let rec = rec.clone();
                        self.unknown_field(&rec, n);
                        Ty::Any
                    }
                },
                Ty::Map(_, v) => (**v).clone(),
                t if t.is_unknown() => Ty::Any,
                other => {
                    let d = Diagnostic::error(
                        NO_FIELDS,
                        format!("cannot destructure a {other}: it has no fields"),
                        value.span,
                    )
                    .with_note("`{a;b}=rec` takes the fields of a record");
                    self.report(d);
                    return t;
                }
            };
            self.env.bind(&n.name, ft);
        }
        t
    }

    #[inline(never)]
    fn if_stmt(&mut self, cond: &'p Expr, then: &'p [Stmt], els: Option<&'p [Stmt]>, tail: bool) -> Ty {
        self.cond(cond);
        let mark = self.env.mark();
        let then_t = self.block(then, tail);
        let after_then = self.env.undo(mark);
        let Some(els) = els else {
            // The condition may be false: the old values are the other path.
            self.env.meet(&[after_then], true);
            return Ty::opt(then_t);
        };
        let mark = self.env.mark();
        let else_t = self.block(els, tail);
        let after_else = self.env.undo(mark);
        self.env.meet(&[after_then, after_else], false);
        join(&then_t, &else_t)
    }

    /// Checks a loop body (with its variable, or a `wh` condition). A first,
    /// silent pass learns how the body rebinds variables, so the second
    /// pass sees the types a later iteration has. Nested loops skip their
    /// own first pass inside an outer one, so the work stays quadratic in
    /// the nesting depth.
    fn loop_body(&mut self, var: Option<(&Ident, Ty)>, cond: Option<&'p Expr>, body: &'p [Stmt]) {
        self.loops += 1;
        let binding = var.map(|(v, t)| (v.name.clone(), t));
        if !self.prepass {
            let mark = self.env.mark();
            self.prepass = true;
            self.quiet += 1;
            self.loop_pass(&binding, cond, body);
            self.quiet -= 1;
            self.prepass = false;
            let learned = self.env.undo(mark);
            self.env.meet(&[learned], true);
        }
        // The body may run or not: the values before it are the other path.
        let mark = self.env.mark();
        self.loop_pass(&binding, cond, body);
        let after = self.env.undo(mark);
        self.env.meet(&[after], true);
        self.loops -= 1;
    }

    fn loop_pass(&mut self, binding: &Option<(String, Ty)>, cond: Option<&'p Expr>, body: &'p [Stmt]) {
        if let Some(c) = cond {
            self.cond(c);
        }
        self.env.push(binding.clone());
        self.block(body, false);
        self.env.pop();
    }

    /// A loop's value is nil: as the function's last statement that is
    /// worth a word unless the function may return nil.
    fn loop_value(&mut self, tail: bool, span: Span) -> Ty {
        if tail && !fits(&Ty::Nil, &self.ret) {
            let d = Diagnostic::error(
                RETURN_MISMATCH,
                format!(
                    "`{}` returns {}, but its last statement is a loop, whose value is nil",
                    self.fname, self.ret
                ),
                span,
            )
            .with_suggestion("end the body with the value to return, e.g. `…};s`");
            self.report(d);
        }
        Ty::Nil
    }

    /// The element type of what `@x e` walks.
    fn element(&mut self, t: &Ty, span: Span) -> Ty {
        match t.strip_opt() {
            Ty::List(e) => (**e).clone(),
            Ty::Text | Ty::Map(..) => Ty::Text,
            t if t.is_unknown() => Ty::Any,
            other => {
                let mut d = Diagnostic::error(NOT_ITERABLE, format!("cannot loop over a {other}"), span)
                    .with_note("`@x e{…}` walks a list, the characters of a text, or the keys of a map");
                if *other == Ty::Num {
                    d = d.with_suggestion("@i 0..n{…}");
                }
                self.report(d);
                Ty::Any
            }
        }
    }

    /// A guard, `if`, `wh` or ternary condition: a bool, or something
    /// whose truthiness means presence (an option).
    fn cond(&mut self, e: &'p Expr) {
        let t = self.expr(e);
        if matches!(t, Ty::Bool | Ty::Opt(_) | Ty::Nil) || t.is_unknown() {
            return;
        }
        let mut d = Diagnostic::error(NOT_BOOL, format!("this condition is {}, not a bool", a_ty(&t)), e.span)
            .with_note("a condition is a comparison, `&`, `|`, `!`, or a bool; any other value is always true");
        let shown = show(e);
        let fix = match (&t, &shown) {
            (Ty::Num, Some(x)) => Some(format!("!={x} 0")),
            (Ty::Text, Some(x)) => Some(format!("!={x} \"\"")),
            (Ty::List(_), Some(x)) => Some(format!(">(len {x}) 0")),
            (Ty::Result(..), Some(x)) => Some(format!("?{}{{~v:…;^e:…}}", paren(x))),
            _ => None,
        };
        if let Some(fix) = fix {
            d = d.with_suggestion(fix);
        }
        self.report(d);
    }

    // ---------------------------------------------------------- match --

    #[inline(never)]
    fn match_stmt(&mut self, subject: Option<&'p Expr>, arms: &'p [Arm], prev: &Ty, tail: bool, span: Span) -> Ty {
        let st = match subject {
            Some(e) => self.expr(e),
            None => prev.clone(),
        };
        let mut cover = Cover::default();
        let mut result = Ty::Never;
        let mut hinted = false;
        for arm in arms {
            if cover.wild && !hinted {
                hinted = true;
                self.hint(
                    UNREACHABLE_ARM,
                    "this arm never runs: the `_` arm above matches everything",
                    arm.span,
                );
            } else if !hinted && cover.repeats(&arm.pat) {
                hinted = true;
                self.hint(
                    UNREACHABLE_ARM,
                    "this arm never runs: an arm above matches the same value",
                    arm.span,
                );
            }
            let binding = self.pattern(&arm.pat, &st, arm.span);
            cover.add(&arm.pat);
            self.env.push(binding);
            let t = if tail {
                self.expect(&arm.body, &self.ret.clone(), Why::Return)
            } else {
                self.expr(&arm.body)
            };
            self.env.pop();
            result = join(&result, &t);
        }
        match cover.missing(&st) {
            Exhaustive::Yes => result,
            Exhaustive::Unknown => Ty::opt(result),
            Exhaustive::Missing(arms) => {
                let what = if matches!(st, Ty::Result(..)) {
                    "a result"
                } else {
                    "a bool"
                };
                let d = Diagnostic::error(
                    MISSING_ARM,
                    format!(
                        "this match on {what} has no {} arm",
                        backticked(&arms).replace(", ", " or ")
                    ),
                    subject.map_or(span, |e| e.span),
                )
                .with_note("without a matching arm the match is nil; add the arm or a `_:` arm")
                .with_suggestion(format!("add `{}`", arms.join(";")));
                self.report(d);
                Ty::opt(result)
            }
        }
    }

    /// Checks that `pat` can match a value of type `st`; returns the name
    /// it binds, with its type.
    fn pattern(&mut self, pat: &'p Pattern, st: &Ty, span: Span) -> Option<(String, Ty)> {
        let base = st.strip_opt();
        let known = !base.is_unknown() && *base != Ty::Nil;
        let (fits_subject, binding): (bool, Option<(&Ident, Ty)>) = match pat {
            Pattern::Wild => (true, None),
            // No nil tracking: any value may be nil as far as patterns go.
            Pattern::Lit(Lit::Nil) => (true, None),
            Pattern::Lit(lit) => (!known || lit_ty(lit) == *base, None),
            Pattern::Ok(v) | Pattern::Err(v) => {
                let ok = matches!(pat, Pattern::Ok(_));
                match base {
                    Ty::Result(o, e) => (true, Some((v, if ok { (**o).clone() } else { (**e).clone() }))),
                    _ => (!known, Some((v, Ty::Any))),
                }
            }
            Pattern::Typed(tag, v) => {
                let t = match (tag, base) {
                    (TypeTag::List, Ty::List(_)) => base.clone(),
                    (TypeTag::List, _) => Ty::list(Ty::Any),
                    (TypeTag::Num, _) => Ty::Num,
                    (TypeTag::Text, _) => Ty::Text,
                    (TypeTag::Bool, _) => Ty::Bool,
                };
                let same = match tag {
                    TypeTag::List => matches!(base, Ty::List(_)),
                    _ => t == *base,
                };
                (!known || same, Some((v, t)))
            }
        };
        if !fits_subject {
            let d = Diagnostic::error(
                PATTERN_NEVER_MATCHES,
                format!("this pattern can never match: the value matched is {}", a_ty(st)),
                span,
            )
            .with_note(pattern_note(base));
            self.report(d);
        }
        binding.filter(|(v, _)| v.name != "_").map(|(v, t)| (v.name.clone(), t))
    }

    // ---------------------------------------------------- expressions --

    /// Checks `e` where a `want` is required, reporting a mismatch at the
    /// most precise place (a list element, the inside of `~`/`^`, a branch
    /// of a ternary). Returns the type of `e`.
    fn expect(&mut self, e: &'p Expr, want: &Ty, why: Why<'_>) -> Ty {
        self.expect_at(e, want, why, None)
    }

    /// `outer` is the whole required type when `want` is a part of it.
    fn expect_at(&mut self, e: &'p Expr, want: &Ty, why: Why<'_>, outer: Option<&Ty>) -> Ty {
        if self.nest > MAX_NEST {
            return Ty::Any;
        }
        self.nest += 1;
        let t = self.expect_inner(e, want, why, outer);
        self.nest -= 1;
        t
    }

    fn expect_inner(&mut self, e: &'p Expr, want: &Ty, why: Why<'_>, outer: Option<&Ty>) -> Ty {
        let whole = Some(outer.unwrap_or(want));
        match (&e.kind, want.strip_opt()) {
            (ExprKind::List(items), Ty::List(elem)) if !elem.is_unknown() => {
                let mut t = Ty::Never;
                for x in items {
                    let xt = self.expect_at(x, elem, why, whole);
                    t = join(&t, &xt);
                }
                Ty::list(t)
            }
            (ExprKind::Ok(x), Ty::Result(o, _)) => Ty::result(self.expect_at(x, o, why, whole), Ty::Never),
            (ExprKind::Err(x), Ty::Result(_, er)) => Ty::result(Ty::Never, self.expect_at(x, er, why, whole)),
            (ExprKind::Ternary { cond, then, els }, _) => {
                self.cond(cond);
                let a = self.expect_at(then, want, why, outer);
                let b = self.expect_at(els, want, why, outer);
                join(&a, &b)
            }
            _ => {
                let t = self.expr(e);
                if !fits(&t, want) {
                    self.mismatch(e, &t, want, why, outer);
                }
                t
            }
        }
    }

    #[inline(never)]
    fn mismatch(&mut self, e: &Expr, got: &Ty, want: &Ty, why: Why<'_>, outer: Option<&Ty>) {
        let got_text = a_ty(got);
        // "must be L n, so this must be n, but it is a t" for a part.
        let tail = match outer {
            Some(o) => format!("`{o}`, so this must be `{want}`, but it is {got_text}"),
            None => format!("`{want}`, but this is {got_text}"),
        };
        let (code, msg) = match why {
            Why::Return => (RETURN_MISMATCH, format!("`{}` returns {tail}", self.fname)),
            Why::Arg(callee, i) => (MISMATCH, format!("argument {} of `{callee}` must be {tail}", i + 1)),
            Why::Field(rec, f) => (MISMATCH, format!("field `{f}` of `{rec}` is {tail}")),
            Why::Bound => (MISMATCH, format!("a range bound must be {tail}")),
        };
        let mut d = Diagnostic::error(code, msg, e.span);
        if let Some(fix) = self.conversion(e, got, want, matches!(why, Why::Return)) {
            d = d.with_suggestion(fix);
        }
        self.report(d);
    }

    /// A fix that turns a value of type `got` into `want`, when there is an
    /// obvious one.
    fn conversion(&self, e: &Expr, got: &Ty, want: &Ty, returning: bool) -> Option<String> {
        let x = show(e);
        let x = x.as_deref().map(paren).unwrap_or_else(|| "(…)".to_string());
        let want = want.strip_opt();
        Some(match (got.strip_opt(), want) {
            (Ty::Num, Ty::Text) => match &e.kind {
                ExprKind::Lit(Lit::Num(n)) => format!("\"{n}\""),
                _ => format!("str {x}"),
            },
            (Ty::Text, Ty::Num) => match &e.kind {
                ExprKind::Lit(Lit::Text(t)) => format!("{}", t.trim().parse::<f64>().ok()?),
                _ => self.num_fix(&x),
            },
            (Ty::Result(..), w) if !matches!(w, Ty::Result(..)) => match &e.kind {
                ExprKind::Call {
                    func,
                    args,
                    unwrap: false,
                } if matches!(self.ret, Ty::Result(..)) => {
                    let shown = show(e)?;
                    let rest = shown.get(func.name.len()..)?;
                    if args.is_empty() {
                        format!("{}!()", func.name)
                    } else {
                        format!("{}!{rest}", func.name)
                    }
                }
                _ => format!("?{x}{{~v:v;^e:…}}"),
            },
            (g, Ty::Result(o, _)) if returning && fits(g, o) => format!("~{x}"),
            _ => return None,
        })
    }

    /// How to read a number from text here: `num!` inside a function that
    /// returns a result, else a match.
    fn num_fix(&self, x: &str) -> String {
        if matches!(self.ret, Ty::Result(..)) {
            format!("num! {x}")
        } else {
            format!("?(num {x}){{~v:v;^e:0}}")
        }
    }

    fn expr(&mut self, e: &'p Expr) -> Ty {
        if self.nest > MAX_NEST {
            return Ty::Any;
        }
        self.nest += 1;
        let t = self.expr_inner(e);
        self.nest -= 1;
        t
    }

    /// One level of inference; each case lives in its own function so the
    /// recursive path keeps small stack frames.
    fn expr_inner(&mut self, e: &'p Expr) -> Ty {
        match &e.kind {
            ExprKind::Lit(l) => lit_ty(l),
            ExprKind::List(items) => self.list(items),
            ExprKind::Name(n) => self.name(n, e.span),
            ExprKind::Unary { op, operand } => self.unary(*op, operand),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, e.span),
            ExprKind::Call { func, args, unwrap } => self.call(func, args, *unwrap, e),
            ExprKind::Ok(x) => Ty::result(self.expr(x), Ty::Never),
            ExprKind::Err(x) => Ty::result(Ty::Never, self.expr(x)),
            ExprKind::Coalesce { lhs, rhs } => {
                let a = self.expr(lhs);
                let b = self.expr(rhs);
                match a {
                    Ty::Nil => b,
                    a => join(a.strip_opt(), &b),
                }
            }
            ExprKind::Field { target, field, safe } => self.field(target, field, *safe),
            ExprKind::Index { target, index } => self.index(target, *index),
            ExprKind::Record { ty, fields } => self.record(ty, fields, e.span),
            ExprKind::With { target, fields } => self.with(target, fields),
            ExprKind::Ternary { cond, then, els } => {
                self.cond(cond);
                let a = self.expr(then);
                let b = self.expr(els);
                join(&a, &b)
            }
        }
    }

    /// A list literal may mix kinds (`[1 "a"]` is `L _`); against a declared
    /// element type each element is checked by [`Self::expect`].
    fn list(&mut self, items: &'p [Expr]) -> Ty {
        let mut t = Ty::Never;
        for x in items {
            let xt = self.expr(x);
            t = join(&t, &xt);
        }
        Ty::list(t)
    }

    /// A name in value position: a variable, else a function (called when
    /// it takes no arguments, else a function value), else a builtin.
    #[inline(never)]
    fn name(&mut self, n: &str, span: Span) -> Ty {
        if let Some(t) = self.env.get(n) {
            return t.clone();
        }
        if let Some(f) = self.funcs.get(n).copied() {
            let ret = self.body_ty(&f.ret);
            if f.params.is_empty() {
                return ret;
            }
            return Ty::func(f.params.iter().map(|p| self.body_ty(&p.ty)).collect(), ret);
        }
        let sigs = signatures(n);
        if let Some(zero) = sigs.iter().find(|s| s.params.is_empty()) {
            return Subst::default().apply(&zero.ret);
        }
        match sigs {
            [one] => return Ty::func(one.params.clone(), one.ret.clone()).erase_vars(),
            [_, ..] => return Ty::Any,
            [] => {}
        }
        if !self.maybe_imported(n) {
            let mut d = Diagnostic::error(UNDEFINED_NAME, format!("undefined name `{n}`"), span);
            if let Some(s) = self.nearest_callable(n, true) {
                d = d.with_suggestion(s);
            } else {
                d = d.with_note("bind it first with `x=…`, or declare it as a parameter");
            }
            self.report(d);
        }
        Ty::Any
    }

    /// The nearest variable, function or builtin name to `n` (variables
    /// first for a value, functions first for a call).
    fn nearest_callable(&self, n: &str, value: bool) -> Option<String> {
        let mut cands: Vec<&str> = Vec::new();
        if value {
            cands.extend(self.env.names());
        }
        cands.extend(self.func_names.iter().copied());
        for b in builtins::names() {
            cands.push(b);
        }
        if !value {
            cands.extend(self.env.names());
        }
        nearest(n, cands)
    }

    fn unary(&mut self, op: UnOp, operand: &'p Expr) -> Ty {
        let t = self.expr(operand);
        match op {
            UnOp::Not => Ty::Bool,
            UnOp::Neg => {
                self.numeric(operand, &t, "-");
                Ty::Num
            }
        }
    }

    /// Reports an operand of `- * / <…` that is known not to be a number.
    fn numeric(&mut self, e: &Expr, t: &Ty, op: &str) -> bool {
        let base = t.strip_opt();
        if *base == Ty::Num || base.is_unknown() {
            return true;
        }
        let mut d = Diagnostic::error(
            OPERAND,
            format!("`{op}` takes numbers, but this is {}", a_ty(t)),
            e.span,
        );
        if let Some(fix) = self.conversion(e, t, &Ty::Num, false) {
            d = d.with_suggestion(fix);
        }
        self.report(d);
        false
    }

    #[inline(never)]
    fn binary(&mut self, op: BinOp, lhs: &'p Expr, rhs: &'p Expr, span: Span) -> Ty {
        let a = self.expr(lhs);
        let b = self.expr(rhs);
        match op {
            BinOp::Add => self.add(lhs, &a, rhs, &b, span),
            BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let sym = op.symbol();
                let _ = self.numeric(lhs, &a, sym) && self.numeric(rhs, &b, sym);
                Ty::Num
            }
            BinOp::Append => self.append(lhs, &a, rhs, &b),
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
                self.compare(op.symbol(), lhs, &a, rhs, &b);
                Ty::Bool
            }
            BinOp::Eq | BinOp::Ne | BinOp::And | BinOp::Or => Ty::Bool,
        }
    }

    /// `+`: n n, t t or L L.
    fn add(&mut self, lhs: &Expr, a: &Ty, rhs: &Expr, b: &Ty, span: Span) -> Ty {
        let (x, y) = (a.strip_opt(), b.strip_opt());
        let addable = |t: &Ty| matches!(t, Ty::Num | Ty::Text | Ty::List(_)) || t.is_unknown();
        match (x, y) {
            (Ty::Num, Ty::Num) => Ty::Num,
            (Ty::Text, Ty::Text) => Ty::Text,
            (Ty::List(p), Ty::List(q)) if fits(p, q) || fits(q, p) => Ty::list(join(p, q)),
            (Ty::List(_), Ty::List(_)) => {
                let d = Diagnostic::error(OPERAND, format!("`+` joins lists of one kind, not {a} and {b}"), span)
                    .with_note("declare the list as `L _` to mix kinds");
                self.report(d);
                Ty::list(Ty::Any)
            }
            (u, t) | (t, u) if u.is_unknown() && addable(t) => {
                if t.is_unknown() {
                    Ty::Any
                } else {
                    t.clone()
                }
            }
            (Ty::Num, Ty::Text) | (Ty::Text, Ty::Num) => {
                let (num_side, text_side) = if *x == Ty::Num { (lhs, rhs) } else { (rhs, lhs) };
                let mut d = Diagnostic::error(OPERAND, "`+` of a text and a number", num_side.span)
                    .with_label(text_side.span, "this is text")
                    .with_note("`+` adds two numbers or joins two texts; convert one side");
                if let (Some(l), Some(r)) = (show(lhs), show(rhs)) {
                    let (l, r) = if *x == Ty::Num {
                        (format!("(str {l})"), paren(&r))
                    } else {
                        (paren(&l), format!("(str {r})"))
                    };
                    d = d.with_suggestion(format!("+{l} {r}"));
                }
                self.report(d);
                Ty::Text
            }
            _ => {
                let (bad, t) = if !addable(x) { (lhs, a) } else { (rhs, b) };
                let d = Diagnostic::error(
                    OPERAND,
                    format!("`+` takes two numbers, two texts or two lists, but this is {}", a_ty(t)),
                    bad.span,
                );
                self.report(d);
                Ty::Any
            }
        }
    }

    /// `+=xs v`: a list and an element that fits it.
    fn append(&mut self, lhs: &Expr, a: &Ty, rhs: &Expr, b: &Ty) -> Ty {
        match a.strip_opt() {
            Ty::List(e) if fits(b, e) => Ty::list(join(e, b)),
            Ty::List(e) => {
                let d = Diagnostic::error(
                    OPERAND,
                    format!("`+=` appends to a list of `{e}`, but this is {}", a_ty(b)),
                    rhs.span,
                )
                .with_label(lhs.span, format!("this is {a}"));
                self.report(d);
                a.clone()
            }
            t if t.is_unknown() => Ty::list(Ty::Any),
            t => {
                let mut d = Diagnostic::error(
                    OPERAND,
                    format!("`+=` appends to a list, but this is {}", a_ty(t)),
                    lhs.span,
                );
                if *t == Ty::Text {
                    if let (Some(l), Some(r)) = (show(lhs), show(rhs)) {
                        d = d.with_suggestion(format!("+{} {}", paren(&l), paren(&r)));
                    }
                }
                self.report(d);
                Ty::Any
            }
        }
    }

    /// `< > <= >=`: two numbers or two texts.
    fn compare(&mut self, op: &str, lhs: &Expr, a: &Ty, rhs: &Expr, b: &Ty) {
        let (x, y) = (a.strip_opt(), b.strip_opt());
        let ordered = |t: &Ty| matches!(t, Ty::Num | Ty::Text) || t.is_unknown();
        if !ordered(x) || !ordered(y) {
            let (bad, t) = if !ordered(x) { (lhs, a) } else { (rhs, b) };
            let d = Diagnostic::error(
                OPERAND,
                format!("`{op}` compares two numbers or two texts, but this is {}", a_ty(t)),
                bad.span,
            );
            self.report(d);
        } else if x != y && !x.is_unknown() && !y.is_unknown() {
            let num_side = if *x == Ty::Num { lhs } else { rhs };
            let mut d = Diagnostic::error(OPERAND, format!("`{op}` of a number and a text"), num_side.span)
                .with_note("a comparison takes two numbers or two texts; convert one side");
            if let Some(n) = show(num_side) {
                d = d.with_suggestion(format!("str {}", paren(&n)));
            }
            self.report(d);
        }
    }

    // ---------------------------------------------------------- calls --

    fn call(&mut self, func: &'p Ident, args: &'p [Expr], unwrap: bool, e: &'p Expr) -> Ty {
        let name = func.name.as_str();
        let ret = if let Some(t) = self.env.get(name).cloned() {
            self.call_value(func, &t, args)
        } else if let Some(f) = self.funcs.get(name).copied() {
            self.call_user(func, f, args)
        } else if !signatures(name).is_empty() {
            self.call_builtin(func, args, e.span)
        } else {
            self.call_unknown(func, args)
        };
        if unwrap {
            self.unwrap(func, &ret, e)
        } else {
            ret
        }
    }

    fn arg_types(&mut self, args: &'p [Expr]) -> Vec<Ty> {
        args.iter().map(|a| self.expr(a)).collect()
    }

    #[inline(never)]
    fn call_unknown(&mut self, func: &Ident, args: &'p [Expr]) -> Ty {
        self.arg_types(args);
        if !self.maybe_imported(&func.name) {
            let mut d = Diagnostic::error(
                UNDEFINED_FUNCTION,
                format!("unknown function `{}`", func.name),
                func.span,
            );
            match self.nearest_callable(&func.name, false) {
                Some(s) => d = d.with_suggestion(s),
                None => d = d.with_note("declare it: `name p:T>R;body`"),
            }
            self.report(d);
        }
        Ty::Any
    }

    /// A call of a variable: a function value, or unknown.
    #[inline(never)]
    fn call_value(&mut self, func: &Ident, t: &Ty, args: &'p [Expr]) -> Ty {
        let types = self.arg_types(args);
        match t.strip_opt() {
            Ty::Func(ps, r) => {
                if ps.len() != args.len() {
                    let d = Diagnostic::error(
                        ARITY,
                        format!("`{}` takes {}, but is given {}", func.name, count(ps.len()), args.len()),
                        func.span,
                    )
                    .with_suggestion(format!("`{}` is {t}", func.name));
                    self.report(d);
                } else {
                    for (i, ((p, a), at)) in ps.iter().zip(args).zip(&types).enumerate() {
                        if !fits(at, p) {
                            self.mismatch(a, at, p, Why::Arg(&func.name, i), None);
                        }
                    }
                }
                (**r).clone()
            }
            t if t.is_unknown() => Ty::Any,
            other => {
                let d = Diagnostic::error(
                    NOT_FUNCTION,
                    format!("`{}` is {}, not a function", func.name, a_ty(other)),
                    func.span,
                )
                .with_note("a variable can be called only when it holds a function (a parameter of type `F …`)");
                self.report(d);
                Ty::Any
            }
        }
    }

    #[inline(never)]
    fn call_user(&mut self, func: &'p Ident, f: &FuncDecl, args: &'p [Expr]) -> Ty {
        if f.params.len() != args.len() {
            self.arg_types(args);
            let d = Diagnostic::error(
                ARITY,
                format!(
                    "`{}` takes {}, but is given {}",
                    func.name,
                    count(f.params.len()),
                    args.len()
                ),
                func.span,
            )
            .with_label(f.name.span, "declared here")
            .with_suggestion(self.signature_text(f));
            self.report(d);
            return self.body_ty(&f.ret);
        }
        let mut s = Subst::default();
        for (i, (p, a)) in f.params.iter().zip(args).enumerate() {
            let pt = self.sig_ty(&p.ty);
            // Without type variables the argument can be checked part by
            // part (a list element, the inside of `~x`).
            if !pt.has_vars() {
                self.expect(a, &pt, Why::Arg(&func.name, i));
                continue;
            }
            let at = self.expr(a);
            if !s.unify(&pt, &at) {
                let want = s.apply(&pt).erase_vars();
                let want = if want.is_unknown() { pt.erase_vars() } else { want };
                self.mismatch(a, &at, &want, Why::Arg(&func.name, i), None);
            }
        }
        s.apply(&self.sig_ty(&f.ret)).erase_vars()
    }

    /// "`fac` takes n:n, returns n".
    fn signature_text(&self, f: &FuncDecl) -> String {
        let params: Vec<String> = f
            .params
            .iter()
            .map(|p| format!("{}:{}", p.name.name, self.sig_ty(&p.ty)))
            .collect();
        let takes = if params.is_empty() {
            "no arguments".to_string()
        } else {
            params.join(" ")
        };
        format!("`{}` takes {takes}, returns {}", f.name.name, self.sig_ty(&f.ret))
    }

    /// A builtin call: the first signature (by arity, then types) that
    /// fits. Unknown arguments may fit several; the result is then their
    /// join.
    #[inline(never)]
    fn call_builtin(&mut self, func: &Ident, args: &'p [Expr], span: Span) -> Ty {
        let name = func.name.as_str();
        let types = self.arg_types(args);
        let sigs = signatures(name);
        let cands: Vec<&Sig> = sigs.iter().filter(|s| s.builtin.accepts(args.len())).collect();
        if cands.is_empty() {
            let shapes: Vec<String> = sigs.iter().map(|s| s.builtin.shape()).collect();
            let takes = arities(sigs);
            let d = Diagnostic::error(
                ARITY,
                format!("`{name}` takes {takes}, but is given {}", args.len()),
                func.span,
            )
            .with_suggestion(shapes.join("  or  "));
            self.report(d);
            return sigs
                .first()
                .map_or(Ty::Any, |s| Subst::default().apply(&s.ret).erase_vars());
        }
        let mut result: Option<Ty> = None;
        for sig in &cands {
            let mut s = Subst::default();
            if types.iter().enumerate().all(|(i, t)| s.unify(sig.param(i), t)) {
                let r = s.apply(&sig.ret);
                result = Some(match result {
                    Some(prev) => join(&prev, &r),
                    None => r,
                });
            }
        }
        if let Some(r) = result {
            return r;
        }
        match closest(&cands, &types) {
            Some(one) => self.builtin_arg_mismatch(name, one, args, &types),
            None => {
                let got: Vec<String> = types.iter().map(|t| t.to_string()).collect();
                let shapes: Vec<String> = cands.iter().map(|s| s.builtin.shape()).collect();
                let d = Diagnostic::error(
                    MISMATCH,
                    format!(
                        "`{name}` does not take ({}); it takes {}",
                        got.join(", "),
                        takes_list(&cands)
                    ),
                    span,
                )
                .with_suggestion(shapes.join("  or  "));
                self.report(d);
            }
        }
        Ty::Any
    }

    /// Reports the first argument that does not fit the only candidate.
    fn builtin_arg_mismatch(&mut self, name: &str, sig: &Sig, args: &'p [Expr], types: &[Ty]) {
        let mut s = Subst::default();
        for (i, (a, t)) in args.iter().zip(types).enumerate() {
            let p = sig.param(i);
            if !s.unify(p, t) {
                let want = s.apply(p);
                let want = if want.is_unknown() { p.clone() } else { want };
                let mut d = Diagnostic::error(
                    MISMATCH,
                    format!(
                        "argument {} of `{name}` must be `{want}`, but this is {}",
                        i + 1,
                        a_ty(t)
                    ),
                    a.span,
                )
                .with_note(format!("`{}`: {}", sig.builtin.shape(), sig.builtin.doc));
                if let Some(fix) = self.conversion(a, t, &want, false) {
                    d = d.with_suggestion(fix);
                }
                self.report(d);
                return;
            }
        }
    }

    /// `f! args`: `f` must return a result, and so must the function
    /// around it, with an error type that the result's errors fit.
    #[inline(never)]
    fn unwrap(&mut self, func: &Ident, ret: &Ty, e: &Expr) -> Ty {
        let (ok, err) = match ret {
            Ty::Result(o, er) => ((**o).clone(), (**er).clone()),
            t if t.is_unknown() => (Ty::Any, Ty::Any),
            other => {
                let mut d = Diagnostic::error(
                    UNWRAP_NOT_RESULT,
                    format!("`{}!` unwraps a result, but `{}` returns {other}", func.name, func.name),
                    func.span,
                );
                if let Some(s) = show(e) {
                    d = d.with_suggestion(s.replacen('!', "", 1));
                }
                self.report(d);
                return other.clone();
            }
        };
        match self.ret.clone() {
            Ty::Result(_, outer) => {
                if !fits(&err, &outer) {
                    let d = Diagnostic::error(
                        RETURN_MISMATCH,
                        format!(
                            "`{}!` passes on errors of type {err}, but `{}` returns errors of type {outer}",
                            func.name, self.fname
                        ),
                        func.span,
                    )
                    .with_suggestion(format!("match instead: ?({} …){{~v:…;^e:…}}", func.name));
                    self.report(d);
                }
            }
            t if t.is_unknown() => {}
            outer => {
                let d = Diagnostic::error(
                    UNWRAP_OUTSIDE_RESULT,
                    format!(
                        "`{}!` returns the error from `{}`, but `{}` returns {outer}, not a result",
                        func.name, self.fname, self.fname
                    ),
                    func.span,
                )
                .with_note(format!(
                    "declare `{}` to return `R {outer} {err}`, or match the result",
                    self.fname
                ))
                .with_suggestion(format!("?({} …){{~v:…;^e:…}}", func.name));
                self.report(d);
            }
        }
        ok
    }

    // -------------------------------------------------------- records --

    #[inline(never)]
    fn field(&mut self, target: &'p Expr, field: &Ident, safe: bool) -> Ty {
        let t = self.expr(target);
        let ft = match t.strip_opt() {
            Ty::Nil if safe => return Ty::Nil,
            Ty::Record(rec) => match self.record_field(rec, &field.name) {
                Some(ft) => ft,
                None => {
                    let rec = rec.clone();
                    self.unknown_field(&rec, field);
                    Ty::Any
                }
            },
            // `x.f` on a map reads the entry (parsed JSON reads as `d.a.b`).
            Ty::Map(_, v) => (**v).clone(),
            t if t.is_unknown() => Ty::Any,
            other => {
                let mut d = Diagnostic::error(
                    NO_FIELDS,
                    format!(
                        "`.{}` on {}: only records and maps have fields",
                        field.name,
                        a_ty(other)
                    ),
                    field.span,
                );
                if *other == Ty::Nil {
                    d = d.with_suggestion(format!(".?{}", field.name));
                } else if let (true, Some(x)) = (is_unary_builtin(&field.name), show(target)) {
                    // `xs.len` for `len xs`.
                    d = d.with_suggestion(format!("{} {}", field.name, paren(&x)));
                }
                self.report(d);
                Ty::Any
            }
        };
        if safe {
            Ty::opt(ft)
        } else {
            ft
        }
    }

    #[inline(never)]
    fn index(&mut self, target: &'p Expr, index: usize) -> Ty {
        let t = self.expr(target);
        match t.strip_opt() {
            Ty::List(e) => (**e).clone(),
            Ty::Text => Ty::Text,
            t if t.is_unknown() => Ty::Any,
            other => {
                let d = Diagnostic::error(
                    NO_FIELDS,
                    format!("`.{index}` indexes a list or a text, but this is {}", a_ty(other)),
                    target.span,
                );
                self.report(d);
                Ty::Any
            }
        }
    }

    fn unknown_field(&mut self, rec: &str, field: &Ident) {
        let fields: Vec<&str> = self
            .records
            .get(rec)
            .map(|d| d.fields.iter().map(|p| p.name.name.as_str()).collect())
            .unwrap_or_default();
        let mut d = Diagnostic::error(
            UNKNOWN_FIELD,
            format!("`{rec}` has no field `{}`", field.name),
            field.span,
        )
        .with_note(format!("the fields of `{rec}` are {}", backticked(&fields)));
        if let Some(decl) = self.records.get(rec) {
            d = d.with_label(decl.name.span, "declared here");
        }
        if let Some(s) = nearest(&field.name, fields) {
            d = d.with_suggestion(s);
        }
        self.report(d);
    }

    #[inline(never)]
    fn record(&mut self, ty: &Ident, fields: &'p [(Ident, Expr)], span: Span) -> Ty {
        let name = ty.name.as_str();
        let Some(decl) = self.records.get(name).copied() else {
            fields.iter().for_each(|(_, e)| {
                self.expr(e);
            });
            if !self.maybe_imported(name) {
                let mut d = Diagnostic::error(UNKNOWN_TYPE, format!("unknown record type `{name}`"), ty.span);
                match nearest(name, self.record_names.clone()) {
                    Some(s) => d = d.with_suggestion(s),
                    None => d = d.with_note("declare it: `type name{f:T;g:T}`"),
                }
                self.report(d);
            }
            return Ty::Any;
        };
        self.record_fields(name, fields);
        let missing: Vec<&Param> = decl
            .fields
            .iter()
            .filter(|p| !fields.iter().any(|(f, _)| f.name == p.name.name))
            .collect();
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|p| p.name.name.as_str()).collect();
            let add: Vec<String> = missing.iter().map(|p| format!("{}:…", p.name.name)).collect();
            let d = Diagnostic::error(
                MISSING_FIELD,
                format!(
                    "`{name}` is missing {} {}",
                    if names.len() == 1 { "field" } else { "fields" },
                    backticked(&names)
                ),
                span,
            )
            .with_label(decl.name.span, "declared here")
            .with_suggestion(format!("add `{}`", add.join(" ")));
            self.report(d);
        }
        Ty::Record(name.to_string())
    }

    /// The `f:v` pairs of a construction or `with` on record `rec`.
    fn record_fields(&mut self, rec: &str, fields: &'p [(Ident, Expr)]) {
        for (i, (f, e)) in fields.iter().enumerate() {
            if fields.iter().take(i).any(|(g, _)| g.name == f.name) {
                let d = Diagnostic::error(DUPLICATE_FIELD, format!("field `{}` is given twice", f.name), f.span);
                self.report(d);
            }
            match self.record_field(rec, &f.name) {
                Some(ft) => {
                    self.expect(e, &ft, Why::Field(rec, &f.name));
                }
                None => {
                    self.unknown_field(rec, f);
                    self.expr(e);
                }
            }
        }
    }

    #[inline(never)]
    fn with(&mut self, target: &'p Expr, fields: &'p [(Ident, Expr)]) -> Ty {
        let t = self.expr(target);
        match t.strip_opt() {
            Ty::Record(rec) => {
                let rec = rec.clone();
                self.record_fields(&rec, fields);
                t
            }
            Ty::Map(..) => {
                let mut vt = t.clone();
                for (_, e) in fields {
                    let et = self.expr(e);
                    vt = match vt.strip_opt() {
                        Ty::Map(k, v) => Ty::map((**k).clone(), join(v, &et)),
                        other => other.clone(),
                    };
                }
                vt
            }
            u if u.is_unknown() => {
                fields.iter().for_each(|(_, e)| {
                    self.expr(e);
                });
                Ty::Any
            }
            other => {
                let d = Diagnostic::error(
                    NO_FIELDS,
                    format!("`with` replaces fields of a record, but this is {}", a_ty(other)),
                    target.span,
                );
                self.report(d);
                fields.iter().for_each(|(_, e)| {
                    self.expr(e);
                });
                Ty::Any
            }
        }
    }
}

// ---------------------------------------------------------- match cover --

/// What the arms seen so far match.
#[derive(Default)]
struct Cover<'p> {
    wild: bool,
    ok: bool,
    err: bool,
    bools: [bool; 2],
    tags: Vec<TypeTag>,
    lits: Vec<&'p Lit>,
}

enum Exhaustive {
    Yes,
    /// Cannot tell (text, numbers, unknown): a missed value gives nil.
    Unknown,
    /// The arms to add.
    Missing(Vec<&'static str>),
}

impl<'p> Cover<'p> {
    fn repeats(&self, pat: &Pattern) -> bool {
        match pat {
            Pattern::Lit(l) => self.lits.contains(&l),
            Pattern::Ok(_) => self.ok,
            Pattern::Err(_) => self.err,
            Pattern::Typed(t, _) => self.tags.contains(t),
            Pattern::Wild => false,
        }
    }

    fn add(&mut self, pat: &'p Pattern) {
        match pat {
            Pattern::Wild => self.wild = true,
            Pattern::Ok(_) => self.ok = true,
            Pattern::Err(_) => self.err = true,
            Pattern::Typed(t, _) => self.tags.push(*t),
            Pattern::Lit(l) => {
                if let Lit::Bool(b) = l {
                    self.bools[usize::from(*b)] = true;
                }
                self.lits.push(l);
            }
        }
    }

    /// Whether the arms cover every value of `st`, as far as can be seen.
    fn missing(&self, st: &Ty) -> Exhaustive {
        if self.wild {
            return Exhaustive::Yes;
        }
        match st {
            Ty::Result(o, e) => {
                let mut miss = Vec::new();
                if !self.ok && **o != Ty::Never {
                    miss.push("~v:…");
                }
                if !self.err && **e != Ty::Never {
                    miss.push("^e:…");
                }
                if miss.is_empty() {
                    Exhaustive::Yes
                } else {
                    Exhaustive::Missing(miss)
                }
            }
            Ty::Bool if self.tags.contains(&TypeTag::Bool) => Exhaustive::Yes,
            Ty::Bool => {
                let mut miss = Vec::new();
                if !self.bools[1] {
                    miss.push("true:…");
                }
                if !self.bools[0] {
                    miss.push("false:…");
                }
                if miss.is_empty() {
                    Exhaustive::Yes
                } else {
                    Exhaustive::Missing(miss)
                }
            }
            Ty::Num if self.tags.contains(&TypeTag::Num) => Exhaustive::Yes,
            Ty::Text if self.tags.contains(&TypeTag::Text) => Exhaustive::Yes,
            Ty::List(_) if self.tags.contains(&TypeTag::List) => Exhaustive::Yes,
            _ => Exhaustive::Unknown,
        }
    }
}

fn pattern_note(t: &Ty) -> &'static str {
    match t {
        Ty::Result(..) => "a result matches `~v:` and `^e:`",
        Ty::Num => "a number matches number literals, `n v:` and `_:`",
        Ty::Text => "a text matches text literals, `t v:` and `_:`",
        Ty::Bool => "a bool matches `true:`, `false:`, `b v:` and `_:`",
        Ty::List(_) => "a list matches `l v:` and `_:`",
        _ => "patterns: literals, `~v` `^e`, `n v` `t v` `b v` `l v`, `_`",
    }
}

// ------------------------------------------------------------ signatures --

/// A builtin signature with its type texts parsed once.
struct Sig {
    builtin: &'static Builtin,
    params: Vec<Ty>,
    ret: Ty,
}

impl Sig {
    fn param(&self, i: usize) -> &Ty {
        let last = if self.builtin.variadic {
            self.params.last()
        } else {
            None
        };
        self.params.get(i).or(last).unwrap_or(&Ty::Any)
    }
}

/// Every builtin signature, parsed, in table order.
fn parsed() -> &'static [Sig] {
    static SIGS: OnceLock<Vec<Sig>> = OnceLock::new();
    SIGS.get_or_init(|| {
        builtins::all()
            .iter()
            .map(|b| Sig {
                builtin: b,
                params: b.params.iter().map(|p| types::parse(p).unwrap_or(Ty::Any)).collect(),
                ret: types::parse(b.ret).unwrap_or(Ty::Any),
            })
            .collect()
    })
}

/// The parsed signatures of builtin `name` (adjacent in the table).
fn signatures(name: &str) -> &'static [Sig] {
    let all = parsed();
    let Some(start) = all.iter().position(|s| s.builtin.name == name) else {
        return &[];
    };
    let rest = all.get(start..).unwrap_or(&[]);
    let len = rest.iter().take_while(|s| s.builtin.name == name).count();
    rest.get(..len).unwrap_or(&[])
}

/// The one candidate that fits the most leading arguments (at least one),
/// or the only candidate: the signature the call most likely meant.
fn closest<'s>(cands: &[&'s Sig], types: &[Ty]) -> Option<&'s Sig> {
    if let [one] = cands {
        return Some(one);
    }
    let fitting = |sig: &Sig| {
        let mut s = Subst::default();
        types
            .iter()
            .enumerate()
            .take_while(|(i, t)| s.unify(sig.param(*i), t))
            .count()
    };
    let scores: Vec<usize> = cands.iter().map(|c| fitting(c)).collect();
    let best = scores.iter().copied().max().filter(|b| *b > 0)?;
    let mut winners = cands.iter().zip(&scores).filter(|(_, s)| **s == best);
    let first = winners.next()?;
    winners.next().is_none().then_some(*first.0)
}

/// "1 argument", "1 or 2 arguments", "1 or more arguments".
fn arities(sigs: &[Sig]) -> String {
    let mut ns: Vec<usize> = sigs.iter().map(|s| s.params.len()).collect();
    ns.sort_unstable();
    ns.dedup();
    if sigs.iter().any(|s| s.builtin.variadic) {
        return format!("{} or more arguments", ns.first().map_or(0, |n| n.saturating_sub(1)));
    }
    let words: Vec<String> = ns.iter().map(|n| n.to_string()).collect();
    let plural = ns.last().is_some_and(|n| *n != 1) || ns.len() > 1;
    format!("{} argument{}", words.join(" or "), if plural { "s" } else { "" })
}

fn takes_list(cands: &[&Sig]) -> String {
    let shapes: Vec<String> = cands
        .iter()
        .map(|s| {
            let ps: Vec<String> = s.params.iter().map(|p| p.to_string()).collect();
            format!("({})", ps.join(", "))
        })
        .collect();
    shapes.join(" or ")
}

// ----------------------------------------------------------------- helpers --

fn is_unary_builtin(name: &str) -> bool {
    signatures(name).iter().any(|s| s.params.len() == 1)
}

fn lit_ty(l: &Lit) -> Ty {
    match l {
        Lit::Num(_) => Ty::Num,
        Lit::Text(_) => Ty::Text,
        Lit::Bool(_) => Ty::Bool,
        Lit::Nil => Ty::Nil,
    }
}

/// "a n", "a L n", "nil": a type in running text.
/// A type in a message: in words, with the ilo spelling (`n` alone reads
/// badly in a sentence).
fn a_ty(t: &Ty) -> String {
    let kind = match t {
        Ty::Nil => return "nil".to_string(),
        Ty::Record(name) => return format!("a `{name}` record"),
        Ty::Any | Ty::Never | Ty::Var(_) | Ty::Join(..) => return format!("a value of type `{t}`"),
        Ty::Num => "a number",
        Ty::Text => "a text",
        Ty::Bool => "a bool",
        Ty::List(_) => "a list",
        Ty::Opt(_) => "an option",
        Ty::Map(..) => "a map",
        Ty::Result(..) => "a result",
        Ty::Func(..) => "a function",
    };
    format!("{kind} (`{t}`)")
}

fn count(n: usize) -> String {
    match n {
        0 => "no arguments".to_string(),
        1 => "1 argument".to_string(),
        n => format!("{n} arguments"),
    }
}

fn backticked(names: &[&str]) -> String {
    let v: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

/// A common name for a built-in type (`int`, `string`) or the nearest
/// declared record name.
fn type_suggestion(name: &str, records: &[&str]) -> Option<String> {
    let builtin = match name.to_ascii_lowercase().as_str() {
        "int" | "integer" | "float" | "double" | "num" | "number" | "i64" | "f64" => "n",
        "str" | "string" | "text" => "t",
        "bool" | "boolean" => "b",
        "any" => "_",
        "list" | "array" | "vec" => "L _",
        "map" | "dict" | "hash" => "M t _",
        _ => return nearest(name, records.iter().copied()),
    };
    Some(builtin.to_string())
}

/// The candidate closest to `name` by edit distance (adjacent swaps count
/// one), if it is close enough to be a likely typo. Ties go to the first.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = match name.chars().count() {
        0..=2 => 1,
        3..=5 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // The length difference is a lower bound of the distance: a cheap
        // filter before the quadratic computation.
        if c == name || c == "_" || c.chars().count().abs_diff(name.chars().count()) > limit {
            continue;
        }
        let d = distance(name, c);
        let better = match best {
            Some((bd, _)) => d < bd,
            None => true,
        };
        if d <= limit && better {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// Optimal string alignment distance, on at most 64 characters of each.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    let at = |i: usize, j: usize| i * w + j;
    for i in 0..=a.len() {
        if let Some(x) = d.get_mut(at(i, 0)) {
            *x = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(x) = d.get_mut(at(0, j)) {
            *x = j;
        }
    }
    let get = |d: &Vec<usize>, i: usize, j: usize| d.get(at(i, j)).copied().unwrap_or(usize::MAX / 2);
    for (i, ca) in a.iter().enumerate() {
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut v = (get(&d, i, j + 1) + 1)
                .min(get(&d, i + 1, j) + 1)
                .min(get(&d, i, j) + cost);
            if i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca) {
                v = v.min(get(&d, i - 1, j - 1) + 1);
            }
            if let Some(x) = d.get_mut(at(i + 1, j + 1)) {
                *x = v;
            }
        }
    }
    get(&d, a.len(), b.len())
}

/// `x` in parentheses unless it is a single atom.
fn paren(x: &str) -> String {
    let text_literal = x.len() >= 2 && x.starts_with('"') && x.ends_with('"');
    if x.contains(' ') && !text_literal && !(x.starts_with('(') && x.ends_with(')')) {
        format!("({x})")
    } else {
        x.to_string()
    }
}

/// Short ilo text of a small expression, for suggestions; `None` when it
/// would be long or deep.
fn show(e: &Expr) -> Option<String> {
    let s = show_at(e, 0)?;
    (s.len() <= 60).then_some(s)
}

fn show_at(e: &Expr, depth: u32) -> Option<String> {
    if depth > 3 {
        return None;
    }
    let sub = |x: &Expr| show_at(x, depth + 1);
    Some(match &e.kind {
        ExprKind::Lit(Lit::Num(n)) => format!("{n}"),
        ExprKind::Lit(Lit::Text(t)) => format!("{t:?}"),
        ExprKind::Lit(Lit::Bool(b)) => format!("{b}"),
        ExprKind::Lit(Lit::Nil) => "nil".to_string(),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Field { target, field, safe } => {
            format!("{}{}{}", sub(target)?, if *safe { ".?" } else { "." }, field.name)
        }
        ExprKind::Index { target, index } => format!("{}.{index}", sub(target)?),
        ExprKind::Call { func, args, unwrap } => {
            let bang = if *unwrap { "!" } else { "" };
            if args.is_empty() {
                format!("{}{bang}()", func.name)
            } else {
                let parts: Option<Vec<String>> = args.iter().map(|a| sub(a).map(|s| paren(&s))).collect();
                format!("{}{bang} {}", func.name, parts?.join(" "))
            }
        }
        ExprKind::Unary { op, operand } => {
            format!("{}{}", if *op == UnOp::Neg { "-" } else { "!" }, paren(&sub(operand)?))
        }
        ExprKind::Binary { op, lhs, rhs } => {
            format!("{}{} {}", op.symbol(), paren(&sub(lhs)?), paren(&sub(rhs)?))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::front::parser::parse;

    fn diags(src: &str) -> Vec<Diagnostic> {
        match parse(src) {
            Ok(p) => verify(&p),
            Err(e) => panic!("{src:?} does not parse: {e:#?}"),
        }
    }

    fn errors(src: &str) -> Vec<Diagnostic> {
        diags(src)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect()
    }

    fn clean(src: &str) {
        let e = errors(src);
        assert!(e.is_empty(), "{src:?} should verify clean, got:\n{e:#?}");
    }

    /// The only diagnostic of `src` (error or hint), which must have `code`.
    fn one(src: &str, code: &str) -> Diagnostic {
        let ds = diags(src);
        let [d] = ds.as_slice() else {
            panic!("{src:?}: expected one {code}, got {ds:#?}")
        };
        assert_eq!(d.code, code, "{src:?}: {d:#?}");
        d.clone()
    }

    #[test]
    fn a_cause_is_reported_before_the_errors_it_causes() {
        let codes: Vec<&str> = errors("f x:n>n;+x \"a\"").iter().map(|d| d.code).collect();
        assert_eq!(codes, ["ILO-T005", "ILO-T016"]);
        // Unrelated errors stay in source order.
        let codes: Vec<&str> = errors("f>n;a=+1 \"x\";b=+2 \"y\";3").iter().map(|d| d.code).collect();
        assert_eq!(codes, ["ILO-T005", "ILO-T005"]);
    }

    fn suggestion(d: &Diagnostic) -> &str {
        d.suggestion.as_deref().unwrap_or("")
    }

    /// The source text a diagnostic points at.
    fn at<'s>(src: &'s str, d: &Diagnostic) -> &'s str {
        src.get(d.span.range()).unwrap_or("")
    }

    // ------------------------------------------------------------ valid --

    #[test]
    fn seed_programs_verify_clean() {
        for src in [
            "tot p:n q:n r:n>n;s=*p q;t=*s r;+s t",
            "cls sp:n>t;>=sp 1000 \"gold\";>=sp 500 \"silver\";\"bronze\"",
            "fac n:n>n;<=n 1 1;r=fac -n 1;*n r",
            "fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b",
            "sm xs:L n>n;s=0;@x xs{s=+s x};s",
            "fst xs:L n>n;@x xs{>=x 10{ret x}};0",
            "evn>n;s=0;@i 0..7{r=mod i 2;!=r 0{cnt};s=+s i};s",
        ] {
            assert!(diags(src).is_empty(), "{src:?}: {:#?}", diags(src));
        }
    }

    #[test]
    fn examples_verify_clean() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "ilo") {
                let src = std::fs::read_to_string(&path).unwrap_or_default();
                if let Ok(p) = parse(&src) {
                    let e: Vec<Diagnostic> = verify(&p)
                        .into_iter()
                        .filter(|d| d.severity == Severity::Error)
                        .collect();
                    assert!(e.is_empty(), "{}: {e:#?}", path.display());
                    n += 1;
                }
            }
        }
        assert!(n > 40, "found only {n} examples");
    }

    /// Programs an agent plausibly writes: none may be reported.
    #[test]
    fn plausible_programs_verify_clean() {
        for src in [
        "wc s:t>n;ws=spl s \" \";len ws",
        "avg2 xs:L n>n;=(len xs) 0 0;/(sum xs) (len xs)",
        "rev-words s:t>t;cat (rev (spl s \" \")) \" \"",
        "mx xs:L n>n;m=hd xs;@x xs{>x m{m=x}};m",
        "cv s:t>n;c=0;@ch s{has \"aeiou\" ch{c=+c 1}};c",
        "type user{name:t;age:n}\nolder u:user>user;u with age:+u.age 1\nnames us:L user>L t;r=[];@u us{r=+=r u.name};r",
        "safe-div a:n b:n>R n t;=b 0 ^\"div by zero\";~/a b\ncalc a:n b:n>R n t;x=safe-div! a b;y=safe-div! x 2;~+x y",
        "freq xs:L t>M t n;m=mmap;@x xs{m=mset m x +(mget m x??0) 1};m",
        "top m:M t n>t;best=\"\";bn=-1;@k (mkeys m){v=mget m k;>v bn{best=k;bn=v}};best",
        "get-name s:t>R t t;d=jpar! s;n=d.name;~n",
        "clamp x:n lo:n hi:n>n;max lo (min x hi)",
        "sgn x:n>n;?>x 0 1 ?<x 0 -1 0",
        "pad s:t n:n>t;wh <(len s) n{s=+s \" \"};s",
        "fizz n:n>t;=(mod n 15) 0 \"FizzBuzz\";=(mod n 3) 0 \"Fizz\";=(mod n 5) 0 \"Buzz\";str n\nfizzes n:n>L t;r=[];@i 1..+n 1{r=+=r (fizz i)};r",
        "code s:t>n;?s{\"a\":1;\"b\":2;_:0}",
        "pos x:n>b;>x 0\ndbl x:n>n;*x 2\nf xs:L n>n;xs>>flt pos>>map dbl>>sum",
        "greet n:O t>t;+\"hi \" (n??\"you\")",
        "fst-neg xs:L n>O n;@x xs{<x 0{ret x}};nil",
        "idx xs:L t x:t>n;i=0;@y xs{=y x{ret i};i=+i 1};-1",
        "mid s:t>t;n=len s;slc s 1 -n 1",
        "main>n;prnt \"hello\";0",
        "home>t;?(env \"HOME\"){~v:v;^e:\"\"}",
        "nums s:t>R (L n) t;r=[];@m (rgx \"\\\\d+\" s){v=num! m;r=+=r v};~r",
        "desc x:_>t;?x{n v:\"num\";t v:\"text\";l v:fmt \"list {}\" (len v);_:\"other\"}",
        "cfg>R t t;env \"CFG\"\nuse-cfg>R n t;c=cfg!();~len c",
        "tot m:M t n>n;sum (mvals m)",
        "by-len xs:L t>M t L t;grp len xs",
        "mul a:n b:n>n;*a b\nprod xs:L n>n;fld mul xs 1",
        "type user{name:t;age:n}\nby-age us:L user>L user;srt age-of us\nage-of u:user>n;u.age",
        "ok x:n>b;&>x 0 <x 10",
        "f xss:L L n>L n;flat xss",
        "type pt{x:n;y:n}\nf p:pt>t;jdmp p",
        "save p:t s:t>R t t;wr p s",
        "lines p:t>R n t;ls=rdl! p;~len ls",
        "f xs:L n>L n;r=[];@x xs{<x 0{cnt};>x 100{brk};r=+=r x};r",
        "f x:n>n;>x 0{ret 1};<x 0{ret -1};0",
        "f s:t>b;=(trm s) \"\"",
        "f xs:L n>n;?xs{l v:len v;_:0}",
        "f x:n>t;r=\"\";>x 0{r=\"p\"}{<x 0{r=\"n\"}{r=\"z\"}};r",
        "f x:n>L _;[x \"a\" nil [x]]",
        "f>M t _;m=mset mmap \"a\" 1;mset m \"b\" \"two\"",
        "f>n;xs=[1 2 3];xs.0",
        "f xs:L n>n;a=xs.0;b=xs.1;+a b",
        "type t2{a:L n}\nf x:t2>n;sum x.a",
        "f x:n>R n t;y=?>x 0 ~x ^\"neg\";y",
        "f>R n t;r=~1;?r{~v:~+v 1;^e:^e}",
        "ck x:n>R n t;>x 0 ~x;^\"bad\"\nf x:n>t;?(ck x){~v:str v;^e:e}",
        "f a:n b:n>n;c=+a b;d=-c 1;e=*d 2;f2=/e 3;f2",
        "f s:t>L t;spl s \"\"",
        "f s:t>t;cat (srt (spl s \"\")) \"\"",
        "f xs:L n>b;has xs 3",
        "f m:M t n>b;mhas m \"a\"",
        "f m:M t n>M t n;mdel m \"a\"",
        "f>n;t=now;flr t",
        "f>n;rnd 1 6",
        "f s:t>L t;rgx \"a\" s",
        "f x:n>t;fmt \"{}-{}\" x \"y\"",
        "f s:t>R t t;jpth s \"a.b\"",
        "f s:t>n;len (unq (spl s \"\"))",
        "f xs:L n>n;min xs",
        "f xs:L n>L n;tl xs",
        ] {
            clean(src);
        }
    }

    #[test]
    fn rebinding_learns_types_across_loop_iterations() {
        // `r` is `[]` before the loop and a list of numbers after one round.
        clean("sq n:n>L n;r=[];@i 0..n{r=+=r *i i};r");
        // `best` starts as nil and becomes a number inside the loop.
        clean("mx xs:L n>n;best=nil;@x xs{>x (best??0){best=x}};best??0");
        // A name first bound inside a loop or branch stays bound.
        clean("f n:n>n;@i 0..n{last=i};last");
        clean("f x:n>t;>x 3{r=\"big\"}{r=\"small\"};r");
        // A variable may be rebound with another type.
        clean("f x:n>t;y=x;y=str y;y");
        // A loop variable shadows only inside its loop.
        clean("f>n;x=100;@x [\"a\" \"b\"]{y=x};x");
        // Loop variables over texts and maps are text.
        clean("f s:t m:M t n>t;r=\"\";@c s{r=+r c};@k m{r=+r k};r");
    }

    #[test]
    fn functions_and_builtins_as_values() {
        clean("dbl x:n>n;*x 2\nf xs:L n>L n;map dbl xs");
        clean("even x:n>b;=(mod x 2) 0\nf xs:L n>L n;flt even xs");
        clean("add a:n b:n>n;+a b\nf xs:L n>n;fld add xs 0");
        clean("f xs:L n>L t;map str xs");
        clean("f xs:L t>L t;srt len xs");
        clean("f xs:L t>M t L t;grp hd xs");
        clean("ap g:F n n x:n>n;g x\ndbl x:n>n;*x 2\nf>n;ap dbl 3");
        // Zero-parameter functions and builtins named bare are calls.
        clean("mk>n;42\nf>n;x=mk;y=mk();+x y");
        clean("f>b;>now 0");
        clean("f>n;r=rnd;*r 6");
    }

    #[test]
    fn builtin_results_have_precise_types() {
        let d = one("dbl x:n>n;*x 2\nf xs:L n>L t;map dbl xs", RETURN_MISMATCH);
        assert!(d.message.contains("L t") && d.message.contains("L n"), "{}", d.message);
        one("f xs:L t>n;hd xs", RETURN_MISMATCH);
        clean("f s:t>t;hd s");
        clean("f m:M t n>n;v=mget m \"k\";v??0");
        clean("f>M t n;m=mmap;m=mset m \"a\" 1;mset m \"b\" 2");
        one("f>L n;mkeys (mset mmap \"a\" 1)", RETURN_MISMATCH);
        // `mset` with a new kind of value widens the map rather than failing.
        clean("f>t;jdmp (mset (mset mmap \"b\" \"x\") \"a\" [1 nil true])");
    }

    #[test]
    fn type_variables_and_any_accept_anything() {
        clean("same x:a>a;x\nf>n;same 1\ng>t;same \"a\"");
        clean("f x:_>n;+x 1");
        clean("f x:_>t;x.name");
        clean("f s:t>R n t;d=jpar! s;~d.a.b");
        clean("f s:t>n;d=jpar s;?d{~v:len v;^e:0}");
        one("same x:a>a;x\nf>t;same 1", RETURN_MISMATCH);
    }

    #[test]
    fn results_options_and_nil() {
        clean("f x:n>R n t;<x 0 ^\"neg\";~x");
        clean("h x:n>R n t;~x\nf x:n>R n t;y=h! x;h y");
        clean("f x:O n>n;x??0\ng>n;f nil");
        clean("f>O t;u=nil;u.?name");
        clean("f x:n>O n;?x{1:1;2:2}");
        clean("f>n;r=~1;?r{~v:v}");
        clean("f x:n>_;>x 5{\"big\"}");
        one("f>n;nil", RETURN_MISMATCH);
    }

    #[test]
    fn use_declarations() {
        clean("use \"lib.ilo\" [area rect]\nf w:n>n;r=rect w:w h:w;area r");
        clean("use \"lib.ilo\"\nf x:n>n;r=sq x;g=perim;area r");
        clean("use \"lib.ilo\"\nf x:shape>n;x.w");
        one("use \"lib.ilo\" [area]\nf x:n>n;perim x", UNDEFINED_FUNCTION);
    }

    #[test]
    fn bool_variable_followed_by_a_value_is_a_guard() {
        clean("f b:b>t;b \"yes\";\"no\"");
        one("f b:b>n;b \"yes\";1", RETURN_MISMATCH);
    }

    // ------------------------------------------------------------ codes --

    #[test]
    fn t001_undefined_name_suggests_the_nearest() {
        let d = one("f cnt-x:n>n;+cnt-y 1", UNDEFINED_NAME);
        assert_eq!(suggestion(&d), "cnt-x");
        let d = one("f>n;x=3;@i 0..3{y=i};i", UNDEFINED_NAME);
        assert_eq!(d.message, "undefined name `i`");
        // Match bindings are scoped to their arm.
        one("f r:R n t>n;?r{~v:v;^e:0};v", UNDEFINED_NAME);
        // Nothing close: a note instead.
        let d = one("f>n;zzzzzz", UNDEFINED_NAME);
        assert!(d.suggestion.is_none() && !d.notes.is_empty());
    }

    #[test]
    fn t002_unknown_function_suggests_functions_and_builtins() {
        let src = "fac n:n>n;<=n 1 1;r=fca -n 1;*n r";
        let d = one(src, UNDEFINED_FUNCTION);
        assert_eq!((at(src, &d), suggestion(&d)), ("fca", "fac"));
        let d = one("f xs:L n>n;lne xs", UNDEFINED_FUNCTION);
        assert_eq!(suggestion(&d), "len");
    }

    #[test]
    fn t003_arity_with_the_signature() {
        let src = "fac n:n>n;<=n 1 1;r=fac -n 1 2;*n r";
        let d = one(src, ARITY);
        assert_eq!(d.message, "`fac` takes 1 argument, but is given 2");
        assert_eq!(suggestion(&d), "`fac` takes n:n, returns n");
        let d = one("f>n;mod 1", ARITY);
        assert_eq!(suggestion(&d), "mod n n > n");
        let d = one("f>n;rnd 1", ARITY);
        assert_eq!(d.message, "`rnd` takes 0 or 2 arguments, but is given 1");
        one("ap g:F n n>n;g 1 2", ARITY);
        one("mk>n;1\nf>n;mk 1", ARITY);
        clean("f>t;fmt \"{} {} {}\" 1 \"a\" true");
        one("f>t;fmt()", ARITY);
    }

    #[test]
    fn t004_type_mismatch_in_arguments_and_inside_values() {
        let src = "dbl x:n>n;*x 2\nf s:t>n;dbl s";
        let d = one(src, MISMATCH);
        assert_eq!(at(src, &d), "s");
        assert_eq!(d.message, "argument 1 of `dbl` must be `n`, but this is a text (`t`)");
        assert_eq!(suggestion(&d), "?(num s){~v:v;^e:0}");
        // Inside a list: the element is pointed at.
        let src = "sm xs:L n>n;sum xs\nf>n;sm [1 \"2\" 3]";
        let d = one(src, MISMATCH);
        assert_eq!((at(src, &d), suggestion(&d)), ("\"2\"", "2"));
        assert!(d.message.contains("`L n`, so this must be `n`"), "{}", d.message);
        // Builtins: the most likely signature is named.
        let d = one("f xs:L n>b;has xs \"a\"", MISMATCH);
        assert_eq!(d.message, "argument 2 of `has` must be `n`, but this is a text (`t`)");
        let d = one("f>n;len 5", MISMATCH);
        assert!(d.message.starts_with("`len` does not take (n)"), "{}", d.message);
        let d = one("f n:n>t;cat [1] n", MISMATCH);
        assert_eq!(suggestion(&d), "str n");
        // Record fields, range bounds, results, maps.
        one("type pt{x:n;y:n}\nf>pt;pt x:1 y:\"2\"", MISMATCH);
        let d = one("f s:t>n;c=0;@i 0..s{c=+c 1};c", MISMATCH);
        assert_eq!(d.message, "a range bound must be `n`, but this is a text (`t`)");
        one("g r:R n t>n;?r{~v:v;^e:0}\nf>n;g ~\"a\"", MISMATCH);
        one("g m:M t n>n;len m\nf>n;g (mset mmap \"a\" \"b\")", MISMATCH);
        one("g o:O n>n;o??0\nf>n;g \"a\"", MISMATCH);
    }

    #[test]
    fn t005_operator_operands_with_conversions() {
        let src = "f n:n>t;+\"n=\" n";
        let d = one(src, OPERAND);
        assert_eq!((at(src, &d), suggestion(&d)), ("n", "+\"n=\" (str n)"));
        let d = one("f s:t>R n t;~*s 2", OPERAND);
        assert_eq!(suggestion(&d), "num! s");
        one("f a:b>n;-a 1", OPERAND);
        one("f a:b b:b>b;<a b", OPERAND);
        let d = one("f a:n b:t>b;<a b", OPERAND);
        assert_eq!(suggestion(&d), "str a");
        one("f>L n;+[1] [\"a\"]", OPERAND);
        one("f xs:L n>L n;+=xs \"a\"", OPERAND);
        let d = one("f s:t>t;+=s \"a\"", OPERAND);
        assert_eq!(suggestion(&d), "+s \"a\"");
        one("f a:b>n;+a 1", OPERAND);
        clean("f a:t b:t>b;>=a b");
        clean("f>L _;+[1] [\"a\" 2]");
    }

    #[test]
    fn t006_unwrap_of_a_function_that_does_not_return_a_result() {
        let src = "dbl x:n>n;*x 2\nf x:n>R n t;y=dbl! x;~y";
        let d = one(src, UNWRAP_NOT_RESULT);
        assert_eq!((at(src, &d), suggestion(&d)), ("dbl", "dbl x"));
        one("f x:n>R n t;~abs! x", UNWRAP_NOT_RESULT);
    }

    #[test]
    fn t007_unwrap_inside_a_function_that_does_not_return_a_result() {
        let d = one("f s:t>n;x=num! s;*x 2", UNWRAP_OUTSIDE_RESULT);
        assert!(d.notes.iter().any(|n| n.contains("R n t")), "{:?}", d.notes);
        // The error types must agree too (that is a return mismatch).
        one("g>R n n;~1\nf>R n t;x=g!();~x", RETURN_MISMATCH);
        clean("f s:t>_;x=num! s;x");
    }

    #[test]
    fn t008_missing_match_arms() {
        let src = "f s:t>n;?(num s){~v:v}";
        let d = one(src, MISSING_ARM);
        assert_eq!((at(src, &d), suggestion(&d)), ("(num s)", "add `^e:…`"));
        let d = one("f r:R n t>t;?r{^e:e}", MISSING_ARM);
        assert_eq!(suggestion(&d), "add `~v:…`");
        let d = one("f b:b>n;?b{true:1}", MISSING_ARM);
        assert_eq!(suggestion(&d), "add `false:…`");
        let d = one("f b:b>n;b;?{}", MISSING_ARM);
        assert_eq!(suggestion(&d), "add `true:…;false:…`");
        clean("f b:b>n;?b{b v:1}");
        clean("f r:R n t>n;?r{_:1}");
        clean("f s:t>n;?s{\"a\":1}");
    }

    #[test]
    fn t009_brk_cnt_outside_a_loop() {
        one("f x:n>n;>x 9{brk};x", OUTSIDE_LOOP);
        one("f x:n>n;>x 9{cnt};x", OUTSIDE_LOOP);
        clean("f>n;wh true{brk};1");
        clean("f xs:L n>n;@x xs{>x 1{@y xs{cnt}};brk};0");
    }

    #[test]
    fn t010_t011_t012_t013_duplicates() {
        let d = one("f>n;1\nf>n;2", DUPLICATE_FUNCTION);
        assert_eq!(
            d.labels.first().map(|l| l.message.as_str()),
            Some("first declared here")
        );
        one("type pt{x:n}\ntype pt{y:n}", DUPLICATE_TYPE);
        one("f x:n x:n>n;x", DUPLICATE_PARAM);
        one("type pt{x:n;x:n}", DUPLICATE_FIELD);
        one("type pt{x:n}\nf>pt;pt x:1 x:2", DUPLICATE_FIELD);
    }

    #[test]
    fn t014_unknown_fields() {
        let src = "type pt{x:n;y:n}\nf p:pt>n;p.yy";
        let d = one(src, UNKNOWN_FIELD);
        assert_eq!((at(src, &d), suggestion(&d)), ("yy", "y"));
        assert_eq!(d.notes, vec!["the fields of `pt` are `x`, `y`".to_string()]);
        one("type pt{x:n;y:n}\nf>pt;pt x:1 y:2 z:3", UNKNOWN_FIELD);
        one("type pt{x:n;y:n}\nf p:pt>pt;p with z:3", UNKNOWN_FIELD);
        one("type pt{x:n;y:n}\nf p:pt>n;{x;w}=p;x", UNKNOWN_FIELD);
        clean("type pt{x:n;y:n}\nf p:pt>n;{x;y}=p;q=p with x:5;+x q.y");
    }

    #[test]
    fn t015_unknown_types() {
        let d = one("f x:int>n;x", UNKNOWN_TYPE);
        assert_eq!(suggestion(&d), "n");
        let d = one("type point{x:n}\nf p:L pont>n;len p", UNKNOWN_TYPE);
        assert_eq!(suggestion(&d), "point");
        let d = one("type point{x:n}\nf>point;pont x:1", UNKNOWN_TYPE);
        assert_eq!(suggestion(&d), "point");
        one("type pt{x:n;y:shape}", UNKNOWN_TYPE);
        clean("f>pt;pt x:1\ntype pt{x:n}");
    }

    #[test]
    fn t016_return_type_mismatch() {
        let src = "f x:n>t;x";
        let d = one(src, RETURN_MISMATCH);
        assert_eq!(d.message, "`f` returns `t`, but this is a number (`n`)");
        assert_eq!(suggestion(&d), "str x");
        let d = one("f x:n>R n t;x", RETURN_MISMATCH);
        assert_eq!(suggestion(&d), "~x");
        let d = one("f s:t>n;num s", RETURN_MISMATCH);
        assert_eq!(suggestion(&d), "?(num s){~v:v;^e:…}");
        let d = one("f>R n t;^1", RETURN_MISMATCH);
        assert!(d.message.contains("`R n t`, so this must be `t`"), "{}", d.message);
        // Guards, `ret`, both branches of a conditional, every match arm.
        one("f x:n>n;>x 0 \"pos\";1", RETURN_MISMATCH);
        one("f x:n>n;@i 0..x{>i 2{ret \"a\"}};1", RETURN_MISMATCH);
        one("f x:n>n;>x 0{1}{\"a\"}", RETURN_MISMATCH);
        one("f x:n>t;?x{1:\"a\";_:2}", RETURN_MISMATCH);
        one("f x:n>t;?>x 0 \"a\" 2", RETURN_MISMATCH);
        // A loop as the last statement is nil.
        let d = one("f xs:L n>n;@x xs{>x 5{ret x}}", RETURN_MISMATCH);
        assert!(d.message.contains("loop"), "{}", d.message);
    }

    #[test]
    fn t017_conditions_must_be_bools() {
        let src = "f x:n>n;x{1}{2}";
        let d = one(src, NOT_BOOL);
        assert_eq!((at(src, &d), suggestion(&d)), ("x", "!=x 0"));
        let d = one("f xs:L n>n;wh xs{brk};1", NOT_BOOL);
        assert_eq!(suggestion(&d), ">(len xs) 0");
        one("f s:t>n;?s 1 2", NOT_BOOL);
        clean("f m:M t n k:t>n;mget m k{1}{2}");
        clean("f s:t c:t>n;has s c{1}{2}");
    }

    #[test]
    fn t018_missing_record_fields() {
        let src = "type pt{x:n;y:n;z:n}\nf>pt;pt x:1";
        let d = one(src, MISSING_FIELD);
        assert_eq!(d.message, "`pt` is missing fields `y`, `z`");
        assert_eq!(suggestion(&d), "add `y:… z:…`");
    }

    #[test]
    fn t019_fields_and_indexes_of_values_without_them() {
        one("f x:n>n;x.foo", NO_FIELDS);
        let d = one("f xs:L n>n;xs.len", NO_FIELDS);
        assert_eq!(suggestion(&d), "len xs");
        one("f x:n>n;x.0", NO_FIELDS);
        one("f x:n>n;{a;b}=x;1", NO_FIELDS);
        one("f x:n>n;y=x with a:1;1", NO_FIELDS);
        let d = one("f>n;x=nil;x.a", NO_FIELDS);
        assert_eq!(suggestion(&d), ".?a");
        clean("f xs:L t s:t m:M t n>t;a=xs.0;b=s.1;c=m.k;+a b");
    }

    #[test]
    fn t020_call_of_a_value_that_is_not_a_function() {
        let src = "f x:n>n;y=x 1;y";
        let d = one(src, NOT_FUNCTION);
        assert_eq!(at(src, &d), "x");
    }

    #[test]
    fn t021_patterns_that_never_match() {
        one("f x:n>t;?x{\"1\":\"one\";_:\"other\"}", PATTERN_NEVER_MATCHES);
        one("f x:t>t;?x{~v:v;_:\"\"}", PATTERN_NEVER_MATCHES);
        one("f x:n>t;?x{t v:v;_:\"\"}", PATTERN_NEVER_MATCHES);
        clean("f x:_>t;?x{n v:str v;t v:v;~v:\"ok\";_:\"\"}");
        clean("f x:O n>n;?x{nil:0;n v:v}");
    }

    #[test]
    fn t022_loops_over_values_that_are_not_collections() {
        let d = one("f n:n>n;s=0;@i n{s=+s i};s", NOT_ITERABLE);
        assert_eq!(suggestion(&d), "@i 0..n{…}");
    }

    #[test]
    fn t030_t031_hints() {
        let d = one("f x:n>t;?x{_:\"any\";1:\"one\"}", UNREACHABLE_ARM);
        assert_eq!(d.severity, Severity::Hint);
        one("f x:n>t;?x{1:\"a\";1:\"b\";_:\"c\"}", UNREACHABLE_ARM);
        let d = one("f x:n>n;ret x;0", UNREACHABLE_STMT);
        assert_eq!(d.severity, Severity::Hint);
    }

    #[test]
    fn reports_every_error_not_only_the_first() {
        let src = "f x:n>t;a=+x \"s\";b=lne a;c=zz;x";
        let codes: Vec<&str> = diags(src).iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            vec![OPERAND, UNDEFINED_FUNCTION, UNDEFINED_NAME, RETURN_MISMATCH]
        );
    }

    // --------------------------------------------------------- registry --

    #[test]
    fn every_code_is_registered_with_a_working_example() {
        for code in code::ALL {
            let Some(info) = crate::front::codes::lookup(code) else {
                panic!("{code} is not in codes.rs")
            };
            // Lines without a comment are context; `-- wrong` / `-- hint`
            // lines must give the code, `-- right` / `-- canonical` none.
            let lines: Vec<&str> = info.example.lines().collect();
            let context: Vec<&str> = lines.iter().copied().filter(|l| !l.contains("--")).collect();
            let mut checked = 0;
            for line in lines.iter().filter(|l| l.contains("--")) {
                let src = format!("{}\n{line}", context.join("\n"));
                let found: Vec<&str> = diags(&src).iter().map(|d| d.code).collect();
                if line.contains("-- wrong") || line.contains("-- hint") {
                    assert!(found.contains(code), "{code}: {src:?} gives {found:?}");
                } else {
                    assert!(found.is_empty(), "{code}: {src:?} gives {found:?}");
                }
                checked += 1;
            }
            assert!(checked >= 2, "{code}: example needs a wrong and a right line");
        }
    }

    // ----------------------------------------------------------- limits --

    #[test]
    fn deep_nesting_within_the_parser_limit_is_fine() {
        let d = crate::front::parser::MAX_DEPTH - 2;
        clean(&format!("f>n;{}1{}", "(".repeat(d), ")".repeat(d)));
        clean(&format!("f>n;{}1", "+1 ".repeat(d)));
        clean(&format!("f x:n>n;{}x{}", ">x 0{".repeat(d / 2), "}".repeat(d / 2)));
        clean(&format!("f>{}n;{}1{}", "L ".repeat(40), "[".repeat(40), "]".repeat(40)));
        clean(&format!("f>_;{}1{}", "[".repeat(d), "]".repeat(d)));
    }

    #[test]
    fn deep_hand_built_trees_do_not_overflow() {
        let span = Span::default();
        let mut e = Expr {
            kind: ExprKind::Lit(Lit::Num(1.0)),
            span,
        };
        for _ in 0..3000 {
            e = Expr {
                kind: ExprKind::Unary {
                    op: UnOp::Neg,
                    operand: Box::new(e),
                },
                span,
            };
        }
        let f = FuncDecl {
            name: Ident { name: "f".into(), span },
            params: vec![],
            ret: Type::Num,
            body: vec![Stmt {
                kind: StmtKind::Expr(e),
                span,
            }],
            span,
        };
        let p = Program {
            decls: vec![Decl::Func(f)],
        };
        assert!(verify(&p).is_empty());
    }

    /// Branch merging costs in proportion to the changes, not to the
    /// number of variables (3000 conditionals over 3000 variables).
    #[test]
    fn many_variables_and_branches_are_fast() {
        let mut src = String::from("f>n;x0=1");
        for i in 1..3000 {
            src.push_str(&format!(";>x{} 0{{x{i}=+x{} 1}}{{x{i}=2}}", i - 1, i - 1));
        }
        src.push_str(";x2999");
        let p = parse(&src).map_err(|e| format!("{e:?}"));
        let Ok(p) = p else { panic!("{p:?}") };
        let t = std::time::Instant::now();
        assert!(verify(&p).is_empty());
        assert!(t.elapsed().as_secs() < 5, "took {:?}", t.elapsed());
    }

    #[test]
    fn growing_types_stay_bounded() {
        let src = format!("f>_;x=1;{}x", "x=[x];".repeat(5000));
        clean(&src);
    }

    /// Valid programs with random edits: whatever still parses must
    /// verify without a panic.
    #[test]
    fn mutated_programs_never_panic() {
        let corpus = [
            "type pt{a:n;b:t}\nf p:pt x:n>R n t;{a;b}=p;q=p with a:+x 1;>a 0 ^b;~q.a",
            "g xs:L n>n;s=0;@x xs{>x 3{brk};s=+s x};@i 0..3{s=*s 2};s",
            "h s:t>t;?(num s){~v:str v;^e:e};m=mset mmap s 1;r=mget m s;fmt \"{}\" r",
            "k r:R n t>n;x=r;?x{~v:v;^e:0};wh >x 0{x=-x 1};map dbl [1 2];x",
            "dbl x:n>n;*x 2\nu xs:L _>_;y=hd xs;z=xs.0;w=y.?a??z;[y z w]",
        ];
        let pieces = [
            "x", "a", "b", "1", "\"s\"", " ", "nil", "true", "[", "]", "(", ")", "{", "}", ";", "~", "^", "!", "-",
            "+", "*", ">", "=", ".", "?", "@", "L ", "R n ", "pt", "len ", "map ", "fmt ", "brk", "ret ", "_", ":",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut verified = 0;
        for i in 0..6000 {
            let mut src = corpus.get(i % corpus.len()).copied().unwrap_or("").to_string();
            for _ in 0..(next() % 3 + 1) {
                let pos = (next() as usize) % (src.len() + 1);
                if !src.is_char_boundary(pos) {
                    continue;
                }
                let piece = pieces.get((next() as usize) % pieces.len()).copied().unwrap_or("");
                if next() % 2 == 0 {
                    src.insert_str(pos, piece);
                } else {
                    let end = (pos + 1 + (next() as usize) % 4).min(src.len());
                    if src.is_char_boundary(end) {
                        src.replace_range(pos..end, piece);
                    }
                }
            }
            if let Ok(p) = parse(&src) {
                verify(&p);
                verified += 1;
            }
        }
        assert!(verified > 500, "only {verified} mutated programs parsed");
    }
}
