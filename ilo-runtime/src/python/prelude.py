# ---- ilo prelude: the run-time helpers the translation still needs ----
# Values: numbers are float, texts str, bools bool, nil None, lists list
# (never changed in place), maps dict (text keys, printed in key order),
# results _Ok/_Err, records instances of _Record subclasses.
import itertools as _itertools
import json as _json
import math as _math
import os as _os
import random as _random
import re as _re
import sys as _sys
import time as _time

_INF = float("inf")
# `xs=+=xs v` appends in place when the list is unshared: a list only the
# variable and `_rc`'s argument hold has a reference count of 2 in CPython
# up to 3.13; elsewhere (PyPy, 3.14's borrowed references) it always copies.
_rc = getattr(_sys, "getrefcount", lambda _x: 0)
_UNSHARED = 2 if _sys.implementation.name == "cpython" and _sys.version_info < (3, 14) else -1
# A variable not bound yet, where a function of its name stands in.
_UNSET = object()
_NAN = float("nan")


class _Fault(Exception):
    """A run-time error with its ILO-R code (`_R_…`, generated: see the end)."""

    def __init__(self, code, message):
        Exception.__init__(self, code, message)
        self.code = code
        self.message = message


class _Bubble(Exception):
    """`f!` meeting `^e`: the enclosing function returns the error."""

    def __init__(self, result):
        Exception.__init__(self)
        self.result = result


def _type_error(message):
    return _Fault(_R_TYPE, message)


class _Ok:
    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v


class _Err:
    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v


class _Record:
    __slots__ = ()
    _name = ""

    def _with(self, fields):
        r = object.__new__(type(self))
        for f in self.__slots__:
            setattr(r, f, getattr(self, f))
        for f, v in fields.items():
            if f not in self.__slots__:
                raise _no_field(self, f)
            setattr(r, f, v)
        return r


def _no_field(r, f):
    return _Fault(_R_FIELD, "record `%s` has no field `%s` (fields: %s)" % (r._name, f, " ".join(r._fields)))


def _kind(v):
    """The ilo type of a value, for messages."""
    t = type(v)
    if t is float:
        return "a number"
    if t is bool:
        return "a bool"
    if v is None:
        return "nil"
    if t is str:
        return "a text"
    if t is list:
        return "a list"
    if t is dict:
        return "a map"
    if t is _Ok:
        return "an ok result"
    if t is _Err:
        return "an error result"
    if isinstance(v, _Record):
        return "a record"
    if callable(v):
        return "a function"
    return "an unknown value"


# ---- printing (spec section 6) ----


def _fmt_num(n):
    # Whole numbers (counters, lengths) first; -0 and nan fail the tests.
    if -1e15 < n < 1e15 and n.is_integer() and n != 0.0:
        return str(int(n))
    if n != n:
        return "nan"
    if n == _INF:
        return "inf"
    if n == -_INF:
        return "-inf"
    if n == 0.0:
        return "-0" if _math.copysign(1.0, n) < 0 else "0"
    # repr gives the shortest round-trip digits; lay them out as ilo does.
    sign, s = ("-", repr(-n)) if n < 0 else ("", repr(n))
    mant, _, exp = s.partition("e")
    exp = int(exp) if exp else 0
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0")
    point = len(whole) + exp - (len(whole + frac) - len((whole + frac).lstrip("0")))
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= point <= 21:
        body = digits + "0" * (point - k)
    elif 0 < point <= 21:
        body = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        body = "0." + "0" * (-point) + digits
    elif k == 1:
        body = "%se%d" % (digits, point - 1)
    else:
        body = "%s.%se%d" % (digits[0], digits[1:], point - 1)
    return sign + body


def _fmt(v):
    t = type(v)
    if t is float:
        return _fmt_num(v)
    if t is str:
        return v
    if t is bool:
        return "true" if v else "false"
    if v is None:
        return "nil"
    if t is list:
        return "[" + ", ".join([_fmt(x) for x in v]) + "]"
    if t is dict:
        return "{" + ", ".join([k + ": " + _fmt(v[k]) for k in sorted(v)]) + "}"
    if t is _Ok:
        return "~" + _fmt(v.v)
    if t is _Err:
        return "^" + _fmt(v.v)
    if isinstance(v, _Record):
        return v._name + " {" + ", ".join([f + ": " + _fmt(getattr(v, s)) for f, s in zip(v._fields, v.__slots__)]) + "}"
    if v in _BUILTIN_NAMES:
        return "<fn %s>" % _BUILTIN_NAMES[v]
    if v in _FUNC_INDEX:
        return "<fn #%d>" % _FUNC_INDEX[v]
    return repr(v)


# ---- operators on values the verifier could not type ----


def _t(v):
    """Truthiness: only false and nil are false."""
    return v is not None and v is not False


def _num2(op, a, b):
    if type(a) is float and type(b) is float:
        return True
    raise _type_error("`%s` cannot combine %s and %s" % (op, _kind(a), _kind(b)))


