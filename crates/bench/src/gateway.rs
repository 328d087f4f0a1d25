//! The gateway figures.
//!
//! - Requests through gateway → NLB TLS listener → HTTP target, against the same requests sent
//!   straight to the target, on a lab started by `hoplab-runner` ([`start`]).
//! - The gateway's fair anchor: the gateway alone, in its own process ([`start_gateway`],
//!   this binary's `serve-gateway`), in front of an HTTPS target in a process of its own
//!   ([`start_backend`], `serve-backend`) whose certificate it validates on every request,
//!   against HAProxy in `mode http` in front of the same target, verifying the same
//!   certificate with a new connection and a full handshake for every request.

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hoplab_gateway::{Clock, GatewayConfig, Integration, InvocationLog, RouteConfig, UpstreamVia};
use hoplab_pkix::TrustStore;
use hoplab_runner::{Lab, LabOptions};
use hoplab_target::TargetConfig;
use hoplab_trace::{EventLog, HopId};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::BenchError;
use crate::certs::{SERVER_NAME, classical_provider, load_certified_key};
use crate::sut::{ListeningChild, serve_child};

/// The path the gateway routes.
pub const PATH: &str = "/pets";

/// The topology: a REST route over a VPC link to a TLS listener (the gateway validates the
/// listener's certificate on every request), a TCP target group, a plain HTTP target.
pub const SCENARIO: &str = r#"
[scenario]
name = "bench-gateway"
description = "gateway -> NLB TLS listener -> HTTP target, for the request-rate benchmark"

[authorities.root]
common_name = "Hoplab Bench Root CA"
trusted = true

[certificates.listener]
issuer = "root"
common_name = "api.example.com"
dns_names = ["api.example.com"]

[targets.app]
protocol = "HTTP"

[target_groups.app]
protocol = "TCP"
targets = ["app"]

[[nlbs.internal.listeners]]
port = 443
protocol = "TLS"
certificate = "listener"
target_group = "app"

[[gateway.routes]]
path = "/pets"
uri = "https://api.example.com/pets"
connection_type = "VPC_LINK"
vpc_link = "internal"
"#;

/// Starts the benchmark topology; returns the lab, the gateway's address and the target's.
/// Call inside the runtime the hops should run on.
pub async fn start() -> Result<(Lab, SocketAddr, SocketAddr), BenchError> {
    let fail = |detail: String| BenchError::Scenario {
        file: "bench-gateway (built in)".into(),
        detail,
    };
    let scenario = hoplab_scenario::from_toml(SCENARIO, "bench-gateway.toml")
        .map_err(|e| fail(e.to_string()))?;
    let lab = Lab::start(&scenario, LabOptions::default())
        .await
        .map_err(|e| fail(e.to_string()))?;
    let target = lab
        .hops()
        .iter()
        .find(|(hop, _)| *hop == HopId::target("app"))
        .map(|(_, addr)| *addr)
        .ok_or_else(|| fail("the lab has no target app".into()))?;
    let gateway = lab.gateway_addr();
    Ok((lab, gateway, target))
}

/// Starts `exe serve-backend`, a hoplab target: HTTPS serving the certificate and key in
/// `tls` (the backend both proxies of the gateway's anchor connect to), or plain HTTP without
/// (the target behind the ALB and its anchor).
pub fn start_backend(
    exe: &Path,
    tls: Option<(&Path, &Path)>,
) -> Result<ListeningChild, BenchError> {
    let mut args = Vec::new();
    if let Some((cert, key)) = tls {
        args.extend([
            OsStr::new("--cert"),
            cert.as_os_str(),
            OsStr::new("--key"),
            key.as_os_str(),
        ]);
    }
    ListeningChild::start(exe, "serve-backend", &args, "backend")
}

/// The body of `serve-backend`: a hoplab target answering `ok`, over HTTPS serving the
/// certificate and key in `tls` with the key exchange groups OpenSSL 3.0 offers, so that the
/// gateway and HAProxy make the same handshake with it, or over plain HTTP without; binds
/// loopback, prints `backend=ADDR`, and serves until its standard input closes.
pub fn serve_backend(tls: Option<(&Path, &Path)>) -> Result<(), BenchError> {
    // The target takes the process's default provider.
    let _ = classical_provider().install_default();
    let served = match tls {
        Some((cert, key)) => Some(load_certified_key(cert, key)?),
        None => None,
    };
    let config = TargetConfig::new(HopId::target("backend"), served, "ok");
    serve_child("backend", |listener, shutdown| {
        hoplab_target::serve(listener, config, EventLog::bounded(1024), shutdown)
    })
}

/// Starts `exe serve-gateway` in front of `backend`, trusting the CA in `ca`.
pub fn start_gateway(
    exe: &Path,
    backend: SocketAddr,
    ca: &Path,
) -> Result<ListeningChild, BenchError> {
    let backend = backend.to_string();
    let args = [
        OsStr::new("--backend"),
        OsStr::new(&backend),
        OsStr::new("--ca"),
        ca.as_os_str(),
    ];
    ListeningChild::start(exe, "serve-gateway", &args, "gateway")
}

/// The anchor's route: `ANY` [`PATH`], an `HTTP_PROXY` integration to
/// `https://localhost/pets` reached at `backend`, validated against the gateway's trust store
/// on every request, as API Gateway's integration with a public HTTPS endpoint is.
fn anchor_route(backend: SocketAddr) -> RouteConfig {
    RouteConfig {
        method: "ANY".into(),
        path: PATH.into(),
        integration: Integration::HttpProxy,
        uri: format!("https://{SERVER_NAME}{PATH}"),
        https: true,
        host: SERVER_NAME.into(),
        port: 443,
        path_and_query: PATH.into(),
        upstream: backend,
        via: UpstreamVia::Internet(HopId::target("backend")),
        insecure_skip_verification: false,
        server_name_to_verify: None,
        timeout: Duration::from_secs(29),
    }
}

/// The body of `serve-gateway`: the gateway with the anchor's route, trusting the CAs in the
/// PEM file `ca`, keeping the latest invocations as `hoplab up` does; binds loopback, prints
/// `gateway=ADDR`, and serves until its standard input closes.
pub fn serve_gateway(backend: SocketAddr, ca: &Path) -> Result<(), BenchError> {
    let pem_err = |e: rustls::pki_types::pem::Error| {
        BenchError::Certificate(format!("{}: {e}", ca.display()))
    };
    let mut trust = TrustStore::new();
    for der in CertificateDer::pem_file_iter(ca).map_err(pem_err)? {
        trust
            .add(der.map_err(pem_err)?)
            .map_err(|e| BenchError::Certificate(format!("{}: {e}", ca.display())))?;
    }
    let config = Arc::new(GatewayConfig {
        stage: Some("bench".into()),
        routes: vec![anchor_route(backend)],
        trust: Arc::new(trust),
        clock: Clock::System,
    });
    serve_child("gateway", |listener, shutdown| {
        hoplab_gateway::serve(listener, config, InvocationLog::default(), shutdown)
    })
}
