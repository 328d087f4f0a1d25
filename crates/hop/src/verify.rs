//! The one rustls server-certificate verifier every TLS client of hoplab uses.
//!
//! A [`ChainVerifier`] hands the chain a server sent, exactly as sent, to a [`ChainJudge`]:
//! API Gateway's judge runs the Java PKIX verdict, the load balancers' judge accepts anything
//! (they do not validate their targets), `hoplab probe` records and decides later. Handshake
//! signatures are always checked with the crypto provider's algorithms, so a peer must hold
//! the key of the leaf it presents and every session is real TLS.
//!
//! A client configuration, and so its verifier, is built once and shared by every handshake.
//! What one handshake's judge found is recorded per task: run the handshake inside
//! [`recording`] and it returns the chain and the finding of that handshake alone, whether
//! the handshake succeeded or the judge refused it.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::future::Future;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{
    CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature,
};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// Decides whether a TLS client goes on with the chain a server presented.
pub trait ChainJudge: fmt::Debug + Send + Sync + 'static {
    /// What the judge concluded, kept for the code that ran the handshake.
    type Finding: Send + 'static;

    /// Judges `chain` (leaf first, in the order the server sent it), presented for
    /// `server_name` at `now`. `Err` aborts the handshake with that error; the finding is
    /// recorded either way.
    fn judge(
        &self,
        chain: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> (Self::Finding, Result<(), rustls::Error>);
}

/// The judge of a client that does not validate its server: load balancers toward their
/// targets (AWS: "The load balancer does not validate these certificates"), health checks,
/// and recording probes. It accepts any chain.
#[derive(Debug, Clone, Copy, Default)]
pub struct AcceptAnyChain;

impl ChainJudge for AcceptAnyChain {
    type Finding = ();

    fn judge(
        &self,
        _chain: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _now: UnixTime,
    ) -> ((), Result<(), rustls::Error>) {
        ((), Ok(()))
    }
}

/// What one handshake presented and what its judge found.
#[derive(Debug, Clone)]
pub struct Presented<F> {
    /// The certificates the server sent, leaf first, in the order sent.
    pub chain: Vec<CertificateDer<'static>>,
    /// The judge's finding.
    pub finding: F,
}

/// A rustls verifier that asks a [`ChainJudge`] about the server's chain and records what it
/// was shown for [`recording`].
pub struct ChainVerifier<J> {
    judge: J,
    algorithms: WebPkiSupportedAlgorithms,
}

impl<J: ChainJudge> ChainVerifier<J> {
    /// A verifier deferring to `judge`, checking handshake signatures with `provider`.
    pub fn new(judge: J, provider: &CryptoProvider) -> Self {
        ChainVerifier {
            judge,
            algorithms: provider.signature_verification_algorithms,
        }
    }

    /// The judge.
    pub fn judge(&self) -> &J {
        &self.judge
    }
}

impl<J: fmt::Debug> fmt::Debug for ChainVerifier<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChainVerifier")
            .field("judge", &self.judge)
            .finish_non_exhaustive()
    }
}

