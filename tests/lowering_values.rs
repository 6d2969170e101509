//! Every lowering is tested by value on every target: each register-VM
//! opcode that a target lowers runs alone, in a tiny numeric function, on a
//! table of inputs (±0, ±inf, NaN of both signs, subnormals, huge and
//! inexact magnitudes, all combinations for several operands), and its result
//! must have the bits of the register VM's, which runs the op's `sem`
//! (any two NaNs count as equal: which NaN comes out is the hardware's).
//!
//! Targets: the dynasm JIT for this machine (run natively), Cranelift and
//! LLVM (run natively; LLVM with the `llvm` feature), and the AArch64 dynasm
//! JIT (run under qemu-user).
//!
//! Nothing here names an opcode: the ops come from each target's list of
//! lowered ops and their operands from the table's operand kinds, so an op
//! added to `isa/register.toml` is covered with no edit. A destination
//! (`dst`, `dst_n`) is returned, a register operand (`reg`, `reg_n`) is a
//! parameter (a `reg` also gets booleans and nil), a constant operand
//! (`const`, `const_n`) is the input put in the constant pool, and a jump
//! (`sbx`, or a compare-and-branch's JMP word) goes to a return of 2 past a
//! return of 1, so the probe says which way the op went. An op with any
//! other kind of operand (`func`, `base`, `imm`, `text`) is skipped, and
//! the skips are printed (CALL and FORSTEP are covered by `tests/jit.rs`).
//! An op that writes no register and does not jump is followed by a `RET`
//! of its first input, so the probe gives what the op returns (`RET`
//! itself) or else the input the op must leave as it was.
//!
//! Each op also runs with its registers laid out several ways, so a
//! template that clobbers an input it still needs, or writes the wrong
//! register, shows up: distinct registers, the destination on each input,
//! the destination in a high register, and one register for every input.
//!
//! To try a new op before it is in the tables, point the build at a copy of
//! `isa/` holding it, in a target directory of its own:
//! `ILO_ISA_DIR=/tmp/isa CARGO_TARGET_DIR=target/isa-try cargo test --test lowering_values`.

use std::fmt::Write as _;

use ilo_runtime::error::Limits;
use ilo_runtime::isa::codec::{encode_abc, encode_abx, encode_asbx, reg_enc, reg_form, RegForm};
use ilo_runtime::isa::RegOp;
use ilo_runtime::jit::{self, native::JitFunc, Target};
use ilo_runtime::reg::{RegFunc, RegProgram, RegVm};
use ilo_runtime::value::Value;
use ilo_suite::same_number;

/// What every operand takes; several operands take every combination.
const INPUTS: &[f64] = &[
    0.0,
    -0.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    // The other NaN arithmetic makes (x86's default NaN): its sign must
    // survive a move and flip under negation like any number's.
    -f64::NAN,
    1.0,
    -1.0,
    0.5,
    3.0,
    0.1,
    -1.0 / 3.0,
    1e308,
    -1e308,
    f64::MAX,
    5e-324,  // the smallest subnormal
    -5e-324, // and its negation
    f64::MIN_POSITIVE,
    9_007_199_254_740_992.0,  // 2^53: adding 1 rounds back to it
    9_007_199_254_740_991.0,  // 2^53 - 1
    -9_007_199_254_740_994.0, // -(2^53 + 2)
];

/// What an operand of any type (`reg`) takes besides the numbers: the
/// booleans and nil, as registers hold them.
fn any_inputs() -> Vec<f64> {
    let others = [Value::TRUE, Value::FALSE, Value::NIL];
    INPUTS
        .iter()
        .copied()
        .chain(others.iter().map(|v| f64::from_bits(v.bits())))
        .collect()
}

/// Constant-pool slot 0 holds this number, which no input equals: a
/// lowering that reads the wrong constant gives a wrong result.
const DECOY: f64 = 7.25;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Dst,
    Reg,
    Const,
    /// A jump offset: the probe returns 2 when the op jumps, 1 when not.
    Jump,
}

/// The markers a branch probe returns.
const WENT_ON: f64 = 1.0;
const JUMPED: f64 = 2.0;

