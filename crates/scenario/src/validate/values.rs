//! Parsers for the strings a scenario spells values with: names, enums, times and URIs.
//!
//! Each returns a [`Problem`] (message and help) rather than a located error; the caller
//! knows the span and the field path.

use std::net::{IpAddr, Ipv6Addr};

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::model::{IntegrationUri, Scheme, TimeSpec};
use crate::raw::RawTime;

/// What is wrong with a value, and what would be valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) message: String,
    pub(crate) help: Option<String>,
}

impl Problem {
    pub(crate) fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
            help: Some(help.into()),
        }
    }

    /// A problem with no help to give.
    pub(crate) fn without_help(message: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
            help: None,
        }
    }
}

/// Most names listed in one help text.
const MAX_LISTED: usize = 30;

/// Help naming the valid names of something, e.g. `expected one of: "api", "app"`.
pub(crate) fn one_of_names<'a>(kind: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    if names.is_empty() {
        return format!("no {kind} are defined");
    }
    let mut out = String::from("expected one of: ");
    out.push_str(&quoted_list(&names));
    out
}

/// Help naming the valid spellings of an enum, e.g. `expected "TCP" or "TLS"`.
pub(crate) fn one_of_spellings(spellings: &[&str]) -> String {
    match spellings {
        [] => "no value is valid here".to_owned(),
        [one] => format!("expected {one:?}"),
        [a, b] => format!("expected {a:?} or {b:?}"),
        _ => format!("expected one of: {}", quoted_list(spellings)),
    }
}

fn quoted_list(names: &[&str]) -> String {
    let mut out = names
        .iter()
        .take(MAX_LISTED)
        .map(|name| format!("{name:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > MAX_LISTED {
        out.push_str(&format!(", … ({} more)", names.len() - MAX_LISTED));
    }
    out
}

/// Parses `text` as one of `choices` (exact spelling).
pub(crate) fn parse_enum<T: Copy>(
    what: &str,
    text: &str,
    choices: &[(&str, T)],
) -> Result<T, Problem> {
    choices
        .iter()
        .find(|(spelling, _)| *spelling == text)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let spellings: Vec<&str> = choices.iter().map(|(s, _)| *s).collect();
            Problem::new(
                format!("unknown {what} {text:?}"),
                one_of_spellings(&spellings),
            )
        })
}

/// Methods a route may use.
pub(crate) const ROUTE_METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY",
];

/// Parses an HTTP method (case-insensitive) into upper case; `ANY` only if `allow_any`.
pub(crate) fn parse_method(text: &str, allow_any: bool) -> Result<String, Problem> {
    let upper = text.to_ascii_uppercase();
    let valid: &[&str] = if allow_any {
        &ROUTE_METHODS
    } else {
        &ROUTE_METHODS[..ROUTE_METHODS.len() - 1]
    };
    if valid.contains(&upper.as_str()) {
        Ok(upper)
    } else {
        Err(Problem::new(
            format!("unknown method {text:?}"),
            one_of_spellings(valid),
        ))
    }
}

/// Checks a table key used as a name.
pub(crate) fn check_name(name: &str) -> Result<(), Problem> {
    if name.is_empty() {
        return Err(Problem::new(
            "name is empty",
            "names use letters, digits, '.', '_' and '-'",
        ));
    }
    if let Some(bad) = name.chars().find(|c| !crate::is_name_char(*c)) {
        return Err(Problem::new(
            format!("name {name:?} contains {bad:?}"),
            "names use letters, digits, '.', '_' and '-'",
        ));
    }
    Ok(())
}

/// Checks a DNS name written in a certificate or a target (`*.` wildcards allowed).
pub(crate) fn check_dns_name(name: &str) -> Result<(), Problem> {
    const HELP: &str =
        "expected a DNS name such as \"api.example.com\" (ASCII; use punycode for IDNs)";
    if name.is_empty() {
        return Err(Problem::new("dns name is empty", HELP));
    }
    if let Some(bad) = name.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(Problem::new(
            format!("dns name {name:?} contains {bad:?}"),
            HELP,
        ));
    }
    Ok(())
}

