//! The type tags of the typed-pattern tests (`TESTTY` on the register VM,
//! `ISTYPE` on the stack VM): an operand encoding, so it belongs to the
//! instruction set that both compilers emit and both VMs decode, not to
//! either VM (the register compiler took them from its VM before, a
//! compile ↔ vm import cycle).

use crate::front::ast::TypeTag;

pub const NUM: usize = 0;
pub const TEXT: usize = 1;
pub const BOOL: usize = 2;
pub const LIST: usize = 3;
/// `~v` (register VM only).
pub const OK: usize = 4;
/// `^e` (register VM only).
pub const ERR: usize = 5;
/// A function value, not the unbound marker (register VM only).
pub const FUNC: usize = 6;

/// The tag of a typed pattern `n v:`, `t v:`, `b v:`, `l v:`.
pub fn of(tag: TypeTag) -> usize {
    match tag {
        TypeTag::Num => NUM,
        TypeTag::Text => TEXT,
        TypeTag::Bool => BOOL,
        TypeTag::List => LIST,
    }
}
