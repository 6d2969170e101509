//! Layer 1: the tree-walk interpreter, and the reference semantics every
//! other engine is tested against. It evaluates the AST directly: each call
//! builds an environment of named bindings and each operator recurses into
//! its operands.
//!
//! Semantics decided here (and written down in `docs/spec-notes.md`, "Run-time
//! decisions"):
//!
//! * Variables are scoped to the function: a name first bound inside a block
//!   stays bound after it, and rebinding inside a loop body updates the outer
//!   variable. Loop variables (`@x`, `@i`) and names bound by match patterns
//!   are scoped to their loop or arm: afterwards the name has its previous
//!   value again (or none).
//! * A body's value is its last statement's value; a guard that is not
//!   taken, a conditional whose condition is false with no else, a loop, and
//!   a match with no matching arm are `nil`. `?{arms}` matches the previous
//!   statement's value (`nil` at the start of a block).
//! * A call `f a` calls, in order: a local variable `f` holding a function
//!   value, the program's function `f`, the builtin `f`. A bare name that is
//!   neither a variable nor a function with parameters (`now`, `mmap`, a
//!   zero-parameter function) is called with no arguments; a bare name of a
//!   function with parameters is a function value (`map dbl xs`).
//!
//! Limits: a step is one call of an ilo function and one loop iteration.
//! Call depth counts nested ilo calls. The interpreter recurses natively; it
//! measures its own stack use and, when a segment's budget is spent, moves
//! the rest of the recursion onto a fresh thread with a 256 MiB stack (the
//! caller waits for it), so deep recursion ends in `ILO-R006` at the depth
//! limit, never in a crashed process, whichever thread it runs on.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::builtins::{self, Builtin, CallValue};
use crate::error::{Limits, RtError};
use crate::front::ast::{
    Arm, BinOp, Expr, ExprKind, FuncDecl, Ident, Lit, Pattern, Program, Stmt, StmtKind, TypeTag, UnOp,
};
use crate::heap::{Heap, Obj, RecordShape};
use crate::ops;
use crate::print::type_name;
use crate::value::Value;

/// Stack the interpreter may use on the caller's thread before it moves the
/// recursion to a fresh segment (test threads have 2 MiB in all).
const FIRST_SEGMENT_BUDGET: usize = 512 * 1024;
/// Size of each further stack segment.
const SEGMENT_SIZE: usize = 256 * 1024 * 1024;
/// What a segment keeps in reserve for the work between two checks: the
/// frames of one call's expressions and blocks (nesting bounded by the
/// parser) and the builtins.
const SEGMENT_MARGIN: usize = 16 * 1024 * 1024;

/// Non-local control flow inside a function body, carried on the error path.
enum Ctl {
    Err(RtError),
    /// `ret e`, a taken guard, or `f!` meeting `^e`.
    Ret(Value),
    Brk,
    Cnt,
}

impl From<RtError> for Ctl {
    fn from(e: RtError) -> Ctl {
        Ctl::Err(e)
    }
}

type Flow<T> = Result<T, Ctl>;

/// What a call site names, resolved once when the interpreter is built.
#[derive(Clone, Copy, Debug)]
enum Callee {
    User(u32),
    Builtin(Builtin),
    Nothing,
}

#[derive(Clone, Copy, Debug)]
struct Target {
    /// The name is bound somewhere in the enclosing function, so a variable
    /// holding a function value may shadow `callee`.
    local: bool,
    callee: Callee,
}

/// The address of the stack: how far recursion has gone, measured from a
/// segment's base.
#[inline(always)]
fn stack_pos() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

#[derive(Clone, Copy)]
struct StackGuard {
    base: usize,
    budget: usize,
}

impl StackGuard {
    fn here(budget: usize) -> StackGuard {
        StackGuard {
            base: stack_pos(),
            budget,
        }
    }

    fn exhausted(&self) -> bool {
        self.base.abs_diff(stack_pos()) > self.budget
    }
}

/// The interpreter's state: the program, its heap and the limits.
pub struct TreeInterp<'p> {
    /// The program's functions in declaration order: `Value::func(i)` is `funcs[i]`.
    funcs: Vec<&'p FuncDecl>,
    by_name: HashMap<&'p str, u32>,
    shapes: HashMap<&'p str, Arc<RecordShape>>,
    /// Call sites by the address of their `Expr` (the program is borrowed,
    /// so addresses are stable for the interpreter's life).
    targets: HashMap<usize, Target>,
    pub heap: Heap,
    limits: Limits,
    depth: usize,
    steps: u64,
    guard: StackGuard,
}

