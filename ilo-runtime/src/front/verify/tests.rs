use super::*;
use crate::front::parser::parse;

fn diags(src: &str) -> Vec<Diagnostic> {
    match parse(src) {
        Ok(p) => verify(&p),
        Err(e) => panic!("{src:?} does not parse: {e:#?}"),
    }
}

fn errors(src: &str) -> Vec<Diagnostic> {
    diags(src)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

fn clean(src: &str) {
    let e = errors(src);
    assert!(e.is_empty(), "{src:?} should verify clean, got:\n{e:#?}");
}

/// The only diagnostic of `src` (error or hint), which must have `code`.
fn one(src: &str, code: &str) -> Diagnostic {
    let ds = diags(src);
    let [d] = ds.as_slice() else {
        panic!("{src:?}: expected one {code}, got {ds:#?}")
    };
    assert_eq!(d.code, code, "{src:?}: {d:#?}");
    d.clone()
}

#[test]
fn a_cause_is_reported_before_the_errors_it_causes() {
    let codes: Vec<&str> = errors("f x:n>n;+x \"a\"").iter().map(|d| d.code).collect();
    assert_eq!(codes, ["ILO-T005", "ILO-T016"]);
    // Unrelated errors stay in source order.
    let codes: Vec<&str> = errors("f>n;a=+1 \"x\";b=+2 \"y\";3").iter().map(|d| d.code).collect();
    assert_eq!(codes, ["ILO-T005", "ILO-T005"]);
}

fn suggestion(d: &Diagnostic) -> &str {
    d.suggestion.as_deref().unwrap_or("")
}

/// The source text a diagnostic points at.
fn at<'s>(src: &'s str, d: &Diagnostic) -> &'s str {
    src.get(d.span.range()).unwrap_or("")
}

// ------------------------------------------------------------ valid --

#[test]
fn seed_programs_verify_clean() {
    for src in [
        "tot p:n q:n r:n>n;s=*p q;t=*s r;+s t",
        "cls sp:n>t;>=sp 1000 \"gold\";>=sp 500 \"silver\";\"bronze\"",
        "fac n:n>n;<=n 1 1;r=fac -n 1;*n r",
        "fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b",
        "sm xs:L n>n;s=0;@x xs{s=+s x};s",
        "fst xs:L n>n;@x xs{>=x 10{ret x}};0",
        "evn>n;s=0;@i 0..7{r=mod i 2;!=r 0{cnt};s=+s i};s",
    ] {
        assert!(diags(src).is_empty(), "{src:?}: {:#?}", diags(src));
    }
}

#[test]
fn examples_verify_clean() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "ilo") {
            let src = std::fs::read_to_string(&path).unwrap_or_default();
            if let Ok(p) = parse(&src) {
                let e: Vec<Diagnostic> = verify(&p)
                    .into_iter()
                    .filter(|d| d.severity == Severity::Error)
                    .collect();
                assert!(e.is_empty(), "{}: {e:#?}", path.display());
                n += 1;
            }
        }
    }
    assert!(n > 40, "found only {n} examples");
}

