//! Test helpers: in-memory certificates, real targets and listeners on 127.0.0.1:0, a
//! permissive TLS client, raw HTTP/1.1, and a bounded wait for observations.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hoplab_nlb::{ListenerConfig, NlbError, TargetEndpoint, TargetGroup, TlsTermination};
use hoplab_target::{TargetConfig, TargetError};
use hoplab_trace::{EventLog, HopId, Observation};
use rcgen::{CertificateParams, KeyPair};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme, SupportedProtocolVersion};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_util::sync::CancellationToken;

/// Upper bound for any single step of a test.
pub(crate) const STEP: Duration = Duration::from_secs(10);

/// The listener every test runs.
pub(crate) fn listener_hop() -> HopId {
    HopId::nlb("internal", 443)
}

pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A certificate as a server serves it, and the DER of its leaf.
#[derive(Clone)]
pub(crate) struct Leaf {
    pub(crate) key: Arc<CertifiedKey>,
    pub(crate) der: CertificateDer<'static>,
}

impl Leaf {
    /// A self-signed leaf for `names`, valid now.
    pub(crate) fn new(names: &[&str]) -> Self {
        Self::with(names, |_| {})
    }

    /// A self-signed leaf for `names` that expired a year ago.
    pub(crate) fn expired(names: &[&str]) -> Self {
        Self::with(names, |params| {
            let now = time::OffsetDateTime::now_utc();
            params.not_before = now - time::Duration::days(730);
            params.not_after = now - time::Duration::days(365);
        })
    }

    fn with(names: &[&str], edit: impl FnOnce(&mut CertificateParams)) -> Self {
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .expect("certificate params");
        edit(&mut params);
        let key_pair = KeyPair::generate().expect("key pair");
        let cert = params
            .self_signed(&key_pair)
            .expect("self-signed certificate");
        let der = cert.der().clone();
        let signing = provider()
            .key_provider
            .load_private_key(PrivateKeyDer::Pkcs8(key_pair.serialize_der().into()))
            .expect("signing key");
        Leaf {
            key: Arc::new(CertifiedKey::new(vec![der.clone()], signing)),
            der,
        }
    }

    pub(crate) fn fingerprint(&self) -> String {
        hoplab_pkix::fingerprint(&self.der)
    }
}

/// A hop being served on 127.0.0.1, port 0.
pub(crate) struct Running<E> {
    pub(crate) addr: SocketAddr,
    pub(crate) shutdown: CancellationToken,
    pub(crate) handle: JoinHandle<Result<(), E>>,
}

impl<E: std::fmt::Debug> Running<E> {
    /// Cancels the hop and waits (bounded) for it to return.
    pub(crate) async fn stop(self) -> SocketAddr {
        self.shutdown.cancel();
        tokio::time::timeout(STEP, self.handle)
            .await
            .expect("hop returns")
            .expect("hop task")
            .expect("hop result");
        self.addr
    }
}

async fn bind() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    (listener, addr)
}

/// Starts a target named `name`: HTTPS with `tls`, else plain HTTP.
pub(crate) async fn target(
    name: &str,
    tls: Option<&Leaf>,
    events: &EventLog,
) -> Running<TargetError> {
    target_with(target_config(name, tls), events).await
}

/// A well-behaved target named `name`: HTTPS with `tls`, else plain HTTP.
pub(crate) fn target_config(name: &str, tls: Option<&Leaf>) -> TargetConfig {
    TargetConfig::new(
        HopId::target(name),
        tls.map(|leaf| Arc::clone(&leaf.key)),
        format!("hello from {name}"),
    )
}

/// Starts a target with `config` on 127.0.0.1, port 0.
pub(crate) async fn target_with(config: TargetConfig, events: &EventLog) -> Running<TargetError> {
    let (listener, addr) = bind().await;
    target_on(listener, addr, config, events)
}

/// Starts a target with `config` on `addr` again (after a target there was stopped).
pub(crate) async fn target_at(
    addr: SocketAddr,
    config: TargetConfig,
    events: &EventLog,
) -> Running<TargetError> {
    let listener = TcpListener::bind(addr)
        .await
        .expect("bind the same address again");
    target_on(listener, addr, config, events)
}

fn target_on(
    listener: TcpListener,
    addr: SocketAddr,
    config: TargetConfig,
    events: &EventLog,
) -> Running<TargetError> {
    let shutdown = CancellationToken::new();
    let handle = tokio::spawn(hoplab_target::serve(
        listener,
        config,
        events.clone(),
        shutdown.clone(),
    ));
    Running {
        addr,
        shutdown,
        handle,
    }
}

/// A TLS listener's settings with the console-default policy.
pub(crate) fn termination(default: &Leaf, list: &[&Leaf]) -> TlsTermination {
    let mut tls = TlsTermination::new(
        Arc::clone(&default.key),
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
    );
    tls.certificates = list.iter().map(|leaf| Arc::clone(&leaf.key)).collect();
    tls
}

