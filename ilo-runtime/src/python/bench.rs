//! The `--bench` row "Python (transpiled)": the transpiled module runs in
//! one `python3` process that times the call with its own time-budgeted
//! loop (`time.perf_counter_ns`) and prints the result and ns per call.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::engine::{Arg, Loaded};

/// The timing driver appended to the module: warm up, double the batch
/// until it takes a twentieth of the budget, then time a batch sized to the
/// budget. Prints the result, then ns per call and the iteration count.
const DRIVER: &str = r#"
def _bench(name, args, budget_ns):
    import time
    f = _FUNCS[name]
    ok, v = _run(lambda: f(*args))
    if not ok:
        _sys.exit(1)
    for _ in range(3):
        f(*args)
    n = 1
    while True:
        t0 = time.perf_counter_ns()
        for _ in range(n):
            f(*args)
        dt = time.perf_counter_ns() - t0
        if dt >= budget_ns // 20 or n >= 1 << 40:
            break
        n *= 2
    iterations = max(1, int(budget_ns / (dt / n)))
    t0 = time.perf_counter_ns()
    for _ in range(iterations):
        f(*args)
    dt = time.perf_counter_ns() - t0
    print(_fmt(v))
    print(dt / iterations, iterations)
"#;

/// What the Python row measured: (printed result, ns per call, iterations).
pub type Measured = (String, f64, u64);

/// Times `func(args)` in CPython for about `budget`. `Err` says why not
/// (no `python3`, a program the transpiler cannot take, a fault).
pub fn time_call(loaded: &Loaded, func: &str, args: &[Arg], budget: Duration) -> Result<Measured, String> {
    let module = super::transpile(&loaded.program).map_err(|e| format!("not transpiled: {e}"))?;
    let call = format!(
        "\n_bench({}, [{}], {})\n",
        super::names::py_str(func),
        args.iter().map(py_arg).collect::<Vec<_>>().join(", "),
        budget.as_nanos()
    );
    let script = module.replace(
        "\nif __name__ == \"__main__\":\n",
        &format!("{DRIVER}{call}\nif False:\n"),
    );
    let mut child = Command::new(python3())
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("`{}` is not available ({e})", python3()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(script.as_bytes())
            .map_err(|e| format!("cannot feed python3: {e}"))?;
    }
    let out = child.wait_with_output().map_err(|e| format!("python3 failed: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("python3 failed: {}", err.trim()));
    }
    let mut lines = stdout.lines().rev();
    let timing = lines.next().unwrap_or_default();
    let result = lines.next().unwrap_or_default().to_string();
    let mut parts = timing.split_whitespace();
    let ns = parts.next().and_then(|x| x.parse::<f64>().ok());
    let iterations = parts.next().and_then(|x| x.parse::<u64>().ok());
    match (ns, iterations) {
        (Some(ns), Some(it)) => Ok((result, ns, it)),
        _ => Err(format!("unexpected output from python3: {}", stdout.trim())),
    }
}

/// The Python interpreter to run: `$ILO_PYTHON`, else `python3`.
pub fn python3() -> String {
    std::env::var("ILO_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// An argument as a Python value.
fn py_arg(a: &Arg) -> String {
    match a {
        Arg::Num(n) => super::names::py_num(*n).0.replace("-_INF", "(-_INF)"),
        Arg::Text(t) => super::names::py_str(t),
        Arg::Bool(true) => "True".into(),
        Arg::Bool(false) => "False".into(),
        Arg::Nil => "None".into(),
        Arg::List(items) => format!("[{}]", items.iter().map(py_arg).collect::<Vec<_>>().join(", ")),
    }
}

/// The `--bench` row: skipped, with the reason, when python3 is absent or
/// the call fails there.
pub fn row(loaded: &Loaded, func: &str, args: &[Arg], budget: Duration) -> crate::bench::Row {
    let layer = "Python (transpiled)".to_string();
    match time_call(loaded, func, args, budget) {
        Ok((result, ns_per_call, iterations)) => crate::bench::Row {
            layer,
            result: Ok(result),
            ns_per_call,
            iterations,
            compile: None,
        },
        Err(why) => crate::bench::Row {
            layer,
            result: Err(why),
            ns_per_call: 0.0,
            iterations: 0,
            compile: None,
        },
    }
}