/// Programs an agent plausibly writes: none may be reported.
#[test]
fn plausible_programs_verify_clean() {
    for src in [
    "wc s:t>n;ws=spl s \" \";len ws",
    "avg2 xs:L n>n;=(len xs) 0 0;/(sum xs) (len xs)",
    "rev-words s:t>t;cat (rev (spl s \" \")) \" \"",
    "mx xs:L n>n;m=hd xs;@x xs{>x m{m=x}};m",
    "cv s:t>n;c=0;@ch s{has \"aeiou\" ch{c=+c 1}};c",
    "type user{name:t;age:n}\nolder u:user>user;u with age:+u.age 1\nnames us:L user>L t;r=[];@u us{r=+=r u.name};r",
    "safe-div a:n b:n>R n t;=b 0 ^\"div by zero\";~/a b\ncalc a:n b:n>R n t;x=safe-div! a b;y=safe-div! x 2;~+x y",
    "freq xs:L t>M t n;m=mmap;@x xs{m=mset m x +(mget m x??0) 1};m",
    "top m:M t n>t;best=\"\";bn=-1;@k (mkeys m){v=mget m k;>v bn{best=k;bn=v}};best",
    "get-name s:t>R t t;d=jpar! s;n=d.name;~n",
    "clamp x:n lo:n hi:n>n;max lo (min x hi)",
    "sgn x:n>n;?>x 0 1 ?<x 0 -1 0",
    "pad s:t n:n>t;wh <(len s) n{s=+s \" \"};s",
    "fizz n:n>t;=(mod n 15) 0 \"FizzBuzz\";=(mod n 3) 0 \"Fizz\";=(mod n 5) 0 \"Buzz\";str n\nfizzes n:n>L t;r=[];@i 1..+n 1{r=+=r (fizz i)};r",
    "code s:t>n;?s{\"a\":1;\"b\":2;_:0}",
    "pos x:n>b;>x 0\ndbl x:n>n;*x 2\nf xs:L n>n;xs>>flt pos>>map dbl>>sum",
    "greet n:O t>t;+\"hi \" (n??\"you\")",
    "fst-neg xs:L n>O n;@x xs{<x 0{ret x}};nil",
    "idx xs:L t x:t>n;i=0;@y xs{=y x{ret i};i=+i 1};-1",
    "mid s:t>t;n=len s;slc s 1 -n 1",
    "main>n;prnt \"hello\";0",
    "home>t;?(env \"HOME\"){~v:v;^e:\"\"}",
    "nums s:t>R (L n) t;r=[];@m (rgx \"\\\\d+\" s){v=num! m;r=+=r v};~r",
    "desc x:_>t;?x{n v:\"num\";t v:\"text\";l v:fmt \"list {}\" (len v);_:\"other\"}",
    "cfg>R t t;env \"CFG\"\nuse-cfg>R n t;c=cfg!();~len c",
    "tot m:M t n>n;sum (mvals m)",
    "by-len xs:L t>M t L t;grp len xs",
    "mul a:n b:n>n;*a b\nprod xs:L n>n;fld mul xs 1",
    "type user{name:t;age:n}\nby-age us:L user>L user;srt age-of us\nage-of u:user>n;u.age",
    "ok x:n>b;&>x 0 <x 10",
    "f xss:L L n>L n;flat xss",
    "type pt{x:n;y:n}\nf p:pt>t;jdmp p",
    "save p:t s:t>R t t;wr p s",
    "lines p:t>R n t;ls=rdl! p;~len ls",
    "f xs:L n>L n;r=[];@x xs{<x 0{cnt};>x 100{brk};r=+=r x};r",
    "f x:n>n;>x 0{ret 1};<x 0{ret -1};0",
    "f s:t>b;=(trm s) \"\"",
    "f xs:L n>n;?xs{l v:len v;_:0}",
    "f x:n>t;r=\"\";>x 0{r=\"p\"}{<x 0{r=\"n\"}{r=\"z\"}};r",
    "f x:n>L _;[x \"a\" nil [x]]",
    "f>M t _;m=mset mmap \"a\" 1;mset m \"b\" \"two\"",
    "f>n;xs=[1 2 3];xs.0",
    "f xs:L n>n;a=xs.0;b=xs.1;+a b",
    "type t2{a:L n}\nf x:t2>n;sum x.a",
    "f x:n>R n t;y=?>x 0 ~x ^\"neg\";y",
    "f>R n t;r=~1;?r{~v:~+v 1;^e:^e}",
    "ck x:n>R n t;>x 0 ~x;^\"bad\"\nf x:n>t;?(ck x){~v:str v;^e:e}",
    "f a:n b:n>n;c=+a b;d=-c 1;e=*d 2;f2=/e 3;f2",
    "f s:t>L t;spl s \"\"",
    "f s:t>t;cat (srt (spl s \"\")) \"\"",
    "f xs:L n>b;has xs 3",
    "f m:M t n>b;mhas m \"a\"",
    "f m:M t n>M t n;mdel m \"a\"",
    "f>n;t=now;flr t",
    "f>n;rnd 1 6",
    "f s:t>L t;rgx \"a\" s",
    "f x:n>t;fmt \"{}-{}\" x \"y\"",
    "f s:t>R t t;jpth s \"a.b\"",
    "f s:t>n;len (unq (spl s \"\"))",
    "f xs:L n>n;min xs",
    "f xs:L n>L n;tl xs",
    ] {
        clean(src);
    }
}