/// Variables of one call, innermost binding last.
struct Env<'p> {
    vars: Vec<(&'p str, Value)>,
}

impl<'p> Env<'p> {
    fn get(&self, name: &str) -> Option<Value> {
        self.vars.iter().rev().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    fn set(&mut self, name: &'p str, v: Value) {
        match self.vars.iter_mut().rev().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = v,
            None => self.vars.push((name, v)),
        }
    }

    /// Binds `name` for a loop or an arm; returns what to hand to `unscope`.
    fn scope(&mut self, name: &'p str, v: Value) -> Option<Value> {
        let prev = self.get(name);
        self.set(name, v);
        prev
    }

    /// Gives `name` back the value it had before `scope`, or unbinds it.
    fn unscope(&mut self, name: &'p str, prev: Option<Value>) {
        match prev {
            Some(v) => self.set(name, v),
            None => {
                if let Some(i) = self.vars.iter().rposition(|(n, _)| *n == name) {
                    self.vars.remove(i);
                }
            }
        }
    }
}

impl<'p> TreeInterp<'p> {
    pub fn new(program: &'p Program, limits: Limits) -> TreeInterp<'p> {
        let funcs: Vec<&FuncDecl> = program.funcs().collect();
        let mut by_name = HashMap::new();
        for (i, f) in funcs.iter().enumerate() {
            // The first declaration wins; the verifier reports duplicates.
            by_name.entry(f.name.name.as_str()).or_insert(i as u32);
        }
        let mut shapes = HashMap::new();
        for d in &program.decls {
            if let crate::front::ast::Decl::Type(t) = d {
                let fields = t.fields.iter().map(|p| p.name.name.clone()).collect();
                shapes
                    .entry(t.name.name.as_str())
                    .or_insert_with(|| Arc::new(RecordShape::new(&t.name.name, fields)));
            }
        }
        let mut interp = TreeInterp {
            funcs,
            by_name,
            shapes,
            targets: HashMap::new(),
            heap: Heap::default(),
            limits,
            depth: 0,
            steps: 0,
            guard: StackGuard::here(FIRST_SEGMENT_BUDGET),
        };
        interp.resolve_calls();
        interp
    }

    /// Calls the function `name` with `args`.
    pub fn call(&mut self, name: &str, args: &[Value]) -> Result<Value, RtError> {
        self.depth = 0;
        self.steps = 0;
        self.guard = StackGuard::here(FIRST_SEGMENT_BUDGET);
        let i = *self
            .by_name
            .get(name)
            .ok_or_else(|| RtError::internal(format!("no function `{name}`")))?;
        self.call_index(i, args)
    }

    // ---- resolution of call sites ----

    fn callee(&self, name: &str) -> Callee {
        if let Some(&i) = self.by_name.get(name) {
            Callee::User(i)
        } else if let Some(b) = Builtin::from_name(name) {
            Callee::Builtin(b)
        } else {
            Callee::Nothing
        }
    }

    fn resolve_calls(&mut self) {
        let funcs = self.funcs.clone();
        for f in funcs {
            let mut bound: HashSet<&str> = f.params.iter().map(|p| p.name.name.as_str()).collect();
            bound_names(&f.body, &mut bound);
            let mut sites = Vec::new();
            for s in &f.body {
                stmt_calls(s, &mut sites);
            }
            for e in sites {
                if let ExprKind::Call { func, .. } = &e.kind {
                    let t = Target {
                        local: bound.contains(func.name.as_str()),
                        callee: self.callee(&func.name),
                    };
                    self.targets.insert(e as *const Expr as usize, t);
                }
            }
        }
    }

    // ---- calls ----

    /// Counts one step against `--max-steps`.
    fn tick(&mut self) -> Result<(), RtError> {
        self.steps += 1;
        match self.limits.max_steps {
            Some(max) if self.steps > max => Err(RtError::steps(max)),
            _ => Ok(()),
        }
    }

    fn call_index(&mut self, i: u32, args: &[Value]) -> Result<Value, RtError> {
        let f = *self
            .funcs
            .get(i as usize)
            .ok_or_else(|| RtError::internal(format!("no function #{i}")))?;
        if args.len() != f.params.len() {
            return Err(RtError::arity(
                &format!("`{}`", f.name.name),
                f.params.len(),
                args.len(),
            ));
        }
        if self.depth >= self.limits.max_depth {
            return Err(RtError::depth(self.limits.max_depth));
        }
        self.tick()?;
        if self.guard.exhausted() {
            return self.call_on_new_segment(f, args);
        }
        self.depth += 1;
        let result = self.run_decl(f, args);
        self.depth -= 1;
        result
    }

    /// Runs the call on a fresh thread with a large stack; this thread waits.
    fn call_on_new_segment(&mut self, f: &'p FuncDecl, args: &[Value]) -> Result<Value, RtError> {
        let saved = self.guard;
        self.depth += 1;
        let result = std::thread::scope(|scope| {
            let spawned = std::thread::Builder::new()
                .name("ilo-tree".into())
                .stack_size(SEGMENT_SIZE)
                .spawn_scoped(scope, || {
                    self.guard = StackGuard::here(SEGMENT_SIZE - SEGMENT_MARGIN);
                    self.run_decl(f, args)
                });
            match spawned {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|_| Err(RtError::internal("the interpreter's stack segment panicked"))),
                Err(e) => Err(RtError::new(
                    crate::error::code::DEPTH,
                    format!("recursion too deep: cannot grow the stack ({e})"),
                )),
            }
        });
        self.depth -= 1;
        self.guard = saved;
        result
    }

