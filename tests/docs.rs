//! The checked-in references are the ones the tables generate: docs/isa.md
//! from isa/*.toml, docs/codes.md from diagnostics/codes.toml.

#[test]
fn docs_isa_md_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/isa.md");
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == ilo_runtime::isa::ISA_MD,
        "docs/isa.md is stale: regenerate it with `cargo run -p ilo-gen -- print isa.md > docs/isa.md`"
    );
}

#[test]
fn docs_codes_md_is_current() {
    let files =
        ilo_gen::codes::generate(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("diagnostics/codes.toml"))
            .unwrap_or_else(|e| panic!("{e}"));
    let generated = files.iter().find(|f| f.name == "codes.md").map(|f| f.text.as_str());
    let on_disk = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/codes.md"))
        .unwrap_or_default();
    assert!(
        Some(on_disk.as_str()) == generated,
        "docs/codes.md is stale: regenerate it with `cargo run -q -p ilo-gen -- print codes.md > docs/codes.md`"
    );
}