/// Parses an IP address for an IP subjectAltName.
pub(crate) fn parse_ip(text: &str) -> Result<IpAddr, Problem> {
    text.parse().map_err(|_| {
        Problem::new(
            format!("invalid ip address {text:?}"),
            "expected an IPv4 or IPv6 address such as \"127.0.0.1\" or \"::1\"",
        )
    })
}

/// Largest relative offset accepted: keeps every resolved time representable.
const MAX_OFFSET_SECONDS: i64 = 1000 * 365 * 86_400;

const TIME_HELP: &str = "expected an RFC 3339 time such as \"2026-01-01T00:00:00Z\", \
an offset from the clock such as \"-1d\" or \"+90d\" (units s, m, h, d, w, y), or \"now\"";

/// Parses a validity bound.
pub(crate) fn parse_time(raw: &RawTime) -> Result<TimeSpec, Problem> {
    match raw {
        RawTime::Native(datetime) => {
            let text = datetime.to_string();
            OffsetDateTime::parse(&text, &Rfc3339)
                .map(TimeSpec::Absolute)
                .map_err(|_| {
                    Problem::new(
                        format!("toml datetime {text} has no date, time and utc offset"),
                        "expected a full time with an offset, such as 2026-01-01T00:00:00Z",
                    )
                })
        }
        RawTime::Text(text) => {
            let trimmed = text.trim();
            if trimmed == "now" {
                return Ok(TimeSpec::Relative(Duration::ZERO));
            }
            if let Some(offset) = parse_offset(trimmed)? {
                return Ok(TimeSpec::Relative(offset));
            }
            OffsetDateTime::parse(trimmed, &Rfc3339)
                .map(TimeSpec::Absolute)
                .map_err(|e| Problem::new(format!("invalid time {text:?}: {e}"), TIME_HELP))
        }
    }
}

/// Parses `[+-]N{s,m,h,d,w,y}`; `Ok(None)` when `text` is not shaped like an offset.
fn parse_offset(text: &str) -> Result<Option<Duration>, Problem> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let Some(unit) = rest.chars().last() else {
        return Ok(None);
    };
    let digits = &rest[..rest.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let unit_seconds: i64 = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        'y' => 365 * 86_400,
        _ => {
            return Err(Problem::new(
                format!("unknown time unit {unit:?} in {text:?}"),
                "expected one of the units s, m, h, d, w, y (y = 365d)",
            ));
        }
    };
    let too_far = || {
        Problem::new(
            format!("time offset {text:?} is too far from the clock"),
            "expected an offset of at most 1000 years",
        )
    };
    let count: i64 = digits.parse().map_err(|_| too_far())?;
    let seconds = count
        .checked_mul(unit_seconds)
        .filter(|s| *s <= MAX_OFFSET_SECONDS)
        .ok_or_else(too_far)?;
    Ok(Some(Duration::seconds(if negative {
        -seconds
    } else {
        seconds
    })))
}

/// Parses the `[scenario] now` clock, which must be absolute.
pub(crate) fn parse_clock(raw: &RawTime) -> Result<OffsetDateTime, Problem> {
    match parse_time(raw)? {
        TimeSpec::Absolute(t) => Ok(t),
        TimeSpec::Relative(_) => Err(Problem::new(
            "the clock must be an absolute time",
            "expected an RFC 3339 time such as \"2026-01-01T00:00:00Z\"",
        )),
    }
}

/// What API Gateway answers `put-integration` with for a host it will not call.
pub(crate) const INVALID_ENDPOINT: &str = "Invalid HTTP endpoint specified for URI";