    fn run_decl(&mut self, f: &'p FuncDecl, args: &[Value]) -> Result<Value, RtError> {
        let mut env = Env {
            vars: Vec::with_capacity(f.params.len() + 4),
        };
        for (p, v) in f.params.iter().zip(args) {
            env.vars.push((p.name.name.as_str(), *v));
        }
        match self.body(&f.body, &mut env) {
            Ok(v) | Err(Ctl::Ret(v)) => Ok(v),
            Err(Ctl::Err(e)) => Err(e),
            Err(Ctl::Brk) => Err(RtError::internal("`brk` outside a loop")),
            Err(Ctl::Cnt) => Err(RtError::internal("`cnt` outside a loop")),
        }
    }

    /// Calls a function value: a program function or a builtin.
    fn call_func_value(&mut self, f: Value, args: &[Value]) -> Result<Value, RtError> {
        if let Some(b) = Builtin::from_func_value(f) {
            return self.call_builtin(b, args);
        }
        match f.func_index() {
            Some(i) => self.call_index(i, args),
            None => Err(RtError::type_error(format!(
                "cannot call {}: it is not a function",
                type_name(&self.heap, f)
            ))),
        }
    }

    fn call_builtin(&mut self, b: Builtin, args: &[Value]) -> Result<Value, RtError> {
        if !b.is_higher_order() {
            let mut heap = std::mem::take(&mut self.heap);
            let r = builtins::call(b, &mut heap, args, &mut builtins::NoCallback);
            self.heap = heap;
            return r;
        }
        // Lend the heap to the builtin; `call_value` hands it back to us for
        // each call the builtin makes.
        let mut heap = std::mem::take(&mut self.heap);
        let r = builtins::call(b, &mut heap, args, self);
        self.heap = heap;
        r
    }

    // ---- statements ----

    fn body(&mut self, body: &'p [Stmt], env: &mut Env<'p>) -> Flow<Value> {
        let mut last = Value::NIL;
        for s in body {
            last = self.stmt(s, env, last)?;
        }
        Ok(last)
    }

    fn cond(&mut self, cond: &'p Expr, negated: bool, env: &mut Env<'p>) -> Flow<bool> {
        Ok(self.expr(cond, env)?.truthy() != negated)
    }

