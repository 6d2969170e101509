//! The stack VM's run state and frame handling. The dispatch loop itself is
//! generated (`cargo run -p ilo-gen -- print stack_vm.rs`).

use super::compile::{StackFunc, StackProgram};
use crate::builtins::{self, Builtin, CallValue};
use crate::error::{Limits, RtError};
use crate::heap::{Heap, Obj};
use crate::isa::sop;
use crate::ops;
use crate::value::Value;
use crate::vm_support::calls;
use crate::vm_support::segment::{self, Segmented};
use crate::vm_support::{self, StackGuard};

use super::support::*;

include!(concat!(env!("OUT_DIR"), "/stack_vm.rs"));

/// Where execution is in the current function.
pub(crate) type Cursor<'p> = vm_support::cursor::Cursor<'p, Frame>;

/// Where the running frame is on the value stack.
#[derive(Clone, Copy)]
pub(crate) struct Frame {
    /// Stack index of the frame's slot 0 (the first argument).
    pub bp: usize,
}

impl<'p> Cursor<'p> {
    fn enter(f: &'p StackFunc, bp: usize) -> Cursor<'p> {
        Cursor::start(&f.code, &f.consts, Frame { bp })
    }
}

/// Saved callers, with the limits the calls count against.
pub(crate) struct Frames<'p> {
    saved: Vec<Cursor<'p>>,
    limits: Limits,
    steps: u64,
    /// `saved.len()` when the innermost `run_loop` started: its RET at this
    /// height hands the value out instead of resuming a caller.
    floor: usize,
    /// `run_loop`s re-entered by higher-order builtins, each running one
    /// frame that is not in `saved`; they count towards the depth.
    nested: usize,
    /// Native stack the re-entries may use on this thread.
    guard: StackGuard,
}

impl Segmented for Frames<'_> {
    fn guard(&mut self) -> &mut StackGuard {
        &mut self.guard
    }
}

impl Frames<'_> {
    /// Active ilo calls: the saved callers plus one running frame per `run_loop`.
    fn depth(&self) -> usize {
        self.saved.len() + self.nested + 1
    }
}

/// Reusable state: a stack, a heap and a frame stack sized once.
#[derive(Default)]
pub struct StackVm {
    stack: Vec<Value>,
    pub heap: Heap,
    pub limits: Limits,
}

impl StackVm {
    pub fn new(limits: Limits) -> StackVm {
        StackVm {
            stack: Vec::with_capacity(256),
            heap: Heap::default(),
            limits,
        }
    }

    /// Calls function `func` of `prog` with `args`.
    pub fn call(&mut self, prog: &StackProgram, func: u32, args: &[Value]) -> Result<Value, RtError> {
        let f = calls::entry(&prog.funcs, func, args.len())?;
        self.stack.clear();
        self.stack.extend_from_slice(args);
        self.stack.resize(f.nslots, Value::NIL);
        let mut frames = Frames {
            saved: Vec::new(),
            limits: self.limits,
            steps: 0,
            floor: 0,
            nested: 0,
            guard: StackGuard::here(vm_support::FIRST_SEGMENT_BUDGET),
        };
        self.heap.set_limit(self.limits.max_memory);
        self.heap.set_stress(self.limits.gc_stress);
        // The outermost call is a step too, as in the tree interpreter.
        safepoint(&self.stack, &mut self.heap, &mut frames)?;
        run_loop(prog, &mut self.stack, &mut self.heap, &mut frames, Cursor::enter(f, 0))
    }
}

fn pop(stack: &mut Vec<Value>) -> Result<Value, RtError> {
    stack.pop().ok_or_else(|| RtError::internal("stack underflow"))
}

/// `CALL x`: the arguments are already the top of the stack.
fn call<'p>(
    prog: &'p StackProgram,
    stack: &mut Vec<Value>,
    heap: &mut Heap,
    frames: &mut Frames<'p>,
    cur: &mut Cursor<'p>,
    func: usize,
) -> Result<(), RtError> {
    let f = enter(prog, frames, func)?;
    let bp = stack
        .len()
        .checked_sub(f.nparams)
        .ok_or_else(|| RtError::internal("missing arguments"))?;
    stack.resize(bp + f.nslots, Value::NIL);
    safepoint(stack, heap, frames)?;
    frames.saved.push(*cur);
    *cur = Cursor::enter(f, bp);
    Ok(())
}

/// The function a call enters, once the depth limit allows one more frame
/// (the caller then makes the frame and reaches the entry's safe point).
#[inline(always)]
fn enter<'p>(prog: &'p StackProgram, frames: &mut Frames<'p>, func: usize) -> Result<&'p StackFunc, RtError> {
    let f = calls::callee(&prog.funcs, func)?;
    calls::check_depth(frames.depth(), &frames.limits)?;
    Ok(f)
}

/// `RET`: drops the frame and pushes `v` for the caller, or hands it out
/// when the outermost frame returns.
fn ret<'p>(stack: &mut Vec<Value>, frames: &mut Frames<'p>, cur: &mut Cursor<'p>, v: Value) -> Option<Value> {
    stack.truncate(cur.frame.bp);
    if frames.saved.len() <= frames.floor {
        return Some(v);
    }
    match frames.saved.pop() {
        None => Some(v),
        Some(caller) => {
            *cur = caller;
            stack.push(v);
            None
        }
    }
}

