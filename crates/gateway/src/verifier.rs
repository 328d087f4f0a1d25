//! The rustls certificate verifier that applies API Gateway's verdict inside the handshake.
//!
//! rustls hands the verifier the chain exactly as the server sent it; the verifier runs
//! [`hoplab_pkix::validate`] on it and keeps the verdict for the invocation record. A path
//! rejection aborts the handshake with a `certificate_unknown` alert, as the JVM's trust
//! manager does. A host name mismatch does not: Apache's client checks the name after the
//! handshake has completed, so the integration code closes the session then. Handshake
//! signatures are still checked with the crypto provider, so a peer must hold the key of the
//! certificate it presents.

use std::sync::{Arc, Mutex};

use hoplab_pkix::{Policy, Rejection, TrustStore, Verdict, validate};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};

use crate::Clock;

/// What the verifier was shown and what it concluded.
#[derive(Debug)]
pub(crate) struct Seen {
    pub(crate) presented: Vec<CertificateDer<'static>>,
    pub(crate) verdict: Verdict,
}

/// Applies the Java PKIX verdict for one connection.
#[derive(Debug)]
pub(crate) struct JavaPkixVerifier {
    trust: Arc<TrustStore>,
    host: String,
    policy: Policy,
    clock: Clock,
    provider: Arc<CryptoProvider>,
    seen: Arc<Mutex<Option<Seen>>>,
}

impl JavaPkixVerifier {
    pub(crate) fn new(
        trust: Arc<TrustStore>,
        host: String,
        policy: Policy,
        clock: Clock,
        provider: Arc<CryptoProvider>,
    ) -> (Self, Arc<Mutex<Option<Seen>>>) {
        let seen = Arc::new(Mutex::new(None));
        let verifier = Self {
            trust,
            host,
            policy,
            clock,
            provider,
            seen: Arc::clone(&seen),
        };
        (verifier, seen)
    }
}

impl ServerCertVerifier for JavaPkixVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented: Vec<CertificateDer<'static>> = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|der| der.clone().into_owned())
            .collect();
        let verdict = validate(
            &presented,
            &self.host,
            &self.trust,
            self.policy,
            self.clock.now(),
        );
        let abort = match &verdict.outcome {
            Ok(()) | Err(Rejection::HostnameMismatch { .. }) => None,
            Err(rejection) => Some(rejection.clone()),
        };
        *self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Seen { presented, verdict });
        match abort {
            None => Ok(ServerCertVerified::assertion()),
            // `Other` makes rustls send certificate_unknown, the JDK's alert for a failed path.
            Some(rejection) => Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                OtherError(Arc::new(rejection)),
            ))),
        }
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
