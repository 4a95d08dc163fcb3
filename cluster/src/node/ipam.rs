//! Pod IP allocation from the loopback network.
//!
//! Every pod gets its own address in 127.1.0.0–127.254.255.254 (never 127.0.0.x, so
//! never 127.0.0.1, and no `.0` or `.255` last octet). On Linux the whole of 127/8 is
//! local, so a container binds its ports on its pod IP and nothing else collides with
//! it. Addresses are unique within the process (several clusters may run side by
//! side in one test binary), allocation starts at a random point so that concurrent
//! processes rarely meet, and a candidate whose declared TCP/UDP ports are already
//! bound by someone else is skipped. An address is released when its [`PodIp`] is
//! dropped.

use std::collections::HashSet;
use std::net::Ipv4Addr;
use std::sync::{LazyLock, Mutex};

/// First candidate: 127.1.0.0.
const FIRST: u32 = u32::from_be_bytes([127, 1, 0, 0]);
/// One past the last candidate: 127.255.0.0.
const END: u32 = u32::from_be_bytes([127, 255, 0, 0]);
/// How many candidates are probed before giving up.
const MAX_PROBES: usize = 4096;

struct Pool {
    in_use: HashSet<u32>,
    next: u32,
}

static POOL: LazyLock<Mutex<Pool>> = LazyLock::new(|| {
    let span = END - FIRST;
    Mutex::new(Pool {
        in_use: HashSet::new(),
        next: FIRST + rand::random::<u32>() % span,
    })
});

/// An allocated pod IP; released on drop.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PodIp(Ipv4Addr);

impl PodIp {
    /// The address.
    pub fn addr(&self) -> Ipv4Addr {
        self.0
    }
}

impl Drop for PodIp {
    fn drop(&mut self) {
        let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
        pool.in_use.remove(&u32::from(self.0));
    }
}

/// A port to check before handing out an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// A TCP port.
    Tcp(u16),
    /// A UDP port.
    Udp(u16),
}

fn usable(candidate: u32) -> bool {
    let last = candidate & 0xff;
    last != 0 && last != 255
}

fn ports_free(ip: Ipv4Addr, probes: &[Probe]) -> bool {
    probes.iter().all(|p| match *p {
        Probe::Tcp(0) | Probe::Udp(0) => true,
        Probe::Tcp(port) => std::net::TcpListener::bind((ip, port)).is_ok(),
        Probe::Udp(port) => std::net::UdpSocket::bind((ip, port)).is_ok(),
    })
}

/// Allocates an address whose `probes` ports are free; `None` when none was found.
pub fn allocate(probes: &[Probe]) -> Option<PodIp> {
    let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
    let mut probed = 0;
    let mut candidate = pool.next;
    // Every usable candidate is visited once per full turn.
    for _ in 0..(END - FIRST) {
        candidate = if candidate + 1 >= END {
            FIRST
        } else {
            candidate + 1
        };
        if !usable(candidate) || pool.in_use.contains(&candidate) {
            continue;
        }
        probed += 1;
        if probed > MAX_PROBES {
            break;
        }
        let ip = Ipv4Addr::from(candidate);
        if ports_free(ip, probes) {
            pool.in_use.insert(candidate);
            pool.next = candidate;
            return Some(PodIp(ip));
        }
    }
    pool.next = candidate;
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_unique_loopback_and_released() {
        let a = allocate(&[]).expect("an address");
        let b = allocate(&[Probe::Tcp(8089)]).expect("another");
        assert_ne!(a, b);
        for ip in [a.addr(), b.addr()] {
            let o = ip.octets();
            assert_eq!(o[0], 127);
            assert!(o[1] >= 1 && o[1] <= 254, "{ip}");
            assert!(o[3] != 0 && o[3] != 255, "{ip}");
        }
        let raw = u32::from(a.addr());
        drop(a);
        assert!(!POOL.lock().unwrap().in_use.contains(&raw));
    }

    #[test]
    fn busy_ports_are_skipped() {
        // Occupy the port on the address the pool would hand out next.
        let next = {
            let pool = POOL.lock().unwrap();
            let mut c = pool.next + 1;
            while !usable(c) || pool.in_use.contains(&c) {
                c += 1;
            }
            Ipv4Addr::from(c)
        };
        let held = std::net::TcpListener::bind((next, 0)).expect("bind");
        let port = held.local_addr().expect("addr").port();
        let got = allocate(&[Probe::Tcp(port)]).expect("an address");
        assert_ne!(got.addr(), next, "the busy address is skipped");
    }
}
