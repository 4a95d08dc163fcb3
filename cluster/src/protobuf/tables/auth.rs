//! `k8s.io/api/authorization/v1` and `k8s.io/api/authentication/v1` messages: the access
//! and rules reviews behind `kubectl auth can-i`, `SelfSubjectReview` behind
//! `kubectl auth whoami`, `TokenRequest` behind `kubectl create token`, and `TokenReview`.

use super::meta::{FIELD_SELECTOR_REQUIREMENT, LABEL_SELECTOR_REQUIREMENT, OBJECT_META};
use crate::protobuf::schema::Ty::{Bool, I64, Str, StringList, Time};
use crate::protobuf::schema::{L, LO, MO, Message, P, PN, V, VO, f, msg};

/// authorization/v1 `SelfSubjectAccessReview`.
pub(crate) static SELF_SUBJECT_ACCESS_REVIEW: Message = Message {
    name: "SelfSubjectAccessReview",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(2, "spec", msg(&SELF_SUBJECT_ACCESS_REVIEW_SPEC), V),
        f(3, "status", msg(&SUBJECT_ACCESS_REVIEW_STATUS), VO),
    ],
};

/// authorization/v1 `SubjectAccessReview` and `LocalSubjectAccessReview` (same fields).
pub(crate) static SUBJECT_ACCESS_REVIEW: Message = Message {
    name: "SubjectAccessReview",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(2, "spec", msg(&SUBJECT_ACCESS_REVIEW_SPEC), V),
        f(3, "status", msg(&SUBJECT_ACCESS_REVIEW_STATUS), VO),
    ],
};

static SELF_SUBJECT_ACCESS_REVIEW_SPEC: Message = Message {
    name: "SelfSubjectAccessReviewSpec",
    fields: &[
        f(1, "resourceAttributes", msg(&RESOURCE_ATTRIBUTES), P),
        f(2, "nonResourceAttributes", msg(&NON_RESOURCE_ATTRIBUTES), P),
    ],
};

static SUBJECT_ACCESS_REVIEW_SPEC: Message = Message {
    name: "SubjectAccessReviewSpec",
    fields: &[
        f(1, "resourceAttributes", msg(&RESOURCE_ATTRIBUTES), P),
        f(2, "nonResourceAttributes", msg(&NON_RESOURCE_ATTRIBUTES), P),
        f(3, "user", Str, VO),
        f(4, "groups", Str, LO),
        f(5, "extra", StringList, MO),
        f(6, "uid", Str, VO),
    ],
};

static RESOURCE_ATTRIBUTES: Message = Message {
    name: "ResourceAttributes",
    fields: &[
        f(1, "namespace", Str, VO),
        f(2, "verb", Str, VO),
        f(3, "group", Str, VO),
        f(4, "version", Str, VO),
        f(5, "resource", Str, VO),
        f(6, "subresource", Str, VO),
        f(7, "name", Str, VO),
        f(8, "fieldSelector", msg(&FIELD_SELECTOR_ATTRIBUTES), P),
        f(9, "labelSelector", msg(&LABEL_SELECTOR_ATTRIBUTES), P),
    ],
};

static FIELD_SELECTOR_ATTRIBUTES: Message = Message {
    name: "FieldSelectorAttributes",
    fields: &[
        f(1, "rawSelector", Str, VO),
        f(2, "requirements", msg(&FIELD_SELECTOR_REQUIREMENT), LO),
    ],
};

static LABEL_SELECTOR_ATTRIBUTES: Message = Message {
    name: "LabelSelectorAttributes",
    fields: &[
        f(1, "rawSelector", Str, VO),
        f(2, "requirements", msg(&LABEL_SELECTOR_REQUIREMENT), LO),
    ],
};

static NON_RESOURCE_ATTRIBUTES: Message = Message {
    name: "NonResourceAttributes",
    fields: &[f(1, "path", Str, VO), f(2, "verb", Str, VO)],
};

static SUBJECT_ACCESS_REVIEW_STATUS: Message = Message {
    name: "SubjectAccessReviewStatus",
    fields: &[
        f(1, "allowed", Bool, V),
        f(4, "denied", Bool, VO),
        f(2, "reason", Str, VO),
        f(3, "evaluationError", Str, VO),
    ],
};

