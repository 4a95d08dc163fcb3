//! Solver selection: which of an issuer's `solvers` solves one authorization, by
//! cert-manager's rules (`pkg/util/solverpicker`, `pkg/controller/acmeorders/selectors`).
//!
//! A solver applies when its challenge type is offered and every part of its selector
//! matches: `dnsNames` (exact), `dnsZones` (suffix on label boundaries), `matchLabels`
//! (all present on the Certificate/Order). Among applicable solvers:
//!
//! 1. one whose `dnsNames` matched beats one whose did not;
//! 2. then the most specific `dnsZones` match (most labels) wins;
//! 3. then the most matching `matchLabels`;
//! 4. then list order (the first stays).
//!
//! A solver without a selector matches everything at the lowest priority: it is kept
//! only while nothing else matched, and never replaces an earlier pick.
//!
//! For a wildcard authorization the name matched against is `*.<dnsName>`, as
//! cert-manager does, and only DNS-01 solvers apply (ACME servers offer only `dns-01`
//! for wildcards; this rule holds even if one offered more).

use std::collections::BTreeMap;

use crate::api::acme::{AcmeChallengeSolver, AcmeChallengeType, CertificateDnsNameSelector};
use crate::api::order::AcmeChallenge;

/// The challenge type a solver solves: HTTP-01 (`http01` set) or DNS-01 (`dns01`
/// set); `None` for a solver with neither.
pub fn solver_type(solver: &AcmeChallengeSolver) -> Option<AcmeChallengeType> {
    if solver.http01.is_some() {
        Some(AcmeChallengeType::Http01)
    } else if solver.dns01.is_some() {
        Some(AcmeChallengeType::Dns01)
    } else {
        None
    }
}

/// The challenge type of an ACME challenge `type` string (`http-01`, `dns-01`); `None`
/// for types cert-manager does not solve (`tls-alpn-01`, …).
pub fn challenge_type(acme_type: &str) -> Option<AcmeChallengeType> {
    match acme_type {
        "http-01" => Some(AcmeChallengeType::Http01),
        "dns-01" => Some(AcmeChallengeType::Dns01),
        _ => None,
    }
}

/// The ACME `type` string of a challenge type (`http-01`, `dns-01`).
pub fn acme_type_name(t: AcmeChallengeType) -> &'static str {
    match t {
        AcmeChallengeType::Http01 => "http-01",
        AcmeChallengeType::Dns01 => "dns-01",
    }
}

/// The chosen solver and the challenge type it solves.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected {
    /// A copy of the chosen solver.
    pub solver: AcmeChallengeSolver,
    /// `HTTP-01` or `DNS-01`.
    pub type_: AcmeChallengeType,
    /// The solver's position in the issuer's list.
    pub index: usize,
}

/// How well a selector matched: (dnsNames matched, zone labels matched, labels matched).
#[derive(Debug, Clone, Copy, Default)]
struct Score {
    dns_name: bool,
    zone_labels: usize,
    labels: usize,
}

/// Picks the solver for one authorization.
///
/// - `solvers`: the issuer's `spec.acme.solvers`, in order;
/// - `dns_name`: the identifier, without `*.`;
/// - `wildcard`: whether the authorization is for `*.<dns_name>`;
/// - `labels`: the labels of the Order (copied from the Certificate/CertificateRequest);
/// - `offered`: the challenge types the server offers for this authorization.
///
/// `None` when no solver applies (the Orders controller then reports cert-manager's
/// "Failed to determine a valid solver configuration for the set of domains on the
/// Order").
pub fn select_solver(
    solvers: &[AcmeChallengeSolver],
    dns_name: &str,
    wildcard: bool,
    labels: &BTreeMap<String, String>,
    offered: &[AcmeChallengeType],
) -> Option<Selected> {
    let domain = if wildcard {
        format!("*.{dns_name}")
    } else {
        dns_name.to_string()
    };
    let mut best: Option<(Selected, Score)> = None;
    for (index, solver) in solvers.iter().enumerate() {
        let Some(type_) = solver_type(solver) else {
            continue;
        };
        if !offered.contains(&type_) || (wildcard && type_ != AcmeChallengeType::Dns01) {
            continue;
        }
        let pick = Selected {
            solver: solver.clone(),
            type_,
            index,
        };
        let Some(selector) = &solver.selector else {
            // The match-all default: only when nothing was chosen yet.
            if best.is_none() {
                best = Some((pick, Score::default()));
            }
            continue;
        };
        let Some(score) = score(selector, &domain, labels) else {
            continue;
        };
        let better = match &best {
            None => true,
            Some((_, current)) => beats(score, *current),
        };
        if better {
            best = Some((pick, score));
        }
    }
    best.map(|(s, _)| s)
}

