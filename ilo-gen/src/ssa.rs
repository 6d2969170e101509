//! The neutral lowering column, `ssa = "fadd b c"`: one SSA instruction over
//! the op's operands, from which every SSA backend's lowering is generated
//! (Cranelift today; LLVM maps the same names). The vocabulary is small and
//! closed, so a backend can implement all of it and the generator can
//! reject a name no backend knows.

/// A truth value an SSA backend tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Test {
    /// An ordered float compare (`ne` is true on NaN): `fcmp lt b c`.
    Fcmp { cc: String, x: String, y: String },
    /// The operand is neither nil nor false: `truthy b`.
    Truthy(String),
    /// The operand is nil or false: `falsy b`.
    Falsy(String),
}

/// The compare conditions of `fcmp`.
pub const FCMP_CONDITIONS: &[&str] = &["lt", "gt", "le", "ge", "eq", "ne"];

/// An SSA lowering, parsed and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ssa {
    /// A truth value, written to the destination as a boolean.
    Test(Test),
    /// A jump to the operand `target` (an offset): always (`jump sbx`), or
    /// when `test` is `when` (`jump_if a sbx`, `jump_unless a sbx`, on the
    /// operand's truthiness); `tick` takes a step first (`loop_if a sbx`:
    /// a loop's back-edge).
    Jump {
        test: Option<Test>,
        when: bool,
        tick: bool,
        target: String,
    },
    /// The operand's value itself (a copy or a constant): `ssa = "b"`.
    Operand(String),
    /// A float instruction on operands: `fadd b c`.
    Inst { name: String, args: Vec<String> },
    /// Return the operand from the function: `return a`.
    Return(String),
    /// A helper of the backend's lowering context given the operands' raw
    /// indices (a call builds its arguments from the callee): `@call a bx`.
    Helper { name: String, args: Vec<String> },
}

/// The instructions every SSA backend implements, with their operand count.
/// IEEE semantics: `fmin`/`fmax` are 754-2019 minimum/maximum (NaN wins,
/// -0 < +0); `floor`, `ceil`, `trunc`, `nearest` round; the rest are the
/// usual arithmetic.
pub const INSTRUCTIONS: &[(&str, usize)] = &[
    ("fadd", 2),
    ("fsub", 2),
    ("fmul", 2),
    ("fdiv", 2),
    ("fmin", 2),
    ("fmax", 2),
    ("copysign", 2),
    ("fneg", 1),
    ("fabs", 1),
    ("sqrt", 1),
    ("floor", 1),
    ("ceil", 1),
    ("trunc", 1),
    ("nearest", 1),
];

/// Parses `text` for an op with `operands` (their names).
pub fn parse(text: &str, operands: &[&str]) -> Result<Ssa, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let operand = |w: &str| {
        if operands.contains(&w) {
            Ok(w.to_string())
        } else {
            Err(format!("`{w}` is not an operand of the op ({})", operands.join(", ")))
        }
    };
    let args = |ws: &[&str]| ws.iter().map(|w| operand(w)).collect::<Result<Vec<_>, _>>();
    match words.as_slice() {
        [] => Err("empty: write an instruction and its operands, e.g. `fadd b c`".into()),
        [helper, rest @ ..] if helper.starts_with('@') => Ok(Ssa::Helper {
            name: helper[1..].to_string(),
            args: args(rest)?,
        }),
        ["return", x] => Ok(Ssa::Return(operand(x)?)),
        ["fcmp", cc, x, y] => {
            if !FCMP_CONDITIONS.contains(cc) {
                return Err(format!(
                    "`fcmp {cc}`: the condition is one of {}",
                    FCMP_CONDITIONS.join(", ")
                ));
            }
            Ok(Ssa::Test(Test::Fcmp {
                cc: cc.to_string(),
                x: operand(x)?,
                y: operand(y)?,
            }))
        }
        ["truthy", x] => Ok(Ssa::Test(Test::Truthy(operand(x)?))),
        ["falsy", x] => Ok(Ssa::Test(Test::Falsy(operand(x)?))),
        ["jump", target] => Ok(Ssa::Jump {
            test: None,
            when: true,
            tick: false,
            target: operand(target)?,
        }),
        [kind @ ("jump_if" | "jump_unless" | "loop_if"), x, target] => Ok(Ssa::Jump {
            test: Some(Test::Truthy(operand(x)?)),
            when: *kind != "jump_unless",
            tick: *kind == "loop_if",
            target: operand(target)?,
        }),
        [x] if operands.contains(x) => Ok(Ssa::Operand(x.to_string())),
        [name, rest @ ..] => {
            let Some(&(_, arity)) = INSTRUCTIONS.iter().find(|(n, _)| n == name) else {
                let known: Vec<&str> = INSTRUCTIONS.iter().map(|(n, _)| *n).collect();
                return Err(format!(
                    "unknown SSA instruction `{name}` (known: {}, fcmp, truthy, falsy, jump, jump_if, jump_unless, loop_if, return, @helper)",
                    known.join(", ")
                ));
            };
            if rest.len() != arity {
                return Err(format!("`{name}` takes {arity} operands, not {}", rest.len()));
            }
            Ok(Ssa::Inst {
                name: name.to_string(),
                args: args(rest)?,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_operands_and_helpers_parse() {
        let ops = ["a", "b", "c"];
        assert_eq!(
            parse("fadd b c", &ops),
            Ok(Ssa::Inst {
                name: "fadd".into(),
                args: vec!["b".into(), "c".into()]
            })
        );
        assert_eq!(parse("b", &ops), Ok(Ssa::Operand("b".into())));
        assert_eq!(parse("return a", &ops), Ok(Ssa::Return("a".into())));
        assert!(matches!(parse("@call a b", &ops), Ok(Ssa::Helper { .. })));
        assert!(parse("fadd b", &ops).unwrap_err().contains("2 operands"));
        assert!(parse("fpow b c", &ops).unwrap_err().contains("unknown SSA instruction"));
        assert!(parse("fadd b d", &ops).unwrap_err().contains("`d`"));
        assert!(matches!(parse("fcmp lt b c", &ops), Ok(Ssa::Test(Test::Fcmp { .. }))));
        assert!(parse("fcmp lq b c", &ops).unwrap_err().contains("condition"));
        assert_eq!(
            parse("loop_if a c", &ops),
            Ok(Ssa::Jump {
                test: Some(Test::Truthy("a".into())),
                when: true,
                tick: true,
                target: "c".into()
            })
        );
    }
}