    fn stmt(&mut self, s: &'p Stmt, env: &mut Env<'p>, prev: Value) -> Flow<Value> {
        match &s.kind {
            StmtKind::Expr(e) => self.expr(e, env),
            StmtKind::Bind { name, value } => {
                let v = self.expr(value, env)?;
                env.set(&name.name, v);
                Ok(v)
            }
            StmtKind::Destructure { names, value } => {
                let v = self.expr(value, env)?;
                for n in names {
                    let x = ops::field(&mut self.heap, v, &n.name)?;
                    env.set(&n.name, x);
                }
                Ok(v)
            }
            StmtKind::Guard { cond, negated, value } => {
                if self.cond(cond, *negated, env)? {
                    let v = self.expr(value, env)?;
                    return Err(Ctl::Ret(v));
                }
                Ok(Value::NIL)
            }
            StmtKind::If {
                cond,
                negated,
                then,
                els,
            } => {
                if self.cond(cond, *negated, env)? {
                    self.body(then, env)
                } else if let Some(els) = els {
                    self.body(els, env)
                } else {
                    Ok(Value::NIL)
                }
            }
            StmtKind::Match { subject, arms } => {
                let v = match subject {
                    Some(e) => self.expr(e, env)?,
                    None => prev,
                };
                self.match_arms(v, arms, env)
            }
            StmtKind::ForEach { var, iter, body } => {
                let xs = self.expr(iter, env)?;
                let items = self.iteration_items(xs)?;
                let prev = env.scope(&var.name, Value::NIL);
                for x in items {
                    self.tick()?;
                    env.set(&var.name, x);
                    match self.body(body, env) {
                        Ok(_) | Err(Ctl::Cnt) => {}
                        Err(Ctl::Brk) => break,
                        Err(other) => return Err(other),
                    }
                }
                env.unscope(&var.name, prev);
                Ok(Value::NIL)
            }
            StmtKind::ForRange { var, from, to, body } => {
                let a = self.expr(from, env)?;
                let b = self.expr(to, env)?;
                let (Some(a), Some(b)) = (a.to_num(), b.to_num()) else {
                    return Err(RtError::type_error(format!(
                        "`@{} a..b` needs numbers, not {} and {}",
                        var.name,
                        type_name(&self.heap, a),
                        type_name(&self.heap, b)
                    ))
                    .into());
                };
                let prev = env.scope(&var.name, Value::NIL);
                let mut i = a;
                while i < b {
                    self.tick()?;
                    env.set(&var.name, Value::num(i));
                    match self.body(body, env) {
                        Ok(_) | Err(Ctl::Cnt) => {}
                        Err(Ctl::Brk) => break,
                        Err(other) => return Err(other),
                    }
                    i += 1.0;
                }
                env.unscope(&var.name, prev);
                Ok(Value::NIL)
            }
            StmtKind::While { cond, body } => {
                loop {
                    self.tick()?;
                    if !self.cond(cond, false, env)? {
                        break;
                    }
                    match self.body(body, env) {
                        Ok(_) | Err(Ctl::Cnt) => {}
                        Err(Ctl::Brk) => break,
                        Err(other) => return Err(other),
                    }
                }
                Ok(Value::NIL)
            }
            StmtKind::Break => Err(Ctl::Brk),
            StmtKind::Continue => Err(Ctl::Cnt),
            StmtKind::Return(e) => {
                let v = self.expr(e, env)?;
                Err(Ctl::Ret(v))
            }
        }
    }

    /// What `@x xs` walks: a list's elements, a text's characters, or a
    /// map's keys in order.
    fn iteration_items(&mut self, xs: Value) -> Result<Vec<Value>, RtError> {
        match self.heap.get(xs) {
            Some(Obj::List(items)) => Ok(items.clone()),
            Some(Obj::Text(s)) => {
                let chars: Vec<String> = s.chars().map(String::from).collect();
                Ok(chars.into_iter().map(|c| self.heap.text(c)).collect())
            }
            Some(Obj::Map(m)) => {
                let keys: Vec<String> = m.keys().cloned().collect();
                Ok(keys.into_iter().map(|k| self.heap.text(k)).collect())
            }
            _ => Err(RtError::type_error(format!(
                "`@` walks a list, text or map, not {}",
                type_name(&self.heap, xs)
            ))),
        }
    }

