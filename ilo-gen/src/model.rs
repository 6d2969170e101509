//! The instruction-set model: `isa/*.toml` read, checked and turned into the
//! structures the emitters walk. Every rejection names the file, the opcode
//! and the field, so a broken table is fixed without reading the generator.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use crate::cond::Cond;
use crate::ssa::{self, Ssa};
use crate::{compose, template};

#[derive(Debug, thiserror::Error)]
#[error(
    "{file}{at}: {}{}{message}",
    opcode.as_ref().map(|o| format!("opcode `{o}`: ")).unwrap_or_default(),
    if field.is_empty() { String::new() } else { format!("{field}: ") }
)]
pub struct GenError {
    pub file: String,
    /// `:line` or `:line:col` in `file`, when known.
    pub at: String,
    pub opcode: Option<String>,
    pub field: String,
    pub message: String,
}

impl GenError {
    pub(crate) fn new(file: &str, opcode: Option<&str>, field: &str, message: impl Into<String>) -> GenError {
        GenError {
            file: file.to_string(),
            at: String::new(),
            opcode: opcode.map(str::to_string),
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// Register-VM instruction encodings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `[OP:8 | A:8 | B:8 | C:8]`
    Abc,
    /// `[OP:8 | A:8 | Bx:16]`
    ABx,
    /// `[OP:8 | A:8 | sBx:16]`
    AsBx,
}

impl Form {
    pub fn name(self) -> &'static str {
        match self {
            Form::Abc => "ABC",
            Form::ABx => "ABx",
            Form::AsBx => "AsBx",
        }
    }

    /// The operand slots of the form, in encoding order.
    pub fn slots(self) -> &'static [Slot] {
        match self {
            Form::Abc => &[Slot::A, Slot::B, Slot::C],
            Form::ABx => &[Slot::A, Slot::Bx],
            Form::AsBx => &[Slot::A, Slot::SBx],
        }
    }
}

/// Where an operand sits in a register-VM word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Slot {
    A,
    B,
    C,
    Bx,
    SBx,
    /// The sBx of the `JMP` word that follows a compare-and-branch: such an
    /// instruction jumps by it or skips it (LuaJIT's compare-then-`JMP`).
    J,
}

impl Slot {
    pub fn name(self) -> &'static str {
        match self {
            Slot::A => "a",
            Slot::B => "b",
            Slot::C => "c",
            Slot::Bx => "bx",
            Slot::SBx => "sbx",
            Slot::J => "j",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Slot> {
        Some(match s {
            "a" => Slot::A,
            "b" => Slot::B,
            "c" => Slot::C,
            "bx" => Slot::Bx,
            "sbx" => Slot::SBx,
            _ => return None,
        })
    }

    /// The Rust expression that decodes this slot from `ins: u32`.
    pub fn bits(self) -> u32 {
        match self {
            Slot::A | Slot::B | Slot::C => 8,
            Slot::Bx | Slot::SBx | Slot::J => 16,
        }
    }
}

/// What an operand means, and so how the VM binds it for `sem`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Register written with any value.
    Dst,
    /// Register written with a number.
    DstN,
    /// Register read, any value.
    Reg,
    /// Register read, proven a number: bound as `f64`.
    RegN,
    /// First register of a call window: bound as its index (`usize`).
    Base,
    /// Constant-pool index, bound as the constant `Value`.
    Const,
    /// Constant-pool index of a number constant, bound as `f64`.
    ConstN,
    /// Function index.
    Func,
    /// Index into the program's text table (`prog.texts`): literals, field
    /// names. Bound as the index (`usize`).
    Text,
    /// Unsigned immediate.
    Imm,
    /// Signed pc offset.
    Jump,
    /// Stack VM: a local slot read (bound as `Value`).
    SlotIn,
    /// Stack VM: a local slot written with `sem`'s value.
    SlotOut,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "dst" => Kind::Dst,
            "dst_n" => Kind::DstN,
            "reg" => Kind::Reg,
            "reg_n" => Kind::RegN,
            "base" => Kind::Base,
            "const" => Kind::Const,
            "const_n" => Kind::ConstN,
            "func" => Kind::Func,
            "text" => Kind::Text,
            "imm" => Kind::Imm,
            "jump" => Kind::Jump,
            "slot" => Kind::SlotIn,
            "slot_out" => Kind::SlotOut,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Dst => "dst",
            Kind::DstN => "dst_n",
            Kind::Reg => "reg",
            Kind::RegN => "reg_n",
            Kind::Base => "base",
            Kind::Const => "const",
            Kind::ConstN => "const_n",
            Kind::Func => "func",
            Kind::Text => "text",
            Kind::Imm => "imm",
            Kind::Jump => "jump",
            Kind::SlotIn => "slot",
            Kind::SlotOut => "slot_out",
        }
    }

    pub fn is_register(self) -> bool {
        matches!(self, Kind::Dst | Kind::DstN | Kind::Reg | Kind::RegN)
    }

    pub fn is_dst(self) -> bool {
        matches!(self, Kind::Dst | Kind::DstN)
    }

    pub fn is_const(self) -> bool {
        matches!(self, Kind::Const | Kind::ConstN)
    }
}

