//! Running `AArch64` machine code on a non-ARM host, for tests.
//!
//! The JIT's ARM64 output is executed under Debian's user-mode
//! `qemu-aarch64` by a tiny C harness (`aarch64-harness/harness.c`) that is
//! cross-compiled with `aarch64-linux-gnu-gcc -O2 -static` the first time it
//! is needed. The harness maps the code R+X, calls it as
//! `double f(double, ...)` (AAPCS64: arguments in d0-d7, result in d0) and
//! prints the result's bit pattern, which is parsed back here so results can
//! be compared bit for bit. [`run_aarch64_batch`] runs the code on many
//! argument sets in one qemu process (the harness's `--batch` mode).
//!
//! The compiled harness is cached in the system temp directory under a name
//! keyed by a hash of its source and build command, so concurrent test
//! processes share it; it is built under a temporary name and renamed into
//! place atomically.
//!
//! Tools needed (Debian): `qemu-user` (or `qemu-user-static`),
//! `gcc-aarch64-linux-gnu` and `libc6-dev-arm64-cross`.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The harness's C source, compiled on first use.
const HARNESS_SOURCE: &str = include_str!("../../aarch64-harness/harness.c");

/// Cross compiler used to build the harness.
const CROSS_CC: &str = "aarch64-linux-gnu-gcc";

/// Candidate names of the user-mode emulator, in order of preference.
const QEMU_NAMES: [&str; 2] = ["qemu-aarch64", "qemu-aarch64-static"];

/// Flags the harness is built with (the source is fed on stdin).
const CC_FLAGS: [&str; 4] = ["-O2", "-static", "-x", "c"];

/// Most arguments the harness (and AAPCS64's d0-d7) can pass.
pub const MAX_ARGS: usize = 8;

/// Why ARM64 code could not be run here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmuError {
    /// A needed tool (cross compiler or qemu) is not on `PATH`.
    ToolMissing(String),
    /// Building the harness failed.
    Build(String),
    /// Running the code failed: bad input, the code crashed or timed out, or
    /// the harness's output could not be read.
    Run(String),
}

impl fmt::Display for EmuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmuError::ToolMissing(what) => write!(f, "aarch64 emulation tool missing: {what}"),
            EmuError::Build(what) => write!(f, "building the aarch64 harness failed: {what}"),
            EmuError::Run(what) => write!(f, "running aarch64 code failed: {what}"),
        }
    }
}

impl std::error::Error for EmuError {}

/// The tools found and the harness built, once per process.
#[derive(Debug)]
struct Harness {
    qemu: PathBuf,
    binary: PathBuf,
}

static HARNESS: OnceLock<Result<Harness, EmuError>> = OnceLock::new();

/// Distinguishes temp files made by this process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// True if `aarch64-linux-gnu-gcc` and `qemu-aarch64` (or
/// `qemu-aarch64-static`) are on `PATH`.
#[must_use]
pub fn available() -> bool {
    find_on_path(CROSS_CC).is_some() && find_qemu().is_some()
}

/// Runs `code` (`AArch64` machine code of a JIT unit, its `abi::Entry` at
/// offset 0) under `qemu-aarch64` with `args` (at most 8) and no limits,
/// and returns the f64 it returned, bit-exact.
///
/// # Errors
///
/// [`EmuError::ToolMissing`] if the cross compiler or qemu is not on `PATH`,
/// [`EmuError::Build`] if the harness could not be built, and
/// [`EmuError::Run`] for more than 8 arguments, empty code, code that
/// crashes, runs past the harness's timeout or ends with an error status,
/// or unreadable output.
///
/// Arguments are passed by their bits, so a NaN keeps its sign and payload.
pub fn run_aarch64(code: &[u8], args: &[f64]) -> Result<f64, EmuError> {
    let mut results = run_aarch64_batch(code, &[args.to_vec()])?;
    results
        .pop()
        .ok_or_else(|| EmuError::Run("the harness gave no result".to_string()))
}

