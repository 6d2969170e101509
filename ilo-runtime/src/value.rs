//! NaN-boxed values: every ilo value is one 8-byte `Copy` word.
//!
//! A number is its own IEEE-754 bits. Everything else lives in the negative
//! quiet-NaN space above `0xFFF8_…`, which hardware arithmetic never produces
//! (it only yields the default NaNs `0x7FF8_0…0` / `0xFFF8_0…0`, and every NaN
//! in a program comes from arithmetic or the literal `nan`), so a number is
//! recognised by one unsigned compare and is never re-encoded.
//!
//! | top 16 bits | meaning | payload (low 48 bits) |
//! |---|---|---|
//! | `< 0xFFF9` | number | — |
//! | `0xFFF9` | nil / false / true | 0 / 1 / 2 |
//! | `0xFFFA` | heap object | index into the run's [`Heap`](crate::heap::Heap) |
//! | `0xFFFB` | function | function index |

use std::fmt;

const TAG_SHIFT: u32 = 48;
const PAYLOAD_MASK: u64 = (1 << TAG_SHIFT) - 1;
const FIRST_BOXED: u64 = 0xFFF9 << TAG_SHIFT;
const TAG_SPECIAL: u64 = 0xFFF9;
const TAG_HEAP: u64 = 0xFFFA;
const TAG_FUNC: u64 = 0xFFFB;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Value(u64);

impl Value {
    pub const NIL: Value = Value((TAG_SPECIAL << TAG_SHIFT) | 0);
    pub const FALSE: Value = Value((TAG_SPECIAL << TAG_SHIFT) | 1);
    pub const TRUE: Value = Value((TAG_SPECIAL << TAG_SHIFT) | 2);
    /// What a VM slot holds for a variable whose binding has not run yet. No
    /// program can make or see it: a read that may meet it is checked.
    pub const UNBOUND: Value = Value((TAG_SPECIAL << TAG_SHIFT) | 3);

    #[inline(always)]
    pub fn num(n: f64) -> Value {
        Value(n.to_bits())
    }

    #[inline(always)]
    pub fn bool(b: bool) -> Value {
        if b {
            Value::TRUE
        } else {
            Value::FALSE
        }
    }

    #[inline(always)]
    pub fn heap(index: u32) -> Value {
        Value((TAG_HEAP << TAG_SHIFT) | index as u64)
    }

    #[inline(always)]
    pub fn func(index: u32) -> Value {
        Value((TAG_FUNC << TAG_SHIFT) | index as u64)
    }

    #[inline(always)]
    pub fn bits(self) -> u64 {
        self.0
    }

    #[inline(always)]
    pub fn from_bits(bits: u64) -> Value {
        Value(bits)
    }

    /// A number, a boolean, nil or the unbound marker: no heap object or
    /// function behind it, so its bits are the whole value.
    #[inline(always)]
    pub fn is_immediate(self) -> bool {
        self.0 >> TAG_SHIFT <= TAG_SPECIAL
    }

    #[inline(always)]
    pub fn is_num(self) -> bool {
        self.0 < FIRST_BOXED
    }

    /// The number, without checking the tag: for `_NN` instructions whose
    /// operands the compiler proved numeric.
    #[inline(always)]
    pub fn as_f64(self) -> f64 {
        f64::from_bits(self.0)
    }

    #[inline(always)]
    pub fn to_num(self) -> Option<f64> {
        self.is_num().then(|| f64::from_bits(self.0))
    }

    pub fn to_bool(self) -> Option<bool> {
        match self {
            Value::TRUE => Some(true),
            Value::FALSE => Some(false),
            _ => None,
        }
    }

    #[inline(always)]
    fn tag(self) -> u64 {
        self.0 >> TAG_SHIFT
    }

    pub fn heap_index(self) -> Option<u32> {
        (self.tag() == TAG_HEAP).then_some((self.0 & PAYLOAD_MASK) as u32)
    }

    pub fn func_index(self) -> Option<u32> {
        (self.tag() == TAG_FUNC).then_some((self.0 & PAYLOAD_MASK) as u32)
    }

