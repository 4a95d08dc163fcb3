//! Random input: no configuration, live object, managedFields or FieldsV1 document may
//! panic the field manager, and whatever it stores must decode again.

use serde_json::{Map, Value, json};

use super::{Store, deployment_shape, untyped_shape};
use crate::fieldmanager::{FieldSet, apply, read_managed_fields, track_update};
use crate::shape::Shape;

/// xorshift64*: small, seedable, good enough to explore shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
}

const KEYS: &[&str] = &[
    "spec",
    "status",
    "metadata",
    "template",
    "containers",
    "name",
    "image",
    "args",
    "ports",
    "containerPort",
    "protocol",
    "labels",
    "finalizers",
    "ownerReferences",
    "uid",
    "replicas",
    "selector",
    "matchLabels",
    "apiVersion",
    "kind",
    "managedFields",
    "fieldsV1",
    "manager",
    "operation",
    "conditions",
    "type",
    "x",
    "",
];

const FIELDS_V1_KEYS: &[&str] = &[
    "f:spec",
    "f:replicas",
    "f:containers",
    "k:{\"name\":\"a\"}",
    "k:{\"name\":1}",
    "v:\"x\"",
    "v:[1]",
    "i:0",
    ".",
    "f:",
    "k:",
    "v:",
    "q:z",
    "f",
    "",
    "k:{\"a\":",
    "i:-3",
];

fn value(rng: &mut Rng, depth: usize, keys: &[&str]) -> Value {
    let kind = if depth == 0 {
        rng.below(5)
    } else {
        rng.below(8)
    };
    match kind {
        0 => Value::Null,
        1 => json!(rng.below(2) == 1),
        2 => match rng.below(3) {
            0 => json!(rng.below(5)),
            1 => json!(rng.below(100) as f64 / 8.0),
            _ => json!(-(rng.below(5) as i64)),
        },
        3 | 4 => json!(rng.pick(&[
            "a",
            "b",
            "nginx",
            "TCP",
            "apps/v1",
            "Deployment",
            "Apply",
            "Update",
            "é\u{1}<"
        ])),
        5 => Value::Array(
            (0..rng.below(4))
                .map(|_| value(rng, depth - 1, keys))
                .collect(),
        ),
        _ => {
            let mut m = Map::new();
            for _ in 0..rng.below(5) {
                m.insert(rng.pick(keys).to_string(), value(rng, depth - 1, keys));
            }
            Value::Object(m)
        }
    }
}

/// A configuration that is usually well-formed at the top, random below.
fn config(rng: &mut Rng) -> Value {
    if rng.below(6) == 0 {
        return value(rng, 4, KEYS);
    }
    let mut c = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}});
    for _ in 0..rng.below(4) {
        let key = rng.pick(&["spec", "status", "metadata", "x"]);
        let v = value(rng, 5, KEYS);
        if key == "metadata" {
            if let (Some(m), Value::Object(extra)) =
                (c.get_mut("metadata").and_then(Value::as_object_mut), v)
            {
                m.extend(extra);
            }
        } else if let Some(obj) = c.as_object_mut() {
            obj.insert(key.to_string(), v);
        }
    }
    c
}

fn check_stored(object: &Value) {
    read_managed_fields(object)
        .unwrap_or_else(|e| panic!("stored managedFields do not decode: {e}\n{object:#}"));
}

#[test]
fn random_configs_and_objects_do_not_panic() {
    let shapes: [fn() -> Shape; 2] = [deployment_shape, untyped_shape];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..1500 {
        let shape = shapes[round % 2]();
        let live = if rng.below(3) == 0 {
            None
        } else {
            Some(config(&mut rng))
        };
        let cfg = config(&mut rng);
        let manager = rng.pick(&["a", "b", "kubectl", ""]);
        let sub = if rng.below(4) == 0 {
            Some("status")
        } else {
            None
        };
        if let Ok(out) = apply(
            live.as_ref(),
            &cfg,
            manager,
            rng.below(2) == 0,
            &shape,
            sub,
            "2024-01-01T00:00:00Z",
        ) {
            check_stored(&out);
        }
        let mut new = config(&mut rng);
        if track_update(live.as_ref(), &mut new, manager, &shape, sub, "bad time").is_ok() {
            check_stored(&new);
        }
    }
}

