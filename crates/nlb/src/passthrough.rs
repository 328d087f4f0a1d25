//! A TCP listener's connections: bytes pass through untouched, TLS included.

use hoplab_trace::Connection;
use tokio::net::TcpStream;

use crate::relay::relay;
use crate::upstream::{Forwarder, Upstream};

/// Forwards one accepted connection to its target and relays until both sides are done.
/// If the target cannot be reached the client connection is closed.
pub(crate) async fn handle(forwarder: &Forwarder, stream: TcpStream, downstream: Connection) {
    match forwarder.open(downstream).await {
        Some(Upstream::Plain(upstream)) => {
            // The relay's buffers are allocated when it starts: an idle connection holds
            // none until either side has something to read (data, EOF or an error). `peek`
            // leaves the bytes in place and, unlike `readable`, has no false positives.
            let (mut from_client, mut from_target) = ([0u8; 1], [0u8; 1]);
            tokio::select! {
                _ = stream.peek(&mut from_client) => {}
                _ = upstream.peek(&mut from_target) => {}
            }
            relay(stream, upstream).await;
        }
        // A TCP listener never has a TLS target group; relaying would still be right.
        Some(Upstream::Tls(upstream)) => relay(stream, upstream).await,
        None => drop(stream),
    }
}