    pub fn is_nil(self) -> bool {
        self == Value::NIL
    }

    /// `false` and `nil` are false; everything else is true.
    pub fn truthy(self) -> bool {
        self != Value::NIL && self != Value::FALSE
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(n) = self.to_num() {
            write!(f, "{}", fmt_num(n))
        } else if let Some(b) = self.to_bool() {
            write!(f, "{b}")
        } else if self.is_nil() {
            write!(f, "nil")
        } else if *self == Value::UNBOUND {
            write!(f, "unbound")
        } else if let Some(i) = self.heap_index() {
            write!(f, "<obj {i}>")
        } else if let Some(i) = self.func_index() {
            write!(f, "<fn {i}>")
        } else {
            write!(f, "<bits {:#x}>", self.0)
        }
    }
}

/// The shortest text that reads back to the same f64; integers print without
/// `.0`; magnitudes from 1e21 up (and below 1e-6) use an exponent, as in
/// JavaScript but without the `+`: `1e21`, `1.5e-7`.
pub fn fmt_num(n: f64) -> String {
    if n.is_nan() {
        return "nan".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if n == 0.0 {
        return if n.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    // Whole numbers (loop counters, lengths) print as integers: the fast path.
    if n.fract() == 0.0 && n.abs() < 1e15 {
        return (n as i64).to_string();
    }
    // `{:e}` gives the shortest round-trip digits: "-1.2345e3".
    let sci = format!("{n:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let point = exp + 1; // position of the decimal point after the first `point` digits
    let body = if k <= point && point <= 21 {
        format!("{digits}{}", "0".repeat((point - k) as usize))
    } else if 0 < point && point <= 21 {
        {
            let (int, frac) = digits.split_at_checked(point as usize).unwrap_or((&digits, ""));
            format!("{int}.{frac}")
        }
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if k == 1 {
        format!("{digits}e{exp}")
    } else {
        {
            let (first, rest) = digits.split_at_checked(1).unwrap_or((&digits, ""));
            format!("{first}.{rest}e{exp}")
        }
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_including_nans_and_infinities() {
        for n in [
            0.0,
            -0.0,
            1.5,
            -7.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            let v = Value::num(n);
            assert!(v.is_num());
            assert_eq!(v.as_f64().to_bits(), n.to_bits());
        }
        // Both default NaNs that hardware produces stay numbers.
        let x86_nan = 0.0f64 / 0.0;
        assert!(Value::num(x86_nan).is_num());
        assert!(Value::num(f64::NAN).is_num());
        assert!(Value::num(-f64::NAN).is_num());
    }

    #[test]
    fn boxed_values_are_not_numbers() {
        for v in [Value::NIL, Value::TRUE, Value::FALSE, Value::heap(7), Value::func(3)] {
            assert!(!v.is_num(), "{v:?}");
        }
        assert_eq!(Value::heap(7).heap_index(), Some(7));
        assert_eq!(Value::func(3).func_index(), Some(3));
        assert_eq!(Value::num(1.0).heap_index(), None);
    }

    #[test]
    fn truthiness_follows_the_spec() {
        assert!(!Value::NIL.truthy());
        assert!(!Value::FALSE.truthy());
        assert!(Value::TRUE.truthy());
        assert!(Value::num(0.0).truthy());
    }

    #[test]
    fn numbers_print_like_the_spec_says() {
        let cases = [
            (3.0, "3"),
            (6200.0, "6200"),
            (0.1, "0.1"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1e21"),
            (1e20, "100000000000000000000"),
            (-2.5, "-2.5"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (123.456, "123.456"),
        ];
        for (n, want) in cases {
            assert_eq!(fmt_num(n), want, "{n:?}");
        }
    }

    #[test]
    fn printed_numbers_read_back_exactly() {
        for n in [0.1, 1.0 / 3.0, 2.0f64.powi(60), 1e-300, 123456789.125, -0.5e-10] {
            let s = fmt_num(n);
            assert_eq!(s.parse::<f64>().map(f64::to_bits), Ok(n.to_bits()), "{s}");
        }
    }
}
