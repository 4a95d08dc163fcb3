//! The Go-compatible JSON scanner errors and `fmt` renderings the error texts use.

use crate::patch::gojson::{check_syntax, go_float, go_s, go_v};

use super::json;

#[test]
fn syntax_errors_are_worded_like_go() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "unexpected end of JSON input"),
        (b"   ", "unexpected end of JSON input"),
        (b"{", "unexpected end of JSON input"),
        (b"[1,", "unexpected end of JSON input"),
        (b"\"abc", "unexpected end of JSON input"),
        (b"x", "invalid character 'x' looking for beginning of value"),
        (
            b"{x",
            "invalid character 'x' looking for beginning of object key string",
        ),
        (b"{\"a\" 1}", "invalid character '1' after object key"),
        (
            b"{\"a\":1 \"b\"}",
            "invalid character '\"' after object key:value pair",
        ),
        (b"[1 2]", "invalid character '2' after array element"),
        (b"{} {}", "invalid character '{' after top-level value"),
        (
            b"tru",
            "invalid character ' ' in literal true (expecting 'e')",
        ),
        (
            b"nul!",
            "invalid character '!' in literal null (expecting 'l')",
        ),
        (
            b"fals",
            "invalid character ' ' in literal false (expecting 'e')",
        ),
        (b"-", "invalid character ' ' in numeric literal"),
        (
            b"1.",
            "invalid character ' ' after decimal point in numeric literal",
        ),
        (
            b"1e",
            "invalid character ' ' in exponent of numeric literal",
        ),
        (b"01", "invalid character '1' after top-level value"),
        (b"\"\\q\"", "invalid character 'q' in string escape code"),
        (
            b"\"\\u12x4\"",
            "invalid character 'x' in \\u hexadecimal character escape",
        ),
        (b"\"a\nb\"", "invalid character '\\n' in string literal"),
        (
            b"'a'",
            "invalid character '\\'' looking for beginning of value",
        ),
        (
            b"\x00",
            "invalid character '\\x00' looking for beginning of value",
        ),
        (
            b"\xc3\xa9",
            "invalid character '\u{c3}' looking for beginning of value",
        ),
        (
            b"\x85",
            "invalid character '\\u0085' looking for beginning of value",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(
            check_syntax(input).err().as_deref(),
            Some(*want),
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
    for ok in [
        &b"{}"[..],
        b" [1, -2.5e+3, true, false, null, \"\\u00e9\\n\"] ",
        b"0",
        b"\"\xff\"",
    ] {
        assert_eq!(
            check_syntax(ok),
            Ok(()),
            "{:?}",
            String::from_utf8_lossy(ok)
        );
    }
}

#[test]
fn nesting_is_bounded() {
    let deep = format!("{}{}", "[".repeat(127), "]".repeat(127));
    assert_eq!(check_syntax(deep.as_bytes()), Ok(()));
    let deeper = format!("{}{}", "[".repeat(128), "]".repeat(128));
    assert_eq!(
        check_syntax(deeper.as_bytes()).err().as_deref(),
        Some("exceeded max depth")
    );
}

#[test]
fn values_print_like_go_fmt() {
    let v = json(r#"{"b":[1,"x",null,true],"a":{"z":1.5,"y":{}},"$patch":"delete"}"#);
    assert_eq!(
        go_v(&v),
        "map[$patch:delete a:map[y:map[] z:1.5] b:[1 x <nil> true]]"
    );
    assert_eq!(go_s(&json("5")), "%!s(int64=5)");
    assert_eq!(go_s(&json("true")), "%!s(bool=true)");
    assert_eq!(go_s(&json("null")), "%!s(<nil>)");
    assert_eq!(go_s(&json(r#""merge""#)), "merge");
    assert_eq!(go_s(&json("2.5")), "%!s(float64=2.5)");
}

#[test]
fn floats_print_like_go() {
    for (f, want) in [
        (1.5, "1.5"),
        (100000.0, "100000"),
        (1_000_000.0, "1e+06"),
        (1_234_567.0, "1.234567e+06"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-2.5e-7, "-2.5e-07"),
        (1e21, "1e+21"),
        (0.0, "0"),
        (123.456, "123.456"),
    ] {
        assert_eq!(go_float(f), want, "{f}");
    }
}