    fn match_arms(&mut self, v: Value, arms: &'p [Arm], env: &mut Env<'p>) -> Flow<Value> {
        for arm in arms {
            let binding: Option<(&'p Ident, Value)> = match &arm.pat {
                Pattern::Wild => None,
                Pattern::Lit(lit) => {
                    if !self.lit_matches(lit, v) {
                        continue;
                    }
                    None
                }
                Pattern::Ok(name) => match self.heap.get(v) {
                    Some(Obj::Ok(x)) => Some((name, *x)),
                    _ => continue,
                },
                Pattern::Err(name) => match self.heap.get(v) {
                    Some(Obj::Err(x)) => Some((name, *x)),
                    _ => continue,
                },
                Pattern::Typed(tag, name) => {
                    let fits = match tag {
                        TypeTag::Num => v.is_num(),
                        TypeTag::Bool => v.to_bool().is_some(),
                        TypeTag::Text => self.heap.as_text(v).is_some(),
                        TypeTag::List => self.heap.as_list(v).is_some(),
                    };
                    if !fits {
                        continue;
                    }
                    Some((name, v))
                }
            };
            return match binding {
                Some((name, x)) if name.name != "_" => {
                    let prev = env.scope(&name.name, x);
                    let r = self.expr(&arm.body, env);
                    env.unscope(&name.name, prev);
                    r
                }
                _ => self.expr(&arm.body, env),
            };
        }
        Ok(Value::NIL)
    }

    fn lit_matches(&self, lit: &Lit, v: Value) -> bool {
        match lit {
            Lit::Num(n) => v.to_num() == Some(*n),
            Lit::Bool(b) => v.to_bool() == Some(*b),
            Lit::Nil => v.is_nil(),
            Lit::Text(t) => self.heap.as_text(v) == Some(t.as_str()),
        }
    }

    // ---- expressions ----

