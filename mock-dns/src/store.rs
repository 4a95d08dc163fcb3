//! The server's state: records, defaults, faults, zones and challenge responses, and
//! [`DnsHandle`], the handle through which the lab and tests change them without HTTP.

use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use hickory_server::proto::rr::rdata::{A, AAAA, CAA, CNAME, TXT};
use hickory_server::proto::rr::{LowerName, Name, RData, Record, RecordType};
use serde::Serialize;

use crate::error::RecordError;
use crate::history::{DnsEvent, EventKind, History, HttpEvent, TlsAlpnEvent};
use crate::names::{host_key, parse_host};
use crate::zone::Zone;

/// The longest TXT value accepted: anything longer cannot fit in one DNS message.
pub const MAX_TXT_LEN: usize = 65_000;

/// What to do instead of answering normally for one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer SERVFAIL (what challtestsrv's `set-servfail` does).
    ServFail,
    /// Answer normally, but only after this delay.
    Delay(Duration),
    /// Send no answer at all.
    Drop,
}

/// One CAA property, as challtestsrv's `add-caa` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaaPolicy {
    /// The property tag, e.g. `issue`.
    pub tag: String,
    /// The property value, e.g. `letsencrypt.org`.
    pub value: String,
}

/// How the store starts, and what [`DnsHandle::reset`] goes back to.
#[derive(Debug, Clone)]
pub(crate) struct InitialState {
    pub default_ipv4: Option<Ipv4Addr>,
    pub default_ipv6: Option<Ipv6Addr>,
    pub zones: Vec<Name>,
    /// Zones (among `zones`) in which every name exists.
    pub open_zones: Vec<Name>,
}

/// Mutable state behind the lock.
#[derive(Debug)]
pub(crate) struct State {
    pub default_ipv4: Option<Ipv4Addr>,
    pub default_ipv6: Option<Ipv6Addr>,
    /// All records by owner name, in insertion order per name.
    pub records: HashMap<LowerName, Vec<Record>>,
    pub faults: HashMap<LowerName, Fault>,
    pub zones: Vec<Zone>,
    pub http01: HashMap<String, String>,
    pub redirects: HashMap<String, String>,
    pub tlsalpn01: HashMap<String, String>,
}

impl State {
    fn new(initial: &InitialState) -> Self {
        Self {
            default_ipv4: initial.default_ipv4,
            default_ipv6: initial.default_ipv6,
            records: HashMap::new(),
            faults: HashMap::new(),
            zones: initial
                .zones
                .iter()
                .cloned()
                .map(|name| {
                    let open = initial.open_zones.contains(&name);
                    let zone = Zone::new(name);
                    if open { zone.open() } else { zone }
                })
                .collect(),
            http01: HashMap::new(),
            redirects: HashMap::new(),
            tlsalpn01: HashMap::new(),
        }
    }

    /// The most specific configured zone containing `name`.
    pub fn zone_for(&self, name: &LowerName) -> Option<usize> {
        self.zones
            .iter()
            .enumerate()
            .filter(|(_, z)| z.contains(name))
            .max_by_key(|(_, z)| z.key().num_labels())
            .map(|(i, _)| i)
    }

