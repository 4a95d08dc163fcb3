//! Events, stored once and served twice: core/v1 `Event` (what `kubectl describe`
//! and `kubectl get events` read) and events.k8s.io/v1 `Event` (what kube-runtime's
//! `Recorder` writes). The stored form is the core one.

use k8s_openapi::api::core::v1::Event as CoreEvent;
use k8s_openapi::api::events::v1::Event as EventsV1;
use serde_json::{Map, Value};

use super::typed;
use crate::field::{FieldError, FieldPath};
use crate::meta::ObjectExt;
use crate::meta::names::NameRule;
use crate::registry::columns::{Column, age_of, meta_field_label};
use crate::registry::{Ctx, Decoded, Strategy};
use crate::status::StatusError;

const TYPES: &[&str] = &["Normal", "Warning"];

/// (events.k8s.io/v1 field, core/v1 field) pairs; everything else has the same name.
const RENAMES: &[(&str, &str)] = &[
    ("regarding", "involvedObject"),
    ("note", "message"),
    ("reportingController", "reportingComponent"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
];

fn rename(obj: &Value, api_version: &str, from_v1: bool) -> Value {
    let Some(map) = obj.as_object() else {
        return obj.clone();
    };
    let mut out = Map::with_capacity(map.len());
    for (k, v) in map {
        let key = RENAMES
            .iter()
            .find(|(v1, core)| if from_v1 { v1 == k } else { core == k })
            .map(|(v1, core)| if from_v1 { *core } else { *v1 })
            .unwrap_or(k.as_str());
        out.insert(key.to_string(), v.clone());
    }
    out.insert("apiVersion".into(), Value::from(api_version));
    out.insert("kind".into(), Value::from("Event"));
    Value::Object(out)
}

fn validate_event(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(t) = obj.get("type").and_then(Value::as_str)
        && !t.is_empty()
        && !TYPES.contains(&t)
    {
        errs.push(FieldError::not_supported("type", Value::from(t), TYPES));
    }
    let ns = obj.namespace().unwrap_or("");
    if let Some(involved_ns) = obj
        .pointer("/involvedObject/namespace")
        .and_then(Value::as_str)
        && !involved_ns.is_empty()
        && involved_ns != ns
        && ns != "default"
    {
        errs.push(FieldError::invalid(
            FieldPath::new("involvedObject").child("namespace"),
            Value::from(involved_ns),
            "does not match event.namespace",
        ));
    }
    errs
}

fn event_columns() -> Vec<Column> {
    let mut name = Column::new("Name", "string", "Name of the event").wide();
    name.format = "name".into();
    vec![
        Column::new("Last Seen", "string", "Time when last event occurred"),
        Column::new("Type", "string", "Type of event"),
        Column::new("Reason", "string", "Reason of the event"),
        Column::new("Object", "string", "The object that the event is about"),
        Column::new(
            "Subobject",
            "string",
            "The subobject that the event is about",
        )
        .wide(),
        Column::new("Source", "string", "The source of the event").wide(),
        Column::new("Message", "string", "The message of the event"),
        Column::new("First Seen", "string", "Time when first event occurred").wide(),
        Column::new("Count", "string", "How many times the event occurred").wide(),
        name,
    ]
}

/// Cells for a stored (core form) event.
fn event_row(core: &Value, ctx: &Ctx) -> Vec<Value> {
    let first = core
        .str_at("firstTimestamp")
        .or_else(|| core.str_at("eventTime"));
    let first_seen = age_of(first, ctx);
    let mut last_seen = match core.str_at("lastTimestamp") {
        Some(t) => age_of(Some(t), ctx),
        None => first_seen.clone(),
    };
    let mut count = core.get("count").and_then(Value::as_i64).unwrap_or(0);
    if let Some(series) = core.get("series").filter(|s| s.is_object()) {
        last_seen = age_of(series.str_at("lastObservedTime"), ctx);
        count = series.get("count").and_then(Value::as_i64).unwrap_or(count);
    } else if count == 0 {
        count = 1;
    }
    let kind = core
        .str_at("involvedObject.kind")
        .unwrap_or("")
        .to_lowercase();
    let target = match core.str_at("involvedObject.name") {
        Some(name) if !name.is_empty() => format!("{kind}/{name}"),
        _ => kind,
    };
    let component = core
        .str_at("source.component")
        .filter(|s| !s.is_empty())
        .or_else(|| core.str_at("reportingComponent"))
        .unwrap_or("");
    let instance = core
        .str_at("source.host")
        .filter(|s| !s.is_empty())
        .or_else(|| core.str_at("reportingInstance"))
        .unwrap_or("");
    let source = match (component.is_empty(), instance.is_empty()) {
        (true, _) => String::new(),
        (false, true) => component.to_string(),
        (false, false) => format!("{component}, {instance}"),
    };
    vec![
        last_seen,
        Value::from(core.str_at("type").unwrap_or("")),
        Value::from(core.str_at("reason").unwrap_or("")),
        Value::from(target),
        Value::from(core.str_at("involvedObject.fieldPath").unwrap_or("")),
        Value::from(source),
        Value::from(core.str_at("message").unwrap_or("").trim()),
        first_seen,
        Value::from(count),
        Value::from(core.name().unwrap_or("")),
    ]
}

/// Field selector labels, read from the stored (core) form.
fn core_field_label(core: &Value, label: &str) -> Option<String> {
    let field = match label {
        "involvedObject.kind"
        | "involvedObject.namespace"
        | "involvedObject.name"
        | "involvedObject.uid"
        | "involvedObject.apiVersion"
        | "involvedObject.resourceVersion"
        | "involvedObject.fieldPath"
        | "reason"
        | "reportingComponent"
        | "type" => label.to_string(),
        "source" => "source.component".to_string(),
        _ => return meta_field_label(core, label),
    };
    Some(core.str_at(&field).unwrap_or("").to_string())
}

pub(crate) struct CoreEventStrategy;

impl Strategy for CoreEventStrategy {
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError> {
        typed::<CoreEvent>(obj, "Event", "v1")
    }

    fn name_rule(&self) -> NameRule {
        NameRule::Subdomain
    }

    fn validate(&self, obj: &Value, _old: Option<&Value>) -> Vec<FieldError> {
        validate_event(obj)
    }

    fn columns(&self) -> Vec<Column> {
        event_columns()
    }

    fn row(&self, obj: &Value, ctx: &Ctx) -> Vec<Value> {
        event_row(obj, ctx)
    }

    fn field_label(&self, obj: &Value, label: &str) -> Option<String> {
        core_field_label(obj, label)
    }
}

pub(crate) struct EventsV1Strategy;

impl Strategy for EventsV1Strategy {
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError> {
        let had_time = obj.get("eventTime").is_some_and(|t| !t.is_null());
        let mut decoded = typed::<EventsV1>(obj, "Event", "events.k8s.io/v1")?;
        if !had_time && let Some(map) = decoded.object.as_object_mut() {
            // The typed decode fills a zero time; keep "absent" absent so validation sees it.
            map.remove("eventTime");
        }
        Ok(decoded)
    }

    fn validate(&self, obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
        let mut errs = validate_event(obj);
        // The stored form is core; the new API's required fields are checked on create.
        if old.is_none() && obj.get("eventTime").is_none_or(Value::is_null) {
            errs.push(FieldError::required("eventTime", ""));
        }
        errs
    }

    fn to_storage(&self, obj: Value) -> Value {
        rename(&obj, "v1", true)
    }

    fn to_served(&self, obj: &Value) -> Value {
        rename(obj, "events.k8s.io/v1", false)
    }

    fn converts(&self) -> bool {
        true
    }

    fn columns(&self) -> Vec<Column> {
        event_columns()
    }

    fn row(&self, obj: &Value, ctx: &Ctx) -> Vec<Value> {
        // Rows are rendered from the stored (core) form.
        event_row(obj, ctx)
    }

    fn field_label(&self, obj: &Value, label: &str) -> Option<String> {
        let core_label = RENAMES
            .iter()
            .find_map(|(v1, core)| label.strip_prefix(v1).map(|rest| format!("{core}{rest}")))
            .unwrap_or_else(|| label.to_string());
        core_field_label(obj, &core_label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::SystemTime;

    #[test]
    fn views_round_trip() {
        let v1 = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e", "namespace": "d"},
            "eventTime": "2026-01-01T00:00:00.000000Z", "regarding": {"kind": "Certificate", "name": "web", "namespace": "d"},
            "note": "Issued", "reason": "Issuing", "type": "Normal", "reportingController": "cert-manager", "reportingInstance": "x", "action": "Issue"});
        let core = EventsV1Strategy.to_storage(v1.clone());
        assert_eq!(core["apiVersion"], "v1");
        assert_eq!(core["involvedObject"]["name"], "web");
        assert_eq!(core["message"], "Issued");
        assert_eq!(core["reportingComponent"], "cert-manager");
        assert_eq!(EventsV1Strategy.to_served(&core), v1);
        assert_eq!(
            core_field_label(&core, "involvedObject.name").as_deref(),
            Some("web")
        );
        assert_eq!(
            EventsV1Strategy
                .field_label(&core, "regarding.kind")
                .as_deref(),
            Some("Certificate")
        );
        let row = event_row(
            &core,
            &Ctx {
                now: SystemTime::now(),
            },
        );
        assert_eq!(row[3], "certificate/web");
        assert_eq!(row[5], "cert-manager, x");
    }

    #[test]
    fn new_api_requires_event_time() {
        let d = EventsV1Strategy
            .decode(json!({"metadata": {"name": "e"}, "reason": "R"}))
            .unwrap();
        let errs = EventsV1Strategy.validate(&d.object, None);
        assert_eq!(errs[0].to_string(), "eventTime: Required value");
    }
}
