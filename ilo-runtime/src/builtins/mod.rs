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

/// Function values from here up are builtins: `FUNC_BASE + id`.
pub const FUNC_BASE: u32 = 1 << 24;

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

macro_rules! builtins {
    ($($variant:ident = $name:literal, $min:expr, $max:expr, $doc:literal;)*) => {
        /// Every builtin, as the small integer id engines store.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Builtin {
            $(#[doc = $doc] $variant,)*
        }

        impl Builtin {
            /// Every builtin, in id order: `ALL[b.id()] == b`.
            pub const ALL: &'static [Builtin] = &[$(Builtin::$variant,)*];

            /// The short name a program calls it by.
            pub fn name(self) -> &'static str {
                match self {
                    $(Builtin::$variant => $name,)*
                }
            }

            /// The fewest and most arguments it takes.
            pub fn arity(self) -> (usize, usize) {
                match self {
                    $(Builtin::$variant => ($min, $max),)*
                }
            }

            /// The builtin called `name` (short names only; the parser turns
            /// long aliases such as `length` into short ones).
            pub fn from_name(name: &str) -> Option<Builtin> {
                match name {
                    $($name => Some(Builtin::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

const MANY: usize = usize::MAX;

builtins! {
    Len = "len", 1, 1, "`len x`: bytes of a text, elements of a list, entries of a map";
    Str = "str", 1, 1, "`str x`: a number (or any value) as text";
    Num = "num", 1, 1, "`num s`: `R n t`, text parsed as a number";
    Abs = "abs", 1, 1, "`abs x`";
    Min = "min", 1, 2, "`min a b`, or `min xs` of a non-empty list";
    Max = "max", 1, 2, "`max a b`, or `max xs` of a non-empty list";
    Flr = "flr", 1, 1, "`flr x`: round down";
    Cel = "cel", 1, 1, "`cel x`: round up";
    Rou = "rou", 1, 1, "`rou x`: round half away from zero";
    Mod = "mod", 2, 2, "`mod a b`: remainder with the sign of `a`";
    Sum = "sum", 1, 1, "`sum xs`: 0 for empty";
    Avg = "avg", 1, 1, "`avg xs`: mean; error for empty";
    Hd = "hd", 1, 1, "`hd xs`: first element or character";
    Tl = "tl", 1, 1, "`tl xs`: all but the first";
    Rev = "rev", 1, 1, "`rev xs`: reversed list or text";
    Srt = "srt", 1, 2, "`srt xs` numbers or texts, `srt f xs` by key";
    Unq = "unq", 1, 1, "`unq xs`: first occurrences only";
    Flat = "flat", 1, 1, "`flat xs`: flatten one level";
    Slc = "slc", 3, 3, "`slc xs a b`: elements (bytes of a text) from `a` up to `b`";
    Has = "has", 2, 2, "`has xs v`: membership, substring, or map key";
    Spl = "spl", 2, 2, "`spl s sep`: split";
    Cat = "cat", 2, 2, "`cat xs sep`: join";
    Trm = "trm", 1, 1, "`trm s`: trim whitespace";
    Fmt = "fmt", 1, MANY, "`fmt \"{} and {}\" a b`: fill placeholders";
    Map = "map", 2, 2, "`map f xs`: apply";
    Flt = "flt", 2, 2, "`flt f xs`: keep where `f` is true";
    Fld = "fld", 3, 3, "`fld f xs init`: fold with `f acc x`";
    Grp = "grp", 2, 2, "`grp f xs`: group into a map by key";
    Mmap = "mmap", 0, 0, "`mmap`: an empty map";
    Mget = "mget", 2, 2, "`mget m k`: value or nil";
    Mset = "mset", 3, 3, "`mset m k v`: a new map";
    Mhas = "mhas", 2, 2, "`mhas m k`";
    Mdel = "mdel", 2, 2, "`mdel m k`: a new map";
    Mkeys = "mkeys", 1, 1, "`mkeys m`: keys in order";
    Mvals = "mvals", 1, 1, "`mvals m`: values in key order";
    Jdmp = "jdmp", 1, 1, "`jdmp v`: JSON text";
    Jpar = "jpar", 1, 1, "`jpar s`: `R _ t`, JSON parsed to values";
    Jpth = "jpth", 2, 2, "`jpth s path`: `R t t`, the value at a dotted path";
    Rd = "rd", 1, 1, "`rd path`: `R t t`, file contents";
    Rdl = "rdl", 1, 1, "`rdl path`: `R (L t) t`, file lines";
    Wr = "wr", 2, 2, "`wr path s`: `R t t`, write a file";
    Wrl = "wrl", 2, 2, "`wrl path xs`: `R t t`, write lines";
    Env = "env", 1, 1, "`env k`: `R t t`";
    Prnt = "prnt", 1, 1, "`prnt v`: print and return `v`";
    Now = "now", 0, 0, "`now`: seconds since the Unix epoch";
    Rnd = "rnd", 0, 2, "`rnd` in [0,1), `rnd a b` an integer in [a,b]";
    Rgx = "rgx", 2, 2, "`rgx pat s`: matches, or the captures of the first match";
}

impl Builtin {
    pub fn id(self) -> u8 {
        self as u8
    }

    pub fn from_id(id: u8) -> Option<Builtin> {
        Builtin::ALL.get(id as usize).copied()
    }

    /// The builtin as a function value.
    pub fn func_value(self) -> Value {
        Value::func(FUNC_BASE + self.id() as u32)
    }

    /// The builtin a function value stands for, if it is one.
    pub fn from_func_value(v: Value) -> Option<Builtin> {
        let i = v.func_index()?.checked_sub(FUNC_BASE)?;
        Builtin::from_id(u8::try_from(i).ok()?)
    }

    /// Whether it calls function values (and so needs a real [`CallValue`]).
    pub fn is_higher_order(self) -> bool {
        matches!(
            self,
            Builtin::Map | Builtin::Flt | Builtin::Fld | Builtin::Grp | Builtin::Srt
        )
    }

    /// Whether `n` arguments are accepted.
    pub fn accepts(self, n: usize) -> bool {
        let (lo, hi) = self.arity();
        (lo..=hi).contains(&n) && !(self == Builtin::Rnd && n == 1)
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
