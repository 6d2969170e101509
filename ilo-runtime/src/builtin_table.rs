//! The builtins' table: each one's id, name, arity and function value.
//! It stands apart from `builtins` (what they do) so that `print`, which
//! names builtin function values, need not import `builtins`, which prints
//! values: that was an import cycle.

use crate::value::Value;

/// Function values from here up are builtins: `FUNC_BASE + id`.
pub const FUNC_BASE: u32 = 1 << 24;

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
