//! Parser tests by section of the spec (1: declarations, 2: types,
//! 3: expressions, 4: statements) and the hints.

use super::*;

// ---- section 1: programs and declarations ----

fn hints(src: &str) -> Vec<(&'static str, String)> {
    let (r, hints) = parse_with_hints(src);
    assert!(r.is_ok(), "{src:?}: {r:?}");
    hints
        .into_iter()
        .map(|d| (d.code, d.suggestion.unwrap_or_default()))
        .collect()
}

#[test]
fn type_declaration() {
    let p = ok("type pt{x:n;y:n}\ntype usr{name:t;tags:L t;ok:b}");
    let Some(Decl::Type(t)) = p.decls.first() else {
        panic!("{p:?}")
    };
    assert_eq!(t.name.name, "pt");
    let fields: Vec<(&str, &Type)> = t.fields.iter().map(|f| (f.name.name.as_str(), &f.ty)).collect();
    assert_eq!(fields, vec![("x", &Type::Num), ("y", &Type::Num)]);
    let Some(Decl::Type(u)) = p.decls.get(1) else { panic!() };
    assert_eq!(u.fields.get(1).map(|f| &f.ty), Some(&Type::List(Box::new(Type::Text))));
    same("type pt{x:n;y:n}", "type pt{\n  x:n\n  y:n\n}");
}

