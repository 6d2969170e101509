//! AST -> stack bytecode. Parameters and locals are slots of the frame,
//! expressions push their value, a body's last value is returned.

use std::collections::HashMap;

use crate::front::ast::{BinOp, Expr, ExprKind, FuncDecl, Lit, Program, Stmt, StmtKind, UnOp};
use crate::isa::{stack_enc as enc, StackOp};
use crate::lower::{FuncTable, Unsupported};
use crate::value::Value;

#[derive(Clone, Debug)]
pub struct StackFunc {
    pub name: String,
    pub nparams: usize,
    /// Parameters plus locals.
    pub nslots: usize,
    pub code: Vec<u32>,
    pub consts: Vec<Value>,
}

#[derive(Clone, Debug, Default)]
pub struct StackProgram {
    pub funcs: Vec<StackFunc>,
    /// Text literals and field names, indexed by `text` operands.
    pub texts: Vec<String>,
}

impl StackProgram {
    pub fn func_index(&self, name: &str) -> Option<u32> {
        self.funcs.iter().position(|f| f.name == name).map(|i| i as u32)
    }
}

pub fn compile(program: &Program) -> Result<StackProgram, Unsupported> {
    let table = FuncTable::new(program);
    let funcs = table
        .funcs
        .iter()
        .map(|f| compile_func(&table, f))
        .collect::<Result<_, _>>()?;
    Ok(StackProgram {
        funcs,
        texts: Vec::new(),
    })
}

struct FuncCompiler<'t, 'p> {
    table: &'t FuncTable<'p>,
    slots: HashMap<String, u32>,
    code: Vec<u32>,
    consts: Vec<Value>,
}

fn compile_func(table: &FuncTable<'_>, f: &FuncDecl) -> Result<StackFunc, Unsupported> {
    let mut c = FuncCompiler {
        table,
        slots: HashMap::new(),
        code: Vec::new(),
        consts: Vec::new(),
    };
    for p in &f.params {
        let n = c.slots.len() as u32;
        c.slots.insert(p.name.name.clone(), n);
    }
    c.body(&f.body, f)?;
    c.code.push(enc::RET());
    Ok(StackFunc {
        name: f.name.name.clone(),
        nparams: f.params.len(),
        nslots: c.slots.len(),
        code: c.code,
        consts: c.consts,
    })
}

impl FuncCompiler<'_, '_> {
    /// Compiles a body leaving its value on the stack.
    fn body(&mut self, body: &[Stmt], f: &FuncDecl) -> Result<(), Unsupported> {
        let Some((last, init)) = body.split_last() else {
            return Err(Unsupported::new("a function with an empty body", f.span));
        };
        for s in init {
            self.stmt(s, false)?;
        }
        self.stmt(last, true)
    }

    fn stmt(&mut self, s: &Stmt, keep_value: bool) -> Result<(), Unsupported> {
        match &s.kind {
            StmtKind::Bind { name, value } => {
                self.expr(value)?;
                let slot = self.slot_for(&name.name);
                self.code.push(enc::STORE(slot));
                if keep_value {
                    self.code.push(enc::LOAD(slot));
                }
                Ok(())
            }
            StmtKind::Expr(e) if keep_value => self.expr(e),
            StmtKind::Expr(e) => {
                // A value nobody uses is stored into a scratch slot to keep the stack balanced.
                self.expr(e)?;
                let scratch = self.slot_for(" discard");
                self.code.push(enc::STORE(scratch));
                Ok(())
            }
            _ => Err(Unsupported::new("this statement on the stack VM", s.span)),
        }
    }

    fn slot_for(&mut self, name: &str) -> u32 {
        let next = self.slots.len() as u32;
        *self.slots.entry(name.to_string()).or_insert(next)
    }

    fn constant(&mut self, v: Value) -> u32 {
        match self.consts.iter().position(|k| k.bits() == v.bits()) {
            Some(i) => i as u32,
            None => {
                self.consts.push(v);
                (self.consts.len() - 1) as u32
            }
        }
    }

    fn expr(&mut self, e: &Expr) -> Result<(), Unsupported> {
        match &e.kind {
            ExprKind::Lit(Lit::Num(n)) => {
                let k = self.constant(Value::num(*n));
                self.code.push(enc::PUSHK(k));
            }
            ExprKind::Name(name) => match self.slots.get(name) {
                Some(&slot) => self.code.push(enc::LOAD(slot)),
                None => return Err(Unsupported::new(format!("the name `{name}` as a value"), e.span)),
            },
            ExprKind::Unary { op: UnOp::Neg, operand } => {
                self.expr(operand)?;
                self.code.push(enc::NEG());
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let opcode = match op {
                    BinOp::Add => StackOp::ADD,
                    BinOp::Sub => StackOp::SUB,
                    BinOp::Mul => StackOp::MUL,
                    BinOp::Div => StackOp::DIV,
                    other => {
                        return Err(Unsupported::new(
                            format!("`{}` on the stack VM", other.symbol()),
                            e.span,
                        ))
                    }
                };
                self.expr(lhs)?;
                self.expr(rhs)?;
                self.code.push(crate::isa::codec::encode_stack(opcode, 0));
            }
            ExprKind::Call {
                func,
                args,
                unwrap: false,
            } => {
                let Some((index, decl)) = self.table.lookup(&func.name) else {
                    return Err(Unsupported::new(
                        format!("the builtin `{}` on the stack VM", func.name),
                        e.span,
                    ));
                };
                if decl.params.len() != args.len() {
                    return Err(Unsupported::new(
                        format!("a call of `{}` with the wrong arity", func.name),
                        e.span,
                    ));
                }
                for a in args {
                    self.expr(a)?;
                }
                self.code.push(enc::CALL(index));
            }
            _ => return Err(Unsupported::new("this expression on the stack VM", e.span)),
        }
        Ok(())
    }
}
