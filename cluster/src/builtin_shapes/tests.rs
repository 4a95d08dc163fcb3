//! Tests that each built-in shape carries the merge keys and list types of the Go
//! struct tags.

use super::{object_meta_shape, shape_for};
use crate::shape::{ListKind, ListShape, ObjectShape, Shape};

/// Walks a dotted path: `spec.containers[].ports` (`[]` steps into list items).
fn at<'a>(shape: &'a Shape, path: &str) -> &'a Shape {
    let mut cur = shape;
    for step in path.split('.') {
        let (name, items) = match step.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (step, false),
        };
        cur = cur
            .field(name)
            .unwrap_or_else(|| panic!("no field {name:?} in path {path:?}"));
        if items {
            cur = cur
                .items()
                .unwrap_or_else(|| panic!("{name:?} in path {path:?} is not a list"));
        }
    }
    cur
}

fn list<'a>(shape: &'a Shape, path: &str) -> &'a ListShape {
    match at(shape, path) {
        Shape::List(l) => l,
        other => panic!("{path} is not a list: {other:?}"),
    }
}

fn object<'a>(shape: &'a Shape, path: &str) -> &'a ObjectShape {
    match at(shape, path) {
        Shape::Object(o) => o,
        other => panic!("{path} is not an object: {other:?}"),
    }
}

/// Asserts a list's apply keys and strategic merge key.
fn assert_keyed(shape: &Shape, path: &str, apply_keys: &[&str], merge_key: Option<&str>) {
    let l = list(shape, path);
    assert_eq!(
        l.kind,
        ListKind::Map {
            keys: apply_keys.iter().map(|k| k.to_string()).collect()
        },
        "{path}: apply keys"
    );
    assert_eq!(
        l.strategic.as_ref().map(|s| s.merge_key.as_deref()),
        Some(merge_key),
        "{path}: strategic merge key"
    );
}

/// Asserts an atomic list that strategic merge patch replaces.
fn assert_atomic(shape: &Shape, path: &str) {
    let l = list(shape, path);
    assert_eq!(l.kind, ListKind::Atomic, "{path}");
    assert_eq!(l.strategic, None, "{path}");
}

fn pod() -> Shape {
    shape_for("", "v1", "Pod").expect("pod shape")
}

#[test]
fn object_meta_has_the_documented_semantics() {
    let meta = object_meta_shape();
    assert_eq!(at(&meta, "labels"), &Shape::map(Shape::Scalar));
    assert_eq!(at(&meta, "annotations"), &Shape::map(Shape::Scalar));
    assert_eq!(at(&meta, "finalizers"), &Shape::set());
    assert_keyed(&meta, "ownerReferences", &["uid"], Some("uid"));
    assert!(object(&meta, "ownerReferences[]").atomic);
    assert_atomic(&meta, "managedFields");
    assert_eq!(at(&meta, "managedFields[].fieldsV1"), &Shape::Deduced);
    for scalar in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "generation",
        "deletionTimestamp",
    ] {
        assert_eq!(at(&meta, scalar), &Shape::Scalar, "{scalar}");
    }
}

