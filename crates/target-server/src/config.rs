//! What one target serves, and how it misbehaves when asked to.

use std::sync::Arc;
use std::time::Duration;

use hoplab_trace::HopId;
use rustls::sign::CertifiedKey;

/// The configuration of one target.
///
/// [`TargetConfig::new`] gives a well-behaved target speaking TLS 1.2 and 1.3; set
/// [`behaviour`](Self::behaviour) and [`tls_versions`](Self::tls_versions) afterwards to change
/// that.
#[derive(Debug, Clone)]
pub struct TargetConfig {
    /// The target's hop id (`HopId::Target { name }`); its name also goes in the
    /// `x-hoplab-target` response header.
    pub hop: HopId,
    /// `Some` serves HTTPS with exactly this chain (its `cert` field is the chain as sent, leaf
    /// first); `None` serves plain HTTP.
    pub tls: Option<Arc<CertifiedKey>>,
    /// The body of every response.
    pub body: String,
    /// How the target treats connections and requests; [`TargetBehaviour::Normal`] answers.
    pub behaviour: TargetBehaviour,
    /// The TLS versions an HTTPS target accepts; ignored for plain HTTP.
    pub tls_versions: TargetTlsVersions,
}

impl TargetConfig {
    /// A target that answers every request normally, over TLS 1.2 or 1.3 when `tls` is
    /// `Some`.
    pub fn new(hop: HopId, tls: Option<Arc<CertifiedKey>>, body: impl Into<String>) -> Self {
        TargetConfig {
            hop,
            tls,
            body: body.into(),
            behaviour: TargetBehaviour::Normal,
            tls_versions: TargetTlsVersions::default(),
        }
    }

    /// The name the `x-hoplab-target` header carries: the target's name, or the hop id's
    /// textual form for any other kind of hop.
    pub(crate) fn name(&self) -> String {
        match &self.hop {
            HopId::Target { name } => name.clone(),
            other => other.to_string(),
        }
    }
}

/// The TLS versions an HTTPS target accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TargetTlsVersions {
    /// TLS 1.2 and TLS 1.3.
    #[default]
    Tls12AndTls13,
    /// TLS 1.3 only. AWS: "If a target group is configured with HTTPS health checks, its
    /// registered targets fail health checks if they support only TLS 1.3."
    Tls13Only,
    /// TLS 1.2 only.
    Tls12Only,
}

/// How a target treats its connections: normally, or with one deliberate fault.
///
/// Every fault is recorded as an `Observation::TargetFault` (for [`Status`](Self::Status),
/// the `Responded` observation carries the status instead). Whatever the behaviour, shutdown
/// finishes within the grace period: connections still open at its end are cut.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TargetBehaviour {
    /// Answer every request with `200 OK`.
    #[default]
    Normal,
    /// The target is configured but nothing listens: the listener is closed as soon as
    /// [`serve`](crate::serve) starts, so connections are refused. `serve` records one
    /// `TargetFault` without a connection and then waits for shutdown.
    Refuse,
    /// Accept the TCP connection, then close it without reading anything: the peer sees EOF
    /// before any response (for HTTPS, before the handshake finishes). The target sends its FIN
    /// at once, then discards whatever the peer still sends until the peer closes too, so the
    /// kernel never turns the close into a reset.
    AcceptThenClose,
    /// Accept the TCP connection, then close it with `SO_LINGER` 0, so the peer gets a TCP RST
    /// (`ECONNRESET`) rather than a FIN.
    Reset,
    /// Accept, complete the TLS handshake (for HTTPS), read the request, and never answer. The
    /// connection stays open until the peer closes it or shutdown's grace period ends.
    Hang,
    /// Answer normally, but only after `delay` (timed with `tokio::time`, so a paused test
    /// clock controls it).
    Slow {
        /// How long each request waits before its response is sent.
        delay: Duration,
    },
    /// Answer every request with this status code (200–599) instead of `200 OK`, with the
    /// usual body and header.
    Status(u16),
}

impl TargetBehaviour {
    /// The behaviour's short name, as `TargetFault` observations record it: `normal`,
    /// `refuse`, `accept-then-close`, `reset`, `hang`, `slow` or `status`.
    pub fn name(&self) -> &'static str {
        match self {
            TargetBehaviour::Normal => "normal",
            TargetBehaviour::Refuse => "refuse",
            TargetBehaviour::AcceptThenClose => "accept-then-close",
            TargetBehaviour::Reset => "reset",
            TargetBehaviour::Hang => "hang",
            TargetBehaviour::Slow { .. } => "slow",
            TargetBehaviour::Status(_) => "status",
        }
    }
}
