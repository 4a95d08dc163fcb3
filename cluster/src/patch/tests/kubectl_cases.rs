//! The strategic merge patches kubectl sends, applied with the built-in shapes:
//! `kubectl patch --type strategic`, client-side `kubectl apply` (with
//! `$setElementOrder`, `$retainKeys`, `$deleteFromPrimitiveList` and the
//! `kubectl.kubernetes.io/last-applied-configuration` annotation), and the status
//! patches controllers send.

use serde_json::Value;

use super::{Case, Want, run};
use crate::builtin_shapes::shape_for;
use crate::patch::{PatchError, strategic_merge_patch};

fn smp_for(kind: &'static str) -> impl Fn(&Value, &[u8]) -> Result<Value, PatchError> {
    move |doc, patch| {
        let shape = shape_for("", "v1", kind).expect("built-in kind");
        strategic_merge_patch(doc, patch, &shape)
    }
}

const POD: &str = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
"spec":{"containers":[
  {"name":"app","image":"app:v1","ports":[{"containerPort":8080,"protocol":"TCP"}],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"volumeMounts":[{"name":"data","mountPath":"/data"}]},
  {"name":"sidecar","image":"proxy:v1"}],
"volumes":[{"name":"data","emptyDir":{}}],
"tolerations":[{"key":"a","operator":"Exists"}],
"imagePullSecrets":[{"name":"reg1"}]}}"#;

