use super::*;

/// Debug form of the program with every span removed, so the dense and
/// expanded forms of a program compare equal.
fn shape(p: &Program) -> String {
    let dbg = format!("{p:?}");
    let mut out = String::new();
    let mut rest = dbg.as_str();
    while let Some(i) = rest.find("Span { start: ") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i..).unwrap_or("");
        let close = after.find('}').map(|j| j + 1).unwrap_or(after.len());
        out.push_str("Span");
        rest = after.get(close..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

fn ok(src: &str) -> Program {
    match parse(src) {
        Ok(p) => p,
        Err(e) => panic!("{src:?} failed: {e:#?}"),
    }
}

fn same(a: &str, b: &str) {
    assert_eq!(shape(&ok(a)), shape(&ok(b)), "{a:?} vs {b:?}");
}

fn err_codes(src: &str) -> Vec<&'static str> {
    match parse(src) {
        Ok(p) => panic!("{src:?} parsed: {p:#?}"),
        Err(e) => e.into_iter().map(|d| d.code).collect(),
    }
}

fn first_err(src: &str) -> Diagnostic {
    match parse(src) {
        Ok(p) => panic!("{src:?} parsed: {p:#?}"),
        Err(e) => e.into_iter().next().unwrap_or_else(|| panic!("no error")),
    }
}

/// An S-expression rendering, to state expected trees compactly.
fn sx(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Lit(Lit::Num(v)) => format!("{v}"),
        ExprKind::Lit(Lit::Text(s)) => format!("{s:?}"),
        ExprKind::Lit(Lit::Bool(b)) => format!("{b}"),
        ExprKind::Lit(Lit::Nil) => "nil".into(),
        ExprKind::List(xs) => format!("[{}]", xs.iter().map(sx).collect::<Vec<_>>().join(" ")),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Unary { op: UnOp::Neg, operand } => format!("(neg {})", sx(operand)),
        ExprKind::Unary { op: UnOp::Not, operand } => format!("(! {})", sx(operand)),
        ExprKind::Binary { op, lhs, rhs } => format!("({} {} {})", op.symbol(), sx(lhs), sx(rhs)),
        ExprKind::Call { func, args, unwrap } => {
            let bang = if *unwrap { "!" } else { "" };
            let args: Vec<String> = args.iter().map(sx).collect();
            format!(
                "({}{bang}{}{})",
                func.name,
                if args.is_empty() { "" } else { " " },
                args.join(" ")
            )
        }
        ExprKind::Ok(x) => format!("(~ {})", sx(x)),
        ExprKind::Err(x) => format!("(^ {})", sx(x)),
        ExprKind::Coalesce { lhs, rhs } => format!("(?? {} {})", sx(lhs), sx(rhs)),
        ExprKind::Field { target, field, safe } => {
            format!("{}.{}{}", sx(target), if *safe { "?" } else { "" }, field.name)
        }
        ExprKind::Index { target, index } => format!("{}.{index}", sx(target)),
        ExprKind::Record { ty, fields } => format!("(rec {}{})", ty.name, fields_sx(fields)),
        ExprKind::With { target, fields } => format!("(with {}{})", sx(target), fields_sx(fields)),
        ExprKind::Ternary { cond, then, els } => format!("(? {} {} {})", sx(cond), sx(then), sx(els)),
    }
}

fn fields_sx(fields: &[(Ident, Expr)]) -> String {
    fields.iter().map(|(n, e)| format!(" {}:{}", n.name, sx(e))).collect()
}