#[test]
fn random_write_sequences_keep_managed_fields_consistent() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for _ in 0..60 {
        let mut store = Store::new(deployment_shape());
        for _ in 0..12 {
            let manager = rng.pick(&["a", "b", "c", "kubectl"]);
            match rng.below(4) {
                0 | 1 => {
                    let patch = config(&mut rng);
                    if patch.is_object() {
                        store.update(
                            manager,
                            &patch,
                            if rng.below(2) == 0 {
                                None
                            } else {
                                Some("status")
                            },
                        );
                    }
                }
                _ => store.apply(manager, &config(&mut rng), rng.below(3) == 0, None),
            }
            if let Some(obj) = &store.object {
                check_stored(obj);
                for e in store.entries() {
                    assert!(!e.fields_v1.is_empty(), "empty entry kept: {obj:#}");
                }
            }
        }
    }
}

#[test]
fn random_fields_v1_and_managed_fields_do_not_panic() {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    for _ in 0..3000 {
        let doc = value(&mut rng, 5, FIELDS_V1_KEYS);
        if let Ok(set) = FieldSet::from_fields_v1(&doc) {
            assert_eq!(
                FieldSet::from_fields_v1(&set.to_fields_v1()),
                Ok(set.clone()),
                "{doc}"
            );
            let _ = set.paths().iter().map(ToString::to_string).count();
        }
        let entries = json!({"metadata": {"managedFields": [
            {"manager": "m", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": doc}
        ]}});
        let _ = read_managed_fields(&entries);
        let mut live = json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "n", "uid": "u", "managedFields": value(&mut rng, 3, KEYS)}});
        let cfg = json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "n"}, "spec": value(&mut rng, 3, KEYS)});
        let _ = apply(
            Some(&live),
            &cfg,
            "m",
            false,
            &untyped_shape(),
            None,
            "2024-01-01T00:00:00Z",
        );
        let old = live.clone();
        live["spec"] = value(&mut rng, 3, KEYS);
        let _ = track_update(
            Some(&old),
            &mut live,
            "m",
            &untyped_shape(),
            None,
            "2024-01-01T00:00:00Z",
        );
    }
}

/// Deeper than any document `serde_json` parses (it stops at 128 levels).
const DEPTH: usize = 130;

#[test]
fn deep_nesting_does_not_exhaust_the_stack() {
    let mut deep = json!(1);
    for _ in 0..DEPTH {
        deep = json!({ "a": deep });
    }
    let mut deep_list = json!(1);
    for _ in 0..DEPTH {
        deep_list = json!([deep_list]);
    }
    let shape = untyped_shape();
    let cfg = json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "n"}, "spec": {"o": deep, "l": deep_list}});
    let out = apply(None, &cfg, "m", false, &shape, None, "2024-01-01T00:00:00Z").expect("apply");
    let out2 = apply(
        Some(&out),
        &cfg,
        "n",
        false,
        &shape,
        None,
        "2024-01-01T00:00:01Z",
    )
    .expect("re-apply");
    check_stored(&out2);
    let mut doc = json!({});
    for _ in 0..300 {
        doc = json!({ "f:a": doc });
    }
    assert!(FieldSet::from_fields_v1(&doc).is_err());
}

#[test]
fn wide_objects_stay_fast() {
    let shape = super::configmap_shape();
    let data: Map<String, Value> = (0..20_000)
        .map(|i| (format!("key-{i:05}"), json!("v")))
        .collect();
    let cfg = super::cm(Value::Object(data.clone()));
    let started = std::time::Instant::now();
    let live = apply(None, &cfg, "a", false, &shape, None, "2024-01-01T00:00:00Z").expect("create");
    let mut smaller = data;
    smaller.remove("key-00007");
    let out = apply(
        Some(&live),
        &super::cm(Value::Object(smaller)),
        "a",
        false,
        &shape,
        None,
        "2024-01-01T00:00:01Z",
    )
    .expect("re-apply");
    let mut updated = out.clone();
    updated["data"]["key-00001"] = json!("w");
    track_update(
        Some(&out),
        &mut updated,
        "u",
        &shape,
        None,
        "2024-01-01T00:00:02Z",
    )
    .expect("update");
    assert!(out["data"].get("key-00007").is_none());
    assert_eq!(read_managed_fields(&updated).map(|e| e.len()), Ok(2));
    eprintln!(
        "20k-key apply, prune and update took {:?}",
        started.elapsed()
    );
}
