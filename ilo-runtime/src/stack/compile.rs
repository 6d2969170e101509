//! AST -> stack bytecode. Parameters and locals are slots of the frame,
//! expressions push their value, a body's last value is returned.
//!
//! Statements leave the operand stack as they found it (the frame's slots
//! and nothing above), except that a statement whose value is wanted — the
//! last of a body whose value is used, or one followed by `?{…}` — pushes
//! it. So `brk`, `cnt`, loop heads and statement boundaries all sit at the
//! same stack height and jumps need no stack fixing; `RET` truncates to the
//! frame base whatever is above.
//!
//! Scoping follows the tree interpreter: a name bound with `=` keeps its
//! slot for the rest of the function; a loop variable or a pattern binding
//! gets a fresh slot for its loop or arm, and the name then means what it
//! meant before. Loop bookkeeping (the list walked, the range counter) lives
//! in hidden slots. A variable bound inside a branch or loop body (see
//! [`late_names`]) gets its slot at the function's start, holding
//! [`Value::UNBOUND`] until bound; a read that may meet it is checked.

use std::collections::HashMap;
use std::sync::Arc;

use crate::builtins::Builtin;
use crate::error::RtError;
use crate::front::ast::{Arm, BinOp, Expr, ExprKind, FuncDecl, Ident, Lit, Pattern, Program, Span, Stmt, StmtKind};
use crate::heap::{ProgramId, RecordShape};
use crate::isa::codec::{decode_stack, encode_stack, STACK_X_MAX};
use crate::isa::StackOp;
use crate::lower::{late_names, FuncTable, Unsupported};
use crate::value::Value;

#[derive(Clone, Debug)]
pub struct StackFunc {
    pub name: String,
    pub nparams: usize,
    /// Parameters plus locals.
    pub nslots: usize,
    pub code: Vec<u32>,
    pub consts: Vec<Value>,
}

/// How `RECORD` builds a record: its shape, and for each field value pushed
/// (in the order written) the field's position in the shape.
#[derive(Clone, Debug)]
pub struct RecordLayout {
    pub shape: Arc<RecordShape>,
    pub slots: Vec<usize>,
}

#[derive(Clone, Debug, Default)]
pub struct StackProgram {
    pub funcs: Vec<StackFunc>,
    /// Text literals, field names and messages, indexed by `text` operands.
    pub texts: Vec<String>,
    /// Whose literals a heap is caching (see [`ProgramId`]).
    pub id: ProgramId,
    /// Record constructions, indexed by `RECORD`'s operand.
    pub layouts: Vec<RecordLayout>,
    /// The field names of each `with`, indexed by `WITH`'s operand.
    pub withs: Vec<Vec<String>>,
}

crate::vm_support::calls::func_sig!(StackFunc);

impl StackProgram {
    pub fn func_index(&self, name: &str) -> Option<u32> {
        crate::vm_support::calls::func_index(&self.funcs, name)
    }
}

pub fn compile(program: &Program) -> Result<StackProgram, Unsupported> {
    let table = FuncTable::new(program);
    let mut shared = Shared {
        prog: StackProgram::default(),
        shapes: crate::vm_support::record_shapes_by_name(program),
    };
    for f in &table.funcs {
        let func = compile_func(&table, &mut shared, f)?;
        shared.prog.funcs.push(func);
    }
    Ok(shared.prog)
}

/// Tables shared by all functions of the program.
struct Shared {
    prog: StackProgram,
    shapes: HashMap<String, Arc<RecordShape>>,
}

impl Shared {
    fn text(&mut self, s: &str) -> usize {
        let texts = &mut self.prog.texts;
        texts.iter().position(|t| t == s).unwrap_or_else(|| {
            texts.push(s.to_string());
            texts.len() - 1
        })
    }
}

/// What a called name refers to besides a local variable.
#[derive(Clone, Copy)]
enum Callee {
    User(u32, usize),
    Builtin(Builtin),
    Nothing,
}

/// The enclosing loop: where `cnt` goes and the `brk` jumps to patch.
struct LoopCtx {
    top: usize,
    breaks: Vec<usize>,
}

