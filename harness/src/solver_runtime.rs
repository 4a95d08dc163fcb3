//! The lab's container runtime: it runs ACME HTTP-01 solver images (cert-manager's
//! `quay.io/jetstack/cert-manager-acmesolver` and certlab's own) as in-process tasks of
//! `certlab-acmesolver`, bound to the pod's loopback IP. Any other image is not
//! runnable, so its pod stays Pending with an event, never faked as Running.

use std::net::SocketAddr;

use certlab_cluster::node::{ContainerExit, ContainerRuntime, ContainerStart, RunningContainer};
use certlab_controller::acme::solver_server;
use futures::future::BoxFuture;

/// Image repositories this runtime runs (any tag or digest).
pub const SOLVER_IMAGES: [&str; 2] = [
    "quay.io/jetstack/cert-manager-acmesolver",
    "ghcr.io/certlab/acmesolver",
];

/// Runs acmesolver containers as tasks.
#[derive(Debug, Default, Clone, Copy)]
pub struct AcmeSolverRuntime;

fn repository(image: &str) -> &str {
    // Strip a digest, then a tag (a ':' after the last '/').
    let image = image.split('@').next().unwrap_or(image);
    match image.rfind(':') {
        Some(i) if !image[i..].contains('/') => &image[..i],
        _ => image,
    }
}

impl ContainerRuntime for AcmeSolverRuntime {
    fn runs(&self, image: &str) -> bool {
        SOLVER_IMAGES.contains(&repository(image))
    }

    fn describe(&self) -> String {
        format!("the ACME HTTP-01 solver ({})", SOLVER_IMAGES.join(", "))
    }

    fn start(&self, start: ContainerStart) -> BoxFuture<'static, Result<RunningContainer, String>> {
        Box::pin(async move {
            let flag = |name: &str| start.flag(name).map(str::to_string);
            let port: u16 = match flag("listen-port") {
                Some(p) => p
                    .parse()
                    .map_err(|_| format!("--listen-port={p:?} is not a port"))?,
                None => solver_server::LISTEN_PORT,
            };
            let challenge = solver_server::Challenge {
                domain: flag("domain").ok_or("--domain is required")?,
                token: flag("token").ok_or("--token is required")?,
                key: flag("key").ok_or("--key is required")?,
            };
            let listener = solver_server::bind(SocketAddr::from((start.pod_ip, port)))
                .await
                .map_err(|e| e.to_string())?;
            let stop = start.stop.clone();
            let task = tokio::spawn(async move {
                match solver_server::serve_listener(listener, challenge, stop).await {
                    Ok(()) => ContainerExit::success(),
                    Err(e) => ContainerExit::failed(1, e.to_string()),
                }
            });
            Ok(RunningContainer::from_task(task))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solver_images_are_recognised_with_any_tag() {
        let rt = AcmeSolverRuntime;
        assert!(rt.runs("quay.io/jetstack/cert-manager-acmesolver:v1.21.1"));
        assert!(rt.runs("quay.io/jetstack/cert-manager-acmesolver@sha256:abcd"));
        assert!(rt.runs("ghcr.io/certlab/acmesolver"));
        assert!(!rt.runs("nginx:1.27"));
        assert!(!rt.runs("quay.io/jetstack/cert-manager-acmesolver-evil:v1"));
    }
}
