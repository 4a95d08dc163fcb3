//! The message tables, written by hand from the Kubernetes `generated.proto` files (field
//! numbers and wire types) and `types.go` files (JSON names, `omitempty`, pointers), and the
//! registry of the kinds they decode.

mod auth;
mod container;
mod core;
mod events;
mod meta;
mod networking;
mod pod;
mod policy;
mod volume;

use super::schema::Message;

/// The group/versions whose kinds the decoder knows, each with its kinds' messages.
static KINDS: &[(&str, &[(&str, &Message)])] = &[
    (
        "v1",
        &[
            ("ConfigMap", &core::CONFIG_MAP),
            ("Endpoints", &core::ENDPOINTS),
            ("Event", &core::EVENT),
            ("Namespace", &core::NAMESPACE),
            ("Pod", &pod::POD),
            ("Secret", &core::SECRET),
            ("Service", &core::SERVICE),
            ("ServiceAccount", &core::SERVICE_ACCOUNT),
        ],
    ),
    (
        "authorization.k8s.io/v1",
        &[
            ("LocalSubjectAccessReview", &auth::SUBJECT_ACCESS_REVIEW),
            ("SelfSubjectAccessReview", &auth::SELF_SUBJECT_ACCESS_REVIEW),
            ("SelfSubjectRulesReview", &auth::SELF_SUBJECT_RULES_REVIEW),
            ("SubjectAccessReview", &auth::SUBJECT_ACCESS_REVIEW),
        ],
    ),
    (
        "authentication.k8s.io/v1",
        &[
            ("SelfSubjectReview", &auth::SELF_SUBJECT_REVIEW),
            ("TokenRequest", &auth::TOKEN_REQUEST),
            ("TokenReview", &auth::TOKEN_REVIEW),
        ],
    ),
    ("networking.k8s.io/v1", &[("Ingress", &networking::INGRESS)]),
    ("policy/v1", &[("Eviction", &policy::EVICTION)]),
    ("events.k8s.io/v1", &[("Event", &events::EVENT)]),
];

/// The message for a kind. `DeleteOptions` is registered in every group/version (clients
/// send it with the version of the resource they delete), so it is found under any.
pub(crate) fn lookup(api_version: &str, kind: &str) -> Option<&'static Message> {
    if kind == "DeleteOptions" && !api_version.is_empty() {
        return Some(&meta::DELETE_OPTIONS);
    }
    KINDS
        .iter()
        .find(|(version, _)| *version == api_version)
        .and_then(|(_, kinds)| kinds.iter().find(|(k, _)| *k == kind))
        .map(|(_, message)| *message)
}

/// Every (apiVersion, kind) the decoder knows, for documentation and tests.
pub(crate) fn known_kinds() -> impl Iterator<Item = (&'static str, &'static str)> {
    KINDS
        .iter()
        .flat_map(|(version, kinds)| kinds.iter().map(move |(kind, _)| (*version, *kind)))
        .chain(std::iter::once(("meta.k8s.io/v1", "DeleteOptions")))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::protobuf::schema::{Shape, Ty};

    /// Every message reachable from a registered kind.
    fn all_messages() -> Vec<&'static Message> {
        let mut seen: Vec<&'static Message> = Vec::new();
        let mut todo: Vec<&'static Message> = KINDS
            .iter()
            .flat_map(|(_, kinds)| kinds.iter().map(|(_, m)| *m))
            .chain(std::iter::once(&meta::DELETE_OPTIONS))
            .collect();
        while let Some(message) = todo.pop() {
            if seen.iter().any(|m| std::ptr::eq(*m, message)) {
                continue;
            }
            seen.push(message);
            for field in message.fields {
                if let Ty::Msg(inner) = field.ty {
                    todo.push(inner);
                }
            }
        }
        seen
    }

    #[test]
    fn tables_are_well_formed() {
        let messages = all_messages();
        assert!(messages.len() > 150, "{} messages", messages.len());
        for message in messages {
            let mut tags = HashSet::new();
            let mut names = HashSet::new();
            for field in message.fields {
                assert!(
                    tags.insert(field.tag),
                    "{}: tag {} twice",
                    message.name,
                    field.tag
                );
                assert!(
                    (1..(1 << 29)).contains(&field.tag),
                    "{}: tag {}",
                    message.name,
                    field.tag
                );
                if field.shape == Shape::Inline {
                    assert!(
                        matches!(field.ty, Ty::Msg(_)),
                        "{}: inline non-message",
                        message.name
                    );
                    assert!(
                        field.json.is_empty(),
                        "{}: inline field named",
                        message.name
                    );
                } else {
                    assert!(!field.json.is_empty(), "{}: unnamed field", message.name);
                    assert!(
                        names.insert(field.json),
                        "{}: {} twice",
                        message.name,
                        field.json
                    );
                }
            }
        }
    }

    #[test]
    fn kinds_are_found_by_api_version_and_kind() {
        assert!(lookup("v1", "Secret").is_some());
        assert!(lookup("apps/v1", "Secret").is_none());
        assert!(lookup("v1", "secret").is_none());
        assert!(lookup("policy/v1", "DeleteOptions").is_some());
        assert!(lookup("", "DeleteOptions").is_none());
        assert_eq!(known_kinds().count(), 19);
    }
}
