//! Rule conditions: what each matches in a request, and what AWS refuses in one.
//!
//! AWS: a condition's values are alternatives (any one may match) and a rule's conditions
//! must all match. Host names and header names are case-insensitive, paths are
//! case-sensitive, `*` and `?` are wildcards, a host pattern needs at least one `.`, the path
//! pattern sees only the path (not the query), and methods are compared case-sensitively.
//!
//! Choices where AWS is silent (docs/choices.md):
//! - **Host with a port.** `Host: api.example.com:443` is matched as `api.example.com`.
//! - **Header values** are compared case-insensitively, like header names.
//! - **Methods** are compared exactly: `*` and `?` in a method value are not wildcards.
//! - **Query strings** are split at `&` and at the first `=` of each pair and compared as sent,
//!   without percent-decoding and case-insensitively; a condition without a key matches the
//!   value of any pair.
//! - **Source IP** is the address of the TCP peer the listener accepted, never
//!   `X-Forwarded-For`.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use http::HeaderMap;
use http::header::HeaderName;

use super::pattern::{wildcard_match, wildcards};

/// The parts of an HTTP request that listener rules look at.
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'a> {
    /// The method, e.g. `GET`.
    pub method: &'a str,
    /// The `Host` header, as sent (a port included).
    pub host: Option<&'a str>,
    /// The path, without the query.
    pub path: &'a str,
    /// The query, without the `?`; `None` when the target has none.
    pub query: Option<&'a str>,
    /// Every header.
    pub headers: &'a HeaderMap,
    /// The address of the client the listener accepted the connection from.
    pub source: IpAddr,
}

/// One condition of a listener rule, with its values (alternatives).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `host-header`: host name patterns, case-insensitive, with wildcards.
    HostHeader(Vec<String>),
    /// `path-pattern`: path patterns, case-sensitive, with wildcards.
    PathPattern(Vec<String>),
    /// `http-header`: one header, by name (case-insensitive), and value patterns.
    HttpHeader {
        /// The header's name.
        name: String,
        /// Value patterns, with wildcards.
        values: Vec<String>,
    },
    /// `http-request-method`: method names, compared exactly.
    HttpRequestMethod(Vec<String>),
    /// `query-string`: key/value pairs, with wildcards.
    QueryString(Vec<QueryPair>),
    /// `source-ip`: address blocks the client's address must be in.
    SourceIp(Vec<IpCidr>),
}

/// One alternative of a `query-string` condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryPair {
    /// The key pattern; `None` matches any key.
    pub key: Option<String>,
    /// The value pattern.
    pub value: String,
}

/// Why a condition value is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadValue {
    /// An empty pattern.
    Empty,
    /// A host pattern without a `.`.
    HostWithoutDot,
    /// A header name that is not an HTTP token.
    HeaderName,
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BadValue::Empty => "is empty",
            BadValue::HostWithoutDot => "needs at least one '.'",
            BadValue::HeaderName => "is not a valid header name",
        })
    }
}

/// Which kind of condition: AWS's `Field` of a rule condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConditionField {
    /// `host-header`.
    HostHeader,
    /// `path-pattern`.
    PathPattern,
    /// `http-header`.
    HttpHeader,
    /// `http-request-method`.
    HttpRequestMethod,
    /// `query-string`.
    QueryString,
    /// `source-ip`.
    SourceIp,
}

impl ConditionField {
    /// Every field with its AWS name, in the order AWS documents them: the one spelling
    /// table of condition fields.
    pub const ALL: [(&'static str, ConditionField); 6] = [
        ("host-header", ConditionField::HostHeader),
        ("http-header", ConditionField::HttpHeader),
        ("http-request-method", ConditionField::HttpRequestMethod),
        ("path-pattern", ConditionField::PathPattern),
        ("query-string", ConditionField::QueryString),
        ("source-ip", ConditionField::SourceIp),
    ];

    /// AWS's name, e.g. `host-header`.
    pub fn aws_name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, field)| *field == self)
            .map_or("host-header", |(name, _)| name)
    }

    /// The field AWS calls `name` (exact spelling).
    pub fn from_aws_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(spelled, _)| *spelled == name)
            .map(|(_, field)| *field)
    }
}

