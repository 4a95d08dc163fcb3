//! Feeds arbitrary bytes to mock-dns's DNS packet handler (queries, updates, TSIG).
#![no_main]

use std::net::SocketAddr;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mock_dns::{DnsHandler, MockDns, Protocol, RunningDns, TsigKey};

struct Target {
    rt: tokio::runtime::Runtime,
    handler: DnsHandler,
    _dns: RunningDns,
}

fn target() -> &'static Target {
    static T: OnceLock<Target> = OnceLock::new();
    T.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let dns = rt
            .block_on(
                MockDns::builder()
                    .dns_addrs([])
                    .management_addr(None)
                    .zone("example.com")
                    .tsig_key(TsigKey::parse("k:hmac-sha256:c2VjcmV0").expect("key"))
                    .allow_unsigned_updates(true)
                    .start(),
            )
            .expect("mock-dns starts");
        dns.handle().set_txt("a.example.com", "x").ok();
        let handler = dns.dns_handler();
        Target {
            rt,
            handler,
            _dns: dns,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let t = target();
    let src: SocketAddr = "127.0.0.1:5353".parse().expect("addr");
    let proto = if data.first().is_some_and(|b| b & 1 == 1) {
        Protocol::Tcp
    } else {
        Protocol::Udp
    };
    let _ = t.rt.block_on(t.handler.handle_packet(data, src, proto));
});
