//! The corners of the language the examples touch lightly: scoping,
//! statement values, control flow out of nested blocks, callbacks from
//! higher-order builtins, limits. Each program must compile for the register
//! VM (no fallback) and agree with the tree interpreter in printed result or
//! error code; `gives` also checks that answer, so these are the tree
//! interpreter's tests as well.

use crate::engine::{Arg, Engine, Loaded};
// The run-time codes, as `code::NAME`.
use crate::codes::runtime as code;
use crate::error::Limits;

pub(crate) fn outcome(
    loaded: &Loaded,
    func: &str,
    args: &[&str],
    engine: Engine,
    limits: Limits,
) -> (Result<String, &'static str>, Option<Engine>) {
    let f = loaded
        .program
        .func(func)
        .unwrap_or_else(|| panic!("no function {func}"));
    let args: Vec<Arg> = f
        .params
        .iter()
        .zip(args)
        .map(|(p, a)| Arg::parse(a, &p.ty).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    match loaded.run(func, &args, engine, limits) {
        Ok(o) => (Ok(o.printed), Some(o.engine)),
        Err(e) => (Err(e.code), None),
    }
}

/// Runs `func` of `src` on both engines and returns the register VM's result.
#[track_caller]
fn same_with(src: &str, func: &str, args: &[&str], limits: Limits) -> Result<String, &'static str> {
    let program = crate::front::parser::parse(src).unwrap_or_else(|d| panic!("parse error in {src:?}: {d:?}"));
    let loaded = Loaded::new(program);
    if let Err(u) = loaded.reg() {
        panic!("{src}: the register VM cannot compile it: {u}");
    }
    let (want, _) = outcome(&loaded, func, args, Engine::Tree, limits);
    let (got, engine) = outcome(&loaded, func, args, Engine::Reg, limits);
    assert!(matches!(engine, Some(Engine::Reg) | None), "{src}: ran on {engine:?}");
    assert_eq!(got, want, "{src} {args:?}");
    got
}

/// The first function of `src`, default limits.
#[track_caller]
fn same(src: &str, args: &[&str]) -> Result<String, &'static str> {
    let name = src.split([' ', '>', ':']).next().unwrap_or("").to_string();
    same_with(src, &name, args, Limits::default())
}

#[track_caller]
fn gives(src: &str, args: &[&str], want: &str) {
    assert_eq!(same(src, args), Ok(want.to_string()), "{src}");
}

#[test]
fn seed_programs() {
    gives("tot p:n q:n r:n>n;s=*p q;t=*s r;+s t", &["10", "20", "30"], "6200");
    gives("fac n:n>n;<=n 1 1;r=fac -n 1;*n r", &["5"], "120");
    gives("fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b", &["10"], "55");
    gives(
        "cls sp:n>t;>=sp 1000 \"gold\";>=sp 500 \"silver\";\"bronze\"",
        &["700"],
        "silver",
    );
    gives("sm xs:L n>n;s=0;@x xs{s=+s x};s", &["1,2,3"], "6");
    gives("fst xs:L n>n;@x xs{>=x 10{ret x}};0", &["1,12,30"], "12");
    gives("evn>n;s=0;@i 0..7{r=mod i 2;!=r 0{cnt};s=+s i};s", &[], "12");
}

