//! Value validation as `k8s.io/kube-openapi/pkg/validation/validate` does it, and the
//! conversion of its results into field errors as the apiextensions API server does.
//!
//! Each schema node runs, in order, the type, `allOf`/`anyOf`/`oneOf`/`not`, string,
//! format, number, array, `enum` and object validators; a failing validator does not
//! stop the others. Messages name the value by its dotted path (`spec.replicas in body
//! must be of type integer: "string"`), and errors are de-duplicated by message.

use serde_json::{Map, Value};

use super::gofmt::{float_v, quote};
use super::node::{Additional, Node};
use crate::field::{FieldError, FieldErrorKind, FieldPath};

/// The kube-openapi error codes that change how an error becomes a field error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    InvalidType,
    Required,
    TooLong,
    Enum,
    MaxItems,
    TooManyProperties,
    Other,
}

/// One kube-openapi error.
#[derive(Debug, Clone)]
enum OaError {
    /// An `errors.Validation`.
    Validation {
        code: Code,
        name: String,
        value: Option<Value>,
        valid: Option<i64>,
        values: Vec<Value>,
        message: String,
    },
    /// A plain error (the `allOf`/`anyOf`/`oneOf`/`not` summaries).
    Plain(String),
}

impl OaError {
    fn message(&self) -> &str {
        match self {
            OaError::Validation { message, .. } => message,
            OaError::Plain(m) => m,
        }
    }

    fn validation(code: Code, name: &str, value: Option<Value>, message: String) -> Self {
        OaError::Validation {
            code,
            name: name.to_string(),
            value,
            valid: None,
            values: Vec::new(),
            message,
        }
    }
}

/// A validation result: errors (de-duplicated by message) and a match count used to
/// pick the closest failing `anyOf`/`oneOf` branch.
#[derive(Debug, Default)]
struct OaResult {
    errors: Vec<OaError>,
    match_count: usize,
}

impl OaResult {
    fn add(&mut self, e: OaError) {
        if !self.errors.iter().any(|x| x.message() == e.message()) {
            self.errors.push(e);
        }
    }

    fn merge(&mut self, other: OaResult) {
        for e in other.errors {
            self.add(e);
        }
        self.match_count += other.match_count;
    }

    fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Validates `data` against `node` and returns the API server's field errors, with
/// paths under `base` (the root for an object, `…default` for a default value).
pub(crate) fn validate(node: &Node, data: &Value, base: &FieldPath) -> Vec<FieldError> {
    let result = validate_node(node, data, "");
    to_field_errors(base, result)
}

fn to_field_errors(base: &FieldPath, result: OaResult) -> Vec<FieldError> {
    let mut out = Vec::with_capacity(result.errors.len());
    for e in result.errors {
        match e {
            OaError::Plain(message) => {
                out.push(FieldError::invalid(base, Value::from(""), message))
            }
            OaError::Validation {
                code,
                name,
                value,
                valid,
                values,
                message,
            } => {
                let path = if name.is_empty() || name == "." {
                    base.clone()
                } else {
                    base.child(name.strip_prefix('.').unwrap_or(&name))
                };
                let value_or_empty = value.clone().unwrap_or_else(|| Value::from(""));
                out.push(match code {
                    Code::Required => FieldError::required(&path, ""),
                    Code::Enum => {
                        let names: Vec<String> = values
                            .iter()
                            .map(|v| match v {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            })
                            .collect();
                        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                        FieldError::not_supported(&path, value.unwrap_or(Value::Null), &refs)
                    }
                    Code::TooLong => {
                        let max = valid.unwrap_or(-1);
                        let detail = if max >= 0 {
                            format!(
                                "may not be more than {max} {}",
                                if max == 1 { "byte" } else { "bytes" }
                            )
                        } else {
                            "value is too long".to_string()
                        };
                        FieldError::too_long(&path, detail)
                    }
                    Code::MaxItems | Code::TooManyProperties => {
                        let actual = match &value {
                            Some(Value::Number(n)) => n.as_i64().unwrap_or(-1),
                            _ => -1,
                        };
                        too_many(&path, actual, valid.unwrap_or(-1))
                    }
                    Code::InvalidType => FieldError::type_invalid(&path, value_or_empty, message),
                    Code::Other => FieldError::invalid(&path, value_or_empty, message),
                });
            }
        }
    }
    out
}

/// `field.TooMany` as the API server words it.
pub(crate) fn too_many(path: &FieldPath, actual: i64, max: i64) -> FieldError {
    let detail = if max >= 0 {
        format!(
            "must have at most {max} {}",
            if max == 1 { "item" } else { "items" }
        )
    } else {
        "has too many items".to_string()
    };
    FieldError {
        kind: FieldErrorKind::TooMany,
        field: path.to_string(),
        bad_value: (actual >= 0).then(|| Value::from(actual)),
        detail,
    }
}

/// The JSON type and Go format the validator infers for a value.
fn infer(data: &Value) -> (&'static str, &'static str) {
    match data {
        Value::Null => ("", ""),
        Value::Bool(_) => ("boolean", ""),
        Value::Number(n) if n.is_i64() => ("integer", "int64"),
        Value::Number(_) => ("number", "float64"),
        Value::String(_) => ("string", ""),
        Value::Array(_) => ("array", ""),
        Value::Object(_) => ("object", ""),
    }
}

/// swag's `IsFloat64AJSONInteger`.
fn is_json_integer(f: f64) -> bool {
    const MAX: f64 = 9_007_199_254_740_992.0; // 2^53
    if !f.is_finite() || !(-MAX..=MAX).contains(&f) {
        return false;
    }
    (f - f.round()).abs() < 1e-9
}

fn as_f64(n: &serde_json::Number) -> f64 {
    n.as_f64().unwrap_or(f64::NAN)
}

fn type_invalid(name: &str, type_name: &str, value: &str) -> OaError {
    OaError::validation(
        Code::InvalidType,
        name,
        Some(Value::from(value)),
        format!(
            "{name} in body must be of type {type_name}: {}",
            quote(value)
        ),
    )
}

fn validate_node(s: &Node, data: &Value, path: &str) -> OaResult {
    let mut result = OaResult::default();
    let types = s.openapi_types();
    let format = s.format_name.as_deref().unwrap_or("");

    // type validator
    if !types.is_empty() || !format.is_empty() {
        let r = validate_type(s, &types, format, data, path);
        result.merge(r);
        result.match_count += 1;
    }
    if data.is_null() {
        result.merge(validate_enum(s, data, path));
        return result;
    }

    // allOf / anyOf / oneOf / not
    result.merge(validate_junctors(s, data, path));
    result.match_count += 1;

    if let Value::String(text) = data {
        result.merge(validate_string(s, text, path));
        result.match_count += 1;
        if let Some(f) = s.format
            && !f.validates(text)
        {
            result.add(OaError::validation(
                Code::InvalidType,
                path,
                Some(data.clone()),
                format!("{path} in body must be of type {format}: {}", quote(text)),
            ));
        }
    }
    if let Value::Number(n) = data {
        result.merge(validate_number(s, n, path));
        result.match_count += 1;
    }
    if let Value::Array(items) = data {
        result.merge(validate_array(s, items, path));
        result.match_count += 1;
    }
    result.merge(validate_enum(s, data, path));
    result.match_count += 1;
    if let Value::Object(map) = data {
        result.merge(validate_object(s, map, path));
        result.match_count += 1;
    }
    result.match_count += 1;
    result
}

fn validate_type(s: &Node, types: &[&str], format: &str, data: &Value, path: &str) -> OaResult {
    let mut r = OaResult::default();
    if data.is_null() {
        if !types.is_empty() && !s.nullable {
            r.add(type_invalid(path, &types.join(","), "null"));
        }
        return r;
    }
    let (sch, data_format) = infer(data);
    let contains = |t: &str| types.contains(&t);
    let is_float_int = sch == "number"
        && matches!(data, Value::Number(n) if is_json_integer(as_f64(n)))
        && contains("integer");
    let is_int_float = sch == "integer" && contains("number");
    let string_or_slice = matches!(data, Value::String(_) | Value::Array(_));
    let type_matches = contains(sch) || is_float_int || is_int_float;
    // A value that is neither a string nor an array must match the format's type.
    let format_matches = format.is_empty() || type_matches || data_format == format;
    if !string_or_slice && !format_matches {
        r.add(type_invalid(path, format, data_format));
        return r;
    }
    // Strings and arrays with a format on a non-numeric type are not type-checked.
    let numeric = contains("number") || contains("integer");
    if string_or_slice && !format.is_empty() && !numeric {
        return r;
    }
    if !type_matches {
        r.add(type_invalid(path, &types.join(","), sch));
    }
    r
}

fn validate_junctors(s: &Node, data: &Value, path: &str) -> OaResult {
    let mut main = OaResult::default();
    if !s.any_of.is_empty() {
        let mut best: Option<OaResult> = None;
        let mut first_success: Option<OaResult> = None;
        for branch in &s.any_of {
            let r = validate_node(branch, data, path);
            if r.is_valid() {
                best = None;
                first_success = Some(r);
                break;
            }
            if best.as_ref().is_none_or(|b| r.match_count > b.match_count) {
                best = Some(r);
            }
        }
        if first_success.is_none() {
            main.add(OaError::Plain(format!(
                "{} must validate at least one schema (anyOf)",
                quote(path)
            )));
        }
        if let Some(b) = best {
            main.merge(b);
        } else if let Some(f) = first_success {
            main.merge(f);
        }
    }
    if !s.one_of.is_empty() {
        let mut best: Option<OaResult> = None;
        let mut first_success: Option<OaResult> = None;
        let mut validated = 0usize;
        for branch in &s.one_of {
            let r = validate_node(branch, data, path);
            if r.is_valid() {
                validated += 1;
                best = None;
                if first_success.is_none() {
                    first_success = Some(r);
                }
                continue;
            }
            if validated == 0 && best.as_ref().is_none_or(|b| r.match_count > b.match_count) {
                best = Some(r);
            }
        }
        if validated != 1 {
            let additional = if validated == 0 {
                "Found none valid".to_string()
            } else {
                format!("Found {validated} valid alternatives")
            };
            main.add(OaError::Plain(format!(
                "{} must validate one and only one schema (oneOf). {additional}",
                quote(path)
            )));
            if let Some(b) = best {
                main.merge(b);
            }
        } else if let Some(f) = first_success {
            main.merge(f);
        }
    }
    if !s.all_of.is_empty() {
        let mut validated = 0usize;
        for branch in &s.all_of {
            let r = validate_node(branch, data, path);
            if r.is_valid() {
                validated += 1;
            }
            main.merge(r);
        }
        if validated != s.all_of.len() {
            let additional = if validated == 0 {
                ". None validated"
            } else {
                ""
            };
            main.add(OaError::Plain(format!(
                "{} must validate all the schemas (allOf){additional}",
                quote(path)
            )));
        }
    }
    if let Some(not) = &s.not
        && validate_node(not, data, path).is_valid()
    {
        main.add(OaError::Plain(format!(
            "{} must not validate the schema (not)",
            quote(path)
        )));
    }
    main
}

fn validate_string(s: &Node, text: &str, path: &str) -> OaResult {
    let mut r = OaResult::default();
    let value = || Some(Value::from(text));
    let len = text.chars().count() as i64;
    if let Some(max) = s.max_length
        && len > max
    {
        r.add(OaError::Validation {
            code: Code::TooLong,
            name: path.to_string(),
            value: value(),
            valid: Some(max),
            values: Vec::new(),
            message: format!("{path} in body should be at most {max} chars long"),
        });
        return r;
    }
    if let Some(min) = s.min_length
        && len < min
    {
        r.add(OaError::validation(
            Code::Other,
            path,
            value(),
            format!("{path} in body should be at least {min} chars long"),
        ));
        return r;
    }
    if let Some(p) = &s.pattern {
        match &p.regex {
            None => r.add(OaError::validation(
                Code::Other,
                path,
                value(),
                format!(
                    "{path} in body should match '{}, but pattern is invalid'",
                    p.source
                ),
            )),
            Some(re) if !re.is_match(text) => r.add(OaError::validation(
                Code::Other,
                path,
                value(),
                format!("{path} in body should match '{}'", p.source),
            )),
            Some(_) => {}
        }
    }
    r
}

fn validate_number(s: &Node, n: &serde_json::Number, path: &str) -> OaResult {
    let mut multiple = OaResult::default();
    let mut minimum = OaResult::default();
    let mut maximum = OaResult::default();
    let int = n.as_i64();
    let float = as_f64(n);
    let data = Value::Number(n.clone());
    let err = |message: String| OaError::validation(Code::Other, path, Some(data.clone()), message);

    if let Some(factor) = s.multiple_of {
        match int {
            Some(i) => {
                let f = factor as i64;
                if f <= 0 {
                    multiple.add(err(format!(
                        "factor MultipleOf declared for {path} must be positive: {f}"
                    )));
                } else if i % f != 0 {
                    multiple.add(err(format!("{path} in body should be a multiple of {f}")));
                }
            }
            None => {
                if factor <= 0.0 {
                    multiple.add(err(format!(
                        "factor MultipleOf declared for {path} must be positive: {}",
                        float_v(factor)
                    )));
                } else {
                    let mult = if factor < 1.0 {
                        1.0 / factor * float
                    } else {
                        float / factor
                    };
                    if !is_json_integer(mult) {
                        multiple.add(err(format!(
                            "{path} in body should be a multiple of {}",
                            float_v(factor)
                        )));
                    }
                }
            }
        }
    }
    if let Some(max) = s.maximum {
        let excl = s.exclusive_maximum;
        let (fails, shown) = match int {
            Some(i) => {
                let m = max as i64;
                ((!excl && i > m) || (excl && i >= m), m.to_string())
            }
            None => (
                (!excl && float > max) || (excl && float >= max),
                float_v(max),
            ),
        };
        if fails {
            let word = if excl {
                "less than"
            } else {
                "less than or equal to"
            };
            maximum.add(err(format!("{path} in body should be {word} {shown}")));
        }
    }
    if let Some(min) = s.minimum {
        let excl = s.exclusive_minimum;
        let (fails, shown) = match int {
            Some(i) => {
                let m = min as i64;
                ((!excl && i < m) || (excl && i <= m), m.to_string())
            }
            None => (
                (!excl && float < min) || (excl && float <= min),
                float_v(min),
            ),
        };
        if fails {
            let word = if excl {
                "greater than"
            } else {
                "greater than or equal to"
            };
            minimum.add(err(format!("{path} in body should be {word} {shown}")));
        }
    }
    let mut r = OaResult::default();
    r.merge(multiple);
    r.merge(minimum);
    r.merge(maximum);
    r
}

fn validate_array(s: &Node, items: &[Value], path: &str) -> OaResult {
    let mut r = OaResult::default();
    if let Some(item_schema) = &s.items {
        for (i, item) in items.iter().enumerate() {
            r.merge(validate_node(item_schema, item, &format!("{path}[{i}]")));
        }
    }
    let size = items.len() as i64;
    if let Some(min) = s.min_items
        && size < min
    {
        r.add(OaError::validation(
            Code::Other,
            path,
            Some(Value::from(size)),
            format!("{path} in body should have at least {min} items"),
        ));
    }
    if let Some(max) = s.max_items
        && size > max
    {
        r.add(OaError::Validation {
            code: Code::MaxItems,
            name: path.to_string(),
            value: Some(Value::from(size)),
            valid: Some(max),
            values: Vec::new(),
            message: format!("{path} in body should have at most {max} items"),
        });
    }
    if s.unique_items {
        let duplicate = items
            .iter()
            .enumerate()
            .any(|(i, a)| items[..i].contains(a));
        if duplicate {
            r.add(OaError::validation(
                Code::Other,
                path,
                None,
                format!("{path} in body shouldn't contain duplicates"),
            ));
        }
    }
    r
}

/// Go's `reflect` conversion-then-`DeepEqual` used to match enum values.
fn enum_matches(data: &Value, candidate: &Value) -> bool {
    match (data, candidate) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => x == y,
            // int64 data against a float64 enum value, or float64 against int64:
            // Go converts the data to the enum value's type before comparing.
            (Some(x), None) => (x as f64) == as_f64(b),
            (None, Some(y)) => (as_f64(a) as i64) == y,
            (None, None) => as_f64(a) == as_f64(b),
        },
        // Go can convert an integer to a string (as a code point).
        (Value::Number(a), Value::String(b)) => a
            .as_i64()
            .map(|i| {
                u32::try_from(i)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}')
            })
            .is_some_and(|c| b.chars().eq(std::iter::once(c))),
        _ => data == candidate,
    }
}

