//! The target's TLS server: one fixed chain, no resumption, and the handshake's outcome
//! recorded.

use std::sync::Arc;
use std::time::Duration;

use hoplab_hop::tls_server_config;
use hoplab_trace::{CertSummary, Connection, EventLog, HopId, Observation};
use rustls::InconsistentKeys;
use rustls::sign::CertifiedKey;
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

/// A TLS acceptor for one target, with the summary of the chain it serves (made once, shared
/// by every handshake's record).
pub(crate) struct TlsServer {
    acceptor: TlsAcceptor,
    served: Arc<[CertSummary]>,
}

impl TlsServer {
    /// Builds the server for `key`: the TLS `versions` asked for, the same chain whatever name
    /// the client asks for, no ALPN, no session resumption.
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
        let served = CertSummary::chain(key.cert.iter().map(|der| der.as_ref())).into();
        let config = tls_server_config(protocol_versions(versions), key).map_err(|source| {
            TargetError::Tls {
                hop: hop.clone(),
                source,
            }
        })?;
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
                        served: Arc::clone(&self.served),
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
