//! `hoplab probe`: connect to a server, record the chain it serves, and give API Gateway's
//! verdict on it.
//!
//! The only network access in hoplab, and only to the address the user named.

use std::fmt;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use hoplab_hop::{AcceptAnyChain, recording, tls_client_config};
use serde::Serialize;
use time::OffsetDateTime;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::{CheckReport, ConnectTo, InspectError, ProbeTarget, Trust, check, text};

/// What a probe saw and API Gateway's verdict on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeReport {
    /// The address the TLS session was made with.
    pub connected_to: SocketAddr,
    /// The SNI sent, if any.
    pub sni: Option<String>,
    /// The negotiated protocol version (`TLSv1.3`, `TLSv1.2`).
    pub protocol: String,
    /// The negotiated cipher suite.
    pub cipher_suite: String,
    /// The verdict on the served chain, checked against the target's host; its `chain` is the
    /// chain exactly as served.
    pub check: CheckReport,
    /// The served certificates, in DER, as sent (`--save-chain` writes them as PEM).
    #[serde(skip)]
    pub served_chain: Vec<rustls::pki_types::CertificateDer<'static>>,
}

impl ProbeReport {
    /// The process exit code, as for [`crate::check`].
    pub fn exit_code(&self) -> u8 {
        self.check.exit_code()
    }

    /// The served chain as `openssl s_client` lists it, then API Gateway's verdict.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let sni = match &self.sni {
            Some(sni) => format!("SNI {sni}"),
            None => "no SNI".to_owned(),
        };
        let _ = writeln!(out, "CONNECTED to {} ({sni})", self.connected_to);
        let _ = writeln!(out, "{}, {}", self.protocol, self.cipher_suite);
        let _ = writeln!(out, "---");
        let _ = writeln!(out, "Certificate chain");
        text::chain(&mut out, &self.check.chain);
        let _ = writeln!(out, "---");
        out.push_str(&self.check.render_verdict_text());
        out
    }
}

impl AsRef<CheckReport> for ProbeReport {
    fn as_ref(&self) -> &CheckReport {
        &self.check
    }
}

/// Connects to the target, completes a TLS handshake that accepts whatever chain the server
/// sends (handshake signatures are still verified), then judges that chain as API Gateway
/// would for an integration whose URI host is `target.host`.
///
/// The SNI is `target.sni` if set, else the host when it is a DNS name, as the gateway sends
/// it. The host name check always uses `target.host`: API Gateway compares the certificate with
/// the integration URI host, whatever name was sent.
///
/// # Errors
///
/// [`InspectError::Trust`] for an unusable trust input (before any connection),
/// [`InspectError::ServerName`] for an `sni` that cannot be sent, then
/// [`InspectError::Resolve`], [`InspectError::Connect`], [`InspectError::Handshake`] or
/// [`InspectError::Timeout`] when the server could not be asked. All of these map to exit
/// code 2: there is no verdict.
pub async fn probe(
    target: &ProbeTarget,
    trust: &Trust,
    at: Option<OffsetDateTime>,
    insecure_skip_verification: bool,
) -> Result<ProbeReport, InspectError> {
    let trust = trust.load()?;
    let (server_name, sni) = target.server_name()?;
    // Accepts whatever chain the server sends; `recording` hands it back for the verdict.
    let mut config = tls_client_config(
        AcceptAnyChain,
        &[&rustls::version::TLS13, &rustls::version::TLS12],
    )
    .map_err(|source| InspectError::TlsConfig { source })?;
    config.enable_sni = sni.is_some();
    let connector = TlsConnector::from(Arc::new(config));

    let connect_to = target.connect_to();
    let mut phase = Phase::Resolving(connect_to.to_string());
    let (session, presented) = recording::<_, ()>(tokio::time::timeout(
        target.timeout,
        handshake(&connect_to, server_name, &connector, &mut phase),
    ))
    .await;
    let session = session.map_err(|_elapsed| InspectError::Timeout {
        target: connect_to.to_string(),
        after: target.timeout,
        phase: phase.to_string(),
    })??;

    let chain = presented.map(|presented| presented.chain).ok_or_else(|| {
        InspectError::NoServerCertificate {
            target: session.peer.to_string(),
        }
    })?;
    let check = check::judge(&chain, &target.host, &trust, at, insecure_skip_verification);
    Ok(ProbeReport {
        connected_to: session.peer,
        sni,
        protocol: session.protocol,
        cipher_suite: session.cipher_suite,
        check,
        served_chain: chain.into_iter().map(|der| der.into_owned()).collect(),
    })
}

/// What the handshake negotiated.
struct Session {
    peer: SocketAddr,
    protocol: String,
    cipher_suite: String,
}

/// What the probe was doing, for a timeout message.
enum Phase {
    Resolving(String),
    Connecting(SocketAddr),
    Handshaking(SocketAddr),
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Phase::Resolving(target) => write!(f, "resolving {target}"),
            Phase::Connecting(addr) => write!(f, "connecting to {addr}"),
            Phase::Handshaking(addr) => {
                write!(f, "waiting for the TLS handshake with {addr}")
            }
        }
    }
}

/// Resolves, connects to the first address that answers, and completes the handshake.
async fn handshake(
    connect_to: &ConnectTo,
    server_name: rustls::pki_types::ServerName<'static>,
    connector: &TlsConnector,
    phase: &mut Phase,
) -> Result<Session, InspectError> {
    let addrs: Vec<SocketAddr> = match connect_to {
        ConnectTo::Addr(addr) => vec![*addr],
        ConnectTo::HostPort { host, port } => tokio::net::lookup_host((host.as_str(), *port))
            .await
            .map_err(|source| InspectError::Resolve {
                target: connect_to.to_string(),
                source,
            })?
            .collect(),
    };
    let mut last_error = None;
    let mut connected = None;
    for addr in addrs {
        *phase = Phase::Connecting(addr);
        match TcpStream::connect(addr).await {
            Ok(tcp) => {
                connected = Some((addr, tcp));
                break;
            }
            Err(error) => last_error = Some((addr, error)),
        }
    }
    let (peer, tcp) = match (connected, last_error) {
        (Some(connected), _) => connected,
        (None, Some((addr, source))) => {
            return Err(InspectError::Connect {
                target: addr.to_string(),
                source,
            });
        }
        (None, None) => {
            return Err(InspectError::NoAddress {
                target: connect_to.to_string(),
            });
        }
    };
    *phase = Phase::Handshaking(peer);
    let stream = connector
        .connect(server_name, tcp)
        .await
        .map_err(|source| InspectError::Handshake {
            target: peer.to_string(),
            source,
        })?;
    let (_, connection) = stream.get_ref();
    Ok(Session {
        peer,
        protocol: hoplab_trace::tls_version_name(connection.protocol_version()),
        cipher_suite: connection
            .negotiated_cipher_suite()
            .map(|suite| format!("{:?}", suite.suite()))
            .unwrap_or_else(|| "unknown".to_owned()),
    })
}