fn stmt_sx(s: &Stmt) -> String {
    let block = |b: &[Stmt]| format!("{{{}}}", b.iter().map(stmt_sx).collect::<Vec<_>>().join("; "));
    let neg = |n: &bool| if *n { "!" } else { "" };
    match &s.kind {
        StmtKind::Bind { name, value } => format!("{}={}", name.name, sx(value)),
        StmtKind::Destructure { names, value } => {
            let n: Vec<&str> = names.iter().map(|i| i.name.as_str()).collect();
            format!("{{{}}}={}", n.join(";"), sx(value))
        }
        StmtKind::Guard { cond, negated, value } => format!("guard{} {} {}", neg(negated), sx(cond), sx(value)),
        StmtKind::If {
            cond,
            negated,
            then,
            els,
        } => {
            let e = els.as_ref().map(|b| block(b)).unwrap_or_default();
            format!("if{} {} {}{}", neg(negated), sx(cond), block(then), e)
        }
        StmtKind::Match { subject, arms } => {
            let arms: Vec<String> = arms
                .iter()
                .map(|a| format!("{}:{}", pat_sx(&a.pat), sx(&a.body)))
                .collect();
            format!(
                "match {}{{{}}}",
                subject.as_ref().map(sx).unwrap_or_default(),
                arms.join("; ")
            )
        }
        StmtKind::ForEach { var, iter, body } => format!("each {} {} {}", var.name, sx(iter), block(body)),
        StmtKind::ForRange { var, from, to, body } => {
            format!("range {} {} {} {}", var.name, sx(from), sx(to), block(body))
        }
        StmtKind::While { cond, body } => format!("while {} {}", sx(cond), block(body)),
        StmtKind::Break => "brk".into(),
        StmtKind::Continue => "cnt".into(),
        StmtKind::Return(e) => format!("ret {}", sx(e)),
        StmtKind::Expr(e) => sx(e),
    }
}

fn pat_sx(p: &Pattern) -> String {
    match p {
        Pattern::Lit(l) => sx(&Expr {
            kind: ExprKind::Lit(l.clone()),
            span: Span::default(),
        }),
        Pattern::Ok(v) => format!("~{}", v.name),
        Pattern::Err(v) => format!("^{}", v.name),
        Pattern::Typed(t, v) => format!("{t:?} {}", v.name),
        Pattern::Wild => "_".into(),
    }
}

/// The body of the single function in `src`, one string per statement.
fn body(src: &str) -> Vec<String> {
    let p = ok(src);
    let f = p.funcs().next().unwrap_or_else(|| panic!("no function in {src:?}"));
    f.body.iter().map(stmt_sx).collect()
}

/// The single expression statement `src` as the body of `f>_`.
fn ex(src: &str) -> String {
    let b = body(&format!("f>_;{src}"));
    assert_eq!(b.len(), 1, "{src:?} gave {b:?}");
    b.into_iter().next().unwrap_or_default()
}

// ---- seed subset ----

#[test]
fn dense_and_expanded_are_the_same() {
    same(
        "tot p:n q:n r:n>n;s=*p q;t=*s r;+s t",
        "tot p:n q:n r:n > n\n  s = *p q\n  t = *s r\n  +s t\n",
    );
}

#[test]
fn tot_tree() {
    let p = ok("tot p:n q:n r:n>n;s=*p q;t=*s r;+s t");
    let f = p.func("tot").unwrap_or_else(|| panic!("no tot"));
    let params: Vec<(&str, &Type)> = f.params.iter().map(|p| (p.name.name.as_str(), &p.ty)).collect();
    assert_eq!(params, vec![("p", &Type::Num), ("q", &Type::Num), ("r", &Type::Num)]);
    assert_eq!(f.ret, Type::Num);
    assert_eq!(
        body("tot p:n q:n r:n>n;s=*p q;t=*s r;+s t"),
        vec!["s=(* p q)", "t=(* s r)", "(+ s t)"]
    );
    assert_eq!(f.span, Span::new(0, 36));
    assert_eq!(f.name.span, Span::new(0, 3));
}

#[test]
fn zero_param_function() {
    let p = ok("mk>n;42");
    let f = p.func("mk").unwrap_or_else(|| panic!("no mk"));
    assert!(f.params.is_empty());
    assert_eq!(body("mk>n;42"), vec!["42"]);
}

#[test]
fn numbers() {
    for (src, want) in [
        ("42", "42"),
        ("-7", "-7"),
        ("3.5", "3.5"),
        ("1e3", "1000"),
        ("-2.5e-3", "-0.0025"),
    ] {
        assert_eq!(ex(src), want);
    }
}

