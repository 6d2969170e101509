//! Prints a generated file for a human: `cargo run -p ilo-gen -- print reg_vm.rs`.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: ilo-gen [COMMAND]

Generates the VMs' dispatch loops, typed variants, disassembler, JIT
lowerings and docs/isa.md from isa/*.toml, and the diagnostic-code
constants, `--explain` registry and docs/codes.md from
diagnostics/codes.toml (the runtime's build script runs the same
generator).

commands:
  list          the generated files (the default)
  print NAME    one generated file, formatted (e.g. `print reg_vm.rs`, `print isa.md`,
                `print codes.md`)
  check         load and check the tables and codes.toml, generate everything,
                report errors
  check --rust  also build the runtime from the tables (`cargo check`) and
                report each error rustc or dynasm finds in a `sem` or a
                template at its opcode's table line
  help          this text

ILO_ISA_DIR selects another directory of tables, ILO_CODES another
table of diagnostic codes.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if matches!(args.first().map(String::as_str), Some("help" | "--help" | "-h")) {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let isa_dir = std::env::var_os("ILO_ISA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../isa"));
    let codes_toml = std::env::var_os("ILO_CODES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../diagnostics/codes.toml"));
    let files = match ilo_gen::generate(&isa_dir).and_then(|mut files| {
        files.extend(ilo_gen::codes::generate(&codes_toml)?);
        Ok(files)
    }) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("ilo-gen: {e}");
            return ExitCode::from(1);
        }
    };
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["list"] | [] => {
            for f in &files {
                println!("{}", f.name);
            }
            ExitCode::SUCCESS
        }
        ["print", name] => match files
            .iter()
            .find(|f| f.name == *name || f.name.trim_end_matches(".rs") == *name)
        {
            Some(f) => {
                print!("{}", f.text);
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("ilo-gen: no generated file `{name}` (try `ilo-gen list`)");
                ExitCode::from(2)
            }
        },
        ["check"] => {
            println!(
                "{} and {}: {} files generated",
                isa_dir.display(),
                codes_toml.display(),
                files.len()
            );
            ExitCode::SUCCESS
        }
        ["check", "--rust"] => {
            let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
            let dir = std::fs::canonicalize(&isa_dir).unwrap_or(isa_dir.clone());
            match ilo_gen::rustc_errors::check_with_rustc(&dir, &workspace) {
                Ok(()) => {
                    println!(
                        "{}: {} files generated; the runtime builds from them",
                        isa_dir.display(),
                        files.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(errors) => {
                    eprint!("{errors}");
                    ExitCode::from(1)
                }
            }
        }
        _ => {
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
