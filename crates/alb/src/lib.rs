//! One Application Load Balancer listener: HTTP or HTTPS, its listener rules, and the target
//! groups they forward to.
//!
//! The ALB sits between API Gateway's VPC link (V2) and the targets, and unlike the NLB it
//! speaks HTTP. An **HTTPS listener** terminates TLS with the certificate its client's SNI
//! selects from the certificate list (ECDSA before RSA, then the larger key, then the later
//! expiry), else the default certificate, under an ALB [security policy](SecurityPolicy); it
//! refuses ED25519 certificates, and answers plain HTTP with AWS's 400 page. Each request is
//! then matched against the **listener rules** ([`RuleSet`]): by priority, lowest first, the
//! default rule last, on host, path, header, method, query and source address, with AWS's
//! wildcards and case rules. The rule's action **forwards** it to a target group (one, or
//! several by weight), answers with a **fixed response**, or **redirects** it.
//!
//! Forwarded requests gain `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Port` and
//! `X-Amzn-Trace-Id`, and go to a target chosen round robin or by least outstanding requests
//! among the healthy targets (all of them when none is healthy), over a kept-alive connection
//! of a bounded pool or a new one: plain HTTP, or for an HTTPS target group TLS that sends no
//! SNI and validates no certificate (expired and self-signed targets pass). When that fails,
//! the client gets the ALB's own page: 502 (refused, reset or closed, a failed TLS handshake,
//! not HTTP), 503 (no registered targets), 504 (no connection within 10 s, no answer within
//! the idle timeout), each with AWS's HTML body and `Server: awselb/2.0` ([`error_page`] is
//! the one mapping from [`Failure`] to page).
//!
//! Everything the listener sees is recorded in the shared [`EventLog`](hoplab_trace::EventLog):
//! `Accepted`, `TlsTerminated` (with the chain served) or `TlsAcceptFailed` per connection,
//! one `AlbRequest` per request (rule, action, group, target, upstream connection, status and
//! who wrote the response), `TargetTlsUnverified` per new HTTPS connection to a target, and
//! the health checks' records. The target records the request's `X-Amzn-Trace-Id` in its
//! `Responded`, which ties a target's answer to the ALB request even over a pooled connection.
//!
//! A listener takes an already-bound [`TcpListener`](tokio::net::TcpListener) and a
//! [`CancellationToken`](tokio_util::sync::CancellationToken); it never binds a socket itself,
//! so a test, the runner and the benchmark all stand it up the same way:
//!
//! ```no_run
//! # async fn run(default_cert: std::sync::Arc<rustls::sign::CertifiedKey>,
//! #              target: std::net::SocketAddr) -> Result<(), hoplab_alb::AlbError> {
//! use hoplab_alb::*;
//! let group = TargetGroup::new(
//!     "app",
//!     TargetProtocol::Http,
//!     vec![TargetEndpoint { hop: hoplab_trace::HopId::target("app"), addr: target }],
//! );
//! let mut config = ListenerConfig::new(
//!     "web",
//!     443,
//!     ListenerProtocol::Https(HttpsListener::new(default_cert)),
//!     Action::Forward(Forward::to("app")),
//! );
//! config.target_groups.push(group);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
//! let shutdown = tokio_util::sync::CancellationToken::new();
//! serve_listener(listener, config, hoplab_trace::EventLog::new(), shutdown).await
//! # }
//! ```
//!
//! The behaviour follows `aws-vpclink-v2-alb-facts.md` §3; every AWS string and every choice
//! where AWS is silent is in the `aws` module or marked in the module that makes it.
//!
//! # Layout
//! - `config`: [`ListenerConfig`], [`ListenerProtocol`], [`HttpsListener`], [`TargetGroup`],
//!   [`TargetProtocol`].
//! - re-exported from `hoplab-alb-rules`, the pure parts a scenario and the model share:
//!   [`RuleSet`] (the rules engine: [`Rule`], [`Condition`], [`Action`] and what AWS refuses in
//!   them, [`RuleError`]), [`SecurityPolicy`], [`LoadBalancingAlgorithm`], and AWS's limits.
//! - `aws`: AWS's strings, pages and defaults, and the choices where AWS is silent.
//! - `failure`: [`Failure`] and [`error_page`], who failed to which page.
//! - `error`: [`AlbError`], why a listener could not start.
//! - `listener`: [`serve_listener`], start-up, the accept loop, each connection; and
//!   [`serve_listener_controlled`] with its [`ListenerControls`] (health forced by hand,
//!   certificates replaced while serving).
//! - `terminate`: TLS or plain HTTP on an HTTPS listener; the handshake.
//! - `sni`: choosing a listener certificate from the client's SNI; [`ListenerCertificates`],
//!   replaceable while the listener serves.
//! - `request`: one request through rules and action, and its record.
//! - `group`: a running target group: pools, health, choosing a target.
//! - `balance`: weighted forward, round robin, least outstanding requests.
//! - `upstream`: the keep-alive pool, connecting to targets, one exchange.
//! - `headers`: hop-by-hop headers, `X-Forwarded-*`, `X-Amzn-Trace-Id`.
//! - `respond`: the responses the ALB writes itself.

#![warn(missing_docs)]

mod aws;
mod balance;
mod config;
mod error;
mod failure;
mod group;
mod headers;
mod listener;
mod request;
mod respond;
mod sni;
mod terminate;
mod upstream;

pub use aws::{
    BAD_GATEWAY, CLIENT_HANDSHAKE_TIMEOUT, CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT, ErrorPage,
    FORWARD_WEIGHTS, GATEWAY_TIMEOUT, HEALTH_CHECK_STATUS_CODES, IDLE_TIMEOUT_SECONDS,
    MAX_EVALUATIONS_PER_RULE, MAX_IDLE_CONNECTIONS_PER_TARGET, MAX_RESPONSE_BODY,
    MAX_VALUES_PER_CONDITION, MAX_WILDCARDS_PER_RULE, PLAIN_HTTP_SENT_TO_HTTPS,
    PLAIN_HTTP_TO_HTTPS_PORT, SERVER, SERVICE_UNAVAILABLE, TARGET_HANDSHAKE_TIMEOUT,
    X_AMZN_TRACE_ID, X_FORWARDED_FOR, X_FORWARDED_PORT, X_FORWARDED_PROTO, default_health_check,
};
pub use config::{HttpsListener, ListenerConfig, ListenerProtocol, TargetGroup, TargetProtocol};
pub use error::AlbError;
pub use failure::{Failure, error_page};
pub use hoplab_alb_rules::{
    Action, Condition, ConditionField, FixedResponse, Forward, InvalidCidr, IpCidr,
    LoadBalancingAlgorithm, Matched, QueryPair, Redirect, RedirectSource, RedirectStatus,
    RequestView, Rule, RuleError, RuleSet, SecurityPolicy, TlsVersion, WeightedGroup,
};
pub use hoplab_hop::{
    HEALTH_CHECK_INTERVAL_SECONDS, HEALTH_CHECK_THRESHOLDS, HEALTH_CHECK_TIMEOUT_SECONDS,
    HealthCheck, HealthCheckProtocol, HealthOverrides, ListenerCertificate, SHUTDOWN_GRACE,
    StatusMatcher, TargetEndpoint,
};
pub use listener::{
    ListenerControls, serve_listener, serve_listener_controlled, serve_listener_reporting_ready,
};
pub use sni::ListenerCertificates;