pub const FLAGS: &[&str] = &["may_fail", "branch", "call", "ret", "commutative"];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    pub may_fail: bool,
    pub branch: bool,
    pub call: bool,
    pub ret: bool,
    pub commutative: bool,
}

impl Flags {
    fn parse(file: &str, op: &str, names: &[String]) -> Result<Flags, GenError> {
        let mut f = Flags::default();
        for n in names {
            let slot = match n.as_str() {
                "may_fail" => &mut f.may_fail,
                "branch" => &mut f.branch,
                "call" => &mut f.call,
                "ret" => &mut f.ret,
                "commutative" => &mut f.commutative,
                other => {
                    return Err(GenError::new(
                        file,
                        Some(op),
                        "flags",
                        format!("unknown flag `{other}` (known: {})", FLAGS.join(", ")),
                    ))
                }
            };
            *slot = true;
        }
        Ok(f)
    }

    pub fn names(&self) -> Vec<&'static str> {
        let all = [
            (self.may_fail, "may_fail"),
            (self.branch, "branch"),
            (self.call, "call"),
            (self.ret, "ret"),
            (self.commutative, "commutative"),
        ];
        all.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect()
    }
}

#[derive(Clone, Debug)]
pub struct Operand {
    pub slot: Slot,
    pub kind: Kind,
}

#[derive(Clone, Debug)]
pub struct RegOp {
    pub name: String,
    pub code: u8,
    pub doc: String,
    pub form: Form,
    /// In encoding order.
    pub operands: Vec<Operand>,
    pub sem: String,
    pub flags: Flags,
    pub variant_of: Option<String>,
    /// A superinstruction: what it was composed from (see `compose.rs`).
    pub fuses: Option<Fusion>,
    /// The source operator a generic op implements (`+`, `<=`, …): the
    /// compilers ask the table which op implements an operator.
    pub operator: Option<String>,
    /// A named operation a root op implements besides operators: a builtin
    /// (`max`) or a statement form (`return`).
    pub operation: Option<String>,
    /// Line of the entry in its file, for generated provenance comments.
    pub line: usize,
    /// Target name -> dynasm template with snippets expanded (`?yes`/`?no`
    /// items are expanded through `cond` by [`crate::cond::lowering`]).
    pub jit: BTreeMap<String, String>,
    /// Target name -> how to test and branch on the truth value this op
    /// computes or jumps on (see `cond.rs`).
    pub cond: BTreeMap<String, Cond>,
    /// The neutral SSA lowering (`fadd b c`) the Cranelift (and any other
    /// SSA) backend is generated from.
    pub ssa: Option<Ssa>,
}

