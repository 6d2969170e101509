//! The generator accepts the real tables and rejects broken ones with an
//! error that names the file, the opcode and the field.

use std::path::{Path, PathBuf};

fn isa_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../isa")
}

/// A scratch copy of the real tables, with `edit` applied to one file.
fn tables_with(test: &str, file: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ilo-gen-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    for f in ["register.toml", "stack.toml", "jit.toml"] {
        let text = std::fs::read_to_string(isa_dir().join(f)).expect("read table");
        let text = if f == file { edit(text) } else { text };
        std::fs::write(dir.join(f), text).expect("write table");
    }
    dir
}

fn error_for(test: &str, file: &str, edit: impl Fn(String) -> String) -> ilo_gen::GenError {
    match ilo_gen::generate(&tables_with(test, file, edit)) {
        Ok(_) => panic!("{test}: the broken table was accepted"),
        Err(e) => e,
    }
}

#[test]
fn the_real_tables_generate_every_file() {
    let files = ilo_gen::generate(&isa_dir()).expect("tables are valid");
    let names: Vec<&str> = files.iter().map(|f| f.name).collect();
    for want in [
        "opcodes.rs",
        "codec.rs",
        "disasm.rs",
        "stack_vm.rs",
        "reg_vm.rs",
        "jit_x86_64.rs",
        "jit_aarch64.rs",
        "isa.md",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
}

#[test]
fn an_unknown_field_is_named_with_its_opcode() {
    let e = error_for("unknown-field", "register.toml", |t| {
        t.replacen("name = \"MOV\"\n", "name = \"MOV\"\nsematics = \"b\"\n", 1)
    });
    assert_eq!(e.file, "register.toml");
    assert_eq!(e.opcode.as_deref(), Some("MOV"));
    assert_eq!(e.field, "sematics");
    // The line of MOV's `name = "MOV"` in the real table.
    let real = std::fs::read_to_string(isa_dir().join("register.toml")).expect("read table");
    let line = real.lines().position(|l| l == "name = \"MOV\"").expect("MOV") + 1;
    assert!(
        e.to_string()
            .contains(&format!("register.toml:{line}: opcode `MOV`: sematics")),
        "{e}"
    );
}

#[test]
fn a_duplicate_name_is_rejected() {
    let e = error_for("duplicate", "stack.toml", |t| {
        t.replacen("name = \"SUB\"", "name = \"ADD\"", 1)
    });
    assert_eq!(
        (e.file.as_str(), e.opcode.as_deref(), e.field.as_str()),
        ("stack.toml", Some("ADD"), "name")
    );
    assert!(e.message.contains("duplicate"), "{e}");
}

#[test]
fn a_variant_whose_base_does_not_exist_is_rejected() {
    let e = error_for("variant", "register.toml", |t| {
        t.replacen("variant_of = \"ADD\"", "variant_of = \"PLUS\"", 1)
    });
    assert_eq!((e.opcode.as_deref(), e.field.as_str()), (Some("ADD_NN"), "variant_of"));
    assert!(e.message.contains("PLUS"), "{e}");
}

#[test]
fn a_template_naming_a_missing_operand_is_rejected() {
    let e = error_for("template", "register.toml", |t| {
        t.replacen("fneg {a}, {b}", "fneg {a}, {c}", 1)
    });
    assert_eq!((e.opcode.as_deref(), e.field.as_str()), (Some("NEG_N"), "jit.aarch64"));
    assert!(e.message.contains("`c`"), "{e}");
}

#[test]
fn a_fused_pair_must_exist() {
    let e = error_for("fuses", "register.toml", |t| {
        t.replacen("\"MULK_N = LOADK -> MUL_NN.c\"", "\"MULK_N = LOADK -> MUL_XX.c\"", 1)
    });
    assert_eq!((e.opcode.as_deref(), e.field.as_str()), (Some("MULK_N"), "fused"));
    assert!(e.message.contains("MUL_XX"), "{e}");
    // The line of the entry in the real table.
    let real = std::fs::read_to_string(isa_dir().join("register.toml")).expect("read table");
    let line = real.lines().position(|l| l.contains("\"MULK_N =")).expect("MULK_N") + 1;
    assert!(e.to_string().starts_with(&format!("register.toml:{line}: ")), "{e}");
}

#[test]
fn a_fusion_whose_operands_do_not_fit_is_rejected() {
    // NEG_N's x86-64 lowering uses the scratch register a K form loads into.
    let e = error_for("fuse-scratch", "register.toml", |t| {
        t.replacen("fused = [\n", "fused = [\n  \"NEGK_N = LOADK -> NEG_N.b\",\n", 1)
    });
    assert_eq!(e.opcode.as_deref(), Some("NEGK_N"));
    assert!(e.message.contains("scratch register xmm15"), "{e}");
    // A constant cannot replace a destination, and a jump needs a value.
    let e = error_for("fuse-dst", "register.toml", |t| {
        t.replacen("fused = [\n", "fused = [\n  \"BAD_N = LOADK -> ADD_NN.a\",\n", 1)
    });
    assert!(e.message.contains("do not fit"), "{e}");
    let e = error_for("fuse-jump", "register.toml", |t| {
        t.replacen("fused = [\n", "fused = [\n  \"BAD_J = RET -> JMPF.a\",\n", 1)
    });
    assert!(e.message.contains("do not fit"), "{e}");
    let e = error_for("fuse-shape", "register.toml", |t| {
        t.replacen("fused = [\n", "fused = [\n  \"BAD LOADK ADD_NN\",\n", 1)
    });
    assert!(e.message.contains("NAME = FIRST -> SECOND.slot"), "{e}");
}

#[test]
fn semantics_must_be_rust_and_failures_must_be_flagged() {
    let e = error_for("sem-syntax", "register.toml", |t| {
        t.replacen("sem = \"b * c\"", "sem = \"b * * \"", 1)
    });
    assert_eq!((e.opcode.as_deref(), e.field.as_str()), (Some("MUL_NN"), "sem"));
    let e = error_for("sem-flag", "stack.toml", |t| {
        t.replacen(
            "sem = \"ops::sub(heap, a, b)?\"\nflags = [\"may_fail\"]",
            "sem = \"ops::sub(heap, a, b)?\"\nflags = []",
            1,
        )
    });
    assert_eq!((e.opcode.as_deref(), e.field.as_str()), (Some("SUB"), "sem"));
    assert!(e.message.contains("may_fail"), "{e}");
}

#[test]
fn flags_must_match_what_the_sem_and_operands_do() {
    // `may_fail` on a sem that cannot fail.
    let e = error_for("flag-fail", "register.toml", |t| {
        t.replacen(
            "sem = \"b * c\"\nflags = [\"commutative\"]",
            "sem = \"b * c\"\nflags = [\"commutative\", \"may_fail\"]",
            1,
        )
    });
    assert_eq!((e.opcode.as_deref(), e.field.as_str()), (Some("MUL_NN"), "sem"));
    assert!(e.message.contains("cannot fail"), "{e}");
    // A return from the loop that is not flagged `ret`.
    let e = error_for("flag-ret", "register.toml", |t| {
        t.replacen("sem = \"b * c\"", "sem = \"return Ok(Value::num(b * c))\"", 1)
    });
    assert!(e.message.contains("\"ret\""), "{e}");
    // A jump without the `branch` flag.
    let e = error_for("flag-branch", "register.toml", |t| {
        t.replacen(
            "sem = \"cur.jump(sbx)\"\nflags = [\"branch\"]",
            "sem = \"cur.jump(sbx)\"",
            1,
        )
    });
    assert_eq!((e.opcode.as_deref(), e.field.as_str()), (Some("JMP"), "flags"));
}

#[test]
fn an_operand_the_form_lacks_is_rejected() {
    let e = error_for("form", "register.toml", |t| {
        t.replacen(
            "operands = { a = \"dst\", bx = \"const\" }",
            "operands = { a = \"dst\", c = \"const\" }",
            1,
        )
    });
    assert_eq!((e.opcode.as_deref(), e.field.as_str()), (Some("LOADK"), "operands.c"));
}

#[test]
fn a_bad_stack_effect_is_rejected() {
    let e = error_for("effect", "stack.toml", |t| {
        t.replacen("effect = \"( a b -- r )\"", "effect = \"( a b r )\"", 1)
    });
    assert_eq!((e.opcode.as_deref(), e.field.as_str()), (Some("ADD"), "effect"));
}

#[test]
fn a_toml_syntax_error_names_its_line_and_column() {
    let e = error_for("syntax", "stack.toml", |t| {
        t.replacen("name = \"ADD\"", "name = \"ADD\" ]]", 1)
    });
    let real = std::fs::read_to_string(isa_dir().join("stack.toml")).expect("read table");
    let line = real.lines().position(|l| l == "name = \"ADD\"").expect("ADD") + 1;
    assert_eq!(e.at, format!(":{line}:14"), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("stack.toml:{line}:14: TOML syntax:")),
        "{e}"
    );
}

