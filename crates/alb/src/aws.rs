//! Everything an ALB shows that hoplab copies from AWS: the `Server` header, the error pages,
//! the headers added to forwarded requests, default timeouts, health-check defaults and the
//! limits on listener rules.
//!
//! The facts come from `aws-vpclink-v2-alb-facts.md` §3. Where AWS does not say, the choice
//! hoplab makes is written here, marked **Choice** or **INFERENCE**, and listed in the
//! choices table in docs/choices.md; nowhere else in the crate decides it.

use std::time::Duration;

use hoplab_alb_rules::limits;
use hoplab_hop::{HealthCheck, StatusMatcher};

pub use hoplab_alb_rules::limits::{
    FORWARD_WEIGHTS, HEALTH_CHECK_STATUS_CODES, IDLE_TIMEOUT_SECONDS, MAX_EVALUATIONS_PER_RULE,
    MAX_VALUES_PER_CONDITION, MAX_WILDCARDS_PER_RULE,
};

/// The `Server` header of every response the ALB writes itself (error pages, fixed
/// responses, redirects). A target's response keeps its own.
pub const SERVER: &str = "awselb/2.0";

/// The text of the 400 answered to plain HTTP on an HTTPS listener (AWS knowledge center:
/// `400 Bad Request. The plain HTTP request was sent to HTTPS port.`).
pub const PLAIN_HTTP_SENT_TO_HTTPS: &str = "The plain HTTP request was sent to HTTPS port";

/// One of the ALB's own error pages: a status line and an HTML body with CRLF line endings,
/// sent with `Content-Type: text/html` and `Server: awselb/2.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorPage {
    /// The status code.
    pub status: u16,
    /// The reason phrase of the status line.
    pub reason: &'static str,
    /// The body, byte for byte.
    pub body: &'static str,
}

/// The page template AWS captures show: nginx's, with CRLF line endings (502: 122 bytes, 503:
/// 162 bytes, as captured).
macro_rules! page {
    ($status:literal, $reason:literal) => {
        ErrorPage {
            status: $status,
            reason: $reason,
            body: concat!(
                "<html>\r\n",
                "<head><title>",
                $status,
                " ",
                $reason,
                "</title></head>\r\n",
                "<body>\r\n",
                "<center><h1>",
                $status,
                " ",
                $reason,
                "</h1></center>\r\n",
                "</body>\r\n",
                "</html>\r\n",
            ),
        }
    };
}

/// 502: the target refused, reset or closed the connection, failed the TLS handshake, or
/// sent something that is not an HTTP response. CONFIRMED capture (122 bytes). The older
/// capture's `<body bgcolor="white">` form is not used.
pub const BAD_GATEWAY: ErrorPage = page!(502, "Bad Gateway");

/// 503: the target group has no registered targets. CONFIRMED capture, status line
/// `503 Service Temporarily Unavailable` (162 bytes).
pub const SERVICE_UNAVAILABLE: ErrorPage = page!(503, "Service Temporarily Unavailable");

/// 504: no connection within [`CONNECT_TIMEOUT`], or no answer within the idle timeout.
/// **INFERENCE** (facts §7.9): no capture exists; the same template with nginx's reason
/// phrase `Gateway Time-out` (132 bytes).
pub const GATEWAY_TIMEOUT: ErrorPage = page!(504, "Gateway Time-out");

/// 400: plain HTTP on an HTTPS listener. **INFERENCE**: AWS gives only the text
/// ([`PLAIN_HTTP_SENT_TO_HTTPS`]); the page is nginx's, whose template the other captures
/// match: the title names the cause, the heading says `400 Bad Request`, and the cause
/// follows in its own centred line.
pub const PLAIN_HTTP_TO_HTTPS_PORT: ErrorPage = ErrorPage {
    status: 400,
    reason: "Bad Request",
    body: concat!(
        "<html>\r\n",
        "<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n",
        "<body>\r\n",
        "<center><h1>400 Bad Request</h1></center>\r\n",
        "<center>The plain HTTP request was sent to HTTPS port</center>\r\n",
        "</body>\r\n",
        "</html>\r\n",
    ),
};

/// The idle timeout when none is configured (AWS `idle_timeout.timeout_seconds`).
pub const DEFAULT_IDLE_TIMEOUT: Duration =
    Duration::from_secs(limits::DEFAULT_IDLE_TIMEOUT_SECONDS);

