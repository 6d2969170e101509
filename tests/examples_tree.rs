//! Every example of the corpus on the tree-walk interpreter, the reference
//! semantics: `examples/*.ilo` must print their `-- out:` lines and
//! `examples/errors/*.ilo` must fail with their `-- error:` code.

use std::path::Path;

use ilo_runtime::engine::{Engine, Loaded};
use ilo_suite::examples::{self, split_args, Example};

/// Runs every run of `ex` on the tree interpreter; the failures as text.
fn check_example(ex: &Example, failures: &mut Vec<String>) {
    let program = match ex.program() {
        Ok(p) => p,
        Err(d) => {
            let codes: Vec<String> = d.iter().map(|d| format!("{} {}", d.code, d.message)).collect();
            failures.push(format!("{}: does not check: {}", ex.name(), codes.join("; ")));
            return;
        }
    };
    let loaded = Loaded::new(program);
    for run in &ex.runs {
        let args = match run.typed_args(&loaded.program) {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{}:{}: {e}", ex.name(), run.line));
                continue;
            }
        };
        match loaded.run(&run.func, &args, Engine::Tree, ex.limits()) {
            Ok(outcome) if outcome.printed == run.expected() => {}
            Ok(outcome) => failures.push(format!(
                "{}:{}: `{} {}` printed {:?}, expected {:?}",
                ex.name(),
                run.line,
                run.func,
                run.args.join(" "),
                outcome.printed,
                run.expected()
            )),
            Err(e) => failures.push(format!("{}:{}: `{}` failed: {e}", ex.name(), run.line, run.func)),
        }
    }
}

/// `ex` must fail with its `-- error:` code: when checked, or (ILO-R) when
/// its runs run.
fn check_error(ex: &Example, failures: &mut Vec<String>) {
    let Some(want) = ex.error.as_deref() else {
        failures.push(format!("{}: an error example without `-- error:`", ex.name()));
        return;
    };
    let program = match ex.program() {
        Ok(p) => p,
        Err(d) => {
            if !d.iter().any(|d| d.code == want) {
                let codes: Vec<&str> = d.iter().map(|d| d.code).collect();
                failures.push(format!("{}: expected {want}, the check gave {codes:?}", ex.name()));
            }
            return;
        }
    };
    if !want.starts_with("ILO-R") {
        failures.push(format!("{}: expected {want}, but the program checks", ex.name()));
        return;
    }
    if ex.runs.is_empty() {
        failures.push(format!(
            "{}: a run-time error example needs a `-- run:` line",
            ex.name()
        ));
        return;
    }
    let loaded = Loaded::new(program);
    for run in &ex.runs {
        let args = match run.typed_args(&loaded.program) {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{}:{}: {e}", ex.name(), run.line));
                continue;
            }
        };
        match loaded.run(&run.func, &args, Engine::Tree, ex.limits()) {
            Err(e) if e.code == want => {}
            Err(e) => failures.push(format!("{}:{}: expected {want}, got {e}", ex.name(), run.line)),
            Ok(o) => failures.push(format!(
                "{}:{}: expected {want}, but it printed {:?}",
                ex.name(),
                run.line,
                o.printed
            )),
        }
    }
}

fn report(what: &str, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} {what} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn examples_run_on_the_tree_interpreter() {
    let all = examples::all().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        all.len() >= 40,
        "the corpus has {} examples, want at least 40",
        all.len()
    );
    let mut failures = Vec::new();
    for ex in &all {
        check_example(ex, &mut failures);
    }
    report("examples", failures);
}

#[test]
fn error_examples_fail_with_their_code() {
    let all = examples::all_errors().unwrap_or_else(|e| panic!("{e}"));
    assert!(!all.is_empty(), "no error examples");
    let mut failures = Vec::new();
    for ex in &all {
        check_error(ex, &mut failures);
    }
    report("error examples", failures);
}

#[test]
fn headers_are_read() {
    let src = "-- run: f 1 \"a b\"\n-- printed: hi\n-- out: 2\n-- out: 3\n-- run: f 2 x\n-- out: ok\nf a:n b:t>n;a\n";
    let ex = Example::parse(Path::new("x.ilo"), src.to_string()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ex.runs.len(), 2);
    assert_eq!(ex.runs[0].args, vec!["1", "a b"]);
    assert_eq!(ex.runs[0].expected(), "2\n3");
    assert_eq!(ex.runs[0].expected_stdout(), "hi\n2\n3\n");
    assert_eq!(ex.runs[1].func, "f");
    assert_eq!(ex.error, None);
    let bad = Example::parse(Path::new("y.ilo"), "-- run: f\nf>n;1\n".to_string());
    assert!(bad.is_err());
}

#[test]
fn args_split_like_a_shell() {
    assert_eq!(split_args("a  b\t'c d' \"e\"f"), vec!["a", "b", "c d", "ef"]);
    assert_eq!(split_args("x \"\""), vec!["x", ""]);
    assert!(split_args("  ").is_empty());
}
