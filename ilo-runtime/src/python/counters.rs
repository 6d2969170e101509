//! Whole-number loop counters. `@i 0..n{… str i …}` counts in floats, as
//! ilo does, and each `str i` then formats a float (`_fmt_num`, several
//! times the cost of `str` of an int). When the range starts at a whole
//! literal and the counter is read only as the argument of the builtin
//! `str`, the loop counts in Python ints instead (`_whole_range`): the same
//! whole numbers, which `str` prints exactly as ilo prints those floats, and
//! no int ever reaches the rest of the program.

use crate::builtins::Builtin;
use crate::front::ast::*;
use crate::front::visit::{for_each_binding, for_each_expr};

/// Past this a float counter stops growing (`i+1 == i`), which
/// `_whole_range` reproduces; below it every whole float is exact.
const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53

/// The start of `@var from..to{body}` as a Python int literal, when the
/// loop may count in ints: `from` is a whole literal (not `-0`, which `str`
/// prints as `-0`) and `body` reads `var` only as `str var`. Neither may
/// name a function of the program (`is_func`), nor `var` a builtin, nor
/// may the function bind a variable `str` (`str_bound`): then a read of
/// `var` or a call of `str` could mean something else.
pub(super) fn whole_start(
    var: &str,
    from: &Expr,
    body: &[Stmt],
    is_func: impl Fn(&str) -> bool,
    str_bound: bool,
) -> Option<String> {
    let ExprKind::Lit(Lit::Num(a)) = from.kind else {
        return None;
    };
    let whole = a.fract() == 0.0 && a.abs() < EXACT && !(a == 0.0 && a.is_sign_negative());
    let names_free = !str_bound && !is_func("str") && !is_func(var) && Builtin::from_name(var).is_none();
    (whole && names_free && only_printed(var, body)).then(|| format!("{}", a as i64))
}

/// `body` binds no other `var` and reads `var` only as `str var`.
fn only_printed(var: &str, body: &[Stmt]) -> bool {
    let mut rebound = false;
    for_each_binding(body, |name, _| rebound |= name.name == var);
    let (mut reads, mut printed, mut called) = (0usize, 0usize, false);
    for_each_expr(body, |e| match &e.kind {
        ExprKind::Name(n) if n == var => reads += 1,
        ExprKind::Call { func, args, .. } => {
            called |= func.name == var;
            let is_str = Builtin::from_name(&func.name) == Some(Builtin::Str);
            if is_str && matches!(args.as_slice(), [Expr { kind: ExprKind::Name(n), .. }] if n == var) {
                printed += 1;
            }
        }
        _ => {}
    });
    !rebound && !called && reads == printed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::front::check;

    /// The start `whole_start` gives the first `@i a..b` of `f`'s body.
    fn start(src: &str) -> Option<String> {
        let prog = check(src).expect("valid");
        let f = prog
            .decls
            .iter()
            .find_map(|d| match d {
                Decl::Func(f) if f.name.name == "f" => Some(f),
                _ => None,
            })
            .expect("f");
        let (var, from, body) = f
            .body
            .iter()
            .find_map(|s| match &s.kind {
                StmtKind::ForRange { var, from, body, .. } => Some((var, from, body)),
                _ => None,
            })
            .expect("a range loop");
        let is_func = |n: &str| {
            prog.decls
                .iter()
                .any(|d| matches!(d, Decl::Func(g) if g.name.name == n))
        };
        whole_start(&var.name, from, body, is_func, false)
    }

    #[test]
    fn a_counter_only_printed_from_a_whole_start_counts_in_ints() {
        assert_eq!(start("f n:n>t;s=\"\";@i 0..n{k=str i;s=+s k};s").as_deref(), Some("0"));
        assert_eq!(
            start("f n:n>t;s=\"\";@i 3..n{k=str i;s=+s k;j=str i;s=+s j};s").as_deref(),
            Some("3")
        );
    }

    #[test]
    fn any_other_read_or_start_keeps_floats() {
        // Arithmetic on the counter, a non-whole or `-0` start, a start
        // that is no literal, a counter that names a function.
        assert_eq!(start("f n:n>n;s=0;@i 0..n{s=+s i};s"), None);
        assert_eq!(start("f n:n>t;s=\"\";@i 0.5..n{k=str i;s=+s k};s"), None);
        assert_eq!(start("f n:n>t;s=\"\";@i -0..n{k=str i;s=+s k};s"), None);
        assert_eq!(start("f n:n>t;s=\"\";@i n..9{k=str i;s=+s k};s"), None);
        assert_eq!(start("f n:n>t;s=\"\";@i 0..n{k=str i;s=+s k;j=+i 1};s"), None);
        assert_eq!(start("g x:n>n;x\nf n:n>t;s=\"\";@g 0..n{k=str g;s=+s k};s"), None);
    }
}
