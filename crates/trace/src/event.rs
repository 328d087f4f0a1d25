//! Observations and the log they are written to.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use hoplab_cert::CertSummary;
use serde::Serialize;

use crate::{AlbAction, HopId, MatchedRule, ResponseOrigin};

/// One TCP connection as seen from the hop that accepted or opened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Connection {
    /// The other end of the connection.
    pub peer: SocketAddr,
    /// This hop's end of the connection.
    pub local: SocketAddr,
}

/// Something a hop saw happen on one of its connections.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Observation {
    /// A hop accepted a TCP connection.
    Accepted {
        /// The hop that accepted.
        hop: HopId,
        /// The accepted connection.
        conn: Connection,
    },
    /// A hop completed a TLS handshake as the server, so a TLS session ended here.
    TlsTerminated {
        /// The hop that terminated TLS.
        hop: HopId,
        /// The connection the handshake ran on.
        conn: Connection,
        /// The server name the client asked for, if any.
        sni: Option<String>,
        /// The certificates this hop sent, leaf first, in the order sent. Shared with the hop,
        /// which summarises each chain it serves once.
        served: Arc<[CertSummary]>,
        /// The negotiated protocol version, e.g. `TLSv1.3`.
        version: String,
    },
    /// A TLS handshake in which this hop was the server failed.
    TlsAcceptFailed {
        /// The hop whose handshake failed.
        hop: HopId,
        /// The connection the handshake ran on.
        conn: Connection,
        /// What went wrong, in rustls' words.
        error: String,
    },
    /// An NLB listener opened a connection to a target for an accepted connection.
    Forwarded {
        /// The listener that forwarded.
        hop: HopId,
        /// The accepted (client-side) connection.
        downstream: Connection,
        /// The new connection to the target, from the NLB's side.
        upstream: Connection,
        /// The target the connection went to.
        target: HopId,
        /// Whether the NLB speaks TLS to the target (a TLS target group).
        tls: bool,
    },
    /// A load balancer listener (NLB or ALB) completed a TLS handshake with a target, as the
    /// client, without validating the target's certificate.
    TargetTlsUnverified {
        /// The listener that connected.
        hop: HopId,
        /// The listener-to-target connection, from the listener's side.
        upstream: Connection,
        /// The certificates the target sent, leaf first.
        presented: Vec<CertSummary>,
    },
    /// An NLB listener could not reach a target or could not finish its TLS handshake.
    ForwardFailed {
        /// The listener that tried.
        hop: HopId,
        /// The accepted (client-side) connection.
        downstream: Connection,
        /// The target it tried.
        target: HopId,
        /// The connection to the target, from the NLB's side, if TCP got that far (a failed
        /// TLS handshake with the target happens on an open connection).
        upstream: Option<Connection>,
        /// What went wrong.
        error: String,
    },
    /// A target answered an HTTP request.
    Responded {
        /// The target that answered.
        hop: HopId,
        /// The connection the request came in on.
        conn: Connection,
        /// The request line, e.g. `GET /pets HTTP/1.1`.
        request: String,
        /// The `Host` header the request carried, if any.
        host: Option<String>,
        /// The status code the target sent.
        status: u16,
        /// The request's `X-Amzn-Trace-Id`, if it carried one: an ALB adds it to every request
        /// it forwards, so it names the ALB request this answered even over a pooled
        /// connection.
        #[serde(skip_serializing_if = "Option::is_none")]
        trace_id: Option<String>,
    },
    /// A TLS listener with an ALPN policy finished a handshake: what the client offered and
    /// what was chosen. Listeners without a policy (`None`) do not record this.
    AlpnNegotiated {
        /// The listener.
        hop: HopId,
        /// The connection the handshake ran on.
        conn: Connection,
        /// The protocols the client offered, in its order; empty when it sent no ALPN.
        offered: Vec<String>,
        /// The protocol chosen, or `None` when the handshake went ahead without ALPN.
        selected: Option<String>,
    },
    /// A load balancer listener health-checked one target of its target group.
    HealthChecked {
        /// The listener whose target group ran the check.
        hop: HopId,
        /// The target group's name.
        group: String,
        /// The target checked.
        target: HopId,
        /// The check's connection from the listener's side, if TCP got that far; the target records
        /// the same connection with this `local` as its peer.
        probe: Option<Connection>,
        /// Whether the check passed.
        passed: bool,
        /// What the check saw, e.g. `HTTP 200` or `connect: connection refused`.
        detail: String,
    },
    /// A target of a load balancer listener's target group became healthy or unhealthy.
    HealthChanged {
        /// The listener whose target group holds the target.
        hop: HopId,
        /// The target group's name.
        group: String,
        /// The target whose state changed.
        target: HopId,
        /// The new state.
        healthy: bool,
        /// Why, AWS-style: a reason code and description, e.g.
        /// `Target.Timeout: Request timed out`.
        reason: String,
    },
    /// Every target of a load balancer listener's target group became unhealthy, so the listener fails
    /// open and routes new connections to all of them (`active: true`), or a target became
    /// healthy again and failing open ended (`active: false`).
    FailOpen {
        /// The listener.
        hop: HopId,
        /// The target group's name.
        group: String,
        /// Whether the listener now fails open.
        active: bool,
    },
    /// An ALB listener answered one HTTP request: what it was, which rule decided it, where it
    /// went and what was sent back. Recorded once the response status is known.
    AlbRequest {
        /// The listener.
        hop: HopId,
        /// The client's connection the request arrived on.
        downstream: Connection,
        /// The request line, e.g. `GET /pets?kind=cat HTTP/1.1`.
        request: String,
        /// The `Host` header the request carried, if any.
        host: Option<String>,
        /// The `X-Amzn-Trace-Id` sent to the target with the request (the target records it
        /// in its `Responded`); `None` when the request was not forwarded.
        trace_id: Option<String>,
        /// The rule that matched; `None` when the listener answered before evaluating rules
        /// (plain HTTP on an HTTPS listener).
        rule: Option<MatchedRule>,
        /// The matched rule's action.
        action: Option<AlbAction>,
        /// The target group a `forward` action chose.
        group: Option<String>,
        /// The target chosen in that group.
        target: Option<HopId>,
        /// The listener-to-target connection the request went over (pooled connections carry
        /// several requests), from the listener's side, if TCP got that far.
        upstream: Option<Connection>,
        /// The status sent to the client.
        status: u16,
        /// Who wrote the response, and for the ALB's own error pages, why.
        origin: ResponseOrigin,
    },
    /// A target misbehaved as its configuration asked.
    TargetFault {
        /// The target.
        hop: HopId,
        /// The connection it misbehaved on; `None` for a fault of the whole target (a closed
        /// listener that refuses connections).
        conn: Option<Connection>,
        /// The behaviour's name, e.g. `reset`.
        fault: String,
        /// What the target did, e.g. `closed with SO_LINGER 0, so the peer gets a TCP RST`.
        detail: String,
    },
}

