//! `k8s.io/apimachinery/pkg/apis/meta/v1` messages.

use crate::protobuf::schema::Ty::{Bool, FieldsV1, I64, Str, Time};
use crate::protobuf::schema::{LO, MO, Message, P, V, VO, f, msg};

/// `ObjectMeta` (`creationTimestamp` is written as `null` when zero, as up to Kubernetes 1.33).
pub(crate) static OBJECT_META: Message = Message {
    name: "ObjectMeta",
    fields: &[
        f(1, "name", Str, VO),
        f(2, "generateName", Str, VO),
        f(3, "namespace", Str, VO),
        f(4, "selfLink", Str, VO),
        f(5, "uid", Str, VO),
        f(6, "resourceVersion", Str, VO),
        f(7, "generation", I64, VO),
        f(8, "creationTimestamp", Time, VO),
        f(9, "deletionTimestamp", Time, P),
        f(10, "deletionGracePeriodSeconds", I64, P),
        f(11, "labels", Str, MO),
        f(12, "annotations", Str, MO),
        f(13, "ownerReferences", msg(&OWNER_REFERENCE), LO),
        f(14, "finalizers", Str, LO),
        f(17, "managedFields", msg(&MANAGED_FIELDS_ENTRY), LO),
    ],
};

/// `OwnerReference`.
pub(crate) static OWNER_REFERENCE: Message = Message {
    name: "OwnerReference",
    fields: &[
        f(5, "apiVersion", Str, V),
        f(1, "kind", Str, V),
        f(3, "name", Str, V),
        f(4, "uid", Str, V),
        f(6, "controller", Bool, P),
        f(7, "blockOwnerDeletion", Bool, P),
    ],
};

/// `ManagedFieldsEntry`.
pub(crate) static MANAGED_FIELDS_ENTRY: Message = Message {
    name: "ManagedFieldsEntry",
    fields: &[
        f(1, "manager", Str, VO),
        f(2, "operation", Str, VO),
        f(3, "apiVersion", Str, VO),
        f(4, "time", Time, P),
        f(6, "fieldsType", Str, VO),
        f(7, "fieldsV1", FieldsV1, P),
        f(8, "subresource", Str, VO),
    ],
};

/// `DeleteOptions` (the `kind`/`apiVersion` come from the envelope).
pub(crate) static DELETE_OPTIONS: Message = Message {
    name: "DeleteOptions",
    fields: &[
        f(1, "gracePeriodSeconds", I64, P),
        f(2, "preconditions", msg(&PRECONDITIONS), P),
        f(3, "orphanDependents", Bool, P),
        f(4, "propagationPolicy", Str, P),
        f(5, "dryRun", Str, LO),
        f(
            6,
            "ignoreStoreReadErrorWithClusterBreakingPotential",
            Bool,
            P,
        ),
    ],
};

/// `Preconditions`.
pub(crate) static PRECONDITIONS: Message = Message {
    name: "Preconditions",
    fields: &[f(1, "uid", Str, P), f(2, "resourceVersion", Str, P)],
};

/// `LabelSelector`.
pub(crate) static LABEL_SELECTOR: Message = Message {
    name: "LabelSelector",
    fields: &[
        f(1, "matchLabels", Str, MO),
        f(2, "matchExpressions", msg(&LABEL_SELECTOR_REQUIREMENT), LO),
    ],
};

/// `LabelSelectorRequirement`.
pub(crate) static LABEL_SELECTOR_REQUIREMENT: Message = Message {
    name: "LabelSelectorRequirement",
    fields: &[
        f(1, "key", Str, V),
        f(2, "operator", Str, V),
        f(3, "values", Str, LO),
    ],
};

/// `FieldSelectorRequirement`.
pub(crate) static FIELD_SELECTOR_REQUIREMENT: Message = Message {
    name: "FieldSelectorRequirement",
    fields: &[
        f(1, "key", Str, V),
        f(2, "operator", Str, V),
        f(3, "values", Str, LO),
    ],
};

/// `Condition`.
pub(crate) static CONDITION: Message = Message {
    name: "Condition",
    fields: &[
        f(1, "type", Str, V),
        f(2, "status", Str, V),
        f(3, "observedGeneration", I64, VO),
        f(4, "lastTransitionTime", Time, V),
        f(5, "reason", Str, V),
        f(6, "message", Str, V),
    ],
};
