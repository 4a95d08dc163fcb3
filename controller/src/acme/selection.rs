//! Interim solver choice until the full selection (selector dnsNames, dnsZones,
//! matchLabels, list order) lands: the first solver whose type the authorization
//! offers, DNS-01 only for wildcards.

use std::collections::BTreeMap;

use crate::api::acme::AcmeChallengeSolver;
use crate::api::order::AcmeChallenge;

/// The solver and the offered challenge it solves.
pub fn pick<'a>(
    _identifier: &str,
    wildcard: bool,
    offered: &'a [AcmeChallenge],
    solvers: &[AcmeChallengeSolver],
    _labels: &BTreeMap<String, String>,
) -> Option<(AcmeChallengeSolver, &'a AcmeChallenge)> {
    solvers.iter().find_map(|s| {
        let want = if s.dns01.is_some() {
            "dns-01"
        } else if s.http01.is_some() && !wildcard {
            "http-01"
        } else {
            return None;
        };
        offered
            .iter()
            .find(|c| c.type_ == want)
            .map(|c| (s.clone(), c))
    })
}
