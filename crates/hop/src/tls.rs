//! The rustls configurations every hop builds: a server that always serves one chain and
//! resumes nothing, and a client whose verifier is a [`ChainVerifier`].
//!
//! Nothing in hoplab resumes a TLS session: API Gateway, the load balancers and the targets
//! each make a full handshake on every connection, so that every connection shows the chain
//! that was served and the verdict on it.

use std::sync::Arc;

use rustls::server::{ClientHello, NoServerSessionStorage, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, ServerConfig, SupportedProtocolVersion};

use crate::{ChainJudge, ChainVerifier};

/// A TLS server configuration that answers every ClientHello with `key`'s chain, whatever
/// name it asks for, offers `versions`, no ALPN, and keeps no session (no session ids, no
/// TLS 1.3 tickets).
///
/// # Errors
/// What rustls says when the crypto provider cannot do any of `versions`.
pub fn tls_server_config(
    versions: &'static [&'static SupportedProtocolVersion],
    key: Arc<CertifiedKey>,
) -> Result<ServerConfig, rustls::Error> {
    let mut config = ServerConfig::builder_with_provider(hoplab_trace::crypto_provider())
        .with_protocol_versions(versions)?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(FixedChain(key)));
    config.session_storage = Arc::new(NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    Ok(config)
}

/// A TLS client configuration that offers `versions`, hands every server chain to `judge`
/// through a [`ChainVerifier`], sends no client certificate and resumes no session. SNI is
/// on and no ALPN is offered; callers change either as their hop requires.
///
/// # Errors
/// What rustls says when the crypto provider cannot do any of `versions`.
pub fn tls_client_config<J: ChainJudge>(
    judge: J,
    versions: &[&'static SupportedProtocolVersion],
) -> Result<ClientConfig, rustls::Error> {
    let provider = hoplab_trace::crypto_provider();
    let verifier = Arc::new(ChainVerifier::new(judge, &provider));
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.resumption = rustls::client::Resumption::disabled();
    Ok(config)
}

/// Answers every ClientHello with the same chain.
#[derive(Debug)]
struct FixedChain(Arc<CertifiedKey>);

impl ResolvesServerCert for FixedChain {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }
}
