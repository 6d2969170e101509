//! Conditions in the JIT columns. An op that computes a truth value (a
//! compare, `NOT`, `TOBOOL`, a conditional jump's own test of its register)
//! says per target how to test it and how to branch on the outcome:
//!
//! ```toml
//! cond.x86_64 = { test = "vucomisd {c}, {b}", yes = "ja {t}", no = "jbe {t}" }
//! ```
//!
//! `test` sets the flags; `yes` / `no` jump to `{t}` when the condition is
//! true / false. From these the generator writes:
//!
//! - the op's **value form** when it has no `jit` template of its own: the
//!   boolean (`Value::TRUE` / `Value::FALSE` bits) into its destination,
//!   through jit.toml's `load_true`, `load_false` and `store_bool` snippets;
//! - a conditional jump's template, whose `?yes X` / `?no X` items (jump to
//!   `X` when the condition holds / fails) expand to the condition's test
//!   and branch. A compare fused into `JMPF` carries the compare's
//!   condition, so `LTJF_NN` becomes one native compare-and-branch.

use crate::model::{RegOp, Target};

/// How to test and branch on a condition on one target (snippets expanded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cond {
    pub test: String,
    pub yes: String,
    pub no: String,
}

impl Cond {
    /// The test, then a jump to `label` when the condition is `when`.
    fn branch(&self, when: bool, label: &str) -> String {
        let jump = if when { &self.yes } else { &self.no };
        format!("{} ; {}", self.test, jump.replace("{t}", label))
    }

    /// This condition with `from` replaced by `to` in every part (a
    /// composed op renames an operand), and `before` prepended to the test.
    pub fn rewritten(&self, before: &str, from: &str, to: &str) -> Cond {
        let test = self.test.replace(from, to);
        Cond {
            test: if before.is_empty() {
                test
            } else {
                format!("{before} ; {test}")
            },
            yes: self.yes.replace(from, to),
            no: self.no.replace(from, to),
        }
    }

    /// Whether any part mentions `text` (a register a fusion needs free).
    pub fn mentions(&self, text: &str) -> bool {
        self.test.contains(text) || self.yes.contains(text) || self.no.contains(text)
    }
}

/// The dynasm template `op` lowers to on `target`, if it has one: its `jit`
/// template with `?yes`/`?no` items expanded through its condition, or the
/// value form of its condition.
pub fn lowering(op: &RegOp, target: &Target) -> Result<Option<String>, String> {
    let cond = op.cond.get(&target.name);
    let Some(tpl) = op.jit.get(&target.name) else {
        return match cond {
            Some(c) => value_form(op, c, target).map(Some),
            None => Ok(None),
        };
    };
    let items: Vec<String> = tpl
        .split(';')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(|item| {
            let (when, label) = if let Some(l) = item.strip_prefix("?yes ") {
                (true, l)
            } else if let Some(l) = item.strip_prefix("?no ") {
                (false, l)
            } else {
                return Ok(item.to_string());
            };
            let c = cond.ok_or_else(|| {
                format!(
                    "`{item}` in jit.{} needs a `cond.{}` saying how to test the condition",
                    target.name, target.name
                )
            })?;
            Ok(c.branch(when, label.trim()))
        })
        .collect::<Result<_, String>>()?;
    Ok(Some(items.join(" ; ")))
}

/// The boolean of `cond` into the op's destination.
fn value_form(op: &RegOp, cond: &Cond, target: &Target) -> Result<String, String> {
    let dst = op.dst().ok_or_else(|| {
        format!(
            "a `cond.{}` without a `jit.{}` needs a destination to write the boolean to",
            target.name, target.name
        )
    })?;
    let snippet = |name: &str| {
        target.snippets.get(name).cloned().ok_or_else(|| {
            format!(
                "jit.toml's {} has no `{name}` snippet for a condition's value",
                target.name
            )
        })
    };
    // Loading a constant leaves the flags alone, so the branch after the
    // load still sees the test's outcome.
    Ok(format!(
        "{} ; {} ; {} ; {} ; t: ; {}",
        cond.test,
        snippet("load_true")?,
        cond.yes.replace("{t}", ">t"),
        snippet("load_false")?,
        snippet("store_bool")?.replace("{0}", &format!("{{{}}}", dst.slot.name())),
    ))
}
