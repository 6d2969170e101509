//! Adding an instruction is a table edit: a typed op and a superinstruction
//! added from TOML fragments appear in every generated layer with no hand
//! edit anywhere. (The workspace test `tests/extra_opcode_builds.rs` builds
//! ilo from such tables and runs a program using both on every engine.)

#[path = "support/extra.rs"]
mod extra;
use extra::tables_with_extras;

#[test]
fn a_typed_op_and_a_superinstruction_reach_every_generated_layer() {
    let files = ilo_gen::generate(&tables_with_extras(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../isa"),
        "layers",
    ))
    .expect("extended tables are valid");
    let text = |name: &str| {
        files
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.text.clone())
            .expect(name)
    };
    for op in ["XTRA_FLOOR_N", "XTRA_RSUBK_N"] {
        // Enum, numbering, encoder, decoder, disassembler, dispatch loop, docs.
        assert!(
            text("opcodes.rs").contains(&format!("pub const {op}: u8")),
            "{op}: opcode number"
        );
        assert!(
            text("codec.rs").contains(&format!("RegOp::{op} => RegForm::Abc")),
            "{op}: form"
        );
        assert!(
            text("disasm.rs").contains(&format!("RegOp::{op} =>")),
            "{op}: disassembly"
        );
        assert!(text("reg_vm.rs").contains(&format!("rop::{op} =>")), "{op}: VM arm");
        assert!(text("isa.md").contains(&format!("`{op}`")), "{op}: docs");
        // Selectable by the compilers.
        assert!(
            text("select.rs").contains(&format!("op: RegOp::{op},")),
            "{op}: selection"
        );
    }
    assert!(
        text("select.rs").contains("Operation::Named(\"flr\")"),
        "typed op selected for `flr`"
    );
    // The typed op's lowerings come from its templates.
    assert!(text("jit_x86_64.rs").contains("vroundsd Rx(o_a), Rx(o_b), Rx(o_b), 9"));
    assert!(text("jit_aarch64.rs").contains("frintm D(o_a), D(o_b)"));
    assert!(text("jit_cranelift.rs").contains("cx.b.ins().floor(o_b)"));
    assert!(text("jit_llvm.rs").contains("cx.intrinsic(\"llvm.floor\", &[o_b])"));
    // The superinstruction's are composed from SUB_NN's: the constant read
    // from the function's constant pool into the scratch register, which
    // takes B's place.
    let reg_vm = text("reg_vm.rs");
    let arm = &reg_vm[reg_vm.find("rop::XTRA_RSUBK_N =>").expect("arm")..];
    assert!(arm.contains("let b: f64 = cur.consts["), "B is a constant: {arm:.300}");
    // (Compared without white space: the formatter may break the line.)
    let squashed = |name: &str| text(name).split_whitespace().collect::<String>();
    assert!(squashed("jit_x86_64.rs").contains("vmovsdxmm15,QWORD[=>o_b_at];vsubsdRx(o_a),xmm15,Rx(o_c)"));
    assert!(squashed("jit_aarch64.rs").contains("ldrd31,=>o_b_at;fsubD(o_a),d31,D(o_c)"));
    // The stack table takes an addition the same way.
    assert!(text("stack_vm.rs").contains("sop::XTRA_MAX =>"));
}
