//! The Cranelift JIT (`--run-cranelift`): the same functions as the dynasm
//! JIT, lowered through Cranelift's optimiser instead of templates.
//! Each VM register is a Cranelift variable; the lowering of each opcode is
//! generated from the `cranelift` entries of isa/register.toml.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, AbiParam, Block, FuncRef, InstBuilder, MemFlagsData, Signature, Value as ClValue};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module};

use super::abi::{Ctx, Status};
use super::native::JitFunc;
use super::{blame, Unsupported};
use crate::isa::{rop, RegOp};
use crate::reg::RegFunc;
use crate::value::Value;

mod generated {
    use super::{ClCx, Unsupported};
    use crate::isa::{rop, RegOp};
    use cranelift_codegen::ir::InstBuilder;
    include!(concat!(env!("OUT_DIR"), "/jit_cranelift.rs"));
}

/// Register-VM opcodes with a Cranelift lowering.
pub fn lowered_ops() -> &'static [RegOp] {
    generated::LOWERED
}

/// What a generated lowering works with: the function being built, one
/// variable per VM register, the function's constants, the functions of the
/// unit it may call, a block per jump target and the context pointer.
///
/// The convention is the dynasm JITs' (see `abi.rs`) in Cranelift's terms:
/// a function takes the context and its arguments and returns its result
/// and a status; the steps and the depth left live in the context.
pub(crate) struct ClCx<'a, 'b> {
    pub b: &'a mut FunctionBuilder<'b>,
    vars: Vec<Variable>,
    consts: &'a [Value],
    funcs: &'a [RegFunc],
    /// The functions it calls, as declared in it.
    refs: Vec<(usize, FuncRef)>,
    /// `bridge::ilo_call_vm`, if it calls a function on the register VM.
    vm_call: Option<FuncRef>,
    /// The block starting at each pc that one starts at.
    blocks: Vec<Option<Block>>,
    ctx: ClValue,
    /// The steps and call levels left, kept in variables (so in registers)
    /// and passed along calls; the context holds them only around calls
    /// into the register VM and at the entry.
    steps: Variable,
    depth: Variable,
    /// Words the instruction being lowered takes: 2 for a compare-and-branch
    /// (it consumes the JMP word after it), else 1.
    width: usize,
}

/// Offsets of the context's fields (`abi::Ctx`).
const STEPS: i32 = std::mem::offset_of!(Ctx, steps_left) as i32;
const DEPTH: i32 = std::mem::offset_of!(Ctx, depth_left) as i32;
const RESULT: i32 = std::mem::offset_of!(Ctx, result) as i32;

impl ClCx<'_, '_> {
    pub(crate) fn reg(&mut self, r: usize) -> Result<ClValue, Unsupported> {
        let var = *self.vars.get(r).ok_or(Unsupported::TooManyRegisters(r + 1))?;
        Ok(self.b.use_var(var))
    }

    pub(crate) fn set(&mut self, r: usize, v: ClValue) {
        if let Some(var) = self.vars.get(r) {
            self.b.def_var(*var, v);
        }
    }

    /// Leaves the function with an error `status` (an `i32` value).
    fn fail(&mut self, status: ClValue) {
        let zero = self.b.ins().f64const(0.0);
        let steps = self.b.use_var(self.steps);
        self.b.ins().return_(&[zero, status, steps]);
    }

    /// The counter `var`, having left with `status` when it is 0 (none
    /// left).
    fn nonzero(&mut self, var: Variable, status: Status) -> ClValue {
        let left = self.b.use_var(var);
        let out = self.b.create_block();
        let go = self.b.create_block();
        self.b.ins().brif(left, go, &[], out, &[]);
        self.b.switch_to_block(out);
        let st = self.b.ins().iconst(types::I32, status as i64);
        self.fail(st);
        self.b.switch_to_block(go);
        left
    }

    /// Takes one of the counter `var`, or leaves with `status` when none is
    /// left.
    fn take(&mut self, var: Variable, status: Status) {
        let left = self.nonzero(var, status);
        let less = self.b.ins().iadd_imm_s(left, -1);
        self.b.def_var(var, less);
    }