impl RegOp {
    pub fn operand(&self, slot: Slot) -> Option<&Operand> {
        self.operands.iter().find(|o| o.slot == slot)
    }

    pub fn dst(&self) -> Option<&Operand> {
        self.operands.iter().find(|o| o.kind.is_dst())
    }

    /// Followed by a `JMP` word whose offset it uses (operand slot `j`).
    pub fn takes_jump_word(&self) -> bool {
        self.operand(Slot::J).is_some()
    }
}

/// `NAME = FIRST -> SECOND.slot`: FIRST's result takes the place of
/// SECOND's operand `slot`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fusion {
    pub first: String,
    pub second: String,
    pub into: Slot,
}

#[derive(Clone, Debug)]
pub struct StackOp {
    pub name: String,
    pub code: u8,
    pub doc: String,
    /// Popped names, bottom first; `None` for a variable effect `( ... -- )`.
    pub inputs: Option<Vec<String>>,
    pub outputs: Vec<String>,
    pub effect: String,
    /// The source operator this op implements (`+`, `<=`, `-x`, `!x`), as
    /// in `register.toml`: the stack compiler asks the table for it.
    pub operator: Option<String>,
    /// The 24-bit operand `x`, if any.
    pub operand: Option<Kind>,
    pub sem: String,
    pub flags: Flags,
}