#[test]
fn kubectl_patch_on_pods() {
    let cases = [
        Case {
            name: "kubectl patch: change one container's image",
            doc: POD,
            patch: r#"{"spec":{"containers":[{"name":"sidecar","image":"proxy:v2"}]}}"#,
            want: Want::Doc(
                r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
"spec":{"containers":[
  {"name":"app","image":"app:v1","ports":[{"containerPort":8080,"protocol":"TCP"}],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"volumeMounts":[{"name":"data","mountPath":"/data"}]},
  {"name":"sidecar","image":"proxy:v2"}],
"volumes":[{"name":"data","emptyDir":{}}],
"tolerations":[{"key":"a","operator":"Exists"}],
"imagePullSecrets":[{"name":"reg1"}]}}"#,
            ),
        },
        Case {
            name: "kubectl patch: add a container (it goes first) and an env var",
            doc: r#"{"spec":{"containers":[{"name":"app","image":"app:v1","env":[{"name":"A","value":"1"}]}]}}"#,
            patch: r#"{"spec":{"containers":[{"name":"debug","image":"busybox"},{"name":"app","env":[{"name":"C","value":"3"}]}]}}"#,
            want: Want::Doc(
                r#"{"spec":{"containers":[{"name":"debug","image":"busybox"},{"name":"app","image":"app:v1","env":[{"name":"C","value":"3"},{"name":"A","value":"1"}]}]}}"#,
            ),
        },
        Case {
            name: "kubectl patch: delete a container with $patch: delete",
            doc: r#"{"spec":{"containers":[{"name":"app","image":"app:v1"},{"name":"sidecar","image":"proxy:v1"}]}}"#,
            patch: r#"{"spec":{"containers":[{"$patch":"delete","name":"sidecar"}]}}"#,
            want: Want::Doc(r#"{"spec":{"containers":[{"name":"app","image":"app:v1"}]}}"#),
        },
        Case {
            name: "kubectl patch: tolerations are replaced whole",
            doc: r#"{"spec":{"tolerations":[{"key":"a","operator":"Exists"}]}}"#,
            patch: r#"{"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}}"#,
            want: Want::Doc(r#"{"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}}"#),
        },
        Case {
            name: "kubectl patch: image pull secrets merge by name",
            doc: r#"{"spec":{"imagePullSecrets":[{"name":"reg1"}]}}"#,
            patch: r#"{"spec":{"imagePullSecrets":[{"name":"reg2"}]}}"#,
            want: Want::Doc(r#"{"spec":{"imagePullSecrets":[{"name":"reg2"},{"name":"reg1"}]}}"#),
        },
        Case {
            name: "ports merge on containerPort alone, so a protocol change rewrites the port",
            doc: r#"{"spec":{"containers":[{"name":"dns","ports":[{"containerPort":53,"protocol":"TCP"}]}]}}"#,
            patch: r#"{"spec":{"containers":[{"name":"dns","ports":[{"containerPort":53,"protocol":"UDP"}]}]}}"#,
            want: Want::Doc(
                r#"{"spec":{"containers":[{"name":"dns","ports":[{"containerPort":53,"protocol":"UDP"}]}]}}"#,
            ),
        },
        Case {
            name: "labels and annotations merge key by key",
            doc: r#"{"metadata":{"labels":{"app":"web","tier":"front"},"annotations":{"a":"1"}}}"#,
            patch: r#"{"metadata":{"labels":{"tier":null,"team":"x"},"annotations":{"b":"2"}}}"#,
            want: Want::Doc(
                r#"{"metadata":{"labels":{"app":"web","team":"x"},"annotations":{"a":"1","b":"2"}}}"#,
            ),
        },
        Case {
            name: "finalizers merge as a set",
            doc: r#"{"metadata":{"finalizers":["a","b"]}}"#,
            patch: r#"{"metadata":{"finalizers":["b","c"]}}"#,
            want: Want::Doc(r#"{"metadata":{"finalizers":["a","b","c"]}}"#),
        },
        Case {
            name: "owner references merge by uid",
            doc: r#"{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"a","uid":"1"}]}}"#,
            patch: r#"{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"b","uid":"2"}]}}"#,
            want: Want::Doc(
                r#"{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"b","uid":"2"},{"apiVersion":"v1","kind":"ConfigMap","name":"a","uid":"1"}]}}"#,
            ),
        },
        Case {
            name: "a status patch updates one condition by type",
            doc: r#"{"status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"False","reason":"ContainersNotReady"}]}}"#,
            patch: r#"{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True","reason":null}]}}"#,
            want: Want::Doc(
                r#"{"status":{"phase":"Running","conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"True"}]}}"#,
            ),
        },
        Case {
            name: "a container without its name",
            doc: r#"{"spec":{"containers":[{"name":"app"}]}}"#,
            patch: r#"{"spec":{"containers":[{"image":"x"}]}}"#,
            want: Want::Err(
                500,
                "map: map[image:x] does not contain declared merge key: name",
            ),
        },
    ];
    run(&cases, smp_for("Pod"));
}

/// A client-side `kubectl apply` of a changed manifest: new image, env var B removed,
/// the volume switched from emptyDir to a config map (so `$retainKeys`), a finalizer
/// swapped, and the new last-applied annotation. The patch is the body kubectl
/// v1.32.4 sent, recorded byte for byte.
#[test]
fn kubectl_apply_three_way_patch() {
    let live = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default",
"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"old\":true}\n","other":"x"},
"finalizers":["example.com/a","example.com/keep"]},
"spec":{"containers":[{"name":"app","image":"app:v1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
"volumeMounts":[{"name":"data","mountPath":"/data"}],"terminationMessagePath":"/dev/termination-log"}],
"volumes":[{"name":"data","emptyDir":{}},{"name":"extra","emptyDir":{}}]}}"#;
    let patch = r#"{"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/a"],"$setElementOrder/finalizers":["example.com/keep","example.com/b"],"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\":{},\"finalizers\":[\"example.com/keep\",\"example.com/b\"],\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"env\":[{\"name\":\"A\",\"value\":\"1\"}],\"image\":\"app:v2\",\"name\":\"app\",\"volumeMounts\":[{\"mountPath\":\"/data\",\"name\":\"data\"}]}],\"volumes\":[{\"configMap\":{\"name\":\"cfg\"},\"name\":\"data\"},{\"emptyDir\":{},\"name\":\"extra\"}]}}\n"},"finalizers":["example.com/b"]},"spec":{"$setElementOrder/containers":[{"name":"app"}],"$setElementOrder/volumes":[{"name":"data"},{"name":"extra"}],"containers":[{"$setElementOrder/env":[{"name":"A"}],"env":[{"$patch":"delete","name":"B"}],"image":"app:v2","name":"app"}],"volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"cfg"},"emptyDir":null,"name":"data"}]}}"#;
    let want = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default",
"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\":{},\"finalizers\":[\"example.com/keep\",\"example.com/b\"],\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"env\":[{\"name\":\"A\",\"value\":\"1\"}],\"image\":\"app:v2\",\"name\":\"app\",\"volumeMounts\":[{\"mountPath\":\"/data\",\"name\":\"data\"}]}],\"volumes\":[{\"configMap\":{\"name\":\"cfg\"},\"name\":\"data\"},{\"emptyDir\":{},\"name\":\"extra\"}]}}\n","other":"x"},
"finalizers":["example.com/keep","example.com/b"]},
"spec":{"containers":[{"name":"app","image":"app:v2","env":[{"name":"A","value":"1"}],
"volumeMounts":[{"name":"data","mountPath":"/data"}],"terminationMessagePath":"/dev/termination-log"}],
"volumes":[{"name":"data","configMap":{"name":"cfg"}},{"name":"extra","emptyDir":{}}]}}"#;
    run(
        &[Case {
            name: "kubectl apply",
            doc: live,
            patch,
            want: Want::Doc(want),
        }],
        smp_for("Pod"),
    );
}

