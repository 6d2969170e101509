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
fn count_step(steps: &mut u64, limits: &crate::error::Limits) -> Result<(), crate::error::RtError> {
    *steps += 1;
    match limits.max_steps {
        Some(max) if *steps > max => Err(crate::error::RtError::steps(max)),
        _ => Ok(()),
    }
}

/// Every engine's safe point (a call's entry, a loop's `TICK`): counts a
/// step, then lets the heap collect with `roots` (the tree interpreter's
/// variables, the register file and slots, the value stack) as what the
/// program can still reach.
#[inline(always)]
pub fn safepoint<I: IntoIterator<Item = Value>>(
    heap: &mut crate::heap::Heap,
    steps: &mut u64,
    limits: &crate::error::Limits,
    roots: impl FnOnce() -> I,
) -> Result<(), crate::error::RtError> {
    count_step(steps, limits)?;
    heap.safepoint(roots)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::runtime as code;
    use crate::error::Limits;
    use crate::heap::Heap;

    #[test]
    fn a_safepoint_counts_a_step_and_collects_with_the_roots_it_is_given() {
        let limits = Limits {
            max_steps: Some(2),
            ..Limits::default()
        };
        let mut heap = Heap::default();
        heap.set_stress(true);
        let kept = heap.text("kept".to_string());
        let dropped = heap.text("dropped".to_string());
        let mut steps = 0;
        assert_eq!(safepoint(&mut heap, &mut steps, &limits, || [kept]), Ok(()));
        assert_eq!(heap.as_text(kept), Some("kept"));
        assert_eq!(heap.as_text(dropped), None, "what no root reaches is collected");
        assert_eq!(safepoint(&mut heap, &mut steps, &limits, || [kept]), Ok(()));
        let third = safepoint(&mut heap, &mut steps, &limits, || [kept]);
        assert_eq!(third.map_err(|e| e.code), Err(code::STEPS));
        assert_eq!(steps, 3);
    }

    #[test]
    fn both_vms_test_patterns_alike() {
        use crate::isa::tag;
        let mut heap = Heap::default();
        let t = heap.text("t".to_string());
        let ok = heap.ok(Value::num(1.0));
        assert!(has_tag(&heap, Value::num(0.0), tag::NUM));
        assert!(has_tag(&heap, t, tag::TEXT) && !has_tag(&heap, t, tag::LIST));
        assert!(has_tag(&heap, Value::FALSE, tag::BOOL));
        assert!(has_tag(&heap, ok, tag::OK) && !has_tag(&heap, ok, tag::ERR));
        assert!(has_tag(&heap, Value::func(0), tag::FUNC) && !has_tag(&heap, Value::UNBOUND, tag::FUNC));
        assert!(const_pattern_matches(Value::num(0.0), Value::num(-0.0)));
        assert!(!const_pattern_matches(Value::NIL, Value::FALSE));
        assert_eq!(
            check_range(&heap, Value::num(1.0), t).map_err(|e| e.code),
            Err(code::TYPE)
        );
    }
}
