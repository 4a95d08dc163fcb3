//! Go `encoding/json` and `fmt` compatibility.
//!
//! The API server's patch errors embed two things Go produces: the syntax errors of
//! its JSON scanner (`invalid character 'x' looking for beginning of value`) and
//! values printed with `%v`/`%s` (`map[name:a value:b]`). This module reproduces both
//! so that error texts match the real server, and parses documents with a depth
//! bound so that no input can exhaust the stack.

use serde_json::{Map, Value};

/// The deepest nesting of arrays and objects accepted in a patch document or
/// produced in a patched object. Go allows 10000; serde_json stops at 127, and so do
/// we, so that every document we accept can be parsed again.
pub(crate) const MAX_DEPTH: usize = 127;

/// A JSON value's kind, as Go's `json: cannot unmarshal <kind> into …` names it.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The text of Go's `*json.UnmarshalTypeError` for a value of the wrong kind.
pub(crate) fn unmarshal_type_error(v: &Value, go_type: &str) -> String {
    format!(
        "json: cannot unmarshal {} into Go value of type {go_type}",
        json_kind(v)
    )
}

/// Parses a request body the way Go's `json.Unmarshal` validates it: syntax errors are
/// worded like Go's scanner, invalid UTF-8 inside strings is replaced rather than
/// rejected, and nesting is bounded by [`MAX_DEPTH`].
pub(crate) fn parse(data: &[u8]) -> Result<Value, String> {
    check_syntax(data)?;
    let text = String::from_utf8_lossy(data);
    // The scanner accepted the text, so serde_json only fails on what Go decodes
    // differently (lone surrogate escapes, numbers beyond f64).
    serde_json::from_str(&text).map_err(|e| format!("json: {e}"))
}

/// Go's `strconv.Quote` for one character, with Go's `quoteChar` special cases.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => r"'\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            // Go converts the byte to a rune first, so 0x80..=0xFF become U+0080..U+00FF.
            let ch = char::from(c);
            let inner = match ch {
                '\x07' => r"\a".to_string(),
                '\x08' => r"\b".to_string(),
                '\x0c' => r"\f".to_string(),
                '\n' => r"\n".to_string(),
                '\r' => r"\r".to_string(),
                '\t' => r"\t".to_string(),
                '\x0b' => r"\v".to_string(),
                '\\' => r"\\".to_string(),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => format!(r"\x{:02x}", c as u32),
                c if (0x80..=0xa0).contains(&(c as u32)) || c as u32 == 0xad => {
                    format!(r"\u{:04x}", c as u32)
                }
                c => c.to_string(),
            };
            format!("'{inner}'")
        }
    }
}

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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    ObjectKey,
    ObjectValue,
    ArrayValue,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    BeginValue,
    BeginValueOrEmpty,
    BeginStringOrEmpty,
    BeginString,
    EndValue,
    EndTop,
    InString,
    InStringEsc,
    InStringEscU(u8),
    Neg,
    One,
    Zero,
    Dot,
    Dot0,
    E,
    ESign,
    E0,
    /// Inside `true`, `false` or `null`: the literal, and how many bytes are matched.
    Literal(&'static str, usize),
}

