//! The Cranelift JIT (`--run-cranelift`): the same numeric functions as the
//! dynasm JIT, lowered through Cranelift's optimiser instead of templates.
//! Each VM register is a Cranelift variable; the lowering of each opcode is
//! generated from the `cranelift` entries of isa/register.toml.

use cranelift_codegen::ir::{types, AbiParam, FuncRef, InstBuilder, Signature, Value as ClValue};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module};

use super::native::JitFunc;
use super::{blame, call_unit, Unsupported, MAX_PARAMS};
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
/// variable per VM register, the function's constants, and the functions
/// of the unit it may call.
pub(crate) struct ClCx<'a, 'b> {
    pub b: &'a mut FunctionBuilder<'b>,
    vars: Vec<Variable>,
    consts: &'a [Value],
    funcs: &'a [RegFunc],
    /// The functions it calls, as declared in it.
    refs: Vec<(usize, FuncRef)>,
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

    /// `CALL`: function `func` on VM registers `a`…, its result into `a`.
    pub(crate) fn call(&mut self, a: usize, func: usize) -> Result<(), Unsupported> {
        let callee = self.refs.iter().find(|(c, _)| *c == func).map(|(_, r)| *r);
        let (Some(callee), Some(f)) = (callee, self.funcs.get(func)) else {
            return Err(Unsupported::Opcode(rop::CALL));
        };
        let args = (a..a + f.nparams).map(|r| self.reg(r)).collect::<Result<Vec<_>, _>>()?;
        let inst = self.b.ins().call(callee, &args);
        let v = *self
            .b
            .inst_results(inst)
            .first()
            .ok_or(Unsupported::Opcode(rop::CALL))?;
        self.set(a, v);
        Ok(())
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

fn eligible(f: &RegFunc) -> Result<(), Unsupported> {
    if !f.numeric {
        return Err(Unsupported::NotNumeric);
    }
    if f.nparams > MAX_PARAMS {
        return Err(Unsupported::TooManyParams(f.nparams));
    }
    if let Some(op) = first_unlowered(f) {
        return Err(Unsupported::Opcode(op as u8));
    }
    Ok(())
}

fn signature(module: &JITModule, f: &RegFunc) -> Signature {
    let mut sig = module.make_signature();
    sig.params.extend((0..f.nparams).map(|_| AbiParam::new(types::F64)));
    sig.returns.push(AbiParam::new(types::F64));
    sig
}

/// Compiles `funcs[root]`, and every function it calls, with Cranelift for
/// this machine.
pub fn compile(funcs: &[RegFunc], root: usize) -> Result<JitFunc, Unsupported> {
    let unit = call_unit(funcs, root)?;
    for &i in &unit {
        eligible(&funcs[i]).map_err(|why| blame(funcs, root, i, why))?;
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
        for callee in super::static_calls(f, false) {
            if let (Some(Some(id)), false) = (ids.get(callee), refs.iter().any(|(c, _)| *c == callee)) {
                refs.push((callee, module.declare_func_in_func(*id, &mut ctx.func)));
            }
        }
        build(&mut ctx.func, &mut fctx, funcs, f, refs, module.target_config())
            .map_err(|why| blame(funcs, root, i, why))?;
        module.define_function(id, &mut ctx).map_err(codegen_err)?;
        len += ctx.compiled_code().map_or(0, |c| c.code_buffer().len());
        module.clear_context(&mut ctx);
    }
    module.finalize_definitions().map_err(codegen_err)?;
    let root_id = ids[root].ok_or(Unsupported::Opcode(rop::CALL))?;
    let p = module.get_finalized_function(root_id);
    // SAFETY: `p` is the function just defined with the signature
    // `fn(f64 × nparams) -> f64`, built only from the table's pure float
    // instructions and calls of functions so built; cranelift-jit made its
    // memory executable and read-only, and the module that owns it moves
    // into the `JitFunc`.
    unsafe { JitFunc::from_raw(p, funcs[root].nparams, len, Box::new(Owned(Some(module)))) }
}

/// The body of `f` into `func`, whose signature is set.
fn build(
    func: &mut cranelift_codegen::ir::Function,
    fctx: &mut FunctionBuilderContext,
    funcs: &[RegFunc],
    f: &RegFunc,
    refs: Vec<(usize, FuncRef)>,
    config: cranelift_codegen::isa::TargetFrontendConfig,
) -> Result<(), Unsupported> {
    let mut b = FunctionBuilder::new(func, fctx);
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
        funcs,
        refs,
    };
    for (pc, ins) in f.code.iter().enumerate() {
        generated::lower(&mut cx, pc, *ins)?;
        // Straight-line code: nothing may follow a return (`RET`, `RETK`:
        // the table flags them `ret`).
        if RegOp::from_u8(*ins as u8).is_some_and(|op| op.info().ret) {
            break;
        }
    }
    b.finalize(config);
    Ok(())
}

/// The first opcode of `f` Cranelift has no lowering for.
pub fn first_unlowered(f: &RegFunc) -> Option<RegOp> {
    f.code
        .iter()
        .filter_map(|w| crate::isa::decode_reg(*w))
        .map(|i| i.op)
        .find(|op| !generated::LOWERED.contains(op))
}
