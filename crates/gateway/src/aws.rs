//! Everything AWS shows: statuses, bodies and execution-log strings, in one place.
//!
//! The strings come from `aws-tls-facts.md`. Where AWS does not say what happens, the choice
//! hoplab makes is written here (and in the choices table in docs/choices.md), nowhere else.

/// Response header carrying the request id, as API Gateway sends it.
pub const REQUEST_ID_HEADER: &str = "x-amzn-RequestId";

/// Prefix of every configuration-error line in the execution log.
pub(crate) const CONFIGURATION_ERROR: &str = "Execution failed due to configuration error: ";

/// Log line when the integration does not answer within `timeoutInMillis`.
pub(crate) const TIMEOUT_ERROR: &str = "Execution failed due to a timeout error";

/// What a VPC link failure says (AWS knowledge center, "api-gateway-500-error-vpc").
pub(crate) const INTERNAL_ERROR_DETAIL: &str =
    "There was an internal error while executing your request";

/// What the JDK reports for a TLS handshake failure that is not a certificate verdict.
pub(crate) const SSL_ENGINE_PROBLEM: &str = "General SSLEngine problem";

/// Body of a 500 (the REST API's default 5XX gateway response).
pub(crate) const INTERNAL_SERVER_ERROR_BODY: &str = r#"{"message": "Internal server error"}"#;

/// Body of a 504 after an integration timeout.
pub(crate) const TIMEOUT_BODY: &str = r#"{"message": "Endpoint request timed out"}"#;

/// Body of a 403 for a method and path no route serves (REST APIs answer unknown
/// resources this way).
pub(crate) const MISSING_AUTH_TOKEN_BODY: &str = r#"{"message":"Missing Authentication Token"}"#;

/// Status of a request whose first path segment names a stage the API does not have.
pub(crate) const MISSING_STAGE_STATUS: u16 = 403;

/// Body of a request on a stage the API does not have.
///
/// Choice where the facts are silent: `403` with `{"message":"Forbidden"}`, what REST APIs'
/// default endpoint answers for an unknown stage in practice; the facts record only the
/// `Missing Authentication Token` answer for an unknown resource on a deployed stage.
pub(crate) const MISSING_STAGE_BODY: &str = r#"{"message":"Forbidden"}"#;

/// `User-Agent` the gateway sends to integrations.
pub(crate) const USER_AGENT: &str = "AmazonAPIGateway_hoplab";

/// The ALPN protocols API Gateway offers to an integration endpoint.
///
/// Choice where AWS is silent: none. Its HTTP client speaks HTTP/1.1 and the facts record no
/// ALPN offer, so an NLB ALPN policy never changes what it negotiates (AWS: a client that
/// offers nothing of the policy gets a connection without ALPN).
pub(crate) const GATEWAY_ALPN: &[&[u8]] = &[];

/// The TLS versions API Gateway offers to an integration endpoint.
///
/// Choice where AWS is silent: TLS 1.3 and 1.2, so a listener with a TLS 1.3-only security
/// policy accepts it.
pub(crate) static GATEWAY_TLS_VERSIONS: &[&rustls::SupportedProtocolVersion] =
    &[&rustls::version::TLS13, &rustls::version::TLS12];

/// Why one integration call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The certificate of the hop that terminated TLS was rejected; carries the JDK message.
    Certificate {
        /// `PKIX path building failed: …`, `PKIX path validation failed: …` or `Host name '…' …`.
        java_message: String,
    },
    /// The TLS handshake failed for a reason other than the certificate verdict (protocol
    /// version, alert, a peer that does not speak TLS).
    Handshake {
        /// What rustls said.
        detail: String,
    },
    /// The connection could not be opened, was closed or reset, or the answer was not HTTP.
    Connection {
        /// What went wrong, for the trace.
        detail: String,
    },
    /// No complete response within `timeoutInMillis`.
    Timeout,
}

/// What the client and the execution log see for a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientError {
    /// Status code returned to the client.
    pub status: u16,
    /// JSON body returned to the client.
    pub body: &'static str,
    /// The execution-log line describing the failure (after `<date> : `).
    pub log_line: String,
}

