//! `k8s.io/api/policy/v1` Eviction (the `pods/eviction` subresource), which carries
//! `DeleteOptions`.

use super::meta::{DELETE_OPTIONS, OBJECT_META};
use crate::protobuf::schema::{Message, P, VO, f, msg};

/// `Eviction`.
pub(crate) static EVICTION: Message = Message {
    name: "Eviction",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(2, "deleteOptions", msg(&DELETE_OPTIONS), P),
    ],
};
