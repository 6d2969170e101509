//! Diagnostic codes live in one table, `diagnostics/codes.toml`: the sources
//! name them only through the generated constants (`ilo_runtime::codes`),
//! and every code of the table is used and explained (tests/docs.rs checks
//! that docs/codes.md is current).

use std::path::{Path, PathBuf};

use ilo_runtime::codes;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `.rs` and `.py` files under `dir`, without test files and test
/// directories (`tests.rs`, `tests/`).
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        panic!("cannot read {}", dir.display())
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "tests" {
                sources(&path, out);
            }
        } else if (name.ends_with(".rs") || name.ends_with(".py")) && name != "tests.rs" {
            out.push(path);
        }
    }
}

fn all_sources() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for dir in ["ilo-runtime/src", "ilo-cli/src"] {
        sources(&root().join(dir), &mut files);
    }
    assert!(files.len() > 50, "scan found too few files: {files:?}");
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, text)
        })
        .collect()
}

/// A comment line: prose may mention codes.
fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("//") || t.starts_with('#')
}

#[test]
fn no_code_is_written_as_a_literal() {
    let mut found = Vec::new();
    for (path, text) in all_sources() {
        for (i, line) in text.lines().enumerate() {
            if !is_comment(line) && (line.contains("\"ILO-") || line.contains("'ILO-")) {
                found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "diagnostic codes written as literals; add them to diagnostics/codes.toml and use \
         the generated constants (ilo_runtime::codes::SECTION::NAME, `_R_NAME` in the prelude):\n{}",
        found.join("\n")
    );
}

#[test]
fn every_code_of_the_table_is_used() {
    let sources = all_sources();
    let is_word = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    let used = |name: &str| {
        sources.iter().any(|(path, text)| {
            !path.ends_with("codes.rs")
                && text.match_indices(name).any(|(i, _)| {
                    let bytes = text.as_bytes();
                    !is_word(i.checked_sub(1).and_then(|j| bytes.get(j))) && !is_word(bytes.get(i + name.len()))
                })
        })
    };
    let unused: Vec<&str> = codes::all()
        .iter()
        .filter(|c| {
            let python = format!("_R_{}", c.name);
            !used(c.name) && !used(&python)
        })
        .map(|c| c.code)
        .collect();
    assert!(unused.is_empty(), "codes of the table no source uses: {unused:?}");
}

#[test]
fn every_code_the_prelude_raises_is_in_the_table() {
    let prelude = std::fs::read_to_string(root().join("ilo-runtime/src/python/prelude.py")).unwrap_or_default();
    let mut rest = prelude.as_str();
    let mut seen = 0;
    while let Some(i) = rest.find("_R_") {
        let after = rest.get(i + 3..).unwrap_or("");
        let end = after
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(after.len());
        let name = after.get(..end).unwrap_or("");
        rest = after.get(end..).unwrap_or("");
        if name.is_empty() {
            continue; // prose: "the `_R_…` constants"
        }
        assert!(
            codes::runtime::ALL
                .iter()
                .any(|c| codes::lookup(c).is_some_and(|info| info.name == name)),
            "the prelude uses `_R_{name}`, which is no run-time code of diagnostics/codes.toml"
        );
        seen += 1;
    }
    assert!(seen > 10, "scan found too few codes in the prelude");
}

#[test]
fn ilo_explain_knows_every_code() {
    for info in codes::all() {
        for asked in [info.code.to_string(), info.code.to_ascii_lowercase()] {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let status = ilo_cli::run(
                vec!["ilo".into(), "--explain".into(), asked.clone()],
                &mut out,
                &mut err,
                false,
            );
            let out = String::from_utf8_lossy(&out);
            assert_eq!(status, 0, "{asked}: {}", String::from_utf8_lossy(&err));
            assert!(
                out.starts_with(&format!("{}: {}", info.code, info.title)),
                "{asked}: {out}"
            );
            assert!(
                out.contains(info.explanation) && out.contains(info.example),
                "{asked}: {out}"
            );
        }
    }
}