/// A safe point (`TICK`, a call's entry): counts a step, then lets the heap
/// collect with the value stack (every frame's slots and temporaries) as roots.
#[inline(always)]
fn safepoint(stack: &[Value], heap: &mut Heap, frames: &mut Frames<'_>) -> Result<(), RtError> {
    vm_support::safepoint(heap, &mut frames.steps, &frames.limits, || stack.iter().copied())
}

/// `CALLB x`: builtin `x & 255` on the `x >> 8` arguments at the top.
#[inline(never)]
fn call_builtin<'p>(
    prog: &'p StackProgram,
    stack: &mut Vec<Value>,
    heap: &mut Heap,
    frames: &mut Frames<'p>,
    x: usize,
) -> Result<(), RtError> {
    let b = Builtin::from_id((x & 0xff) as u8).ok_or_else(|| RtError::internal("unknown builtin id"))?;
    run_builtin(prog, stack, heap, frames, b, x >> 8)
}

/// Runs builtin `b` on the `argc` values at the top of the stack and
/// replaces them with its result.
#[inline(never)]
fn run_builtin<'p>(
    prog: &'p StackProgram,
    stack: &mut Vec<Value>,
    heap: &mut Heap,
    frames: &mut Frames<'p>,
    b: Builtin,
    argc: usize,
) -> Result<(), RtError> {
    let start = args_start(stack, argc)?;
    let r = if b.is_higher_order() {
        // The callbacks run on this same stack above the arguments, so
        // they are copied out first.
        let args = stack.split_off(start);
        builtins::call(b, heap, &args, &mut Reenter { prog, stack, frames })?
    } else {
        let r = builtins::call(b, heap, &stack[start..], &mut builtins::NoCallback)?;
        stack.truncate(start);
        r
    };
    stack.push(r);
    Ok(())
}

fn args_start(stack: &[Value], argc: usize) -> Result<usize, RtError> {
    stack
        .len()
        .checked_sub(argc)
        .ok_or_else(|| RtError::internal("missing arguments"))
}

/// `CALLV argc` / `CALLVF argc`: calls the function value on top of the
/// stack (under a fallback for `CALLVF`: a local that shadows a function
/// name is called only when it holds a function, as in the tree interpreter).
#[inline(never)]
fn call_value<'p>(
    prog: &'p StackProgram,
    stack: &mut Vec<Value>,
    heap: &mut Heap,
    frames: &mut Frames<'p>,
    cur: &mut Cursor<'p>,
    argc: usize,
    with_fallback: bool,
) -> Result<(), RtError> {
    let fallback = if with_fallback { Some(pop(stack)?) } else { None };
    let mut f = pop(stack)?;
    if let Some(fb) = fallback {
        if f.func_index().is_none() {
            f = fb;
        }
    }
    if let Some(b) = Builtin::from_func_value(f) {
        return run_builtin(prog, stack, heap, frames, b, argc);
    }
    let i = calls::user_func(&prog.funcs, heap, f, argc)?;
    call(prog, stack, heap, frames, cur, i)
}

/// Lets a higher-order builtin call back into the VM: a user function runs
/// in a nested `run_loop` on the same stack and frame stack, so the depth
/// and step limits keep counting.
struct Reenter<'a, 'p> {
    prog: &'p StackProgram,
    stack: &'a mut Vec<Value>,
    frames: &'a mut Frames<'p>,
}

impl CallValue for Reenter<'_, '_> {
    fn call_value(&mut self, heap: &mut Heap, f: Value, args: &[Value]) -> Result<Value, RtError> {
        let prog = self.prog;
        calls::call_back(self, &prog.funcs, heap, f, args, |vm, heap, i| {
            run_nested(vm.prog, vm.stack, heap, vm.frames, i, args)
        })
    }
}

#[inline(never)]
fn run_nested<'p>(
    prog: &'p StackProgram,
    stack: &mut Vec<Value>,
    heap: &mut Heap,
    frames: &mut Frames<'p>,
    func: usize,
    args: &[Value],
) -> Result<Value, RtError> {
    let f = enter(prog, frames, func)?;
    let bp = stack.len();
    let height = frames.saved.len();
    stack.extend_from_slice(args);
    stack.resize(bp + f.nslots, Value::NIL);
    safepoint(stack, heap, frames)?;
    let floor = std::mem::replace(&mut frames.floor, height);
    frames.nested += 1;
    // Each re-entry recurses natively (builtin -> `run_loop`), so deep
    // recursion through `map` and friends may move to a new stack segment.
    let cur = Cursor::enter(f, bp);
    let r = segment::recurse(frames, "ilo-stack", |frames| run_loop(prog, stack, heap, frames, cur));
    frames.nested -= 1;
    frames.floor = floor;
    // After an error the inner frames are abandoned; the caller's are intact below.
    frames.saved.truncate(height);
    stack.truncate(bp);
    r
}

/// `UNWRAP`: `~v` pushes v; `^e` returns `^e` from the function (handing it
/// out when that was the outermost frame).
#[inline(never)]
fn unwrap<'p>(
    prog: &StackProgram,
    stack: &mut Vec<Value>,
    heap: &Heap,
    frames: &mut Frames<'p>,
    cur: &mut Cursor<'p>,
    r: Value,
    name: usize,
) -> Result<Option<Value>, RtError> {
    match heap.get(r) {
        Some(Obj::Ok(v)) => {
            stack.push(v);
            Ok(None)
        }
        Some(Obj::Err(_)) => Ok(ret(stack, frames, cur, r)),
        _ => {
            let name = text_at(prog, name)?;
            Err(RtError::type_error(format!(
                "`{name}!` unwraps a result, but `{name}` returned {}",
                crate::print::type_name(heap, r)
            )))
        }
    }
}
