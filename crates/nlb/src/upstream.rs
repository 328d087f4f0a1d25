//! The NLB's side toward targets: pick a target, connect, and for a TLS target group run a TLS
//! handshake that does not validate the target's certificate and sends no SNI.
//!
//! AWS: "The load balancer does not validate these certificates. Therefore, you can use
//! self-signed certificates or certificates that have expired." Field reports say the NLB
//! sends no SNI to TLS targets.

use std::sync::Arc;
use std::time::Duration;

use hoplab_hop::{HealthTable, balancer_tls_client, target_server_name};
use hoplab_trace::{CertSummary, Connection, EventLog, HopId, Observation};
use rustls::SupportedProtocolVersion;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::select::select_target;
use crate::{NlbError, TargetEndpoint, TargetGroup};

/// How long the listener waits for a target to accept a TCP connection, and then again for
/// its TLS handshake.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An open connection to a target.
pub(crate) enum Upstream {
    /// A TCP target group: bytes go as they are.
    Plain(TcpStream),
    /// A TLS target group: a new TLS session the NLB is the client of.
    Tls(Box<TlsStream<TcpStream>>),
}

/// Opens connections to one target group's targets and records what happened.
pub(crate) struct Forwarder {
    hop: HopId,
    events: EventLog,
    targets: Vec<TargetEndpoint>,
    /// Which targets new flows may go to.
    health: Arc<HealthTable>,
    /// `Some` for a TLS target group.
    tls: Option<TlsConnector>,
}

impl Forwarder {
    /// A forwarder for `group`, routing by `health`; `tls_versions` are the versions offered
    /// to TLS targets (a TCP listener has none, and cannot use a TLS target group).
    pub(crate) fn new(
        hop: &HopId,
        events: EventLog,
        group: TargetGroup,
        tls_versions: Option<&'static [&'static SupportedProtocolVersion]>,
        health: Arc<HealthTable>,
    ) -> Result<Self, NlbError> {
        if group.targets.is_empty() {
            return Err(NlbError::NoTargets {
                hop: hop.clone(),
                group: group.name,
            });
        }
        let tls =
            match (group.tls, tls_versions) {
                (false, _) => None,
                (true, Some(versions)) => Some(balancer_tls_client(versions).map_err(
                    |source| NlbError::Tls {
                        hop: hop.clone(),
                        source,
                    },
                )?),
                (true, None) => {
                    return Err(NlbError::TcpListenerToTlsGroup {
                        hop: hop.clone(),
                        group: group.name,
                    });
                }
            };
        Ok(Forwarder {
            hop: hop.clone(),
            events,
            targets: group.targets,
            health,
            tls,
        })
    }

    /// Picks the target for the accepted connection `downstream` (by flow hash among the
    /// routable targets) and connects to it, recording `TargetTlsUnverified` (TLS target
    /// groups) and `Forwarded`, or `ForwardFailed` and `None`.
    pub(crate) async fn open(&self, downstream: Connection) -> Option<Upstream> {
        let index = self.health.route(|n| select_target(&downstream, n));
        // The table has one entry per target, and `targets` is never empty.
        let target = self.targets.get(index)?;
        match self.connect(target).await {
            Ok((upstream, conn)) => {
                tracing::debug!(target = %target.hop, server.addr = %target.addr, "forwarding");
                self.events.record(Observation::Forwarded {
                    hop: self.hop.clone(),
                    downstream,
                    upstream: conn,
                    target: target.hop.clone(),
                    tls: matches!(upstream, Upstream::Tls(_)),
                });
                Some(upstream)
            }
            Err((error, upstream)) => {
                tracing::debug!(target = %target.hop, %error, "forwarding failed");
                self.events.record(Observation::ForwardFailed {
                    hop: self.hop.clone(),
                    downstream,
                    target: target.hop.clone(),
                    upstream,
                    error: error.to_string(),
                });
                None
            }
        }
    }

    /// Connects to `target`; on failure, also returns the connection if TCP got that far.
    async fn connect(
        &self,
        target: &TargetEndpoint,
    ) -> Result<(Upstream, Connection), (NlbError, Option<Connection>)> {
        let seconds = CONNECT_TIMEOUT.as_secs();
        let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(target.addr))
            .await
            .map_err(|_| NlbError::ConnectTimeout {
                target: target.addr,
                seconds,
            })
            .and_then(|connected| {
                connected.map_err(|source| NlbError::Connect {
                    target: target.addr,
                    source,
                })
            })
            .map_err(|error| (error, None))?;
        let _ = stream.set_nodelay(true);
        let conn = Connection {
            local: stream.local_addr().map_err(|source| {
                let error = NlbError::Connect {
                    target: target.addr,
                    source,
                };
                (error, None)
            })?,
            peer: target.addr,
        };
        let Some(connector) = &self.tls else {
            return Ok((Upstream::Plain(stream), conn));
        };
        let handshake = connector.connect(target_server_name(target.addr), stream);
        let tls = tokio::time::timeout(CONNECT_TIMEOUT, handshake)
            .await
            .map_err(|_| NlbError::TargetHandshakeTimeout {
                target: target.addr,
                seconds,
            })
            .and_then(|handshake| {
                handshake.map_err(|source| NlbError::TargetHandshake {
                    target: target.addr,
                    source,
                })
            })
            .map_err(|error| (error, Some(conn)))?;
        let presented = tls
            .get_ref()
            .1
            .peer_certificates()
            .map(|chain| CertSummary::chain(chain.iter().map(|der| der.as_ref())))
            .unwrap_or_default();
        self.events.record(Observation::TargetTlsUnverified {
            hop: self.hop.clone(),
            upstream: conn,
            presented,
        });
        Ok((Upstream::Tls(Box::new(tls)), conn))
    }
}
