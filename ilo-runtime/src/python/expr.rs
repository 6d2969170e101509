//! Expressions. Where the verifier's side table says the operands are
//! numbers (or texts, or lists), operators are plain Python; elsewhere a
//! prelude helper checks the operands at run time as every engine does.

use super::names::{py_num, py_str};
use super::stmt::FnWriter;
use super::Untranslatable;
use crate::front::ast::*;
use crate::front::types::Ty;

/// Deepest expression nesting written: CPython's parser gives up near 200
/// levels of parentheses.
const MAX_DEPTH: usize = 150;

/// A Python expression.
#[derive(Clone, Debug)]
pub(super) struct Py {
    pub code: String,
    /// Needs no parentheses as an operand (a name, literal, call, …).
    pub atom: bool,
    /// Evaluating it has no effect (a name or literal), so it can be dropped.
    pub pure: bool,
    /// A plain variable, safe to read twice.
    pub is_name: bool,
}

impl Py {
    pub fn atom(code: String) -> Py {
        Py {
            code,
            atom: true,
            pure: false,
            is_name: false,
        }
    }

    fn op(code: String) -> Py {
        Py {
            code,
            atom: false,
            pure: false,
            is_name: false,
        }
    }

    fn pure(code: String, atom: bool) -> Py {
        Py {
            code,
            atom,
            pure: true,
            is_name: false,
        }
    }

    fn name(code: String) -> Py {
        Py {
            code,
            atom: true,
            pure: true,
            is_name: true,
        }
    }

    /// As an operand: parenthesised unless an atom.
    pub fn wrap(&self) -> String {
        if self.atom {
            self.code.clone()
        } else {
            format!("({})", self.code)
        }
    }
}

fn is(t: &Ty, want: &Ty) -> bool {
    t == want
}

impl<'m, 'p> FnWriter<'m, 'p> {
    pub(super) fn expr(&mut self, e: &'p Expr) -> Result<Py, Untranslatable> {
        self.depth_in()?;
        let r = self.expr_inner(e);
        self.depth_out();
        r
    }

