//! `[target_groups.<name>.health_check]` → [`HealthCheck`], with AWS's ranges and defaults,
//! which differ between an NLB's target groups, an ALB's, and an NLB's `alb` target groups.

use std::ops::RangeInclusive;

use hoplab_alb_rules::limits as alb;
use toml::Spanned;

use super::Cx;
use super::values::one_of_spellings;
use crate::behaviour::{HealthCheck, HealthCheckProtocol};
use crate::raw::RawHealthCheck;

/// Seconds between checks AWS allows.
const INTERVAL_SECONDS: RangeInclusive<i64> = 5..=300;
/// Seconds one check may take.
const TIMEOUT_SECONDS: RangeInclusive<i64> = 2..=120;
/// Healthy and unhealthy thresholds.
const THRESHOLDS: RangeInclusive<i64> = 2..=10;
/// Codes an NLB's matcher may name.
const MATCHER_CODES: RangeInclusive<u16> = 200..=599;

/// Whose health check it is, which decides its protocols and defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HealthDefaults {
    /// An NLB's target group of targets: TCP (default), HTTP or HTTPS; matcher `200-399`;
    /// timeout 6 s for HTTP, 10 s otherwise.
    Nlb,
    /// An NLB's `alb` target group: HTTP (default) or HTTPS, sent to the ALB's listener;
    /// otherwise the NLB's defaults.
    NlbToAlb,
    /// An ALB's target group: HTTP (default) or HTTPS; matcher `200` within 200–499; 5 s
    /// timeout (AWS's ALB defaults, `hoplab-alb-rules`' limits).
    Alb,
}

impl HealthDefaults {
    fn protocols(self) -> Vec<(&'static str, HealthCheckProtocol)> {
        HealthCheckProtocol::ALL
            .iter()
            .copied()
            .filter(|(_, p)| self == HealthDefaults::Nlb || *p != HealthCheckProtocol::Tcp)
            .collect()
    }

    fn protocol(self) -> HealthCheckProtocol {
        match self {
            HealthDefaults::Nlb => HealthCheckProtocol::Tcp,
            HealthDefaults::NlbToAlb | HealthDefaults::Alb => HealthCheckProtocol::Http,
        }
    }

    fn timeout(self, protocol: HealthCheckProtocol) -> u32 {
        match (self, protocol) {
            (HealthDefaults::Alb, _) => alb::HEALTH_CHECK_TIMEOUT_SECONDS,
            (_, HealthCheckProtocol::Http) => 6,
            _ => 10,
        }
    }

    fn matcher(self) -> Vec<(u16, u16)> {
        match self {
            HealthDefaults::Alb => vec![(200, 200)],
            _ => vec![(200, 399)],
        }
    }

    fn codes(self) -> RangeInclusive<u16> {
        match self {
            HealthDefaults::Alb => alb::HEALTH_CHECK_STATUS_CODES,
            _ => MATCHER_CODES,
        }
    }
}

