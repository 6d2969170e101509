//! Choosing and running an engine. A loaded program is compiled lazily for
//! each engine that is asked for; a function an engine cannot take falls
//! back (JIT -> register VM -> tree interpreter) and the outcome says which
//! engine really ran and why.

use std::cell::OnceCell;

use crate::error::{Limits, RtError};
use crate::front::ast::{Program, Type};
use crate::heap::{Heap, HeapStats};
use crate::jit::native::JitFunc;
use crate::lower::Unsupported;
use crate::print::fmt_value;
use crate::reg::{RegProgram, RegVm};
use crate::stack::{StackProgram, StackVm};
use crate::tree::TreeInterp;
use crate::value::Value;

/// An execution layer, as the CLI names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    Tree,
    Stack,
    Reg,
    /// The dynasm JIT for this machine.
    Jit,
    Cranelift,
    /// The LLVM JIT (cargo feature `llvm`; without it, the register VM).
    Llvm,
}

impl Engine {
    /// Every engine this ilo was built with.
    #[cfg(not(feature = "llvm"))]
    pub const ALL: [Engine; 5] = [Engine::Tree, Engine::Stack, Engine::Reg, Engine::Jit, Engine::Cranelift];
    #[cfg(feature = "llvm")]
    pub const ALL: [Engine; 6] = [
        Engine::Tree,
        Engine::Stack,
        Engine::Reg,
        Engine::Jit,
        Engine::Cranelift,
        Engine::Llvm,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Tree => "tree interpreter",
            Engine::Stack => "stack VM",
            Engine::Reg => "register VM",
            Engine::Jit => "JIT",
            Engine::Cranelift => "Cranelift JIT",
            Engine::Llvm => "LLVM JIT",
        }
    }
}

/// A command-line argument, converted by the parameter's type before any
/// engine runs, then placed in that engine's heap.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Num(f64),
    Text(String),
    Bool(bool),
    List(Vec<Arg>),
    Nil,
}

impl Arg {
    /// Parses `text` as a value of type `ty`: `1,2,3` and `[1,2,3]` are an
    /// `L n`; in brackets, `"a b"` is a text element and lists nest.
    ///
    /// `O T` takes `nil` or a `T`; `_` and type variables take any of these.
    /// Maps, results, records and functions cannot be written on the
    /// command line: an error says so rather than passing text for them.
    pub fn parse(text: &str, ty: &Type) -> Result<Arg, String> {
        match ty {
            Type::Opt(_) if text == "nil" => return Ok(Arg::Nil),
            Type::Opt(inner) => return Arg::parse(text, inner),
            Type::Map(..) | Type::Result(..) | Type::Func(..) | Type::Named(_) => {
                return Err(format!(
                    "a {} (`{}`) cannot be written on the command line, only numbers, texts, bools, nil and lists of them: call this function from an ilo function that builds its argument",
                    ty.word(),
                    crate::front::format::type_text(ty)
                ))
            }
            _ => {}
        }
        if !matches!(ty, Type::Text) && beyond_range(text) {
            return Err(format!(
                "`{text}` is beyond the largest number (about 1.8e308) and would become `inf`; write `inf` if that is meant"
            ));
        }
        if text.trim_start().starts_with('[') && !matches!(ty, Type::Text) {
            let elem = match ty {
                Type::List(elem) => elem.as_ref(),
                Type::Num | Type::Bool => return Err(format!("`{text}` is a list, not a {}", ty.word())),
                _ => &Type::Any,
            };
            return crate::cli_list::parse(text)?
                .into_iter()
                .map(|item| item.into_arg(elem))
                .collect::<Result<_, _>>()
                .map(Arg::List);
        }
        match ty {
            Type::Num => parse_num(text)
                .map(Arg::Num)
                .ok_or_else(|| format!("`{text}` is not a number")),
            Type::Bool => match text {
                "true" => Ok(Arg::Bool(true)),
                "false" => Ok(Arg::Bool(false)),
                _ => Err(format!("`{text}` is not a bool (true or false)")),
            },
            Type::List(elem) => {
                if text.is_empty() {
                    return Ok(Arg::List(Vec::new()));
                }
                text.split(',')
                    .map(|part| Arg::parse(part.trim(), elem))
                    .collect::<Result<_, _>>()
                    .map(Arg::List)
            }
            Type::Text => Ok(Arg::Text(text.to_string())),
            // `_` or a type variable: a bool, nil or a number if it reads
            // as one, else text.
            _ => Ok(match text {
                "true" => Arg::Bool(true),
                "false" => Arg::Bool(false),
                "nil" => Arg::Nil,
                _ => parse_num(text)
                    .map(Arg::Num)
                    .unwrap_or_else(|| Arg::Text(text.to_string())),
            }),
        }
    }

