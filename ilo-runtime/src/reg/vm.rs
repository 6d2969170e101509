//! The register VM's run state and frame handling. The dispatch loop is
//! generated (`cargo run -p ilo-gen -- print reg_vm.rs`); the functions here
//! are what the table's `sem` expressions call.

use super::compile::{RegFunc, RegProgram};
use super::profile::OpProfile;
use crate::builtins::{self, Builtin, CallValue};
use crate::error::{Limits, RtError};
use crate::heap::Heap;
use crate::isa::rop;
use crate::ops;
use crate::value::Value;
use crate::vm_support::calls;
use crate::vm_support::segment::{self, Segmented};
use crate::vm_support::{self, check_range, has_tag, StackGuard};

include!(concat!(env!("OUT_DIR"), "/reg_vm.rs"));

/// Where execution is in the current function.
pub(crate) type Cursor<'p> = vm_support::cursor::Cursor<'p, Frame>;

/// Where the running frame's registers are: the one frame field every
/// instruction reads, so the dispatch loop keeps it with `code`, `consts`
/// and `pc`; the rest of the frame's place is `Frames::running`.
#[derive(Clone, Copy)]
pub(crate) struct Frame {
    /// Index of the frame's r0 in the register file.
    pub base: usize,
}

/// The running frame's place beyond its registers' base, read only by
/// calls, returns, slots and builtins. It lives in `Frames`, not in the
/// cursor: every value the cursor carries is one more the dispatch loop
/// keeps in a register (or spills) across every instruction.
#[derive(Clone, Copy, Default)]
pub(crate) struct Running {
    /// First register above the frame: where a builtin's callbacks run.
    top: usize,
    /// The running function's index in the program.
    func: u32,
    /// Index of the frame's first slot in `Frames::slots`.
    slots: usize,
    /// First slot above the frame: where a callee's slots start.
    slots_top: usize,
}

impl<'p> Cursor<'p> {
    /// At the start of function `func`, its registers from `base` and its
    /// slots from `slots`, which become `frames.running`.
    fn enter(
        prog: &'p RegProgram,
        frames: &mut Frames,
        func: usize,
        base: usize,
        slots: usize,
    ) -> Result<Cursor<'p>, RtError> {
        let f = calls::callee(&prog.funcs, func)?;
        frames.running = Running {
            top: base + f.nregs,
            func: func as u32,
            slots,
            slots_top: slots + f.nslots,
        };
        Ok(Cursor::start(&f.code, &f.consts, Frame { base }))
    }

    /// What a caller's frame keeps while its callee runs.
    fn saved(&self, running: &Running) -> Saved {
        Saved {
            func: running.func,
            pc: self.pc as u32,
            base: self.frame.base,
        }
    }
}

/// A caller's place, small so that a call stores and a return loads little;
/// the rest of its cursor is its function's.
#[derive(Clone, Copy)]
pub(crate) struct Saved {
    func: u32,
    pc: u32,
    base: usize,
}

/// Saved callers, with the limits the calls count against.
pub(crate) struct Frames {
    saved: Vec<Saved>,
    /// The running frame's place (its register base is the cursor's).
    running: Running,
    /// Call levels taken by the bodies of inlined calls that are running
    /// (`ENTERI` … `LEAVEI`): they count towards the depth as the frames
    /// of the calls would.
    inlined: usize,
    /// `RET` with this many saved frames leaves `run_loop`: 0 for the
    /// outermost call, more while a higher-order builtin calls back.
    floor: usize,
    limits: Limits,
    steps: u64,
    /// Native stack used by nested `run_loop`s (higher-order builtins).
    guard: StackGuard,
    /// Opcode counts, when profiling.
    profile: Option<Box<OpProfile>>,
    /// The frame slots of functions with more locals than 256 registers
    /// hold (`GETSLOT`/`SETSLOT`), a stack beside the register file: a
    /// callee's window starts inside its caller's registers, so slots
    /// placed above them would be overwritten.
    slots: Vec<Value>,
}

impl Frames {
    /// The call level a call made now would take.
    fn next_depth(&self) -> usize {
        self.saved.len() + self.inlined + 1
    }
}

impl Segmented for Frames {
    fn guard(&mut self) -> &mut StackGuard {
        &mut self.guard
    }
}

