//! Run-time pieces the engines share that are not value operations (those
//! live in `ops`): step counting and safe points, the record types of a
//! program, the pattern tests both VMs decode, the unbound-variable check;
//! [`calls`] for entering functions and re-entry from builtins, [`cursor`]
//! for the VMs' place in the bytecode, [`segment`] for the native stack of
//! engines that recurse. One copy each, so every
//! engine fails the same way at the same limit.

pub mod calls;
pub mod cursor;
pub mod segment;

pub use segment::{on_new_segment, StackGuard, FIRST_SEGMENT_BUDGET, SEGMENT_MARGIN, SEGMENT_SIZE};

use std::collections::HashMap;
use std::sync::Arc;

use crate::front::ast::{Decl, Program};
use crate::heap::RecordShape;
use crate::value::Value;

/// Counts one step (a call or a loop iteration) against `--max-steps`:
/// ILO-R007 past it. Every engine counts the same steps.
#[inline(always)]
pub fn count_step(steps: &mut u64, limits: &crate::error::Limits) -> Result<(), crate::error::RtError> {
    *steps += 1;
    match limits.max_steps {
        Some(max) if *steps > max => Err(crate::error::RtError::steps(max)),
        _ => Ok(()),
    }
}

/// A bytecode VM's safe point (`TICK`, a call's entry): counts a step,
/// then lets the heap collect with `roots`, the VM's register file or
/// value stack, as what the program can still reach.
#[inline(always)]
pub fn safepoint(
    roots: &[Value],
    heap: &mut crate::heap::Heap,
    steps: &mut u64,
    limits: &crate::error::Limits,
) -> Result<(), crate::error::RtError> {
    count_step(steps, limits)?;
    heap.safepoint(|| roots.iter().copied())
}

/// The record types `program` declares, in declaration order; of two with
/// one name the first wins (the verifier reports the second).
pub fn record_shapes(program: &Program) -> Vec<Arc<RecordShape>> {
    let mut shapes: Vec<Arc<RecordShape>> = Vec::new();
    for d in &program.decls {
        if let Decl::Type(t) = d {
            if shapes.iter().all(|s| s.name != t.name.name) {
                let fields = t.fields.iter().map(|p| p.name.name.clone()).collect();
                shapes.push(Arc::new(RecordShape::new(&t.name.name, fields)));
            }
        }
    }
    shapes
}

/// [`record_shapes`] by name.
pub fn record_shapes_by_name(program: &Program) -> HashMap<String, Arc<RecordShape>> {
    record_shapes(program)
        .into_iter()
        .map(|s| (s.name.clone(), s))
        .collect()
}

/// A number, bool or nil literal pattern, held as a constant: numbers match
/// by value (so `0` matches `-0`), the rest by identity.
pub fn const_pattern_matches(k: Value, v: Value) -> bool {
    match k.to_num() {
        Some(n) => v.to_num() == Some(n),
        None => k == v,
    }
}

/// A typed pattern's test: whether `v` is of type tag `tag`
/// ([`crate::isa::tag`]).
pub fn has_tag(heap: &crate::heap::Heap, v: Value, tag: usize) -> bool {
    use crate::isa::tag;
    use crate::ops::{self, Kind};
    let kind = |k| ops::is_kind(heap, k, v);
    match tag {
        tag::NUM => kind(Kind::Num),
        tag::TEXT => kind(Kind::Text),
        tag::BOOL => kind(Kind::Bool),
        tag::LIST => kind(Kind::List),
        tag::OK => ops::result_inner(heap, v, true).is_some(),
        tag::ERR => ops::result_inner(heap, v, false).is_some(),
        tag::FUNC => v.func_index().is_some(),
        _ => false,
    }
}

/// `@i a..b` needs numbers (a type error otherwise).
pub fn check_range(heap: &crate::heap::Heap, a: Value, b: Value) -> Result<(), crate::error::RtError> {
    if a.is_num() && b.is_num() {
        return Ok(());
    }
    Err(crate::error::RtError::type_error(format!(
        "`@i a..b` needs numbers, not {} and {}",
        crate::print::type_name(heap, a),
        crate::print::type_name(heap, b)
    )))
}

/// Reading a variable that still holds [`Value::UNBOUND`] is ILO-R010, as
/// on the tree interpreter.
pub fn check_bound(v: Value, name: &str) -> Result<(), crate::error::RtError> {
    if v == Value::UNBOUND {
        return Err(crate::error::RtError::unbound(name));
    }
    Ok(())
}