    fn expr(&mut self, e: &'p Expr, env: &mut Env<'p>) -> Flow<Value> {
        match &e.kind {
            ExprKind::Lit(Lit::Num(n)) => Ok(Value::num(*n)),
            ExprKind::Lit(Lit::Bool(b)) => Ok(Value::bool(*b)),
            ExprKind::Lit(Lit::Nil) => Ok(Value::NIL),
            ExprKind::Lit(Lit::Text(t)) => Ok(self.heap.text(t.clone())),
            ExprKind::List(items) => {
                let mut vals = Vec::with_capacity(items.len());
                for x in items {
                    vals.push(self.expr(x, env)?);
                }
                Ok(self.heap.list(vals))
            }
            ExprKind::Name(name) => self.name(name, env),
            ExprKind::Unary { op, operand } => {
                let v = self.expr(operand, env)?;
                Ok(match op {
                    UnOp::Neg => ops::neg(&mut self.heap, v)?,
                    UnOp::Not => ops::not(&mut self.heap, v)?,
                })
            }
            ExprKind::Binary {
                op: BinOp::And,
                lhs,
                rhs,
            } => {
                let a = self.expr(lhs, env)?;
                Ok(Value::bool(a.truthy() && self.expr(rhs, env)?.truthy()))
            }
            ExprKind::Binary {
                op: BinOp::Or,
                lhs,
                rhs,
            } => {
                let a = self.expr(lhs, env)?;
                Ok(Value::bool(a.truthy() || self.expr(rhs, env)?.truthy()))
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let a = self.expr(lhs, env)?;
                let b = self.expr(rhs, env)?;
                let h = &mut self.heap;
                Ok(match op {
                    BinOp::Add => ops::add(h, a, b)?,
                    BinOp::Sub => ops::sub(h, a, b)?,
                    BinOp::Mul => ops::mul(h, a, b)?,
                    BinOp::Div => ops::div(h, a, b)?,
                    BinOp::Append => ops::append(h, a, b)?,
                    BinOp::Eq => ops::eq(h, a, b)?,
                    BinOp::Ne => ops::ne(h, a, b)?,
                    BinOp::Lt => ops::lt(h, a, b)?,
                    BinOp::Gt => ops::gt(h, a, b)?,
                    BinOp::Le => ops::le(h, a, b)?,
                    BinOp::Ge => ops::ge(h, a, b)?,
                    BinOp::And | BinOp::Or => return Err(RtError::internal("short-circuit operator").into()),
                })
            }
            ExprKind::Call { func, args, unwrap } => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.expr(a, env)?);
                }
                let r = self.call_site(e, func, &vals, env)?;
                if !*unwrap {
                    return Ok(r);
                }
                match self.heap.get(r) {
                    Some(Obj::Ok(x)) => Ok(*x),
                    Some(Obj::Err(_)) => Err(Ctl::Ret(r)),
                    _ => Err(RtError::type_error(format!(
                        "`{}!` unwraps a result, but `{}` returned {}",
                        func.name,
                        func.name,
                        type_name(&self.heap, r)
                    ))
                    .into()),
                }
            }
            ExprKind::Ok(x) => {
                let v = self.expr(x, env)?;
                Ok(self.heap.ok(v))
            }
            ExprKind::Err(x) => {
                let v = self.expr(x, env)?;
                Ok(self.heap.err(v))
            }
            ExprKind::Coalesce { lhs, rhs } => {
                let v = self.expr(lhs, env)?;
                if v.is_nil() {
                    self.expr(rhs, env)
                } else {
                    Ok(v)
                }
            }
            ExprKind::Field { target, field, safe } => {
                let t = self.expr(target, env)?;
                if *safe && t.is_nil() {
                    return Ok(Value::NIL);
                }
                Ok(ops::field(&mut self.heap, t, &field.name)?)
            }
            ExprKind::Index { target, index } => {
                let t = self.expr(target, env)?;
                Ok(ops::index(&mut self.heap, t, *index)?)
            }
            ExprKind::Record { ty, fields } => self.record(ty, fields, env),
            ExprKind::With { target, fields } => self.with(target, fields, env),
            ExprKind::Ternary { cond, then, els } => {
                if self.expr(cond, env)?.truthy() {
                    self.expr(then, env)
                } else {
                    self.expr(els, env)
                }
            }
        }
    }

    /// A name's value: a variable, else a function as a value, else (for a
    /// function that takes no arguments: `now`, `mmap`, `mk`) its result.
    fn name(&mut self, name: &str, env: &Env<'p>) -> Flow<Value> {
        if let Some(v) = env.get(name) {
            return Ok(v);
        }
        match self.callee(name) {
            Callee::User(i) => match self.funcs.get(i as usize) {
                Some(f) if f.params.is_empty() => Ok(self.call_index(i, &[])?),
                _ => Ok(Value::func(i)),
            },
            Callee::Builtin(b) if b.accepts(0) => Ok(self.call_builtin(b, &[])?),
            Callee::Builtin(b) => Ok(b.func_value()),
            Callee::Nothing => Err(RtError::unbound(name).into()),
        }
    }

    fn call_site(&mut self, e: &'p Expr, func: &Ident, args: &[Value], env: &Env<'p>) -> Flow<Value> {
        let target = match self.targets.get(&(e as *const Expr as usize)) {
            Some(t) => *t,
            None => Target {
                local: true,
                callee: self.callee(&func.name),
            },
        };
        if target.local {
            if let Some(v) = env.get(&func.name) {
                if v.func_index().is_some() {
                    return Ok(self.call_func_value(v, args)?);
                }
                if matches!(target.callee, Callee::Nothing) {
                    return Err(RtError::type_error(format!(
                        "`{}` is {}, not a function",
                        func.name,
                        type_name(&self.heap, v)
                    ))
                    .into());
                }
            }
        }
        Ok(match target.callee {
            Callee::User(i) => self.call_index(i, args)?,
            Callee::Builtin(b) => self.call_builtin(b, args)?,
            Callee::Nothing => return Err(RtError::unbound(&func.name).into()),
        })
    }

    fn shape(&self, ty: &Ident) -> Result<Arc<RecordShape>, RtError> {
        self.shapes
            .get(ty.name.as_str())
            .cloned()
            .ok_or_else(|| RtError::field(format!("no record type `{}`", ty.name)))
    }

    /// `pt x:1 y:2`: fields evaluated in the order written, stored in
    /// declaration order; every field must be given, once.
    fn record(&mut self, ty: &'p Ident, fields: &'p [(Ident, Expr)], env: &mut Env<'p>) -> Flow<Value> {
        let shape = self.shape(ty)?;
        let mut values: Vec<Option<Value>> = vec![None; shape.fields.len()];
        for (name, x) in fields {
            let i = shape.field(&name.name).ok_or_else(|| {
                RtError::field(format!(
                    "record `{}` has no field `{}` (fields: {})",
                    shape.name,
                    name.name,
                    shape.fields.join(" ")
                ))
            })?;
            let v = self.expr(x, env)?;
            if let Some(slot) = values.get_mut(i) {
                *slot = Some(v);
            }
        }
        let mut out = Vec::with_capacity(values.len());
        for (i, v) in values.into_iter().enumerate() {
            match v {
                Some(v) => out.push(v),
                None => {
                    let missing = shape.fields.get(i).map(String::as_str).unwrap_or("?");
                    return Err(RtError::field(format!("record `{}` needs field `{missing}`", shape.name)).into());
                }
            }
        }
        Ok(self.heap.record(shape, out))
    }

    /// `p with x:5`: a copy of record `p` with fields replaced (on a map:
    /// a copy with those keys set).
    fn with(&mut self, target: &'p Expr, fields: &'p [(Ident, Expr)], env: &mut Env<'p>) -> Flow<Value> {
        let t = self.expr(target, env)?;
        let mut new = Vec::with_capacity(fields.len());
        for (name, x) in fields {
            new.push((name, self.expr(x, env)?));
        }
        match self.heap.get(t) {
            Some(Obj::Record(r)) => {
                let mut r = r.clone();
                for (name, v) in new {
                    let i = r.shape.field(&name.name).ok_or_else(|| {
                        RtError::field(format!(
                            "record `{}` has no field `{}` (fields: {})",
                            r.shape.name,
                            name.name,
                            r.shape.fields.join(" ")
                        ))
                    })?;
                    if let Some(slot) = r.values.get_mut(i) {
                        *slot = v;
                    }
                }
                Ok(self.heap.alloc(Obj::Record(r)))
            }
            Some(Obj::Map(m)) => {
                let mut m = m.clone();
                for (name, v) in new {
                    m.insert(name.name.clone(), v);
                }
                Ok(self.heap.map(m))
            }
            _ => Err(RtError::type_error(format!("`with` copies a record, not {}", type_name(&self.heap, t))).into()),
        }
    }
}

