//! JSON patch (RFC 6902, `application/json-patch+json`) as the API server applies it.
//!
//! The API server uses `gopkg.in/evanphx/json-patch.v4`, whose behaviour differs from
//! the RFC in ways clients rely on, and which this module reproduces:
//!
//! * `test` of a missing path compares as `null`, so `test /metadata/finalizers ==
//!   null` succeeds on an object without finalizers (kube-runtime's finalizer helper
//!   depends on this);
//! * `replace` of a missing object member adds it;
//! * negative array indices count from the end;
//! * `copy` from a missing object member copies `null`;
//! * a missing `value` means `null`;
//! * the first segment of a path is ignored (`a/b` acts as `/b`).
//!
//! Error texts are the library's. Decoding failures are `400`, more than 10000
//! operations is `413`, any failure to apply is `422`.

use serde_json::{Map, Value};

use super::error::{MAX_JSON_PATCH_COPY_BYTES, MAX_JSON_PATCH_OPERATIONS, PatchError};
use super::gojson::{self, MAX_DEPTH};

/// `ErrMissing`'s text, which most path errors end with.
const MISSING: &str = "missing value";
/// `ErrInvalidIndex`'s text.
const INVALID_INDEX: &str = "invalid index referenced";

/// Applies a JSON patch document to `doc`, returning the patched document.
pub fn json_patch(doc: &Value, patch: &[u8]) -> Result<Value, PatchError> {
    let ops = decode(patch)?;
    if ops.len() > MAX_JSON_PATCH_OPERATIONS {
        return Err(PatchError::TooManyOperations { count: ops.len() });
    }
    let mut doc = doc.clone();
    let mut copied = 0usize;
    for op in &ops {
        apply(&mut doc, op, &mut copied)?;
    }
    super::check_result(doc)
}

/// `jsonpatch.DecodePatch`: the document must be a JSON array (or `null`, which is an
/// empty patch) of objects (or `null`s, which are operations of unknown kind).
fn decode(patch: &[u8]) -> Result<Vec<Map<String, Value>>, PatchError> {
    let value = gojson::parse(patch).map_err(PatchError::malformed)?;
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => {
            return Err(PatchError::malformed(gojson::unmarshal_type_error(
                &other,
                "jsonpatch.Patch",
            )));
        }
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::Object(op) => Ok(op),
            Value::Null => Ok(Map::new()),
            other => Err(PatchError::malformed(gojson::unmarshal_type_error(
                &other,
                "jsonpatch.Operation",
            ))),
        })
        .collect()
}

/// `Operation.Kind()`: anything but a string is "unknown".
fn kind(op: &Map<String, Value>) -> &str {
    match op.get("op") {
        Some(Value::String(s)) => s,
        _ => "unknown",
    }
}

/// `Operation.Path()` / `From()`: the member as a string, or the library's error.
fn string_member<'a>(
    op: &'a Map<String, Value>,
    name: &str,
    missing: &str,
) -> Result<&'a str, String> {
    match op.get(name) {
        None | Some(Value::Null) => Err(format!("{missing}: {MISSING}")),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(gojson::unmarshal_type_error(other, "string")),
    }
}

fn path_of(op: &Map<String, Value>) -> Result<&str, String> {
    string_member(op, "path", "operation missing path field")
}

fn from_of(op: &Map<String, Value>) -> Result<&str, String> {
    string_member(op, "from", "operation, missing from field")
}

/// The operation's value: `None` when the member is absent, `Some(Null)` for `null`.
fn value_of(op: &Map<String, Value>) -> Option<&Value> {
    op.get("value")
}

fn fail(detail: String) -> PatchError {
    PatchError::not_applicable(detail)
}

