//! A TCP listener's connections: bytes pass through untouched, TLS included.

use hoplab_trace::Connection;
use tokio::net::TcpStream;

use crate::relay::{relay, until_either_readable};
use crate::upstream::{Forwarder, Upstream};

/// Forwards one accepted connection to its target and relays until both sides are done.
/// If the target cannot be reached the client connection is closed.
pub(crate) async fn handle(forwarder: &Forwarder, stream: TcpStream, downstream: Connection) {
    match forwarder.open(downstream).await {
        Some(Upstream::Plain(upstream)) => {
            until_either_readable(&stream, &upstream).await;
            relay(stream, upstream).await;
        }
        // A TCP listener never has a TLS target group; relaying would still be right.
        Some(Upstream::Tls(upstream)) => relay(stream, upstream).await,
        None => drop(stream),
    }
}
