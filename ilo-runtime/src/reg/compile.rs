//! AST -> register bytecode.
//!
//! Parameters take r0…, each local the next free register when first bound,
//! and temporaries sit above the locals, freed after every statement. A call
//! evaluates its arguments into consecutive registers at the top, which become
//! the callee's r0… (a sliding window, as in Lua), and its result lands in the
//! first of them. Each register carries a compile-time "holds a number" bit.
//! Which instruction an operator, a comparison, a condition or a builtin
//! becomes is the table's choice ([`crate::isa::select`]): given what is
//! known of the operands (a number, a number literal, any value) and whether
//! a conditional jump follows, it names the most specific op the table
//! offers — typed variant, `K` form, compare-and-branch — and whether its
//! result is a number. The compiler picks no such opcode itself.
//!
//! The number bit of a variable is flow-insensitive: a name counts as a
//! number only if every binding of it in the function gives a number. A
//! binding that breaks an assumption already used restarts the function's
//! compilation with that name known to be mixed (names only ever leave the
//! set, so this ends). Control flow (guards, conditionals, matches, loops,
//! `&`/`|`, `??`) becomes jumps; loops count a step per iteration (`TICK`).

use std::collections::HashSet;

use rustc_hash::FxHashMap;
use std::sync::Arc;

use crate::builtins::Builtin;
use crate::front::ast::{Arm, BinOp, Expr, ExprKind, FuncDecl, Ident, Lit, Pattern, Program, Span, Stmt, StmtKind};
use crate::heap::{ProgramId, RecordShape};
use crate::isa::codec::{encode_abc, encode_abx, encode_asbx};
use crate::isa::codec::{reg_form, RegForm};
use crate::isa::tag;
use crate::isa::{reg_enc as enc, select, Known, Operation, RegOp, Selected};
use crate::lower::{is_num, is_scalar, late_names, FuncTable, Unsupported};
use crate::value::Value;

#[derive(Clone, Debug)]
pub struct RegFunc {
    pub name: String,
    pub nparams: usize,
    pub nregs: usize,
    /// Frame slots for the locals beyond the registers (`GETSLOT`/`SETSLOT`).
    pub nslots: usize,
    pub code: Vec<u32>,
    pub consts: Vec<Value>,
    /// Every parameter and the result is a number or a boolean, a value a
    /// register holds whole: the JITs' precondition.
    pub scalar: bool,
    /// The leaf functions whose bodies replaced calls in this one
    /// ([`super::inline`]), for `--verbose`.
    pub inlined: Vec<u32>,
}

#[derive(Clone, Debug, Default)]
pub struct RegProgram {
    pub funcs: Vec<RegFunc>,
    /// Text literals and field names, indexed by `text` operands.
    pub texts: Vec<String>,
    /// Whose literals a heap is caching (see [`ProgramId`]).
    pub id: ProgramId,
    /// Record types, indexed by `RECORD`.
    pub shapes: Vec<Arc<RecordShape>>,
    /// The field names of each `with`, indexed by `WITH`.
    pub name_lists: Vec<Vec<String>>,
}

crate::vm_support::calls::func_sig!(RegFunc);

impl RegProgram {
    pub fn func_index(&self, name: &str) -> Option<u32> {
        crate::vm_support::calls::func_index(&self.funcs, name)
    }
}

/// Compiles every function of `program`, then inlines the calls of small
/// leaf functions into their callers ([`super::inline`]).
pub fn compile(program: &Program) -> Result<RegProgram, Unsupported> {
    let table = FuncTable::new(program);
    let mut prog = RegProgram {
        shapes: crate::vm_support::record_shapes(program),
        ..RegProgram::default()
    };
    let mut texts = FxHashMap::default();
    // Names that 8-bit operands carry (`FIELD`, `UNWRAP`) go first, so
    // however many text literals a program has, they stay in reach.
    let mut names: Vec<String> = prog.shapes.iter().flat_map(|s| s.fields.iter().cloned()).collect();
    names.extend(table.funcs.iter().map(|f| f.name.name.clone()));
    for name in names {
        let next = prog.texts.len();
        texts.entry(name.clone()).or_insert_with(|| {
            prog.texts.push(name);
            next
        });
    }
    for f in &table.funcs {
        let func = compile_func(&table, &mut prog, &mut texts, f)?;
        prog.funcs.push(func);
    }
    prog.funcs = super::inline::inline_leaves(&prog.funcs);
    Ok(prog)
}

const MAX_REGS: usize = 256;

/// A compiled operand: the register holding it and whether it is a number.
#[derive(Clone, Copy)]
struct Operand {
    reg: u8,
    num: bool,
}

/// An operand of a selected instruction: still to be compiled, or already
/// in a register.
#[derive(Clone, Copy)]
enum Arg<'e> {
    Expr(&'e Expr),
    Placed(Operand),
}

/// Where a local lives: a register, or (once [`LOCAL_REGS`] registers hold
/// locals) a frame slot, read and written through a temporary.
#[derive(Clone, Copy, PartialEq)]
enum Home {
    Reg(u8),
    Slot(u16),
}

/// Registers locals may take; the rest stay free for temporaries, call
/// windows and loop state, and further locals get frame slots.
const LOCAL_REGS: usize = 192;

struct Local {
    home: Home,
    num: bool,
    /// The block whose statement first bound it: outside that block the
    /// binding may not have run. [`NOT_YET`] until a binding is compiled.
    block: usize,
}

/// The block of a late variable (see [`late_names`]) whose binding has not
/// been compiled yet: never open, so every read is checked.
const NOT_YET: usize = usize::MAX;

/// Jumps out of the innermost loop, patched when its end is known.
#[derive(Default)]
struct LoopJumps {
    breaks: Vec<usize>,
    continues: Vec<usize>,
}

/// Where a statement's value is wanted.
#[derive(Clone, Copy, PartialEq)]
enum Need {
    /// Not at all.
    No,
    /// In any register.
    Any,
    /// In this register.
    Into(u8),
}

impl Need {
    fn dst(self) -> Option<u8> {
        match self {
            Need::Into(r) => Some(r),
            _ => None,
        }
    }
}

struct FuncCompiler<'t, 'p> {
    table: &'t FuncTable<'p>,
    prog: &'t mut RegProgram,
    text_index: &'t mut FxHashMap<String, usize>,
    /// `consts` by bit pattern.
    const_index: FxHashMap<u64, usize>,
    /// The visible bindings of each name, innermost last.
    locals: FxHashMap<String, Vec<Local>>,
    /// Frame slots taken.
    nslots: usize,
    /// Names some binding gives a non-number (see the module docs).
    mixed: HashSet<String>,
    /// Set when a name joined `mixed`: compile the function again.
    restart: bool,
    /// First free register.
    next: usize,
    /// Registers below this hold locals or live loop state: never reused.
    pinned: usize,
    /// Registers below this are live in the enclosing blocks.
    floor: usize,
    max: usize,
    code: Vec<u32>,
    consts: Vec<Value>,
    loops: Vec<LoopJumps>,
    /// Ids of the blocks being compiled, outermost first (0: the parameters).
    open_blocks: Vec<usize>,
    blocks_seen: usize,
    /// Registers of the late variables ([`late_names`]): they start as
    /// [`Value::UNBOUND`], and reads outside the binding's block check it.
    late: Vec<Home>,
}