/// API Gateway's endpoint rules: ports 80, 443 and above 1024; a DNS host must end in a
/// public suffix (`.internal`, `.local` and the like are refused).
fn check_endpoint(host: &str, port: u16, raw: &str) -> Result<(), Problem> {
    if !(port == 80 || port == 443 || port > 1024) {
        return Err(Problem::new(
            format!("integration uri {raw:?} uses port {port}"),
            "API Gateway supports ports 80, 443 and ports above 1024",
        ));
    }
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    let known = psl::suffix(host.as_bytes()).is_some_and(|suffix| suffix.is_known());
    if !known {
        return Err(Problem::new(
            format!("{INVALID_ENDPOINT}: {host:?} does not end in a public suffix"),
            "API Gateway refuses hosts such as *.internal or *.local; use a name under a public \
             suffix (it need not resolve: the URI host is only sent as Host and SNI and checked \
             against the certificate)",
        ));
    }
    Ok(())
}

/// Parses an integration URI.
pub(crate) fn parse_uri(raw: &str) -> Result<IntegrationUri, Problem> {
    const HELP: &str = "expected an http or https URI such as \"https://api.example.com/pets\"";
    let bad = |what: String| Problem::new(what, HELP);

    let Some((scheme, rest)) = raw.split_once("://") else {
        return Err(bad(format!("integration uri {raw:?} has no scheme")));
    };
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        _ => {
            return Err(bad(format!(
                "integration uri scheme {scheme:?} is not http or https"
            )));
        }
    };
    if let Some(c) = raw.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(bad(format!("integration uri {raw:?} contains {c:?}")));
    }
    if raw.contains('#') {
        return Err(bad(format!("integration uri {raw:?} has a fragment")));
    }
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_and_query) = rest.split_at(authority_end);
    if authority.contains('@') {
        return Err(Problem::new(
            format!("integration uri {raw:?} has userinfo"),
            "remove the \"user:password@\" part; API Gateway integration URIs carry no credentials",
        ));
    }
    let (host, port) =
        split_host_port(authority).map_err(|what| bad(format!("{what} in {raw:?}")))?;
    let port = match port {
        Some(port) => port,
        None => match scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        },
    };
    check_endpoint(&host, port, raw)?;
    let path_and_query = if path_and_query.starts_with('/') {
        path_and_query.to_owned()
    } else {
        format!("/{path_and_query}")
    };
    Ok(IntegrationUri {
        raw: raw.to_owned(),
        scheme,
        host,
        port,
        path_and_query,
    })
}

/// What is wrong with the `host[:port]` part of a URI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum HostPortError {
    /// `[` without `]`.
    #[error("unclosed '[' in the host")]
    UnclosedBracket,
    /// Brackets around something that is not an IPv6 address.
    #[error("invalid ipv6 host {0:?}")]
    InvalidIpv6(String),
    /// Text after `]` that is not `:port`.
    #[error("unexpected {0:?} after the host")]
    AfterHost(String),
    /// Nothing before the port.
    #[error("no host")]
    NoHost,
    /// A character no host name holds.
    #[error("host {0:?} contains {1:?}")]
    HostCharacter(String, char),
    /// A port that is not 1..=65535 in digits.
    #[error("invalid port {0:?}")]
    InvalidPort(String),
}

