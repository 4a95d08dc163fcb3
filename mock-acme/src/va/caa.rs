//! CAA checking (RFC 8659): climb from the name towards the root, take the first
//! non-empty CAA set, and allow issuance when it has no `issue` (or, for wildcards,
//! `issuewild`) property or one naming a domain in `caaIdentities`.

use crate::va::dns::{CaaProperty, DnsClient};
use crate::wfe::problem::{Problem, ProblemType};

/// The issuer domain of an `issue`/`issuewild` value (`"ca.example; key=v"` → `ca.example`).
pub fn issuer_domain(value: &str) -> &str {
    value.split(';').next().unwrap_or_default().trim()
}

/// Decides issuance from one relevant CAA set.
pub fn allowed(set: &[CaaProperty], wildcard: bool, identities: &[String]) -> Result<(), String> {
    if let Some(p) = set
        .iter()
        .find(|p| p.critical && !matches!(p.tag.as_str(), "issue" | "issuewild" | "iodef"))
    {
        return Err(format!("unknown critical CAA property {:?}", p.tag));
    }
    let wild: Vec<&CaaProperty> = set.iter().filter(|p| p.tag == "issuewild").collect();
    let issue: Vec<&CaaProperty> = set.iter().filter(|p| p.tag == "issue").collect();
    let relevant = if wildcard && !wild.is_empty() {
        wild
    } else {
        issue
    };
    if relevant.is_empty() {
        return Ok(());
    }
    let ok = relevant.iter().any(|p| {
        let d = issuer_domain(&p.value);
        !d.is_empty() && identities.iter().any(|i| i.eq_ignore_ascii_case(d))
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "CAA record(s) forbid issuance by {}",
            identities.join(", ")
        ))
    }
}

/// Checks CAA for `name` (wildcard prefix already removed).
pub async fn check(
    dns: &DnsClient,
    name: &str,
    wildcard: bool,
    identities: &[String],
) -> Result<(), Problem> {
    let name = name.trim_end_matches('.');
    if name == "localhost" || name.ends_with(".localhost") {
        return Ok(());
    }
    let mut current = name;
    loop {
        let set = dns.caa(current).await.map_err(|p| {
            Problem::new(ProblemType::Caa, format!("CAA lookup failed: {}", p.detail))
        })?;
        if !set.is_empty() {
            return allowed(&set, wildcard, identities)
                .map_err(|d| Problem::new(ProblemType::Caa, format!("{d} for {name}")));
        }
        match current.split_once('.') {
            Some((_, parent)) if !parent.is_empty() => current = parent,
            _ => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prop(tag: &str, value: &str) -> CaaProperty {
        CaaProperty {
            critical: false,
            tag: tag.into(),
            value: value.into(),
        }
    }

    #[test]
    fn caa_decisions() {
        let ids = vec!["pebble.letsencrypt.org".to_string()];
        assert!(allowed(&[], false, &ids).is_ok());
        assert!(allowed(&[prop("iodef", "mailto:x@y")], false, &ids).is_ok());
        assert!(allowed(&[prop("issue", "pebble.letsencrypt.org")], false, &ids).is_ok());
        assert!(allowed(&[prop("issue", "other.ca; x=y")], false, &ids).is_err());
        assert!(allowed(&[prop("issue", ";")], false, &ids).is_err());
        let wild = [
            prop("issue", "pebble.letsencrypt.org"),
            prop("issuewild", ";"),
        ];
        assert!(allowed(&wild, false, &ids).is_ok());
        assert!(allowed(&wild, true, &ids).is_err());
        let crit = [CaaProperty {
            critical: true,
            tag: "future".into(),
            value: String::new(),
        }];
        assert!(allowed(&crit, false, &ids).is_err());
    }
}
