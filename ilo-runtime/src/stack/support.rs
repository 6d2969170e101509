//! The stack VM's data helpers: what the `( ... -- )` ops and the loop and
//! match ops do, out of the generated dispatch loop. None touches frames.
//! The pattern tests and range check both VMs make are `vm_support`'s.

use crate::codes::runtime;
use crate::error::RtError;
use crate::heap::Heap;
use crate::value::Value;

use super::compile::StackProgram;

/// Text table entry `x`: a field name or message.
#[inline(never)]
pub(super) fn text_at(prog: &StackProgram, x: usize) -> Result<&str, RtError> {
    prog.texts
        .get(x)
        .map(String::as_str)
        .ok_or_else(|| RtError::internal("no such text"))
}

/// Removes the top `n` values, bottom first.
fn take(stack: &mut Vec<Value>, n: usize) -> Result<Vec<Value>, RtError> {
    let start = stack
        .len()
        .checked_sub(n)
        .ok_or_else(|| RtError::internal("stack underflow"))?;
    Ok(stack.split_off(start))
}

/// `LIST n`.
#[inline(never)]
pub(super) fn make_list(stack: &mut Vec<Value>, heap: &mut Heap, n: usize) -> Result<(), RtError> {
    let items = take(stack, n)?;
    stack.push(heap.list(items));
    Ok(())
}

/// `RECORD x`: the fields were pushed in the order written; the layout says
/// where each goes (the compiler checked that every field is given).
#[inline(never)]
pub(super) fn make_record(
    prog: &StackProgram,
    stack: &mut Vec<Value>,
    heap: &mut Heap,
    x: usize,
) -> Result<(), RtError> {
    let layout = prog
        .layouts
        .get(x)
        .ok_or_else(|| RtError::internal("no such record layout"))?;
    let written = take(stack, layout.slots.len())?;
    let mut values = vec![Value::NIL; layout.shape.fields.len()];
    for (v, &slot) in written.into_iter().zip(&layout.slots) {
        if let Some(dst) = values.get_mut(slot) {
            *dst = v;
        }
    }
    stack.push(heap.record(layout.shape.clone(), values));
    Ok(())
}

/// `WITH x`: the target, then the new values of the fields `prog.withs[x]`.
#[inline(never)]
pub(super) fn with_fields(
    prog: &StackProgram,
    stack: &mut Vec<Value>,
    heap: &mut Heap,
    x: usize,
) -> Result<(), RtError> {
    let names = prog
        .withs
        .get(x)
        .ok_or_else(|| RtError::internal("no such field list"))?;
    let new = take(stack, names.len())?;
    let t = stack.pop().ok_or_else(|| RtError::internal("stack underflow"))?;
    let given: Vec<(&str, Value)> = names.iter().map(String::as_str).zip(new).collect();
    stack.push(crate::ops::with_fields(heap, t, &given)?);
    Ok(())
}

fn slot(stack: &[Value], bp: usize, x: usize) -> Result<Value, RtError> {
    stack
        .get(bp + x)
        .copied()
        .ok_or_else(|| RtError::internal("no such slot"))
}

fn set_slot(stack: &mut [Value], bp: usize, x: usize, v: Value) -> Result<(), RtError> {
    let dst = stack.get_mut(bp + x).ok_or_else(|| RtError::internal("no such slot"))?;
    *dst = v;
    Ok(())
}

/// `FORNEXT h`: the list is in slot `h`, the next position in `h + 1`.
#[inline(never)]
pub(super) fn for_next(stack: &mut Vec<Value>, heap: &Heap, bp: usize, h: usize) -> Result<(), RtError> {
    let items = slot(stack, bp, h)?;
    let i = slot(stack, bp, h + 1)?.to_num().unwrap_or(0.0) as usize;
    let next = heap.list_item(items, i);
    match next {
        Some(v) => {
            set_slot(stack, bp, h + 1, Value::num((i + 1) as f64))?;
            stack.push(v);
            stack.push(Value::TRUE);
        }
        None => stack.push(Value::FALSE),
    }
    Ok(())
}

/// `RANGE h`: `@i a..b` needs numbers; the counter goes in slot `h`, the end
/// in `h + 1`.
#[inline(never)]
pub(super) fn range_init(
    stack: &mut [Value],
    heap: &Heap,
    bp: usize,
    h: usize,
    a: Value,
    b: Value,
) -> Result<(), RtError> {
    crate::vm_support::check_range(heap, a, b)?;
    set_slot(stack, bp, h, a)?;
    set_slot(stack, bp, h + 1, b)
}

/// `RNEXT h`: the counter while it is below the end (the body cannot change
/// it: the loop variable is a separate slot).
#[inline(never)]
pub(super) fn range_next(stack: &mut Vec<Value>, bp: usize, h: usize) -> Result<(), RtError> {
    let i = slot(stack, bp, h)?.to_num().unwrap_or(f64::NAN);
    let end = slot(stack, bp, h + 1)?.to_num().unwrap_or(f64::NAN);
    if i < end {
        set_slot(stack, bp, h, Value::num(i + 1.0))?;
        stack.push(Value::num(i));
        stack.push(Value::TRUE);
    } else {
        stack.push(Value::FALSE);
    }
    Ok(())
}

/// `UNPACK 0|1`: the inner value of `~v` / `^e` and true, or just false.
#[inline(never)]
pub(super) fn unpack(stack: &mut Vec<Value>, heap: &Heap, v: Value, which: usize) {
    match crate::ops::result_inner(heap, v, which == 0) {
        Some(x) => {
            stack.push(x);
            stack.push(Value::TRUE);
        }
        None => stack.push(Value::FALSE),
    }
}

/// `FAIL x`: the text is `ILO-Rnnn message`.
#[inline(never)]
pub(super) fn fail(prog: &StackProgram, x: usize) -> RtError {
    let text = match text_at(prog, x) {
        Ok(text) => text,
        Err(e) => return e,
    };
    let (c, message) = text.split_once(' ').unwrap_or((text, ""));
    let c = runtime::ALL
        .iter()
        .copied()
        .find(|k| *k == c)
        .unwrap_or(runtime::INTERNAL);
    RtError::new(c, message)
}
