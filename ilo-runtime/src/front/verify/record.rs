//! Records and fields.

use super::*;

impl<'p> Verifier<'p> {
    // -------------------------------------------------------- records --

    #[inline(never)]
    pub(super) fn field(&mut self, target: &'p Expr, field: &Ident, safe: bool) -> Ty {
        let t = self.expr(target);
        let ft = match t.strip_opt() {
            Ty::Nil if safe => return Ty::Nil,
            Ty::Record(rec) => match self.record_field(rec, &field.name) {
                Some(ft) => ft,
                None => {
                    let rec = rec.clone();
                    self.unknown_field(&rec, field);
                    Ty::Any
                }
            },
            // `x.f` on a map reads the entry (parsed JSON reads as `d.a.b`).
            Ty::Map(_, v) => (**v).clone(),
            t if t.is_unknown() => Ty::Any,
            other => {
                let mut d = Diagnostic::error(
                    NO_FIELDS,
                    format!(
                        "`.{}` on {}: only records and maps have fields",
                        field.name,
                        a_ty(other)
                    ),
                    field.span,
                );
                if *other == Ty::Nil {
                    d = d.with_suggestion(format!(".?{}", field.name));
                } else if let (true, Some(x)) = (is_unary_builtin(&field.name), show(target)) {
                    // `xs.len` for `len xs`.
                    d = d.with_suggestion(format!("{} {}", field.name, paren(&x)));
                }
                self.report(d);
                Ty::Any
            }
        };
        if safe {
            Ty::opt(ft)
        } else {
            ft
        }
    }

    #[inline(never)]
    pub(super) fn index(&mut self, target: &'p Expr, index: usize) -> Ty {
        let t = self.expr(target);
        match t.strip_opt() {
            Ty::List(e) => (**e).clone(),
            Ty::Text => Ty::Text,
            t if t.is_unknown() => Ty::Any,
            other => {
                let d = Diagnostic::error(
                    NO_FIELDS,
                    format!("`.{index}` indexes a list or a text, but this is {}", a_ty(other)),
                    target.span,
                );
                self.report(d);
                Ty::Any
            }
        }
    }

    pub(super) fn unknown_field(&mut self, rec: &str, field: &Ident) {
        let fields: Vec<&str> = self
            .records
            .get(rec)
            .map(|d| d.fields.iter().map(|p| p.name.name.as_str()).collect())
            .unwrap_or_default();
        let mut d = Diagnostic::error(
            UNKNOWN_FIELD,
            format!("`{rec}` has no field `{}`", field.name),
            field.span,
        )
        .with_note(format!("the fields of `{rec}` are {}", backticked(&fields)));
        if let Some(decl) = self.records.get(rec) {
            d = d.with_label(decl.name.span, "declared here");
        }
        if let Some(s) = nearest(&field.name, fields) {
            d = d.with_suggestion(s);
        }
        self.report(d);
    }

    #[inline(never)]
    pub(super) fn record(&mut self, ty: &Ident, fields: &'p [(Ident, Expr)], span: Span) -> Ty {
        let name = ty.name.as_str();
        let Some(decl) = self.records.get(name).copied() else {
            fields.iter().for_each(|(_, e)| {
                self.expr(e);
            });
            if !self.maybe_imported(name) {
                let mut d = Diagnostic::error(UNKNOWN_TYPE, format!("unknown record type `{name}`"), ty.span);
                match nearest(name, self.record_names.clone()) {
                    Some(s) => d = d.with_suggestion(s),
                    None => d = d.with_note("declare it: `type name{f:T;g:T}`"),
                }
                self.report(d);
            }
            return Ty::Any;
        };
        self.record_fields(name, fields);
        let missing: Vec<&Param> = decl
            .fields
            .iter()
            .filter(|p| !fields.iter().any(|(f, _)| f.name == p.name.name))
            .collect();
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|p| p.name.name.as_str()).collect();
            let add: Vec<String> = missing.iter().map(|p| format!("{}:…", p.name.name)).collect();
            let d = Diagnostic::error(
                MISSING_FIELD,
                format!(
                    "`{name}` is missing {} {}",
                    if names.len() == 1 { "field" } else { "fields" },
                    backticked(&names)
                ),
                span,
            )
            .with_label(decl.name.span, "declared here")
            .with_suggestion(format!("add `{}`", add.join(" ")));
            self.report(d);
        }
        Ty::Record(name.to_string())
    }

    /// The `f:v` pairs of a construction or `with` on record `rec`.
    pub(super) fn record_fields(&mut self, rec: &str, fields: &'p [(Ident, Expr)]) {
        for (i, (f, e)) in fields.iter().enumerate() {
            if fields.iter().take(i).any(|(g, _)| g.name == f.name) {
                let d = Diagnostic::error(DUPLICATE_FIELD, format!("field `{}` is given twice", f.name), f.span);
                self.report(d);
            }
            match self.record_field(rec, &f.name) {
                Some(ft) => {
                    self.expect(e, &ft, Why::Field(rec, &f.name));
                }
                None => {
                    self.unknown_field(rec, f);
                    self.expr(e);
                }
            }
        }
    }

    #[inline(never)]
    pub(super) fn with(&mut self, target: &'p Expr, fields: &'p [(Ident, Expr)]) -> Ty {
        let t = self.expr(target);
        match t.strip_opt() {
            Ty::Record(rec) => {
                let rec = rec.clone();
                self.record_fields(&rec, fields);
                t
            }
            Ty::Map(..) => {
                let mut vt = t.clone();
                for (_, e) in fields {
                    let et = self.expr(e);
                    vt = match vt.strip_opt() {
                        Ty::Map(k, v) => Ty::map((**k).clone(), join(v, &et)),
                        other => other.clone(),
                    };
                }
                vt
            }
            u if u.is_unknown() => {
                fields.iter().for_each(|(_, e)| {
                    self.expr(e);
                });
                Ty::Any
            }
            other => {
                let d = Diagnostic::error(
                    NO_FIELDS,
                    format!("`with` replaces fields of a record, but this is {}", a_ty(other)),
                    target.span,
                );
                self.report(d);
                fields.iter().for_each(|(_, e)| {
                    self.expr(e);
                });
                Ty::Any
            }
        }
    }
}
