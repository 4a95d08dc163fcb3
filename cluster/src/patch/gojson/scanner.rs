//! A re-implementation of the state machine of Go's `encoding/json/scanner.go`, for
//! its error messages.

use super::MAX_DEPTH;

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
