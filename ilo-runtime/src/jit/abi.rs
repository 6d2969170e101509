//! The calling convention of compiled code, and the code of it whose length
//! depends on the function (the `@helper` items of isa/register.toml's
//! templates: `@save_live`, `@load_args(a, bx)`, `@restore_live`,
//! `@unwind_on_error`, `@tick`, `@leave`).
//!
//! Compiled functions call each other directly: arguments in the first
//! float registers, the result in the first, and a [`Status`] in eax / w0
//! (0: the result is good; else an error exit, which every caller passes
//! straight up). For the whole run three registers that C functions also
//! preserve hold its state: the [`Ctx`] pointer (rbx / x19), the steps left
//! (r12 / x20) and the call depth left (r13 / x21). A function's entry
//! takes a call level and a step, as the register VM's call does (its
//! check of the depth first); a loop's back-edge (`@tick`) takes a step.
//!
//! A unit's code starts with [`Entry`]: a C function that loads the state
//! from the context and the arguments from an array, calls the root
//! function, and stores the state and the result back.

/// What compiled code reads and writes of a run: the limits left, and the
/// result. Field offsets are part of the convention (the entry code reads
/// them at 0, 8 and 16).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ctx {
    /// Steps the run may still take (`u64::MAX`: no `--max-steps`).
    pub steps_left: u64,
    /// Calls that may still nest (the depth limit minus the depth).
    pub depth_left: u64,
    /// The root function's result, as a value's bits.
    pub result: u64,
    /// The run's `bridge::Bridge` for trampolines into the register VM
    /// (null: there is none).
    pub bridge: *mut std::ffi::c_void,
}

/// How a run of compiled code ended: the entry's return value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Status {
    Ok = 0,
    /// A step past `--max-steps`.
    Steps = 1,
    /// A call past the depth limit.
    Depth = 2,
    /// A function run on the register VM through a trampoline failed; the
    /// run's `Bridge` holds the error.
    Vm = 3,
}

impl Status {
    pub fn from_u32(s: u32) -> Option<Status> {
        match s {
            0 => Some(Status::Ok),
            1 => Some(Status::Steps),
            2 => Some(Status::Depth),
            3 => Some(Status::Vm),
            _ => None,
        }
    }
}

/// What a run that ended with `status` and result bits `result` gives under
/// `limits`: the value, or the `ILO-R` error the register VM gives when a
/// limit stops the same call.
pub fn outcome(
    status: u32,
    result: u64,
    limits: &crate::error::Limits,
) -> Result<crate::value::Value, crate::error::RtError> {
    use crate::error::RtError;
    match Status::from_u32(status) {
        Some(Status::Ok) => Ok(crate::value::Value::from_bits(result)),
        Some(Status::Steps) => Err(RtError::steps(limits.max_steps.unwrap_or(u64::MAX))),
        Some(Status::Depth) => Err(RtError::depth(limits.max_depth)),
        Some(Status::Vm) => Err(RtError::internal(
            "a function called from compiled code failed on the register VM",
        )),
        None => Err(RtError::internal(format!("compiled code ended with status {status}"))),
    }
}

/// `u32 entry(Ctx *ctx, const u64 *args)`: the C signature of a unit's
/// code at offset 0.
pub type Entry = unsafe extern "C" fn(*mut Ctx, *const u64) -> u32;

