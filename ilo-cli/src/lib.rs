//! The `ilo` command: parse, verify, then run a function on the chosen
//! engine, benchmark every engine, or print a listing.

mod args;
mod emit;
mod report;

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use clap::Parser;
use ilo_runtime::engine::{Arg, Engine, Loaded};
use ilo_runtime::error::{fmt_bytes, Limits};
use ilo_runtime::front::ast::{FuncDecl, Program};
use ilo_runtime::jit::Target;

pub use args::Cli;
use args::TargetArg;
use report::Reporter;

/// Exit status: success.
pub const EXIT_OK: i32 = 0;
/// Exit status: the program is wrong or failed at run time.
pub const EXIT_FAIL: i32 = 1;
/// Exit status: the command line is wrong.
pub const EXIT_USAGE: i32 = 2;

/// Runs the CLI on the arguments as the system gives them: an argument that
/// is not UTF-8 is a malformed command line (`ILO-U006`), else [`run`].
pub fn run_os(argv: Vec<OsString>, out: &mut dyn Write, err: &mut dyn Write, err_is_tty: bool) -> i32 {
    let json = wants_json(argv.iter().map(|a| a.to_str().unwrap_or("")));
    let mut args = Vec::with_capacity(argv.len());
    for (i, a) in argv.into_iter().enumerate() {
        match a.into_string() {
            Ok(s) => args.push(s),
            Err(bad) => {
                let msg = format!(
                    "argument {i} ({}) is not UTF-8 text: ilo takes its program, paths and arguments as UTF-8",
                    bad.to_string_lossy()
                );
                return Reporter::new(json, err_is_tty).usage_error(usage::MALFORMED, &msg, &[], err);
            }
        }
    }
    run(args, out, err, err_is_tty)
}

/// Whether diagnostics go out as JSON: `--json` among the flags (before a
/// `--` that ends them).
fn wants_json<'a>(argv: impl Iterator<Item = &'a str>) -> bool {
    argv.take_while(|a| *a != "--").any(|a| a == "--json")
}