/// An op's operands as the table states them, when they are all numbers in
/// registers or constants.
struct Shape {
    op: RegOp,
    /// `(operand name, role)` in encoding order.
    operands: Vec<(&'static str, Role)>,
    /// A register operand takes any value (`reg`): it gets booleans and nil
    /// too.
    any: bool,
}

impl Shape {
    fn of(op: RegOp) -> Result<Shape, String> {
        let info = op.info();
        let mut operands = Vec::new();
        for &(name, kind) in info.operands {
            let role = match kind {
                "dst" | "dst_n" => Role::Dst,
                "reg" | "reg_n" => Role::Reg,
                "const" | "const_n" => Role::Const,
                "jump" => Role::Jump,
                other => {
                    return Err(format!(
                        "operand {name} is `{other}`, not a number register or constant"
                    ))
                }
            };
            if !matches!(name, "a" | "b" | "c" | "bx" | "sbx" | "j") {
                return Err(format!("operand {name} has a name this test cannot encode"));
            }
            operands.push((name, role));
        }
        let any = info.operands.iter().any(|&(_, kind)| kind == "reg");
        let shape = Shape { op, operands, any };
        match (shape.count(Role::Dst), shape.count(Role::Reg)) {
            // A jump: which way it goes is the result.
            (0, _) if shape.count(Role::Jump) == 1 => Ok(shape),
            // A return of a constant (`RETK`): what it returns is the result.
            (0, 0) if info.ret && shape.count(Role::Const) > 0 => Ok(shape),
            (0, 0) => Err("it neither writes nor reads a register: no result to compare".into()),
            (0 | 1, _) => Ok(shape),
            (n, _) => Err(format!("{n} destinations")),
        }
    }

    fn count(&self, role: Role) -> usize {
        self.operands.iter().filter(|(_, r)| *r == role).count()
    }

    /// How the register operands are laid out: the register of each input
    /// (in operand order), the destination's register, and the parameter
    /// count. Inputs are parameters, so each is a register below `nparams`.
    fn layouts(&self) -> Vec<Layout> {
        let k = self.count(Role::Reg);
        let has_dst = self.count(Role::Dst) == 1;
        let inputs: Vec<u8> = (0..k as u8).collect();
        let reg_names: Vec<&str> = self
            .operands
            .iter()
            .filter(|(_, r)| *r == Role::Reg)
            .map(|(n, _)| *n)
            .collect();
        let mut out = vec![Layout {
            name: "distinct registers".into(),
            inputs: inputs.clone(),
            dst: k as u8,
            nparams: k,
            copies: Vec::new(),
        }];
        if !has_dst {
            return out;
        }
        for (i, name) in reg_names.iter().enumerate() {
            out.push(Layout {
                name: format!("destination = input {name}"),
                inputs: inputs.clone(),
                dst: i as u8,
                nparams: k,
                copies: Vec::new(),
            });
        }
        let high = high_register();
        if usize::from(high) > k {
            out.push(Layout {
                name: format!("destination r{high}"),
                inputs: inputs.clone(),
                dst: high,
                nparams: k,
                copies: Vec::new(),
            });
        }
        if k >= 2 {
            out.push(Layout {
                name: "one register for every input".into(),
                inputs: vec![0; k],
                dst: 1,
                nparams: 1,
                copies: Vec::new(),
            });
        }
        // More registers than any target keeps in float registers: the
        // function spills, and the op reads and writes stack slots.
        const SPILLED: u8 = 40;
        out.push(Layout {
            name: format!(
                "spilled registers (inputs from r{SPILLED}, destination r{})",
                SPILLED + 10
            ),
            inputs: (0..k as u8).map(|i| SPILLED + i).collect(),
            dst: SPILLED + 10,
            nparams: k,
            copies: (0..k as u8).map(|i| (SPILLED + i, i)).collect(),
        });
        out
    }

