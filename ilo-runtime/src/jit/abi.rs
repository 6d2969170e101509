//! The calling-convention code of a `CALL` whose length depends on the
//! function: its float registers saved around the call (all are
//! caller-saved, as VM registers live in them) and the arguments moved into
//! the argument registers. The `CALL` templates in isa/register.toml call
//! these as `@save_live`, `@load_args(a, bx)` and `@restore_live`.

/// Bytes of the save area for `nregs` registers plus `extra` bytes, rounded
/// up to 16.
fn save_area(nregs: usize, extra: usize) -> usize {
    (8 * nregs + extra).div_ceil(16) * 16
}

// dynasm's expansion converts register numbers to their own type.
#[allow(clippy::useless_conversion, clippy::unnecessary_operation, clippy::no_effect)]
pub(crate) mod x86_64 {
    use dynasmrt::{dynasm, DynasmApi};

    use super::super::{x86_64::Asm, LowerCx, Unsupported};

    /// At entry rsp is 8 past a 16-byte boundary (the return address), so
    /// the frame is 8 past one too and the call site stays aligned.
    fn frame(cx: &LowerCx<'_>) -> i32 {
        (super::save_area(cx.nregs, 0) + 8) as i32
    }

    pub(crate) fn save_live(ops: &mut Asm, cx: &LowerCx<'_>) -> Result<(), Unsupported> {
        dynasm!(ops ; .arch x64 ; sub rsp, frame(cx));
        for r in 0..cx.nregs {
            let x = cx.float_reg(r)?;
            dynasm!(ops ; .arch x64 ; vmovsd QWORD [rsp + 8 * r as i32], Rx(x));
        }
        Ok(())
    }

    /// The callee's arguments, VM registers `a`…, from the save area into
    /// xmm0….
    pub(crate) fn load_args(ops: &mut Asm, cx: &LowerCx<'_>, a: usize, func: usize) -> Result<(), Unsupported> {
        for j in 0..cx.nparams(func)? {
            let x = cx.float_reg(j)?;
            dynasm!(ops ; .arch x64 ; vmovsd Rx(x), QWORD [rsp + 8 * (a + j) as i32]);
        }
        Ok(())
    }

    pub(crate) fn restore_live(ops: &mut Asm, cx: &LowerCx<'_>) -> Result<(), Unsupported> {
        for r in 0..cx.nregs {
            let x = cx.float_reg(r)?;
            dynasm!(ops ; .arch x64 ; vmovsd Rx(x), QWORD [rsp + 8 * r as i32]);
        }
        dynasm!(ops ; .arch x64 ; add rsp, frame(cx));
        Ok(())
    }
}

#[allow(clippy::useless_conversion, clippy::unnecessary_operation, clippy::no_effect)]
pub(crate) mod aarch64 {
    use dynasmrt::{dynasm, DynasmApi};

    use super::super::{aarch64::Asm, LowerCx, Unsupported};

    /// The registers and the link register x30 (the call overwrites it);
    /// sp stays 16-byte aligned.
    fn frame(cx: &LowerCx<'_>) -> u32 {
        super::save_area(cx.nregs, 8) as u32
    }

    pub(crate) fn save_live(ops: &mut Asm, cx: &LowerCx<'_>) -> Result<(), Unsupported> {
        dynasm!(ops ; .arch aarch64 ; sub sp, sp, frame(cx));
        for r in 0..cx.nregs {
            let d = cx.float_reg(r)?;
            dynasm!(ops ; .arch aarch64 ; str D(d), [sp, (8 * r) as u32]);
        }
        dynasm!(ops ; .arch aarch64 ; str x30, [sp, (8 * cx.nregs) as u32]);
        Ok(())
    }

    /// The callee's arguments, VM registers `a`…, from the save area into
    /// d0….
    pub(crate) fn load_args(ops: &mut Asm, cx: &LowerCx<'_>, a: usize, func: usize) -> Result<(), Unsupported> {
        for j in 0..cx.nparams(func)? {
            let d = cx.float_reg(j)?;
            dynasm!(ops ; .arch aarch64 ; ldr D(d), [sp, (8 * (a + j)) as u32]);
        }
        Ok(())
    }

    pub(crate) fn restore_live(ops: &mut Asm, cx: &LowerCx<'_>) -> Result<(), Unsupported> {
        for r in 0..cx.nregs {
            let d = cx.float_reg(r)?;
            dynasm!(ops ; .arch aarch64 ; ldr D(d), [sp, (8 * r) as u32]);
        }
        dynasm!(ops ; .arch aarch64 ; ldr x30, [sp, (8 * cx.nregs) as u32] ; add sp, sp, frame(cx));
        Ok(())
    }
}