/// Runs the CLI on `argv` (program name first), writing to `out` and `err`.
pub fn run(argv: Vec<String>, out: &mut dyn Write, err: &mut dyn Write, err_is_tty: bool) -> i32 {
    let json = wants_json(argv.iter().map(String::as_str));
    let cli = match Cli::try_parse_from(mark_inline_source(argv)) {
        Ok(c) => c,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = write!(out, "{e}");
            return EXIT_OK;
        }
        Err(e) => {
            // clap's text: `error: …`, then tips and the usage line.
            let text = e.to_string();
            let mut lines = text.lines();
            let first = lines.next().unwrap_or_default();
            let message = first.strip_prefix("error: ").unwrap_or(first);
            let notes: Vec<&str> = lines
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
                .collect();
            let mut notes: Vec<String> = notes.into_iter().map(str::to_string).collect();
            notes.push("`ilo --help` lists the flags".to_string());
            return Reporter::new(json, err_is_tty).usage_error(usage::MALFORMED, message, &notes, err);
        }
    };
    let reporter = Reporter::new(cli.json, err_is_tty);
    if let Some(code) = &cli.explain {
        return report::explain(code, out, err);
    }
    // Asked for the LLVM backend of a build without it: say how to get it.
    if (cli.run_llvm || cli.emit == Some(args::EmitForm::Llvm)) && !ilo_runtime::jit::llvm::BUILT {
        let _ = writeln!(err, "ilo: {}", ilo_runtime::jit::llvm::HOW_TO_BUILD);
        return EXIT_USAGE;
    }
    let Some(source_arg) = cli.source.as_deref() else {
        return reporter.usage_error(
            usage::MALFORMED,
            "no program given (a file or inline source)",
            &["`ilo --help` lists the flags".to_string()],
            err,
        );
    };
    let (name, src) = match load_source(source_arg) {
        Ok(x) => x,
        Err((code, msg)) => return reporter.usage_error(code, &msg, &[], err),
    };
    if cli.dense || cli.expanded {
        // Reformatting needs only a successful parse, not verification.
        return match ilo_runtime::front::parser::parse(&src) {
            Ok(p) if cli.dense => write_code(out, &ilo_runtime::front::format::dense(&p)),
            Ok(p) => write_code(out, &ilo_runtime::front::format::expanded(&p)),
            Err(diags) => {
                reporter.diagnostics(&diags, &name, &src, err);
                EXIT_FAIL
            }
        };
    }
    let path = (name != "<inline>").then(|| Path::new(&name));
    let (checked, hints) = ilo_runtime::front::check_with_hints(path, &src);
    let program = match checked {
        Ok(p) => p,
        Err(mut diags) => {
            diags.extend(hints);
            ilo_runtime::front::verify::order(&mut diags);
            reporter.diagnostics(&diags, &name, &src, err);
            return EXIT_FAIL;
        }
    };
    // Hints do not stop the run; they go to stderr first.
    if !hints.is_empty() {
        reporter.diagnostics(&hints, &name, &src, err);
    }
    let target = match cli.target {
        Some(TargetArg::X86_64) => Some(Target::X86_64),
        Some(TargetArg::Aarch64) => Some(Target::Aarch64),
        None => None,
    };
    let loaded = Loaded::new(program);
    if let Some(form) = cli.emit {
        return emit::emit(&loaded, form, target, cli.max_steps, out, err);
    }
    let (func, raw_args) = match pick_function(&loaded.program, &cli.args) {
        Ok(x) => x,
        Err(msg) => return reporter.usage_error(usage::NO_FUNCTION, &msg, &[], err),
    };
    let args = match parse_args(func, raw_args) {
        Ok(a) => a,
        Err(msg) => return reporter.usage_error(usage::BAD_ARGUMENT, &msg, &[], err),
    };
    let fname = func.name.name.clone();
    if cli.bench {
        let rows = ilo_runtime::bench::bench(&loaded, &fname, &args, Duration::from_millis(cli.bench_ms.max(1)));
        let _ = write!(out, "{}", ilo_runtime::bench::report(&fname, &rows));
        return EXIT_OK;
    }
    let mut limits = Limits {
        max_steps: cli.max_steps,
        ..Limits::default()
    };
    if let Some(bytes) = cli.max_memory {
        limits.max_memory = bytes;
    }
    if cli.profile_ops {
        return match ilo_runtime::engine::profile_ops(&loaded, &fname, &args, limits) {
            Ok((printed, profile)) => {
                let _ = writeln!(
                    out,
                    "{printed}\n\nregister VM profile of `{fname}`:\n{}",
                    profile.report(20)
                );
                EXIT_OK
            }
            Err(e) => {
                reporter.runtime_error(&e, err);
                EXIT_FAIL
            }
        };
    }
    if target == Some(Target::Aarch64) && Target::host() != Some(Target::Aarch64) {
        return emit::run_emulated(&loaded, &fname, &args, &limits, out, err, &reporter);
    }
    let engine = if cli.run_tree {
        Engine::Tree
    } else if cli.run_stack {
        Engine::Stack
    } else if cli.run_vm {
        Engine::Reg
    } else if cli.run_cranelift {
        Engine::Cranelift
    } else if cli.run_llvm {
        Engine::Llvm
    } else {
        // --run-jit, and the default: the fastest engine that takes the function.
        Engine::Jit
    };
    // Fallback notes go out as they are decided, so a run that then fails
    // still says which engine ran it.
    let (verbose, json) = (cli.verbose, cli.json);
    let mut note = |why: &str| {
        if verbose {
            verbose_note(err, json, why);
        }
    };
    let result = loaded.run_noting(&fname, &args, engine, limits, &mut note);
    match result {
        Ok(outcome) => {
            if verbose {
                if let Some(compiled) = &outcome.compiled {
                    verbose_note(err, json, compiled);
                }
                verbose_note(err, json, &format!("ran `{fname}` on the {}", outcome.engine.name()));
                let h = outcome.heap;
                verbose_note(
                    err,
                    json,
                    &format!(
                        "heap: peak {}, {} collections freed {} objects",
                        fmt_bytes(h.peak_bytes),
                        h.collections,
                        h.freed
                    ),
                );
            }
            let _ = writeln!(out, "{}", outcome.printed);
            EXIT_OK
        }
        Err(e) => {
            reporter.runtime_error(&e, err);
            EXIT_FAIL
        }
    }
}

/// A `--verbose` note: `ilo: …`, or under `--json` a JSON line with
/// severity `note`, like the diagnostics around it.
fn verbose_note(err: &mut dyn Write, json: bool, text: &str) {
    let _ = if json {
        writeln!(err, "{}", serde_json::json!({ "severity": "note", "message": text }))
    } else {
        writeln!(err, "ilo: {text}")
    };
}

/// Codes of errors about how ilo was called rather than the program's text
/// (`ILO-U…`, generated from diagnostics/codes.toml).
pub use ilo_runtime::codes::usage;