    fn expr_inner(&mut self, e: &'p Expr) -> Result<Py, Untranslatable> {
        Ok(match &e.kind {
            ExprKind::Lit(l) => lit(l),
            ExprKind::List(items) => {
                let xs = items
                    .iter()
                    .map(|x| self.expr(x).map(|p| p.code))
                    .collect::<Result<Vec<_>, _>>()?;
                Py::atom(format!("[{}]", xs.join(", ")))
            }
            ExprKind::Name(n) => self.name(n),
            ExprKind::Unary { op, operand } => self.unary(*op, operand)?,
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs)?,
            ExprKind::Call { func, args, unwrap } => {
                let call = self.call(func, args)?;
                if *unwrap {
                    self.bubbles = true;
                    Py::atom(format!("_unwrap({}, {})", py_str(&func.name), call.code))
                } else {
                    call
                }
            }
            ExprKind::Ok(x) => Py::atom(format!("_Ok({})", self.expr(x)?.code)),
            ExprKind::Err(x) => Py::atom(format!("_Err({})", self.expr(x)?.code)),
            ExprKind::Coalesce { lhs, rhs } => {
                let a = self.expr(lhs)?;
                let b = self.expr(rhs)?;
                let (first, again) = self.reuse(a);
                Py::op(format!("{again} if {first} is not None else {}", b.wrap()))
            }
            ExprKind::Field { target, field, safe } => {
                let t = self.expr(target)?;
                if *safe {
                    let (first, again) = self.reuse(t);
                    let read = self.field(target, Py::name(again), &field.name);
                    Py::op(format!("None if {first} is None else {}", read.wrap()))
                } else {
                    self.field(target, t, &field.name)
                }
            }
            ExprKind::Index { target, index } => {
                let t = self.expr(target)?;
                match self.ty(target).strip_opt() {
                    // An IndexError becomes ILO-R003.
                    Ty::List(_) | Ty::Text => Py::atom(format!("{}[{index}]", t.wrap())),
                    _ => Py::atom(format!("_index({}, {index})", t.code)),
                }
            }
            ExprKind::Record { ty, fields } => {
                let Some(rec) = self.m.records.get(ty.name.as_str()) else {
                    return Err(Untranslatable(format!("no record type `{}`", ty.name)));
                };
                // Fields written in declaration order go positionally (faster);
                // else by keyword, which still runs them in the order written.
                let in_order = fields.len() == rec.slots.len()
                    && fields.iter().zip(&rec.slots).all(|((f, _), (name, _))| f.name == *name);
                let mut args = Vec::new();
                for (f, x) in fields {
                    let v = self.expr(x)?.code;
                    match rec.slot(&f.name) {
                        Some(_) if in_order => args.push(v),
                        Some(slot) => args.push(format!("{slot}={v}")),
                        None => {
                            return Err(Untranslatable(format!(
                                "record `{}` has no field `{}`",
                                ty.name, f.name
                            )))
                        }
                    }
                }
                Py::atom(format!("{}({})", rec.class, args.join(", ")))
            }
            ExprKind::With { target, fields } => {
                let t = self.expr(target)?.code;
                let mut pairs = Vec::new();
                for (f, x) in fields {
                    pairs.push(format!("{}: {}", py_str(&f.name), self.expr(x)?.code));
                }
                Py::atom(format!("_with({t}, {{{}}})", pairs.join(", ")))
            }
            ExprKind::Ternary { cond, then, els } => {
                let c = self.truth(cond)?;
                let a = self.expr(then)?;
                let b = self.expr(els)?;
                Py::op(format!("{} if {} else {}", a.wrap(), c.wrap(), b.wrap()))
            }
        })
    }

    fn depth_in(&mut self) -> Result<(), Untranslatable> {
        self.expr_depth += 1;
        if self.expr_depth > MAX_DEPTH {
            self.expr_depth -= 1;
            return Err(Untranslatable(format!(
                "an expression nested more than {MAX_DEPTH} deep (CPython's parser stops near 200)"
            )));
        }
        Ok(())
    }

    fn depth_out(&mut self) {
        self.expr_depth -= 1;
    }

    /// A value read twice (`a??b`, `x.?f`): a name as it is, anything else
    /// through a walrus temporary. Returns (first use, later uses).
    fn reuse(&mut self, v: Py) -> (String, String) {
        if v.is_name {
            (v.code.clone(), v.code)
        } else {
            let t = self.temp();
            (format!("({t} := {})", v.code), t)
        }
    }

    fn field(&mut self, target: &'p Expr, t: Py, name: &str) -> Py {
        if let Ty::Record(r) = self.ty(target) {
            if let Some(slot) = self.m.records.get(r.as_str()).and_then(|rec| rec.slot(name)) {
                return Py::atom(format!("{}.{slot}", t.wrap()));
            }
        }
        Py::atom(format!("_field({}, {})", t.code, py_str(name)))
    }

    /// A bare name: a variable, else a function (called when it takes no
    /// arguments, else a function value), else a builtin likewise.
    fn name(&mut self, n: &str) -> Py {
        if let Some(v) = self.var(n) {
            if self.is_late(n) {
                let fallback = self.callable_name(n);
                return Py::op(format!("{v} if {v} is not _UNSET else {}", fallback.wrap()));
            }
            return Py::name(v);
        }
        self.callable_name(n)
    }

    /// A name that is no variable: a function or builtin.
    fn callable_name(&mut self, n: &str) -> Py {
        if let Some((f, py)) = self.m.funcs.get(n) {
            return if f.params.is_empty() {
                Py::atom(format!("{py}()"))
            } else {
                Py::pure(py.clone(), true)
            };
        }
        if let Some(b) = crate::builtins::Builtin::from_name(n) {
            let helper = super::builtins::helper(b);
            return if b.accepts(0) {
                Py::atom(format!("{helper}()"))
            } else {
                Py::pure(helper.to_string(), true)
            };
        }
        Py::atom(format!("_no_function({})", py_str(n)))
    }

    fn unary(&mut self, op: UnOp, operand: &'p Expr) -> Result<Py, Untranslatable> {
        let num = is(self.ty(operand), &Ty::Num);
        Ok(match op {
            UnOp::Neg => {
                let v = self.expr(operand)?;
                if num {
                    Py::op(format!("-{}", v.wrap()))
                } else {
                    Py::atom(format!("_neg({})", v.code))
                }
            }
            UnOp::Not => Py::op(format!("not {}", self.truth(operand)?.wrap())),
        })
    }

    fn binary(&mut self, op: BinOp, lhs: &'p Expr, rhs: &'p Expr) -> Result<Py, Untranslatable> {
        let (ta, tb) = (self.ty(lhs).clone(), self.ty(rhs).clone());
        let nums = ta == Ty::Num && tb == Ty::Num;
        let texts = ta == Ty::Text && tb == Ty::Text;
        if let BinOp::And | BinOp::Or = op {
            // Short-circuit, and the result is a bool.
            let a = self.truth(lhs)?;
            let b = self.truth(rhs)?;
            let word = if op == BinOp::And { "and" } else { "or" };
            return Ok(Py::op(format!("{} {word} {}", a.wrap(), b.wrap())));
        }
        let a = self.expr(lhs)?;
        let b = self.expr(rhs)?;
        let plain = |sym: &str| Py::op(format!("{} {sym} {}", a.wrap(), b.wrap()));
        let helper = |name: &str| Py::atom(format!("{name}({}, {})", a.code, b.code));
        Ok(match op {
            BinOp::Add => match (&ta, &tb) {
                _ if nums || texts => plain("+"),
                (Ty::List(_), Ty::List(_)) => plain("+"),
                _ => helper("_add"),
            },
            BinOp::Sub if nums => plain("-"),
            BinOp::Sub => helper("_sub"),
            BinOp::Mul if nums => plain("*"),
            BinOp::Mul => helper("_mul"),
            BinOp::Div => match &rhs.kind {
                // A non-zero literal divisor cannot give Python's ZeroDivisionError.
                ExprKind::Lit(Lit::Num(d)) if nums && *d != 0.0 && !d.is_nan() => plain("/"),
                _ if nums && b.is_name => Py::op(format!(
                    "{} / {} if {} else _div({}, {})",
                    a.wrap(),
                    b.code,
                    b.code,
                    a.code,
                    b.code
                )),
                _ => helper("_div"),
            },
            BinOp::Append => match ta {
                Ty::List(_) => Py::op(format!("{} + [{}]", a.wrap(), b.code)),
                _ => helper("_append"),
            },
            BinOp::Eq if nums || texts => plain("=="),
            BinOp::Eq => helper("_eq"),
            BinOp::Ne if nums || texts => plain("!="),
            BinOp::Ne => Py::op(format!("not _eq({}, {})", a.code, b.code)),
            BinOp::Lt if nums || texts => plain("<"),
            BinOp::Lt => helper("_lt"),
            BinOp::Gt if nums || texts => plain(">"),
            BinOp::Gt => helper("_gt"),
            BinOp::Le if nums || texts => plain("<="),
            BinOp::Le => helper("_le"),
            BinOp::Ge if nums || texts => plain(">="),
            BinOp::Ge => helper("_ge"),
            BinOp::And | BinOp::Or => unreachable_and_or(),
        })
    }

    /// `f a b`: a function value held in a variable `f`, else the
    /// program's function `f`, else the builtin `f` (the tree interpreter's
    /// order).
    pub(super) fn call(&mut self, func: &'p Ident, args: &'p [Expr]) -> Result<Py, Untranslatable> {
        let name = func.name.as_str();
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.expr(a)?);
        }
        let codes: Vec<String> = vals.iter().map(|v| v.code.clone()).collect();
        let user = self.m.funcs.get(name).map(|(_, py)| py.clone());
        let builtin = crate::builtins::Builtin::from_name(name);
        if self.bound.contains(name) {
            if let Some(var) = self.var(name) {
                let fallback = match (&user, builtin) {
                    (Some(py), _) => py.clone(),
                    (None, Some(b)) => super::builtins::helper(b).to_string(),
                    (None, None) => "None".to_string(),
                };
                let mut all = vec![var, fallback];
                all.extend(codes);
                return Ok(Py::atom(format!("_call_local({})", all.join(", "))));
            }
        }
        if let Some(py) = user {
            return Ok(Py::atom(format!("{py}({})", codes.join(", "))));
        }
        if let (Some(crate::builtins::Builtin::Str), [arg]) = (builtin, args) {
            if let Some(py) = self.int_counter(arg) {
                return Ok(Py::atom(format!("str({py})")));
            }
        }
        if let Some(b) = builtin {
            let types: Vec<Ty> = args.iter().map(|a| self.ty(a).clone()).collect();
            return Ok(super::builtins::call(b, &vals, &types));
        }
        Ok(Py::atom(format!("_no_function({})", py_str(name))))
    }

    /// The Python name `e` reads when it is a loop counter counting in
    /// ints (see `counters`).
    fn int_counter(&self, e: &Expr) -> Option<String> {
        let ExprKind::Name(n) = &e.kind else {
            return None;
        };
        self.var(n).filter(|py| self.int_counters.contains(py))
    }
}

fn unreachable_and_or() -> Py {
    // `&` and `|` return before the operands are written.
    Py::atom("None".into())
}

fn lit(l: &Lit) -> Py {
    match l {
        Lit::Num(n) => {
            let (code, atom) = py_num(*n);
            Py::pure(code, atom)
        }
        Lit::Text(t) => Py::pure(py_str(t), true),
        Lit::Bool(true) => Py::pure("True".into(), true),
        Lit::Bool(false) => Py::pure("False".into(), true),
        Lit::Nil => Py::pure("None".into(), true),
    }
}
