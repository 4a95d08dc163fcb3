//! The DNS request handler: hickory-server's [`RequestHandler`] for mock-dns, and
//! [`DnsHandler::handle_packet`], the bytes-in/bytes-out entry point that the UDP
//! transport, the fuzz target and the tests use.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use certlab_clock::SharedClock;
use hickory_server::net::NetError;
use hickory_server::net::runtime::{Time, TokioTime};
use hickory_server::net::xfer::Protocol;
use hickory_server::proto::op::{
    Edns, Header, HeaderCounts, LowerQuery, MessageType, Metadata, OpCode, ResponseCode,
};
use hickory_server::proto::rr::rdata::tsig::{TSIG, TsigError};
use hickory_server::proto::rr::{RData, Record, RecordType};
use hickory_server::proto::serialize::binary::{
    BinDecodable, BinDecoder, BinEncodable, BinEncoder,
};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::{MessageResponse, MessageResponseBuilder, Queries};
use tracing::{debug, warn};

use crate::answer;
use crate::history::{DnsEvent, DnsQuestion};
use crate::store::{Fault, Store};
use crate::tsig::{self, Rejection, TsigKey, Verified};
use crate::update;

/// The largest UDP payload advertised in EDNS answers.
const MAX_UDP_PAYLOAD: u16 = 4096;

/// How a response is signed.
#[derive(Debug)]
enum Signing {
    /// Not signed, no TSIG record.
    None,
    /// An unsigned TSIG error record (BADKEY, BADSIG).
    Unsigned(Box<Record<TSIG>>),
    /// Signed with the request's key.
    Sign {
        verified: Box<Verified>,
        time: u64,
        error: Option<TsigError>,
        other: Vec<u8>,
    },
}

/// A response, before encoding.
#[derive(Debug)]
struct Reply {
    metadata: Metadata,
    answers: Vec<Record>,
    authorities: Vec<Record>,
    signing: Signing,
}

impl Reply {
    fn new(request: &Request) -> Self {
        Self {
            metadata: Metadata::response_from_request(&request.metadata),
            answers: Vec::new(),
            authorities: Vec::new(),
            signing: Signing::None,
        }
    }

    fn with_rcode(mut self, rcode: ResponseCode) -> Self {
        self.metadata.response_code = rcode;
        self
    }
}

/// What to do with a request.
#[derive(Debug)]
enum Plan {
    /// Send nothing (the `drop` fault).
    Drop,
    /// Send this, after the delay if any.
    Reply(Reply, Option<Duration>),
}

/// Answers DNS requests from the store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct DnsHandler {
    store: Arc<Store>,
    keys: Arc<[TsigKey]>,
    clock: SharedClock,
    allow_unsigned_updates: bool,
}

impl DnsHandler {
    pub(crate) fn new(
        store: Arc<Store>,
        keys: Vec<TsigKey>,
        clock: SharedClock,
        allow_unsigned_updates: bool,
    ) -> Self {
        Self {
            store,
            keys: keys.into(),
            clock,
            allow_unsigned_updates,
        }
    }

    /// Whether a request may be delayed by a fault (so transports should not handle it
    /// inline).
    pub(crate) fn may_delay(&self) -> bool {
        self.store.may_delay()
    }

    /// Handles one DNS message given as raw bytes and returns the raw response, or
    /// `None` when nothing is to be sent (fewer than 12 bytes, a response message, or a
    /// `drop` fault). Malformed messages get FORMERR. Never panics, whatever the input.
    pub async fn handle_packet(
        &self,
        raw: &[u8],
        src: SocketAddr,
        protocol: Protocol,
    ) -> Option<Vec<u8>> {
        let capture = Capture::new(protocol);
        self.handle_raw(raw.to_vec(), src, protocol, capture.clone())
            .await;
        capture.take()
    }

    async fn handle_raw<R: ResponseHandler>(
        &self,
        raw: Vec<u8>,
        src: SocketAddr,
        protocol: Protocol,
        mut response_handle: R,
    ) {
        let header = {
            let mut decoder = BinDecoder::new(&raw);
            match Header::read(&mut decoder) {
                Ok(h) => h,
                // Shorter than a header: nothing sensible to answer.
                Err(_) => return,
            }
        };
        if header.metadata.message_type == MessageType::Response {
            return;
        }
        match Request::from_bytes(raw, src, protocol) {
            Ok(request) => {
                self.handle_request::<_, TokioTime>(&request, response_handle)
                    .await;
            }
            Err(error) => {
                debug!(%error, %src, "malformed DNS message");
                let Ok(queries) = Queries::read(&mut BinDecoder::new(&[]), 0) else {
                    return;
                };
                let response = MessageResponseBuilder::new(&queries, None)
                    .error_msg(&header.metadata, ResponseCode::FormErr);
                if let Err(error) = response_handle.send_response(response).await {
                    debug!(%error, "cannot send FORMERR");
                }
            }
        }
    }

    fn record_history(&self, query: &LowerQuery) {
        let original = query.original();
        self.store.history().record_dns(DnsEvent {
            question: DnsQuestion {
                name: original.name().to_string(),
                qtype: u16::from(original.query_type()),
                qclass: u16::from(original.query_class()),
            },
        });
    }