impl CallValue for TreeInterp<'_> {
    fn call_value(&mut self, heap: &mut Heap, f: Value, args: &[Value]) -> Result<Value, RtError> {
        std::mem::swap(&mut self.heap, heap);
        let r = self.call_func_value(f, args);
        std::mem::swap(&mut self.heap, heap);
        r
    }
}

// ---- walking the AST for call sites and bound names ----

fn bound_names<'p>(body: &'p [Stmt], out: &mut HashSet<&'p str>) {
    for s in body {
        match &s.kind {
            StmtKind::Bind { name, .. } => {
                out.insert(&name.name);
            }
            StmtKind::Destructure { names, .. } => out.extend(names.iter().map(|n| n.name.as_str())),
            StmtKind::If { then, els, .. } => {
                bound_names(then, out);
                if let Some(els) = els {
                    bound_names(els, out);
                }
            }
            StmtKind::Match { arms, .. } => {
                for a in arms {
                    if let Pattern::Ok(n) | Pattern::Err(n) | Pattern::Typed(_, n) = &a.pat {
                        out.insert(&n.name);
                    }
                }
            }
            StmtKind::ForEach { var, body, .. } | StmtKind::ForRange { var, body, .. } => {
                out.insert(&var.name);
                bound_names(body, out);
            }
            StmtKind::While { body, .. } => bound_names(body, out),
            StmtKind::Guard { .. } | StmtKind::Break | StmtKind::Continue | StmtKind::Return(_) | StmtKind::Expr(_) => {
            }
        }
    }
}

fn stmt_calls<'p>(s: &'p Stmt, out: &mut Vec<&'p Expr>) {
    let body = |b: &'p [Stmt], out: &mut Vec<&'p Expr>| b.iter().for_each(|s| stmt_calls(s, out));
    match &s.kind {
        StmtKind::Expr(e) | StmtKind::Return(e) => expr_calls(e, out),
        StmtKind::Bind { value, .. } | StmtKind::Destructure { value, .. } => expr_calls(value, out),
        StmtKind::Guard { cond, value, .. } => {
            expr_calls(cond, out);
            expr_calls(value, out);
        }
        StmtKind::If { cond, then, els, .. } => {
            expr_calls(cond, out);
            body(then, out);
            if let Some(els) = els {
                body(els, out);
            }
        }
        StmtKind::Match { subject, arms } => {
            if let Some(e) = subject {
                expr_calls(e, out);
            }
            for a in arms {
                expr_calls(&a.body, out);
            }
        }
        StmtKind::ForEach { iter, body: b, .. } => {
            expr_calls(iter, out);
            body(b, out);
        }
        StmtKind::ForRange { from, to, body: b, .. } => {
            expr_calls(from, out);
            expr_calls(to, out);
            body(b, out);
        }
        StmtKind::While { cond, body: b } => {
            expr_calls(cond, out);
            body(b, out);
        }
        StmtKind::Break | StmtKind::Continue => {}
    }
}

