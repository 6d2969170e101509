//! Runtime implementations of the builtins (spec section 5), shared by every
//! engine.
//!
//! A builtin's name is resolved once to a [`Builtin`] (a one-byte id), and
//! [`call`] runs it over `(&mut Heap, &[Value])`. Higher-order builtins
//! (`map flt fld grp`, `srt` with a key function) call back into whichever
//! engine runs the program through [`CallValue`], which hands the heap back
//! to the engine for the duration of the call, so an engine that keeps its
//! heap in a field can lend it out and take it back (`std::mem::take` /
//! `swap`) or split its borrows.
//!
//! A builtin can also be passed as a function value (`map str xs`): it is
//! `Value::func(FUNC_BASE + id)`, see [`Builtin::func_value`]. User
//! functions are `Value::func(i)` for the program's `i`-th function, so the
//! two ranges never meet.
//!
//! Expected failures (a file that does not exist, text that is not a number,
//! invalid JSON) are `^"message"` results; misuse that the verifier normally
//! rules out, and the faults the spec names (`hd` of empty, `avg` of empty,
//! `mod a 0`), are `ILO-R` errors.

mod coll;
mod data;
mod io;
mod numeric;
pub(crate) use numeric::ieee_min_max;
mod text;

use crate::error::RtError;
use crate::heap::{Heap, Obj};
use crate::print::type_name;
use crate::value::Value;

pub use crate::builtin_table::{Builtin, FUNC_BASE};

/// Lets a higher-order builtin call a function value (a user function or a
/// builtin) on the engine that is running the program.
pub trait CallValue {
    /// Calls `f` with `args`; `heap` is the run's heap, lent to the engine
    /// for the call.
    fn call_value(&mut self, heap: &mut Heap, f: Value, args: &[Value]) -> Result<Value, RtError>;
}

/// A [`CallValue`] for contexts with no program: function values other than
/// builtins cannot be called (useful for tests and for constant folding).
pub struct NoCallback;

impl CallValue for NoCallback {
    fn call_value(&mut self, heap: &mut Heap, f: Value, args: &[Value]) -> Result<Value, RtError> {
        match Builtin::from_func_value(f) {
            Some(b) => call(b, heap, args, self),
            None => Err(RtError::type_error(format!("cannot call {} here", type_name(heap, f)))),
        }
    }
}

/// Runs builtin `b` on `args`.
pub fn call(b: Builtin, heap: &mut Heap, args: &[Value], callee: &mut dyn CallValue) -> Result<Value, RtError> {
    if !b.accepts(args.len()) {
        let (lo, hi) = b.arity();
        let want = if args.len() < lo { lo } else { hi };
        return Err(RtError::arity(&format!("`{}`", b.name()), want, args.len()));
    }
    let r = if b.is_higher_order() {
        // Its callbacks reach safe points while this Rust frame holds the
        // arguments and everything made so far: keep them alive.
        let scope = heap.pin_scope(args);
        let r = dispatch(b, heap, args, callee);
        heap.unpin_scope(scope);
        r?
    } else {
        dispatch(b, heap, args, callee)?
    };
    heap.check_limit()?;
    Ok(r)
}

fn dispatch(b: Builtin, heap: &mut Heap, args: &[Value], callee: &mut dyn CallValue) -> Result<Value, RtError> {
    let a = Args { b, heap, args };
    use Builtin::*;
    match b {
        Len => text::len(a),
        Str => text::str(a),
        Num => text::num(a),
        Abs => numeric::unary(a, f64::abs),
        Flr => numeric::unary(a, f64::floor),
        Cel => numeric::unary(a, f64::ceil),
        Rou => numeric::unary(a, f64::round),
        Min => numeric::min_max(a, false),
        Max => numeric::min_max(a, true),
        Mod => {
            let (x, y) = (a.arg(0), a.arg(1));
            crate::ops::modulo(a.heap, x, y)
        }
        Sum => numeric::sum(a),
        Avg => numeric::avg(a),
        Hd => coll::hd(a),
        Tl => coll::tl(a),
        Rev => coll::rev(a),
        Srt => coll::srt(a, callee),
        Unq => coll::unq(a),
        Flat => coll::flat(a),
        Slc => coll::slc(a),
        Has => coll::has(a),
        Spl => text::spl(a),
        Cat => text::cat(a),
        Trm => text::trm(a),
        Fmt => text::fmt(a),
        Map => coll::map(a, callee),
        Flt => coll::flt(a, callee),
        Fld => coll::fld(a, callee),
        Grp => coll::grp(a, callee),
        Mmap => Ok(a.heap.map(crate::heap::MapData::new())),
        Mget => data::mget(a),
        Mset => data::mset(a),
        Mhas => data::mhas(a),
        Mdel => data::mdel(a),
        Mkeys => data::mkeys(a),
        Mvals => data::mvals(a),
        Jdmp => data::jdmp(a),
        Jpar => data::jpar(a),
        Jpth => data::jpth(a),
        Rd => io::rd(a),
        Rdl => io::rdl(a),
        Wr => io::wr(a),
        Wrl => io::wrl(a),
        Env => io::env(a),
        Prnt => io::prnt(a),
        Now => io::now(),
        Rnd => io::rnd(a),
        Rgx => text::rgx(a),
    }
}

/// A builtin's arguments with typed accessors that produce `ILO-R001`
/// errors naming the builtin.
struct Args<'a> {
    b: Builtin,
    heap: &'a mut Heap,
    args: &'a [Value],
}

impl Args<'_> {
    fn arg(&self, i: usize) -> Value {
        self.args.get(i).copied().unwrap_or(Value::NIL)
    }

    fn wrong(&self, i: usize, want: &str) -> RtError {
        RtError::type_error(format!(
            "`{}` expects {want} as argument {}, not {}",
            self.b.name(),
            i + 1,
            type_name(self.heap, self.arg(i))
        ))
    }

    fn num(&self, i: usize) -> Result<f64, RtError> {
        self.arg(i).to_num().ok_or_else(|| self.wrong(i, "a number"))
    }

    fn text(&self, i: usize) -> Result<&str, RtError> {
        self.heap.as_text(self.arg(i)).ok_or_else(|| self.wrong(i, "a text"))
    }

    fn list(&self, i: usize) -> Result<&[Value], RtError> {
        self.heap.as_list(self.arg(i)).ok_or_else(|| self.wrong(i, "a list"))
    }

    /// The elements of a list, or the characters of a text (each a text).
    fn items(&mut self, i: usize) -> Result<Vec<Value>, RtError> {
        let v = self.arg(i);
        match self.heap.get(v) {
            Some(Obj::List(items)) => Ok(items.to_vec()),
            Some(Obj::Text(s)) => {
                let chars: Vec<String> = s.chars().map(String::from).collect();
                Ok(chars.into_iter().map(|c| self.heap.text(c)).collect())
            }
            _ => Err(self.wrong(i, "a list or text")),
        }
    }

    fn map(&self, i: usize) -> Result<&crate::heap::MapData, RtError> {
        self.heap.as_map(self.arg(i)).ok_or_else(|| self.wrong(i, "a map"))
    }
}

/// Calls `f` with one or two arguments on the running engine.
fn apply(heap: &mut Heap, callee: &mut dyn CallValue, f: Value, args: &[Value]) -> Result<Value, RtError> {
    if f.func_index().is_none() {
        return Err(RtError::type_error(format!(
            "expected a function, not {}",
            type_name(heap, f)
        )));
    }
    heap.callback(args, |heap| callee.call_value(heap, f, args))
}

#[cfg(test)]
mod tests;
