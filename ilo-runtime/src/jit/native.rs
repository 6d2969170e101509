//! Running JIT code on this machine: the code is copied into a fresh mapping
//! while it is writable, then the mapping is made executable (never both at
//! once), and called through its entry (`abi::Entry`) on a stack deep
//! enough for every call level the depth limit allows.

use dynasmrt::mmap::MutableBuffer;

use super::abi::{Ctx, Entry, Status};
use super::bridge::Bridge;
use super::{compile_code, Target, Unsupported};
use crate::error::{Limits, RtError};
use crate::reg::{RegFunc, RegProgram};
use crate::value::Value;

/// A `Copy` handle on a [`JitFunc`]'s entry point that cannot outlive it.
#[derive(Clone, Copy, Debug)]
pub struct EntryRef<'a> {
    entry: Entry,
    nparams: usize,
    _code: std::marker::PhantomData<&'a JitFunc>,
}

impl EntryRef<'_> {
    /// Runs the code on `args` (a value's bits each) within `ctx`'s limits:
    /// the status and the result's bits; `None` if `args` has the wrong length.
    #[inline(always)]
    pub fn call_bits(self, ctx: &mut Ctx, args: &[u64]) -> Option<(u32, u64)> {
        if args.len() != self.nparams {
            return None;
        }
        // SAFETY: the entry is a unit's `u32 entry(Ctx *, const u64 *)`
        // (see `abi.rs`), reading `nparams` argument words and writing only
        // the context; the code lives while `self` borrows its `JitFunc`.
        let status = unsafe { (self.entry)(ctx, args.as_ptr()) };
        Some((status, ctx.result))
    }

    /// Calls the code `n` times with no limits in a benchmark loop, every
    /// argument and result opaque to the optimiser; returns the last result
    /// (`None`: wrong argument count or an error exit).
    #[inline(never)]
    pub fn call_n(self, args: &[u64], n: u64, bridge: *mut std::ffi::c_void) -> Option<u64> {
        use std::hint::black_box as bb;
        let mut last = None;
        for _ in 0..n {
            let mut ctx = Ctx::unlimited();
            ctx.bridge = bridge;
            last = match self.call_bits(bb(&mut ctx), bb(args))? {
                (0, r) => Some(bb(r)),
                _ => None,
            };
        }
        last
    }
}

/// A compiled function, callable from Rust. The entry point borrows the
/// buffer: it is valid only while the `JitFunc` lives, which `entry` ties to `&self`.
/// It owns its code (a dynasm buffer or a Cranelift module), so the entry
/// point lives exactly as long as it.
pub struct JitFunc {
    _code: Box<dyn std::any::Any>,
    entry: Entry,
    nparams: usize,
    len: usize,
    /// Most native stack one call level of the unit takes, in bytes.
    frame_bound: usize,
}

impl std::fmt::Debug for JitFunc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JitFunc({} bytes, {} parameters)", self.len, self.nparams)
    }
}

impl Ctx {
    /// A run with no step limit and no depth limit.
    pub fn unlimited() -> Ctx {
        Ctx {
            steps_left: u64::MAX,
            depth_left: u64::MAX,
            result: 0,
            bridge: std::ptr::null_mut(),
        }
    }

    /// A run under `limits`, whose outermost call is the root's entry.
    pub fn within(limits: &Limits) -> Ctx {
        Ctx {
            steps_left: limits.max_steps.unwrap_or(u64::MAX),
            depth_left: limits.max_depth as u64,
            result: 0,
            bridge: std::ptr::null_mut(),
        }
    }
}

/// The target the native JIT emits for, if this machine can run it.
pub fn host_target() -> Result<Target, Unsupported> {
    let target = Target::host().ok_or(Unsupported::MissingCpuFeature("a JIT backend for this architecture"))?;
    #[cfg(target_arch = "x86_64")]
    if !std::arch::is_x86_feature_detected!("avx") {
        return Err(Unsupported::MissingCpuFeature("AVX"));
    }
    Ok(target)
}

impl JitFunc {
    /// Compiles `funcs[root]`, and every function it calls, for this machine.
    pub fn compile(funcs: &[RegFunc], root: usize) -> Result<JitFunc, Unsupported> {
        let f = funcs.get(root).ok_or(Unsupported::Opcode(crate::isa::rop::CALL))?;
        let code = compile_code(funcs, root, host_target()?)?;
        let mut buf = MutableBuffer::new(code.len().max(1)).map_err(|e| Unsupported::Assembler(e.to_string()))?;
        buf.set_len(code.len());
        buf[..code.len()].copy_from_slice(&code);
        let buf = buf.make_exec().map_err(|e| Unsupported::Assembler(e.to_string()))?;
        let p = buf.ptr(dynasmrt::AssemblyOffset(0));
        // SAFETY: `p` points at the entry that `compile_code` put at offset
        // 0 of code for this machine: `abi::Entry` for a function of
        // `f.nparams` parameters, touching no memory but the context and
        // the arguments, keeping every callee-saved register.
        // The buffer is executable (never writable again) and moves into the
        // `JitFunc` with the entry point.
        let frame_bound = unit_frame_bound(funcs, root, |f| 8 * f.nregs + 48);
        unsafe { JitFunc::from_raw(p, f.nparams, code.len(), frame_bound, Box::new(buf)) }
    }

