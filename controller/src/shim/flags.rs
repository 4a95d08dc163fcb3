//! The ingress-shim's command-line flags, named as cert-manager's, for `main.rs` to
//! flatten into its CLI (`#[command(flatten)] shim: ShimFlags`).

use super::ShimConfig;

/// `--auto-certificate-annotations`, `--default-issuer-{name,kind,group}`,
/// `--extra-certificate-annotations`.
#[derive(Debug, Clone, clap::Args)]
pub struct ShimFlags {
    /// Annotations that, set to true on an Ingress, ask for Certificates from the
    /// default issuer (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "kubernetes.io/tls-acme")]
    pub auto_certificate_annotations: Vec<String>,
    /// Issuer for Ingresses with only an auto-certificate annotation.
    #[arg(long, default_value = "")]
    pub default_issuer_name: String,
    /// Kind of the default issuer.
    #[arg(long, default_value = "Issuer")]
    pub default_issuer_kind: String,
    /// API group of the default issuer.
    #[arg(long, default_value = "cert-manager.io")]
    pub default_issuer_group: String,
    /// Ingress annotations copied onto its Certificates (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub extra_certificate_annotations: Vec<String>,
}

impl From<ShimFlags> for ShimConfig {
    fn from(f: ShimFlags) -> Self {
        Self {
            auto_certificate_annotations: f
                .auto_certificate_annotations
                .into_iter()
                .filter(|a| !a.is_empty())
                .collect(),
            default_issuer_name: f.default_issuer_name,
            default_issuer_kind: f.default_issuer_kind,
            default_issuer_group: f.default_issuer_group,
            extra_certificate_annotations: f
                .extra_certificate_annotations
                .into_iter()
                .filter(|a| !a.is_empty())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        shim: ShimFlags,
    }

    #[test]
    fn defaults_match_shim_config() {
        let cli = Cli::parse_from(["x"]);
        assert_eq!(ShimConfig::from(cli.shim), ShimConfig::default());
        let cli = Cli::parse_from([
            "x",
            "--default-issuer-name=le",
            "--default-issuer-kind",
            "ClusterIssuer",
            "--auto-certificate-annotations=a,b",
            "--extra-certificate-annotations=team",
        ]);
        let cfg = ShimConfig::from(cli.shim);
        assert_eq!(cfg.default_issuer_name, "le");
        assert_eq!(cfg.default_issuer_kind, "ClusterIssuer");
        assert_eq!(cfg.auto_certificate_annotations, ["a", "b"]);
        assert_eq!(cfg.extra_certificate_annotations, ["team"]);
    }
}
