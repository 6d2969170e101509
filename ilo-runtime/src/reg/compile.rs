//! AST -> register bytecode.
//!
//! Parameters take r0…, each local the next free register when first bound,
//! and temporaries sit above the locals, freed after every statement. A call
//! evaluates its arguments into consecutive registers at the top, which become
//! the callee's r0… (a sliding window, as in Lua), and its result lands in the
//! first of them. Each register carries a compile-time "holds a number" bit;
//! when both operands of an operator have it, the table's typed variant is
//! emitted, and a number literal operand becomes the superinstruction that
//! fuses `LOADK` into that variant.

use crate::front::ast::{BinOp, Expr, ExprKind, FuncDecl, Lit, Program, Stmt, StmtKind, UnOp};
use crate::isa::codec::{encode_abc, encode_abx};
use crate::isa::{reg_enc as enc, reg_superinstruction, RegOp};
use crate::lower::{is_num, FuncTable, Unsupported};
use crate::value::Value;

#[derive(Clone, Debug)]
pub struct RegFunc {
    pub name: String,
    pub nparams: usize,
    pub nregs: usize,
    pub code: Vec<u32>,
    pub consts: Vec<Value>,
    /// Every parameter and the result are numbers: the JITs' precondition.
    pub numeric: bool,
}

#[derive(Clone, Debug, Default)]
pub struct RegProgram {
    pub funcs: Vec<RegFunc>,
    /// Text literals and field names, indexed by `text` operands.
    pub texts: Vec<String>,
}

impl RegProgram {
    pub fn func_index(&self, name: &str) -> Option<u32> {
        self.funcs.iter().position(|f| f.name == name).map(|i| i as u32)
    }
}

pub fn compile(program: &Program) -> Result<RegProgram, Unsupported> {
    let table = FuncTable::new(program);
    let funcs = table
        .funcs
        .iter()
        .map(|f| compile_func(&table, f))
        .collect::<Result<_, _>>()?;
    Ok(RegProgram {
        funcs,
        texts: Vec::new(),
    })
}

const MAX_REGS: usize = 256;

/// A compiled operand: the register holding it and whether it is a number.
#[derive(Clone, Copy)]
struct Operand {
    reg: u8,
    num: bool,
}

struct Local {
    name: String,
    reg: u8,
    num: bool,
}

struct FuncCompiler<'t, 'p> {
    table: &'t FuncTable<'p>,
    locals: Vec<Local>,
    /// First register above the locals and live temporaries.
    next: usize,
    max: usize,
    code: Vec<u32>,
    consts: Vec<Value>,
}

fn compile_func(table: &FuncTable<'_>, f: &FuncDecl) -> Result<RegFunc, Unsupported> {
    let mut c = FuncCompiler {
        table,
        locals: Vec::new(),
        next: 0,
        max: 0,
        code: Vec::new(),
        consts: Vec::new(),
    };
    for p in &f.params {
        let reg = c.alloc(p.span)?;
        c.locals.push(Local {
            name: p.name.name.clone(),
            reg,
            num: is_num(&p.ty),
        });
    }
    let Some((last, init)) = f.body.split_last() else {
        return Err(Unsupported::new("a function with an empty body", f.span));
    };
    for s in init {
        c.stmt(s)?;
        c.next = c.locals.len();
    }
    let result = c.last_stmt(last)?;
    c.code.push(enc::RET(result.reg));
    Ok(RegFunc {
        name: f.name.name.clone(),
        nparams: f.params.len(),
        nregs: c.max.max(1),
        code: c.code,
        consts: c.consts,
        numeric: f.params.iter().all(|p| is_num(&p.ty)) && is_num(&f.ret),
    })
}

impl FuncCompiler<'_, '_> {
    fn alloc(&mut self, span: crate::front::ast::Span) -> Result<u8, Unsupported> {
        if self.next >= MAX_REGS {
            return Err(Unsupported::new("a function needing more than 256 registers", span));
        }
        let r = self.next as u8;
        self.next += 1;
        self.max = self.max.max(self.next);
        Ok(r)
    }

    fn local(&self, name: &str) -> Option<&Local> {
        self.locals.iter().rev().find(|l| l.name == name)
    }

    fn stmt(&mut self, s: &Stmt) -> Result<Operand, Unsupported> {
        match &s.kind {
            StmtKind::Bind { name, value } => self.bind(&name.name, value),
            StmtKind::Expr(e) => self.expr(e, None),
            _ => Err(Unsupported::new("this statement on the register VM", s.span)),
        }
    }

    fn last_stmt(&mut self, s: &Stmt) -> Result<Operand, Unsupported> {
        self.stmt(s)
    }

    /// `x=e`: a new local gets the next register; a rebinding writes the old one.
    fn bind(&mut self, name: &str, value: &Expr) -> Result<Operand, Unsupported> {
        let dst = match self.local(name) {
            Some(l) => l.reg,
            None => {
                let reg = self.alloc(value.span)?;
                self.locals.push(Local {
                    name: name.to_string(),
                    reg,
                    num: false,
                });
                reg
            }
        };
        let v = self.expr(value, Some(dst))?;
        if let Some(l) = self.locals.iter_mut().rev().find(|l| l.name == name) {
            l.num = v.num;
        }
        Ok(v)
    }

    /// The register for a result: the requested one, or a fresh temporary.
    fn target(&mut self, dst: Option<u8>, span: crate::front::ast::Span) -> Result<u8, Unsupported> {
        match dst {
            Some(r) => Ok(r),
            None => self.alloc(span),
        }
    }

