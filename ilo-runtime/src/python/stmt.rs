//! Functions, blocks and statements.
//!
//! A body's value is its last statement's value (spec section 4), so each
//! block is written with a [`Sink`]: what to do with the value of its last
//! statement — return it (a function body), store it (before `?{arms}`,
//! which matches the previous statement's value), or drop it (loop bodies).

use std::collections::{HashMap, HashSet};

use super::counters;
use super::expr::Py;
use super::names::Namer;
use super::{Module, Untranslatable};
use crate::front::ast::*;
use crate::front::types::Ty;
use crate::front::visit::{for_each_binding, walk, Binder, Visitor};

/// Deepest block nesting written: CPython refuses more than 100 levels of
/// indentation.
const MAX_INDENT: usize = 90;

/// Where a block's value goes.
#[derive(Clone)]
pub(super) enum Sink {
    Return,
    Assign(String),
    Discard,
}

/// Writes one function.
pub(super) struct FnWriter<'m, 'p> {
    pub(super) m: &'m Module<'p>,
    out: String,
    indent: usize,
    /// Function-level variables: ilo name -> Python name.
    locals: HashMap<String, String>,
    /// Every name bound anywhere in the function (params, binds, loop
    /// variables, arm bindings): a call of such a name may call a function
    /// value held in it.
    pub(super) bound: HashSet<String>,
    /// Function-level variables that start as `_UNSET` because a function
    /// or builtin of that name stands in until they are bound.
    pub(super) late: HashSet<String>,
    /// How many places bind each name; a loop variable or arm binding bound
    /// in one place only keeps its name, others get a fresh one.
    sites: HashMap<String, usize>,
    /// Loop variables and arm bindings in scope, innermost last.
    scopes: Vec<(String, String)>,
    namer: Namer,
    temps: usize,
    /// Expressions being written, one inside the other.
    pub(super) expr_depth: usize,
    /// An `f!` inside an expression: the body catches `_Bubble`.
    pub(super) bubbles: bool,
    /// Python names of lists a loop around here made its own before it
    /// started (see [`Self::own_accumulators`]): appended to in place.
    owned: Vec<String>,
    /// Python names of loop counters that count in ints, which only `str`
    /// reads (see [`counters`]).
    pub(super) int_counters: Vec<String>,
}

pub(super) fn function(m: &Module<'_>, f: &FuncDecl, py: &str) -> Result<String, Untranslatable> {
    let mut w = FnWriter {
        m,
        out: String::new(),
        indent: 1,
        locals: HashMap::new(),
        bound: HashSet::new(),
        late: HashSet::new(),
        sites: HashMap::new(),
        scopes: Vec::new(),
        namer: m.namer.clone(),
        temps: 0,
        expr_depth: 0,
        bubbles: false,
        owned: Vec::new(),
        int_counters: Vec::new(),
    };
    let mut params = Vec::new();
    for p in &f.params {
        let name = w.local(&p.name.name);
        params.push(name);
        *w.sites.entry(p.name.name.clone()).or_default() += 1;
        w.bound.insert(p.name.name.clone());
    }
    let mut binds = Vec::new();
    count_sites(&f.body, &mut w.sites, &mut w.bound, &mut binds);
    // Every function-level variable gets its Python name up front, so a
    // read placed before its binding (in a loop) names the same variable.
    let param_names: HashSet<&str> = f.params.iter().map(|p| p.name.name.as_str()).collect();
    for name in binds.iter().filter(|n| !param_names.contains(n.as_str())) {
        let py = w.local(name);
        // Read before its binding runs, a name means the function or
        // builtin of that name (late binding): start it unset.
        let stands_in = w.m.funcs.contains_key(name.as_str()) || crate::builtins::Builtin::from_name(name).is_some();
        if stands_in && w.late.insert(name.clone()) {
            w.line(&format!("{py} = _UNSET"));
        }
    }
    if w.m.opts.max_steps.is_some() {
        w.line("_tick()");
    }
    w.block(&f.body, &Sink::Return)?;
    let body = std::mem::take(&mut w.out);
    let mut out = format!("def {py}({}):\n", params.join(", "));
    if w.bubbles {
        // `f!` meeting `^e` inside an expression raises; the function
        // returns the error.
        out += "    try:\n";
        for l in body.lines() {
            out += "    ";
            out += l;
            out += "\n";
        }
        out += "    except _Bubble as bubble:\n        return bubble.result\n";
    } else {
        out += &body;
    }
    Ok(out)
}

