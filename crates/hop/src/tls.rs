//! The rustls configurations every hop builds, and the chain a peer presented as reports
//! summarise it.
//!
//! Nothing in hoplab resumes a TLS session: API Gateway, the load balancers and the targets
//! each make a full handshake on every connection, so that every connection shows the chain
//! that was served and the verdict on it.

use std::sync::Arc;

use hoplab_trace::CertSummary;
use rustls::server::{NoServerSessionStorage, ResolvesServerCert};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{ClientConfig, CommonState, ServerConfig, SupportedProtocolVersion};

use crate::{ChainJudge, ChainVerifier};

/// The server configuration of a hop that terminates TLS: `versions`, certificates chosen by
/// `certificates`, no client authentication, no ALPN, and no session resumption (no session
/// cache, no TLS 1.3 tickets), so every handshake is a full one and each is recorded.
///
/// # Errors
/// What rustls says when the crypto provider cannot do any of `versions`.
pub fn server_config(
    versions: &[&'static SupportedProtocolVersion],
    certificates: Arc<dyn ResolvesServerCert>,
) -> Result<ServerConfig, rustls::Error> {
    let mut config = ServerConfig::builder_with_provider(hoplab_trace::crypto_provider())
        .with_protocol_versions(versions)?
        .with_no_client_auth()
        .with_cert_resolver(certificates);
    config.session_storage = Arc::new(NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    Ok(config)
}

/// [`server_config`] for a hop that serves one chain, `key`'s, whatever name the client asks
/// for.
///
/// # Errors
/// What rustls says when the crypto provider cannot do any of `versions`.
pub fn tls_server_config(
    versions: &[&'static SupportedProtocolVersion],
    key: Arc<CertifiedKey>,
) -> Result<ServerConfig, rustls::Error> {
    server_config(versions, Arc::new(SingleCertAndKey::from(key)))
}

/// One certificate of a load balancer listener: its default certificate, or an entry of its
/// SNI certificate list (counted from 0), as a certificate replacement names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListenerCertificate {
    /// Served when the client sends no SNI or no listed certificate matches it.
    Default,
    /// The entry of the certificate list at this index.
    List(usize),
}

impl std::fmt::Display for ListenerCertificate {
    /// `default` or `list[<index>]`, as listener errors name certificates.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ListenerCertificate::Default => f.write_str("default"),
            ListenerCertificate::List(index) => write!(f, "list[{index}]"),
        }
    }
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

/// The certificates the peer of `session` presented, leaf first, as sent; empty when it
/// presented none.
pub fn peer_chain(session: &CommonState) -> Vec<CertSummary> {
    session
        .peer_certificates()
        .map(|chain| CertSummary::chain(chain.iter().map(|der| der.as_ref())))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use rcgen::{CertificateParams, KeyPair};
    use rustls::pki_types::PrivateKeyDer;
    use rustls::sign::{CertifiedKey, SingleCertAndKey};
    use tokio::net::{TcpListener, TcpStream};
    use tokio_rustls::TlsAcceptor;

    use super::*;
    use crate::{balancer_tls_client, target_server_name};

    fn certified() -> Arc<CertifiedKey> {
        let pair = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["hop.internal".to_owned()])
            .unwrap()
            .self_signed(&pair)
            .unwrap();
        let key = hoplab_trace::crypto_provider()
            .key_provider
            .load_private_key(PrivateKeyDer::Pkcs8(pair.serialize_der().into()))
            .unwrap();
        Arc::new(CertifiedKey::new(vec![cert.der().clone()], key))
    }

    #[tokio::test]
    async fn a_hop_server_resumes_nothing_and_its_client_sees_the_chain() {
        let key = certified();
        let config = server_config(
            &[&rustls::version::TLS13],
            Arc::new(SingleCertAndKey::from(Arc::clone(&key))),
        )
        .unwrap();
        assert_eq!(config.send_tls13_tickets, 0);
        assert!(!config.session_storage.can_cache());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let tls = acceptor.accept(tcp).await.unwrap();
            peer_chain(tls.get_ref().1)
        });
        let client = balancer_tls_client(rustls::DEFAULT_VERSIONS).unwrap();
        let tcp = TcpStream::connect(addr).await.unwrap();
        let tls = client.connect(target_server_name(addr), tcp).await.unwrap();
        let chain = peer_chain(tls.get_ref().1);
        assert_eq!(chain.len(), 1);
        assert_eq!(chain[0].dns_names, ["hop.internal"]);
        assert!(
            server.await.unwrap().is_empty(),
            "the client sent no certificate"
        );
    }
}