    /// The records of `name` (any type).
    pub fn records_of(&self, name: &LowerName) -> &[Record] {
        self.records.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The CNAME target of `name`, if it has one.
    pub fn cname_of(&self, name: &LowerName) -> Option<&Name> {
        self.records_of(name).iter().find_map(|r| match &r.data {
            RData::CNAME(CNAME(target)) => Some(target),
            _ => None,
        })
    }

    /// Adds `record` unless an identical one (same type and data) exists.
    pub fn add_record(&mut self, record: Record) {
        let key = LowerName::new(&record.name);
        let list = self.records.entry(key).or_default();
        if !list.iter().any(|r| r.data == record.data) {
            list.push(record);
        }
    }

    /// Appends `record` even if an identical one exists (challtestsrv appends).
    pub fn append_record(&mut self, record: Record) {
        let key = LowerName::new(&record.name);
        self.records.entry(key).or_default().push(record);
    }

    /// Removes the records of `name` for which `remove` is true.
    pub fn remove_records(&mut self, name: &LowerName, remove: impl Fn(&Record) -> bool) {
        if let Some(list) = self.records.get_mut(name) {
            list.retain(|r| !remove(r));
            if list.is_empty() {
                self.records.remove(name);
            }
        }
    }

    /// Removes all records of `rtype` at `name`.
    pub fn remove_type(&mut self, name: &LowerName, rtype: RecordType) {
        self.remove_records(name, |r| r.record_type() == rtype);
    }
}

/// Shared state: records behind a lock, history, and the start state for resets.
#[derive(Debug)]
pub(crate) struct Store {
    state: RwLock<State>,
    history: History,
    initial: InitialState,
    /// Set once any delay fault exists, so transports know a request may sleep.
    has_delays: AtomicBool,
}

impl Store {
    pub fn new(initial: InitialState, history_limit: usize) -> Self {
        Self {
            state: RwLock::new(State::new(&initial)),
            history: History::new(history_limit),
            initial,
            has_delays: AtomicBool::new(false),
        }
    }

    pub fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// Whether any delay fault has been set since the start (or the last reset).
    pub fn may_delay(&self) -> bool {
        self.has_delays.load(Ordering::Relaxed)
    }
}

/// A handle to a running (or not yet started) mock-dns: changes records, faults and
/// challenge responses directly, without the management API. Cheap to clone.
#[derive(Debug, Clone)]
pub struct DnsHandle {
    pub(crate) store: Arc<Store>,
}

fn txt_rdata(value: &str) -> RData {
    let chunks: Vec<&[u8]> = if value.is_empty() {
        vec![&[]]
    } else {
        value.as_bytes().chunks(255).collect()
    };
    RData::TXT(TXT::from_bytes(chunks))
}

fn caa_rdata(policy: &CaaPolicy) -> Result<RData, RecordError> {
    let tag = &policy.tag;
    if tag.is_empty() || tag.len() > 255 || !tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(RecordError::InvalidCaaTag(tag.clone()));
    }
    if policy.value.len() > 60_000 {
        return Err(RecordError::CaaValueTooLong(policy.value.len()));
    }
    let mut caa = CAA::new_issue(false, None, Vec::new());
    caa.tag = tag.to_ascii_lowercase();
    caa.value = policy.value.as_bytes().to_vec();
    Ok(RData::CAA(caa))
}

impl DnsHandle {
    pub(crate) fn new(store: Arc<Store>) -> Self {
        Self { store }
    }

    fn with_name<T>(
        &self,
        host: &str,
        f: impl FnOnce(&mut State, Name, LowerName) -> T,
    ) -> Result<T, RecordError> {
        let name = parse_host(host)?;
        let key = LowerName::new(&name);
        Ok(f(&mut self.store.write(), name, key))
    }

    /// Sets the address answered to A queries for names without A records;
    /// `None` disables it.
    pub fn set_default_ipv4(&self, addr: Option<Ipv4Addr>) {
        self.store.write().default_ipv4 = addr;
    }

    /// Sets the address answered to AAAA queries for names without AAAA records;
    /// `None` disables it.
    pub fn set_default_ipv6(&self, addr: Option<Ipv6Addr>) {
        self.store.write().default_ipv6 = addr;
    }

    /// Adds A records for `host` (appending to any it has).
    pub fn add_a(&self, host: &str, addrs: &[Ipv4Addr]) -> Result<(), RecordError> {
        self.with_name(host, |s, name, _| {
            for a in addrs {
                s.append_record(Record::from_rdata(name.clone(), 0, RData::A(A(*a))));
            }
        })
    }

    /// Removes all A records of `host`.
    pub fn clear_a(&self, host: &str) -> Result<(), RecordError> {
        self.with_name(host, |s, _, key| s.remove_type(&key, RecordType::A))
    }

    /// Adds AAAA records for `host` (appending to any it has).
    pub fn add_aaaa(&self, host: &str, addrs: &[Ipv6Addr]) -> Result<(), RecordError> {
        self.with_name(host, |s, name, _| {
            for a in addrs {
                s.append_record(Record::from_rdata(name.clone(), 0, RData::AAAA(AAAA(*a))));
            }
        })
    }