/// A path to a file, or else the argument itself as inline source.
fn load_source(arg: &str) -> Result<(String, String), (&'static str, String)> {
    let path = Path::new(arg);
    // Source has `;` or line breaks; anything else that names something on
    // disk is meant as a file, and must be one.
    let on_disk = if arg.contains([';', '\n']) {
        None
    } else {
        std::fs::metadata(path).ok()
    };
    match &on_disk {
        Some(m) if m.is_dir() => {
            return Err((usage::NOT_A_FILE, format!("`{arg}` is a directory, not a program file")))
        }
        Some(m) if !m.is_file() => {
            return Err((
                usage::NOT_A_FILE,
                format!("`{arg}` is not a readable program file (a device or a pipe)"),
            ))
        }
        _ => {}
    }
    // One word with a `/` or a `.` and no `;` or line break cannot be a
    // program, but can be a mistyped path (`examples/fib`, `prog.il`).
    let path_like = !arg.contains(|c: char| c.is_whitespace() || c == ';') && arg.contains(['/', '.']);
    if arg.ends_with(".ilo") || on_disk.is_some() || path_like {
        return std::fs::read_to_string(path)
            // A UTF-8 byte-order mark is not part of the program.
            .map(|src| {
                (
                    arg.to_string(),
                    src.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(src),
                )
            })
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidData => (usage::NOT_UTF8, format!("`{arg}` is not UTF-8 text")),
                _ => (usage::UNREADABLE, format!("cannot read `{arg}`: {e}")),
            });
    }
    Ok(("<inline>".to_string(), arg.to_string()))
}

/// Inline source that starts with a `--` comment is source, not a flag:
/// a `--` is put before it to end the flags (those after it become
/// arguments), unless the flags were ended already.
fn mark_inline_source(mut argv: Vec<String>) -> Vec<String> {
    for i in 1..argv.len() {
        if argv[i] == "--" {
            break;
        }
        if argv[i].starts_with("--") && argv[i].contains('\n') {
            argv.insert(i, "--".to_string());
            break;
        }
    }
    argv
}

/// The function to run: named by the first argument if it names one, else
/// the only (or first) function of the program — unless the first argument
/// reads as a function name that fits no argument of that function
/// (`ILO-U004`, with the program's functions and the nearest name).
fn pick_function<'p>(program: &'p Program, args: &'p [String]) -> Result<(&'p FuncDecl, &'p [String]), String> {
    if let Some(first) = args.first() {
        if let Some(f) = program.func(first) {
            return Ok((f, &args[1..]));
        }
    }
    let Some(f) = program.funcs().next() else {
        return Err("the program declares no function to run".to_string());
    };
    if let Some(first) = args.first().filter(|a| looks_like_function_name(a)) {
        // `first` reads as a function name, and as an argument of the first
        // function it would not fit: the user meant a function.
        let as_arg = f.params.first().map(|p| (p, Arg::parse(first, &p.ty)));
        let fits = matches!(as_arg, Some((_, Ok(_))));
        if args.len() != f.params.len() || !fits {
            let names: Vec<&str> = program.funcs().map(|f| f.name.name.as_str()).collect();
            let hint = match ilo_runtime::front::verify::nearest(first, names.iter().copied()) {
                Some(n) => format!("; did you mean `{n}`?"),
                None => String::new(),
            };
            // When the counts fit, it may be a mistyped argument instead.
            let or_arg = match as_arg {
                Some((p, Err(e))) if args.len() == f.params.len() => {
                    format!(" (as `{}`'s argument `{}`: {e})", f.name.name, p.name.name)
                }
                _ => String::new(),
            };
            return Err(format!(
                "the program has no function `{first}` (it has: {}){hint}{or_arg}",
                names.join(", ")
            ));
        }
    }
    Ok((f, args))
}

/// A lower-case name as ilo spells functions (`fib`, `get-user`), and not
/// a value the command line would take as an argument.
fn looks_like_function_name(a: &str) -> bool {
    let mut chars = a.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && a.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && !matches!(a, "true" | "false" | "nil")
}

fn parse_args(f: &FuncDecl, raw: &[String]) -> Result<Vec<Arg>, String> {
    if raw.len() != f.params.len() {
        let sig: Vec<String> = f.params.iter().map(|p| p.name.name.clone()).collect();
        return Err(format!(
            "`{}` takes {} argument{} ({}), got {}",
            f.name.name,
            f.params.len(),
            if f.params.len() == 1 { "" } else { "s" },
            sig.join(" "),
            raw.len()
        ));
    }
    f.params
        .iter()
        .zip(raw)
        .map(|(p, text)| Arg::parse(text, &p.ty).map_err(|e| format!("argument `{}`: {e}", p.name.name)))
        .collect()
}

/// Writes the reformatted program: `EXIT_OK`.
fn write_code(out: &mut dyn Write, text: &str) -> i32 {
    let _ = write!(out, "{text}");
    EXIT_OK
}
