//! `cargo xtask bench acme`: full ACME issuance flows per second, mock-acme against
//! Pebble (Debian's `pebble` 2.4.0) in the same run, with the same client.
//!
//! Both servers run as processes started from the same Pebble JSON config with
//! `PEBBLE_VA_ALWAYS_VALID=1`, `PEBBLE_VA_NOSLEEP=1` and `PEBBLE_WFE_NONCEREJECT=0`.
//! The client is instant-acme with ECDSA P-256 account keys and P-256 CSRs; one flow is
//! new order → authorization → challenge (always valid) → poll ready → finalize → poll
//! valid → download. Each flow uses a fresh name, so no authorization is reused. Peak
//! RSS is the server's `VmHWM` from `/proc/<pid>/status` at the end of its run.
//!
//! Options: `--workers N` (concurrent flows, default 4), `--seconds S` (measured time
//! per server, default 10), `--no-pebble`, `--no-write` (do not append
//! to mock-acme/BENCHMARKS.md).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use instant_acme::{
    Account, AuthorizationStatus, ChallengeType, Identifier, NewAccount, NewOrder, OrderStatus,
};

/// A flow taking longer than this counts as an error.
const FLOW_TIMEOUT: Duration = Duration::from_secs(20);

struct Options {
    workers: usize,
    seconds: u64,
    pebble: bool,
    write: bool,
}

fn parse(args: &[String]) -> anyhow::Result<Options> {
    let mut o = Options {
        workers: 4,
        seconds: 10,
        pebble: true,
        write: true,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--workers" => o.workers = it.next().context("--workers N")?.parse()?,
            "--seconds" => o.seconds = it.next().context("--seconds S")?.parse()?,
            "--no-pebble" => o.pebble = false,
            "--no-write" => o.write = false,
            other => bail!("unknown option {other:?}"),
        }
    }
    Ok(o)
}

/// One server's result.
struct Figures {
    name: String,
    flows: u64,
    errors: u64,
    elapsed: Duration,
    peak_rss_kib: u64,
    /// Server CPU seconds (user + system) spent inside the measured window.
    cpu_seconds: f64,
}

impl Figures {
    fn rate(&self) -> f64 {
        self.flows as f64 / self.elapsed.as_secs_f64()
    }