def _add(a, b):
    ta, tb = type(a), type(b)
    if ta is tb and (ta is float or ta is str or ta is list):
        return a + b
    raise _type_error("`+` cannot combine %s and %s" % (_kind(a), _kind(b)))


def _sub(a, b):
    _num2("-", a, b)
    return a - b


def _mul(a, b):
    _num2("*", a, b)
    return a * b


def _div(a, b):
    """IEEE division: `/1 0` is inf, `/0 0` nan; never an error."""
    if type(a) is not float or type(b) is not float:
        _num2("/", a, b)
    if b == 0.0:
        if a != a or a == 0.0:
            return _NAN
        return _math.copysign(_INF, a) * _math.copysign(1.0, b)
    return a / b


def _mod(a, b):
    if type(a) is not float or type(b) is not float:
        _num2("mod", a, b)
    if b == 0.0:
        raise _Fault(_R_MOD_ZERO, "`mod a 0`: remainder by zero")
    if a != a or b != b or a in (_INF, -_INF):
        return _NAN
    return _math.fmod(a, b)


def _neg(a):
    if type(a) is float:
        return -a
    raise _type_error("`-` cannot negate %s" % _kind(a))


def _append(xs, v):
    if type(xs) is list:
        return xs + [v]
    raise _type_error("`+=` appends to a list, not to %s" % _kind(xs))


def _eq(a, b):
    """Structural equality; numbers by IEEE `==`, bools never equal numbers."""
    ta = type(a)
    if ta is not type(b):
        return False
    if ta is float or ta is str or ta is bool:
        return a == b
    if a is b:
        return True
    if ta is list:
        return len(a) == len(b) and all(_eq(x, y) for x, y in zip(a, b))
    if ta is dict:
        return len(a) == len(b) and sorted(a) == sorted(b) and all(_eq(a[k], b[k]) for k in a)
    if ta is _Ok or ta is _Err:
        return _eq(a.v, b.v)
    if isinstance(a, _Record):
        return all(_eq(getattr(a, f), getattr(b, f)) for f in a.__slots__)
    return False


def _ordered(op, a, b):
    ta = type(a)
    if ta is type(b) and (ta is float or ta is str):
        return True
    raise _type_error("`%s` compares two numbers or two texts, not %s and %s" % (op, _kind(a), _kind(b)))


def _lt(a, b):
    return _ordered("<", a, b) and a < b


def _gt(a, b):
    return _ordered(">", a, b) and a > b


def _le(a, b):
    return _ordered("<=", a, b) and a <= b


def _ge(a, b):
    return _ordered(">=", a, b) and a >= b


def _index(x, i):
    if type(x) is list or type(x) is str:
        if i < len(x):
            return x[i]
        raise _Fault(_R_INDEX, "index %d out of range for length %d" % (i, len(x)))
    raise _type_error("`.%d` indexes a list or text, not %s" % (i, _kind(x)))


def _field(x, name):
    if isinstance(x, _Record):
        try:
            return getattr(x, x._slot[name])
        except KeyError:
            raise _no_field(x, name) from None
    if type(x) is dict:
        return x.get(name)
    raise _type_error("`.%s` reads a field of a record, not of %s" % (name, _kind(x)))


def _with(x, fields):
    if isinstance(x, _Record):
        return x._with({x._slot.get(k, k): v for k, v in fields.items()})
    if type(x) is dict:
        m = dict(x)
        m.update(fields)
        return m
    raise _type_error("`with` copies a record, not %s" % _kind(x))


def _unwrap(name, r):
    t = type(r)
    if t is _Ok:
        return r.v
    if t is _Err:
        raise _Bubble(r)
    raise _type_error("`%s!` unwraps a result, but `%s` returned %s" % (name, name, _kind(r)))


def _propagate(name, r):
    """`x=f! a` when `f` did not give `~v`: its `^e` is returned."""
    if type(r) is _Err:
        return r
    raise _type_error("`%s!` unwraps a result, but `%s` returned %s" % (name, name, _kind(r)))


def _items(x):
    """What `@x e` walks: a list, a text's characters, a map's keys in order."""
    t = type(x)
    if t is list or t is str:
        return x
    if t is dict:
        return sorted(x)
    raise _type_error("`@` walks a list, text or map, not %s" % _kind(x))


def _range(a, b):
    """`@i a..b`: a, a+1, … while below b (floats, as ilo counts)."""
    if type(a) is not float or type(b) is not float:
        raise _type_error("`@i a..b` needs numbers, not %s and %s" % (_kind(a), _kind(b)))
    # A whole start (not -0, which the first item must keep): the whole
    # numbers `_whole_range` counts, as floats.
    if a.is_integer() and -2.0**53 < a < 2.0**53 and (a != 0.0 or _math.copysign(1.0, a) > 0):
        ints = _whole_range(int(a), b)
        if type(ints) is range and 0 <= ints.start and 0 <= ints.stop <= len(_WHOLE):
            return _WHOLE[ints.start : ints.stop]
        return map(float, ints)
    return _count_up(a, b)


