//! Running JIT code on this machine: the code is copied into a fresh mapping
//! while it is writable, then the mapping is made executable (never both at
//! once), and called through a C function pointer of the right arity.

use dynasmrt::mmap::{ExecutableBuffer, MutableBuffer};

use super::{compile_code, Target, Unsupported};
use crate::reg::RegFunc;

/// A compiled function, callable from Rust.
pub struct JitFunc {
    buf: ExecutableBuffer,
    arity: usize,
    len: usize,
}

impl std::fmt::Debug for JitFunc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JitFunc({} bytes, {} params)", self.len, self.arity)
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
    /// Compiles `f` for this machine.
    pub fn compile(f: &RegFunc) -> Result<JitFunc, Unsupported> {
        let code = compile_code(f, host_target()?)?;
        let mut buf = MutableBuffer::new(code.len().max(1)).map_err(|e| Unsupported::Assembler(e.to_string()))?;
        buf.set_len(code.len());
        buf[..code.len()].copy_from_slice(&code);
        let buf = buf.make_exec().map_err(|e| Unsupported::Assembler(e.to_string()))?;
        Ok(JitFunc {
            buf,
            arity: f.nparams,
            len: code.len(),
        })
    }

    pub fn arity(&self) -> usize {
        self.arity
    }

    pub fn code_len(&self) -> usize {
        self.len
    }

    /// Calls the compiled code; `None` if `args` has the wrong length.
    #[inline]
    pub fn call(&self, args: &[f64]) -> Option<f64> {
        if args.len() != self.arity {
            return None;
        }
        let p = self.buf.ptr(dynasmrt::AssemblyOffset(0));
        // SAFETY: `p` points at code that `compile_code` produced for this
        // machine from a numeric function of `self.arity` parameters: it takes
        // exactly that many doubles in the C calling convention, returns a
        // double, touches no memory and keeps every callee-saved register. The
        // buffer is executable and lives as long as `self`.
        unsafe {
            Some(match *args {
                [] => std::mem::transmute::<*const u8, extern "C" fn() -> f64>(p)(),
                [a] => std::mem::transmute::<*const u8, extern "C" fn(f64) -> f64>(p)(a),
                [a, b] => std::mem::transmute::<*const u8, extern "C" fn(f64, f64) -> f64>(p)(a, b),
                [a, b, c] => std::mem::transmute::<*const u8, extern "C" fn(f64, f64, f64) -> f64>(p)(a, b, c),
                [a, b, c, d] => {
                    std::mem::transmute::<*const u8, extern "C" fn(f64, f64, f64, f64) -> f64>(p)(a, b, c, d)
                }
                [a, b, c, d, e] => {
                    std::mem::transmute::<*const u8, extern "C" fn(f64, f64, f64, f64, f64) -> f64>(p)(a, b, c, d, e)
                }
                [a, b, c, d, e, f] => std::mem::transmute::<
                    *const u8,
                    extern "C" fn(f64, f64, f64, f64, f64, f64) -> f64,
                >(p)(a, b, c, d, e, f),
                [a, b, c, d, e, f, g] => std::mem::transmute::<
                    *const u8,
                    extern "C" fn(f64, f64, f64, f64, f64, f64, f64) -> f64,
                >(p)(a, b, c, d, e, f, g),
                [a, b, c, d, e, f, g, h] => std::mem::transmute::<
                    *const u8,
                    extern "C" fn(f64, f64, f64, f64, f64, f64, f64, f64) -> f64,
                >(p)(a, b, c, d, e, f, g, h),
                _ => return None,
            })
        }
    }

    /// The three-argument entry point, for benchmarks that call in a loop.
    pub fn as_fn3(&self) -> Option<extern "C" fn(f64, f64, f64) -> f64> {
        if self.arity != 3 {
            return None;
        }
        // SAFETY: as in `call`, for a function of exactly three parameters.
        Some(unsafe {
            std::mem::transmute::<*const u8, extern "C" fn(f64, f64, f64) -> f64>(
                self.buf.ptr(dynasmrt::AssemblyOffset(0)),
            )
        })
    }
}
