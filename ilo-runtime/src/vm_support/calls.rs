//! Calls, the one home of what every engine checks when it enters a
//! function: the depth limit (ILO-R006), that a called value is a function,
//! and that a program function gets as many arguments as it takes; and of a
//! VM's re-entry from a higher-order builtin. Each engine used to carry its
//! own copy, and the copies had to stay word for word alike so that every
//! engine fails the same way at the same limit.

use crate::builtins::{self, Builtin, CallValue};
use crate::error::{Limits, RtError};
use crate::heap::Heap;
use crate::value::Value;

/// What the call checks need of a compiled or declared function.
pub trait FuncSig {
    fn name(&self) -> &str;
    fn nparams(&self) -> usize;
}

/// [`FuncSig`] for a compiled function type with `name` and `nparams`
/// fields (both VMs' functions).
macro_rules! func_sig {
    ($func:ty) => {
        impl $crate::vm_support::calls::FuncSig for $func {
            fn name(&self) -> &str {
                &self.name
            }
            fn nparams(&self) -> usize {
                self.nparams
            }
        }
    };
}
pub(crate) use func_sig;

impl FuncSig for crate::front::ast::FuncDecl {
    fn name(&self) -> &str {
        &self.name.name
    }
    fn nparams(&self) -> usize {
        self.params.len()
    }
}

impl<F: FuncSig> FuncSig for &F {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn nparams(&self) -> usize {
        (**self).nparams()
    }
}

/// The index of the function called `name`.
pub fn func_index<F: FuncSig>(funcs: &[F], name: &str) -> Option<u32> {
    funcs.iter().position(|f| f.name() == name).map(|i| i as u32)
}

/// Function `func`, which an embedder calls with `argc` values (the VMs'
/// `call`): the caller chose both, so a mismatch is an internal error.
pub fn entry<F: FuncSig>(funcs: &[F], func: u32, argc: usize) -> Result<&F, RtError> {
    let f = funcs
        .get(func as usize)
        .ok_or_else(|| RtError::internal("no such function"))?;
    if argc != f.nparams() {
        return Err(RtError::internal(format!(
            "`{}` takes {} arguments",
            f.name(),
            f.nparams()
        )));
    }
    Ok(f)
}

/// The function a compiled `CALL` names (the compiler emits only indices
/// it gave out, so a miss is an internal error).
#[inline(always)]
pub fn callee<F>(funcs: &[F], func: usize) -> Result<&F, RtError> {
    funcs
        .get(func)
        .ok_or_else(|| RtError::internal("call of an unknown function"))
}

/// ILO-R006 when `depth` active calls leave no room for one more.
#[inline(always)]
pub fn check_depth(depth: usize, limits: &Limits) -> Result<(), RtError> {
    if depth >= limits.max_depth {
        return Err(RtError::depth(limits.max_depth));
    }
    Ok(())
}

/// Program function `i`, when it takes `argc` arguments.
#[inline(always)]
pub fn check_args<F: FuncSig>(funcs: &[F], i: u32, argc: usize) -> Result<&F, RtError> {
    match funcs.get(i as usize) {
        Some(f) if f.nparams() == argc => Ok(f),
        _ => Err(bad_args(funcs, i, argc)),
    }
}

#[cold]
#[inline(never)]
fn bad_args<F: FuncSig>(funcs: &[F], i: u32, argc: usize) -> RtError {
    match funcs.get(i as usize) {
        Some(f) => RtError::arity(&format!("`{}`", f.name()), f.nparams(), argc),
        None => RtError::internal(format!("no function #{i}")),
    }
}

/// Calling `f`, which is no function, is a type error.
#[cold]
#[inline(never)]
pub fn not_a_function(heap: &Heap, f: Value) -> RtError {
    RtError::type_error(format!(
        "cannot call {}: it is not a function",
        crate::print::type_name(heap, f)
    ))
}

/// The program function a function value names, checked against `argc`.
pub fn user_func<F: FuncSig>(funcs: &[F], heap: &Heap, f: Value, argc: usize) -> Result<usize, RtError> {
    let Some(i) = f.func_index() else {
        return Err(not_a_function(heap, f));
    };
    check_args(funcs, i, argc)?;
    Ok(i as usize)
}