impl Observation {
    /// The hop that made this observation.
    pub fn hop(&self) -> &HopId {
        match self {
            Observation::Accepted { hop, .. }
            | Observation::TlsTerminated { hop, .. }
            | Observation::TlsAcceptFailed { hop, .. }
            | Observation::Forwarded { hop, .. }
            | Observation::TargetTlsUnverified { hop, .. }
            | Observation::ForwardFailed { hop, .. }
            | Observation::Responded { hop, .. }
            | Observation::AlpnNegotiated { hop, .. }
            | Observation::HealthChecked { hop, .. }
            | Observation::HealthChanged { hop, .. }
            | Observation::FailOpen { hop, .. }
            | Observation::AlbRequest { hop, .. }
            | Observation::TargetFault { hop, .. } => hop,
        }
    }
}

/// The shared, append-only log every hop of one topology writes its observations to.
///
/// A log made with [`EventLog::new`] keeps everything, so a one-shot run can stitch every
/// request's trace. A log made with [`EventLog::bounded`] keeps only the latest observations
/// and drops the oldest first, for a topology that serves for as long as someone lets it.
///
/// Cloning is cheap and every clone writes to the same log.
#[derive(Debug, Clone, Default)]
pub struct EventLog {
    inner: Arc<Mutex<Kept>>,
}

#[derive(Debug, Default)]
struct Kept {
    observations: VecDeque<Observation>,
    /// `None`: keep everything.
    capacity: Option<usize>,
    evicted: u64,
}

impl EventLog {
    /// An empty log that keeps every observation.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty log that keeps the latest `capacity` observations (at least one).
    pub fn bounded(capacity: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Kept {
                observations: VecDeque::new(),
                capacity: Some(capacity.max(1)),
                evicted: 0,
            })),
        }
    }

    /// Appends one observation, dropping the oldest when a bounded log is full.
    pub fn record(&self, observation: Observation) {
        let mut kept = self.lock();
        if let Some(capacity) = kept.capacity {
            while kept.observations.len() >= capacity {
                kept.observations.pop_front();
                kept.evicted += 1;
            }
        }
        kept.observations.push_back(observation);
    }

    /// A copy of every observation kept, in order.
    pub fn snapshot(&self) -> Vec<Observation> {
        self.lock().observations.iter().cloned().collect()
    }

    /// A copy of the latest `count` observations kept (fewer when fewer are kept), in order:
    /// what a reader that follows the newest requests needs, without copying the whole log.
    pub fn latest(&self, count: usize) -> Vec<Observation> {
        let kept = self.lock();
        let skip = kept.observations.len().saturating_sub(count);
        kept.observations.iter().skip(skip).cloned().collect()
    }

    /// Kept observations for which `keep` returns true, in order.
    pub fn matching(&self, keep: impl Fn(&Observation) -> bool) -> Vec<Observation> {
        self.lock()
            .observations
            .iter()
            .filter(|o| keep(o))
            .cloned()
            .collect()
    }

    /// How many observations are kept.
    pub fn len(&self) -> usize {
        self.lock().observations.len()
    }

    /// Whether none are kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many observations a bounded log has dropped to stay within its capacity.
    pub fn evicted(&self) -> u64 {
        self.lock().evicted
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        // A panic while holding the lock cannot leave the queue half-written, so a poisoned
        // lock is still safe to use.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(port: u16) -> Observation {
        Observation::Accepted {
            hop: HopId::Gateway,
            conn: Connection {
                peer: SocketAddr::from(([127, 0, 0, 1], port)),
                local: SocketAddr::from(([127, 0, 0, 1], 1)),
            },
        }
    }

    #[test]
    fn an_unbounded_log_keeps_everything() {
        let log = EventLog::new();
        for port in 0..1000 {
            log.record(accepted(port));
        }
        assert_eq!(log.len(), 1000);
        assert_eq!(log.evicted(), 0);
        assert_eq!(log.snapshot()[0], accepted(0));
    }

    #[test]
    fn a_bounded_log_keeps_the_latest_and_counts_what_it_dropped() {
        let log = EventLog::bounded(3);
        for port in 0..10 {
            log.record(accepted(port));
        }
        assert_eq!(log.snapshot(), vec![accepted(7), accepted(8), accepted(9)]);
        assert_eq!(log.evicted(), 7);
        // Every clone writes to the same bounded log.
        log.clone().record(accepted(10));
        assert_eq!(log.len(), 3);
        assert_eq!(log.snapshot()[0], accepted(8));
    }
}