/// Whether `new` is strictly more specific than `current` (ties keep the earlier).
fn beats(new: Score, current: Score) -> bool {
    if new.dns_name != current.dns_name {
        return new.dns_name;
    }
    if new.zone_labels != current.zone_labels {
        return new.zone_labels > current.zone_labels;
    }
    new.labels > current.labels
}

/// The score of a selector for `domain`, or `None` when some part does not match.
fn score(
    selector: &CertificateDnsNameSelector,
    domain: &str,
    labels: &BTreeMap<String, String>,
) -> Option<Score> {
    let mut score = Score::default();
    if let Some(required) = selector.match_labels.as_ref().filter(|m| !m.is_empty()) {
        if !required.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            return None;
        }
        score.labels = required.len();
    }
    if let Some(names) = selector.dns_names.as_ref().filter(|n| !n.is_empty()) {
        if !names.iter().any(|n| n == domain) {
            return None;
        }
        score.dns_name = true;
    }
    if let Some(zones) = selector.dns_zones.as_ref().filter(|z| !z.is_empty()) {
        score.zone_labels = zones
            .iter()
            .filter_map(|zone| zone_match(zone, domain))
            .max()
            .unwrap_or(0);
        if score.zone_labels == 0 {
            return None;
        }
    }
    Some(score)
}

