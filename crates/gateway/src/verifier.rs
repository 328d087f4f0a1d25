//! API Gateway's judge of a server's chain, run inside the handshake.
//!
//! rustls hands the gateway's [`ChainVerifier`](hoplab_hop::ChainVerifier) the chain exactly
//! as the server sent it; this judge runs [`hoplab_pkix::validate`] on it against the route's
//! host and finds a [`Verdict`], which the integration call reads back with
//! [`recording`](hoplab_hop::recording). A path rejection aborts the handshake with a
//! `certificate_unknown` alert, as the JVM's trust manager does. A host name mismatch does
//! not: Apache's client checks the name after the handshake has completed, so the integration
//! code closes the session then.

use std::sync::Arc;

use hoplab_hop::ChainJudge;
use hoplab_pkix::{Policy, Rejection, TrustStore, Verdict, validate};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, OtherError};

use crate::Clock;

/// Applies the Java PKIX verdict for one route: its trust store, the name its certificate is
/// checked against, its `insecureSkipVerification`, and the gateway's clock.
#[derive(Debug)]
pub(crate) struct JavaPkixJudge {
    pub(crate) trust: Arc<TrustStore>,
    pub(crate) host: String,
    pub(crate) policy: Policy,
    pub(crate) clock: Clock,
}

impl ChainJudge for JavaPkixJudge {
    type Finding = Verdict;

    /// Judges against the route's host, not `server_name`: the handshake goes without a name
    /// when the host cannot be sent as SNI, but the certificate is checked against it all the
    /// same. The gateway's clock, not `now`, dates the check.
    fn judge(
        &self,
        chain: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _now: UnixTime,
    ) -> (Verdict, Result<(), rustls::Error>) {
        let verdict = validate(
            chain,
            &self.host,
            &self.trust,
            self.policy,
            self.clock.now(),
        );
        let decision = match &verdict.outcome {
            Ok(()) | Err(Rejection::HostnameMismatch { .. }) => Ok(()),
            // `Other` makes rustls send certificate_unknown, the JDK's alert for a failed path.
            Err(rejection) => Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                OtherError(Arc::new(rejection.clone())),
            ))),
        };
        (verdict, decision)
    }
}