#[test]
fn statement_values_and_guards() {
    gives("f b:b>n;b 1;2", &["true"], "1");
    gives("f b:b>n;b 1;2", &["false"], "2");
    // A comparison that is the last statement is the value.
    gives("pos x:n>b;>x 0", &["3"], "true");
    gives("pos x:n>b;>x 0", &["-3"], "false");
    gives("f x:n>t;!>x 0 \"neg\";\"pos\"", &["-1"], "neg");
    gives("f x:n>t;!>x 0 \"neg\";\"pos\"", &["1"], "pos");
    gives("f x:n>t;>x 0{\"pos\"}{\"neg\"}", &["1"], "pos");
    gives("f x:n>n;r=0;>x 0{r=1};+r 10", &["-5"], "10");
    // `&` and `|` short-circuit and return a bool.
    gives("f x:n>b;&>x 0 <x 10", &["5"], "true");
    gives("f x:n>b;|>x 10 <x 0", &["5"], "false");
    gives("f>_;!nil", &[], "true");
    gives("f>_;!0", &[], "false");
    gives("f x:n>t;?>x 0 \"a\" \"b\"", &["1"], "a");
    gives("f x:n>_;>x 0{1}", &["-5"], "nil");
    gives("f x:n>t;>x 0{\"pos\"}{\"neg\"}", &["-1"], "neg");
    gives("f x:n>n;r=0;>x 0{r=1};+r 10", &["5"], "11");
    gives("f>_;&nil (hd [])", &[], "false");
    gives("f>_;|1 (hd [])", &[], "true");
    gives("f>_;&1 2", &[], "true");
    gives("f x:n>b;a=true;a=&a >x 2;a", &["3"], "true");
    gives("f x:n>t;?>x 0 \"a\" \"b\"", &["0"], "b");
    gives("f x:n>n;ret *x 2;99", &["4"], "8");
    gives("f x:n>_;@i 0..2{i}", &["1"], "nil");
}

#[test]
fn loops_and_scoping() {
    gives("f>n;s=0;@i 0..5{s=+s i};s", &[], "10");
    gives("f>n;s=0;@i 3..3{s=+s 1};s", &[], "0");
    gives("f>n;i=0;wh true{i=+i 1;>=i 7{brk}};i", &[], "7");
    // Guards inside loops return from the function.
    gives("f xs:L n>n;@x xs{>x 2 x};0", &["1,5,2"], "5");
    gives("f>n;s=0;@i 0..10{>=i 4{brk};s=+s i};s", &[], "6");
    gives("f>n;i=0;s=0;wh <i 5{i=+i 1;=i 2{cnt};s=+s i};s", &[], "13");
    gives("f s:t>L t;r=[];@c s{r=+=r c};r", &["héy"], "[h, é, y]");
    gives("f>n;s=0;@i 0..3{@j 0..3{>j i{brk};s=+s 1}};s", &[], "6");
    gives("f>n;x=100;@x [1 2 3]{x};x", &[], "100");
    gives("f>n;@i 0..3{last=i};last", &[], "2");
    gives("f>n;@i 0..3{@j 0..3{=j 2{ret +(*i 10) j}}};0", &[], "2");
    // A variable first a number, then not: the typed ops must not be used.
    gives("f>_;x=1;@i 0..3{x=?=i 2 \"a\" +x 1};x", &[], "a");
    gives("f>_;x=1;@i 0..3{x=?=i 2 \"a\" +x 1;y=x};y", &[], "a");
    gives("f>_;s=0;@x [1 \"a\"]{s=+s 1};s", &[], "2");
    // Rebinding the loop variable does not change the iteration.
    gives("f>n;s=0;@i 0..4{i=10;s=+s 1};s", &[], "4");
    same("f>n;@i \"a\"..3{1};0", &[]).ok();
    // A variable bound only in a block that did not run has no value.
    assert_eq!(same("f x:n>_;>x 0{y=1};y", &["-1"]), Err(code::UNBOUND));
    gives("f x:n>_;>x 0{y=1};y", &["1"], "1");
    assert_eq!(same("f x:n>_;@i 0..x{y=i};y", &["0"]), Err(code::UNBOUND));
    gives("f x:n>_;@i 0..x{y=i};y", &["3"], "2");
    gives("f x:n>_;@i 0..x{y=i;z=y};9", &["3"], "9");
    // The late variable's register is not a temporary before its binding
    // (it held the `1` of `>n 1`: fuzz finding F1).
    assert_eq!(same("f n:n>n;wh >n 1{c=7};c", &["0"]), Err(code::UNBOUND));
    // Read before its binding in a loop body: the value of the previous
    // iteration, on the first the function of that name.
    gives("f n:n>n;s=0;@i 0..3{s=+s y;y=i};s\ny>n;9", &["0"], "10");
}

