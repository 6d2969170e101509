//! Run-time pieces of the reference semantics (`tree.rs`) that the bytecode
//! VMs need too: what `@x xs` walks, how match patterns test a value, and
//! `with` on a record or map. One definition here keeps the engines agreeing.

use crate::error::RtError;
use crate::front::ast::{Lit, TypeTag};
use crate::heap::{Heap, Obj};
use crate::print::type_name;
use crate::value::Value;

/// What `@x xs` walks: a list's elements, a text's characters, or a map's
/// keys in order.
pub fn iteration_items(heap: &mut Heap, xs: Value) -> Result<Vec<Value>, RtError> {
    match heap.get(xs) {
        Some(Obj::List(items)) => Ok(items.clone()),
        Some(Obj::Text(s)) => {
            let chars: Vec<String> = s.chars().map(String::from).collect();
            Ok(chars.into_iter().map(|c| heap.text(c)).collect())
        }
        Some(Obj::Map(m)) => {
            let keys: Vec<String> = m.keys().cloned().collect();
            Ok(keys.into_iter().map(|k| heap.text(k)).collect())
        }
        _ => Err(RtError::type_error(format!(
            "`@` walks a list, text or map, not {}",
            type_name(heap, xs)
        ))),
    }
}

/// The typed pattern `n v` / `t v` / `b v` / `l v`: whether `v` has the type.
pub fn type_tag_fits(heap: &Heap, tag: TypeTag, v: Value) -> bool {
    match tag {
        TypeTag::Num => v.is_num(),
        TypeTag::Bool => v.to_bool().is_some(),
        TypeTag::Text => heap.as_text(v).is_some(),
        TypeTag::List => heap.as_list(v).is_some(),
    }
}

/// A literal pattern: equal number (by value, so `0` matches `-0`), bool,
/// nil or text.
pub fn lit_matches(heap: &Heap, lit: &Lit, v: Value) -> bool {
    match lit {
        Lit::Num(n) => v.to_num() == Some(*n),
        Lit::Bool(b) => v.to_bool() == Some(*b),
        Lit::Nil => v.is_nil(),
        Lit::Text(t) => heap.as_text(v) == Some(t.as_str()),
    }
}

/// [`lit_matches`] for a non-text literal held as a constant value.
pub fn const_pattern_matches(k: Value, v: Value) -> bool {
    match k.to_num() {
        Some(n) => v.to_num() == Some(n),
        None => k == v,
    }
}

/// `p with x:5`: a copy of record `p` with fields replaced (on a map: a copy
/// with those keys set).
pub fn with_fields(heap: &mut Heap, target: Value, new: &[(&str, Value)]) -> Result<Value, RtError> {
    match heap.get(target) {
        Some(Obj::Record(r)) => {
            let mut r = r.clone();
            for (name, v) in new {
                let i = r.shape.field(name).ok_or_else(|| {
                    RtError::field(format!(
                        "record `{}` has no field `{}` (fields: {})",
                        r.shape.name,
                        name,
                        r.shape.fields.join(" ")
                    ))
                })?;
                if let Some(slot) = r.values.get_mut(i) {
                    *slot = *v;
                }
            }
            Ok(heap.alloc(Obj::Record(r)))
        }
        Some(Obj::Map(m)) => {
            let mut m = m.clone();
            for (name, v) in new {
                m.insert(name.to_string(), *v);
            }
            Ok(heap.map(m))
        }
        _ => Err(RtError::type_error(format!(
            "`with` copies a record, not {}",
            type_name(heap, target)
        ))),
    }
}

/// Stack an engine that recurses natively may use on the caller's thread
/// before it moves the recursion to a fresh segment (test threads have
/// 2 MiB in all).
pub const FIRST_SEGMENT_BUDGET: usize = 512 * 1024;
/// Size of each further stack segment.
pub const SEGMENT_SIZE: usize = 256 * 1024 * 1024;
/// What a segment keeps in reserve for the work between two checks.
pub const SEGMENT_MARGIN: usize = 16 * 1024 * 1024;

/// The address of the stack: how far recursion has gone.
#[inline(always)]
fn stack_pos() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// How much native stack recursion has used since a point, against a budget:
/// when it is spent, the engine continues on a new thread with a
/// [`SEGMENT_SIZE`] stack, so deep recursion ends at the depth limit, never
/// in a crashed process.
#[derive(Clone, Copy, Debug)]
pub struct StackGuard {
    base: usize,
    budget: usize,
}

impl StackGuard {
    pub fn here(budget: usize) -> StackGuard {
        StackGuard {
            base: stack_pos(),
            budget,
        }
    }

    pub fn exhausted(&self) -> bool {
        self.base.abs_diff(stack_pos()) > self.budget
    }
}
