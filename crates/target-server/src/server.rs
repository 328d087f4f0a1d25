//! A target's server: the hop kit's accept loop, and the connection-level faults (refuse,
//! accept-then-close, reset).

use std::sync::Arc;
use std::time::Duration;

use hoplab_hop::{ServeOptions, local_addr};
use hoplab_trace::{Connection, EventLog, HopId, Observation};
use hyper::body::Bytes;
use hyper::header::HeaderValue;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::http::{Responder, http_server, serve_connection};
use crate::{TargetBehaviour, TargetConfig, TargetError, TargetSwitch};

/// How long in-flight connections may run after shutdown is requested before they are closed.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves `config` on `listener` until `shutdown` is cancelled.
///
/// Every accepted connection is recorded in `events`, then (for HTTPS) the TLS handshake's
/// outcome, then every request answered. A target configured with a
/// [`TargetBehaviour`](crate::TargetBehaviour) other than `Normal` misbehaves as that
/// behaviour describes and records a `TargetFault` each time. On cancellation the listener is
/// closed at once, requests in flight are answered, idle connections are closed, and anything
/// still open after [`SHUTDOWN_GRACE`] is dropped; then this returns.
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
    let switch = TargetSwitch::new(&config)?;
    serve_switched(listener, &config, switch, events, shutdown).await
}

/// [`serve`], reading the behaviour and the chain from `switch` (made from `config` by
/// [`TargetSwitch::new`]) for every connection, so they can change while it serves; the
/// `behaviour`, `tls` and `tls_versions` of `config` are not read.
///
/// # Errors
/// As [`serve`].
pub async fn serve_switched(
    listener: TcpListener,
    config: &TargetConfig,
    switch: TargetSwitch,
    events: EventLog,
    shutdown: CancellationToken,
) -> Result<(), TargetError> {
    let name = HeaderValue::from_str(&config.name()).map_err(|_| TargetError::InvalidName {
        hop: config.hop.clone(),
    })?;
    let hop = config.hop.clone();
    let addr = local_addr(&hop, &listener)?;
    let (behaviour, tls) = switch.connection();
    if behaviour == TargetBehaviour::Refuse {
        drop(listener);
        tracing::info!(%hop, %addr, "target refusing connections: listener closed");
        events.record(Observation::TargetFault {
            hop,
            conn: None,
            fault: behaviour.name().to_owned(),
            detail: format!("listener {addr} closed; connections are refused"),
        });
        shutdown.cancelled().await;
        return Ok(());
    }
    let responder = Arc::new(Responder::new(
        hop.clone(),
        name,
        Bytes::from(config.body.clone()),
        switch.clone(),
        events.clone(),
    ));
    tracing::info!(%hop, %addr, tls = tls.is_some(), behaviour = behaviour.name(), "target listening");
    let handler = Arc::new(Handler {
        hop: hop.clone(),
        switch,
        responder,
        events,
        http: http_server(),
    });
    let options = ServeOptions {
        hop,
        grace: SHUTDOWN_GRACE,
    };
    let drain = shutdown.clone();
    hoplab_hop::serve(listener, shutdown, options, move |stream, conn| {
        let (handler, drain) = (Arc::clone(&handler), drain.clone());
        async move { handler.handle(stream, conn, drain).await }
    })
    .await?;
    Ok(())
}

/// What every connection task of one target shares.
struct Handler {
    hop: HopId,
    switch: TargetSwitch,
    responder: Arc<Responder>,
    events: EventLog,
    http: hyper::server::conn::http1::Builder,
}

impl Handler {
    /// Handles one accepted connection from start to close with the behaviour and chain of
    /// the moment it was accepted; `shutdown` is the target's drain signal.
    async fn handle(&self, stream: TcpStream, conn: Connection, shutdown: CancellationToken) {
        self.events.record(Observation::Accepted {
            hop: self.hop.clone(),
            conn,
        });
        let (behaviour, tls) = self.switch.connection();
        match behaviour {
            TargetBehaviour::AcceptThenClose => {
                self.fault(
                    conn,
                    behaviour,
                    "closed without reading; the peer gets EOF before any response",
                );
                close_without_reading(stream, shutdown).await;
                return;
            }
            // A running server cannot refuse a connection it has accepted: it resets it
            // until it is served again with the listener closed.
            TargetBehaviour::Reset | TargetBehaviour::Refuse => {
                self.fault(
                    conn,
                    behaviour,
                    "closed with SO_LINGER 0, so the peer gets a TCP RST",
                );
                // Dropping a socket whose linger is zero aborts the connection with a RST.
                if let Err(error) = stream.set_zero_linger() {
                    tracing::warn!(%error, "cannot set SO_LINGER 0; closing normally");
                }
                drop(stream);
                return;
            }
            _ => {}
        }
        // Responses are small and written at once; Nagle would only delay them.
        let _ = stream.set_nodelay(true);
        let responder = Arc::clone(&self.responder);
        match tls {
            None => serve_connection(&self.http, stream, conn, responder, &shutdown).await,
            Some(tls) => {
                if let Some(stream) = tls.accept(stream, &self.hop, conn, &self.events).await {
                    serve_connection(&self.http, stream, conn, responder, &shutdown).await;
                }
            }
        }
    }

    /// Records a `TargetFault` for `behaviour` on `conn`.
    fn fault(&self, conn: Connection, behaviour: TargetBehaviour, detail: &str) {
        self.responder
            .fault(conn, behaviour.name(), detail.to_owned());
    }
}

/// Sends FIN at once without reading, then discards whatever the peer still sends until it
/// closes (or shutdown starts). Closing a socket with unread data makes the kernel send a RST
/// instead; draining keeps this an orderly close.
async fn close_without_reading(mut stream: TcpStream, shutdown: CancellationToken) {
    if let Err(error) = stream.shutdown().await {
        tracing::debug!(%error, "shutdown failed");
        return;
    }
    let mut discard = [0u8; 4096];
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            read = stream.read(&mut discard) => match read {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            },
        }
    }
}
