//! Go's `fmt` renderings (`%v`, `%s`, `strconv.Quote`, `reflect.TypeOf`) of decoded
//! JSON values, as the API server's error texts embed them.

use serde_json::{Map, Value};

/// Go's `strconv.Quote` for a string, as `strconv` error messages print it.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str(r"\a"),
            '\x08' => out.push_str(r"\b"),
            '\x0c' => out.push_str(r"\f"),
            '\n' => out.push_str(r"\n"),
            '\r' => out.push_str(r"\r"),
            '\t' => out.push_str(r"\t"),
            '\x0b' => out.push_str(r"\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!(r"\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!(r"\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The Go type a decoded JSON value has in `map[string]interface{}` form, as
/// `reflect.TypeOf(v)` prints it. Integral numbers are `int64`, as the API server
/// decodes patches with `UnmarshalCaseSensitivePreserveInts`.
pub(crate) fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "%!s(<nil>)",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() => "int64",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Go's `%v` of a decoded JSON value.
pub(crate) fn go_v(v: &Value) -> String {
    let mut out = String::new();
    write_go(&mut out, v, false);
    out
}

/// Go's `%v` of a decoded JSON object.
pub(crate) fn go_v_map(m: &Map<String, Value>) -> String {
    let mut out = String::new();
    write_go_map(&mut out, m, false);
    out
}

/// Go's `%s` of a decoded JSON value (`%!s(int64=5)` for non-strings).
pub(crate) fn go_s(v: &Value) -> String {
    let mut out = String::new();
    write_go(&mut out, v, true);
    out
}

fn write_go_map(out: &mut String, m: &Map<String, Value>, s_verb: bool) {
    let mut entries: Vec<(&String, &Value)> = m.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    out.push_str("map[");
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(k);
        out.push(':');
        write_go(out, v, s_verb);
    }
    out.push(']');
}

fn write_go(out: &mut String, v: &Value, s_verb: bool) {
    match v {
        Value::Null => out.push_str(if s_verb { "%!s(<nil>)" } else { "<nil>" }),
        Value::Bool(b) => {
            if s_verb {
                out.push_str(&format!("%!s(bool={b})"));
            } else {
                out.push_str(&b.to_string());
            }
        }
        Value::Number(n) => {
            let (ty, text) = if let Some(i) = n.as_i64() {
                ("int64", i.to_string())
            } else {
                ("float64", go_float(n.as_f64().unwrap_or(f64::NAN)))
            };
            if s_verb {
                out.push_str(&format!("%!s({ty}={text})"));
            } else {
                out.push_str(&text);
            }
        }
        Value::String(s) => out.push_str(s),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_go(out, x, s_verb);
            }
            out.push(']');
        }
        Value::Object(m) => write_go_map(out, m, s_verb),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, which is what `%v` prints for a float64.
pub(crate) fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "-1.2345e-7".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    // Shortest 'g' switches to an exponent below 1e-4 and from 1e6 on.
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1.min(digits.len())]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(exp.unsigned_abs() - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let point = exp as usize + 1;
        if digits.len() <= point {
            out.push_str(&digits);
            for _ in digits.len()..point {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
    out
}
