//! The checked-in ISA reference is the one the tables generate.

#[test]
fn docs_isa_md_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/isa.md");
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == ilo_runtime::isa::ISA_MD,
        "docs/isa.md is stale: regenerate it with `cargo run -p ilo-gen -- print isa.md > docs/isa.md`"
    );
}