#[test]
fn every_kind_has_type_meta_and_object_meta() {
    let kinds = [
        ("", "Namespace"),
        ("", "Secret"),
        ("", "ConfigMap"),
        ("", "Service"),
        ("", "Endpoints"),
        ("", "Pod"),
        ("", "ServiceAccount"),
        ("", "Event"),
        ("events.k8s.io", "Event"),
        ("networking.k8s.io", "Ingress"),
        ("networking.k8s.io", "IngressClass"),
        ("coordination.k8s.io", "Lease"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ];
    for (group, kind) in kinds {
        let shape = shape_for(group, "v1", kind).unwrap_or_else(|| panic!("{group}/{kind}"));
        assert_eq!(at(&shape, "apiVersion"), &Shape::Scalar);
        assert_eq!(at(&shape, "kind"), &Shape::Scalar);
        assert_eq!(
            at(&shape, "metadata"),
            &object_meta_shape(),
            "{group}/{kind}"
        );
    }
    assert!(shape_for("apps", "v1", "Deployment").is_none());
    assert!(shape_for("", "v2", "Pod").is_none());
    assert!(shape_for("cert-manager.io", "v1", "Certificate").is_none());
}

#[test]
fn pod_containers_merge_by_name() {
    let pod = pod();
    for containers in [
        "spec.containers",
        "spec.initContainers",
        "spec.ephemeralContainers",
    ] {
        assert_keyed(&pod, containers, &["name"], Some("name"));
        let c = format!("{containers}[]");
        // SSA keys ports by port and protocol; SMP merges on containerPort alone.
        assert_keyed(
            &pod,
            &format!("{c}.ports"),
            &["containerPort", "protocol"],
            Some("containerPort"),
        );
        assert_keyed(&pod, &format!("{c}.env"), &["name"], Some("name"));
        assert_keyed(
            &pod,
            &format!("{c}.volumeMounts"),
            &["mountPath"],
            Some("mountPath"),
        );
        assert_keyed(
            &pod,
            &format!("{c}.volumeDevices"),
            &["devicePath"],
            Some("devicePath"),
        );
        assert_atomic(&pod, &format!("{c}.command"));
        assert_atomic(&pod, &format!("{c}.args"));
        assert_atomic(&pod, &format!("{c}.envFrom"));
        assert_atomic(&pod, &format!("{c}.resizePolicy"));
        assert_atomic(&pod, &format!("{c}.securityContext.capabilities.add"));
        assert_atomic(&pod, &format!("{c}.livenessProbe.httpGet.httpHeaders"));
        assert_atomic(&pod, &format!("{c}.lifecycle.preStop.exec.command"));
        assert_eq!(
            at(&pod, &format!("{c}.resources.claims")),
            &super::apply_keyed(
                Shape::object([("name", Shape::Scalar), ("request", Shape::Scalar)]),
                &["name"]
            ),
        );
        assert!(object(&pod, &format!("{c}.env[].valueFrom.secretKeyRef")).atomic);
    }
    assert_eq!(
        at(&pod, "spec.ephemeralContainers[].targetContainerName"),
        &Shape::Scalar
    );
    assert!(
        at(&pod, "spec.containers[]")
            .field("targetContainerName")
            .is_none()
    );
}

#[test]
fn pod_volumes_merge_by_name_with_retain_keys() {
    let pod = pod();
    assert_keyed(&pod, "spec.volumes", &["name"], Some("name"));
    assert!(object(&pod, "spec.volumes[]").retain_keys);
    for source in [
        "hostPath",
        "emptyDir",
        "secret",
        "configMap",
        "persistentVolumeClaim",
        "projected",
        "downwardAPI",
        "csi",
        "ephemeral",
        "image",
        "nfs",
        "iscsi",
    ] {
        assert!(
            matches!(
                at(&pod, &format!("spec.volumes[].{source}")),
                Shape::Object(_)
            ),
            "{source}"
        );
    }
    assert_atomic(&pod, "spec.volumes[].secret.items");
    assert_atomic(&pod, "spec.volumes[].projected.sources");
    assert_atomic(&pod, "spec.volumes[].projected.sources[].configMap.items");
    assert_eq!(
        at(&pod, "spec.volumes[].csi.volumeAttributes"),
        &Shape::map(Shape::Scalar)
    );
    assert_eq!(
        at(
            &pod,
            "spec.volumes[].ephemeral.volumeClaimTemplate.metadata"
        ),
        &object_meta_shape()
    );
    assert_atomic(
        &pod,
        "spec.volumes[].ephemeral.volumeClaimTemplate.spec.accessModes",
    );
}

#[test]
fn pod_spec_lists() {
    let pod = pod();
    assert_atomic(&pod, "spec.tolerations");
    assert_keyed(&pod, "spec.imagePullSecrets", &["name"], Some("name"));
    assert_keyed(&pod, "spec.hostAliases", &["ip"], Some("ip"));
    assert_keyed(
        &pod,
        "spec.topologySpreadConstraints",
        &["topologyKey", "whenUnsatisfiable"],
        Some("topologyKey"),
    );
    assert_keyed(&pod, "spec.schedulingGates", &["name"], Some("name"));
    assert_keyed(&pod, "spec.resourceClaims", &["name"], Some("name"));
    assert!(object(&pod, "spec.resourceClaims[]").retain_keys);
    assert_atomic(&pod, "spec.readinessGates");
    assert_atomic(&pod, "spec.securityContext.sysctls");
    assert_atomic(&pod, "spec.securityContext.supplementalGroups");
    assert_atomic(&pod, "spec.dnsConfig.options");
    assert_atomic(
        &pod,
        "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
    );
    assert!(
        object(
            &pod,
            "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
        )
        .atomic
    );
    assert_atomic(
        &pod,
        "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution",
    );
    assert!(object(&pod, "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[].labelSelector").atomic);
    assert!(object(&pod, "spec.nodeSelector").atomic);
    assert_eq!(at(&pod, "spec.overhead"), &Shape::map(Shape::Scalar));
}

#[test]
fn pod_status_lists() {
    let pod = pod();
    assert_keyed(&pod, "status.conditions", &["type"], Some("type"));
    assert_keyed(&pod, "status.podIPs", &["ip"], Some("ip"));
    // Atomic for apply, merged on ip by strategic merge patch.
    let host_ips = list(&pod, "status.hostIPs");
    assert_eq!(host_ips.kind, ListKind::Atomic);
    assert_eq!(
        host_ips
            .strategic
            .as_ref()
            .and_then(|s| s.merge_key.as_deref()),
        Some("ip")
    );
    assert_atomic(&pod, "status.containerStatuses");
    assert_atomic(&pod, "status.initContainerStatuses");
    assert_keyed(
        &pod,
        "status.containerStatuses[].volumeMounts",
        &["mountPath"],
        Some("mountPath"),
    );
    assert_keyed(
        &pod,
        "status.resourceClaimStatuses",
        &["name"],
        Some("name"),
    );
}

#[test]
fn core_kinds() {
    let ns = shape_for("", "v1", "Namespace").expect("namespace");
    assert_atomic(&ns, "spec.finalizers");
    assert_keyed(&ns, "status.conditions", &["type"], Some("type"));

    let secret = shape_for("", "v1", "Secret").expect("secret");
    assert_eq!(at(&secret, "data"), &Shape::map(Shape::Scalar));
    assert_eq!(at(&secret, "stringData"), &Shape::map(Shape::Scalar));
    assert_eq!(at(&secret, "type"), &Shape::Scalar);

    let cm = shape_for("", "v1", "ConfigMap").expect("configmap");
    assert_eq!(at(&cm, "data"), &Shape::map(Shape::Scalar));
    assert_eq!(at(&cm, "binaryData"), &Shape::map(Shape::Scalar));

    let svc = shape_for("", "v1", "Service").expect("service");
    assert_keyed(&svc, "spec.ports", &["port", "protocol"], Some("port"));
    assert!(object(&svc, "spec.selector").atomic);
    assert_atomic(&svc, "spec.clusterIPs");
    assert_atomic(&svc, "spec.ipFamilies");
    assert_keyed(&svc, "status.conditions", &["type"], Some("type"));
    assert_atomic(&svc, "status.loadBalancer.ingress");

    let ep = shape_for("", "v1", "Endpoints").expect("endpoints");
    assert_atomic(&ep, "subsets");
    assert_atomic(&ep, "subsets[].addresses");
    assert!(object(&ep, "subsets[].addresses[]").atomic);
    assert_atomic(&ep, "subsets[].ports");

    let sa = shape_for("", "v1", "ServiceAccount").expect("serviceaccount");
    assert_keyed(&sa, "secrets", &["name"], Some("name"));
    assert_atomic(&sa, "imagePullSecrets");

    let event = shape_for("", "v1", "Event").expect("event");
    assert!(object(&event, "involvedObject").atomic);
    assert_eq!(at(&event, "series.count"), &Shape::Scalar);

    let event = shape_for("events.k8s.io", "v1", "Event").expect("events.k8s.io event");
    assert!(object(&event, "regarding").atomic);
    assert_eq!(at(&event, "series.lastObservedTime"), &Shape::Scalar);
    assert_eq!(at(&event, "note"), &Shape::Scalar);
}

#[test]
fn networking_and_coordination_kinds() {
    let ing = shape_for("networking.k8s.io", "v1", "Ingress").expect("ingress");
    assert_atomic(&ing, "spec.rules");
    assert_atomic(&ing, "spec.tls");
    assert_atomic(&ing, "spec.tls[].hosts");
    assert_atomic(&ing, "spec.rules[].http.paths");
    assert!(object(&ing, "spec.rules[].http.paths[].backend.service.port").atomic);
    assert_atomic(&ing, "status.loadBalancer.ingress");

    let class = shape_for("networking.k8s.io", "v1", "IngressClass").expect("ingressclass");
    assert_eq!(at(&class, "spec.parameters.kind"), &Shape::Scalar);

    let lease = shape_for("coordination.k8s.io", "v1", "Lease").expect("lease");
    assert_eq!(at(&lease, "spec.holderIdentity"), &Shape::Scalar);
    assert_eq!(at(&lease, "spec.renewTime"), &Shape::Scalar);
}

#[test]
fn crd_lists() {
    let crd = shape_for("apiextensions.k8s.io", "v1", "CustomResourceDefinition").expect("crd");
    // +listType=atomic in apiextensions v1, with no patch strategy.
    assert_atomic(&crd, "spec.versions");
    assert_atomic(&crd, "spec.names.shortNames");
    assert_atomic(&crd, "spec.versions[].additionalPrinterColumns");
    assert_atomic(&crd, "status.storedVersions");
    // Keyed for apply, replaced by strategic merge patch.
    let conditions = list(&crd, "status.conditions");
    assert_eq!(
        conditions.kind,
        ListKind::Map {
            keys: vec!["type".into()]
        }
    );
    assert_eq!(conditions.strategic, None);
    let schema = "spec.versions[].schema.openAPIV3Schema";
    assert_keyed(
        &crd,
        &format!("{schema}.x-kubernetes-validations"),
        &["rule"],
        Some("rule"),
    );
    assert_keyed(
        &crd,
        &format!("{schema}.properties.spec.properties.x.x-kubernetes-validations"),
        &["rule"],
        Some("rule"),
    );
    assert_atomic(&crd, &format!("{schema}.required"));
    assert_eq!(at(&crd, &format!("{schema}.default")), &Shape::Deduced);
    // Deep enough schemas are deduced.
    let deep = format!("{schema}.properties.a.properties.b.properties.c.properties.d");
    assert_eq!(at(&crd, &deep), &Shape::Deduced);
}

#[test]
fn shapes_are_built_once() {
    let first = shape_for("apiextensions.k8s.io", "v1", "CustomResourceDefinition");
    let start = std::time::Instant::now();
    for _ in 0..20 {
        assert_eq!(
            shape_for("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
            first
        );
        assert!(shape_for("", "v1", "Pod").is_some());
    }
    // Cloning a cached table is cheap even in a debug build.
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}