fn apply(doc: &mut Value, op: &Map<String, Value>, copied: &mut usize) -> Result<(), PatchError> {
    match kind(op) {
        "add" => {
            let path = path_of(op)
                .map_err(|_| fail(format!("add operation failed to decode path: {MISSING}")))?;
            let value = value_of(op).cloned().unwrap_or(Value::Null);
            check_depth(path, &value)?;
            let (mut con, key) = find(doc, path).ok_or_else(|| {
                fail(format!(
                    "add operation does not apply: doc is missing path: \"{path}\": {MISSING}"
                ))
            })?;
            con.add(&key, value)
                .map_err(|e| fail(format!("error in add for path: '{path}': {e}")))
        }
        "remove" => {
            let path = path_of(op)
                .map_err(|_| fail(format!("remove operation failed to decode path: {MISSING}")))?;
            let (mut con, key) = find(doc, path).ok_or_else(|| {
                fail(format!(
                    "remove operation does not apply: doc is missing path: \"{path}\": {MISSING}"
                ))
            })?;
            con.remove(&key)
                .map(|_| ())
                .map_err(|e| fail(format!("error in remove for path: '{path}': {e}")))
        }
        "replace" => {
            let path = path_of(op)
                .map_err(|e| fail(format!("replace operation failed to decode path: {e}")))?;
            let value = value_of(op).cloned().unwrap_or(Value::Null);
            if path.is_empty() {
                if !matches!(value, Value::Object(_) | Value::Array(_)) {
                    return Err(fail(
                        "replace operation value must be object or array".to_string(),
                    ));
                }
                *doc = value;
                return Ok(());
            }
            check_depth(path, &value)?;
            let (mut con, key) = find(doc, path).ok_or_else(|| {
                fail(format!(
                    "replace operation does not apply: doc is missing path: {path}: {MISSING}"
                ))
            })?;
            con.get(&key).map_err(|_| {
                fail(format!(
                    "replace operation does not apply: doc is missing key: {path}: {MISSING}"
                ))
            })?;
            con.set(&key, value)
                .map_err(|e| fail(format!("error in remove for path: '{path}': {e}")))
        }
        "move" => {
            let from = from_of(op)
                .map_err(|e| fail(format!("move operation failed to decode from: {e}")))?;
            let (mut con, key) = find(doc, from).ok_or_else(|| {
                fail(format!(
                    "move operation does not apply: doc is missing from path: {from}: {MISSING}"
                ))
            })?;
            con.get(&key)
                .map_err(|e| fail(format!("error in move for path: '{key}': {e}")))?;
            let value = con
                .remove(&key)
                .map_err(|e| fail(format!("error in move for path: '{key}': {e}")))?;
            let path = path_of(op)
                .map_err(|e| fail(format!("move operation failed to decode path: {e}")))?;
            check_depth(path, &value)?;
            let (mut con, key) = find(doc, path).ok_or_else(|| {
                fail(format!("move operation does not apply: doc is missing destination path: {path}: {MISSING}"))
            })?;
            con.add(&key, value)
                .map_err(|e| fail(format!("error in move for path: '{path}': {e}")))
        }
        "test" => test(doc, op),
        "copy" => {
            let from = from_of(op)
                .map_err(|e| fail(format!("copy operation failed to decode from: {e}")))?;
            let (con, key) = find(doc, from).ok_or_else(|| {
                fail(format!(
                    "copy operation does not apply: doc is missing from path: {from}: {MISSING}"
                ))
            })?;
            let value = con
                .get(&key)
                .map_err(|e| fail(format!("error in copy for from: '{from}': {e}")))?;
            let path = path_of(op)
                .map_err(|_| fail(format!("copy operation failed to decode path: {MISSING}")))?;
            // Measure before cloning: the size limit and the depth limit both bound
            // the work a patch of repeated copies can cause.
            let (value_depth, size) = match value {
                Some(v) => (
                    gojson::depth(v),
                    serde_json::to_vec(v).map(|b| b.len()).unwrap_or(0),
                ),
                None => (0, 0),
            };
            if path_depth(path).saturating_add(value_depth) > MAX_DEPTH {
                return Err(too_deep());
            }
            *copied = copied.saturating_add(size);
            if *copied > MAX_JSON_PATCH_COPY_BYTES {
                return Err(fail(format!(
                    "Unable to complete the copy, the accumulated size increase of copy is {}, exceeding the limit {}",
                    *copied, MAX_JSON_PATCH_COPY_BYTES
                )));
            }
            let value = value.cloned().unwrap_or(Value::Null);
            let (mut con, key) = find(doc, path).ok_or_else(|| {
                fail(format!("copy operation does not apply: doc is missing destination path: {path}: {MISSING}"))
            })?;
            con.add(&key, value)
                .map_err(|e| fail(format!("error while adding value during copy: {e}")))
        }
        other => Err(fail(format!("Unexpected kind: {other}"))),
    }
}

fn test(doc: &mut Value, op: &Map<String, Value>) -> Result<(), PatchError> {
    let path =
        path_of(op).map_err(|e| fail(format!("test operation failed to decode path: {e}")))?;
    let failed = || PatchError::TestFailed {
        detail: format!("testing value {path} failed: test failed"),
    };
    let expected = value_of(op);
    if path.is_empty() {
        return match expected {
            Some(v) if v == doc => Ok(()),
            _ => Err(failed()),
        };
    }
    let (con, key) = find(doc, path).ok_or_else(|| {
        fail(format!(
            "test operation does not apply: is missing path: {path}: {MISSING}"
        ))
    })?;
    let actual = con
        .get(&key)
        .map_err(|e| fail(format!("error in test for path: '{path}': {e}")))?;
    // A missing member and a null one are the same to this library, and both equal
    // a `null` (or absent) expected value.
    match (actual.filter(|v| !v.is_null()), expected) {
        (None, None | Some(Value::Null)) => Ok(()),
        (Some(a), Some(e)) if a == e => Ok(()),
        _ => Err(failed()),
    }
}

fn too_deep() -> PatchError {
    fail("exceeded max depth".to_string())
}

/// How deep a value lands when placed at `path`.
fn path_depth(path: &str) -> usize {
    path.split('/').count().saturating_sub(1)
}

fn check_depth(path: &str, value: &Value) -> Result<(), PatchError> {
    if path_depth(path).saturating_add(gojson::depth(value)) > MAX_DEPTH {
        Err(too_deep())
    } else {
        Ok(())
    }
}

