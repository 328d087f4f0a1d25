//! `[target_groups.<name>.health_check]` → [`HealthCheck`], with AWS's ranges and defaults.

use std::ops::RangeInclusive;

use toml::Spanned;

use super::Cx;
use crate::behaviour::{HealthCheck, HealthCheckProtocol};
use crate::raw::RawHealthCheck;

/// Seconds between checks AWS allows.
const INTERVAL_SECONDS: RangeInclusive<i64> = 5..=300;
/// Seconds one check may take.
const TIMEOUT_SECONDS: RangeInclusive<i64> = 2..=120;
/// Healthy and unhealthy thresholds.
const THRESHOLDS: RangeInclusive<i64> = 2..=10;
/// Codes a matcher may name.
const MATCHER_CODES: RangeInclusive<u16> = 200..=599;

/// Converts the health check of the target group whose field path is `f`.
pub(super) fn convert(cx: &mut Cx<'_>, f: &str, raw: &Spanned<RawHealthCheck>) -> HealthCheck {
    let hf = format!("{f}.health_check");
    let h = raw.get_ref();
    let protocol = cx.enum_or(
        h.protocol.as_ref(),
        format!("{hf}.protocol"),
        "health check protocol",
        HealthCheckProtocol::ALL,
        HealthCheckProtocol::Tcp,
    );
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
    let default_timeout = if protocol == HealthCheckProtocol::Http {
        6
    } else {
        10
    };
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
    let matcher = match &h.matcher {
        None => vec![(200, 399)],
        Some(text) => parse_matcher(text.get_ref()).unwrap_or_else(|reason| {
            cx.error(
                text.span(),
                format!("{hf}.matcher"),
                format!("invalid matcher {:?}: {reason}", text.get_ref()),
                Some(
                    "expected codes or ranges in 200-599, e.g. \"200\", \"200,202\" or \"200-299\""
                        .into(),
                ),
            );
            vec![(200, 399)]
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
    /// A part is not a status code AWS accepts.
    #[error("{0:?} is not a status code in 200-599")]
    NotACode(String),
    /// A range whose low end is above its high end.
    #[error("range {0}-{1} is empty")]
    EmptyRange(u16, u16),
}

/// Parses AWS's matcher syntax into inclusive ranges.
fn parse_matcher(text: &str) -> Result<Vec<(u16, u16)>, MatcherError> {
    let code = |part: &str| -> Result<u16, MatcherError> {
        part.trim()
            .parse::<u16>()
            .ok()
            .filter(|c| MATCHER_CODES.contains(c))
            .ok_or_else(|| MatcherError::NotACode(part.trim().to_owned()))
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
    use super::parse_matcher;

    #[test]
    fn matchers_parse_as_aws_writes_them() {
        assert_eq!(parse_matcher("200"), Ok(vec![(200, 200)]));
        assert_eq!(
            parse_matcher("200-299, 404"),
            Ok(vec![(200, 299), (404, 404)])
        );
        assert!(parse_matcher("").is_err());
        assert!(parse_matcher("199").is_err());
        assert!(parse_matcher("300-200").is_err());
        assert!(parse_matcher("200,").is_err());
    }
}
