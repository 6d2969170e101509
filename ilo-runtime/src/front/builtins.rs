//! The builtin signature table (spec section 5): the types the verifier
//! checks calls against, and one line of documentation per signature, for
//! other engines, the runtime and tooling.
//!
//! Signatures use ilo's type syntax as text (`L a`, `M _ v`, `R (L t) t`,
//! `F a c a`), with single lower-case letters other than `n t b` as type
//! variables bound per call, and one extension: `v|w` is the join of both
//! variables (used by `mset`, which may widen a map's value type).
//!
//! Overloaded builtins have several entries with the same name, next to each
//! other ([`signatures`]): `len` of text, list or map; `hd tl rev srt unq
//! slc has map flt fld grp` of list or text; `srt xs` / `srt f xs`; `rnd` /
//! `rnd a b`; `min a b` / `min xs`. `fmt` is variadic: its last parameter
//! repeats zero or more times.

/// One signature of a builtin.
#[derive(Debug)]
pub struct Builtin {
    pub name: &'static str,
    /// The type text of each parameter, e.g. `L a`.
    pub params: &'static [&'static str],
    /// The type text of the result.
    pub ret: &'static str,
    pub doc: &'static str,
    /// The last parameter may be repeated zero or more times (`fmt`).
    pub variadic: bool,
}

impl Builtin {
    /// Whether `n` arguments fit this signature.
    pub fn accepts(&self, n: usize) -> bool {
        if self.variadic {
            n + 1 >= self.params.len()
        } else {
            n == self.params.len()
        }
    }

    /// The parameter text for argument `i` (repeating a variadic tail).
    pub fn param(&self, i: usize) -> Option<&'static str> {
        match self.params.get(i) {
            Some(p) => Some(p),
            None if self.variadic => self.params.last().copied(),
            None => None,
        }
    }

    /// The signature as a call shape: `slc L a n n > L a`, `fmt t _… > t`.
    pub fn shape(&self) -> String {
        let mut s = self.name.to_string();
        for p in self.params {
            s.push(' ');
            if p.contains(' ') {
                s.push('(');
                s.push_str(p);
                s.push(')');
            } else {
                s.push_str(p);
            }
        }
        if self.variadic {
            s.push('…');
        }
        s.push_str(" > ");
        s.push_str(self.ret);
        s
    }
}

const fn b(
    name: &'static str,
    params: &'static [&'static str],
    ret: &'static str,
    variadic: bool,
    doc: &'static str,
) -> Builtin {
    Builtin {
        name,
        params,
        ret,
        doc,
        variadic,
    }
}

/// The first signature of builtin `name` (short names only).
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    TABLE.iter().find(|b| b.name == name)
}

/// Every signature of builtin `name`, in the order the verifier tries them
/// (empty when there is no such builtin).
pub fn signatures(name: &str) -> &'static [Builtin] {
    let Some(start) = TABLE.iter().position(|b| b.name == name) else {
        return &[];
    };
    let rest = TABLE.get(start..).unwrap_or(&[]);
    let len = rest.iter().take_while(|b| b.name == name).count();
    rest.get(..len).unwrap_or(&[])
}

/// Every signature, grouped by name.
pub fn all() -> &'static [Builtin] {
    TABLE
}

/// Every builtin name once, in table order.
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE
        .iter()
        .enumerate()
        .filter(|(i, b)| *i == 0 || TABLE.get(i - 1).map(|p| p.name) != Some(b.name))
        .map(|(_, b)| b.name)
}