/// Compiles `f` into a function of `prog`; `text_index` finds an entry of
/// `prog.texts` by its text.
fn compile_func(
    table: &FuncTable<'_>,
    prog: &mut RegProgram,
    text_index: &mut FxHashMap<String, usize>,
    f: &FuncDecl,
) -> Result<RegFunc, Unsupported> {
    let mut mixed = HashSet::new();
    let (texts, lists) = (prog.texts.len(), prog.name_lists.len());
    loop {
        let mut c = FuncCompiler {
            table,
            prog: &mut *prog,
            text_index: &mut *text_index,
            const_index: FxHashMap::default(),
            locals: FxHashMap::default(),
            nslots: 0,
            mixed,
            restart: false,
            next: 0,
            pinned: 0,
            floor: 0,
            max: 0,
            code: Vec::new(),
            consts: Vec::new(),
            loops: Vec::new(),
            open_blocks: vec![0],
            blocks_seen: 0,
            late: Vec::new(),
        };
        c.func_body(f)?;
        c.init_late_locals(f.params.len(), f.span)?;
        if c.restart {
            mixed = c.mixed;
            prog.texts.truncate(texts);
            text_index.retain(|_, i| *i < texts);
            prog.name_lists.truncate(lists);
            continue;
        }
        return Ok(RegFunc {
            name: f.name.name.clone(),
            nparams: f.params.len(),
            nregs: c.max.max(1),
            nslots: c.nslots,
            code: c.code,
            consts: c.consts,
            scalar: f.params.iter().all(|p| is_scalar(&p.ty)) && is_scalar(&f.ret),
            inlined: Vec::new(),
        });
    }
}

fn unsupported<T>(what: impl Into<String>, span: Span) -> Result<T, Unsupported> {
    Err(Unsupported::new(what, span))
}

impl FuncCompiler<'_, '_> {
    fn func_body(&mut self, f: &FuncDecl) -> Result<(), Unsupported> {
        for p in &f.params {
            let reg = self.alloc(p.span)?;
            self.pinned = self.next;
            let num = self.note_binding(&p.name.name, is_num(&p.ty));
            self.add_local(
                &p.name.name,
                Local {
                    home: Home::Reg(reg),
                    num,
                    block: 0,
                },
            );
        }
        // Homes for the variables bound in nested blocks are reserved
        // before any temporary, so nothing else writes them before binding.
        for name in late_names(f) {
            let home = self.alloc_local(f.span)?;
            self.late.push(home);
            let num = !self.mixed.contains(name);
            self.add_local(
                name,
                Local {
                    home,
                    num,
                    block: NOT_YET,
                },
            );
        }
        if !self.late.is_empty() {
            // First in the pool, so the 8-bit operands that test for it
            // reach it however many constants the function has.
            self.constant(Value::UNBOUND);
        }
        if f.body.is_empty() {
            return unsupported("a function with an empty body", f.span);
        }
        let result = self.block(&f.body, Need::Any, f.span)?;
        self.code.push(enc::RET(result.reg));
        Ok(())
    }

    // ---- locals ----

    fn add_local(&mut self, name: &str, l: Local) {
        match self.locals.get_mut(name) {
            Some(stack) => stack.push(l),
            None => {
                self.locals.insert(name.to_string(), vec![l]);
            }
        }
    }

    fn local(&self, name: &str) -> Option<&Local> {
        self.locals.get(name).and_then(|stack| stack.last())
    }

    /// A home for a new function-scoped local: a pinned register while
    /// [`LOCAL_REGS`] last, then a frame slot.
    fn alloc_local(&mut self, span: Span) -> Result<Home, Unsupported> {
        if self.pinned.max(self.next) < LOCAL_REGS {
            return Ok(Home::Reg(self.alloc_pinned(span)?));
        }
        let slot = u16::try_from(self.nslots).map_err(|_| Unsupported::new("more than 65536 locals", span))?;
        self.nslots += 1;
        Ok(Home::Slot(slot))
    }

    /// The register holding local `l`'s value: its own, or for a slot, `dst`
    /// or a fresh temporary loaded from it.
    fn read_local(&mut self, home: Home, dst: Option<u8>, span: Span) -> Result<u8, Unsupported> {
        match home {
            Home::Reg(r) => Ok(r),
            Home::Slot(slot) => {
                let r = self.target(dst, span)?;
                self.code.push(enc::GETSLOT(r, slot));
                Ok(r)
            }
        }
    }

    /// Stores register `v` into local `home` (nothing for its own register).
    fn write_local(&mut self, home: Home, v: u8) {
        match home {
            Home::Reg(r) if r == v => {}
            Home::Reg(r) => self.code.push(enc::MOV(r, v)),
            Home::Slot(slot) => self.code.push(enc::SETSLOT(v, slot)),
        }
    }

    // ---- registers, constants, texts, jumps ----

    fn alloc(&mut self, span: Span) -> Result<u8, Unsupported> {
        if self.next >= MAX_REGS {
            return unsupported("a function needing more than 256 registers", span);
        }
        let r = self.next as u8;
        self.next += 1;
        self.max = self.max.max(self.next);
        Ok(r)
    }

    /// A register that stays reserved for the rest of the function (a local, loop state).
    fn alloc_pinned(&mut self, span: Span) -> Result<u8, Unsupported> {
        let r = self.alloc(span)?;
        self.pinned = self.pinned.max(self.next);
        Ok(r)
    }

    /// Frees the temporaries of a finished statement.
    fn reset_temps(&mut self) {
        self.next = self.floor.max(self.pinned);
    }

    /// Whether a binding of `name` to a value with number bit `num` leaves the
    /// name a number; records a name that turns out mixed.
    fn note_binding(&mut self, name: &str, num: bool) -> bool {
        if !num && self.mixed.insert(name.to_string()) {
            self.restart = true;
        }
        num && !self.mixed.contains(name)
    }

    /// The register for a result: the requested one, or a fresh temporary.
    fn target(&mut self, dst: Option<u8>, span: Span) -> Result<u8, Unsupported> {
        match dst {
            Some(r) => Ok(r),
            None => self.alloc(span),
        }
    }

    fn constant(&mut self, v: Value) -> usize {
        *self.const_index.entry(v.bits()).or_insert_with(|| {
            self.consts.push(v);
            self.consts.len() - 1
        })
    }

    fn load_const(&mut self, v: Value, dst: Option<u8>, span: Span) -> Result<Operand, Unsupported> {
        let k = self.constant(v);
        let bx = u16::try_from(k).map_err(|_| Unsupported::new("more than 65536 constants", span))?;
        let reg = self.target(dst, span)?;
        self.code.push(enc::LOADK(reg, bx));
        Ok(Operand { reg, num: v.is_num() })
    }

    fn text(&mut self, t: &str, span: Span) -> Result<u16, Unsupported> {
        let i = match self.text_index.get(t) {
            Some(&i) => i,
            None => {
                self.prog.texts.push(t.to_string());
                self.text_index.insert(t.to_string(), self.prog.texts.len() - 1);
                self.prog.texts.len() - 1
            }
        };
        u16::try_from(i).map_err(|_| Unsupported::new("more than 65536 texts", span))
    }

    /// A text index for an 8-bit operand.
    fn text8(&mut self, t: &str, span: Span) -> Result<u8, Unsupported> {
        let i = self.text(t, span)?;
        u8::try_from(i).map_err(|_| Unsupported::new("more than 256 field names", span))
    }

    /// Emits a forward jump to patch later; returns its position.
    fn jump_fwd(&mut self, op: RegOp, a: u8) -> usize {
        self.code.push(encode_asbx(op, a, 0));
        self.code.len() - 1
    }

    /// Points the jump at `at` to the next instruction emitted.
    fn patch(&mut self, at: usize, span: Span) -> Result<(), Unsupported> {
        self.patch_to(at, self.code.len(), span)
    }

