//! The review APIs kubectl uses to ask what the caller may do (`kubectl auth can-i`,
//! `kubectl auth whoami`). The lab user may do everything.

use std::sync::Arc;

use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::authorization::v1::{SelfSubjectAccessReview, SelfSubjectRulesReview};
use serde_json::{Value, json};

use super::typed;
use crate::registry::{CREATE_ONLY, Decoded, ResourceType, Strategy};
use crate::status::{GroupResource, StatusError};

/// The name the lab user authenticates as.
pub const LAB_USER: &str = "certlab-admin";

/// The review kinds served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewKind {
    /// authorization.k8s.io/v1 SelfSubjectAccessReview.
    SelfSubjectAccessReview,
    /// authorization.k8s.io/v1 SelfSubjectRulesReview.
    SelfSubjectRulesReview,
    /// authentication.k8s.io/v1 SelfSubjectReview.
    SelfSubjectReview,
}

impl ReviewKind {
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::SelfSubjectAccessReview => (
                "authorization.k8s.io",
                "SelfSubjectAccessReview",
                "selfsubjectaccessreviews",
            ),
            Self::SelfSubjectRulesReview => (
                "authorization.k8s.io",
                "SelfSubjectRulesReview",
                "selfsubjectrulesreviews",
            ),
            Self::SelfSubjectReview => (
                "authentication.k8s.io",
                "SelfSubjectReview",
                "selfsubjectreviews",
            ),
        }
    }

    /// The kind for a resource type, if it is a review.
    pub fn of(rt: &ResourceType) -> Option<Self> {
        [
            Self::SelfSubjectAccessReview,
            Self::SelfSubjectRulesReview,
            Self::SelfSubjectReview,
        ]
        .into_iter()
        .find(|k| {
            let (group, kind, _) = k.names();
            rt.group == group && rt.kind == kind
        })
    }

    /// The answer to a review request: the request with its `status` filled in.
    pub fn answer(self, mut request: Value) -> Value {
        let status = match self {
            Self::SelfSubjectAccessReview => {
                json!({"allowed": true, "reason": "certlab: the lab user may do everything"})
            }
            Self::SelfSubjectRulesReview => json!({
                "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
                "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
                "incomplete": false
            }),
            Self::SelfSubjectReview => {
                json!({"userInfo": {"username": LAB_USER, "groups": ["system:masters", "system:authenticated"]}})
            }
        };
        if let Some(map) = request.as_object_mut() {
            map.insert("status".into(), status);
            map.entry("metadata").or_insert_with(|| json!({}));
        }
        request
    }
}

struct ReviewStrategy(ReviewKind);

impl Strategy for ReviewStrategy {
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError> {
        let (group, kind, _) = self.0.names();
        let version = format!("{group}/v1");
        match self.0 {
            ReviewKind::SelfSubjectAccessReview => {
                typed::<SelfSubjectAccessReview>(obj, kind, &version)
            }
            ReviewKind::SelfSubjectRulesReview => {
                typed::<SelfSubjectRulesReview>(obj, kind, &version)
            }
            ReviewKind::SelfSubjectReview => typed::<SelfSubjectReview>(obj, kind, &version),
        }
    }
}

/// The resource type of a review kind.
pub fn resource(kind: ReviewKind) -> ResourceType {
    let (group, kind_name, plural) = kind.names();
    ResourceType {
        group: group.to_string(),
        version: "v1".to_string(),
        kind: kind_name.to_string(),
        list_kind: format!("{kind_name}List"),
        plural: plural.to_string(),
        singular: kind_name.to_lowercase(),
        short_names: Vec::new(),
        categories: Vec::new(),
        namespaced: false,
        storage: GroupResource::new(group, plural),
        verbs: CREATE_ONLY,
        custom: false,
        shape: Arc::new(crate::fieldmanager::rooted_shape(
            &crate::shape::Shape::Deduced,
        )),
        strategy: Arc::new(ReviewStrategy(kind)),
    }
}
