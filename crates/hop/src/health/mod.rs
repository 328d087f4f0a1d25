//! Target health checks: what a target group checks, the state they produce, and the task
//! that runs them. NLB and ALB listeners run the same checks; only their defaults differ
//! (the scenario layer fills them in).
//!
//! Choices where AWS is silent or cannot be copied:
//!
//! - **Initial state.** AWS starts a registered target in `initial` until it passes a check.
//!   Here every target starts **healthy**, so a scenario's first request is not held up by
//!   checks that have not run yet; a failing target becomes unhealthy after
//!   `unhealthy_threshold` failed checks in a row.
//! - **Schedule.** The first check of each target runs as soon as the listener starts, then
//!   one every `interval` (a check that takes longer delays the next one; there is no jitter).
//!   Each check is bounded by `timeout`.
//! - **Settling.** With [`HealthCheck::settle_before_serving`], the listener first runs
//!   `unhealthy_threshold` rounds of checks back to back (every target at once in each round)
//!   and only then accepts connections; the interval schedule starts after that.
//! - **Per listener.** Each load balancer listener owns its copy of its target group, so two listeners of
//!   one target group check it separately; observations name the listener as the hop and
//!   carry the group's name.
//! - **Routing.** Only healthy targets get new flows, chosen by the flow hash among them. When
//!   none is healthy the listener fails open and hashes over all targets (AWS: it "fails open
//!   … regardless of their health status"). Flows already open are left alone: AWS resets the
//!   flows of a target that turns unhealthy unless it fails open; that is not modelled.
//! - **HTTP and HTTPS checks** send `GET <path> HTTP/1.1` with `Host: <listener address>`
//!   (AWS: "the NLB node IP and listener port"), or with the checked target's address for an
//!   ALB ([`HealthChecker::with_target_host`]; AWS: `Host: <target-ip>:<port>`),
//!   `User-Agent: ELB-HealthChecker/2.0` and
//!   `Connection: close`, and judge the status line against the matcher. HTTPS checks do not
//!   validate the target's certificate, send no SNI, and offer **TLS 1.2 only**, so a target
//!   that speaks only TLS 1.3 fails them, as AWS documents.
//! - **By hand.** A target can be forced healthy or unhealthy ([`HealthTable::force`], in
//!   every group at once through [`HealthOverrides`]); routing then follows the forced state
//!   instead of the checks', which keep running, until the force is cleared. Failing open
//!   still applies: when no target is routable, all are.
//! - **Reasons** use AWS's reason codes: `Target.Timeout`, `Target.ResponseCodeMismatch`,
//!   `Target.FailedHealthChecks`.
//! - **Ranges.** The listener runs any non-zero interval and timeout and any threshold ≥ 1;
//!   the AWS ranges are exported ([`HEALTH_CHECK_INTERVAL_SECONDS`] and friends) for the
//!   scenario layer to enforce.

mod checker;
mod overrides;
mod probe;
mod table;

use std::fmt;
use std::ops::RangeInclusive;
use std::time::Duration;

use hoplab_trace::HopId;

use crate::HealthError;

pub use checker::{HealthChecker, group_health};
pub use overrides::HealthOverrides;
pub use table::HealthTable;

/// The interval AWS allows between checks of one target, in seconds.
pub const HEALTH_CHECK_INTERVAL_SECONDS: RangeInclusive<u64> = 5..=300;
/// The timeout AWS allows for one check, in seconds.
pub const HEALTH_CHECK_TIMEOUT_SECONDS: RangeInclusive<u64> = 2..=120;
/// The healthy and unhealthy thresholds AWS allows.
pub const HEALTH_CHECK_THRESHOLDS: RangeInclusive<u32> = 2..=10;
/// The status codes an AWS NLB matcher may name.
pub const HEALTH_CHECK_STATUS_CODES: RangeInclusive<u16> = 200..=599;

