//! `k8s.io/api/networking/v1` Ingress, which `kubectl create ingress` sends.

use super::core::PORT_STATUS;
use super::meta::OBJECT_META;
use super::volume::TYPED_LOCAL_OBJECT_REFERENCE;
use crate::protobuf::schema::Ty::{I32, Str};
use crate::protobuf::schema::{INLINE, L, LO, Message, P, PN, V, VO, f, msg};

/// `Ingress`.
pub(crate) static INGRESS: Message = Message {
    name: "Ingress",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(2, "spec", msg(&INGRESS_SPEC), VO),
        f(3, "status", msg(&INGRESS_STATUS), VO),
    ],
};

static INGRESS_SPEC: Message = Message {
    name: "IngressSpec",
    fields: &[
        f(4, "ingressClassName", Str, P),
        f(1, "defaultBackend", msg(&INGRESS_BACKEND), P),
        f(2, "tls", msg(&INGRESS_TLS), LO),
        f(3, "rules", msg(&INGRESS_RULE), LO),
    ],
};

static INGRESS_BACKEND: Message = Message {
    name: "IngressBackend",
    fields: &[
        f(4, "service", msg(&INGRESS_SERVICE_BACKEND), P),
        f(3, "resource", msg(&TYPED_LOCAL_OBJECT_REFERENCE), P),
    ],
};

static INGRESS_SERVICE_BACKEND: Message = Message {
    name: "IngressServiceBackend",
    fields: &[
        f(1, "name", Str, V),
        f(2, "port", msg(&SERVICE_BACKEND_PORT), VO),
    ],
};

static SERVICE_BACKEND_PORT: Message = Message {
    name: "ServiceBackendPort",
    fields: &[f(1, "name", Str, VO), f(2, "number", I32, VO)],
};

static INGRESS_TLS: Message = Message {
    name: "IngressTLS",
    fields: &[f(1, "hosts", Str, LO), f(2, "secretName", Str, VO)],
};

static INGRESS_RULE: Message = Message {
    name: "IngressRule",
    fields: &[
        f(1, "host", Str, VO),
        f(2, "", msg(&INGRESS_RULE_VALUE), INLINE),
    ],
};

static INGRESS_RULE_VALUE: Message = Message {
    name: "IngressRuleValue",
    fields: &[f(1, "http", msg(&HTTP_INGRESS_RULE_VALUE), P)],
};

static HTTP_INGRESS_RULE_VALUE: Message = Message {
    name: "HTTPIngressRuleValue",
    fields: &[f(1, "paths", msg(&HTTP_INGRESS_PATH), L)],
};

static HTTP_INGRESS_PATH: Message = Message {
    name: "HTTPIngressPath",
    fields: &[
        f(1, "path", Str, VO),
        f(3, "pathType", Str, PN),
        f(2, "backend", msg(&INGRESS_BACKEND), V),
    ],
};

static INGRESS_STATUS: Message = Message {
    name: "IngressStatus",
    fields: &[f(1, "loadBalancer", msg(&INGRESS_LOAD_BALANCER_STATUS), VO)],
};

static INGRESS_LOAD_BALANCER_STATUS: Message = Message {
    name: "IngressLoadBalancerStatus",
    fields: &[f(1, "ingress", msg(&INGRESS_LOAD_BALANCER_INGRESS), LO)],
};

static INGRESS_LOAD_BALANCER_INGRESS: Message = Message {
    name: "IngressLoadBalancerIngress",
    fields: &[
        f(1, "ip", Str, VO),
        f(2, "hostname", Str, VO),
        f(4, "ports", msg(&PORT_STATUS), LO),
    ],
};
