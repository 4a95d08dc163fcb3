//! The lab: the embedded cluster and mock-dns on one virtual clock.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use certlab_clock::{SharedClock, VirtualClock};
use certlab_cluster::Cluster;
use mock_dns::{MockDns, RunningDns};

use crate::endpoints::Endpoints;

/// Why a lab could not start.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// The embedded cluster failed to start.
    #[error("starting the embedded cluster: {0}")]
    Cluster(#[from] certlab_cluster::ClusterError),
    /// mock-dns failed to start.
    #[error("starting mock-dns: {0}")]
    Dns(#[from] mock_dns::StartError),
    /// A component did not report its address.
    #[error("{0} did not report its address")]
    NoAddress(&'static str),
    /// `endpoints.json` could not be written.
    #[error("writing {path}: {source}")]
    Write {
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Configures a [`Lab`].
#[derive(Debug, Default)]
pub struct LabBuilder {
    state_dir: Option<PathBuf>,
    clock: Option<VirtualClock>,
}

impl LabBuilder {
    /// Where the kubeconfig and `endpoints.json` go (default: a temporary directory
    /// removed with the lab).
    pub fn state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
        self
    }

    /// The virtual clock to share (default: one flowing from now).
    pub fn clock(mut self, clock: VirtualClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Starts every component, then writes the kubeconfig and `endpoints.json`.
    pub async fn start(self) -> Result<Lab, LabError> {
        let clock = self
            .clock
            .unwrap_or_else(|| VirtualClock::flowing(SystemTime::now()));
        let (state_dir, temp) = match self.state_dir {
            Some(dir) => (dir, None),
            None => {
                let temp = tempfile::tempdir().map_err(|source| LabError::Write {
                    path: std::env::temp_dir(),
                    source,
                })?;
                (temp.path().to_path_buf(), Some(temp))
            }
        };
        std::fs::create_dir_all(&state_dir).map_err(|source| LabError::Write {
            path: state_dir.clone(),
            source,
        })?;
        let kubeconfig = state_dir.join("kubeconfig");
        let shared: SharedClock = clock.shared();
        let cluster = Cluster::builder()
            .clock(shared.clone())
            .kubeconfig_path(&kubeconfig)
            .start()
            .await?;
        let dns = MockDns::builder().clock(shared).start().await?;
        let endpoints = Endpoints {
            kubeconfig: kubeconfig.clone(),
            apiserver: cluster
                .kubeconfig()
                .map(|k| k.server.clone())
                .ok_or(LabError::NoAddress("the API server"))?,
            dns: dns
                .dns_addr()
                .ok_or(LabError::NoAddress("mock-dns"))?
                .to_string(),
            dns_management: dns
                .management_url()
                .ok_or(LabError::NoAddress("mock-dns management"))?,
        };
        let endpoints_path = state_dir.join("endpoints.json");
        endpoints
            .write_atomically(&endpoints_path)
            .map_err(|source| LabError::Write {
                path: endpoints_path.clone(),
                source,
            })?;
        Ok(Lab {
            clock,
            cluster,
            dns: Some(dns),
            endpoints,
            state_dir,
            _temp: temp,
        })
    }
}

/// A running lab. Dropping it stops everything; [`Lab::shutdown`] waits for it.
pub struct Lab {
    clock: VirtualClock,
    cluster: Cluster,
    dns: Option<RunningDns>,
    endpoints: Endpoints,
    state_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for Lab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lab")
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

impl Lab {
    /// A builder.
    pub fn builder() -> LabBuilder {
        LabBuilder::default()
    }

    /// The shared virtual clock.
    pub fn clock(&self) -> &VirtualClock {
        &self.clock
    }

    /// The embedded cluster.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// mock-dns.
    pub fn dns(&self) -> Option<&RunningDns> {
        self.dns.as_ref()
    }

    /// Where everything listens.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The state directory.
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// Stops every component and waits for them.
    pub async fn shutdown(mut self) {
        self.cluster.shutdown();
        if let Some(dns) = self.dns.take() {
            dns.shutdown().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_lab_starts_and_reports_its_endpoints() {
        let dir = tempfile::tempdir().unwrap();
        let lab = Lab::builder().state_dir(dir.path()).start().await.unwrap();
        let written = Endpoints::read(&dir.path().join("endpoints.json")).unwrap();
        assert_eq!(&written, lab.endpoints());
        assert!(written.apiserver.starts_with("https://127.0.0.1:"));
        assert!(written.dns.starts_with("127.0.0.1:"));
        assert!(dir.path().join("kubeconfig").exists());
        let client = lab.cluster().client();
        let ns: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(client);
        assert!(ns.get("default").await.is_ok());
        lab.shutdown().await;
    }
}
