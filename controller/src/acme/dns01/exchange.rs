//! One DNS request/response exchange over UDP or TCP, with an explicit timeout.
//!
//! Errors read like Go's `net` errors (`read udp 127.0.0.1:5->127.0.0.1:53: i/o
//! timeout`), which is what cert-manager users see in Challenge reasons.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use hickory_proto::op::{Message, MessageType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Datagrams (the default).
    Udp,
    /// A TCP connection with 2-byte length framing.
    Tcp,
}

/// A response, parsed and as received (TSIG verification needs the raw bytes).
#[derive(Debug)]
pub struct Response {
    /// The parsed message.
    pub message: Message,
    /// The bytes as received.
    pub raw: Vec<u8>,
}

/// Why an exchange failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExchangeError {
    /// No answer in time (worth retrying over TCP, as cert-manager does).
    Timeout(String),
    /// Anything else: I/O errors, malformed answers.
    Other(String),
}

impl std::fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Timeout(s) | Self::Other(s) => f.write_str(s),
        }
    }
}

/// The biggest UDP answer accepted.
const MAX_UDP: usize = 65_535;

/// Sends `request` (encoded, with id `id`) to `server` and returns its answer.
pub async fn exchange(
    request: &[u8],
    id: u16,
    server: SocketAddr,
    transport: Transport,
    timeout: Duration,
) -> Result<Response, ExchangeError> {
    let raw = match transport {
        Transport::Udp => udp(request, id, server, timeout).await?,
        Transport::Tcp => tcp(request, server, timeout).await?,
    };
    let message = Message::from_vec(&raw)
        .map_err(|e| ExchangeError::Other(format!("dns: bad answer from {server}: {e}")))?;
    if message.metadata.id != id {
        return Err(ExchangeError::Other("dns: id mismatch".into()));
    }
    if message.metadata.message_type != MessageType::Response {
        return Err(ExchangeError::Other(format!(
            "dns: {server} sent a query, not a response"
        )));
    }
    Ok(Response { message, raw })
}

async fn udp(
    request: &[u8],
    id: u16,
    server: SocketAddr,
    timeout: Duration,
) -> Result<Vec<u8>, ExchangeError> {
    let local: SocketAddr = if server.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let io = |op: &str, e: std::io::Error| ExchangeError::Other(format!("{op} udp {server}: {e}"));
    let socket = UdpSocket::bind(local).await.map_err(|e| io("dial", e))?;
    socket.connect(server).await.map_err(|e| io("dial", e))?;
    let label = match socket.local_addr() {
        Ok(l) => format!("{l}->{server}"),
        Err(_) => server.to_string(),
    };
    let work = async {
        socket
            .send(request)
            .await
            .map_err(|e| ExchangeError::Other(format!("write udp {label}: {e}")))?;
        let mut buf = vec![0u8; MAX_UDP];
        loop {
            let n = socket
                .recv(&mut buf)
                .await
                .map_err(|e| ExchangeError::Other(format!("read udp {label}: {e}")))?;
            let got = buf.get(..n).unwrap_or_default();
            // Stray datagrams (another id, or shorter than a header) are ignored, as
            // miekg/dns does.
            if got.len() >= 12 && got.get(..2) == Some(&id.to_be_bytes()[..]) {
                return Ok(got.to_vec());
            }
        }
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| ExchangeError::Timeout(format!("read udp {label}: i/o timeout")))?
}

async fn tcp(
    request: &[u8],
    server: SocketAddr,
    timeout: Duration,
) -> Result<Vec<u8>, ExchangeError> {
    let len = u16::try_from(request.len())
        .map_err(|_| ExchangeError::Other("dns: message too large".into()))?;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut stream = tokio::time::timeout_at(deadline, TcpStream::connect(server))
        .await
        .map_err(|_| ExchangeError::Timeout(format!("dial tcp {server}: i/o timeout")))?
        .map_err(|e| ExchangeError::Other(format!("dial tcp {server}: {e}")))?;
    let label = match stream.local_addr() {
        Ok(l) => format!("{l}->{server}"),
        Err(_) => server.to_string(),
    };
    let work = async {
        let mut framed = Vec::with_capacity(request.len() + 2);
        framed.extend_from_slice(&len.to_be_bytes());
        framed.extend_from_slice(request);
        stream
            .write_all(&framed)
            .await
            .map_err(|e| ExchangeError::Other(format!("write tcp {label}: {e}")))?;
        let mut len = [0u8; 2];
        stream
            .read_exact(&mut len)
            .await
            .map_err(|e| ExchangeError::Other(format!("read tcp {label}: {e}")))?;
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
        stream
            .read_exact(&mut body)
            .await
            .map_err(|e| ExchangeError::Other(format!("read tcp {label}: {e}")))?;
        Ok(body)
    };
    tokio::time::timeout_at(deadline, work)
        .await
        .map_err(|_| ExchangeError::Timeout(format!("read tcp {label}: i/o timeout")))?
}

/// A random message id.
pub fn random_id() -> u16 {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    u16::from_be_bytes([bytes[0], bytes[1]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn silent_udp_server_times_out_in_go_words() {
        let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = silent.local_addr().unwrap();
        let err = exchange(
            &[0; 12],
            7,
            addr,
            Transport::Udp,
            Duration::from_millis(100),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, ExchangeError::Timeout(_)), "{err:?}");
        assert!(err.to_string().starts_with("read udp 127.0.0.1:"), "{err}");
        assert!(err.to_string().ends_with(": i/o timeout"), "{err}");
    }

    #[tokio::test]
    async fn garbage_answers_are_errors_not_panics() {
        let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = server.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            if let Ok((_, peer)) = server.recv_from(&mut buf).await {
                // Right id, then nonsense counts.
                let mut answer = vec![0u8, 7, 0x80, 0, 0xff, 0xff, 0xff, 0xff];
                answer.extend_from_slice(&[0xff; 20]);
                let _ = server.send_to(&answer, peer).await;
            }
        });
        let err = exchange(&[0; 12], 7, addr, Transport::Udp, Duration::from_secs(2))
            .await
            .unwrap_err();
        assert!(matches!(err, ExchangeError::Other(_)), "{err:?}");
    }
}
