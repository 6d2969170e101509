use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::front::format::dense;
use crate::front::parser::parse;

/// Every construct of the language at least once, for what the examples
/// leave out.
const EVERY_CONSTRUCT: &str = r#"type pt{x:n;y:n}
use "lib.ilo" [helper]
f a:n xs:L n m:M t n r:R n t o:O n g:F n n b>_;x=+a 1;{x;y}=pt x:1 y:2;>a 0 ^"neg";!<a 0 0;=a 1{1}{2};!=a 2{3};?r{~v:v;^e:0;n v:v;t v:0;b v:0;l v:0;1:1;"s":2;true:3;nil:4;_:5};?{_:0};@i xs{brk};@j 0..3{cnt};wh <a 1{a=-a 1};q=pt x:1 y:2;w=q with x:5;k=q.x;h=q.?y;z=xs.0;u=~1;e=^"e";c=o??0;l=[1 2];s=-a;nb=!true;tt=?b 1 2;cl=g! 1;nil
"#;

/// What a visitor saw: the variant names of each kind of node and how many
/// nodes of each kind.
#[derive(Default)]
struct Census {
    variants: BTreeSet<String>,
    counts: BTreeMap<&'static str, usize>,
}

fn variant(node: &impl std::fmt::Debug) -> String {
    let d = format!("{node:?}");
    d.split([' ', '(', '{']).next().unwrap_or_default().to_string()
}

impl Census {
    fn saw(&mut self, kind: &'static str, what: String) {
        *self.counts.entry(kind).or_default() += 1;
        self.variants.insert(format!("{kind}::{what}"));
    }
}

impl<'a> Visitor<'a> for Census {
    fn visit_decl(&mut self, d: &'a Decl) {
        self.saw("Decl", variant(d));
        walk::decl(self, d)
    }
    fn visit_stmt(&mut self, s: &'a Stmt) {
        self.saw("Stmt", variant(&s.kind));
        walk::stmt(self, s)
    }
    fn visit_arm(&mut self, a: &'a Arm) {
        self.saw("Arm", String::new());
        walk::arm(self, a)
    }
    fn visit_pattern(&mut self, p: &'a Pattern) {
        self.saw("Pattern", variant(p));
        walk::pattern(self, p)
    }
    fn visit_expr(&mut self, e: &'a Expr) {
        self.saw("Expr", variant(&e.kind));
        walk::expr(self, e)
    }
    fn visit_type(&mut self, t: &'a Type) {
        self.saw("Type", variant(t));
        walk::ty(self, t)
    }
    fn visit_binding(&mut self, name: &'a Ident, how: Binder) {
        self.saw("Binding", format!("{how:?}"));
        self.visit_ident(name)
    }
    fn visit_ident(&mut self, i: &'a Ident) {
        self.saw("Ident", String::new());
        self.visit_span(&i.span)
    }
    fn visit_span(&mut self, _: &'a Span) {
        self.saw("Span", String::new());
    }
}

fn programs() -> Vec<(String, Program)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ilo"))
        .collect();
    paths.sort();
    let mut out: Vec<(String, Program)> = paths
        .into_iter()
        .filter_map(|p| {
            let src = std::fs::read_to_string(&p).ok()?;
            Some((p.display().to_string(), parse(&src).ok()?))
        })
        .collect();
    assert!(out.len() >= 10, "only {} examples parsed", out.len());
    let every = parse(EVERY_CONSTRUCT).unwrap_or_else(|e| panic!("{e:?}"));
    out.push(("EVERY_CONSTRUCT".into(), every));
    out
}

