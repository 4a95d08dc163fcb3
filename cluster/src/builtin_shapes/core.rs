//! Shapes of the small built-in kinds: core/v1 Namespace, Secret, ConfigMap, Service,
//! Endpoints, ServiceAccount and Event; events.k8s.io/v1 Event; networking.k8s.io/v1
//! Ingress and IngressClass; coordination.k8s.io/v1 Lease. `apiVersion`, `kind` and
//! `metadata` are added by [`super::shape_for`].

use super::{
    atomic, atomic_map, atomic_st, condition, keyed, local_object_reference, map_of,
    object_reference, s, st, strings, typed_local_object_reference,
};
use crate::shape::Shape;

/// core/v1 Namespace.
pub(super) fn namespace() -> Shape {
    let namespace_condition = st("type status lastTransitionTime reason message", vec![]);
    st(
        "",
        vec![
            ("spec", st("", vec![("finalizers", strings())])),
            (
                "status",
                st(
                    "phase",
                    vec![("conditions", keyed(namespace_condition, &["type"]))],
                ),
            ),
        ],
    )
}

/// core/v1 Secret: `data` holds base64 strings.
pub(super) fn secret() -> Shape {
    st(
        "immutable type",
        vec![("data", map_of(s())), ("stringData", map_of(s()))],
    )
}

/// core/v1 ConfigMap.
pub(super) fn config_map() -> Shape {
    st(
        "immutable",
        vec![("data", map_of(s())), ("binaryData", map_of(s()))],
    )
}

/// core/v1 Service: ports keyed by `port` and `protocol` (merged on `port`), an
/// atomic selector.
pub(super) fn service() -> Shape {
    let service_port = st("name protocol appProtocol port targetPort nodePort", vec![]);
    let session_affinity_config = st("", vec![("clientIP", st("timeoutSeconds", vec![]))]);
    let spec = st(
        "clusterIP type sessionAffinity loadBalancerIP externalName externalTrafficPolicy \
         healthCheckNodePort publishNotReadyAddresses ipFamilyPolicy allocateLoadBalancerNodePorts \
         loadBalancerClass internalTrafficPolicy trafficDistribution",
        vec![
            ("ports", keyed(service_port, &["port", "protocol"])),
            ("selector", atomic_map(s())),
            ("clusterIPs", strings()),
            ("externalIPs", strings()),
            ("loadBalancerSourceRanges", strings()),
            ("sessionAffinityConfig", session_affinity_config),
            ("ipFamilies", strings()),
        ],
    );
    let status = st(
        "",
        vec![
            ("loadBalancer", load_balancer_status()),
            ("conditions", keyed(condition(), &["type"])),
        ],
    );
    st("", vec![("spec", spec), ("status", status)])
}

/// core/v1 `LoadBalancerStatus`.
fn load_balancer_status() -> Shape {
    let port_status = st("port protocol error", vec![]);
    let ingress = st("ip hostname ipMode", vec![("ports", atomic(port_status))]);
    st("", vec![("ingress", atomic(ingress))])
}

/// core/v1 Endpoints: `subsets` and everything in them are atomic.
pub(super) fn endpoints() -> Shape {
    let address = atomic_st(
        "ip hostname nodeName",
        vec![("targetRef", object_reference())],
    );
    let port = atomic_st("name port protocol appProtocol", vec![]);
    let subset = st(
        "",
        vec![
            ("addresses", atomic(address.clone())),
            ("notReadyAddresses", atomic(address)),
            ("ports", atomic(port)),
        ],
    );
    st("", vec![("subsets", atomic(subset))])
}

/// core/v1 ServiceAccount: `secrets` merge by name, `imagePullSecrets` are atomic.
pub(super) fn service_account() -> Shape {
    st(
        "automountServiceAccountToken",
        vec![
            ("secrets", keyed(object_reference(), &["name"])),
            ("imagePullSecrets", atomic(local_object_reference())),
        ],
    )
}

/// core/v1 `EventSeries` (and events.k8s.io/v1's, which has the same fields).
fn event_series() -> Shape {
    st("count lastObservedTime", vec![])
}

/// core/v1 Event.
pub(super) fn event() -> Shape {
    st(
        "reason message firstTimestamp lastTimestamp count type eventTime action \
         reportingComponent reportingInstance",
        vec![
            ("involvedObject", object_reference()),
            ("source", st("component host", vec![])),
            ("series", event_series()),
            ("related", object_reference()),
        ],
    )
}

/// events.k8s.io/v1 Event.
pub(super) fn events_v1_event() -> Shape {
    st(
        "eventTime reportingController reportingInstance action reason note type \
         deprecatedFirstTimestamp deprecatedLastTimestamp deprecatedCount",
        vec![
            ("series", event_series()),
            ("regarding", object_reference()),
            ("related", object_reference()),
            ("deprecatedSource", st("component host", vec![])),
        ],
    )
}

/// networking.k8s.io/v1 `IngressBackend`.
fn ingress_backend() -> Shape {
    let service_backend_port = atomic_st("name number", vec![]);
    st(
        "",
        vec![
            ("service", st("name", vec![("port", service_backend_port)])),
            ("resource", typed_local_object_reference()),
        ],
    )
}

/// networking.k8s.io/v1 Ingress: all lists are atomic.
pub(super) fn ingress() -> Shape {
    let tls = st("secretName", vec![("hosts", strings())]);
    let path = st("path pathType", vec![("backend", ingress_backend())]);
    let rule = st(
        "host",
        vec![("http", st("", vec![("paths", atomic(path))]))],
    );
    let spec = st(
        "ingressClassName",
        vec![
            ("defaultBackend", ingress_backend()),
            ("tls", atomic(tls)),
            ("rules", atomic(rule)),
        ],
    );
    let port_status = st("port protocol error", vec![]);
    let lb_ingress = st("ip hostname", vec![("ports", atomic(port_status))]);
    let status = st(
        "",
        vec![(
            "loadBalancer",
            st("", vec![("ingress", atomic(lb_ingress))]),
        )],
    );
    st("", vec![("spec", spec), ("status", status)])
}

/// networking.k8s.io/v1 IngressClass.
pub(super) fn ingress_class() -> Shape {
    let parameters = st("apiGroup kind name scope namespace", vec![]);
    st(
        "",
        vec![("spec", st("controller", vec![("parameters", parameters)]))],
    )
}

/// coordination.k8s.io/v1 Lease: no lists at all.
pub(super) fn lease() -> Shape {
    let spec = st(
        "holderIdentity leaseDurationSeconds acquireTime renewTime leaseTransitions strategy preferredHolder",
        vec![],
    );
    st("", vec![("spec", spec)])
}