impl Condition {
    /// The kind of condition.
    pub fn kind(&self) -> ConditionField {
        match self {
            Condition::HostHeader(_) => ConditionField::HostHeader,
            Condition::PathPattern(_) => ConditionField::PathPattern,
            Condition::HttpHeader { .. } => ConditionField::HttpHeader,
            Condition::HttpRequestMethod(_) => ConditionField::HttpRequestMethod,
            Condition::QueryString(_) => ConditionField::QueryString,
            Condition::SourceIp(_) => ConditionField::SourceIp,
        }
    }

    /// The condition's AWS field name, e.g. `host-header`.
    pub fn field(&self) -> &'static str {
        self.kind().aws_name()
    }

    /// Whether a rule may hold this condition only once (AWS: host-header, method,
    /// path-pattern and source-ip).
    pub(crate) fn at_most_once(&self) -> bool {
        !matches!(
            self,
            Condition::HttpHeader { .. } | Condition::QueryString(_)
        )
    }

    /// How many values (match evaluations) the condition holds.
    pub(crate) fn values(&self) -> usize {
        match self {
            Condition::HostHeader(v)
            | Condition::PathPattern(v)
            | Condition::HttpRequestMethod(v) => v.len(),
            Condition::HttpHeader { values, .. } => values.len(),
            Condition::QueryString(pairs) => pairs.len(),
            Condition::SourceIp(blocks) => blocks.len(),
        }
    }

    /// How many wildcards the condition's patterns hold.
    pub(crate) fn wildcards(&self) -> usize {
        let count = |values: &[String]| values.iter().map(|v| wildcards(v)).sum();
        match self {
            Condition::HostHeader(v) | Condition::PathPattern(v) => count(v),
            Condition::HttpHeader { values, .. } => count(values),
            Condition::QueryString(pairs) => pairs
                .iter()
                .map(|pair| wildcards(&pair.value) + pair.key.as_deref().map_or(0, wildcards))
                .sum(),
            Condition::HttpRequestMethod(_) | Condition::SourceIp(_) => 0,
        }
    }

    /// The first value AWS would refuse, and why.
    pub(crate) fn bad_value(&self) -> Option<(String, BadValue)> {
        let first = |values: &[String], bad: &dyn Fn(&str) -> Option<BadValue>| {
            values
                .iter()
                .find_map(|v| bad(v).map(|why| (v.clone(), why)))
        };
        let empty = |v: &str| v.is_empty().then_some(BadValue::Empty);
        match self {
            Condition::HostHeader(v) => first(v, &|v| {
                empty(v).or_else(|| (!v.contains('.')).then_some(BadValue::HostWithoutDot))
            }),
            Condition::PathPattern(v) | Condition::HttpRequestMethod(v) => first(v, &empty),
            Condition::HttpHeader { name, values } => {
                if HeaderName::from_bytes(name.as_bytes()).is_err() {
                    Some((name.clone(), BadValue::HeaderName))
                } else {
                    first(values, &empty)
                }
            }
            Condition::QueryString(pairs) => pairs
                .iter()
                .find(|pair| pair.value.is_empty())
                .map(|pair| (pair.value.clone(), BadValue::Empty)),
            Condition::SourceIp(_) => None,
        }
    }

    /// Whether `request` meets this condition: any one of its values matches.
    pub fn matches(&self, request: &RequestView<'_>) -> bool {
        match self {
            Condition::HostHeader(patterns) => request.host.is_some_and(|host| {
                let host = host_without_port(host);
                patterns.iter().any(|p| wildcard_match(p, host, true))
            }),
            Condition::PathPattern(patterns) => patterns
                .iter()
                .any(|p| wildcard_match(p, request.path, false)),
            Condition::HttpHeader { name, values } => {
                request.headers.get_all(name.as_str()).iter().any(|value| {
                    let value = String::from_utf8_lossy(value.as_bytes());
                    values.iter().any(|p| wildcard_match(p, &value, true))
                })
            }
            Condition::HttpRequestMethod(methods) => methods.iter().any(|m| m == request.method),
            Condition::QueryString(pairs) => {
                let query = request.query.unwrap_or("");
                query
                    .split('&')
                    .filter(|part| !part.is_empty())
                    .any(|part| {
                        let (key, value) = part.split_once('=').unwrap_or((part, ""));
                        pairs.iter().any(|pair| {
                            pair.key
                                .as_deref()
                                .is_none_or(|k| wildcard_match(k, key, true))
                                && wildcard_match(&pair.value, value, true)
                        })
                    })
            }
            Condition::SourceIp(blocks) => blocks.iter().any(|b| b.contains(request.source)),
        }
    }
}

