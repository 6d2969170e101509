//! The real tables plus instructions added from TOML fragments alone, under
//! names no real table uses, shared by the generator's test and the
//! workspace test that builds and runs ilo from them.

use std::path::{Path, PathBuf};

/// A typed op for the builtin `flr` with all three lowerings: the compiler
/// selects it for `flr x` on a number with no compiler edit.
pub const TYPED_OP: &str = r#"
[[op]]
name = "XTRA_FLOOR_N"
doc = "A = flr B, a known number (added by the extra-opcode test)"
operation = "flr"
form = "ABC"
operands = { a = "dst_n", b = "reg_n" }
sem = "b.floor()"
jit.x86_64 = "vroundsd {a}, {b}, {b}, 9"
jit.aarch64 = "frintm {a}, {b}"
ssa = "floor b"
"#;

/// A superinstruction composed from two real ops: a constant on the left of
/// `-` (`-1 x`), which the real table leaves to `LOADK` + `SUB_NN`.
pub const FUSED_OP: &str = "XTRA_RSUBK_N = LOADK -> SUB_NN.b";

/// A stack-VM op, to show the stack table takes additions the same way.
pub const STACK_OP: &str = r#"
[[op]]
name = "XTRA_MAX"
doc = "the larger of two numbers (added by the extra-opcode test)"
effect = "( a b -- r )"
sem = "Value::num(a.as_f64().max(b.as_f64()))"
"#;

/// The real tables in a scratch directory, plus [`TYPED_OP`], [`FUSED_OP`]
/// and [`STACK_OP`].
pub fn tables_with_extras(isa: &Path, tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ilo-gen-extra-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let read = |f: &str| std::fs::read_to_string(isa.join(f)).expect("read table");
    let reg = read("register.toml");
    assert!(reg.contains("\nfused = [\n"), "register.toml has a fused list");
    let reg = reg.replacen("\nfused = [\n", &format!("\nfused = [\n  \"{FUSED_OP}\",\n"), 1) + TYPED_OP;
    std::fs::write(dir.join("register.toml"), reg).expect("write");
    std::fs::write(dir.join("stack.toml"), read("stack.toml") + STACK_OP).expect("write");
    std::fs::write(dir.join("jit.toml"), read("jit.toml")).expect("write");
    dir
}