#[derive(Clone, Debug)]
pub struct Target {
    /// `x86_64`, `aarch64`: the key used in `jit.<target>`.
    pub name: String,
    /// dynasm's `.arch` name.
    pub arch: String,
    /// How dynasm writes a float register numbered by an expression (`Rx`, `D`).
    pub float_reg: String,
    /// The float register no VM register uses, free inside one lowering.
    pub scratch: String,
    pub snippets: BTreeMap<String, String>,
    /// Instructions that take a memory operand last: a composed `K` form
    /// reads its constant from the pool there (the `const_operand`
    /// snippet) rather than through the scratch register.
    pub const_operand_ops: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Isa {
    pub reg: Vec<RegOp>,
    pub stack: Vec<StackOp>,
    pub targets: Vec<Target>,
}

impl Isa {
    pub fn reg_op(&self, name: &str) -> Option<&RegOp> {
        self.reg.iter().find(|o| o.name == name)
    }
}

// ---- raw TOML shapes -------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegOp {
    name: String,
    doc: String,
    form: String,
    #[serde(default)]
    operands: BTreeMap<String, String>,
    sem: String,
    #[serde(default)]
    flags: Vec<String>,
    variant_of: Option<String>,
    operator: Option<String>,
    operation: Option<String>,
    #[serde(default)]
    jit: BTreeMap<String, String>,
    #[serde(default)]
    cond: BTreeMap<String, RawCond>,
    ssa: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCond {
    test: String,
    yes: String,
    no: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStackOp {
    name: String,
    doc: String,
    #[serde(default)]
    operator: Option<String>,
    effect: String,
    #[serde(default)]
    operand: BTreeMap<String, String>,
    sem: String,
    #[serde(default)]
    flags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    arch: String,
    float_reg: String,
    scratch: String,
    #[serde(default)]
    snippets: BTreeMap<String, String>,
    #[serde(default)]
    const_operand_ops: Vec<String>,
}

/// Reads `register.toml`, `stack.toml` and `jit.toml` from `dir`.
pub fn load(dir: &Path) -> Result<Isa, GenError> {
    let targets = load_targets(dir, "jit.toml").map_err(|e| at_opcode_line(dir, e))?;
    let reg = load_reg(dir, "register.toml", &targets).map_err(|e| at_opcode_line(dir, e))?;
    let stack = load_stack(dir, "stack.toml").map_err(|e| at_opcode_line(dir, e))?;
    check_operators(&reg, &stack).map_err(|e| at_opcode_line(dir, e))?;
    Ok(Isa { reg, stack, targets })
}

/// Each table implements a source operator at most once, and both tables
/// implement the same operators, so neither compiler needs a hand mapping.
fn check_operators(reg: &[RegOp], stack: &[StackOp]) -> Result<(), GenError> {
    fn unique<'a>(
        file: &str,
        ops: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Result<BTreeMap<&'a str, &'a str>, GenError> {
        let mut seen = BTreeMap::new();
        for (name, sym) in ops {
            if let Some(first) = seen.insert(sym, name) {
                return Err(GenError::new(
                    file,
                    Some(name),
                    "operator",
                    format!("`{sym}` is already implemented by `{first}`"),
                ));
            }
        }
        Ok(seen)
    }
    let reg_ops = unique(
        "register.toml",
        reg.iter()
            .filter_map(|o| Some((o.name.as_str(), o.operator.as_deref()?))),
    )?;
    let stack_ops = unique(
        "stack.toml",
        stack
            .iter()
            .filter_map(|o| Some((o.name.as_str(), o.operator.as_deref()?))),
    )?;
    for (sym, name) in &reg_ops {
        if !stack_ops.contains_key(sym) {
            return Err(GenError::new(
                "register.toml",
                Some(name),
                "operator",
                format!("no op in stack.toml implements `{sym}`: give one `operator = \"{sym}\"`"),
            ));
        }
    }
    for (sym, name) in &stack_ops {
        if !reg_ops.contains_key(sym) {
            return Err(GenError::new(
                "stack.toml",
                Some(name),
                "operator",
                format!("no op in register.toml implements `{sym}`: give one `operator = \"{sym}\"`"),
            ));
        }
    }
    Ok(())
}

/// Names the line of the opcode's entry in its file, so an error reads
/// `register.toml:212: opcode `CALL`: …`.
fn at_opcode_line(dir: &Path, mut e: GenError) -> GenError {
    let Some(op) = &e.opcode else { return e };
    if !e.at.is_empty() {
        return e;
    }
    let Ok(text) = std::fs::read_to_string(dir.join(&e.file)) else {
        return e;
    };
    if let Some(line) = entry_line(&text, op) {
        e.at = format!(":{line}");
    }
    e
}

/// The 1-based line of `op`'s entry: its `name = "OP"` line, or its
/// `"OP = …"` line in the `fused` list.
pub fn entry_line(text: &str, op: &str) -> Option<usize> {
    let quoted = format!("\"{op}\"");
    let fused = format!("\"{op} =");
    text.lines()
        .position(|l| {
            let l = l.trim();
            (l.starts_with("name") && l.ends_with(&quoted)) || l.starts_with(&fused)
        })
        .map(|i| i + 1)
}

/// `:line:col` of a byte offset in `text`.
fn position(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!(":{line}:{col}")
}

fn read_table(dir: &Path, file: &str) -> Result<(String, toml::Table), GenError> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| GenError::new(file, None, "", format!("cannot read {}: {e}", path.display())))?;
    let table = text.parse::<toml::Table>().map_err(|e| {
        let mut err = GenError::new(file, None, "", format!("TOML syntax: {}", e.message()));
        err.at = e.span().map_or(String::new(), |s| position(&text, s.start));
        err
    })?;
    Ok((text, table))
}

/// The `[[op]]` entries of a table, each with its name for error messages.
fn op_entries(file: &str, table: toml::Table) -> Result<Vec<(String, toml::Table)>, GenError> {
    for key in table.keys() {
        if key != "op" {
            return Err(GenError::new(
                file,
                None,
                key,
                "unknown top-level key (expected only [[op]])",
            ));
        }
    }
    let Some(toml::Value::Array(ops)) = table.get("op") else {
        return Err(GenError::new(file, None, "op", "no [[op]] entries"));
    };
    let mut out = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let toml::Value::Table(t) = op else {
            return Err(GenError::new(file, None, "op", format!("entry {i} is not a table")));
        };
        let name = match t.get("name") {
            Some(toml::Value::String(s)) => s.clone(),
            _ => {
                return Err(GenError::new(
                    file,
                    Some(&format!("#{i}")),
                    "name",
                    "missing or not a string",
                ))
            }
        };
        out.push((name, t.clone()));
    }
    if out.len() > 256 {
        return Err(GenError::new(
            file,
            None,
            "op",
            "more than 256 opcodes do not fit in 8 bits",
        ));
    }
    Ok(out)
}

