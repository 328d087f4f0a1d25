//! Test helpers: in-memory certificates, a running target, a permissive TLS client and raw
//! HTTP/1.1 over any stream.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hoplab_target::{TargetConfig, TargetError, serve};
use hoplab_trace::{EventLog, HopId, Observation};
use rcgen::{CertificateParams, KeyPair};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_util::sync::CancellationToken;

/// Upper bound for any single step of a test.
pub(crate) const STEP: Duration = Duration::from_secs(10);

pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A self-signed leaf for `names`, valid now.
pub(crate) fn self_signed(names: &[&str]) -> Arc<CertifiedKey> {
    let params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .expect("certificate params");
    let key = KeyPair::generate().expect("key pair");
    let cert = params.self_signed(&key).expect("self-signed certificate");
    certified(vec![cert.der().clone()], &key)
}

/// Wraps a chain and its leaf's key as rustls serves them.
pub(crate) fn certified(chain: Vec<CertificateDer<'static>>, key: &KeyPair) -> Arc<CertifiedKey> {
    let der = PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let signing = provider()
        .key_provider
        .load_private_key(der)
        .expect("signing key");
    Arc::new(CertifiedKey::new(chain, signing))
}

/// A target being served on 127.0.0.1, port 0.
pub(crate) struct Running {
    pub(crate) addr: SocketAddr,
    pub(crate) events: EventLog,
    pub(crate) shutdown: CancellationToken,
    pub(crate) handle: JoinHandle<Result<(), TargetError>>,
}

pub(crate) async fn start(name: &str, tls: Option<Arc<CertifiedKey>>, body: &str) -> Running {
    start_with(TargetConfig::new(HopId::target(name), tls, body)).await
}

/// Starts a target with `config` on 127.0.0.1, port 0.
pub(crate) async fn start_with(config: TargetConfig) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let events = EventLog::new();
    let shutdown = CancellationToken::new();
    let handle = tokio::spawn(serve(listener, config, events.clone(), shutdown.clone()));
    Running {
        addr,
        events,
        shutdown,
        handle,
    }
}

impl Running {
    /// Cancels the target and waits (bounded) for `serve` to return.
    pub(crate) async fn stop(self) -> SocketAddr {
        self.shutdown.cancel();
        tokio::time::timeout(STEP, self.handle)
            .await
            .expect("serve returns")
            .expect("serve task")
            .expect("serve result");
        self.addr
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

/// A client that accepts any server certificate, speaking the given TLS versions.
pub(crate) fn client_config(
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<ClientConfig> {
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

/// Connects to `addr` and completes a TLS handshake asking for `sni`.
pub(crate) async fn tls_connect(
    addr: SocketAddr,
    sni: &str,
    config: Arc<ClientConfig>,
) -> std::io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await?;
    // Without this, Nagle holds a request written right after the handshake until the
    // server's delayed ACK, which a paused test clock would skip past.
    tcp.set_nodelay(true)?;
    let name = ServerName::try_from(sni.to_owned()).expect("server name");
    tokio::time::timeout(STEP, TlsConnector::from(config).connect(name, tcp))
        .await
        .expect("handshake finishes")
}

/// Sends one `GET` with `Connection: close` and reads the whole response.
pub(crate) async fn get<S>(stream: &mut S, path: &str, host: &str) -> String
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("write request");
    let mut response = Vec::new();
    tokio::time::timeout(STEP, stream.read_to_end(&mut response))
        .await
        .expect("response within the step bound")
        .expect("read response");
    String::from_utf8_lossy(&response).into_owned()
}

/// The observations of one kind, e.g. `only(&events, |o| matches!(o, Observation::Accepted { .. }))`.
pub(crate) fn only(events: &EventLog, keep: impl Fn(&Observation) -> bool) -> Vec<Observation> {
    events.matching(keep)
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