    /// Wraps native code at `p` owned by `owner`.
    ///
    /// # Safety
    /// `p` must be a function [`Entry`] running a function of `nparams`
    /// parameters, that stays valid while `owner` lives and has no other
    /// effect than computing its result into the context.
    pub(crate) unsafe fn from_raw(
        p: *const u8,
        nparams: usize,
        len: usize,
        frame_bound: usize,
        owner: Box<dyn std::any::Any>,
    ) -> Result<JitFunc, Unsupported> {
        if nparams > super::MAX_PARAMS {
            return Err(Unsupported::TooManyParams(nparams));
        }
        // SAFETY: the caller guarantees the signature.
        let entry = unsafe { std::mem::transmute::<*const u8, Entry>(p) };
        Ok(JitFunc {
            _code: owner,
            entry,
            nparams,
            len,
            frame_bound,
        })
    }

    pub fn code_len(&self) -> usize {
        self.len
    }

    /// The entry point, borrowed: for loops that call it many times.
    pub fn entry(&self) -> EntryRef<'_> {
        EntryRef {
            entry: self.entry,
            nparams: self.nparams,
            _code: std::marker::PhantomData,
        }
    }

    /// Native stack a run under `limits` may take: every call level the
    /// depth limit allows, at the unit's largest frame.
    pub fn stack_needed(&self, limits: &Limits) -> usize {
        (limits.max_depth.saturating_add(1)).saturating_mul(self.frame_bound)
    }

    /// Runs `run` where `need` bytes of native stack are free: here when
    /// that is little, else on a thread with a stack that big while this
    /// one waits (so recursion ends at the depth limit, never in a crash).
    pub fn with_stack<T: Send>(need: usize, run: impl FnOnce() -> T + Send) -> Option<T> {
        if need <= crate::vm_support::FIRST_SEGMENT_BUDGET {
            return Some(run());
        }
        crate::vm_support::segment::on_stack("ilo-jit", need + (1 << 20), run).ok()
    }

    /// Runs the code on `args` under `limits`: the result, or the `ILO-R`
    /// error the register VM gives when a limit stops the same call. `prog`
    /// is the program the code was compiled from, for the functions it
    /// calls on the register VM (without it such a call fails).
    pub fn run(&self, prog: Option<&RegProgram>, args: &[Value], limits: &Limits) -> Result<Value, RtError> {
        let bits: Vec<u64> = args.iter().map(|v| v.bits()).collect();
        // The entry point alone crosses to the stack's thread; `self`,
        // which owns the code, outlives the scoped thread.
        let (entry, nparams) = (self.entry, self.nparams);
        let mut bridge = prog.map(|p| Bridge::new(p, *limits));
        let outcome = JitFunc::with_stack(self.stack_needed(limits), || {
            let mut ctx = Ctx::within(limits);
            if let Some(b) = bridge.as_mut() {
                ctx.bridge = b.as_ctx_ptr();
            }
            let handle = EntryRef {
                entry,
                nparams,
                _code: std::marker::PhantomData,
            };
            handle.call_bits(&mut ctx, &bits)
        })
        .ok_or_else(|| RtError::internal("no thread for the compiled code's stack"))?;
        match outcome {
            // A callee on the register VM failed: its own error.
            Some((status, _)) if status == Status::Vm as u32 => Err(bridge
                .and_then(|b| b.error)
                .unwrap_or_else(|| RtError::internal("compiled code called the register VM without a program"))),
            Some((status, result)) => super::abi::outcome(status, result, limits),
            None => Err(RtError::internal(format!(
                "compiled code takes {} arguments, not {}",
                self.nparams,
                args.len()
            ))),
        }
    }

    /// Calls the code `n` times with no limits (what `EntryRef::call_n`
    /// does), with a bridge to the register VM for the functions it calls
    /// there; the last result.
    pub fn bench(&self, prog: &RegProgram, args: &[u64], n: u64) -> Option<u64> {
        let mut bridge = Bridge::new(prog, Limits::default());
        self.entry().call_n(args, n, bridge.as_ctx_ptr())
    }

    /// Runs the numbers `args` with no limits: the result as a number, for
    /// tests; `None` on a wrong argument count or an error exit.
    pub fn call(&self, args: &[f64]) -> Option<f64> {
        let bits: Vec<u64> = args.iter().map(|x| x.to_bits()).collect();
        match self.entry().call_bits(&mut Ctx::unlimited(), &bits)? {
            (0, r) => Some(f64::from_bits(r)),
            _ => None,
        }
    }
}

/// The largest of `frame(f)` over the functions `root` reaches.
pub(crate) fn unit_frame_bound(funcs: &[RegFunc], root: usize, frame: impl Fn(&RegFunc) -> usize) -> usize {
    super::call_unit(funcs, root)
        .unwrap_or_default()
        .iter()
        .filter_map(|&i| funcs.get(i))
        .map(frame)
        .max()
        .unwrap_or(0)
}
