//! The registry of diagnostic codes: a title, a long explanation and an
//! example for every stable code, printed by `ilo --explain CODE`.
//!
//! Codes are stable: once published, a code keeps its meaning. Retired codes
//! are never reused. Sections: `ILO-L` lexer, `ILO-P` parser (hints are
//! `ILO-P02x`), `ILO-T` verifier, `ILO-R` run time.

/// One code's documentation.
#[derive(Debug)]
pub struct CodeInfo {
    pub code: &'static str,
    pub title: &'static str,
    pub explanation: &'static str,
    /// Wrong source and its fix, in ilo.
    pub example: &'static str,
}

/// The documentation of `code` (exact, upper case: `ILO-P005`).
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}

/// Every registered code, in section and number order.
pub fn all() -> &'static [CodeInfo] {
    CODES
}

const fn info(code: &'static str, title: &'static str, explanation: &'static str, example: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        title,
        explanation,
        example,
    }
}

static CODES: &[CodeInfo] = &[
    // ======================= ILO-L: lexer (front/lexer.rs) =======================
    info(
        "ILO-L001",
        "unexpected character",
        "The character is not part of ilo's syntax. Text literals use double quotes, comments start \
         with `--`, the remainder is the builtin `mod`, and names use ASCII letters and digits.",
        "f x:n>n;% x 2   -- wrong\nf x:n>n;mod x 2  -- right",
    ),
    info(
        "ILO-L002",
        "unterminated text literal",
        "A text literal opened with `\"` is not closed before the end of the file. Inside text, a \
         double quote is written `\\\"`.",
        "f>t;\"hello     -- wrong\nf>t;\"hello\"    -- right",
    ),
    info(
        "ILO-L003",
        "unknown escape in text",
        "Inside a text literal a backslash starts an escape. The escapes are `\\t` (tab), `\\n` \
         (newline), `\\r`, `\\\"` (double quote) and `\\\\` (backslash). For a literal backslash \
         write `\\\\`.",
        "f>t;\"a\\qb\"    -- wrong\nf>t;\"a\\\\qb\"   -- right",
    ),
    info(
        "ILO-L004",
        "malformed number",
        "Numbers are written `42`, `-7`, `3.5`, `1e3`, `-2.5e-3`. A number directly followed by a \
         letter (`2x`, `1e`) is not a number; put a space between a number and a name, or use `*`.",
        "f x:n>n;2x     -- wrong\nf x:n>n;*2 x   -- right",
    ),
    info(
        "ILO-L005",
        "`_` inside a name",
        "Name parts are joined with `-`, not `_`: `get-user`. A name is a letter followed by letters \
         and digits, optionally joined by `-` to further parts that start with a letter.",
        "get_user id:n>n;id   -- wrong\nget-user id:n>n;id   -- right",
    ),
    // ====================== ILO-P: parser (front/parser.rs) ======================
    info(
        "ILO-P001",
        "unexpected token",
        "The parser expected one thing (named in the message) and found another. Common causes: \
         several expressions in one statement where only a guard may have two (a comparison then \
         a value), a nested call without parentheses (`f (g x) y`), an unclosed construct, or a \
         declaration line that should have been indented to continue the one above.",
        "f x:n>n;\"a\" \"b\"    -- wrong: two values\nf x:n>n;>x 0 \"a\";\"b\"  -- right: guard, then value",
    ),
    info(
        "ILO-P004",
        "expected a type",
        "A parameter, field or return type is missing or malformed. Types are `n` (number), `t` \
         (text), `b` (bool), `_` (any), `L T`, `M K V`, `R T E`, `O T`, `F A… R`, a record name \
         declared with `type`, or a single letter type variable. Fixed-arity types nest without \
         parentheses: `L L n`, `R L t t`.",
        "f xs:L>n;len xs     -- wrong\nf xs:L n>n;len xs   -- right",
    ),
    info(
        "ILO-P005",
        "prefix operator missing an operand",
        "Prefix operators take a fixed number of operands: `+a b`, `-a b` or `-a`, `!a`, `?c a b`. \
         Operands are atoms (literal, name, `a.b`, `xs.0`, parenthesised expression) or nested \
         prefix expressions. A prefix operator is glued to its first operand; an operator with \
         spaces on both sides is infix: `a + b`.",
        "f x:n>n;+x       -- wrong\nf x:n>n;+x 1     -- right",
    ),
    info(
        "ILO-P006",
        "unclosed bracket",
        "A `(`, `[` or `{` is not closed before the end of the declaration. The label shows where \
         it was opened. A line at column 0 starts a new declaration, so it also ends an unclosed \
         bracket.",
        "f x:n>n;>x 0{ret 1   -- wrong\nf x:n>n;>x 0{ret 1}  -- right",
    ),
    info(
        "ILO-P007",
        "reserved word",
        "`if`, `return`, `let`, `var`, `const`, `fn` and `def` are not ilo. Conditions are guards \
         `cond{…}` or `cond value`; `ret e` returns early and the last statement is the result; \
         bindings are `x=e`; a function is declared as `name p:T>R;body` at column 0.",
        "f x:n>n;if >x 0{1};0   -- wrong\nf x:n>n;>x 0 1;0       -- right",
    ),
    info(
        "ILO-P008",
        "nesting too deep",
        "Expressions, blocks or types are nested more than 256 levels deep. Split the expression \
         with intermediate bindings.",
        "f>n;a=+1 2;b=*a 3;+b 4",
    ),
    info(
        "ILO-P010",
        "statement used as a value",
        "Braced conditionals `cond{…}{…}` and matches `?x{…}` are statements: they cannot be bound \
         or passed as values. Bind inside the branches, use the prefix ternary `?cond a b`, or put \
         the statement last so its value is the function's result.",
        "f x:n>t;r=>x 0{\"p\"}{\"n\"};r    -- wrong\nf x:n>t;r=?>x 0 \"p\" \"n\";r     -- right",
    ),
    info(
        "ILO-P011",
        "bad match pattern",
        "Match arms are `pattern:expr` separated by `;`. Patterns: a literal (`42`, `\"gold\"`, \
         `true`, `nil`), `~v` and `^e` for results, `n v`, `t v`, `b v`, `l v` for a value of that \
         type, and `_` for anything.",
        "f x:n>t;?x{y:\"a\"}    -- wrong\nf x:n>t;?x{n y:\"a\"}  -- right",
    ),
    info(
        "ILO-P012",
        "parameter without a type",
        "Every parameter is written `name:type`, and `>` then the return type ends the header.",
        "f x>n;x     -- wrong\nf x:n>n;x   -- right",
    ),
    info(
        "ILO-P013",
        "function without a body",
        "A function header is followed by `;` (or a newline and indented lines) and at least one \
         statement. Lines that continue a declaration must be indented; a line at column 0 starts \
         the next declaration.",
        "f x:n>n\n*x 2      -- wrong: not indented\nf x:n>n\n  *x 2    -- right",
    ),
    info(
        "ILO-P014",
        "bad index",
        "`x.0` indexes a list with a non-negative integer literal. For a computed position use \
         `slc`, `hd`/`tl`, or a loop.",
        "f xs:L n>n;xs.-1     -- wrong\nf xs:L n>n;xs.0      -- right",
    ),
    info(
        "ILO-P015",
        "comma-separated call arguments",
        "ilo calls take their arguments separated by spaces, without parentheses: `f a b`. \
         Parentheses only group a nested call: `f (g x) y`.",
        "f>n;g(1, 2)   -- wrong\nf>n;g 1 2     -- right",
    ),
    info(
        "ILO-P016",
        "bad destructuring",
        "A statement that starts with `{` destructures a record into names: `{a;b}=rec`. Only \
         names may appear inside the braces, and `=` with the record must follow.",
        "f p:pt>n;{x;y}      -- wrong\nf p:pt>n;{x;y}=p;+x y   -- right",
    ),
    info(
        "ILO-P017",
        "bad `use`",
        "`use` imports another ilo file: `use \"path.ilo\"` for all its declarations or \
         `use \"path.ilo\" [a b]` for some. The path is a text literal relative to the importing \
         file.",
        "use util       -- wrong\nuse \"util.ilo\"  -- right",
    ),
    // Hints: accepted, non-canonical forms (severity hint, never fatal).
    info(
        "ILO-P020",
        "`==` for equality",
        "ilo's equality is `=` (prefix `=a b` or infix `a = b`). `==` is accepted and means the \
         same, but costs a token more.",
        "f a:n b:n>b;==a b   -- accepted\nf a:n b:n>b;=a b    -- canonical",
    ),
    info(
        "ILO-P021",
        "long builtin name",
        "Builtins have short names (`len`, `flr`, `flt`, `fld`, `srt`, …). Common long names \
         (`length`, `floor`, `filter`, `reduce`, `sort`, …) are accepted in call position and \
         rewritten to the short ones, unless the file declares a function of that name.",
        "f xs:L n>n;length xs   -- accepted\nf xs:L n>n;len xs      -- canonical",
    ),
    // ===================== ILO-T: verifier (front/verify.rs) =====================
    // (entries added by the verifier)
    //
    // ======================== ILO-R: run time (error.rs) ========================
    // (entries added by the runtime)
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `"ILO-…"` literal in `src` (the quote keeps prose mentions out).
    fn codes_in(src: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = src;
        while let Some(i) = rest.find("\"ILO-") {
            let after = rest.get(i + 1..).unwrap_or("");
            let end = after.find('"').unwrap_or(after.len());
            out.push(after.get(..end).unwrap_or("").to_string());
            rest = after.get(end..).unwrap_or("");
        }
        out
    }

    #[test]
    fn every_front_end_code_is_registered() {
        let mut seen = codes_in(include_str!("lexer.rs"));
        seen.extend(codes_in(include_str!("parser.rs")));
        assert!(seen.len() > 20, "scan found too few codes: {seen:?}");
        for code in seen {
            assert!(
                lookup(&code).is_some(),
                "{code} is emitted but not registered in codes.rs"
            );
        }
    }

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for c in all() {
            assert!(seen.insert(c.code), "{} registered twice", c.code);
            let (prefix, num) = c.code.split_at(5.min(c.code.len()));
            assert!(matches!(prefix, "ILO-L" | "ILO-P" | "ILO-T" | "ILO-R"), "{}", c.code);
            assert!(num.len() == 3 && num.bytes().all(|b| b.is_ascii_digit()), "{}", c.code);
            assert!(
                !c.title.is_empty() && !c.explanation.is_empty() && !c.example.is_empty(),
                "{}",
                c.code
            );
        }
    }

    #[test]
    fn lookup_finds_and_misses() {
        assert_eq!(
            lookup("ILO-P005").map(|c| c.title),
            Some("prefix operator missing an operand")
        );
        assert!(lookup("ILO-X999").is_none());
        assert!(lookup("ilo-p005").is_none());
    }
}