/// Maps an integration failure to the client status, body and execution-log line.
///
/// A response is not a failure, whoever wrote it: an ALB's own `400`, `502`, `503` and `504`
/// pages (`Server: awselb/2.0`), its fixed responses and redirects reach the caller as an
/// HTTP_PROXY integration passes any response, status, headers and body unchanged, and the
/// log reads `Received response. Status: 502, …` then `Method completed with status: 502`
/// (facts §3.9, INFERENCE: no AWS page shows it end to end). Only when `timeoutInMillis` runs
/// out before the ALB's idle timeout does the caller get API Gateway's own 504
/// ([`Failure::Timeout`]).
///
/// Choices where AWS is silent (see the choices table in docs/choices.md):
/// - a non-certificate TLS failure is logged as the JDK's `General SSLEngine problem`, unless
///   the connection closed before any TLS came back (`closed_before_tls`);
/// - target faults (refused, closed, reset) are connection-level failures; a target that
///   hangs or answers after `timeoutInMillis` is a timeout (504, `Endpoint request timed out`);
/// - every connection-level failure (refused, reset, closed, not HTTP), over a VPC link or
///   the internet, is logged as the VPC-link internal error and returns 500.
pub fn failure_response(failure: &Failure) -> ClientError {
    let configuration_error = |detail: &str| ClientError {
        status: 500,
        body: INTERNAL_SERVER_ERROR_BODY,
        log_line: format!("{CONFIGURATION_ERROR}{detail}"),
    };
    match failure {
        Failure::Certificate { java_message } => configuration_error(java_message),
        Failure::Handshake { .. } => configuration_error(SSL_ENGINE_PROBLEM),
        Failure::Connection { .. } => configuration_error(INTERNAL_ERROR_DETAIL),
        Failure::Timeout => ClientError {
            status: 504,
            body: TIMEOUT_BODY,
            log_line: TIMEOUT_ERROR.to_owned(),
        },
    }
}

/// Whether a failed TLS handshake failed because the connection closed or was reset before
/// the server sent anything TLS: the peer is gone (a target refused, closed or reset behind a
/// TCP listener), not a protocol disagreement.
///
/// Choice where AWS is silent: such a handshake is a connectivity failure, logged as the
/// VPC-link internal error (500), not as `General SSLEngine problem`; a handshake the peer
/// answers with an alert or non-TLS bytes stays `General SSLEngine problem`.
pub(crate) fn closed_before_tls(error: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::UnexpectedEof
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_that_went_away_is_not_a_tls_disagreement() {
        use std::io::{Error, ErrorKind};
        for kind in [
            ErrorKind::UnexpectedEof,
            ErrorKind::ConnectionReset,
            ErrorKind::ConnectionAborted,
            ErrorKind::BrokenPipe,
        ] {
            assert!(closed_before_tls(&Error::from(kind)), "{kind:?}");
        }
        let alert = Error::new(
            ErrorKind::InvalidData,
            "received fatal alert: ProtocolVersion",
        );
        assert!(!closed_before_tls(&alert));
        assert!(!closed_before_tls(&Error::from(ErrorKind::TimedOut)));
    }

    #[test]
    fn each_failure_maps_to_its_status_body_and_line() {
        let cases = [
            (
                Failure::Certificate {
                    java_message: "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed".into(),
                },
                500,
                INTERNAL_SERVER_ERROR_BODY,
                "Execution failed due to configuration error: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed",
            ),
            (
                Failure::Handshake {
                    detail: "received fatal alert: ProtocolVersion".into(),
                },
                500,
                INTERNAL_SERVER_ERROR_BODY,
                "Execution failed due to configuration error: General SSLEngine problem",
            ),
            (
                Failure::Connection {
                    detail: "connection refused".into(),
                },
                500,
                INTERNAL_SERVER_ERROR_BODY,
                "Execution failed due to configuration error: There was an internal error while executing your request",
            ),
            (
                Failure::Timeout,
                504,
                TIMEOUT_BODY,
                "Execution failed due to a timeout error",
            ),
        ];
        for (failure, status, body, line) in cases {
            let got = failure_response(&failure);
            assert_eq!(got.status, status, "{failure:?}");
            assert_eq!(got.body, body, "{failure:?}");
            assert_eq!(got.log_line, line, "{failure:?}");
        }
    }
}
