//! kubeconfig files for the embedded cluster.

use std::io::Write;
use std::path::Path;

use base64::Engine;

/// What a client needs to reach the cluster.
#[derive(Clone)]
pub struct Kubeconfig {
    /// `https://127.0.0.1:<port>`.
    pub server: String,
    /// PEM of the CA that signed the serving certificate.
    pub ca_pem: String,
    /// The bearer token.
    pub token: String,
}

impl std::fmt::Debug for Kubeconfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kubeconfig")
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

/// The names used in the file.
pub const CONTEXT: &str = "certlab";

impl Kubeconfig {
    /// The kubeconfig YAML.
    pub fn to_yaml(&self) -> String {
        let ca = base64::engine::general_purpose::STANDARD.encode(self.ca_pem.as_bytes());
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: {CONTEXT}\n  cluster:\n    server: {server}\n    certificate-authority-data: {ca}\nusers:\n- name: certlab-admin\n  user:\n    token: {token}\ncontexts:\n- name: {CONTEXT}\n  context:\n    cluster: {CONTEXT}\n    user: certlab-admin\n    namespace: default\ncurrent-context: {CONTEXT}\npreferences: {{}}\n",
            server = self.server,
            token = self.token,
        )
    }

    /// Writes the kubeconfig atomically (a temporary file renamed into place, so readers
    /// never see half a file; not fsynced: it only matters while the server runs), readable
    /// by the owner only: it holds the token.
    pub fn write_atomically(&self, path: &Path) -> std::io::Result<()> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(self.to_yaml().as_bytes())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600))?;
        }
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}