fn field_of(err: &toml::de::Error) -> String {
    // serde reports unknown fields as "unknown field `x`, expected …".
    let msg = err.message();
    msg.split('`')
        .nth(1)
        .filter(|_| msg.starts_with("unknown field"))
        .unwrap_or("")
        .to_string()
}

fn deserialize<T: for<'de> Deserialize<'de>>(file: &str, name: &str, t: toml::Table) -> Result<T, GenError> {
    T::deserialize(toml::Value::Table(t))
        .map_err(|e| GenError::new(file, Some(name), &field_of(&e), e.message().to_string()))
}

fn check_name(file: &str, name: &str, seen: &mut HashSet<String>) -> Result<(), GenError> {
    let ok = !name.is_empty()
        && name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(GenError::new(file, Some(name), "name", "must be UPPER_SNAKE_CASE"));
    }
    if !seen.insert(name.to_string()) {
        return Err(GenError::new(file, Some(name), "name", "duplicate opcode name"));
    }
    Ok(())
}

/// `sem` must be a Rust expression, and the flags that follow from it must
/// be stated: `may_fail` exactly when it uses `?` or returns an `Err`, `ret`
/// exactly when it returns a value from the dispatch loop (so the table
/// never claims what its code does not do, nor hides what it does).
fn check_sem(file: &str, name: &str, sem: &str, flags: &Flags) -> Result<(), GenError> {
    let expr = syn::parse_str::<syn::Expr>(sem)
        .map_err(|e| GenError::new(file, Some(name), "sem", format!("not a Rust expression: {e}")))?;
    let mut found = SemEffects::default();
    found.scan(quote::ToTokens::to_token_stream(&expr));
    let err = |m: &str| Err(GenError::new(file, Some(name), "sem", m));
    match (found.fails, flags.may_fail) {
        (true, false) => return err("can fail (`?` or `return Err`) but the op is not flagged \"may_fail\""),
        (false, true) => return err("is flagged \"may_fail\" but has no `?` or `return Err`: it cannot fail"),
        _ => {}
    }
    match (found.returns, flags.ret) {
        (true, false) => err("returns from the dispatch loop but the op is not flagged \"ret\""),
        (false, true) => err("is flagged \"ret\" but never returns"),
        _ => Ok(()),
    }
}

/// What a `sem` does besides computing its value, read from its tokens.
#[derive(Default)]
struct SemEffects {
    /// `?`, or `return Err(…)`.
    fails: bool,
    /// `return` of anything but an `Err`.
    returns: bool,
}

impl SemEffects {
    fn scan(&mut self, tokens: proc_macro2::TokenStream) {
        use proc_macro2::TokenTree;
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, t) in tokens.iter().enumerate() {
            match t {
                TokenTree::Group(g) => self.scan(g.stream()),
                TokenTree::Punct(p) if p.as_char() == '?' => self.fails = true,
                TokenTree::Ident(id) if id == "return" => match tokens.get(i + 1) {
                    Some(TokenTree::Ident(next)) if next == "Err" => self.fails = true,
                    _ => self.returns = true,
                },
                _ => {}
            }
        }
    }
}

