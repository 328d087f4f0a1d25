//! What the gateway serves: its routes, its trust store and its clock.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hoplab_pkix::TrustStore;
use hoplab_trace::HopId;
use time::OffsetDateTime;

/// The whole gateway configuration.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Stage name, shown in the invoke URL.
    pub stage: String,
    /// Routes; the first whose method and path match serves a request.
    pub routes: Vec<RouteConfig>,
    /// The CAs API Gateway trusts.
    pub trust: Arc<TrustStore>,
    /// The clock certificate validity is judged by and log lines are dated with.
    pub clock: Clock,
}

/// Integration type of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integration {
    /// `HTTP`: a custom HTTP integration (responses pass through unmapped).
    Http,
    /// `HTTP_PROXY`: the backend's status, headers and body pass through.
    HttpProxy,
}

/// One route and its integration, with the address it resolves to on loopback.
#[derive(Debug, Clone)]
pub struct RouteConfig {
    /// HTTP method in upper case, or `ANY`.
    pub method: String,
    /// Resource path.
    pub path: String,
    /// Integration type.
    pub integration: Integration,
    /// The integration URI as written.
    pub uri: String,
    /// Whether the URI is `https` (the gateway starts TLS).
    pub https: bool,
    /// URI host: sent as SNI (for DNS names), as `Host`, and checked against the certificate.
    pub host: String,
    /// URI port.
    pub port: u16,
    /// The request target sent to the backend: the URI's path and query, after `/<stage>`
    /// for a private integration through a VPC link V2 (the scenario's `stage_prefix`).
    pub path_and_query: String,
    /// Where the connection really goes on loopback.
    pub upstream: SocketAddr,
    /// The hop at `upstream`.
    pub via: UpstreamVia,
    /// `tlsConfig.insecureSkipVerification`.
    pub insecure_skip_verification: bool,
    /// `tlsConfig.serverNameToVerify` (HTTP APIs): replaces the URI host as SNI and in the
    /// certificate check.
    pub server_name_to_verify: Option<String>,
    /// `timeoutInMillis`.
    pub timeout: Duration,
}

/// How the gateway reaches a route's backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamVia {
    /// Directly, over the internet, to this target.
    Internet(HopId),
    /// Through a VPC link (V1 or V2) to this NLB or ALB listener.
    VpcLink(HopId),
}

impl UpstreamVia {
    /// The hop the gateway's connection reaches first.
    pub fn first_hop(&self) -> &HopId {
        match self {
            UpstreamVia::Internet(hop) | UpstreamVia::VpcLink(hop) => hop,
        }
    }
}

/// The gateway's notion of now.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    /// The wall clock.
    System,
    /// A pinned time that advances with the monotonic clock from when it was pinned.
    Pinned {
        /// The time at `since`.
        at: OffsetDateTime,
        /// When it was pinned.
        since: Instant,
    },
}

impl Clock {
    /// A clock that reads `at` now and advances from there.
    pub fn pinned(at: OffsetDateTime) -> Self {
        Clock::Pinned {
            at,
            since: Instant::now(),
        }
    }

    /// The current time by this clock.
    pub fn now(&self) -> OffsetDateTime {
        match self {
            Clock::System => OffsetDateTime::now_utc(),
            Clock::Pinned { at, since } => *at + since.elapsed(),
        }
    }
}

impl RouteConfig {
    /// The name sent as SNI and checked against the certificate: `serverNameToVerify` when
    /// set, else the URI host.
    pub fn tls_name(&self) -> &str {
        self.server_name_to_verify.as_deref().unwrap_or(&self.host)
    }

    /// Whether this route serves `method` on `path`.
    pub fn serves(&self, method: &str, path: &str) -> bool {
        self.path == path && (self.method == "ANY" || self.method.eq_ignore_ascii_case(method))
    }

    /// The `Host` header value: the URI host, with the port when it is not the scheme default.
    pub fn host_header(&self) -> String {
        let default_port = if self.https { 443 } else { 80 };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == default_port {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}
