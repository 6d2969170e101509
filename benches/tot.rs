//! Criterion: the seed's `tot` on every layer.
//! `cargo bench --bench tot` (reports land in target/criterion).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use ilo_runtime::error::Limits;
use ilo_runtime::jit::native::JitFunc;
use ilo_runtime::reg::RegVm;
use ilo_runtime::stack::StackVm;
use ilo_runtime::tree::TreeInterp;
use ilo_runtime::value::Value;

const TOT: &str = "tot p:n q:n r:n>n;s=*p q;t=*s r;+s t";

fn layers(c: &mut Criterion) {
    let loaded = ilo_suite::load(TOT);
    let args = [Value::num(10.0), Value::num(20.0), Value::num(30.0)];
    let mut group = c.benchmark_group("tot");

    let mut interp = TreeInterp::new(&loaded.program, Limits::default());
    group.bench_function("tree", |b| b.iter(|| interp.call("tot", black_box(&args))));

    let stack = loaded.stack().expect("stack VM compiles tot");
    group.bench_function("stack_vm", |b| {
        b.iter(|| StackVm::new(Limits::default()).call(stack, 0, black_box(&args)))
    });

    let reg = loaded.reg().expect("register VM compiles tot");
    group.bench_function("register_vm", |b| {
        b.iter(|| RegVm::new(Limits::default()).call(reg, 0, black_box(&args)))
    });

    let mut vm = RegVm::new(Limits::default());
    group.bench_function("register_vm_reused", |b| b.iter(|| vm.call(reg, 0, black_box(&args))));

    match JitFunc::compile(&reg.funcs, 0) {
        Ok(jit) => {
            let nums = [10.0, 20.0, 30.0];
            group.bench_function("jit", |b| b.iter(|| jit.call(black_box(&nums))));
        }
        Err(why) => eprintln!("tot: JIT skipped: {why}"),
    }
    group.finish();
}

criterion_group!(benches, layers);
criterion_main!(benches);