    /// A function's entry: a call level, then a step.
    fn enter(&mut self) {
        self.take(self.depth, Status::Depth);
        self.take(self.steps, Status::Steps);
    }

    /// `ENTERL`: `calls` inlined leaves' entries: a call level is left
    /// (none is taken), then a step each.
    pub(crate) fn enter_leaf(&mut self, _pc: usize, calls: usize) -> Result<(), Unsupported> {
        self.nonzero(self.depth, Status::Depth);
        let calls = i64::try_from(calls).map_err(|_| Unsupported::Opcode(crate::isa::rop::ENTERL))?;
        let left = self.b.use_var(self.steps);
        let short = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, left, calls);
        let (out, go) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(short, out, &[], go, &[]);
        self.b.switch_to_block(out);
        let st = self.b.ins().iconst(types::I32, Status::Steps as i64);
        self.fail(st);
        self.b.switch_to_block(go);
        let less = self.b.ins().iadd_imm_s(left, -calls);
        self.b.def_var(self.steps, less);
        Ok(())
    }

    /// `ENTERI`: an inlined call's entry whose body may call on: a call
    /// level taken, then a step, as a function's entry.
    pub(crate) fn enter_level(&mut self, _pc: usize) -> Result<(), Unsupported> {
        self.enter();
        Ok(())
    }

    /// `LEAVEI`: the inlined call's level back.
    pub(crate) fn leave_level(&mut self, _pc: usize) -> Result<(), Unsupported> {
        let depth = self.b.use_var(self.depth);
        let back = self.b.ins().iadd_imm_s(depth, 1);
        self.b.def_var(self.depth, back);
        Ok(())
    }

    /// `TICK`: a loop's safe point is a step.
    pub(crate) fn tick(&mut self, _pc: usize) -> Result<(), Unsupported> {
        self.take(self.steps, Status::Steps);
        Ok(())
    }

    /// `RET`: the result, status 0 and the steps left (the caller keeps its
    /// own depth, so the level comes back by itself).
    pub(crate) fn ret(&mut self, v: ClValue) {
        let ok = self.b.ins().iconst(types::I32, 0);
        let steps = self.b.use_var(self.steps);
        self.b.ins().return_(&[v, ok, steps]);
    }

    /// A value's bits as an integer.
    fn bits(&mut self, v: ClValue) -> ClValue {
        self.b.ins().bitcast(types::I64, MemFlagsData::new(), v)
    }

    /// Nonzero when `v` is neither nil nor false (they differ in bit 0).
    pub(crate) fn truthy(&mut self, v: ClValue) -> ClValue {
        let x = self.bits(v);
        let x = self.b.ins().bor_imm_u(x, 1);
        self.b.ins().icmp_imm_s(IntCC::NotEqual, x, Value::FALSE.bits() as i64)
    }

    /// Nonzero when `v` is nil or false.
    pub(crate) fn falsy(&mut self, v: ClValue) -> ClValue {
        let x = self.bits(v);
        let x = self.b.ins().bor_imm_u(x, 1);
        self.b.ins().icmp_imm_s(IntCC::Equal, x, Value::FALSE.bits() as i64)
    }

    /// The boolean value of a test.
    pub(crate) fn bool_value(&mut self, t: ClValue) -> ClValue {
        let yes = self.b.ins().iconst(types::I64, Value::TRUE.bits() as i64);
        let no = self.b.ins().iconst(types::I64, Value::FALSE.bits() as i64);
        let x = self.b.ins().select(t, yes, no);
        self.b.ins().bitcast(types::F64, MemFlagsData::new(), x)
    }

    fn block(&self, pc: usize) -> Result<Block, Unsupported> {
        self.blocks
            .get(pc)
            .copied()
            .flatten()
            .ok_or(Unsupported::Opcode(rop::JMP))
    }

    /// A jump at `pc` to `target`: always (`test` `None`), or when `test`
    /// is `when`, else on to the next instruction (after the JMP word a
    /// compare-and-branch consumes); `tick` takes a step before jumping.
    pub(crate) fn branch(
        &mut self,
        pc: usize,
        test: Option<ClValue>,
        when: bool,
        tick: bool,
        target: usize,
    ) -> Result<(), Unsupported> {
        let target = self.block(target)?;
        // A back-edge goes through a block taking the step.
        let to = if tick { self.b.create_block() } else { target };
        match test {
            None => {
                self.b.ins().jump(to, &[]);
            }
            Some(t) => {
                let on = self.block(pc + self.width)?;
                let (yes, no) = if when { (to, on) } else { (on, to) };
                self.b.ins().brif(t, yes, &[], no, &[]);
            }
        }
        if tick {
            self.b.switch_to_block(to);
            self.take(self.steps, Status::Steps);
            self.b.ins().jump(target, &[]);
        }
        Ok(())
    }

    /// `FORSTEP`: the counter in `a` steps by one; while below the limit in
    /// `a+1`, a step and a jump by `sbx` back to the body.
    pub(crate) fn forstep(&mut self, pc: usize, a: usize, sbx: isize) -> Result<(), Unsupported> {
        let i = self.reg(a)?;
        let one = self.b.ins().f64const(1.0);
        let i = self.b.ins().fadd(i, one);
        self.set(a, i);
        let limit = self.reg(a + 1)?;
        let more = self.b.ins().fcmp(FloatCC::LessThan, i, limit);
        self.branch(pc, Some(more), true, true, (pc as isize + 1 + sbx) as usize)
    }

    /// `CALL`: function `func` on VM registers `a`…, its result into `a`;
    /// an error status leaves this function with it.
    pub(crate) fn call(&mut self, _pc: usize, a: usize, func: usize) -> Result<(), Unsupported> {
        let callee = self.refs.iter().find(|(c, _)| *c == func).map(|(_, r)| *r);
        let f = self.funcs.get(func).ok_or(Unsupported::Opcode(rop::CALL))?;
        let (v, status) = match (callee, self.vm_call) {
            (Some(callee), _) => {
                let steps = self.b.use_var(self.steps);
                let depth = self.b.use_var(self.depth);
                let mut args = vec![self.ctx, steps, depth];
                for r in a..a + f.nparams {
                    args.push(self.reg(r)?);
                }
                let inst = self.b.ins().call(callee, &args);
                let &[v, status, steps] = self.b.inst_results(inst) else {
                    return Err(Unsupported::Opcode(rop::CALL));
                };
                self.b.def_var(self.steps, steps);
                (v, status)
            }
            (None, Some(vm_call)) => self.call_vm(vm_call, a, func, f.nparams)?,
            (None, None) => return Err(Unsupported::Opcode(rop::CALL)),
        };
        let out = self.b.create_block();
        let go = self.b.create_block();
        self.b.ins().brif(status, out, &[], go, &[]);
        self.b.switch_to_block(out);
        self.fail(status);
        self.b.switch_to_block(go);
        self.set(a, v);
        Ok(())
    }

    /// A call of function `func` on the register VM: its arguments (VM
    /// registers `a`…) and a result word in a stack slot, then
    /// `ilo_call_vm(ctx, func, args, result)`: the result and the status.
    fn call_vm(
        &mut self,
        vm_call: FuncRef,
        a: usize,
        func: usize,
        n: usize,
    ) -> Result<(ClValue, ClValue), Unsupported> {
        use cranelift_codegen::ir::{StackSlotData, StackSlotKind};
        let slot =
            self.b
                .create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8 * (n as u32 + 1), 3));
        for j in 0..n {
            let x = self.reg(a + j)?;
            self.b.ins().stack_store(types::I64, x, slot, 8 * j as i32);
        }
        let args = self.b.ins().stack_addr(types::I64, slot, 0);
        let result = self.b.ins().stack_addr(types::I64, slot, 8 * n as i32);
        let func = self.b.ins().iconst(types::I32, func as i64);
        // The VM counts against the counters in the context.
        let flags = MemFlagsData::trusted();
        let (steps, depth) = (self.b.use_var(self.steps), self.b.use_var(self.depth));
        self.b.ins().store(flags, steps, self.ctx, STEPS);
        self.b.ins().store(flags, depth, self.ctx, DEPTH);
        let inst = self.b.ins().call(vm_call, &[self.ctx, func, args, result]);
        let status = *self
            .b
            .inst_results(inst)
            .first()
            .ok_or(Unsupported::Opcode(rop::CALL))?;
        let v = self.b.ins().stack_load(types::I64, types::F64, slot, 8 * n as i32);
        let steps = self.b.ins().load(types::I64, flags, self.ctx, STEPS);
        self.b.def_var(self.steps, steps);
        Ok((v, status))
    }

    pub(crate) fn konst(&mut self, k: usize) -> Result<ClValue, Unsupported> {
        match self.consts.get(k) {
            Some(v) if v.is_immediate() => Ok(self.b.ins().f64const(f64::from_bits(v.bits()))),
            _ => Err(Unsupported::NonNumberConstant),
        }
    }
}