impl<J: ChainJudge> ServerCertVerifier for ChainVerifier<J> {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let chain: Vec<CertificateDer<'static>> = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|der| der.clone().into_owned())
            .collect();
        let (finding, decision) = self.judge.judge(&chain, server_name, now);
        record(Presented { chain, finding });
        decision.map(|()| ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

tokio::task_local! {
    /// Where the verifier of a handshake running inside [`recording`] leaves what it saw.
    static SEEN: RefCell<Option<Box<dyn Any + Send>>>;
}

/// Runs `handshake` (a TLS connect whose client uses a [`ChainVerifier`] with a judge whose
/// finding is `F`) and returns its output with what the verifier was shown, if the handshake
/// got as far as the server's certificates.
///
/// The record is per task: many handshakes sharing one client configuration each get their
/// own. The handshake must be polled by this future (not spawned elsewhere) for its verifier
/// to find the record.
pub async fn recording<T, F>(handshake: impl Future<Output = T>) -> (T, Option<Presented<F>>)
where
    F: Send + 'static,
{
    SEEN.scope(RefCell::new(None), async {
        let output = handshake.await;
        let seen = SEEN
            .with(|seen| seen.borrow_mut().take())
            .and_then(|seen| seen.downcast::<Presented<F>>().ok())
            .map(|presented| *presented);
        (output, seen)
    })
    .await
}

/// Keeps `presented` for the enclosing [`recording`], if there is one.
fn record<F: Send + 'static>(presented: Presented<F>) {
    // Outside `recording` nobody asked for the record; the verdict still applies.
    let _ = SEEN.try_with(|seen| *seen.borrow_mut() = Some(Box::new(presented)));
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Arc;

    use rustls::pki_types::PrivateKeyDer;
    use rustls::sign::CertifiedKey;
    use tokio::net::{TcpListener, TcpStream};
    use tokio_rustls::{TlsAcceptor, TlsConnector};

    use super::*;
    use crate::{tls_client_config, tls_server_config};

    /// Finds how many certificates were sent and refuses a handshake for `refused.example`.
    #[derive(Debug)]
    struct CountingJudge;

    impl ChainJudge for CountingJudge {
        type Finding = usize;

        fn judge(
            &self,
            chain: &[CertificateDer<'_>],
            server_name: &ServerName<'_>,
            _now: UnixTime,
        ) -> (usize, Result<(), rustls::Error>) {
            let refused = server_name.to_str() == "refused.example";
            let decision = if refused {
                Err(rustls::Error::General("refused by the judge".into()))
            } else {
                Ok(())
            };
            (chain.len(), decision)
        }
    }

    /// A TLS server on 127.0.0.1:0 serving a self-signed leaf to every connection.
    async fn server() -> (SocketAddr, CertificateDer<'static>) {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let der = cert.der().clone();
        let signing = hoplab_trace::crypto_provider()
            .key_provider
            .load_private_key(PrivateKeyDer::Pkcs8(key.serialize_der().into()))
            .unwrap();
        let served = Arc::new(CertifiedKey::new(vec![der.clone()], signing));
        let config = tls_server_config(rustls::DEFAULT_VERSIONS, served).unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            // Serves the handshakes of this test only.
            for _ in 0..3 {
                let (tcp, _) = listener.accept().await.unwrap();
                let acceptor = acceptor.clone();
                tokio::spawn(async move { acceptor.accept(tcp).await });
            }
        });
        (addr, der)
    }

    #[tokio::test]
    async fn each_handshake_on_one_shared_configuration_gets_its_own_record() {
        let (addr, der) = server().await;
        let connector = TlsConnector::from(Arc::new(
            tls_client_config(CountingJudge, rustls::DEFAULT_VERSIONS).unwrap(),
        ));
        let handshake = |name: &'static str| {
            let connector = connector.clone();
            async move {
                let tcp = TcpStream::connect(addr).await.unwrap();
                let name = ServerName::try_from(name).unwrap();
                recording::<_, usize>(connector.connect(name, tcp)).await
            }
        };
        let ((accepted, seen), (refused, refused_seen)) =
            tokio::join!(handshake("localhost"), handshake("refused.example"));

        assert!(accepted.is_ok());
        let seen = seen.expect("the accepted handshake was recorded");
        assert_eq!(seen.chain, vec![der.clone()]);
        assert_eq!(seen.finding, 1);

        assert!(refused.is_err(), "the judge's refusal aborts the handshake");
        let refused_seen = refused_seen.expect("a refused handshake is recorded too");
        assert_eq!(refused_seen.chain, vec![der]);

        // Outside `recording` the verdict still applies; nothing is kept.
        let tcp = TcpStream::connect(addr).await.unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        assert!(connector.connect(name, tcp).await.is_ok());
    }
}