#[test]
fn rebinding_learns_types_across_loop_iterations() {
    // `r` is `[]` before the loop and a list of numbers after one round.
    clean("sq n:n>L n;r=[];@i 0..n{r=+=r *i i};r");
    // `best` starts as nil and becomes a number inside the loop.
    clean("mx xs:L n>n;best=nil;@x xs{>x (best??0){best=x}};best??0");
    // A name first bound inside a loop or branch stays bound.
    clean("f n:n>n;@i 0..n{last=i};last");
    clean("f x:n>t;>x 3{r=\"big\"}{r=\"small\"};r");
    // A variable may be rebound with another type.
    clean("f x:n>t;y=x;y=str y;y");
    // A loop variable shadows only inside its loop.
    clean("f>n;x=100;@x [\"a\" \"b\"]{y=x};x");
    // Loop variables over texts and maps are text.
    clean("f s:t m:M t n>t;r=\"\";@c s{r=+r c};@k m{r=+r k};r");
}

#[test]
fn functions_and_builtins_as_values() {
    clean("dbl x:n>n;*x 2\nf xs:L n>L n;map dbl xs");
    clean("even x:n>b;=(mod x 2) 0\nf xs:L n>L n;flt even xs");
    clean("add a:n b:n>n;+a b\nf xs:L n>n;fld add xs 0");
    clean("f xs:L n>L t;map str xs");
    clean("f xs:L t>L t;srt len xs");
    clean("f xs:L t>M t L t;grp hd xs");
    clean("ap g:F n n x:n>n;g x\ndbl x:n>n;*x 2\nf>n;ap dbl 3");
    // Zero-parameter functions and builtins named bare are calls.
    clean("mk>n;42\nf>n;x=mk;y=mk();+x y");
    clean("f>b;>now 0");
    clean("f>n;r=rnd;*r 6");
}

#[test]
fn builtin_results_have_precise_types() {
    let d = one("dbl x:n>n;*x 2\nf xs:L n>L t;map dbl xs", RETURN_MISMATCH);
    assert!(d.message.contains("L t") && d.message.contains("L n"), "{}", d.message);
    one("f xs:L t>n;hd xs", RETURN_MISMATCH);
    clean("f s:t>t;hd s");
    clean("f m:M t n>n;v=mget m \"k\";v??0");
    clean("f>M t n;m=mmap;m=mset m \"a\" 1;mset m \"b\" 2");
    one("f>L n;mkeys (mset mmap \"a\" 1)", RETURN_MISMATCH);
    // `mset` with a new kind of value widens the map rather than failing.
    clean("f>t;jdmp (mset (mset mmap \"b\" \"x\") \"a\" [1 nil true])");
}

#[test]
fn type_variables_and_any_accept_anything() {
    clean("same x:a>a;x\nf>n;same 1\ng>t;same \"a\"");
    clean("f x:_>n;+x 1");
    clean("f x:_>t;x.name");
    clean("f s:t>R n t;d=jpar! s;~d.a.b");
    clean("f s:t>n;d=jpar s;?d{~v:len v;^e:0}");
    one("same x:a>a;x\nf>t;same 1", RETURN_MISMATCH);
}

#[test]
fn results_options_and_nil() {
    clean("f x:n>R n t;<x 0 ^\"neg\";~x");
    clean("h x:n>R n t;~x\nf x:n>R n t;y=h! x;h y");
    clean("f x:O n>n;x??0\ng>n;f nil");
    clean("f>O t;u=nil;u.?name");
    clean("f x:n>O n;?x{1:1;2:2}");
    clean("f>n;r=~1;?r{~v:v}");
    clean("f x:n>_;>x 5{\"big\"}");
    one("f>n;nil", RETURN_MISMATCH);
}

#[test]
fn use_declarations() {
    clean("use \"lib.ilo\" [area rect]\nf w:n>n;r=rect w:w h:w;area r");
    clean("use \"lib.ilo\"\nf x:n>n;r=sq x;g=perim;area r");
    clean("use \"lib.ilo\"\nf x:shape>n;x.w");
    one("use \"lib.ilo\" [area]\nf x:n>n;perim x", UNDEFINED_FUNCTION);
}