    /// Removes all AAAA records of `host`.
    pub fn clear_aaaa(&self, host: &str) -> Result<(), RecordError> {
        self.with_name(host, |s, _, key| s.remove_type(&key, RecordType::AAAA))
    }

    /// Adds a TXT value for `host`; earlier values stay (like challtestsrv's `set-txt`).
    /// Values longer than 255 bytes are split into several character-strings.
    pub fn set_txt(&self, host: &str, value: &str) -> Result<(), RecordError> {
        if value.len() > MAX_TXT_LEN {
            return Err(RecordError::TxtTooLong {
                len: value.len(),
                max: MAX_TXT_LEN,
            });
        }
        self.with_name(host, |s, name, _| {
            s.append_record(Record::from_rdata(name, 0, txt_rdata(value)));
        })
    }

    /// Removes all TXT values of `host`.
    pub fn clear_txt(&self, host: &str) -> Result<(), RecordError> {
        self.with_name(host, |s, _, key| s.remove_type(&key, RecordType::TXT))
    }

    /// Adds CAA records for `host`.
    pub fn add_caa(&self, host: &str, policies: &[CaaPolicy]) -> Result<(), RecordError> {
        let rdatas = policies
            .iter()
            .map(caa_rdata)
            .collect::<Result<Vec<_>, _>>()?;
        self.with_name(host, |s, name, _| {
            for rdata in rdatas {
                s.append_record(Record::from_rdata(name.clone(), 0, rdata));
            }
        })
    }

    /// Removes all CAA records of `host`.
    pub fn clear_caa(&self, host: &str) -> Result<(), RecordError> {
        self.with_name(host, |s, _, key| s.remove_type(&key, RecordType::CAA))
    }

    /// Makes `host` an alias of `target` (replacing any earlier CNAME).
    pub fn set_cname(&self, host: &str, target: &str) -> Result<(), RecordError> {
        let target = parse_host(target)?;
        self.with_name(host, |s, name, key| {
            s.remove_type(&key, RecordType::CNAME);
            s.append_record(Record::from_rdata(name, 0, RData::CNAME(CNAME(target))));
        })
    }

    /// Removes the CNAME of `host`.
    pub fn clear_cname(&self, host: &str) -> Result<(), RecordError> {
        self.with_name(host, |s, _, key| s.remove_type(&key, RecordType::CNAME))
    }

    /// Makes every query for `host` fail with SERVFAIL.
    pub fn set_servfail(&self, host: &str) -> Result<(), RecordError> {
        self.set_fault(host, Fault::ServFail)
    }

    /// Undoes [`set_servfail`](Self::set_servfail).
    pub fn clear_servfail(&self, host: &str) -> Result<(), RecordError> {
        let key = host_key(host)?;
        let mut s = self.store.write();
        if s.faults.get(&key) == Some(&Fault::ServFail) {
            s.faults.remove(&key);
        }
        Ok(())
    }

    /// Injects a fault for queries about `host` (replacing any earlier fault).
    pub fn set_fault(&self, host: &str, fault: Fault) -> Result<(), RecordError> {
        let key = host_key(host)?;
        if matches!(fault, Fault::Delay(_)) {
            self.store.has_delays.store(true, Ordering::Relaxed);
        }
        self.store.write().faults.insert(key, fault);
        Ok(())
    }

    /// Removes any fault for `host`.
    pub fn clear_fault(&self, host: &str) -> Result<(), RecordError> {
        let key = host_key(host)?;
        self.store.write().faults.remove(&key);
        Ok(())
    }

    /// Serves `content` at `/.well-known/acme-challenge/<token>` on the HTTP-01 ports.
    pub fn add_http01(&self, token: &str, content: &str) {
        self.store
            .write()
            .http01
            .insert(token.to_owned(), content.to_owned());
    }

    /// Stops serving the HTTP-01 response for `token`.
    pub fn del_http01(&self, token: &str) {
        self.store.write().http01.remove(token);
    }