/// authorization/v1 `SelfSubjectRulesReview`.
pub(crate) static SELF_SUBJECT_RULES_REVIEW: Message = Message {
    name: "SelfSubjectRulesReview",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(2, "spec", msg(&SELF_SUBJECT_RULES_REVIEW_SPEC), V),
        f(3, "status", msg(&SUBJECT_RULES_REVIEW_STATUS), VO),
    ],
};

static SELF_SUBJECT_RULES_REVIEW_SPEC: Message = Message {
    name: "SelfSubjectRulesReviewSpec",
    fields: &[f(1, "namespace", Str, VO)],
};

static SUBJECT_RULES_REVIEW_STATUS: Message = Message {
    name: "SubjectRulesReviewStatus",
    fields: &[
        f(1, "resourceRules", msg(&RESOURCE_RULE), L),
        f(2, "nonResourceRules", msg(&NON_RESOURCE_RULE), L),
        f(3, "incomplete", Bool, V),
        f(4, "evaluationError", Str, VO),
    ],
};

static RESOURCE_RULE: Message = Message {
    name: "ResourceRule",
    fields: &[
        f(1, "verbs", Str, L),
        f(2, "apiGroups", Str, LO),
        f(3, "resources", Str, LO),
        f(4, "resourceNames", Str, LO),
    ],
};

static NON_RESOURCE_RULE: Message = Message {
    name: "NonResourceRule",
    fields: &[f(1, "verbs", Str, L), f(2, "nonResourceURLs", Str, LO)],
};

/// authentication/v1 `SelfSubjectReview`.
pub(crate) static SELF_SUBJECT_REVIEW: Message = Message {
    name: "SelfSubjectReview",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(2, "status", msg(&SELF_SUBJECT_REVIEW_STATUS), VO),
    ],
};

static SELF_SUBJECT_REVIEW_STATUS: Message = Message {
    name: "SelfSubjectReviewStatus",
    fields: &[f(1, "userInfo", msg(&USER_INFO), VO)],
};

static USER_INFO: Message = Message {
    name: "UserInfo",
    fields: &[
        f(1, "username", Str, VO),
        f(2, "uid", Str, VO),
        f(3, "groups", Str, LO),
        f(4, "extra", StringList, MO),
    ],
};

/// authentication/v1 `TokenRequest` (the `serviceaccounts/token` subresource).
pub(crate) static TOKEN_REQUEST: Message = Message {
    name: "TokenRequest",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(2, "spec", msg(&TOKEN_REQUEST_SPEC), V),
        f(3, "status", msg(&TOKEN_REQUEST_STATUS), VO),
    ],
};

static TOKEN_REQUEST_SPEC: Message = Message {
    name: "TokenRequestSpec",
    fields: &[
        f(1, "audiences", Str, L),
        f(4, "expirationSeconds", I64, PN),
        f(3, "boundObjectRef", msg(&BOUND_OBJECT_REFERENCE), PN),
    ],
};

static BOUND_OBJECT_REFERENCE: Message = Message {
    name: "BoundObjectReference",
    fields: &[
        f(1, "kind", Str, VO),
        f(2, "apiVersion", Str, VO),
        f(3, "name", Str, VO),
        f(4, "uid", Str, VO),
    ],
};

static TOKEN_REQUEST_STATUS: Message = Message {
    name: "TokenRequestStatus",
    fields: &[f(1, "token", Str, V), f(2, "expirationTimestamp", Time, V)],
};

/// authentication/v1 `TokenReview`.
pub(crate) static TOKEN_REVIEW: Message = Message {
    name: "TokenReview",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(2, "spec", msg(&TOKEN_REVIEW_SPEC), V),
        f(3, "status", msg(&TOKEN_REVIEW_STATUS), VO),
    ],
};

static TOKEN_REVIEW_SPEC: Message = Message {
    name: "TokenReviewSpec",
    fields: &[f(1, "token", Str, VO), f(2, "audiences", Str, LO)],
};

static TOKEN_REVIEW_STATUS: Message = Message {
    name: "TokenReviewStatus",
    fields: &[
        f(1, "authenticated", Bool, VO),
        f(2, "user", msg(&USER_INFO), VO),
        f(4, "audiences", Str, LO),
        f(3, "error", Str, VO),
    ],
};