    /// Points the jump word at `at` to `target` (before or after it).
    fn patch_to(&mut self, at: usize, target: usize, span: Span) -> Result<(), Unsupported> {
        let offset = target as isize - (at as isize + 1);
        let off = i16::try_from(offset).map_err(|_| Unsupported::new("a jump over 32767 instructions", span))?;
        let w = self.code[at];
        self.code[at] = (w & 0xffff) | ((off as u16 as u32) << 16);
        Ok(())
    }

    fn jump_back(&mut self, op: RegOp, a: u8, target: usize, span: Span) -> Result<(), Unsupported> {
        let offset = target as isize - (self.code.len() as isize + 1);
        let off = i16::try_from(offset).map_err(|_| Unsupported::new("a jump over 32767 instructions", span))?;
        self.code.push(encode_asbx(op, a, off));
        Ok(())
    }

    /// Moves `v` where `need` wants it.
    fn place(&mut self, v: Operand, need: Need) -> Operand {
        match need {
            Need::Into(d) if d != v.reg => {
                self.code.push(enc::MOV(d, v.reg));
                Operand { reg: d, num: v.num }
            }
            _ => v,
        }
    }

    fn nil_into(&mut self, need: Need, span: Span) -> Result<Option<Operand>, Unsupported> {
        match need {
            Need::No => Ok(None),
            _ => self.load_const(Value::NIL, need.dst(), span).map(Some),
        }
    }

    // ---- blocks and statements ----

    /// Compiles `body`; its value (the last statement's, nil if empty) goes
    /// where `need` says. Temporaries above the current ones are freed after
    /// each statement.
    fn block(&mut self, body: &[Stmt], need: Need, span: Span) -> Result<Operand, Unsupported> {
        let saved_floor = self.floor;
        self.floor = self.next;
        self.blocks_seen += 1;
        self.open_blocks.push(self.blocks_seen);
        let mut prev: Option<Operand> = None;
        let mut result = None;
        for (i, s) in body.iter().enumerate() {
            let last = i + 1 == body.len();
            // `?{…}` matches the previous statement's value: keep it.
            let feeds_match = matches!(
                body.get(i + 1),
                Some(Stmt {
                    kind: StmtKind::Match { subject: None, .. },
                    ..
                })
            );
            let want = match (last, feeds_match) {
                (true, _) => need,
                (false, true) => Need::Any,
                (false, false) => Need::No,
            };
            let v = self.stmt(s, want, prev)?;
            if last {
                result = v;
            } else {
                self.reset_temps();
                prev = None;
                if let (true, Some(v)) = (feeds_match, v) {
                    // Keep the value's register live for the match.
                    self.next = self.next.max(v.reg as usize + 1);
                    prev = Some(v);
                }
            }
        }
        self.floor = saved_floor;
        self.open_blocks.pop();
        match result {
            Some(v) => Ok(v),
            None if need == Need::No => Ok(Operand { reg: 0, num: false }),
            None => Ok(self.nil_into(need, span)?.unwrap_or(Operand { reg: 0, num: false })),
        }
    }

    fn stmt(&mut self, s: &Stmt, need: Need, prev: Option<Operand>) -> Result<Option<Operand>, Unsupported> {
        let span = s.span;
        match &s.kind {
            StmtKind::Bind { name, value } => {
                let v = self.bind(&name.name, value)?;
                Ok(Some(self.place(v, need)))
            }
            StmtKind::Expr(e) => {
                if let Some(v) = self.bool_name_guard(e, need)? {
                    return Ok(v);
                }
                let v = self.expr(e, need.dst())?;
                Ok(Some(v))
            }
            StmtKind::Guard { cond, negated, value } => {
                let skip = self.cond_jump(cond, *negated)?;
                self.ret(value, span)?;
                self.patch(skip, span)?;
                self.nil_into(need, span)
            }
            StmtKind::If {
                cond,
                negated,
                then,
                els,
            } => self.if_stmt(cond, *negated, then, els.as_deref(), need, span),
            StmtKind::Match { subject, arms } => {
                let v = match (subject, prev) {
                    (Some(e), _) => self.expr(e, None)?,
                    (None, Some(p)) => p,
                    (None, None) => self.load_const(Value::NIL, None, span)?,
                };
                self.match_arms(v, arms, need, span).map(Some)
            }
            StmtKind::Destructure { names, value } => {
                let v = self.expr(value, None)?;
                for n in names {
                    let home = self.local_for(&n.name, false, n.span)?;
                    let t = self.text8(&n.name, n.span)?;
                    let dst = match home {
                        Home::Reg(r) => r,
                        Home::Slot(_) => self.alloc(n.span)?,
                    };
                    self.code.push(encode_abc(RegOp::FIELD, dst, v.reg, t));
                    self.write_local(home, dst);
                }
                Ok(Some(self.place(v, need)))
            }
            StmtKind::ForEach { var, iter, body } => {
                self.for_each(var, iter, body, span)?;
                self.nil_into(need, span)
            }
            StmtKind::ForRange { var, from, to, body } => {
                self.for_range(var, from, to, body, span)?;
                self.nil_into(need, span)
            }
            StmtKind::While { cond, body } => {
                self.while_loop(cond, body, span)?;
                self.nil_into(need, span)
            }
            StmtKind::Break | StmtKind::Continue => {
                let at = self.jump_fwd(RegOp::JMP, 0);
                let Some(l) = self.loops.last_mut() else {
                    return unsupported("`brk`/`cnt` outside a loop", span);
                };
                match s.kind {
                    StmtKind::Break => l.breaks.push(at),
                    _ => l.continues.push(at),
                }
                self.nil_into(need, span)
            }
            StmtKind::Return(e) => {
                self.ret(e, span)?;
                self.nil_into(need, span)
            }
        }
    }

    /// The home of local `name`, binding it (scoped to the function) if new.
    fn local_for(&mut self, name: &str, num: bool, span: Span) -> Result<Home, Unsupported> {
        let num = self.note_binding(name, num);
        let block = self.open_blocks.last().copied().unwrap_or(0);
        if let Some(l) = self.locals.get_mut(name).and_then(|stack| stack.last_mut()) {
            l.num = num;
            if l.block == NOT_YET {
                l.block = block;
            }
            return Ok(l.home);
        }
        let home = self.alloc_local(span)?;
        self.push_local(name, home, num);
        Ok(home)
    }

    /// Records a new variable of the innermost open block: one bound at the
    /// function's top level, or a loop variable or pattern name (set before
    /// its scope's code runs). Late variables are declared up front instead.
    fn push_local(&mut self, name: &str, home: Home, num: bool) {
        let block = self.open_blocks.last().copied().unwrap_or(0);
        self.add_local(name, Local { home, num, block });
    }

    /// Starts every late variable as [`Value::UNBOUND`]. The loads go in
    /// front of the code: jumps are relative, so nothing moves.
    fn init_late_locals(&mut self, nparams: usize, span: Span) -> Result<(), Unsupported> {
        if self.late.is_empty() {
            return Ok(());
        }
        let k = self.constant(Value::UNBOUND);
        let bx = u16::try_from(k).map_err(|_| Unsupported::new("more than 65536 constants", span))?;
        let mut loads = Vec::new();
        // Slots are set through the first register after the parameters:
        // nothing is live there yet (a late register is loaded afterwards).
        let scratch = u8::try_from(nparams).map_err(|_| Unsupported::new("more than 255 parameters", span))?;
        for home in &self.late {
            if let Home::Slot(slot) = home {
                if loads.is_empty() {
                    loads.push(enc::LOADK(scratch, bx));
                    self.max = self.max.max(usize::from(scratch) + 1);
                }
                loads.push(enc::SETSLOT(scratch, *slot));
            }
        }
        for home in &self.late {
            if let Home::Reg(r) = home {
                loads.push(enc::LOADK(*r, bx));
            }
        }
        self.code.splice(0..0, loads);
        Ok(())
    }

