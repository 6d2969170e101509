//! The LLVM JIT (`--run-llvm`, cargo feature `llvm`): the same functions as
//! the dynasm and Cranelift JITs, lowered from the table's `ssa` column
//! (`jit_llvm.rs`, generated like `jit_cranelift.rs`), optimised by LLVM's
//! `default<O3>` pipeline and compiled by MCJIT.
//!
//! The calling convention is the other JITs' (`abi.rs`): a function takes
//! the context pointer and its arguments as `double`s and returns
//! `{ double, i32 }` (result, status); the steps and depth left live in the
//! context, so limits and their errors match the register VM's.
//!
//! Without the feature this module keeps its interface, and says how to
//! build with LLVM instead of compiling.

use super::native::JitFunc;
use super::Unsupported;
use crate::isa::RegOp;
use crate::reg::RegFunc;

/// Whether this ilo was built with the LLVM backend.
pub const BUILT: bool = cfg!(feature = "llvm");

/// What to do to get the LLVM backend, for a build without it.
pub const HOW_TO_BUILD: &str = "this ilo was built without the LLVM backend: install LLVM 19 \
     (`apt-get install llvm-19-dev`) and build with `cargo build --release -p ilo-cli --features llvm`";

/// How long compiling a unit took, and of how many functions.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub functions: usize,
    /// Building the IR from the bytecode.
    pub lower: std::time::Duration,
    /// The `default<O3>` pipeline.
    pub optimise: std::time::Duration,
    /// MCJIT's code generation and linking.
    pub codegen: std::time::Duration,
}

impl Stats {
    pub fn total(&self) -> std::time::Duration {
        self.lower + self.optimise + self.codegen
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        let n = self.functions.max(1);
        write!(
            f,
            "{} function{} in {:.2} ms ({:.2} ms a function; IR {:.2}, O3 {:.2}, codegen {:.2})",
            self.functions,
            if self.functions == 1 { "" } else { "s" },
            ms(self.total()),
            ms(self.total()) / n as f64,
            ms(self.lower),
            ms(self.optimise),
            ms(self.codegen),
        )
    }
}

/// Compiles `funcs[root]`, and every function it calls, with LLVM.
pub fn compile(funcs: &[RegFunc], root: usize) -> Result<JitFunc, Unsupported> {
    compile_with_stats(funcs, root).map(|(jit, _)| jit)
}

#[cfg(not(feature = "llvm"))]
pub fn compile_with_stats(_funcs: &[RegFunc], _root: usize) -> Result<(JitFunc, Stats), Unsupported> {
    Err(Unsupported::Assembler(HOW_TO_BUILD.into()))
}

/// The optimised IR of every function of the program LLVM takes, or why
/// one is not compiled (`--emit llvm`).
#[cfg(not(feature = "llvm"))]
pub fn program_ir(_funcs: &[RegFunc]) -> Result<String, String> {
    Err(HOW_TO_BUILD.into())
}

/// Register-VM opcodes with an LLVM lowering.
pub fn lowered_ops() -> &'static [RegOp] {
    #[cfg(feature = "llvm")]
    return imp::generated::LOWERED;
    #[cfg(not(feature = "llvm"))]
    &[]
}

#[cfg(feature = "llvm")]
pub use imp::{compile_with_stats, program_ir};

#[cfg(feature = "llvm")]
mod imp {
    use std::sync::{Mutex, OnceLock};
    use std::time::Instant;

    use inkwell::attributes::{Attribute, AttributeLoc};
    use inkwell::basic_block::BasicBlock;
    use inkwell::builder::Builder;
    use inkwell::context::Context;
    use inkwell::execution_engine::ExecutionEngine;
    use inkwell::intrinsics::Intrinsic;
    use inkwell::module::Module;
    use inkwell::passes::PassBuilderOptions;
    use inkwell::targets::{CodeModel, InitializationConfig, RelocMode, Target, TargetMachine};
    use inkwell::types::{BasicMetadataTypeEnum, FloatType, IntType, StructType};
    use inkwell::values::{AnyValue, BasicMetadataValueEnum, FloatValue, FunctionValue, IntValue, PointerValue};
    use inkwell::{AddressSpace, FloatPredicate, IntPredicate, OptimizationLevel};

