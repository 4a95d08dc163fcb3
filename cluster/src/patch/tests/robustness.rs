//! Garbage, hostile and oversized input: every patch type must answer with an error
//! (or a document), never panic, and do bounded work.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::json;
use crate::builtin_shapes::shape_for;
use crate::patch::{PatchError, json_patch, merge_patch, strategic_merge_patch};
use crate::shape::Shape;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn pod_doc() -> Value {
    json(
        r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"},"finalizers":["f"]},
"spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}],"env":[{"name":"E","value":"1"}]}],
"volumes":[{"name":"v","emptyDir":{}}],"tolerations":[{"key":"k"}]}}"#,
    )
}

/// Applies all three patch types to the same body and checks that errors carry a
/// status the API server uses.
fn apply_all(doc: &Value, body: &[u8], shape: &Shape) {
    let results: [Result<Value, PatchError>; 3] = [
        json_patch(doc, body),
        merge_patch(doc, body),
        strategic_merge_patch(doc, body, shape),
    ];
    for result in results {
        if let Err(e) = result {
            assert!([400, 413, 422, 500].contains(&e.status_code()), "{e:?}");
            let _ = e.message();
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let doc = pod_doc();
    let shape = shape_for("", "v1", "Pod").expect("pod");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let len = rng.below(64);
        let body: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
        apply_all(&doc, &body, &shape);
    }
}

/// Random documents assembled from JSON fragments that mean something to the patch
/// engines: directives, merge keys, paths, wrong types.
#[test]
fn random_structured_patches_never_panic() {
    let doc = pod_doc();
    let shape = shape_for("", "v1", "Pod").expect("pod");
    let keys = [
        "spec",
        "metadata",
        "containers",
        "name",
        "env",
        "ports",
        "volumes",
        "labels",
        "finalizers",
        "tolerations",
        "$patch",
        "$retainKeys",
        "$setElementOrder/containers",
        "$setElementOrder/env",
        "$deleteFromPrimitiveList/finalizers",
        "$setElementOrder/finalizers",
        "containerPort",
        "op",
        "path",
        "from",
        "value",
    ];
    let scalars = [
        "null",
        "true",
        "1",
        "1.5",
        "-3",
        "\"c\"",
        "\"E\"",
        "\"delete\"",
        "\"replace\"",
        "\"merge\"",
        "\"add\"",
        "\"remove\"",
        "\"copy\"",
        "\"move\"",
        "\"test\"",
        "\"/spec/containers/0\"",
        "\"/spec/containers/-\"",
        "\"/metadata/labels/a\"",
        "\"\"",
        "80",
    ];
    fn value(rng: &mut Rng, keys: &[&str], scalars: &[&str], depth: usize) -> String {
        match if depth > 5 { 0 } else { rng.below(3) } {
            0 => rng.pick(scalars).to_string(),
            1 => {
                let n = rng.below(4);
                let items: Vec<String> = (0..n)
                    .map(|_| value(rng, keys, scalars, depth + 1))
                    .collect();
                format!("[{}]", items.join(","))
            }
            _ => {
                let n = rng.below(4);
                let members: Vec<String> = (0..n)
                    .map(|_| {
                        format!(
                            "\"{}\":{}",
                            rng.pick(keys),
                            value(rng, keys, scalars, depth + 1)
                        )
                    })
                    .collect();
                format!("{{{}}}", members.join(","))
            }
        }
    }
    let mut rng = Rng(42);
    for _ in 0..3000 {
        let body = value(&mut rng, &keys, &scalars, 0);
        apply_all(&doc, body.as_bytes(), &shape);
        // Also as JSON patch operations.
        let ops = format!("[{body},{}]", value(&mut rng, &keys, &scalars, 1));
        apply_all(&doc, ops.as_bytes(), &shape);
    }
}

#[test]
fn deeply_nested_patches_are_rejected() {
    let doc = json(r#"{"a":{}}"#);
    let shape = Shape::Deduced;
    let deep_object = format!("{}1{}", r#"{"a":"#.repeat(5000), "}".repeat(5000));
    let err = merge_patch(&doc, deep_object.as_bytes()).expect_err("too deep");
    assert_eq!(
        (err.status_code(), err.to_string().as_str()),
        (400, "Invalid JSON Patch")
    );
    let err = strategic_merge_patch(&doc, deep_object.as_bytes(), &shape).expect_err("too deep");
    assert_eq!(
        (err.status_code(), err.to_string().as_str()),
        (400, "exceeded max depth")
    );
    let deep_value = format!(r#"[{{"op":"add","path":"/b","value":{deep_object}}}]"#);
    let err = json_patch(&doc, deep_value.as_bytes()).expect_err("too deep");
    assert_eq!(
        (err.status_code(), err.to_string().as_str()),
        (400, "exceeded max depth")
    );

    // Unbalanced garbage deeper than the limit is a syntax error too, not a crash.
    let err = json_patch(&doc, "[".repeat(100_000).as_bytes()).expect_err("too deep");
    assert_eq!(err.to_string(), "exceeded max depth");
}

#[test]
fn json_patch_cannot_build_a_too_deep_document() {
    // Each value is within the parse limit, but placing it deep exceeds it.
    let nested = format!("{}1{}", r#"{"x":"#.repeat(100), "}".repeat(100));
    let path = "/a".to_string() + &"/x".repeat(40);
    let doc = serde_json::json!({ "a": {} });
    let mut chain = String::from("[");
    // Build a 40-deep chain of objects first, then add the 100-deep value at its end.
    let mut p = String::from("/a");
    for _ in 0..40 {
        p.push_str("/x");
        chain.push_str(&format!(r#"{{"op":"add","path":"{p}","value":{{}}}},"#));
    }
    chain.push_str(&format!(
        r#"{{"op":"add","path":"{path}/y","value":{nested}}}]"#
    ));
    let err = json_patch(&doc, chain.as_bytes()).expect_err("too deep");
    assert_eq!(
        (err.status_code(), err.to_string().as_str()),
        (422, "exceeded max depth")
    );

    // Copying a subtree into itself over and over is stopped as well.
    let copies: Vec<String> = (0..200)
        .map(|_| r#"{"op":"copy","from":"/a","path":"/a/x"}"#.to_string())
        .collect();
    let err = json_patch(&doc, format!("[{}]", copies.join(",")).as_bytes()).expect_err("bounded");
    assert_eq!(err.status_code(), 422);
}

#[test]
fn wrong_types_at_a_path_are_errors() {
    let doc = pod_doc();
    // JSON patch: indexing into an object, walking through a string.
    let err = json_patch(
        &doc,
        br#"[{"op":"replace","path":"/spec/containers/name","value":1}]"#,
    )
    .expect_err("index");
    assert_eq!(
        err.to_string(),
        "replace operation does not apply: doc is missing key: /spec/containers/name: missing value"
    );
    let err = json_patch(
        &doc,
        br#"[{"op":"add","path":"/metadata/name/x/y","value":1}]"#,
    )
    .expect_err("scalar");
    assert_eq!(err.status_code(), 422);

    // Strategic merge patch: a map where a merging list is.
    let shape = shape_for("", "v1", "Pod").expect("pod");
    let got = strategic_merge_patch(&doc, br#"{"spec":{"containers":{"name":"c"}}}"#, &shape)
        .expect("replaces");
    assert_eq!(got["spec"]["containers"], json(r#"{"name":"c"}"#));
    let err = strategic_merge_patch(
        &doc,
        br#"{"spec":{"$setElementOrder/containers":[{"name":"c"}],"containers":"x"}}"#,
        &shape,
    )
    .expect_err("not a list");
    assert_eq!(
        err.to_string(),
        "expected a []interface {}, but received a string"
    );
    let err =
        strategic_merge_patch(&doc, br#"{"spec":{"containers":[1]}}"#, &shape).expect_err("mixed");
    assert_eq!(
        err.to_string(),
        "list element types are not identical: [[map[env:[map[name:E value:1]] image:i name:c ports:[map[containerPort:80]]]] [1]]"
    );
}

#[test]
fn long_lists_merge_in_bounded_time() {
    let n = 20_000;
    let items: Vec<Value> = (0..n)
        .map(|i| serde_json::json!({"name": format!("n{i}"), "v": i}))
        .collect();
    let doc = serde_json::json!({ "mergingList": items });
    let patch_items: Vec<Value> = (0..n)
        .map(|i| serde_json::json!({"name": format!("n{}", i * 2), "w": i}))
        .collect();
    let order: Vec<Value> = (0..2 * n)
        .map(|i| serde_json::json!({"name": format!("n{i}")}))
        .collect();
    let patch =
        serde_json::json!({ "mergingList": patch_items, "$setElementOrder/mergingList": order });
    let shape = Shape::object([(
        "mergingList",
        Shape::keyed_list(Shape::object([("name", Shape::Scalar)]), &["name"]),
    )]);
    let start = Instant::now();
    let got = strategic_merge_patch(&doc, patch.to_string().as_bytes(), &shape).expect("merges");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
    let list = got["mergingList"].as_array().expect("list");
    assert_eq!(list.len(), n + n / 2);
    assert_eq!(list[0]["name"], "n0");
    assert_eq!(list[1]["name"], "n1");
    assert_eq!(list[list.len() - 1]["name"], format!("n{}", 2 * (n - 1)));

    let primitive: Vec<Value> = (0..n).map(Value::from).collect();
    let doc = serde_json::json!({ "finalizers": primitive });
    let patch = serde_json::json!({ "finalizers": (n..2 * n).collect::<Vec<_>>(), "$deleteFromPrimitiveList/finalizers": (0..n / 2).collect::<Vec<_>>() });
    let meta = Shape::object([("finalizers", Shape::set())]);
    let start = Instant::now();
    let got = strategic_merge_patch(&doc, patch.to_string().as_bytes(), &meta).expect("merges");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(got["finalizers"].as_array().map(Vec::len), Some(n + n / 2));
}