/// The register file, heap and frame stack. Keeping one `RegVm` across calls
/// (layer 4) skips allocating them on every call.
#[derive(Default)]
pub struct RegVm {
    regs: Vec<Value>,
    pub heap: Heap,
    pub limits: Limits,
    /// Set to count the opcodes of the calls that follow (`--profile-ops`).
    pub profile: Option<Box<OpProfile>>,
    /// Steps the last call took (a JIT's trampoline counts them against its
    /// own budget).
    pub steps_used: u64,
}

impl RegVm {
    pub fn new(limits: Limits) -> RegVm {
        RegVm {
            // Sized by the first call: a fresh VM per call (layer 3) then
            // allocates only the registers its function uses.
            regs: Vec::new(),
            heap: Heap::default(),
            limits,
            profile: None,
            steps_used: 0,
        }
    }

    /// Calls function `func` of `prog` with `args`.
    pub fn call(&mut self, prog: &RegProgram, func: u32, args: &[Value]) -> Result<Value, RtError> {
        let f = calls::entry(&prog.funcs, func, args.len())?;
        if self.limits.max_depth == 0 {
            return Err(RtError::depth(0));
        }
        if self.regs.len() < f.nregs.max(args.len()) {
            self.regs.resize(f.nregs.max(args.len()), Value::NIL);
        }
        self.regs[..args.len()].copy_from_slice(args);
        let mut frames = Frames {
            saved: Vec::new(),
            running: Running::default(),
            inlined: 0,
            floor: 0,
            limits: self.limits,
            steps: 0,
            guard: StackGuard::here(vm_support::FIRST_SEGMENT_BUDGET),
            profile: None,
            slots: vec![Value::NIL; f.nslots],
        };
        self.heap.set_limit(self.limits.max_memory);
        self.heap.set_stress(self.limits.gc_stress);
        // The outermost call is a step too, as on the tree interpreter.
        safepoint(&self.regs, &mut self.heap, &mut frames)?;
        frames.profile = self.profile.take();
        let cur = Cursor::enter(prog, &mut frames, func as usize, 0, 0)?;
        let r = run(prog, &mut self.regs, &mut self.heap, &mut frames, cur);
        self.profile = frames.profile.take();
        self.steps_used = frames.steps;
        r
    }
}

/// The dispatch loop, counting opcodes only when a profile is being kept.
fn run<'p>(
    prog: &'p RegProgram,
    regs: &mut Vec<Value>,
    heap: &mut Heap,
    frames: &mut Frames,
    cur: Cursor<'p>,
) -> Result<Value, RtError> {
    if frames.profile.is_some() {
        run_loop::<true>(prog, regs, heap, frames, cur)
    } else {
        run_loop::<false>(prog, regs, heap, frames, cur)
    }
}

/// A safe point (`TICK`, a call's entry): counts a step, then lets the heap
/// collect. The whole register file and slot stack are the root set:
/// entries above the running frames hold values of finished calls, which
/// only keeps their garbage a little longer.
#[inline(always)]
fn safepoint(regs: &[Value], heap: &mut Heap, frames: &mut Frames) -> Result<(), RtError> {
    let slots = &frames.slots;
    vm_support::safepoint(heap, &mut frames.steps, &frames.limits, || {
        regs.iter().chain(slots).copied()
    })
}

/// `ENTERL`: what a call of a leaf function checks, where the compiler inlined
/// it: one more call level is within the depth limit, then a safe point.
/// A leaf calls nothing, so the level need not be taken and given back.
#[inline(always)]
fn enter_leaf(regs: &[Value], heap: &mut Heap, frames: &mut Frames, calls: usize) -> Result<(), RtError> {
    calls::check_depth(frames.next_depth(), &frames.limits)?;
    for _ in 0..calls {
        safepoint(regs, heap, frames)?;
    }
    Ok(())
}

/// `ENTERI`: the entry of a call inlined where its body may call on (a
/// recursive function inlined into itself): the level the call would take
/// is checked and taken, then a safe point, as `CALL` does.
#[inline(always)]
fn enter_level(regs: &[Value], heap: &mut Heap, frames: &mut Frames) -> Result<(), RtError> {
    calls::check_depth(frames.next_depth(), &frames.limits)?;
    frames.inlined += 1;
    safepoint(regs, heap, frames)
}