#[test]
fn a_missing_sem_names_the_opcode_and_its_line() {
    let e = error_for("missing-sem", "register.toml", |t| {
        let start = t.find("name = \"SUB_NN\"").expect("SUB_NN");
        let sem = start + t[start..].find("\nsem = ").expect("sem") + 1;
        let end = sem + t[sem..].find('\n').expect("eol") + 1;
        format!("{}{}", &t[..sem], &t[end..])
    });
    assert_eq!(e.opcode.as_deref(), Some("SUB_NN"));
    let real = std::fs::read_to_string(isa_dir().join("register.toml")).expect("read table");
    let line = real.lines().position(|l| l == "name = \"SUB_NN\"").expect("SUB_NN") + 1;
    assert_eq!(e.at, format!(":{line}"), "{e}");
    assert!(e.to_string().contains("missing field `sem`"), "{e}");
}

#[test]
fn both_tables_implement_the_same_operators_once_each() {
    // A stack op losing its operator leaves `-` to no stack op.
    let e = error_for("stack-operator-missing", "stack.toml", |t| {
        t.replacen("operator = \"-\"\n", "", 1)
    });
    assert_eq!((e.file.as_str(), e.opcode.as_deref()), ("register.toml", Some("SUB")));
    assert!(e.to_string().contains("no op in stack.toml implements `-`"), "{e}");
    // Two register ops claiming `*`.
    let e = error_for("reg-operator-twice", "register.toml", |t| {
        t.replacen("operator = \"-\"\n", "operator = \"*\"\n", 1)
    });
    assert_eq!(e.field, "operator");
    assert!(e.to_string().contains("`*` is already implemented by"), "{e}");
}
