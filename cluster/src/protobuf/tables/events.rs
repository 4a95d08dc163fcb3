//! `k8s.io/api/events/v1` Event, the newer event API (kube-rs' recorder writes it).

use super::core::{EVENT_SOURCE, OBJECT_REFERENCE};
use super::meta::OBJECT_META;
use crate::protobuf::schema::Ty::{I32, MicroTime, Str, Time};
use crate::protobuf::schema::{Message, P, V, VO, f, msg};

/// events.k8s.io/v1 `Event`.
pub(crate) static EVENT: Message = Message {
    name: "Event",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), V),
        f(2, "eventTime", MicroTime, V),
        f(3, "series", msg(&EVENT_SERIES), P),
        f(4, "reportingController", Str, VO),
        f(5, "reportingInstance", Str, VO),
        f(6, "action", Str, VO),
        f(7, "reason", Str, VO),
        f(8, "regarding", msg(&OBJECT_REFERENCE), VO),
        f(9, "related", msg(&OBJECT_REFERENCE), P),
        f(10, "note", Str, VO),
        f(11, "type", Str, VO),
        f(12, "deprecatedSource", msg(&EVENT_SOURCE), VO),
        f(13, "deprecatedFirstTimestamp", Time, VO),
        f(14, "deprecatedLastTimestamp", Time, VO),
        f(15, "deprecatedCount", I32, VO),
    ],
};

static EVENT_SERIES: Message = Message {
    name: "EventSeries",
    fields: &[
        f(1, "count", I32, V),
        f(2, "lastObservedTime", MicroTime, V),
    ],
};