/// `LEAVEI`: the inlined call's level back, where its body's returns meet.
/// (Saturating: the op alone, as the lowering tests run it, has no level
/// to give back.)
#[inline(always)]
fn leave_level(frames: &mut Frames) {
    frames.inlined = frames.inlined.saturating_sub(1);
}

/// Checks depth and makes room for `f`'s registers at `base` and its slots
/// at `slots`, then a safe point (the arguments must already be in the
/// window).
#[inline(always)]
fn enter_call(
    regs: &mut Vec<Value>,
    heap: &mut Heap,
    frames: &mut Frames,
    f: &RegFunc,
    base: usize,
    slots: usize,
) -> Result<(), RtError> {
    calls::check_depth(frames.next_depth(), &frames.limits)?;
    if regs.len() < base + f.nregs {
        regs.resize(base + f.nregs, Value::NIL);
    }
    if frames.slots.len() < slots + f.nslots {
        frames.slots.resize(slots + f.nslots, Value::NIL);
    }
    safepoint(regs, heap, frames)
}

/// `CALL A Bx`: the arguments are in A, A+1, …, which become the callee's r0….
/// Inlined, like `ret`: a cursor passed by reference to a function that is
/// not inlined would pin the dispatch loop's `cur` to memory.
#[inline(always)]
fn call<'p>(
    prog: &'p RegProgram,
    regs: &mut Vec<Value>,
    heap: &mut Heap,
    frames: &mut Frames,
    cur: &mut Cursor<'p>,
    a: usize,
    func: usize,
) -> Result<(), RtError> {
    let f = calls::callee(&prog.funcs, func)?;
    let base = cur.frame.base + a;
    let slots = frames.running.slots_top;
    enter_call(regs, heap, frames, f, base, slots)?;
    frames.saved.push(cur.saved(&frames.running));
    *cur = Cursor::enter(prog, frames, func, base, slots)?;
    Ok(())
}

/// `RET A`: the result goes to the callee's r0, which is the caller's call
/// register; the outermost frame (of this `run_loop`) hands it out instead.
#[inline(always)]
fn ret<'p>(
    prog: &'p RegProgram,
    regs: &mut [Value],
    frames: &mut Frames,
    cur: &mut Cursor<'p>,
    v: Value,
) -> Result<Option<Value>, RtError> {
    if frames.saved.len() <= frames.floor {
        return Ok(Some(v));
    }
    let Some(caller) = frames.saved.pop() else {
        return Ok(Some(v));
    };
    if let Some(slot) = regs.get_mut(cur.frame.base) {
        *slot = v;
    }
    let caller_slots = prog.funcs.get(caller.func as usize).map_or(0, |f| f.nslots);
    let slots = frames.running.slots - caller_slots;
    *cur = Cursor::enter(prog, frames, caller.func as usize, caller.base, slots)?;
    cur.pc = caller.pc as usize;
    Ok(None)
}

/// `GETSLOT`: frame slot `i` (the compiler sized the frame to hold it).
#[inline(always)]
fn get_slot(frames: &Frames, i: usize) -> Result<Value, RtError> {
    frames
        .slots
        .get(frames.running.slots + i)
        .copied()
        .ok_or_else(|| RtError::internal("frame slot out of range"))
}

/// `SETSLOT`: writes frame slot `i`.
#[inline(always)]
fn set_slot(frames: &mut Frames, i: usize, v: Value) -> Result<(), RtError> {
    let at = frames.running.slots + i;
    let slot = frames
        .slots
        .get_mut(at)
        .ok_or_else(|| RtError::internal("frame slot out of range"))?;
    *slot = v;
    Ok(())
}

fn text_at(prog: &RegProgram, i: usize) -> Result<&str, RtError> {
    prog.texts
        .get(i)
        .map(String::as_str)
        .ok_or_else(|| RtError::internal("no such text"))
}

fn window(regs: &[Value], start: usize, n: usize) -> Result<&[Value], RtError> {
    regs.get(start..start + n)
        .ok_or_else(|| RtError::internal("register window out of range"))
}

fn make_list(heap: &mut Heap, regs: &[Value], start: usize, n: usize) -> Result<Value, RtError> {
    let items = window(regs, start, n)?.to_vec();
    Ok(heap.list(items))
}

fn field(heap: &mut Heap, prog: &RegProgram, target: Value, name: usize) -> Result<Value, RtError> {
    ops::field(heap, target, text_at(prog, name)?)
}

