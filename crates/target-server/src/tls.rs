//! The target's TLS server: one fixed chain, no resumption, and the handshake's outcome
//! recorded.

use std::sync::Arc;
use std::time::Duration;

use hoplab_trace::{CertSummary, Connection, EventLog, HopId, Observation};
use rustls::server::{ClientHello, NoServerSessionStorage, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{InconsistentKeys, ServerConfig};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::{TargetError, TargetTlsVersions};

/// How long a client has to finish its TLS handshake before the connection is dropped.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The rustls versions for `versions`.
fn protocol_versions(
    versions: TargetTlsVersions,
) -> &'static [&'static rustls::SupportedProtocolVersion] {
    static BOTH: &[&rustls::SupportedProtocolVersion] =
        &[&rustls::version::TLS13, &rustls::version::TLS12];
    static TLS13: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS13];
    static TLS12: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS12];
    match versions {
        TargetTlsVersions::Tls12AndTls13 => BOTH,
        TargetTlsVersions::Tls13Only => TLS13,
        TargetTlsVersions::Tls12Only => TLS12,
    }
}

/// Answers every ClientHello with the same chain, whatever name it asks for.
#[derive(Debug)]
struct FixedCertificate(Arc<CertifiedKey>);

impl ResolvesServerCert for FixedCertificate {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }
}

/// A TLS acceptor for one target, with the summary of the chain it serves.
pub(crate) struct TlsServer {
    acceptor: TlsAcceptor,
    served: Vec<CertSummary>,
}

impl TlsServer {
    /// Builds the server for `key`: the TLS `versions` asked for, no ALPN, no session
    /// resumption.
    pub(crate) fn new(
        hop: &HopId,
        key: Arc<CertifiedKey>,
        versions: TargetTlsVersions,
    ) -> Result<Self, TargetError> {
        if key.cert.is_empty() {
            return Err(TargetError::EmptyChain { hop: hop.clone() });
        }
        // Only a definite mismatch is fatal: a scenario may serve a leaf that webpki cannot
        // parse, and the target's job is to serve it anyway.
        if let Err(rustls::Error::InconsistentKeys(InconsistentKeys::KeyMismatch)) =
            key.keys_match()
        {
            return Err(TargetError::KeyMismatch {
                hop: hop.clone(),
                source: InconsistentKeys::KeyMismatch.into(),
            });
        }
        let served = CertSummary::chain(key.cert.iter().map(|der| der.as_ref()));
        let mut config = ServerConfig::builder_with_provider(hoplab_trace::crypto_provider())
            .with_protocol_versions(protocol_versions(versions))
            .map_err(|source| TargetError::Tls {
                hop: hop.clone(),
                source,
            })?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(FixedCertificate(key)));
        config.session_storage = Arc::new(NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
        Ok(TlsServer {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            served,
        })
    }

    /// Runs the server side of a handshake on `stream`, recording `TlsTerminated` or
    /// `TlsAcceptFailed`; `None` means the connection is to be dropped.
    pub(crate) async fn accept<IO>(
        &self,
        stream: IO,
        hop: &HopId,
        conn: Connection,
        events: &EventLog,
    ) -> Option<TlsStream<IO>>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
    {
        let error =
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, self.acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let session = tls.get_ref().1;
                    let sni = session.server_name().map(str::to_owned);
                    let version = hoplab_trace::tls_version_name(session.protocol_version());
                    tracing::debug!(sni = ?sni, %version, "tls handshake complete");
                    events.record(Observation::TlsTerminated {
                        hop: hop.clone(),
                        conn,
                        sni,
                        served: self.served.clone(),
                        version,
                    });
                    return Some(tls);
                }
                Ok(Err(error)) => error.to_string(),
                Err(_) => format!(
                    "tls handshake not finished after {}s",
                    HANDSHAKE_TIMEOUT.as_secs()
                ),
            };
        tracing::debug!(%error, "tls handshake failed");
        events.record(Observation::TlsAcceptFailed {
            hop: hop.clone(),
            conn,
            error,
        });
        None
    }
}