/// Converts the health check of the target group whose field path is `f`.
pub(super) fn convert(
    cx: &mut Cx<'_>,
    f: &str,
    raw: &Spanned<RawHealthCheck>,
    defaults: HealthDefaults,
) -> HealthCheck {
    let hf = format!("{f}.health_check");
    let h = raw.get_ref();
    let protocols = defaults.protocols();
    let protocol = match &h.protocol {
        Some(text)
            if HealthCheckProtocol::from_spelling(text.get_ref()).is_some()
                && !protocols.iter().any(|(s, _)| s == text.get_ref()) =>
        {
            let spellings: Vec<&str> = protocols.iter().map(|(s, _)| *s).collect();
            cx.error(
                text.span(),
                format!("{hf}.protocol"),
                format!(
                    "a {} health check is not available here",
                    text.get_ref()
                ),
                Some(format!(
                    "{}: the checks of an ALB's target group, and of an NLB's alb target group, are HTTP requests",
                    one_of_spellings(&spellings)
                )),
            );
            defaults.protocol()
        }
        other => cx.enum_or(
            other.as_ref(),
            format!("{hf}.protocol"),
            "health check protocol",
            &protocols,
            defaults.protocol(),
        ),
    };
    let http = protocol != HealthCheckProtocol::Tcp;
    if !http {
        for (key, span) in [
            ("path", h.path.as_ref().map(Spanned::span)),
            ("matcher", h.matcher.as_ref().map(Spanned::span)),
        ] {
            if let Some(span) = span {
                cx.error(
                    span,
                    format!("{hf}.{key}"),
                    format!("a TCP health check sends no request, so it takes no `{key}`"),
                    Some(format!(
                        "remove `{key}`, or set protocol = \"HTTP\" or \"HTTPS\""
                    )),
                );
            }
        }
    }
    let path = match &h.path {
        None => "/".to_owned(),
        Some(path) => {
            let p = path.get_ref();
            if !p.starts_with('/') || !p.bytes().all(|b| b.is_ascii_graphic()) {
                cx.error(
                    path.span(),
                    format!("{hf}.path"),
                    format!("invalid health check path {p:?}"),
                    Some(
                        "expected a path starting with '/', without spaces or control characters"
                            .into(),
                    ),
                );
            }
            p.clone()
        }
    };
    let default_timeout = defaults.timeout(protocol);
    let interval_seconds = ranged(
        cx,
        &hf,
        "interval_seconds",
        h.interval_seconds.as_ref(),
        INTERVAL_SECONDS,
        30,
    );
    let timeout_seconds = ranged(
        cx,
        &hf,
        "timeout_seconds",
        h.timeout_seconds.as_ref(),
        TIMEOUT_SECONDS,
        default_timeout,
    );
    let healthy_threshold = ranged(
        cx,
        &hf,
        "healthy_threshold",
        h.healthy_threshold.as_ref(),
        THRESHOLDS,
        5,
    );
    let unhealthy_threshold = ranged(
        cx,
        &hf,
        "unhealthy_threshold",
        h.unhealthy_threshold.as_ref(),
        THRESHOLDS,
        2,
    );
    let codes = defaults.codes();
    let matcher = match &h.matcher {
        None => defaults.matcher(),
        Some(text) => parse_matcher(text.get_ref(), &codes).unwrap_or_else(|reason| {
            cx.error(
                text.span(),
                format!("{hf}.matcher"),
                format!("invalid matcher {:?}: {reason}", text.get_ref()),
                Some(format!(
                    "expected codes or ranges in {}-{}, e.g. \"200\", \"200,202\" or \"200-299\"",
                    codes.start(),
                    codes.end()
                )),
            );
            defaults.matcher()
        }),
    };
    HealthCheck {
        protocol,
        path,
        interval_seconds,
        timeout_seconds,
        healthy_threshold,
        unhealthy_threshold,
        matcher,
    }
}

/// An optional integer in `range`; `default` when absent or out of range (after reporting).
fn ranged(
    cx: &mut Cx<'_>,
    hf: &str,
    key: &str,
    value: Option<&Spanned<i64>>,
    range: RangeInclusive<i64>,
    default: u32,
) -> u32 {
    let Some(value) = value else {
        return default;
    };
    match u32::try_from(*value.get_ref()) {
        Ok(v) if range.contains(value.get_ref()) => v,
        _ => {
            cx.error(
                value.span(),
                format!("{hf}.{key}"),
                format!("{key} {} is out of range", value.get_ref()),
                Some(format!("AWS allows {}..={}", range.start(), range.end())),
            );
            default
        }
    }
}

/// Why a matcher does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum MatcherError {
    /// A part is not a status code AWS accepts here.
    #[error("{0:?} is not a status code in {1}-{2}")]
    NotACode(String, u16, u16),
    /// A range whose low end is above its high end.
    #[error("range {0}-{1} is empty")]
    EmptyRange(u16, u16),
}

/// Parses AWS's matcher syntax into inclusive ranges of `codes`.
fn parse_matcher(text: &str, codes: &RangeInclusive<u16>) -> Result<Vec<(u16, u16)>, MatcherError> {
    let code = |part: &str| -> Result<u16, MatcherError> {
        part.trim()
            .parse::<u16>()
            .ok()
            .filter(|c| codes.contains(c))
            .ok_or_else(|| {
                MatcherError::NotACode(part.trim().to_owned(), *codes.start(), *codes.end())
            })
    };
    text.split(',')
        .map(|part| match part.split_once('-') {
            Some((low, high)) => {
                let (low, high) = (code(low)?, code(high)?);
                if low > high {
                    Err(MatcherError::EmptyRange(low, high))
                } else {
                    Ok((low, high))
                }
            }
            None => code(part).map(|c| (c, c)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{HealthDefaults, MATCHER_CODES, parse_matcher};

    #[test]
    fn matchers_parse_as_aws_writes_them() {
        let parse = |text| parse_matcher(text, &MATCHER_CODES);
        assert_eq!(parse("200"), Ok(vec![(200, 200)]));
        assert_eq!(parse("200-299, 404"), Ok(vec![(200, 299), (404, 404)]));
        assert!(parse("").is_err());
        assert!(parse("199").is_err());
        assert!(parse("300-200").is_err());
        assert!(parse("200,").is_err());
        let alb = HealthDefaults::Alb.codes();
        assert!(
            parse_matcher("503", &alb).is_err(),
            "an ALB matcher stops at 499"
        );
        assert_eq!(parse_matcher("200-499", &alb), Ok(vec![(200, 499)]));
    }
}