/// How long the ALB waits for a target to accept a TCP connection before answering 504
/// (AWS: "could not connect within the 10 s connection timeout").
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a TLS handshake with a target may take before the ALB answers 502 (AWS: "SSL
/// handshake timeout (10 seconds) when connecting to a target").
pub const TARGET_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a client has to finish its TLS handshake with an HTTPS listener. **Choice**: AWS
/// does not say; the same 10 s as toward targets.
pub const CLIENT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The health check of an ALB target group when none is configured: HTTP `GET /` every 30 s,
/// 5 s timeout, healthy after 5 passes, unhealthy after 2 failures, matcher `200` (AWS
/// defaults for instance and ip targets). Checks send `Host: <target-ip>:<port>` and
/// `User-Agent: ELB-HealthChecker/2.0`; HTTPS checks use `ELBSecurityPolicy-2016-08` (TLS 1.2
/// here) and do not validate the target's certificate.
pub fn default_health_check() -> HealthCheck {
    HealthCheck {
        interval: Duration::from_secs(u64::from(limits::HEALTH_CHECK_INTERVAL_SECONDS)),
        timeout: Duration::from_secs(u64::from(limits::HEALTH_CHECK_TIMEOUT_SECONDS)),
        healthy_threshold: limits::HEALTH_CHECK_HEALTHY_THRESHOLD,
        unhealthy_threshold: limits::HEALTH_CHECK_UNHEALTHY_THRESHOLD,
        matcher: StatusMatcher::parse(limits::HEALTH_CHECK_MATCHER)
            .expect("the default matcher is valid"),
        ..HealthCheck::http(limits::HEALTH_CHECK_PATH)
    }
}

/// The header the ALB appends the client's address to (`append` mode, the default).
pub const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The header naming the protocol the client used to reach the listener (`http`, `https`).
pub const X_FORWARDED_PROTO: &str = "x-forwarded-proto";

/// The header naming the listener port the client connected to.
pub const X_FORWARDED_PORT: &str = "x-forwarded-port";

/// The request-tracing header the ALB adds to every request it forwards.
pub const X_AMZN_TRACE_ID: &str = "x-amzn-trace-id";

/// The value of `X-Amzn-Trace-Id` for one forwarded request.
///
/// **Choice** (the facts do not cover tracing): AWS's trace header form
/// `Root=1-<8 hex digits of the Unix time>-<24 hex digits>`; when the client already sent one,
/// a new `Self=` field goes in front of what it sent, so every forwarded request still carries
/// a value of its own.
///
/// Built in one allocation of exactly its length: it is made for every forwarded request.
pub(crate) fn trace_id(unix_seconds: u64, unique: u128, incoming: Option<&str>) -> String {
    use std::fmt::Write as _;
    // `Root=` or `Self=`, then `1-`, 8 hex digits, `-` and 24 hex digits.
    const OWN: usize = 5 + 2 + 8 + 1 + 24;
    let incoming = incoming.filter(|incoming| !incoming.is_empty());
    let mut text = String::with_capacity(OWN + incoming.map_or(0, |incoming| 1 + incoming.len()));
    let field = if incoming.is_some() { "Self" } else { "Root" };
    let seconds = unix_seconds & 0xffff_ffff;
    let unique = unique & ((1 << 96) - 1);
    // Writing to a String cannot fail.
    let _ = write!(text, "{field}=1-{seconds:08x}-{unique:024x}");
    if let Some(incoming) = incoming {
        text.push(';');
        text.push_str(incoming);
    }
    text
}

/// The body of a redirect. **Choice**: AWS documents the status and `Location` only; the
/// redirect is sent with an empty body.
pub(crate) const REDIRECT_BODY: &str = "";

/// How many idle keep-alive connections the ALB keeps per target. **Choice**: AWS reuses
/// backend connections but does not say how many; beyond this, a connection is closed once
/// its response is read.
pub const MAX_IDLE_CONNECTIONS_PER_TARGET: usize = 32;

/// The largest target response body the ALB relays; a larger one is answered 502.
/// **Choice**: AWS has no body limit for instance and ip targets; the simulator buffers
/// responses to judge them whole, so it needs one.
pub const MAX_RESPONSE_BODY: usize = 8 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_pages_have_the_captured_lengths_and_crlf_lines() {
        assert_eq!(BAD_GATEWAY.body.len(), 122);
        assert_eq!(SERVICE_UNAVAILABLE.body.len(), 162);
        assert_eq!(GATEWAY_TIMEOUT.body.len(), 132);
        assert_eq!(
            BAD_GATEWAY.body,
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
        );
        for page in [
            BAD_GATEWAY,
            SERVICE_UNAVAILABLE,
            GATEWAY_TIMEOUT,
            PLAIN_HTTP_TO_HTTPS_PORT,
        ] {
            assert_eq!(
                page.body.matches('\n').count(),
                page.body.matches("\r\n").count()
            );
            assert!(page.body.ends_with("</html>\r\n"));
            assert!(
                page.body
                    .contains(&format!("<h1>{} {}</h1>", page.status, page.reason))
            );
        }
        assert!(
            PLAIN_HTTP_TO_HTTPS_PORT
                .body
                .contains(PLAIN_HTTP_SENT_TO_HTTPS)
        );
        assert_eq!(PLAIN_HTTP_TO_HTTPS_PORT.body.len(), 220);
    }

    #[test]
    fn the_default_health_check_is_the_alb_default() {
        let check = default_health_check();
        assert_eq!(check.protocol, hoplab_hop::HealthCheckProtocol::Http);
        assert_eq!(check.path, "/");
        assert_eq!(check.interval, Duration::from_secs(30));
        assert_eq!(check.timeout, Duration::from_secs(5));
        assert_eq!((check.healthy_threshold, check.unhealthy_threshold), (5, 2));
        assert_eq!(check.matcher.to_string(), "200");
    }

    #[test]
    fn trace_ids_have_the_aws_form() {
        assert_eq!(
            trace_id(0x6789_1233, 0xabc, None),
            "Root=1-67891233-000000000000000000000abc"
        );
        assert_eq!(
            trace_id(
                1,
                u128::MAX,
                Some("Root=1-5759e988-bd862e3fe1be46a994272793")
            ),
            "Self=1-00000001-ffffffffffffffffffffffff;Root=1-5759e988-bd862e3fe1be46a994272793"
        );
        assert!(trace_id(1, 1, Some("")).starts_with("Root="));
        for id in [trace_id(1, 2, None), trace_id(1, 2, Some("Root=1-x"))] {
            assert_eq!(id.len(), id.capacity(), "{id}");
        }
    }
}