/// Owns the module so its code lives as long as the `JitFunc`.
struct Owned(Option<JITModule>);

impl Drop for Owned {
    fn drop(&mut self) {
        if let Some(m) = self.0.take() {
            // SAFETY: the only pointer into this module's code is the entry
            // point held by the `JitFunc` that owns `self`, which is being
            // dropped, and `EntryRef`s borrow that `JitFunc`.
            unsafe { m.free_memory() };
        }
    }
}

fn codegen_err(e: impl std::fmt::Display) -> Unsupported {
    Unsupported::Assembler(e.to_string())
}

pub(crate) fn eligible(f: &RegFunc) -> Result<(), Unsupported> {
    super::eligible_with(f, generated::LOWERED)
}

/// `(ctx, steps left, depth left, value…) -> (value, status, steps
/// left)`: a compiled function.
fn signature(module: &JITModule, f: &RegFunc) -> Signature {
    let mut sig = module.make_signature();
    sig.params.extend([types::I64; 3].map(AbiParam::new));
    sig.params.extend((0..f.nparams).map(|_| AbiParam::new(types::F64)));
    sig.returns.push(AbiParam::new(types::F64));
    sig.returns.push(AbiParam::new(types::I32));
    sig.returns.push(AbiParam::new(types::I64));
    sig
}

