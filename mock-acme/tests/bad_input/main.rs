//! The bad-input table: malformed requests, each with the exact problem type and HTTP
//! status it must produce. The server must answer every one (no panic, no hang).

mod cases_acme;
mod cases_jose;
#[path = "../common/mod.rs"]
mod common;
mod fixture;

use std::time::Duration;

use common::Resp;
use fixture::fixture;
use serde_json::json;

#[tokio::test]
async fn malformed_requests_get_exact_problems() {
    let (lab, fx) = fixture().await;
    let mut cases = cases_jose::cases(&fx).await;
    cases.extend(cases_acme::cases(&fx).await);
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let headers: Vec<(&str, &str)> = c
            .req
            .headers
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        let r: Resp = tokio::time::timeout(
            Duration::from_secs(10),
            fx.rc
                .http
                .request(c.req.method, &c.req.url, &headers, c.req.body.clone()),
        )
        .await
        .unwrap_or_else(|_| panic!("{}: no answer", c.name));
        let want = format!("urn:ietf:params:acme:error:{}", c.kind);
        let ok = r.status == c.status
            && r.problem_type() == want
            && r.header("content-type")
                .is_some_and(|t| t.starts_with("application/problem+json"))
            && r.json()["status"] == c.status;
        if !ok {
            failures.push(format!(
                "{}: want {} {}, got {} {:?}",
                c.name,
                c.status,
                c.kind,
                r.status,
                r.json()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // The server is still healthy afterwards.
    let d = lab.https().get(&lab.acme.directory_url()).await;
    assert_eq!(d.status, 200);
    eprintln!(
        "{} malformed requests answered with the exact problem",
        cases.len()
    );
}

#[tokio::test]
async fn blocked_identifiers_come_with_subproblems() {
    let (_lab, fx) = fixture().await;
    let r = fx
        .rc
        .post(&fx.a, Some(&fx.kid_a), &fx.rc.url("newOrder"), Some(&json!({"identifiers": [
            {"type": "dns", "value": "a.blocked.example"}, {"type": "dns", "value": "b.blocked.example"}, {"type": "dns", "value": "fine.test"}]})))
        .await;
    assert_eq!(r.status, 400);
    let p = r.json();
    assert_eq!(p["type"], "urn:ietf:params:acme:error:rejectedIdentifier");
    let subs = p["subproblems"].as_array().unwrap();
    assert_eq!(subs.len(), 2);
    assert_eq!(subs[0]["identifier"]["value"], "a.blocked.example");
    assert!(
        r.header("replay-nonce").is_some(),
        "errors carry a fresh nonce"
    );
    assert!(r.links().iter().any(|l| l.ends_with("rel=\"index\"")));
}
