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

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use std::sync::Arc;

use crate::builtins::{self, Builtin, CallValue};
use crate::error::{Limits, RtError};
use crate::front::ast::{
    Arm, BinOp, Expr, ExprKind, FuncDecl, Ident, Lit, Pattern, Program, Stmt, StmtKind, TypeTag, UnOp,
};
use crate::front::visit::{for_each_binding, for_each_expr};
use crate::heap::{Heap, RecordShape};
use crate::ops;
use crate::print::type_name;
use crate::value::Value;
use crate::vm_support::calls;
use crate::vm_support::segment::{self, Segmented};
use crate::vm_support::{self, StackGuard, FIRST_SEGMENT_BUDGET};

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

/// The interpreter's state: the program, its heap and the limits.
pub struct TreeInterp<'p> {
    /// The program's functions in declaration order: `Value::func(i)` is `funcs[i]`.
    funcs: Vec<&'p FuncDecl>,
    by_name: HashMap<&'p str, u32>,
    shapes: HashMap<String, Arc<RecordShape>>,
    /// Call sites by the address of their `Expr` (the program is borrowed,
    /// so addresses are stable for the interpreter's life).
    targets: HashMap<usize, Target>,
    pub heap: Heap,
    /// Every active call's variables (see [`Env`]): a collection's roots,
    /// with the values expressions hold in `heap.temps`. `None` is a
    /// variable not bound (yet, or any more).
    vars: Vec<Option<Value>>,
    /// Each function's variable names and their slots in its call's frame,
    /// found once here so that a read costs a hash lookup, not a scan of
    /// the frame (which made big functions quadratic).
    slots: Vec<FxHashMap<&'p str, u32>>,
    limits: Limits,
    depth: usize,
    steps: u64,
    guard: StackGuard,
}

/// One call's variables: `vars[base..]` of the interpreter, one slot per
/// name of the function (`slots[func]`). They live on one stack so a
/// collection can see them all.
struct Env {
    base: usize,
    func: usize,
}