    /// Verifies the request's TSIG, if any. `Err` is the error reply to send.
    fn check_tsig(&self, request: &Request) -> Result<Signing, Reply> {
        let record = match request_tsig(request) {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(Signing::None),
            Err(()) => return Err(Reply::new(request).with_rcode(ResponseCode::FormErr)),
        };
        let record = &record;
        let now = self.clock.now();
        let now_t = tsig::tsig_time(now);
        let id = request.metadata.id;
        let reply = Reply::new(request);
        match tsig::verify(request.as_slice(), record, &self.keys, now) {
            Ok(verified) => Ok(Signing::Sign {
                verified: Box::new(verified),
                time: now_t,
                error: None,
                other: Vec::new(),
            }),
            Err(Rejection::FormErr) => Err(reply.with_rcode(ResponseCode::FormErr)),
            Err(Rejection::BadKey) => {
                warn!(key = %record.name, "TSIG: unknown key or algorithm");
                let mut r = reply.with_rcode(ResponseCode::NotAuth);
                r.signing = Signing::Unsigned(Box::new(tsig::unsigned_error(
                    record,
                    id,
                    now_t,
                    TsigError::BadKey,
                )));
                Err(r)
            }
            Err(Rejection::BadSig) => {
                warn!(key = %record.name, "TSIG: bad signature");
                let mut r = reply.with_rcode(ResponseCode::NotAuth);
                r.signing = Signing::Unsigned(Box::new(tsig::unsigned_error(
                    record,
                    id,
                    now_t,
                    TsigError::BadSig,
                )));
                Err(r)
            }
            Err(Rejection::BadTrunc(verified)) => {
                let mut r = reply.with_rcode(ResponseCode::NotAuth);
                r.signing = Signing::Sign {
                    verified,
                    time: now_t,
                    error: Some(TsigError::BadTrunc),
                    other: Vec::new(),
                };
                Err(r)
            }
            Err(Rejection::BadTime(verified)) => {
                warn!(key = %record.name, "TSIG: time outside the fudge");
                let mut r = reply.with_rcode(ResponseCode::NotAuth);
                let time = verified.request_time;
                r.signing = Signing::Sign {
                    verified,
                    time,
                    error: Some(TsigError::BadTime),
                    other: now_t.to_be_bytes()[2..].to_vec(),
                };
                Err(r)
            }
        }
    }

    fn plan_query(&self, request: &Request, mut reply: Reply) -> Plan {
        let queries = request.queries.queries();
        if queries.is_empty() {
            return Plan::Reply(reply.with_rcode(ResponseCode::FormErr), None);
        }
        let mut delay = None;
        let state = self.store.read();
        for query in queries {
            self.record_history(query);
            match state.faults.get(query.name()) {
                Some(Fault::Drop) => return Plan::Drop,
                Some(Fault::ServFail) => {
                    reply.metadata.response_code = ResponseCode::ServFail;
                    continue;
                }
                Some(Fault::Delay(d)) => delay = Some(delay.unwrap_or(*d).max(*d)),
                None => {}
            }
            let result = answer::answer(&state, query.original().name(), query.query_type());
            reply.metadata.authoritative |= result.authoritative;
            if reply.metadata.response_code == ResponseCode::NoError {
                reply.metadata.response_code = result.rcode;
            }
            reply.answers.extend(result.answers);
            if reply.authorities.is_empty() {
                reply.authorities = result.authorities;
            }
        }
        if reply.metadata.response_code == ResponseCode::ServFail {
            reply.answers.clear();
        }
        Plan::Reply(reply, delay)
    }

    fn plan_update(&self, request: &Request, reply: Reply) -> Plan {
        let signed = !matches!(reply.signing, Signing::None);
        if !signed && !self.allow_unsigned_updates {
            warn!(src = %request.src(), "refusing unsigned UPDATE");
            return Plan::Reply(reply.with_rcode(ResponseCode::Refused), None);
        }
        let rcode = update::process(&mut self.store.write(), request);
        debug!(?rcode, "UPDATE processed");
        let mut reply = reply.with_rcode(rcode);
        // The response echoes the zone section only.
        reply.metadata.authoritative = false;
        Plan::Reply(reply, None)
    }

    fn plan(&self, request: &Request) -> Plan {
        let reply = Reply::new(request);
        let signing = match self.check_tsig(request) {
            Ok(s) => s,
            Err(error_reply) => return Plan::Reply(error_reply, None),
        };
        let mut reply = reply;
        reply.signing = signing;
        match request.metadata.op_code {
            OpCode::Query => self.plan_query(request, reply),
            OpCode::Update => self.plan_update(request, reply),
            _ => Plan::Reply(reply.with_rcode(ResponseCode::NotImp), None),
        }
    }