    pub fn to_value(&self, heap: &mut Heap) -> Value {
        match self {
            Arg::Num(n) => Value::num(*n),
            Arg::Bool(b) => Value::bool(*b),
            Arg::Nil => Value::NIL,
            Arg::Text(t) => heap.text(t.clone()),
            Arg::List(items) => {
                let vals = items.iter().map(|a| a.to_value(heap)).collect();
                heap.list(vals)
            }
        }
    }

    pub fn as_num(&self) -> Option<f64> {
        match self {
            Arg::Num(n) => Some(*n),
            _ => None,
        }
    }
}

/// Digits whose value is too large for a number: `1e400` would silently
/// become `inf`.
pub fn beyond_range(digits: &str) -> bool {
    !digits.contains("inf") && parse_num(digits).is_some_and(f64::is_infinite)
}

/// Numbers as ilo writes them, plus the spellings it prints (`inf`, `nan`).
pub fn parse_num(text: &str) -> Option<f64> {
    match text {
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "nan" => Some(f64::NAN),
        _ if text.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) => text.parse().ok(),
        _ => None,
    }
}

/// What a run produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The result as the CLI prints it.
    pub printed: String,
    /// The engine that really ran the function.
    pub engine: Engine,
    /// Why a faster engine was not used, for `--verbose`.
    pub fallbacks: Vec<String>,
    /// What a JIT compiled and how long that took, for `--verbose`.
    pub compiled: Option<String>,
    /// The heap once the result was printed and every value released: a
    /// run that accounts for its memory correctly ends with nothing live
    /// and no bytes held (`peak_bytes` is the run's high-water mark).
    pub heap: HeapStats,
}

/// Prints `v`, then releases everything and reports what the heap holds.
fn finish(heap: &mut Heap, v: Value) -> (String, HeapStats) {
    let printed = fmt_value(heap, v);
    heap.release_all();
    (printed, heap.stats())
}

/// Why faster engines were not used, noted as they are decided.
struct Fallbacks<'n> {
    all: Vec<String>,
    note: &'n mut dyn FnMut(&str),
}

impl Fallbacks<'_> {
    fn push(&mut self, why: String) {
        (self.note)(&why);
        self.all.push(why);
    }
}

/// A parsed program with its bytecode compiled on first use.
pub struct Loaded {
    pub program: Program,
    stack: OnceCell<Result<StackProgram, Unsupported>>,
    reg: OnceCell<Result<RegProgram, Unsupported>>,
}

impl Loaded {
    pub fn new(program: Program) -> Loaded {
        Loaded {
            program,
            stack: OnceCell::new(),
            reg: OnceCell::new(),
        }
    }

    pub fn stack(&self) -> Result<&StackProgram, &Unsupported> {
        self.stack.get_or_init(|| crate::stack::compile(&self.program)).as_ref()
    }

    pub fn reg(&self) -> Result<&RegProgram, &Unsupported> {
        self.reg.get_or_init(|| crate::reg::compile(&self.program)).as_ref()
    }

    /// Runs `func` on `engine`, falling back per function where it must.
    pub fn run(&self, func: &str, args: &[Arg], engine: Engine, limits: Limits) -> Result<Outcome, RtError> {
        self.run_noting(func, args, engine, limits, &mut |_| {})
    }

    /// [`Loaded::run`], telling `note` each fallback as it happens: before
    /// the run, so a caller can show it even when the run then fails.
    pub fn run_noting(
        &self,
        func: &str,
        args: &[Arg],
        engine: Engine,
        limits: Limits,
        note: &mut dyn FnMut(&str),
    ) -> Result<Outcome, RtError> {
        let mut fallbacks = Fallbacks { all: Vec::new(), note };
        match engine {
            Engine::Jit | Engine::Cranelift | Engine::Llvm => {
                match self.run_jit(func, args, engine, &limits, fallbacks.note) {
                    Ok((run, compiled)) => {
                        let printed = run?;
                        return Ok(Outcome {
                            printed,
                            engine,
                            fallbacks: fallbacks.all,
                            compiled: Some(compiled),
                            heap: HeapStats::default(),
                        });
                    }
                    Err(why) => fallbacks.push(format!(
                        "{}: `{func}` not compiled: {why}; running on the register VM",
                        engine.name()
                    )),
                }
            }
            Engine::Stack => match self.stack() {
                Ok(prog) => {
                    let (printed, heap) = run_stack(prog, func, args, limits)?;
                    return Ok(Outcome {
                        printed,
                        engine: Engine::Stack,
                        fallbacks: fallbacks.all,
                        compiled: None,
                        heap,
                    });
                }
                Err(u) => fallbacks.push(format!("stack VM: cannot compile {u}; running on the tree interpreter")),
            },
            Engine::Reg | Engine::Tree => {}
        }
        if matches!(engine, Engine::Reg | Engine::Jit | Engine::Cranelift | Engine::Llvm) {
            match self.reg() {
                Ok(prog) => {
                    let (printed, heap) = run_reg(prog, func, args, limits)?;
                    return Ok(Outcome {
                        printed,
                        engine: Engine::Reg,
                        fallbacks: fallbacks.all,
                        compiled: None,
                        heap,
                    });
                }
                Err(u) => fallbacks.push(format!(
                    "register VM: cannot compile {u}; running on the tree interpreter"
                )),
            }
        }
        let mut interp = TreeInterp::new(&self.program, limits);
        let vals: Vec<Value> = args.iter().map(|a| a.to_value(&mut interp.heap)).collect();
        let v = interp.call(func, &vals)?;
        let (printed, heap) = finish(&mut interp.heap, v);
        Ok(Outcome {
            printed,
            engine: Engine::Tree,
            fallbacks: fallbacks.all,
            compiled: None,
            heap,
        })
    }

