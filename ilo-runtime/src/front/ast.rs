//! The abstract syntax tree of the whole language (spec sections 1-4).
//!
//! Every engine starts here: the tree-walk interpreter walks it, the stack and
//! register compilers lower it. Sugar with no semantics of its own (the pipe
//! `>>`, infix operators, long builtin names) is resolved by the parser, so
//! engines see one canonical form.

/// Byte offsets into the source text, `start..end`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Program {
    pub decls: Vec<Decl>,
}

impl Program {
    pub fn funcs(&self) -> impl Iterator<Item = &FuncDecl> {
        self.decls.iter().filter_map(|d| match d {
            Decl::Func(f) => Some(f),
            _ => None,
        })
    }

    pub fn func(&self, name: &str) -> Option<&FuncDecl> {
        self.funcs().find(|f| f.name.name == name)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Decl {
    Func(FuncDecl),
    Type(TypeDecl),
    Use(UseDecl),
}

/// `name p:T q:T>R;body`
#[derive(Clone, Debug, PartialEq)]
pub struct FuncDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    pub ret: Type,
    pub body: Vec<Stmt>,
    pub span: Span,
}

/// `name:type`, a parameter or a record field.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: Type,
    pub span: Span,
}

/// `type name{f:T;g:T}`
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDecl {
    pub name: Ident,
    pub fields: Vec<Param>,
    pub span: Span,
}

/// `use "path.ilo"` or `use "path.ilo" [a b]`
#[derive(Clone, Debug, PartialEq)]
pub struct UseDecl {
    pub path: String,
    pub names: Option<Vec<Ident>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    /// `n`
    Num,
    /// `t`
    Text,
    /// `b`
    Bool,
    /// `_`
    Any,
    /// `L T`
    List(Box<Type>),
    /// `M K V`
    Map(Box<Type>, Box<Type>),
    /// `R T E`
    Result(Box<Type>, Box<Type>),
    /// `O T`
    Opt(Box<Type>),
    /// `F A… R`: parameter types, then the return type.
    Func(Vec<Type>, Box<Type>),
    /// A record type declared with `type`.
    Named(String),
    /// A single-letter type variable other than `n t b`.
    Var(char),
}

impl Type {
    /// The type in a word, for messages about values given to it: "a `[1]`
    /// is a list, not a number".
    pub fn word(&self) -> &'static str {
        match self {
            Type::Num => "number",
            Type::Text => "text",
            Type::Bool => "bool",
            Type::List(_) => "list",
            Type::Map(..) => "map",
            Type::Result(..) => "result",
            Type::Func(..) => "function",
            Type::Named(_) => "record",
            Type::Any | Type::Opt(_) | Type::Var(_) => "value",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// A body's value is the value of its last statement: an expression's value,
/// a bind's bound value, the taken branch of a conditional or match, `nil`
/// for loops and for a conditional whose condition was false.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `x=e`
    Bind {
        name: Ident,
        value: Expr,
    },
    /// `{a;b}=rec`
    Destructure {
        names: Vec<Ident>,
        value: Expr,
    },
    /// Braceless guard `cond e` (or `!cond e` with `negated`): return `value`
    /// from the function when the condition holds.
    Guard {
        cond: Expr,
        negated: bool,
        value: Expr,
    },
    /// `cond{then}` or the ternary `cond{then}{else}`; `negated` for `!cond{…}`.
    If {
        cond: Expr,
        negated: bool,
        then: Vec<Stmt>,
        els: Option<Vec<Stmt>>,
    },
    /// `?x{arms}`; `subject: None` for `?{arms}`, which matches the previous
    /// statement's value.
    Match {
        subject: Option<Expr>,
        arms: Vec<Arm>,
    },
    /// `@x xs{body}`
    ForEach {
        var: Ident,
        iter: Expr,
        body: Vec<Stmt>,
    },
    /// `@i a..b{body}`
    ForRange {
        var: Ident,
        from: Expr,
        to: Expr,
        body: Vec<Stmt>,
    },
    /// `wh cond{body}`
    While {
        cond: Expr,
        body: Vec<Stmt>,
    },
    /// `brk`
    Break,
    /// `cnt`
    Continue,
    /// `ret e`
    Return(Expr),
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    pub pat: Pattern,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    /// `42:` `"gold":` `true:` `nil:`
    Lit(Lit),
    /// `~v:`
    Ok(Ident),
    /// `^e:`
    Err(Ident),
    /// `n v:` `t v:` `b v:` `l v:`
    Typed(TypeTag, Ident),
    /// `_:`
    Wild,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeTag {
    Num,
    Text,
    Bool,
    List,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Num(f64),
    Text(String),
    Bool(bool),
    Nil,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    /// `ok v`: a call of one name with one argument, no `!`. At statement
    /// position, when `ok` is a variable holding a bool, the spec reads it as
    /// the braceless guard "return `v` when `ok`"; every pass asks here.
    pub fn guard_shape(&self) -> Option<(&Ident, &Expr)> {
        match &self.kind {
            ExprKind::Call {
                func,
                args,
                unwrap: false,
            } => match args.as_slice() {
                [value] => Some((func, value)),
                _ => None,
            },
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Lit(Lit),
    /// `[a b c]`
    List(Vec<Expr>),
    /// A variable, parameter, or (as a higher-order argument) a function name.
    Name(String),
    Unary {
        op: UnOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `f a b`, or `f! a b` with `unwrap`. Builtins are calls too; the pipe
    /// `x>>f a` is parsed into `f a x`.
    Call {
        func: Ident,
        args: Vec<Expr>,
        unwrap: bool,
    },
    /// `~e`
    Ok(Box<Expr>),
    /// `^e`
    Err(Box<Expr>),
    /// `a??b`
    Coalesce {
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `x.f`, or `x.?f` with `safe`
    Field {
        target: Box<Expr>,
        field: Ident,
        safe: bool,
    },
    /// `x.0`
    Index {
        target: Box<Expr>,
        index: usize,
    },
    /// `pt x:1 y:2`
    Record {
        ty: Ident,
        fields: Vec<(Ident, Expr)>,
    },
    /// `p with x:5`
    With {
        target: Box<Expr>,
        fields: Vec<(Ident, Expr)>,
    },
    /// `?c a b`
    Ternary {
        cond: Box<Expr>,
        then: Box<Expr>,
        els: Box<Expr>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-a`
    Neg,
    /// `!a`
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    /// `+=xs v`
    Append,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    And,
    Or,
}

impl UnOp {
    /// How the tables name it: `-x` (negation), `!x`.
    pub fn symbol(self) -> &'static str {
        match self {
            UnOp::Neg => "-x",
            UnOp::Not => "!x",
        }
    }
}

impl BinOp {
    /// `=`, `!=`, `<`, `>`, `<=`, `>=`: gives a bool a condition can jump on.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge
        )
    }

    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Append => "+=",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::And => "&",
            BinOp::Or => "|",
        }
    }
}