# The whole floats 0..4095, made once: a small range's counter takes them
# from here rather than making a float per step (CPython shares small ints
# the same way).
_WHOLE = [float(i) for i in range(4096)]


def _whole_range(a, b):
    """`@i a..b` from a whole `a` (an int): the items a float counter takes,
    as ints (for a counter only `str` reads, and for `_range`)."""
    if type(b) is not float:
        return _range(float(a), b)  # its error
    if b > 2.0**53:
        # A float counter stops growing at 2**53 (`i + 1.0 == i`): so does this.
        return _itertools.chain(range(a, 2**53), _itertools.repeat(2**53))
    if b > -2.0**53:
        return range(a, _math.ceil(b))
    return ()  # nan, or below any whole start


def _count_up(a, b):
    while a < b:
        yield a
        a += 1.0


def _is_num(v):
    return type(v) is float


def _is_list(v):
    return type(v) is list


def _is_text(v):
    return type(v) is str


def _is_bool(v):
    return type(v) is bool


# ---- calls of function values ----


def _arity(f):
    a = _ARITY.get(f)
    if a is None:
        code = getattr(f, "__code__", None)
        n = code.co_argcount if code else 0
        a = (n, n)
    return a


def _call(f, *args):
    """Calls a function value (a program function or a builtin)."""
    if not callable(f) or isinstance(f, type):
        raise _type_error("cannot call %s: it is not a function" % _kind(f))
    lo, hi = _arity(f)
    if not lo <= len(args) <= hi:
        name = _BUILTIN_NAMES.get(f) or next((k for k, g in _FUNCS.items() if g is f), "?")
        want = lo if len(args) < lo else hi
        raise _Fault(_R_ARITY, "`%s` takes %d argument(s), but was called with %d" % (name, want, len(args)))
    return f(*args)


def _no_function(name):
    raise _Fault(_R_UNBOUND, "`%s` is no function, builtin or function value here" % name)


def _tick():
    """One step (a call or a loop iteration) against the step limit."""
    _STEPS[0] += 1
    if _STEPS[0] > _MAX_STEPS:
        raise _Fault(_R_STEPS, "step limit of %d exceeded" % _MAX_STEPS)


_STEPS = [0]
_MAX_STEPS = 0


def _call_local(v, fallback, *args):
    """`f a` where `f` is also a variable: its function value, else the function `f`."""
    if callable(v) and not isinstance(v, type):
        return _call(v, *args)
    if fallback is None:
        raise _type_error("this name is %s, not a function" % _kind(v))
    return fallback(*args)


# ---- builtins (spec section 5) ----


def _wrong(name, i, want, v):
    return _type_error("`%s` expects %s as argument %d, not %s" % (name, want, i, _kind(v)))


def _want_num(name, i, v):
    if type(v) is not float:
        raise _wrong(name, i, "a number", v)
    return v


def _want_text(name, i, v):
    if type(v) is not str:
        raise _wrong(name, i, "a text", v)
    return v


def _want_list(name, i, v):
    if type(v) is not list:
        raise _wrong(name, i, "a list", v)
    return v


def _want_map(name, i, v):
    if type(v) is not dict:
        raise _wrong(name, i, "a map", v)
    return v


def _want_items(name, i, v):
    if type(v) is list:
        return v
    if type(v) is str:
        return list(v)
    raise _wrong(name, i, "a list or text", v)


def _len(x):
    t = type(x)
    if t is str:
        return float(len(x) if x.isascii() else len(x.encode()))
    if t is list or t is dict:
        return float(len(x))
    raise _wrong("len", 1, "a text, list or map", x)


def _str(x):
    if type(x) is float:
        return _fmt_num(x)
    if type(x) is str:
        return x
    return _fmt(x)


def _parse_number(s):
    t = s.strip()
    if t in ("inf", "+inf"):
        return _INF
    if t == "-inf":
        return -_INF
    if t == "nan":
        return _NAN
    if t and all(c in "0123456789+-.eE" for c in t):
        try:
            return float(t)
        except ValueError:
            return None
    return None


def _num(x):
    if type(x) is float:
        return _Ok(x)
    _want_text("num", 1, x)
    n = _parse_number(x)
    if n is None:
        return _Err("`%s` is not a number" % x)
    return _Ok(n)


def _abs(x):
    return abs(_want_num("abs", 1, x))


def _flr(x):
    if not _math.isfinite(_want_num("flr", 1, x)):
        return x
    return _math.copysign(float(_math.floor(x)), x) if -1.0 < x <= 0.0 else float(_math.floor(x))


def _cel(x):
    if not _math.isfinite(_want_num("cel", 1, x)):
        return x
    # `cel -0.5` is -0, as in IEEE.
    return _math.copysign(float(_math.ceil(x)), x) if -1.0 < x <= 0.0 else float(_math.ceil(x))