/// Compiles `funcs[root]`, and every function it calls, with Cranelift for
/// this machine, behind an `abi::Entry`.
pub fn compile(funcs: &[RegFunc], root: usize) -> Result<JitFunc, Unsupported> {
    // Functions Cranelift cannot take run on the register VM, called
    // through `bridge::ilo_call_vm` (Cranelift runs only on this machine).
    let (unit, bridged) = super::plan_unit(funcs, root, eligible, true)?;
    let mut flags = settings::builder();
    for (k, v) in [
        ("opt_level", "speed"),
        ("is_pic", "false"),
        ("use_colocated_libcalls", "false"),
    ] {
        flags.set(k, v).map_err(codegen_err)?;
    }
    let isa = cranelift_native::builder()
        .map_err(|e| Unsupported::MissingCpuFeature(if e.is_empty() { "a Cranelift backend" } else { e }))?
        .finish(settings::Flags::new(flags))
        .map_err(codegen_err)?;
    let mut builder = JITBuilder::with_isa(isa, cranelift_module::default_libcall_names());
    builder.symbol("ilo_call_vm", super::bridge::ilo_call_vm as *const u8);
    let mut module = JITModule::new(builder);
    let call_vm = if bridged.is_empty() {
        None
    } else {
        // u32 ilo_call_vm(Ctx *, u32 func, const u64 *args, u64 *result)
        let mut sig = module.make_signature();
        for ty in [types::I64, types::I32, types::I64, types::I64] {
            sig.params.push(AbiParam::new(ty));
        }
        sig.returns.push(AbiParam::new(types::I32));
        Some(
            module
                .declare_function("ilo_call_vm", Linkage::Import, &sig)
                .map_err(codegen_err)?,
        )
    };
    let mut ids: Vec<Option<FuncId>> = vec![None; funcs.len()];
    for &i in &unit {
        let sig = signature(&module, &funcs[i]);
        let id = module
            .declare_function(&format!("ilo_fn{i}"), Linkage::Local, &sig)
            .map_err(codegen_err)?;
        ids[i] = Some(id);
    }
    let mut ctx = module.make_context();
    let mut fctx = FunctionBuilderContext::new();
    let mut len = 0;
    for &i in &unit {
        let (f, Some(id)) = (&funcs[i], ids[i]) else { continue };
        ctx.func.signature = signature(&module, f);
        // Only what it calls: declaring every function of the unit in each
        // would make a chain's compile time grow with its square.
        let mut refs: Vec<(usize, FuncRef)> = Vec::new();
        let mut vm_ref = None;
        for callee in super::static_calls(f, false) {
            if let (Some(Some(id)), false) = (ids.get(callee), refs.iter().any(|(c, _)| *c == callee)) {
                refs.push((callee, module.declare_func_in_func(*id, &mut ctx.func)));
            } else if let (Some(id), None, true) = (call_vm, vm_ref, bridged.contains(&callee)) {
                vm_ref = Some(module.declare_func_in_func(id, &mut ctx.func));
            }
        }
        build(
            &mut ctx.func,
            &mut fctx,
            funcs,
            f,
            (refs, vm_ref),
            module.target_config(),
        )
        .map_err(|why| blame(funcs, root, i, why))?;
        module.define_function(id, &mut ctx).map_err(codegen_err)?;
        len += ctx.compiled_code().map_or(0, |c| c.code_buffer().len());
        module.clear_context(&mut ctx);
    }
    let root_id = ids[root].ok_or(Unsupported::Opcode(rop::CALL))?;
    let entry = build_entry(&mut module, &mut ctx, &mut fctx, root_id, &funcs[root])?;
    module.finalize_definitions().map_err(codegen_err)?;
    let p = module.get_finalized_function(entry);
    // SAFETY: `p` is the entry just defined with the signature `abi::Entry`,
    // reading the context and `nparams` argument words and calling only
    // functions built from the table's instructions, which touch nothing
    // but the context; cranelift-jit made its memory executable and
    // read-only, and the module that owns it moves into the `JitFunc`.
    // Cranelift's frames hold spills besides the registers: bound them
    // generously.
    let frame_bound = super::native::unit_frame_bound(funcs, root, |f| 16 * f.nregs + 160);
    unsafe { JitFunc::from_raw(p, funcs[root].nparams, len, frame_bound, Box::new(Owned(Some(module)))) }
}