/// `host` without a trailing `:port` (an IPv6 literal keeps its brackets): what a
/// `host-header` condition and a redirect's `#{host}` see of a `Host` header.
pub fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// An address block in CIDR notation, e.g. `10.0.0.0/8` or `2001:db8::/32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpCidr {
    network: IpAddr,
    prefix: u8,
}

/// A `source-ip` value that is not an address block in CIDR notation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not an address block in CIDR notation (like 10.0.0.0/8 or 2001:db8::/32)")]
pub struct InvalidCidr {
    /// The text as given.
    pub text: String,
}

impl IpCidr {
    /// The block of `prefix` leading bits of `network`, or `None` when the prefix is longer
    /// than the address.
    pub fn new(network: IpAddr, prefix: u8) -> Option<Self> {
        let bits = if network.is_ipv4() { 32 } else { 128 };
        (prefix <= bits).then_some(IpCidr { network, prefix })
    }

    /// Whether `ip` is in the block. An IPv4-mapped IPv6 address counts as its IPv4 address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => leading_bits_equal(
                u128::from(u32::from(net)) << 96,
                u128::from(u32::from(ip)) << 96,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                leading_bits_equal(u128::from(net), u128::from(ip), self.prefix)
            }
            _ => false,
        }
    }
}

/// Whether the first `prefix` bits of `a` and `b` are equal.
fn leading_bits_equal(a: u128, b: u128, prefix: u8) -> bool {
    prefix == 0 || (a ^ b) >> (128 - u32::from(prefix)) == 0
}

impl FromStr for IpCidr {
    type Err = InvalidCidr;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidCidr {
            text: text.to_owned(),
        };
        let (addr, prefix) = text.split_once('/').ok_or_else(invalid)?;
        let network: IpAddr = addr.parse().map_err(|_| invalid())?;
        let prefix: u8 = prefix.parse().map_err(|_| invalid())?;
        IpCidr::new(network, prefix).ok_or_else(invalid)
    }
}

