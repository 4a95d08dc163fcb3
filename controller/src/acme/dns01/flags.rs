//! The DNS-01 command-line flags, named as cert-manager's, for `main.rs` to flatten
//! into its CLI (`#[command(flatten)] dns01: Dns01Flags`).

use super::{Dns01Error, Dns01Settings};

/// `--dns01-recursive-nameservers` and `--dns01-recursive-nameservers-only`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Dns01Flags {
    /// Comma-separated `ip:port` of the nameservers used for DNS-01 zone lookups and
    /// self-checks (default: the system's, from /etc/resolv.conf).
    #[arg(long, default_value = "")]
    pub dns01_recursive_nameservers: String,
    /// Self-check only against the recursive nameservers, not the zone's
    /// authoritative ones.
    #[arg(long, default_value_t = false)]
    pub dns01_recursive_nameservers_only: bool,
}

impl TryFrom<Dns01Flags> for Dns01Settings {
    type Error = Dns01Error;

    fn try_from(f: Dns01Flags) -> Result<Self, Dns01Error> {
        Ok(Self {
            recursive_nameservers: Dns01Settings::parse_nameservers_flag(
                &f.dns01_recursive_nameservers,
            )?,
            recursive_only: f.dns01_recursive_nameservers_only,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        dns01: Dns01Flags,
    }

    #[test]
    fn flags_become_settings() {
        let s = Dns01Settings::try_from(Cli::parse_from(["x"]).dns01).unwrap();
        assert!(s.recursive_nameservers.is_empty() && !s.recursive_only);
        let s = Dns01Settings::try_from(
            Cli::parse_from([
                "x",
                "--dns01-recursive-nameservers=127.0.0.1:8053",
                "--dns01-recursive-nameservers-only",
            ])
            .dns01,
        )
        .unwrap();
        assert_eq!(s.recursive_nameservers.len(), 1);
        assert!(s.recursive_only);
    }
}
