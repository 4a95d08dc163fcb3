//! Namespaces: a `default` ServiceAccount in each new namespace, and deletion of a
//! terminating namespace's contents before the namespace itself.

use serde_json::{Value, json};

use crate::meta::ObjectExt;
use crate::objects::{DeleteOptions, Objects, WriteOptions};
use crate::store::{Change, EventType, ObjectKey};

const KUBERNETES_FINALIZER: &str = "kubernetes";

fn is_namespace(change: &Change) -> bool {
    change.resource.group.is_empty() && change.resource.resource == "namespaces"
}

pub(super) fn react(objects: &Objects, change: &Change) {
    if is_namespace(change) {
        let name = change.object.name().unwrap_or("").to_string();
        match change.kind {
            EventType::Added => ensure_service_account(objects, &name),
            EventType::Modified if change.object.is_deleting() => drain(objects, &name),
            _ => {}
        }
        return;
    }
    // Something in a terminating namespace went away: the namespace may be empty now.
    let ns = change.namespace();
    if change.kind == EventType::Deleted && !ns.is_empty() && namespace_deleting(objects, ns) {
        drain(objects, ns);
    }
    // A custom resource went away: its terminating CRD may be done.
    if change.kind == EventType::Deleted && !change.resource.group.is_empty() {
        let crd_name = format!("{}.{}", change.resource.resource, change.resource.group);
        let crds =
            crate::status::GroupResource::new("apiextensions.k8s.io", "customresourcedefinitions");
        if let Some(crd) = objects.store().get(&crds, &ObjectKey::new("", &crd_name))
            && crd.is_deleting()
        {
            objects.clean_up_crd(&crd);
        }
    }
}

pub(super) fn resync(objects: &Objects) {
    let namespaces = crate::status::GroupResource::new("", "namespaces");
    let (items, _) = objects.store().list(&namespaces, None, None);
    for ns in items {
        let name = ns.name().unwrap_or("").to_string();
        if ns.is_deleting() {
            drain(objects, &name);
        }
    }
    let crds =
        crate::status::GroupResource::new("apiextensions.k8s.io", "customresourcedefinitions");
    let (crds, _) = objects.store().list(&crds, None, None);
    for crd in crds.iter().filter(|c| c.is_deleting()) {
        objects.clean_up_crd(crd);
    }
}

fn namespace_deleting(objects: &Objects, name: &str) -> bool {
    let namespaces = crate::status::GroupResource::new("", "namespaces");
    objects
        .store()
        .get(&namespaces, &ObjectKey::new("", name))
        .is_some_and(|ns| ns.is_deleting())
}

/// Creates the namespace's `default` ServiceAccount, as the service account controller
/// does.
pub fn ensure_service_account(objects: &Objects, namespace: &str) {
    let Some(rt) = objects.registry().get("", "v1", "serviceaccounts") else {
        return;
    };
    if objects.get_stored(&rt, namespace, "default").is_some()
        || namespace_deleting(objects, namespace)
    {
        return;
    }
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": namespace}});
    let opts = WriteOptions {
        field_manager: "certlab-serviceaccount-controller".into(),
        ..WriteOptions::default()
    };
    if let Err(e) = objects.create(&rt, namespace, sa, &opts)
        && e.code != 409
        && e.code != 403
        && e.code != 404
    {
        tracing::warn!(%namespace, error = %e, "creating the default ServiceAccount failed");
    }
}

/// Deletes everything in a terminating namespace; once it is empty, removes the
/// `kubernetes` finalizer (which removes the namespace when nothing else holds it).
fn drain(objects: &Objects, namespace: &str) {
    let contents = objects.store().namespace_contents(namespace);
    for (resource, obj) in &contents {
        if obj.is_deleting() {
            continue;
        }
        let Some(rt) = objects.type_for_storage(resource) else {
            continue;
        };
        let name = obj.name().unwrap_or("");
        if let Err(e) = objects.delete(&rt, namespace, name, &DeleteOptions::default())
            && e.code != 404
            && e.code != 409
        {
            tracing::warn!(%resource, %namespace, %name, error = %e, "deleting namespace contents failed");
        }
    }
    if !objects.store().namespace_contents(namespace).is_empty() {
        return;
    }
    let Some(rt) = objects.registry().get("", "v1", "namespaces") else {
        return;
    };
    let Some(ns) = objects.get_stored(&rt, namespace, namespace) else {
        return;
    };
    let finalizers: Vec<Value> = ns
        .pointer("/spec/finalizers")
        .and_then(Value::as_array)
        .map(|f| {
            f.iter()
                .filter(|x| *x != KUBERNETES_FINALIZER)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let opts = WriteOptions {
        field_manager: "certlab-namespace-controller".into(),
        ..WriteOptions::default()
    };
    if let Err(e) =
        objects.set_namespace_finalizers(&rt, namespace, Value::Array(finalizers), &opts)
        && e.code != 404
    {
        tracing::warn!(%namespace, error = %e, "finalizing the namespace failed");
    }
}