/// `u32 entry(Ctx *ctx, const u64 *args)`: loads the arguments, calls the
/// root, stores its result in the context and returns its status.
fn build_entry(
    module: &mut JITModule,
    ctx: &mut cranelift_codegen::Context,
    fctx: &mut FunctionBuilderContext,
    root: FuncId,
    f: &RegFunc,
) -> Result<FuncId, Unsupported> {
    let mut sig = module.make_signature();
    sig.params.push(AbiParam::new(types::I64));
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I32));
    let id = module
        .declare_function("ilo_entry", Linkage::Local, &sig)
        .map_err(codegen_err)?;
    ctx.func.signature = sig;
    let config = module.target_config();
    let callee = module.declare_func_in_func(root, &mut ctx.func);
    {
        let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
        let block = b.create_block();
        b.append_block_params_for_function_params(block);
        b.switch_to_block(block);
        b.seal_block(block);
        let &[cx, args] = b.block_params(block) else {
            return Err(Unsupported::Opcode(rop::CALL));
        };
        let flags = MemFlagsData::trusted();
        let steps = b.ins().load(types::I64, flags, cx, STEPS);
        let depth = b.ins().load(types::I64, flags, cx, DEPTH);
        let mut call_args = vec![cx, steps, depth];
        for j in 0..f.nparams {
            call_args.push(b.ins().load(types::F64, flags, args, 8 * j as i32));
        }
        let inst = b.ins().call(callee, &call_args);
        let &[v, status, steps] = b.inst_results(inst) else {
            return Err(Unsupported::Opcode(rop::CALL));
        };
        b.ins().store(flags, v, cx, RESULT);
        b.ins().store(flags, steps, cx, STEPS);
        b.ins().return_(&[status]);
        b.finalize(config);
    }
    module.define_function(id, ctx).map_err(codegen_err)?;
    module.clear_context(ctx);
    Ok(id)
}

