//! `?` matches: arms, patterns and whether they cover the subject.

use super::*;

impl<'p> Verifier<'p> {
    // ---------------------------------------------------------- match --

    #[inline(never)]
    pub(super) fn match_stmt(
        &mut self,
        subject: Option<&'p Expr>,
        arms: &'p [Arm],
        prev: &Ty,
        tail: bool,
        span: Span,
    ) -> Ty {
        let st = match subject {
            Some(e) => self.expr(e),
            None => prev.clone(),
        };
        let mut cover = Cover::default();
        let mut result = Ty::Never;
        let mut hinted = false;
        for arm in arms {
            if cover.wild && !hinted {
                hinted = true;
                self.hint(
                    UNREACHABLE_ARM,
                    "this arm never runs: the `_` arm above matches everything",
                    arm.span,
                );
            } else if !hinted && cover.repeats(&arm.pat) {
                hinted = true;
                self.hint(
                    UNREACHABLE_ARM,
                    "this arm never runs: an arm above matches the same value",
                    arm.span,
                );
            }
            let binding = self.pattern(&arm.pat, &st, arm.span);
            cover.add(&arm.pat);
            self.env.push(binding);
            let t = if tail {
                self.expect(&arm.body, &self.ret.clone(), Why::Return)
            } else {
                self.expr(&arm.body)
            };
            self.env.pop();
            result = join(&result, &t);
        }
        match cover.missing(&st) {
            Exhaustive::Yes => result,
            Exhaustive::Unknown => Ty::opt(result),
            Exhaustive::Missing(arms) => {
                let what = if matches!(st, Ty::Result(..)) {
                    "a result"
                } else {
                    "a bool"
                };
                let d = Diagnostic::error(
                    MISSING_ARM,
                    format!(
                        "this match on {what} has no {} arm",
                        backticked(&arms).replace(", ", " or ")
                    ),
                    subject.map_or(span, |e| e.span),
                )
                .with_note("without a matching arm the match is nil; add the arm or a `_:` arm")
                .with_suggestion(format!("add `{}`", arms.join(";")));
                self.report(d);
                Ty::opt(result)
            }
        }
    }

    /// Checks that `pat` can match a value of type `st`; returns the name
    /// it binds, with its type.
    pub(super) fn pattern(&mut self, pat: &'p Pattern, st: &Ty, span: Span) -> Option<(String, Ty)> {
        let base = st.strip_opt();
        let known = !base.is_unknown() && *base != Ty::Nil;
        let (fits_subject, binding): (bool, Option<(&Ident, Ty)>) = match pat {
            Pattern::Wild => (true, None),
            // No nil tracking: any value may be nil as far as patterns go.
            Pattern::Lit(Lit::Nil) => (true, None),
            Pattern::Lit(lit) => (!known || lit_ty(lit) == *base, None),
            Pattern::Ok(v) | Pattern::Err(v) => {
                let ok = matches!(pat, Pattern::Ok(_));
                match base {
                    Ty::Result(o, e) => (true, Some((v, if ok { (**o).clone() } else { (**e).clone() }))),
                    _ => (!known, Some((v, Ty::Any))),
                }
            }
            Pattern::Typed(tag, v) => {
                let t = match (tag, base) {
                    (TypeTag::List, Ty::List(_)) => base.clone(),
                    (TypeTag::List, _) => Ty::list(Ty::Any),
                    (TypeTag::Num, _) => Ty::Num,
                    (TypeTag::Text, _) => Ty::Text,
                    (TypeTag::Bool, _) => Ty::Bool,
                };
                let same = match tag {
                    TypeTag::List => matches!(base, Ty::List(_)),
                    _ => t == *base,
                };
                (!known || same, Some((v, t)))
            }
        };
        if !fits_subject {
            let d = Diagnostic::error(
                PATTERN_NEVER_MATCHES,
                format!("this pattern can never match: the value matched is {}", a_ty(st)),
                span,
            )
            .with_note(pattern_note(base));
            self.report(d);
        }
        binding.filter(|(v, _)| v.name != "_").map(|(v, t)| (v.name.clone(), t))
    }
}

// ---------------------------------------------------------- match cover --

/// What the arms seen so far match.
#[derive(Default)]
pub(super) struct Cover<'p> {
    wild: bool,
    ok: bool,
    err: bool,
    bools: [bool; 2],
    tags: Vec<TypeTag>,
    lits: Vec<&'p Lit>,
}

pub(super) enum Exhaustive {
    Yes,
    /// Cannot tell (text, numbers, unknown): a missed value gives nil.
    Unknown,
    /// The arms to add.
    Missing(Vec<&'static str>),
}

impl<'p> Cover<'p> {
    fn repeats(&self, pat: &Pattern) -> bool {
        match pat {
            Pattern::Lit(l) => self.lits.contains(&l),
            Pattern::Ok(_) => self.ok,
            Pattern::Err(_) => self.err,
            Pattern::Typed(t, _) => self.tags.contains(t),
            Pattern::Wild => false,
        }
    }

    fn add(&mut self, pat: &'p Pattern) {
        match pat {
            Pattern::Wild => self.wild = true,
            Pattern::Ok(_) => self.ok = true,
            Pattern::Err(_) => self.err = true,
            Pattern::Typed(t, _) => self.tags.push(*t),
            Pattern::Lit(l) => {
                if let Lit::Bool(b) = l {
                    self.bools[usize::from(*b)] = true;
                }
                self.lits.push(l);
            }
        }
    }

    /// Whether the arms cover every value of `st`, as far as can be seen.
    fn missing(&self, st: &Ty) -> Exhaustive {
        if self.wild {
            return Exhaustive::Yes;
        }
        match st {
            Ty::Result(o, e) => {
                let mut miss = Vec::new();
                if !self.ok && **o != Ty::Never {
                    miss.push("~v:…");
                }
                if !self.err && **e != Ty::Never {
                    miss.push("^e:…");
                }
                if miss.is_empty() {
                    Exhaustive::Yes
                } else {
                    Exhaustive::Missing(miss)
                }
            }
            Ty::Bool if self.tags.contains(&TypeTag::Bool) => Exhaustive::Yes,
            Ty::Bool => {
                let mut miss = Vec::new();
                if !self.bools[1] {
                    miss.push("true:…");
                }
                if !self.bools[0] {
                    miss.push("false:…");
                }
                if miss.is_empty() {
                    Exhaustive::Yes
                } else {
                    Exhaustive::Missing(miss)
                }
            }
            Ty::Num if self.tags.contains(&TypeTag::Num) => Exhaustive::Yes,
            Ty::Text if self.tags.contains(&TypeTag::Text) => Exhaustive::Yes,
            Ty::List(_) if self.tags.contains(&TypeTag::List) => Exhaustive::Yes,
            _ => Exhaustive::Unknown,
        }
    }
}

pub(super) fn pattern_note(t: &Ty) -> &'static str {
    match t {
        Ty::Result(..) => "a result matches `~v:` and `^e:`",
        Ty::Num => "a number matches number literals, `n v:` and `_:`",
        Ty::Text => "a text matches text literals, `t v:` and `_:`",
        Ty::Bool => "a bool matches `true:`, `false:`, `b v:` and `_:`",
        Ty::List(_) => "a list matches `l v:` and `_:`",
        _ => "patterns: literals, `~v` `^e`, `n v` `t v` `b v` `l v`, `_`",
    }
}
