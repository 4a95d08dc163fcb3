//! Strategic merge patch cases on a test type modelled on the upstream test struct
//! (`MergeItem`: a merging list keyed by `name`, a non-merging list, a merging and a
//! non-merging list of ints, a map, and retainKeys fields).

use super::{Case, Want, assert_same_text, json, run};
use crate::patch::strategic_merge_patch;
use crate::shape::{ObjectShape, Shape};

/// The test type, spelled out `depth` levels deep.
fn merge_item(depth: usize) -> Shape {
    let item = || {
        if depth == 0 {
            Shape::Deduced
        } else {
            merge_item(depth - 1)
        }
    };
    let retain_keys_map = match Shape::object([
        ("name", Shape::Scalar),
        ("value", Shape::Scalar),
        ("other", Shape::Scalar),
        ("simpleMap", Shape::map(Shape::Scalar)),
        ("mergingIntList", Shape::set()),
        ("mergingList", Shape::keyed_list(item(), &["name"])),
        ("nonMergingList", Shape::atomic_list(item())),
    ]) {
        Shape::Object(o) => Shape::Object(ObjectShape {
            retain_keys: true,
            ..o
        }),
        other => other,
    };
    Shape::object([
        ("name", Shape::Scalar),
        ("value", Shape::Scalar),
        ("other", Shape::Scalar),
        ("mergingList", Shape::keyed_list(item(), &["name"])),
        ("nonMergingList", Shape::atomic_list(item())),
        ("mergingIntList", Shape::set()),
        ("nonMergingIntList", Shape::atomic_list(Shape::Scalar)),
        ("simpleMap", Shape::map(Shape::Scalar)),
        ("retainKeysMap", retain_keys_map),
        (
            "retainKeysMergingList",
            Shape::keyed_list(item(), &["name"]),
        ),
    ])
}

fn smp(
    doc: &serde_json::Value,
    patch: &[u8],
) -> Result<serde_json::Value, crate::patch::PatchError> {
    strategic_merge_patch(doc, patch, &merge_item(3))
}