#[test]
fn use_declarations() {
    let p = ok("use \"lib/util.ilo\"\nuse \"m.ilo\" [a get-user]\nf>n;1");
    let uses: Vec<(String, Option<Vec<String>>)> = p
        .decls
        .iter()
        .filter_map(|d| match d {
            Decl::Use(u) => Some((
                u.path.clone(),
                u.names.as_ref().map(|n| n.iter().map(|i| i.name.clone()).collect()),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        uses,
        vec![
            ("lib/util.ilo".to_string(), None),
            ("m.ilo".to_string(), Some(vec!["a".to_string(), "get-user".to_string()]))
        ]
    );
    assert_eq!(err_codes("use util"), vec!["ILO-P017"]);
}

#[test]
fn names() {
    assert_eq!(ex("get-user"), "get-user");
    assert_eq!(ex("wh-sum"), "wh-sum");
    assert_eq!(ex("x2"), "x2");
    assert_eq!(ex("-a b"), "(- a b)");
    assert_eq!(body("get-user id:n>n;id"), vec!["id"]);
}

#[test]
fn reserved_words() {
    for (src, word) in [
        ("f x:n>n;if >x 0{1}", "`if`"),
        ("f x:n>n;return x", "`return`"),
        ("f x:n>n;let y=x;y", "bindings"),
        ("f x:n>n;var y=x;y", "bindings"),
        ("f x:n>n;const y=x;y", "bindings"),
        ("fn f x:n>n;x", "functions"),
        ("def f x:n>n;x", "functions"),
    ] {
        let d = first_err(src);
        assert_eq!(d.code, "ILO-P007", "{src}");
        assert!(d.message.contains(word), "{src}: {}", d.message);
        assert!(d.suggestion.is_some());
    }
    assert!(first_err("f>n;if").message.contains("use a guard `cond{…}`"));
    assert_eq!(first_err("f x:n>n;+x if").code, "ILO-P007");
    assert_eq!(first_err("f if:n>n;1").code, "ILO-P007");
}

// ---- section 2: types ----

fn param_ty(ty: &str) -> Type {
    let p = ok(&format!("f a:{ty}>n;1"));
    let f = p.func("f").unwrap_or_else(|| panic!("no f"));
    f.params
        .first()
        .map(|p| p.ty.clone())
        .unwrap_or_else(|| panic!("no param"))
}

fn bx(t: Type) -> Box<Type> {
    Box::new(t)
}

#[test]
fn types() {
    assert_eq!(param_ty("n"), Type::Num);
    assert_eq!(param_ty("t"), Type::Text);
    assert_eq!(param_ty("b"), Type::Bool);
    assert_eq!(param_ty("_"), Type::Any);
    assert_eq!(param_ty("L n"), Type::List(bx(Type::Num)));
    assert_eq!(param_ty("M t n"), Type::Map(bx(Type::Text), bx(Type::Num)));
    assert_eq!(param_ty("R n t"), Type::Result(bx(Type::Num), bx(Type::Text)));
    assert_eq!(param_ty("O n"), Type::Opt(bx(Type::Num)));
    assert_eq!(param_ty("F n n"), Type::Func(vec![Type::Num], bx(Type::Num)));
    assert_eq!(
        param_ty("F n t b"),
        Type::Func(vec![Type::Num, Type::Text], bx(Type::Bool))
    );
    assert_eq!(param_ty("pt"), Type::Named("pt".into()));
    assert_eq!(param_ty("a"), Type::Var('a'));
    assert_eq!(param_ty("z"), Type::Var('z'));
}

#[test]
fn nested_types() {
    assert_eq!(param_ty("L L n"), Type::List(bx(Type::List(bx(Type::Num)))));
    assert_eq!(
        param_ty("R L t t"),
        Type::Result(bx(Type::List(bx(Type::Text))), bx(Type::Text))
    );
    assert_eq!(
        param_ty("M t L n"),
        Type::Map(bx(Type::Text), bx(Type::List(bx(Type::Num))))
    );
    assert_eq!(
        param_ty("R (L n) t"),
        Type::Result(bx(Type::List(bx(Type::Num))), bx(Type::Text))
    );
    assert_eq!(
        param_ty("L (F n n)"),
        Type::List(bx(Type::Func(vec![Type::Num], bx(Type::Num))))
    );
}

#[test]
fn func_type_stops_at_next_param_and_return() {
    let p = ok("ap f:F n n xs:L n>L n;map f xs");
    let f = p.func("ap").unwrap_or_else(|| panic!());
    assert_eq!(f.params.len(), 2);
    assert_eq!(f.ret, Type::List(bx(Type::Num)));
    let p = ok("mk>F n n\n  dbl");
    assert_eq!(
        p.func("mk").map(|f| f.ret.clone()),
        Some(Type::Func(vec![Type::Num], bx(Type::Num)))
    );
}

#[test]
fn type_errors() {
    assert_eq!(err_codes("f a:L>n;1"), vec!["ILO-P004"]);
    assert_eq!(err_codes("f a:(L n>n;1"), vec!["ILO-P006"]);
    assert_eq!(err_codes("f a:F>n;1"), vec!["ILO-P001"]);
    assert_eq!(err_codes("f a:1>n;1"), vec!["ILO-P004"]);
}

// ---- section 3: expressions ----

#[test]
fn literals() {
    assert_eq!(ex(r#""a\tb\n\"q\"\\""#), "\"a\\tb\\n\\\"q\\\"\\\\\"");
    assert_eq!(ex("true"), "true");
    assert_eq!(ex("false"), "false");
    assert_eq!(ex("nil"), "nil");
    assert_eq!(ex("[1 2 3]"), "[1 2 3]");
    assert_eq!(ex("[1, 2, 3]"), "[1 2 3]");
    assert_eq!(ex("[]"), "[]");
    assert_eq!(ex("[-1 +a b x.0]"), "[-1 (+ a b) x.0]");
    assert_eq!(ex("[x + 1, y]"), "[(+ x 1) y]");
    assert_eq!(ex("[\n  1\n  2\n]"), "[1 2]");
}

#[test]
fn prefix_operator_table() {
    for (src, want) in [
        ("+a b", "(+ a b)"),
        ("-a b", "(- a b)"),
        ("*a b", "(* a b)"),
        ("/a b", "(/ a b)"),
        ("+=xs v", "(+= xs v)"),
        ("=a b", "(= a b)"),
        ("!=a b", "(!= a b)"),
        ("==a b", "(= a b)"),
        ("<a b", "(< a b)"),
        (">a b", "(> a b)"),
        ("<=a b", "(<= a b)"),
        (">=a b", "(>= a b)"),
        ("&a b", "(& a b)"),
        ("|a b", "(| a b)"),
        ("-a", "(neg a)"),
        ("!a", "(! a)"),
        ("/1 0", "(/ 1 0)"),
        (">=+x y 100", "(>= (+ x y) 100)"),
    ] {
        assert_eq!(ex(src), want, "{src}");
    }
}

#[test]
fn prefix_operands_are_atoms() {
    assert_eq!(ex("+a.b xs.0"), "(+ a.b xs.0)");
    assert_eq!(ex("*(f x) 2"), "(* (f x) 2)");
    assert_eq!(ex("+!a b"), "(+ (! a) b)");
}

#[test]
fn infix_precedence() {
    for (src, want) in [
        ("a + b * c", "(+ a (* b c))"),
        ("(x + y) * 2", "(* (+ x y) 2)"),
        ("a == b", "(= a b)"),
        ("a >= b & c", "(& (>= a b) c)"),
        ("a | b & c", "(| a (& b c))"),
        ("(a = b < c)", "(= a (< b c))"),
        ("a - b - c", "(- (- a b) c)"),
        ("a / b * c", "(* (/ a b) c)"),
        ("xs += 1 * 2", "(+= xs (* 1 2))"),
        ("xs += 1 + 2", "(+ (+= xs 1) 2)"),
        ("a != b | c", "(| (!= a b) c)"),
        ("f a + b", "(+ (f a) b)"),
        ("a+b", "(+ a b)"),
        ("a-1", "(- a 1)"),
        ("x*2+1", "(+ (* x 2) 1)"),
        ("a + *b c", "(+ a (* b c))"),
    ] {
        assert_eq!(ex(src), want, "{src}");
    }
}

#[test]
fn call_forms() {
    assert_eq!(ex("fac -n 1"), "(fac (- n 1))");
    assert_eq!(ex("send d.email \"hi\" msg"), "(send d.email \"hi\" msg)");
    assert_eq!(ex("f (g x) y"), "(f (g x) y)");
    assert_eq!(ex("mk()"), "(mk)");
    assert_eq!(ex("f! a b"), "(f! a b)");
    assert_eq!(ex("num! s"), "(num! s)");
    assert_eq!(ex("mk!()"), "(mk!)");
    assert_eq!(ex("f a +b c"), "(f a (+ b c))");
    assert_eq!(ex("f !x"), "(f (! x))");
    assert_eq!(ex("map dbl xs"), "(map dbl xs)");
    assert_eq!(ex("f(x)"), "(f x)");
}

#[test]
fn other_expressions() {
    for (src, want) in [
        ("~e", "(~ e)"),
        ("^e", "(^ e)"),
        ("^\"bad\"", "(^ \"bad\")"),
        ("~fac n", "(~ (fac n))"),
        ("f ~x ^y", "(f (~ x) (^ y))"),
        ("a??b", "(?? a b)"),
        ("mget m k??0", "(?? (mget m k) 0)"),
        ("a ?? b ?? c", "(?? (?? a b) c)"),
        ("x.f", "x.f"),
        ("x.0", "x.0"),
        ("x.0.1", "x.0.1"),
        ("x.a.b", "x.a.b"),
        ("x.?f", "x.?f"),
        ("x.?f.?g??0", "(?? x.?f.?g 0)"),
        ("x>>f>>g a", "(g a (f x))"),
        ("x >> f! >> g", "(g (f! x))"),
        ("+a b>>str", "(str (+ a b))"),
        ("pt x:1 y:2", "(rec pt x:1 y:2)"),
        ("pt x:+a b y:p.y", "(rec pt x:(+ a b) y:p.y)"),
        ("p with x:5", "(with p x:5)"),
        ("p with x:5 y:-1", "(with p x:5 y:-1)"),
        ("?c a b", "(? c a b)"),
        ("?>x 0 \"pos\" \"neg\"", "(? (> x 0) \"pos\" \"neg\")"),
    ] {
        assert_eq!(ex(src), want, "{src}");
    }
    assert_eq!(body("f>n;r=?>x 0 1 2;r"), vec!["r=(? (> x 0) 1 2)", "r"]);
}

#[test]
fn expression_spans() {
    let p = ok("f>n;x.a.b");
    let Some(Decl::Func(f)) = p.decls.first() else { panic!() };
    let Some(Stmt {
        kind: StmtKind::Expr(e),
        ..
    }) = f.body.first()
    else {
        panic!()
    };
    assert_eq!(e.span, Span::new(4, 9));
    let p = ok("f>n;x>>g a");
    let Some(Decl::Func(f)) = p.decls.first() else { panic!() };
    let Some(Stmt {
        kind: StmtKind::Expr(e),
        ..
    }) = f.body.first()
    else {
        panic!()
    };
    assert_eq!(e.span, Span::new(4, 10));
}

#[test]
fn expression_errors() {
    assert_eq!(err_codes("f>n;x."), vec!["ILO-P001"]);
    assert_eq!(err_codes("f>n;x.-1"), vec!["ILO-P014"]);
    assert_eq!(ex("x.1.5"), "x.1.5");
    assert_eq!(err_codes("f>n;x.?0"), vec!["ILO-P001"]);
    assert_eq!(err_codes("f>n;f(a, b)"), vec!["ILO-P015"]);
    assert_eq!(err_codes("f>n;()"), vec!["ILO-P001"]);
    assert_eq!(err_codes("f>n;[1 2"), vec!["ILO-P006"]);
    assert_eq!(err_codes("f>n;?a b"), vec!["ILO-P005"]);
    assert_eq!(err_codes("f>n;x=?y{1:2}"), vec!["ILO-P010"]);
    assert_eq!(err_codes("f>n;p with"), vec!["ILO-P001"]);
    assert_eq!(err_codes("f>n;pt x:"), vec!["ILO-P001"]);
    assert_eq!(err_codes("f>n;x>>1"), vec!["ILO-P001"]);
    assert_eq!(err_codes("f>n;\"a\" \"b\""), vec!["ILO-P001"]);
    assert_eq!(err_codes("f>n;.5"), vec!["ILO-P001"]);
    let d = first_err("f>n;*a + b");
    assert_eq!(d.code, "ILO-P005");
    assert!(!d.notes.is_empty());
}

// ---- section 4: statements ----

#[test]
fn statement_table() {
    assert_eq!(body("f>n;x=1;x"), vec!["x=1", "x"]);
    assert_eq!(body("f>n;x = f a b;x"), vec!["x=(f a b)", "x"]);
    assert_eq!(body("f>n;{a;b}=rec;a"), vec!["{a;b}=rec", "a"]);
    assert_eq!(body("f>n;{a b}=f x;a"), vec!["{a;b}=(f x)", "a"]);
    assert_eq!(body("f>n;>x 0 1;2"), vec!["guard (> x 0) 1", "2"]);
    assert_eq!(body("f>n;!>x 0 1;2"), vec!["guard! (> x 0) 1", "2"]);
    assert_eq!(body("f>n;!ok 1;2"), vec!["guard! ok 1", "2"]);
    assert_eq!(body("f>n;>x 0{y=1};2"), vec!["if (> x 0) {y=1}", "2"]);
    assert_eq!(body("f>n;>x 0{1}{2}"), vec!["if (> x 0) {1}{2}"]);
    assert_eq!(body("f>n;!>x 0{1}"), vec!["if! (> x 0) {1}"]);
    assert_eq!(body("f>n;ok{1}"), vec!["if ok {1}"]);
    assert_eq!(body("f>n;has xs 1{1}"), vec!["if (has xs 1) {1}"]);
    assert_eq!(body("f>n;?x{1:2}"), vec!["match x{1:2}"]);
    assert_eq!(body("f>n;g 1;?{_:2}"), vec!["(g 1)", "match {_:2}"]);
    assert_eq!(body("f>n;@x xs{g x}"), vec!["each x xs {(g x)}"]);
    assert_eq!(body("f>n;@i 0..n{g i}"), vec!["range i 0 n {(g i)}"]);
    assert_eq!(body("f>n;@i 1..len xs{g i}"), vec!["range i 1 (len xs) {(g i)}"]);
    assert_eq!(body("f>n;wh <i 10{i=+i 1}"), vec!["while (< i 10) {i=(+ i 1)}"]);
    assert_eq!(body("f>n;wh 1{brk;cnt}"), vec!["while 1 {brk; cnt}"]);
    assert_eq!(body("f>n;ret +a 1"), vec!["ret (+ a 1)"]);
    assert_eq!(body("f>n;ret"), vec!["ret nil"]);
}

#[test]
fn guards_and_values() {
    assert_eq!(body("pos x:n>b;>x 0"), vec!["(> x 0)"]);
    assert_eq!(body("f>n;x > 0 \"pos\";0"), vec!["guard (> x 0) \"pos\"", "0"]);
    assert_eq!(body("f>n;>=x 0 fac x;0"), vec!["guard (>= x 0) (fac x)", "0"]);
    assert_eq!(
        body("f>n;@x xs{=x 0 brk;=x 1 cnt};0"),
        vec!["each x xs {if (= x 0) {brk}; if (= x 1) {cnt}}", "0"]
    );
    assert_eq!(body("f>n;&a b 1;0"), vec!["guard (& a b) 1", "0"]);
}

#[test]
fn match_arms() {
    let src = "f>n;?x{42:a;-1:b;\"gold\":c;true:d;nil:e;~v:v;^e:e;n v:v;t v:v;b v:v;l v:v;_:0}";
    assert_eq!(
        body(src),
        vec!["match x{42:a; -1:b; \"gold\":c; true:d; nil:e; ~v:v; ^e:e; Num v:v; Text v:v; Bool v:v; List v:v; _:0}"]
    );
    same(src, "f>n\n  ?x{\n    42:a\n    -1:b\n    \"gold\":c;true:d\n    nil:e;~v:v;^e:e\n    n v:v;t v:v;b v:v;l v:v\n    _:0\n  }");
    assert_eq!(body("f>n;?r{~v:+v 1;^e:0}"), vec!["match r{~v:(+ v 1); ^e:0}"]);
    assert_eq!(body("f>n;?r.s{~_:1;_:0}"), vec!["match r.s{~_:1; _:0}"]);
    assert_eq!(err_codes("f>n;?x{x:1}"), vec!["ILO-P011"]);
    assert_eq!(err_codes("f>n;?x{1 2}"), vec!["ILO-P001"]);
    assert_eq!(err_codes("f>n;?x{1:2"), vec!["ILO-P006"]);
}

#[test]
fn expanded_blocks() {
    same(
        "cls sp:n>t;>=sp 1000{\"gold\"}{\"other\"};@x xs{s=+s x};\"bronze\"",
        "cls sp:n > t\n  >=sp 1000{\n    \"gold\"\n  }{\n    \"other\"\n  }\n  @x xs{\n    s = +s x\n}\n  \"bronze\"",
    );
}

#[test]
fn statement_errors() {
    assert_eq!(err_codes("f>n;x=>a 0{1}{2}"), vec!["ILO-P010"]);
    assert_eq!(err_codes("f>n;{a;b}"), vec!["ILO-P016"]);
    assert_eq!(err_codes("f>n;{1}=x"), vec!["ILO-P016"]);
    assert_eq!(err_codes("f>n;@x xs"), vec!["ILO-P001"]);
    assert_eq!(err_codes("f>n;@ xs{1}"), vec!["ILO-P001"]);
    assert_eq!(err_codes("f>n;>x 0{1"), vec!["ILO-P006"]);
    assert_eq!(err_codes("f>n;1}"), vec!["ILO-P001"]);
    assert_eq!(err_codes("f>n;wh x"), vec!["ILO-P001"]);
}

#[test]
fn documented_decisions() {
    assert_eq!(body("f>n;wh=1;wh"), vec!["wh=1", "wh"]);
    assert_eq!(ex("> >a b c"), "(> (> a b) c)");
    assert_eq!(ex("+(a??0) 1"), "(+ (?? a 0) 1)");
    assert_eq!(ex("(f a) with x:5"), "(with (f a) x:5)");
    assert_eq!(ex("f -x y"), "(f (- x y))");
    assert_eq!(ex("[(f x) y]"), "[(f x) y]");
    assert_eq!(ex("[a b]"), "[a b]");
    assert_eq!(ex("f (=a b)"), "(f (= a b))");
    assert_eq!(body("f>n;x --a\n  1"), vec!["x", "1"]);
    assert_eq!(body("f>n;{a, b}=r;a"), vec!["{a;b}=r", "a"]);
    assert_eq!(body("f>n;?x{n _:1;_:0}"), vec!["match x{Num _:1; _:0}"]);
    assert_eq!(body("f>n;?(g x){_:0}"), vec!["match (g x){_:0}"]);
    assert_eq!(body("f>n;true 1;0"), vec!["guard true 1", "0"]);
}

// ---- hints ----

#[test]
fn eqeq_hint() {
    assert_eq!(hints("f>b;a == b"), vec![("ILO-P020", "=".to_string())]);
    assert_eq!(hints("f>b;==a b"), vec![("ILO-P020", "=".to_string())]);
    assert_eq!(hints("f>b;?==a b 1 2"), vec![("ILO-P020", "=".to_string())]);
    assert!(hints("f>b;=a b").is_empty());
}

#[test]
fn long_builtin_names() {
    assert_eq!(body("f xs:L n>n;length xs"), vec!["(len xs)"]);
    assert_eq!(body("f xs:L n>L n;filter pos xs>>reverse"), vec!["(rev (flt pos xs))"]);
    assert_eq!(hints("f x:n>n;floor x"), vec![("ILO-P021", "flr".to_string())]);
    // A declared function of that name is not an alias.
    assert_eq!(body("length x:n>n;x\nf>n;length 1").len(), 1);
    assert!(hints("length x:n>n;x\nf>n;length 1").is_empty());
    // Variables are not rewritten.
    assert_eq!(body("f>n;length=1;length"), vec!["length=1", "length"]);
}
