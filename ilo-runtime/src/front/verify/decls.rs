//! Declarations: record types, imports, function signatures.

use super::*;

impl<'p> Verifier<'p> {
    // ---------------------------------------------------- declarations --

    pub(super) fn declarations(&mut self, program: &'p Program) {
        for d in &program.decls {
            match d {
                Decl::Use(u) => match &u.names {
                    Some(names) => self.imported.extend(names.iter().map(|n| n.name.as_str())),
                    None => self.import_all = true,
                },
                Decl::Type(t) => self.declare_type(t),
                Decl::Func(f) => self.declare_func(f),
            }
        }
        // Types may be used before they are declared, so check them after.
        for d in &program.decls {
            match d {
                Decl::Type(t) => self.check_type_decl(t),
                Decl::Func(f) => self.check_signature(f),
                Decl::Use(_) => {}
            }
        }
    }

    pub(super) fn declare_type(&mut self, t: &'p TypeDecl) {
        let name = t.name.name.as_str();
        if let Some(first) = self.records.get(name) {
            let d = Diagnostic::error(DUPLICATE_TYPE, format!("type `{name}` is declared twice"), t.name.span)
                .with_label(first.name.span, "first declared here")
                .with_suggestion(format!("rename one of them, e.g. `{name}2`"));
            self.report(d);
            return;
        }
        self.records.insert(name, t);
        self.record_names.push(name);
    }

    pub(super) fn declare_func(&mut self, f: &'p FuncDecl) {
        let name = f.name.name.as_str();
        if let Some(first) = self.funcs.get(name) {
            let d = Diagnostic::error(
                DUPLICATE_FUNCTION,
                format!("function `{name}` is declared twice"),
                f.name.span,
            )
            .with_label(first.name.span, "first declared here")
            .with_suggestion(format!("rename one of them, e.g. `{name}2`"));
            self.report(d);
            return;
        }
        self.funcs.insert(name, f);
        self.func_names.push(name);
    }

    pub(super) fn check_type_decl(&mut self, t: &TypeDecl) {
        let mut seen: Vec<&Param> = Vec::new();
        for field in &t.fields {
            if let Some(first) = seen.iter().find(|p| p.name.name == field.name.name) {
                let d = Diagnostic::error(
                    DUPLICATE_FIELD,
                    format!("field `{}` appears twice in type `{}`", field.name.name, t.name.name),
                    field.name.span,
                )
                .with_label(first.name.span, "first declared here");
                self.report(d);
            } else {
                seen.push(field);
            }
            self.check_declared_type(&field.ty, field.span);
        }
    }

    pub(super) fn check_signature(&mut self, f: &FuncDecl) {
        let mut seen: Vec<&Param> = Vec::new();
        for p in &f.params {
            if let Some(first) = seen.iter().find(|q| q.name.name == p.name.name) {
                let d = Diagnostic::error(
                    DUPLICATE_PARAM,
                    format!("parameter `{}` appears twice in `{}`", p.name.name, f.name.name),
                    p.name.span,
                )
                .with_label(first.name.span, "first declared here");
                self.report(d);
            } else {
                seen.push(p);
            }
            self.check_declared_type(&p.ty, p.span);
        }
        self.check_declared_type(&f.ret, f.name.span);
    }

    /// Reports record names in a declared type that nothing declares.
    pub(super) fn check_declared_type(&mut self, t: &Type, span: Span) {
        let mut unknown = Vec::new();
        self.unknown_names(t, &mut unknown, 0);
        for name in unknown {
            let mut d = Diagnostic::error(UNKNOWN_TYPE, format!("unknown type `{name}`"), span);
            if let Some(fix) = type_suggestion(&name, &self.record_names) {
                d = d.with_suggestion(fix);
            } else {
                d = d.with_note("types are n t b _ L M R O F, a type variable, or a name declared with `type`");
            }
            self.report(d);
        }
    }

    pub(super) fn unknown_names(&self, t: &Type, out: &mut Vec<String>, depth: u32) {
        if depth > MAX_NEST {
            return;
        }
        match t {
            Type::Named(n) if !self.records.contains_key(n.as_str()) && !self.maybe_imported(n) => out.push(n.clone()),
            Type::List(e) | Type::Opt(e) => self.unknown_names(e, out, depth + 1),
            Type::Map(a, b) | Type::Result(a, b) => {
                self.unknown_names(a, out, depth + 1);
                self.unknown_names(b, out, depth + 1);
            }
            Type::Func(ps, r) => {
                ps.iter().for_each(|p| self.unknown_names(p, out, depth + 1));
                self.unknown_names(r, out, depth + 1);
            }
            _ => {}
        }
    }

    /// A declared type with its type variables kept (signatures).
    pub(super) fn sig_ty(&self, t: &Type) -> Ty {
        let records = &self.records;
        types::from_ast(t, &|n: &str| {
            if records.contains_key(n) {
                Ty::Record(n.to_string())
            } else {
                Ty::Any
            }
        })
    }

    /// A declared type as a value inside a body: type variables are unknown.
    pub(super) fn body_ty(&self, t: &Type) -> Ty {
        self.sig_ty(t).erase_vars()
    }

    pub(super) fn record_field(&self, rec: &str, field: &str) -> Option<Ty> {
        let decl = self.records.get(rec)?;
        let p = decl.fields.iter().find(|p| p.name.name == field)?;
        Some(self.body_ty(&p.ty))
    }
}