    /// Redirects plain-HTTP requests for `path` to `target_url` (302).
    pub fn add_redirect(&self, path: &str, target_url: &str) {
        self.store
            .write()
            .redirects
            .insert(path.to_owned(), target_url.to_owned());
    }

    /// Removes the redirect for `path`.
    pub fn del_redirect(&self, path: &str) {
        self.store.write().redirects.remove(path);
    }

    /// Answers TLS-ALPN-01 handshakes for `host` with a certificate for `key_authorization`.
    pub fn add_tlsalpn01(&self, host: &str, key_authorization: &str) {
        self.store
            .write()
            .tlsalpn01
            .insert(host.to_ascii_lowercase(), key_authorization.to_owned());
    }

    /// Stops answering TLS-ALPN-01 handshakes for `host`.
    pub fn del_tlsalpn01(&self, host: &str) {
        self.store
            .write()
            .tlsalpn01
            .remove(&host.to_ascii_lowercase());
    }

    /// The DNS questions received for `host` (no trailing dot needed).
    pub fn dns_history(&self, host: &str) -> Vec<DnsEvent> {
        self.store.history().dns(host)
    }

    /// The HTTP-01 requests received for `host`.
    pub fn http_history(&self, host: &str) -> Vec<HttpEvent> {
        self.store.history().http(host)
    }

    /// The TLS-ALPN-01 handshakes received for `host`.
    pub fn tlsalpn_history(&self, host: &str) -> Vec<TlsAlpnEvent> {
        self.store.history().tlsalpn(host)
    }

    /// Forgets the history of one kind for `host`.
    pub fn clear_history(&self, host: &str, kind: EventKind) {
        self.store.history().clear(host, kind);
    }

    /// Everything the server currently answers with.
    pub fn records(&self) -> RecordsSnapshot {
        let s = self.store.read();
        let mut records: Vec<RecordEntry> = s
            .records
            .values()
            .flatten()
            .map(RecordEntry::from_record)
            .collect();
        records.sort_by(|a, b| a.name.cmp(&b.name).then(a.rtype.cmp(&b.rtype)));
        let mut faults: Vec<FaultEntry> = s
            .faults
            .iter()
            .map(|(k, f)| FaultEntry::new(k.to_string(), *f))
            .collect();
        faults.sort_by(|a, b| a.host.cmp(&b.host));
        RecordsSnapshot {
            default_ipv4: s.default_ipv4.map(|a| a.to_string()).unwrap_or_default(),
            default_ipv6: s.default_ipv6.map(|a| a.to_string()).unwrap_or_default(),
            records,
            faults,
            zones: s
                .zones
                .iter()
                .map(|z| ZoneEntry {
                    name: z.origin().to_ascii(),
                    serial: z.serial(),
                })
                .collect(),
            http01: s.http01.clone().into_iter().collect(),
            redirects: s.redirects.clone().into_iter().collect(),
            tlsalpn01: s.tlsalpn01.clone().into_iter().collect(),
        }
    }

    /// Goes back to the start state: start defaults and zones, no records, faults,
    /// challenge responses or history.
    pub fn reset(&self) {
        *self.store.write() = State::new(&self.store.initial);
        self.store.has_delays.store(false, Ordering::Relaxed);
        self.store.history().clear_all();
    }
}

/// The JSON body of `GET /records`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RecordsSnapshot {
    /// The default A answer, or empty when disabled.
    #[serde(rename = "defaultIPv4")]
    pub default_ipv4: String,
    /// The default AAAA answer, or empty when disabled.
    #[serde(rename = "defaultIPv6")]
    pub default_ipv6: String,
    /// All records, sorted by name and type.
    pub records: Vec<RecordEntry>,
    /// All injected faults.
    pub faults: Vec<FaultEntry>,
    /// The authoritative zones.
    pub zones: Vec<ZoneEntry>,
    /// HTTP-01 responses by token.
    pub http01: BTreeMap<String, String>,
    /// HTTP redirects by path.
    pub redirects: BTreeMap<String, String>,
    /// TLS-ALPN-01 key authorizations by host.
    pub tlsalpn01: BTreeMap<String, String>,
}

