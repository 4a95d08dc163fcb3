//! Patch: JSON patch, merge patch, strategic merge patch and server-side apply, each
//! applied to the current object and committed through the update path, retried when
//! another write wins the race.

use serde_json::Value;

use super::options::{Subresource, WriteOptions};
use super::update::{CommitError, RETRIES};
use super::{Objects, Written};
use crate::fieldmanager::ApplyError;
use crate::meta::ObjectExt;
use crate::patch::{PatchError, json_patch, merge_patch, strategic_merge_patch};
use crate::registry::ResourceType;
use crate::status::StatusError;
use crate::store::rv_of;
use crate::time::rfc3339;

/// The patch content types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    /// `application/json-patch+json`.
    Json,
    /// `application/merge-patch+json`.
    Merge,
    /// `application/strategic-merge-patch+json`.
    Strategic,
    /// `application/apply-patch+yaml` (server-side apply).
    Apply,
}

impl PatchKind {
    /// The patch kind of a `Content-Type` (parameters ignored).
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        let media = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match media.as_str() {
            "application/json-patch+json" => Some(Self::Json),
            "application/merge-patch+json" => Some(Self::Merge),
            "application/strategic-merge-patch+json" => Some(Self::Strategic),
            "application/apply-patch+yaml" => Some(Self::Apply),
            _ => None,
        }
    }
}

/// The media types a resource accepts for PATCH, for 415 answers.
pub fn accepted_patch_types(rt: &ResourceType) -> Vec<&'static str> {
    let mut types = vec![
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/apply-patch+yaml",
    ];
    if rt.strategy.supports_strategic_merge() {
        types.insert(2, "application/strategic-merge-patch+json");
    }
    types
}

fn patch_error(e: PatchError) -> StatusError {
    let mut status = StatusError::from_parts(e.status_code(), e.reason(), e.message());
    for cause in e.causes() {
        status = status.with_cause(cause.kind.cause_type(), cause.body(), &cause.field);
    }
    status
}

fn apply_error(e: ApplyError) -> StatusError {
    let parts = e.status();
    let mut status = StatusError::from_parts(parts.code, parts.reason.unwrap_or(""), parts.message);
    for cause in parts.causes {
        status = status.with_cause(&cause.reason, cause.message, &cause.field);
    }
    status
}

/// Parses a server-side apply body: YAML, of which JSON is a subset.
pub fn parse_apply_body(body: &[u8]) -> Result<Value, StatusError> {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return Ok(v);
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| StatusError::bad_request("error decoding YAML: invalid UTF-8"))?;
    serde_saphyr::from_str::<Value>(text)
        .map_err(|e| StatusError::bad_request(format!("error decoding YAML: {e}")))
}

impl Objects {
    /// Patches an object, or its `/status`.
    #[allow(clippy::too_many_arguments)]
    pub fn patch(
        &self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        kind: PatchKind,
        body: &[u8],
        subresource: Subresource,
        opts: &WriteOptions,
    ) -> Result<Written, StatusError> {
        if kind == PatchKind::Strategic && !rt.strategy.supports_strategic_merge() {
            return Err(StatusError::unsupported_media_type(&accepted_patch_types(
                rt,
            )));
        }
        let config = match kind {
            PatchKind::Apply => {
                let errs = crate::fieldmanager::validate_field_manager(&opts.field_manager, true);
                if !errs.is_empty() {
                    return Err(StatusError::invalid(
                        "meta.k8s.io",
                        "PatchOptions",
                        "",
                        &errs,
                    ));
                }
                Some(parse_apply_body(body)?)
            }
            _ => None,
        };
        let manager = self.field_manager(rt, subresource).with_name(name);
        for _ in 0..RETRIES {
            let now = rfc3339(self.clock.now());
            let Some(old) = self.get_stored(rt, namespace, name) else {
                let Some(config) = &config else {
                    return Err(StatusError::not_found(&rt.group_resource(), name));
                };
                if subresource == Subresource::Status {
                    return Err(StatusError::not_found(&rt.group_resource(), name));
                }
                // Server-side apply creates what does not exist.
                let applied = manager
                    .apply(None, config, &opts.field_manager, opts.force, &now)
                    .map_err(apply_error)?;
                let mut warnings = Vec::new();
                let mut obj = self.admit_body(rt, namespace, applied, opts, &mut warnings)?;
                rt.strategy.apply_defaults(&mut obj);
                return match self.create_decoded(rt, obj, opts, warnings, false) {
                    Err(e) if e.code == 409 && e.reason == "AlreadyExists" => continue,
                    other => other,
                };
            };
            let current = rt.strategy.to_served(&old);
            let patched = match (kind, &config) {
                (PatchKind::Json, _) => json_patch(&current, body).map_err(patch_error)?,
                (PatchKind::Merge, _) => merge_patch(&current, body).map_err(patch_error)?,
                (PatchKind::Strategic, _) => {
                    strategic_merge_patch(&current, body, &rt.shape).map_err(patch_error)?
                }
                (PatchKind::Apply, Some(config)) => manager
                    .apply(
                        Some(&current),
                        config,
                        &opts.field_manager,
                        opts.force,
                        &now,
                    )
                    .map_err(apply_error)?,
                (PatchKind::Apply, None) => unreachable!("apply bodies are parsed above"),
            };
            let mut warnings = Vec::new();
            let mut new = self.admit_body(rt, namespace, patched, opts, &mut warnings)?;
            if new.name() != Some(name) {
                return Err(StatusError::bad_request(format!(
                    "the name of the object ({}) does not match the name on the URL ({name})",
                    new.name().unwrap_or("")
                )));
            }
            rt.strategy.apply_defaults(&mut new);
            let old_rv = rv_of(&old).unwrap_or(0);
            // A patch that sets metadata.resourceVersion makes it a precondition.
            let pinned = match new.resource_version() {
                Some(rv) if rv != old.resource_version().unwrap_or("") => {
                    return Err(StatusError::stale(&rt.group_resource(), name));
                }
                _ => body_pins_rv(kind, body),
            };
            let track = kind != PatchKind::Apply;
            match self.commit_update(rt, &old, new, subresource, opts, old_rv, warnings, track) {
                Ok(w) => return Ok(w),
                Err(CommitError::Status(e)) => return Err(e),
                Err(CommitError::Raced) if pinned => {
                    return Err(StatusError::stale(&rt.group_resource(), name));
                }
                Err(CommitError::Raced) => continue,
            }
        }
        Err(StatusError::stale(&rt.group_resource(), name))
    }
}

/// Whether a patch body names a resourceVersion (which then must match).
fn body_pins_rv(kind: PatchKind, body: &[u8]) -> bool {
    match kind {
        PatchKind::Merge | PatchKind::Strategic | PatchKind::Apply => {
            serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| v.pointer("/metadata/resourceVersion").cloned())
                .is_some_and(|v| !v.is_null())
        }
        PatchKind::Json => false,
    }
}
