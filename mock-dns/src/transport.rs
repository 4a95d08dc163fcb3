//! DNS transports: UDP with mock-dns's own receive loop (one task per core sharing the
//! socket, answering inline unless a delay fault is set), TCP through hickory-server's
//! [`Server`](hickory_server::Server).

use std::net::SocketAddr;
use std::sync::Arc;

use hickory_server::net::xfer::Protocol;
use tokio::net::UdpSocket;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use crate::handler::DnsHandler;

/// Largest UDP datagram read.
const UDP_BUFFER: usize = 65_535;

/// Number of receive loops per UDP socket.
pub fn udp_workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
}

async fn reply(handler: &DnsHandler, socket: &UdpSocket, packet: &[u8], src: SocketAddr) {
    if let Some(response) = handler.handle_packet(packet, src, Protocol::Udp).await
        && let Err(error) = socket.send_to(&response, src).await
    {
        debug!(%error, %src, "cannot send UDP response");
    }
}

/// Serves DNS on `socket` until `shutdown` is cancelled.
pub async fn serve_udp(socket: Arc<UdpSocket>, handler: DnsHandler, shutdown: CancellationToken) {
    let mut buf = vec![0u8; UDP_BUFFER];
    loop {
        let received = tokio::select! {
            r = socket.recv_from(&mut buf) => r,
            () = shutdown.cancelled() => break,
        };
        let (len, src) = match received {
            Ok(x) => x,
            Err(error) => {
                // ICMP errors from earlier sends surface here on some systems; go on.
                debug!(%error, "UDP receive error");
                continue;
            }
        };
        let Some(packet) = buf.get(..len) else {
            continue;
        };
        if handler.may_delay() {
            let handler = handler.clone();
            let socket = socket.clone();
            let packet = packet.to_vec();
            tokio::spawn(async move { reply(&handler, &socket, &packet, src).await });
        } else {
            reply(&handler, &socket, packet, src).await;
        }
    }
    if !shutdown.is_cancelled() {
        warn!("UDP loop ended unexpectedly");
    }
}