/// Where each jump of `f` goes: the pcs that start a block (targets, and
/// what follows a jump or a return).
pub(crate) fn block_starts(f: &RegFunc) -> Vec<bool> {
    let mut starts = vec![false; f.code.len() + 1];
    starts[0] = true;
    let mut pc = 0;
    while pc < f.code.len() {
        let Some(ins) = crate::isa::decode_reg(f.code[pc]) else {
            break;
        };
        let info = ins.op.info();
        let width = if crate::isa::takes_jump_word(ins.op) { 2 } else { 1 };
        if info.branch {
            let offset = if width == 2 {
                f.code.get(pc + 1).map_or(0, |w| (*w >> 16) as u16 as i16 as isize)
            } else {
                ins.sbx as isize
            };
            let target = (pc as isize + width as isize + offset) as usize;
            if let Some(s) = starts.get_mut(target) {
                *s = true;
            }
        }
        if info.branch || info.ret {
            if let Some(s) = starts.get_mut(pc + width) {
                *s = true;
            }
        }
        pc += width;
    }
    starts
}

/// The body of `f` into `func`, whose signature is set.
fn build(
    func: &mut cranelift_codegen::ir::Function,
    fctx: &mut FunctionBuilderContext,
    funcs: &[RegFunc],
    f: &RegFunc,
    (refs, vm_call): (Vec<(usize, FuncRef)>, Option<FuncRef>),
    config: cranelift_codegen::isa::TargetFrontendConfig,
) -> Result<(), Unsupported> {
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let params = b.block_params(entry).to_vec();
    let vars: Vec<Variable> = (0..f.nregs).map(|_| b.declare_var(types::F64)).collect();
    for (r, var) in vars.iter().enumerate() {
        // Parameters arrive in r0… (after the context and the counters);
        // other registers start at 0.0 so that no read is of an undefined
        // variable.
        let init = match params.get(3 + r).filter(|_| r < f.nparams) {
            Some(p) => *p,
            None => b.ins().f64const(0.0),
        };
        b.def_var(*var, init);
    }
    let (steps, depth) = (b.declare_var(types::I64), b.declare_var(types::I64));
    b.def_var(steps, params[1]);
    b.def_var(depth, params[2]);
    let blocks = block_starts(f)
        .into_iter()
        .map(|start| start.then(|| b.create_block()))
        .collect();
    let mut cx = ClCx {
        b: &mut b,
        vars,
        consts: &f.consts,
        funcs,
        refs,
        vm_call,
        blocks,
        ctx: params[0],
        steps,
        depth,
        width: 1,
    };
    cx.enter();
    // Whether the block being filled still needs a terminator.
    let mut open = true;
    let mut pc = 0;
    while pc < f.code.len() {
        if let Some(block) = cx.blocks[pc] {
            if open {
                cx.b.ins().jump(block, &[]);
            }
            cx.b.switch_to_block(block);
            open = true;
        }
        let ins = f.code[pc];
        let op = RegOp::from_u8(ins as u8).ok_or(Unsupported::Opcode(ins as u8))?;
        cx.width = if crate::isa::takes_jump_word(op) { 2 } else { 1 };
        generated::lower(&mut cx, pc, ins, f.code.get(pc + 1).copied().unwrap_or(0))?;
        let info = op.info();
        if info.branch || info.ret {
            open = false;
        }
        pc += cx.width;
    }
    if open {
        // Falling off the end cannot happen in compiled code (the compiler
        // ends every path with a return); trap if it did.
        cx.b.ins().trap(cranelift_codegen::ir::TrapCode::unwrap_user(1));
    }
    b.seal_all_blocks();
    b.finalize(config);
    Ok(())
}

/// The first opcode of `f` Cranelift has no lowering for.
pub fn first_unlowered(f: &RegFunc) -> Option<RegOp> {
    super::first_not_in(f, generated::LOWERED)
}
