//! `cargo xtask bench dns`: mock-dns against pebble-challtestsrv, side by side, with
//! dnsperf (UDP, A and TXT queries), plus peak memory (VmHWM).
//!
//! Options: `--duration SECS` (default 10), `--clients N` (dnsperf -c, default 4),
//! `--outstanding N` (dnsperf -q, default 200), `--no-build`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

struct Options {
    duration: u64,
    clients: u32,
    outstanding: u32,
    build: bool,
}

fn parse_options(args: &[String]) -> Result<Options> {
    let mut o = Options {
        duration: 10,
        clients: 4,
        outstanding: 200,
        build: true,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| -> Result<u64> {
            it.next()
                .with_context(|| format!("{name} needs a value"))?
                .parse()
                .with_context(|| format!("{name} needs a number"))
        };
        match a.as_str() {
            "--duration" => o.duration = value("--duration")?,
            "--clients" => o.clients = u32::try_from(value("--clients")?)?,
            "--outstanding" => o.outstanding = u32::try_from(value("--outstanding")?)?,
            "--no-build" => o.build = false,
            other => bail!("unknown option {other:?}"),
        }
    }
    Ok(o)
}

/// A server process that is killed when dropped.
struct Server {
    name: &'static str,
    child: Child,
    dns: SocketAddr,
    management: SocketAddr,
    command: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(name: &'static str, program: &str) -> Result<Self> {
        let dns = free_port()?;
        let management = free_port()?;
        let args = [
            "-dns01".to_owned(),
            dns.to_string(),
            "-management".to_owned(),
            management.to_string(),
            "-http01".to_owned(),
            String::new(),
            "-https01".to_owned(),
            String::new(),
            "-tlsalpn01".to_owned(),
            String::new(),
        ];
        let mut cmd = Command::new(program);
        cmd.args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if name == "mock-dns" {
            cmd.env("RUST_LOG", "warn");
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("cannot start {program}"))?;
        let command = format!(
            "{program} {}",
            args.iter()
                .map(|a| if a.is_empty() {
                    "''".to_owned()
                } else {
                    a.clone()
                })
                .collect::<Vec<_>>()
                .join(" ")
        );
        let server = Self {
            name,
            child,
            dns,
            management,
            command,
        };
        server.wait_ready()?;
        Ok(server)
    }

    fn wait_ready(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if dns_answers(self.dns) && TcpStream::connect(self.management).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("{} did not start on {}", self.name, self.dns)
    }

    fn post(&self, path: &str, body: &str) -> Result<u16> {
        let mut s = TcpStream::connect(self.management)?;
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        let mut out = String::new();
        s.read_to_string(&mut out)?;
        out.split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .context("bad HTTP response")
    }

    /// User + system CPU seconds the server has used so far.
    fn cpu_seconds(&self) -> Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))?;
        // Fields after the parenthesised command name; utime and stime are fields 14, 15.
        let rest = stat
            .rfind(')')
            .and_then(|i| stat.get(i + 2..))
            .context("malformed /proc/PID/stat")?;
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| -> Result<f64> {
            Ok(f.get(i).context("short /proc/PID/stat")?.parse::<f64>()?)
        };
        Ok((ticks(11)? + ticks(12)?) / 100.0)
    }

    /// Peak resident memory in KiB.
    fn vm_hwm_kib(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .context("no VmHWM")
    }
}

fn free_port() -> Result<SocketAddr> {
    // Free for both UDP and TCP at the time of the check.
    for _ in 0..50 {
        let udp = UdpSocket::bind("127.0.0.1:0")?;
        let addr = udp.local_addr()?;
        if std::net::TcpListener::bind(addr).is_ok() {
            return Ok(addr);
        }
    }
    bail!("no free port")
}