#[test]
fn bool_variable_followed_by_a_value_is_a_guard() {
    clean("f b:b>t;b \"yes\";\"no\"");
    one("f b:b>n;b \"yes\";1", RETURN_MISMATCH);
}

// ------------------------------------------------------------ codes --

#[test]
fn t001_undefined_name_suggests_the_nearest() {
    let d = one("f cnt-x:n>n;+cnt-y 1", UNDEFINED_NAME);
    assert_eq!(suggestion(&d), "cnt-x");
    let d = one("f>n;x=3;@i 0..3{y=i};i", UNDEFINED_NAME);
    assert_eq!(d.message, "undefined name `i`");
    // Match bindings are scoped to their arm.
    one("f r:R n t>n;?r{~v:v;^e:0};v", UNDEFINED_NAME);
    // Nothing close: a note instead.
    let d = one("f>n;zzzzzz", UNDEFINED_NAME);
    assert!(d.suggestion.is_none() && !d.notes.is_empty());
}

#[test]
fn t002_unknown_function_suggests_functions_and_builtins() {
    let src = "fac n:n>n;<=n 1 1;r=fca -n 1;*n r";
    let d = one(src, UNDEFINED_FUNCTION);
    assert_eq!((at(src, &d), suggestion(&d)), ("fca", "fac"));
    let d = one("f xs:L n>n;lne xs", UNDEFINED_FUNCTION);
    assert_eq!(suggestion(&d), "len");
}

#[test]
fn t003_arity_with_the_signature() {
    let src = "fac n:n>n;<=n 1 1;r=fac -n 1 2;*n r";
    let d = one(src, ARITY);
    assert_eq!(d.message, "`fac` takes 1 argument, but is given 2");
    assert_eq!(suggestion(&d), "`fac` takes n:n, returns n");
    let d = one("f>n;mod 1", ARITY);
    assert_eq!(suggestion(&d), "mod n n > n");
    let d = one("f>n;rnd 1", ARITY);
    assert_eq!(d.message, "`rnd` takes 0 or 2 arguments, but is given 1");
    one("ap g:F n n>n;g 1 2", ARITY);
    one("mk>n;1\nf>n;mk 1", ARITY);
    clean("f>t;fmt \"{} {} {}\" 1 \"a\" true");
    one("f>t;fmt()", ARITY);
}

#[test]
fn t004_type_mismatch_in_arguments_and_inside_values() {
    let src = "dbl x:n>n;*x 2\nf s:t>n;dbl s";
    let d = one(src, MISMATCH);
    assert_eq!(at(src, &d), "s");
    assert_eq!(d.message, "argument 1 of `dbl` must be `n`, but this is a text (`t`)");
    assert_eq!(suggestion(&d), "?(num s){~v:v;^e:0}");
    // Inside a list: the element is pointed at.
    let src = "sm xs:L n>n;sum xs\nf>n;sm [1 \"2\" 3]";
    let d = one(src, MISMATCH);
    assert_eq!((at(src, &d), suggestion(&d)), ("\"2\"", "2"));
    assert!(d.message.contains("`L n`, so this must be `n`"), "{}", d.message);
    // Builtins: the most likely signature is named.
    let d = one("f xs:L n>b;has xs \"a\"", MISMATCH);
    assert_eq!(d.message, "argument 2 of `has` must be `n`, but this is a text (`t`)");
    let d = one("f>n;len 5", MISMATCH);
    assert!(d.message.starts_with("`len` does not take (n)"), "{}", d.message);
    let d = one("f n:n>t;cat [1] n", MISMATCH);
    assert_eq!(suggestion(&d), "str n");
    // Record fields, range bounds, results, maps.
    one("type pt{x:n;y:n}\nf>pt;pt x:1 y:\"2\"", MISMATCH);
    let d = one("f s:t>n;c=0;@i 0..s{c=+c 1};c", MISMATCH);
    assert_eq!(d.message, "a range bound must be `n`, but this is a text (`t`)");
    one("g r:R n t>n;?r{~v:v;^e:0}\nf>n;g ~\"a\"", MISMATCH);
    one("g m:M t n>n;len m\nf>n;g (mset mmap \"a\" \"b\")", MISMATCH);
    one("g o:O n>n;o??0\nf>n;g \"a\"", MISMATCH);
}

