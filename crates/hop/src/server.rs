//! The accept loop every hop runs: one task per connection, a pause after a failed accept,
//! and a graceful drain bounded by a grace period.
//!
//! This loop carries the lab's shutdown guarantee, so it exists once. On cancellation the
//! listener is dropped at once (new connections are refused), every connection task is told
//! through the same token and may finish what it is doing, and whatever is still open after
//! the grace period is cancelled; then [`serve`] returns and the port is free.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use hoplab_trace::{Connection, HopId};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use crate::HopError;

/// How long a server waits before accepting again after `accept` failed (for example, out of
/// file descriptors): long enough not to spin, short enough to recover at once.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// How long open connections may run after shutdown is requested, unless a hop says otherwise.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How one hop's accept loop behaves.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The hop, for logs and errors.
    pub hop: HopId,
    /// How long connections may run once shutdown is requested before they are closed.
    pub grace: Duration,
}

impl ServeOptions {
    /// Options for `hop` with the default [`SHUTDOWN_GRACE`].
    pub fn new(hop: HopId) -> Self {
        ServeOptions {
            hop,
            grace: SHUTDOWN_GRACE,
        }
    }
}

/// Accepts connections on `listener` until `shutdown` is cancelled, handing each to `handle`
/// with its [`Connection`] on a task of its own.
///
/// `handle` should watch `shutdown` too (it is the hop's drain signal): an HTTP server
/// finishes the response in progress and closes, a relay may keep copying until its peer
/// closes. Connection tasks still running [`ServeOptions::grace`] after cancellation are
/// dropped. Returns once every connection task has ended.
///
/// # Errors
/// [`HopError::LocalAddr`] when the listener's address cannot be read, before anything is
/// accepted. Failed accepts are logged and retried after [`ACCEPT_BACKOFF`].
pub async fn serve<H, F>(
    listener: TcpListener,
    shutdown: CancellationToken,
    options: ServeOptions,
    mut handle: H,
) -> Result<(), HopError>
where
    H: FnMut(TcpStream, Connection) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let ServeOptions { hop, grace } = options;
    let addr = local_addr(&hop, &listener)?;
    let tracker = TaskTracker::new();
    let force = CancellationToken::new();
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%hop, %error, "accept failed");
                    tokio::select! {
                        () = shutdown.cancelled() => {}
                        () = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                    }
                    continue;
                }
            },
        };
        let conn = Connection {
            peer,
            local: stream.local_addr().unwrap_or(addr),
        };
        let span = tracing::info_span!("connection", hop = %hop, client.addr = %peer);
        let connection = handle(stream, conn);
        let force = force.clone();
        tracker.spawn(
            async move {
                tokio::select! {
                    () = force.cancelled() => tracing::debug!("closed at the end of the shutdown grace"),
                    () = connection => {}
                }
            }
            .instrument(span),
        );
    }

    drop(listener);
    tracker.close();
    tracing::info!(%hop, open = tracker.len(), "shutting down");
    if tokio::time::timeout(grace, tracker.wait()).await.is_err() {
        tracing::warn!(%hop, open = tracker.len(), "closing connections still open after the shutdown grace");
        force.cancel();
        tracker.wait().await;
    }
    Ok(())
}

/// The address `listener` is bound to.
///
/// # Errors
/// [`HopError::LocalAddr`] when the socket cannot say.
pub fn local_addr(hop: &HopId, listener: &TcpListener) -> Result<SocketAddr, HopError> {
    listener.local_addr().map_err(|source| HopError::LocalAddr {
        hop: hop.clone(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    async fn bound() -> (TcpListener, SocketAddr) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        (listener, addr)
    }

    #[tokio::test]
    async fn each_connection_is_handled_and_shutdown_releases_the_port() {
        let (listener, addr) = bound().await;
        let shutdown = CancellationToken::new();
        let handled = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&handled);
        let server = tokio::spawn(serve(
            listener,
            shutdown.clone(),
            ServeOptions::new(HopId::target("echo")),
            move |mut stream, conn| {
                let counter = Arc::clone(&counter);
                async move {
                    assert_eq!(conn.local, stream.local_addr().unwrap());
                    counter.fetch_add(1, Ordering::SeqCst);
                    let _ = stream.write_all(b"hi").await;
                }
            },
        ));
        for _ in 0..3 {
            let mut client = TcpStream::connect(addr).await.unwrap();
            let mut got = Vec::new();
            client.read_to_end(&mut got).await.unwrap();
            assert_eq!(got, b"hi");
        }
        shutdown.cancel();
        server.await.unwrap().unwrap();
        assert_eq!(handled.load(Ordering::SeqCst), 3);
        TcpListener::bind(addr)
            .await
            .expect("the port is released once serve returns");
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_that_ignores_shutdown_is_closed_after_the_grace() {
        let (listener, addr) = bound().await;
        let shutdown = CancellationToken::new();
        let options = ServeOptions {
            hop: HopId::target("stuck"),
            grace: Duration::from_secs(3),
        };
        let server = tokio::spawn(serve(listener, shutdown.clone(), options, |stream, _| {
            async move {
                // Holds the connection open forever, deaf to the drain signal.
                let _keep = stream;
                std::future::pending::<()>().await;
            }
        }));
        let mut client = TcpStream::connect(addr).await.unwrap();
        // Let the server accept the connection before shutdown starts.
        tokio::task::yield_now().await;
        let started = tokio::time::Instant::now();
        shutdown.cancel();
        server.await.unwrap().unwrap();
        assert!(started.elapsed() >= Duration::from_secs(3));
        let mut buf = [0u8; 1];
        assert_eq!(
            client.read(&mut buf).await.unwrap(),
            0,
            "closed by the server"
        );
    }

    #[tokio::test]
    async fn a_connection_that_watches_shutdown_ends_early() {
        let (listener, addr) = bound().await;
        let shutdown = CancellationToken::new();
        let drain = shutdown.clone();
        let server = tokio::spawn(serve(
            listener,
            shutdown.clone(),
            ServeOptions::new(HopId::target("polite")),
            move |mut stream, _| {
                let drain = drain.clone();
                async move {
                    drain.cancelled().await;
                    let _ = stream.write_all(b"bye").await;
                }
            },
        ));
        let mut client = TcpStream::connect(addr).await.unwrap();
        let mut first = [0u8; 1];
        // Nothing arrives before shutdown; the read below completes only after it.
        let pending =
            tokio::time::timeout(Duration::from_millis(50), client.read(&mut first)).await;
        assert!(pending.is_err(), "the handler waits for the drain signal");
        shutdown.cancel();
        let finished = tokio::time::timeout(SHUTDOWN_GRACE, server).await;
        assert!(finished.is_ok(), "serve returns before the grace runs out");
        let mut got = Vec::new();
        client.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"bye");
    }
}
