//! A TLS listener's connections: terminate TLS with the SNI-chosen certificate, then forward
//! the decrypted bytes over a new connection (plain or TLS) to the target.

use std::sync::Arc;
use std::time::Duration;

use hoplab_trace::{Connection, EventLog, HopId, Observation};
use rustls::ServerConfig;
use rustls::server::NoServerSessionStorage;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use crate::relay::relay;
use crate::sni::CertificateSelector;
use crate::tls::HANDSHAKE_TIMEOUT;
use crate::upstream::{Forwarder, Upstream};
use crate::{NlbError, TlsTermination, tls_versions};

/// How long sending `close_notify` to a client may take when its target cannot be reached.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// The server side of a TLS listener.
pub(crate) struct Terminator {
    acceptor: TlsAcceptor,
    selector: Arc<CertificateSelector>,
}

impl Terminator {
    /// Builds the TLS server: versions from the security policy, certificates by SNI, no ALPN,
    /// no session resumption.
    pub(crate) fn new(hop: &HopId, tls: &TlsTermination) -> Result<Self, NlbError> {
        let versions =
            tls_versions(&tls.security_policy).ok_or_else(|| NlbError::UnknownSecurityPolicy {
                hop: hop.clone(),
                policy: tls.security_policy.clone(),
            })?;
        let selector = Arc::new(CertificateSelector::new(hop, tls)?);
        let mut config = ServerConfig::builder_with_provider(hoplab_trace::crypto_provider())
            .with_protocol_versions(versions)
            .map_err(|source| NlbError::Tls {
                hop: hop.clone(),
                source,
            })?
            .with_no_client_auth()
            .with_cert_resolver(Arc::clone(&selector) as _);
        config.session_storage = Arc::new(NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
        Ok(Terminator {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            selector,
        })
    }

    /// Terminates TLS on one accepted connection, records the outcome, then forwards it.
    pub(crate) async fn handle(
        &self,
        hop: &HopId,
        events: &EventLog,
        forwarder: &Forwarder,
        stream: TcpStream,
        downstream: Connection,
    ) {
        let accepted = tokio::time::timeout(HANDSHAKE_TIMEOUT, self.acceptor.accept(stream)).await;
        let mut client = match accepted {
            Ok(Ok(client)) => client,
            Ok(Err(error)) => return failed(hop, events, downstream, error.to_string()),
            Err(_) => {
                let error = format!(
                    "tls handshake not finished after {}s",
                    HANDSHAKE_TIMEOUT.as_secs()
                );
                return failed(hop, events, downstream, error);
            }
        };
        let session = client.get_ref().1;
        let sni = session.server_name().map(str::to_owned);
        let version = hoplab_trace::tls_version_name(session.protocol_version());
        let served = self.selector.select(sni.as_deref()).served.clone();
        tracing::debug!(?sni, %version, "tls terminated");
        events.record(Observation::TlsTerminated {
            hop: hop.clone(),
            conn: downstream,
            sni,
            served,
            version,
        });
        match forwarder.open(downstream).await {
            Some(Upstream::Plain(upstream)) => relay(client, upstream).await,
            Some(Upstream::Tls(upstream)) => relay(client, upstream).await,
            None => {
                // Ends the client's session cleanly: close_notify, then FIN.
                let _ = tokio::time::timeout(CLOSE_TIMEOUT, client.shutdown()).await;
            }
        }
    }
}

/// Records a failed client handshake; the connection is then dropped.
fn failed(hop: &HopId, events: &EventLog, conn: Connection, error: String) {
    tracing::debug!(%error, "tls handshake failed");
    events.record(Observation::TlsAcceptFailed {
        hop: hop.clone(),
        conn,
        error,
    });
}
