//! Copying bytes both ways between the client and the target.

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// The buffer size for each direction.
pub const RELAY_BUFFER: usize = 64 * 1024;

/// Copies bytes both ways until both directions are done. When one side stops sending, the
/// other side's write half is shut down (for TLS: `close_notify`), so half-closes propagate.
pub(crate) async fn relay<D, U>(mut downstream: D, mut upstream: U)
where
    D: AsyncRead + AsyncWrite + Unpin,
    U: AsyncRead + AsyncWrite + Unpin,
{
    match tokio::io::copy_bidirectional_with_sizes(
        &mut downstream,
        &mut upstream,
        RELAY_BUFFER,
        RELAY_BUFFER,
    )
    .await
    {
        Ok((to_target, to_client)) => {
            tracing::debug!(to_target, to_client, "connection closed");
        }
        Err(error) => tracing::debug!(%error, "connection ended with an error"),
    }
}

/// Waits until the client's or the target's socket has something to read (data, EOF or an
/// error), so that an idle connection holds no relay buffers: they are allocated when the
/// relay starts. `peek` leaves the bytes in place and, unlike `readable`, has no false
/// positives.
pub(crate) async fn until_either_readable(client: &TcpStream, target: &TcpStream) {
    let (mut from_client, mut from_target) = ([0u8; 1], [0u8; 1]);
    tokio::select! {
        _ = client.peek(&mut from_client) => {}
        _ = target.peek(&mut from_target) => {}
    }
}
