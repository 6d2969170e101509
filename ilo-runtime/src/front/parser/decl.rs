//! Declarations (`name p:T>R;body`, `type`, `use`) and types.

use super::*;

impl Parser {
    // ---- declarations ----

    pub(super) fn program(&mut self) -> Program {
        let mut decls = Vec::new();
        while !self.is(&Tok::Eof) {
            let start = self.pos;
            match self.decl() {
                Ok(d) => decls.push(d),
                Err(e) => {
                    self.errs.push(*e);
                    self.recover(start);
                }
            }
        }
        Program { decls }
    }

    /// Skips to the next declaration, always making progress.
    pub(super) fn recover(&mut self, start: usize) {
        self.nest = 0;
        self.depth = 0;
        if self.pos == start {
            self.bump();
        }
        while !self.at_boundary() {
            self.bump();
        }
    }

    pub(super) fn decl(&mut self) -> PResult<Decl> {
        let d = if self.is_name("type") && matches!(self.look(1).kind, Tok::Name(_)) {
            Decl::Type(self.type_decl()?)
        } else if self.is_name("use") && matches!(self.look(1).kind, Tok::Text(_)) {
            Decl::Use(self.use_decl()?)
        } else if self.is_name("use") && self.look(1).kind != Tok::Gt && self.look(2).kind != Tok::Colon {
            return fail(
                self.error(code::BAD_USE, "`use` needs the path of an ilo file in double quotes")
                    .with_suggestion("use \"lib.ilo\"  or  use \"lib.ilo\" [f g]"),
            );
        } else if matches!(self.kind(), Tok::Name(_)) {
            Decl::Func(self.func_decl()?)
        } else {
            return fail(self.unexpected("a declaration").with_note(
                "a declaration is `name p:T>R;body`, `type name{f:T}` or `use \"file.ilo\"`, starting at column 0",
            ));
        };
        if !self.at_boundary() {
            return fail(
                self.unexpected("the end of the declaration")
                    .with_note("each declaration starts on its own line at column 0; indent lines that continue it"),
            );
        }
        Ok(d)
    }

    pub(super) fn func_decl(&mut self) -> PResult<FuncDecl> {
        let start = self.tok().span.start;
        let name = self.ident("a function name")?;
        let mut params = Vec::new();
        while !self.is(&Tok::Gt) {
            params.push(self.param(&name)?);
        }
        self.bump();
        let ret = self.ty()?;
        if !self.eat(&Tok::Semi) && !self.tok().nl {
            return fail(self.unexpected("`;` before the function body"));
        }
        let body = self.top_body()?;
        if body.is_empty() && !self.lex_error_since(start) {
            return fail(
                Diagnostic::error(
                    code::NO_BODY,
                    format!("function `{}` has no body", name.name),
                    name.span,
                )
                .with_suggestion(format!("{}>n;0", name.name)),
            );
        }
        Ok(FuncDecl {
            name,
            params,
            ret,
            body,
            span: self.span_from(start),
        })
    }

    /// `name:type` in a function header.
    pub(super) fn param(&mut self, func: &Ident) -> PResult<Param> {
        let t = self.tok();
        let is_param_name = matches!(t.kind, Tok::Name(_)) && !self.at_stmt_end();
        if !is_param_name {
            let mut d = self.unexpected(&format!(
                "a parameter `name:type` or `>` and the return type of `{}`",
                func.name
            ));
            if self.tok().col0 || self.tok().nl {
                d = d.with_suggestion(format!("{} x:n>n;body", func.name));
            }
            return fail(d);
        }
        if self.look(1).kind != Tok::Colon {
            let Tok::Name(n) = self.kind().clone() else {
                return fail(self.unexpected("a parameter"));
            };
            return fail(
                self.error(code::UNTYPED_PARAM, format!("parameter `{n}` needs a type"))
                    .with_note("parameters are `name:type`, e.g. `x:n`; `>` then the return type ends the header")
                    .with_suggestion(format!("{n}:n")),
            );
        }
        self.field()
    }

    /// `name:type`, a parameter or a record field.
    pub(super) fn field(&mut self) -> PResult<Param> {
        let start = self.tok().span.start;
        let name = self.ident("a field name")?;
        self.expect(&Tok::Colon, "`:` and a type")?;
        let ty = self.ty()?;
        Ok(Param {
            name,
            ty,
            span: self.span_from(start),
        })
    }

    /// `type name{f:T;g:T}`
    pub(super) fn type_decl(&mut self) -> PResult<TypeDecl> {
        let start = self.bump().span.start;
        let name = self.ident("a type name")?;
        let open = self.expect(&Tok::LBrace, "`{` and the fields")?;
        let fields = self.brace_items(open, |p| {
            p.begin_stmt();
            p.field()
        })?;
        Ok(TypeDecl {
            name,
            fields,
            span: self.span_from(start),
        })
    }

