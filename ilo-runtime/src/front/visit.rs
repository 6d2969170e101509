//! One walker over the AST, for the passes that only look for (or rewrite)
//! some kinds of node: the names a declaration uses, the variables a body
//! binds, the call sites, the long builtin names to shorten.
//!
//! [`Visitor`] reads the tree, [`VisitorMut`] may change it in place. Each
//! has one method per kind of node; a pass overrides the few it cares about,
//! and every other method keeps its default, which recurses into the node's
//! children through the matching function of [`walk`] (or [`walk_mut`]).
//! An override that still wants the children calls that function itself.
//!
//! The walk functions match every variant of the AST with no catch-all, so
//! a new construct does not compile until the walker knows its children, and
//! every pass built on it sees the construct at once. Passes that must treat
//! every node specifically (the engines, the verifier, the formatter's
//! printer) keep their own `match`es.
//!
//! Children are visited in source order, and a statement's bound names after
//! the expressions it evaluates first: `x=e` visits `e`, then `x`; a loop
//! visits what it iterates over, then its variable, then its body.

use super::ast::*;

/// How a name comes to be bound, given with every binding site to
/// [`Visitor::visit_binding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binder {
    /// A function parameter.
    Param,
    /// `x=e`, or a name of `{a;b}=e`: a function-level variable.
    Let,
    /// The variable of `@x xs{…}` or `@i a..b{…}`.
    Loop,
    /// The name a match arm's pattern binds: `~v:`, `^e:`, `n v:`.
    Pattern,
}

/// `name:e` fields of a record or a `with`: each name, then its value.
macro_rules! fields {
    ($v:ident, $fields:ident) => {
        for (name, x) in $fields {
            $v.visit_ident(name);
            $v.visit_expr(x);
        }
    };
}