/// Sends one A query for `ready.bench.` and waits for any answer.
fn dns_answers(addr: SocketAddr) -> bool {
    let Ok(sock) = UdpSocket::bind("127.0.0.1:0") else {
        return false;
    };
    let _ = sock.set_read_timeout(Some(Duration::from_millis(200)));
    let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in ["ready", "bench"] {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    let mut buf = [0u8; 512];
    sock.send_to(&q, addr).is_ok() && sock.recv_from(&mut buf).is_ok()
}

/// What one dnsperf run measured.
struct Run {
    qps: f64,
    completed: f64,
    lost: String,
    command: String,
}

/// Runs dnsperf.
fn dnsperf(server: &Server, file: &Path, o: &Options) -> Result<Run> {
    let args = [
        "-s".to_owned(),
        server.dns.ip().to_string(),
        "-p".to_owned(),
        server.dns.port().to_string(),
        "-d".to_owned(),
        file.display().to_string(),
        "-l".to_owned(),
        o.duration.to_string(),
        "-c".to_owned(),
        o.clients.to_string(),
        "-q".to_owned(),
        o.outstanding.to_string(),
    ];
    let command = format!("dnsperf {}", args.join(" "));
    let out = Command::new("dnsperf")
        .args(&args)
        .output()
        .context("cannot run dnsperf (Debian package dnsperf)")?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let qps = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Queries per second:"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .with_context(|| format!("no rate in dnsperf output:\n{text}"))?;
    let lost = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Queries lost:"))
        .map(|v| v.trim().to_owned())
        .unwrap_or_default();
    let completed = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Queries completed:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    Ok(Run {
        qps,
        completed,
        lost,
        command,
    })
}

fn workspace_root() -> PathBuf {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| "xtask".into());
    PathBuf::from(manifest)
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Entry point of `cargo xtask bench dns`.
pub fn run(args: &[String]) -> Result<()> {
    let o = parse_options(args)?;
    let root = workspace_root();
    for tool in ["dnsperf", "pebble-challtestsrv"] {
        let found = Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {tool}"))
            .stdout(Stdio::null())
            .status()?
            .success();
        if !found {
            bail!("{tool} is not installed (Debian packages dnsperf and pebble)");
        }
    }
    let build = "cargo build --release -p mock-dns";
    if o.build {
        println!("$ {build}");
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "-p", "mock-dns"])
            .current_dir(&root)
            .status()?;
        if !status.success() {
            bail!("release build of mock-dns failed");
        }
    }
    let binary = root.join("target/release/mock-dns");
    let binary = binary.display().to_string();

    let dir = std::env::temp_dir().join(format!("certlab-bench-dns-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let a_file = dir.join("queries-a.txt");
    let txt_file = dir.join("queries-txt.txt");
    std::fs::write(&a_file, "bench.example. A\n")?;
    std::fs::write(&txt_file, "_acme-challenge.bench.example. TXT\n")?;

    let servers = [
        Server::start("mock-dns", &binary)?,
        Server::start("pebble-challtestsrv", "pebble-challtestsrv")?,
    ];
    for s in &servers {
        let body = r#"{"host":"_acme-challenge.bench.example.","value":"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"}"#;
        let code = s.post("/set-txt", body)?;
        if code != 200 {
            bail!("{}: set-txt answered {code}", s.name);
        }
    }

    let mut rows = Vec::new();
    let mut commands = vec![build.to_owned()];
    commands.extend(servers.iter().map(|s| s.command.clone()));
    for (label, file) in [("A", &a_file), ("TXT", &txt_file)] {
        for s in &servers {
            println!(
                "running dnsperf {label} against {} for {}s…",
                s.name, o.duration
            );
            let cpu_before = s.cpu_seconds()?;
            let run = dnsperf(s, file, &o)?;
            let cpu = s.cpu_seconds()? - cpu_before;
            // Server CPU per answered query: the cost that does not depend on how the
            // two cores are shared with dnsperf itself.
            let us_per_query = cpu * 1e6 / run.completed.max(1.0);
            commands.push(run.command);
            rows.push((label, s.name, run.qps, run.lost, us_per_query));
        }
    }
    let mem: Vec<(String, u64)> = servers
        .iter()
        .map(|s| Ok((s.name.to_owned(), s.vm_hwm_kib()?)))
        .collect::<Result<_>>()?;
    drop(servers);
    let _ = std::fs::remove_dir_all(&dir);

    println!();
    println!("| query | server | queries/s | lost | server CPU per answered query |");
    println!("|---|---|---:|---|---:|");
    for (label, name, qps, lost, us) in &rows {
        println!("| {label} | {name} | {qps:.0} | {lost} | {us:.2} µs |");
    }
    for label in ["A", "TXT"] {
        let rate = |n: &str| {
            rows.iter()
                .find(|r| r.0 == label && r.1 == n)
                .map(|r| r.2)
                .unwrap_or(0.0)
        };
        let cost = |n: &str| {
            rows.iter()
                .find(|r| r.0 == label && r.1 == n)
                .map(|r| r.4)
                .unwrap_or(0.0)
        };
        let ratio = rate("mock-dns") / rate("pebble-challtestsrv").max(1.0);
        let efficiency = cost("pebble-challtestsrv") / cost("mock-dns").max(1e-9);
        println!(
            "\n{label}: mock-dns / challtestsrv = {ratio:.2}x queries/s (goal >= 2x); challtestsrv spends {efficiency:.2}x mock-dns's CPU per query"
        );
    }
    println!();
    println!("| server | peak memory (VmHWM) |");
    println!("|---|---:|");
    for (name, kib) in &mem {
        println!("| {name} | {:.1} MiB |", *kib as f64 / 1024.0);
    }
    println!("\nCommands:");
    for c in &commands {
        println!("    {c}");
    }
    Ok(())
}
