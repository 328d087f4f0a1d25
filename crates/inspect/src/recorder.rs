//! A rustls verifier that records the chain a server sends and accepts it, so the verdict can
//! be given on the whole chain after the handshake. Handshake signatures are still verified,
//! so the server must hold the key of the leaf it presents.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// The chain one handshake presented, once the verifier has seen it.
pub(crate) type Recorded = Arc<Mutex<Option<Vec<CertificateDer<'static>>>>>;

/// Records the served chain; never refuses it.
#[derive(Debug)]
pub(crate) struct ChainRecorder {
    provider: Arc<CryptoProvider>,
    recorded: Recorded,
}

impl ChainRecorder {
    /// A recorder, and where it will put the chain.
    pub(crate) fn new(provider: Arc<CryptoProvider>) -> (Self, Recorded) {
        let recorded = Recorded::default();
        let recorder = ChainRecorder {
            provider,
            recorded: Arc::clone(&recorded),
        };
        (recorder, recorded)
    }
}

/// Takes the recorded chain, if the handshake got that far.
pub(crate) fn take(recorded: &Recorded) -> Option<Vec<CertificateDer<'static>>> {
    recorded
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take()
}

impl ServerCertVerifier for ChainRecorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|der| der.clone().into_owned())
            .collect();
        *self
            .recorded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(chain);
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
