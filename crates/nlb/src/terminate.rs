//! A TLS listener's connections: terminate TLS with the SNI-chosen certificate and the ALPN
//! policy, then forward the decrypted bytes over a new connection (plain or TLS) to the target.

use std::sync::Arc;
use std::time::Duration;

use hoplab_trace::{Connection, EventLog, HopId, Observation};
use rustls::server::Acceptor;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::LazyConfigAcceptor;
use tokio_rustls::server::TlsStream;

use crate::alpn;
use crate::relay::{relay, until_either_readable};
use crate::sni::{CertificateSelector, Served};
use crate::tls::HANDSHAKE_TIMEOUT;
use crate::upstream::{Forwarder, Upstream};
use crate::{ListenerCertificates, NlbError, TlsTermination};

/// How long sending `close_notify` to a client may take when its target cannot be reached.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// The server side of a TLS listener.
pub(crate) struct Terminator {
    /// The ALPN policy's protocols, most preferred first; empty for `None`.
    protocols: Vec<Vec<u8>>,
    certificates: Arc<CertificateSelector>,
}

impl Terminator {
    /// Builds the TLS server: versions from the security policy, certificates by SNI (from
    /// `certificates` when given, made from `tls`, else from `tls`), ALPN from the ALPN
    /// policy, no session resumption.
    pub(crate) fn new(
        hop: &HopId,
        tls: &TlsTermination,
        certificates: Option<&ListenerCertificates>,
    ) -> Result<Self, NlbError> {
        let certificates = match certificates {
            Some(certificates) => certificates.selector(),
            None => Arc::new(CertificateSelector::new(hop, tls)?),
        };
        Ok(Terminator {
            protocols: tls.alpn_policy.protocols(),
            certificates,
        })
    }

    /// Whether the ALPN policy negotiates any protocol (it is not `None`).
    pub(crate) fn negotiates_alpn(&self) -> bool {
        !self.protocols.is_empty()
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
        let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
        let mut client = match self.accept(stream, deadline).await {
            Ok((client, offered, served)) => {
                let session = client.get_ref().1;
                let sni = session.server_name().map(str::to_owned);
                let version = hoplab_trace::tls_version_name(session.protocol_version());
                let selected = session.alpn_protocol().map(protocol_name);
                tracing::debug!(?sni, %version, ?selected, "tls terminated");
                // ALPN first: whoever sees the handshake recorded also sees what it negotiated.
                if self.negotiates_alpn() {
                    events.record(Observation::AlpnNegotiated {
                        hop: hop.clone(),
                        conn: downstream,
                        offered: offered.iter().map(|p| protocol_name(p)).collect(),
                        selected,
                    });
                }
                events.record(Observation::TlsTerminated {
                    hop: hop.clone(),
                    conn: downstream,
                    sni,
                    served: Arc::clone(&served.summaries),
                    version,
                });
                client
            }
            Err(error) => return failed(hop, events, downstream, &error),
        };
        match forwarder.open(downstream).await {
            Some(Upstream::Plain(upstream)) => {
                wait_for_traffic(&mut client, &upstream).await;
                relay(client, upstream).await;
            }
            Some(Upstream::Tls(upstream)) => relay(client, upstream).await,
            None => {
                // Ends the client's session cleanly: close_notify, then FIN.
                let _ = tokio::time::timeout(CLOSE_TIMEOUT, client.shutdown()).await;
            }
        }
    }

    /// Runs the server side of the handshake by `deadline`: reads the ClientHello, picks the
    /// certificate from its SNI (once: the handshake and its record both use this choice),
    /// picks that certificate's configuration with ALPN only when the client offered a
    /// protocol of the policy (so a client with no overlap is served without ALPN, as AWS
    /// does, rather than refused), then finishes. Returns the session, the protocols the
    /// client offered (none without a policy) and the certificate served.
    async fn accept(
        &self,
        stream: TcpStream,
        deadline: Instant,
    ) -> Result<(TlsStream<TcpStream>, Vec<Vec<u8>>, Arc<Served>), NlbError> {
        let timed_out = || NlbError::ClientHandshakeTimeout {
            seconds: HANDSHAKE_TIMEOUT.as_secs(),
        };
        let start = tokio::time::timeout_at(
            deadline,
            LazyConfigAcceptor::new(Acceptor::default(), stream),
        )
        .await
        .map_err(|_| timed_out())?
        .map_err(|source| NlbError::ClientHandshake { source })?;
        let hello = start.client_hello();
        let (choice, served) = self.certificates.select(hello.server_name());
        // Without a policy the client's offer is neither answered nor recorded.
        let offered: Vec<Vec<u8>> = if self.negotiates_alpn() {
            hello
                .alpn()
                .map(|protocols| protocols.map(<[u8]>::to_vec).collect())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let config = match &choice.alpn {
            Some(with_alpn) if alpn::choose(&self.protocols, &offered).is_some() => with_alpn,
            _ => &choice.plain,
        };
        let client = tokio::time::timeout_at(deadline, start.into_stream(Arc::clone(config)))
            .await
            .map_err(|_| timed_out())?
            .map_err(|source| NlbError::ClientHandshake { source })?;
        Ok((client, offered, served))
    }
}

/// Waits, before the relay allocates its buffers, until the client or the target has
/// something to read (data, EOF or an error), so an idle connection holds none. Returns at
/// once when the handshake's last read already left decrypted bytes, a close or an error in
/// the session. `peek` leaves the bytes in place for the relay.
async fn wait_for_traffic(client: &mut TlsStream<TcpStream>, upstream: &TcpStream) {
    let (tcp, session) = client.get_mut();
    match session.process_new_packets() {
        Ok(state) if state.plaintext_bytes_to_read() == 0 && !state.peer_has_closed() => {}
        _ => return,
    }
    until_either_readable(tcp, upstream).await;
}

/// An ALPN protocol id as text.
fn protocol_name(protocol: &[u8]) -> String {
    String::from_utf8_lossy(protocol).into_owned()
}

/// Records a failed client handshake; the connection is then dropped.
fn failed(hop: &HopId, events: &EventLog, conn: Connection, error: &NlbError) {
    tracing::debug!(%error, "tls handshake failed");
    events.record(Observation::TlsAcceptFailed {
        hop: hop.clone(),
        conn,
        error: error.to_string(),
    });
}