/// The DNS labels of a name, lowercased, without the root's empty label.
fn dns_labels(name: &str) -> Vec<String> {
    name.trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// How many labels of `zone` match the end of `domain`, when all of them do.
fn zone_match(zone: &str, domain: &str) -> Option<usize> {
    let zone = dns_labels(zone);
    let domain = dns_labels(domain);
    if zone.is_empty() || zone.len() > domain.len() {
        return None;
    }
    let matched = zone
        .iter()
        .rev()
        .zip(domain.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    (matched == zone.len()).then_some(matched)
}

/// [`select_solver`] over the challenges an authorization offers: the solver and the
/// offered challenge it solves (the Orders controller's entry point).
pub fn pick<'a>(
    identifier: &str,
    wildcard: bool,
    offered: &'a [AcmeChallenge],
    solvers: &[AcmeChallengeSolver],
    labels: &BTreeMap<String, String>,
) -> Option<(AcmeChallengeSolver, &'a AcmeChallenge)> {
    let types: Vec<AcmeChallengeType> = offered
        .iter()
        .filter_map(|c| challenge_type(&c.type_))
        .collect();
    let selected = select_solver(solvers, identifier, wildcard, labels, &types)?;
    let want = acme_type_name(selected.type_);
    offered
        .iter()
        .find(|c| c.type_ == want)
        .map(|c| (selected.solver, c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::acme::{AcmeChallengeSolverDns01, AcmeChallengeSolverHttp01};

    const BOTH: &[AcmeChallengeType] = &[AcmeChallengeType::Http01, AcmeChallengeType::Dns01];
    const HTTP: &[AcmeChallengeType] = &[AcmeChallengeType::Http01];

    /// A solver tagged through `waitInsteadOfSelfCheck`-free marker: its index.
    fn solver(
        http: bool,
        names: &[&str],
        zones: &[&str],
        labels: &[(&str, &str)],
        selector: bool,
    ) -> AcmeChallengeSolver {
        AcmeChallengeSolver {
            selector: selector.then(|| CertificateDnsNameSelector {
                dns_names: (!names.is_empty())
                    .then(|| names.iter().map(|s| s.to_string()).collect()),
                dns_zones: (!zones.is_empty())
                    .then(|| zones.iter().map(|s| s.to_string()).collect()),
                match_labels: (!labels.is_empty()).then(|| {
                    labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect()
                }),
            }),
            http01: http.then(AcmeChallengeSolverHttp01::default),
            dns01: (!http).then(AcmeChallengeSolverDns01::default),
            wait_instead_of_self_check: None,
        }
    }

    fn default_http() -> AcmeChallengeSolver {
        solver(true, &[], &[], &[], false)
    }
    fn names(n: &[&str]) -> AcmeChallengeSolver {
        solver(true, n, &[], &[], true)
    }
    fn zones(z: &[&str]) -> AcmeChallengeSolver {
        solver(true, &[], z, &[], true)
    }
    fn labels(l: &[(&str, &str)]) -> AcmeChallengeSolver {
        solver(true, &[], &[], l, true)
    }

    fn pick(
        solvers: &[AcmeChallengeSolver],
        domain: &str,
        wildcard: bool,
        have: &[(&str, &str)],
        offered: &[AcmeChallengeType],
    ) -> Option<usize> {
        let have: BTreeMap<String, String> = have
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        select_solver(solvers, domain, wildcard, &have, offered).map(|s| s.index)
    }

    // The cases of cert-manager's solver-picker tests, by their intent.
    #[test]
    fn the_selection_table() {
        #[allow(clippy::type_complexity)]
        let cases: Vec<(
            &str,
            Vec<AcmeChallengeSolver>,
            &str,
            bool,
            &[(&str, &str)],
            &[AcmeChallengeType],
            Option<usize>,
        )> = vec![
            (
                "a lone default solver is used",
                vec![default_http()],
                "example.com",
                false,
                &[],
                BOTH,
                Some(0),
            ),
            (
                "no solvers: nothing",
                vec![],
                "example.com",
                false,
                &[],
                BOTH,
                None,
            ),
            (
                "type not offered: nothing",
                vec![solver(false, &[], &[], &[], false)],
                "example.com",
                false,
                &[],
                HTTP,
                None,
            ),
            (
                "the first of two defaults wins",
                vec![default_http(), default_http()],
                "example.com",
                false,
                &[],
                BOTH,
                Some(0),
            ),
            (
                "a matching dnsNames beats the default",
                vec![default_http(), names(&["example.com"])],
                "example.com",
                false,
                &[],
                BOTH,
                Some(1),
            ),
            (
                "a default after a match never replaces it",
                vec![names(&["example.com"]), default_http()],
                "example.com",
                false,
                &[],
                BOTH,
                Some(0),
            ),
            (
                "non-matching dnsNames: the default",
                vec![names(&["other.com"]), default_http()],
                "example.com",
                false,
                &[],
                BOTH,
                Some(1),
            ),
            (
                "dnsNames beats dnsZones",
                vec![zones(&["example.com"]), names(&["www.example.com"])],
                "www.example.com",
                false,
                &[],
                BOTH,
                Some(1),
            ),
            (
                "dnsNames beats dnsZones in either order",
                vec![names(&["www.example.com"]), zones(&["example.com"])],
                "www.example.com",
                false,
                &[],
                BOTH,
                Some(0),
            ),
            (
                "the most specific zone wins",
                vec![zones(&["example.com"]), zones(&["www.example.com"])],
                "a.www.example.com",
                false,
                &[],
                BOTH,
                Some(1),
            ),
            (
                "less specific zone later loses",
                vec![zones(&["www.example.com"]), zones(&["example.com"])],
                "a.www.example.com",
                false,
                &[],
                BOTH,
                Some(0),
            ),
            (
                "zones match on label boundaries only",
                vec![zones(&["ample.com"])],
                "example.com",
                false,
                &[],
                BOTH,
                None,
            ),
            (
                "a zone matches its apex",
                vec![zones(&["example.com"])],
                "example.com",
                false,
                &[],
                BOTH,
                Some(0),
            ),
            (
                "zones compare case-insensitively",
                vec![zones(&["Example.COM."])],
                "www.example.com",
                false,
                &[],
                BOTH,
                Some(0),
            ),
            (
                "labels must all match",
                vec![labels(&[("a", "1"), ("b", "2")])],
                "example.com",
                false,
                &[("a", "1")],
                BOTH,
                None,
            ),
            (
                "more matching labels win",
                vec![labels(&[("a", "1")]), labels(&[("a", "1"), ("b", "2")])],
                "example.com",
                false,
                &[("a", "1"), ("b", "2")],
                BOTH,
                Some(1),
            ),
            (
                "equal labels: list order",
                vec![labels(&[("a", "1")]), labels(&[("b", "2")])],
                "example.com",
                false,
                &[("a", "1"), ("b", "2")],
                BOTH,
                Some(0),
            ),
            (
                "zone beats labels",
                vec![labels(&[("a", "1")]), zones(&["example.com"])],
                "example.com",
                false,
                &[("a", "1")],
                BOTH,
                Some(1),
            ),
            (
                "same zone: more labels win",
                vec![
                    solver(true, &[], &["example.com"], &[], true),
                    solver(true, &[], &["example.com"], &[("a", "1")], true),
                ],
                "www.example.com",
                false,
                &[("a", "1")],
                BOTH,
                Some(1),
            ),
            (
                "both dnsNames: more specific zone wins",
                vec![
                    solver(true, &["www.example.com"], &[], &[], true),
                    solver(true, &["www.example.com"], &["example.com"], &[], true),
                ],
                "www.example.com",
                false,
                &[],
                BOTH,
                Some(1),
            ),
            (
                "an empty selector is a match with no weight",
                vec![solver(true, &[], &[], &[], true), default_http()],
                "example.com",
                false,
                &[],
                BOTH,
                Some(0),
            ),
            (
                "wildcards need DNS-01",
                vec![default_http(), solver(false, &[], &[], &[], false)],
                "example.com",
                true,
                &[],
                BOTH,
                Some(1),
            ),
            (
                "wildcards with only HTTP-01: nothing",
                vec![default_http()],
                "example.com",
                true,
                &[],
                BOTH,
                None,
            ),
            (
                "wildcards match dnsNames with *.",
                vec![
                    solver(false, &[], &[], &[], false),
                    solver(false, &["*.example.com"], &[], &[], true),
                ],
                "example.com",
                true,
                &[],
                BOTH,
                Some(1),
            ),
            (
                "the apex does not match a *. dnsName",
                vec![solver(false, &["*.example.com"], &[], &[], true)],
                "example.com",
                false,
                &[],
                BOTH,
                None,
            ),
            (
                "wildcards match their zone",
                vec![solver(false, &[], &["example.com"], &[], true)],
                "example.com",
                true,
                &[],
                BOTH,
                Some(0),
            ),
        ];
        for (what, solvers, domain, wildcard, have, offered, want) in cases {
            assert_eq!(
                pick(&solvers, domain, wildcard, have, offered),
                want,
                "{what}"
            );
        }
    }

    #[test]
    fn the_selected_type_is_the_solvers() {
        let s = select_solver(
            &[solver(false, &[], &[], &[], false)],
            "a.b",
            false,
            &BTreeMap::new(),
            BOTH,
        )
        .unwrap();
        assert_eq!(s.type_, AcmeChallengeType::Dns01);
        assert_eq!(challenge_type("dns-01"), Some(AcmeChallengeType::Dns01));
        assert_eq!(challenge_type("tls-alpn-01"), None);
        assert_eq!(acme_type_name(AcmeChallengeType::Http01), "http-01");
    }
}