/// One record in [`RecordsSnapshot`].
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RecordEntry {
    /// Owner name, fully qualified.
    pub name: String,
    /// Record type mnemonic, e.g. `TXT`.
    #[serde(rename = "type")]
    pub rtype: String,
    /// TTL in seconds.
    pub ttl: u32,
    /// The record data in presentation form; for TXT, the value with its
    /// character-strings joined.
    pub value: String,
}

impl RecordEntry {
    fn from_record(r: &Record) -> Self {
        let value = match &r.data {
            RData::TXT(txt) => txt
                .txt_data
                .iter()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect::<String>(),
            RData::CAA(caa) => format!(
                "{} {} \"{}\"",
                caa.flags(),
                caa.tag,
                String::from_utf8_lossy(&caa.value)
            ),
            other => other.to_string(),
        };
        Self {
            name: r.name.to_ascii().to_ascii_lowercase(),
            rtype: r.record_type().to_string(),
            ttl: r.ttl,
            value,
        }
    }
}

/// One fault in [`RecordsSnapshot`].
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FaultEntry {
    /// The host the fault applies to.
    pub host: String,
    /// `servfail`, `delay` or `drop`.
    pub fault: &'static str,
    /// The delay for `delay` faults.
    #[serde(rename = "delayMs", skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

impl FaultEntry {
    fn new(host: String, fault: Fault) -> Self {
        let (name, delay_ms) = match fault {
            Fault::ServFail => ("servfail", None),
            Fault::Delay(d) => (
                "delay",
                Some(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            ),
            Fault::Drop => ("drop", None),
        };
        Self {
            host,
            fault: name,
            delay_ms,
        }
    }
}

/// One zone in [`RecordsSnapshot`].
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ZoneEntry {
    /// The apex.
    pub name: String,
    /// The SOA serial.
    pub serial: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handle() -> DnsHandle {
        DnsHandle::new(Arc::new(Store::new(
            InitialState {
                default_ipv4: Some(Ipv4Addr::LOCALHOST),
                default_ipv6: Some(Ipv6Addr::LOCALHOST),
                zones: vec![],
                open_zones: vec![],
            },
            10,
        )))
    }

    #[test]
    fn txt_values_append_and_split() {
        let h = handle();
        h.set_txt("a.example.", "one").unwrap();
        h.set_txt("A.example", &"x".repeat(300)).unwrap();
        let snap = h.records();
        assert_eq!(snap.records.len(), 2);
        assert_eq!(snap.records[1].value.len(), 300);
        let s = h.store.read();
        let key = host_key("a.example").unwrap();
        match &s.records_of(&key)[1].data {
            RData::TXT(t) => assert_eq!(
                t.txt_data.iter().map(|c| c.len()).collect::<Vec<_>>(),
                [255, 45]
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn oversized_txt_and_bad_caa_are_refused() {
        let h = handle();
        assert!(matches!(
            h.set_txt("a.example", &"x".repeat(MAX_TXT_LEN + 1)),
            Err(RecordError::TxtTooLong { .. })
        ));
        let bad = CaaPolicy {
            tag: "is sue".into(),
            value: "x".into(),
        };
        assert!(h.add_caa("a.example", &[bad]).is_err());
    }

    #[test]
    fn reset_forgets_everything() {
        let h = handle();
        h.add_a("a.example", &[Ipv4Addr::new(10, 0, 0, 1)]).unwrap();
        h.set_default_ipv4(None);
        h.set_fault("b.example", Fault::Drop).unwrap();
        h.add_http01("tok", "ka");
        h.reset();
        let snap = h.records();
        assert!(snap.records.is_empty() && snap.faults.is_empty() && snap.http01.is_empty());
        assert_eq!(snap.default_ipv4, "127.0.0.1");
    }

    #[test]
    fn clear_servfail_leaves_other_faults() {
        let h = handle();
        h.set_fault("a.example", Fault::Drop).unwrap();
        h.clear_servfail("a.example").unwrap();
        assert_eq!(h.records().faults.len(), 1);
        h.set_servfail("a.example").unwrap();
        h.clear_servfail("a.example").unwrap();
        assert!(h.records().faults.is_empty());
    }
}