    /// `x=e`: a new local gets the next register; a rebinding writes the old one.
    fn bind(&mut self, name: &str, value: &Expr) -> Result<Operand, Unsupported> {
        // Forms that write their destination before they are done reading
        // (`x=&a x`) go through a temporary.
        let direct = writes_dst_last(value);
        let (dst, fresh) = match self.local(name).map(|l| l.home) {
            Some(Home::Reg(reg)) => (direct.then_some(reg), None),
            Some(Home::Slot(_)) => (None, None),
            // The name is not visible while its value is computed (`x=x`
            // with `x` a function), so it is bound only afterwards.
            // A call's result lands in the first register of its window,
            // which starts where the new local would: bind the local there
            // instead of moving the result (`a=fib -n 1`).
            None if matches!(value.kind, ExprKind::Call { .. }) && self.next.max(self.pinned) < LOCAL_REGS => {
                let want = self.next.max(self.pinned);
                self.next = want;
                let v = self.expr(value, None)?;
                if v.reg as usize == want {
                    self.next = self.next.max(want + 1);
                    self.pinned = self.pinned.max(want + 1);
                    let num = self.note_binding(name, v.num);
                    self.push_local(name, Home::Reg(v.reg), num);
                    return Ok(Operand { reg: v.reg, num });
                }
                let home = self.alloc_local(value.span)?;
                self.write_local(home, v.reg);
                let num = self.note_binding(name, v.num);
                self.push_local(name, home, num);
                return Ok(Operand { reg: v.reg, num });
            }
            None if direct && self.next.max(self.pinned) < LOCAL_REGS => {
                let reg = self.alloc_pinned(value.span)?;
                (Some(reg), Some(reg))
            }
            None => (None, None),
        };
        let v = self.expr(value, dst)?;
        let home = match fresh {
            Some(reg) => {
                let num = self.note_binding(name, v.num);
                self.push_local(name, Home::Reg(reg), num);
                Home::Reg(reg)
            }
            None => self.local_for(name, v.num, value.span)?,
        };
        self.write_local(home, v.reg);
        let reg = match home {
            Home::Reg(r) => r,
            Home::Slot(_) => v.reg,
        };
        let num = self.local(name).is_some_and(|l| l.num);
        Ok(Operand { reg, num })
    }

    /// Jumps past what follows when `cond` (negated: its negation) is
    /// false; returns the jump word to patch. A comparison becomes the
    /// table's compare-and-branch when it has one.
    fn cond_jump(&mut self, cond: &Expr, negated: bool) -> Result<usize, Unsupported> {
        let jump = if negated { RegOp::JMPT } else { RegOp::JMPF };
        self.cond_jump_with(cond, jump)
    }

    /// The conditional `jump` (`JMPF`, `JMPT`, `LOOPT`) on `cond`; returns
    /// the word to patch.
    fn cond_jump_with(&mut self, cond: &Expr, jump: RegOp) -> Result<usize, Unsupported> {
        if let ExprKind::Binary { op, lhs, rhs } = &cond.kind {
            if op.is_comparison() {
                let args = [Arg::Expr(lhs), Arg::Expr(rhs)];
                return self.compare_jump(Operation::Operator(op.symbol()), &args, jump, cond.span);
            }
        }
        let c = self.expr(cond, None)?;
        Ok(self.jump_fwd(jump, c.reg))
    }

