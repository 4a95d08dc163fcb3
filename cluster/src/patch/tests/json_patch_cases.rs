//! JSON patch (`application/json-patch+json`) cases, with the texts of
//! `evanphx/json-patch.v4`.

use super::{Case, Want, json, run};
use crate::patch::{GENERIC_422_MESSAGE, PatchError, json_patch};

const POD: &str = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default","labels":{"app":"web"}},"spec":{"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"redis"}]}}"#;

#[test]
fn json_patch_table() {
    let cases = [
        // kube-runtime's finalizer helper: test that there are no finalizers, then add.
        Case {
            name: "finalizer add: test of a missing path compares as null",
            doc: r#"{"metadata":{"name":"c"}}"#,
            patch: r#"[{"op":"test","path":"/metadata/finalizers","value":null},{"op":"add","path":"/metadata/finalizers","value":["example.com/cleanup"]}]"#,
            want: Want::Doc(r#"{"metadata":{"name":"c","finalizers":["example.com/cleanup"]}}"#),
        },
        Case {
            name: "finalizer add: test null fails when finalizers exist",
            doc: r#"{"metadata":{"name":"c","finalizers":["other"]}}"#,
            patch: r#"[{"op":"test","path":"/metadata/finalizers","value":null},{"op":"add","path":"/metadata/finalizers","value":["x"]}]"#,
            want: Want::Err(
                422,
                "testing value /metadata/finalizers failed: test failed",
            ),
        },
        Case {
            name: "finalizer add next to others: test the whole list, then append",
            doc: r#"{"metadata":{"finalizers":["other"]}}"#,
            patch: r#"[{"op":"test","path":"/metadata/finalizers","value":["other"]},{"op":"add","path":"/metadata/finalizers/-","value":"example.com/cleanup"}]"#,
            want: Want::Doc(r#"{"metadata":{"finalizers":["other","example.com/cleanup"]}}"#),
        },
        Case {
            name: "finalizer add next to others: a concurrent change fails the test",
            doc: r#"{"metadata":{"finalizers":["other","example.com/cleanup"]}}"#,
            patch: r#"[{"op":"test","path":"/metadata/finalizers","value":["other"]},{"op":"add","path":"/metadata/finalizers/-","value":"example.com/cleanup"}]"#,
            want: Want::Err(
                422,
                "testing value /metadata/finalizers failed: test failed",
            ),
        },
        Case {
            name: "finalizer removal: test the index, then remove it",
            doc: r#"{"metadata":{"finalizers":["example.com/cleanup"]}}"#,
            patch: r#"[{"op":"test","path":"/metadata/finalizers/0","value":"example.com/cleanup"},{"op":"remove","path":"/metadata/finalizers/0"}]"#,
            want: Want::Doc(r#"{"metadata":{"finalizers":[]}}"#),
        },
        Case {
            name: "finalizer removal: a moved finalizer fails the test",
            doc: r#"{"metadata":{"finalizers":["other","example.com/cleanup"]}}"#,
            patch: r#"[{"op":"test","path":"/metadata/finalizers/0","value":"example.com/cleanup"},{"op":"remove","path":"/metadata/finalizers/0"}]"#,
            want: Want::Err(
                422,
                "testing value /metadata/finalizers/0 failed: test failed",
            ),
        },
        Case {
            name: "test of an explicit null member equals null",
            doc: r#"{"a":null}"#,
            patch: r#"[{"op":"test","path":"/a","value":null}]"#,
            want: Want::Doc(r#"{"a":null}"#),
        },
        Case {
            name: "test without a value passes on a missing member",
            doc: r#"{"a":1}"#,
            patch: r#"[{"op":"test","path":"/b"}]"#,
            want: Want::Doc(r#"{"a":1}"#),
        },
        Case {
            name: "test without a value fails on a present member",
            doc: r#"{"a":1}"#,
            patch: r#"[{"op":"test","path":"/a"}]"#,
            want: Want::Err(422, "testing value /a failed: test failed"),
        },
        Case {
            name: "test compares numbers by type: 1 is not 1.0",
            doc: r#"{"a":1}"#,
            patch: r#"[{"op":"test","path":"/a","value":1.0}]"#,
            want: Want::Err(422, "testing value /a failed: test failed"),
        },
        Case {
            name: "test compares objects regardless of key order",
            doc: r#"{"a":{"x":1,"y":[1,2]}}"#,
            patch: r#"[{"op":"test","path":"/a","value":{"y":[1,2],"x":1}}]"#,
            want: Want::Doc(r#"{"a":{"x":1,"y":[1,2]}}"#),
        },
        Case {
            name: "test of the whole document",
            doc: r#"{"a":1}"#,
            patch: r#"[{"op":"test","path":"","value":{"a":2}}]"#,
            want: Want::Err(422, "testing value  failed: test failed"),
        },
        Case {
            name: "test through a missing parent",
            doc: r#"{"a":1}"#,
            patch: r#"[{"op":"test","path":"/b/c","value":1}]"#,
            want: Want::Err(
                422,
                "test operation does not apply: is missing path: /b/c: missing value",
            ),
        },
        Case {
            name: "add appends with -",
            doc: POD,
            patch: r#"[{"op":"add","path":"/spec/containers/-","value":{"name":"c","image":"busybox"}}]"#,
            want: Want::Doc(
                r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default","labels":{"app":"web"}},"spec":{"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"redis"},{"name":"c","image":"busybox"}]}}"#,
            ),
        },
        Case {
            name: "add inserts at an index",
            doc: r#"{"l":["a","c"]}"#,
            patch: r#"[{"op":"add","path":"/l/1","value":"b"}]"#,
            want: Want::Doc(r#"{"l":["a","b","c"]}"#),
        },
        Case {
            name: "add at -1 inserts at the end",
            doc: r#"{"l":["a","b"]}"#,
            patch: r#"[{"op":"add","path":"/l/-1","value":"c"}]"#,
            want: Want::Doc(r#"{"l":["a","b","c"]}"#),
        },
        Case {
            name: "add past the end",
            doc: r#"{"l":["a"]}"#,
            patch: r#"[{"op":"add","path":"/l/5","value":"x"}]"#,
            want: Want::Err(
                422,
                "error in add for path: '/l/5': Unable to access invalid index: 5: invalid index referenced",
            ),
        },
        Case {
            name: "add with a non-numeric index",
            doc: r#"{"l":["a"]}"#,
            patch: r#"[{"op":"add","path":"/l/x","value":"x"}]"#,
            want: Want::Err(
                422,
                r#"error in add for path: '/l/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax"#,
            ),
        },
        Case {
            name: "add under a missing parent",
            doc: r#"{"metadata":{}}"#,
            patch: r#"[{"op":"add","path":"/metadata/labels/app","value":"x"}]"#,
            want: Want::Err(
                422,
                r#"add operation does not apply: doc is missing path: "/metadata/labels/app": missing value"#,
            ),
        },
        Case {
            name: "add through a scalar",
            doc: POD,
            patch: r#"[{"op":"add","path":"/metadata/name/x","value":"y"}]"#,
            want: Want::Err(
                422,
                r#"add operation does not apply: doc is missing path: "/metadata/name/x": missing value"#,
            ),
        },
        Case {
            name: "add without a value adds null",
            doc: r#"{"a":1}"#,
            patch: r#"[{"op":"add","path":"/b"}]"#,
            want: Want::Doc(r#"{"a":1,"b":null}"#),
        },
        Case {
            name: "escaped pointer tokens: ~1 is / and ~0 is ~",
            doc: r#"{"metadata":{"annotations":{}}}"#,
            patch: r#"[{"op":"add","path":"/metadata/annotations/example.com~1a~0b","value":"v"}]"#,
            want: Want::Doc(r#"{"metadata":{"annotations":{"example.com/a~b":"v"}}}"#),
        },
        Case {
            name: "the first path segment is ignored",
            doc: r#"{"metadata":{"name":"a"}}"#,
            patch: r#"[{"op":"replace","path":"x/metadata/name","value":"b"}]"#,
            want: Want::Doc(r#"{"metadata":{"name":"b"}}"#),
        },
        Case {
            name: "remove a label",
            doc: POD,
            patch: r#"[{"op":"remove","path":"/metadata/labels/app"}]"#,
            want: Want::Doc(
                r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default","labels":{}},"spec":{"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"redis"}]}}"#,
            ),
        },
        Case {
            name: "remove a missing member",
            doc: POD,
            patch: r#"[{"op":"remove","path":"/metadata/labels/tier"}]"#,
            want: Want::Err(
                422,
                "error in remove for path: '/metadata/labels/tier': Unable to remove nonexistent key: tier: missing value",
            ),
        },
        Case {
            name: "remove with a negative index",
            doc: r#"{"l":[1,2,3]}"#,
            patch: r#"[{"op":"remove","path":"/l/-1"}]"#,
            want: Want::Doc(r#"{"l":[1,2]}"#),
        },
        Case {
            name: "remove past the end",
            doc: r#"{"l":[1]}"#,
            patch: r#"[{"op":"remove","path":"/l/1"}]"#,
            want: Want::Err(
                422,
                "error in remove for path: '/l/1': Unable to access invalid index: 1: invalid index referenced",
            ),
        },
        Case {
            name: "replace an image",
            doc: r#"{"spec":{"containers":[{"name":"a","image":"nginx"}]}}"#,
            patch: r#"[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.27"}]"#,
            want: Want::Doc(r#"{"spec":{"containers":[{"name":"a","image":"nginx:1.27"}]}}"#),
        },
        Case {
            name: "replace of a missing object member adds it (v4 behaviour)",
            doc: r#"{"metadata":{"labels":{}}}"#,
            patch: r#"[{"op":"replace","path":"/metadata/labels/app","value":"x"}]"#,
            want: Want::Doc(r#"{"metadata":{"labels":{"app":"x"}}}"#),
        },
        Case {
            name: "replace past the end of a list",
            doc: r#"{"l":[1,2,3]}"#,
            patch: r#"[{"op":"replace","path":"/l/3","value":4}]"#,
            want: Want::Err(
                422,
                "replace operation does not apply: doc is missing key: /l/3: missing value",
            ),
        },
        Case {
            name: "replace with a path that is not a string",
            doc: r#"{"a":1}"#,
            patch: r#"[{"op":"replace","path":5,"value":4}]"#,
            want: Want::Err(
                422,
                "replace operation failed to decode path: json: cannot unmarshal number into Go value of type string",
            ),
        },
        Case {
            name: "move a member",
            doc: r#"{"a":{"x":1},"b":{}}"#,
            patch: r#"[{"op":"move","from":"/a/x","path":"/b/y"}]"#,
            want: Want::Doc(r#"{"a":{},"b":{"y":1}}"#),
        },
        Case {
            name: "move within a list",
            doc: r#"{"l":["a","b","c"]}"#,
            patch: r#"[{"op":"move","from":"/l/0","path":"/l/-"}]"#,
            want: Want::Doc(r#"{"l":["b","c","a"]}"#),
        },
        Case {
            name: "move from a missing member names the key",
            doc: r#"{"a":{}}"#,
            patch: r#"[{"op":"move","from":"/a/nope","path":"/b"}]"#,
            want: Want::Err(
                422,
                "error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value",
            ),
        },
        Case {
            name: "move without from",
            doc: r#"{"a":{}}"#,
            patch: r#"[{"op":"move","path":"/b"}]"#,
            want: Want::Err(
                422,
                "move operation failed to decode from: operation, missing from field: missing value",
            ),
        },
        Case {
            name: "copy a subtree",
            doc: r#"{"a":{"x":[1,2]}}"#,
            patch: r#"[{"op":"copy","from":"/a/x","path":"/a/y"}]"#,
            want: Want::Doc(r#"{"a":{"x":[1,2],"y":[1,2]}}"#),
        },
        Case {
            name: "copy from a missing member copies null",
            doc: r#"{"a":{}}"#,
            patch: r#"[{"op":"copy","from":"/a/nope","path":"/a/y"}]"#,
            want: Want::Doc(r#"{"a":{"y":null}}"#),
        },
        Case {
            name: "copy from past the end of a list",
            doc: r#"{"l":[1]}"#,
            patch: r#"[{"op":"copy","from":"/l/3","path":"/m"}]"#,
            want: Want::Err(
                422,
                "error in copy for from: '/l/3': Unable to access invalid index: 3: invalid index referenced",
            ),
        },
        Case {
            name: "an unknown op",
            doc: r#"{}"#,
            patch: r#"[{"op":"frobnicate","path":"/a"}]"#,
            want: Want::Err(422, "Unexpected kind: frobnicate"),
        },
        Case {
            name: "an op that is not a string",
            doc: r#"{}"#,
            patch: r#"[{"op":1,"path":"/a"}]"#,
            want: Want::Err(422, "Unexpected kind: unknown"),
        },
        Case {
            name: "a null operation",
            doc: r#"{}"#,
            patch: r#"[null]"#,
            want: Want::Err(422, "Unexpected kind: unknown"),
        },
        Case {
            name: "add without a path",
            doc: r#"{}"#,
            patch: r#"[{"op":"add","value":1}]"#,
            want: Want::Err(422, "add operation failed to decode path: missing value"),
        },
        Case {
            name: "a patch that is an object",
            doc: r#"{}"#,
            patch: r#"{"op":"add","path":"/a","value":1}"#,
            want: Want::Err(
                400,
                "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
            ),
        },
        Case {
            name: "a patch that is a string",
            doc: r#"{}"#,
            patch: r#""add""#,
            want: Want::Err(
                400,
                "json: cannot unmarshal string into Go value of type jsonpatch.Patch",
            ),
        },
        Case {
            name: "an operation that is not an object",
            doc: r#"{}"#,
            patch: r#"["add", "/a"]"#,
            want: Want::Err(
                400,
                "json: cannot unmarshal string into Go value of type jsonpatch.Operation",
            ),
        },
        Case {
            name: "a patch that is not JSON",
            doc: r#"{}"#,
            patch: r#"[{"op": add}]"#,
            want: Want::Err(400, "invalid character 'a' looking for beginning of value"),
        },
        Case {
            name: "an empty body",
            doc: r#"{}"#,
            patch: "",
            want: Want::Err(400, "unexpected end of JSON input"),
        },
        Case {
            name: "a null patch changes nothing",
            doc: r#"{"a":1}"#,
            patch: "null",
            want: Want::Doc(r#"{"a":1}"#),
        },
        Case {
            name: "an empty patch changes nothing",
            doc: r#"{"a":1}"#,
            patch: "[]",
            want: Want::Doc(r#"{"a":1}"#),
        },
        Case {
            name: "a failing operation rolls back the whole patch",
            doc: r#"{"a":1}"#,
            patch: r#"[{"op":"add","path":"/b","value":2},{"op":"remove","path":"/c"}]"#,
            want: Want::Err(
                422,
                "error in remove for path: '/c': Unable to remove nonexistent key: c: missing value",
            ),
        },
        Case {
            name: "replacing the document with an array makes an invalid object",
            doc: r#"{"a":1}"#,
            patch: r#"[{"op":"replace","path":"","value":[1]}]"#,
            want: Want::Err(
                422,
                r#"patch: Invalid value: "[1]": couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\"apiVersion,omitempty\""; Kind string "json:\"kind,omitempty\"" }"#,
            ),
        },
        Case {
            name: "replacing the document with an object",
            doc: r#"{"a":1}"#,
            patch: r#"[{"op":"replace","path":"","value":{"b":2}}]"#,
            want: Want::Doc(r#"{"b":2}"#),
        },
    ];
    run(&cases, json_patch);
}

#[test]
fn json_patch_error_statuses() {
    let doc = json(r#"{"metadata":{"finalizers":["x"]}}"#);
    let err = json_patch(
        &doc,
        br#"[{"op":"test","path":"/metadata/finalizers","value":null}]"#,
    )
    .expect_err("the test fails");
    assert!(matches!(err, PatchError::TestFailed { .. }));
    assert_eq!((err.status_code(), err.reason()), (422, "Invalid"));
    // The API server does not send the library's text.
    assert_eq!(err.message(), GENERIC_422_MESSAGE);
    assert!(err.causes().is_empty());

    let err = json_patch(&doc, b"{}").expect_err("not an array");
    assert_eq!((err.status_code(), err.reason()), (400, "BadRequest"));
    assert_eq!(
        err.message(),
        "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
    );

    let err = json_patch(&doc, br#"[{"op":"replace","path":"","value":["x"]}]"#)
        .expect_err("array document");
    assert_eq!((err.status_code(), err.reason()), (422, "Invalid"));
    assert!(
        err.message()
            .starts_with(r#" "" is invalid: patch: Invalid value: "[\"x\"]": "#),
        "{}",
        err.message()
    );
    assert_eq!(err.causes().len(), 1);
    assert_eq!(err.causes()[0].field, "patch");
}

#[test]
fn json_patch_limits_operations() {
    let op = r#"{"op":"test","path":"/a","value":1}"#;
    let at_limit = format!("[{}]", vec![op; 10_000].join(","));
    assert!(json_patch(&json(r#"{"a":1}"#), at_limit.as_bytes()).is_ok());

    let over = format!("[{}]", vec![op; 10_001].join(","));
    let err = json_patch(&json(r#"{"a":1}"#), over.as_bytes()).expect_err("too many");
    assert_eq!(err, PatchError::TooManyOperations { count: 10_001 });
    assert_eq!(
        (err.status_code(), err.reason()),
        (413, "RequestEntityTooLarge")
    );
    assert_eq!(
        err.message(),
        "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001"
    );
}

#[test]
fn json_patch_limits_copied_bytes() {
    // A 1 MiB string serializes to 1 MiB + 2 quote bytes; the third copy crosses 3 MiB.
    let doc = serde_json::json!({ "big": "a".repeat(1024 * 1024) });
    let copy = |to: &str| format!(r#"{{"op":"copy","from":"/big","path":"/{to}"}}"#);
    let two = format!("[{},{}]", copy("c1"), copy("c2"));
    assert!(json_patch(&doc, two.as_bytes()).is_ok());

    let three = format!("[{},{},{}]", copy("c1"), copy("c2"), copy("c3"));
    let err = json_patch(&doc, three.as_bytes()).expect_err("over the copy limit");
    assert_eq!(err.status_code(), 422);
    assert_eq!(
        err.to_string(),
        "Unable to complete the copy, the accumulated size increase of copy is 3145734, exceeding the limit 3145728"
    );
}

#[test]
fn json_patch_leaves_the_input_untouched() {
    let doc = json(POD);
    let before = doc.clone();
    let _ = json_patch(&doc, br#"[{"op":"remove","path":"/spec"}]"#).expect("applies");
    assert_eq!(doc, before);
}
