//! No input makes the front end or the tree interpreter panic.
//!
//! Three kinds of input: random bytes (as UTF-8, lossily), random sequences
//! of ilo tokens with random layout, and programs of the example corpus and
//! the spec with a few tokens deleted, inserted, replaced or duplicated
//! (almost valid, so they reach deep into the parser, the verifier and the
//! interpreter). Each must go through `front::check` without a panic; when it
//! checks, its first function runs on the tree interpreter with a step limit
//! and arguments made from its parameter types, and must not panic either
//! (errors are fine), and it goes through the Python transpiler. Inputs
//! that parse also go through the formatter:
//! both forms must read back and format to themselves.
//!
//! Programs that would touch files, the environment or stdout (`wr`, `rd`,
//! `env`, `prnt`, `use`) are not generated.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use ilo_runtime::engine::{Arg, Engine, Loaded};
use ilo_runtime::error::Limits;
use ilo_runtime::front::ast::{Program, Type};
use ilo_runtime::front::format;
use ilo_runtime::front::lexer::{lex, Tok};
use ilo_runtime::front::parser::{aliases, parse};
use proptest::prelude::*;

/// An argument of type `ty`; types without a CLI form get a number, as the
/// CLI gives them. Lists nested deeper than three levels are empty.
fn arg_for(ty: &Type, depth: usize) -> Arg {
    match ty {
        Type::Num => Arg::Num(3.0),
        Type::Text => Arg::Text("a,b".to_string()),
        Type::Bool => Arg::Bool(true),
        Type::List(_) if depth >= 3 => Arg::List(Vec::new()),
        Type::List(elem) => Arg::List(vec![arg_for(elem, depth + 1), arg_for(elem, depth + 1)]),
        _ => Arg::Num(1.0),
    }
}

fn run_first(program: Program) {
    let Some(f) = program.funcs().next() else { return };
    let name = f.name.name.clone();
    let args: Vec<Arg> = f.params.iter().map(|p| arg_for(&p.ty, 0)).collect();
    let limits = Limits {
        max_steps: Some(10_000),
        ..Limits::default()
    };
    let loaded = Loaded::new(program);
    let _ = loaded.run(&name, &args, Engine::Tree, limits);
}

/// When `src` parses, both formatted forms parse again and format to
/// themselves (the formatter's round trip, on inputs the parser accepts).
fn formats_stably(src: &str) -> Result<(), String> {
    let Ok(p) = parse(src) else { return Ok(()) };
    for (name, f) in [
        ("dense", format::dense as fn(&Program) -> String),
        ("expanded", format::expanded),
    ] {
        let text = f(&p);
        let again = parse(&text).map(|q| f(&q));
        if again.as_ref() != Ok(&text) {
            return Err(format!(
                "{name} form of {src:?} is\n{text}\nwhich reads back as {again:?}"
            ));
        }
    }
    Ok(())
}

/// Checks `src` and runs it if it checks; a panic becomes an error naming
/// the input.
fn no_panic(src: &str) -> Result<(), String> {
    let r = catch_unwind(AssertUnwindSafe(|| {
        formats_stably(src)?;
        if let Ok(program) = ilo_runtime::front::check(src) {
            // The Python transpiler takes every checked program without a
            // panic (an error is fine).
            let _ = ilo_runtime::python::transpile(&program);
            if !touches_outside(src) {
                run_first(program);
            }
        }
        Ok(())
    }));
    r.map_err(|e| {
        let msg = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("panic: {msg}\ninput: {src:?}")
    })?
}

/// Whether `src` names a builtin that reaches outside the process (files,
/// the environment, stdout), or imports a file.
fn touches_outside(src: &str) -> bool {
    lex(src).0.iter().any(|t| match &t.kind {
        Tok::Name(n) => {
            let short = aliases::builtin_for(n).unwrap_or(n);
            matches!(short, "wr" | "wrl" | "rd" | "rdl" | "env" | "prnt" | "use")
        }
        _ => false,
    })
}