// dynasm's expansion converts register numbers to their own type.
#[allow(clippy::useless_conversion, clippy::unnecessary_operation, clippy::no_effect)]
pub(crate) mod x86_64 {
    use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};

    use super::super::{x86_64::Asm, LowerCx, Place, Unsupported};
    use super::Status;

    /// VM register `r` for reading as operand `temp` (a 0, b 1, c 2): its
    /// float register, or a temp loaded from its slot.
    pub(crate) fn read_reg(
        ops: &mut Asm,
        cx: &LowerCx<'_>,
        _pc: usize,
        r: usize,
        temp: usize,
    ) -> Result<u8, Unsupported> {
        match cx.place(r)? {
            Place::Reg(x) => Ok(x),
            Place::Slot(off) => {
                let t = cx.dst_reg(r, temp)?;
                dynasm!(ops ; .arch x64 ; vmovsd Rx(t), QWORD [rsp + off as i32]);
                Ok(t)
            }
        }
    }

    /// After an op wrote VM register `r` in float register `x`: a spilled
    /// register goes back to its slot.
    pub(crate) fn write_reg(ops: &mut Asm, cx: &LowerCx<'_>, _pc: usize, r: usize, x: u8) -> Result<(), Unsupported> {
        if let Place::Slot(off) = cx.place(r)? {
            dynasm!(ops ; .arch x64 ; vmovsd QWORD [rsp + off as i32], Rx(x));
        }
        Ok(())
    }

    /// `@write_back(a)` inside a template that jumps after writing operand
    /// `a` (as `FORSTEP`'s counter).
    pub(crate) fn write_back(ops: &mut Asm, cx: &LowerCx<'_>, pc: usize, r: usize) -> Result<(), Unsupported> {
        let x = cx.dst_reg(r, 0)?;
        write_reg(ops, cx, pc, r, x)
    }

    /// The spill slots, after the entry's checks.
    pub(crate) fn open_frame(ops: &mut Asm, frame: usize) {
        dynasm!(ops ; .arch x64 ; sub rsp, frame as i32);
    }

    /// Multi-byte no-ops (the forms the Intel and AMD optimisation manuals
    /// give) up to the next 16-byte boundary.
    pub(crate) fn align_loop(ops: &mut Asm) {
        const NOPS: [&[u8]; 9] = [
            &[0x90],
            &[0x66, 0x90],
            &[0x0f, 0x1f, 0x00],
            &[0x0f, 0x1f, 0x40, 0x00],
            &[0x0f, 0x1f, 0x44, 0x00, 0x00],
            &[0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
            &[0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
            &[0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
            &[0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
        ];
        let mut gap = (16 - ops.offset().0 % 16) % 16;
        while gap > 0 {
            let nop = NOPS[gap.min(NOPS.len()) - 1];
            ops.extend(nop.iter().copied());
            gap -= nop.len();
        }
    }

    /// A function's constant pool, after its code: 8-byte aligned words.
    pub(crate) fn pool(ops: &mut Asm, entries: &[(DynamicLabel, i64)]) {
        dynasm!(ops ; .arch x64 ; .align 8);
        for &(label, bits) in entries {
            dynasm!(ops ; .arch x64 ; =>label ; .i64 bits);
        }
    }

    /// Before a call at `pc` whose result goes to `a`: the registers read
    /// after it to their homes in the frame, those not there already.
    pub(crate) fn save_live(ops: &mut Asm, cx: &LowerCx<'_>, pc: usize, a: usize) -> Result<(), Unsupported> {
        for r in cx.to_store(pc, a) {
            let (x, home) = (cx.float_reg(r)?, cx.home(r)? as i32);
            dynasm!(ops ; .arch x64 ; vmovsd QWORD [rsp + home], Rx(x));
        }
        Ok(())
    }

    /// The callee's arguments, VM registers `a`…, into xmm0…: in rising
    /// order, each source (`a + j`) is at or above its destination (`j`),
    /// so no move overwrites an argument still to move.
    pub(crate) fn load_args(
        ops: &mut Asm,
        cx: &LowerCx<'_>,
        _pc: usize,
        a: usize,
        func: usize,
    ) -> Result<(), Unsupported> {
        for j in 0..cx.nparams(func)? {
            let to = cx.float_reg(j)?;
            match cx.place(a + j)? {
                Place::Reg(from) if from == to => {}
                Place::Reg(from) => dynasm!(ops ; .arch x64 ; vmovapd Rx(to), Rx(from)),
                Place::Slot(off) => dynasm!(ops ; .arch x64 ; vmovsd Rx(to), QWORD [rsp + off as i32]),
            }
        }
        Ok(())
    }

    /// After the call: the registers read after it back from their homes.
    pub(crate) fn restore_live(ops: &mut Asm, cx: &LowerCx<'_>, pc: usize, a: usize) -> Result<(), Unsupported> {
        for r in cx.saved_across(pc, a) {
            let (x, home) = (cx.float_reg(r)?, cx.home(r)? as i32);
            dynasm!(ops ; .arch x64 ; vmovsd Rx(x), QWORD [rsp + home]);
        }
        Ok(())
    }

    /// After a call: an error status leaves by the function's exit, which
    /// drops its frame, and returns it.
    pub(crate) fn unwind_on_error(ops: &mut Asm, cx: &LowerCx<'_>, _pc: usize, _a: usize) -> Result<(), Unsupported> {
        dynasm!(ops ; .arch x64 ; test eax, eax ; jnz =>cx.exits.pass);
        Ok(())
    }

    /// A step (a loop's back-edge): none left is the step error.
    pub(crate) fn tick(ops: &mut Asm, cx: &LowerCx<'_>, _pc: usize) -> Result<(), Unsupported> {
        dynasm!(ops ; .arch x64 ; sub r12, 1 ; jc =>cx.exits.steps);
        Ok(())
    }

    /// A loop's back-edge to `target`: a step, and the jump back in the
    /// same branch (none left falls through to the step error).
    pub(crate) fn tick_and_jump(
        ops: &mut Asm,
        cx: &LowerCx<'_>,
        _pc: usize,
        target: DynamicLabel,
    ) -> Result<(), Unsupported> {
        dynasm!(ops ; .arch x64 ; sub r12, 1 ; jnc =>target ; jmp =>cx.exits.steps);
        Ok(())
    }

    /// Before a return: the frame and the call level back, status 0.
    pub(crate) fn leave(ops: &mut Asm, cx: &LowerCx<'_>, _pc: usize) -> Result<(), Unsupported> {
        if cx.frame() > 0 {
            dynasm!(ops ; .arch x64 ; add rsp, cx.frame() as i32);
        }
        dynasm!(ops ; .arch x64 ; add r13, 1 ; xor eax, eax);
        Ok(())
    }

    /// `calls` inlined leaves' entries: a call level is left (none is
    /// taken: a leaf calls nothing), then a step each.
    pub(crate) fn enter_leaf(ops: &mut Asm, cx: &LowerCx<'_>, _pc: usize, calls: usize) -> Result<(), Unsupported> {
        let calls = i32::try_from(calls).map_err(|_| Unsupported::Opcode(crate::isa::rop::ENTERL))?;
        dynasm!(ops ; .arch x64 ; test r13, r13 ; jz =>cx.exits.depth);
        // The short encoding for the usual single entry.
        if calls == 1 {
            dynasm!(ops ; .arch x64 ; sub r12, 1 ; jc =>cx.exits.steps);
        } else {
            dynasm!(ops ; .arch x64 ; sub r12, calls ; jc =>cx.exits.steps);
        }
        Ok(())
    }

    /// `ENTERI`: an inlined call's entry whose body may call on: a call
    /// level taken, then a step, as a function's entry.
    pub(crate) fn enter_level(ops: &mut Asm, cx: &LowerCx<'_>, _pc: usize) -> Result<(), Unsupported> {
        enter(ops, &cx.exits);
        Ok(())
    }

    /// `LEAVEI`: the inlined call's level back.
    pub(crate) fn leave_level(ops: &mut Asm, _cx: &LowerCx<'_>, _pc: usize) -> Result<(), Unsupported> {
        dynasm!(ops ; .arch x64 ; add r13, 1);
        Ok(())
    }

    /// A function's first instructions: a call level, then a step.
    pub(crate) fn enter(ops: &mut Asm, exits: &super::super::Exits) {
        dynasm!(ops ; .arch x64 ; sub r13, 1 ; jc =>exits.depth ; sub r12, 1 ; jc =>exits.steps);
    }

    /// The error exits the functions jump to with `frame` bytes on the
    /// stack above the return address (0: the exits every function shares;
    /// else a function's with spill slots).
    pub(crate) fn exits(ops: &mut Asm, exits: &super::super::Exits, frame: usize) {
        let frame = frame as i32;
        for (label, status) in [(exits.steps, Status::Steps), (exits.depth, Status::Depth)] {
            dynasm!(ops ; .arch x64 ; =>label);
            if frame > 0 {
                dynasm!(ops ; .arch x64 ; add rsp, frame);
            }
            dynasm!(ops ; .arch x64 ; mov eax, status as i32 ; ret);
        }
        dynasm!(ops ; .arch x64 ; =>exits.pass);
        if frame > 0 {
            dynasm!(ops ; .arch x64 ; add rsp, frame);
        }
        dynasm!(ops ; .arch x64 ; ret);
    }

    /// A trampoline at `label` standing for function `func` (of `nparams`
    /// parameters), which runs on the register VM: the arguments to the
    /// stack, the counters to the context, a C call of `ilo_call_vm` on a
    /// 16-byte aligned stack, then the counters, the result and the status
    /// back, in this convention.
    pub(crate) fn vm_stub(ops: &mut Asm, label: DynamicLabel, func: usize, nparams: usize) -> Result<(), Unsupported> {
        let call_vm = super::super::bridge::ilo_call_vm as *const () as i64;
        dynasm!(ops ; .arch x64
            ; =>label
            ; push rbp ; mov rbp, rsp
            ; sub rsp, 80 ; and rsp, -16
        );
        for j in 0..nparams {
            dynasm!(ops ; .arch x64 ; vmovsd QWORD [rsp + 8 * j as i32], Rx(j as u8));
        }
        dynasm!(ops ; .arch x64
            ; mov QWORD [rbx], r12 ; mov QWORD [rbx + 8], r13
            ; mov rdi, rbx ; mov esi, func as i32 ; mov rdx, rsp ; lea rcx, [rsp + 64]
            ; mov rax, QWORD call_vm ; call rax
            ; mov r12, QWORD [rbx] ; mov r13, QWORD [rbx + 8]
            ; vmovsd xmm0, QWORD [rsp + 64]
            ; mov rsp, rbp ; pop rbp ; ret
        );
        Ok(())
    }

    /// `u32 entry(Ctx *rdi, const u64 *rsi)` calling `root`.
    pub(crate) fn entry(ops: &mut Asm, root: DynamicLabel, nparams: usize) {
        // Three pushes after the return address: rsp is 16-aligned at the call.
        dynasm!(ops ; .arch x64
            ; push rbx ; push r12 ; push r13
            ; mov rbx, rdi
            ; mov r12, QWORD [rbx] ; mov r13, QWORD [rbx + 8]
        );
        for j in 0..nparams {
            dynasm!(ops ; .arch x64 ; vmovsd Rx(j as u8), QWORD [rsi + 8 * j as i32]);
        }
        dynasm!(ops ; .arch x64
            ; call =>root
            ; mov QWORD [rbx], r12 ; mov QWORD [rbx + 8], r13
            ; vmovsd QWORD [rbx + 16], xmm0
            ; pop r13 ; pop r12 ; pop rbx
            ; ret
        );
    }
}

#[allow(clippy::useless_conversion, clippy::unnecessary_operation, clippy::no_effect)]
pub(crate) mod aarch64 {
    use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};

    use super::super::{aarch64::Asm, LowerCx, Place, Unsupported};
    use super::Status;

    /// VM register `r` for reading as operand `temp` (a 0, b 1, c 2): its
    /// float register, or a temp loaded from its slot.
    pub(crate) fn read_reg(
        ops: &mut Asm,
        cx: &LowerCx<'_>,
        _pc: usize,
        r: usize,
        temp: usize,
    ) -> Result<u8, Unsupported> {
        match cx.place(r)? {
            Place::Reg(x) => Ok(x),
            Place::Slot(off) => {
                let t = cx.dst_reg(r, temp)?;
                dynasm!(ops ; .arch aarch64 ; ldr D(t), [sp, off]);
                Ok(t)
            }
        }
    }

    /// After an op wrote VM register `r` in float register `x`: a spilled
    /// register goes back to its slot.
    pub(crate) fn write_reg(ops: &mut Asm, cx: &LowerCx<'_>, _pc: usize, r: usize, x: u8) -> Result<(), Unsupported> {
        if let Place::Slot(off) = cx.place(r)? {
            dynasm!(ops ; .arch aarch64 ; str D(x), [sp, off]);
        }
        Ok(())
    }

    /// `@write_back(a)` inside a template that jumps after writing operand
    /// `a` (as `FORSTEP`'s counter).
    pub(crate) fn write_back(ops: &mut Asm, cx: &LowerCx<'_>, pc: usize, r: usize) -> Result<(), Unsupported> {
        let x = cx.dst_reg(r, 0)?;
        write_reg(ops, cx, pc, r, x)
    }

    /// The spill slots, after the entry's checks.
    pub(crate) fn open_frame(ops: &mut Asm, frame: usize) {
        dynasm!(ops ; .arch aarch64 ; sub sp, sp, frame as u32);
    }

    /// `nop`s up to the next 16-byte boundary.
    pub(crate) fn align_loop(ops: &mut Asm) {
        while ops.offset().0 % 16 != 0 {
            dynasm!(ops ; .arch aarch64 ; nop);
        }
    }

    /// No ARM64 trampoline yet (`jit::bridges_to_vm` never asks for one):
    /// ARM64 code runs here only under emulation, with no VM to call.
    pub(crate) fn vm_stub(_: &mut Asm, _: DynamicLabel, func: usize, _: usize) -> Result<(), Unsupported> {
        Err(Unsupported::Callee(
            format!("function {func}"),
            Box::new(Unsupported::Opcode(crate::isa::rop::CALL)),
        ))
    }

    /// A function's constant pool, after its code: 8-byte aligned words
    /// (within the ±1 MiB a literal load reaches).
    pub(crate) fn pool(ops: &mut Asm, entries: &[(DynamicLabel, i64)]) {
        dynasm!(ops ; .arch aarch64 ; .align 8);
        for &(label, bits) in entries {
            dynasm!(ops ; .arch aarch64 ; =>label ; .i64 bits);
        }
    }

    /// Before a call at `pc` whose result goes to `a`: the registers read
    /// after it to their homes in the frame (those not there already), and
    /// the link register x30, which the call overwrites.
    pub(crate) fn save_live(ops: &mut Asm, cx: &LowerCx<'_>, pc: usize, a: usize) -> Result<(), Unsupported> {
        for r in cx.to_store(pc, a) {
            let (d, home) = (cx.float_reg(r)?, cx.home(r)?);
            dynasm!(ops ; .arch aarch64 ; str D(d), [sp, home]);
        }
        dynasm!(ops ; .arch aarch64 ; str x30, [sp, cx.link_slot()]);
        Ok(())
    }

    /// The callee's arguments, VM registers `a`…, into d0…: in rising
    /// order, each source is at or above its destination (the register
    /// map is increasing), so no move overwrites an argument still to move.
    pub(crate) fn load_args(
        ops: &mut Asm,
        cx: &LowerCx<'_>,
        _pc: usize,
        a: usize,
        func: usize,
    ) -> Result<(), Unsupported> {
        for j in 0..cx.nparams(func)? {
            let to = cx.float_reg(j)?;
            match cx.place(a + j)? {
                Place::Reg(from) if from == to => {}
                Place::Reg(from) => dynasm!(ops ; .arch aarch64 ; fmov D(to), D(from)),
                Place::Slot(off) => dynasm!(ops ; .arch aarch64 ; ldr D(to), [sp, off]),
            }
        }
        Ok(())
    }

    /// After the call: the registers read after it back from their homes,
    /// and x30.
    pub(crate) fn restore_live(ops: &mut Asm, cx: &LowerCx<'_>, pc: usize, a: usize) -> Result<(), Unsupported> {
        for r in cx.saved_across(pc, a) {
            let (d, home) = (cx.float_reg(r)?, cx.home(r)?);
            dynasm!(ops ; .arch aarch64 ; ldr D(d), [sp, home]);
        }
        dynasm!(ops ; .arch aarch64 ; ldr x30, [sp, cx.link_slot()]);
        Ok(())
    }

    /// After a call: an error status restores the link register and leaves
    /// by the function's exit, which drops its frame and returns it.
    pub(crate) fn unwind_on_error(ops: &mut Asm, cx: &LowerCx<'_>, _pc: usize, _a: usize) -> Result<(), Unsupported> {
        dynasm!(ops ; .arch aarch64
            ; cbz w0, >ok
            ; ldr x30, [sp, cx.link_slot()] ; b =>cx.exits.pass
            ; ok:
        );
        Ok(())
    }

    /// A step (a loop's back-edge): none left is the step error.
    pub(crate) fn tick(ops: &mut Asm, cx: &LowerCx<'_>, _pc: usize) -> Result<(), Unsupported> {
        dynasm!(ops ; .arch aarch64 ; subs x20, x20, 1 ; b.lo =>cx.exits.steps);
        Ok(())
    }

    /// A loop's back-edge to `target`: a step, and the jump back in the
    /// same branch (none left falls through to the step error).
    pub(crate) fn tick_and_jump(
        ops: &mut Asm,
        cx: &LowerCx<'_>,
        _pc: usize,
        target: DynamicLabel,
    ) -> Result<(), Unsupported> {
        dynasm!(ops ; .arch aarch64 ; subs x20, x20, 1 ; b.hs =>target ; b =>cx.exits.steps);
        Ok(())
    }

    /// Before a return: the frame and the call level back, status 0.
    pub(crate) fn leave(ops: &mut Asm, cx: &LowerCx<'_>, _pc: usize) -> Result<(), Unsupported> {
        if cx.frame() > 0 {
            dynasm!(ops ; .arch aarch64 ; add sp, sp, cx.frame() as u32);
        }
        dynasm!(ops ; .arch aarch64 ; add x21, x21, 1 ; movz w0, 0);
        Ok(())
    }

    /// `calls` inlined leaves' entries: a call level is left (none is
    /// taken: a leaf calls nothing), then a step each.
    pub(crate) fn enter_leaf(ops: &mut Asm, cx: &LowerCx<'_>, _pc: usize, calls: usize) -> Result<(), Unsupported> {
        let calls = u32::try_from(calls)
            .ok()
            .filter(|&n| n < 4096)
            .ok_or(Unsupported::Opcode(crate::isa::rop::ENTERL))?;
        dynasm!(ops ; .arch aarch64 ; cbz x21, =>cx.exits.depth ; subs x20, x20, calls ; b.lo =>cx.exits.steps);
        Ok(())
    }

    /// `ENTERI`: an inlined call's entry whose body may call on: a call
    /// level taken, then a step, as a function's entry.
    pub(crate) fn enter_level(ops: &mut Asm, cx: &LowerCx<'_>, _pc: usize) -> Result<(), Unsupported> {
        enter(ops, &cx.exits);
        Ok(())
    }

    /// `LEAVEI`: the inlined call's level back.
    pub(crate) fn leave_level(ops: &mut Asm, _cx: &LowerCx<'_>, _pc: usize) -> Result<(), Unsupported> {
        dynasm!(ops ; .arch aarch64 ; add x21, x21, 1);
        Ok(())
    }

    /// A function's first instructions: a call level, then a step.
    pub(crate) fn enter(ops: &mut Asm, exits: &super::super::Exits) {
        dynasm!(ops ; .arch aarch64
            ; subs x21, x21, 1 ; b.lo =>exits.depth
            ; subs x20, x20, 1 ; b.lo =>exits.steps
        );
    }

    /// The error exits the functions jump to with their link register
    /// holding their return address and `frame` bytes on the stack (0: the
    /// exits every function shares; else a function's with spill slots).
    pub(crate) fn exits(ops: &mut Asm, exits: &super::super::Exits, frame: usize) {
        for (label, status) in [(exits.steps, Status::Steps), (exits.depth, Status::Depth)] {
            dynasm!(ops ; .arch aarch64 ; =>label);
            if frame > 0 {
                dynasm!(ops ; .arch aarch64 ; add sp, sp, frame as u32);
            }
            dynasm!(ops ; .arch aarch64 ; movz w0, status as u32 ; ret);
        }
        dynasm!(ops ; .arch aarch64 ; =>exits.pass);
        if frame > 0 {
            dynasm!(ops ; .arch aarch64 ; add sp, sp, frame as u32);
        }
        dynasm!(ops ; .arch aarch64 ; ret);
    }

    /// `u32 entry(Ctx *x0, const u64 *x1)` calling `root`.
    pub(crate) fn entry(ops: &mut Asm, root: DynamicLabel, nparams: usize) {
        dynasm!(ops ; .arch aarch64
            ; stp x29, x30, [sp, -48]!
            ; stp x19, x20, [sp, 16]
            ; str x21, [sp, 32]
            ; mov x19, x0
            ; ldr x20, [x19] ; ldr x21, [x19, 8]
        );
        for j in 0..nparams {
            dynasm!(ops ; .arch aarch64 ; ldr D(j as u8), [x1, (8 * j) as u32]);
        }
        dynasm!(ops ; .arch aarch64
            ; bl =>root
            ; str x20, [x19] ; str x21, [x19, 8]
            ; str d0, [x19, 16]
            ; ldr x21, [sp, 32]
            ; ldp x19, x20, [sp, 16]
            ; ldp x29, x30, [sp], 48
            ; ret
        );
    }
}
