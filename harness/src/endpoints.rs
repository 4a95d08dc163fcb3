//! `endpoints.json`: where a running lab's components listen.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The addresses of a running lab, as written to `endpoints.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    /// The kubeconfig for the embedded cluster.
    pub kubeconfig: PathBuf,
    /// The API server URL.
    pub apiserver: String,
    /// mock-dns, `host:port` (UDP and TCP).
    pub dns: String,
    /// mock-dns's management API URL.
    pub dns_management: String,
    /// mock-acme's ACME directory URL (HTTPS).
    pub acme_directory: String,
    /// The PEM file clients trust for the directory's HTTPS.
    pub acme_tls_ca: PathBuf,
    /// mock-acme's management API URL.
    pub acme_management: String,
    /// The controller's Prometheus metrics URL.
    pub metrics: String,
    /// The port HTTP-01 validation uses: the ingress edge's.
    pub http01_port: u16,
    /// The ingress edge, `host:port`: routes by Ingress host and path to the pods.
    pub ingress_edge: String,
    /// Every name under this domain resolves to the lab; `lab-acme-dns01` can solve for
    /// it and its wildcards.
    pub lab_domain: String,
}

impl Endpoints {
    /// Writes the file atomically (a temporary file renamed into place).
    pub fn write_atomically(&self, path: &Path) -> std::io::Result<()> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        tmp.write_all(&json)?;
        tmp.write_all(b"\n")?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }

    /// Reads an `endpoints.json`.
    pub fn read(path: &Path) -> std::io::Result<Self> {
        let bytes = std::fs::read(path)?;
        serde_json::from_slice(&bytes).map_err(std::io::Error::other)
    }
}
