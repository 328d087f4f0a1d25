//! One listener on the hop kit's accept loop: its health checks, and each connection handed
//! to passthrough or termination.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hoplab_hop::{HealthChecker, HealthOverrides, ServeOptions, group_health, local_addr};
use hoplab_trace::{Connection, EventLog, HopId, Observation};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::passthrough;
use crate::terminate::Terminator;
use crate::upstream::Forwarder;
use crate::{ListenerCertificates, ListenerConfig, NlbError};

/// What whoever runs a listener can change while it serves.
#[derive(Debug, Clone, Default)]
pub struct ListenerControls {
    /// Target health forced by hand: the listener's target group is watched by it.
    pub health: HealthOverrides,
    /// A TLS listener's certificates, made from its configuration by
    /// [`ListenerCertificates::new`]; `None` makes them from the configuration, out of
    /// anyone else's reach. Ignored by a TCP listener.
    pub certificates: Option<ListenerCertificates>,
}

/// How long open connections may run after shutdown is requested before they are closed.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves one NLB listener on `listener` until `shutdown` is cancelled.
///
/// A TCP listener (`config.tls` is `None`) passes each connection through to one target; a TLS
/// listener terminates TLS and opens a new connection to the target. If the target group has
/// a health check, a task checks its targets until shutdown and new flows go to healthy
/// targets only (or to all, when none is healthy). Everything seen is recorded in `events`. On
/// cancellation the listener is closed and health checks stop at once, open connections keep
/// relaying until they close, and whatever is still open after [`SHUTDOWN_GRACE`] is dropped;
/// then this returns.
///
/// # Errors
/// Only when the listener cannot start (an ALPN policy with a TCP target group, empty target
/// group, a TCP listener with a TLS target group, a health check that cannot run, unusable
/// certificates). Failures on one connection are recorded in
/// `events` instead.
pub async fn serve_listener(
    listener: TcpListener,
    config: ListenerConfig,
    events: EventLog,
    shutdown: CancellationToken,
) -> Result<(), NlbError> {
    serve_listener_reporting_ready(listener, config, events, shutdown, None).await
}

/// [`serve_listener`], sending on `ready` once the listener accepts connections: at once, or
/// after settling its target group's health when the health check asks for that
/// ([`HealthCheck::settle_before_serving`](crate::HealthCheck::settle_before_serving)). If
/// the listener cannot start, `ready` is dropped unsent.
///
/// # Errors
/// As [`serve_listener`].
pub async fn serve_listener_reporting_ready(
    listener: TcpListener,
    config: ListenerConfig,
    events: EventLog,
    shutdown: CancellationToken,
    ready: Option<tokio::sync::oneshot::Sender<()>>,
) -> Result<(), NlbError> {
    let controls = ListenerControls::default();
    serve_listener_controlled(listener, config, controls, events, shutdown, ready).await
}

/// [`serve_listener_reporting_ready`], changed while it serves through `controls`: target
/// health forced by hand, and the TLS listener's certificates replaced.
///
/// # Errors
/// As [`serve_listener`].
pub async fn serve_listener_controlled(
    listener: TcpListener,
    config: ListenerConfig,
    controls: ListenerControls,
    events: EventLog,
    shutdown: CancellationToken,
    ready: Option<tokio::sync::oneshot::Sender<()>>,
) -> Result<(), NlbError> {
    let hop = config.hop.clone();
    let addr = local_addr(&hop, &listener)?;
    let (handler, checker) = Handler::new(config, &controls, events, addr)?;
    let handler = Arc::new(handler);
    tracing::info!(
        %hop,
        %addr,
        tls = handler.terminator.is_some(),
        target_group = %handler.group,
        health_checks = checker.is_some(),
        "nlb listener listening"
    );
    let checker = match checker {
        None => None,
        Some(checker) => {
            let checker = Arc::new(checker);
            checker.settle(&shutdown).await;
            Some(tokio::spawn(checker.run(shutdown.clone())))
        }
    };

    if let Some(ready) = ready {
        // The receiver may have stopped waiting; the listener serves all the same.
        let _ = ready.send(());
    }

    let options = ServeOptions {
        hop: hop.clone(),
        grace: SHUTDOWN_GRACE,
    };
    // Relays do not watch the drain signal: a connection keeps relaying until its peers close
    // it or the grace period ends.
    let served = hoplab_hop::serve(listener, shutdown, options, move |stream, conn| {
        let handler = Arc::clone(&handler);
        async move { handler.handle(stream, conn).await }
    })
    .await;
    if let Some(checker) = checker {
        // Returned as soon as it saw the cancellation, abandoning any check in flight.
        if let Err(error) = checker.await {
            tracing::warn!(%hop, %error, "health checker failed");
        }
    }
    served?;
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
    /// The handler for `config`, and the health checker of its target group if it has one.
    /// `addr` is where the listener listens: HTTP health checks send it as `Host`.
    fn new(
        config: ListenerConfig,
        controls: &ListenerControls,
        events: EventLog,
        addr: SocketAddr,
    ) -> Result<(Self, Option<HealthChecker>), NlbError> {
        let hop = config.hop;
        let group = config.target_group;
        let (terminator, backend_versions) = match &config.tls {
            None => (None, None),
            Some(tls) => {
                let terminator = Terminator::new(&hop, tls, controls.certificates.as_ref())?;
                if terminator.negotiates_alpn() && !group.tls {
                    return Err(NlbError::AlpnNeedsTlsTargetGroup {
                        hop,
                        policy: tls.alpn_policy,
                        group: group.name,
                    });
                }
                (
                    Some(terminator),
                    Some(tls.security_policy.backend_tls_versions()),
                )
            }
        };
        let (table, checker) = group_health(
            &hop,
            &group.name,
            &group.targets,
            group.health_check.as_ref(),
            addr,
            &events,
        )?;
        controls.health.watch(&table);
        let name = group.name.clone();
        let forwarder = Forwarder::new(&hop, events.clone(), group, backend_versions, table)?;
        let handler = Handler {
            hop,
            group: name,
            events,
            terminator,
            forwarder,
        };
        Ok((handler, checker))
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
