//! Running JIT code on this machine: the code is copied into a fresh mapping
//! while it is writable, then the mapping is made executable (never both at
//! once), and called through a C function pointer of the right arity.

use dynasmrt::mmap::MutableBuffer;

use super::{compile_code, Target, Unsupported};
use crate::reg::RegFunc;

/// The compiled code's entry point, typed by its arity once at compile time
/// so that a call is one indirect jump, not a dispatch on the argument count.
#[derive(Clone, Copy, Debug)]
enum Entry {
    A0(extern "C" fn() -> f64),
    A1(extern "C" fn(f64) -> f64),
    A2(extern "C" fn(f64, f64) -> f64),
    A3(extern "C" fn(f64, f64, f64) -> f64),
    A4(extern "C" fn(f64, f64, f64, f64) -> f64),
    A5(extern "C" fn(f64, f64, f64, f64, f64) -> f64),
    A6(extern "C" fn(f64, f64, f64, f64, f64, f64) -> f64),
    A7(extern "C" fn(f64, f64, f64, f64, f64, f64, f64) -> f64),
    A8(extern "C" fn(f64, f64, f64, f64, f64, f64, f64, f64) -> f64),
}

impl Entry {
    #[inline(always)]
    fn call(self, args: &[f64]) -> Option<f64> {
        Some(match (self, args) {
            (Entry::A0(f), &[]) => f(),
            (Entry::A1(f), &[a]) => f(a),
            (Entry::A2(f), &[a, b]) => f(a, b),
            (Entry::A3(f), &[a, b, c]) => f(a, b, c),
            (Entry::A4(f), &[a, b, c, d]) => f(a, b, c, d),
            (Entry::A5(f), &[a, b, c, d, e]) => f(a, b, c, d, e),
            (Entry::A6(f), &[a, b, c, d, e, g]) => f(a, b, c, d, e, g),
            (Entry::A7(f), &[a, b, c, d, e, g, h]) => f(a, b, c, d, e, g, h),
            (Entry::A8(f), &[a, b, c, d, e, g, h, i]) => f(a, b, c, d, e, g, h, i),
            _ => return None,
        })
    }
}

/// A `Copy` handle on a [`JitFunc`]'s entry point that cannot outlive it.
#[derive(Clone, Copy, Debug)]
pub struct EntryRef<'a> {
    entry: Entry,
    _code: std::marker::PhantomData<&'a JitFunc>,
}

impl EntryRef<'_> {
    /// Calls the code; `None` if `args` has the wrong length.
    #[inline(always)]
    pub fn call(self, args: &[f64]) -> Option<f64> {
        self.entry.call(args)
    }

    /// Calls the code `n` times in a benchmark loop, with the arity dispatch
    /// hoisted out of it and every argument and result opaque to the
    /// optimiser; returns the last result (`None`: wrong argument count).
    #[inline(never)]
    pub fn call_n(self, args: &[f64], n: u64) -> Option<f64> {
        use std::hint::black_box as bb;
        macro_rules! repeat {
            ($f:expr $(, $a:ident)*) => {{
                let mut r = f64::NAN;
                for _ in 0..n {
                    r = bb($f($(bb(*$a)),*));
                }
                r
            }};
        }
        Some(match (self.entry, args) {
            (Entry::A0(f), []) => repeat!(f),
            (Entry::A1(f), [a]) => repeat!(f, a),
            (Entry::A2(f), [a, b]) => repeat!(f, a, b),
            (Entry::A3(f), [a, b, c]) => repeat!(f, a, b, c),
            (Entry::A4(f), [a, b, c, d]) => repeat!(f, a, b, c, d),
            (Entry::A5(f), [a, b, c, d, e]) => repeat!(f, a, b, c, d, e),
            (Entry::A6(f), [a, b, c, d, e, g]) => repeat!(f, a, b, c, d, e, g),
            (Entry::A7(f), [a, b, c, d, e, g, h]) => repeat!(f, a, b, c, d, e, g, h),
            (Entry::A8(f), [a, b, c, d, e, g, h, i]) => repeat!(f, a, b, c, d, e, g, h, i),
            _ => return None,
        })
    }
}

/// A compiled function, callable from Rust. The entry point borrows the
/// buffer: it is valid only while the `JitFunc` lives, which `entry` ties to `&self`.
/// It owns its code (a dynasm buffer or a Cranelift module), so the entry
/// point lives exactly as long as it.
pub struct JitFunc {
    _code: Box<dyn std::any::Any>,
    entry: Entry,
    len: usize,
}

impl std::fmt::Debug for JitFunc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JitFunc({} bytes, {:?})", self.len, self.entry)
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
        // SAFETY: `p` points at code that `compile_code` produced for this
        // machine from a numeric function of `f.nparams` parameters: it takes
        // exactly that many doubles in the C calling convention, returns a
        // double, touches no memory and keeps every callee-saved register.
        // The buffer is executable (never writable again) and moves into the
        // `JitFunc` with the entry point.
        unsafe { JitFunc::from_raw(p, f.nparams, code.len(), Box::new(buf)) }
    }

    /// Wraps native code at `p` owned by `owner`.
    ///
    /// # Safety
    /// `p` must be a function `extern "C" fn(f64 × nparams) -> f64` that stays
    /// valid while `owner` lives and has no other effect than computing its
    /// result.
    pub(crate) unsafe fn from_raw(
        p: *const u8,
        nparams: usize,
        len: usize,
        owner: Box<dyn std::any::Any>,
    ) -> Result<JitFunc, Unsupported> {
        // SAFETY: the caller guarantees the signature; each arm gives the
        // pointer exactly that many f64 parameters.
        let entry = unsafe {
            use std::mem::transmute as t;
            match nparams {
                0 => Entry::A0(t::<*const u8, _>(p)),
                1 => Entry::A1(t::<*const u8, _>(p)),
                2 => Entry::A2(t::<*const u8, _>(p)),
                3 => Entry::A3(t::<*const u8, _>(p)),
                4 => Entry::A4(t::<*const u8, _>(p)),
                5 => Entry::A5(t::<*const u8, _>(p)),
                6 => Entry::A6(t::<*const u8, _>(p)),
                7 => Entry::A7(t::<*const u8, _>(p)),
                8 => Entry::A8(t::<*const u8, _>(p)),
                n => return Err(Unsupported::TooManyParams(n)),
            }
        };
        Ok(JitFunc {
            _code: owner,
            entry,
            len,
        })
    }

    pub fn code_len(&self) -> usize {
        self.len
    }

    /// The typed entry point, borrowed: for loops that call it many times.
    pub fn entry(&self) -> EntryRef<'_> {
        EntryRef {
            entry: self.entry,
            _code: std::marker::PhantomData,
        }
    }

    /// Calls the compiled code; `None` if `args` has the wrong length.
    #[inline]
    pub fn call(&self, args: &[f64]) -> Option<f64> {
        self.entry.call(args)
    }
}