fn validate_enum(s: &Node, data: &Value, path: &str) -> OaResult {
    let mut r = OaResult::default();
    let Some(values) = &s.enum_values else {
        return r;
    };
    if values.is_empty() {
        return r;
    }
    if !data.is_null()
        && values
            .iter()
            .filter(|v| !v.is_null())
            .any(|v| enum_matches(data, v))
    {
        return r;
    }
    r.add(OaError::Validation {
        code: Code::Enum,
        name: path.to_string(),
        value: Some(data.clone()),
        valid: None,
        values: values.clone(),
        message: format!("{path} in body should be one of {}", go_slice(values)),
    });
    r
}

/// Go's `%v` of a `[]interface{}` of JSON values.
fn go_slice(values: &[Value]) -> String {
    let parts: Vec<String> = values
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => match n.as_i64() {
                Some(i) => i.to_string(),
                None => float_v(as_f64(n)),
            },
            other => other.to_string(),
        })
        .collect();
    format!("[{}]", parts.join(" "))
}

fn validate_object(s: &Node, map: &Map<String, Value>, path: &str) -> OaResult {
    let mut r = OaResult::default();
    let count = map.len() as i64;
    if let Some(min) = s.min_properties
        && count < min
    {
        r.add(OaError::validation(
            Code::Other,
            path,
            Some(Value::from(count)),
            format!("{path} in body should have at least {min} properties"),
        ));
    }
    if let Some(max) = s.max_properties
        && count > max
    {
        r.add(OaError::Validation {
            code: Code::TooManyProperties,
            name: path.to_string(),
            value: Some(Value::from(count)),
            valid: Some(max),
            values: Vec::new(),
            message: format!("{path} in body should have at most {max} properties"),
        });
    }
    match &s.additional {
        Some(Additional::Bool(false)) => {
            for key in map.keys() {
                if !s.properties.contains_key(key) {
                    r.add(OaError::validation(
                        Code::Other,
                        path,
                        Some(Value::from(key.as_str())),
                        format!("{path}.{key} in body is a forbidden property"),
                    ));
                }
            }
        }
        Some(Additional::Schema(additional)) => {
            for (key, value) in map {
                if !s.properties.contains_key(key) {
                    r.merge(validate_node(additional, value, &format!("{path}.{key}")));
                }
            }
        }
        _ => {}
    }
    for (name, prop) in &s.properties {
        if let Some(value) = map.get(name) {
            let child = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            r.merge(validate_node(prop, value, &child));
        }
    }
    for key in &s.required {
        if !map.contains_key(key) {
            let name = format!("{path}.{key}");
            r.add(OaError::validation(
                Code::Required,
                &name,
                None,
                format!("{name} in body is required"),
            ));
        }
    }
    r
}
