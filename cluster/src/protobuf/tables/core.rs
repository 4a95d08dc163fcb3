//! `k8s.io/api/core/v1` messages other than the Pod's: Secret, ConfigMap, Namespace,
//! ServiceAccount, Service, Endpoints, Event, and the references they share.

use super::meta::{CONDITION, OBJECT_META};
use crate::protobuf::schema::Ty::{Bool, Bytes, I32, IntOrString, MicroTime, Str, Time};
use crate::protobuf::schema::{LO, MO, Message, P, V, VO, f, msg};

/// `Secret`.
pub(crate) static SECRET: Message = Message {
    name: "Secret",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(5, "immutable", Bool, P),
        f(2, "data", Bytes, MO),
        f(4, "stringData", Str, MO),
        f(3, "type", Str, VO),
    ],
};

/// `ConfigMap`.
pub(crate) static CONFIG_MAP: Message = Message {
    name: "ConfigMap",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(4, "immutable", Bool, P),
        f(2, "data", Str, MO),
        f(3, "binaryData", Bytes, MO),
    ],
};

/// `Namespace`.
pub(crate) static NAMESPACE: Message = Message {
    name: "Namespace",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(2, "spec", msg(&NAMESPACE_SPEC), VO),
        f(3, "status", msg(&NAMESPACE_STATUS), VO),
    ],
};

static NAMESPACE_SPEC: Message = Message {
    name: "NamespaceSpec",
    fields: &[f(1, "finalizers", Str, LO)],
};

static NAMESPACE_STATUS: Message = Message {
    name: "NamespaceStatus",
    fields: &[
        f(1, "phase", Str, VO),
        f(2, "conditions", msg(&NAMESPACE_CONDITION), LO),
    ],
};

static NAMESPACE_CONDITION: Message = Message {
    name: "NamespaceCondition",
    fields: &[
        f(1, "type", Str, V),
        f(2, "status", Str, V),
        f(4, "lastTransitionTime", Time, VO),
        f(5, "reason", Str, VO),
        f(6, "message", Str, VO),
    ],
};

/// `ServiceAccount`.
pub(crate) static SERVICE_ACCOUNT: Message = Message {
    name: "ServiceAccount",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(2, "secrets", msg(&OBJECT_REFERENCE), LO),
        f(3, "imagePullSecrets", msg(&LOCAL_OBJECT_REFERENCE), LO),
        f(4, "automountServiceAccountToken", Bool, P),
    ],
};

/// `ObjectReference`.
pub(crate) static OBJECT_REFERENCE: Message = Message {
    name: "ObjectReference",
    fields: &[
        f(1, "kind", Str, VO),
        f(2, "namespace", Str, VO),
        f(3, "name", Str, VO),
        f(4, "uid", Str, VO),
        f(5, "apiVersion", Str, VO),
        f(6, "resourceVersion", Str, VO),
        f(7, "fieldPath", Str, VO),
    ],
};

/// `LocalObjectReference`.
pub(crate) static LOCAL_OBJECT_REFERENCE: Message = Message {
    name: "LocalObjectReference",
    fields: &[f(1, "name", Str, VO)],
};

/// `Service`.
pub(crate) static SERVICE: Message = Message {
    name: "Service",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(2, "spec", msg(&SERVICE_SPEC), VO),
        f(3, "status", msg(&SERVICE_STATUS), VO),
    ],
};

static SERVICE_SPEC: Message = Message {
    name: "ServiceSpec",
    fields: &[
        f(1, "ports", msg(&SERVICE_PORT), LO),
        f(2, "selector", Str, MO),
        f(3, "clusterIP", Str, VO),
        f(18, "clusterIPs", Str, LO),
        f(4, "type", Str, VO),
        f(5, "externalIPs", Str, LO),
        f(7, "sessionAffinity", Str, VO),
        f(8, "loadBalancerIP", Str, VO),
        f(9, "loadBalancerSourceRanges", Str, LO),
        f(10, "externalName", Str, VO),
        f(11, "externalTrafficPolicy", Str, VO),
        f(12, "healthCheckNodePort", I32, VO),
        f(13, "publishNotReadyAddresses", Bool, VO),
        f(
            14,
            "sessionAffinityConfig",
            msg(&SESSION_AFFINITY_CONFIG),
            P,
        ),
        f(19, "ipFamilies", Str, LO),
        f(17, "ipFamilyPolicy", Str, P),
        f(20, "allocateLoadBalancerNodePorts", Bool, P),
        f(21, "loadBalancerClass", Str, P),
        f(22, "internalTrafficPolicy", Str, P),
        f(23, "trafficDistribution", Str, P),
    ],
};

