//! Trampolines from compiled code into the register VM: a compiled
//! function may call a function the JIT cannot take (one using texts,
//! lists or builtins inside) as long as it takes and returns numbers and
//! booleans, so no heap value crosses. The call lands on a stub (per
//! backend) that calls [`ilo_call_vm`], which runs the callee on a register
//! VM with the run's remaining steps and depth and hands back its result
//! and status.

use std::ffi::c_void;

use super::abi::{Ctx, Status};
use crate::codes::runtime;
use crate::error::{Limits, RtError};
use crate::reg::{RegProgram, RegVm};
use crate::value::Value;

/// What a trampoline needs to run a callee: the program, a VM (reused by
/// every trampoline call of a run), the run's limits, and the error of a
/// callee that failed for another reason than a limit.
pub struct Bridge<'p> {
    prog: &'p RegProgram,
    vm: RegVm,
    limits: Limits,
    pub(crate) error: Option<RtError>,
}

impl<'p> Bridge<'p> {
    pub fn new(prog: &'p RegProgram, limits: Limits) -> Bridge<'p> {
        Bridge {
            prog,
            vm: RegVm::new(limits),
            limits,
            error: None,
        }
    }

    /// The pointer compiled code passes back to [`ilo_call_vm`].
    pub(crate) fn as_ctx_ptr(&mut self) -> *mut c_void {
        (self as *mut Bridge<'p>).cast()
    }

    /// Runs `func` on the VM within the steps and depth left in `ctx`,
    /// taking what it used from them: its result, or the status to end with.
    fn call(&mut self, ctx: &mut Ctx, func: u32, args: &[u64]) -> Result<u64, Status> {
        // The callee's entry takes a level and a step, as a compiled
        // callee's would; the VM counts both from what is left.
        self.vm.limits = Limits {
            max_depth: usize::try_from(ctx.depth_left).unwrap_or(usize::MAX),
            max_steps: Some(ctx.steps_left),
            ..self.limits
        };
        let vals: Vec<Value> = args.iter().map(|&b| Value::from_bits(b)).collect();
        let result = self.vm.call(self.prog, func, &vals);
        ctx.steps_left = ctx.steps_left.saturating_sub(self.vm.steps_used);
        match result {
            Ok(v) if v.is_immediate() => Ok(v.bits()),
            Ok(_) => {
                self.error = Some(RtError::internal(
                    "a function called from compiled code returned a heap value",
                ));
                Err(Status::Vm)
            }
            // The limits were the run's, counted from what was left: the
            // engine reports them with the run's own figures.
            Err(e) if e.code == runtime::DEPTH => Err(Status::Depth),
            Err(e) if e.code == runtime::STEPS => Err(Status::Steps),
            Err(e) => {
                self.error = Some(e);
                Err(Status::Vm)
            }
        }
    }
}

/// `u32 ilo_call_vm(Ctx *ctx, u32 func, const u64 *args, u64 *result)`:
/// what a trampoline stub calls.
///
/// # Safety
/// Called only by compiled code: `ctx` is the run's context, whose
/// `bridge` is null or a live [`Bridge`]; `args` holds the callee's
/// arguments and `result` one word.
pub(crate) unsafe extern "C" fn ilo_call_vm(ctx: *mut Ctx, func: u32, args: *const u64, result: *mut u64) -> u32 {
    // A panic must not unwind into compiled code.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: per this function's contract.
        let ctx = unsafe { &mut *ctx };
        let bridge = ctx.bridge.cast::<Bridge<'_>>();
        if bridge.is_null() {
            return Status::Vm as u32;
        }
        // SAFETY: a non-null bridge is live for the run (`JitFunc::run`).
        let bridge = unsafe { &mut *bridge };
        let nparams = bridge.prog.funcs.get(func as usize).map_or(0, |f| f.nparams);
        // SAFETY: the stub passes the callee's `nparams` arguments.
        let args = unsafe { std::slice::from_raw_parts(args, nparams) };
        match bridge.call(ctx, func, args) {
            Ok(bits) => {
                // SAFETY: the stub's result word.
                unsafe { *result = bits };
                Status::Ok as u32
            }
            Err(status) => status as u32,
        }
    }));
    outcome.unwrap_or(Status::Vm as u32)
}
