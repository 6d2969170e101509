//! `use` declarations: imported files are read (relative to the importing
//! file), parsed, resolved in turn and verified on their own, then their
//! declarations join the importing program.
//!
//! - `use "lib.ilo"` brings every declaration of `lib.ilo`.
//! - `use "lib.ilo" [a b]` brings `a` and `b`, plus whatever of `lib.ilo`
//!   they use themselves (so they still run), and nothing else.
//! - A file imported twice is merged once; an import cycle is an error.
//!
//! Every problem is reported at the `use` declaration that caused it, with
//! the imported file's own error in the message: spans always point into the
//! file the user is looking at.

use std::path::{Path, PathBuf};

use super::ast::{Decl, Expr, ExprKind, Program, Span, Type, UseDecl};
use super::visit::{walk, Visitor};
use super::{parser, verify};
use crate::diag::{Diagnostic, Severity};

// The import codes (`ILO-P03x`), generated from diagnostics/codes.toml.
use crate::codes::parser::{
    IMPORT_BROKEN as BROKEN, IMPORT_CLASH as CLASH, IMPORT_CYCLE as CYCLE, IMPORT_UNKNOWN_NAME as UNKNOWN_NAME,
    IMPORT_UNREADABLE as UNREADABLE,
};

/// Parses `src` (the text of `path`, or inline source when `path` is
/// `None`: imports are then relative to the working directory), resolves its
/// imports and verifies the whole.
pub fn check(path: Option<&Path>, src: &str) -> Result<Program, Vec<Diagnostic>> {
    check_with_hints(path, src).0
}

/// Like [`check`], and also returns the hints and warnings about `src` (not
/// errors: the program still runs): non-canonical forms such as `==` for `=`
/// or `length` for `len`, and the verifier's advice.
pub fn check_with_hints(path: Option<&Path>, src: &str) -> (Result<Program, Vec<Diagnostic>>, Vec<Diagnostic>) {
    let (parsed, mut hints) = parser::parse_with_hints(src);
    let mut program = match parsed {
        Ok(p) => p,
        Err(errors) => return (Err(errors), hints),
    };
    let mut loader = Loader::default();
    if let Some(p) = path.and_then(|p| p.canonicalize().ok()) {
        loader.stack.push(p);
    }
    let dir = path.and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
    if let Err(errors) = loader.resolve(&mut program, &dir) {
        return (Err(errors), hints);
    }
    let (errors, advice): (Vec<Diagnostic>, Vec<Diagnostic>) = verify::verify(&program)
        .into_iter()
        .partition(|d| d.severity == Severity::Error);
    hints.extend(advice);
    hints.sort_by_key(|d| d.span.start);
    if errors.is_empty() {
        (Ok(program), hints)
    } else {
        (Err(errors), hints)
    }
}

#[derive(Default)]
struct Loader {
    /// Files being resolved, outermost first: a file already here is a cycle.
    stack: Vec<PathBuf>,
}

