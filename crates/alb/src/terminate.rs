//! An HTTPS listener's side toward clients: tell TLS from plain HTTP, then terminate TLS with
//! the SNI-chosen certificate under the security policy's versions.
//!
//! Choices where AWS is silent (docs/choices.md): no ALPN is negotiated (the listener
//! speaks HTTP/1.1 only; HTTP/2 is not modelled), sessions are never resumed (every handshake
//! is full, so every one is recorded), and a connection whose first byte is not a TLS
//! handshake record is served as plain HTTP and answered 400.

use std::sync::Arc;

use hoplab_hop::server_config;
use hoplab_trace::{CertSummary, HopId};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::aws::CLIENT_HANDSHAKE_TIMEOUT;
use crate::sni::CertificateSelector;
use crate::{AlbError, HttpsListener, ListenerCertificates};

/// The first byte of a TLS handshake record.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// How an accepted connection to an HTTPS listener began.
pub(crate) enum Opened {
    /// A TLS session, terminated here.
    Tls(Box<TlsStream<TcpStream>>),
    /// Something other than TLS: plain HTTP, as far as the listener is concerned.
    PlainHttp(TcpStream),
    /// The TLS handshake failed: what went wrong.
    Failed(String),
    /// The client closed before sending anything.
    Closed,
}

/// The server side of an HTTPS listener.
pub(crate) struct Terminator {
    acceptor: TlsAcceptor,
    selector: Arc<CertificateSelector>,
}

impl Terminator {
    /// The TLS server for `https`: the policy's versions, certificates by SNI (from
    /// `certificates` when given, made from `https`, else from `https`), no ALPN, no session
    /// resumption.
    pub(crate) fn new(
        hop: &HopId,
        https: &HttpsListener,
        certificates: Option<&ListenerCertificates>,
    ) -> Result<Self, AlbError> {
        let selector = match certificates {
            Some(certificates) => certificates.selector(),
            None => Arc::new(CertificateSelector::new(hop, https)?),
        };
        let config = server_config(
            https.security_policy.tls_versions(),
            Arc::clone(&selector) as _,
        )
        .map_err(|source| AlbError::Tls {
            hop: hop.clone(),
            source,
        })?;
        Ok(Terminator {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            selector,
        })
    }

    /// Waits for the client's first byte and, if it starts a TLS handshake, runs the
    /// handshake; all within [`CLIENT_HANDSHAKE_TIMEOUT`].
    pub(crate) async fn open(&self, stream: TcpStream) -> Opened {
        let deadline = Instant::now() + CLIENT_HANDSHAKE_TIMEOUT;
        let timed_out = || {
            format!(
                "tls handshake not finished after {}s",
                CLIENT_HANDSHAKE_TIMEOUT.as_secs()
            )
        };
        let mut first = [0u8; 1];
        match timeout_at(deadline, stream.peek(&mut first)).await {
            Err(_) => return Opened::Failed(timed_out()),
            Ok(Err(error)) => return Opened::Failed(error.to_string()),
            Ok(Ok(0)) => return Opened::Closed,
            Ok(Ok(_)) if first[0] != TLS_HANDSHAKE_RECORD => return Opened::PlainHttp(stream),
            Ok(Ok(_)) => {}
        }
        match timeout_at(deadline, self.acceptor.accept(stream)).await {
            Err(_) => Opened::Failed(timed_out()),
            Ok(Err(error)) => Opened::Failed(error.to_string()),
            Ok(Ok(tls)) => Opened::Tls(Box::new(tls)),
        }
    }

    /// The chain served to a client that asked for `sni`.
    pub(crate) fn served(&self, sni: Option<&str>) -> Arc<[CertSummary]> {
        Arc::clone(&self.selector.select(sni).served)
    }
}