struct FuncCompiler<'t, 'p, 's> {
    table: &'t FuncTable<'p>,
    shared: &'s mut Shared,
    /// What each name means at this point of the function.
    scope: HashMap<String, u32>,
    nslots: u32,
    code: Vec<u32>,
    consts: Vec<Value>,
    loops: Vec<LoopCtx>,
    /// An operand did not fit in 24 bits.
    overflow: bool,
    /// Late variables: their slot, and the block whose statement first
    /// bound them ([`NOT_YET`] until a binding is compiled).
    late: HashMap<String, (u32, usize)>,
    /// Ids of the bodies being compiled, outermost first.
    open_blocks: Vec<usize>,
    blocks_seen: usize,
}

/// The block of a late variable whose binding has not been compiled yet:
/// never open, so every read is checked.
const NOT_YET: usize = usize::MAX;

type Res = Result<(), Unsupported>;

fn compile_func(table: &FuncTable<'_>, shared: &mut Shared, f: &FuncDecl) -> Result<StackFunc, Unsupported> {
    let mut c = FuncCompiler {
        table,
        shared,
        scope: HashMap::new(),
        nslots: 0,
        code: Vec::new(),
        consts: Vec::new(),
        loops: Vec::new(),
        overflow: false,
        late: HashMap::new(),
        open_blocks: Vec::new(),
        blocks_seen: 0,
    };
    for p in &f.params {
        c.slot_for(&p.name.name);
    }
    for name in late_names(f) {
        let slot = c.slot_for(name);
        c.late.insert(name.to_string(), (slot, NOT_YET));
        c.push_const(Value::UNBOUND);
        c.emit(StackOp::STORE, slot as usize);
    }
    c.body(&f.body, true)?;
    c.emit(StackOp::RET, 0);
    if c.overflow {
        return Err(Unsupported::new("a function too large for 24-bit operands", f.span));
    }
    Ok(StackFunc {
        name: f.name.name.clone(),
        nparams: f.params.len(),
        nslots: c.nslots as usize,
        code: c.code,
        consts: c.consts,
    })
}

