//! JSON merge patch (`application/merge-patch+json`) cases.

use super::{Case, Want, assert_same_text, json, run};
use crate::patch::merge_patch;

#[test]
fn merge_patch_table() {
    let cases = [
        Case {
            name: "set, change and delete labels",
            doc: r#"{"metadata":{"name":"a","labels":{"app":"web","tier":"front"}}}"#,
            patch: r#"{"metadata":{"labels":{"app":"api","tier":null,"team":"x"}}}"#,
            want: Want::Doc(r#"{"metadata":{"name":"a","labels":{"app":"api","team":"x"}}}"#),
        },
        Case {
            name: "kubectl label pod web tier=front (recorded body)",
            doc: r#"{"metadata":{"name":"web","labels":{"app":"web"}}}"#,
            patch: r#"{"metadata":{"labels":{"tier":"front"}}}"#,
            want: Want::Doc(r#"{"metadata":{"name":"web","labels":{"app":"web","tier":"front"}}}"#),
        },
        Case {
            name: "kubectl annotate pod web other- (recorded body)",
            doc: r#"{"metadata":{"name":"web","annotations":{"other":"x","keep":"y"}}}"#,
            patch: r#"{"metadata":{"annotations":{"other":null}}}"#,
            want: Want::Doc(r#"{"metadata":{"name":"web","annotations":{"keep":"y"}}}"#),
        },
        Case {
            name: "lists are replaced whole",
            doc: r#"{"spec":{"dnsNames":["a","b"]}}"#,
            patch: r#"{"spec":{"dnsNames":["c"]}}"#,
            want: Want::Doc(r#"{"spec":{"dnsNames":["c"]}}"#),
        },
        Case {
            name: "null deletes a whole subtree",
            doc: r#"{"spec":{"a":{"b":1}},"status":{"x":1}}"#,
            patch: r#"{"status":null}"#,
            want: Want::Doc(r#"{"spec":{"a":{"b":1}}}"#),
        },
        Case {
            name: "deleting a missing member is a no-op",
            doc: r#"{"a":1}"#,
            patch: r#"{"b":null}"#,
            want: Want::Doc(r#"{"a":1}"#),
        },
        Case {
            name: "a new object has its nulls pruned at every depth",
            doc: r#"{"spec":{}}"#,
            patch: r#"{"spec":{"x":{"y":null,"z":{"w":null,"v":1}}}}"#,
            want: Want::Doc(r#"{"spec":{"x":{"z":{"v":1}}}}"#),
        },
        Case {
            name: "a list replacing a list has the nulls of its objects pruned",
            doc: r#"{"spec":{"l":[{"a":1}]}}"#,
            patch: r#"{"spec":{"l":[{"a":null,"b":2},null]}}"#,
            want: Want::Doc(r#"{"spec":{"l":[{"b":2},null]}}"#),
        },
        Case {
            name: "a list replacing an object is taken as it is",
            doc: r#"{"spec":{"l":{"a":1}}}"#,
            patch: r#"{"spec":{"l":[{"a":null}]}}"#,
            want: Want::Doc(r#"{"spec":{"l":[{"a":null}]}}"#),
        },
        Case {
            name: "an object replacing a scalar",
            doc: r#"{"spec":{"x":"s"}}"#,
            patch: r#"{"spec":{"x":{"a":1,"b":null}}}"#,
            want: Want::Doc(r#"{"spec":{"x":{"a":1}}}"#),
        },
        Case {
            name: "kube-runtime's event series update",
            doc: r#"{"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"e"},"reason":"Issued","series":null}"#,
            patch: r#"{"series":{"count":2,"lastObservedTime":"2025-01-01T00:00:00.000000Z"}}"#,
            want: Want::Doc(
                r#"{"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"e"},"reason":"Issued","series":{"count":2,"lastObservedTime":"2025-01-01T00:00:00.000000Z"}}"#,
            ),
        },
        Case {
            name: "kubectl apply of a custom resource (merge patch with last-applied)",
            doc: r#"{"apiVersion":"cert-manager.io/v1","kind":"Certificate","metadata":{"name":"c","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}\n"}},"spec":{"dnsNames":["a.example"],"secretName":"c-tls","duration":"2160h"}}"#,
            patch: r#"{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"spec\":{\"dnsNames\":[\"a.example\",\"b.example\"]}}\n"}},"spec":{"dnsNames":["a.example","b.example"],"duration":null}}"#,
            want: Want::Doc(
                r#"{"apiVersion":"cert-manager.io/v1","kind":"Certificate","metadata":{"name":"c","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"spec\":{\"dnsNames\":[\"a.example\",\"b.example\"]}}\n"}},"spec":{"dnsNames":["a.example","b.example"],"secretName":"c-tls"}}"#,
            ),
        },
        Case {
            name: "an empty patch changes nothing",
            doc: r#"{"a":{"b":1}}"#,
            patch: "{}",
            want: Want::Doc(r#"{"a":{"b":1}}"#),
        },
        Case {
            name: "a null patch",
            doc: r#"{"a":1}"#,
            patch: "null",
            want: Want::Err(400, "Invalid JSON Patch"),
        },
        Case {
            name: "a scalar patch",
            doc: r#"{"a":1}"#,
            patch: "5",
            want: Want::Err(400, "Invalid JSON Patch"),
        },
        Case {
            name: "a patch that is not JSON",
            doc: r#"{"a":1}"#,
            patch: "{a:1}",
            want: Want::Err(400, "Invalid JSON Patch"),
        },
        Case {
            name: "an empty body",
            doc: r#"{"a":1}"#,
            patch: "",
            want: Want::Err(400, "Invalid JSON Patch"),
        },
        Case {
            name: "a patch that is an array replaces the document, which is then invalid",
            doc: r#"{"a":1}"#,
            patch: r#"[{"a":null}]"#,
            want: Want::Err(
                422,
                r#"patch: Invalid value: "[{}]": couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\"apiVersion,omitempty\""; Kind string "json:\"kind,omitempty\"" }"#,
            ),
        },
    ];
    run(&cases, merge_patch);
}

#[test]
fn merge_patch_keeps_member_order() {
    let doc = json(r#"{"b":1,"a":{"y":1,"x":2},"c":3}"#);
    let got = merge_patch(&doc, br#"{"a":{"x":5,"z":0},"d":4}"#).expect("applies");
    assert_same_text(&got, r#"{"b":1,"a":{"y":1,"x":5,"z":0},"c":3,"d":4}"#);
}