/// `RECORD`: the compiler proved every field is given once, in declaration order.
fn make_record(
    heap: &mut Heap,
    prog: &RegProgram,
    regs: &[Value],
    start: usize,
    shape: usize,
) -> Result<Value, RtError> {
    let shape = prog
        .shapes
        .get(shape)
        .ok_or_else(|| RtError::internal("no such record shape"))?;
    let values = window(regs, start, shape.fields.len())?.to_vec();
    Ok(heap.record(shape.clone(), values))
}

/// `WITH`: the target in `start`, the new values after it, named by name list `names`.
fn with_fields(
    heap: &mut Heap,
    prog: &RegProgram,
    regs: &[Value],
    start: usize,
    names: usize,
) -> Result<Value, RtError> {
    let names = prog
        .name_lists
        .get(names)
        .ok_or_else(|| RtError::internal("no such name list"))?;
    let vals = window(regs, start, names.len() + 1)?;
    let new: Vec<(&str, Value)> = names
        .iter()
        .map(String::as_str)
        .zip(vals[1..].iter().copied())
        .collect();
    ops::with_fields(heap, vals[0], &new)
}

fn text_matches(heap: &Heap, prog: &RegProgram, v: Value, t: usize) -> bool {
    match prog.texts.get(t) {
        Some(t) => heap.as_text(v) == Some(t.as_str()),
        None => false,
    }
}

/// The value inside `~x` or `^e` (nil for anything else: `INNER` runs only after `TESTTY` matched).
fn inner(heap: &Heap, v: Value) -> Value {
    ops::result_inner(heap, v, true)
        .or_else(|| ops::result_inner(heap, v, false))
        .unwrap_or(Value::NIL)
}

/// `FORSTEP`: the counter at `at` (a number: the range was checked) steps
/// by one; whether it is still below the limit at `at+1`.
#[inline(always)]
fn range_step(regs: &mut [Value], at: usize) -> bool {
    let i = regs[at].as_f64() + 1.0;
    regs[at] = Value::num(i);
    i < regs[at + 1].as_f64()
}

/// `FORIN`: list at `at`, index at `at+1`; stores the next element at
/// `at+2` and steps the index, or says the walk is over.
fn for_next(heap: &Heap, regs: &mut [Value], at: usize) -> bool {
    let (Some(&list), Some(&i)) = (regs.get(at), regs.get(at + 1)) else {
        return false;
    };
    let i = i.to_num().unwrap_or(f64::INFINITY);
    let next = heap.list_item(list, i as usize);
    match (next, regs.get_mut(at + 2)) {
        (Some(x), Some(slot)) => {
            *slot = x;
            regs[at + 1] = Value::num(i + 1.0);
            true
        }
        _ => false,
    }
}

/// `f!`: the value inside `~x`; `None` for `^e` (the function returns it).
fn unwrap(heap: &Heap, prog: &RegProgram, r: Value, name: usize) -> Result<Option<Value>, RtError> {
    ops::unwrap(heap, text_at(prog, name)?, r)
}

/// `CALLB A B C`: builtin B on the C arguments from A; the result goes to A.
/// Higher-order builtins call back into the VM above the current frame.
#[allow(clippy::too_many_arguments)]
fn call_builtin<'p>(
    prog: &'p RegProgram,
    regs: &mut Vec<Value>,
    heap: &mut Heap,
    frames: &mut Frames,
    cur: Cursor<'p>,
    a: usize,
    b: usize,
    argc: usize,
) -> Result<(), RtError> {
    let builtin = u8::try_from(b)
        .ok()
        .and_then(Builtin::from_id)
        .ok_or_else(|| RtError::internal("no such builtin"))?;
    let at = cur.frame.base + a;
    let v = run_builtin(prog, regs, heap, frames, cur, builtin, at, argc)?;
    store(regs, at, v)
}

/// Writes a call's result to its window's first register.
fn store(regs: &mut [Value], at: usize, v: Value) -> Result<(), RtError> {
    let slot = regs
        .get_mut(at)
        .ok_or_else(|| RtError::internal("register window out of range"))?;
    *slot = v;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn run_builtin<'p>(
    prog: &'p RegProgram,
    regs: &mut Vec<Value>,
    heap: &mut Heap,
    frames: &mut Frames,
    cur: Cursor<'p>,
    b: Builtin,
    at: usize,
    argc: usize,
) -> Result<Value, RtError> {
    let args = window(regs, at, argc)?.to_vec();
    if !b.is_higher_order() {
        return builtins::call(b, heap, &args, &mut builtins::NoCallback);
    }
    let caller_place = frames.running;
    let mut back = Reenter {
        prog,
        regs,
        frames,
        caller: cur,
        caller_place,
    };
    builtins::call(b, heap, &args, &mut back)
}

