//! The embedded cluster with the CRDs installed and the controller running.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use certlab_clock::VirtualClock;
use certlab_cluster::Cluster;
use certlab_controller::api::certificate::Certificate;
use certlab_controller::api::conditions::get_condition;
use certlab_controller::config::Config;
use certlab_controller::metrics::Metrics;
use certlab_controller::run::{Runner, start};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, PostParams};
use kube::runtime::wait::{await_condition, conditions};

pub struct Lab {
    pub cluster: Cluster,
    pub client: kube::Client,
    pub clock: VirtualClock,
    pub runner: Runner,
    _task: tokio::task::JoinHandle<()>,
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.runner.shutdown();
    }
}

pub async fn lab() -> Lab {
    lab_with(Config::default()).await
}

pub async fn lab_with(config: Config) -> Lab {
    let clock = VirtualClock::flowing(SystemTime::now());
    let cluster = Cluster::builder()
        .clock(clock.shared())
        .start()
        .await
        .unwrap();
    let client = cluster.client();
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in certlab_controller::api::crds() {
        let name = crd.metadata.name.clone().unwrap();
        crds.create(&PostParams::default(), &crd).await.unwrap();
        tokio::time::timeout(
            Duration::from_secs(5),
            await_condition(crds.clone(), &name, conditions::is_crd_established()),
        )
        .await
        .unwrap()
        .unwrap();
    }
    let (runner, task) = start(
        client.clone(),
        clock.shared(),
        config,
        Arc::new(Metrics::new()),
    );
    Lab {
        cluster,
        client,
        clock,
        runner,
        _task: task,
    }
}

/// Creates an object from JSON through `api`.
pub async fn create<K>(api: &Api<K>, value: serde_json::Value) -> K
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    let obj: K = serde_json::from_value(value).unwrap();
    api.create(&PostParams::default(), &obj).await.unwrap()
}

