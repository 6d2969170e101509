//! The Cranelift JIT (`--run-cranelift`): the same numeric functions as the
//! dynasm JIT, lowered through Cranelift's optimiser instead of templates.
//! Each VM register is a Cranelift variable; the lowering of each opcode is
//! generated from the `cranelift` entries of isa/register.toml.

use cranelift_codegen::ir::{types, AbiParam, InstBuilder, Value as ClValue};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{Linkage, Module};

use super::native::JitFunc;
use super::{Unsupported, MAX_PARAMS};
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
/// variable per VM register, and the function's constants.
pub(crate) struct ClCx<'a, 'b> {
    pub b: &'a mut FunctionBuilder<'b>,
    vars: Vec<Variable>,
    consts: &'a [Value],
}

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

    pub(crate) fn konst(&mut self, k: usize) -> Result<ClValue, Unsupported> {
        match self.consts.get(k) {
            Some(v) if v.is_num() => Ok(self.b.ins().f64const(v.as_f64())),
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

/// Compiles `f` with Cranelift for this machine.
pub fn compile(f: &RegFunc) -> Result<JitFunc, Unsupported> {
    if !f.numeric {
        return Err(Unsupported::NotNumeric);
    }
    if f.nparams > MAX_PARAMS {
        return Err(Unsupported::TooManyParams(f.nparams));
    }
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
    let mut module = JITModule::new(JITBuilder::with_isa(isa, cranelift_module::default_libcall_names()));
    let mut ctx = module.make_context();
    for _ in 0..f.nparams {
        ctx.func.signature.params.push(AbiParam::new(types::F64));
    }
    ctx.func.signature.returns.push(AbiParam::new(types::F64));
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let params = b.block_params(entry).to_vec();
    let vars: Vec<Variable> = (0..f.nregs).map(|_| b.declare_var(types::F64)).collect();
    for (r, var) in vars.iter().enumerate() {
        // Parameters arrive in r0…; other registers start at 0.0 so that no
        // read is of an undefined variable.
        let init = match params.get(r) {
            Some(p) => *p,
            None => b.ins().f64const(0.0),
        };
        b.def_var(*var, init);
    }
    let mut cx = ClCx {
        b: &mut b,
        vars,
        consts: &f.consts,
    };
    for (pc, ins) in f.code.iter().enumerate() {
        generated::lower(&mut cx, pc, *ins)?;
        // Straight-line code: nothing may follow the return.
        if (*ins & 0xff) as u8 == rop::RET {
            break;
        }
    }
    b.finalize(module.target_config());
    let id = module
        .declare_function("ilo_fn", Linkage::Local, &ctx.func.signature)
        .map_err(codegen_err)?;
    module.define_function(id, &mut ctx).map_err(codegen_err)?;
    let len = ctx.compiled_code().map_or(0, |c| c.code_buffer().len());
    module.clear_context(&mut ctx);
    module.finalize_definitions().map_err(codegen_err)?;
    let p = module.get_finalized_function(id);
    // SAFETY: `p` is the function just defined with the signature
    // `fn(f64 × nparams) -> f64`, built only from the table's pure float
    // instructions; cranelift-jit made its memory executable and read-only,
    // and the module that owns it moves into the `JitFunc`.
    unsafe { JitFunc::from_raw(p, f.nparams, len, Box::new(Owned(Some(module)))) }
}

/// The first opcode of `f` Cranelift has no lowering for.
pub fn first_unlowered(f: &RegFunc) -> Option<RegOp> {
    f.code
        .iter()
        .filter_map(|w| crate::isa::decode_reg(*w))
        .map(|i| i.op)
        .find(|op| !generated::LOWERED.contains(op))
}