/// Runs `code` like [`run_aarch64`] once per argument set of `arg_sets`
/// (each of the same length, at most 8), all in one qemu process, and
/// returns the results in order, bit-exact.
///
/// # Errors
///
/// As [`run_aarch64`]; also [`EmuError::Run`] if the argument sets differ in
/// length.
pub fn run_aarch64_batch(code: &[u8], arg_sets: &[Vec<f64>]) -> Result<Vec<f64>, EmuError> {
    let runs: Vec<Run> = arg_sets
        .iter()
        .map(|set| Run {
            steps_left: u64::MAX,
            depth_left: u64::MAX,
            args: set.iter().map(|a| a.to_bits()).collect(),
        })
        .collect();
    run_aarch64_runs(code, &runs)?
        .into_iter()
        .map(|(status, bits)| match status {
            0 => Ok(f64::from_bits(bits)),
            s => Err(EmuError::Run(format!("the code ended with status {s}"))),
        })
        .collect()
}

/// One call of a unit's entry: the limits it starts with and its arguments
/// (a value's bits each).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub steps_left: u64,
    pub depth_left: u64,
    pub args: Vec<u64>,
}

/// Runs `code` once per run of `runs` (argument lists of one length, at most
/// 8), all in one qemu process: per run the status the entry returned and
/// the result's bits (see `abi::Status`).
///
/// # Errors
///
/// As [`run_aarch64_batch`], except that an error status is a result.
pub fn run_aarch64_runs(code: &[u8], runs: &[Run]) -> Result<Vec<(u32, u64)>, EmuError> {
    let Some(first) = runs.first() else {
        return Ok(Vec::new());
    };
    let nargs = first.args.len();
    if nargs > MAX_ARGS {
        return Err(EmuError::Run(format!(
            "{nargs} arguments given, at most {MAX_ARGS} are supported"
        )));
    }
    if runs.iter().any(|r| r.args.len() != nargs) {
        return Err(EmuError::Run("argument sets of different lengths".to_string()));
    }
    if code.is_empty() {
        return Err(EmuError::Run("no code given".to_string()));
    }
    let harness = match HARNESS.get_or_init(build_harness) {
        Ok(h) => h,
        Err(e) => return Err(e.clone()),
    };

    let code_file = TempFile::new(temp_name("ilo-aarch64-code", "bin"));
    fs::write(&code_file.0, code)
        .map_err(|e| EmuError::Run(format!("cannot write code to {}: {e}", code_file.0.display())))?;
    // One line of words per call: the limits, then the arguments. The input
    // is a file, not a pipe, so that a large batch cannot block on a full
    // stdout pipe while it is fed.
    let mut lines = String::new();
    for run in runs {
        let words: Vec<String> = [run.steps_left, run.depth_left]
            .iter()
            .chain(&run.args)
            .map(|w| format!("{w:016x}"))
            .collect();
        lines.push_str(&words.join(" "));
        lines.push('\n');
    }
    let input_file = TempFile::new(temp_name("ilo-aarch64-args", "txt"));
    fs::write(&input_file.0, lines)
        .map_err(|e| EmuError::Run(format!("cannot write arguments to {}: {e}", input_file.0.display())))?;
    let input = fs::File::open(&input_file.0)
        .map_err(|e| EmuError::Run(format!("cannot open {}: {e}", input_file.0.display())))?;

    let mut cmd = Command::new(&harness.qemu);
    cmd.arg(&harness.binary)
        .arg(&code_file.0)
        .arg("--batch")
        .arg(nargs.to_string());
    cmd.stdin(Stdio::from(input));
    if let Some(dir) = harness.binary.parent() {
        cmd.current_dir(dir);
    }
    let out = cmd
        .output()
        .map_err(|e| EmuError::Run(format!("cannot start {}: {e}", harness.qemu.display())))?;
    drop(code_file);
    drop(input_file);

    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(EmuError::Run(format!(
            "{}; stderr: {}",
            describe_status(out.status),
            stderr.trim()
        )));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let results = stdout
        .lines()
        .map(|line| {
            let (status, bits) = line.trim().split_once(' ').unwrap_or(("", ""));
            status
                .parse::<u32>()
                .ok()
                .zip(parse_bits(bits).map(f64::to_bits))
                .ok_or_else(|| {
                    EmuError::Run(format!(
                        "unexpected harness output line {line:?}; stderr: {}",
                        stderr.trim()
                    ))
                })
        })
        .collect::<Result<Vec<(u32, u64)>, EmuError>>()?;
    if results.len() != runs.len() {
        return Err(EmuError::Run(format!(
            "{} results for {} runs; stderr: {}",
            results.len(),
            runs.len(),
            stderr.trim()
        )));
    }
    Ok(results)
}

