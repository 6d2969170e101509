//! The register VM's run state and frame handling. The dispatch loop is
//! generated (`cargo run -p ilo-gen -- print reg_vm.rs`).

use super::compile::{RegFunc, RegProgram};
use crate::error::{Limits, RtError};
use crate::heap::Heap;
use crate::isa::rop;
use crate::ops;
use crate::value::Value;

include!(concat!(env!("OUT_DIR"), "/reg_vm.rs"));

/// Where execution is in the current function.
#[derive(Clone, Copy)]
pub(crate) struct Cursor<'p> {
    pub code: &'p [u32],
    pub consts: &'p [Value],
    pub pc: usize,
    /// Index of the frame's r0 in the register file.
    pub base: usize,
}

impl<'p> Cursor<'p> {
    fn enter(f: &'p RegFunc, base: usize) -> Cursor<'p> {
        Cursor {
            code: &f.code,
            consts: &f.consts,
            pc: 0,
            base,
        }
    }
}

/// Saved callers, with the limits the calls count against.
pub(crate) struct Frames<'p> {
    saved: Vec<Cursor<'p>>,
    limits: Limits,
    steps: u64,
}

/// The register file, heap and frame stack. Keeping one `RegVm` across calls
/// (layer 4) skips allocating them on every call.
#[derive(Default)]
pub struct RegVm {
    regs: Vec<Value>,
    pub heap: Heap,
    pub limits: Limits,
}

impl RegVm {
    pub fn new(limits: Limits) -> RegVm {
        RegVm {
            regs: Vec::with_capacity(256),
            heap: Heap::default(),
            limits,
        }
    }

    /// Calls function `func` of `prog` with `args`.
    pub fn call(&mut self, prog: &RegProgram, func: u32, args: &[Value]) -> Result<Value, RtError> {
        let f = prog
            .funcs
            .get(func as usize)
            .ok_or_else(|| RtError::internal("no such function"))?;
        if args.len() != f.nparams {
            return Err(RtError::internal(format!("`{}` takes {} arguments", f.name, f.nparams)));
        }
        if self.regs.len() < f.nregs {
            self.regs.resize(f.nregs, Value::NIL);
        }
        self.regs[..args.len()].copy_from_slice(args);
        let mut frames = Frames {
            saved: Vec::new(),
            limits: self.limits,
            steps: 0,
        };
        run_loop(prog, &mut self.regs, &mut self.heap, &mut frames, Cursor::enter(f, 0))
    }
}

/// `CALL A Bx`: the arguments are in A, A+1, …, which become the callee's r0….
fn call<'p>(
    prog: &'p RegProgram,
    regs: &mut Vec<Value>,
    frames: &mut Frames<'p>,
    cur: &mut Cursor<'p>,
    a: usize,
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
    let base = cur.base + a;
    if regs.len() < base + f.nregs {
        regs.resize(base + f.nregs, Value::NIL);
    }
    frames.saved.push(*cur);
    *cur = Cursor::enter(f, base);
    Ok(())
}

/// `RET A`: the result goes to the callee's r0, which is the caller's call
/// register; the outermost frame hands it out instead.
fn ret<'p>(regs: &mut [Value], frames: &mut Frames<'p>, cur: &mut Cursor<'p>, v: Value) -> Option<Value> {
    match frames.saved.pop() {
        None => Some(v),
        Some(caller) => {
            regs[cur.base] = v;
            *cur = caller;
            None
        }
    }
}
