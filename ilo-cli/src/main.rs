use std::io::IsTerminal;

fn main() {
    let mut argv = Vec::new();
    for a in std::env::args_os() {
        match a.into_string() {
            Ok(s) => argv.push(s),
            Err(bad) => {
                eprintln!("ilo: argument {bad:?} is not valid UTF-8");
                std::process::exit(ilo_cli::EXIT_USAGE);
            }
        }
    }
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let tty = stderr.is_terminal();
    let code = ilo_cli::run(argv, &mut stdout.lock(), &mut stderr.lock(), tty);
    std::process::exit(code);
}