/// `CALLV A C`: calls the function value in A+C with the C arguments from A.
/// A program function gets a frame like `CALL`; a builtin runs at once.
/// Returns the cursor to continue with (taken and given by value, so the
/// dispatch loop's stays in registers).
fn call_value<'p>(
    prog: &'p RegProgram,
    regs: &mut Vec<Value>,
    heap: &mut Heap,
    frames: &mut Frames,
    mut cur: Cursor<'p>,
    a: usize,
    argc: usize,
) -> Result<Cursor<'p>, RtError> {
    let at = cur.frame.base + a;
    let f = *regs
        .get(at + argc)
        .ok_or_else(|| RtError::internal("register window out of range"))?;
    if let Some(b) = Builtin::from_func_value(f) {
        let v = run_builtin(prog, regs, heap, frames, cur, b, at, argc)?;
        store(regs, at, v)?;
        return Ok(cur);
    }
    let i = calls::user_func(&prog.funcs, heap, f, argc)?;
    call(prog, regs, heap, frames, &mut cur, a, i)?;
    Ok(cur)
}

/// A higher-order builtin's way back into the VM: each call runs a nested
/// `run_loop` in the registers above the caller's frame, on the same frame
/// stack, so the depth and step limits keep counting.
struct Reenter<'a, 'p> {
    prog: &'p RegProgram,
    regs: &'a mut Vec<Value>,
    frames: &'a mut Frames,
    caller: Cursor<'p>,
    /// The caller's place, which each callback's frame replaces in
    /// `frames.running` while it runs.
    caller_place: Running,
}

impl CallValue for Reenter<'_, '_> {
    fn call_value(&mut self, heap: &mut Heap, f: Value, args: &[Value]) -> Result<Value, RtError> {
        let prog = self.prog;
        calls::call_back(self, &prog.funcs, heap, f, args, |vm, heap, i| {
            vm.run_user(heap, i, args)
        })
    }
}

impl<'p> Reenter<'_, 'p> {
    /// Runs program function `i` on `args` in a frame above the caller's,
    /// to its return.
    fn run_user(&mut self, heap: &mut Heap, i: usize, args: &[Value]) -> Result<Value, RtError> {
        let func = &self.prog.funcs[i];
        let base = self.caller_place.top;
        if self.regs.len() < base + args.len() {
            self.regs.resize(base + args.len(), Value::NIL);
        }
        self.regs[base..base + args.len()].copy_from_slice(args);
        let slots = self.caller_place.slots_top;
        enter_call(self.regs, heap, self.frames, func, base, slots)?;
        // The caller's frame counts towards the depth while the callee runs.
        self.frames.saved.push(self.caller.saved(&self.caller_place));
        let floor = std::mem::replace(&mut self.frames.floor, self.frames.saved.len());
        let inlined = self.frames.inlined;
        let r = Cursor::enter(self.prog, self.frames, i, base, slots).and_then(|cur| self.nested_run(heap, cur));
        self.frames.saved.truncate(self.frames.floor - 1);
        self.frames.running = self.caller_place;
        self.frames.floor = floor;
        // An error leaves the callee's inlined levels taken; the caller's
        // are what it had.
        self.frames.inlined = inlined;
        r
    }

    /// Runs a callback's frame to its return. Callbacks nest natively
    /// (`map` calling a function that calls `map`…), so the run may move
    /// to a new stack segment.
    fn nested_run(&mut self, heap: &mut Heap, cur: Cursor<'p>) -> Result<Value, RtError> {
        let (prog, regs) = (self.prog, &mut *self.regs);
        segment::recurse(self.frames, "ilo-reg", |frames| run(prog, regs, heap, frames, cur))
    }
}

/// `CHKBOUND`: reading a variable whose binding did not run is ILO-R010.
fn check_bound(prog: &RegProgram, v: Value, name: usize) -> Result<(), RtError> {
    vm_support::check_bound(v, text_at(prog, name)?)
}
