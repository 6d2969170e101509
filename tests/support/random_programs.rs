//! Random programs that build, alias, grow and nest lists, texts, maps and
//! records inside loops, across calls and through higher-order builtins'
//! callbacks; each defines `f>L _`. Shared by the collector's stress test
//! and the Python transpiler's differential test (included with `#[path]`).

use proptest::prelude::*;

/// The helpers every program may call: one that allocates and returns a
/// text (so a callback's result must survive), one that appends, and a
/// record type.
const PRELUDE: &str = "type pt{x:L n;y:t}\n\
    tag x:n>t;+\"#\" (str x)\n\
    grow xs:L n k:n>L n;r=xs;@i 0..k{r=+=r i};r\n\
    keep p:pt>L n;p.x\n";

/// One statement over the variables `a`, `b` (lists of numbers), `s`, `t`
/// (texts), `m` (a map of text to list) and `p`, `q` (records), which the
/// program binds before its loop. Each keeps every variable's type, so
/// any sequence of them checks.
fn stmt() -> impl Strategy<Value = String> {
    let k = 0..20u32;
    prop_oneof![
        k.clone().prop_map(|k| format!("a=+=a {k}")),
        Just("b=a".to_string()),
        k.clone().prop_map(|k| format!("b=+=b {k}")),
        // Concatenations, bounded so a long loop stays small.
        Just("a=?(<(len a) 300) (+a b) a".to_string()),
        Just("a=?(<(len a) 300) (+b a) a".to_string()),
        k.clone().prop_map(|k| format!("a=grow a {}", k % 5)),
        Just("a=map dbl a".to_string()),
        Just("a=flt pos a".to_string()),
        k.clone().prop_map(|k| format!("s=+s \"x{k}\"")),
        Just("t=s".to_string()),
        Just("s=+t \"y\"".to_string()),
        // Doubling, bounded so a long loop stays small.
        Just("s=?(<(len s) 4000) (+s s) s".to_string()),
        Just("s=+s (tag (len a))".to_string()),
        Just("t=cat (map tag a) \",\"".to_string()),
        k.clone().prop_map(|k| format!("m=mset m \"k{}\" a", k % 4)),
        Just("m=mset m s b".to_string()),
        Just("p=pt x:a y:s".to_string()),
        Just("q=p with y:t".to_string()),
        Just("q=q with x:(+=q.x 7)".to_string()),
        Just("b=keep q".to_string()),
        Just("a=srt neg a".to_string()),
    ]
}

/// A statement of the loop's body: any [`stmt`], or one that reads the
/// counter `i`, printed (which the Python translation may count in ints)
/// or kept in a list (which it may not).
fn loop_stmt() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => stmt(),
        1 => Just("k=str i;s=+s k".to_string()),
        1 => Just("s=+s (str i)".to_string()),
        1 => Just("a=+=a i".to_string()),
    ]
}

/// Where the loop's counter starts: whole, negative, `-0`, or not whole.
fn loop_start() -> impl Strategy<Value = &'static str> {
    prop_oneof![4 => Just("0"), 1 => Just("-2"), 1 => Just("1"), 1 => Just("-0"), 1 => Just("0.5")]
}

/// A program: the prelude, then `f` with statements before, inside and
/// after a loop, returning every variable so all of them are compared.
pub fn program() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(stmt(), 0..4),
        prop::collection::vec(loop_stmt(), 1..8),
        loop_start(),
        1..12u32,
        prop::collection::vec(stmt(), 0..4),
    )
        .prop_map(|(before, body, start, n, after)| {
            let mut src = String::from(PRELUDE);
            src.push_str("dbl x:n>n;*x 2\npos x:n>b;>x 3\nneg x:n>n;*x -1\n");
            src.push_str("f>L _;a=[1 2];b=[];s=\"s\";t=\"\";m=mmap;p=pt x:a y:s;q=p;");
            for s in &before {
                src.push_str(s);
                src.push(';');
            }
            src.push_str(&format!("@i {start}..{n}{{{}}};", body.join(";")));
            for s in &after {
                src.push_str(s);
                src.push(';');
            }
            src.push_str("[a b s t m p q]");
            src
        })
}