#[test]
fn matches() {
    let m = "f x:_>t;?x{1:\"one\";\"a\":\"text a\";true:\"yes\";nil:\"none\";n v:str v;t v:+v \"!\";l v:\"list\";_:\"other\"}";
    for (a, want) in [
        ("1", "one"),
        ("2", "2"),
        ("a", "text a"),
        ("b", "b!"),
        ("true", "yes"),
        ("[1,2]", "list"),
        ("1,2", "1,2!"),
    ] {
        gives(m, &[a], want);
    }
    gives("f x:n>t;r=?>x 0 ~x ^\"neg\";?r{~v:str v;^e:e}", &["-3"], "neg");
    gives("f x:n>t;r=?>x 0 ~x ^\"neg\";?r{~v:str v;^e:e}", &["3"], "3");
    gives("f x:n>t;*x 2;?{4:\"four\";_:\"other\"}", &["2"], "four");
    gives("f x:n>t;*x 2;?{4:\"four\";_:\"other\"}", &["3"], "other");
    gives("f>_;?false{b v:!v;_:0}", &[], "true");
    gives("f x:n>_;?x{1:\"one\"}", &["2"], "nil");
    gives("f>n;v=7;r=~1;?r{~v:v};v", &[], "7");
    gives("f>_;?[1]{l v:len v;_:0}", &[], "1");
    gives("f>_;?{_:1}", &[], "1");
}

#[test]
fn results_records_and_values() {
    let src = "half x:n>R n t;=(mod x 2) 0 ~/x 2;^\"odd\"\nq x:n>R n t;h=half! x;~+h 100";
    assert_eq!(same_with(src, "q", &["3"], Limits::default()), Ok("^odd".into()));
    assert_eq!(same_with(src, "q", &["4"], Limits::default()), Ok("~102".into()));
    assert_eq!(same_with(src, "half", &["4"], Limits::default()), Ok("~2".into()));
    gives("f>_;[~1 ^2]", &[], "[~1, ^2]");
    // Field order in the construction does not matter.
    let src = "type pt{x:n;y:n}\nmk a:n>pt;pt y:2 x:a\nmv a:n>pt;p=mk a;p with x:9\ngx a:n>n;p=mk a;p.x\nds a:n>n;{x;y}=mk a;+x y\nsf>_;p=nil;p.?x\neqp>b;=(mk 1) (mk 1)";
    for (f, want) in [
        ("mk", "pt {x: 1, y: 2}"),
        ("mv", "pt {x: 9, y: 2}"),
        ("gx", "1"),
        ("ds", "3"),
    ] {
        assert_eq!(same_with(src, f, &["1"], Limits::default()), Ok(want.into()), "{f}");
    }
    for (f, want) in [("sf", "nil"), ("eqp", "true")] {
        assert_eq!(same_with(src, f, &[], Limits::default()), Ok(want.into()), "{f}");
    }
    gives("f>n;x=nil;x??5", &[], "5");
    gives("f>n;x=3;x??(hd [])", &[], "3");
    gives("f xs:L n>n;xs.1", &["5,6,7"], "6");
    gives("f>_;[[1 2] [3 4]].1.0", &[], "3");
    assert_eq!(same("f xs:L n>n;xs.3", &["5,6,7"]), Err(code::INDEX));
    assert_eq!(same("f>_;mod 1 0", &[]), Err(code::MOD_ZERO));
    assert_eq!(same("f>_;+1 \"a\"", &[]), Err(code::TYPE));
}

#[test]
fn operators_on_values() {
    gives("f>_;+[1 2] [3]", &[], "[1, 2, 3]");
    gives("f>_;+\"ab\" \"cd\"", &[], "abcd");
    gives("f>_;+=[1 2] 3", &[], "[1, 2, 3]");
    gives("f>_;=[1 [2]] [1 [2]]", &[], "true");
    gives("f>_;!=[1 2] [1 2]", &[], "false");
    gives("f>_;<\"a\" \"b\"", &[], "true");
    gives("f>_;/1 0", &[], "inf");
    gives("f>_;/-1 0", &[], "-inf");
    gives("f>_;mod -7 3", &[], "-1");
    assert_eq!(same("f>_;<1 \"a\"", &[]), Err(code::TYPE));
}