#[test]
fn t005_operator_operands_with_conversions() {
    let src = "f n:n>t;+\"n=\" n";
    let d = one(src, OPERAND);
    assert_eq!((at(src, &d), suggestion(&d)), ("n", "+\"n=\" (str n)"));
    let d = one("f s:t>R n t;~*s 2", OPERAND);
    assert_eq!(suggestion(&d), "num! s");
    one("f a:b>n;-a 1", OPERAND);
    one("f a:b b:b>b;<a b", OPERAND);
    let d = one("f a:n b:t>b;<a b", OPERAND);
    assert_eq!(suggestion(&d), "str a");
    one("f>L n;+[1] [\"a\"]", OPERAND);
    one("f xs:L n>L n;+=xs \"a\"", OPERAND);
    let d = one("f s:t>t;+=s \"a\"", OPERAND);
    assert_eq!(suggestion(&d), "+s \"a\"");
    one("f a:b>n;+a 1", OPERAND);
    clean("f a:t b:t>b;>=a b");
    clean("f>L _;+[1] [\"a\" 2]");
}

#[test]
fn t006_unwrap_of_a_function_that_does_not_return_a_result() {
    let src = "dbl x:n>n;*x 2\nf x:n>R n t;y=dbl! x;~y";
    let d = one(src, UNWRAP_NOT_RESULT);
    assert_eq!((at(src, &d), suggestion(&d)), ("dbl", "dbl x"));
    one("f x:n>R n t;~abs! x", UNWRAP_NOT_RESULT);
}

#[test]
fn t007_unwrap_inside_a_function_that_does_not_return_a_result() {
    let d = one("f s:t>n;x=num! s;*x 2", UNWRAP_OUTSIDE_RESULT);
    assert!(d.notes.iter().any(|n| n.contains("R n t")), "{:?}", d.notes);
    // The error types must agree too (that is a return mismatch).
    one("g>R n n;~1\nf>R n t;x=g!();~x", RETURN_MISMATCH);
    clean("f s:t>_;x=num! s;x");
}

#[test]
fn t008_missing_match_arms() {
    let src = "f s:t>n;?(num s){~v:v}";
    let d = one(src, MISSING_ARM);
    assert_eq!((at(src, &d), suggestion(&d)), ("(num s)", "add `^e:…`"));
    let d = one("f r:R n t>t;?r{^e:e}", MISSING_ARM);
    assert_eq!(suggestion(&d), "add `~v:…`");
    let d = one("f b:b>n;?b{true:1}", MISSING_ARM);
    assert_eq!(suggestion(&d), "add `false:…`");
    let d = one("f b:b>n;b;?{}", MISSING_ARM);
    assert_eq!(suggestion(&d), "add `true:…;false:…`");
    clean("f b:b>n;?b{b v:1}");
    clean("f r:R n t>n;?r{_:1}");
    clean("f s:t>n;?s{\"a\":1}");
}

#[test]
fn t009_brk_cnt_outside_a_loop() {
    one("f x:n>n;>x 9{brk};x", OUTSIDE_LOOP);
    one("f x:n>n;>x 9{cnt};x", OUTSIDE_LOOP);
    clean("f>n;wh true{brk};1");
    clean("f xs:L n>n;@x xs{>x 1{@y xs{cnt}};brk};0");
}

#[test]
fn t010_t011_t012_t013_duplicates() {
    let d = one("f>n;1\nf>n;2", DUPLICATE_FUNCTION);
    assert_eq!(
        d.labels.first().map(|l| l.message.as_str()),
        Some("first declared here")
    );
    one("type pt{x:n}\ntype pt{y:n}", DUPLICATE_TYPE);
    one("f x:n x:n>n;x", DUPLICATE_PARAM);
    one("type pt{x:n;x:n}", DUPLICATE_FIELD);
    one("type pt{x:n}\nf>pt;pt x:1 x:2", DUPLICATE_FIELD);
}

