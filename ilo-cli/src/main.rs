use std::io::IsTerminal;

fn main() {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let tty = stderr.is_terminal();
    let code = ilo_cli::run_os(argv, &mut stdout.lock(), &mut stderr.lock(), tty);
    std::process::exit(code);
}