const SPEC_PROGRAMS: &[&str] = &[
    "tot p:n q:n r:n>n;s=*p q;t=*s r;+s t",
    "tot p:n q:n r:n > n\n  s = *p q\n  t = *s r\n  +s t",
    "cls sp:n>t;>=sp 1000 \"gold\";>=sp 500 \"silver\";\"bronze\"",
    "fac n:n>n;<=n 1 1;r=fac -n 1;*n r",
    "fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b",
    "sm xs:L n>n;s=0;@x xs{s=+s x};s",
    "fst xs:L n>n;@x xs{>=x 10{ret x}};0",
    "evn>n;s=0;@i 0..7{r=mod i 2;!=r 0{cnt};s=+s i};s",
    "type pt{x:n;y:n}\nmk a:n>pt;p=pt x:a y:2;q=p with x:5;{x;y}=q;+x y",
    "f x:n>R n t;>x 0 ~x;^\"neg\"\ng x:n>R n t;a=f! x;~+a 1\nh x:n>n;?(g x){~v:v;^e:0}",
    "w n:n>n;i=0;wh <i n{i=+i 1;=i 3{brk}};i",
    "m xs:L t>M t n;m=mmap;@x xs{c=mget m x??0;m=mset m x +c 1};m",
    "p s:t>L t;spl s \",\">>rev>>unq",
    "q x:n>t;?=x 1 \"one\" ?>x 1 \"many\" \"none\"",
    "j s:t>t;d=jpar! s;jdmp d",
    "o xs:L n>n;fld add xs 0\nadd a:n b:n>n;+a b",
    "g xs:L n>L n;flt pos xs>>map dbl\npos x:n>b;>x 0\ndbl x:n>n;*x 2",
    "r s:t>L t;rgx \"[a-z]+\" s",
    "s xs:L n>L n;srt xs;slc xs 0 -1;hd xs;tl xs;len xs;sum xs;avg xs",
];

/// Programs to mutate: the spec's and the example corpus (errors included).
fn seeds() -> Vec<String> {
    let mut out: Vec<String> = SPEC_PROGRAMS.iter().map(|s| s.to_string()).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for dir in [root.clone(), root.join("errors")] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.extension().and_then(|e| e.to_str()) != Some("ilo") {
                continue;
            }
            if let Ok(src) = std::fs::read_to_string(&p) {
                if !touches_outside(&src) {
                    out.push(src);
                }
            }
        }
    }
    out
}

/// Tokens of ilo, as text.
const VOCAB: &[&str] = &[
    "f",
    "g",
    "x",
    "xs",
    "n",
    "t",
    "b",
    "_",
    "L",
    "M",
    "R",
    "O",
    "F",
    "pt",
    "a-b",
    "wh",
    "brk",
    "cnt",
    "ret",
    "type",
    "with",
    "true",
    "false",
    "nil",
    "if",
    "len",
    "str",
    "num",
    "abs",
    "min",
    "max",
    "flr",
    "mod",
    "sum",
    "avg",
    "hd",
    "tl",
    "rev",
    "srt",
    "unq",
    "flat",
    "slc",
    "has",
    "spl",
    "cat",
    "trm",
    "fmt",
    "map",
    "flt",
    "fld",
    "grp",
    "mmap",
    "mget",
    "mset",
    "mhas",
    "mdel",
    "mkeys",
    "mvals",
    "jdmp",
    "jpar",
    "jpth",
    "now",
    "rnd",
    "rgx",
    "length",
    "0",
    "1",
    "-1",
    "2.5",
    "1e3",
    "-2.5e-3",
    "1e400",
    "10000000000",
    "\"\"",
    "\"a\"",
    "\"a\\tb\\n\\\"q\\\"\\\\\"",
    "\"{}\"",
    "\"[\"",
    "\"\\q\"",
    "\"",
    "+",
    "-",
    "*",
    "/",
    "+=",
    "=",
    "==",
    "!=",
    "!",
    "<",
    ">",
    "<=",
    ">=",
    "&",
    "|",
    "~",
    "^",
    "?",
    "??",
    ".",
    ".?",
    "..",
    ">>",
    "@",
    ":",
    ";",
    ",",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "x:n",
    "xs:L n",
    ">n",
    ">t",
    "--c",
    "get_user",
    "'",
    "#",
    "é",
];

