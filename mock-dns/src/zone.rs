//! Authoritative zones: the names for which mock-dns answers NXDOMAIN, SOA and NS, and
//! accepts RFC 2136 updates.

use hickory_server::proto::rr::rdata::{NS, SOA};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};

/// SOA timers. Short, because the lab changes records all the time and nothing should
/// cache them for long.
const REFRESH: i32 = 60;
const RETRY: i32 = 10;
const EXPIRE: i32 = 600;
const MINIMUM: u32 = 0;

/// One authoritative zone.
#[derive(Debug, Clone)]
pub struct Zone {
    origin: Name,
    key: LowerName,
    serial: u32,
    open: bool,
}

impl Zone {
    /// A zone rooted at `origin`, serial 1.
    pub fn new(mut origin: Name) -> Self {
        origin.set_fqdn(true);
        let key = LowerName::new(&origin);
        Self {
            origin,
            key,
            serial: 1,
            open: false,
        }
    }

    /// An open zone: every name under it exists, answering the default addresses when
    /// it has no records of the asked type (as if `*.<zone>` held them).
    pub fn open(mut self) -> Self {
        self.open = true;
        self
    }

    /// Whether every name under the zone exists.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The zone apex.
    pub fn origin(&self) -> &Name {
        &self.origin
    }

    /// The apex as a lookup key.
    pub fn key(&self) -> &LowerName {
        &self.key
    }

    /// The current SOA serial.
    pub fn serial(&self) -> u32 {
        self.serial
    }

    /// Bumps the serial after a change (RFC 1982 arithmetic, never 0).
    pub fn bump_serial(&mut self) {
        self.serial = self.serial.wrapping_add(1).max(1);
    }

    /// The name of the zone's one name server, `ns.<zone>`. It resolves to the default
    /// addresses unless records are added for it.
    pub fn ns_name(&self) -> Name {
        Name::from_labels([b"ns".as_slice()])
            .ok()
            .and_then(|ns| ns.append_domain(&self.origin).ok())
            .unwrap_or_else(|| self.origin.clone())
    }

    /// The zone's SOA record.
    pub fn soa(&self) -> Record {
        let mname = self.ns_name();
        let rname = Name::from_labels([b"hostmaster".as_slice()])
            .ok()
            .and_then(|h| h.append_domain(&self.origin).ok())
            .unwrap_or_else(|| self.origin.clone());
        Record::from_rdata(
            self.origin.clone(),
            0,
            RData::SOA(SOA::new(
                mname,
                rname,
                self.serial,
                REFRESH,
                RETRY,
                EXPIRE,
                MINIMUM,
            )),
        )
    }

    /// The zone's NS record.
    pub fn ns(&self) -> Record {
        Record::from_rdata(self.origin.clone(), 0, RData::NS(NS(self.ns_name())))
    }

    /// Whether `name` is at or below the apex.
    pub fn contains(&self, name: &LowerName) -> bool {
        self.key.zone_of(name)
    }
}

/// challtestsrv's fake SOA, put in the authority section of every answer outside the
/// configured zones. Built once: it is on every answer's path.
pub fn challtestsrv_soa() -> Record {
    static SOA_RECORD: std::sync::LazyLock<Record> = std::sync::LazyLock::new(|| {
        let name = |s: &str| Name::from_ascii(s).unwrap_or_else(|_| Name::root());
        Record::from_rdata(
            name("challtestsrv.invalid."),
            0,
            RData::SOA(SOA::new(
                name("ns.challtestsrv.invalid."),
                name("master.challtestsrv.invalid."),
                1,
                1,
                1,
                1,
                1,
            )),
        )
    });
    SOA_RECORD.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soa_and_ns_are_in_the_zone() {
        let mut z = Zone::new(Name::from_ascii("example.com.").unwrap());
        assert_eq!(z.ns_name().to_ascii(), "ns.example.com.");
        let before = z.serial();
        z.bump_serial();
        assert_eq!(z.serial(), before + 1);
        match z.soa().data {
            RData::SOA(soa) => assert_eq!(soa.serial, before + 1),
            other => panic!("not an SOA: {other:?}"),
        }
        assert!(z.contains(&LowerName::new(
            &Name::from_ascii("a.b.example.com.").unwrap()
        )));
        assert!(!z.contains(&LowerName::new(&Name::from_ascii("example.org.").unwrap())));
    }
}
