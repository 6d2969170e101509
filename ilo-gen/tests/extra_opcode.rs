//! Adding an instruction is a table edit: one extra opcode appears in every
//! generated layer with no hand edit anywhere. (The workspace test
//! `tests/extra_opcode_builds.rs` also compiles the runtime from such a table.)

#[path = "support/extra.rs"]
mod extra;
use extra::tables_with_max;

#[test]
fn one_extra_opcode_reaches_every_generated_layer() {
    let files = ilo_gen::generate(&tables_with_max(
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
    // Enum, numbering and metadata.
    assert!(text("opcodes.rs").contains("MAX_NN ="), "opcode enum");
    assert!(text("opcodes.rs").contains("pub const MAX_NN: u8"), "opcode number");
    assert!(text("opcodes.rs").contains("pub const MAX: u8"), "stack opcode number");
    // Encoder and decoder.
    assert!(
        text("codec.rs").contains("pub fn MAX_NN(a: u8, b: u8, c: u8) -> u32"),
        "register encoder"
    );
    assert!(text("codec.rs").contains("pub fn MAX() -> u32"), "stack encoder");
    assert!(text("codec.rs").contains("RegOp::MAX_NN => RegForm::Abc"), "form table");
    // Disassembler.
    assert!(text("disasm.rs").contains("RegOp::MAX_NN =>"), "register disassembly");
    assert!(text("disasm.rs").contains("StackOp::MAX =>"), "stack disassembly");
    // Both dispatch loops carry the table's semantics.
    let reg_vm = text("reg_vm.rs");
    assert!(
        reg_vm.contains("rop::MAX_NN =>") && reg_vm.contains("b.max(c)"),
        "register VM arm"
    );
    let stack_vm = text("stack_vm.rs");
    assert!(
        stack_vm.contains("sop::MAX =>") && stack_vm.contains("a.as_f64().max(b.as_f64())"),
        "stack VM arm"
    );
    // Both JIT lowerings, from the templates.
    assert!(
        text("jit_x86_64.rs").contains("vmaxsd Rx(o_a), Rx(o_b), Rx(o_c)"),
        "x86-64 lowering"
    );
    assert!(
        text("jit_aarch64.rs").contains("fmaxnm D(o_a), D(o_b), D(o_c)"),
        "aarch64 lowering"
    );
    // And the reference page.
    assert!(text("isa.md").contains("`MAX_NN`"), "docs");
}