/// Counts binding sites per name (see `FnWriter::sites`).
/// Also lists the function-level variables (`x=…`, `{a;b}=…`) in `binds`.
fn count_sites(
    body: &[Stmt],
    sites: &mut HashMap<String, usize>,
    bound: &mut HashSet<String>,
    binds: &mut Vec<String>,
) {
    for_each_binding(body, |name, how| {
        *sites.entry(name.name.clone()).or_default() += 1;
        bound.insert(name.name.clone());
        if how == Binder::Let {
            binds.push(name.name.clone());
        }
    });
}

impl<'m, 'p> FnWriter<'m, 'p> {
    // ---- names ----

    /// The Python name of function-level variable `name`, made on first use.
    fn local(&mut self, name: &str) -> String {
        if let Some(py) = self.locals.get(name) {
            return py.clone();
        }
        let py = self.namer.fresh(name);
        self.locals.insert(name.to_string(), py.clone());
        py
    }

    /// Whether `name` reads a function-level variable that may be unset.
    pub(super) fn is_late(&self, name: &str) -> bool {
        self.late.contains(name) && !self.scopes.iter().any(|(n, _)| n == name)
    }

    /// The Python variable an ilo name reads, if it is a variable here.
    pub(super) fn var(&self, name: &str) -> Option<String> {
        if let Some((_, py)) = self.scopes.iter().rev().find(|(n, _)| n == name) {
            return Some(py.clone());
        }
        self.locals.get(name).cloned()
    }

    /// The Python name a binding `x=…` writes: the innermost scoped
    /// variable of that name, else the function-level one.
    fn target(&mut self, name: &str) -> String {
        match self.scopes.iter().rev().find(|(n, _)| n == name) {
            Some((_, py)) => py.clone(),
            None => self.local(name),
        }
    }

    /// `xs=+=xs v` on a list, written to append in place when no one else
    /// holds the list (ilo lists never change, so another holder must keep
    /// seeing the old one, and then it copies). `false`: not that form.
    fn append_in_place(&mut self, target: &str, name: &str, value: &'p Expr) -> Result<bool, Untranslatable> {
        let Some((lhs, rhs)) = self_append(name, value) else {
            return Ok(false);
        };
        if self.plain_list(lhs)?.as_deref() != Some(target) {
            return Ok(false);
        }
        let item = self.expr(rhs)?.code;
        if self.owned.iter().any(|o| o == target) {
            self.line(&format!("{target}.append({item})"));
            return Ok(true);
        }
        self.line(&format!("if _rc({target}) == _UNSHARED:"));
        self.line(&format!("    {target}.append({item})"));
        self.line("else:");
        self.line(&format!("    {target} = {target} + [{item}]"));
        Ok(true)
    }

    /// The Python variable `lhs` (a name) reads, when the verifier knows it
    /// holds a list and the read is the plain variable (bound, no check):
    /// then `.append` may be called on it.
    fn plain_list(&mut self, lhs: &'p Expr) -> Result<Option<String>, Untranslatable> {
        if !matches!(self.ty(lhs), Ty::List(_)) {
            return Ok(None);
        }
        let code = self.expr(lhs)?.code;
        let ExprKind::Name(name) = &lhs.kind else {
            return Ok(None);
        };
        Ok((self.var(name).as_deref() == Some(&code)).then_some(code))
    }

