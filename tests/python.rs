//! The Python transpiler against the register VM: every example and every
//! run-time error example, transpiled and run under `python3`, prints what
//! the register VM prints (and the `-- printed:` lines before it), or
//! fails with the same `ILO-R` code and exit status 1. Random programs from
//! the collector's stress generator must agree too, and the transpiled
//! text of a few programs is pinned under `snapshots/`.
//!
//! `python3` is required: CI installs it (`.ci/apt-packages.txt`). Set
//! `ILO_PYTHON` to use another interpreter.

use std::path::{Path, PathBuf};
use std::process::Command;

use ilo_runtime::engine::{Engine, Loaded};
use ilo_runtime::error::Limits;
use ilo_runtime::python::{self, Options};
use ilo_suite::examples::{self, Example};
use proptest::prelude::*;

#[path = "support/random_programs.rs"]
mod random_programs;

/// What a run gave: stdout on success, else the `ILO-R` code.
#[derive(Debug, PartialEq)]
enum Got {
    Printed(String),
    Fault(String),
}

fn python3() -> String {
    python::bench::python3()
}

/// Fails clearly when there is no interpreter: the test must not pass
/// vacuously.
fn require_python() {
    let ok = Command::new(python3())
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "`{}` is not available: install python3 (CI lists it in .ci/apt-packages.txt) or set ILO_PYTHON",
        python3()
    );
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ilo-python-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Runs `script` with `args` under python3 from the working directory.
fn run_python(script: &Path, args: &[String]) -> Got {
    let out = Command::new(python3())
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    match out.status.code() {
        Some(0) => Got::Printed(stdout),
        Some(1) => {
            // One JSON object per error, as ilo writes when stderr is no terminal.
            let code = serde_like_code(&stderr).unwrap_or_else(|| format!("no ILO-R code in stderr: {stderr}"));
            Got::Fault(code)
        }
        other => Got::Fault(format!("exit status {other:?}; stderr: {stderr}")),
    }
}

/// The `"code"` of the first JSON error object on stderr.
fn serde_like_code(stderr: &str) -> Option<String> {
    let at = stderr.find("\"code\":\"")? + 8;
    let rest = stderr.get(at..)?;
    Some(rest.get(..rest.find('"')?)?.to_string())
}

/// Transpiles `program` into `dir/name.py`.
fn write_module(dir: &Path, name: &str, loaded: &Loaded, opts: Options) -> Result<PathBuf, String> {
    let text = python::transpile_with(&loaded.program, opts).map_err(|e| e.to_string())?;
    let path = dir.join(format!("{}.py", name.replace(['.', '-'], "_")));
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    Ok(path)
}

/// Compares every run of `ex` and returns the failures.
fn compare_example(ex: &Example, dir: &Path, runs: &mut usize) -> Vec<String> {
    let Ok(program) = ex.program() else {
        // Not a run-time example (a parse or verifier error).
        return Vec::new();
    };
    let loaded = Loaded::new(program);
    let opts = Options {
        max_steps: ex.max_steps,
    };
    let script = match write_module(dir, &ex.name(), &loaded, opts) {
        Ok(p) => p,
        Err(e) => return vec![format!("{}: not transpiled: {e}", ex.name())],
    };
    let mut failures = Vec::new();
    for run in &ex.runs {
        let Ok(args) = run.typed_args(&loaded.program) else {
            continue;
        };
        *runs += 1;
        let where_ = format!("{}:{} `{} {}`", ex.name(), run.line, run.func, run.args.join(" "));
        let vm = loaded.run(&run.func, &args, Engine::Reg, ex.limits());
        let want = match vm {
            // The program's own `prnt` lines come first, as the examples record.
            Ok(o) => {
                let mut s = String::new();
                for l in &run.printed {
                    s += l;
                    s.push('\n');
                }
                Got::Printed(format!("{s}{}\n", o.printed))
            }
            Err(e) => Got::Fault(e.code.to_string()),
        };
        let mut cli_args = vec![run.func.clone()];
        cli_args.extend(run.args.iter().cloned());
        let got = run_python(&script, &cli_args);
        if got != want {
            failures.push(format!("{where_}: python3 gave {got:?}, the register VM {want:?}"));
        }
    }
    failures
}