/// A higher-order builtin's call back into a VM: a builtin runs at once
/// (calling back through `vm` in turn), a program function by `run_user`,
/// which gives it a frame above the caller's and runs it to its return.
pub fn call_back<V: CallValue, F: FuncSig>(
    vm: &mut V,
    funcs: &[F],
    heap: &mut Heap,
    f: Value,
    args: &[Value],
    run_user: impl FnOnce(&mut V, &mut Heap, usize) -> Result<Value, RtError>,
) -> Result<Value, RtError> {
    if let Some(b) = Builtin::from_func_value(f) {
        return builtins::call(b, heap, args, vm);
    }
    let i = user_func(funcs, heap, f, args.len())?;
    run_user(vm, heap, i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::runtime as code;
    use crate::engine::{Engine, Loaded};
    use crate::reg::tests::outcome;

    const ENGINES: [Engine; 3] = [Engine::Tree, Engine::Stack, Engine::Reg];

    /// `func` of `src` on `engine`, which must run it itself (no fallback).
    fn run(src: &str, func: &str, args: &[&str], engine: Engine, limits: Limits) -> Result<String, &'static str> {
        let program = crate::front::parser::parse(src).unwrap_or_else(|d| panic!("{d:?}"));
        let (r, ran) = outcome(&Loaded::new(program), func, args, engine, limits);
        assert!(ran.is_none() || ran == Some(engine), "{src} fell back to {ran:?}");
        r
    }

    fn depth(max_depth: usize) -> Limits {
        Limits {
            max_depth,
            max_steps: None,
            ..Limits::default()
        }
    }

    struct Named(&'static str, usize);

    impl FuncSig for Named {
        fn name(&self) -> &str {
            self.0
        }
        fn nparams(&self) -> usize {
            self.1
        }
    }

    #[test]
    fn the_checks_say_what_is_wrong() {
        let funcs = [Named("f", 1), Named("g", 2)];
        let heap = Heap::default();
        assert_eq!(func_index(&funcs, "g"), Some(1));
        assert_eq!(user_func(&funcs, &heap, Value::func(1), 2), Ok(1));
        assert_eq!(entry(&funcs, 0, 1).map(|f| f.0), Ok("f"));
        let e = entry(&funcs, 0, 2).map(|f| f.0).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (code::INTERNAL, "`f` takes 1 arguments"));
        assert_eq!(entry(&funcs, 2, 0).map(|f| f.0).unwrap_err().code, code::INTERNAL);
        assert_eq!(callee(&funcs, 1).map(|f| f.0), Ok("g"));
        assert_eq!(callee(&funcs, 2).map(|f| f.0).unwrap_err().code, code::INTERNAL);
        let e = user_func(&funcs, &heap, Value::func(1), 1).unwrap_err();
        assert_eq!(e.code, code::ARITY);
        assert_eq!(e.message, "`g` takes 2 argument(s), but was called with 1");
        let e = user_func(&funcs, &heap, Value::num(3.0), 1).unwrap_err();
        assert_eq!(e.code, code::TYPE);
        assert_eq!(e.message, "cannot call a number: it is not a function");
        assert_eq!(check_depth(2, &depth(3)), Ok(()));
        assert_eq!(check_depth(3, &depth(3)).map_err(|e| e.code), Err(code::DEPTH));
    }

    #[test]
    fn every_engine_stops_at_the_same_depth() {
        let down = "d n:n>n;<=n 0 0;r=d -n 1;+r 1";
        let through_map = "r n:n>_;<=n 0 0;map r [-n 1]";
        for engine in ENGINES {
            // `d 9` and `r 9` are ten calls deep: a limit of ten lets them be.
            assert_eq!(run(down, "d", &["9"], engine, depth(10)), Ok("9".into()), "{engine:?}");
            assert_eq!(run(down, "d", &["9"], engine, depth(9)), Err(code::DEPTH), "{engine:?}");
            assert!(run(through_map, "r", &["9"], engine, depth(10)).is_ok(), "{engine:?}");
            assert_eq!(run(through_map, "r", &["9"], engine, depth(9)), Err(code::DEPTH));
        }
    }

    #[test]
    fn every_engine_counts_the_same_steps() {
        // The call and ten iterations: eleven safe points.
        let ten = "s>n;s=0;@i 0..10{s=+s i};s";
        let steps = |n| Limits {
            max_steps: Some(n),
            ..Limits::default()
        };
        for engine in ENGINES {
            assert_eq!(run(ten, "s", &[], engine, steps(11)), Ok("45".into()), "{engine:?}");
            assert_eq!(run(ten, "s", &[], engine, steps(10)), Err(code::STEPS), "{engine:?}");
        }
    }

    #[test]
    fn every_engine_checks_a_called_value() {
        let src = "inc x:n>n;+x 1\nf>_;map inc [1 2]\ng>_;h=inc;h 1 2\nk>_;h=1;h 2";
        for engine in ENGINES {
            assert_eq!(run(src, "f", &[], engine, depth(100)), Ok("[2, 3]".into()));
            assert_eq!(run(src, "g", &[], engine, depth(100)), Err(code::ARITY), "{engine:?}");
            assert_eq!(run(src, "k", &[], engine, depth(100)), Err(code::TYPE), "{engine:?}");
        }
    }

    #[test]
    fn deep_recursion_through_callbacks_moves_to_new_segments_on_every_engine() {
        let src = "r n:n>_;<=n 0 0;map r [-n 1]";
        for engine in ENGINES {
            assert!(run(src, "r", &["20000"], engine, depth(30_000)).is_ok(), "{engine:?}");
        }
    }
}