static SERVICE_PORT: Message = Message {
    name: "ServicePort",
    fields: &[
        f(1, "name", Str, VO),
        f(2, "protocol", Str, VO),
        f(6, "appProtocol", Str, P),
        f(3, "port", I32, V),
        f(4, "targetPort", IntOrString, VO),
        f(5, "nodePort", I32, VO),
    ],
};

static SESSION_AFFINITY_CONFIG: Message = Message {
    name: "SessionAffinityConfig",
    fields: &[f(1, "clientIP", msg(&CLIENT_IP_CONFIG), P)],
};

static CLIENT_IP_CONFIG: Message = Message {
    name: "ClientIPConfig",
    fields: &[f(1, "timeoutSeconds", I32, P)],
};

static SERVICE_STATUS: Message = Message {
    name: "ServiceStatus",
    fields: &[
        f(1, "loadBalancer", msg(&LOAD_BALANCER_STATUS), VO),
        f(2, "conditions", msg(&CONDITION), LO),
    ],
};

/// `LoadBalancerStatus` (also the Ingress status's shape in core/v1).
pub(crate) static LOAD_BALANCER_STATUS: Message = Message {
    name: "LoadBalancerStatus",
    fields: &[f(1, "ingress", msg(&LOAD_BALANCER_INGRESS), LO)],
};

static LOAD_BALANCER_INGRESS: Message = Message {
    name: "LoadBalancerIngress",
    fields: &[
        f(1, "ip", Str, VO),
        f(2, "hostname", Str, VO),
        f(3, "ipMode", Str, P),
        f(4, "ports", msg(&PORT_STATUS), LO),
    ],
};

/// `PortStatus`.
pub(crate) static PORT_STATUS: Message = Message {
    name: "PortStatus",
    fields: &[
        f(1, "port", I32, V),
        f(2, "protocol", Str, V),
        f(3, "error", Str, P),
    ],
};

/// `Endpoints`.
pub(crate) static ENDPOINTS: Message = Message {
    name: "Endpoints",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(2, "subsets", msg(&ENDPOINT_SUBSET), LO),
    ],
};

static ENDPOINT_SUBSET: Message = Message {
    name: "EndpointSubset",
    fields: &[
        f(1, "addresses", msg(&ENDPOINT_ADDRESS), LO),
        f(2, "notReadyAddresses", msg(&ENDPOINT_ADDRESS), LO),
        f(3, "ports", msg(&ENDPOINT_PORT), LO),
    ],
};

static ENDPOINT_ADDRESS: Message = Message {
    name: "EndpointAddress",
    fields: &[
        f(1, "ip", Str, V),
        f(3, "hostname", Str, VO),
        f(4, "nodeName", Str, P),
        f(2, "targetRef", msg(&OBJECT_REFERENCE), P),
    ],
};

static ENDPOINT_PORT: Message = Message {
    name: "EndpointPort",
    fields: &[
        f(1, "name", Str, VO),
        f(2, "port", I32, V),
        f(3, "protocol", Str, VO),
        f(4, "appProtocol", Str, P),
    ],
};

/// core/v1 `Event`.
pub(crate) static EVENT: Message = Message {
    name: "Event",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), V),
        f(2, "involvedObject", msg(&OBJECT_REFERENCE), V),
        f(3, "reason", Str, VO),
        f(4, "message", Str, VO),
        f(5, "source", msg(&EVENT_SOURCE), VO),
        f(6, "firstTimestamp", Time, VO),
        f(7, "lastTimestamp", Time, VO),
        f(8, "count", I32, VO),
        f(9, "type", Str, VO),
        f(10, "eventTime", MicroTime, VO),
        f(11, "series", msg(&EVENT_SERIES), P),
        f(12, "action", Str, VO),
        f(13, "related", msg(&OBJECT_REFERENCE), P),
        f(14, "reportingComponent", Str, V),
        f(15, "reportingInstance", Str, V),
    ],
};

/// `EventSource`.
pub(crate) static EVENT_SOURCE: Message = Message {
    name: "EventSource",
    fields: &[f(1, "component", Str, VO), f(2, "host", Str, VO)],
};

static EVENT_SERIES: Message = Message {
    name: "EventSeries",
    fields: &[
        f(1, "count", I32, VO),
        f(2, "lastObservedTime", MicroTime, VO),
    ],
};