def _rou(x):
    """Half away from zero, as Rust's f64::round."""
    _want_num("rou", 1, x)
    if not _math.isfinite(x):
        return x
    a = abs(x)
    r = float(_math.floor(a))
    if a - r >= 0.5:  # the fraction is exact, so ties are seen exactly
        r += 1.0
    return _math.copysign(r, x)


def _min_max(name, pick_max, a, b):
    _want_num(name, 1, a)
    _want_num(name, 2, b)
    if a != a or b != b:
        return _NAN
    if a == b:
        neg_a = _math.copysign(1.0, a) < 0
        return a if (neg_a != pick_max) else b
    return a if (a > b) == pick_max else b


def _min(a, b=None):
    if b is not None:
        return _min_max("min", False, a, b)
    xs = [_want_num("min", 1, x) for x in _want_list("min", 1, a)]
    if not xs:
        raise _Fault(_R_EMPTY, "`min` of an empty list or text")
    acc = xs[0]
    for x in xs[1:]:
        acc = _min_max("min", False, acc, x)
    return acc


def _max(a, b=None):
    if b is not None:
        return _min_max("max", True, a, b)
    xs = [_want_num("max", 1, x) for x in _want_list("max", 1, a)]
    if not xs:
        raise _Fault(_R_EMPTY, "`max` of an empty list or text")
    acc = xs[0]
    for x in xs[1:]:
        acc = _min_max("max", True, acc, x)
    return acc


def _numbers(name, xs):
    for x in _want_list(name, 1, xs):
        if type(x) is not float:
            raise _wrong(name, 1, "a list of numbers", xs)
    return xs


def _sum(xs):
    s = 0.0
    for x in _numbers("sum", xs):
        s += x
    return s


def _avg(xs):
    if not _numbers("avg", xs):
        raise _Fault(_R_AVG_EMPTY, "`avg` of an empty list (there is no mean)")
    return _sum(xs) / len(xs)


def _hd(xs):
    if type(xs) is list or type(xs) is str:
        if not xs:
            raise _Fault(_R_EMPTY, "`hd` of an empty list or text")
        return xs[0]
    raise _wrong("hd", 1, "a list or text", xs)


def _tl(xs):
    if type(xs) is list or type(xs) is str:
        if not xs:
            raise _Fault(_R_EMPTY, "`tl` of an empty list or text")
        return xs[1:]
    raise _wrong("tl", 1, "a list or text", xs)


def _rev(xs):
    if type(xs) is list or type(xs) is str:
        return xs[::-1]
    raise _wrong("rev", 1, "a list or text", xs)


def _sort_key(v):
    # nan sorts last, as ilo's total order on keys does.
    return (v != v, 0.0 if v != v else v)


def _sorted_by(keys, items, what):
    if all(type(k) is float for k in keys):
        order = sorted(range(len(items)), key=lambda i: _sort_key(keys[i]))
    elif all(type(k) is str for k in keys):
        order = sorted(range(len(items)), key=lambda i: keys[i].encode())
    else:
        odd = next((k for k in keys if type(k) is not float and type(k) is not str), None)
        raise _type_error("`srt` sorts by numbers or by texts (not mixed); %s include %s" % (what, _kind(odd)))
    return [items[i] for i in order]


def _srt(a, b=None):
    if b is not None:
        items = _want_items("srt", 2, b)
        return _sorted_by([_call(a, x) for x in items], items, "the keys")
    if type(a) is str:
        return "".join(sorted(a))
    items = _want_list("srt", 1, a)
    return _sorted_by(items, items, "the elements")


def _unq(xs):
    if type(xs) is str:
        return "".join(dict.fromkeys(xs))
    out = []
    for x in _want_list("unq", 1, xs):
        if not any(_eq(x, y) for y in out):
            out.append(x)
    return out


def _flat(xs):
    out = []
    for x in _want_list("flat", 1, xs):
        if type(x) is list:
            out.extend(x)
        else:
            out.append(x)
    return out


def _bound(i, n):
    i = _math.floor(i) if _math.isfinite(i) else i
    j = i + n if i < 0 else i
    if j != j or j <= 0:
        return 0
    if j >= n:
        return n
    return int(j)


def _slc(xs, a, b):
    _want_num("slc", 2, a)
    _want_num("slc", 3, b)
    if type(xs) is list:
        i, j = _bound(a, len(xs)), _bound(b, len(xs))
        return xs[i:j] if i < j else []
    if type(xs) is str:
        raw = xs.encode()
        i, j = _bound(a, len(raw)), _bound(b, len(raw))
        while i < len(raw) and (raw[i] & 0xC0) == 0x80:
            i += 1
        while j < len(raw) and (raw[j] & 0xC0) == 0x80:
            j += 1
        return raw[i:j].decode() if i < j else ""
    raise _wrong("slc", 1, "a list or text", xs)


def _key_text(v):
    return v if type(v) is str else _fmt(v)


def _has(xs, v):
    t = type(xs)
    if t is list:
        return any(_eq(x, v) for x in xs)
    if t is str:
        return _want_text("has", 2, v) in xs
    if t is dict:
        return _key_text(v) in xs
    raise _wrong("has", 1, "a list, text or map", xs)