#[test]
fn t014_unknown_fields() {
    let src = "type pt{x:n;y:n}\nf p:pt>n;p.yy";
    let d = one(src, UNKNOWN_FIELD);
    assert_eq!((at(src, &d), suggestion(&d)), ("yy", "y"));
    assert_eq!(d.notes, vec!["the fields of `pt` are `x`, `y`".to_string()]);
    one("type pt{x:n;y:n}\nf>pt;pt x:1 y:2 z:3", UNKNOWN_FIELD);
    one("type pt{x:n;y:n}\nf p:pt>pt;p with z:3", UNKNOWN_FIELD);
    one("type pt{x:n;y:n}\nf p:pt>n;{x;w}=p;x", UNKNOWN_FIELD);
    clean("type pt{x:n;y:n}\nf p:pt>n;{x;y}=p;q=p with x:5;+x q.y");
}

#[test]
fn t015_unknown_types() {
    let d = one("f x:int>n;x", UNKNOWN_TYPE);
    assert_eq!(suggestion(&d), "n");
    let d = one("type point{x:n}\nf p:L pont>n;len p", UNKNOWN_TYPE);
    assert_eq!(suggestion(&d), "point");
    let d = one("type point{x:n}\nf>point;pont x:1", UNKNOWN_TYPE);
    assert_eq!(suggestion(&d), "point");
    one("type pt{x:n;y:shape}", UNKNOWN_TYPE);
    clean("f>pt;pt x:1\ntype pt{x:n}");
}

#[test]
fn t016_return_type_mismatch() {
    let src = "f x:n>t;x";
    let d = one(src, RETURN_MISMATCH);
    assert_eq!(d.message, "`f` returns `t`, but this is a number (`n`)");
    assert_eq!(suggestion(&d), "str x");
    let d = one("f x:n>R n t;x", RETURN_MISMATCH);
    assert_eq!(suggestion(&d), "~x");
    let d = one("f s:t>n;num s", RETURN_MISMATCH);
    assert_eq!(suggestion(&d), "?(num s){~v:v;^e:…}");
    let d = one("f>R n t;^1", RETURN_MISMATCH);
    assert!(d.message.contains("`R n t`, so this must be `t`"), "{}", d.message);
    // Guards, `ret`, both branches of a conditional, every match arm.
    one("f x:n>n;>x 0 \"pos\";1", RETURN_MISMATCH);
    one("f x:n>n;@i 0..x{>i 2{ret \"a\"}};1", RETURN_MISMATCH);
    one("f x:n>n;>x 0{1}{\"a\"}", RETURN_MISMATCH);
    one("f x:n>t;?x{1:\"a\";_:2}", RETURN_MISMATCH);
    one("f x:n>t;?>x 0 \"a\" 2", RETURN_MISMATCH);
    // A loop as the last statement is nil.
    let d = one("f xs:L n>n;@x xs{>x 5{ret x}}", RETURN_MISMATCH);
    assert!(d.message.contains("loop"), "{}", d.message);
}

#[test]
fn t017_conditions_must_be_bools() {
    let src = "f x:n>n;x{1}{2}";
    let d = one(src, NOT_BOOL);
    assert_eq!((at(src, &d), suggestion(&d)), ("x", "!=x 0"));
    let d = one("f xs:L n>n;wh xs{brk};1", NOT_BOOL);
    assert_eq!(suggestion(&d), ">(len xs) 0");
    one("f s:t>n;?s 1 2", NOT_BOOL);
    clean("f m:M t n k:t>n;mget m k{1}{2}");
    clean("f s:t c:t>n;has s c{1}{2}");
}

#[test]
fn t018_missing_record_fields() {
    let src = "type pt{x:n;y:n;z:n}\nf>pt;pt x:1";
    let d = one(src, MISSING_FIELD);
    assert_eq!(d.message, "`pt` is missing fields `y`, `z`");
    assert_eq!(suggestion(&d), "add `y:… z:…`");
}

#[test]
fn t019_fields_and_indexes_of_values_without_them() {
    one("f x:n>n;x.foo", NO_FIELDS);
    let d = one("f xs:L n>n;xs.len", NO_FIELDS);
    assert_eq!(suggestion(&d), "len xs");
    one("f x:n>n;x.0", NO_FIELDS);
    one("f x:n>n;{a;b}=x;1", NO_FIELDS);
    one("f x:n>n;y=x with a:1;1", NO_FIELDS);
    let d = one("f>n;x=nil;x.a", NO_FIELDS);
    assert_eq!(suggestion(&d), ".?a");
    clean("f xs:L t s:t m:M t n>t;a=xs.0;b=s.1;c=m.k;+a b");
}