static TABLE: &[Builtin] = &[
    b("len", &["t"], "n", false, "`len s`: bytes of a text"),
    b("len", &["L a"], "n", false, "`len xs`: elements of a list"),
    b("len", &["M _ v"], "n", false, "`len m`: entries of a map"),
    b(
        "str",
        &["_"],
        "t",
        false,
        "`str x`: a number (or any value) as text; integers print without `.0`",
    ),
    b("num", &["t"], "R n t", false, "`num s`: parse text as a number"),
    b("num", &["n"], "R n t", false, "`num x` of a number is `~x`"),
    b("abs", &["n"], "n", false, "`abs x`: absolute value"),
    b("min", &["n", "n"], "n", false, "`min a b`: the smaller number"),
    b(
        "min",
        &["L n"],
        "n",
        false,
        "`min xs`: the smallest of a non-empty list (accepted form)",
    ),
    b("max", &["n", "n"], "n", false, "`max a b`: the larger number"),
    b(
        "max",
        &["L n"],
        "n",
        false,
        "`max xs`: the largest of a non-empty list (accepted form)",
    ),
    b("flr", &["n"], "n", false, "`flr x`: round down"),
    b("cel", &["n"], "n", false, "`cel x`: round up"),
    b("rou", &["n"], "n", false, "`rou x`: round half away from zero"),
    b(
        "mod",
        &["n", "n"],
        "n",
        false,
        "`mod a b`: remainder with the sign of `a`; `mod a 0` is a run-time error",
    ),
    b("sum", &["L n"], "n", false, "`sum xs`: sum, 0 for empty"),
    b(
        "avg",
        &["L n"],
        "n",
        false,
        "`avg xs`: mean; a run-time error for empty",
    ),
    b("hd", &["L a"], "a", false, "`hd xs`: first element"),
    b("hd", &["t"], "t", false, "`hd s`: first character"),
    b("tl", &["L a"], "L a", false, "`tl xs`: all but the first element"),
    b("tl", &["t"], "t", false, "`tl s`: all but the first character"),
    b("rev", &["L a"], "L a", false, "`rev xs`: reversed list"),
    b("rev", &["t"], "t", false, "`rev s`: reversed text"),
    b("srt", &["L n"], "L n", false, "`srt xs`: numbers ascending"),
    b("srt", &["L t"], "L t", false, "`srt xs`: texts by bytes"),
    b("srt", &["t"], "t", false, "`srt s`: the characters sorted"),
    b(
        "srt",
        &["F a _", "L a"],
        "L a",
        false,
        "`srt f xs`: sorted by the key `f x`",
    ),
    b(
        "srt",
        &["F t _", "t"],
        "L t",
        false,
        "`srt f s`: the characters sorted by key",
    ),
    b(
        "unq",
        &["L a"],
        "L a",
        false,
        "`unq xs`: first occurrence of each element",
    ),
    b("unq", &["t"], "t", false, "`unq s`: first occurrence of each character"),
    b("flat", &["L (L a)"], "L a", false, "`flat xs`: flatten one level"),
    b(
        "flat",
        &["L _"],
        "L _",
        false,
        "`flat xs`: flatten one level; non-list elements stay",
    ),
    b(
        "slc",
        &["L a", "n", "n"],
        "L a",
        false,
        "`slc xs a b`: elements from `a` up to `b`",
    ),
    b(
        "slc",
        &["t", "n", "n"],
        "t",
        false,
        "`slc s a b`: bytes from `a` up to `b`",
    ),
    b("has", &["L a", "a"], "b", false, "`has xs v`: list membership"),
    b("has", &["t", "t"], "b", false, "`has s sub`: substring"),
    b("has", &["M _ v", "_"], "b", false, "`has m k`: map key"),
    b(
        "spl",
        &["t", "t"],
        "L t",
        false,
        "`spl s sep`: split (`\"\"` splits into characters)",
    ),
    b(
        "cat",
        &["L _", "t"],
        "t",
        false,
        "`cat xs sep`: join; non-text elements as they print",
    ),
    b("trm", &["t"], "t", false, "`trm s`: trim whitespace"),
    b(
        "fmt",
        &["t", "_"],
        "t",
        true,
        "`fmt \"{} and {}\" a b`: fill `{}` placeholders in order (any number of values)",
    ),
    b(
        "map",
        &["F a c", "L a"],
        "L c",
        false,
        "`map f xs`: apply `f` to each element",
    ),
    b(
        "map",
        &["F t c", "t"],
        "L c",
        false,
        "`map f s`: apply `f` to each character",
    ),
    b(
        "flt",
        &["F a _", "L a"],
        "L a",
        false,
        "`flt f xs`: keep the elements where `f` is true",
    ),
    b(
        "flt",
        &["F t _", "t"],
        "L t",
        false,
        "`flt f s`: keep the characters where `f` is true",
    ),
    b(
        "fld",
        &["F a c a", "L c", "a"],
        "a",
        false,
        "`fld f xs init`: fold with `f acc x`",
    ),
    b(
        "fld",
        &["F a t a", "t", "a"],
        "a",
        false,
        "`fld f s init`: fold over the characters",
    ),
    b(
        "grp",
        &["F a _", "L a"],
        "M t (L a)",
        false,
        "`grp f xs`: group into a map by the key `f x` (as text)",
    ),
    b(
        "grp",
        &["F t _", "t"],
        "M t (L t)",
        false,
        "`grp f s`: group the characters by key",
    ),
    b("mmap", &[], "M t v", false, "`mmap`: an empty map"),
    b("mget", &["M _ v", "_"], "O v", false, "`mget m k`: the value, or nil"),
    b(
        "mset",
        &["M _ v", "_", "w"],
        "M t v|w",
        false,
        "`mset m k v`: a new map with `k` set (a new kind of value widens the map's value type)",
    ),
    b("mhas", &["M _ v", "_"], "b", false, "`mhas m k`: whether `k` is a key"),
    b(
        "mdel",
        &["M _ v", "_"],
        "M t v",
        false,
        "`mdel m k`: a new map without `k`",
    ),
    b("mkeys", &["M _ v"], "L t", false, "`mkeys m`: keys in order"),
    b("mvals", &["M _ v"], "L v", false, "`mvals m`: values in key order"),
    b("jdmp", &["_"], "t", false, "`jdmp v`: the value as JSON text"),
    b("jpar", &["t"], "R _ t", false, "`jpar s`: JSON parsed to values"),
    b(
        "jpth",
        &["t", "t"],
        "R t t",
        false,
        "`jpth s path`: the value at a dotted path",
    ),
    b("rd", &["t"], "R t t", false, "`rd path`: file contents"),
    b("rdl", &["t"], "R (L t) t", false, "`rdl path`: file lines"),
    b("wr", &["t", "_"], "R _ t", false, "`wr path s`: write a file"),
    b(
        "wrl",
        &["t", "L _"],
        "R _ t",
        false,
        "`wrl path xs`: write one line per element",
    ),
    b("env", &["t"], "R t t", false, "`env k`: an environment variable"),
    b("prnt", &["a"], "a", false, "`prnt v`: print `v`, return it"),
    b("now", &[], "n", false, "`now`: seconds since the Unix epoch"),
    b("rnd", &[], "n", false, "`rnd`: random number in [0,1)"),
    b("rnd", &["n", "n"], "n", false, "`rnd a b`: random integer in [a,b]"),
    b(
        "rgx",
        &["t", "t"],
        "L t",
        false,
        "`rgx pat s`: every match, or the captures of the first match",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::front::types;

    const SPEC: &str = "len str num abs min max flr cel rou mod sum avg hd tl rev srt unq flat slc has spl cat trm \
                        fmt map flt fld grp mmap mget mset mhas mdel mkeys mvals jdmp jpar jpth rd rdl wr wrl env \
                        prnt now rnd rgx";

    #[test]
    fn covers_every_builtin_of_the_spec_and_nothing_else() {
        let spec: Vec<&str> = SPEC.split_whitespace().collect();
        let table: Vec<&str> = names().collect();
        assert_eq!(spec, table);
    }

    #[test]
    fn overloads_are_adjacent() {
        for name in names() {
            let n = all().iter().filter(|b| b.name == name).count();
            assert_eq!(signatures(name).len(), n, "{name}");
        }
        assert!(signatures("nope").is_empty());
        assert_eq!(signatures("rnd").len(), 2);
    }

    #[test]
    fn every_signature_parses() {
        for b in all() {
            for p in b.params {
                assert!(types::parse(p).is_some(), "{}: {p}", b.name);
            }
            assert!(types::parse(b.ret).is_some(), "{}: {}", b.name, b.ret);
            assert!(!b.doc.is_empty());
        }
    }

    #[test]
    fn arity_and_shape() {
        let fmt = lookup("fmt").map(|b| (b.accepts(1), b.accepts(4), b.accepts(0)));
        assert_eq!(fmt, Some((true, true, false)));
        assert_eq!(
            lookup("slc").map(|b| b.shape()),
            Some("slc (L a) n n > L a".to_string())
        );
        assert_eq!(lookup("fmt").map(|b| b.shape()), Some("fmt t _… > t".to_string()));
        assert_eq!(lookup("fmt").and_then(|b| b.param(5)), Some("_"));
    }

    #[test]
    fn agrees_with_the_runtime_arities() {
        for name in names() {
            let rt = crate::builtins::Builtin::from_name(name);
            let Some(rt) = rt else {
                panic!("{name} is not a runtime builtin")
            };
            for b in signatures(name) {
                let n = b.params.len();
                assert!(rt.accepts(n), "{name} with {n} arguments");
            }
        }
    }
}