impl Loader {
    /// Replaces the `use` declarations of `program` by what they import.
    fn resolve(&mut self, program: &mut Program, dir: &Path) -> Result<(), Vec<Diagnostic>> {
        let (uses, decls): (Vec<Decl>, Vec<Decl>) = std::mem::take(&mut program.decls)
            .into_iter()
            .partition(|d| matches!(d, Decl::Use(_)));
        program.decls = decls;
        let mut errors = Vec::new();
        for d in uses {
            let Decl::Use(u) = d else { continue };
            match self.import(&u, dir) {
                Ok(imported) => {
                    if let Err(e) = merge(program, imported, &u) {
                        errors.push(e);
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The declarations `u` brings in.
    fn import(&mut self, u: &UseDecl, dir: &Path) -> Result<Vec<Decl>, Diagnostic> {
        let file = dir.join(&u.path);
        let canon = file.canonicalize().map_err(|e| {
            Diagnostic::error(UNREADABLE, format!("cannot read `{}`: {e}", u.path), u.span).with_note(format!(
                "imports are relative to the importing file: {}",
                file.display()
            ))
        })?;
        if let Some(start) = self.stack.iter().position(|p| *p == canon) {
            let chain: Vec<String> = self.stack[start..]
                .iter()
                .chain([&canon])
                .map(|p| file_name(p))
                .collect();
            return Err(
                Diagnostic::error(CYCLE, format!("import cycle: {}", chain.join(" -> ")), u.span)
                    .with_suggestion("move what both files need into a third file that both import"),
            );
        }
        let src = std::fs::read_to_string(&canon)
            .map_err(|e| Diagnostic::error(UNREADABLE, format!("cannot read `{}`: {e}", u.path), u.span))?;
        let mut imported = parser::parse(&src).map_err(|d| broken(u, &src, &d, "does not parse"))?;
        self.stack.push(canon.clone());
        let resolved = self.resolve(&mut imported, canon.parent().unwrap_or(Path::new("")));
        self.stack.pop();
        resolved.map_err(|d| broken(u, &src, &d, "has import errors"))?;
        let errors: Vec<Diagnostic> = verify::verify(&imported)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if !errors.is_empty() {
            return Err(broken(u, &src, &errors, "does not verify"));
        }
        select(u, imported)
    }
}

/// Adds `imported` to `program`. A declaration already there (the same file
/// reached along two paths) is merged once; a different one of the same
/// name is a clash.
fn merge(program: &mut Program, imported: Vec<Decl>, u: &UseDecl) -> Result<(), Diagnostic> {
    for d in imported {
        match program.decls.iter().find(|own| decl_name(own) == decl_name(&d)) {
            Some(own) if *own == d => {}
            Some(_) => {
                return Err(Diagnostic::error(
                    CLASH,
                    format!(
                        "`{}` is declared here and also imported from `{}`",
                        decl_name(&d),
                        u.path
                    ),
                    u.span,
                )
                .with_suggestion(format!(
                    "rename one of them, or import selectively: use \"{}\" [...]",
                    u.path
                )))
            }
            None => program.decls.push(d),
        }
    }
    Ok(())
}

/// The declarations of `imported` that `u` asks for, with what they use.
fn select(u: &UseDecl, imported: Program) -> Result<Vec<Decl>, Diagnostic> {
    let Some(names) = &u.names else {
        return Ok(imported.decls);
    };
    let declared: Vec<&str> = imported.decls.iter().map(decl_name).collect();
    let mut wanted: Vec<String> = Vec::new();
    for n in names {
        if !declared.contains(&n.name.as_str()) {
            let mut d = Diagnostic::error(
                UNKNOWN_NAME,
                format!("`{}` does not declare `{}`", u.path, n.name),
                n.span,
            )
            .with_note(format!("it declares: {}", declared.join(" ")));
            if let Some(near) = verify::nearest(&n.name, declared.iter().copied()) {
                d = d.with_suggestion(near);
            }
            return Err(d);
        }
        wanted.push(n.name.clone());
    }
    // Close over what the wanted declarations use, so they still run.
    let mut i = 0;
    while i < wanted.len() {
        if let Some(d) = imported.decls.iter().find(|d| decl_name(d) == wanted[i]) {
            for used in names_used(d) {
                if declared.contains(&used.as_str()) && !wanted.contains(&used) {
                    wanted.push(used);
                }
            }
        }
        i += 1;
    }
    Ok(imported
        .decls
        .into_iter()
        .filter(|d| wanted.iter().any(|w| w == decl_name(d)))
        .collect())
}

fn decl_name(d: &Decl) -> &str {
    match d {
        Decl::Func(f) => &f.name.name,
        Decl::Type(t) => &t.name.name,
        Decl::Use(u) => &u.path,
    }
}

/// Names a declaration mentions: called functions, names used as values
/// (functions passed by name), record types constructed or named in types.
fn names_used(d: &Decl) -> Vec<String> {
    struct Used(Vec<String>);
    impl<'a> Visitor<'a> for Used {
        fn visit_expr(&mut self, e: &'a Expr) {
            match &e.kind {
                ExprKind::Call { func, .. } => self.0.push(func.name.clone()),
                ExprKind::Name(n) => self.0.push(n.clone()),
                ExprKind::Record { ty, .. } => self.0.push(ty.name.clone()),
                _ => {}
            }
            walk::expr(self, e)
        }
        fn visit_type(&mut self, t: &'a Type) {
            if let Type::Named(n) = t {
                self.0.push(n.clone());
            }
            walk::ty(self, t)
        }
    }
    let mut used = Used(Vec::new());
    used.visit_decl(d);
    used.0
}

/// The imported file's own errors, reported at the `use` declaration.
fn broken(u: &UseDecl, src: &str, errors: &[Diagnostic], what: &str) -> Diagnostic {
    let mut d = Diagnostic::error(BROKEN, format!("`{}` {what}", u.path), u.span);
    for e in errors {
        let (line, col) = line_col(src, e.span);
        d = d.with_note(format!("{}:{line}:{col}: {}: {}", u.path, e.code, e.message));
    }
    d
}

fn line_col(src: &str, span: Span) -> (usize, usize) {
    let upto = src.get(..span.start as usize).unwrap_or(src);
    let line = upto.matches('\n').count() + 1;
    let col = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `files` into a fresh directory and checks the first one.
    fn check_files(tag: &str, files: &[(&str, &str)]) -> Result<Program, Vec<Diagnostic>> {
        let dir = std::env::temp_dir().join(format!("ilo-imports-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("lib")).expect("dir");
        for (name, src) in files {
            std::fs::write(dir.join(name), src).expect("write");
        }
        let main = dir.join(files[0].0);
        check(Some(&main), files[0].1)
    }

    fn codes(r: Result<Program, Vec<Diagnostic>>) -> Vec<&'static str> {
        r.err().unwrap_or_default().iter().map(|d| d.code).collect()
    }

    fn names(p: &Program) -> Vec<&str> {
        let mut v: Vec<&str> = p.decls.iter().map(decl_name).collect();
        v.sort();
        v
    }

    #[test]
    fn importing_everything_merges_every_declaration() {
        let p = check_files(
            "all",
            &[
                ("main.ilo", "use \"lib/m.ilo\"\nf x:n>n;dbl (sq x)"),
                ("lib/m.ilo", "sq x:n>n;*x x\ndbl x:n>n;*x 2"),
            ],
        )
        .expect("checks");
        assert_eq!(names(&p), ["dbl", "f", "sq"]);
    }

    #[test]
    fn a_selective_import_brings_what_the_names_use_and_nothing_else() {
        let p = check_files(
            "some",
            &[
                ("main.ilo", "use \"m.ilo\" [quad]\nf x:n>n;quad x"),
                ("m.ilo", "sq x:n>n;*x x\nquad x:n>n;sq (sq x)\nother>n;1"),
            ],
        )
        .expect("checks");
        assert_eq!(names(&p), ["f", "quad", "sq"]);
    }

    #[test]
    fn a_name_the_file_lacks_is_an_error_with_the_nearest_one() {
        let r = check_files(
            "unknown",
            &[("main.ilo", "use \"m.ilo\" [sqr]\nf>n;1"), ("m.ilo", "sq x:n>n;*x x")],
        );
        let d = r.err().unwrap_or_default();
        assert_eq!(d[0].code, UNKNOWN_NAME);
        assert_eq!(d[0].suggestion.as_deref(), Some("sq"));
    }

    #[test]
    fn cycles_missing_files_broken_files_and_clashes_are_errors() {
        let cycle = check_files(
            "cycle",
            &[("a.ilo", "use \"b.ilo\"\nf>n;1"), ("b.ilo", "use \"a.ilo\"\ng>n;2")],
        );
        let d = cycle.err().unwrap_or_default();
        assert_eq!(d[0].code, BROKEN, "{d:?}");
        assert!(
            d[0].notes
                .iter()
                .any(|n| n.contains(CYCLE) && n.contains("a.ilo -> b.ilo -> a.ilo")),
            "{d:?}"
        );
        assert_eq!(
            codes(check_files("self", &[("a.ilo", "use \"a.ilo\"\nf>n;1")])),
            [CYCLE]
        );
        assert_eq!(
            codes(check_files("missing", &[("a.ilo", "use \"nope.ilo\"\nf>n;1")])),
            [UNREADABLE]
        );
        assert_eq!(
            codes(check_files(
                "broken",
                &[("a.ilo", "use \"b.ilo\"\nf>n;1"), ("b.ilo", "g>n;+")]
            )),
            [BROKEN]
        );
        assert_eq!(
            codes(check_files(
                "clash",
                &[("a.ilo", "use \"b.ilo\"\nf>n;1"), ("b.ilo", "f>n;2")]
            )),
            [CLASH]
        );
    }

    #[test]
    fn a_file_imported_twice_is_merged_once() {
        let p = check_files(
            "twice",
            &[
                ("main.ilo", "use \"b.ilo\"\nuse \"c.ilo\"\nf>n;+(g) (h)"),
                ("b.ilo", "use \"lib/d.ilo\"\ng>n;one"),
                ("c.ilo", "use \"lib/d.ilo\"\nh>n;one"),
                ("lib/d.ilo", "one>n;1"),
            ],
        );
        // b.ilo and c.ilo sit beside main.ilo; each imports lib/d.ilo.
        let p = p.expect("checks");
        assert_eq!(names(&p), ["f", "g", "h", "one"]);
    }
}