    fn constant(&mut self, v: Value) -> usize {
        match self.consts.iter().position(|k| k.bits() == v.bits()) {
            Some(i) => i,
            None => {
                self.consts.push(v);
                self.consts.len() - 1
            }
        }
    }

    fn expr(&mut self, e: &Expr, dst: Option<u8>) -> Result<Operand, Unsupported> {
        match &e.kind {
            ExprKind::Lit(Lit::Num(n)) => {
                let k = self.constant(Value::num(*n));
                let bx = u16::try_from(k).map_err(|_| Unsupported::new("more than 65536 constants", e.span))?;
                let reg = self.target(dst, e.span)?;
                self.code.push(enc::LOADK(reg, bx));
                Ok(Operand { reg, num: true })
            }
            ExprKind::Name(name) => {
                let Some(l) = self.local(name) else {
                    return Err(Unsupported::new(format!("the name `{name}` as a value"), e.span));
                };
                let src = Operand { reg: l.reg, num: l.num };
                match dst {
                    Some(d) if d != src.reg => {
                        self.code.push(enc::MOV(d, src.reg));
                        Ok(Operand { reg: d, num: src.num })
                    }
                    _ => Ok(src),
                }
            }
            ExprKind::Unary { op: UnOp::Neg, operand } => {
                let x = self.expr(operand, None)?;
                let reg = self.target(dst, e.span)?;
                let op = if x.num { RegOp::NEG_N } else { RegOp::NEG };
                self.code.push(encode_abc(op, reg, x.reg, 0));
                Ok(Operand { reg, num: x.num })
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, dst, e),
            ExprKind::Call {
                func,
                args,
                unwrap: false,
            } => self.call(&func.name, args, dst, e),
            _ => Err(Unsupported::new("this expression on the register VM", e.span)),
        }
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, dst: Option<u8>, e: &Expr) -> Result<Operand, Unsupported> {
        let generic = match op {
            BinOp::Add => RegOp::ADD,
            BinOp::Sub => RegOp::SUB,
            BinOp::Mul => RegOp::MUL,
            BinOp::Div => RegOp::DIV,
            other => {
                return Err(Unsupported::new(
                    format!("`{}` on the register VM", other.symbol()),
                    e.span,
                ))
            }
        };
        let typed = generic.typed_nn();
        // A number literal on the right (or, for a commutative op, the left)
        // folds into the superinstruction LOADK+typed op.
        if let Some(typed) = typed {
            let commutative = typed.info().commutative;
            let literal_side = match (num_literal(lhs), num_literal(rhs)) {
                (_, Some(k)) => Some((lhs, k)),
                (Some(k), None) if commutative => Some((rhs, k)),
                _ => None,
            };
            if let (Some((other, k)), Some(fused)) = (literal_side, reg_superinstruction(RegOp::LOADK, typed)) {
                let mark = (self.code.len(), self.next, self.max);
                let x = self.expr(other, None)?;
                let kidx = self.constant(Value::num(k));
                if x.num && kidx <= u8::MAX as usize {
                    let reg = self.target(dst, e.span)?;
                    self.code.push(encode_abc(fused, reg, x.reg, kidx as u8));
                    return Ok(Operand { reg, num: true });
                }
                // Not provably numeric: undo and take the general path.
                (self.code.truncate(mark.0), self.next = mark.1, self.max = mark.2);
            }
        }
        let a = self.expr(lhs, None)?;
        let b = self.expr(rhs, None)?;
        let reg = self.target(dst, e.span)?;
        let (opcode, num) = match typed {
            Some(t) if a.num && b.num => (t, true),
            _ => (generic, false),
        };
        self.code.push(encode_abc(opcode, reg, a.reg, b.reg));
        Ok(Operand { reg, num })
    }

    fn call(&mut self, name: &str, args: &[Expr], dst: Option<u8>, e: &Expr) -> Result<Operand, Unsupported> {
        let Some((index, decl)) = self.table.lookup(name) else {
            return Err(Unsupported::new(
                format!("the builtin `{name}` on the register VM"),
                e.span,
            ));
        };
        if decl.params.len() != args.len() {
            return Err(Unsupported::new(
                format!("a call of `{name}` with the wrong arity"),
                e.span,
            ));
        }
        let func = u16::try_from(index).map_err(|_| Unsupported::new("more than 65536 functions", e.span))?;
        // The window starts at the first free register; arguments fill it in order.
        let base = self.alloc(e.span)?;
        self.next = base as usize;
        for a in args {
            let slot = self.alloc(a.span)?;
            self.expr(a, Some(slot))?;
            // Temporaries of the argument (a nested call's window) are dead:
            // the next argument goes in the very next register.
            self.next = slot as usize + 1;
        }
        self.code.push(encode_abx(RegOp::CALL, base, func));
        self.next = base as usize + 1;
        let result = Operand {
            reg: base,
            num: is_num(&decl.ret),
        };
        match dst {
            Some(d) if d != base => {
                self.code.push(enc::MOV(d, base));
                Ok(Operand {
                    reg: d,
                    num: result.num,
                })
            }
            _ => Ok(result),
        }
    }
}

fn num_literal(e: &Expr) -> Option<f64> {
    match e.kind {
        ExprKind::Lit(Lit::Num(n)) => Some(n),
        _ => None,
    }
}
