//! `--bench`: every layer runs the same call, timed side by side. Each layer
//! is warmed up, then its iteration count is sized to a time budget, so a
//! slow layer costs the same wall time as a fast one.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::engine::{Arg, Loaded};
use crate::error::{Limits, RtError};
use crate::jit::native::JitFunc;
use crate::print::fmt_value;
use crate::reg::RegVm;
use crate::stack::StackVm;
use crate::tree::TreeInterp;
use crate::value::Value;

/// One layer's measurement.
#[derive(Clone, Debug)]
pub struct Row {
    /// `Tree interpreter`, `Stack VM`, `Register VM`, `Register VM (reused)`, `JIT (x86_64)`, `Cranelift JIT`, `LLVM JIT`.
    pub layer: String,
    /// The printed result, or why the layer did not run.
    pub result: Result<String, String>,
    pub ns_per_call: f64,
    pub iterations: u64,
    /// For a JIT, what compiling took.
    pub compile: Option<String>,
}

/// Times `batch(n)`, which makes `n` calls: warms up, doubles the batch until
/// it is long enough to time, sizes a run of about `budget`, and returns
/// (ns per call, iterations).
fn time<F: FnMut(u64) -> Result<(), RtError>>(budget: Duration, mut batch: F) -> Result<(f64, u64), RtError> {
    batch(3)?;
    let mut n: u64 = 1;
    let elapsed = loop {
        let start = Instant::now();
        batch(n)?;
        let e = start.elapsed();
        if e >= budget / 20 || n >= 1 << 40 {
            break e;
        }
        n *= 2;
    };
    let per_call = elapsed.as_secs_f64() / n as f64;
    let iterations = ((budget.as_secs_f64() / per_call) as u64).max(1);
    let start = Instant::now();
    batch(iterations)?;
    Ok((start.elapsed().as_nanos() as f64 / iterations as f64, iterations))
}

/// A batch of `n` calls of `call`.
fn repeat(n: u64, mut call: impl FnMut() -> Result<(), RtError>) -> Result<(), RtError> {
    for _ in 0..n {
        call()?;
    }
    Ok(())
}

fn row(layer: &str, measured: Result<(f64, u64), RtError>, result: String) -> Row {
    match measured {
        Ok((ns, iterations)) => Row {
            layer: layer.into(),
            result: Ok(result),
            ns_per_call: ns,
            iterations,
            compile: None,
        },
        Err(e) => Row {
            layer: layer.into(),
            result: Err(e.to_string()),
            ns_per_call: 0.0,
            iterations: 0,
            compile: None,
        },
    }
}

fn skipped(layer: &str, why: String) -> Row {
    Row {
        layer: layer.into(),
        result: Err(why),
        ns_per_call: 0.0,
        iterations: 0,
        compile: None,
    }
}