    /// The one-instruction function (then `RET` of the destination, or of
    /// the first input if there is none) for a layout, with constant
    /// operand `j` reading `consts[j]`.
    fn probe(&self, layout: &Layout, consts: &[f64]) -> RegFunc {
        let (mut a, mut b, mut c, mut bx) = (0u8, 0u8, 0u8, 0u16);
        let (mut next_reg, mut next_const) = (0, 0);
        for &(name, role) in &self.operands {
            let field = match role {
                Role::Dst => u16::from(layout.dst),
                Role::Reg => {
                    next_reg += 1;
                    u16::from(layout.inputs[next_reg - 1])
                }
                Role::Const => {
                    next_const += 1;
                    next_const as u16 // slot 0 is the decoy
                }
                // To the second of the two returns after the op (and its
                // JMP word): 2 past where the offset counts from.
                Role::Jump => 2,
            };
            match name {
                "j" => {}
                "a" => a = field as u8,
                "b" => b = field as u8,
                "c" => c = field as u8,
                _ => bx = field,
            }
        }
        let word = match reg_form(self.op) {
            RegForm::Abc => encode_abc(self.op, a, b, c),
            RegForm::ABx => encode_abx(self.op, a, bx),
            RegForm::AsBx => encode_asbx(self.op, a, bx as i16),
        };
        let has_dst = self.count(Role::Dst) == 1;
        let result = if has_dst {
            layout.dst
        } else {
            layout.inputs.first().copied().unwrap_or(0)
        };
        let mut consts: Vec<f64> = std::iter::once(DECOY).chain(consts.iter().copied()).collect();
        let mut code: Vec<u32> = layout
            .copies
            .iter()
            .map(|&(to, from)| encode_abc(RegOp::MOV, to, from, 0))
            .collect();
        code.push(word);
        let used = layout.inputs.iter().copied().chain(has_dst.then_some(layout.dst));
        let mut nregs = used.map(|r| usize::from(r) + 1).max().unwrap_or(1).max(layout.nparams);
        if self.count(Role::Jump) == 1 {
            // A compare-and-branch's JMP word (by the same offset from it),
            // then: went on -> return 1; jumped -> return 2.
            if self.operands.iter().any(|(n, _)| *n == "j") {
                code.push(encode_asbx(RegOp::JMP, 0, 2));
            }
            let out = nregs as u8;
            nregs += 1;
            for marker in [WENT_ON, JUMPED] {
                consts.push(marker);
                code.push(encode_abx(RegOp::LOADK, out, (consts.len() - 1) as u16));
                code.push(reg_enc::RET(out));
            }
        } else {
            code.push(reg_enc::RET(result));
        }
        RegFunc {
            name: format!("probe_{}", self.op.name()),
            nparams: layout.nparams,
            nregs,
            nslots: 0,
            code,
            consts: consts.into_iter().map(|x| Value::from_bits(x.to_bits())).collect(),
            scalar: true,
            inlined: Vec::new(),
        }
    }

