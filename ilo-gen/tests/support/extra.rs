//! The real tables plus one extra opcode, shared by the generator's test
//! and the workspace test that builds the runtime from it.

use std::path::{Path, PathBuf};

/// The real tables plus `MAX_NN` (register VM, both JITs) and `MAX` (stack VM).
pub fn tables_with_max(isa: &Path, tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ilo-gen-extra-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let read = |f: &str| std::fs::read_to_string(isa.join(f)).expect("read table");
    let reg = read("register.toml")
        + r#"
[[op]]
name = "MAX_NN"
doc = "A = the larger of B and C, both known numbers"
form = "ABC"
operands = { a = "dst_n", b = "reg_n", c = "reg_n" }
sem = "b.max(c)"
flags = ["pure", "commutative"]
jit.x86_64 = "vmaxsd {a}, {b}, {c}"
jit.aarch64 = "fmaxnm {a}, {b}, {c}"
"#;
    let stack = read("stack.toml")
        + r#"
[[op]]
name = "MAX"
doc = "the larger of two numbers"
effect = "( a b -- r )"
sem = "Value::num(a.as_f64().max(b.as_f64()))"
flags = ["pure"]
"#;
    std::fs::write(dir.join("register.toml"), reg).expect("write");
    std::fs::write(dir.join("stack.toml"), stack).expect("write");
    std::fs::write(dir.join("jit.toml"), read("jit.toml")).expect("write");
    dir
}