/// Cases per property: 8000 (a few seconds in a debug build), or
/// `ILO_NO_PANIC_CASES` for a longer hunt.
fn cases() -> u32 {
    std::env::var("ILO_NO_PANIC_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8000)
}

/// What goes between two tokens.
const GAPS: &[&str] = &["", " ", " ", " ", "\n", "\n  ", "\n    ", ";", "  "];

fn token_soup() -> impl Strategy<Value = String> {
    let tok = prop::sample::select(VOCAB);
    let gap = prop::sample::select(GAPS);
    let header = prop::sample::select(&["", "f x:n>n;", "f xs:L n>n;", "f s:t>t;", "f>n;", "f a:b>_;"][..]);
    (header, prop::collection::vec((tok, gap), 0..40)).prop_map(|(h, toks)| {
        let mut s = h.to_string();
        for (t, g) in toks {
            s.push_str(t);
            s.push_str(g);
        }
        s
    })
}

#[derive(Clone, Debug)]
enum Edit {
    Delete(usize),
    Insert(usize, &'static str),
    Replace(usize, &'static str),
    Duplicate(usize),
    Swap(usize),
    /// Replaces the first number, text, operator or one-argument builtin at
    /// or after the position by another of its kind: programs that still
    /// check, with edge values.
    Similar(usize, usize),
}

const NUMS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "0.5",
    "2",
    "3",
    "100",
    "-7",
    "1e400",
    "-1e400",
    "1e308",
    "4294967296",
    "1e16",
    "0.1",
    "-2.5e-3",
];
const TEXTS: &[&str] = &[
    "\"\"",
    "\"a\"",
    "\"a,b\"",
    "\"{}\"",
    "\"{} {}\"",
    "\"[\"",
    "\"é\"",
    "\"1e3\"",
    "\"nan\"",
    "\"  x \"",
    "\"{\\\"a\\\":1}\"",
    "\"a.b\"",
    "\"(a)+\"",
];
const OPS: &[&str] = &["+", "-", "*", "/", "<", ">", "<=", ">=", "=", "!=", "&", "|", "+="];
const UNARY: &[&str] = &[
    "len", "str", "hd", "tl", "rev", "srt", "unq", "flat", "abs", "flr", "cel", "rou", "sum", "avg", "trm", "jdmp",
    "num", "min", "max", "jpar",
];

/// The class of a token's text for [`Edit::Similar`].
fn class_of(text: &str) -> Option<&'static [&'static str]> {
    let (toks, _) = lex(text);
    match toks.first().map(|t| &t.kind) {
        Some(Tok::Num(_)) => Some(NUMS),
        Some(Tok::Text(_)) => Some(TEXTS),
        Some(Tok::Name(n)) if UNARY.contains(&n.as_str()) => Some(UNARY),
        Some(k) if OPS.contains(&k.symbol()) && !k.symbol().is_empty() => Some(OPS),
        _ => None,
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<usize>();
    let tok = prop::sample::select(VOCAB);
    prop_oneof![
        at.prop_map(Edit::Delete),
        (at, tok.clone()).prop_map(|(i, t)| Edit::Insert(i, t)),
        (at, tok).prop_map(|(i, t)| Edit::Replace(i, t)),
        at.prop_map(Edit::Duplicate),
        at.prop_map(Edit::Swap),
        (at, any::<usize>()).prop_map(|(i, k)| Edit::Similar(i, k)),
        (at, any::<usize>()).prop_map(|(i, k)| Edit::Similar(i, k)),
        (at, any::<usize>()).prop_map(|(i, k)| Edit::Similar(i, k)),
    ]
}

/// `src` with `edits` applied to its tokens (the text between tokens is kept).
fn mutate(src: &str, edits: &[Edit]) -> String {
    let (toks, _) = lex(src);
    // Each piece: the gap before the token, then the token's text.
    let mut pieces: Vec<(String, String)> = Vec::new();
    let mut prev = 0usize;
    for t in &toks {
        let (s, e) = (t.span.start as usize, t.span.end as usize);
        let gap = src.get(prev..s).unwrap_or("").to_string();
        let text = src.get(s..e).unwrap_or("").to_string();
        pieces.push((gap, text));
        prev = e.max(prev);
    }
    for ed in edits {
        let n = pieces.len().max(1);
        match *ed {
            Edit::Delete(i) if !pieces.is_empty() => {
                pieces.remove(i % n);
            }
            Edit::Insert(i, t) => pieces.insert(i % (pieces.len() + 1), (" ".to_string(), t.to_string())),
            Edit::Replace(i, t) if !pieces.is_empty() => {
                if let Some(p) = pieces.get_mut(i % n) {
                    p.1 = t.to_string();
                }
            }
            Edit::Duplicate(i) if !pieces.is_empty() => {
                let p = pieces[i % n].clone();
                pieces.insert(i % n, p);
            }
            Edit::Swap(i) if pieces.len() >= 2 => {
                let i = i % (pieces.len() - 1);
                let (a, b) = (pieces[i].1.clone(), pieces[i + 1].1.clone());
                pieces[i].1 = b;
                pieces[i + 1].1 = a;
            }
            Edit::Similar(i, k) if !pieces.is_empty() => {
                let n = pieces.len();
                let found = (0..n)
                    .map(|d| (i + d) % n)
                    .find_map(|j| class_of(&pieces[j].1).map(|c| (j, c)));
                if let Some((j, class)) = found {
                    pieces[j].1 = class[k % class.len()].to_string();
                }
            }
            _ => {}
        }
    }
    let mut out = String::new();
    for (gap, text) in pieces {
        out.push_str(&gap);
        out.push_str(&text);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let src = String::from_utf8_lossy(&bytes).into_owned();
        if let Err(e) = no_panic(&src) {
            prop_assert!(false, "{}", e);
        }
    }

    #[test]
    fn random_tokens_never_panic(src in token_soup()) {
        if let Err(e) = no_panic(&src) {
            prop_assert!(false, "{}", e);
        }
    }

    #[test]
    fn mutated_programs_never_panic(
        seed in prop::sample::select(seeds()),
        edits in prop::collection::vec(edit(), 1..3),
    ) {
        let src = mutate(&seed, &edits);
        if let Err(e) = no_panic(&src) {
            prop_assert!(false, "{}", e);
        }
    }
}

#[test]
fn seeds_are_found_and_mostly_check() {
    let seeds = seeds();
    assert!(seeds.len() > 30, "only {} seeds", seeds.len());
    let ok = seeds.iter().filter(|s| ilo_runtime::front::check(s).is_ok()).count();
    assert!(ok * 2 > seeds.len(), "only {ok} of {} seeds check", seeds.len());
    for s in &seeds {
        if let Err(e) = no_panic(s) {
            panic!("{e}");
        }
    }
}

/// Nesting just below the parser's limit (256 levels) in every recursive
/// construct goes through check, the interpreter and the formatter without
/// a panic or a stack overflow, on a test thread's stack (2 MiB).
#[test]
fn deep_nesting_below_the_limit() {
    let d = 200;
    let programs = [
        format!("f>n;{}1{}", "(".repeat(d), ")".repeat(d)),
        format!("f>n;{}1", "+1 ".repeat(d)),
        format!("f x:n>n;{}x", "-x ".repeat(d)),
        format!("f>L _;{}{}", "[".repeat(d), "]".repeat(d)),
        format!("f>_;{}1", "~".repeat(d)),
        format!("f>_;{}1", "^".repeat(d)),
        format!("f>b;{}true", "!".repeat(d)),
        format!("f x:n>_;{}x", "?true x ".repeat(d)),
        format!("f x:n>n;{}1{};0", ">x 0{".repeat(d / 2), "}".repeat(d / 2)),
        format!("f x:n>n;{}brk{};0", "@i 0..x{".repeat(d / 2), "}".repeat(d / 2)),
        format!("f x:{}n>n;1", "L ".repeat(d)),
        format!("f x:n>n;{}x", "nil??".repeat(d)),
        format!("type pt{{a:n}}\nf p:pt>pt;p{}", " with a:1".repeat(d)),
        format!("f x:_>_;x{}", ".a".repeat(d)),
        format!("f xs:L n>L n;xs{}", ">>rev".repeat(d)),
    ];
    for src in &programs {
        assert!(ilo_runtime::front::parser::parse(src).is_ok(), "does not parse: {src}");
        if let Err(e) = no_panic(src) {
            panic!("{e}");
        }
    }
}
