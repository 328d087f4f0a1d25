//! The accept loop of one listener: one task per connection, and graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use hoplab_trace::{Connection, EventLog, HopId, Observation};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use crate::passthrough;
use crate::policy::backend_tls_versions;
use crate::terminate::Terminator;
use crate::upstream::Forwarder;
use crate::{ListenerConfig, NlbError};

/// How long open connections may run after shutdown is requested before they are closed.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How long to wait before accepting again after `accept` failed (e.g. out of descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves one NLB listener on `listener` until `shutdown` is cancelled.
///
/// A TCP listener (`config.tls` is `None`) passes each connection through to one target; a TLS
/// listener terminates TLS and opens a new connection to the target. Everything seen is
/// recorded in `events`. On cancellation the listener is closed at once, open connections keep
/// relaying until they close, and whatever is still open after [`SHUTDOWN_GRACE`] is dropped;
/// then this returns.
///
/// # Errors
/// Only when the listener cannot start (unknown security policy, empty target group, a TCP
/// listener with a TLS target group, unusable certificates). Failures on one connection are
/// recorded in `events` instead.
pub async fn serve_listener(
    listener: TcpListener,
    config: ListenerConfig,
    events: EventLog,
    shutdown: CancellationToken,
) -> Result<(), NlbError> {
    let hop = config.hop.clone();
    let addr = listener
        .local_addr()
        .map_err(|source| NlbError::LocalAddr {
            hop: hop.clone(),
            source,
        })?;
    let handler = Arc::new(Handler::new(config, events)?);
    tracing::info!(
        %hop,
        %addr,
        tls = handler.terminator.is_some(),
        target_group = %handler.group,
        "nlb listener listening"
    );

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
        let handler = Arc::clone(&handler);
        let force = force.clone();
        tracker.spawn(
            async move {
                tokio::select! {
                    () = force.cancelled() => tracing::debug!("closed at the end of the shutdown grace"),
                    () = handler.handle(stream, conn) => {}
                }
            }
            .instrument(span),
        );
    }

    drop(listener);
    tracker.close();
    tracing::info!(%hop, open = tracker.len(), "nlb listener shutting down");
    if tokio::time::timeout(SHUTDOWN_GRACE, tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!(%hop, open = tracker.len(), "closing connections still open after the shutdown grace");
        force.cancel();
        tracker.wait().await;
    }
    Ok(())
}

/// What every connection task of one listener shares.
struct Handler {
    hop: HopId,
    group: String,
    events: EventLog,
    /// `Some` for a TLS listener.
    terminator: Option<Terminator>,
    forwarder: Forwarder,
}

impl Handler {
    fn new(config: ListenerConfig, events: EventLog) -> Result<Self, NlbError> {
        let hop = config.hop;
        let group = config.target_group.name.clone();
        let (terminator, backend_versions) = match &config.tls {
            None => (None, None),
            Some(tls) => {
                let terminator = Terminator::new(&hop, tls)?;
                // Known, since the terminator accepted the policy.
                (Some(terminator), backend_tls_versions(&tls.security_policy))
            }
        };
        let forwarder =
            Forwarder::new(&hop, events.clone(), config.target_group, backend_versions)?;
        Ok(Handler {
            hop,
            group,
            events,
            terminator,
            forwarder,
        })
    }

    /// Handles one accepted connection from start to close.
    async fn handle(&self, stream: TcpStream, conn: Connection) {
        self.events.record(Observation::Accepted {
            hop: self.hop.clone(),
            conn,
        });
        let _ = stream.set_nodelay(true);
        match &self.terminator {
            None => passthrough::handle(&self.forwarder, stream, conn).await,
            Some(terminator) => {
                terminator
                    .handle(&self.hop, &self.events, &self.forwarder, stream, conn)
                    .await;
            }
        }
    }
}