#[test]
fn minus_forms() {
    assert_eq!(ex("- 0 v"), "(- 0 v)");
    assert_eq!(ex("-n 1"), "(- n 1)");
    assert_eq!(ex("-n"), "(neg n)");
    assert_eq!(ex("+-a b c"), "(+ (- a b) c)");
    assert_eq!(ex("*a -b"), "(* a (neg b))");
    assert_eq!(ex("-1"), "-1");
}

#[test]
fn prefix_nesting() {
    assert_eq!(ex("+*a b c"), "(+ (* a b) c)");
    assert_eq!(ex("*a +b c"), "(* a (+ b c))");
    assert_eq!(ex("/a b"), "(/ a b)");
    // An operator glued to the previous operand still starts the next one.
    assert_eq!(ex("+x*x 2"), "(+ x (* x 2))");
    assert_eq!(ex("*a+b c"), "(* a (+ b c))");
    assert_eq!(ex("+a/b c"), "(+ a (/ b c))");
}

#[test]
fn dashed_names() {
    assert_eq!(ex("get-user"), "get-user");
    assert_eq!(ex("-a b"), "(- a b)");
    assert_eq!(ex("a-b"), "a-b");
}

#[test]
fn calls() {
    assert_eq!(ex("f a b"), "(f a b)");
    assert_eq!(ex("fac -n 1"), "(fac (- n 1))");
    assert_eq!(ex("f (g x) y"), "(f (g x) y)");
    assert_eq!(ex("mk()"), "(mk)");
    assert_eq!(ex("x"), "x");
    assert_eq!(ex("send d.email \"hi\" msg"), "(send d.email \"hi\" msg)");
    assert_eq!(ex("(+a b)"), "(+ a b)");
}

#[test]
fn comments() {
    same(
        "f x:n>n -- header\n  -- a comment line\n  +x 1 -- add one",
        "f x:n>n;+x 1",
    );
}

#[test]
fn several_declarations() {
    let p = ok("a>n;1\nb x:n>n\n  *x 2\n\n-- c\nc>n;3");
    let names: Vec<&str> = p.funcs().map(|f| f.name.name.as_str()).collect();
    assert_eq!(names, vec!["a", "b", "c"]);
}

#[test]
fn spans_are_precise() {
    let p = ok("f x:n>n;+x 10");
    let Some(Decl::Func(f)) = p.decls.first() else { panic!() };
    let Some(Stmt {
        kind: StmtKind::Expr(e),
        span,
    }) = f.body.first()
    else {
        panic!()
    };
    assert_eq!(*span, Span::new(8, 13));
    assert_eq!(e.span, Span::new(8, 13));
    let ExprKind::Binary { rhs, .. } = &e.kind else {
        panic!()
    };
    assert_eq!(rhs.span, Span::new(11, 13));
}

#[test]
fn spec_section_4_examples() {
    assert_eq!(
        body("cls sp:n>t;>=sp 1000 \"gold\";>=sp 500 \"silver\";\"bronze\""),
        vec![
            "guard (>= sp 1000) \"gold\"",
            "guard (>= sp 500) \"silver\"",
            "\"bronze\""
        ]
    );
    assert_eq!(
        body("fac n:n>n;<=n 1 1;r=fac -n 1;*n r"),
        vec!["guard (<= n 1) 1", "r=(fac (- n 1))", "(* n r)"]
    );
    assert_eq!(
        body("fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b"),
        vec!["guard (<= n 1) n", "a=(fib (- n 1))", "b=(fib (- n 2))", "(+ a b)"]
    );
    assert_eq!(
        body("sm xs:L n>n;s=0;@x xs{s=+s x};s"),
        vec!["s=0", "each x xs {s=(+ s x)}", "s"]
    );
    assert_eq!(
        body("fst xs:L n>n;@x xs{>=x 10{ret x}};0"),
        vec!["each x xs {if (>= x 10) {ret x}}", "0"]
    );
    assert_eq!(
        body("evn>n;s=0;@i 0..7{r=mod i 2;!=r 0{cnt};s=+s i};s"),
        vec!["s=0", "range i 0 7 {r=(mod i 2); if (!= r 0) {cnt}; s=(+ s i)}", "s"]
    );
    assert_eq!(body("pos x:n>b;>x 0"), vec!["(> x 0)"]);
}