#[test]
fn t020_call_of_a_value_that_is_not_a_function() {
    let src = "f x:n>n;y=x 1;y";
    let d = one(src, NOT_FUNCTION);
    assert_eq!(at(src, &d), "x");
}

#[test]
fn t021_patterns_that_never_match() {
    one("f x:n>t;?x{\"1\":\"one\";_:\"other\"}", PATTERN_NEVER_MATCHES);
    one("f x:t>t;?x{~v:v;_:\"\"}", PATTERN_NEVER_MATCHES);
    one("f x:n>t;?x{t v:v;_:\"\"}", PATTERN_NEVER_MATCHES);
    clean("f x:_>t;?x{n v:str v;t v:v;~v:\"ok\";_:\"\"}");
    clean("f x:O n>n;?x{nil:0;n v:v}");
}

#[test]
fn t022_loops_over_values_that_are_not_collections() {
    let d = one("f n:n>n;s=0;@i n{s=+s i};s", NOT_ITERABLE);
    assert_eq!(suggestion(&d), "@i 0..n{…}");
}

#[test]
fn t030_t031_hints() {
    let d = one("f x:n>t;?x{_:\"any\";1:\"one\"}", UNREACHABLE_ARM);
    assert_eq!(d.severity, Severity::Hint);
    one("f x:n>t;?x{1:\"a\";1:\"b\";_:\"c\"}", UNREACHABLE_ARM);
    let d = one("f x:n>n;ret x;0", UNREACHABLE_STMT);
    assert_eq!(d.severity, Severity::Hint);
}

#[test]
fn reports_every_error_not_only_the_first() {
    let src = "f x:n>t;a=+x \"s\";b=lne a;c=zz;x";
    let codes: Vec<&str> = diags(src).iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        vec![OPERAND, UNDEFINED_FUNCTION, UNDEFINED_NAME, RETURN_MISMATCH]
    );
}

#[test]
fn fixes_quote_expressions_as_the_formatter_writes_them() {
    // Nested prefix operators need no parentheses, texts and numbers are
    // canonical, and results, lists and records are shown too.
    let d = one("f a:n b:n>t;+*a b 1", RETURN_MISMATCH);
    assert_eq!(suggestion(&d), "str (+*a b 1)");
    let d = one("f a:n>t;~[a 1]", RETURN_MISMATCH);
    assert_eq!(suggestion(&d), "?(~[a 1]){~v:v;^e:…}");
    let d = one("f s:t>t;+s 1e21", OPERAND);
    assert!(suggestion(&d).contains("1e21"), "{d:#?}");
    // Too long to quote: a placeholder.
    let long = format!("f>t;{}1", "+1 ".repeat(30));
    let d = one(&long, RETURN_MISMATCH);
    assert_eq!(suggestion(&d), "str (…)");
}

// --------------------------------------------------------- registry --

#[test]
fn every_code_is_registered_with_a_working_example() {
    for code in crate::codes::verify::ALL {
        let Some(info) = crate::codes::lookup(code) else {
            panic!("{code} is not in diagnostics/codes.toml")
        };
        // Lines without a comment are context; `-- wrong` / `-- hint`
        // lines must give the code, `-- right` / `-- canonical` none.
        let lines: Vec<&str> = info.example.lines().collect();
        let context: Vec<&str> = lines.iter().copied().filter(|l| !l.contains("--")).collect();
        let mut checked = 0;
        for line in lines.iter().filter(|l| l.contains("--")) {
            let src = format!("{}\n{line}", context.join("\n"));
            let found: Vec<&str> = diags(&src).iter().map(|d| d.code).collect();
            if line.contains("-- wrong") || line.contains("-- hint") {
                assert!(found.contains(code), "{code}: {src:?} gives {found:?}");
            } else {
                assert!(found.is_empty(), "{code}: {src:?} gives {found:?}");
            }
            checked += 1;
        }
        assert!(checked >= 2, "{code}: example needs a wrong and a right line");
    }
}

// ----------------------------------------------------------- limits --

