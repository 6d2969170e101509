//! The `ilo` binary as a user runs it: output, exit codes, engine flags,
//! listings, the benchmark report and errors.

use std::process::{Command, Output};

const TOT: &str = "tot p:n q:n r:n>n;s=*p q;t=*s r;+s t";

fn ilo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ilo"))
        .args(args)
        .output()
        .expect("run ilo")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every engine's flag, `--run-llvm` in a build with LLVM.
fn engine_flags() -> Vec<&'static str> {
    let mut flags = vec!["--run-tree", "--run-stack", "--run-vm", "--run-jit", "--run-cranelift"];
    if cfg!(feature = "llvm") {
        flags.push("--run-llvm");
    }
    flags
}

#[test]
fn the_seed_function_prints_6200_on_every_engine() {
    for flag in std::iter::once(None).chain(engine_flags().into_iter().map(Some)) {
        let mut args: Vec<&str> = flag.into_iter().collect();
        args.extend([TOT, "10", "20", "30"]);
        let o = ilo(&args);
        assert_eq!(stdout(&o), "6200\n", "{flag:?}: {}", stderr(&o));
        assert_eq!(o.status.code(), Some(0), "{flag:?}");
    }
}

#[test]
fn verbose_names_the_engine_that_ran() {
    let o = ilo(&["--run-jit", "--verbose", TOT, "10", "20", "30"]);
    assert!(stderr(&o).contains("ran `tot` on the JIT"), "{}", stderr(&o));
    // It names what it compiled, inlined and left to the register VM.
    for flag in ["--run-jit", "--run-cranelift"] {
        let o = ilo(&[
            flag,
            "--verbose",
            "inc x:n>n;+x 1\nshow x:n>n;s=str x;len s\nf x:n>n;a=inc x;show a",
            "f",
            "99",
        ]);
        assert_eq!(stdout(&o), "3\n");
        assert!(
            stderr(&o).contains("compiled `f`; inlined `inc`; called on the register VM through a trampoline: `show`"),
            "{flag}: {}",
            stderr(&o)
        );
    }
    // A recursive function inlined into itself says so.
    let o = ilo(&["--verbose", "fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b", "20"]);
    assert_eq!(stdout(&o), "6765\n");
    assert!(
        stderr(&o).contains("compiled `fib`; `fib` inlined into itself (14 bodies)"),
        "{}",
        stderr(&o)
    );
    // A builtin call has no lowering: the register VM runs it.
    let o = ilo(&["--run-jit", "--verbose", "f x:n>n;s=str x;len s", "-3"]);
    assert_eq!(stdout(&o), "2\n");
    assert!(
        stderr(&o).contains("not compiled") && stderr(&o).contains("register VM"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_file_and_a_named_function_run() {
    let dir = std::env::temp_dir().join(format!("ilo-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("prog.ilo");
    std::fs::write(
        &path,
        "-- two functions\nsq x:n>n;*x x\ntot p:n q:n r:n > n\n  s = *p q\n  t = *s r\n  +s t\n",
    )
    .expect("write");
    let p = path.to_string_lossy().into_owned();
    assert_eq!(stdout(&ilo(&[&p, "tot", "10", "20", "30"])), "6200\n");
    assert_eq!(stdout(&ilo(&[&p, "sq", "7"])), "49\n");
    // No function name: the first function runs.
    assert_eq!(stdout(&ilo(&[&p, "5"])), "25\n");
}

#[test]
fn the_aarch64_jit_runs_under_emulation() {
    let o = ilo(&["--run-jit", "--target", "aarch64", TOT, "10", "20", "30"]);
    assert_eq!(stdout(&o), "6200\n", "{}", stderr(&o));
}

#[test]
fn bench_reports_every_layer() {
    let o = ilo(&["--bench", "--bench-ms", "20", TOT, "tot", "10", "20", "30"]);
    let out = stdout(&o);
    for layer in [
        "Tree interpreter",
        "Stack VM",
        "Register VM",
        "Register VM (reused)",
        "JIT (x86_64)",
        "Cranelift JIT",
        "LLVM JIT",
        // python3 is required where the tests run (CI installs it).
        "Python (transpiled)",
    ] {
        assert!(out.lines().any(|l| l == layer), "no `{layer}` heading in\n{out}");
    }
    // The LLVM JIT runs in a build with LLVM, and says what compiling took.
    let timed = if cfg!(feature = "llvm") { 8 } else { 7 };
    assert_eq!(out.matches("  result:   6200").count(), timed, "{out}");
    assert_eq!(out.matches("  per call: ").count(), timed, "{out}");
    assert_eq!(
        out.contains("  compile:  1 function in "),
        cfg!(feature = "llvm"),
        "{out}"
    );
    assert!(out.contains("speed-up vs Tree interpreter"), "{out}");
}

#[test]
fn emit_prints_each_listing() {
    let bytecode = stdout(&ilo(&["--emit", "bytecode", TOT]));
    assert!(
        bytecode.contains("MUL_NN   r3, r0, r1") && bytecode.contains("RET      r5"),
        "{bytecode}"
    );
    let stack = stdout(&ilo(&["--emit", "stack", TOT]));
    assert!(stack.contains("LOAD") && stack.contains("MUL"), "{stack}");
    let ast = stdout(&ilo(&["--emit", "ast", TOT]));
    let python = stdout(&ilo(&["--emit", "python", TOT]));
    assert!(python.contains("def tot(p, q, r):\n    s = p * q\n"), "{python}");
    assert!(ast.contains("FuncDecl"), "{ast}");
    let x86 = stdout(&ilo(&["--emit", "asm", "--target", "x86_64", TOT]));
    assert!(x86.contains("vmulsd") && x86.contains("ret"), "{x86}");
    let arm = stdout(&ilo(&["--emit", "asm", "--target", "aarch64", TOT]));
    assert!(arm.contains("fmul") && arm.contains("ret"), "{arm}");
}

#[test]
fn bad_source_is_an_error_with_a_code_and_exit_1() {
    let o = ilo(&["--json", "tot p:n>n;+p", "1"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let first = err.lines().next().unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(first).unwrap_or_else(|e| panic!("{e}: {err}"));
    assert!(json["code"].as_str().is_some_and(|c| c.starts_with("ILO-P")), "{json}");
    assert_eq!(json["severity"], "error");
}

#[test]
fn non_canonical_forms_run_with_hints_on_stderr() {
    let o = ilo(&["--json", "f a:t b:n>b;== (length a) b", "abc", "3"]);
    assert_eq!(stdout(&o), "true\n");
    assert_eq!(o.status.code(), Some(0));
    let hints: Vec<serde_json::Value> = stderr(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let got: Vec<(&str, &str, &str)> = hints
        .iter()
        .map(|h| {
            let field = |k: &str| h[k].as_str().unwrap_or_default();
            (field("severity"), field("code"), field("suggestion"))
        })
        .collect();
    assert_eq!(got, [("hint", "ILO-P020", "="), ("hint", "ILO-P021", "len")]);
}

#[test]
fn every_error_in_a_program_is_reported() {
    let o = ilo(&["--json", "f a:n>n;x=+a \"t\";y=+a q;*x y", "1"]);
    assert_eq!(o.status.code(), Some(1));
    let codes: Vec<String> = stderr(&o)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(codes.len() >= 2, "{codes:?}");
    assert!(
        codes.contains(&"ILO-T005".to_string()) && codes.contains(&"ILO-T001".to_string()),
        "{codes:?}"
    );
}

#[test]
fn bad_arguments_are_a_usage_error() {
    let o = ilo(&[TOT, "10", "20"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("takes 3 arguments"), "{}", stderr(&o));
    let o = ilo(&[TOT, "10", "x", "30"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a number"), "{}", stderr(&o));
    let o = ilo(&["--run-tree", "--run-vm", TOT, "1", "2", "3"]);
    assert_eq!(o.status.code(), Some(2));
    let o = ilo(&["--no-such-flag", TOT]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn runaway_recursion_is_a_runtime_error_on_every_engine() {
    let src = "f x:n>n;f +x 1";
    for flag in engine_flags() {
        let o = ilo(&[flag, "--json", src, "0"]);
        assert_eq!(o.status.code(), Some(1), "{flag}: {}", stderr(&o));
        assert!(stderr(&o).contains("ILO-R006"), "{flag}: {}", stderr(&o));
    }
}

#[test]
fn max_steps_bounds_a_run() {
    let src = "f x:n>n;f +x 1";
    let o = ilo(&["--run-vm", "--max-steps", "100", "--json", src, "0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("ILO-R007"), "{}", stderr(&o));
}

#[test]
fn dense_reformats_the_expanded_form() {
    let o = ilo(&[
        "--dense",
        "tot p:n q:n r:n > n -- total\n  s = *p q\n  t = *s r\n  +s t\n",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), format!("{TOT}\n"));
}

#[test]
fn expanded_reformats_the_dense_form() {
    let o = ilo(&["--expanded", TOT]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "tot p:n q:n r:n > n\n  s = *p q\n  t = *s r\n  +s t\n");
    let o = ilo(&["--expanded", "sm xs:L n>n;s=0;@x xs{s=+s x};s"]);
    assert_eq!(
        stdout(&o),
        "sm xs:L n > n\n  s = 0\n  @x xs {\n    s = +s x\n  }\n  s\n"
    );
}

#[test]
fn reformatting_needs_only_a_parse() {
    // `nope` is undefined: the verifier would reject it, the formatter does not care.
    let o = ilo(&["--dense", "f x:n>n;x + nope"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "f x:n>n;+x nope\n");
    let o = ilo(&["--dense", "--json", "f x:n>n;+x"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("ILO-P005"), "{}", stderr(&o));
}

#[test]
fn dense_and_expanded_conflict_with_each_other_and_emit_and_bench() {
    for flags in [
        &["--dense", "--expanded"][..],
        &["--dense", "--emit", "ast"],
        &["--expanded", "--bench"],
    ] {
        let mut args = flags.to_vec();
        args.push(TOT);
        let o = ilo(&args);
        assert_eq!(o.status.code(), Some(2), "{flags:?}");
    }
}

#[test]
fn explain_knows_every_kind_of_code() {
    for code in ["ILO-L001", "ILO-P001", "ILO-T001", "ILO-R002", "ilo-r006"] {
        let o = ilo(&["--explain", code]);
        assert_eq!(o.status.code(), Some(0), "{code}: {}", stderr(&o));
        assert!(
            stdout(&o).starts_with(&code.to_ascii_uppercase()),
            "{code}: {}",
            stdout(&o)
        );
    }
    let o = ilo(&["--explain", "ILO-X999"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_run_past_max_memory_stops_with_ilo_r013_and_exit_1() {
    let doubling = "f>n;s=\"ab\";@i 0..60{s=+s s};len s";
    for flag in engine_flags() {
        let o = ilo(&[flag, "--max-memory", "64M", "--json", doubling]);
        assert_eq!(o.status.code(), Some(1), "{flag}: {}", stderr(&o));
        assert!(stderr(&o).contains("ILO-R013"), "{flag}: {}", stderr(&o));
        assert!(stderr(&o).contains("64 MiB"), "{flag}: {}", stderr(&o));
        assert_eq!(stdout(&o), "", "{flag}");
    }
    // The same program under the default limit also stops with the error.
    let o = ilo(&["--json", doubling]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("ILO-R013"), "{}", stderr(&o));
    let o = ilo(&["--explain", "ILO-R013"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("--max-memory"), "{}", stdout(&o));
}

#[test]
fn a_bad_max_memory_is_a_usage_error() {
    for bad in ["lots", "0", "1.5.2G", "12Q"] {
        let o = ilo(&["--max-memory", bad, TOT, "1", "2", "3"]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        assert!(stderr(&o).contains("is not a size"), "{bad}: {}", stderr(&o));
    }
    let o = ilo(&["--max-memory", "1G", TOT, "1", "2", "3"]);
    assert_eq!(
        (stdout(&o).as_str(), o.status.code()),
        ("8\n", Some(0)),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unknown_function_name_is_its_own_error() {
    let prog = "add a:n b:n>n;+a b\nsub a:n b:n>n;-a b";
    let o = ilo(&[prog, "ad", "1", "2"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("no function `ad`") && e.contains("add, sub") && e.contains("did you mean `add`"),
        "{e}"
    );
    let o = ilo(&[prog, "nosuchfn", "1"]);
    assert!(stderr(&o).contains("no function `nosuchfn`"), "{}", stderr(&o));
    // A text argument of the first function is still an argument.
    let o = ilo(&["greet n:t>t;+\"hi \" n", "bob"]);
    assert_eq!(stdout(&o), "hi bob\n", "{}", stderr(&o));
}

#[test]
fn inline_source_may_start_with_a_comment_and_files_with_a_bom() {
    let o = ilo(&["-- a note\nf>n;42"]);
    assert_eq!(
        (stdout(&o).as_str(), o.status.code()),
        ("42\n", Some(0)),
        "{}",
        stderr(&o)
    );
    let o = ilo(&["--run-vm", "-- a note\nf x:n>n;*x 2", "21"]);
    assert_eq!(stdout(&o), "42\n", "{}", stderr(&o));
    let path = std::env::temp_dir().join(format!("ilo-bom-{}.ilo", std::process::id()));
    std::fs::write(&path, "\u{feff}f>n;7\n").expect("write");
    let o = ilo(&[path.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(stdout(&o), "7\n", "{}", stderr(&o));
}

#[test]
fn verbose_says_which_engine_ran_even_when_the_run_fails() {
    // A guard is a branch, which the JIT does not take; `mod` by zero then
    // fails on the register VM.
    let o = ilo(&["--run-jit", "--verbose", "--json", "f x:n>n;>x 0 mod x 0;x", "5"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    let note = e.find("not compiled").unwrap_or(usize::MAX);
    let error = e.find("ILO-R").unwrap_or(0);
    assert!(note < error, "the fallback note must come before the error:\n{e}");
}

#[test]
fn lists_on_the_command_line_take_brackets_and_quotes() {
    let o = ilo(&["f xs:L n>n;sum xs", "[1,2,3]"]);
    assert_eq!(stdout(&o), "6\n", "{}", stderr(&o));
    let o = ilo(&["f xs:L t>L t;xs", "[hello,\"big world\"]"]);
    assert_eq!(stdout(&o), "[hello, big world]\n", "{}", stderr(&o));
    let o = ilo(&["f xs:L n>n;len xs", "[]"]);
    assert_eq!(stdout(&o), "0\n", "{}", stderr(&o));
    let o = ilo(&["f xs:L n>n;len xs", "[1,2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not closed"), "{}", stderr(&o));
    let o = ilo(&["f x:_>_;x", "nil"]);
    assert_eq!(stdout(&o), "nil\n", "{}", stderr(&o));
}

#[test]
fn a_directory_or_a_device_is_not_a_program() {
    let dir = std::env::temp_dir();
    let o = ilo(&[dir.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
    let o = ilo(&["/dev/null"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a readable program file"), "{}", stderr(&o));
}

#[test]
fn errors_about_the_call_have_codes_explanations_and_json() {
    let o = ilo(&["--json", "no-such-file.ilo"]);
    assert_eq!(o.status.code(), Some(2));
    let line: serde_json::Value = serde_json::from_str(stderr(&o).trim()).expect("one JSON object");
    assert_eq!(line["code"], "ILO-U001", "{line}");
    let path = std::env::temp_dir().join(format!("ilo-latin1-{}.ilo", std::process::id()));
    std::fs::write(&path, b"f>t;\"caf\xe9\"\n").expect("write");
    let o = ilo(&["--json", path.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_file(&path);
    assert!(stderr(&o).contains("\"ILO-U002\""), "{}", stderr(&o));
    let o = ilo(&["--json", "f x:n>n;*x 2", "2x"]);
    assert!(stderr(&o).contains("\"ILO-U005\""), "{}", stderr(&o));
    let o = ilo(&["f x:n>n;*x 2", "two"]);
    assert!(stderr(&o).contains("`two` is not a number"), "{}", stderr(&o));
    let o = ilo(&["add a:n b:n>n;+a b", "ad", "1", "2"]);
    assert!(stderr(&o).contains("ILO-U004"), "{}", stderr(&o));
    for code in ["ILO-U001", "ILO-U002", "ILO-U003", "ILO-U004", "ILO-U005"] {
        let o = ilo(&["--explain", code]);
        assert_eq!(o.status.code(), Some(0), "{code}");
    }
}

#[test]
fn profile_ops_prints_the_result_then_the_most_frequent_opcodes_and_pairs() {
    let o = ilo(&["--profile-ops", "f n:n>n;s=0;i=1;wh <=i n{s=+s i;i=+i 1};s", "100"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("5050\n"), "{out}");
    // 100 iterations of ADD_NN, ADDK_N and the compare-and-branch back to
    // the top (the loop's safe point), plus the set-up.
    assert!(out.contains("instructions dispatched"), "{out}");
    for line in ["ADD_NN ", "ADDK_N ", "LELOOP_NN "] {
        let row = out
            .lines()
            .find(|l| l.starts_with(line))
            .unwrap_or_else(|| panic!("{line}: {out}"));
        assert!(row.split_whitespace().nth(1) == Some("100"), "{row}");
    }
    assert!(out.contains("ADD_NN -> ADDK_N"), "{out}");
    // A run-time fault is still the usual error.
    let o = ilo(&["--profile-ops", "f n:n>n;mod n 0", "3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("ILO-R"), "{}", stderr(&o));
}

/// `n` functions each calling the next: `f0` adds 1, `fk x` is `f(k-1) x`.
fn chain(n: usize) -> String {
    let mut src = String::from("f0 x:n>n;+x 1\n");
    for k in 1..n {
        src += &format!("f{k} x:n>n;f{} x\n", k - 1);
    }
    src
}

#[test]
fn the_jits_stop_at_the_step_and_depth_limits_like_the_register_vm() {
    let engines = engine_flags();
    let three = "g x:n>n;*x 2\nh x:n>n;g x\nf x:n>n;h x";
    for &engine in &engines {
        let o = ilo(&[engine, "--max-steps", "2", three, "f", "3"]);
        assert_eq!(o.status.code(), Some(1), "{engine}: {}", stdout(&o));
        assert!(stderr(&o).contains("ILO-R007"), "{engine}: {}", stderr(&o));
        let o = ilo(&[engine, "--max-steps", "3", three, "f", "3"]);
        assert_eq!(stdout(&o), "6\n", "{engine}: {}", stderr(&o));
    }
    // 10,001 nested calls pass the default depth limit of 10,000 on every engine.
    let dir = std::env::temp_dir().join(format!("ilo-chain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("chain.ilo");
    std::fs::write(&file, chain(10_001)).expect("write");
    let path = file.to_string_lossy().to_string();
    for &engine in &engines {
        let o = ilo(&[engine, &path, "f10000", "1"]);
        assert!(
            stderr(&o).contains("ILO-R006"),
            "{engine}: {} {}",
            stdout(&o),
            stderr(&o)
        );
        let o = ilo(&[engine, &path, "f9999", "1"]);
        assert_eq!(stdout(&o), "2\n", "{engine}: {}", stderr(&o));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn emit_asm_lists_each_function_once_with_calls_into_the_same_listing() {
    for target in ["x86_64", "aarch64"] {
        let o = ilo(&[
            "--emit",
            "asm",
            "--target",
            target,
            "sq x:n>n;*x x\nhyp a:n b:n>n;+(sq a) (sq b)\nr x:n>n;s=str x;len s",
        ]);
        let out = stdout(&o);
        assert_eq!(out.matches("sq: ").count(), 1, "{out}");
        assert!(out.contains("sq: ") && out.contains("bytes at 0x0"), "{out}");
        assert!(out.contains("hyp: ") && out.contains("r: not compiled"), "{out}");
    }
}

#[test]
fn an_option_parameter_takes_nil_or_its_type_and_nothing_else() {
    let o = ilo(&["f x:O n>n;y=x??0;+y 1", "nil"]);
    assert_eq!(stdout(&o), "1\n", "{}", stderr(&o));
    let o = ilo(&["f x:O n>n;y=x??0;+y 1", "41"]);
    assert_eq!(stdout(&o), "42\n", "{}", stderr(&o));
    // Not text passed for a number that the program then fails on.
    let o = ilo(&["--json", "f x:O n>n;y=x??0;+y 1", "2x"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("\"ILO-U005\"") && stderr(&o).contains("`2x` is not a number"),
        "{}",
        stderr(&o)
    );
    let o = ilo(&["f x:O L n>n;y=x??[];sum y", "[1,\"a\"]"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = ilo(&["f x:O L n>n;y=x??[];sum y", "[1,2]"]);
    assert_eq!(stdout(&o), "3\n", "{}", stderr(&o));
    // A type variable takes lists and quoted texts as `_` does.
    let o = ilo(&["f x:a>a;x", "[1,\"a b\",true,nil]"]);
    assert_eq!(stdout(&o), "[1, a b, true, nil]\n", "{}", stderr(&o));
}

#[test]
fn maps_results_records_and_functions_cannot_come_from_the_command_line() {
    for prog in [
        "f x:M t n>n;len x",
        "f x:R n t>n;1",
        "type pt{a:n}\nf x:pt>n;x.a",
        "f x:F n n>n;1",
    ] {
        let o = ilo(&["--json", prog, "Abc"]);
        assert_eq!(o.status.code(), Some(2), "{prog}: {} {}", stdout(&o), stderr(&o));
        assert!(
            stderr(&o).contains("\"ILO-U005\"") && stderr(&o).contains("cannot be written on the command line"),
            "{prog}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn a_malformed_command_line_has_a_code_and_follows_json() {
    let o = ilo(&["--json", "--no-such-flag", TOT]);
    assert_eq!(o.status.code(), Some(2));
    let line: serde_json::Value = serde_json::from_str(stderr(&o).trim()).expect("one JSON object");
    assert_eq!(line["code"], "ILO-U006", "{line}");
    assert!(
        line["message"].as_str().is_some_and(|m| m.contains("--no-such-flag")),
        "{line}"
    );
    let o = ilo(&["--json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("\"ILO-U006\""), "{}", stderr(&o));
    // --help still prints help on stdout.
    let o = ilo(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("--run-tree"), "{}", stdout(&o));
    let o = ilo(&["--explain", "ILO-U006"]);
    assert_eq!(o.status.code(), Some(0));
}

#[cfg(unix)]
#[test]
fn an_argument_that_is_not_utf8_is_a_malformed_command_line() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let o = Command::new(env!("CARGO_BIN_EXE_ilo"))
        .args([
            OsStr::new("--json"),
            OsStr::new("f x:t>t;x"),
            OsStr::from_bytes(b"caf\xe9"),
        ])
        .output()
        .expect("run ilo");
    assert_eq!(o.status.code(), Some(2));
    let line: serde_json::Value = serde_json::from_str(stderr(&o).trim()).expect("one JSON object");
    assert_eq!(line["code"], "ILO-U006", "{line}");
    assert!(
        line["message"].as_str().is_some_and(|m| m.contains("not UTF-8")),
        "{line}"
    );
}

#[test]
fn a_mistyped_path_is_an_unreadable_file_not_inline_source() {
    for path in ["examples/nosuch", "prog.il"] {
        let o = ilo(&["--json", path]);
        assert_eq!(o.status.code(), Some(2), "{path}: {}", stderr(&o));
        assert!(stderr(&o).contains("\"ILO-U001\""), "{path}: {}", stderr(&o));
    }
    // Inline source with a `.` still runs.
    let o = ilo(&["f>n;1.5"]);
    assert_eq!(stdout(&o), "1.5\n", "{}", stderr(&o));
}

#[test]
fn a_function_name_that_is_no_argument_of_the_first_function_is_unknown() {
    // `gg` is no `O n`: a mistyped function name, not an argument.
    let o = ilo(&["--json", "f x:O n>n;y=x??0;+y 1\ng y:n>n;y", "gg"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("\"ILO-U004\"") && e.contains("did you mean `g`"), "{e}");
    assert!(e.contains("as `f`'s argument `x`: `gg` is not a number"), "{e}");
}

#[test]
fn cargo_build_at_the_workspace_root_builds_ilo_and_the_readme_says_how_to_install_it() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let o = Command::new(cargo)
        .args(["metadata", "--no-deps", "--offline", "--format-version", "1"])
        .current_dir(root)
        .output()
        .expect("run cargo metadata");
    assert!(o.status.success(), "{}", stderr(&o));
    let meta: serde_json::Value = serde_json::from_slice(&o.stdout).expect("metadata JSON");
    let cli_id = meta["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "ilo-cli"))
        .map(|p| p["id"].clone())
        .expect("ilo-cli in the workspace");
    let defaults = meta["workspace_default_members"].as_array().expect("default members");
    assert!(
        defaults.contains(&cli_id),
        "ilo-cli is not a default member: {defaults:?}"
    );
    let readme = std::fs::read_to_string(format!("{root}/README.md")).expect("README.md");
    assert!(readme.contains("cargo install --locked --path ilo-cli"), "README");
}

/// `--run-llvm` and `--emit llvm`: in a build without LLVM, how to build
/// with it (exit 2); with it, the result, what was compiled, and the IR.
#[test]
fn llvm_runs_or_says_how_to_build_with_it() {
    let o = ilo(&["--run-llvm", "--verbose", TOT, "10", "20", "30"]);
    let e = ilo(&["--emit", "llvm", TOT]);
    if !cfg!(feature = "llvm") {
        for o in [&o, &e] {
            assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
            assert!(stderr(o).contains("--features llvm"), "{}", stderr(o));
        }
        return;
    }
    assert_eq!(
        (stdout(&o).as_str(), o.status.code()),
        ("6200\n", Some(0)),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("LLVM JIT: compiled `tot`: 1 function in "),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("ran `tot` on the LLVM JIT"), "{}", stderr(&o));
    assert_eq!(e.status.code(), Some(0), "{}", stderr(&e));
    assert!(
        stdout(&e).contains("define { double, i32 } @ilo.tot(ptr"),
        "{}",
        stdout(&e)
    );
    // What it refuses, it names, and the register VM runs it.
    let o = ilo(&["--run-llvm", "--verbose", "f x:t>t;x", "hi"]);
    assert_eq!(stdout(&o), "hi\n");
    assert!(stderr(&o).contains("LLVM JIT: `f` not compiled:"), "{}", stderr(&o));
}

#[test]
fn a_number_beyond_range_is_an_error_not_inf() {
    // In the source: a lexer error with its code, never a silent `inf`.
    let o = ilo(&["--json", "f>n;1e400"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("ILO-L006"), "{}", stderr(&o));
    // On the command line, for `n` and for `_`.
    for src in ["f x:n>n;*x 2", "f x:_>_;x"] {
        let o = ilo(&["--json", src, "-1e400"]);
        assert_eq!(o.status.code(), Some(2), "{src}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("beyond the largest number"),
            "{src}: {}",
            stderr(&o)
        );
    }
    // `inf` spelled out, and the largest number, still run.
    assert_eq!(stdout(&ilo(&["f x:n>n;x", "inf"])).trim(), "inf");
    assert_eq!(stdout(&ilo(&["f x:n>n;x", "1.7e308"])).trim(), "1.7e308");
}

#[test]
fn verbose_notes_follow_json() {
    let o = ilo(&["--json", "--verbose", "f>t;\"a\"", "f"]);
    assert_eq!(stdout(&o).trim(), "a");
    let lines: Vec<serde_json::Value> = stderr(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    assert!(lines.len() >= 2, "{lines:?}");
    assert!(lines.iter().all(|l| l["severity"] == "note"), "{lines:?}");
    assert!(
        lines.iter().any(|l| l["message"] == "ran `f` on the register VM"),
        "{lines:?}"
    );
}