// ---- seed errors ----

#[test]
fn missing_operand() {
    let d = first_err("f x:n>n;+x");
    assert_eq!(d.code, "ILO-P005");
    assert_eq!(d.labels.first().map(|l| l.span), Some(Span::new(8, 9)));
}

#[test]
fn missing_type() {
    assert_eq!(err_codes("f x>n;x"), vec!["ILO-P012"]);
    assert_eq!(err_codes("f x:>n;x"), vec!["ILO-P004"]);
}

#[test]
fn missing_return_type() {
    assert_eq!(err_codes("f x:n;x"), vec!["ILO-P001"]);
    assert_eq!(err_codes("f x:n>;x"), vec!["ILO-P004"]);
}

#[test]
fn empty_body() {
    assert_eq!(err_codes("f x:n>n"), vec!["ILO-P013"]);
}

#[test]
fn unclosed_paren() {
    let d = first_err("f x:n>n;g (h x");
    assert_eq!(d.code, "ILO-P006");
    assert_eq!(d.labels.first().map(|l| l.span), Some(Span::new(10, 11)));
}

#[test]
fn several_errors_reported() {
    assert_eq!(
        err_codes("a>n;+1\nb>n;2\nc x>n;x\nd>n;$"),
        vec!["ILO-P005", "ILO-P012", "ILO-L001"]
    );
}

#[test]
fn lexer_errors_are_reported() {
    assert_eq!(err_codes("f>t;\"abc"), vec!["ILO-L002"]);
}

#[test]
fn unindented_continuation() {
    let d = first_err("f x:n>n\ns=*x 2\n+s 1");
    assert_eq!(d.code, "ILO-P013");
}

#[test]
fn deep_nesting_is_an_error() {
    let src = format!("f>n;{}1{}", "(".repeat(5000), ")".repeat(5000));
    assert_eq!(err_codes(&src), vec!["ILO-P008"]);
    let src = format!("f>n;{}1 1", "+1 ".repeat(5000));
    assert_eq!(err_codes(&src), vec!["ILO-P008"]);
    let src = format!("f>n;1{}", " + 1".repeat(5000));
    assert_eq!(err_codes(&src), vec!["ILO-P008"]);
}

#[test]
fn nesting_just_below_the_limit_parses() {
    let d = MAX_DEPTH - 1;
    ok(&format!("f>n;{}1{}", "(".repeat(d), ")".repeat(d)));
    ok(&format!("f>n;{}1", "+1 ".repeat(d)));
    ok(&format!("f>n;{}1", "~".repeat(d)));
    ok(&format!("f x:{}n>n;1", "L ".repeat(d - 1)));
}

#[test]
fn keywords_are_not_names() {
    assert_eq!(err_codes("f>n;true=1;1"), vec!["ILO-P001"]);
    assert_eq!(err_codes("f with:n>n;1"), vec!["ILO-P001"]);
}

/// Random token soup: the parser must return, never panic.
#[test]
fn random_input_never_panics() {
    let pieces = [
        "f", "x", "n", "L", ">", "<", "=", "==", "!", "!=", "+", "-", "*", "/", "+=", "&", "|", "~", "^", "?", "??",
        ".", ".?", "..", ">>", "@", ":", ";", ",", "(", ")", "[", "]", "{", "}", "_", "1", "-2", "\"s\"", " ", " ",
        " ", "\n", "\n  ", "type", "use", "wh", "ret", "brk", "with", "if", "0.5", "--c\n",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..3000 {
        let mut src = String::new();
        let len = (seed >> 60) as usize + 4;
        for _ in 0..len * 3 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            src.push_str(pieces.get((seed % pieces.len() as u64) as usize).copied().unwrap_or(""));
        }
        let _ = parse_with_hints(&src);
    }
}

#[test]
fn no_panic_on_garbage() {
    for src in [
        "", ">", "f", "f>", "f>n;", "(", "f>n;(", "f>n;[", "f>n;{", "f>n;}", "\"", "f>n;?", "f>n;@", "f>n;.", "f>n;x.",
        "-", "f>n;-", "type", "use",
    ] {
        let _ = parse(src);
    }
}

mod sections;
