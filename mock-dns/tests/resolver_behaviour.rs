//! Behaviour seen through hickory-resolver: records, defaults, faults and history.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_resolver::Resolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use mock_dns::{EventKind, Fault};

use common::*;

fn resolver(addr: SocketAddr, timeout: Duration) -> Resolver<TokioRuntimeProvider> {
    let mut conn = ConnectionConfig::udp();
    conn.port = addr.port();
    let ns = NameServerConfig::new(addr.ip(), true, vec![conn]);
    let config = ResolverConfig::from_parts(None, vec![], vec![ns]);
    let mut opts = ResolverOpts::default();
    opts.cache_size = 0;
    opts.timeout = timeout;
    opts.attempts = 1;
    Resolver::builder_with_config(config, TokioRuntimeProvider::default())
        .with_options(opts)
        .build()
        .expect("resolver builds")
}

#[tokio::test]
async fn resolver_sees_records_cnames_and_defaults() {
    let dns = start().await;
    let h = dns.handle();
    let r = resolver(dns.dns_addr().unwrap(), Duration::from_secs(2));
    h.add_a("api.lab.test", &["192.0.2.10".parse().unwrap()])
        .unwrap();
    h.set_cname("www.lab.test", "api.lab.test").unwrap();
    h.set_txt("_acme-challenge.lab.test", &"v".repeat(400))
        .unwrap();

    let lookup = r.ipv4_lookup("www.lab.test.").await.unwrap();
    let ips: Vec<_> = lookup
        .answers()
        .iter()
        .filter_map(|rec| match &rec.data {
            RData::A(a) => Some(a.0),
            _ => None,
        })
        .collect();
    assert_eq!(ips, ["192.0.2.10".parse::<std::net::Ipv4Addr>().unwrap()]);
    let txt = r.txt_lookup("_acme-challenge.lab.test.").await.unwrap();
    let joined: Vec<usize> = txt
        .answers()
        .iter()
        .filter_map(|rec| match &rec.data {
            RData::TXT(t) => Some(t.txt_data.iter().map(|s| s.len()).sum()),
            _ => None,
        })
        .collect();
    assert_eq!(
        joined,
        [400],
        "long TXT values come back whole (split in 255-byte strings)"
    );
    let lookup = r.ipv6_lookup("anything.lab.test.").await.unwrap();
    let v6: Vec<_> = lookup
        .answers()
        .iter()
        .filter_map(|rec| match &rec.data {
            RData::AAAA(a) => Some(a.0),
            _ => None,
        })
        .collect();
    assert_eq!(v6, [std::net::Ipv6Addr::LOCALHOST]);

    h.set_default_ipv4(None);
    assert!(
        r.ipv4_lookup("anything.lab.test.").await.is_err(),
        "no default, no answer"
    );
    dns.shutdown().await;
}

#[tokio::test]
async fn zone_names_that_do_not_exist_are_nxdomain() {
    let dns = start().await;
    let r = resolver(dns.dns_addr().unwrap(), Duration::from_secs(2));
    let err = r.ipv4_lookup("missing.example.com.").await.unwrap_err();
    assert!(err.is_nx_domain(), "{err:?}");
    let soa = r.soa_lookup("example.com.").await.unwrap();
    assert_eq!(soa.answers().len(), 1);
    dns.shutdown().await;
}

#[tokio::test]
async fn faults_are_observable() {
    let dns = start().await;
    let h = dns.handle();
    let r = resolver(dns.dns_addr().unwrap(), Duration::from_millis(800));

    h.set_fault("sf.lab.test", Fault::ServFail).unwrap();
    let err = r.ipv4_lookup("sf.lab.test.").await.unwrap_err();
    assert!(format!("{err:?}").contains("ServFail"), "{err:?}");

    // A generous delay and a patient resolver, so that a loaded CI machine cannot blur
    // the difference between the delayed name and the others.
    let patient = resolver(dns.dns_addr().unwrap(), Duration::from_secs(5));
    h.set_fault("slow.lab.test", Fault::Delay(Duration::from_millis(1000)))
        .unwrap();
    let t = Instant::now();
    patient
        .ipv4_lookup("slow.lab.test.")
        .await
        .expect("delayed answer still comes");
    assert!(
        t.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        t.elapsed()
    );
    // Other names are not slowed down: asked at the same time as the delayed name,
    // the other answer comes first (an ordering, not a wall-clock bound).
    let slow = patient.ipv4_lookup("slow.lab.test.");
    let fast = patient.ipv4_lookup("fast.lab.test.");
    tokio::pin!(slow, fast);
    tokio::select! {
        biased;
        r = &mut fast => { r.unwrap(); }
        _ = &mut slow => panic!("the delayed name answered before the undelayed one"),
    }

    h.set_fault("gone.lab.test", Fault::Drop).unwrap();
    let t = Instant::now();
    let err = r.ipv4_lookup("gone.lab.test.").await.unwrap_err();
    assert!(
        t.elapsed() >= Duration::from_millis(700),
        "timed out, not answered: {err:?}"
    );

    h.clear_fault("gone.lab.test").unwrap();
    r.ipv4_lookup("gone.lab.test.")
        .await
        .expect("answers again once cleared");
    dns.shutdown().await;
}

#[tokio::test]
async fn request_history_records_each_question() {
    let dns = start().await;
    let h = dns.handle();
    let r = resolver(dns.dns_addr().unwrap(), Duration::from_secs(2));
    r.ipv4_lookup("Hist.Lab.Test.").await.unwrap();
    let _ = r.txt_lookup("hist.lab.test.").await;
    let events = h.dns_history("hist.lab.test");
    let types: Vec<u16> = events.iter().map(|e| e.question.qtype).collect();
    assert_eq!(types, [1, 16]);
    assert!(events.iter().all(|e| e.question.qclass == 1));
    assert_eq!(
        events[0].question.name.to_ascii_lowercase(),
        "hist.lab.test."
    );
    h.clear_history("hist.lab.test", EventKind::Dns);
    assert!(h.dns_history("hist.lab.test").is_empty());
    dns.shutdown().await;
}
