//! Validated types for the parts of a topology that misbehave or are checked: a target's
//! deliberate fault and TLS versions, a target group's health check, a TLS listener's ALPN
//! policy.
//!
//! They sit beside [`crate::model`] and are re-exported with it; the fields that hold them are
//! [`Target::behaviour`](crate::Target::behaviour),
//! [`Target::tls_versions`](crate::Target::tls_versions),
//! [`TargetGroup::health_check`](crate::TargetGroup::health_check) and
//! [`TlsListener::alpn_policy`](crate::TlsListener::alpn_policy).

/// How a target treats its connections: normally, or with one deliberate fault.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TargetBehaviour {
    /// Answer every request with `200 OK` (`"normal"`, the default).
    #[default]
    Normal,
    /// Nothing listens: connections are refused (`"refuse"`).
    Refuse,
    /// Accept the TCP connection, then close it before any byte (`"accept-then-close"`).
    AcceptThenClose,
    /// Accept the TCP connection, then reset it (`"reset"`).
    Reset,
    /// Accept, finish TLS, read the request and never answer (`"hang"`).
    Hang,
    /// Answer normally after `delay_ms` (`"slow"`).
    Slow {
        /// Milliseconds each response waits.
        delay_ms: u32,
    },
    /// Answer with this status instead of 200 (`"status"`).
    Status(u16),
}

impl TargetBehaviour {
    /// The scenario spellings, in the order the reference lists them.
    pub const NAMES: [&'static str; 7] = [
        "normal",
        "refuse",
        "accept-then-close",
        "reset",
        "hang",
        "slow",
        "status",
    ];

    /// The scenario spelling.
    pub fn as_str(&self) -> &'static str {
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

/// The TLS versions an HTTPS target accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TlsVersions {
    /// TLS 1.2 and 1.3 (`"TLSv1.2+TLSv1.3"`, the default).
    #[default]
    Tls12AndTls13,
    /// TLS 1.3 only (`"TLSv1.3"`).
    Tls13Only,
    /// TLS 1.2 only (`"TLSv1.2"`).
    Tls12Only,
}

impl TlsVersions {
    /// Every choice with its scenario spelling.
    pub const ALL: [(&'static str, TlsVersions); 3] = [
        ("TLSv1.2+TLSv1.3", TlsVersions::Tls12AndTls13),
        ("TLSv1.3", TlsVersions::Tls13Only),
        ("TLSv1.2", TlsVersions::Tls12Only),
    ];

    /// Whether TLS 1.2 is accepted.
    pub fn tls12(self) -> bool {
        self != TlsVersions::Tls13Only
    }

    /// Whether TLS 1.3 is accepted.
    pub fn tls13(self) -> bool {
        self != TlsVersions::Tls12Only
    }
}

/// How a target group checks its targets' health.
///
/// The lab runs each target's first `unhealthy_threshold` checks back to back before the
/// listener accepts its first connection, so a scenario's requests see settled health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    /// TCP, HTTP or HTTPS.
    pub protocol: HealthCheckProtocol,
    /// The request path of HTTP and HTTPS checks (default `/`).
    pub path: String,
    /// Seconds between checks (5..=300, default 30).
    pub interval_seconds: u32,
    /// Seconds one check may take (2..=120; default 6 for HTTP, 10 for TCP and HTTPS).
    pub timeout_seconds: u32,
    /// Passes in a row that make a target healthy (2..=10, default 5).
    pub healthy_threshold: u32,
    /// Failures in a row that make a target unhealthy (2..=10, default 2).
    pub unhealthy_threshold: u32,
    /// Status ranges an HTTP or HTTPS check accepts (default `200-399`), inclusive.
    pub matcher: Vec<(u16, u16)>,
}

impl HealthCheck {
    /// Whether `status` passes the matcher.
    pub fn matches(&self, status: u16) -> bool {
        self.matcher
            .iter()
            .any(|(low, high)| (*low..=*high).contains(&status))
    }

    /// The matcher as AWS writes it (`200-299,404`).
    pub fn matcher_text(&self) -> String {
        self.matcher
            .iter()
            .map(|(low, high)| {
                if low == high {
                    low.to_string()
                } else {
                    format!("{low}-{high}")
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// What a health check does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HealthCheckProtocol {
    /// Open a TCP connection (the default).
    #[default]
    Tcp,
    /// Send `GET <path>` and judge the status.
    Http,
    /// As HTTP, over TLS 1.2 without validating the certificate.
    Https,
}

impl HealthCheckProtocol {
    /// Every protocol with its AWS spelling.
    pub const ALL: [(&'static str, HealthCheckProtocol); 3] = [
        ("TCP", HealthCheckProtocol::Tcp),
        ("HTTP", HealthCheckProtocol::Http),
        ("HTTPS", HealthCheckProtocol::Https),
    ];

    /// The AWS spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthCheckProtocol::Tcp => "TCP",
            HealthCheckProtocol::Http => "HTTP",
            HealthCheckProtocol::Https => "HTTPS",
        }
    }
}

/// A TLS listener's ALPN policy, by AWS name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AlpnPolicy {
    /// `None`: no ALPN (the default).
    #[default]
    None,
    /// `HTTP1Only`: http/1.1, http/1.0.
    Http1Only,
    /// `HTTP2Only`: h2.
    Http2Only,
    /// `HTTP2Optional`: http/1.1, http/1.0, h2.
    Http2Optional,
    /// `HTTP2Preferred`: h2, http/1.1, http/1.0.
    Http2Preferred,
}

impl AlpnPolicy {
    /// Every policy with its AWS name.
    pub const ALL: [(&'static str, AlpnPolicy); 5] = [
        ("HTTP1Only", AlpnPolicy::Http1Only),
        ("HTTP2Only", AlpnPolicy::Http2Only),
        ("HTTP2Optional", AlpnPolicy::Http2Optional),
        ("HTTP2Preferred", AlpnPolicy::Http2Preferred),
        ("None", AlpnPolicy::None),
    ];

    /// The AWS name.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map(|(s, _)| *s)
            .unwrap_or("None")
    }
}