/// RFC 6901 unescaping: `~1` is `/`, `~0` is `~`; other `~` sequences stay as they are.
fn unescape(token: &str) -> String {
    if !token.contains('~') {
        return token.to_string();
    }
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.peek() {
                Some('1') => {
                    chars.next();
                    out.push('/');
                }
                Some('0') => {
                    chars.next();
                    out.push('~');
                }
                _ => out.push('~'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The object or array that holds the last token of a path.
enum Container<'a> {
    Object(&'a mut Map<String, Value>),
    Array(&'a mut Vec<Value>),
}

/// `findObject`: walks all tokens but the first (which is ignored) and the last.
/// Misses, scalars and nulls on the way all mean "missing path".
fn find<'a>(doc: &'a mut Value, path: &str) -> Option<(Container<'a>, String)> {
    let tokens: Vec<&str> = path.split('/').collect();
    let (last, rest) = tokens.split_last()?;
    let (_, middle) = rest.split_first()?;
    let mut cur = doc;
    for token in middle {
        let next = match cur {
            Value::Object(map) => map.get_mut(&unescape(token))?,
            Value::Array(items) => {
                let i = resolve_index(items.len(), &unescape(token)).ok()?;
                items.get_mut(i)?
            }
            _ => return None,
        };
        if !matches!(next, Value::Object(_) | Value::Array(_)) {
            return None;
        }
        cur = next;
    }
    let key = unescape(last);
    match cur {
        Value::Object(map) => Some((Container::Object(map), key)),
        Value::Array(items) => Some((Container::Array(items), key)),
        _ => None,
    }
}

/// Go's `strconv.Atoi`, with its error text.
fn atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            gojson::go_quote(s)
        ));
    }
    s.parse::<i64>().map_err(|_| {
        format!(
            "strconv.Atoi: parsing {}: value out of range",
            gojson::go_quote(s)
        )
    })
}

fn invalid_index(idx: i64) -> String {
    format!("Unable to access invalid index: {idx}: {INVALID_INDEX}")
}

/// An index into an array of `len` items, negative ones counting from the end.
fn resolve_index(len: usize, key: &str) -> Result<usize, String> {
    let mut idx = atoi(key)?;
    let n = i64::try_from(len).unwrap_or(i64::MAX);
    if idx < 0 {
        if idx < -n {
            return Err(invalid_index(idx));
        }
        idx += n;
    }
    if idx >= n {
        return Err(invalid_index(idx));
    }
    usize::try_from(idx).map_err(|_| invalid_index(idx))
}

impl Container<'_> {
    /// `get`: a missing object member is not an error (it reads as nil).
    fn get(&self, key: &str) -> Result<Option<&Value>, String> {
        match self {
            Container::Object(map) => Ok(map.get(key)),
            Container::Array(items) => {
                let i = resolve_index(items.len(), key)?;
                Ok(items.get(i))
            }
        }
    }

    fn add(&mut self, key: &str, value: Value) -> Result<(), String> {
        match self {
            Container::Object(map) => {
                map.insert(key.to_string(), value);
                Ok(())
            }
            Container::Array(items) => {
                if key == "-" {
                    items.push(value);
                    return Ok(());
                }
                let mut idx = atoi(key)
                    .map_err(|e| format!("value was not a proper array index: '{key}': {e}"))?;
                // Inserting may target one past the end.
                let n = i64::try_from(items.len())
                    .unwrap_or(i64::MAX)
                    .saturating_add(1);
                if idx >= n {
                    return Err(invalid_index(idx));
                }
                if idx < 0 {
                    if idx < -n {
                        return Err(invalid_index(idx));
                    }
                    idx += n;
                }
                let i = usize::try_from(idx).map_err(|_| invalid_index(idx))?;
                items.insert(i, value);
                Ok(())
            }
        }
    }

    fn remove(&mut self, key: &str) -> Result<Value, String> {
        match self {
            Container::Object(map) => map
                .shift_remove(key)
                .ok_or_else(|| format!("Unable to remove nonexistent key: {key}: {MISSING}")),
            Container::Array(items) => {
                let mut idx = atoi(key)?;
                let n = i64::try_from(items.len()).unwrap_or(i64::MAX);
                if idx >= n {
                    return Err(invalid_index(idx));
                }
                if idx < 0 {
                    if idx < -n {
                        return Err(invalid_index(idx));
                    }
                    idx += n;
                }
                let i = usize::try_from(idx).map_err(|_| invalid_index(idx))?;
                Ok(items.remove(i))
            }
        }
    }

    fn set(&mut self, key: &str, value: Value) -> Result<(), String> {
        match self {
            Container::Object(map) => {
                map.insert(key.to_string(), value);
                Ok(())
            }
            Container::Array(items) => {
                let i = resolve_index(items.len(), key)?;
                if let Some(slot) = items.get_mut(i) {
                    *slot = value;
                }
                Ok(())
            }
        }
    }
}
