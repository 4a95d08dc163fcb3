//! What ingress controllers write back: `status.loadBalancer.ingress` of every
//! served Ingress names the edge's address (`[{ip: 127.0.0.1}]`), written only when
//! it differs.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::EdgeConfig;
use crate::meta::ObjectExt;
use crate::objects::{Objects, PatchKind, Subresource, WriteOptions};
use crate::status::GroupResource;

/// The address the edge reports.
const EDGE_IP: &str = "127.0.0.1";

fn wanted() -> Value {
    json!([{"ip": EDGE_IP}])
}

/// Writes the load balancer status of one Ingress if it is served and differs.
pub fn publish(objects: &Objects, config: &EdgeConfig, ingress: &Value) {
    if ingress.is_deleting() || !config.serves(objects, ingress) {
        return;
    }
    if ingress.pointer("/status/loadBalancer/ingress") == Some(&wanted()) {
        return;
    }
    let Some(rt) = objects
        .registry()
        .get("networking.k8s.io", "v1", "ingresses")
    else {
        return;
    };
    let namespace = ingress.namespace().unwrap_or("");
    let name = ingress.name().unwrap_or("");
    let patch = json!({"metadata": {"uid": ingress.uid()}, "status": {"loadBalancer": {"ingress": wanted()}}});
    let bytes = serde_json::to_vec(&patch).unwrap_or_default();
    let opts = WriteOptions {
        field_manager: "certlab-ingress-edge".into(),
        ..WriteOptions::default()
    };
    if let Err(e) = objects.patch(
        &rt,
        namespace,
        name,
        PatchKind::Merge,
        &bytes,
        Subresource::Status,
        &opts,
    ) {
        tracing::debug!(%namespace, ingress = %name, error = %e, "writing the Ingress status failed");
    }
}

/// Keeps the status of every served Ingress up to date until `stop`.
pub async fn run(objects: Arc<Objects>, config: Arc<EdgeConfig>, stop: CancellationToken) {
    let resource = GroupResource::new("networking.k8s.io", "ingresses");
    loop {
        let (snapshot, mut sub) = objects.store().subscribe_with_snapshot(&resource, None);
        for ingress in &snapshot {
            publish(&objects, &config, ingress);
        }
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                change = sub.live.recv() => match change {
                    Some(change) => {
                        if change.kind != crate::store::EventType::Deleted {
                            publish(&objects, &config, &change.object);
                        }
                    }
                    None => break,
                },
            }
        }
    }
}