    /// `use "path.ilo"` or `use "path.ilo" [a b]`
    pub(super) fn use_decl(&mut self) -> PResult<UseDecl> {
        let start = self.bump().span.start;
        let Tok::Text(path) = self.bump().kind else {
            return fail(self.unexpected("a path"));
        };
        let mut names = None;
        if self.is(&Tok::LBracket) && !self.at_stmt_end() {
            let open = self.bump().span;
            let mut list = Vec::new();
            loop {
                self.eat(&Tok::Comma);
                if self.eat(&Tok::RBracket) {
                    break;
                }
                if self.at_boundary() {
                    return fail(self.unclosed(open, "[", "]"));
                }
                self.nest += 1;
                let id = self.ident("a declaration name to import");
                self.nest -= 1;
                list.push(id?);
            }
            names = Some(list);
        }
        Ok(UseDecl {
            path,
            names,
            span: self.span_from(start),
        })
    }

    /// The items of a `{…}` list whose `{` (at `open`) was just read, up to
    /// and including its `}`; items are separated by `;` or `,`.
    pub(super) fn brace_items<T>(
        &mut self,
        open: Span,
        mut item: impl FnMut(&mut Self) -> PResult<T>,
    ) -> PResult<Vec<T>> {
        let mut items = Vec::new();
        loop {
            while self.eat(&Tok::Semi) || self.eat(&Tok::Comma) {}
            if self.eat(&Tok::RBrace) {
                return Ok(items);
            }
            if self.at_boundary() {
                return fail(self.unclosed(open, "{", "}"));
            }
            items.push(item(self)?);
        }
    }

    pub(super) fn unclosed(&self, open: Span, o: &str, c: &str) -> Diagnostic {
        self.error(code::UNCLOSED, format!("unclosed `{o}`"))
            .with_label(open, format!("`{o}` opened here"))
            .with_suggestion(format!("add `{c}`"))
    }

    // ---- types ----

    pub(super) fn ty(&mut self) -> PResult<Type> {
        self.nested(|p| p.ty_inner())
    }

    pub(super) fn ty_inner(&mut self) -> PResult<Type> {
        if self.at_stmt_end() {
            let mut d = self.unexpected("a type").with_note(TYPE_NOTE);
            d.code = code::EXPECTED_TYPE;
            return fail(d);
        }
        let t = self.tok().clone();
        match t.kind {
            Tok::Underscore => {
                self.bump();
                Ok(Type::Any)
            }
            Tok::LParen => {
                let open = self.bump().span;
                self.nest += 1;
                let inner = self.ty();
                self.nest -= 1;
                let inner = inner?;
                if !self.eat(&Tok::RParen) {
                    return fail(self.unclosed(open, "(", ")"));
                }
                Ok(inner)
            }
            Tok::Name(name) => {
                self.bump();
                self.named_type(&name)
            }
            _ => fail(
                self.error(
                    code::EXPECTED_TYPE,
                    format!("expected a type, found {}", t.kind.describe()),
                )
                .with_note(TYPE_NOTE),
            ),
        }
    }

    pub(super) fn named_type(&mut self, name: &str) -> PResult<Type> {
        Ok(match name {
            "n" => Type::Num,
            "t" => Type::Text,
            "b" => Type::Bool,
            "L" => Type::List(Box::new(self.ty()?)),
            "O" => Type::Opt(Box::new(self.ty()?)),
            "M" => {
                let k = self.ty()?;
                Type::Map(Box::new(k), Box::new(self.ty()?))
            }
            "R" => {
                let ok = self.ty()?;
                Type::Result(Box::new(ok), Box::new(self.ty()?))
            }
            "F" => self.func_type()?,
            _ => match single_lower(name) {
                Some(c) => Type::Var(c),
                None => Type::Named(name.to_string()),
            },
        })
    }

    /// `F A… R`: takes types up to the end of the enclosing list (a `>`, `;`,
    /// `)`, `}`, the next `name:` or the end of the line); the last is R.
    pub(super) fn func_type(&mut self) -> PResult<Type> {
        let mut tys = Vec::new();
        while self.starts_type() {
            self.chain(tys.len())?;
            tys.push(self.ty()?);
        }
        match tys.pop() {
            Some(ret) => Ok(Type::Func(tys, Box::new(ret))),
            None => fail(
                self.unexpected("the types of `F`")
                    .with_note("`F n n` is a function from n to n; the last type is the result"),
            ),
        }
    }

    pub(super) fn starts_type(&self) -> bool {
        if self.at_stmt_end() {
            return false;
        }
        match self.kind() {
            Tok::Underscore | Tok::LParen => true,
            Tok::Name(_) => self.look(1).kind != Tok::Colon,
            _ => false,
        }
    }
}