/// Other bodies recorded from kubectl v1.32.4: `kubectl set image`, `kubectl set env`,
/// and `kubectl apply` of a Service and of a ConfigMap that lacked the last-applied
/// annotation.
#[test]
fn recorded_kubectl_patches() {
    let pods = [
        Case {
            name: "kubectl set image pod/web app=app:v3",
            doc: r#"{"spec":{"containers":[{"name":"app","image":"app:v1"},{"name":"side","image":"s"}]}}"#,
            patch: r#"{"spec":{"$setElementOrder/containers":[{"name":"app"}],"containers":[{"image":"app:v3","name":"app"}]}}"#,
            want: Want::Doc(
                r#"{"spec":{"containers":[{"name":"app","image":"app:v3"},{"name":"side","image":"s"}]}}"#,
            ),
        },
        Case {
            name: "kubectl set env pod/web C=3 B-",
            doc: r#"{"spec":{"containers":[{"name":"app","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}"#,
            patch: r#"{"spec":{"$setElementOrder/containers":[{"name":"app"}],"containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"C"}],"env":[{"name":"C","value":"3"},{"$patch":"delete","name":"B"}],"name":"app"}]}}"#,
            want: Want::Doc(
                r#"{"spec":{"containers":[{"name":"app","env":[{"name":"A","value":"1"},{"name":"C","value":"3"}]}]}}"#,
            ),
        },
    ];
    run(&pods, smp_for("Pod"));

    let services = [Case {
        name: "kubectl apply: a new port, a changed target port, a selector label",
        doc: r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}\n"}},"spec":{"selector":{"app":"web"},"ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"}],"clusterIP":"10.0.0.10","type":"ClusterIP"}}"#,
        patch: r#"{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"name\":\"https\",\"port\":443,\"targetPort\":8443},{\"name\":\"http\",\"port\":80,\"targetPort\":9090}],\"selector\":{\"app\":\"web\",\"tier\":\"front\"}}}\n"}},"spec":{"$setElementOrder/ports":[{"port":443},{"port":80}],"ports":[{"name":"https","port":443,"targetPort":8443},{"port":80,"targetPort":9090}],"selector":{"tier":"front"}}}"#,
        want: Want::Doc(
            r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"name\":\"https\",\"port\":443,\"targetPort\":8443},{\"name\":\"http\",\"port\":80,\"targetPort\":9090}],\"selector\":{\"app\":\"web\",\"tier\":\"front\"}}}\n"}},"spec":{"selector":{"app":"web","tier":"front"},"ports":[{"name":"https","port":443,"targetPort":8443},{"name":"http","port":80,"targetPort":9090,"protocol":"TCP"}],"clusterIP":"10.0.0.10","type":"ClusterIP"}}"#,
        ),
    }];
    run(&services, smp_for("Service"));

    let config_maps = [Case {
        name: "kubectl apply on a config map without last-applied: additions only",
        doc: r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"default","resourceVersion":"3"},"data":{"a":"1","b":"2"}}"#,
        patch: r#"{"data":{"c":"3"},"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"data\":{\"a\":\"1\",\"c\":\"3\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"cfg\",\"namespace\":\"default\"}}\n"}}}"#,
        want: Want::Doc(
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"default","resourceVersion":"3","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"data\":{\"a\":\"1\",\"c\":\"3\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"cfg\",\"namespace\":\"default\"}}\n"}},"data":{"a":"1","b":"2","c":"3"}}"#,
        ),
    }];
    run(&config_maps, smp_for("ConfigMap"));
}

#[test]
fn kubectl_apply_reorders_with_set_element_order() {
    let cases = [Case {
        name: "kubectl apply moves a new container to where the manifest has it",
        doc: r#"{"spec":{"containers":[{"name":"a","image":"a"},{"name":"b","image":"b"}]}}"#,
        patch: r#"{"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"c"},{"name":"b"}],"containers":[{"name":"c","image":"c"}]}}"#,
        want: Want::Doc(
            r#"{"spec":{"containers":[{"name":"a","image":"a"},{"name":"c","image":"c"},{"name":"b","image":"b"}]}}"#,
        ),
    }];
    run(&cases, smp_for("Pod"));
}

#[test]
fn kubectl_patch_on_services() {
    let services = [
        Case {
            name: "add a service port (merged on port)",
            doc: r#"{"spec":{"ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":8080}],"selector":{"app":"web"}}}"#,
            patch: r#"{"spec":{"ports":[{"name":"https","port":443,"targetPort":8443},{"port":80,"targetPort":9090}]}}"#,
            want: Want::Doc(
                r#"{"spec":{"ports":[{"name":"https","port":443,"targetPort":8443},{"name":"http","port":80,"protocol":"TCP","targetPort":9090}],"selector":{"app":"web"}}}"#,
            ),
        },
        Case {
            name: "the selector is a map to strategic merge patch (mapType is for apply)",
            doc: r#"{"spec":{"selector":{"app":"web"}}}"#,
            patch: r#"{"spec":{"selector":{"tier":"front"}}}"#,
            want: Want::Doc(r#"{"spec":{"selector":{"app":"web","tier":"front"}}}"#),
        },
        Case {
            name: "cluster IPs are replaced",
            doc: r#"{"spec":{"clusterIPs":["10.0.0.1"]}}"#,
            patch: r#"{"spec":{"clusterIPs":["10.0.0.2"]}}"#,
            want: Want::Doc(r#"{"spec":{"clusterIPs":["10.0.0.2"]}}"#),
        },
    ];
    run(&services, smp_for("Service"));
}