fn load_targets(dir: &Path, file: &str) -> Result<Vec<Target>, GenError> {
    let (_, table) = read_table(dir, file)?;
    let mut targets = Vec::new();
    for (name, value) in table {
        let toml::Value::Table(t) = value else {
            return Err(GenError::new(file, None, &name, "expected a [target] table"));
        };
        let mut raw = deserialize_target(file, &name, t)?;
        // Each snippet with the snippets it uses expanded, so that a
        // composition can splice one in as it stands.
        let originals = raw.snippets.clone();
        for (snippet, body) in raw.snippets.iter_mut() {
            *body = template::expand_snippets(body, &originals)
                .map_err(|m| GenError::new(file, None, &format!("{name}.snippets.{snippet}"), m))?;
        }
        targets.push(Target {
            name,
            arch: raw.arch,
            float_reg: raw.float_reg,
            scratch: raw.scratch,
            snippets: raw.snippets,
            const_operand_ops: raw.const_operand_ops,
        });
    }
    Ok(targets)
}

fn deserialize_target(file: &str, target: &str, t: toml::Table) -> Result<RawTarget, GenError> {
    RawTarget::deserialize(toml::Value::Table(t)).map_err(|e| {
        GenError::new(
            file,
            None,
            &format!("{target}.{}", field_of(&e)),
            e.message().to_string(),
        )
    })
}

fn load_reg(dir: &Path, file: &str, targets: &[Target]) -> Result<Vec<RegOp>, GenError> {
    let (text, mut table) = read_table(dir, file)?;
    let fused = match table.remove("superinstructions") {
        None => Vec::new(),
        Some(toml::Value::Table(mut t)) if t.len() == 1 => match t.remove("fused") {
            Some(toml::Value::Array(items)) => items,
            _ => {
                return Err(GenError::new(
                    file,
                    None,
                    "superinstructions.fused",
                    "must be a list of \"NAME = FIRST -> SECOND.slot\"",
                ))
            }
        },
        Some(_) => {
            return Err(GenError::new(
                file,
                None,
                "superinstructions",
                "a table holding only `fused = [...]`",
            ))
        }
    };
    let mut seen = HashSet::new();
    let mut ops = Vec::new();
    for (name, t) in op_entries(file, table)? {
        let raw: RawRegOp = deserialize(file, &name, t)?;
        check_name(file, &raw.name, &mut seen)?;
        let mut op = reg_op(file, raw, ops.len() as u8, targets)?;
        op.line = entry_line(&text, &op.name).unwrap_or(0);
        ops.push(op);
    }
    check_references(file, &ops)?;
    for item in fused {
        let toml::Value::String(line) = item else {
            return Err(GenError::new(
                file,
                None,
                "fused",
                "every entry is a string \"NAME = FIRST -> SECOND.slot\"",
            ));
        };
        let mut op = compose::fused_entry(file, &line, &ops, targets)?;
        check_name(file, &op.name, &mut seen)?;
        op.line = entry_line(&text, &op.name).unwrap_or(0);
        if ops.len() >= 256 {
            return Err(GenError::new(
                file,
                None,
                "fused",
                "more than 256 opcodes do not fit in 8 bits",
            ));
        }
        op.code = ops.len() as u8;
        ops.push(op);
    }
    // Every lowering must expand: a `?no` needs a condition, a condition
    // without a template needs a destination.
    for op in &ops {
        for target in targets {
            crate::cond::lowering(op, target)
                .map_err(|m| GenError::new(file, Some(&op.name), &format!("jit.{}", target.name), m))?;
        }
    }
    Ok(ops)
}