    /// Compiles `func` with the dynasm, Cranelift or LLVM JIT and runs it
    /// natively under `limits` (its result or the `ILO-R` error the register
    /// VM gives) and says what it compiled, or says why it cannot.
    fn run_jit(
        &self,
        func: &str,
        args: &[Arg],
        engine: Engine,
        limits: &Limits,
        note: &mut dyn FnMut(&str),
    ) -> Result<(Result<String, RtError>, String), String> {
        let prog = self.reg().map_err(|u| u.to_string())?;
        let root = prog.func_index(func).ok_or("no such function")? as usize;
        let start = std::time::Instant::now();
        let (jit, compiled) = match engine {
            Engine::Llvm if !crate::jit::llvm::BUILT => return Err(crate::jit::llvm::HOW_TO_BUILD.into()),
            Engine::Llvm => crate::jit::llvm::compile_with_stats(&prog.funcs, root)
                .map(|(jit, stats)| (jit, format!("{}: compiled `{func}`: {stats}", engine.name()))),
            _ => match engine {
                Engine::Cranelift => crate::jit::cranelift::compile(&prog.funcs, root),
                _ => JitFunc::compile(&prog.funcs, root),
            }
            .map(|jit| {
                let ms = start.elapsed().as_secs_f64() * 1e3;
                (jit, format!("{}: compiled `{func}` in {ms:.2} ms", engine.name()))
            }),
        }
        .map_err(|u| u.to_string())?;
        if engine != Engine::Llvm {
            let summary = crate::jit::unit_summary(&prog.funcs, root, engine == Engine::Cranelift);
            note(&format!("{}: {summary}", engine.name()));
        }
        // Scalar arguments and result: the heap stays empty.
        let mut heap = Heap::default();
        let vals: Vec<Value> = args.iter().map(|a| a.to_value(&mut heap)).collect();
        Ok((
            jit.run(Some(prog), &vals, limits).map(|v| finish(&mut heap, v).0),
            compiled,
        ))
    }
}

fn run_stack(prog: &StackProgram, func: &str, args: &[Arg], limits: Limits) -> Result<(String, HeapStats), RtError> {
    let index = prog
        .func_index(func)
        .ok_or_else(|| RtError::internal(format!("no function `{func}`")))?;
    let mut vm = StackVm::new(limits);
    let vals: Vec<Value> = args.iter().map(|a| a.to_value(&mut vm.heap)).collect();
    let v = vm.call(prog, index, &vals)?;
    Ok(finish(&mut vm.heap, v))
}

/// `--profile-ops`: runs `func` on a fresh register VM counting every opcode
/// dispatched; the printed result and the counts.
pub fn profile_ops(
    loaded: &Loaded,
    func: &str,
    args: &[Arg],
    limits: Limits,
) -> Result<(String, crate::reg::OpProfile), RtError> {
    let prog = loaded
        .reg()
        .map_err(|u| RtError::internal(format!("the register VM cannot compile {u}")))?;
    let index = prog
        .func_index(func)
        .ok_or_else(|| RtError::internal(format!("no function `{func}`")))?;
    let mut vm = RegVm::new(limits);
    vm.profile = Some(Box::default());
    let vals: Vec<Value> = args.iter().map(|a| a.to_value(&mut vm.heap)).collect();
    let v = vm.call(prog, index, &vals)?;
    let (printed, _) = finish(&mut vm.heap, v);
    Ok((printed, *vm.profile.take().unwrap_or_default()))
}

fn run_reg(prog: &RegProgram, func: &str, args: &[Arg], limits: Limits) -> Result<(String, HeapStats), RtError> {
    let index = prog
        .func_index(func)
        .ok_or_else(|| RtError::internal(format!("no function `{func}`")))?;
    let mut vm = RegVm::new(limits);
    let vals: Vec<Value> = args.iter().map(|a| a.to_value(&mut vm.heap)).collect();
    let v = vm.call(prog, index, &vals)?;
    Ok(finish(&mut vm.heap, v))
}