/// How a target group checks the health of its targets.
///
/// [`Default`] is AWS's default: a TCP check every 30 s with a 10 s timeout, healthy after 5
/// passes in a row, unhealthy after 2 failures in a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    /// What a check does.
    pub protocol: HealthCheckProtocol,
    /// The request path of HTTP and HTTPS checks; AWS's default is `/`.
    pub path: String,
    /// Time between checks of one target (AWS: 5–300 s, default 30 s).
    pub interval: Duration,
    /// How long one check may take before it fails (AWS: 2–120 s; default 6 s for HTTP,
    /// 10 s for TCP and HTTPS).
    pub timeout: Duration,
    /// Consecutive passes that make an unhealthy target healthy (AWS: 2–10, default 5).
    pub healthy_threshold: u32,
    /// Consecutive failures that make a healthy target unhealthy (AWS: 2–10, default 2).
    pub unhealthy_threshold: u32,
    /// The status codes an HTTP or HTTPS check accepts (default `200-399`).
    pub matcher: StatusMatcher,
    /// `true` runs each target's first `unhealthy_threshold` checks back to back, before the
    /// listener accepts its first connection, so the first flows already see settled health
    /// (a topology that has been up for a while); the schedule then goes on as usual. Default
    /// `false`: checks start on the schedule and the first flows may reach failing targets.
    pub settle_before_serving: bool,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck::tcp()
    }
}

impl HealthCheck {
    /// A TCP check with AWS's defaults: it passes when the target accepts the connection.
    pub fn tcp() -> Self {
        HealthCheck {
            protocol: HealthCheckProtocol::Tcp,
            path: "/".to_owned(),
            interval: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            healthy_threshold: 5,
            unhealthy_threshold: 2,
            matcher: StatusMatcher::default(),
            settle_before_serving: false,
        }
    }

    /// An HTTP check of `path` with AWS's defaults (6 s timeout).
    pub fn http(path: impl Into<String>) -> Self {
        HealthCheck {
            protocol: HealthCheckProtocol::Http,
            path: path.into(),
            timeout: Duration::from_secs(6),
            ..HealthCheck::tcp()
        }
    }

    /// An HTTPS check of `path` with AWS's defaults (10 s timeout).
    pub fn https(path: impl Into<String>) -> Self {
        HealthCheck {
            protocol: HealthCheckProtocol::Https,
            path: path.into(),
            ..HealthCheck::tcp()
        }
    }

    /// Refuses what the checker cannot run: a zero interval or timeout, a zero threshold, or
    /// a path that is not an origin-form request target.
    pub fn check(&self, hop: &HopId, group: &str) -> Result<(), HealthError> {
        let invalid = |reason: &str| HealthError::InvalidHealthCheck {
            hop: hop.clone(),
            group: group.to_owned(),
            reason: reason.to_owned(),
        };
        if self.interval.is_zero() {
            return Err(invalid("the interval must be more than zero"));
        }
        if self.timeout.is_zero() {
            return Err(invalid("the timeout must be more than zero"));
        }
        if self.healthy_threshold == 0 || self.unhealthy_threshold == 0 {
            return Err(invalid("thresholds must be at least 1"));
        }
        let printable = self.path.bytes().all(|b| b.is_ascii_graphic());
        if self.protocol != HealthCheckProtocol::Tcp && (!self.path.starts_with('/') || !printable)
        {
            return Err(invalid(
                "the path must start with '/' and hold no spaces or control characters",
            ));
        }
        Ok(())
    }
}

/// What a health check does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum HealthCheckProtocol {
    /// Open a TCP connection; passing means the target accepted it.
    #[default]
    Tcp,
    /// Send an HTTP request; passing means a status the matcher accepts.
    Http,
    /// Send an HTTP request over TLS 1.2 without validating the certificate.
    Https,
}

impl fmt::Display for HealthCheckProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HealthCheckProtocol::Tcp => "TCP",
            HealthCheckProtocol::Http => "HTTP",
            HealthCheckProtocol::Https => "HTTPS",
        })
    }
}

/// The status codes a health check accepts: one or more codes and ranges, written as AWS
/// writes them (`200`, `200,202`, `200-299`, `200-299,404`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMatcher {
    ranges: Vec<RangeInclusive<u16>>,
}

impl Default for StatusMatcher {
    /// `200-399`, AWS's default.
    fn default() -> Self {
        StatusMatcher {
            ranges: vec![200..=399],
        }
    }
}

impl StatusMatcher {
    /// Parses AWS's matcher syntax: comma-separated codes or `low-high` ranges, each code in
    /// 200–599.
    ///
    /// # Errors
    /// [`HealthError::InvalidMatcher`] for an empty list, a code that is not a number in
    /// 200–599, or a range whose low end is above its high end.
    pub fn parse(text: &str) -> Result<Self, HealthError> {
        let invalid = |reason: String| HealthError::InvalidMatcher {
            matcher: text.to_owned(),
            reason,
        };
        let code = |part: &str| -> Result<u16, HealthError> {
            part.trim()
                .parse::<u16>()
                .ok()
                .filter(|code| HEALTH_CHECK_STATUS_CODES.contains(code))
                .ok_or_else(|| {
                    invalid(format!("{:?} is not a status code in 200-599", part.trim()))
                })
        };
        let mut ranges = Vec::new();
        for part in text.split(',') {
            let range = match part.split_once('-') {
                Some((low, high)) => {
                    let (low, high) = (code(low)?, code(high)?);
                    if low > high {
                        return Err(invalid(format!("range {low}-{high} is empty")));
                    }
                    low..=high
                }
                None => {
                    let code = code(part)?;
                    code..=code
                }
            };
            ranges.push(range);
        }
        Ok(StatusMatcher { ranges })
    }