/// The f64 whose bit pattern is `hex`, 16 hex digits as the harness prints.
fn parse_bits(hex: &str) -> Option<f64> {
    if hex.len() != 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(hex, 16).ok().map(f64::from_bits)
}

/// Finds the tools and builds (or reuses) the harness binary.
fn build_harness() -> Result<Harness, EmuError> {
    let qemu = find_qemu().ok_or_else(|| {
        EmuError::ToolMissing(format!(
            "none of {} on PATH (Debian package qemu-user)",
            QEMU_NAMES.join(", ")
        ))
    })?;
    let cc = find_on_path(CROSS_CC).ok_or_else(|| {
        EmuError::ToolMissing(format!(
            "{CROSS_CC} not on PATH (Debian packages gcc-aarch64-linux-gnu, libc6-dev-arm64-cross)"
        ))
    })?;

    let mut key = Fnv64::new();
    key.write(HARNESS_SOURCE.as_bytes());
    for flag in CC_FLAGS {
        key.write(&[0]);
        key.write(flag.as_bytes());
    }
    let dir = std::env::temp_dir().join(format!("ilo-aarch64-harness-{:016x}", key.finish()));
    let binary = dir.join("harness");
    if binary.is_file() {
        // Only ever renamed into place once fully built, so it is complete.
        return Ok(Harness { qemu, binary });
    }
    fs::create_dir_all(&dir).map_err(|e| EmuError::Build(format!("cannot create {}: {e}", dir.display())))?;

    let tmp = TempFile::new(dir.join(format!(
        "harness.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )));
    let mut child = Command::new(&cc)
        .args(CC_FLAGS)
        .arg("-o")
        .arg(&tmp.0)
        .arg("-")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| EmuError::Build(format!("cannot start {}: {e}", cc.display())))?;
    let write_result = match child.stdin.take() {
        Some(mut stdin) => stdin.write_all(HARNESS_SOURCE.as_bytes()),
        None => Ok(()),
    };
    let out = child
        .wait_with_output()
        .map_err(|e| EmuError::Build(format!("waiting for {}: {e}", cc.display())))?;
    if !out.status.success() {
        return Err(EmuError::Build(format!(
            "{} {}; output: {}{}",
            cc.display(),
            describe_status(out.status),
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    if let Err(e) = write_result {
        return Err(EmuError::Build(format!("cannot feed source to {}: {e}", cc.display())));
    }
    if let Err(e) = fs::rename(&tmp.0, &binary) {
        // Another process may have won the race (fine), or the rename failed.
        if !binary.is_file() {
            return Err(EmuError::Build(format!(
                "cannot move harness to {}: {e}",
                binary.display()
            )));
        }
    }
    Ok(Harness { qemu, binary })
}

fn find_qemu() -> Option<PathBuf> {
    QEMU_NAMES.iter().find_map(|name| find_on_path(name))
}

/// The first executable file called `name` in a directory of `PATH`.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

fn describe_status(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            let name = match sig {
                4 => " (SIGILL: illegal instruction)",
                5 => " (SIGTRAP)",
                6 => " (SIGABRT)",
                7 => " (SIGBUS: bus error)",
                8 => " (SIGFPE)",
                11 => " (SIGSEGV: segmentation fault)",
                14 => " (SIGALRM: timed out; see ILO_HARNESS_TIMEOUT)",
                _ => "",
            };
            return format!("killed by signal {sig}{name}");
        }
    }
    match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => format!("ended with {status}"),
    }
}

/// A path in the temp dir unique to this process and call.
fn temp_name(prefix: &str, ext: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("{prefix}-{}-{n}.{ext}", std::process::id()))
}

/// Removes its file when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(path: PathBuf) -> Self {
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// FNV-1a, 64-bit: a hash that is stable across Rust versions and processes.
struct Fnv64(u64);

impl Fnv64 {
    fn new() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RET: u32 = 0xd65f_03c0;
    const FADD_D0_D0_D1: u32 = 0x1e61_2800;
    const FMUL_D0_D0_D1: u32 = 0x1e61_0800;
    const FSUB_D0_D0_D1: u32 = 0x1e61_3800;
    const FDIV_D0_D0_D1: u32 = 0x1e61_1800;
    const FMOV_D0_ONE: u32 = 0x1e6e_1000; // fmov d0, #1.0
    const UDF_0: u32 = 0x0000_0000; // udf #0

    /// `fadd d0, d0, dN`
    fn fadd_d0(n: u32) -> u32 {
        0x1e60_2800 | (n << 16)
    }

    /// `fmov d0, dN`
    fn fmov_d0(n: u32) -> u32 {
        0x1e60_4000 | (n << 5)
    }

    /// `words` (code leaving a result in d0, then `RET`) as a unit's entry:
    /// `nargs` arguments loaded from x1 into d0…, the result stored in the
    /// context at x0, status 0.
    fn code(words: &[u32], nargs: usize) -> Vec<u8> {
        const LDR_D_X1: u32 = 0xfd40_0020; // ldr d0, [x1]
        const STR_D0_X0_16: u32 = 0xfd00_0800; // str d0, [x0, #16]
        const MOVZ_W0_0: u32 = 0x5280_0000; // movz w0, #0
        let body = words.strip_suffix(&[RET]).unwrap_or(words);
        let loads = (0..nargs as u32).map(|i| LDR_D_X1 | (i << 10) | i);
        loads
            .chain(body.iter().copied())
            .chain([STR_D0_X0_16, MOVZ_W0_0, RET])
            .flat_map(|w| w.to_le_bytes())
            .collect()
    }

    fn run(words: &[u32], args: &[f64]) -> f64 {
        match run_aarch64(&code(words, args.len()), args) {
            Ok(v) => v,
            Err(e) => panic!("run_aarch64 failed: {e}"),
        }
    }

    fn skip() -> bool {
        if available() {
            return false;
        }
        eprintln!("note: skipping aarch64 emulation test: aarch64-linux-gnu-gcc or qemu-aarch64 not on PATH");
        true
    }

    #[test]
    fn arithmetic() {
        if skip() {
            return;
        }
        assert_eq!(run(&[FADD_D0_D0_D1, RET], &[2.5, 4.0]).to_bits(), 6.5f64.to_bits());
        assert_eq!(run(&[FMUL_D0_D0_D1, RET], &[2.5, 4.0]).to_bits(), 10.0f64.to_bits());
        assert_eq!(run(&[FSUB_D0_D0_D1, RET], &[2.5, 4.0]).to_bits(), (-1.5f64).to_bits());
        assert_eq!(
            run(&[FDIV_D0_D0_D1, RET], &[1.0, 3.0]).to_bits(),
            (1.0f64 / 3.0).to_bits()
        );
    }

    #[test]
    fn no_arguments() {
        if skip() {
            return;
        }
        assert_eq!(run(&[FMOV_D0_ONE, RET], &[]).to_bits(), 1.0f64.to_bits());
    }

    #[test]
    fn eight_arguments_in_order() {
        if skip() {
            return;
        }
        let args = [1.5, -2.25, 3.0e10, -4.0e-10, 5.0, 6.125, -7.0, 8.5];
        for (i, want) in (0u32..).zip(args.iter()) {
            let got = run(&[fmov_d0(i), RET], &args);
            assert_eq!(got.to_bits(), want.to_bits(), "argument d{i}");
        }
        let sum: Vec<u32> = (1..8).map(fadd_d0).chain([RET]).collect();
        let want = args[1..].iter().fold(args[0], |s, &a| s + a);
        assert_eq!(run(&sum, &args).to_bits(), want.to_bits());
    }

    #[test]
    fn special_values_round_trip() {
        if skip() {
            return;
        }
        let values = [
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            f64::MIN_POSITIVE / 4.0, // subnormal
            -5e-324,
            f64::MAX,
            f64::MIN,
            0.1,
            -1.0 / 3.0,
            std::f64::consts::PI,
        ];
        for v in values {
            assert_eq!(run(&[RET], &[v]).to_bits(), v.to_bits(), "value {v:?}");
        }
        let nan = run(&[RET], &[f64::NAN]);
        assert!(nan.is_nan());
        assert_eq!(nan.to_bits(), 0x7ff8_0000_0000_0000);
        assert!(run(&[FADD_D0_D0_D1, RET], &[f64::INFINITY, f64::NEG_INFINITY]).is_nan());
        assert_eq!(
            run(&[FADD_D0_D0_D1, RET], &[-1.0, f64::INFINITY]).to_bits(),
            f64::INFINITY.to_bits()
        );
    }

    #[test]
    fn batch_runs_each_argument_set_and_keeps_nan_bits() {
        if skip() {
            return;
        }
        let neg_nan = f64::from_bits(0xfff8_0000_0000_0000);
        let sets = vec![vec![2.5, 4.0], vec![-0.0, 0.0], vec![neg_nan, 1.0], vec![1e308, 1e308]];
        let got = run_aarch64_batch(&code(&[FADD_D0_D0_D1, RET], 2), &sets).expect("runs");
        let want: Vec<u64> = sets.iter().map(|s| (s[0] + s[1]).to_bits()).collect();
        assert_eq!(got.iter().map(|r| r.to_bits()).collect::<Vec<_>>(), want);
        // The argument's NaN sign reaches the code (the one-call mode passes
        // every NaN as the default one).
        let nan = run_aarch64_batch(&code(&[RET], 1), &[vec![neg_nan]]).expect("runs");
        assert_eq!(nan[0].to_bits(), neg_nan.to_bits());
        assert_eq!(
            run_aarch64_batch(&code(&[FMOV_D0_ONE, RET], 0), &[vec![], vec![]]),
            Ok(vec![1.0, 1.0])
        );
        assert_eq!(run_aarch64_batch(&code(&[RET], 0), &[]), Ok(vec![]));
    }

    #[test]
    fn batch_bad_input_is_an_error() {
        assert!(matches!(
            run_aarch64_batch(&code(&[RET], 1), &[vec![1.0], vec![1.0, 2.0]]),
            Err(EmuError::Run(_))
        ));
        assert!(matches!(
            run_aarch64_batch(&code(&[RET], 8), &[vec![0.0; 9]]),
            Err(EmuError::Run(_))
        ));
        assert!(matches!(run_aarch64_batch(&[], &[vec![]]), Err(EmuError::Run(_))));
    }

    #[test]
    fn crash_is_an_error() {
        if skip() {
            return;
        }
        match run_aarch64(&code(&[UDF_0], 1), &[1.0]) {
            Err(EmuError::Run(msg)) => assert!(msg.contains("signal"), "{msg}"),
            other => panic!("expected a run error, got {other:?}"),
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        let nine = [0.0; 9];
        assert!(matches!(run_aarch64(&code(&[RET], 8), &nine), Err(EmuError::Run(_))));
        assert!(matches!(run_aarch64(&[], &[]), Err(EmuError::Run(_))));
    }

    #[test]
    fn errors_display() {
        let e = EmuError::ToolMissing("qemu-aarch64".into());
        assert!(e.to_string().contains("qemu-aarch64"));
        let boxed: Box<dyn std::error::Error> = Box::new(EmuError::Build("x".into()));
        assert!(!boxed.to_string().is_empty());
    }

    #[test]
    fn hash_is_stable() {
        let mut h = Fnv64::new();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
    }
}
