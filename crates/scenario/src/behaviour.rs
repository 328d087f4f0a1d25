//! Validated types for the parts of a topology that misbehave or are checked: a target's
//! deliberate fault and TLS versions, a target group's health check, a TLS listener's ALPN
//! policy.
//!
//! They sit beside [`crate::model`] and are re-exported with it; what holds them is
//! [`Target::behaviour`](crate::Target::behaviour),
//! [`Target::tls_versions`](crate::Target::tls_versions),
//! [`TargetGroup::health_check`](crate::TargetGroup::health_check) and
//! [`TlsListener::alpn_policy`](crate::TlsListener::alpn_policy).

use crate::spelling::spelled;

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
    /// Every behaviour with its scenario spelling, in the order the reference lists them.
    /// `slow` and `status` stand with placeholder values: their `delay_ms` and `status` keys
    /// say the rest.
    pub const ALL: &'static [(&'static str, TargetBehaviour)] = &[
        ("normal", TargetBehaviour::Normal),
        ("refuse", TargetBehaviour::Refuse),
        ("accept-then-close", TargetBehaviour::AcceptThenClose),
        ("reset", TargetBehaviour::Reset),
        ("hang", TargetBehaviour::Hang),
        ("slow", TargetBehaviour::Slow { delay_ms: 0 }),
        ("status", TargetBehaviour::Status(0)),
    ];

    /// The scenario spelling.
    pub fn as_str(&self) -> &'static str {
        let kind = std::mem::discriminant(self);
        Self::ALL
            .iter()
            .find(|(_, b)| std::mem::discriminant(b) == kind)
            .map_or("normal", |(spelling, _)| spelling)
    }

    /// The behaviour spelt exactly `text`; `slow` and `status` with placeholder values.
    pub fn from_spelling(text: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(spelling, _)| *spelling == text)
            .map(|(_, b)| *b)
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

spelled!(TlsVersions {
    Tls12AndTls13 => "TLSv1.2+TLSv1.3",
    Tls13Only => "TLSv1.3",
    Tls12Only => "TLSv1.2",
});

impl TlsVersions {
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
    pub(crate) protocol: HealthCheckProtocol,
    pub(crate) path: String,
    pub(crate) interval_seconds: u32,
    pub(crate) timeout_seconds: u32,
    pub(crate) healthy_threshold: u32,
    pub(crate) unhealthy_threshold: u32,
    pub(crate) matcher: Vec<(u16, u16)>,
}

impl HealthCheck {
    /// TCP, HTTP or HTTPS.
    pub fn protocol(&self) -> HealthCheckProtocol {
        self.protocol
    }

    /// The request path of HTTP and HTTPS checks (default `/`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Seconds between checks (5..=300, default 30).
    pub fn interval_seconds(&self) -> u32 {
        self.interval_seconds
    }

    /// Seconds one check may take (2..=120; default 6 for HTTP, 10 for TCP and HTTPS).
    pub fn timeout_seconds(&self) -> u32 {
        self.timeout_seconds
    }

    /// Passes in a row that make a target healthy (2..=10, default 5).
    pub fn healthy_threshold(&self) -> u32 {
        self.healthy_threshold
    }

    /// Failures in a row that make a target unhealthy (2..=10, default 2).
    pub fn unhealthy_threshold(&self) -> u32 {
        self.unhealthy_threshold
    }

    /// Status ranges an HTTP or HTTPS check accepts (default `200-399`), inclusive.
    pub fn matcher(&self) -> &[(u16, u16)] {
        &self.matcher
    }

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

spelled!(HealthCheckProtocol {
    Tcp => "TCP",
    Http => "HTTP",
    Https => "HTTPS",
});

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

spelled!(AlpnPolicy {
    Http1Only => "HTTP1Only",
    Http2Only => "HTTP2Only",
    Http2Optional => "HTTP2Optional",
    Http2Preferred => "HTTP2Preferred",
    None => "None",
});