fn expr_calls<'p>(e: &'p Expr, out: &mut Vec<&'p Expr>) {
    match &e.kind {
        ExprKind::Lit(_) | ExprKind::Name(_) => {}
        ExprKind::List(items) => items.iter().for_each(|x| expr_calls(x, out)),
        ExprKind::Unary { operand: x, .. }
        | ExprKind::Ok(x)
        | ExprKind::Err(x)
        | ExprKind::Field { target: x, .. }
        | ExprKind::Index { target: x, .. } => expr_calls(x, out),
        ExprKind::Binary { lhs, rhs, .. } | ExprKind::Coalesce { lhs, rhs } => {
            expr_calls(lhs, out);
            expr_calls(rhs, out);
        }
        ExprKind::Call { args, .. } => {
            out.push(e);
            args.iter().for_each(|x| expr_calls(x, out));
        }
        ExprKind::Record { fields, .. } => fields.iter().for_each(|(_, x)| expr_calls(x, out)),
        ExprKind::With { target, fields } => {
            expr_calls(target, out);
            fields.iter().for_each(|(_, x)| expr_calls(x, out));
        }
        ExprKind::Ternary { cond, then, els } => {
            expr_calls(cond, out);
            expr_calls(then, out);
            expr_calls(els, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Arg;
    use crate::error::code;
    use crate::print::fmt_value;

    /// Parses `src`, runs `func` with CLI-style `args`, prints the result.
    fn run_with(src: &str, func: &str, args: &[&str], limits: Limits) -> Result<String, RtError> {
        let program = match crate::front::parser::parse(src) {
            Ok(p) => p,
            Err(d) => panic!("parse error in {src:?}: {d:?}"),
        };
        let f = program.func(func).unwrap_or_else(|| panic!("no function {func}"));
        let args: Vec<Arg> = f
            .params
            .iter()
            .zip(args)
            .map(|(p, a)| Arg::parse(a, &p.ty).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        let mut interp = TreeInterp::new(&program, limits);
        let vals: Vec<Value> = args.iter().map(|a| a.to_value(&mut interp.heap)).collect();
        let v = interp.call(func, &vals)?;
        Ok(fmt_value(&interp.heap, v))
    }

    fn run(src: &str, args: &[&str]) -> Result<String, RtError> {
        let name = src
            .split(|c: char| c == ' ' || c == '>' || c == ':')
            .next()
            .unwrap_or("")
            .to_string();
        run_with(src, &name, args, Limits::default())
    }

    #[track_caller]
    fn ok(src: &str, args: &[&str], want: &str) {
        match run(src, args) {
            Ok(got) => assert_eq!(got, want, "{src}"),
            Err(e) => panic!("{src}: {e}"),
        }
    }

    #[track_caller]
    fn fails(src: &str, args: &[&str], want: &str) {
        match run(src, args) {
            Ok(got) => panic!("{src}: expected {want}, got {got}"),
            Err(e) => assert_eq!(e.code, want, "{src}: {e}"),
        }
    }

    #[test]
    fn seed_programs() {
        ok("tot p:n q:n r:n>n;s=*p q;t=*s r;+s t", &["10", "20", "30"], "6200");
        ok("fac n:n>n;<=n 1 1;r=fac -n 1;*n r", &["5"], "120");
        ok("fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b", &["10"], "55");
        ok(
            "cls sp:n>t;>=sp 1000 \"gold\";>=sp 500 \"silver\";\"bronze\"",
            &["700"],
            "silver",
        );
        ok("sm xs:L n>n;s=0;@x xs{s=+s x};s", &["1,2,3"], "6");
        ok("fst xs:L n>n;@x xs{>=x 10{ret x}};0", &["1,12,30"], "12");
        ok("evn>n;s=0;@i 0..7{r=mod i 2;!=r 0{cnt};s=+s i};s", &[], "12");
    }
}