    /// A comparison followed by the conditional `jump`: the fused
    /// compare-and-branch and its JMP word if the table offers one, else the
    /// comparison into a temporary and `jump` on it. Returns the word to patch.
    fn compare_jump(
        &mut self,
        operation: Operation,
        args: &[Arg<'_>],
        jump: RegOp,
        span: Span,
    ) -> Result<usize, Unsupported> {
        let (sel, fields) = self.select_operands(operation, args, Some(jump), span)?;
        if sel.choice.branch == Some(jump) {
            self.emit_selected(sel, 0, &fields, span)?;
            return Ok(self.jump_fwd(RegOp::JMP, 0));
        }
        let t = self.alloc(span)?;
        self.emit_selected(sel, t, &fields, span)?;
        Ok(self.jump_fwd(jump, t))
    }

    /// The register a value-producing control form writes: the wanted one or a temporary.
    fn result_reg(&mut self, need: Need, span: Span) -> Result<Need, Unsupported> {
        Ok(match need {
            Need::Any => Need::Into(self.alloc(span)?),
            other => other,
        })
    }

    fn if_stmt(
        &mut self,
        cond: &Expr,
        negated: bool,
        then: &[Stmt],
        els: Option<&[Stmt]>,
        need: Need,
        span: Span,
    ) -> Result<Option<Operand>, Unsupported> {
        let need = self.result_reg(need, span)?;
        let to_else = self.cond_jump(cond, negated)?;
        let a = self.block(then, need, span)?;
        let to_end = self.jump_fwd(RegOp::JMP, 0);
        self.patch(to_else, span)?;
        let b = match els {
            Some(els) => self.block(els, need, span)?,
            None => self.nil_into(need, span)?.unwrap_or(a),
        };
        self.patch(to_end, span)?;
        Ok(need.dst().map(|reg| Operand {
            reg,
            num: a.num && b.num,
        }))
    }

    /// `ok v` at statement position where `ok` is a local: a guard when it
    /// holds a bool (return `v` if true), else a call of the function it holds.
    fn bool_name_guard(&mut self, e: &Expr, need: Need) -> Result<Option<Option<Operand>>, Unsupported> {
        let Some((func, value)) = e.guard_shape() else {
            return Ok(None);
        };
        let Some(l) = self.local(&func.name) else {
            return Ok(None);
        };
        let (home, span) = (l.home, e.span);
        let need = self.result_reg(need, span)?;
        let flag = self.read_local(home, None, span)?;
        let is_bool = self.alloc(span)?;
        self.code
            .push(encode_abc(RegOp::TESTTY, is_bool, flag, tag::BOOL as u8));
        let to_call = self.jump_fwd(RegOp::JMPF, is_bool);
        let to_nil = self.jump_fwd(RegOp::JMPF, flag);
        let v = self.expr(value, None)?;
        self.code.push(enc::RET(v.reg));
        self.patch(to_nil, span)?;
        self.nil_into(need, span)?;
        let to_end = self.jump_fwd(RegOp::JMP, 0);
        self.patch(to_call, span)?;
        let r = self.call(func, std::slice::from_ref(value), false, need.dst(), e)?;
        self.patch(to_end, span)?;
        Ok(Some(Some(r)))
    }

    fn match_arms(&mut self, v: Operand, arms: &[Arm], need: Need, span: Span) -> Result<Operand, Unsupported> {
        let need = self.result_reg(need, span)?;
        let mut ends = Vec::new();
        let mut num = true;
        for arm in arms {
            let pinned = self.pinned;
            let miss = self.arm_test(v, &arm.pat, arm.span)?;
            let bound = match &arm.pat {
                Pattern::Ok(n) | Pattern::Err(n) if n.name != "_" => {
                    let reg = self.scoped_local(&n.name, false, n.span)?;
                    self.code.push(encode_abc(RegOp::INNER, reg, v.reg, 0));
                    Some(n)
                }
                Pattern::Typed(tag, n) if n.name != "_" => {
                    let reg = self.scoped_local(&n.name, v.num || *tag == crate::front::ast::TypeTag::Num, n.span)?;
                    self.code.push(enc::MOV(reg, v.reg));
                    Some(n)
                }
                _ => None,
            };
            let r = self.expr(&arm.body, need.dst())?;
            num &= r.num;
            if let Some(n) = bound {
                self.unscope(&n.name);
            }
            self.unpin(pinned);
            ends.push(self.jump_fwd(RegOp::JMP, 0));
            if let Some(miss) = miss {
                self.patch(miss, arm.span)?;
            }
        }
        let nil = self.nil_into(need, span)?;
        num &= nil.is_none_or(|n| n.num);
        for at in ends {
            self.patch(at, span)?;
        }
        Ok(Operand {
            reg: need.dst().unwrap_or(0),
            num: num && need.dst().is_some(),
        })
    }

    /// Tests `v` against a pattern; returns the jump taken when it does not match.
    fn arm_test(&mut self, v: Operand, pat: &Pattern, span: Span) -> Result<Option<usize>, Unsupported> {
        let t = match pat {
            Pattern::Wild => return Ok(None),
            Pattern::Lit(Lit::Text(s)) => {
                let i = self.text(s, span)?;
                let t = self.alloc(span)?;
                match u8::try_from(i) {
                    Ok(i) => self.code.push(encode_abc(RegOp::TESTT, t, v.reg, i)),
                    // Past the 8-bit operand: compare with the loaded text.
                    Err(_) => {
                        let text = self.alloc(span)?;
                        self.code.push(encode_abx(RegOp::LOADT, text, i));
                        self.code.push(encode_abc(RegOp::EQ, t, v.reg, text));
                    }
                }
                t
            }
            Pattern::Lit(lit) => {
                let k = match lit {
                    Lit::Num(n) => Value::num(*n),
                    Lit::Bool(b) => Value::bool(*b),
                    _ => Value::NIL,
                };
                let t = self.alloc(span)?;
                match u8::try_from(self.constant(k)) {
                    Ok(k) => self.code.push(encode_abc(RegOp::TESTK, t, v.reg, k)),
                    // Past the 8-bit operand: `=` matches as the pattern does
                    // (numbers by value, the rest by identity).
                    Err(_) => {
                        let konst = self.load_const(k, None, span)?;
                        self.code.push(encode_abc(RegOp::EQ, t, v.reg, konst.reg));
                    }
                }
                t
            }
            Pattern::Ok(_) | Pattern::Err(_) | Pattern::Typed(..) => {
                let tag = match pat {
                    Pattern::Ok(_) => tag::OK,
                    Pattern::Err(_) => tag::ERR,
                    Pattern::Typed(t, _) => tag::of(*t),
                    _ => 0,
                };
                let t = self.alloc(span)?;
                self.code.push(encode_abc(RegOp::TESTTY, t, v.reg, tag as u8));
                t
            }
        };
        Ok(Some(self.jump_fwd(RegOp::JMPF, t)))
    }

    /// Binds a loop variable or pattern name until [`Self::unscope`]: it
    /// shadows any local of the same name.
    /// Its register is pinned until the construct's end (see [`Self::unpin`]).
    fn scoped_local(&mut self, name: &str, num: bool, span: Span) -> Result<u8, Unsupported> {
        let num = self.note_binding(name, num);
        let reg = self.alloc_pinned(span)?;
        self.push_local(name, Home::Reg(reg), num);
        Ok(reg)
    }

    /// Ends the scope of the innermost binding of `name` (locals bound after
    /// it stay).
    fn unscope(&mut self, name: &str) {
        if let Some(stack) = self.locals.get_mut(name) {
            stack.pop();
        }
    }

    /// Frees the registers a loop or match pinned for its own state and
    /// scoped names, once it is compiled: every other variable bound inside
    /// it is late, with a home from the function's start, so nothing after
    /// the construct needs them and sequential loops reuse the same ones.
    fn unpin(&mut self, pinned: usize) {
        self.pinned = pinned;
    }

    // ---- loops ----

    /// Compiles a loop body; `brk` jumps to the end, `cnt` to `cont` (or, if
    /// `None`, to what is emitted right after the body).
    fn loop_body(&mut self, body: &[Stmt], span: Span) -> Result<LoopJumps, Unsupported> {
        self.code.push(encode_abc(RegOp::TICK, 0, 0, 0));
        self.loop_body_untimed(body, span)
    }

    /// [`loop_body`] whose step is counted elsewhere (by a back-edge that
    /// is a safe point itself, and once before the first iteration).
    fn loop_body_untimed(&mut self, body: &[Stmt], span: Span) -> Result<LoopJumps, Unsupported> {
        self.loops.push(LoopJumps::default());
        let r = self.block(body, Need::No, span);
        let jumps = self.loops.pop().unwrap_or_default();
        r?;
        Ok(jumps)
    }

    fn close_loop(&mut self, jumps: LoopJumps, cont: usize, span: Span) -> Result<(), Unsupported> {
        for at in jumps.continues {
            let offset = cont as isize - (at as isize + 1);
            let off = i16::try_from(offset).map_err(|_| Unsupported::new("a jump over 32767 instructions", span))?;
            self.code[at] = encode_asbx(RegOp::JMP, 0, off);
        }
        for at in jumps.breaks {
            self.patch(at, span)?;
        }
        Ok(())
    }

    fn for_each(&mut self, var: &Ident, iter: &Expr, body: &[Stmt], span: Span) -> Result<(), Unsupported> {
        let xs = self.expr(iter, None)?;
        let pinned = self.pinned;
        // list, index, element: consecutive, as FORIN wants them.
        self.next = self.next.max(self.pinned);
        let list = self.alloc_pinned(span)?;
        let index = self.alloc_pinned(span)?;
        self.code.push(encode_abc(RegOp::ITER, list, xs.reg, 0));
        self.load_const(Value::num(0.0), Some(index), span)?;
        let elem = self.scoped_local(&var.name, false, var.span)?;
        debug_assert_eq!((index, elem), (list + 1, list + 2));
        if (index, elem) != (list + 1, list + 2) {
            return unsupported("a loop whose registers are not consecutive", span);
        }
        let head = self.code.len();
        let exit = self.jump_fwd(RegOp::FORIN, list);
        let jumps = self.loop_body(body, span)?;
        self.jump_back(RegOp::JMP, 0, head, span)?;
        self.patch(exit, span)?;
        self.unscope(&var.name);
        self.unpin(pinned);
        self.close_loop(jumps, head, span)
    }

    /// `@i a..b`: the counter and the limit in consecutive registers, one
    /// entry test (the table's compare-and-branch), and at the bottom
    /// `FORSTEP` (count up and jump back while below the limit), the loop's
    /// structural step as `FORIN` is `@x xs`'s.
    fn for_range(&mut self, var: &Ident, from: &Expr, to: &Expr, body: &[Stmt], span: Span) -> Result<(), Unsupported> {
        let pinned = self.pinned;
        let i = self.alloc_pinned(span)?;
        let limit = self.alloc_pinned(span)?;
        let a = self.expr(from, Some(i))?;
        let b = self.expr(to, Some(limit))?;
        if !(a.num && b.num) {
            self.code.push(encode_abc(RegOp::CHKRANGE, i, limit, 0));
        }
        let counter = Operand { reg: i, num: true };
        let bound = Operand { reg: limit, num: true };
        let below = Operation::Operator("<");
        let exit = self.compare_jump(below, &[Arg::Placed(counter), Arg::Placed(bound)], RegOp::JMPF, span)?;
        let x = self.scoped_local(&var.name, true, var.span)?;
        if limit != i + 1 {
            return unsupported("a range whose counter and limit are not consecutive", span);
        }
        // FORSTEP is the back-edge's safe point: the first iteration's step
        // is counted here, every later one by FORSTEP.
        self.code.push(encode_abc(RegOp::TICK, 0, 0, 0));
        let top = self.code.len();
        self.code.push(enc::MOV(x, i));
        let jumps = self.loop_body_untimed(body, span)?;
        let cont = self.code.len();
        self.jump_back(RegOp::FORSTEP, i, top, span)?;
        self.patch(exit, span)?;
        self.unscope(&var.name);
        self.unpin(pinned);
        self.close_loop(jumps, cont, span)
    }

    /// `wh c{…}`: tested once on entry, then at the bottom by a `LOOPT`
    /// back-edge (fused with the comparison where the table offers it) that
    /// is the loop's safe point; the first iteration's is a `TICK` before
    /// the body. Per iteration: the body and one dispatch.
    fn while_loop(&mut self, cond: &Expr, body: &[Stmt], span: Span) -> Result<(), Unsupported> {
        let exit = self.cond_jump(cond, false)?;
        self.reset_temps();
        self.code.push(encode_abc(RegOp::TICK, 0, 0, 0));
        let top = self.code.len();
        let jumps = self.loop_body_untimed(body, span)?;
        let cont = self.code.len();
        let again = self.cond_jump_with(cond, RegOp::LOOPT)?;
        self.reset_temps();
        self.patch_to(again, top, span)?;
        self.patch(exit, span)?;
        self.close_loop(jumps, cont, span)
    }

    // ---- expressions ----

    fn expr(&mut self, e: &Expr, dst: Option<u8>) -> Result<Operand, Unsupported> {
        match &e.kind {
            ExprKind::Lit(Lit::Num(n)) => self.load_const(Value::num(*n), dst, e.span),
            ExprKind::Lit(Lit::Bool(b)) => self.load_const(Value::bool(*b), dst, e.span),
            ExprKind::Lit(Lit::Nil) => self.load_const(Value::NIL, dst, e.span),
            ExprKind::Lit(Lit::Text(t)) => {
                let i = self.text(t, e.span)?;
                let reg = self.target(dst, e.span)?;
                self.code.push(encode_abx(RegOp::LOADT, reg, i));
                Ok(Operand { reg, num: false })
            }
            ExprKind::Name(name) => self.name(name, dst, e),
            ExprKind::Unary { op, operand } => {
                self.operate(Operation::Operator(op.symbol()), &[Arg::Expr(operand)], dst, e.span)
            }
            ExprKind::Binary {
                op: op @ (BinOp::And | BinOp::Or),
                lhs,
                rhs,
            } => self.logic(*op, lhs, rhs, dst, e.span),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, dst, e),
            ExprKind::Call { func, args, unwrap } => self.call(func, args, *unwrap, dst, e),
            ExprKind::List(items) => {
                let (base, n) = self.window(items.iter().map(Some), e.span)?;
                let reg = self.target(dst, e.span)?;
                self.code.push(encode_abc(RegOp::MKLIST, reg, base, n));
                Ok(Operand { reg, num: false })
            }
            ExprKind::Ok(x) | ExprKind::Err(x) => {
                let v = self.expr(x, None)?;
                let reg = self.target(dst, e.span)?;
                let op = if matches!(e.kind, ExprKind::Ok(_)) {
                    RegOp::MKOK
                } else {
                    RegOp::MKERR
                };
                self.code.push(encode_abc(op, reg, v.reg, 0));
                Ok(Operand { reg, num: false })
            }
            ExprKind::Coalesce { lhs, rhs } => {
                let reg = self.target(dst, e.span)?;
                let a = self.expr(lhs, Some(reg))?;
                let end = self.jump_fwd(RegOp::JMPNN, reg);
                let b = self.expr(rhs, Some(reg))?;
                self.patch(end, e.span)?;
                Ok(Operand {
                    reg,
                    num: a.num && b.num,
                })
            }
            ExprKind::Field { target, field, safe } => {
                let t = self.expr(target, None)?;
                let name = self.text8(&field.name, field.span)?;
                let reg = self.target(dst, e.span)?;
                if *safe {
                    // nil stays nil: copy it and skip the lookup.
                    self.code.push(enc::MOV(reg, t.reg));
                    let to_field = self.jump_fwd(RegOp::JMPNN, t.reg);
                    let to_end = self.jump_fwd(RegOp::JMP, 0);
                    self.patch(to_field, e.span)?;
                    self.code.push(encode_abc(RegOp::FIELD, reg, t.reg, name));
                    self.patch(to_end, e.span)?;
                } else {
                    self.code.push(encode_abc(RegOp::FIELD, reg, t.reg, name));
                }
                Ok(Operand { reg, num: false })
            }
            ExprKind::Index { target, index } => {
                let t = self.expr(target, None)?;
                let Ok(i) = u8::try_from(*index) else {
                    return unsupported("an index above 255", e.span);
                };
                let reg = self.target(dst, e.span)?;
                self.code.push(encode_abc(RegOp::INDEX, reg, t.reg, i));
                Ok(Operand { reg, num: false })
            }
            ExprKind::Record { ty, fields } => self.record(ty, fields, dst, e.span),
            ExprKind::With { target, fields } => self.with(target, fields, dst, e.span),
            ExprKind::Ternary { cond, then, els } => {
                let reg = self.target(dst, e.span)?;
                let to_else = self.cond_jump(cond, false)?;
                let a = self.expr(then, Some(reg))?;
                let to_end = self.jump_fwd(RegOp::JMP, 0);
                self.patch(to_else, e.span)?;
                let b = self.expr(els, Some(reg))?;
                self.patch(to_end, e.span)?;
                Ok(Operand {
                    reg,
                    num: a.num && b.num,
                })
            }
        }
    }

