//! Copying bytes both ways between the client and the target.

use tokio::io::{AsyncRead, AsyncWrite};

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