def _spl(s, sep):
    _want_text("spl", 1, s)
    _want_text("spl", 2, sep)
    return list(s) if sep == "" else s.split(sep)


def _cat(xs, sep):
    _want_text("cat", 2, sep)
    return sep.join([_str(x) for x in _want_list("cat", 1, xs)])


def _trm(s):
    return _want_text("trm", 1, s).strip()


def _fmt_(template, *values):
    _want_text("fmt", 1, template)
    holes = template.count("{}")
    if holes != len(values):
        raise _Fault(
            _R_ARG,
            "`fmt` template has %d placeholder(s) `{}` but %d value(s) follow it" % (holes, len(values)),
        )
    parts = template.split("{}")
    out = [parts[0]]
    for v, p in zip(values, parts[1:]):
        out.append(_str(v))
        out.append(p)
    return "".join(out)


def _map(f, xs):
    return [_call(f, x) for x in _want_items("map", 2, xs)]


def _flt(f, xs):
    return [x for x in _want_items("flt", 2, xs) if _t(_call(f, x))]


def _fld(f, xs, acc):
    for x in _want_items("fld", 2, xs):
        acc = _call(f, acc, x)
    return acc


def _grp(f, xs):
    groups = {}
    for x in _want_items("grp", 2, xs):
        groups.setdefault(_key_text(_call(f, x)), []).append(x)
    return groups


def _mmap():
    return {}


def _mget(m, k):
    return _want_map("mget", 1, m).get(_key_text(k))


def _mset(m, k, v):
    m = dict(_want_map("mset", 1, m))
    m[_key_text(k)] = v
    return m


def _mhas(m, k):
    return _key_text(k) in _want_map("mhas", 1, m)


def _mdel(m, k):
    m = dict(_want_map("mdel", 1, m))
    m.pop(_key_text(k), None)
    return m


def _mkeys(m):
    return sorted(_want_map("mkeys", 1, m))


def _mvals(m):
    m = _want_map("mvals", 1, m)
    return [m[k] for k in sorted(m)]


def _jdump(v, depth=0):
    t = type(v)
    if t is float:
        return _fmt_num(v) if _math.isfinite(v) else "null"
    if t is bool:
        return "true" if v else "false"
    if t is str:
        return _json.dumps(v, ensure_ascii=False)
    if v is None or callable(v) and not isinstance(v, _Record):
        return "null"
    if depth >= 127:
        raise _Fault(_R_NESTING, "value nested deeper than 127 levels")
    if t is list:
        return "[" + ",".join([_jdump(x, depth + 1) for x in v]) + "]"
    if t is dict:
        pairs = [(k, v[k]) for k in sorted(v)]
    elif t is _Ok:
        pairs = [("ok", v.v)]
    elif t is _Err:
        pairs = [("err", v.v)]
    else:
        pairs = [(f, getattr(v, s)) for f, s in zip(v._fields, v.__slots__)]
    return "{" + ",".join([_json.dumps(k, ensure_ascii=False) + ":" + _jdump(x, depth + 1) for k, x in pairs]) + "}"


def _jdmp(v):
    return _jdump(v)


def _from_json(j):
    if isinstance(j, bool) or j is None or isinstance(j, str):
        return j
    if isinstance(j, (int, float)):
        return float(j)
    if isinstance(j, list):
        return [_from_json(x) for x in j]
    return {k: _from_json(x) for k, x in j.items()}


class _JsonError(ValueError):
    pass