    /// Evaluates expressions into consecutive fresh registers (a `None`
    /// leaves its register unset); returns the first and the count.
    fn window<'e>(
        &mut self,
        items: impl ExactSizeIterator<Item = Option<&'e Expr>>,
        span: Span,
    ) -> Result<(u8, u8), Unsupported> {
        let Ok(n) = u8::try_from(items.len()) else {
            return unsupported("more than 255 items", span);
        };
        let base = self.next;
        for _ in 0..n {
            self.alloc(span)?;
        }
        for (i, x) in items.enumerate() {
            if let Some(x) = x {
                self.expr(x, Some((base + i) as u8))?;
                self.next = base + n as usize;
            }
        }
        if n == 0 {
            // An empty window still needs a valid register index.
            return Ok((base.min(MAX_REGS - 1) as u8, 0));
        }
        Ok((base as u8, n))
    }

    /// A name's value: a local, else a zero-parameter function's or builtin's
    /// result, else the function as a value.
    fn name(&mut self, name: &str, dst: Option<u8>, e: &Expr) -> Result<Operand, Unsupported> {
        let Some(l) = self.local(name) else {
            return self.named_value(name, dst, e);
        };
        let (home, num, open) = (l.home, l.num, self.open_blocks.contains(&l.block));
        let reg = self.read_local(home, dst, e.span)?;
        let src = Operand { reg, num };
        if open {
            return Ok(self.place(src, dst.map_or(Need::Any, Need::Into)));
        }
        if !self.is_named(name) {
            let t = self.text(name, e.span)?;
            self.code.push(encode_abx(RegOp::CHKBOUND, src.reg, t));
            return Ok(self.place(src, dst.map_or(Need::Any, Need::Into)));
        }
        // Unbound here, the name means the function (as on the tree interpreter).
        let reg = self.target(dst, e.span)?;
        let start = self.next;
        let unbound = self.alloc(e.span)?;
        let k = self.constant(Value::UNBOUND);
        let k = u8::try_from(k).map_err(|_| Unsupported::new("more than 256 constants", e.span))?;
        self.code.push(encode_abc(RegOp::TESTK, unbound, src.reg, k));
        let to_named = self.jump_fwd(RegOp::JMPT, unbound);
        self.next = start;
        self.place(src, Need::Into(reg));
        let to_end = self.jump_fwd(RegOp::JMP, 0);
        self.patch(to_named, e.span)?;
        let v = self.named_value(name, Some(reg), e)?;
        self.place(v, Need::Into(reg));
        self.patch(to_end, e.span)?;
        Ok(Operand { reg, num: false })
    }

    /// Whether `name` names a function or builtin.
    fn is_named(&self, name: &str) -> bool {
        self.table.lookup(name).is_some() || Builtin::from_name(name).is_some()
    }

    /// What `name` means as a function: a zero-parameter function's or
    /// builtin's result, else the function as a value.
    fn named_value(&mut self, name: &str, dst: Option<u8>, e: &Expr) -> Result<Operand, Unsupported> {
        if let Some((i, decl)) = self.table.lookup(name) {
            if decl.params.is_empty() {
                let func = Ident {
                    name: name.to_string(),
                    span: e.span,
                };
                return self.call(&func, &[], false, dst, e);
            }
            return self.load_const(Value::func(i), dst, e.span);
        }
        match Builtin::from_name(name) {
            Some(b) if b.accepts(0) => self.call_builtin(b, &[], dst, e.span),
            Some(b) => self.load_const(b.func_value(), dst, e.span),
            None => unsupported(format!("the unknown name `{name}`"), e.span),
        }
    }

    /// `&a b` / `|a b`: short-circuit, the result a bool.
    fn logic(
        &mut self,
        op: BinOp,
        lhs: &Expr,
        rhs: &Expr,
        dst: Option<u8>,
        span: Span,
    ) -> Result<Operand, Unsupported> {
        let reg = self.target(dst, span)?;
        self.expr(lhs, Some(reg))?;
        self.code.push(encode_abc(RegOp::TOBOOL, reg, reg, 0));
        let jump = if op == BinOp::And { RegOp::JMPF } else { RegOp::JMPT };
        let end = self.jump_fwd(jump, reg);
        self.expr(rhs, Some(reg))?;
        self.code.push(encode_abc(RegOp::TOBOOL, reg, reg, 0));
        self.patch(end, span)?;
        Ok(Operand { reg, num: false })
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, dst: Option<u8>, e: &Expr) -> Result<Operand, Unsupported> {
        if matches!(op, BinOp::And | BinOp::Or) {
            return self.logic(op, lhs, rhs, dst, e.span);
        }
        self.operate(
            Operation::Operator(op.symbol()),
            &[Arg::Expr(lhs), Arg::Expr(rhs)],
            dst,
            e.span,
        )
    }

    // ---- instruction selection (the table decides) ----

    /// Places the operands of `operation` and emits the instruction the
    /// table selects for them, its result in `dst` (or a temporary).
    fn operate(
        &mut self,
        operation: Operation,
        args: &[Arg<'_>],
        dst: Option<u8>,
        span: Span,
    ) -> Result<Operand, Unsupported> {
        let (sel, fields) = self.select_operands(operation, args, None, span)?;
        let reg = self.target(dst, span)?;
        self.emit_selected(sel, reg, &fields, span)?;
        Ok(Operand {
            reg,
            num: sel.choice.result_num,
        })
    }

    /// Evaluates `args` (a number literal is only interned: the table may
    /// take it as a constant operand), asks the table for the most specific
    /// instruction — fused with `branch` if it offers that — and places each
    /// operand as that instruction needs it. Returns the selection and the
    /// operand fields in instruction order.
    fn select_operands(
        &mut self,
        operation: Operation,
        args: &[Arg<'_>],
        branch: Option<RegOp>,
        span: Span,
    ) -> Result<(Selected, Vec<u8>), Unsupported> {
        enum Placed {
            Reg(Operand),
            Literal(Value, Option<u8>),
        }
        let mut placed = Vec::with_capacity(args.len());
        for arg in args {
            placed.push(match *arg {
                Arg::Placed(v) => Placed::Reg(v),
                Arg::Expr(e) => match num_literal(e) {
                    Some(n) => {
                        let k = u8::try_from(self.constant(Value::num(n))).ok();
                        Placed::Literal(Value::num(n), k)
                    }
                    None => Placed::Reg(self.expr(e, None)?),
                },
            });
        }
        let known: Vec<Known> = placed
            .iter()
            .map(|p| match p {
                Placed::Reg(v) if v.num => Known::Num,
                Placed::Reg(_) => Known::Value,
                // A constant past the 8-bit operand range goes to a register.
                Placed::Literal(_, Some(_)) => Known::NumConst,
                Placed::Literal(_, None) => Known::Num,
            })
            .collect();
        let sel = branch
            .and_then(|b| select(operation, &known, Some(b)))
            .or_else(|| select(operation, &known, None))
            .ok_or_else(|| Unsupported::new(format!("{operation:?} (the table has no instruction for it)"), span))?;
        let mut fields = Vec::with_capacity(placed.len());
        for (i, p) in placed.into_iter().enumerate() {
            fields.push(match (p, sel.need(i).is_const()) {
                (Placed::Literal(_, Some(k)), true) => k,
                (Placed::Literal(v, _), _) => self.load_const(v, None, span)?.reg,
                (Placed::Reg(v), _) => v.reg,
            });
        }
        if sel.swapped {
            fields.reverse();
        }
        Ok((sel, fields))
    }

    /// Emits a selected instruction: each operand in the field the table
    /// gives it, the result (if it has one) in A.
    fn emit_selected(&mut self, sel: Selected, dst: u8, fields: &[u8], span: Span) -> Result<(), Unsupported> {
        let op = sel.choice.op;
        if reg_form(op) != RegForm::Abc {
            return unsupported(format!("{} (not an ABC instruction)", op.name()), span);
        }
        let mut word = [dst, 0, 0];
        for (&value, &field) in fields.iter().zip(sel.choice.slots) {
            word[field as usize] = value;
        }
        self.code.push(encode_abc(op, word[0], word[1], word[2]));
        Ok(())
    }

    /// Returns `e` from the function: `RET`, or what the table offers for
    /// the value (`RETK` for a number literal).
    fn ret(&mut self, e: &Expr, span: Span) -> Result<(), Unsupported> {
        let (sel, fields) = self.select_operands(Operation::Named("return"), &[Arg::Expr(e)], None, span)?;
        self.emit_selected(sel, 0, &fields, span)
    }

    /// A call `f args` (`f! args` with `unwrap`): a local holding a function
    /// value, else the program's function, else the builtin.
    fn call(
        &mut self,
        func: &Ident,
        args: &[Expr],
        unwrap: bool,
        dst: Option<u8>,
        e: &Expr,
    ) -> Result<Operand, Unsupported> {
        let name = func.name.as_str();
        let named = self.is_named(name);
        let local = match self.local(name).map(|l| (l.home, self.open_blocks.contains(&l.block))) {
            Some((home, open)) => Some((self.read_local(home, None, e.span)?, open)),
            None => None,
        };
        let r = match local {
            // As on the tree interpreter: a variable holding a function value
            // wins; holding anything else (or nothing yet), the function of
            // that name is called.
            Some((f, _)) if named => {
                let is_func = self.alloc(e.span)?;
                self.code.push(encode_abc(RegOp::TESTTY, is_func, f, tag::FUNC as u8));
                let to_named = self.jump_fwd(RegOp::JMPF, is_func);
                let start = self.next;
                let a = self.call_local(f, args, e)?;
                let to_end = self.jump_fwd(RegOp::JMP, 0);
                self.patch(to_named, e.span)?;
                self.next = start;
                let b = self.call_named(name, args, unwrap, e)?;
                if a.reg != b.reg {
                    self.code.push(enc::MOV(a.reg, b.reg));
                }
                self.patch(to_end, e.span)?;
                Operand { reg: a.reg, num: false }
            }
            Some((f, open)) => {
                if !open {
                    let t = self.text(name, e.span)?;
                    self.code.push(encode_abx(RegOp::CHKBOUND, f, t));
                }
                self.call_local(f, args, e)?
            }
            None => self.call_named(name, args, unwrap, e)?,
        };
        let r = if unwrap {
            let t = self.text8(name, e.span)?;
            self.code.push(encode_abc(RegOp::UNWRAP, r.reg, r.reg, t));
            r
        } else {
            r
        };
        Ok(self.place(r, dst.map_or(Need::Any, Need::Into)))
    }

    /// Calls the function value in register `f`; the result is in the returned register.
    fn call_local(&mut self, f: u8, args: &[Expr], e: &Expr) -> Result<Operand, Unsupported> {
        let (base, n) = self.window(args.iter().map(Some), e.span)?;
        let slot = self.alloc(e.span)?;
        self.code.push(enc::MOV(slot, f));
        self.code.push(encode_abc(RegOp::CALLV, base, 0, n));
        self.next = base as usize + 1;
        Ok(Operand { reg: base, num: false })
    }

    /// Calls the program's function `name`, else the builtin.
    fn call_named(&mut self, name: &str, args: &[Expr], unwrap: bool, e: &Expr) -> Result<Operand, Unsupported> {
        if let Some((index, decl)) = self.table.lookup(name) {
            if decl.params.len() != args.len() {
                return unsupported(format!("a call of `{name}` with the wrong arity"), e.span);
            }
            let func = u16::try_from(index).map_err(|_| Unsupported::new("more than 65536 functions", e.span))?;
            // The window starts at the first free register; arguments fill it in order.
            let base = self.alloc(e.span)?;
            self.next = base as usize;
            for a in args {
                let slot = self.alloc(a.span)?;
                if matches!(a.kind, ExprKind::Call { .. }) {
                    // A nested call's window starts at this slot, so its
                    // result lands here with no move (`x>>f>>g`).
                    self.next = slot as usize;
                    let v = self.expr(a, None)?;
                    if v.reg != slot {
                        self.code.push(enc::MOV(slot, v.reg));
                    }
                } else {
                    self.expr(a, Some(slot))?;
                }
                // Temporaries of the argument (a nested call's window) are dead:
                // the next argument goes in the very next register.
                self.next = slot as usize + 1;
            }
            self.code.push(encode_abx(RegOp::CALL, base, func));
            self.next = base as usize + 1;
            return Ok(Operand {
                reg: base,
                num: is_num(&decl.ret) && !unwrap,
            });
        }
        match Builtin::from_name(name) {
            Some(b) => self.call_builtin(b, args, None, e.span),
            None => unsupported(format!("a call of the unknown `{name}`"), e.span),
        }
    }

    fn call_builtin(&mut self, b: Builtin, args: &[Expr], dst: Option<u8>, span: Span) -> Result<Operand, Unsupported> {
        if let Some(known) = args.iter().map(|a| self.known_before(a)).collect::<Option<Vec<_>>>() {
            let operation = Operation::Named(b.name());
            if select(operation, &known, None).is_some() {
                let args: Vec<Arg<'_>> = args.iter().map(Arg::Expr).collect();
                return self.operate(operation, &args, dst, span);
            }
        }
        // Reserve the result register first so an empty window has one.
        let base = self.alloc(span)?;
        self.next = base as usize;
        let (wbase, n) = self.window(args.iter().map(Some), span)?;
        let base = if n == 0 { base } else { wbase };
        self.code.push(encode_abc(RegOp::CALLB, base, b.id(), n));
        self.next = base as usize + 1;
        self.max = self.max.max(self.next);
        let r = Operand { reg: base, num: false };
        Ok(self.place(r, dst.map_or(Need::Any, Need::Into)))
    }

    /// What is known of an argument before compiling it (a number literal, a
    /// local), so a builtin the table has an instruction for needs no call
    /// window; `None` for anything that must be compiled to be known.
    fn known_before(&self, e: &Expr) -> Option<Known> {
        match &e.kind {
            ExprKind::Lit(Lit::Num(_)) => Some(Known::NumConst),
            ExprKind::Name(n) => self.local(n).map(|l| if l.num { Known::Num } else { Known::Value }),
            _ => None,
        }
    }

    /// `pt x:1 y:2`: fields evaluated in the order written into the window
    /// slots of their declaration order. A construction the tree interpreter
    /// would reject (unknown, repeated or missing field) is left to it.
    fn record(
        &mut self,
        ty: &Ident,
        fields: &[(Ident, Expr)],
        dst: Option<u8>,
        span: Span,
    ) -> Result<Operand, Unsupported> {
        let Some(si) = self.prog.shapes.iter().position(|s| s.name == ty.name) else {
            return unsupported(format!("the unknown record type `{}`", ty.name), span);
        };
        let shape = self.prog.shapes[si].clone();
        let mut slots: Vec<Option<&Expr>> = vec![None; shape.fields.len()];
        for (name, x) in fields {
            match shape.field(&name.name).and_then(|i| slots.get_mut(i)) {
                Some(slot @ None) => *slot = Some(x),
                _ => return unsupported("a record construction that fails", span),
            }
        }
        if slots.iter().any(Option::is_none) || si > u8::MAX as usize {
            return unsupported("a record construction that fails", span);
        }
        // Allocate the window, then evaluate in written order.
        let Ok(n) = u8::try_from(slots.len()) else {
            return unsupported("more than 255 fields", span);
        };
        let base = self.next;
        for _ in 0..n {
            self.alloc(span)?;
        }
        for (name, x) in fields {
            let i = shape.field(&name.name).unwrap_or(0);
            self.expr(x, Some((base + i) as u8))?;
            self.next = base + n as usize;
        }
        let base = if n == 0 { self.alloc(span)? } else { base as u8 };
        let reg = self.target(dst, span)?;
        self.code.push(encode_abc(RegOp::RECORD, reg, base, si as u8));
        Ok(Operand { reg, num: false })
    }

    /// `p with x:5`: the target and the new values in a window.
    fn with(
        &mut self,
        target: &Expr,
        fields: &[(Ident, Expr)],
        dst: Option<u8>,
        span: Span,
    ) -> Result<Operand, Unsupported> {
        let items = std::iter::once(Some(target)).chain(fields.iter().map(|(_, x)| Some(x)));
        let items: Vec<Option<&Expr>> = items.collect();
        let (base, _) = self.window(items.into_iter(), span)?;
        let names: Vec<String> = fields.iter().map(|(n, _)| n.name.clone()).collect();
        self.prog.name_lists.push(names);
        let Ok(li) = u8::try_from(self.prog.name_lists.len() - 1) else {
            return unsupported("more than 256 `with`s", span);
        };
        let reg = self.target(dst, span)?;
        self.code.push(encode_abc(RegOp::WITH, reg, base, li));
        Ok(Operand { reg, num: false })
    }
}

/// Whether an expression writes its destination register only after it has
/// read everything (so a variable can be its own destination).
fn writes_dst_last(e: &Expr) -> bool {
    !matches!(
        e.kind,
        ExprKind::Binary {
            op: BinOp::And | BinOp::Or,
            ..
        } | ExprKind::Coalesce { .. }
            | ExprKind::Ternary { .. }
            | ExprKind::Field { safe: true, .. }
    )
}

fn num_literal(e: &Expr) -> Option<f64> {
    match e.kind {
        ExprKind::Lit(Lit::Num(n)) => Some(n),
        _ => None,
    }
}
