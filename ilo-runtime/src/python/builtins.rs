//! Builtin calls: each builtin is a prelude function (`_len`, `_map`, …),
//! which is also its value when passed to a higher-order builtin. A few
//! have a plain Python form when the verifier knows the argument types.

use super::expr::Py;
use crate::builtins::Builtin;
use crate::front::types::Ty;

/// The prelude function implementing `b`.
pub(super) fn helper(b: Builtin) -> &'static str {
    use Builtin::*;
    match b {
        Len => "_len",
        Str => "_str",
        Num => "_num",
        Abs => "_abs",
        Min => "_min",
        Max => "_max",
        Flr => "_flr",
        Cel => "_cel",
        Rou => "_rou",
        Mod => "_mod",
        Sum => "_sum",
        Avg => "_avg",
        Hd => "_hd",
        Tl => "_tl",
        Rev => "_rev",
        Srt => "_srt",
        Unq => "_unq",
        Flat => "_flat",
        Slc => "_slc",
        Has => "_has",
        Spl => "_spl",
        Cat => "_cat",
        Trm => "_trm",
        // `_fmt` is the printer.
        Fmt => "_fmt_",
        Map => "_map",
        Flt => "_flt",
        Fld => "_fld",
        Grp => "_grp",
        Mmap => "_mmap",
        Mget => "_mget",
        Mset => "_mset",
        Mhas => "_mhas",
        Mdel => "_mdel",
        Mkeys => "_mkeys",
        Mvals => "_mvals",
        Jdmp => "_jdmp",
        Jpar => "_jpar",
        Jpth => "_jpth",
        Rd => "_rd",
        Rdl => "_rdl",
        Wr => "_wr",
        Wrl => "_wrl",
        Env => "_env",
        Prnt => "_prnt",
        Now => "_now",
        Rnd => "_rnd",
        Rgx => "_rgx",
    }
}

/// `b args`, with `types` the verifier's types of the arguments.
pub(super) fn call(b: Builtin, args: &[Py], types: &[Ty]) -> Py {
    let codes: Vec<&str> = args.iter().map(|a| a.code.as_str()).collect();
    match (b, types) {
        (Builtin::Len, [Ty::List(_) | Ty::Map(..)]) => Py::atom(format!("float(len({}))", codes[0])),
        (Builtin::Abs, [Ty::Num]) => Py::atom(format!("abs({})", codes[0])),
        (Builtin::Str, [Ty::Num]) => Py::atom(format!("_fmt_num({})", codes[0])),
        (Builtin::Str, [Ty::Text]) => args[0].clone(),
        _ => Py::atom(format!("{}({})", helper(b), codes.join(", "))),
    }
}
