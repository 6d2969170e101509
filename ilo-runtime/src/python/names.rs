//! Python names for ilo names, and the literals of the generated code.
//!
//! ilo names are letters and digits joined by `-` and never contain `_`,
//! so `get-user` becomes `get_user`, and every name the prelude and the
//! translation invent starts with `_`: the two can never meet. A name that
//! Python reserves (`in`, `len`, `print`) gets a `_` suffix, so generated
//! code never shadows a Python builtin it relies on.

use std::collections::HashSet;

/// Python keywords and the builtins the generated code and prelude use by
/// name (all of `builtins`, so no program name can shadow one).
const RESERVED: &[&str] = &[
    // keywords and soft keywords
    "False",
    "None",
    "True",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    "match",
    "case",
    "type",
    // builtins
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "bool",
    "breakpoint",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "compile",
    "complex",
    "copyright",
    "credits",
    "delattr",
    "dict",
    "dir",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "exit",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "license",
    "list",
    "locals",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "property",
    "quit",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "vars",
    "zip",
    "self",
];

/// `get-user` -> `get_user`; a reserved word gets a `_` suffix.
pub fn mangle(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'x');
    }
    if RESERVED.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// Hands out Python names unique within one scope (the module, or one
/// function together with the module names it must not shadow).
#[derive(Clone, Default)]
pub struct Namer {
    taken: HashSet<String>,
}

impl Namer {
    /// A free name based on `ilo_name`: the mangled name, else with a
    /// number appended.
    pub fn fresh(&mut self, ilo_name: &str) -> String {
        let base = mangle(ilo_name);
        let mut name = base.clone();
        let mut i = 2;
        while self.taken.contains(&name) {
            name = format!("{base}_{i}");
            i += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

/// A Python string literal with the same characters.
pub fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            // Line and paragraph separators are line breaks to some tools.
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Python float literal for `n` (always a float, never an int, so
/// arithmetic and printing stay in floats); `None` when it needs parentheses
/// as an operand (negative), else the atom.
pub fn py_num(n: f64) -> (String, bool) {
    if n.is_nan() {
        return ("_NAN".into(), true);
    }
    if n.is_infinite() {
        return if n > 0.0 {
            ("_INF".into(), true)
        } else {
            ("-_INF".into(), false)
        };
    }
    // Rust's `{:?}` is the shortest round-trip text and valid Python:
    // `10.0`, `0.1`, `1e21`, `1.5e-7`.
    let text = format!("{n:?}");
    let atom = !text.starts_with('-');
    (text, atom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_never_meet_python_ones() {
        assert_eq!(mangle("get-user"), "get_user");
        assert_eq!(mangle("len"), "len_");
        assert_eq!(mangle("in"), "in_");
        assert_eq!(mangle("tot"), "tot");
        let mut n = Namer::default();
        assert_eq!(n.fresh("x"), "x");
        assert_eq!(n.fresh("x"), "x_2");
    }

    #[test]
    fn literals_read_back_in_python_terms() {
        assert_eq!(py_str("a\"b\\\n\u{1}é"), "\"a\\\"b\\\\\\n\\x01é\"");
        assert_eq!(py_num(10.0), ("10.0".into(), true));
        assert_eq!(py_num(-7.0), ("-7.0".into(), false));
        assert_eq!(py_num(1e21).0, "1e21");
        assert_eq!(py_num(f64::NAN).0, "_NAN");
    }
}