    fn cpu_per_flow_ms(&self) -> f64 {
        self.cpu_seconds * 1e3 / (self.flows.max(1) as f64)
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// User + system CPU seconds process `pid` has used so far.
fn cpu_seconds(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let rest = stat.get(stat.rfind(')')? + 2..)?.to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            // utime and stime are fields 14 and 15; `rest` starts at field 3.
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Writes a TLS certificate for 127.0.0.1 and a Pebble config using it.
fn write_config(dir: &Path, acme_port: u16, mgmt_port: u16) -> anyhow::Result<(PathBuf, String)> {
    let ca_key = rcgen::KeyPair::generate()?;
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key)?;
    let key = rcgen::KeyPair::generate()?;
    let leaf =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
    let cert = leaf.signed_by(&key, &rcgen::Issuer::from_params(&ca, &ca_key))?;
    std::fs::write(dir.join("cert.pem"), cert.pem())?;
    std::fs::write(dir.join("key.pem"), key.serialize_pem())?;
    std::fs::write(dir.join("ca.pem"), ca_cert.pem())?;
    let config = serde_json::json!({"pebble": {
        "listenAddress": format!("127.0.0.1:{acme_port}"),
        "managementListenAddress": format!("127.0.0.1:{mgmt_port}"),
        "certificate": dir.join("cert.pem"),
        "privateKey": dir.join("key.pem"),
        "httpPort": 5002,
        "tlsPort": 5001,
        "ocspResponderURL": "",
        "externalAccountBindingRequired": false,
        "keyAlgorithm": "ecdsa",
    }});
    let path = dir.join(format!("config-{acme_port}.json"));
    std::fs::write(&path, serde_json::to_vec_pretty(&config)?)?;
    Ok((path, format!("https://127.0.0.1:{acme_port}/dir")))
}

fn spawn(bin: &Path, config: &Path) -> anyhow::Result<Child> {
    Command::new(bin)
        .arg("-config")
        .arg(config)
        .env("PEBBLE_VA_ALWAYS_VALID", "1")
        .env("PEBBLE_VA_NOSLEEP", "1")
        .env("PEBBLE_WFE_NONCEREJECT", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))
}

async fn wait_ready(port: u16) -> anyhow::Result<()> {
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("server on port {port} did not come up")
}

async fn one_flow(account: &Account, name: &str) -> anyhow::Result<()> {
    let trace = std::env::var_os("BENCH_TRACE").is_some();
    let t = Instant::now();
    let mark = |what: &str| {
        if trace {
            eprintln!("{name}: {what} at {:?}", t.elapsed());
        }
    };
    let ids = [Identifier::Dns(name.to_string())];
    let mut order = account.new_order(&NewOrder::new(&ids)).await?;
    mark("ordered");
    {
        let mut authzs = order.authorizations();
        while let Some(a) = authzs.next().await {
            let mut a = a?;
            if a.status == AuthorizationStatus::Valid {
                continue;
            }
            a.challenge(ChallengeType::Http01)
                .context("no http-01 challenge")?
                .set_ready()
                .await?;
        }
    }
    mark("challenges ready");
    let mut status = order.refresh().await?.status;
    while status == OrderStatus::Pending {
        tokio::time::sleep(Duration::from_millis(2)).await;
        status = order.refresh().await?.status;
    }
    if status != OrderStatus::Ready {
        bail!("order became {status:?}");
    }
    mark("order ready");
    let key = rcgen::KeyPair::generate()?;
    let mut params = rcgen::CertificateParams::new(vec![name.to_string()])?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    let csr = params.serialize_request(&key)?;
    order.finalize_csr(csr.der()).await?;
    mark("finalized");
    loop {
        match order.refresh().await?.status {
            OrderStatus::Valid => break,
            OrderStatus::Processing | OrderStatus::Ready => {
                tokio::time::sleep(Duration::from_millis(2)).await
            }
            other => bail!("order became {other:?} after finalize"),
        }
    }
    mark("valid");
    order.certificate().await?.context("no certificate")?;
    mark("downloaded");
    Ok(())
}

/// instant-acme's HTTP client over hyper-rustls, trusting `ca`, with TCP_NODELAY: the
/// default connector leaves Nagle on, and since it writes request headers and body in
/// separate TLS records, every POST then waits for a delayed ACK (~40 ms) against any
/// server, which would hide the servers' own speed.
fn http_client(ca: &Path) -> anyhow::Result<Box<dyn instant_acme::HttpClient>> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls_pki_types::CertificateDer::pem_file_iter(ca)? {
        roots.add(c?)?;
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.set_nodelay(true);
    http.enforce_http(false);
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_only()
        .enable_http1()
        .wrap_connector(http);
    let client: hyper_util::client::legacy::Client<_, instant_acme::BodyWrapper<bytes::Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build(https);
    Ok(Box::new(client))
}

async fn drive(
    name: &str,
    directory: &str,
    ca: &Path,
    opts: &Options,
    pid: u32,
) -> anyhow::Result<Figures> {
    let mut accounts = Vec::new();
    for _ in 0..opts.workers {
        let (a, _) = Account::builder_with_http(http_client(ca)?)
            .create(
                &NewAccount {
                    contact: &[],
                    terms_of_service_agreed: true,
                    only_return_existing: false,
                },
                directory.to_string(),
                None,
            )
            .await?;
        accounts.push(a);
    }
    // Warm up: one flow per worker.
    for (i, a) in accounts.iter().enumerate() {
        tokio::time::timeout(FLOW_TIMEOUT, one_flow(a, &format!("warmup-{i}.bench.test")))
            .await
            .context("warm-up flow timed out")??;
    }
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(opts.seconds);
    let started = Instant::now();
    let cpu_at_start = cpu_seconds(pid);
    let mut tasks = Vec::new();
    for (w, account) in accounts.into_iter().enumerate() {
        let (done, errors) = (done.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let name = format!("w{w}-{n}.bench.test");
                match tokio::time::timeout(FLOW_TIMEOUT, one_flow(&account, &name)).await {
                    // Only flows finished inside the window count, so a flow that
                    // stalls past it (Pebble's occasionally do) costs neither server time.
                    Ok(Ok(())) if Instant::now() <= deadline => {
                        done.fetch_add(1, Ordering::Relaxed)
                    }
                    Ok(Ok(())) => 0,
                    Ok(Err(e)) => {
                        eprintln!("flow error: {e:#}");
                        errors.fetch_add(1, Ordering::Relaxed)
                    }
                    Err(_) => {
                        eprintln!("flow timed out after {FLOW_TIMEOUT:?}");
                        errors.fetch_add(1, Ordering::Relaxed)
                    }
                };
            }
        }));
    }
    tokio::time::sleep_until(deadline.into()).await;
    let cpu_in_window = cpu_seconds(pid) - cpu_at_start;
    for t in tasks {
        t.await?;
    }
    Ok(Figures {
        cpu_seconds: cpu_in_window,
        name: name.to_string(),
        flows: done.load(Ordering::Relaxed),
        errors: errors.load(Ordering::Relaxed),
        elapsed: started.elapsed().min(Duration::from_secs(opts.seconds)),
        peak_rss_kib: peak_rss_kib(pid),
    })
}