impl fmt::Display for IpCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use http::header::HeaderValue;

    use super::*;

    fn request<'a>(
        headers: &'a HeaderMap,
        line: &'a str,
        host: Option<&'a str>,
    ) -> RequestView<'a> {
        let (method, target) = line.split_once(' ').unwrap();
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (target, None),
        };
        RequestView {
            method,
            host,
            path,
            query,
            headers,
            source: "10.1.2.3".parse().unwrap(),
        }
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn conditions_match_as_aws_documents() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "user-agent",
            HeaderValue::from_static("Mozilla/5.0 (iPhone)"),
        );
        headers.append("x-env", HeaderValue::from_static("prod"));
        headers.append("x-env", HeaderValue::from_static("Canary"));
        let host = |v: &[&str]| Condition::HostHeader(strings(v));
        let path = |v: &[&str]| Condition::PathPattern(strings(v));
        let method = |v: &[&str]| Condition::HttpRequestMethod(strings(v));
        let header = |name: &str, v: &[&str]| Condition::HttpHeader {
            name: name.to_owned(),
            values: strings(v),
        };
        let query = |pairs: &[(Option<&str>, &str)]| {
            Condition::QueryString(
                pairs
                    .iter()
                    .map(|(key, value)| QueryPair {
                        key: key.map(str::to_owned),
                        value: (*value).to_owned(),
                    })
                    .collect(),
            )
        };
        let source =
            |v: &[&str]| Condition::SourceIp(v.iter().map(|b| b.parse().unwrap()).collect());
        // (condition, request line, Host, matches)
        let cases: Vec<(Condition, &str, Option<&str>, bool)> = vec![
            (
                host(&["api.example.com"]),
                "GET /",
                Some("api.example.com"),
                true,
            ),
            (
                host(&["api.example.com"]),
                "GET /",
                Some("API.Example.COM"),
                true,
            ),
            (
                host(&["api.example.com"]),
                "GET /",
                Some("api.example.com:443"),
                true,
            ),
            (
                host(&["api.example.com"]),
                "GET /",
                Some("www.example.com"),
                false,
            ),
            (host(&["api.example.com"]), "GET /", None, false),
            (
                host(&["*.example.com"]),
                "GET /",
                Some("a.example.com"),
                true,
            ),
            (
                host(&["*.example.com"]),
                "GET /",
                Some("example.com"),
                false,
            ),
            (
                host(&["www.example.com", "*.example.org"]),
                "GET /",
                Some("x.example.org"),
                true,
            ),
            (path(&["/img/*"]), "GET /img/logo.png", None, true),
            (path(&["/img/*"]), "GET /IMG/logo.png", None, false),
            (path(&["/img/*"]), "GET /static/img/logo.png", None, false),
            (path(&["/api"]), "GET /api?x=1", None, true),
            (path(&["*.png"]), "GET /a/b.png?size=2", None, true),
            (path(&["/a?c"]), "GET /abc", None, true),
            (method(&["GET", "HEAD"]), "HEAD /", None, true),
            (method(&["GET"]), "get /", None, false),
            (method(&["G*"]), "GET /", None, false),
            (header("User-Agent", &["*iPhone*"]), "GET /", None, true),
            (header("user-agent", &["*android*"]), "GET /", None, false),
            (header("x-env", &["canary"]), "GET /", None, true),
            (header("x-missing", &["*"]), "GET /", None, false),
            (
                query(&[(Some("version"), "v1")]),
                "GET /?version=v1",
                None,
                true,
            ),
            (
                query(&[(Some("version"), "v1")]),
                "GET /?a=b&VERSION=V1",
                None,
                true,
            ),
            (
                query(&[(Some("version"), "v1")]),
                "GET /?version=v2",
                None,
                false,
            ),
            (query(&[(None, "v1")]), "GET /?anything=v1", None, true),
            (query(&[(Some("v*"), "*")]), "GET /?vx=", None, true),
            (query(&[(Some("version"), "v1")]), "GET /", None, false),
            (query(&[(Some("q"), "a%20b")]), "GET /?q=a%20b", None, true),
            (query(&[(Some("q"), "a b")]), "GET /?q=a%20b", None, false),
            (source(&["10.0.0.0/8"]), "GET /", None, true),
            (
                source(&["192.168.0.0/16", "10.1.2.3/32"]),
                "GET /",
                None,
                true,
            ),
            (source(&["192.168.0.0/16"]), "GET /", None, false),
            (source(&["::/0"]), "GET /", None, false),
        ];
        for (condition, line, host, expected) in cases {
            let view = request(&headers, line, host);
            assert_eq!(
                condition.matches(&view),
                expected,
                "{condition:?} on {line:?} Host {host:?}"
            );
        }
    }

    #[test]
    fn hosts_lose_their_port_only() {
        assert_eq!(host_without_port("a.example.com:8443"), "a.example.com");
        assert_eq!(host_without_port("a.example.com"), "a.example.com");
        assert_eq!(host_without_port("a.example.com:"), "a.example.com:");
        assert_eq!(host_without_port("[::1]:443"), "[::1]");
        assert_eq!(host_without_port("[::1]"), "[::1]");
    }

    #[test]
    fn address_blocks_parse_and_contain() {
        let block: IpCidr = "10.0.0.0/8".parse().unwrap();
        assert!(block.contains("10.255.0.1".parse().unwrap()));
        assert!(block.contains("::ffff:10.0.0.1".parse().unwrap()));
        assert!(!block.contains("11.0.0.1".parse().unwrap()));
        let all: IpCidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("203.0.113.9".parse().unwrap()));
        let v6: IpCidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains("2001:db8:1::1".parse().unwrap()));
        assert!(!v6.contains("2001:db9::1".parse().unwrap()));
        assert_eq!(block.to_string(), "10.0.0.0/8");
        for bad in ["10.0.0.0", "10.0.0.0/33", "::/129", "ten/8", "10.0.0.0/x"] {
            assert_eq!(
                bad.parse::<IpCidr>(),
                Err(InvalidCidr {
                    text: bad.to_owned()
                })
            );
        }
    }

    #[test]
    fn refused_values_are_named() {
        let host = Condition::HostHeader(strings(&["example"]));
        assert_eq!(
            host.bad_value(),
            Some(("example".to_owned(), BadValue::HostWithoutDot))
        );
        let header = Condition::HttpHeader {
            name: "bad header".to_owned(),
            values: strings(&["x"]),
        };
        assert_eq!(
            header.bad_value(),
            Some(("bad header".to_owned(), BadValue::HeaderName))
        );
        assert_eq!(
            Condition::PathPattern(strings(&[""])).bad_value(),
            Some((String::new(), BadValue::Empty))
        );
        assert_eq!(Condition::PathPattern(strings(&["/a"])).bad_value(), None);
    }
}