/// The visitor meets each node once: as many as the derived `Debug` output
/// (which knows nothing of the visitor) prints.
#[test]
fn every_node_is_visited_once() {
    for (name, p) in programs() {
        let mut c = Census::default();
        c.visit_program(&p);
        let debug = format!("{p:?}");
        for (kind, marker) in [
            ("Span", "Span {"),
            ("Ident", "Ident {"),
            ("Stmt", "Stmt {"),
            ("Expr", "Expr {"),
            ("Arm", "Arm {"),
        ] {
            let want = debug.matches(marker).count();
            let got = c.counts.get(kind).copied().unwrap_or(0);
            assert_eq!(got, want, "{name}: {kind} visited {got} times, {want} in the tree");
        }
    }
}

/// Together the programs hold every variant, and the visitor meets each.
#[test]
fn every_variant_is_visited() {
    let mut seen = BTreeSet::new();
    for (_, p) in programs() {
        let mut c = Census::default();
        c.visit_program(&p);
        seen.extend(c.variants);
    }
    let want = [
        "Decl::Func Decl::Type Decl::Use",
        "Stmt::Bind Stmt::Destructure Stmt::Guard Stmt::If Stmt::Match Stmt::ForEach Stmt::ForRange",
        "Stmt::While Stmt::Break Stmt::Continue Stmt::Return Stmt::Expr",
        "Pattern::Lit Pattern::Ok Pattern::Err Pattern::Typed Pattern::Wild",
        "Expr::Lit Expr::List Expr::Name Expr::Unary Expr::Binary Expr::Call Expr::Ok Expr::Err",
        "Expr::Coalesce Expr::Field Expr::Index Expr::Record Expr::With Expr::Ternary",
        "Type::Num Type::Text Type::Bool Type::Any Type::List Type::Map Type::Result Type::Opt",
        "Type::Func Type::Named Type::Var",
        "Binding::Param Binding::Let Binding::Loop Binding::Pattern Arm:: Ident:: Span::",
    ];
    let want: BTreeSet<String> = want.iter().flat_map(|l| l.split(' ')).map(String::from).collect();
    let missing: Vec<_> = want.difference(&seen).collect();
    assert!(missing.is_empty(), "never visited: {missing:?}");
}

#[test]
fn bindings_come_in_source_order() {
    let p = parse("f a:n>n;x=a;@i [1]{y=i};?x{~v:v;_:0};{p;q}=r;x").unwrap();
    let f = p.func("f").unwrap();
    let mut got = Vec::new();
    for_each_binding(&f.body, |n, how| got.push(format!("{}:{how:?}", n.name)));
    assert_eq!(got, ["x:Let", "i:Loop", "y:Let", "v:Pattern", "p:Let", "q:Let"]);
}

#[test]
fn expressions_come_outermost_first() {
    let p = parse("f a:n>n;+a *a 2").unwrap();
    let mut got = Vec::new();
    for_each_expr(&p.func("f").unwrap().body, |e| got.push(variant(&e.kind)));
    assert_eq!(got, ["Binary", "Name", "Binary", "Name", "Lit"]);
}

#[test]
fn a_mutable_visitor_rewrites_in_place() {
    struct Rename;
    impl VisitorMut for Rename {
        fn visit_expr(&mut self, e: &mut Expr) {
            if let ExprKind::Name(n) = &mut e.kind {
                n.push('2');
            }
            walk_mut::expr(self, e)
        }
        fn visit_ident(&mut self, i: &mut Ident) {
            i.name.push('2');
        }
    }
    let mut p = parse("f a:n>n;x=+a 1;@i [a x]{g i};x").unwrap();
    Rename.visit_program(&mut p);
    assert_eq!(dense(&p), "f2 a2:n>n;x2=+a2 1;@i2 [a2 x2]{g2 i2};x2\n");

    let mut p = parse("f>n;[1 [2 3]]").unwrap();
    let Decl::Func(f) = &mut p.decls[0] else { unreachable!() };
    for_each_expr_mut(&mut f.body, |e| {
        if let ExprKind::Lit(Lit::Num(n)) = &mut e.kind {
            *n *= 10.0;
        }
    });
    assert_eq!(dense(&p), "f>n;[10 [20 30]]\n");
}
