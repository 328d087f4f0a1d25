//! The ALB figure's hop under test: one hoplab ALB HTTPS listener in its own process
//! ([`start_alb`], this binary's `serve-alb`), terminating TLS with the benchmark certificate
//! and forwarding every request by its default rule to one plain HTTP target (a
//! `serve-backend` without certificate), over the listener's pool of kept-alive target
//! connections. Its reference is HAProxy in `mode http` terminating TLS in front of the same
//! target ([`Mode::HttpTerminate`](crate::haproxy::Mode::HttpTerminate)).
//!
//! The target group has no health check, as HAProxy's server line has none, so neither proxy
//! sends the target anything but the measured requests. The listener keeps its latest
//! observations only, as `hoplab up` does.

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::Path;

use hoplab_alb::{
    Action, Forward, HttpsListener, ListenerConfig, ListenerProtocol, TargetEndpoint, TargetGroup,
    TargetProtocol,
};
use hoplab_trace::{EventLog, HopId};

use crate::BenchError;
use crate::certs::load_certified_key;
use crate::sut::{ListeningChild, serve_child};

/// The ALB's name in hop ids.
const ALB: &str = "bench";

/// The listener's port as AWS would know it (it is bound to a free loopback port).
const LISTENER_PORT: u16 = 443;

/// The target group every request is forwarded to.
const GROUP: &str = "backend";

/// Observations the listener keeps (the latest ones).
const KEPT_OBSERVATIONS: usize = 1024;

/// Starts `exe serve-alb` forwarding to the HTTP target `backend`, serving the certificate in
/// `cert`/`key`.
pub fn start_alb(
    exe: &Path,
    backend: SocketAddr,
    cert: &Path,
    key: &Path,
) -> Result<ListeningChild, BenchError> {
    let backend = backend.to_string();
    let args = [
        OsStr::new("--backend"),
        OsStr::new(&backend),
        OsStr::new("--cert"),
        cert.as_os_str(),
        OsStr::new("--key"),
        key.as_os_str(),
    ];
    ListeningChild::start(exe, "serve-alb", &args, "alb")
}

/// The listener `serve-alb` runs: HTTPS with `certificate` under the default security policy,
/// a default rule forwarding to one HTTP target group holding `backend`, without health check.
pub fn listener_config(
    backend: SocketAddr,
    certificate: std::sync::Arc<rustls::sign::CertifiedKey>,
) -> ListenerConfig {
    let mut group = TargetGroup::new(
        GROUP,
        TargetProtocol::Http,
        vec![TargetEndpoint {
            hop: HopId::target(GROUP),
            addr: backend,
        }],
    );
    group.health_check = None;
    let mut config = ListenerConfig::new(
        ALB,
        LISTENER_PORT,
        ListenerProtocol::Https(HttpsListener::new(certificate)),
        Action::Forward(Forward::to(GROUP)),
    );
    config.target_groups.push(group);
    config
}

/// The body of `serve-alb`: the [`listener_config`] listener on loopback; prints `alb=ADDR`
/// and serves until its standard input closes.
pub fn serve_alb(backend: SocketAddr, cert: &Path, key: &Path) -> Result<(), BenchError> {
    let config = listener_config(backend, load_certified_key(cert, key)?);
    serve_child("alb", |listener, shutdown| {
        hoplab_alb::serve_listener(
            listener,
            config,
            EventLog::bounded(KEPT_OBSERVATIONS),
            shutdown,
        )
    })
}