#[test]
fn every_example_agrees_with_the_register_vm() {
    require_python();
    let dir = scratch_dir();
    let corpus = examples::load_dir(&examples::examples_dir()).expect("examples load");
    let errors = examples::load_dir(&examples::errors_dir()).expect("error examples load");
    let mut runs = 0;
    let mut failures = Vec::new();
    for ex in corpus.iter().chain(errors.iter()) {
        failures.extend(compare_example(ex, &dir, &mut runs));
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("{runs} runs compared");
    assert!(runs >= 250, "only {runs} runs were compared");
    assert!(failures.is_empty(), "python3 disagrees:\n{}", failures.join("\n"));
}

/// Every run-time error example fails in Python with its code.
#[test]
fn run_time_error_examples_fail_with_their_code() {
    require_python();
    let dir = scratch_dir().join("errors");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut checked = 0;
    for ex in examples::load_dir(&examples::errors_dir()).expect("error examples load") {
        let Some(code) = ex.error.as_deref().filter(|c| c.starts_with("ILO-R")) else {
            continue;
        };
        let loaded = Loaded::new(ex.program().expect("a run-time error example checks"));
        let opts = Options {
            max_steps: ex.max_steps,
        };
        let script = write_module(&dir, &ex.name(), &loaded, opts).expect("transpiles");
        for run in &ex.runs {
            let mut args = vec![run.func.clone()];
            args.extend(run.args.iter().cloned());
            assert_eq!(
                run_python(&script, &args),
                Got::Fault(code.to_string()),
                "{}",
                ex.name()
            );
            checked += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(checked >= 8, "only {checked} error runs");
}

/// The module imports without running anything, and its functions take
/// Python values.
#[test]
fn the_module_imports_and_its_functions_take_python_values() {
    require_python();
    let dir = scratch_dir().join("import");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let loaded = ilo_suite::load("tot p:n q:n r:n>n;s=*p q;t=*s r;+s t\nfib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b");
    write_module(&dir, "prog", &loaded, Options::default()).expect("transpiles");
    let out = Command::new(python3())
        .current_dir(&dir)
        .args([
            "-c",
            "import prog; print(prog.tot(10.0, 20.0, 30.0), prog._fmt(prog.fib(20.0)))",
        ])
        .output()
        .expect("python3 runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "6200.0 6765\n", "{out:?}");
}

fn program_text(src: &str) -> String {
    let loaded = ilo_suite::load(src);
    let text = python::transpile(&loaded.program).expect("transpiles");
    // The prelude is the same for every program; pin it once.
    let program = text
        .split_once("# ---- the program ----\n")
        .map(|(_, p)| p.to_string())
        .unwrap_or(text);
    format!("{src}\n\n{program}")
}

fn snapshot(name: &str, text: String) {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn transpiled_programs_are_pinned() {
    snapshot("tot.python", program_text("tot p:n q:n r:n>n;s=*p q;t=*s r;+s t"));
    snapshot(
        "fib.python",
        program_text("fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b"),
    );
    let records = std::fs::read_to_string(examples::examples_dir().join("bank.ilo")).expect("bank.ilo");
    snapshot("bank.python", program_text(&records));
}

fn vm_result(loaded: &Loaded) -> Got {
    let limits = Limits {
        max_steps: Some(20_000),
        ..Limits::default()
    };
    match loaded.run("f", &[], Engine::Reg, limits) {
        Ok(o) => Got::Printed(format!("{}\n", o.printed)),
        Err(e) => Got::Fault(e.code.to_string()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random programs (lists, texts, maps, records, loops, callbacks)
    /// print the same in Python as on the register VM.
    #[test]
    fn random_programs_agree_with_the_register_vm(src in random_programs::program()) {
        require_python();
        let loaded = ilo_suite::load(&src);
        let want = vm_result(&loaded);
        let dir = scratch_dir().join("random");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let script = write_module(&dir, "prog", &loaded, Options { max_steps: Some(20_000) }).expect("transpiles");
        let got = run_python(&script, &["f".to_string()]);
        prop_assert_eq!(got, want, "on\n{}", src);
    }
}