/// A re-implementation of the state machine of Go's `encoding/json/scanner.go`, for
/// its error messages.
struct Scanner {
    state: State,
    stack: Vec<Frame>,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn invalid(c: u8, context: &str) -> String {
    format!("invalid character {} {context}", quote_char(c))
}

impl Scanner {
    fn push(&mut self, frame: Frame) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err("exceeded max depth".to_string());
        }
        self.stack.push(frame);
        Ok(())
    }

    fn pop(&mut self) {
        self.stack.pop();
        self.state = if self.stack.is_empty() {
            State::EndTop
        } else {
            State::EndValue
        };
    }

    fn step(&mut self, c: u8) -> Result<(), String> {
        // Some states hand the byte on to another state, as Go's do by calling it.
        loop {
            match self.state {
                State::BeginValueOrEmpty => {
                    if is_space(c) {
                        return Ok(());
                    }
                    if c == b']' {
                        self.state = State::EndValue;
                        continue;
                    }
                    self.state = State::BeginValue;
                }
                State::BeginValue => {
                    if is_space(c) {
                        return Ok(());
                    }
                    self.state = match c {
                        b'{' => {
                            self.push(Frame::ObjectKey)?;
                            State::BeginStringOrEmpty
                        }
                        b'[' => {
                            self.push(Frame::ArrayValue)?;
                            State::BeginValueOrEmpty
                        }
                        b'"' => State::InString,
                        b'-' => State::Neg,
                        b'0' => State::Zero,
                        b't' => State::Literal("true", 1),
                        b'f' => State::Literal("false", 1),
                        b'n' => State::Literal("null", 1),
                        b'1'..=b'9' => State::One,
                        _ => return Err(invalid(c, "looking for beginning of value")),
                    };
                    return Ok(());
                }
                State::BeginStringOrEmpty => {
                    if is_space(c) {
                        return Ok(());
                    }
                    if c == b'}' {
                        if let Some(top) = self.stack.last_mut() {
                            *top = Frame::ObjectValue;
                        }
                        self.state = State::EndValue;
                        continue;
                    }
                    self.state = State::BeginString;
                }
                State::BeginString => {
                    if is_space(c) {
                        return Ok(());
                    }
                    if c == b'"' {
                        self.state = State::InString;
                        return Ok(());
                    }
                    return Err(invalid(c, "looking for beginning of object key string"));
                }
                State::EndValue => {
                    let Some(top) = self.stack.last().copied() else {
                        self.state = State::EndTop;
                        continue;
                    };
                    if is_space(c) {
                        return Ok(());
                    }
                    match (top, c) {
                        (Frame::ObjectKey, b':') => {
                            if let Some(t) = self.stack.last_mut() {
                                *t = Frame::ObjectValue;
                            }
                            self.state = State::BeginValue;
                        }
                        (Frame::ObjectKey, _) => return Err(invalid(c, "after object key")),
                        (Frame::ObjectValue, b',') => {
                            if let Some(t) = self.stack.last_mut() {
                                *t = Frame::ObjectKey;
                            }
                            self.state = State::BeginString;
                        }
                        (Frame::ObjectValue, b'}') => self.pop(),
                        (Frame::ObjectValue, _) => {
                            return Err(invalid(c, "after object key:value pair"));
                        }
                        (Frame::ArrayValue, b',') => self.state = State::BeginValue,
                        (Frame::ArrayValue, b']') => self.pop(),
                        (Frame::ArrayValue, _) => return Err(invalid(c, "after array element")),
                    }
                    return Ok(());
                }
                State::EndTop => {
                    if is_space(c) {
                        return Ok(());
                    }
                    return Err(invalid(c, "after top-level value"));
                }
                State::InString => {
                    match c {
                        b'"' => self.state = State::EndValue,
                        b'\\' => self.state = State::InStringEsc,
                        c if c < 0x20 => return Err(invalid(c, "in string literal")),
                        _ => {}
                    }
                    return Ok(());
                }
                State::InStringEsc => {
                    self.state = match c {
                        b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => State::InString,
                        b'u' => State::InStringEscU(0),
                        _ => return Err(invalid(c, "in string escape code")),
                    };
                    return Ok(());
                }
                State::InStringEscU(n) => {
                    if !c.is_ascii_hexdigit() {
                        return Err(invalid(c, "in \\u hexadecimal character escape"));
                    }
                    self.state = if n >= 3 {
                        State::InString
                    } else {
                        State::InStringEscU(n + 1)
                    };
                    return Ok(());
                }
                State::Neg => {
                    self.state = match c {
                        b'0' => State::Zero,
                        b'1'..=b'9' => State::One,
                        _ => return Err(invalid(c, "in numeric literal")),
                    };
                    return Ok(());
                }
                State::One => {
                    if c.is_ascii_digit() {
                        return Ok(());
                    }
                    self.state = State::Zero;
                }
                State::Zero => match c {
                    b'.' => {
                        self.state = State::Dot;
                        return Ok(());
                    }
                    b'e' | b'E' => {
                        self.state = State::E;
                        return Ok(());
                    }
                    _ => self.state = State::EndValue,
                },
                State::Dot => {
                    if c.is_ascii_digit() {
                        self.state = State::Dot0;
                        return Ok(());
                    }
                    return Err(invalid(c, "after decimal point in numeric literal"));
                }
                State::Dot0 => match c {
                    b'0'..=b'9' => return Ok(()),
                    b'e' | b'E' => {
                        self.state = State::E;
                        return Ok(());
                    }
                    _ => self.state = State::EndValue,
                },
                State::E => {
                    self.state = State::ESign;
                    if c == b'+' || c == b'-' {
                        return Ok(());
                    }
                }
                State::ESign => {
                    if c.is_ascii_digit() {
                        self.state = State::E0;
                        return Ok(());
                    }
                    return Err(invalid(c, "in exponent of numeric literal"));
                }
                State::E0 => {
                    if c.is_ascii_digit() {
                        return Ok(());
                    }
                    self.state = State::EndValue;
                }
                State::Literal(word, matched) => {
                    let expected = word.as_bytes().get(matched).copied().unwrap_or(b' ');
                    if c != expected {
                        return Err(invalid(
                            c,
                            &format!("in literal {word} (expecting {})", quote_char(expected)),
                        ));
                    }
                    let matched = matched + 1;
                    self.state = if matched >= word.len() {
                        State::EndValue
                    } else {
                        State::Literal(word, matched)
                    };
                    return Ok(());
                }
            }
        }
    }
}

/// Validates JSON syntax exactly as Go's `checkValid`, returning Go's error text.
pub(crate) fn check_syntax(data: &[u8]) -> Result<(), String> {
    let mut s = Scanner {
        state: State::BeginValue,
        stack: Vec::new(),
    };
    for &c in data {
        s.step(c)?;
    }
    if s.state == State::EndTop {
        return Ok(());
    }
    s.step(b' ')?;
    if s.state == State::EndTop {
        Ok(())
    } else {
        Err("unexpected end of JSON input".to_string())
    }
}

/// The number of nested arrays/objects in `v` (a scalar is 0), computed without
/// recursion so that it is safe on any value.
pub(crate) fn depth(v: &Value) -> usize {
    let mut max = 0;
    let mut stack: Vec<(&Value, usize)> = vec![(v, 0)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Array(a) => {
                let d = d.saturating_add(1);
                max = max.max(d);
                stack.extend(a.iter().map(|x| (x, d)));
            }
            Value::Object(o) => {
                let d = d.saturating_add(1);
                max = max.max(d);
                stack.extend(o.values().map(|x| (x, d)));
            }
            _ => {}
        }
    }
    max
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