async fn measure(name: &str, bin: &Path, dir: &Path, opts: &Options) -> anyhow::Result<Figures> {
    let (acme_port, mgmt_port) = (free_port()?, free_port()?);
    let (config, directory) = write_config(dir, acme_port, mgmt_port)?;
    let mut child = spawn(bin, &config)?;
    let result = async {
        wait_ready(acme_port).await?;
        drive(name, &directory, &dir.join("ca.pem"), opts, child.id()).await
    }
    .await;
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// Entry point. The client runs from a release build — the `acme_bench` example of
/// mock-acme, which includes this file — so that it is not the bottleneck; a debug build
/// (`cargo xtask`) re-executes through cargo.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let opts = parse(args)?;
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    if cfg!(debug_assertions) {
        eprintln!("building mock-acme and the benchmark client (release)…");
        let status = Command::new(&cargo)
            .current_dir(&root)
            .args([
                "run",
                "--release",
                "--quiet",
                "-p",
                "mock-acme",
                "--example",
                "acme_bench",
                "--",
            ])
            .args(args)
            .status()?;
        if !status.success() {
            bail!("the release benchmark run failed");
        }
        return Ok(());
    }
    let status = Command::new(&cargo)
        .current_dir(&root)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "mock-acme",
            "--bin",
            "mock-acme",
        ])
        .status()?;
    if !status.success() {
        bail!("building mock-acme failed");
    }
    let mock = root.join("target/release/mock-acme");
    let dir = tempfile::tempdir()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut figures = Vec::new();
    eprintln!(
        "measuring mock-acme for {} s with {} workers…",
        opts.seconds, opts.workers
    );
    figures.push(rt.block_on(measure("mock-acme", &mock, dir.path(), &opts))?);
    if opts.pebble {
        match which("pebble") {
            Some(pebble) => {
                eprintln!(
                    "measuring pebble for {} s with {} workers…",
                    opts.seconds, opts.workers
                );
                figures.push(rt.block_on(measure("pebble 2.4.0", &pebble, dir.path(), &opts))?);
            }
            None => eprintln!(
                "*** pebble is not installed (apt-get install pebble): measuring mock-acme only ***"
            ),
        }
    }
    let table = render(&figures, &opts);
    println!("{table}");
    if opts.write {
        // Append a dated section; the file's header explains the method.
        let path = root.join("mock-acme/BENCHMARKS.md");
        let mut text =
            std::fs::read_to_string(&path).unwrap_or_else(|_| "# mock-acme benchmarks\n".into());
        text.push('\n');
        text.push_str(&table);
        std::fs::write(&path, text)?;
        eprintln!("appended to {}", path.display());
    }
    Ok(())
}

fn which(bin: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(bin))
            .find(|c| c.is_file())
    })
}

fn render(figures: &[Figures], opts: &Options) -> String {
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into());
    let mut s = String::new();
    s.push_str(&format!(
        "## {date}, `cargo xtask bench acme --workers {} --seconds {}` (load average {load})\n\n",
        opts.workers, opts.seconds
    ));
    s.push_str("| server | flows | errors | seconds | flows/s | server CPU per flow | peak RSS (MiB) |\n|---|---|---|---|---|---|---|\n");
    for f in figures {
        s.push_str(&format!(
            "| {} | {} | {} | {:.1} | {:.1} | {:.2} ms | {:.1} |\n",
            f.name,
            f.flows,
            f.errors,
            f.elapsed.as_secs_f64(),
            f.rate(),
            f.cpu_per_flow_ms(),
            f.peak_rss_kib as f64 / 1024.0
        ));
    }
    if let [mock, pebble] = figures {
        s.push_str(&format!(
            "\nmock-acme / Pebble: **{:.1}×** the flows per second (goal ≥ 3×).\n",
            mock.rate() / pebble.rate().max(f64::MIN_POSITIVE)
        ));
        s.push_str(&format!(
            "Pebble spends **{:.1}×** mock-acme's CPU per flow (the figure that does not depend on how the two cores are shared with the client).\n",
            pebble.cpu_per_flow_ms() / mock.cpu_per_flow_ms().max(f64::MIN_POSITIVE)
        ));
    }
    s
}