    async fn send<R: ResponseHandler>(
        request: &Request,
        reply: Reply,
        mut response_handle: R,
    ) -> Result<ResponseInfo, NetError> {
        let edns = request.edns.as_ref().map(|req| {
            let mut e = Edns::new();
            e.set_max_payload(req.max_payload().clamp(512, MAX_UDP_PAYLOAD));
            e
        });
        let build = || {
            MessageResponseBuilder::new(&request.queries, edns.as_ref()).build(
                reply.metadata,
                reply.answers.iter(),
                reply.authorities.iter(),
                std::iter::empty(),
                std::iter::empty(),
            )
        };
        let mut response = build();
        match &reply.signing {
            Signing::None => {}
            Signing::Unsigned(record) => response.set_signature(record.clone()),
            Signing::Sign {
                verified,
                time,
                error,
                other,
            } => {
                let mut unsigned = Vec::with_capacity(512);
                let encoded = build().destructive_emit(&mut BinEncoder::new(&mut unsigned));
                let signature = encoded.ok().and_then(|_| {
                    tsig::sign_response(
                        verified,
                        &unsigned,
                        request.metadata.id,
                        *time,
                        *error,
                        other.clone(),
                    )
                });
                match signature {
                    Some(sig) => response.set_signature(Box::new(sig)),
                    None => warn!("cannot sign response; sending it unsigned"),
                }
            }
        }
        response_handle.send_response(response).await
    }
}

/// The request's TSIG record. hickory-proto only separates TSIG from the additional
/// section with its DNSSEC features, so it is looked for in both places. A TSIG record
/// anywhere but last is an error.
fn request_tsig(request: &Request) -> Result<Option<Record<TSIG>>, ()> {
    if let Some(sig) = request.signature.as_deref() {
        return Ok(Some(sig.clone()));
    }
    let additionals = &request.additionals;
    let tsig_positions = additionals
        .iter()
        .filter(|r| r.record_type() == RecordType::TSIG)
        .count();
    if tsig_positions == 0 {
        return Ok(None);
    }
    match additionals.last() {
        Some(Record {
            name,
            ttl,
            dns_class,
            data: RData::TSIG(tsig),
            ..
        }) if tsig_positions == 1 => {
            let mut record = Record::from_rdata(name.clone(), *ttl, tsig.clone());
            record.dns_class = *dns_class;
            Ok(Some(record))
        }
        _ => Err(()),
    }
}

fn info_without_response(request: &Request, rcode: ResponseCode) -> ResponseInfo {
    let mut metadata = Metadata::response_from_request(&request.metadata);
    metadata.response_code = rcode;
    ResponseInfo::from(Header {
        metadata,
        counts: HeaderCounts::default(),
    })
}

#[async_trait::async_trait]
impl RequestHandler for DnsHandler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        response_handle: R,
    ) -> ResponseInfo {
        match self.plan(request) {
            Plan::Drop => info_without_response(request, ResponseCode::NoError),
            Plan::Reply(reply, delay) => {
                if let Some(d) = delay {
                    tokio::time::sleep(d).await;
                }
                match Self::send(request, reply, response_handle).await {
                    Ok(info) => info,
                    Err(error) => {
                        debug!(%error, "cannot send DNS response");
                        info_without_response(request, ResponseCode::ServFail)
                    }
                }
            }
        }
    }
}

/// A [`ResponseHandler`] that encodes the response into memory.
#[derive(Clone)]
struct Capture {
    protocol: Protocol,
    out: Arc<Mutex<Option<Vec<u8>>>>,
}

impl Capture {
    fn new(protocol: Protocol) -> Self {
        Self {
            protocol,
            out: Arc::new(Mutex::new(None)),
        }
    }

    fn take(&self) -> Option<Vec<u8>> {
        self.out.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// Encodes a response like hickory-server does: at most the client's UDP payload size
/// (512 without EDNS, truncating with TC), and SERVFAIL if it cannot be encoded.
fn encode<'a>(
    protocol: Protocol,
    response: MessageResponse<
        '_,
        'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
    >,
) -> Result<(ResponseInfo, Vec<u8>), NetError> {
    let metadata = *response.metadata();
    let max = match protocol {
        Protocol::Udp => response.edns().map_or(512, |e| e.max_payload().max(512)),
        _ => u16::MAX,
    };
    let mut bytes = Vec::with_capacity(512);
    let mut encoder = BinEncoder::new(&mut bytes);
    encoder.set_max_size(max);
    if let Ok(info) = response.destructive_emit(&mut encoder) {
        return Ok((info, bytes));
    }
    bytes.clear();
    let mut servfail = Metadata::new(metadata.id, MessageType::Response, metadata.op_code);
    servfail.response_code = ResponseCode::ServFail;
    let header = Header {
        metadata: servfail,
        counts: HeaderCounts::default(),
    };
    header
        .emit(&mut BinEncoder::new(&mut bytes))
        .map_err(NetError::from)?;
    Ok((ResponseInfo::from(header), bytes))
}

#[async_trait::async_trait]
impl ResponseHandler for Capture {
    async fn send_response<'a>(
        &mut self,
        response: MessageResponse<
            '_,
            'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
        >,
    ) -> Result<ResponseInfo, NetError> {
        let (info, bytes) = encode(self.protocol, response)?;
        *self.out.lock().unwrap_or_else(|p| p.into_inner()) = Some(bytes);
        Ok(info)
    }
}