    /// Before `looped` (a loop statement): each list the loop only ever
    /// appends to (`xs=+=xs v`, and no other mention of `xs` in the loop)
    /// is copied once if anyone else holds it, so the loop appends in place
    /// with no check per item. Returns how many names it made owned; the
    /// caller gives them back with [`Self::disown`] after the loop.
    fn own_accumulators(&mut self, looped: &'p Stmt) -> Result<usize, Untranslatable> {
        let before = self.owned.len();
        'names: for (name, reads) in appended_only(looped) {
            let Some(py) = self.var(&name) else { continue };
            if self.owned.contains(&py) {
                continue;
            }
            // Every append must be one `append_in_place` writes in place.
            for lhs in reads {
                if self.plain_list(lhs)?.as_deref() != Some(py.as_str()) {
                    continue 'names;
                }
            }
            self.line(&format!("if _rc({py}) != _UNSHARED:"));
            self.line(&format!("    {py} = {py}[:]"));
            self.owned.push(py);
        }
        Ok(self.owned.len() - before)
    }

    fn disown(&mut self, n: usize) {
        self.owned.truncate(self.owned.len() - n);
    }

    /// Opens the scope of a loop variable or arm binding.
    fn push_scope(&mut self, name: &str) -> String {
        let unique = self.sites.get(name).copied().unwrap_or(0) <= 1 && !self.locals.contains_key(name);
        let py = if unique {
            self.local(name)
        } else {
            self.namer.fresh(name)
        };
        self.scopes.push((name.to_string(), py.clone()));
        py
    }

    /// A fresh temporary (`_v1`, `_v2`, …: no ilo name and no prelude name
    /// has that form).
    pub(super) fn temp(&mut self) -> String {
        self.temps += 1;
        format!("_v{}", self.temps)
    }

    pub(super) fn ty(&self, e: &'p Expr) -> &Ty {
        self.m.types.get(e)
    }

    // ---- output ----

    fn line(&mut self, code: &str) {
        for _ in 0..self.indent {
            self.out += "    ";
        }
        self.out += code;
        self.out.push('\n');
    }

    fn sink(&mut self, sink: &Sink, value: &str) {
        match sink {
            Sink::Return => self.line(&format!("return {value}")),
            Sink::Assign(t) => self.line(&format!("{t} = {value}")),
            Sink::Discard => {}
        }
    }

    /// Writes `body` one level deeper.
    fn nested(&mut self, body: &'p [Stmt], sink: &Sink) -> Result<(), Untranslatable> {
        if self.indent >= MAX_INDENT {
            return Err(Untranslatable(format!(
                "blocks nested more than {MAX_INDENT} deep (Python allows 100 levels of indentation)"
            )));
        }
        self.indent += 1;
        let before = self.out.len();
        let r = self.block(body, sink);
        if self.out.len() == before {
            // Every statement was a value nobody reads.
            self.line("pass");
        }
        self.indent -= 1;
        r
    }

    // ---- blocks and statements ----

    fn block(&mut self, body: &'p [Stmt], sink: &Sink) -> Result<(), Untranslatable> {
        if body.is_empty() {
            match sink {
                Sink::Discard => self.line("pass"),
                s => self.sink(s, "None"),
            }
            return Ok(());
        }
        let mut prev: Option<String> = None;
        for (i, s) in body.iter().enumerate() {
            let last = i + 1 == body.len();
            // `?{arms}` next: keep this statement's value for it.
            let feeds_match = matches!(
                body.get(i + 1),
                Some(Stmt {
                    kind: StmtKind::Match { subject: None, .. },
                    ..
                })
            );
            let here = if feeds_match {
                Sink::Assign(self.temp())
            } else if last {
                sink.clone()
            } else {
                Sink::Discard
            };
            self.stmt(s, &here, prev.take())?;
            if let Sink::Assign(t) = here {
                if feeds_match {
                    prev = Some(t);
                }
            }
        }
        Ok(())
    }

    /// One statement; `prev` holds the previous statement's value when this
    /// is `?{arms}`.
    fn stmt(&mut self, s: &'p Stmt, sink: &Sink, prev: Option<String>) -> Result<(), Untranslatable> {
        match &s.kind {
            StmtKind::Bind { name, value } => {
                if let ExprKind::Call {
                    func,
                    args,
                    unwrap: true,
                } = &value.kind
                {
                    // `x=f! a`, the common form, as plain statements.
                    let call = self.call(func, args)?.code;
                    let t = self.target(&name.name);
                    self.line(&format!("{t} = {call}"));
                    self.line(&format!("if type({t}) is not _Ok:"));
                    self.indent += 1;
                    self.line(&format!("return _propagate({}, {t})", super::names::py_str(&func.name)));
                    self.indent -= 1;
                    self.line(&format!("{t} = {t}.v"));
                    self.sink(sink, &t);
                    return Ok(());
                }
                let t = self.target(&name.name);
                if !self.append_in_place(&t, &name.name, value)? {
                    let v = self.expr(value)?.code;
                    self.line(&format!("{t} = {v}"));
                }
                self.sink(sink, &t);
            }
            StmtKind::Destructure { names, value } => {
                let rec = self.temp();
                let v = self.expr(value)?.code;
                self.line(&format!("{rec} = {v}"));
                let record = match self.ty(value).strip_opt() {
                    Ty::Record(r) => self.m.records.get(r.as_str()),
                    _ => None,
                };
                for n in names {
                    let read = match record.and_then(|r| r.slot(&n.name)) {
                        Some(slot) => format!("{rec}.{slot}"),
                        None => format!("_field({rec}, {})", super::names::py_str(&n.name)),
                    };
                    let t = self.target(&n.name);
                    self.line(&format!("{t} = {read}"));
                }
                self.sink(sink, &rec);
            }
            StmtKind::Guard { cond, negated, value } => {
                let c = self.cond(cond, *negated)?;
                self.line(&format!("if {c}:"));
                self.indent += 1;
                let v = self.expr(value)?.code;
                self.line(&format!("return {v}"));
                self.indent -= 1;
                self.sink(sink, "None");
            }
            StmtKind::If {
                cond,
                negated,
                then,
                els,
            } => {
                let c = self.cond(cond, *negated)?;
                self.line(&format!("if {c}:"));
                self.nested(then, sink)?;
                match els {
                    Some(els) => {
                        self.line("else:");
                        self.nested(els, sink)?;
                    }
                    None if !matches!(sink, Sink::Discard) => {
                        self.line("else:");
                        self.indent += 1;
                        self.sink(sink, "None");
                        self.indent -= 1;
                    }
                    None => {}
                }
            }
            StmtKind::Match { subject, arms } => self.match_stmt(subject.as_ref(), arms, sink, prev)?,
            StmtKind::ForEach { var, iter, body } => {
                let owned = self.own_accumulators(s)?;
                let it = self.expr(iter)?.code;
                let it = match self.ty(iter).strip_opt() {
                    Ty::List(_) | Ty::Text => it,
                    _ => format!("_items({it})"),
                };
                let v = self.push_scope(&var.name);
                self.line(&format!("for {v} in {it}:"));
                self.loop_body(body)?;
                self.scopes.pop();
                self.disown(owned);
                self.sink(sink, "None");
            }
            StmtKind::ForRange { var, from, to, body } => {
                let owned = self.own_accumulators(s)?;
                let is_func = |n: &str| self.m.funcs.contains_key(n);
                let whole = counters::whole_start(&var.name, from, body, is_func, self.bound.contains("str"));
                let a = self.expr(from)?.code;
                let b = self.expr(to)?.code;
                let v = self.push_scope(&var.name);
                match &whole {
                    Some(start) => {
                        self.line(&format!("for {v} in _whole_range({start}, {b}):"));
                        self.int_counters.push(v);
                    }
                    None => self.line(&format!("for {v} in _range({a}, {b}):")),
                }
                self.loop_body(body)?;
                if whole.is_some() {
                    self.int_counters.pop();
                }
                self.scopes.pop();
                self.disown(owned);
                self.sink(sink, "None");
            }
            StmtKind::While { cond, body } => {
                let owned = self.own_accumulators(s)?;
                let c = self.cond(cond, false)?;
                self.line(&format!("while {c}:"));
                self.loop_body(body)?;
                self.disown(owned);
                self.sink(sink, "None");
            }
            StmtKind::Break => self.line("break"),
            StmtKind::Continue => self.line("continue"),
            StmtKind::Return(e) => {
                let v = self.expr(e)?.code;
                self.line(&format!("return {v}"));
            }
            StmtKind::Expr(e) => self.expr_stmt(e, sink)?,
        }
        Ok(())
    }

    fn loop_body(&mut self, body: &'p [Stmt]) -> Result<(), Untranslatable> {
        if self.m.opts.max_steps.is_some() {
            self.indent += 1;
            self.line("_tick()");
            self.indent -= 1;
        }
        self.nested(body, &Sink::Discard)
    }

    /// An expression statement. `ok v` where `ok` is a variable is the
    /// braceless guard "return `v` when `ok`" when `ok` holds a bool (the
    /// parser reads a call; the run-time decides, as the tree interpreter).
    fn expr_stmt(&mut self, e: &'p Expr, sink: &Sink) -> Result<(), Untranslatable> {
        if let Some((func, value)) = e.guard_shape() {
            if let Some(var) = self.var(&func.name) {
                self.line(&format!("if type({var}) is bool:"));
                self.indent += 1;
                self.line(&format!("if {var}:"));
                self.indent += 1;
                let v = self.expr(value)?.code;
                self.line(&format!("return {v}"));
                self.indent -= 1;
                match sink {
                    Sink::Discard => self.line("pass"),
                    s => self.sink(s, "None"),
                }
                self.indent -= 1;
                self.line("else:");
                self.indent += 1;
                let call = self.expr(e)?.code;
                match sink {
                    Sink::Discard => self.line(&call),
                    s => self.sink(s, &call),
                }
                self.indent -= 1;
                return Ok(());
            }
        }
        let v = self.expr(e)?;
        match sink {
            Sink::Discard => {
                // A bare name or literal does nothing; calls may print.
                if !v.pure {
                    self.line(&v.code);
                }
            }
            s => self.sink(s, &v.code),
        }
        Ok(())
    }

    /// A condition as a Python bool expression.
    pub(super) fn cond(&mut self, e: &'p Expr, negated: bool) -> Result<String, Untranslatable> {
        let c = self.truth(e)?;
        Ok(if negated { format!("not {}", c.wrap()) } else { c.code })
    }

    /// `e` as a Python bool: itself when the verifier knows it is a bool,
    /// else its ilo truthiness (only `false` and `nil` are false).
    pub(super) fn truth(&mut self, e: &'p Expr) -> Result<Py, Untranslatable> {
        let is_bool = *self.ty(e) == Ty::Bool;
        let v = self.expr(e)?;
        Ok(if is_bool {
            v
        } else {
            Py::atom(format!("_t({})", v.code))
        })
    }

    fn match_stmt(
        &mut self,
        subject: Option<&'p Expr>,
        arms: &'p [Arm],
        sink: &Sink,
        prev: Option<String>,
    ) -> Result<(), Untranslatable> {
        let (m, num) = match subject {
            Some(e) => {
                let num = *self.ty(e) == Ty::Num;
                let v = self.expr(e)?;
                if v.is_name {
                    (v.code, num)
                } else {
                    let t = self.temp();
                    self.line(&format!("{t} = {}", v.code));
                    (t, num)
                }
            }
            None => (prev.unwrap_or_else(|| "None".into()), false),
        };
        let mut first = true;
        let mut wild = false;
        for arm in arms {
            let (test, binding) = match &arm.pat {
                Pattern::Wild => (None, None),
                Pattern::Lit(Lit::Num(n)) => {
                    let lit = super::names::py_num(*n).0;
                    if num {
                        (Some(format!("{m} == {lit}")), None)
                    } else {
                        (Some(format!("type({m}) is float and {m} == {lit}")), None)
                    }
                }
                Pattern::Lit(Lit::Text(t)) => (Some(format!("{m} == {}", super::names::py_str(t))), None),
                Pattern::Lit(Lit::Bool(b)) => (Some(format!("{m} is {}", if *b { "True" } else { "False" })), None),
                Pattern::Lit(Lit::Nil) => (Some(format!("{m} is None")), None),
                Pattern::Ok(n) => (Some(format!("type({m}) is _Ok")), Some((n, format!("{m}.v")))),
                Pattern::Err(n) => (Some(format!("type({m}) is _Err")), Some((n, format!("{m}.v")))),
                Pattern::Typed(tag, n) => {
                    let py = match tag {
                        TypeTag::Num => "float",
                        TypeTag::Text => "str",
                        TypeTag::Bool => "bool",
                        TypeTag::List => "list",
                    };
                    (Some(format!("type({m}) is {py}")), Some((n, m.clone())))
                }
            };
            match (&test, first) {
                (Some(t), true) => self.line(&format!("if {t}:")),
                (Some(t), false) => self.line(&format!("elif {t}:")),
                (None, true) => self.line("if True:"),
                (None, false) => self.line("else:"),
            }
            first = false;
            self.indent += 1;
            let scoped = match binding {
                Some((n, value)) if n.name != "_" => {
                    let py = self.push_scope(&n.name);
                    self.line(&format!("{py} = {value}"));
                    true
                }
                _ => false,
            };
            let body = self.expr(&arm.body);
            if scoped {
                self.scopes.pop();
            }
            let body = body?;
            match sink {
                Sink::Discard if body.pure => self.line("pass"),
                Sink::Discard => self.line(&body.code),
                s => self.sink(s, &body.code),
            }
            self.indent -= 1;
            if test.is_none() {
                wild = true;
                break;
            }
        }
        if !wild && !arms.is_empty() && !matches!(sink, Sink::Discard) {
            self.line("else:");
            self.indent += 1;
            self.sink(sink, "None");
            self.indent -= 1;
        }
        if arms.is_empty() {
            self.sink(sink, "None");
        }
        Ok(())
    }
}

