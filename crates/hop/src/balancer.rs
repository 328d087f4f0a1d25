//! The TLS client a load balancer uses toward its targets: the NLB's TLS target groups, the
//! ALB's HTTPS target groups, and HTTPS health checks.
//!
//! AWS: "The load balancer does not validate these certificates. Therefore, you can use
//! self-signed certificates or certificates that have expired." Field reports say neither
//! load balancer sends SNI to its targets (aws-tls-facts §5, aws-vpclink-v2-alb-facts §7.10).
//! So the client accepts any chain ([`AcceptAnyChain`]), sends no SNI, offers no ALPN and
//! resumes no session: every connection to a target is a full handshake.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::SupportedProtocolVersion;
use rustls::pki_types::ServerName;
use tokio_rustls::TlsConnector;

use crate::{AcceptAnyChain, tls_client_config};

/// A connector that offers `versions` to targets and validates nothing (see the module docs).
///
/// # Errors
/// What rustls says when the crypto provider cannot do any of `versions`.
pub fn balancer_tls_client(
    versions: &'static [&'static SupportedProtocolVersion],
) -> Result<TlsConnector, rustls::Error> {
    let mut config = tls_client_config(AcceptAnyChain, versions)?;
    config.enable_sni = false;
    Ok(TlsConnector::from(Arc::new(config)))
}

/// The name a load balancer's handshake with `target` is made under. With SNI disabled it
/// never leaves the process; the target's IP address is what AWS has.
pub fn target_server_name(target: SocketAddr) -> ServerName<'static> {
    ServerName::IpAddress(target.ip().into())
}