    /// Whether `status` is accepted.
    pub fn matches(&self, status: u16) -> bool {
        self.ranges.iter().any(|range| range.contains(&status))
    }
}

impl fmt::Display for StatusMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, range) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if range.start() == range.end() {
                write!(f, "{}", range.start())?;
            } else {
                write!(f, "{}-{}", range.start(), range.end())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_aws_defaults() {
        let tcp = HealthCheck::default();
        assert_eq!(tcp.protocol, HealthCheckProtocol::Tcp);
        assert_eq!(tcp.interval, Duration::from_secs(30));
        assert_eq!(tcp.timeout, Duration::from_secs(10));
        assert_eq!((tcp.healthy_threshold, tcp.unhealthy_threshold), (5, 2));
        assert_eq!(tcp.matcher.to_string(), "200-399");
        assert_eq!(HealthCheck::http("/health").timeout, Duration::from_secs(6));
        assert_eq!(HealthCheck::http("/health").path, "/health");
        assert_eq!(HealthCheck::https("/").timeout, Duration::from_secs(10));
        for check in [
            HealthCheck::tcp(),
            HealthCheck::http("/"),
            HealthCheck::https("/"),
        ] {
            assert!(HEALTH_CHECK_INTERVAL_SECONDS.contains(&check.interval.as_secs()));
            assert!(HEALTH_CHECK_TIMEOUT_SECONDS.contains(&check.timeout.as_secs()));
            assert!(HEALTH_CHECK_THRESHOLDS.contains(&check.healthy_threshold));
            assert!(HEALTH_CHECK_THRESHOLDS.contains(&check.unhealthy_threshold));
        }
    }

    #[test]
    fn matchers_parse_codes_lists_and_ranges() {
        let m = StatusMatcher::parse("200-299,404").unwrap();
        assert!(m.matches(200) && m.matches(299) && m.matches(404));
        assert!(!m.matches(300) && !m.matches(403) && !m.matches(500));
        assert_eq!(m.to_string(), "200-299,404");
        let m = StatusMatcher::parse(" 200 , 202 ").unwrap();
        assert!(m.matches(202) && !m.matches(201));
        assert_eq!(m.to_string(), "200,202");
        assert!(StatusMatcher::default().matches(399));
        assert!(!StatusMatcher::default().matches(400));
    }

    #[test]
    fn bad_matchers_say_what_is_wrong() {
        for (text, message) in [
            (
                "",
                "invalid health check matcher \"\": \"\" is not a status code in 200-599",
            ),
            (
                "199",
                "invalid health check matcher \"199\": \"199\" is not a status code in 200-599",
            ),
            (
                "200-600",
                "invalid health check matcher \"200-600\": \"600\" is not a status code in 200-599",
            ),
            (
                "300-200",
                "invalid health check matcher \"300-200\": range 300-200 is empty",
            ),
            (
                "ok",
                "invalid health check matcher \"ok\": \"ok\" is not a status code in 200-599",
            ),
            (
                "200,",
                "invalid health check matcher \"200,\": \"\" is not a status code in 200-599",
            ),
        ] {
            let error = StatusMatcher::parse(text).unwrap_err();
            assert_eq!(error.to_string(), message);
        }
    }

    #[test]
    fn checks_the_checker_cannot_run_are_refused() {
        let hop = HopId::nlb("internal", 443);
        assert!(HealthCheck::http("/health").check(&hop, "tg").is_ok());
        let mut zero = HealthCheck::tcp();
        zero.interval = Duration::ZERO;
        let mut threshold = HealthCheck::tcp();
        threshold.unhealthy_threshold = 0;
        let spaced = HealthCheck::http("/a b");
        let relative = HealthCheck::https("health");
        for check in [zero, threshold, spaced, relative] {
            let error = check.check(&hop, "tg").unwrap_err();
            assert!(
                error
                    .to_string()
                    .starts_with("nlb:internal:443: health check of target group tg: "),
                "{error}"
            );
        }
    }
}
