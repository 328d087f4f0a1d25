//! TLS test clients: they accept whatever chain a server sends, so a test can look at it, but
//! they run the hop kit's verifier, so handshake signatures are still checked and a server
//! must hold the key of the leaf it serves.

use std::net::SocketAddr;
use std::sync::Arc;

use hoplab_hop::{AcceptAnyChain, tls_client_config};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, SupportedProtocolVersion};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::STEP;

/// A client that accepts any server chain, speaking `versions`.
///
/// # Panics
/// When the crypto provider cannot do any of `versions`.
pub fn client_config(versions: &[&'static SupportedProtocolVersion]) -> Arc<ClientConfig> {
    Arc::new(tls_client_config(AcceptAnyChain, versions).expect("protocol versions"))
}

/// A client speaking TLS 1.2 and 1.3 that accepts any server chain.
pub fn any_client() -> Arc<ClientConfig> {
    client_config(rustls::DEFAULT_VERSIONS)
}

/// A client speaking TLS 1.2 and 1.3 that accepts any server chain and offers `protocols` by
/// ALPN (none when empty).
pub fn alpn_client(protocols: &[&str]) -> Arc<ClientConfig> {
    let mut config = (*any_client()).clone();
    config.alpn_protocols = protocols.iter().map(|p| p.as_bytes().to_vec()).collect();
    Arc::new(config)
}

/// Connects to `addr` and runs a TLS handshake for `name` (a DNS name is sent as SNI; an IP
/// address sends none), within [`STEP`].
///
/// # Errors
/// The connection or the handshake failed.
///
/// # Panics
/// When `name` is not a server name, or the handshake does not finish within [`STEP`].
pub async fn tls_connect(
    addr: SocketAddr,
    name: &str,
    config: Arc<ClientConfig>,
) -> std::io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await?;
    // Without this, Nagle holds a request written right after the handshake until the
    // server's delayed ACK, which a paused test clock would skip past.
    tcp.set_nodelay(true)?;
    let name = ServerName::try_from(name.to_owned()).expect("server name");
    tokio::time::timeout(STEP, TlsConnector::from(config).connect(name, tcp))
        .await
        .expect("handshake finishes")
}