/// Times `func(args)` on every layer, each for about `budget`.
pub fn bench(loaded: &Loaded, func: &str, args: &[Arg], budget: Duration) -> Vec<Row> {
    let limits = Limits::default();
    let mut rows = Vec::new();

    // Layer 1: the tree-walk interpreter.
    let mut interp = TreeInterp::new(&loaded.program, limits);
    let vals: Vec<Value> = args.iter().map(|a| a.to_value(&mut interp.heap)).collect();
    let mut last = Value::NIL;
    let m = time(budget, |n| {
        repeat(n, || {
            last = black_box(interp.call(func, black_box(&vals))?);
            Ok(())
        })
    });
    rows.push(row("Tree interpreter", m, fmt_value(&interp.heap, last)));

    // Layer 2: the stack VM, fresh state per call.
    match loaded.stack() {
        Ok(prog) => match prog.func_index(func) {
            Some(index) => {
                let mut printed = String::new();
                let m = time(budget, |n| {
                    repeat(n, || {
                        let mut vm = StackVm::new(limits);
                        let vals: Vec<Value> = args.iter().map(|a| a.to_value(&mut vm.heap)).collect();
                        let v = black_box(vm.call(prog, index, black_box(&vals))?);
                        if printed.is_empty() {
                            printed = fmt_value(&vm.heap, v);
                        }
                        Ok(())
                    })
                });
                rows.push(row("Stack VM", m, printed));
            }
            None => rows.push(skipped("Stack VM", format!("no function `{func}`"))),
        },
        Err(u) => rows.push(skipped("Stack VM", format!("cannot compile {u}"))),
    }

    // Layers 3 and 4: the register VM, fresh state per call, then reused.
    match loaded.reg() {
        Ok(prog) => match prog.func_index(func) {
            Some(index) => {
                let mut printed = String::new();
                let m = time(budget, |n| {
                    repeat(n, || {
                        let mut vm = RegVm::new(limits);
                        let vals: Vec<Value> = args.iter().map(|a| a.to_value(&mut vm.heap)).collect();
                        let v = black_box(vm.call(prog, index, black_box(&vals))?);
                        if printed.is_empty() {
                            printed = fmt_value(&vm.heap, v);
                        }
                        Ok(())
                    })
                });
                rows.push(row("Register VM", m, printed));

                let mut vm = RegVm::new(limits);
                let vals: Vec<Value> = args.iter().map(|a| a.to_value(&mut vm.heap)).collect();
                let mut last = Value::NIL;
                let m = time(budget, |n| {
                    repeat(n, || {
                        last = black_box(vm.call(prog, index, black_box(&vals))?);
                        Ok(())
                    })
                });
                rows.push(row("Register VM (reused)", m, fmt_value(&vm.heap, last)));

                let root = index as usize;
                let layer = match crate::jit::Target::host() {
                    Some(t) => format!("JIT ({})", t.name()),
                    None => "JIT".to_string(),
                };
                rows.push(bench_jit(
                    prog,
                    &layer,
                    JitFunc::compile(&prog.funcs, root),
                    args,
                    &limits,
                    budget,
                ));
                rows.push(bench_jit(
                    prog,
                    "Cranelift JIT",
                    crate::jit::cranelift::compile(&prog.funcs, root),
                    args,
                    &limits,
                    budget,
                ));
                let (llvm, stats) = match crate::jit::llvm::compile_with_stats(&prog.funcs, root) {
                    Ok((jit, stats)) => (Ok(jit), Some(stats.to_string())),
                    Err(why) => (Err(why), None),
                };
                let mut llvm = match crate::jit::llvm::BUILT {
                    true => bench_jit(prog, "LLVM JIT", llvm, args, &limits, budget),
                    false => skipped("LLVM JIT", crate::jit::llvm::HOW_TO_BUILD.into()),
                };
                llvm.compile = stats;
                rows.push(llvm);
            }
            None => rows.push(skipped("Register VM", format!("no function `{func}`"))),
        },
        Err(u) => rows.push(skipped("Register VM", format!("cannot compile {u}"))),
    }

    // The program transpiled to Python, timed inside one python3 process.
    rows.push(crate::python::bench::row(loaded, func, args, budget));
    rows
}

fn bench_jit(
    prog: &crate::reg::RegProgram,
    layer: &str,
    compiled: Result<JitFunc, crate::jit::Unsupported>,
    args: &[Arg],
    limits: &Limits,
    budget: Duration,
) -> Row {
    let jit = match compiled {
        Ok(j) => j,
        Err(why) => return skipped(layer, format!("not compiled: {why}; the register VM runs it")),
    };
    // Scalar arguments and result: the heap stays empty.
    let mut heap = crate::heap::Heap::default();
    let vals: Vec<Value> = args.iter().map(|a| a.to_value(&mut heap)).collect();
    let first = match jit.run(Some(prog), &vals, limits) {
        Ok(v) => v,
        Err(e) => return skipped(layer, format!("the call fails: {}", e.message)),
    };
    let bits: Vec<u64> = vals.iter().map(|v| v.bits()).collect();
    let m = time(budget, |n| {
        jit.bench(prog, &bits, n);
        Ok(())
    });
    row(layer, m, fmt_value(&heap, first))
}

/// The report `ilo --bench` prints.
pub fn report(func: &str, rows: &[Row]) -> String {
    let mut out = format!("bench {func}\n\n");
    for r in rows {
        out += &format!("{}\n", r.layer);
        match &r.result {
            Ok(v) => {
                out += &format!("  result:   {v}\n");
                out += &format!("  per call: {} ns\n", fmt_ns(r.ns_per_call));
                out += &format!("  iterations: {}\n", r.iterations);
                if let Some(c) = &r.compile {
                    out += &format!("  compile:  {c}\n");
                }
            }
            Err(why) => out += &format!("  skipped:  {why}\n"),
        }
        out.push('\n');
    }
    let timed: Vec<&Row> = rows
        .iter()
        .filter(|r| r.result.is_ok() && r.ns_per_call > 0.0)
        .collect();
    if let Some(base) = timed.first() {
        out += &format!("speed-up vs {}:\n", base.layer);
        let mut prev: Option<&Row> = None;
        for r in &timed {
            let vs_base = base.ns_per_call / r.ns_per_call;
            let vs_prev = prev
                .map(|p| format!("  ({:.1}x vs {})", p.ns_per_call / r.ns_per_call, p.layer))
                .unwrap_or_default();
            out += &format!("  {:<22} {:>9.1}x{vs_prev}\n", r.layer, vs_base);
            prev = Some(r);
        }
    }
    out
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 100.0 {
        format!("{ns:.0}")
    } else if ns >= 10.0 {
        format!("{ns:.1}")
    } else {
        format!("{ns:.2}")
    }
}
