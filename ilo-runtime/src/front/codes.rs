//! The registry of diagnostic codes: a title, a long explanation and an
//! example for every stable code, printed by `ilo --explain CODE`.
//!
//! Codes are stable: once published, a code keeps its meaning. Retired codes
//! are never reused. Sections: `ILO-L` lexer, `ILO-P` parser (hints are
//! `ILO-P02x`), `ILO-T` verifier, `ILO-R` run time, `ILO-U` how ilo was
//! called (the file, the command line, the arguments).

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
    // ====================== ILO-P: parser (front/parser/) ======================
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
    info(
        "ILO-P030",
        "import cycle",
        "A file imports itself, directly or through other files. Imports must form a tree: move what both files need into a third file that both import.",
        "-- a.ilo\nuse \"b.ilo\"\n-- b.ilo\nuse \"a.ilo\"   -- cycle: a.ilo -> b.ilo -> a.ilo",
    ),
    info(
        "ILO-P031",
        "imported file cannot be read",
        "The file named by `use` does not exist or cannot be read. Paths are relative to the importing file.",
        "use \"lib/geom.ilo\"",
    ),
    info(
        "ILO-P032",
        "imported file has errors",
        "The imported file does not parse or verify on its own. Its errors are listed in the notes, with their line and column in that file.",
        "use \"lib/geom.ilo\"",
    ),
    info(
        "ILO-P033",
        "imported name not declared",
        "`use \"f.ilo\" [a b]` names a declaration `f.ilo` does not have. The notes list what it declares.",
        "use \"lib/geom.ilo\" [rect area]",
    ),
    info(
        "ILO-P034",
        "imported declaration clashes",
        "An imported declaration has the name of one declared in the importing file (or imported from another file). Rename one, or import selectively.",
        "use \"lib/geom.ilo\" [area]",
    ),
    // ===================== ILO-T: verifier (front/verify/) =====================
    info(
        "ILO-T001",
        "undefined name",
        "A name is read that is not a parameter, not bound by `x=e` earlier in the function, not a \
         loop variable or match binding in scope, and not a function or builtin. The suggestion is \
         the nearest defined name. Loop variables (`@x xs`) and match bindings (`~v:`) exist only \
         inside their loop or arm.",
        "f a:n>n;+a b     -- wrong: `b` is not defined\nf a:n b:n>n;+a b -- right",
    ),
    info(
        "ILO-T002",
        "unknown function",
        "A call names no function of this file, no builtin and no variable. The suggestion is the \
         nearest function or builtin name. Functions of another file must be imported with `use`.",
        "f x:n>n;dbl x    -- wrong: no `dbl`\nf x:n>n;*x 2     -- right",
    ),
    info(
        "ILO-T003",
        "wrong number of arguments",
        "A function or builtin is called with more or fewer arguments than it takes. The suggestion \
         shows its signature. A nested call needs parentheses: `f (g x) y`, otherwise `g`'s \
         arguments count as `f`'s.",
        "add a:n b:n>n;+a b\nf>n;add 1      -- wrong\nf>n;add 1 2    -- right",
    ),
    info(
        "ILO-T004",
        "type mismatch",
        "A value of one type is used where another is required: an argument of a function or \
         builtin, a record field, a list element, a range bound. `_` and type variables accept \
         anything. Text and numbers do not convert by themselves: `str x` makes text of a number, \
         `num s` parses text (`R n t`).",
        "f x:n>t;cat [x] 1      -- wrong: the separator is text\nf x:n>t;cat [x] \",\"    -- right",
    ),
    info(
        "ILO-T005",
        "operator on the wrong types",
        "`+` adds two numbers, joins two texts or two lists; `- * /` and negation take numbers; \
         `< > <= >=` compare two numbers or two texts; `+=xs v` appends an element to a list. \
         Mixing text and numbers needs a conversion: `+\"n=\" (str n)`.",
        "f n:n>t;+\"n=\" n        -- wrong\nf n:n>t;+\"n=\" (str n)  -- right",
    ),
    info(
        "ILO-T006",
        "`!` on a function that does not return a result",
        "`f! args` unwraps the `R` that `f` returns: `~v` gives `v`, `^e` returns `^e` from the \
         enclosing function. A function that does not return `R` has nothing to unwrap; call it \
         without `!`.",
        "dbl x:n>n;*x 2\nf x:n>R n t;y=dbl! x;~y   -- wrong\nf x:n>R n t;y=dbl x;~y    -- right",
    ),
    info(
        "ILO-T007",
        "`!` inside a function that does not return a result",
        "`f! args` returns `^e` from the enclosing function when `f` fails, so the enclosing \
         function must return `R`. Declare it `>R T E`, or handle both cases with a match \
         `?(f args){~v:…;^e:…}`.",
        "f s:t>n;x=num! s;*x 2                  -- wrong\nf s:t>R n t;x=num! s;~*x 2             -- right\nf s:t>n;?(num s){~v:*v 2;^e:0}         -- right",
    ),
    info(
        "ILO-T008",
        "missing match arm",
        "The match cannot match every value the verifier can see: a result without a `~v:` or \
         `^e:` arm, a bool without `true:` or `false:`. Without a matching arm the match is nil. \
         Add the missing arm (suggested) or a `_:` arm.",
        "f s:t>n;?(num s){~v:v}        -- wrong: no `^e` arm\nf s:t>n;?(num s){~v:v;^e:0}   -- right",
    ),
    info(
        "ILO-T009",
        "`brk` or `cnt` outside a loop",
        "`brk` leaves and `cnt` continues the innermost loop (`@x xs{…}`, `@i a..b{…}`, \
         `wh c{…}`). Outside a loop there is none; to leave a function early use `ret e` or a \
         guard.",
        "f x:n>n;>x 9{brk};x    -- wrong\nf x:n>n;>x 9{ret 9};x  -- right",
    ),
    info(
        "ILO-T010",
        "duplicate function",
        "Two functions of one file have the same name. Calls could not tell them apart; rename one.",
        "f>n;1\nf>n;2    -- wrong\ng>n;2    -- right",
    ),
    info(
        "ILO-T011",
        "duplicate type",
        "Two record types of one file have the same name; rename one.",
        "type pt{x:n}\ntype pt{y:n}    -- wrong\ntype pt2{y:n}   -- right",
    ),
    info(
        "ILO-T012",
        "duplicate parameter",
        "Two parameters of one function have the same name; the second would hide the first.",
        "f x:n x:n>n;x    -- wrong\nf x:n y:n>n;x    -- right",
    ),
    info(
        "ILO-T013",
        "duplicate field",
        "A record type declares a field twice, or a construction or `with` gives a field twice.",
        "type pt{x:n;x:n}    -- wrong\ntype pt{x:n;y:n}    -- right",
    ),
    info(
        "ILO-T014",
        "unknown field",
        "The record type has no field of that name (in a construction, `x.f`, `with` or \
         `{a;b}=rec`). The suggestion is the nearest field; the note lists them all.",
        "type pt{x:n;y:n}\nf p:pt>n;p.z    -- wrong\nf p:pt>n;p.y    -- right",
    ),
    info(
        "ILO-T015",
        "unknown type",
        "A type name in a signature or a record construction is not declared with `type` (or \
         imported with `use`). The built-in types are `n` (number), `t` (text), `b` (bool), `_` \
         (any), `L T`, `M K V`, `R T E`, `O T`, `F A… R`; single letters other than `n t b` are \
         type variables.",
        "f x:int>n;x    -- wrong\nf x:n>n;x      -- right",
    ),
    info(
        "ILO-T016",
        "return type mismatch",
        "A value the function returns (its last statement, a guard's value, `ret e`, the error \
         passed on by `f!`) does not fit the declared return type `>R`. A function declared \
         `>R T E` returns `~v` or `^e`; a function whose last statement is a loop returns nil.",
        "f x:n>R n t;x     -- wrong\nf x:n>R n t;~x    -- right",
    ),
    info(
        "ILO-T017",
        "condition is not a bool",
        "A guard, `cond{…}`, `wh` or `?c a b` condition is a number, text, list, map, record or \
         result. Only `false` and `nil` are false, so such a condition is (almost) always true. \
         Compare instead: `!=x 0`, `>(len xs) 0`, or match a result.",
        "f xs:L n>n;xs{1}{0}           -- wrong\nf xs:L n>n;>(len xs) 0{1}{0}   -- right",
    ),
    info(
        "ILO-T018",
        "missing record field",
        "A record construction must give every field of the type; fields may come in any order.",
        "type pt{x:n;y:n}\nf>pt;pt x:1        -- wrong\nf>pt;pt x:1 y:0    -- right",
    ),
    info(
        "ILO-T019",
        "no such field or index on this value",
        "`x.f`, `with` and `{a;b}=x` need a record (or a map); `x.0` needs a list or a text. \
         The value here is something else, for example a number. `x.?f` reads a field of a value \
         that may be nil.",
        "f x:n>n;x.0            -- wrong\nf xs:L n>n;xs.0        -- right",
    ),
    info(
        "ILO-T020",
        "call of a value that is not a function",
        "A variable is called like a function (`x a`), but it holds a number, text or other \
         non-function value. Only a parameter of type `F …` (or a variable holding a function) \
         can be called. A bool variable followed by a value at statement start is a guard.",
        "f x:n>n;x 1     -- wrong\nf g:F n n>n;g 1  -- right",
    ),
    info(
        "ILO-T021",
        "pattern never matches",
        "A match arm's pattern has a type the matched value can never have (`\"a\":` on a \
         number, `~v:` on a text), so the arm never runs.",
        "f x:n>t;?x{\"1\":\"one\";_:\"other\"}    -- wrong\nf x:n>t;?x{1:\"one\";_:\"other\"}      -- right",
    ),
    info(
        "ILO-T022",
        "loop over a value that is not a collection",
        "`@x e{…}` walks a list, the characters of a text, or the keys of a map. To count, use a \
         range: `@i 0..n{…}`.",
        "f n:n>n;s=0;@i n{s=+s i};s       -- wrong\nf n:n>n;s=0;@i 0..n{s=+s i};s    -- right",
    ),
    // Hints (severity hint, never fatal).
    info(
        "ILO-T030",
        "unreachable match arm",
        "An arm after a `_:` arm, or one whose pattern an earlier arm already matches, never runs. \
         The first matching arm wins.",
        "f x:n>t;?x{_:\"any\";1:\"one\"}    -- hint\nf x:n>t;?x{1:\"one\";_:\"any\"}    -- canonical",
    ),
    info(
        "ILO-T031",
        "unreachable statement",
        "A statement right after `ret`, `brk` or `cnt` in the same block never runs.",
        "f x:n>n;ret x;0    -- hint\nf x:n>n;x          -- canonical",
    ),
    //
    // ======================== ILO-R: run time (error.rs) ========================
    info(
        "ILO-R001",
        "a value of the wrong type at run time",
        "An operation met a value it cannot take: adding a number to a text, calling something that is not a function, walking a number with `@`. The verifier rejects these when it can see the types; values typed `_` reach run time unchecked.",
        "f x:_>n;+x 1\n-- ilo f abc  -> ILO-R001: `+` cannot combine a text and a number",
    ),
    info(
        "ILO-R002",
        "`mod` by zero",
        "`mod a 0` has no remainder. Division is IEEE (`/1 0` is `inf`), but the remainder by zero is an error. Guard the divisor.",
        "r x:n y:n>n;=y 0 0;mod x y",
    ),
    info(
        "ILO-R003",
        "index out of range",
        "A literal index `xs.3` or `slc` bound past the end of the list or text. Check `len xs` first, or use `hd`/`tl`.",
        "f xs:L n>n;>=len xs 4 xs.3;0",
    ),
    info(
        "ILO-R004",
        "`hd`, `tl`, `min` or `max` of an empty list or text",
        "There is no first element of an empty list. Guard with `=len xs 0`.",
        "f xs:L n>n;=len xs 0 0;hd xs",
    ),
    info(
        "ILO-R005",
        "`avg` of an empty list",
        "The mean of no numbers is undefined. Guard with `=len xs 0`.",
        "f xs:L n>n;=len xs 0 0;avg xs",
    ),
    info(
        "ILO-R006",
        "call depth limit exceeded",
        "Calls nested deeper than the depth limit (10000 by default): usually recursion without a reachable base case. Every engine stops with this error instead of overflowing its stack.",
        "fac n:n>n;<=n 1 1;r=fac -n 1;*n r   -- has a base case\nf x:n>n;f +x 1                    -- never stops: ILO-R006",
    ),
    info(
        "ILO-R007",
        "step limit exceeded",
        "The run took more steps (function calls and loop iterations) than `--max-steps N` allows. Raise the limit or look for a loop that never ends.",
        "ilo --max-steps 1000 'f>n;wh true{0};1'",
    ),
    info(
        "ILO-R008",
        "a builtin argument outside its domain",
        "A builtin got an argument of the right type but an unusable value: `fmt` with more or fewer values than `{}` placeholders, an invalid regular expression for `rgx`, an empty range for `rnd a b`.",
        "g>t;fmt \"{} and {}\" 1 2",
    ),
    info(
        "ILO-R009",
        "no such record field",
        "A field access, `with` or construction named a field the record does not have, or a construction left a field out.",
        "type pt{x:n;y:n}\nf>n;p=pt x:1 y:2;p.x",
    ),
    info(
        "ILO-R010",
        "a name with no value",
        "A name was used before any statement bound it on the path the run took (for example bound only inside a branch that did not run).",
        "f b:b>n;x=0;b{x=1};x",
    ),
    info(
        "ILO-R011",
        "a function value called with the wrong number of arguments",
        "A function passed as a value (`map f xs`, a parameter of type `F …`) was called with a different number of arguments than it declares.",
        "dbl x:n>n;*x 2\nf xs:L n>L n;map dbl xs",
    ),
    info(
        "ILO-R012",
        "a value nested too deeply",
        "Converting a value (printing, JSON, equality) met nesting deeper than the supported limit.",
        "-- lists nested thousands deep cannot be printed",
    ),
    info(
        "ILO-R013",
        "out of memory",
        "The values the run keeps alive at once need more bytes than `--max-memory` allows (by default a quarter of the machine's memory, at most 2 GiB). Memory that no value can reach any more is reclaimed during the run, so this means the program holds on to too much at once: a text or list that grows without end, or one doubled again and again. Raise the limit with `--max-memory 8G` if the program really needs it.",
        "f>n;s=\"ab\";@i 0..64{s=+s s};len s   -- doubling a text 64 times",
    ),
    info(
        "ILO-U001",
        "cannot read the program file",
        "The program was given as a path (it ends in `.ilo`, names a file, or is one word with a `/` or a `.`, which inline source never is: that has a `;` or a line break), but reading it failed: it does not exist, or this user may not read it. The message says what the system reported.",
        "ilo missing.ilo f 1   -- no such file",
    ),
    info(
        "ILO-U002",
        "program file is not UTF-8",
        "ilo programs are UTF-8 text. The file holds bytes that are not valid UTF-8 (it may be in another encoding, or not text at all): convert it, e.g. with `iconv -t UTF-8`. A UTF-8 byte-order mark at the start is fine: it is skipped.",
        "ilo latin1.ilo f   -- saved as ISO-8859-1",
    ),
    info(
        "ILO-U003",
        "not a program file",
        "The program argument names a directory, a device or a pipe. Give an `.ilo` file, or the program's source itself in quotes.",
        "ilo examples   -- a directory",
    ),
    info(
        "ILO-U004",
        "no such function",
        "The first argument after the program reads as a function name, but the program declares no function by that name. The message lists the functions it has and the nearest name. Without a function name, ilo runs the program's first function.",
        "ilo 'add a:n b:n>n;+a b' ad 1 2   -- `add`",
    ),
    info(
        "ILO-U005",
        "bad command-line argument",
        "An argument does not fit its parameter's type, or the number of arguments is not the number of parameters. Numbers are written as ilo writes them, bools as `true`/`false`, lists as `1,2,3` or `[1,2,3]` (text elements may be quoted: `[\"a b\",c]`).",
        "ilo 'f x:n>n;*x 2' two   -- `two` is not a number",
    ),
    info(
        "ILO-U006",
        "malformed command line",
        "The command line itself is wrong, before any program is read: an unknown flag, a flag without its value or with a bad one, flags that cannot go together (`--dense` with `--emit`), no program at all, or an argument that is not UTF-8 text. `ilo --help` lists the flags. Inline source that starts with a `--` comment is source, not a flag, when it spans several lines.",
        "ilo --run-fast prog.ilo f 1   -- no such flag: `--run-jit`",
    ),
    info(
        "ILO-R099",
        "internal engine fault",
        "An engine met a state that the compiler should have ruled out. This is a bug in ilo, not in the program: please report it with the program.",
        "-- no example: report it",
    ),
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
        for part in [
            include_str!("parser/mod.rs"),
            include_str!("parser/decl.rs"),
            include_str!("parser/stmt.rs"),
            include_str!("parser/expr.rs"),
            include_str!("parser/aliases.rs"),
        ] {
            seen.extend(codes_in(part));
        }
        seen.extend(codes_in(include_str!("imports.rs")));
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
            assert!(
                matches!(prefix, "ILO-L" | "ILO-P" | "ILO-T" | "ILO-R" | "ILO-U"),
                "{}",
                c.code
            );
            assert!(num.len() == 3 && num.bytes().all(|b| b.is_ascii_digit()), "{}", c.code);
            assert!(
                !c.title.is_empty() && !c.explanation.is_empty() && !c.example.is_empty(),
                "{}",
                c.code
            );
        }
    }

    #[test]
    fn every_run_time_code_is_registered() {
        for (code, _) in crate::error::code::ALL {
            assert!(lookup(code).is_some(), "{code} is not registered in front::codes");
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
