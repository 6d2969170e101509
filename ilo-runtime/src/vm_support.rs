//! Run-time pieces the bytecode VMs share that are not value operations
//! (those live in `ops`, shared with the tree interpreter): literal-pattern
//! tests on constants, the unbound-variable check, and the native-stack
//! guard for engines that recurse.

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

/// Reading a variable that still holds [`Value::UNBOUND`] is ILO-R010, as
/// on the tree interpreter.
pub fn check_bound(v: Value, name: &str) -> Result<(), crate::error::RtError> {
    if v == Value::UNBOUND {
        return Err(crate::error::RtError::unbound(name));
    }
    Ok(())
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

/// Runs `run` on a fresh thread with a [`SEGMENT_SIZE`] stack while this one
/// waits, handing it the guard for the new segment. The caller keeps its own
/// guard and restores it afterwards.
#[cold]
#[inline(never)]
pub fn on_new_segment<T: Send>(
    thread_name: &str,
    run: impl FnOnce(StackGuard) -> Result<T, crate::error::RtError> + Send,
) -> Result<T, crate::error::RtError> {
    use crate::codes::runtime;
    use crate::error::RtError;
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name(thread_name.into())
            .stack_size(SEGMENT_SIZE)
            .spawn_scoped(scope, || run(StackGuard::here(SEGMENT_SIZE - SEGMENT_MARGIN)));
        match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|_| Err(RtError::internal(format!("the {thread_name} stack segment panicked")))),
            Err(e) => Err(RtError::new(
                runtime::DEPTH,
                format!("recursion too deep: cannot grow the stack ({e})"),
            )),
        }
    })
}
