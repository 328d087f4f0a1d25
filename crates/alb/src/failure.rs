//! Who failed, and which of the ALB's own pages the client gets for it.
//!
//! Every request the ALB cannot serve as asked ends in one [`Failure`], and [`error_page`] is
//! the one place that turns a failure into a status and body (AWS's table of ALB-generated
//! errors, facts §3.7).

use crate::aws::{
    BAD_GATEWAY, ErrorPage, GATEWAY_TIMEOUT, PLAIN_HTTP_TO_HTTPS_PORT, SERVICE_UNAVAILABLE,
};

/// Why the ALB answered a request with one of its own error pages, by who failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Failure {
    /// The client: it sent plain HTTP to an HTTPS listener.
    PlainHttpToHttpsListener,
    /// The configuration: the target group has no registered targets.
    NoRegisteredTargets,
    /// The target refused or reset the TCP connection.
    ConnectRefused,
    /// The target did not accept the TCP connection within the connection timeout (10 s).
    ConnectTimeout,
    /// The TLS handshake with an HTTPS target failed or took longer than 10 s.
    TargetTlsHandshake,
    /// The target closed or reset the connection while a request was outstanding.
    TargetClosed,
    /// The target sent something that is not an HTTP response (or a response too large).
    MalformedResponse,
    /// The target did not answer within the idle timeout.
    TargetIdleTimeout,
}

/// The page the client gets for `failure`.
pub fn error_page(failure: Failure) -> &'static ErrorPage {
    match failure {
        Failure::PlainHttpToHttpsListener => &PLAIN_HTTP_TO_HTTPS_PORT,
        Failure::NoRegisteredTargets => &SERVICE_UNAVAILABLE,
        Failure::ConnectRefused
        | Failure::TargetTlsHandshake
        | Failure::TargetClosed
        | Failure::MalformedResponse => &BAD_GATEWAY,
        Failure::ConnectTimeout | Failure::TargetIdleTimeout => &GATEWAY_TIMEOUT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_gets_the_status_aws_documents() {
        let table = [
            (Failure::PlainHttpToHttpsListener, 400),
            (Failure::NoRegisteredTargets, 503),
            (Failure::ConnectRefused, 502),
            (Failure::ConnectTimeout, 504),
            (Failure::TargetTlsHandshake, 502),
            (Failure::TargetClosed, 502),
            (Failure::MalformedResponse, 502),
            (Failure::TargetIdleTimeout, 504),
        ];
        for (failure, status) in table {
            let page = error_page(failure);
            assert_eq!(page.status, status, "{failure:?}");
            assert!(page.body.contains(&status.to_string()), "{failure:?}");
        }
    }
}
