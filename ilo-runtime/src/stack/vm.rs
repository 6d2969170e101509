//! The stack VM's run state and frame handling. The dispatch loop itself is
//! generated (`cargo run -p ilo-gen -- print stack_vm.rs`).

use super::compile::{StackFunc, StackProgram};
use crate::error::{Limits, RtError};
use crate::heap::Heap;
use crate::isa::sop;
use crate::ops;
use crate::value::Value;

include!(concat!(env!("OUT_DIR"), "/stack_vm.rs"));

/// Where execution is in the current function.
#[derive(Clone, Copy)]
pub(crate) struct Cursor<'p> {
    pub code: &'p [u32],
    pub consts: &'p [Value],
    pub pc: usize,
    /// Stack index of the frame's slot 0 (the first argument).
    pub bp: usize,
}

impl<'p> Cursor<'p> {
    fn enter(f: &'p StackFunc, bp: usize) -> Cursor<'p> {
        Cursor {
            code: &f.code,
            consts: &f.consts,
            pc: 0,
            bp,
        }
    }
}

/// Saved callers, with the limits the calls count against.
pub(crate) struct Frames<'p> {
    saved: Vec<Cursor<'p>>,
    limits: Limits,
    steps: u64,
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
        let f = prog
            .funcs
            .get(func as usize)
            .ok_or_else(|| RtError::internal("no such function"))?;
        if args.len() != f.nparams {
            return Err(RtError::internal(format!("`{}` takes {} arguments", f.name, f.nparams)));
        }
        self.stack.clear();
        self.stack.extend_from_slice(args);
        self.stack.resize(f.nslots, Value::NIL);
        let mut frames = Frames {
            saved: Vec::new(),
            limits: self.limits,
            steps: 0,
        };
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
    frames: &mut Frames<'p>,
    cur: &mut Cursor<'p>,
    func: usize,
) -> Result<(), RtError> {
    let f = prog
        .funcs
        .get(func)
        .ok_or_else(|| RtError::internal("call of an unknown function"))?;
    if frames.saved.len() + 1 >= frames.limits.max_depth {
        return Err(RtError::depth(frames.limits.max_depth));
    }
    frames.steps += 1;
    if let Some(max) = frames.limits.max_steps {
        if frames.steps > max {
            return Err(RtError::steps(max));
        }
    }
    let bp = stack
        .len()
        .checked_sub(f.nparams)
        .ok_or_else(|| RtError::internal("missing arguments"))?;
    stack.resize(bp + f.nslots, Value::NIL);
    frames.saved.push(*cur);
    *cur = Cursor::enter(f, bp);
    Ok(())
}

/// `RET`: drops the frame and pushes `v` for the caller, or hands it out
/// when the outermost frame returns.
fn ret<'p>(stack: &mut Vec<Value>, frames: &mut Frames<'p>, cur: &mut Cursor<'p>, v: Value) -> Option<Value> {
    stack.truncate(cur.bp);
    match frames.saved.pop() {
        None => Some(v),
        Some(caller) => {
            *cur = caller;
            stack.push(v);
            None
        }
    }
}