fn reg_op(file: &str, raw: RawRegOp, code: u8, targets: &[Target]) -> Result<RegOp, GenError> {
    let name = raw.name.as_str();
    let err = |field: &str, msg: String| GenError::new(file, Some(name), field, msg);
    let form = match raw.form.as_str() {
        "ABC" => Form::Abc,
        "ABx" => Form::ABx,
        "AsBx" => Form::AsBx,
        other => return Err(err("form", format!("unknown form `{other}` (ABC, ABx or AsBx)"))),
    };
    let flags = Flags::parse(file, name, &raw.flags)?;
    let mut operands = Vec::new();
    for (slot_name, kind_name) in &raw.operands {
        let field = format!("operands.{slot_name}");
        let slot = Slot::parse(slot_name)
            .filter(|s| form.slots().contains(s))
            .ok_or_else(|| err(&field, format!("form {} has no operand `{slot_name}`", form.name())))?;
        let kind = Kind::parse(kind_name)
            .filter(|k| !matches!(k, Kind::SlotIn | Kind::SlotOut))
            .ok_or_else(|| err(&field, format!("unknown operand kind `{kind_name}`")))?;
        check_slot_kind(slot, kind).map_err(|m| err(&field, m))?;
        operands.push(Operand { slot, kind });
    }
    operands.sort_by_key(|o| o.slot);
    check_sem(file, name, &raw.sem, &flags)?;
    let jumps = operands.iter().any(|o| o.kind == Kind::Jump);
    if jumps != flags.branch {
        return Err(err(
            "flags",
            if jumps {
                "has a jump operand but is not flagged \"branch\""
            } else {
                "is flagged \"branch\" but has no jump operand"
            }
            .into(),
        ));
    }
    // A template names operands; `{a+1}` is the register after a call or
    // loop window `a`, `{c.at}` constant `c`'s label in the constant pool
    // (`{one.at}` the number 1's); a condition's jumps go to `{t}`.
    let mut names: Vec<String> = operands.iter().map(|o| o.slot.name().to_string()).collect();
    names.extend(
        operands
            .iter()
            .filter(|o| o.kind == Kind::Base)
            .map(|o| format!("{}+1", o.slot.name())),
    );
    names.extend(
        operands
            .iter()
            .filter(|o| matches!(o.kind, Kind::Const | Kind::ConstN))
            .map(|o| format!("{}.at", o.slot.name())),
    );
    names.push("one.at".to_string());
    let operand_names: Vec<&str> = names.iter().map(String::as_str).collect();
    let find_target = |field: &str, target_name: &str| {
        targets
            .iter()
            .find(|t| t.name == target_name)
            .ok_or_else(|| err(field, format!("unknown JIT target `{target_name}` (see jit.toml)")))
    };
    let mut jit = BTreeMap::new();
    for (target_name, tpl) in raw.jit {
        let field = format!("jit.{target_name}");
        let target = find_target(&field, &target_name)?;
        let expanded = template::expand(tpl.as_str(), &target.snippets, &operand_names).map_err(|m| err(&field, m))?;
        jit.insert(target_name, expanded);
    }
    let mut cond = BTreeMap::new();
    for (target_name, c) in raw.cond {
        let field = format!("cond.{target_name}");
        let target = find_target(&field, &target_name)?;
        let mut with_t = operand_names.clone();
        with_t.push("t");
        let part = |text: &str| template::expand(text, &target.snippets, &with_t).map_err(|m| err(&field, m));
        cond.insert(
            target_name,
            Cond {
                test: part(&c.test)?,
                yes: part(&c.yes)?,
                no: part(&c.no)?,
            },
        );
    }
    let ssa = match raw.ssa {
        Some(text) => {
            let operand_names: Vec<&str> = operands.iter().map(|o| o.slot.name()).collect();
            Some(ssa::parse(&text, &operand_names).map_err(|m| err("ssa", m))?)
        }
        None => None,
    };
    Ok(RegOp {
        ssa,
        name: raw.name.clone(),
        code,
        doc: raw.doc,
        form,
        operands,
        sem: raw.sem,
        flags,
        variant_of: raw.variant_of,
        fuses: None,
        operator: raw.operator,
        operation: raw.operation,
        line: 0,
        jit,
        cond,
    })
}

fn check_slot_kind(slot: Slot, kind: Kind) -> Result<(), String> {
    match (slot, kind) {
        (Slot::SBx, Kind::Jump) | (Slot::SBx, Kind::Imm) => Ok(()),
        (Slot::SBx, _) => Err("sbx holds only a jump offset or a signed immediate".into()),
        (_, Kind::Jump) => Err("a jump offset needs the signed 16-bit slot sbx (form AsBx)".into()),
        (slot, k) if k.is_dst() && slot != Slot::A => Err("only operand a can be written".into()),
        _ => Ok(()),
    }
}