    use super::super::abi::{Ctx, Status};
    use super::super::native::JitFunc;
    use super::super::{blame, Unsupported};
    use super::Stats;
    use crate::isa::{rop, RegOp};
    use crate::reg::RegFunc;
    use crate::value::Value;

    pub(super) mod generated {
        use super::{err, LlCx, Unsupported};
        use crate::isa::{rop, RegOp};
        include!(concat!(env!("OUT_DIR"), "/jit_llvm.rs"));
    }

    pub(crate) fn err(e: impl std::fmt::Display) -> Unsupported {
        Unsupported::Assembler(format!("LLVM: {e}"))
    }

    // The context's fields by index in `{ i64, i64, i64 }`, which must sit
    // where `abi::Ctx` has them.
    const STEPS: u32 = 0;
    const DEPTH: u32 = 1;
    const RESULT: u32 = 2;
    const _: () = assert!(
        std::mem::offset_of!(Ctx, steps_left) == 0
            && std::mem::offset_of!(Ctx, depth_left) == 8
            && std::mem::offset_of!(Ctx, result) == 16
    );

    /// The types every function uses.
    #[derive(Clone, Copy)]
    struct Types<'ctx> {
        f64: FloatType<'ctx>,
        i64: IntType<'ctx>,
        i32: IntType<'ctx>,
        /// `abi::Ctx`.
        ctx: StructType<'ctx>,
        /// What a function returns: `{ double result, i32 status }`.
        ret: StructType<'ctx>,
    }

    impl<'ctx> Types<'ctx> {
        fn new(c: &'ctx Context) -> Self {
            let i64 = c.i64_type();
            Types {
                f64: c.f64_type(),
                i64,
                i32: c.i32_type(),
                ctx: c.struct_type(&[i64.into(), i64.into(), i64.into()], false),
                ret: c.struct_type(&[c.f64_type().into(), c.i32_type().into()], false),
            }
        }
    }

    /// What a generated lowering works with: the builder, a stack slot per
    /// VM register (promoted to SSA values by the optimiser), the
    /// function's constants, the unit's functions, a block per jump target
    /// and the context pointer.
    pub(crate) struct LlCx<'a, 'ctx> {
        pub b: &'a Builder<'ctx>,
        llcx: &'ctx Context,
        module: &'a Module<'ctx>,
        t: Types<'ctx>,
        func: FunctionValue<'ctx>,
        slots: Vec<PointerValue<'ctx>>,
        consts: &'a [Value],
        funcs: &'a [RegFunc],
        /// Each function of the unit, as declared in the module.
        fns: &'a [Option<FunctionValue<'ctx>>],
        /// The block starting at each pc that one starts at.
        blocks: Vec<Option<BasicBlock<'ctx>>>,
        ctx: PointerValue<'ctx>,
        /// Words for a call into the register VM: its arguments, then its
        /// result (an entry-block alloca, so a call in a loop reuses it).
        vm_area: PointerValue<'ctx>,
        /// Words the instruction being lowered takes: 2 for a
        /// compare-and-branch (it consumes the JMP word after it), else 1.
        width: usize,
    }

    impl<'ctx> LlCx<'_, 'ctx> {
        fn slot(&self, r: usize) -> Result<PointerValue<'ctx>, Unsupported> {
            self.slots.get(r).copied().ok_or(Unsupported::TooManyRegisters(r + 1))
        }

        pub(crate) fn reg(&mut self, r: usize) -> Result<FloatValue<'ctx>, Unsupported> {
            let slot = self.slot(r)?;
            Ok(self.b.build_load(self.t.f64, slot, "").map_err(err)?.into_float_value())
        }

        pub(crate) fn set(&mut self, r: usize, v: FloatValue<'ctx>) -> Result<(), Unsupported> {
            let slot = self.slot(r)?;
            self.b.build_store(slot, v).map_err(err)?;
            Ok(())
        }

        /// A constant, built from its bits: a boolean or nil is a NaN
        /// whose payload a `double` literal might not keep.
        pub(crate) fn konst(&mut self, k: usize) -> Result<FloatValue<'ctx>, Unsupported> {
            match self.consts.get(k) {
                Some(v) if v.is_immediate() => self.float_of_bits(self.t.i64.const_int(v.bits(), false)),
                _ => Err(Unsupported::NonNumberConstant),
            }
        }

        fn float_of_bits(&self, x: IntValue<'ctx>) -> Result<FloatValue<'ctx>, Unsupported> {
            Ok(self
                .b
                .build_bit_cast(x, self.t.f64, "")
                .map_err(err)?
                .into_float_value())
        }

        fn bits(&self, v: FloatValue<'ctx>) -> Result<IntValue<'ctx>, Unsupported> {
            Ok(self.b.build_bit_cast(v, self.t.i64, "").map_err(err)?.into_int_value())
        }

        /// A call of the `double` overload of intrinsic `name`.
        pub(crate) fn intrinsic(
            &mut self,
            name: &str,
            args: &[FloatValue<'ctx>],
        ) -> Result<FloatValue<'ctx>, Unsupported> {
            let f = Intrinsic::find(name)
                .and_then(|i| i.get_declaration(self.module, &[self.t.f64.into()]))
                .ok_or_else(|| err(format!("no intrinsic {name}")))?;
            let args: Vec<BasicMetadataValueEnum> = args.iter().map(|a| (*a).into()).collect();
            let call = self.b.build_call(f, &args, "").map_err(err)?;
            match call.try_as_basic_value() {
                inkwell::values::ValueKind::Basic(v) => Ok(v.into_float_value()),
                _ => Err(err(format!("{name} gave no value"))),
            }
        }

        pub(crate) fn fcmp(
            &mut self,
            p: FloatPredicate,
            x: FloatValue<'ctx>,
            y: FloatValue<'ctx>,
        ) -> Result<IntValue<'ctx>, Unsupported> {
            self.b.build_float_compare(p, x, y, "").map_err(err)
        }

        /// `v`'s bits with bit 0 set compared with false's: nil and false
        /// differ only there.
        fn nil_or_false(&mut self, v: FloatValue<'ctx>, p: IntPredicate) -> Result<IntValue<'ctx>, Unsupported> {
            let x = self.bits(v)?;
            let x = self.b.build_or(x, self.t.i64.const_int(1, false), "").map_err(err)?;
            let f = self.t.i64.const_int(Value::FALSE.bits(), false);
            self.b.build_int_compare(p, x, f, "").map_err(err)
        }

        /// True when `v` is neither nil nor false.
        pub(crate) fn truthy(&mut self, v: FloatValue<'ctx>) -> Result<IntValue<'ctx>, Unsupported> {
            self.nil_or_false(v, IntPredicate::NE)
        }

        /// True when `v` is nil or false.
        pub(crate) fn falsy(&mut self, v: FloatValue<'ctx>) -> Result<IntValue<'ctx>, Unsupported> {
            self.nil_or_false(v, IntPredicate::EQ)
        }

        /// The boolean value of a test.
        pub(crate) fn bool_value(&mut self, t: IntValue<'ctx>) -> Result<FloatValue<'ctx>, Unsupported> {
            let yes = self.t.i64.const_int(Value::TRUE.bits(), false);
            let no = self.t.i64.const_int(Value::FALSE.bits(), false);
            let x = self.b.build_select(t, yes, no, "").map_err(err)?.into_int_value();
            self.float_of_bits(x)
        }

        fn block(&self, pc: usize) -> Result<BasicBlock<'ctx>, Unsupported> {
            self.blocks
                .get(pc)
                .copied()
                .flatten()
                .ok_or(Unsupported::Opcode(rop::JMP))
        }

        fn new_block(&self) -> BasicBlock<'ctx> {
            self.llcx.append_basic_block(self.func, "")
        }

        /// Leaves the function with `status` (an `i32`).
        fn fail(&mut self, status: IntValue<'ctx>) -> Result<(), Unsupported> {
            let zero = self.t.f64.const_zero();
            self.b
                .build_aggregate_return(&[zero.into(), status.into()])
                .map_err(err)?;
            Ok(())
        }

        fn field(&self, index: u32) -> Result<PointerValue<'ctx>, Unsupported> {
            self.b.build_struct_gep(self.t.ctx, self.ctx, index, "").map_err(err)
        }

        /// The counter `index` of the context, and whether it is zero (none
        /// left), leaving with `status` then.
        fn check(&mut self, index: u32, status: Status) -> Result<(PointerValue<'ctx>, IntValue<'ctx>), Unsupported> {
            let p = self.field(index)?;
            let left = self.b.build_load(self.t.i64, p, "").map_err(err)?.into_int_value();
            let none = self
                .b
                .build_int_compare(IntPredicate::EQ, left, self.t.i64.const_zero(), "")
                .map_err(err)?;
            let (out, go) = (self.new_block(), self.new_block());
            self.b.build_conditional_branch(none, out, go).map_err(err)?;
            self.b.position_at_end(out);
            self.fail(self.t.i32.const_int(status as u64, false))?;
            self.b.position_at_end(go);
            Ok((p, left))
        }

        /// Takes one of the counter `index`, or leaves with `status` when
        /// none is left.
        fn take(&mut self, index: u32, status: Status) -> Result<(), Unsupported> {
            let (p, left) = self.check(index, status)?;
            let less = self
                .b
                .build_int_sub(left, self.t.i64.const_int(1, false), "")
                .map_err(err)?;
            self.b.build_store(p, less).map_err(err)?;
            Ok(())
        }

        /// A function's entry: a call level, then a step.
        fn enter(&mut self) -> Result<(), Unsupported> {
            self.take(DEPTH, Status::Depth)?;
            self.take(STEPS, Status::Steps)
        }

        /// `ENTERL`: `calls` inlined leaves' entries: a call level is left
        /// (none is taken), then a step each.
        pub(crate) fn enter_leaf(&mut self, _pc: usize, calls: usize) -> Result<(), Unsupported> {
            self.check(DEPTH, Status::Depth)?;
            let p = self.field(STEPS)?;
            let left = self.b.build_load(self.t.i64, p, "").map_err(err)?.into_int_value();
            let calls = self.t.i64.const_int(calls as u64, false);
            let short = self
                .b
                .build_int_compare(IntPredicate::ULT, left, calls, "")
                .map_err(err)?;
            let (out, go) = (self.new_block(), self.new_block());
            self.b.build_conditional_branch(short, out, go).map_err(err)?;
            self.b.position_at_end(out);
            self.fail(self.t.i32.const_int(Status::Steps as u64, false))?;
            self.b.position_at_end(go);
            let less = self.b.build_int_sub(left, calls, "").map_err(err)?;
            self.b.build_store(p, less).map_err(err)?;
            Ok(())
        }

        /// `ENTERI`: an inlined call's entry whose body may call on: a
        /// call level taken, then a step, as a function's entry.
        pub(crate) fn enter_level(&mut self, _pc: usize) -> Result<(), Unsupported> {
            self.enter()
        }

        /// `LEAVEI`: the inlined call's level back.
        pub(crate) fn leave_level(&mut self, _pc: usize) -> Result<(), Unsupported> {
            self.give_back_level()
        }

        /// `TICK`: a loop's safe point is a step.
        pub(crate) fn tick(&mut self, _pc: usize) -> Result<(), Unsupported> {
            self.take(STEPS, Status::Steps)
        }

        /// `RET`: the call level back, the result and status 0.
        pub(crate) fn ret(&mut self, v: FloatValue<'ctx>) -> Result<(), Unsupported> {
            self.give_back_level()?;
            let ok = self.t.i32.const_zero();
            self.b.build_aggregate_return(&[v.into(), ok.into()]).map_err(err)?;
            Ok(())
        }

        /// One call level back in the context's depth counter.
        fn give_back_level(&mut self) -> Result<(), Unsupported> {
            let p = self.field(DEPTH)?;
            let depth = self.b.build_load(self.t.i64, p, "").map_err(err)?.into_int_value();
            let back = self
                .b
                .build_int_add(depth, self.t.i64.const_int(1, false), "")
                .map_err(err)?;
            self.b.build_store(p, back).map_err(err)?;
            Ok(())
        }

        /// A jump at `pc` to `target`: always (`test` `None`), or when
        /// `test` is `when`, else on to the next instruction (after the JMP
        /// word a compare-and-branch consumes); `tick` takes a step before
        /// jumping.
        pub(crate) fn branch(
            &mut self,
            pc: usize,
            test: Option<IntValue<'ctx>>,
            when: bool,
            tick: bool,
            target: usize,
        ) -> Result<(), Unsupported> {
            let target = self.block(target)?;
            // A back-edge goes through a block taking the step.
            let to = if tick { self.new_block() } else { target };
            match test {
                None => {
                    self.b.build_unconditional_branch(to).map_err(err)?;
                }
                Some(t) => {
                    let on = self.block(pc + self.width)?;
                    let (yes, no) = if when { (to, on) } else { (on, to) };
                    self.b.build_conditional_branch(t, yes, no).map_err(err)?;
                }
            }
            if tick {
                self.b.position_at_end(to);
                self.take(STEPS, Status::Steps)?;
                self.b.build_unconditional_branch(target).map_err(err)?;
            }
            Ok(())
        }

        /// `FORSTEP`: the counter in `a` steps by one; while below the
        /// limit in `a+1`, a step and a jump by `sbx` back to the body.
        pub(crate) fn forstep(&mut self, pc: usize, a: usize, sbx: isize) -> Result<(), Unsupported> {
            let i = self.reg(a)?;
            let i = self
                .b
                .build_float_add(i, self.t.f64.const_float(1.0), "")
                .map_err(err)?;
            self.set(a, i)?;
            let limit = self.reg(a + 1)?;
            let more = self.fcmp(FloatPredicate::OLT, i, limit)?;
            self.branch(pc, Some(more), true, true, (pc as isize + 1 + sbx) as usize)
        }

        /// `CALL`: function `func` on VM registers `a`…, its result into
        /// `a`; an error status leaves this function with it.
        pub(crate) fn call(&mut self, _pc: usize, a: usize, func: usize) -> Result<(), Unsupported> {
            let f = self.funcs.get(func).ok_or(Unsupported::Opcode(rop::CALL))?;
            let (v, status) = match self.fns.get(func).copied().flatten() {
                Some(callee) => {
                    let mut args: Vec<BasicMetadataValueEnum> = vec![self.ctx.into()];
                    for r in a..a + f.nparams {
                        args.push(self.reg(r)?.into());
                    }
                    let call = self.b.build_call(callee, &args, "").map_err(err)?;
                    let inkwell::values::ValueKind::Basic(pair) = call.try_as_basic_value() else {
                        return Err(Unsupported::Opcode(rop::CALL));
                    };
                    let pair = pair.into_struct_value();
                    let v = self.b.build_extract_value(pair, 0, "").map_err(err)?.into_float_value();
                    let status = self.b.build_extract_value(pair, 1, "").map_err(err)?.into_int_value();
                    (v, status)
                }
                None => self.call_vm(a, func, f.nparams)?,
            };
            let bad = self
                .b
                .build_int_compare(IntPredicate::NE, status, self.t.i32.const_zero(), "")
                .map_err(err)?;
            let (out, go) = (self.new_block(), self.new_block());
            self.b.build_conditional_branch(bad, out, go).map_err(err)?;
            self.b.position_at_end(out);
            self.fail(status)?;
            self.b.position_at_end(go);
            self.set(a, v)
        }
    }

    impl<'ctx> LlCx<'_, 'ctx> {
        /// A call of function `func` on the register VM, through
        /// `bridge::ilo_call_vm(ctx, func, args, result)` (the counters are
        /// in the context already): its result and status.
        fn call_vm(
            &mut self,
            a: usize,
            func: usize,
            n: usize,
        ) -> Result<(FloatValue<'ctx>, IntValue<'ctx>), Unsupported> {
            let word = |cx: &Self, j: usize| {
                // SAFETY: `vm_area` holds MAX_PARAMS + 1 words and a
                // bridged callee takes at most MAX_PARAMS arguments.
                unsafe {
                    cx.b.build_in_bounds_gep(cx.t.i64, cx.vm_area, &[cx.t.i64.const_int(j as u64, false)], "")
                }
                .map_err(err)
            };
            for j in 0..n {
                let x = self.reg(a + j)?;
                let p = word(self, j)?;
                self.b.build_store(p, x).map_err(err)?;
            }
            let result = word(self, n)?;
            let ptr = self.llcx.ptr_type(AddressSpace::default());
            let fn_type = self
                .t
                .i32
                .fn_type(&[ptr.into(), self.t.i32.into(), ptr.into(), ptr.into()], false);
            let address = super::super::bridge::ilo_call_vm as *const () as usize as u64;
            let target = self
                .b
                .build_int_to_ptr(self.t.i64.const_int(address, false), ptr, "")
                .map_err(err)?;
            let args: [BasicMetadataValueEnum; 4] = [
                self.ctx.into(),
                self.t.i32.const_int(func as u64, false).into(),
                self.vm_area.into(),
                result.into(),
            ];
            let call = self.b.build_indirect_call(fn_type, target, &args, "").map_err(err)?;
            let inkwell::values::ValueKind::Basic(status) = call.try_as_basic_value() else {
                return Err(Unsupported::Opcode(rop::CALL));
            };
            let v = self
                .b
                .build_load(self.t.f64, result, "")
                .map_err(err)?
                .into_float_value();
            Ok((v, status.into_int_value()))
        }
    }

    fn eligible(f: &RegFunc) -> Result<(), Unsupported> {
        super::super::eligible_with(f, generated::LOWERED)
    }

    /// A host target machine, LLVM's native target initialised once.
    fn host_machine() -> Result<TargetMachine, Unsupported> {
        static INIT: OnceLock<Result<(), String>> = OnceLock::new();
        INIT.get_or_init(|| Target::initialize_native(&InitializationConfig::default()))
            .clone()
            .map_err(err)?;
        let triple = TargetMachine::get_default_triple();
        let target = Target::from_triple(&triple).map_err(err)?;
        target
            .create_target_machine(
                &triple,
                &TargetMachine::get_host_cpu_name().to_string(),
                &TargetMachine::get_host_cpu_features().to_string(),
                OptimizationLevel::Aggressive,
                RelocMode::Default,
                CodeModel::JITDefault,
            )
            .ok_or_else(|| err("no target machine for this host"))
    }

    /// A module for `machine`, and the functions of `unit` declared in it:
    /// `{ double, i32 } ilo.NAME(ptr ctx, double...)`.
    fn declare<'ctx>(
        c: &'ctx Context,
        machine: &TargetMachine,
        funcs: &[RegFunc],
        unit: &[usize],
    ) -> (Module<'ctx>, Vec<Option<FunctionValue<'ctx>>>) {
        let module = c.create_module("ilo");
        module.set_triple(&machine.get_triple());
        module.set_data_layout(&machine.get_target_data().get_data_layout());
        let t = Types::new(c);
        let ptr = c.ptr_type(AddressSpace::default());
        let kind = Attribute::get_named_enum_kind_id;
        // Code generation reads the CPU from each function: MCJIT's own
        // target machine is a generic one.
        let cpu = c.create_string_attribute("target-cpu", &TargetMachine::get_host_cpu_name().to_string());
        let features =
            c.create_string_attribute("target-features", &TargetMachine::get_host_cpu_features().to_string());
        let mut fns = vec![None; funcs.len()];
        for &i in unit {
            let f = &funcs[i];
            let mut params: Vec<BasicMetadataTypeEnum> = vec![ptr.into()];
            params.extend((0..f.nparams).map(|_| BasicMetadataTypeEnum::from(t.f64)));
            let fv = module.add_function(&format!("ilo.{}", f.name), t.ret.fn_type(&params, false), None);
            // `noinline`: one native frame is one call level, so the
            // stack a run needs is bounded by its depth limit (and
            // `inline.rs` has already inlined the small leaves).
            for a in ["noinline", "nounwind"] {
                fv.add_attribute(AttributeLoc::Function, c.create_enum_attribute(kind(a), 0));
            }
            fv.add_attribute(AttributeLoc::Function, cpu);
            fv.add_attribute(AttributeLoc::Function, features);
            // The context is the only memory the code touches, and only
            // through this pointer: LLVM may keep its counters in
            // registers across a loop.
            for (a, v) in [
                ("noalias", 0),
                ("nocapture", 0),
                ("dereferenceable", 24),
                ("align", 8),
                ("writable", 0),
            ] {
                if kind(a) != 0 {
                    fv.add_attribute(AttributeLoc::Param(0), c.create_enum_attribute(kind(a), v));
                }
            }
            fns[i] = Some(fv);
        }
        (module, fns)
    }

    /// The body of `funcs[i]` into its declaration.
    fn build<'ctx>(
        c: &'ctx Context,
        module: &Module<'ctx>,
        funcs: &[RegFunc],
        fns: &[Option<FunctionValue<'ctx>>],
        i: usize,
    ) -> Result<(), Unsupported> {
        let (f, Some(func)) = (&funcs[i], fns[i]) else {
            return Err(Unsupported::Opcode(rop::CALL));
        };
        let b = c.create_builder();
        let t = Types::new(c);
        let entry = c.append_basic_block(func, "entry");
        b.position_at_end(entry);
        let ctx = func
            .get_nth_param(0)
            .ok_or(Unsupported::Opcode(rop::CALL))?
            .into_pointer_value();
        let mut slots = Vec::with_capacity(f.nregs);
        for r in 0..f.nregs {
            let slot = b.build_alloca(t.f64, "").map_err(err)?;
            // Parameters arrive in r0…; other registers start at 0.0 so
            // that no read is of an undefined value.
            let init = match func.get_nth_param(r as u32 + 1) {
                Some(p) => p.into_float_value(),
                None => t.f64.const_zero(),
            };
            b.build_store(slot, init).map_err(err)?;
            slots.push(slot);
        }
        let vm_area = b
            .build_array_alloca(t.i64, t.i64.const_int(super::super::MAX_PARAMS as u64 + 1, false), "")
            .map_err(err)?;
        let blocks = super::super::cranelift::block_starts(f)
            .into_iter()
            .map(|start| start.then(|| c.append_basic_block(func, "")))
            .collect();
        let mut cx = LlCx {
            b: &b,
            llcx: c,
            module,
            t,
            func,
            slots,
            consts: &f.consts,
            funcs,
            fns,
            blocks,
            ctx,
            vm_area,
            width: 1,
        };
        cx.enter()?;
        // Whether the block being filled still needs a terminator.
        let mut open = true;
        let mut pc = 0;
        while pc < f.code.len() {
            if let Some(block) = cx.blocks[pc] {
                if open {
                    b.build_unconditional_branch(block).map_err(err)?;
                }
                b.position_at_end(block);
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
        // Falling off the end cannot happen in compiled code (the compiler
        // ends every path with a return), and neither can reaching a block
        // nothing jumps to; both are `unreachable`.
        if open {
            b.build_unreachable().map_err(err)?;
        }
        for block in cx.blocks.iter().flatten() {
            if block.get_terminator().is_none() {
                b.position_at_end(*block);
                b.build_unreachable().map_err(err)?;
            }
        }
        Ok(())
    }

    /// `i32 ilo.entry(ptr ctx, ptr args)`: loads the arguments, calls the
    /// root, stores its result in the context and returns its status.
    fn build_entry<'ctx>(
        c: &'ctx Context,
        module: &Module<'ctx>,
        root: FunctionValue<'ctx>,
        nparams: usize,
    ) -> Result<(), Unsupported> {
        let t = Types::new(c);
        let ptr = c.ptr_type(AddressSpace::default());
        let entry = module.add_function("ilo.entry", t.i32.fn_type(&[ptr.into(), ptr.into()], false), None);
        let b = c.create_builder();
        b.position_at_end(c.append_basic_block(entry, "entry"));
        let (Some(cx), Some(args)) = (entry.get_nth_param(0), entry.get_nth_param(1)) else {
            return Err(Unsupported::Opcode(rop::CALL));
        };
        let (cx, args) = (cx.into_pointer_value(), args.into_pointer_value());
        let mut call_args: Vec<BasicMetadataValueEnum> = vec![cx.into()];
        for j in 0..nparams {
            // SAFETY: the entry's caller passes `nparams` argument words.
            let p =
                unsafe { b.build_in_bounds_gep(t.f64, args, &[t.i64.const_int(j as u64, false)], "") }.map_err(err)?;
            call_args.push(b.build_load(t.f64, p, "").map_err(err)?.into());
        }
        let call = b.build_call(root, &call_args, "").map_err(err)?;
        let inkwell::values::ValueKind::Basic(pair) = call.try_as_basic_value() else {
            return Err(Unsupported::Opcode(rop::CALL));
        };
        let pair = pair.into_struct_value();
        let v = b.build_extract_value(pair, 0, "").map_err(err)?;
        let status = b.build_extract_value(pair, 1, "").map_err(err)?;
        let result = b.build_struct_gep(t.ctx, cx, RESULT, "").map_err(err)?;
        b.build_store(result, v).map_err(err)?;
        b.build_return(Some(&status)).map_err(err)?;
        Ok(())
    }

    /// Checks the module (a lowering bug is a refusal, not a crash), then
    /// runs LLVM's O3 pipeline on it.
    fn optimise(module: &Module<'_>, machine: &TargetMachine) -> Result<(), Unsupported> {
        module.verify().map_err(|e| err(e.to_string()))?;
        module
            .run_passes("default<O3>", machine, PassBuilderOptions::create())
            .map_err(|e| err(e.to_string()))
    }

    /// Owns the context, the module and the engine that holds the code, so
    /// the code lives as long as the `JitFunc`. Fields drop in order: the
    /// module (owned by the engine, so a no-op), the engine (freeing the
    /// code), then the context they were made in.
    struct Owned {
        _module: Module<'static>,
        _engine: ExecutionEngine<'static>,
        _context: Box<Context>,
    }

    pub fn compile_with_stats(funcs: &[RegFunc], root: usize) -> Result<(JitFunc, Stats), Unsupported> {
        let start = Instant::now();
        // A function LLVM cannot take runs on the register VM, called
        // through `bridge::ilo_call_vm` (LLVM code runs only on this machine).
        let (unit, _) = super::super::plan_unit(funcs, root, eligible, true)?;
        let machine = host_machine()?;
        let context = Box::new(Context::create());
        // SAFETY: the context is boxed, so it stays where it is while the
        // box lives, and `Owned` drops it after everything made in it.
        let c: &'static Context = unsafe { &*(&*context as *const Context) };
        let (module, fns) = declare(c, &machine, funcs, &unit);
        for &i in &unit {
            build(c, &module, funcs, &fns, i).map_err(|why| blame(funcs, root, i, why))?;
        }
        let root_fn = fns[root].ok_or(Unsupported::Opcode(rop::CALL))?;
        build_entry(c, &module, root_fn, funcs[root].nparams)?;
        let lowered = Instant::now();
        optimise(&module, &machine)?;
        let optimised = Instant::now();
        let engine = {
            // Creating an engine initialises targets, which is not
            // thread-safe: one at a time.
            static ENGINES: Mutex<()> = Mutex::new(());
            let _one = ENGINES.lock().unwrap_or_else(|e| e.into_inner());
            module
                .create_jit_execution_engine(OptimizationLevel::Aggressive)
                .map_err(|e| err(e.to_string()))?
        };
        let p = engine.get_function_address("ilo.entry").map_err(err)? as *const u8;
        let stats = Stats {
            functions: unit.len(),
            lower: lowered - start,
            optimise: optimised - lowered,
            codegen: optimised.elapsed(),
        };
        // No inlining between functions (see `declare`): a call level is one
        // frame, which holds at most the registers and their spills.
        let frame_bound = super::super::native::unit_frame_bound(funcs, root, |f| 16 * f.nregs + 256);
        let owned = Owned {
            _module: module,
            _engine: engine,
            _context: context,
        };
        // SAFETY: `p` is `ilo.entry`, built above with the signature
        // `abi::Entry`: it reads the context and `nparams` argument words
        // and calls only functions built from the table's instructions,
        // which touch nothing but the context. The engine owning its code
        // moves into the `JitFunc`.
        let jit = unsafe { JitFunc::from_raw(p, funcs[root].nparams, 0, frame_bound, Box::new(owned)) }?;
        Ok((jit, stats))
    }

    pub fn program_ir(funcs: &[RegFunc]) -> Result<String, String> {
        // No trampolines here yet: a function LLVM cannot take blames its
        // callers.
        let verdicts = super::super::verdicts_with(funcs, eligible, false);
        let good: Vec<usize> = (0..funcs.len()).filter(|&i| verdicts[i].is_ok()).collect();
        let machine = host_machine().map_err(|e| e.to_string())?;
        let c = Context::create();
        let (module, fns) = declare(&c, &machine, funcs, &good);
        for &i in &good {
            build(&c, &module, funcs, &fns, i).map_err(|e| format!("{}: {e}", funcs[i].name))?;
        }
        optimise(&module, &machine).map_err(|e| e.to_string())?;
        let mut out = String::new();
        for (i, (f, verdict)) in funcs.iter().zip(verdicts).enumerate() {
            match (verdict, fns[i]) {
                (Ok(()), Some(fv)) => {
                    out += &format!("; {}: optimised by LLVM (default<O3>)\n", f.name);
                    out += &fv.print_to_string().to_string();
                    out.push('\n');
                }
                (Err(why), _) => out += &format!("; {}: not compiled by LLVM: {why}\n", f.name),
                (Ok(()), None) => out += &format!("; {}: not compiled by LLVM\n", f.name),
            }
        }
        Ok(out)
    }
}