def _json_load(s):
    """JSON text to Python values, failing with serde_json's messages (as ilo does)."""
    at = [0]
    n = len(s)

    def where(i):
        line = s.count("\n", 0, i) + 1
        return "at line %d column %d" % (line, i - (s.rfind("\n", 0, i) + 1))

    def fail(msg, i):
        raise _JsonError("%s %s" % (msg, where(min(i, n))))

    def ws():
        while at[0] < n and s[at[0]] in " \t\n\r":
            at[0] += 1

    def value(depth):
        ws()
        if at[0] >= n:
            fail("EOF while parsing a value", n)
        if depth > 127:
            fail("recursion limit exceeded", at[0] + 1)
        c = s[at[0]]
        if c == "{":
            at[0] += 1
            out = {}
            ws()
            if at[0] < n and s[at[0]] == "}":
                at[0] += 1
                return out
            while True:
                ws()
                if at[0] >= n:
                    fail("EOF while parsing an object", n)
                if s[at[0]] != '"':
                    fail("key must be a string", at[0] + 1)
                k = string()
                ws()
                if at[0] >= n:
                    fail("EOF while parsing an object", n)
                if s[at[0]] != ":":
                    fail("expected `:`", at[0] + 1)
                at[0] += 1
                out[k] = value(depth + 1)
                ws()
                if at[0] >= n:
                    fail("EOF while parsing an object", n)
                if s[at[0]] == "}":
                    at[0] += 1
                    return out
                if s[at[0]] != ",":
                    fail("expected `,` or `}`", at[0] + 1)
                at[0] += 1
                ws()
                if at[0] < n and s[at[0]] == "}":
                    fail("trailing comma", at[0] + 1)
        if c == "[":
            at[0] += 1
            out = []
            ws()
            if at[0] < n and s[at[0]] == "]":
                at[0] += 1
                return out
            while True:
                out.append(value(depth + 1))
                ws()
                if at[0] >= n:
                    fail("EOF while parsing a list", n)
                if s[at[0]] == "]":
                    at[0] += 1
                    return out
                if s[at[0]] != ",":
                    fail("expected `,` or `]`", at[0] + 1)
                at[0] += 1
                ws()
                if at[0] < n and s[at[0]] == "]":
                    fail("trailing comma", at[0] + 1)
        if c == '"':
            return string()
        for word, v in (("true", True), ("false", False), ("null", None)):
            if c == word[0]:
                for i, w in enumerate(word):
                    if at[0] + i >= n:
                        fail("EOF while parsing a value", n)
                    if s[at[0] + i] != w:
                        fail("expected ident", at[0] + i + 1)
                at[0] += len(word)
                return v
        if c == "-" and at[0] + 1 >= n:
            fail("EOF while parsing a value", n)
        if s.startswith("0", at[0] + (c == "-")) and s[at[0] + (c == "-") + 1 : at[0] + (c == "-") + 2].isdigit():
            fail("invalid number", at[0] + (c == "-") + 2)
        m = _JSON_NUMBER.match(s, at[0])
        if c in "-0123456789" and m and m.group(0) not in ("-",):
            at[0] = m.end()
            x = float(m.group(0))
            if x in (_INF, -_INF):
                fail("number out of range", at[0])
            return x
        fail("expected value", at[0] + 1)

    def string():
        at[0] += 1
        out = []
        while True:
            if at[0] >= n:
                fail("EOF while parsing a string", n)
            c = s[at[0]]
            at[0] += 1
            if c == '"':
                return "".join(out)
            if c == "\\":
                if at[0] >= n:
                    fail("EOF while parsing a string", n)
                e = s[at[0]]
                at[0] += 1
                if e in _JSON_ESCAPES:
                    out.append(_JSON_ESCAPES[e])
                elif e == "u":
                    h = s[at[0] : at[0] + 4]
                    if len(h) < 4 or any(x not in "0123456789abcdefABCDEF" for x in h):
                        fail("invalid escape", at[0] + len(h))
                    at[0] += 4
                    cp = int(h, 16)
                    if 0xD800 <= cp < 0xDC00 and s[at[0] : at[0] + 2] == "\\u":
                        lo = int(s[at[0] + 2 : at[0] + 6] or "0", 16)
                        if 0xDC00 <= lo < 0xE000:
                            at[0] += 6
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    if 0xD800 <= cp < 0xE000:
                        fail("lone leading surrogate in hex escape", at[0])
                    out.append(chr(cp))
                else:
                    fail("invalid escape", at[0])
            elif c < " ":
                fail("control character (\\u0000-\\u001F) found while parsing a string", at[0])
            else:
                out.append(c)

    v = value(0)
    ws()
    if at[0] < n:
        fail("trailing characters", at[0] + 1)
    return v


_JSON_NUMBER = _re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _jpar(s):
    _want_text("jpar", 1, s)
    try:
        return _Ok(_from_json(_json_load(s)))
    except (ValueError, RecursionError) as e:
        return _Err("invalid JSON: %s" % e)


def _jpth(s, path):
    _want_text("jpth", 1, s)
    _want_text("jpth", 2, path)
    try:
        cur = _json_load(s)
    except (ValueError, RecursionError) as e:
        return _Err("invalid JSON: %s" % e)
    if path:
        segs = path.split(".")
        for depth, seg in enumerate(segs):
            nxt = None
            if isinstance(cur, dict):
                nxt = cur.get(seg, _MISSING)
            elif isinstance(cur, list) and seg.isdigit() and int(seg) < len(cur):
                nxt = cur[int(seg)]
            else:
                nxt = _MISSING
            if nxt is _MISSING:
                at = "`%s`" % ".".join(segs[:depth]) if depth else "the top"
                return _Err("no `%s` at %s of the JSON (path `%s`)" % (seg, at, path))
            cur = nxt
    if isinstance(cur, str):
        return _Ok(cur)
    return _Ok(_jdump(_from_json(cur)))


_MISSING = object()


def _rd(path):
    _want_text("rd", 1, path)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return _Ok(f.read())
    except (OSError, UnicodeDecodeError) as e:
        return _Err("cannot read `%s`: %s" % (path, _os_error(e)))


def _os_error(e):
    """An OS error as Rust's std::io::Error prints it."""
    if isinstance(e, OSError) and e.errno is not None:
        return "%s (os error %d)" % (e.strerror, e.errno)
    if isinstance(e, UnicodeDecodeError):
        return "stream did not contain valid UTF-8"
    return str(e)


