//! The accept loop: one task per connection, and graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use hoplab_trace::{Connection, EventLog, HopId, Observation};
use hyper::body::Bytes;
use hyper::header::HeaderValue;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use crate::http::{Responder, serve_connection};
use crate::tls::TlsServer;
use crate::{TargetConfig, TargetError};

/// How long in-flight connections may run after shutdown is requested before they are closed.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How long to wait before accepting again after `accept` failed (e.g. out of descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `config` on `listener` until `shutdown` is cancelled.
///
/// Every accepted connection is recorded in `events`, then (for HTTPS) the TLS handshake's
/// outcome, then every request answered. On cancellation the listener is closed at once,
/// requests in flight are answered, idle connections are closed, and anything still open after
/// [`SHUTDOWN_GRACE`] is dropped; then this returns.
///
/// # Errors
/// Only when the target cannot start: see [`TargetError`]. Failures on one connection are
/// recorded in `events` instead.
pub async fn serve(
    listener: TcpListener,
    config: TargetConfig,
    events: EventLog,
    shutdown: CancellationToken,
) -> Result<(), TargetError> {
    let name = HeaderValue::from_str(&config.name()).map_err(|_| TargetError::InvalidName {
        hop: config.hop.clone(),
    })?;
    let TargetConfig { hop, tls, body } = config;
    let addr = listener
        .local_addr()
        .map_err(|source| TargetError::LocalAddr {
            hop: hop.clone(),
            source,
        })?;
    let tls = tls.map(|key| TlsServer::new(&hop, key)).transpose()?;
    let responder = Arc::new(Responder::new(
        hop.clone(),
        name,
        Bytes::from(body),
        events.clone(),
    ));
    tracing::info!(%hop, %addr, tls = tls.is_some(), "target listening");
    let handler = Arc::new(Handler {
        hop,
        tls,
        responder,
        events,
    });

    let tracker = TaskTracker::new();
    let force = CancellationToken::new();
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(hop = %handler.hop, %error, "accept failed");
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
        let span = tracing::info_span!("connection", hop = %handler.hop, client.addr = %peer);
        let handler = Arc::clone(&handler);
        let shutdown = shutdown.clone();
        let force = force.clone();
        tracker.spawn(
            async move {
                tokio::select! {
                    () = force.cancelled() => tracing::debug!("closed at the end of the shutdown grace"),
                    () = handler.handle(stream, conn, shutdown) => {}
                }
            }
            .instrument(span),
        );
    }

    drop(listener);
    tracker.close();
    tracing::info!(hop = %handler.hop, open = tracker.len(), "target shutting down");
    if tokio::time::timeout(SHUTDOWN_GRACE, tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!(hop = %handler.hop, open = tracker.len(), "closing connections still open after the shutdown grace");
        force.cancel();
        tracker.wait().await;
    }
    Ok(())
}

/// What every connection task of one target shares.
struct Handler {
    hop: HopId,
    tls: Option<TlsServer>,
    responder: Arc<Responder>,
    events: EventLog,
}

impl Handler {
    /// Handles one accepted connection from start to close.
    async fn handle(&self, stream: TcpStream, conn: Connection, shutdown: CancellationToken) {
        self.events.record(Observation::Accepted {
            hop: self.hop.clone(),
            conn,
        });
        // Responses are small and written at once; Nagle would only delay them.
        let _ = stream.set_nodelay(true);
        let responder = Arc::clone(&self.responder);
        match &self.tls {
            None => serve_connection(stream, conn, responder, shutdown).await,
            Some(tls) => {
                if let Some(stream) = tls.accept(stream, &self.hop, conn, &self.events).await {
                    serve_connection(stream, conn, responder, shutdown).await;
                }
            }
        }
    }
}