#[test]
fn deep_nesting_within_the_parser_limit_is_fine() {
    let d = crate::front::parser::MAX_DEPTH - 2;
    clean(&format!("f>n;{}1{}", "(".repeat(d), ")".repeat(d)));
    clean(&format!("f>n;{}1", "+1 ".repeat(d)));
    clean(&format!("f x:n>n;{}x{}", ">x 0{".repeat(d / 2), "}".repeat(d / 2)));
    clean(&format!("f>{}n;{}1{}", "L ".repeat(40), "[".repeat(40), "]".repeat(40)));
    clean(&format!("f>_;{}1{}", "[".repeat(d), "]".repeat(d)));
}

#[test]
fn deep_hand_built_trees_do_not_overflow() {
    let span = Span::default();
    let mut e = Expr {
        kind: ExprKind::Lit(Lit::Num(1.0)),
        span,
    };
    for _ in 0..3000 {
        e = Expr {
            kind: ExprKind::Unary {
                op: UnOp::Neg,
                operand: Box::new(e),
            },
            span,
        };
    }
    let f = FuncDecl {
        name: Ident { name: "f".into(), span },
        params: vec![],
        ret: Type::Num,
        body: vec![Stmt {
            kind: StmtKind::Expr(e),
            span,
        }],
        span,
    };
    let p = Program {
        decls: vec![Decl::Func(f)],
    };
    assert!(verify(&p).is_empty());
}

/// Branch merging costs in proportion to the changes, not to the
/// number of variables (3000 conditionals over 3000 variables).
#[test]
fn many_variables_and_branches_are_fast() {
    let mut src = String::from("f>n;x0=1");
    for i in 1..3000 {
        src.push_str(&format!(";>x{} 0{{x{i}=+x{} 1}}{{x{i}=2}}", i - 1, i - 1));
    }
    src.push_str(";x2999");
    let p = parse(&src).map_err(|e| format!("{e:?}"));
    let Ok(p) = p else { panic!("{p:?}") };
    let t = std::time::Instant::now();
    assert!(verify(&p).is_empty());
    assert!(t.elapsed().as_secs() < 5, "took {:?}", t.elapsed());
}

#[test]
fn growing_types_stay_bounded() {
    let src = format!("f>_;x=1;{}x", "x=[x];".repeat(5000));
    clean(&src);
}

/// Valid programs with random edits: whatever still parses must
/// verify without a panic.
#[test]
fn mutated_programs_never_panic() {
    let corpus = [
        "type pt{a:n;b:t}\nf p:pt x:n>R n t;{a;b}=p;q=p with a:+x 1;>a 0 ^b;~q.a",
        "g xs:L n>n;s=0;@x xs{>x 3{brk};s=+s x};@i 0..3{s=*s 2};s",
        "h s:t>t;?(num s){~v:str v;^e:e};m=mset mmap s 1;r=mget m s;fmt \"{}\" r",
        "k r:R n t>n;x=r;?x{~v:v;^e:0};wh >x 0{x=-x 1};map dbl [1 2];x",
        "dbl x:n>n;*x 2\nu xs:L _>_;y=hd xs;z=xs.0;w=y.?a??z;[y z w]",
    ];
    let pieces = [
        "x", "a", "b", "1", "\"s\"", " ", "nil", "true", "[", "]", "(", ")", "{", "}", ";", "~", "^", "!", "-", "+",
        "*", ">", "=", ".", "?", "@", "L ", "R n ", "pt", "len ", "map ", "fmt ", "brk", "ret ", "_", ":",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut verified = 0;
    for i in 0..6000 {
        let mut src = corpus.get(i % corpus.len()).copied().unwrap_or("").to_string();
        for _ in 0..(next() % 3 + 1) {
            let pos = (next() as usize) % (src.len() + 1);
            if !src.is_char_boundary(pos) {
                continue;
            }
            let piece = pieces.get((next() as usize) % pieces.len()).copied().unwrap_or("");
            if next() % 2 == 0 {
                src.insert_str(pos, piece);
            } else {
                let end = (pos + 1 + (next() as usize) % 4).min(src.len());
                if src.is_char_boundary(end) {
                    src.replace_range(pos..end, piece);
                }
            }
        }
        if let Ok(p) = parse(&src) {
            verify(&p);
            verified += 1;
        }
    }
    assert!(verified > 500, "only {verified} mutated programs parsed");
}