    /// `b=1.0 c=-0.0`: the inputs of one run, by operand name.
    fn describe(&self, layout: &Layout, consts: &[f64], args: &[f64]) -> String {
        let (mut next_reg, mut next_const) = (0, 0);
        let mut out = Vec::new();
        for &(name, role) in &self.operands {
            match role {
                Role::Dst | Role::Jump => {}
                Role::Reg => {
                    let r = layout.inputs[next_reg];
                    next_reg += 1;
                    let arg = layout
                        .copies
                        .iter()
                        .find(|(to, _)| *to == r)
                        .map_or(r, |&(_, from)| from);
                    out.push(format!("{name}=r{r}={}", show(args[usize::from(arg)])));
                }
                Role::Const => {
                    out.push(format!("{name}=K{}={}", next_const + 1, show(consts[next_const])));
                    next_const += 1;
                }
            }
        }
        out.join(" ")
    }
}

struct Layout {
    name: String,
    /// The register of each register input, in operand order.
    inputs: Vec<u8>,
    dst: u8,
    nparams: usize,
    /// `(to, from)` register copies before the op: inputs moved up past
    /// the float registers, so they are read from stack slots.
    copies: Vec<(u8, u8)>,
}

/// The highest VM register every dynasm target keeps in a float register.
fn high_register() -> u8 {
    (0u8..=255)
        .take_while(|&r| {
            [Target::X86_64, Target::Aarch64]
                .iter()
                .all(|t| t.float_reg(usize::from(r)).is_some())
        })
        .last()
        .expect("register 0 exists on every target")
}

/// A number with its bits: `-0.0 (0x8000000000000000)`; a boolean or nil
/// by name and bits.
fn show(x: f64) -> String {
    let v = Value::from_bits(x.to_bits());
    if v.is_num() {
        format!("{x:?} ({:#018x})", x.to_bits())
    } else {
        format!("{v:?} ({:#018x})", x.to_bits())
    }
}

/// Two numbers as [`same_number`]; anything else bit for bit (a boolean's
/// bits are a NaN's, but no two of them are the same value).
fn same_value(got: f64, want: f64) -> bool {
    if Value::from_bits(want.to_bits()).is_num() {
        same_number(got, want)
    } else {
        got.to_bits() == want.to_bits()
    }
}

/// Every tuple of `n` inputs from `inputs`.
fn tuples(n: usize, inputs: &[f64]) -> Vec<Vec<f64>> {
    (0..n).fold(vec![Vec::new()], |acc, _| {
        acc.iter()
            .flat_map(|t| {
                inputs.iter().map(move |&x| {
                    let mut t = t.clone();
                    t.push(x);
                    t
                })
            })
            .collect()
    })
}

/// Runs a probe on every argument set of the same arity.
type Runner<'r> = &'r dyn Fn(&RegFunc, &[Vec<f64>]) -> Result<Vec<f64>, String>;

/// The register VM's results: the op's `sem`.
fn reference(func: &RegFunc, arg_sets: &[Vec<f64>]) -> Vec<Result<f64, String>> {
    let prog = RegProgram {
        funcs: vec![func.clone()],
        ..RegProgram::default()
    };
    let mut vm = RegVm::new(Limits::default());
    arg_sets
        .iter()
        .map(|args| {
            let vals: Vec<Value> = args.iter().map(|&x| Value::from_bits(x.to_bits())).collect();
            match vm.call(&prog, 0, &vals) {
                // A number, or a boolean's or nil's bits.
                Ok(v) if v.is_immediate() => Ok(f64::from_bits(v.bits())),
                Ok(v) => Err(format!("the register VM gives {v:?}, which no register holds")),
                Err(e) => Err(format!("the register VM fails: {}", e.message)),
            }
        })
        .collect()
}

#[derive(Default)]
struct Report {
    ops: Vec<&'static str>,
    skipped: Vec<String>,
    compared: usize,
    /// `(op and layout, what went wrong)`, in the order found.
    failures: Vec<(String, String)>,
}

/// Runs every op of `lowered` on `target` (a name for messages) by `run`,
/// against the register VM.
fn check(target: &str, lowered: &[RegOp], run: Runner<'_>) -> Report {
    let mut report = Report::default();
    for &op in lowered {
        let shape = match Shape::of(op) {
            Ok(s) => s,
            Err(why) => {
                report.skipped.push(format!("{}: {why}", op.name()));
                continue;
            }
        };
        report.ops.push(op.name());
        for layout in shape.layouts() {
            let inputs = if shape.any { any_inputs() } else { INPUTS.to_vec() };
            let arg_sets = tuples(layout.nparams, &inputs);
            for consts in tuples(shape.count(Role::Const), INPUTS) {
                let func = shape.probe(&layout, &consts);
                let want = reference(&func, &arg_sets);
                let got = match run(&func, &arg_sets) {
                    Ok(got) => got,
                    Err(e) => {
                        report.failures.push((
                            format!("{} on {target} ({})", op.name(), layout.name),
                            format!("constants {consts:?}: not run: {e}"),
                        ));
                        continue;
                    }
                };
                assert_eq!(got.len(), arg_sets.len(), "one result per argument set");
                for ((args, want), got) in arg_sets.iter().zip(&want).zip(got) {
                    report.compared += 1;
                    let wrong = match want {
                        Ok(want) if same_value(got, *want) => continue,
                        Ok(want) => format!("the sem (register VM) gives {}", show(*want)),
                        Err(e) => e.clone(),
                    };
                    report.failures.push((
                        format!("{} on {target} ({})", op.name(), layout.name),
                        format!(
                            "{}: the lowering gives {}, {wrong}",
                            shape.describe(&layout, &consts, args),
                            show(got)
                        ),
                    ));
                }
            }
        }
    }
    report
}

/// Prints what was covered and skipped, and fails with the mismatches.
fn assert_clean(target: &str, report: &Report) {
    eprintln!(
        "{target}: {} results of {} ops compared with their sem: {}",
        report.compared,
        report.ops.len(),
        report.ops.join(" ")
    );
    for s in &report.skipped {
        eprintln!("{target}: skipped {s}");
    }
    assert!(
        !report.ops.is_empty() && report.compared > 0,
        "{target}: no lowering was tested"
    );
    if !report.failures.is_empty() {
        panic!("{}", summary(target, report));
    }
}

/// The failures grouped by op and layout, a few examples of each, so that
/// every wrong lowering is named even when one of them fails everywhere.
fn summary(target: &str, report: &Report) -> String {
    const EXAMPLES: usize = 4;
    let mut msg = format!(
        "{} of {} results on {target} differ from the sem:\n",
        report.failures.len(),
        report.compared
    );
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (group, failure) in &report.failures {
        match groups.iter_mut().find(|(g, _)| g == group) {
            Some((_, list)) => list.push(failure),
            None => groups.push((group, vec![failure])),
        }
    }
    for (group, list) in groups {
        let _ = writeln!(msg, "{group}: {} wrong, e.g.", list.len());
        for failure in list.iter().take(EXAMPLES) {
            let _ = writeln!(msg, "    {failure}");
        }
    }
    msg
}

fn call_all(jit: &JitFunc, arg_sets: &[Vec<f64>]) -> Result<Vec<f64>, String> {
    arg_sets
        .iter()
        .map(|args| jit.call(args).ok_or_else(|| "wrong arity".to_string()))
        .collect()
}

#[test]
fn native_dynasm_lowerings_match_their_sem() {
    let target = jit::native::host_target().unwrap_or_else(|e| panic!("no native JIT here: {e}"));
    let name = format!("{} (dynasm, native)", target.name());
    let run = |f: &RegFunc, arg_sets: &[Vec<f64>]| {
        let jit = JitFunc::compile(std::slice::from_ref(f), 0).map_err(|e| e.to_string())?;
        call_all(&jit, arg_sets)
    };
    assert_clean(&name, &check(&name, jit::lowered_ops(target), &run));
}

#[test]
fn cranelift_lowerings_match_their_sem() {
    let name = "Cranelift (native)";
    let run = |f: &RegFunc, arg_sets: &[Vec<f64>]| {
        let jit = jit::cranelift::compile(std::slice::from_ref(f), 0).map_err(|e| e.to_string())?;
        call_all(&jit, arg_sets)
    };
    assert_clean(name, &check(name, jit::cranelift::lowered_ops(), &run));
}

#[test]
fn llvm_lowerings_match_their_sem() {
    let name = "LLVM (native)";
    if !jit::llvm::BUILT {
        // Built without LLVM: it lowers nothing, and says so.
        assert!(jit::llvm::lowered_ops().is_empty());
        return;
    }
    let run = |f: &RegFunc, arg_sets: &[Vec<f64>]| {
        let jit = jit::llvm::compile(std::slice::from_ref(f), 0).map_err(|e| e.to_string())?;
        call_all(&jit, arg_sets)
    };
    let report = check(name, jit::llvm::lowered_ops(), &run);
    // LLVM lowers every op with an `ssa` entry, as Cranelift does.
    assert_eq!(jit::llvm::lowered_ops(), jit::cranelift::lowered_ops());
    assert_clean(name, &report);
}

#[test]
fn aarch64_dynasm_lowerings_match_their_sem_under_emulation() {
    assert!(
        jit::emulate::available(),
        "qemu-aarch64 and aarch64-linux-gnu-gcc are needed: run .ci/run (it installs .ci/apt-packages.txt)"
    );
    let name = "aarch64 (dynasm, qemu)";
    let run = |f: &RegFunc, arg_sets: &[Vec<f64>]| {
        let code = jit::compile_code(std::slice::from_ref(f), 0, Target::Aarch64).map_err(|e| e.to_string())?;
        jit::emulate::run_aarch64_batch(&code, arg_sets).map_err(|e| e.to_string())
    };
    assert_clean(name, &check(name, jit::lowered_ops(Target::Aarch64), &run));
}

/// The check itself can fail: a "lowering" that gets the sign of zero
/// wrong, gives the wrong boolean or branches the wrong way, is reported
/// with its op and inputs.
#[test]
fn a_wrong_result_is_reported() {
    let lowered = jit::cranelift::lowered_ops();
    let flip_zero = |f: &RegFunc, arg_sets: &[Vec<f64>]| {
        Ok(reference(f, arg_sets)
            .into_iter()
            .map(|r| match r {
                Ok(x) if x == 0.0 => -x,
                // A branch probe's outcome (no other op here gives these).
                Ok(WENT_ON) if is_branch(f) => JUMPED,
                Ok(JUMPED) if is_branch(f) => WENT_ON,
                // ...or the wrong boolean.
                Ok(x) if x.to_bits() == Value::TRUE.bits() => f64::from_bits(Value::FALSE.bits()),
                Ok(x) if x.to_bits() == Value::FALSE.bits() => f64::from_bits(Value::TRUE.bits()),
                Ok(x) => x,
                Err(_) => f64::NAN,
            })
            .collect())
    };
    fn is_branch(f: &RegFunc) -> bool {
        f.code
            .iter()
            .filter_map(|w| ilo_runtime::isa::decode_reg(*w))
            .any(|i| i.op.info().operands.iter().any(|(_, kind)| *kind == "jump"))
    }
    let report = check("test", lowered, &flip_zero);
    assert!(report.compared > 0);
    assert!(
        report
            .failures
            .iter()
            .any(|(_, f)| f.contains("the lowering gives -0.0 (0x8000000000000000)")),
        "{:?}",
        report.failures.first()
    );
    let text = summary("test", &report);
    for op in &report.ops {
        assert!(text.contains(&format!("{op} on test (distinct registers): ")), "{text}");
    }
    let not_run = |_: &RegFunc, _: &[Vec<f64>]| Err("refused".to_string());
    let report = check("test", lowered, &not_run);
    assert!(report.failures.iter().all(|(_, f)| f.contains("not run: refused")));
    assert!(!report.failures.is_empty());
}