def _rdl(path):
    r = _rd(path)
    if type(r) is _Err:
        return r
    lines = r.v.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return _Ok([l[:-1] if l.endswith("\r") else l for l in lines])


def _write(path, contents):
    _want_text("wr", 1, path)
    try:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(contents)
        return _Ok(path)
    except OSError as e:
        return _Err("cannot write `%s`: %s" % (path, _os_error(e)))


def _wr(path, v):
    return _write(path, _fmt(v))


def _wrl(path, xs):
    return _write(path, "".join([_fmt(x) + "\n" for x in _want_list("wrl", 2, xs)]))


def _env(k):
    _want_text("env", 1, k)
    v = _os.environ.get(k)
    if v is None:
        return _Err("environment variable `%s` is not set" % k)
    return _Ok(v)


def _prnt(v):
    _sys.stdout.write(_fmt(v) + "\n")
    _sys.stdout.flush()
    return v


def _now():
    return _time.time()


def _rnd(a=None, b=None):
    if a is None and b is None:
        return _random.random()
    lo = _math.ceil(_want_num("rnd", 1, a)) if _math.isfinite(a) else a
    hi = _math.floor(_want_num("rnd", 2, b)) if _math.isfinite(b) else b
    if not (_math.isfinite(lo) and _math.isfinite(hi)) or lo > hi:
        raise _Fault(_R_ARG, "`rnd a b` needs an integer between a and b, but got a=%s b=%s" % (_str(float(lo)), _str(float(hi))))
    return float(_random.randint(int(lo), int(hi)))


def _rgx(pat, s):
    _want_text("rgx", 1, pat)
    _want_text("rgx", 2, s)
    try:
        r = _re.compile(pat)
    except _re.error as e:
        raise _Fault(_R_ARG, "`rgx`: invalid pattern `%s`: %s" % (pat, e)) from None
    if r.groups > 0:
        m = r.search(s)
        return [g or "" for g in m.groups()] if m else []
    return [m.group(0) for m in r.finditer(s)]


# Builtins as function values: their names (for printing) and arities.
_BUILTIN_NAMES = {
    _len: "len", _str: "str", _num: "num", _abs: "abs", _min: "min", _max: "max",
    _flr: "flr", _cel: "cel", _rou: "rou", _mod: "mod", _sum: "sum", _avg: "avg",
    _hd: "hd", _tl: "tl", _rev: "rev", _srt: "srt", _unq: "unq", _flat: "flat",
    _slc: "slc", _has: "has", _spl: "spl", _cat: "cat", _trm: "trm", _fmt_: "fmt",
    _map: "map", _flt: "flt", _fld: "fld", _grp: "grp", _mmap: "mmap", _mget: "mget",
    _mset: "mset", _mhas: "mhas", _mdel: "mdel", _mkeys: "mkeys", _mvals: "mvals",
    _jdmp: "jdmp", _jpar: "jpar", _jpth: "jpth", _rd: "rd", _rdl: "rdl", _wr: "wr",
    _wrl: "wrl", _env: "env", _prnt: "prnt", _now: "now", _rnd: "rnd", _rgx: "rgx",
}
_ARITY = {_min: (1, 2), _max: (1, 2), _srt: (1, 2), _fmt_: (1, 1 << 30), _rnd: (0, 2)}
_FUNC_INDEX = {}


# ---- the command line: `python3 prog.py [func] args…`, as `ilo` takes them ----


def _parse_cli_num(text):
    if text == "inf":
        return _INF
    if text == "-inf":
        return -_INF
    if text == "nan":
        return _NAN
    if text and all(c in "0123456789+-.eE" for c in text):
        try:
            return float(text)
        except ValueError:
            return None
    return None


def _bracket_items(text):
    """`[1,2]`, `["a b",c]`, `[[1],[2]]` -> nested lists of ('q', s) / ('w', s)."""
    s, at = text.strip(), [0]

    def fail(msg):
        raise ValueError("`%s`: %s" % (text, msg))

    def skip():
        while at[0] < len(s) and s[at[0]].isspace():
            at[0] += 1

    def lst():
        at[0] += 1
        items = []
        skip()
        if at[0] < len(s) and s[at[0]] == "]":
            at[0] += 1
            return items
        while True:
            skip()
            if at[0] >= len(s):
                fail("the list is not closed with `]`")
            c = s[at[0]]
            if c == '"':
                end = s.find('"', at[0] + 1)
                if end < 0:
                    fail("a text element's `\"` is not closed")
                items.append(("q", s[at[0] + 1 : end]))
                at[0] = end + 1
            elif c == "[":
                items.append(("l", lst()))
            else:
                start = at[0]
                while at[0] < len(s) and s[at[0]] not in ',[]"':
                    at[0] += 1
                word = s[start : at[0]].strip()
                if not word:
                    fail("an empty element (two commas in a row?)")
                items.append(("w", word))
            skip()
            if at[0] >= len(s):
                fail("the list is not closed with `]`")
            if s[at[0]] == ",":
                at[0] += 1
            elif s[at[0]] == "]":
                at[0] += 1
                return items
            else:
                fail("expected `,` or `]`, found `%s`" % s[at[0]])

    items = lst()
    if at[0] != len(s):
        fail("unexpected `%s` after the list's `]`" % s[at[0]])
    return items