impl<'p> TreeInterp<'p> {
    pub fn new(program: &'p Program, limits: Limits) -> TreeInterp<'p> {
        let funcs: Vec<&FuncDecl> = program.funcs().collect();
        let mut by_name = HashMap::new();
        for (i, f) in funcs.iter().enumerate() {
            // The first declaration wins; the verifier reports duplicates.
            by_name.entry(f.name.name.as_str()).or_insert(i as u32);
        }
        let shapes = vm_support::record_shapes_by_name(program);
        let slots = funcs.iter().map(|f| variable_slots(f)).collect();
        let mut interp = TreeInterp {
            funcs,
            by_name,
            shapes,
            targets: HashMap::new(),
            heap: Heap::default(),
            vars: Vec::new(),
            slots,
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
        self.vars.clear();
        self.heap.temps.clear();
        self.heap.set_limit(self.limits.max_memory);
        self.heap.set_stress(self.limits.gc_stress);
        self.heap.root_all(args);
        let i = *self
            .by_name
            .get(name)
            .ok_or_else(|| RtError::internal(format!("no function `{name}`")))?;
        self.call_index(i, args)
    }

    // ---- variables ----

    /// The slot of `name` in `env`'s frame; `None` for a name the function
    /// never binds (a function or builtin used as a value).
    fn slot(&self, env: &Env, name: &str) -> Option<usize> {
        self.slots[env.func].get(name).map(|&i| env.base + i as usize)
    }

    fn get_var(&self, env: &Env, name: &str) -> Option<Value> {
        self.slot(env, name).and_then(|i| self.vars[i])
    }

    /// Binds `name`, which [`variable_slots`] gave a slot: every binding
    /// form is one it collects.
    fn set_var(&mut self, env: &Env, name: &'p str, v: Value) -> Flow<()> {
        let i = self
            .slot(env, name)
            .ok_or_else(|| RtError::internal(format!("`{name}` has no slot in its frame")))?;
        self.vars[i] = Some(v);
        Ok(())
    }

    /// Binds `name` for a loop or an arm; returns what to hand to `unscope`.
    fn scope(&mut self, env: &Env, name: &'p str, v: Value) -> Flow<Option<Value>> {
        let prev = self.get_var(env, name);
        self.set_var(env, name, v)?;
        Ok(prev)
    }

    /// Gives `name` back the value it had before `scope`, or unbinds it.
    fn unscope(&mut self, env: &Env, name: &'p str, prev: Option<Value>) {
        if let Some(i) = self.slot(env, name) {
            self.vars[i] = prev;
        }
    }

    // ---- temporary roots ----

    /// Runs `f`, then drops the temporary roots it made (on every exit:
    /// value, error or control flow).
    fn with_temps<T>(&mut self, f: impl FnOnce(&mut Self) -> Flow<T>) -> Flow<T> {
        let mark = self.heap.temps.len();
        let r = f(self);
        self.heap.temps.truncate(mark);
        r
    }

    /// Evaluates `e` and roots its value, so it outlives the calls that
    /// later operands make (until the enclosing [`Self::with_temps`] ends).
    fn rooted(&mut self, e: &'p Expr, env: &mut Env) -> Flow<Value> {
        let v = self.expr(e, env)?;
        self.heap.root(v);
        Ok(v)
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
        for (i, f) in funcs.into_iter().enumerate() {
            for_each_expr(&f.body, |e| {
                if let ExprKind::Call { func, .. } = &e.kind {
                    let t = Target {
                        local: self.slots[i].contains_key(func.name.as_str()),
                        callee: self.callee(&func.name),
                    };
                    self.targets.insert(e as *const Expr as usize, t);
                }
            });
        }
    }

    // ---- calls ----

    /// A safe point: counts one step against `--max-steps`, then lets the
    /// heap collect with every call's variables as roots.
    fn tick(&mut self) -> Result<(), RtError> {
        let vars = &self.vars;
        vm_support::safepoint(&mut self.heap, &mut self.steps, &self.limits, || {
            vars.iter().flatten().copied()
        })
    }

    fn call_index(&mut self, i: u32, args: &[Value]) -> Result<Value, RtError> {
        let f: &'p FuncDecl = calls::check_args(&self.funcs, i, args.len())?;
        calls::check_depth(self.depth, &self.limits)?;
        self.tick()?;
        self.depth += 1;
        let result = segment::recurse(self, "ilo-tree", |t| t.run_decl(i, f, args));
        self.depth -= 1;
        result
    }

    fn run_decl(&mut self, i: u32, f: &'p FuncDecl, args: &[Value]) -> Result<Value, RtError> {
        let mut env = Env {
            base: self.vars.len(),
            func: i as usize,
        };
        self.vars.resize(env.base + self.slots[env.func].len(), None);
        for (p, v) in f.params.iter().zip(args) {
            self.set_var(&env, &p.name.name, *v)
                .map_err(|_| RtError::internal("a parameter has no slot"))?;
        }
        let r = self.with_temps(|s| s.body(&f.body, &mut env));
        self.vars.truncate(env.base);
        match r {
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
            None => Err(calls::not_a_function(&self.heap, f)),
        }
    }

    fn call_builtin(&mut self, b: Builtin, args: &[Value]) -> Result<Value, RtError> {
        if !b.is_higher_order() {
            return builtins::call(b, &mut self.heap, args, &mut builtins::NoCallback);
        }
        // Lend the heap to the builtin; `call_value` hands it back to us for
        // each call the builtin makes.
        let mut heap = std::mem::take(&mut self.heap);
        let r = builtins::call(b, &mut heap, args, self);
        self.heap = heap;
        r
    }

    // ---- statements ----

    fn body(&mut self, body: &'p [Stmt], env: &mut Env) -> Flow<Value> {
        let mut last = Value::NIL;
        for s in body {
            last = self.stmt(s, env, last)?;
        }
        Ok(last)
    }

    fn cond(&mut self, cond: &'p Expr, negated: bool, env: &mut Env) -> Flow<bool> {
        Ok(self.expr(cond, env)?.truthy() != negated)
    }

    fn stmt(&mut self, s: &'p Stmt, env: &mut Env, prev: Value) -> Flow<Value> {
        match &s.kind {
            StmtKind::Expr(e) => {
                if e.guard_shape().is_some() {
                    if let Some(flow) = self.bool_name_guard(e, env) {
                        return flow;
                    }
                }
                self.expr(e, env)
            }
            StmtKind::Bind { name, value } => {
                let v = self.expr(value, env)?;
                self.set_var(env, &name.name, v)?;
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
            StmtKind::Destructure { names, value } => self.destructure(names, value, env),
            StmtKind::ForEach { var, iter, body } => self.for_each(var, iter, body, env),
            StmtKind::ForRange { var, from, to, body } => self.for_range(var, from, to, body, env),
            StmtKind::While { cond, body } => self.while_loop(cond, body, env),
            StmtKind::Break => Err(Ctl::Brk),
            StmtKind::Continue => Err(Ctl::Cnt),
            StmtKind::Return(e) => {
                let v = self.expr(e, env)?;
                Err(Ctl::Ret(v))
            }
        }
    }

    // The statement and expression forms below are kept out of `stmt` and
    // `expr`, so the frames of the recursion (`expr` -> call -> `body` ->
    // `stmt` -> `expr`) stay small in debug builds.

    #[inline(never)]
    fn destructure(&mut self, names: &'p [Ident], value: &'p Expr, env: &mut Env) -> Flow<Value> {
        let v = self.expr(value, env)?;
        for n in names {
            let x = ops::field(&mut self.heap, v, &n.name)?;
            self.set_var(env, &n.name, x)?;
        }
        Ok(v)
    }

    /// Runs a loop body once: `Ok(true)` to go on, `Ok(false)` after `brk`.
    fn iteration(&mut self, body: &'p [Stmt], env: &mut Env) -> Flow<bool> {
        self.tick()?;
        match self.with_temps(|s| s.body(body, env)) {
            Ok(_) | Err(Ctl::Cnt) => Ok(true),
            Err(Ctl::Brk) => Ok(false),
            Err(other) => Err(other),
        }
    }

    #[inline(never)]
    fn for_each(&mut self, var: &'p Ident, iter: &'p Expr, body: &'p [Stmt], env: &mut Env) -> Flow<Value> {
        let xs = self.expr(iter, env)?;
        let items = ops::iter_items(&mut self.heap, xs)?;
        self.with_temps(|s| {
            // The items stay alive while the loop walks them: a list's
            // through the list, a text's characters or a map's keys by
            // themselves.
            s.heap.root(xs);
            if s.heap.as_list(xs).is_none() {
                s.heap.root_all(&items);
            }
            let prev = s.scope(env, &var.name, Value::NIL)?;
            for x in items {
                s.set_var(env, &var.name, x)?;
                if !s.iteration(body, env)? {
                    break;
                }
            }
            s.unscope(env, &var.name, prev);
            Ok(Value::NIL)
        })
    }

    #[inline(never)]
    fn for_range(
        &mut self,
        var: &'p Ident,
        from: &'p Expr,
        to: &'p Expr,
        body: &'p [Stmt],
        env: &mut Env,
    ) -> Flow<Value> {
        let a = self.expr(from, env)?;
        let b = self.expr(to, env)?;
        let (Some(a), Some(b)) = (a.to_num(), b.to_num()) else {
            return Err(self.range_error(var, a, b).into());
        };
        let prev = self.scope(env, &var.name, Value::NIL)?;
        let mut i = a;
        while i < b {
            self.set_var(env, &var.name, Value::num(i))?;
            if !self.iteration(body, env)? {
                break;
            }
            i += 1.0;
        }
        self.unscope(env, &var.name, prev);
        Ok(Value::NIL)
    }

    #[cold]
    #[inline(never)]
    fn range_error(&self, var: &Ident, a: Value, b: Value) -> RtError {
        RtError::type_error(format!(
            "`@{} a..b` needs numbers, not {} and {}",
            var.name,
            type_name(&self.heap, a),
            type_name(&self.heap, b)
        ))
    }

    #[inline(never)]
    fn while_loop(&mut self, cond: &'p Expr, body: &'p [Stmt], env: &mut Env) -> Flow<Value> {
        while self.cond(cond, false, env)? {
            if !self.iteration(body, env)? {
                break;
            }
        }
        Ok(Value::NIL)
    }

    /// `ok v` where `ok` is a bool variable parses as a call; at statement
    /// position it is the braceless guard the spec describes ("a bool-typed
    /// name" as the condition): return `v` when `ok` is true.
    #[inline(never)]
    fn bool_name_guard(&mut self, e: &'p Expr, env: &mut Env) -> Option<Flow<Value>> {
        let (func, value) = e.guard_shape()?;
        let cond = self.get_var(env, &func.name)?.to_bool()?;
        if !cond {
            return Some(Ok(Value::NIL));
        }
        Some(match self.expr(value, env) {
            Ok(v) => Err(Ctl::Ret(v)),
            Err(c) => Err(c),
        })
    }

    #[inline(never)]
    fn match_arms(&mut self, v: Value, arms: &'p [Arm], env: &mut Env) -> Flow<Value> {
        for arm in arms {
            let binding: Option<(&'p Ident, Value)> = match &arm.pat {
                Pattern::Wild => None,
                Pattern::Lit(lit) => {
                    if !self.lit_matches(lit, v) {
                        continue;
                    }
                    None
                }
                Pattern::Ok(name) => match ops::result_inner(&self.heap, v, true) {
                    Some(x) => Some((name, x)),
                    None => continue,
                },
                Pattern::Err(name) => match ops::result_inner(&self.heap, v, false) {
                    Some(x) => Some((name, x)),
                    None => continue,
                },
                Pattern::Typed(tag, name) => {
                    let kind = match tag {
                        TypeTag::Num => ops::Kind::Num,
                        TypeTag::Text => ops::Kind::Text,
                        TypeTag::Bool => ops::Kind::Bool,
                        TypeTag::List => ops::Kind::List,
                    };
                    if !ops::is_kind(&self.heap, kind, v) {
                        continue;
                    }
                    Some((name, v))
                }
            };
            return match binding {
                Some((name, x)) if name.name != "_" => {
                    let prev = self.scope(env, &name.name, x)?;
                    let r = self.expr(&arm.body, env);
                    self.unscope(env, &name.name, prev);
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

    fn expr(&mut self, e: &'p Expr, env: &mut Env) -> Flow<Value> {
        match &e.kind {
            ExprKind::Lit(Lit::Num(n)) => Ok(Value::num(*n)),
            ExprKind::Name(name) => self.name(name, env),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, env),
            ExprKind::Call { func, args, unwrap } => self.call_expr(e, func, args, *unwrap, env),
            ExprKind::Lit(lit) => Ok(self.lit(lit)),
            ExprKind::Unary { op, operand } => {
                let v = self.expr(operand, env)?;
                Ok(match op {
                    UnOp::Neg => ops::neg(&mut self.heap, v)?,
                    UnOp::Not => ops::not(&mut self.heap, v)?,
                })
            }
            ExprKind::Ternary { cond, then, els } => {
                let c = self.expr(cond, env)?;
                self.expr(if c.truthy() { then } else { els }, env)
            }
            ExprKind::Coalesce { lhs, rhs } => {
                let v = self.expr(lhs, env)?;
                if v.is_nil() {
                    self.expr(rhs, env)
                } else {
                    Ok(v)
                }
            }
            _ => self.other_expr(e, env),
        }
    }

    fn lit(&mut self, lit: &Lit) -> Value {
        match lit {
            Lit::Num(n) => Value::num(*n),
            Lit::Bool(b) => Value::bool(*b),
            Lit::Nil => Value::NIL,
            Lit::Text(t) => self.heap.text(t.clone()),
        }
    }

    #[inline(never)]
    fn binary(&mut self, op: BinOp, lhs: &'p Expr, rhs: &'p Expr, env: &mut Env) -> Flow<Value> {
        let a = self.expr(lhs, env)?;
        // `&` and `|` short-circuit and give a bool.
        match op {
            BinOp::And if !a.truthy() => return Ok(Value::FALSE),
            BinOp::Or if a.truthy() => return Ok(Value::TRUE),
            _ => {}
        }
        // `a` must outlive any call in `rhs`.
        let b = self.with_temps(|s| {
            s.heap.root(a);
            s.expr(rhs, env)
        })?;
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
            BinOp::And | BinOp::Or => Value::bool(b.truthy()),
        })
    }

    #[inline(never)]
    fn call_expr(
        &mut self,
        e: &'p Expr,
        func: &'p Ident,
        args: &'p [Expr],
        unwrap: bool,
        env: &mut Env,
    ) -> Flow<Value> {
        let r = self.with_temps(|s| {
            let vals = args.iter().map(|a| s.rooted(a, env)).collect::<Flow<Vec<_>>>()?;
            s.call_site(e, func, &vals, env)
        })?;
        if !unwrap {
            return Ok(r);
        }
        match ops::unwrap(&self.heap, &func.name, r)? {
            Some(x) => Ok(x),
            // `f!` meeting `^e`: the enclosing function returns `^e`.
            None => Err(Ctl::Ret(r)),
        }
    }

    /// The rarer expression forms, out of line.
    #[inline(never)]
    fn other_expr(&mut self, e: &'p Expr, env: &mut Env) -> Flow<Value> {
        match &e.kind {
            ExprKind::List(items) => {
                let vals = self.with_temps(|s| items.iter().map(|x| s.rooted(x, env)).collect::<Flow<Vec<_>>>())?;
                Ok(self.heap.list(vals))
            }
            ExprKind::Ok(x) => {
                let v = self.expr(x, env)?;
                Ok(self.heap.ok(v))
            }
            ExprKind::Err(x) => {
                let v = self.expr(x, env)?;
                Ok(self.heap.err(v))
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
            ExprKind::Lit(_)
            | ExprKind::Name(_)
            | ExprKind::Unary { .. }
            | ExprKind::Binary { .. }
            | ExprKind::Call { .. }
            | ExprKind::Ternary { .. }
            | ExprKind::Coalesce { .. } => self.expr(e, env),
        }
    }

    /// A name's value: a variable, else a function as a value, else (for a
    /// function that takes no arguments: `now`, `mmap`, `mk`) its result.
    fn name(&mut self, name: &str, env: &Env) -> Flow<Value> {
        if let Some(v) = self.get_var(env, name) {
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

    fn call_site(&mut self, e: &'p Expr, func: &Ident, args: &[Value], env: &Env) -> Flow<Value> {
        let target = match self.targets.get(&(e as *const Expr as usize)) {
            Some(t) => *t,
            None => Target {
                local: true,
                callee: self.callee(&func.name),
            },
        };
        if target.local {
            if let Some(v) = self.get_var(env, &func.name) {
                if v.func_index().is_some() {
                    return Ok(self.call_func_value(v, args)?);
                }
                if matches!(target.callee, Callee::Nothing) {
                    return Err(self.not_a_function(func, v).into());
                }
            }
        }
        Ok(match target.callee {
            Callee::User(i) => self.call_index(i, args)?,
            Callee::Builtin(b) => self.call_builtin(b, args)?,
            Callee::Nothing => {
                let msg = format!("`{}` is no function, builtin or function value here", func.name);
                return Err(RtError::new(crate::codes::runtime::UNBOUND, msg).into());
            }
        })
    }

    #[cold]
    #[inline(never)]
    fn not_a_function(&self, func: &Ident, v: Value) -> RtError {
        RtError::type_error(format!(
            "`{}` is {}, not a function",
            func.name,
            type_name(&self.heap, v)
        ))
    }

    fn shape(&self, ty: &Ident) -> Result<Arc<RecordShape>, RtError> {
        self.shapes
            .get(ty.name.as_str())
            .cloned()
            .ok_or_else(|| RtError::field(format!("no record type `{}`", ty.name)))
    }

    /// `pt x:1 y:2`: fields evaluated in the order written, stored in
    /// declaration order; every field must be given, once.
    #[inline(never)]
    fn record(&mut self, ty: &'p Ident, fields: &'p [(Ident, Expr)], env: &mut Env) -> Flow<Value> {
        let shape = self.shape(ty)?;
        let given = self.with_temps(|s| s.field_values(fields, env))?;
        Ok(ops::make_record(&mut self.heap, &shape, &given)?)
    }

    /// `p with x:5`: a copy of record `p` with fields replaced (on a map:
    /// a copy with those keys set).
    #[inline(never)]
    fn with(&mut self, target: &'p Expr, fields: &'p [(Ident, Expr)], env: &mut Env) -> Flow<Value> {
        let (t, given) = self.with_temps(|s| Ok((s.rooted(target, env)?, s.field_values(fields, env)?)))?;
        Ok(ops::with_fields(&mut self.heap, t, &given)?)
    }

    fn field_values(&mut self, fields: &'p [(Ident, Expr)], env: &mut Env) -> Flow<Vec<(&'p str, Value)>> {
        // Each value stays rooted until the caller's `with_temps` ends.
        fields
            .iter()
            .map(|(name, x)| Ok((name.name.as_str(), self.rooted(x, env)?)))
            .collect()
    }
}

impl Segmented for TreeInterp<'_> {
    fn guard(&mut self) -> &mut StackGuard {
        &mut self.guard
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

/// Slots for a function's variables: its parameters first, then every name
/// a statement binds, in order of first appearance.
fn variable_slots(f: &FuncDecl) -> FxHashMap<&str, u32> {
    let mut bound = Vec::new();
    bound.extend(f.params.iter().map(|p| p.name.name.as_str()));
    for_each_binding(&f.body, |name, _| bound.push(name.name.as_str()));
    let mut slots = FxHashMap::default();
    for name in bound {
        let next = slots.len() as u32;
        slots.entry(name).or_insert(next);
    }
    slots
}

#[cfg(test)]
mod tests {
    //! What only the tree interpreter does. The language's corners are
    //! tested in `reg/tests.rs`, which checks the tree interpreter's answer
    //! and the register VM's against the expected one.
    use super::*;
    use crate::engine::Arg;
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

    /// The register VM does not compile a construction that is missing a
    /// field (it runs such a function here), so only this engine meets it.
    #[test]
    fn a_record_missing_a_field_is_an_error() {
        let src = "type pt{x:n;y:n}\nmk>pt;pt x:1";
        let got = run_with(src, "mk", &[], Limits::default()).map_err(|e| e.code);
        assert_eq!(got, Err(crate::codes::runtime::FIELD));
    }

    #[test]
    fn deep_recursion_with_a_high_limit_moves_to_new_segments() {
        let deep = "d n:n>n;<=n 0 0;r=d -n 1;+r 1";
        let high = Limits {
            max_depth: 200_000,
            max_steps: None,
            ..Limits::default()
        };
        assert_eq!(run_with(deep, "d", &["100000"], high), Ok("100000".into()));
    }
}
