//! Prints a generated file for a human: `cargo run -p ilo-gen -- print reg_vm.rs`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let isa_dir = std::env::var_os("ILO_ISA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../isa"));
    let files = match ilo_gen::generate(&isa_dir) {
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
            println!("{}: {} files generated", isa_dir.display(), files.len());
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: ilo-gen [list | print NAME | check]   (ILO_ISA_DIR selects the tables)");
            ExitCode::from(2)
        }
    }
}