/// The listener configuration for `tls` forwarding to `targets` (name, address).
pub(crate) fn listener_config(
    tls: Option<TlsTermination>,
    group_tls: bool,
    targets: &[(&str, SocketAddr)],
) -> ListenerConfig {
    ListenerConfig {
        hop: listener_hop(),
        tls,
        target_group: TargetGroup::new(
            "app-tg",
            group_tls,
            targets
                .iter()
                .map(|(name, addr)| TargetEndpoint {
                    hop: HopId::target(*name),
                    addr: *addr,
                })
                .collect(),
        ),
    }
}

/// Starts a listener with `config`.
pub(crate) async fn nlb(config: ListenerConfig, events: &EventLog) -> Running<NlbError> {
    let (listener, addr) = bind().await;
    let shutdown = CancellationToken::new();
    let handle = tokio::spawn(hoplab_nlb::serve_listener(
        listener,
        config,
        events.clone(),
        shutdown.clone(),
    ));
    Running {
        addr,
        shutdown,
        handle,
    }
}

/// Accepts any certificate but still checks handshake signatures, so tests can look at
/// whatever chain a server sends.
#[derive(Debug)]
pub(crate) struct AcceptAny(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// A client that accepts any server certificate, speaking `versions`.
pub(crate) fn client_config(versions: &[&'static SupportedProtocolVersion]) -> Arc<ClientConfig> {
    let provider = provider();
    let verifier = Arc::new(AcceptAny(provider.signature_verification_algorithms));
    Arc::new(
        ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .expect("protocol versions")
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth(),
    )
}

/// A client speaking TLS 1.2 and 1.3 that accepts any server certificate and offers
/// `protocols` by ALPN (none when empty).
pub(crate) fn alpn_client(protocols: &[&str]) -> Arc<ClientConfig> {
    let mut config = (*any_client()).clone();
    config.alpn_protocols = protocols.iter().map(|p| p.as_bytes().to_vec()).collect();
    Arc::new(config)
}

/// A client speaking TLS 1.2 and 1.3 that accepts any server certificate.
pub(crate) fn any_client() -> Arc<ClientConfig> {
    client_config(rustls::DEFAULT_VERSIONS)
}

/// Connects to `addr` and runs a TLS handshake for `name` (a DNS name is sent as SNI; an IP
/// address sends none).
pub(crate) async fn tls_connect(
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

/// Sends one `GET /` with `Connection: close` and reads until the server closes.
pub(crate) async fn get<S>(stream: &mut S, host: &str) -> String
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let request = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("write request");
    read_all(stream).await
}

/// Reads until the peer closes (a reset counts as closed), within [`STEP`].
pub(crate) async fn read_all<S: AsyncRead + Unpin>(stream: &mut S) -> String {
    let mut response = Vec::new();
    let _ = tokio::time::timeout(STEP, stream.read_to_end(&mut response))
        .await
        .expect("the peer closes within the step bound");
    String::from_utf8_lossy(&response).into_owned()
}

/// The value of `x-hoplab-target` in a raw response.
pub(crate) fn served_by(response: &str) -> Option<&str> {
    response
        .lines()
        .find_map(|line| line.strip_prefix("x-hoplab-target: "))
}

/// Waits (at most 500 polls, 10 ms apart) until an observation matching `keep` is recorded.
pub(crate) async fn eventually(
    events: &EventLog,
    what: &str,
    keep: impl Fn(&Observation) -> bool,
) -> Observation {
    for _ in 0..500 {
        if let Some(found) = events.matching(&keep).into_iter().next() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{what} was not recorded; log: {:#?}", events.snapshot());
}

/// Waits, polling every 50 ms of (possibly paused) tokio time for at most `limit`, until an
/// observation matching `keep` is recorded. For paused-clock tests whose events come after
/// long intervals.
pub(crate) async fn within(
    limit: Duration,
    events: &EventLog,
    what: &str,
    keep: impl Fn(&Observation) -> bool,
) -> Observation {
    let poll = Duration::from_millis(50);
    let polls = limit.as_millis() / poll.as_millis() + 1;
    for _ in 0..polls {
        if let Some(found) = events.matching(&keep).into_iter().next() {
            return found;
        }
        tokio::time::sleep(poll).await;
    }
    panic!(
        "{what} was not recorded within {limit:?}; log: {:#?}",
        events.snapshot()
    );
}

/// Sends one `GET /` with `Connection: close` over a fresh TCP connection to `addr` and reads
/// until the peer closes; any I/O error (a reset, a refused write) ends the exchange. Returns
/// the client's address and what arrived.
pub(crate) async fn try_get(addr: SocketAddr) -> (SocketAddr, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let _ = stream.set_nodelay(true);
    let client = stream.local_addr().expect("local addr");
    let request = b"GET / HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n";
    if stream.write_all(request).await.is_err() {
        return (client, String::new());
    }
    (client, read_all(&mut stream).await)
}

/// The only observation matching `keep`.
pub(crate) fn one(events: &EventLog, keep: impl Fn(&Observation) -> bool) -> Observation {
    let mut found = events.matching(keep);
    assert_eq!(found.len(), 1, "{:#?}", events.snapshot());
    found.remove(0)
}