/// `variant_of` names an existing opcode of a compatible shape.
fn check_references(file: &str, ops: &[RegOp]) -> Result<(), GenError> {
    let find = |n: &str| ops.iter().find(|o| o.name == n);
    for op in ops {
        if let Some(base) = &op.variant_of {
            let b = find(base).ok_or_else(|| {
                GenError::new(
                    file,
                    Some(&op.name),
                    "variant_of",
                    format!("base opcode `{base}` does not exist"),
                )
            })?;
            if b.form != op.form || b.operands.len() != op.operands.len() {
                return Err(GenError::new(
                    file,
                    Some(&op.name),
                    "variant_of",
                    format!("`{base}` has a different form or operand count"),
                ));
            }
        }
    }
    Ok(())
}

fn load_stack(dir: &Path, file: &str) -> Result<Vec<StackOp>, GenError> {
    let (_, table) = read_table(dir, file)?;
    let mut seen = HashSet::new();
    let mut ops = Vec::new();
    for (code, (name, t)) in op_entries(file, table)?.into_iter().enumerate() {
        let raw: RawStackOp = deserialize(file, &name, t)?;
        check_name(file, &raw.name, &mut seen)?;
        let err = |field: &str, msg: String| GenError::new(file, Some(&name), field, msg);
        let flags = Flags::parse(file, &name, &raw.flags)?;
        let (inputs, outputs) = parse_effect(&raw.effect).map_err(|m| err("effect", m))?;
        let operand = match raw.operand.len() {
            0 => None,
            1 => {
                let (slot, kind) = raw
                    .operand
                    .iter()
                    .next()
                    .map(|(s, k)| (s.clone(), k.clone()))
                    .unwrap_or_default();
                if slot != "x" {
                    return Err(err(
                        &format!("operand.{slot}"),
                        "the stack VM's operand is named `x`".into(),
                    ));
                }
                let kind = Kind::parse(&kind)
                    .filter(|k| {
                        matches!(
                            k,
                            Kind::Const | Kind::SlotIn | Kind::SlotOut | Kind::Func | Kind::Imm | Kind::Text
                        )
                    })
                    .ok_or_else(|| err("operand.x", format!("kind `{kind}` is not a stack operand kind")))?;
                Some(kind)
            }
            _ => return Err(err("operand", "the stack VM has at most one operand, `x`".into())),
        };
        check_sem(file, &name, &raw.sem, &flags)?;
        if outputs.len() > 1 {
            return Err(err("effect", "at most one output".into()));
        }
        if operand == Some(Kind::SlotOut) && !outputs.is_empty() {
            return Err(err(
                "effect",
                "a slot_out op stores sem's value and pushes nothing".into(),
            ));
        }
        ops.push(StackOp {
            name: raw.name,
            code: code as u8,
            doc: raw.doc,
            inputs,
            outputs,
            effect: raw.effect,
            operator: raw.operator,
            operand,
            sem: raw.sem,
            flags,
        });
    }
    Ok(ops)
}

type Effect = (Option<Vec<String>>, Vec<String>);

/// `( a b -- r )` -> (Some([a, b]), [r]); `( ... -- r )` -> (None, [r]).
pub fn parse_effect(effect: &str) -> Result<Effect, String> {
    let inner = effect
        .trim()
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or("a stack effect is written `( inputs -- outputs )`")?;
    let (ins, outs) = inner
        .split_once("--")
        .ok_or("a stack effect needs `--` between inputs and outputs")?;
    let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let ins = words(ins);
    let inputs = if ins == ["..."] { None } else { Some(ins) };
    for n in inputs.iter().flatten().chain(words(outs).iter()) {
        if !n
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            || n == "x"
        {
            return Err(format!(
                "`{n}` is not a valid stack item name (lower case; `x` is the operand)"
            ));
        }
    }
    Ok((inputs, words(outs)))
}