#[test]
fn functions_as_values_and_callbacks() {
    let src = "dbl x:n>n;*x 2\nf xs:L n>L n;map dbl xs\nap g:F n n x:n>n;g x\nh>n;ap dbl 21\nk>_;map str [1 2]\nsm xs:L n>n;fld add xs 0\nadd a:n b:n>n;+a b";
    assert_eq!(same_with(src, "f", &["1,2"], Limits::default()), Ok("[2, 4]".into()));
    assert_eq!(same_with(src, "h", &[], Limits::default()), Ok("42".into()));
    assert_eq!(same_with(src, "k", &[], Limits::default()), Ok("[1, 2]".into()));
    assert_eq!(same_with(src, "sm", &["1,2,3"], Limits::default()), Ok("6".into()));
    // Zero-parameter functions and builtins named bare are called.
    let src = "mk>n;42\nf>n;+mk 1\ng>n;m=mmap;len m\nh>n;mk()";
    for (f, want) in [("f", "43"), ("g", "0"), ("h", "42")] {
        assert_eq!(same_with(src, f, &[], Limits::default()), Ok(want.into()), "{f}");
    }
    // A variable named like a function: called when it holds a function,
    // else the function of that name is.
    let src = "dbl x:n>n;*x 2\nf>_;dbl=3;dbl 4\ng>_;len=str;len 42\nh x:n>_;>x 0{len=str};len 42";
    assert_eq!(same_with(src, "f", &[], Limits::default()), Ok("8".into()));
    assert_eq!(same_with(src, "g", &[], Limits::default()), Ok("42".into()));
    for x in ["1", "-1"] {
        same_with(src, "h", &[x], Limits::default()).ok();
    }
    // A callback that recurses: map inside map.
    let src = "inc x:n>n;+x 1\nrow x:n>L n;map inc [x x]\ngrid>_;map row [1 2]";
    assert_eq!(
        same_with(src, "grid", &[], Limits::default()),
        Ok("[[2, 2], [3, 3]]".into())
    );
}

#[test]
fn limits_count_the_same() {
    let limit = |d, s| Limits {
        max_depth: d,
        max_steps: s,
        ..Limits::default()
    };
    assert_eq!(same("f n:n>n;f +n 1", &["0"]), Err(code::DEPTH));
    let deep = "d n:n>n;<=n 0 0;r=d -n 1;+r 1";
    assert_eq!(same_with(deep, "d", &["9000"], Limits::default()), Ok("9000".into()));
    assert_eq!(same_with(deep, "d", &["100"], limit(50, None)), Err(code::DEPTH));
    for n in ["48", "49", "50", "100"] {
        same_with(deep, "d", &[n], limit(50, None)).ok();
    }
    let ten = "s>n;s=0;@i 0..10{s=+s i};s";
    assert_eq!(same_with(ten, "s", &[], limit(100, Some(11))), Ok("45".into()));
    assert_eq!(same_with(ten, "s", &[], limit(100, Some(10))), Err(code::STEPS));
    let spin = "s>n;i=0;wh true{i=+i 1};i";
    assert_eq!(same_with(spin, "s", &[], limit(100, Some(1000))), Err(code::STEPS));
    // Calls made by a higher-order builtin count as steps and depth.
    let src = "inc x:n>n;+x 1\nf>_;map inc [1 2 3]\nr n:n>_;<=n 0 0;map r [-n 1]";
    for steps in [3, 4, 5] {
        same_with(src, "f", &[], limit(100, Some(steps))).ok();
    }
    for (d, n) in [(5, "3"), (5, "4"), (5, "5"), (3, "10")] {
        same_with(src, "r", &[n], limit(d, None)).ok();
    }
}

#[test]
fn deep_recursion_through_callbacks_ends_at_the_depth_limit() {
    let src = "r n:n>_;<=n 0 0;map r [-n 1]";
    let high = Limits {
        max_depth: 20_000,
        max_steps: None,
        ..Limits::default()
    };
    same_with(src, "r", &["9000"], high).ok();
    assert_eq!(same_with(src, "r", &["30000"], high), Err(code::DEPTH));
}