/// Waits until the Certificate is Ready=True (or fails with its status).
pub async fn wait_ready(
    client: &kube::Client,
    ns: &str,
    name: &str,
    timeout: Duration,
) -> Certificate {
    let api: Api<Certificate> = Api::namespaced(client.clone(), ns);
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let cert = api.get(name).await.unwrap();
        let ready = cert
            .status
            .as_ref()
            .and_then(|s| get_condition(s.conditions(), "Ready"))
            .is_some_and(|c| c.status == certlab_controller::api::meta::ConditionStatus::True);
        if ready {
            return cert;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("{ns}/{name} not Ready in {timeout:?}: {:#?}", cert.status);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn eventually<F, Fut>(timeout: Duration, what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if f().await {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A ClusterIssuer `selfsigned`, and a CA ClusterIssuer `ca` backed by a CA it issued.
pub async fn ca_issuers(c: &kube::Client) {
    use certlab_controller::api::issuer::ClusterIssuer;
    create(
        &Api::<ClusterIssuer>::all(c.clone()),
        serde_json::json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": "selfsigned"}, "spec": {"selfSigned": {}}}),
    )
    .await;
    create(&Api::<Certificate>::namespaced(c.clone(), "kube-system"), serde_json::json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "root-ca", "namespace": "kube-system"},
        "spec": {"isCA": true, "commonName": "test root", "secretName": "root-ca", "privateKey": {"algorithm": "ECDSA"},
            "issuerRef": {"name": "selfsigned", "kind": "ClusterIssuer"}}})).await;
    wait_ready(c, "kube-system", "root-ca", Duration::from_secs(30)).await;
    create(
        &Api::<ClusterIssuer>::all(c.clone()),
        serde_json::json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": "ca"}, "spec": {"ca": {"secretName": "root-ca"}}}),
    )
    .await;
    let issuers: Api<ClusterIssuer> = Api::all(c.clone());
    eventually(Duration::from_secs(10), "ca issuer ready", || {
        let issuers = issuers.clone();
        async move {
            issuers
                .get("ca")
                .await
                .unwrap()
                .status
                .is_some_and(|s| s.is_ready())
        }
    })
    .await;
}

/// A Certificate in `default` issued by the `ca` ClusterIssuer, with extra spec fields.
pub async fn certificate(c: &kube::Client, name: &str, spec: serde_json::Value) -> Certificate {
    let mut full = serde_json::json!({"secretName": format!("{name}-tls"), "issuerRef": {"name": "ca", "kind": "ClusterIssuer"}});
    if let (Some(f), Some(extra)) = (full.as_object_mut(), spec.as_object()) {
        for (k, v) in extra {
            f.insert(k.clone(), v.clone());
        }
    }
    create(
        &Api::<Certificate>::namespaced(c.clone(), "default"),
        serde_json::json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": name, "namespace": "default"}, "spec": full}),
    )
    .await
}

/// The Secret's data.
pub async fn secret_data(
    c: &kube::Client,
    name: &str,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::default_namespaced(c.clone());
    secrets
        .get(name)
        .await
        .unwrap()
        .data
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .collect()
}

/// ACME in the lab: mock-dns resolving every name to loopback, mock-acme validating
/// HTTP-01 on one port through that DNS, and a stand-in for the node that runs every
/// HTTP-01 solver Pod with `acme::solver_server` on its own 127.0.x.y address.
pub struct AcmeLab {
    pub lab: Lab,
    pub dns: mock_dns::RunningDns,
    pub acme: mock_acme::RunningAcme,
    /// The port HTTP-01 is validated and self-checked on.
    pub http_port: u16,
    /// Domains whose solver Pod was run, in order.
    pub served: Arc<std::sync::Mutex<Vec<String>>>,
    _port_guard: std::net::TcpListener,
    _runner: tokio::task::JoinHandle<()>,
}

/// The zone DNS-01 tests solve in (mock-dns is authoritative and takes updates).
pub const DNS01_ZONE: &str = "dns01.test";
/// The TSIG key name for updates to [`DNS01_ZONE`].
pub const DNS01_TSIG_KEY: &str = "lab-key";
/// Its secret, base64 (as a Secret stores it for cert-manager).
pub const DNS01_TSIG_SECRET: &str = "bGFiLXRzaWctc2VjcmV0LWtleQ==";

/// Controller settings for ACME tests: self-checks through mock-dns on `http_port`,
/// one pass, no waits.
pub fn acme_config(dns: std::net::SocketAddr, http_port: u16) -> Config {
    Config::default().with_lab_acme(dns, http_port)
}

pub async fn acme_lab() -> AcmeLab {
    acme_lab_with(|c| c).await
}

pub async fn acme_lab_with(tweak: impl FnOnce(Config) -> Config) -> AcmeLab {
    // Hold the port on 127.0.0.1 so no other test picks it; solvers use 127.0.x.y.
    let guard = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let http_port = guard.local_addr().unwrap().port();
    // Unknown names resolve to 127.0.0.2, where nothing listens on the port: refused at
    // once, like a solver that is not up.
    let dns = mock_dns::MockDns::builder()
        .default_ipv4(Some(std::net::Ipv4Addr::new(127, 0, 0, 2)))
        .default_ipv6(None)
        // DNS-01: an open zone taking TSIG-signed RFC 2136 updates.
        .open_zone(DNS01_ZONE)
        .tsig_key(
            mock_dns::TsigKey::parse(&format!("{DNS01_TSIG_KEY}:hmac-sha256:{DNS01_TSIG_SECRET}"))
                .unwrap(),
        )
        .start()
        .await
        .unwrap();
    let dns_addr = dns.dns_addr().unwrap();
    let lab = lab_with(tweak(acme_config(dns_addr, http_port))).await;
    let mut cfg = mock_acme::Config::quiet();
    cfg.http_port = http_port;
    let acme = mock_acme::MockAcme::builder()
        .config(cfg)
        .clock(lab.clock.shared())
        .dns_server(dns_addr)
        .start()
        .await
        .unwrap();
    let served = Arc::new(std::sync::Mutex::new(Vec::new()));
    let runner = tokio::spawn(run_solver_pods(
        lab.client.clone(),
        dns.handle(),
        http_port,
        served.clone(),
    ));
    AcmeLab {
        lab,
        dns,
        acme,
        http_port,
        served,
        _port_guard: guard,
        _runner: runner,
    }
}

/// The value of `--name=value` among a container's args.
pub fn arg(args: &[String], name: &str) -> Option<String> {
    let prefix = format!("--{name}=");
    args.iter()
        .find_map(|a| a.strip_prefix(&prefix).map(str::to_string))
}

/// The node stand-in: every solver Pod gets an address 127.0.x.y (registered in
/// mock-dns for its domain) and `solver_server` on it until the Pod goes away.
async fn run_solver_pods(
    client: kube::Client,
    dns: mock_dns::DnsHandle,
    port: u16,
    served: Arc<std::sync::Mutex<Vec<String>>>,
) {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::ListParams;
    use std::collections::HashMap;
    let pods: Api<Pod> = Api::all(client);
    let mut running: HashMap<String, tokio_util::sync::CancellationToken> = HashMap::new();
    let mut ips: HashMap<String, std::net::Ipv4Addr> = HashMap::new();
    let mut next: u16 = 2;
    loop {
        let list = match pods
            .list(&ListParams::default().labels("acme.cert-manager.io/http01-solver=true"))
            .await
        {
            Ok(l) => l.items,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let live: std::collections::HashSet<String> =
            list.iter().filter_map(|p| p.metadata.uid.clone()).collect();
        running.retain(|uid, stop| {
            let keep = live.contains(uid);
            if !keep {
                stop.cancel();
            }
            keep
        });
        for pod in list {
            let Some(uid) = pod.metadata.uid.clone() else {
                continue;
            };
            if running.contains_key(&uid) || pod.metadata.deletion_timestamp.is_some() {
                continue;
            }
            let args = pod
                .spec
                .as_ref()
                .and_then(|s| s.containers.first())
                .and_then(|c| c.args.clone())
                .unwrap_or_default();
            let (Some(domain), Some(token), Some(key)) =
                (arg(&args, "domain"), arg(&args, "token"), arg(&args, "key"))
            else {
                continue;
            };
            // Names under `unserved.test` model a solver that never becomes reachable.
            if domain.ends_with(".unserved.test") {
                continue;
            }
            let ip = *ips.entry(domain.clone()).or_insert_with(|| {
                next += 1;
                std::net::Ipv4Addr::new(127, 0, (next >> 8) as u8, (next & 0xff) as u8)
            });
            dns.clear_a(&domain).ok();
            dns.add_a(&domain, &[ip]).unwrap();
            let stop = tokio_util::sync::CancellationToken::new();
            let addr = std::net::SocketAddr::new(ip.into(), port);
            let listener = certlab_controller::acme::solver_server::bind(addr)
                .await
                .unwrap();
            tokio::spawn(certlab_controller::acme::solver_server::serve_listener(
                listener,
                certlab_controller::acme::solver_server::Challenge {
                    domain: domain.clone(),
                    token,
                    key,
                },
                stop.clone(),
            ));
            served.lock().unwrap().push(domain);
            running.insert(uid, stop);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An ACME ClusterIssuer `name` on the lab's mock-acme with these solvers.
pub async fn acme_cluster_issuer(acme: &AcmeLab, name: &str, solvers: serde_json::Value) {
    use base64::Engine;
    use certlab_controller::api::issuer::ClusterIssuer;
    let ca = base64::engine::general_purpose::STANDARD.encode(acme.acme.tls_ca_pem());
    create(
        &Api::<ClusterIssuer>::all(acme.lab.client.clone()),
        serde_json::json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": name}, "spec": {"acme": {
            "server": acme.acme.directory_url(), "caBundle": ca,
            "email": "lab@example.com",
            "privateKeySecretRef": {"name": format!("{name}-account")},
            "solvers": solvers}}}),
    )
    .await;
}