/// Splits `host[:port]` (IPv6 in brackets) into a lowercase host and an optional port.
fn split_host_port(authority: &str) -> Result<(String, Option<u16>), HostPortError> {
    let bracketed = authority.starts_with('[');
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return Err(HostPortError::UnclosedBracket);
        };
        v6.parse::<Ipv6Addr>()
            .map_err(|_| HostPortError::InvalidIpv6(v6.to_owned()))?;
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| HostPortError::AfterHost(after.to_owned()))?,
            ),
        };
        (v6.to_owned(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host.to_owned(), Some(port)),
            None => (authority.to_owned(), None),
        }
    };
    if host.is_empty() {
        return Err(HostPortError::NoHost);
    }
    if let Some(c) = host.chars().find(|c| {
        !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') || (bracketed && *c == ':'))
    }) {
        return Err(HostPortError::HostCharacter(host, c));
    }
    let port = match port {
        None => None,
        Some(text) => match text.parse::<u16>() {
            Ok(port) if port > 0 && text.bytes().all(|b| b.is_ascii_digit()) => Some(port),
            _ => return Err(HostPortError::InvalidPort(text.to_owned())),
        },
    };
    Ok((host.to_ascii_lowercase(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> RawTime {
        RawTime::Text(s.to_owned())
    }

    #[test]
    fn offsets() {
        assert_eq!(
            parse_time(&text("-1d")),
            Ok(TimeSpec::Relative(Duration::days(-1)))
        );
        assert_eq!(
            parse_time(&text("+10y")),
            Ok(TimeSpec::Relative(Duration::days(3650)))
        );
        assert_eq!(
            parse_time(&text("90d")),
            Ok(TimeSpec::Relative(Duration::days(90)))
        );
        assert_eq!(
            parse_time(&text("now")),
            Ok(TimeSpec::Relative(Duration::ZERO))
        );
        assert_eq!(
            parse_time(&text("-2w")),
            Ok(TimeSpec::Relative(Duration::weeks(-2)))
        );
        assert!(parse_time(&text("+5x")).is_err());
        assert!(parse_time(&text("+99999999999999999999y")).is_err());
        assert!(parse_time(&text("+1001y")).is_err());
        assert!(parse_time(&text("")).is_err());
        assert!(parse_time(&text("-")).is_err());
        assert!(parse_time(&text("é")).is_err());
    }

    #[test]
    fn absolute_times() {
        let t = parse_time(&text("2026-01-01T00:00:00Z")).expect("valid");
        assert!(matches!(t, TimeSpec::Absolute(t) if t.year() == 2026));
        let native: toml::value::Datetime = "2026-01-01T00:00:00+02:00".parse().expect("valid");
        assert!(matches!(
            parse_time(&RawTime::Native(native)),
            Ok(TimeSpec::Absolute(_))
        ));
        let local: toml::value::Datetime = "2026-01-01".parse().expect("valid");
        assert!(parse_time(&RawTime::Native(local)).is_err());
        assert!(parse_clock(&text("-1d")).is_err());
    }

    #[test]
    fn uris() {
        let uri = parse_uri("https://API.Example.com/pets?x=1").expect("valid");
        assert_eq!(uri.scheme(), Scheme::Https);
        assert_eq!(uri.host(), "api.example.com");
        assert_eq!(uri.port(), 443);
        assert_eq!(uri.path_and_query(), "/pets?x=1");

        let uri = parse_uri("http://[::1]:8080").expect("valid");
        assert_eq!(uri.host(), "::1");
        assert_eq!(uri.port(), 8080);
        assert_eq!(uri.path_and_query(), "/");

        let uri = parse_uri("http://10.0.0.1?q").expect("valid");
        assert_eq!(uri.port(), 80);
        assert_eq!(uri.path_and_query(), "/?q");

        for bad in [
            "api.example.com",
            "ftp://x/",
            "https://user:pw@x/",
            "https:///path",
            "https://x:0/",
            "https://x:99999/",
            "https://x:+1/",
            "https://[::1/",
            "https://[zz]/",
            "https://x/a b",
            "https://x/#frag",
            "https://x y/",
            "https://a:b:443/",
        ] {
            assert!(parse_uri(bad).is_err(), "{bad} should be rejected");
        }
        assert!(
            parse_uri("https://u@x/")
                .expect_err("userinfo")
                .message
                .contains("userinfo")
        );
    }

    #[test]
    fn help_lists() {
        assert_eq!(
            one_of_spellings(&["TCP", "TLS"]),
            "expected \"TCP\" or \"TLS\""
        );
        assert_eq!(
            one_of_names("certificates", ["api", "nlb-cert"]),
            "expected one of: \"api\", \"nlb-cert\""
        );
        assert_eq!(one_of_names("nlbs", []), "no nlbs are defined");
    }

    #[test]
    fn methods() {
        assert_eq!(parse_method("get", true), Ok("GET".to_owned()));
        assert!(parse_method("any", false).is_err());
        assert_eq!(parse_method("Any", true), Ok("ANY".to_owned()));
    }
}
