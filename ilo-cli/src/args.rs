//! The command line, as clap parses it.

use clap::{ArgGroup, Parser, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "ilo",
    version,
    about = "Run ilo programs: a token-minimal language for AI agents",
    after_help = "Examples:\n  ilo 'tot p:n q:n r:n>n;s=*p q;t=*s r;+s t' 10 20 30\n  ilo prog.ilo fib 20\n  ilo --bench prog.ilo tot 10 20 30\n  ilo --emit bytecode prog.ilo",
    group(ArgGroup::new("engine").args(["run_tree", "run_stack", "run_vm", "run_jit", "run_cranelift", "run_llvm"]))
)]
pub struct Cli {
    /// An .ilo file, or inline ilo source.
    #[arg(required_unless_present = "explain")]
    pub source: Option<String>,

    /// The function to run (optional when the program has one, or to run the
    /// first), then its arguments, parsed by the parameter types.
    #[arg(allow_hyphen_values = true, trailing_var_arg = true)]
    pub args: Vec<String>,

    /// Layer 1: the tree-walk interpreter.
    #[arg(long)]
    pub run_tree: bool,
    /// Layer 2: the stack VM.
    #[arg(long)]
    pub run_stack: bool,
    /// Layer 3: the register VM.
    #[arg(long)]
    pub run_vm: bool,
    /// Layer 5: the native JIT (falls back to the register VM per function).
    #[arg(long)]
    pub run_jit: bool,
    /// Layer 5 through Cranelift's optimiser (falls back to the register VM per function).
    #[arg(long)]
    pub run_cranelift: bool,
    /// Layer 5 through LLVM's O3 pipeline (falls back to the register VM per
    /// function; needs a build with `--features llvm`).
    #[arg(long)]
    pub run_llvm: bool,

    /// Time every layer on the same call and print the figures.
    #[arg(long)]
    pub bench: bool,
    /// Run the register VM counting opcodes, then print the most frequent
    /// opcodes and adjacent pairs (evidence for superinstructions).
    #[arg(long, conflicts_with_all = ["bench", "emit", "dense", "expanded"])]
    pub profile_ops: bool,
    /// Time budget per layer for --bench, in milliseconds.
    #[arg(long, default_value_t = 300, value_name = "MS")]
    pub bench_ms: u64,

    /// Print the program in another form instead of running it.
    #[arg(long, value_enum, value_name = "FORM")]
    pub emit: Option<EmitForm>,
    /// Print the program reformatted in the dense one-line form, then stop.
    #[arg(long, conflicts_with_all = ["expanded", "emit", "bench"])]
    pub dense: bool,
    /// Print the program reformatted in the expanded indented form, then stop.
    #[arg(long, conflicts_with_all = ["dense", "emit", "bench"])]
    pub expanded: bool,
    /// Machine code target for --emit asm and --run-jit (default: this machine).
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,

    /// Say on stderr which engine ran and why a faster one did not.
    #[arg(long, short)]
    pub verbose: bool,
    /// Diagnostics as JSON, one object per line (the default when stderr is not a terminal).
    #[arg(long)]
    pub json: bool,
    /// Stop a run after this many steps (calls), with error ILO-R007.
    #[arg(long, value_name = "N")]
    pub max_steps: Option<u64>,
    /// Stop a run whose values hold more than this many bytes, with error
    /// ILO-R013: a number with an optional K, M, G or T suffix (powers of
    /// 1024), e.g. 512M. Default: a quarter of the machine's memory, at most 2G.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<usize>,
    /// Print the long explanation of an error code, e.g. ILO-T004.
    #[arg(long, value_name = "CODE")]
    pub explain: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EmitForm {
    /// The parsed syntax tree.
    Ast,
    /// Stack-VM bytecode.
    Stack,
    /// Register-VM bytecode.
    Bytecode,
    /// JIT machine code, disassembled.
    Asm,
    /// A Python 3 module: run it as `python3 prog.py [function] args...`.
    Python,
    /// The LLVM IR of the functions the LLVM JIT takes, optimised (needs a
    /// build with `--features llvm`).
    Llvm,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    #[value(name = "x86_64", alias = "x86-64")]
    X86_64,
    #[value(name = "aarch64", alias = "arm64")]
    Aarch64,
}

/// `512M`, `4G`, `1.5g`, `65536`, `64KiB`: bytes, with binary suffixes.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let stem = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let (digits, shift) = match stem.chars().last() {
        Some('k') => (&stem[..stem.len() - 1], 10),
        Some('m') => (&stem[..stem.len() - 1], 20),
        Some('g') => (&stem[..stem.len() - 1], 30),
        Some('t') => (&stem[..stem.len() - 1], 40),
        _ => (stem, 0),
    };
    let bad = || format!("`{t}` is not a size: write a number of bytes with an optional K, M, G or T, e.g. 512M");
    let n: f64 = digits.trim().parse().map_err(|_| bad())?;
    let bytes = n * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes >= usize::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as usize)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("4g"), Ok(4 << 30));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("2MB"), Ok(2 << 20));
        for bad in ["", "M", "-1G", "0", "lots", "1X", "nanG"] {
            assert!(parse_size(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