impl FuncCompiler<'_, '_, '_> {
    // ---- emission ----

    fn emit(&mut self, op: StackOp, x: usize) -> usize {
        if x > STACK_X_MAX as usize {
            self.overflow = true;
        }
        self.code.push(encode_stack(op, x as u32));
        self.code.len() - 1
    }

    /// Points the jump at `at` to the current end of the code.
    fn patch(&mut self, at: usize) {
        let target = self.code.len();
        if target > STACK_X_MAX as usize {
            self.overflow = true;
        }
        if let Some(word) = self.code.get_mut(at) {
            if let Some((op, _)) = decode_stack(*word) {
                *word = encode_stack(op, target as u32);
            }
        }
    }

    fn constant(&mut self, v: Value) -> usize {
        match self.consts.iter().position(|k| k.bits() == v.bits()) {
            Some(i) => i,
            None => {
                self.consts.push(v);
                self.consts.len() - 1
            }
        }
    }

    fn push_const(&mut self, v: Value) {
        let k = self.constant(v);
        self.emit(StackOp::PUSHK, k);
    }

    /// Code that stops with `e` when it runs (faults the tree interpreter
    /// also finds only at run time).
    fn fail(&mut self, e: RtError) {
        let t = self.shared.text(&format!("{} {}", e.code, e.message));
        self.emit(StackOp::FAIL, t);
    }

    // ---- slots and scopes ----

    fn slot_for(&mut self, name: &str) -> u32 {
        if let Some(&s) = self.scope.get(name) {
            return s;
        }
        let s = self.fresh(1);
        self.scope.insert(name.to_string(), s);
        s
    }

    /// Notes that a binding of `name` has been compiled in the current block.
    fn bound(&mut self, name: &str) {
        let block = self.open_blocks.last().copied().unwrap_or(0);
        if let Some((_, b @ NOT_YET)) = self.late.get_mut(name) {
            *b = block;
        }
    }

    /// Whether reading `name` from `slot` here may meet [`Value::UNBOUND`]:
    /// it is a late variable (not shadowed) whose binding is not in an
    /// enclosing block.
    fn maybe_unbound(&self, name: &str, slot: u32) -> bool {
        matches!(self.late.get(name), Some(&(s, b)) if s == slot && !self.open_blocks.contains(&b))
    }

    /// `n` consecutive slots no name refers to.
    fn fresh(&mut self, n: u32) -> u32 {
        let s = self.nslots;
        self.nslots += n;
        s
    }

    /// Binds `name` to a fresh slot for a loop or an arm; returns what
    /// `unscope` needs.
    fn scoped(&mut self, name: &str) -> (u32, Option<u32>) {
        let s = self.fresh(1);
        (s, self.scope.insert(name.to_string(), s))
    }

    fn unscope(&mut self, name: &str, prev: Option<u32>) {
        match prev {
            Some(s) => self.scope.insert(name.to_string(), s),
            None => self.scope.remove(name),
        };
    }

    // ---- statements ----

    /// Compiles a body; with `keep` its value (nil if empty) is pushed.
    fn body(&mut self, body: &[Stmt], keep: bool) -> Res {
        self.blocks_seen += 1;
        self.open_blocks.push(self.blocks_seen);
        let r = self.stmts(body, keep);
        self.open_blocks.pop();
        r
    }

    fn stmts(&mut self, body: &[Stmt], keep: bool) -> Res {
        if body.is_empty() && keep {
            self.push_const(Value::NIL);
        }
        for (i, s) in body.iter().enumerate() {
            let feeds_match = matches!(
                body.get(i + 1).map(|n| &n.kind),
                Some(StmtKind::Match { subject: None, .. })
            );
            if i == 0 && matches!(s.kind, StmtKind::Match { subject: None, .. }) {
                // `?{…}` at the start of a block matches nil.
                self.push_const(Value::NIL);
            }
            self.stmt(s, (keep && i + 1 == body.len()) || feeds_match)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt, keep: bool) -> Res {
        match &s.kind {
            StmtKind::Bind { name, value } => {
                self.expr(value)?;
                let slot = self.slot_for(&name.name) as usize;
                self.bound(&name.name);
                self.emit(StackOp::STORE, slot);
                if keep {
                    self.emit(StackOp::LOAD, slot);
                }
            }
            StmtKind::Expr(e) => {
                if let Some(slot) = self.bool_guard_slot(e) {
                    return self.bool_name_guard(e, slot, keep);
                }
                self.expr(e)?;
                if !keep {
                    self.emit(StackOp::POP, 0);
                }
            }
            StmtKind::Guard { cond, negated, value } => {
                self.expr(cond)?;
                let skip = self.emit(if *negated { StackOp::JMPT } else { StackOp::JMPF }, 0);
                self.expr(value)?;
                self.emit(StackOp::RET, 0);
                self.patch(skip);
                self.nil_if(keep);
            }
            StmtKind::If {
                cond,
                negated,
                then,
                els,
            } => self.if_stmt(cond, *negated, then, els.as_deref(), keep)?,
            StmtKind::Match { subject, arms } => {
                if let Some(e) = subject {
                    self.expr(e)?;
                }
                self.match_arms(arms)?;
                if !keep {
                    self.emit(StackOp::POP, 0);
                }
            }
            StmtKind::Destructure { names, value } => {
                self.expr(value)?;
                let tmp = self.fresh(1) as usize;
                self.emit(StackOp::STORE, tmp);
                for n in names {
                    self.emit(StackOp::LOAD, tmp);
                    let t = self.shared.text(&n.name);
                    self.emit(StackOp::FIELD, t);
                    let slot = self.slot_for(&n.name) as usize;
                    self.bound(&n.name);
                    self.emit(StackOp::STORE, slot);
                }
                if keep {
                    self.emit(StackOp::LOAD, tmp);
                }
            }
            StmtKind::ForEach { var, iter, body } => {
                self.for_each(var, iter, body)?;
                self.nil_if(keep);
            }
            StmtKind::ForRange { var, from, to, body } => {
                self.for_range(var, from, to, body)?;
                self.nil_if(keep);
            }
            StmtKind::While { cond, body } => {
                self.while_loop(cond, body)?;
                self.nil_if(keep);
            }
            StmtKind::Break => match self.loops.last_mut() {
                Some(_) => {
                    let j = self.emit(StackOp::JMP, 0);
                    if let Some(l) = self.loops.last_mut() {
                        l.breaks.push(j);
                    }
                }
                None => self.fail(RtError::internal("`brk` outside a loop")),
            },
            StmtKind::Continue => match self.loops.last().map(|l| l.top) {
                Some(top) => {
                    self.emit(StackOp::JMP, top);
                }
                None => self.fail(RtError::internal("`cnt` outside a loop")),
            },
            StmtKind::Return(e) => {
                self.expr(e)?;
                self.emit(StackOp::RET, 0);
            }
        }
        Ok(())
    }

    fn nil_if(&mut self, keep: bool) {
        if keep {
            self.push_const(Value::NIL);
        }
    }

    fn if_stmt(&mut self, cond: &Expr, negated: bool, then: &[Stmt], els: Option<&[Stmt]>, keep: bool) -> Res {
        self.expr(cond)?;
        let to_else = self.emit(if negated { StackOp::JMPT } else { StackOp::JMPF }, 0);
        self.body(then, keep)?;
        if els.is_none() && !keep {
            self.patch(to_else);
            return Ok(());
        }
        let to_end = self.emit(StackOp::JMP, 0);
        self.patch(to_else);
        match els {
            Some(els) => self.body(els, keep)?,
            None => self.nil_if(keep),
        }
        self.patch(to_end);
        Ok(())
    }

    /// `ok v` at statement position, with `ok` a local: when `ok` holds a
    /// bool it is a braceless guard, else a call (decided at run time, as
    /// in the tree interpreter).
    fn bool_guard_slot(&self, e: &Expr) -> Option<u32> {
        let (func, _) = e.guard_shape()?;
        self.scope.get(&func.name).copied()
    }

    fn bool_name_guard(&mut self, e: &Expr, slot: u32, keep: bool) -> Res {
        let ExprKind::Call { func, args, .. } = &e.kind else {
            return Ok(());
        };
        let slot = slot as usize;
        self.emit(StackOp::LOAD, slot);
        self.emit(StackOp::ISBOOL, 0);
        let to_call = self.emit(StackOp::JMPF, 0);
        self.emit(StackOp::LOAD, slot);
        let untaken = self.emit(StackOp::JMPF, 0);
        if let Some(value) = args.first() {
            self.expr(value)?;
        }
        self.emit(StackOp::RET, 0);
        self.patch(untaken);
        self.nil_if(keep);
        let to_end = self.emit(StackOp::JMP, 0);
        self.patch(to_call);
        self.call_expr(func, args, false)?;
        if !keep {
            self.emit(StackOp::POP, 0);
        }
        self.patch(to_end);
        Ok(())
    }

    /// A loop body between its head at `top` and the jump back; returns the
    /// `brk` jumps to point past the loop.
    fn loop_body(&mut self, top: usize, body: &[Stmt]) -> Result<Vec<usize>, Unsupported> {
        self.emit(StackOp::TICK, 0);
        self.loops.push(LoopCtx {
            top,
            breaks: Vec::new(),
        });
        let r = self.body(body, false);
        let ctx = self.loops.pop();
        r?;
        self.emit(StackOp::JMP, top);
        Ok(ctx.map(|c| c.breaks).unwrap_or_default())
    }

    fn finish_loop(&mut self, exit: usize, breaks: Vec<usize>) {
        self.patch(exit);
        for b in breaks {
            self.patch(b);
        }
    }

    fn for_each(&mut self, var: &Ident, iter: &Expr, body: &[Stmt]) -> Res {
        self.expr(iter)?;
        self.emit(StackOp::ITEMS, 0);
        let h = self.fresh(2) as usize;
        self.emit(StackOp::STORE, h);
        self.push_const(Value::num(0.0));
        self.emit(StackOp::STORE, h + 1);
        let (slot, prev) = self.scoped(&var.name);
        let top = self.emit(StackOp::FORNEXT, h);
        let exit = self.emit(StackOp::JMPF, 0);
        self.emit(StackOp::STORE, slot as usize);
        let breaks = self.loop_body(top, body);
        self.unscope(&var.name, prev);
        self.finish_loop(exit, breaks?);
        Ok(())
    }

    fn for_range(&mut self, var: &Ident, from: &Expr, to: &Expr, body: &[Stmt]) -> Res {
        self.expr(from)?;
        self.expr(to)?;
        let h = self.fresh(2) as usize;
        self.emit(StackOp::RANGE, h);
        let (slot, prev) = self.scoped(&var.name);
        let top = self.emit(StackOp::RNEXT, h);
        let exit = self.emit(StackOp::JMPF, 0);
        self.emit(StackOp::STORE, slot as usize);
        let breaks = self.loop_body(top, body);
        self.unscope(&var.name, prev);
        self.finish_loop(exit, breaks?);
        Ok(())
    }

    fn while_loop(&mut self, cond: &Expr, body: &[Stmt]) -> Res {
        let top = self.code.len();
        self.expr(cond)?;
        let exit = self.emit(StackOp::JMPF, 0);
        let breaks = self.loop_body(top, body)?;
        self.finish_loop(exit, breaks);
        Ok(())
    }

    /// The subject is on the stack; leaves the taken arm's value (nil if
    /// none matches).
    fn match_arms(&mut self, arms: &[Arm]) -> Res {
        let m = self.fresh(1) as usize;
        self.emit(StackOp::STORE, m);
        let mut ends = Vec::new();
        for arm in arms {
            let (next, binding) = self.arm_test(m, &arm.pat);
            let bound = match binding {
                Some(name) if name.name != "_" => {
                    let (slot, prev) = self.scoped(&name.name);
                    self.emit(StackOp::STORE, slot as usize);
                    Some((name, prev))
                }
                Some(_) => {
                    self.emit(StackOp::POP, 0);
                    None
                }
                None => None,
            };
            let r = self.expr(&arm.body);
            if let Some((name, prev)) = bound {
                self.unscope(&name.name, prev);
            }
            r?;
            ends.push(self.emit(StackOp::JMP, 0));
            if let Some(next) = next {
                self.patch(next);
            }
        }
        self.push_const(Value::NIL);
        for e in ends {
            self.patch(e);
        }
        Ok(())
    }

    /// Emits the test of a pattern against slot `m`: returns the jump taken
    /// when it fails, and the name to bind (its value pushed) when it holds.
    fn arm_test<'a>(&mut self, m: usize, pat: &'a Pattern) -> (Option<usize>, Option<&'a Ident>) {
        if matches!(pat, Pattern::Wild) {
            return (None, None);
        }
        self.emit(StackOp::LOAD, m);
        let binding = match pat {
            Pattern::Lit(Lit::Text(t)) => {
                let t = self.shared.text(t);
                self.emit(StackOp::MATCHT, t);
                None
            }
            Pattern::Lit(lit) => {
                let k = self.constant(lit_value(lit));
                self.emit(StackOp::MATCHK, k);
                None
            }
            Pattern::Ok(name) | Pattern::Err(name) => {
                self.emit(StackOp::UNPACK, usize::from(matches!(pat, Pattern::Err(_))));
                Some(name)
            }
            Pattern::Typed(tag, name) => {
                self.emit(StackOp::ISTYPE, crate::isa::tag::of(*tag));
                Some(name)
            }
            Pattern::Wild => None,
        };
        let next = self.emit(StackOp::JMPF, 0);
        if matches!(pat, Pattern::Typed(..)) {
            self.emit(StackOp::LOAD, m);
        }
        (Some(next), binding)
    }

    // ---- expressions ----

    fn expr(&mut self, e: &Expr) -> Res {
        match &e.kind {
            ExprKind::Lit(Lit::Text(t)) => {
                let t = self.shared.text(t);
                self.emit(StackOp::PUSHT, t);
            }
            ExprKind::Lit(lit) => self.push_const(lit_value(lit)),
            ExprKind::Name(name) => self.name(name),
            ExprKind::List(items) => {
                for x in items {
                    self.expr(x)?;
                }
                self.emit(StackOp::LIST, items.len());
            }
            ExprKind::Unary { op, operand } => {
                self.expr(operand)?;
                self.operator(op.symbol(), e.span)?;
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, e.span)?,
            ExprKind::Call { func, args, unwrap } => self.call_expr(func, args, *unwrap)?,
            ExprKind::Ok(x) => {
                self.expr(x)?;
                self.emit(StackOp::OK, 0);
            }
            ExprKind::Err(x) => {
                self.expr(x)?;
                self.emit(StackOp::ERR, 0);
            }
            ExprKind::Coalesce { lhs, rhs } => {
                self.expr(lhs)?;
                let done = self.emit(StackOp::JNN, 0);
                self.expr(rhs)?;
                self.patch(done);
            }
            ExprKind::Field { target, field, safe } => {
                self.expr(target)?;
                let t = self.shared.text(&field.name);
                self.emit(if *safe { StackOp::FIELDQ } else { StackOp::FIELD }, t);
            }
            ExprKind::Index { target, index } => {
                self.expr(target)?;
                self.emit(StackOp::INDEX, *index);
            }
            ExprKind::Record { ty, fields } => self.record(ty, fields)?,
            ExprKind::With { target, fields } => {
                self.expr(target)?;
                for (_, x) in fields {
                    self.expr(x)?;
                }
                let names = fields.iter().map(|(n, _)| n.name.clone()).collect();
                self.shared.prog.withs.push(names);
                let w = self.shared.prog.withs.len() - 1;
                self.emit(StackOp::WITH, w);
            }
            ExprKind::Ternary { cond, then, els } => {
                self.expr(cond)?;
                let to_else = self.emit(StackOp::JMPF, 0);
                self.expr(then)?;
                let to_end = self.emit(StackOp::JMP, 0);
                self.patch(to_else);
                self.expr(els)?;
                self.patch(to_end);
            }
        }
        Ok(())
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, span: Span) -> Res {
        self.expr(lhs)?;
        // `&` and `|` short-circuit and give a bool.
        if let BinOp::And | BinOp::Or = op {
            let done = self.emit(if op == BinOp::And { StackOp::ANDJ } else { StackOp::ORJ }, 0);
            self.expr(rhs)?;
            self.emit(StackOp::TRUTHY, 0);
            self.patch(done);
            return Ok(());
        }
        self.expr(rhs)?;
        self.operator(op.symbol(), span)
    }

    /// The op `isa/stack.toml` gives for a source operator.
    fn operator(&mut self, symbol: &str, span: Span) -> Res {
        let op = StackOp::for_operator(symbol).ok_or_else(|| {
            Unsupported::new(
                format!("the operator `{symbol}`: no op in isa/stack.toml implements it"),
                span,
            )
        })?;
        self.emit(op, 0);
        Ok(())
    }

    fn callee(&self, name: &str) -> Callee {
        if let Some((i, decl)) = self.table.lookup(name) {
            Callee::User(i, decl.params.len())
        } else if let Some(b) = Builtin::from_name(name) {
            Callee::Builtin(b)
        } else {
            Callee::Nothing
        }
    }

    /// A name's value: a variable, else a function as a value, else (for a
    /// function that takes no arguments) its result.
    fn name(&mut self, name: &str) {
        let Some(&slot) = self.scope.get(name) else {
            return self.named_value(name);
        };
        if !self.maybe_unbound(name, slot) {
            self.emit(StackOp::LOAD, slot as usize);
            return;
        }
        if let Callee::Nothing = self.callee(name) {
            self.emit(StackOp::LOAD, slot as usize);
            let t = self.shared.text(name);
            self.emit(StackOp::CHKBOUND, t);
            return;
        }
        // Unbound here, the name means the function (as on the tree interpreter).
        self.emit(StackOp::LOAD, slot as usize);
        self.emit(StackOp::ISUNBOUND, 0);
        let to_bound = self.emit(StackOp::JMPF, 0);
        self.named_value(name);
        let to_end = self.emit(StackOp::JMP, 0);
        self.patch(to_bound);
        self.emit(StackOp::LOAD, slot as usize);
        self.patch(to_end);
    }

    /// What `name` means as a function: a function value, or (for one that
    /// takes no arguments) its result.
    fn named_value(&mut self, name: &str) {
        match self.callee(name) {
            Callee::User(i, 0) => {
                self.emit(StackOp::CALL, i as usize);
            }
            Callee::User(i, _) => self.push_const(Value::func(i)),
            Callee::Builtin(b) if b.accepts(0) => {
                self.emit(StackOp::CALLB, b.id() as usize);
            }
            Callee::Builtin(b) => self.push_const(b.func_value()),
            Callee::Nothing => self.fail(RtError::unbound(name)),
        }
    }

    /// `f a b`, in the tree interpreter's order: a local holding a function
    /// value, the program's function, the builtin.
    fn call_expr(&mut self, func: &Ident, args: &[Expr], unwrap: bool) -> Res {
        for a in args {
            self.expr(a)?;
        }
        let argc = args.len();
        let local = self.scope.get(&func.name).copied();
        match (local, self.callee(&func.name)) {
            (Some(slot), Callee::Nothing) => {
                self.emit(StackOp::LOAD, slot as usize);
                if self.maybe_unbound(&func.name, slot) {
                    let t = self.shared.text(&func.name);
                    self.emit(StackOp::CHKBOUND, t);
                }
                self.emit(StackOp::CALLV, argc);
            }
            (Some(slot), callee) => {
                self.emit(StackOp::LOAD, slot as usize);
                self.push_const(match callee {
                    Callee::User(i, _) => Value::func(i),
                    Callee::Builtin(b) => b.func_value(),
                    Callee::Nothing => Value::NIL,
                });
                self.emit(StackOp::CALLVF, argc);
            }
            (None, Callee::User(i, n)) if n == argc => {
                self.emit(StackOp::CALL, i as usize);
            }
            (None, Callee::User(i, _)) => {
                // The arity error is the run-time one, as in the tree interpreter.
                self.push_const(Value::func(i));
                self.emit(StackOp::CALLV, argc);
            }
            (None, Callee::Builtin(b)) => {
                self.emit(StackOp::CALLB, b.id() as usize | argc << 8);
            }
            (None, Callee::Nothing) => self.fail(RtError::unbound(&func.name)),
        }
        if unwrap {
            let t = self.shared.text(&func.name);
            self.emit(StackOp::UNWRAP, t);
        }
        Ok(())
    }

    /// `pt x:1 y:2`: fields evaluated in the order written, stored in
    /// declaration order; a missing or unknown field fails where the tree
    /// interpreter does.
    fn record(&mut self, ty: &Ident, fields: &[(Ident, Expr)]) -> Res {
        let Some(shape) = self.shared.shapes.get(&ty.name).cloned() else {
            self.fail(RtError::field(format!("no record type `{}`", ty.name)));
            return Ok(());
        };
        let mut slots = Vec::with_capacity(fields.len());
        let mut given = vec![false; shape.fields.len()];
        for (name, x) in fields {
            let Some(i) = shape.field(&name.name) else {
                self.fail(RtError::field(format!(
                    "record `{}` has no field `{}` (fields: {})",
                    shape.name,
                    name.name,
                    shape.fields.join(" ")
                )));
                return Ok(());
            };
            self.expr(x)?;
            slots.push(i);
            if let Some(g) = given.get_mut(i) {
                *g = true;
            }
        }
        if let Some(missing) = given.iter().position(|g| !g) {
            let missing = shape.fields.get(missing).map(String::as_str).unwrap_or("?");
            self.fail(RtError::field(format!(
                "record `{}` needs field `{missing}`",
                shape.name
            )));
            return Ok(());
        }
        self.shared.prog.layouts.push(RecordLayout { shape, slots });
        let l = self.shared.prog.layouts.len() - 1;
        self.emit(StackOp::RECORD, l);
        Ok(())
    }
}

fn lit_value(lit: &Lit) -> Value {
    match lit {
        Lit::Num(n) => Value::num(*n),
        Lit::Bool(b) => Value::bool(*b),
        Lit::Nil | Lit::Text(_) => Value::NIL,
    }
}
