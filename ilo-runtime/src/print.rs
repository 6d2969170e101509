//! How values print (spec section 6).

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
        format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if k == 1 {
        format!("{digits}e{exp}")
    } else {
        format!("{}.{}e{exp}", &digits[..1], &digits[1..])
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::fmt_num;

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

use crate::heap::{Heap, Obj};
use crate::value::Value;

/// The ilo type of a value, for messages.
pub fn type_name(heap: &Heap, v: Value) -> &'static str {
    if v.is_num() {
        "a number"
    } else if v.to_bool().is_some() {
        "a bool"
    } else if v.is_nil() {
        "nil"
    } else if v.func_index().is_some() {
        "a function"
    } else {
        match heap.get(v) {
            Some(Obj::Text(_)) => "a text",
            Some(Obj::List(_)) => "a list",
            None => "an unknown value",
        }
    }
}

/// A value as the CLI prints a result (spec section 6).
pub fn fmt_value(heap: &Heap, v: Value) -> String {
    if let Some(n) = v.to_num() {
        return fmt_num(n);
    }
    if let Some(b) = v.to_bool() {
        return b.to_string();
    }
    if v.is_nil() {
        return "nil".into();
    }
    match heap.get(v) {
        Some(Obj::Text(s)) => s.clone(),
        Some(Obj::List(items)) => {
            let parts: Vec<String> = items.iter().map(|x| fmt_value(heap, *x)).collect();
            format!("[{}]", parts.join(", "))
        }
        None => format!("{v:?}"),
    }
}