#[test]
fn strategic_merge_patch_table() {
    let cases = [
        Case {
            name: "merging lists of scalars are unioned",
            doc: r#"{"mergingIntList":[1,2]}"#,
            patch: r#"{"mergingIntList":[2,3]}"#,
            want: Want::Doc(r#"{"mergingIntList":[1,2,3]}"#),
        },
        Case {
            name: "non-merging lists are replaced",
            doc: r#"{"nonMergingIntList":[1,2],"nonMergingList":[{"name":"a"}]}"#,
            patch: r#"{"nonMergingIntList":[2,3],"nonMergingList":[{"name":"b"}]}"#,
            want: Want::Doc(r#"{"nonMergingIntList":[2,3],"nonMergingList":[{"name":"b"}]}"#),
        },
        Case {
            name: "merging lists merge items by key",
            doc: r#"{"mergingList":[{"name":"1","value":"a"},{"name":"2","value":"b"}]}"#,
            patch: r#"{"mergingList":[{"name":"2","other":"x"}]}"#,
            want: Want::Doc(
                r#"{"mergingList":[{"name":"1","value":"a"},{"name":"2","value":"b","other":"x"}]}"#,
            ),
        },
        Case {
            name: "new items lead when there is no $setElementOrder",
            doc: r#"{"mergingList":[{"name":"1"}]}"#,
            patch: r#"{"mergingList":[{"name":"2"}]}"#,
            want: Want::Doc(r#"{"mergingList":[{"name":"2"},{"name":"1"}]}"#),
        },
        Case {
            name: "the patch's order wins for items it names",
            doc: r#"{"mergingList":[{"name":1},{"name":2,"value":"b"},{"name":3}]}"#,
            patch: r#"{"mergingList":[{"name":3,"value":"c"},{"name":1,"value":"a"},{"name":2,"other":"x"}]}"#,
            want: Want::Doc(
                r#"{"mergingList":[{"name":3,"value":"c"},{"name":1,"value":"a"},{"name":2,"value":"b","other":"x"}]}"#,
            ),
        },
        Case {
            name: "server-only items keep their place before later patch items",
            doc: r#"{"mergingList":[{"name":1},{"name":2,"value":"b"},{"name":3}]}"#,
            patch: r#"{"mergingList":[{"name":3,"value":"c"},{"name":1,"value":"a"}]}"#,
            want: Want::Doc(
                r#"{"mergingList":[{"name":2,"value":"b"},{"name":3,"value":"c"},{"name":1,"value":"a"}]}"#,
            ),
        },
        Case {
            name: "nested merging lists merge too",
            doc: r#"{"mergingList":[{"name":"1","mergingList":[{"name":"a","value":"x"}]}]}"#,
            patch: r#"{"mergingList":[{"name":"1","mergingList":[{"name":"a","other":"y"},{"name":"b"}]}]}"#,
            want: Want::Doc(
                r#"{"mergingList":[{"name":"1","mergingList":[{"name":"a","value":"x","other":"y"},{"name":"b"}]}]}"#,
            ),
        },
        Case {
            name: "$patch: delete removes a list item, and every duplicate of it",
            doc: r#"{"mergingList":[{"name":1},{"name":1},{"name":2,"value":"a"},{"name":3},{"name":3}]}"#,
            patch: r#"{"mergingList":[{"name":1,"$patch":"delete"},{"name":3,"$patch":"delete"}]}"#,
            want: Want::Doc(r#"{"mergingList":[{"name":2,"value":"a"}]}"#),
        },
        Case {
            name: "$patch: delete of a missing item is a no-op",
            doc: r#"{"mergingList":[{"name":1}]}"#,
            patch: r#"{"mergingList":[{"name":9,"$patch":"delete"}]}"#,
            want: Want::Doc(r#"{"mergingList":[{"name":1}]}"#),
        },
        Case {
            name: "$patch: replace in a list replaces it with the other items",
            doc: r#"{"mergingList":[{"name":1},{"name":2}]}"#,
            patch: r#"{"mergingList":[{"$patch":"replace"},{"name":3,"value":null}]}"#,
            want: Want::Doc(r#"{"mergingList":[{"name":3}]}"#),
        },
        Case {
            name: "$patch: replace alone empties a list",
            doc: r#"{"mergingList":[{"name":1},{"name":2}]}"#,
            patch: r#"{"mergingList":[{"$patch":"replace"}]}"#,
            want: Want::Doc(r#"{"mergingList":[]}"#),
        },
        Case {
            name: "$patch: delete empties a map",
            doc: r#"{"simpleMap":{"key1":"1","key2":"1"},"name":"n"}"#,
            patch: r#"{"simpleMap":{"$patch":"delete"}}"#,
            want: Want::Doc(r#"{"simpleMap":{},"name":"n"}"#),
        },
        Case {
            name: "$patch: replace on the whole object",
            doc: r#"{"name":"1","value":"1"}"#,
            patch: r#"{"other":"a","$patch":"replace"}"#,
            want: Want::Doc(r#"{"other":"a"}"#),
        },
        Case {
            name: "$patch: replace on a nested map",
            doc: r#"{"simpleMap":{"a":"1"},"name":"n"}"#,
            patch: r#"{"simpleMap":{"$patch":"replace","b":"2"}}"#,
            want: Want::Doc(r#"{"simpleMap":{"b":"2"},"name":"n"}"#),
        },
        Case {
            name: "a new map holding $patch is dropped",
            doc: r#"{"name":"n"}"#,
            patch: r#"{"simpleMap":{"$patch":"replace","b":"2"}}"#,
            want: Want::Doc(r#"{"name":"n"}"#),
        },
        Case {
            name: "null deletes; an unmatched null adds nothing",
            doc: r#"{"name":"1","value":"1"}"#,
            patch: r#"{"value":null,"other":null}"#,
            want: Want::Doc(r#"{"name":"1"}"#),
        },
        Case {
            name: "a new value has its nulls discarded",
            doc: r#"{"name":"n"}"#,
            patch: r#"{"simpleMap":{"a":"1","b":null},"mergingList":[{"name":"x","value":null}]}"#,
            want: Want::Doc(r#"{"name":"n","simpleMap":{"a":"1"},"mergingList":[{"name":"x"}]}"#),
        },
        Case {
            name: "a value of another type replaces",
            doc: r#"{"value":"s","simpleMap":{"a":"1"}}"#,
            patch: r#"{"value":{"x":1},"simpleMap":"gone"}"#,
            want: Want::Doc(r#"{"value":{"x":1},"simpleMap":"gone"}"#),
        },
        Case {
            name: "$deleteFromPrimitiveList removes values",
            doc: r#"{"mergingIntList":[1,2,3,2]}"#,
            patch: r#"{"$deleteFromPrimitiveList/mergingIntList":[2]}"#,
            want: Want::Doc(r#"{"mergingIntList":[1,3]}"#),
        },
        Case {
            name: "$deleteFromPrimitiveList of a missing value changes nothing",
            doc: r#"{"mergingIntList":[1,2]}"#,
            patch: r#"{"$deleteFromPrimitiveList/mergingIntList":[3]}"#,
            want: Want::Doc(r#"{"mergingIntList":[1,2]}"#),
        },
        Case {
            name: "$deleteFromPrimitiveList does not create the list",
            doc: r#"{"foo":["bar"]}"#,
            patch: r#"{"$deleteFromPrimitiveList/mergingIntList":[3]}"#,
            want: Want::Doc(r#"{"foo":["bar"]}"#),
        },
        Case {
            name: "$deleteFromPrimitiveList leaves a null list alone",
            doc: r#"{"mergingIntList":null}"#,
            patch: r#"{"$deleteFromPrimitiveList/mergingIntList":[3]}"#,
            want: Want::Doc(r#"{"mergingIntList":null}"#),
        },
        Case {
            name: "$deleteFromPrimitiveList works on a non-merging list too",
            doc: r#"{"nonMergingIntList":[1,2,3]}"#,
            patch: r#"{"$deleteFromPrimitiveList/nonMergingIntList":[2]}"#,
            want: Want::Doc(r#"{"nonMergingIntList":[1,3]}"#),
        },
        Case {
            name: "$deleteFromPrimitiveList with additions and an order",
            doc: r#"{"mergingIntList":[1,2,3,4]}"#,
            patch: r#"{"$setElementOrder/mergingIntList":[1,2,4],"$deleteFromPrimitiveList/mergingIntList":[3]}"#,
            want: Want::Doc(r#"{"mergingIntList":[1,2,4]}"#),
        },
        Case {
            name: "$setElementOrder puts patch items in order, server-only items where they were",
            doc: r#"{"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2},{"name":7},{"name":9},{"name":8},{"name":3,"value":3},{"name":4,"value":4}]}"#,
            patch: r#"{"$setElementOrder/mergingList":[{"name":2},{"name":1},{"name":4},{"name":3}]}"#,
            want: Want::Doc(
                r#"{"mergingList":[{"name":2,"value":2},{"name":1,"other":"a"},{"name":7},{"name":9},{"name":8},{"name":4,"value":4},{"name":3,"value":3}]}"#,
            ),
        },
        Case {
            name: "$setElementOrder with a trailing server-only item",
            doc: r#"{"mergingList":[{"name":1,"other":"a"},{"name":3,"value":3},{"name":4,"value":4},{"name":2,"value":2},{"name":9}]}"#,
            patch: r#"{"$setElementOrder/mergingList":[{"name":4},{"name":2},{"name":3},{"name":1}]}"#,
            want: Want::Doc(
                r#"{"mergingList":[{"name":4,"value":4},{"name":2,"value":2},{"name":3,"value":3},{"name":1,"other":"a"},{"name":9}]}"#,
            ),
        },
        Case {
            name: "$setElementOrder with a new item",
            doc: r#"{"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]}"#,
            patch: r#"{"$setElementOrder/mergingList":[{"name":3},{"name":1},{"name":2}],"mergingList":[{"name":3,"value":3}]}"#,
            want: Want::Doc(
                r#"{"mergingList":[{"name":3,"value":3},{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]}"#,
            ),
        },
        Case {
            name: "$setElementOrder on a list of ints",
            doc: r#"{"mergingIntList":[1,4,2]}"#,
            patch: r#"{"$setElementOrder/mergingIntList":[3,1,2],"mergingIntList":[3]}"#,
            want: Want::Doc(r#"{"mergingIntList":[3,1,4,2]}"#),
        },
        Case {
            name: "$setElementOrder naming items the list does not have",
            doc: r#"{"mergingIntList":[1,3]}"#,
            patch: r#"{"$setElementOrder/mergingIntList":[3,2,1]}"#,
            want: Want::Doc(r#"{"mergingIntList":[3,1]}"#),
        },
        Case {
            name: "$setElementOrder with duplicate keys in the live list",
            doc: r#"{"mergingList":[{"name":1},{"name":2,"value":"dup1"},{"name":3},{"name":2,"value":"dup2"},{"name":4}]}"#,
            patch: r#"{"$setElementOrder/mergingList":[{"name":2},{"name":1},{"name":4},{"name":3},{"name":2}]}"#,
            want: Want::Doc(
                r#"{"mergingList":[{"name":2,"value":"dup1"},{"name":2,"value":"dup2"},{"name":1},{"name":4},{"name":3}]}"#,
            ),
        },
        Case {
            name: "$setElementOrder for a list the object does not have adds it",
            doc: r#"{"name":"n"}"#,
            patch: r#"{"$setElementOrder/mergingList":[{"name":"b"},{"name":"a"}],"mergingList":[{"name":"b"},{"name":"a"}]}"#,
            want: Want::Doc(r#"{"name":"n","mergingList":[{"name":"b"},{"name":"a"}]}"#),
        },
        Case {
            name: "$setElementOrder that contradicts the patch list",
            doc: r#"{"mergingList":[{"name":1},{"name":3},{"name":2}]}"#,
            patch: r#"{"$setElementOrder/mergingList":[{"name":1},{"name":2},{"name":3}],"mergingList":[{"name":3,"value":3},{"name":1,"value":1}]}"#,
            want: Want::Err(
                500,
                "The order in patch list:\n[map[name:3 value:3] map[name:1 value:1]]\n doesn't match $setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]\n",
            ),
        },
        Case {
            name: "$retainKeys clears the keys it does not list",
            doc: r#"{"retainKeysMap":{"value":"foo","name":"n"}}"#,
            patch: r#"{"retainKeysMap":{"$retainKeys":["other"],"other":"bar"}}"#,
            want: Want::Doc(r#"{"retainKeysMap":{"other":"bar"}}"#),
        },
        Case {
            name: "$retainKeys in a merging list item",
            doc: r#"{"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a","other":"x"}]}"#,
            patch: r#"{"$setElementOrder/retainKeysMergingList":[{"name":"bar"},{"name":"foo"}],"retainKeysMergingList":[{"$retainKeys":["name","value"],"name":"foo"}]}"#,
            want: Want::Doc(
                r#"{"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a"}]}"#,
            ),
        },
        Case {
            name: "$retainKeys must list every key the patch sets",
            doc: r#"{"retainKeysMap":{"value":"foo"}}"#,
            patch: r#"{"retainKeysMap":{"$retainKeys":["other"],"name":"x"}}"#,
            want: Want::Err(400, "invalid patch format of retainKeys"),
        },
        Case {
            name: "$retainKeys must be a list",
            doc: r#"{"retainKeysMap":{"value":"foo"}}"#,
            patch: r#"{"retainKeysMap":{"$retainKeys":"other"}}"#,
            want: Want::Err(400, "invalid patch format of retainKeys"),
        },
        Case {
            name: "a merging list item without its merge key",
            doc: r#"{"mergingList":[{"name":1,"value":"a"}]}"#,
            patch: r#"{"mergingList":[{"value":"b"}]}"#,
            want: Want::Err(
                500,
                "map: map[value:b] does not contain declared merge key: name",
            ),
        },
        Case {
            name: "a delete item without its merge key",
            doc: r#"{"mergingList":[{"name":1}]}"#,
            patch: r#"{"mergingList":[{"$patch":"delete"}]}"#,
            want: Want::Err(
                500,
                "map: map[$patch:delete] does not contain declared merge key: name",
            ),
        },
        Case {
            name: "an unknown $patch on a map",
            doc: r#"{"simpleMap":{"a":"1"}}"#,
            patch: r#"{"simpleMap":{"$patch":"frobnicate","b":"2"}}"#,
            want: Want::Err(
                500,
                "unknown patch type: frobnicate in map: map[$patch:frobnicate b:2]",
            ),
        },
        Case {
            name: "$patch: merge is not a directive for maps",
            doc: r#"{"simpleMap":{"a":"1"}}"#,
            patch: r#"{"simpleMap":{"$patch":"merge"}}"#,
            want: Want::Err(500, "unknown patch type: merge in map: map[$patch:merge]"),
        },
        Case {
            name: "a $patch that is not a string",
            doc: r#"{"name":"n"}"#,
            patch: r#"{"$patch":5}"#,
            want: Want::Err(
                500,
                "unknown patch type: %!s(int64=5) in map: map[$patch:5]",
            ),
        },
        Case {
            name: "an unknown $patch in a list item",
            doc: r#"{"mergingList":[{"name":1}]}"#,
            patch: r#"{"mergingList":[{"name":1,"$patch":"frobnicate"}]}"#,
            want: Want::Err(
                500,
                "unknown patch type: frobnicate in map: map[$patch:frobnicate name:1]",
            ),
        },
        Case {
            name: "$patch: merge in a list item",
            doc: r#"{"mergingList":[{"name":1}]}"#,
            patch: r#"{"mergingList":[{"name":1,"$patch":"merge"}]}"#,
            want: Want::Err(500, "merging lists cannot yet be specified in the patch"),
        },
        Case {
            name: "lists of lists",
            doc: r#"{"mergingIntList":[[1]]}"#,
            patch: r#"{"mergingIntList":[[2]]}"#,
            want: Want::Err(422, "lists of lists are not supported"),
        },
        Case {
            name: "items of different types in a merging list",
            doc: r#"{"mergingIntList":[1,2]}"#,
            patch: r#"{"mergingIntList":["a"]}"#,
            want: Want::Err(500, "list element types are not identical: [[1 2] [a]]"),
        },
        Case {
            name: "maps in a list of scalars",
            doc: r#"{"mergingIntList":[{"a":1}]}"#,
            patch: r#"{"mergingIntList":[{"a":2}]}"#,
            want: Want::Err(500, "cannot merge lists without merge key for string"),
        },
        Case {
            name: "scalars in a keyed list",
            doc: r#"{"mergingList":["a"]}"#,
            patch: r#"{"mergingList":["b"]}"#,
            want: Want::Err(
                500,
                "expected a map[string]interface {}, but received a string",
            ),
        },
        Case {
            name: "a malformed $deleteFromPrimitiveList key",
            doc: r#"{"mergingIntList":[1]}"#,
            patch: r#"{"$deleteFromPrimitiveListX/mergingIntList":[1]}"#,
            want: Want::Err(400, "invalid patch format of primitive list"),
        },
        Case {
            name: "a malformed $setElementOrder key",
            doc: r#"{"mergingIntList":[1]}"#,
            patch: r#"{"$setElementOrderX/mergingIntList":[1]}"#,
            want: Want::Err(400, "invalid patch format of setElementOrder list"),
        },
        Case {
            name: "$setElementOrder that is not a list",
            doc: r#"{"mergingIntList":[1]}"#,
            patch: r#"{"$setElementOrder/mergingIntList":"1"}"#,
            want: Want::Err(500, "expected a []interface {}, but received a string"),
        },
        Case {
            name: "$setElementOrder for a field that is not a list",
            doc: r#"{"simpleMap":{"a":"1"}}"#,
            patch: r#"{"$setElementOrder/simpleMap":["a"]}"#,
            want: Want::Err(
                500,
                "expected a []interface {}, but received a map[string]interface {}",
            ),
        },
        Case {
            name: "a patch that is an array",
            doc: r#"{"name":"n"}"#,
            patch: r#"[{"name":"m"}]"#,
            want: Want::Err(
                400,
                "json: cannot unmarshal array into Go value of type map[string]interface {}",
            ),
        },
        Case {
            name: "a patch that is not JSON",
            doc: r#"{"name":"n"}"#,
            patch: r#"{"name":"m",}"#,
            want: Want::Err(
                400,
                "invalid character '}' looking for beginning of object key string",
            ),
        },
        Case {
            name: "a null patch changes nothing",
            doc: r#"{"name":"n"}"#,
            patch: "null",
            want: Want::Doc(r#"{"name":"n"}"#),
        },
    ];
    run(&cases, smp);
}

#[test]
fn deduced_shapes_merge_like_a_merge_patch() {
    let doc = json(r#"{"spec":{"list":[1,2],"map":{"a":1,"b":2}}}"#);
    let patch = br#"{"spec":{"list":[3],"map":{"a":null,"$patch":"replace"}}}"#;
    let got = strategic_merge_patch(&doc, patch, &Shape::Deduced).expect("applies");
    // Lists replace; `$patch` is an ordinary key; null deletes.
    assert_eq!(
        got,
        json(r#"{"spec":{"list":[3],"map":{"b":2,"$patch":"replace"}}}"#)
    );

    // A deduced field inside a typed object merges the same way.
    let shape = Shape::object([("name", Shape::Scalar), ("spec", Shape::Deduced)]);
    let doc = json(r#"{"name":"n","spec":{"l":[{"name":"a"}]}}"#);
    let got =
        strategic_merge_patch(&doc, br#"{"spec":{"l":[{"name":"b"}]}}"#, &shape).expect("applies");
    assert_eq!(got, json(r#"{"name":"n","spec":{"l":[{"name":"b"}]}}"#));
}

#[test]
fn strategic_merge_patch_keeps_member_order() {
    let doc = json(r#"{"value":"1","name":"n","simpleMap":{"z":"1","a":"2"}}"#);
    let got = smp(&doc, br#"{"simpleMap":{"m":"3","z":"0"},"other":"o"}"#).expect("applies");
    assert_same_text(
        &got,
        r#"{"value":"1","name":"n","simpleMap":{"z":"0","a":"2","m":"3"},"other":"o"}"#,
    );
}

#[test]
fn strategic_errors_map_to_statuses() {
    let doc = json(r#"{"mergingList":[{"name":1}]}"#);
    let err = smp(&doc, br#"{"mergingList":[{"name":1,"$patch":"bogus"}]}"#)
        .expect_err("unknown directive");
    // The API server reports errors it does not classify as 500 with no reason.
    assert_eq!((err.status_code(), err.reason()), (500, ""));
    assert_eq!(
        err.message(),
        "unknown patch type: bogus in map: map[$patch:bogus name:1]"
    );

    let err = smp(&doc, br#"{"mergingIntList":[[1]],"x":1}"#);
    assert!(
        err.is_ok(),
        "a list of lists is only an error when it merges: {err:?}"
    );
    let doc = json(r#"{"mergingIntList":[[1]]}"#);
    let err = smp(&doc, br#"{"mergingIntList":[[2]]}"#).expect_err("lists of lists");
    assert_eq!((err.status_code(), err.reason()), (422, "Invalid"));
    assert_eq!(err.message(), crate::patch::GENERIC_422_MESSAGE);
}