/// Defines a visitor trait and its walk functions in a module; `mut` makes
/// the mutable twin. One definition keeps the two walks the same.
macro_rules! visitor {
    ($(#[$doc:meta])* $Trait:ident <$($a:lifetime)?> $walk:ident $($mut:ident)?) => {
        $(#[$doc])*
        pub trait $Trait<$($a)?> {
            fn visit_program(&mut self, p: &$($a)? $($mut)? Program) {
                $walk::program(self, p)
            }
            fn visit_decl(&mut self, d: &$($a)? $($mut)? Decl) {
                $walk::decl(self, d)
            }
            fn visit_func(&mut self, f: &$($a)? $($mut)? FuncDecl) {
                $walk::func(self, f)
            }
            /// A function body, or a block nested in one.
            fn visit_body(&mut self, body: &$($a)? $($mut)? [Stmt]) {
                $walk::body(self, body)
            }
            fn visit_stmt(&mut self, s: &$($a)? $($mut)? Stmt) {
                $walk::stmt(self, s)
            }
            fn visit_arm(&mut self, a: &$($a)? $($mut)? Arm) {
                $walk::arm(self, a)
            }
            fn visit_pattern(&mut self, p: &$($a)? $($mut)? Pattern) {
                $walk::pattern(self, p)
            }
            fn visit_expr(&mut self, e: &$($a)? $($mut)? Expr) {
                $walk::expr(self, e)
            }
            /// A declared type: of a parameter, a result, a record field.
            fn visit_type(&mut self, t: &$($a)? $($mut)? Type) {
                $walk::ty(self, t)
            }
            /// Where `name` is bound, and how; by default, an identifier.
            fn visit_binding(&mut self, name: &$($a)? $($mut)? Ident, _how: Binder) {
                self.visit_ident(name)
            }
            /// Every identifier: declared names, bindings, called functions,
            /// fields, record types.
            fn visit_ident(&mut self, i: &$($a)? $($mut)? Ident) {
                self.visit_span(& $($mut)? i.span)
            }
            /// Every span of the tree, each once.
            fn visit_span(&mut self, _span: &$($a)? $($mut)? Span) {}
        }

        /// The default recursion of each method of the visitor: every child
        /// of the node, in source order.
        pub mod $walk {
            use super::*;

            pub fn program<$($a,)? V: $Trait<$($a)?> + ?Sized>(v: &mut V, p: &$($a)? $($mut)? Program) {
                for d in & $($mut)? p.decls {
                    v.visit_decl(d);
                }
            }

            pub fn decl<$($a,)? V: $Trait<$($a)?> + ?Sized>(v: &mut V, d: &$($a)? $($mut)? Decl) {
                match d {
                    Decl::Func(f) => v.visit_func(f),
                    Decl::Type(t) => {
                        v.visit_span(& $($mut)? t.span);
                        v.visit_ident(& $($mut)? t.name);
                        for field in & $($mut)? t.fields {
                            v.visit_span(& $($mut)? field.span);
                            v.visit_ident(& $($mut)? field.name);
                            v.visit_type(& $($mut)? field.ty);
                        }
                    }
                    Decl::Use(u) => {
                        v.visit_span(& $($mut)? u.span);
                        for name in (& $($mut)? u.names).into_iter().flatten() {
                            v.visit_ident(name);
                        }
                    }
                }
            }

            pub fn func<$($a,)? V: $Trait<$($a)?> + ?Sized>(v: &mut V, f: &$($a)? $($mut)? FuncDecl) {
                v.visit_span(& $($mut)? f.span);
                v.visit_ident(& $($mut)? f.name);
                for p in & $($mut)? f.params {
                    v.visit_span(& $($mut)? p.span);
                    v.visit_binding(& $($mut)? p.name, Binder::Param);
                    v.visit_type(& $($mut)? p.ty);
                }
                v.visit_type(& $($mut)? f.ret);
                v.visit_body(& $($mut)? f.body);
            }

            pub fn body<$($a,)? V: $Trait<$($a)?> + ?Sized>(v: &mut V, body: &$($a)? $($mut)? [Stmt]) {
                for s in body {
                    v.visit_stmt(s);
                }
            }

            pub fn stmt<$($a,)? V: $Trait<$($a)?> + ?Sized>(v: &mut V, s: &$($a)? $($mut)? Stmt) {
                v.visit_span(& $($mut)? s.span);
                match & $($mut)? s.kind {
                    StmtKind::Bind { name, value } => {
                        v.visit_expr(value);
                        v.visit_binding(name, Binder::Let);
                    }
                    StmtKind::Destructure { names, value } => {
                        v.visit_expr(value);
                        for name in names {
                            v.visit_binding(name, Binder::Let);
                        }
                    }
                    StmtKind::Guard { cond, negated: _, value } => {
                        v.visit_expr(cond);
                        v.visit_expr(value);
                    }
                    StmtKind::If { cond, negated: _, then, els } => {
                        v.visit_expr(cond);
                        v.visit_body(then);
                        if let Some(els) = els {
                            v.visit_body(els);
                        }
                    }
                    StmtKind::Match { subject, arms } => {
                        if let Some(subject) = subject {
                            v.visit_expr(subject);
                        }
                        for arm in arms {
                            v.visit_arm(arm);
                        }
                    }
                    StmtKind::ForEach { var, iter, body } => {
                        v.visit_expr(iter);
                        v.visit_binding(var, Binder::Loop);
                        v.visit_body(body);
                    }
                    StmtKind::ForRange { var, from, to, body } => {
                        v.visit_expr(from);
                        v.visit_expr(to);
                        v.visit_binding(var, Binder::Loop);
                        v.visit_body(body);
                    }
                    StmtKind::While { cond, body } => {
                        v.visit_expr(cond);
                        v.visit_body(body);
                    }
                    StmtKind::Break | StmtKind::Continue => {}
                    StmtKind::Return(e) | StmtKind::Expr(e) => v.visit_expr(e),
                }
            }

            pub fn arm<$($a,)? V: $Trait<$($a)?> + ?Sized>(v: &mut V, a: &$($a)? $($mut)? Arm) {
                v.visit_span(& $($mut)? a.span);
                v.visit_pattern(& $($mut)? a.pat);
                v.visit_expr(& $($mut)? a.body);
            }

            pub fn pattern<$($a,)? V: $Trait<$($a)?> + ?Sized>(v: &mut V, p: &$($a)? $($mut)? Pattern) {
                match p {
                    Pattern::Ok(name) | Pattern::Err(name) | Pattern::Typed(_, name) => {
                        v.visit_binding(name, Binder::Pattern)
                    }
                    Pattern::Lit(_) | Pattern::Wild => {}
                }
            }

            pub fn expr<$($a,)? V: $Trait<$($a)?> + ?Sized>(v: &mut V, e: &$($a)? $($mut)? Expr) {
                v.visit_span(& $($mut)? e.span);
                match & $($mut)? e.kind {
                    ExprKind::Lit(_) | ExprKind::Name(_) => {}
                    ExprKind::List(items) => {
                        for x in items {
                            v.visit_expr(x);
                        }
                    }
                    ExprKind::Call { func, args, unwrap: _ } => {
                        v.visit_ident(func);
                        for x in args {
                            v.visit_expr(x);
                        }
                    }
                    ExprKind::Unary { op: _, operand: x } | ExprKind::Ok(x) | ExprKind::Err(x) => v.visit_expr(x),
                    ExprKind::Index { target, index: _ } => v.visit_expr(target),
                    ExprKind::Field { target, field, safe: _ } => {
                        v.visit_expr(target);
                        v.visit_ident(field);
                    }
                    ExprKind::Binary { op: _, lhs, rhs } | ExprKind::Coalesce { lhs, rhs } => {
                        v.visit_expr(lhs);
                        v.visit_expr(rhs);
                    }
                    ExprKind::Record { ty, fields } => {
                        v.visit_ident(ty);
                        fields!(v, fields);
                    }
                    ExprKind::With { target, fields } => {
                        v.visit_expr(target);
                        fields!(v, fields);
                    }
                    ExprKind::Ternary { cond, then, els } => {
                        v.visit_expr(cond);
                        v.visit_expr(then);
                        v.visit_expr(els);
                    }
                }
            }

            pub fn ty<$($a,)? V: $Trait<$($a)?> + ?Sized>(v: &mut V, t: &$($a)? $($mut)? Type) {
                match t {
                    Type::List(x) | Type::Opt(x) => v.visit_type(x),
                    Type::Map(a, b) | Type::Result(a, b) => {
                        v.visit_type(a);
                        v.visit_type(b);
                    }
                    Type::Func(params, ret) => {
                        for p in params {
                            v.visit_type(p);
                        }
                        v.visit_type(ret);
                    }
                    Type::Num | Type::Text | Type::Bool | Type::Any | Type::Named(_) | Type::Var(_) => {}
                }
            }
        }
    };
}

visitor!(
    /// Reads the tree; `'a` is the tree's lifetime, so a pass may keep
    /// references into it.
    Visitor<'a> walk
);
visitor!(
    /// Changes the tree in place.
    VisitorMut<> walk_mut mut
);

/// Calls `f` on every binding site under `body`, in source order: the
/// function-level variables, loop variables and pattern names (not the
/// parameters, which are outside the body).
pub fn for_each_binding<'a>(body: &'a [Stmt], f: impl FnMut(&'a Ident, Binder)) {
    struct Bindings<F>(F);
    impl<'a, F: FnMut(&'a Ident, Binder)> Visitor<'a> for Bindings<F> {
        fn visit_binding(&mut self, name: &'a Ident, how: Binder) {
            (self.0)(name, how)
        }
    }
    Bindings(f).visit_body(body)
}

/// Calls `f` on every expression under `body`, each before the expressions
/// inside it.
pub fn for_each_expr<'a>(body: &'a [Stmt], f: impl FnMut(&'a Expr)) {
    struct Exprs<F>(F);
    impl<'a, F: FnMut(&'a Expr)> Visitor<'a> for Exprs<F> {
        fn visit_expr(&mut self, e: &'a Expr) {
            (self.0)(e);
            walk::expr(self, e)
        }
    }
    Exprs(f).visit_body(body)
}

/// [`for_each_expr`] that may change each expression (before its children
/// are visited, so the children of what `f` leaves are visited).
pub fn for_each_expr_mut(body: &mut [Stmt], f: impl FnMut(&mut Expr)) {
    struct Exprs<F>(F);
    impl<F: FnMut(&mut Expr)> VisitorMut for Exprs<F> {
        fn visit_expr(&mut self, e: &mut Expr) {
            (self.0)(e);
            walk_mut::expr(self, e)
        }
    }
    Exprs(f).visit_body(body)
}

#[cfg(test)]
mod tests;