/// Whether `e` reads the variable `name` anywhere.
fn mentions(e: &Expr, name: &str) -> bool {
    struct Mentions<'n>(&'n str, bool);
    impl<'a> Visitor<'a> for Mentions<'_> {
        fn visit_expr(&mut self, e: &'a Expr) {
            self.1 |= matches!(&e.kind, ExprKind::Name(n) if n == self.0);
            walk::expr(self, e)
        }
    }
    let mut m = Mentions(name, false);
    m.visit_expr(e);
    m.1
}

/// `xs=+=xs v` with `v` not naming `xs`, as the value bound to `name`:
/// its `xs` and its `v`.
fn self_append<'e>(name: &str, value: &'e Expr) -> Option<(&'e Expr, &'e Expr)> {
    match &value.kind {
        ExprKind::Binary {
            op: BinOp::Append,
            lhs,
            rhs,
        } if matches!(&lhs.kind, ExprKind::Name(n) if n == name) && !mentions(rhs, name) => Some((lhs, rhs)),
        _ => None,
    }
}

/// The names `looped` mentions only as `xs=+=xs v` (see [`self_append`]),
/// and binds nowhere else, each with its `xs` reads: lists the loop builds
/// and nothing in it reads, so no one in the loop can see them change.
fn appended_only(looped: &Stmt) -> Vec<(String, Vec<&Expr>)> {
    #[derive(Default)]
    struct Scan<'a> {
        appended: HashMap<&'a str, Vec<&'a Expr>>,
        other: HashSet<&'a str>,
    }
    impl<'a> Visitor<'a> for Scan<'a> {
        fn visit_stmt(&mut self, s: &'a Stmt) {
            if let StmtKind::Bind { name, value } = &s.kind {
                if let Some((lhs, rhs)) = self_append(&name.name, value) {
                    self.appended.entry(&name.name).or_default().push(lhs);
                    return self.visit_expr(rhs);
                }
            }
            walk::stmt(self, s)
        }
        fn visit_expr(&mut self, e: &'a Expr) {
            if let ExprKind::Name(n) = &e.kind {
                self.other.insert(n);
            }
            walk::expr(self, e)
        }
        fn visit_binding(&mut self, name: &'a Ident, _how: Binder) {
            self.other.insert(&name.name);
        }
        fn visit_ident(&mut self, i: &'a Ident) {
            // A call `xs a` may call a function value held in `xs`.
            self.other.insert(&i.name);
        }
    }
    let mut scan = Scan::default();
    scan.visit_stmt(looped);
    let mut names: Vec<_> = (scan.appended.into_iter())
        .filter(|(n, _)| !scan.other.contains(n))
        .map(|(n, reads)| (n.to_string(), reads))
        .collect();
    // A stable order, so the translation is the same on every run.
    names.sort_by(|a, b| a.0.cmp(&b.0));
    names
}
