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
    /// Stage name: the first segment of a request's path (`/{stage}/{resource}`, as in the
    /// invoke URL); `None` for an HTTP API's `$default` stage, whose request paths are
    /// resource paths.
    pub stage: Option<String>,
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

    /// The URI the backend request goes to, as the execution log shows it: the integration
    /// URI as written, unless the request target sent differs from the URI's own path and
    /// query (the stage in front of it, for a private integration with `stage_prefix`); then
    /// the URI's scheme and authority followed by that target.
    pub fn endpoint_uri(&self) -> String {
        let authority_start = self.uri.find("://").map_or(0, |i| i + 3);
        let origin_end = self.uri[authority_start..]
            .find(['/', '?', '#'])
            .map_or(self.uri.len(), |i| authority_start + i);
        let (origin, written) = self.uri.split_at(origin_end);
        // The scenario reads `https://host` and `https://host?q` as the targets `/` and `/?q`.
        let own_target = written.strip_prefix('/').unwrap_or(written);
        if self.path_and_query.strip_prefix('/') == Some(own_target) {
            self.uri.clone()
        } else {
            format!("{origin}{}", self.path_and_query)
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn route(uri: &str, path_and_query: &str) -> RouteConfig {
        RouteConfig {
            method: "GET".into(),
            path: "/pets".into(),
            integration: Integration::HttpProxy,
            uri: uri.into(),
            https: true,
            host: "api.example.com".into(),
            port: 443,
            path_and_query: path_and_query.into(),
            upstream: SocketAddr::from(([127, 0, 0, 1], 9)),
            via: UpstreamVia::Internet(HopId::Gateway),
            insecure_skip_verification: false,
            server_name_to_verify: None,
            timeout: Duration::from_secs(29),
        }
    }

    #[test]
    fn the_endpoint_uri_is_the_written_one_unless_the_stage_goes_in_front() {
        let written = route("https://api.example.com/pets?x=1", "/pets?x=1");
        assert_eq!(written.endpoint_uri(), "https://api.example.com/pets?x=1");
        let bare = route("https://api.example.com", "/");
        assert_eq!(bare.endpoint_uri(), "https://api.example.com");
        let query = route("https://api.example.com?x=1", "/?x=1");
        assert_eq!(query.endpoint_uri(), "https://api.example.com?x=1");
        let staged = route("https://api.example.com:8443/pets?x=1", "/prod/pets?x=1");
        assert_eq!(
            staged.endpoint_uri(),
            "https://api.example.com:8443/prod/pets?x=1"
        );
        let staged_root = route("https://api.example.com", "/prod/");
        assert_eq!(staged_root.endpoint_uri(), "https://api.example.com/prod/");
    }
}