_WORDS = {"n": "number", "t": "text", "b": "bool", "L": "list"}


def _item_arg(item, ty):
    kind, x = item
    if kind == "q":
        if ty in ("t", "_"):
            return x
        raise ValueError('`"%s"` is a text, not a %s' % (x, _WORDS.get(ty[0], "value")))
    if kind == "l":
        if ty == "_" or ty[0] == "L":
            elem = ty[1] if ty != "_" else "_"
            return [_item_arg(i, elem) for i in x]
        raise ValueError("a nested list where a %s is expected" % _WORDS.get(ty[0], "value"))
    return _cli_arg(x, ty)


def _cli_arg(text, ty):
    """One argument, read by its parameter type: `n`, `t`, `b`, `("L", elem)`,
    `("O", inner)`, `("X", word, type)` (not writable), `_`; as ilo reads it."""
    if ty[0] == "O":
        return None if text == "nil" else _cli_arg(text, ty[1])
    if ty[0] == "X":
        raise ValueError(
            "a %s (`%s`) cannot be written on the command line, only numbers, texts, bools, nil and lists of them: "
            "call this function from an ilo function that builds its argument" % (ty[1], ty[2])
        )
    if ty != "t" and "inf" not in text and _parse_cli_num(text) in (_INF, -_INF):
        raise ValueError(
            "`%s` is beyond the largest number (about 1.8e308) and would become `inf`; write `inf` if that is meant" % text
        )
    if text.lstrip().startswith("[") and ty != "t":
        if ty in ("n", "b"):
            raise ValueError("`%s` is a list, not a %s" % (text, _WORDS[ty]))
        elem = ty[1] if ty[0] == "L" else "_"
        return [_item_arg(i, elem) for i in _bracket_items(text)]
    if ty == "n":
        n = _parse_cli_num(text)
        if n is None:
            raise ValueError("`%s` is not a number" % text)
        return n
    if ty == "b":
        if text in ("true", "false"):
            return text == "true"
        raise ValueError("`%s` is not a bool (true or false)" % text)
    if ty == "t":
        return text
    if ty[0] == "L":
        return [] if text == "" else [_cli_arg(p.strip(), ty[1]) for p in text.split(",")]
    if text in ("true", "false"):
        return text == "true"
    if text == "nil":
        return None
    n = _parse_cli_num(text)
    return text if n is None else n


def _report(code, message):
    if _sys.stderr.isatty():
        _sys.stderr.write("error[%s]: %s\n" % (code, message))
    else:
        obj = {"code": code, "labels": [], "message": message, "notes": [], "severity": "error", "suggestion": None}
        _sys.stderr.write(_json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")


def _run(call):
    """Runs `call()`; a fault becomes its ILO-R code on stderr and status 1."""
    try:
        return True, call()
    except _Fault as e:
        _report(e.code, e.message)
    except RecursionError:
        _report(_R_DEPTH, "call depth limit of %d exceeded (runaway recursion?)" % _MAX_DEPTH)
    except MemoryError:
        _report(_R_MEMORY, "out of memory")
    except (TypeError, AttributeError) as e:
        _report(_R_TYPE, "an operation met a value of the wrong type (%s)" % e)
    except IndexError as e:
        _report(_R_INDEX, "index out of range (%s)" % e)
    except ZeroDivisionError as e:
        _report(_R_MOD_ZERO, "`mod a 0`: remainder by zero")
    except NameError as e:
        _report(_R_UNBOUND, "a name has no value here (%s)" % e)
    except Exception as e:  # a bug in the translation, never in the program
        _report(_R_INTERNAL, "internal fault in the transpiled program: %r" % e)
    return False, None


def _main(argv):
    if argv[:1] == ["--"]:  # ends options, as for `ilo`
        argv = argv[1:]
    names = list(_SIGNATURES)
    if not names:
        _sys.stderr.write("the program declares no function to run\n")
        return 2
    if argv and argv[0] in _SIGNATURES:
        name, argv = argv[0], argv[1:]
    else:
        name = names[0]
    params = _SIGNATURES[name]
    if len(argv) != len(params):
        _sys.stderr.write("`%s` takes %d argument(s), got %d\n" % (name, len(params), len(argv)))
        return 2
    try:
        args = [_cli_arg(a, t) for a, t in zip(argv, params)]
    except ValueError as e:
        _sys.stderr.write("bad argument: %s\n" % e)
        return 2
    ok, v = _run(lambda: _FUNCS[name](*args))
    if not ok:
        return 1
    _sys.stdout.write(_fmt(v) + "\n")
    return 0


_MAX_DEPTH = 10000
# Each ilo call is one Python frame; leave room for the helpers' frames.
_sys.setrecursionlimit(_MAX_DEPTH + 60)
