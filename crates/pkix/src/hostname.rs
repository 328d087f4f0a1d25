//! Apache HttpClient 4.5's `DefaultHostnameVerifier`, which API Gateway's client runs on the
//! leaf once the chain is trusted.
//!
//! Rules, from the Apache source:
//! - The host is an IPv4 literal, an IPv6 literal (brackets allowed), or a DNS name.
//! - If the leaf has any dNSName or iPAddress subjectAltName, an IP host must equal one of the
//!   iPAddress entries and a DNS host must match one of the dNSName entries; the CN is ignored.
//!   Only when the leaf has neither does the host get compared with the most specific CN.
//! - The list is the one the JDK's certificate object holds after path validation: when a CA
//!   above the leaf has name constraints, the JDK adds the leaf's common name to it (as a DNS
//!   name when there was none, or as an IP address), so a leaf whose only SANs are IP
//!   addresses can then match a DNS host by its CN.
//! - DNS matching is case-insensitive. A `*` matches a possibly empty run of characters
//!   without a dot (`*.example.com`, `api*.example.com`). A trailing dot is not ignored
//!   (Apache does not strip it).
//! - For a host with a dot, the name must first fall under the identity's "domain root" by
//!   Apache's public suffix matcher: walking the identity label by label, the part just left
//!   of the first public suffix found (`*.co.uk` has root `*.co.uk` itself, so `foo.co.uk`
//!   never matches it), or the suffix itself when it is a private one (`*.github.io` has root
//!   `github.io`), or the last label when no suffix is known (`*.internal` has root
//!   `internal`). The `psl` crate supplies the list.
//! - A wildcard whose text before and after the `*` overlaps in the host (`a.*.b` for `a.b`)
//!   makes Apache take a substring that does not exist, and an IPv4-mapped IPv6 common name
//!   the JDK added to the list makes reading the list fail: the request then fails with the
//!   Java exception (`SSLException` around it) instead of a mismatch.

use std::net::IpAddr;

use serde::Serialize;

use crate::chain::{AltName, Cert};

/// What the hostname verifier compared and whether it matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostnameCheck {
    /// The integration URI host, as given.
    pub host: String,
    /// How the host was read.
    pub host_kind: HostKind,
    /// The certificate names it was compared with.
    pub compared: Compared,
    /// The certificate name that matched, if any.
    pub matched: Option<String>,
}

/// How the verifier reads a host string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HostKind {
    /// A DNS name.
    Dns,
    /// An IPv4 literal.
    Ipv4,
    /// An IPv6 literal, with or without brackets.
    Ipv6,
}

/// The certificate names a host was compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "names", rename_all = "snake_case")]
pub enum Compared {
    /// The dNSName subjectAltNames (used for a DNS host when the leaf has SANs).
    DnsNames(Vec<String>),
    /// The iPAddress subjectAltNames (used for an IP host when the leaf has SANs).
    IpAddresses(Vec<String>),
    /// The most specific common name, used only when the leaf has no DNS or IP SANs.
    CommonName(Option<String>),
}

impl HostnameCheck {
    /// One sentence for reports.
    pub fn line(&self) -> String {
        let host = &self.host;
        if let Some(name) = &self.matched {
            let what = match self.compared {
                Compared::DnsNames(_) => "DNS name",
                Compared::IpAddresses(_) => "IP address",
                Compared::CommonName(_) => "common name",
            };
            return format!("Host name '{host}' matches the certificate's {what} '{name}'.");
        }
        match &self.compared {
            Compared::DnsNames(names) if names.is_empty() => format!(
                "Host name '{host}' does not match: the certificate has IP address SANs but no \
                 DNS names, and its common name is ignored when it has SANs."
            ),
            Compared::DnsNames(names) => format!(
                "Host name '{host}' matches none of the certificate's DNS names [{}] (its \
                 common name is ignored because it has SANs).",
                names.join(", ")
            ),
            Compared::IpAddresses(ips) if ips.is_empty() => format!(
                "Host '{host}' is an IP address but the certificate has no IP address SANs \
                 (only DNS names, which an IP host is never compared with)."
            ),
            Compared::IpAddresses(ips) => format!(
                "Host '{host}' matches none of the certificate's IP address SANs [{}].",
                ips.join(", ")
            ),
            Compared::CommonName(Some(cn)) => format!(
                "The certificate has no DNS or IP SANs, so host name '{host}' was compared with \
                 its common name '{cn}', which does not match."
            ),
            Compared::CommonName(None) => format!(
                "The certificate has no SANs and no common name, so nothing can match host name \
                 '{host}'."
            ),
        }
    }
}

/// Runs the verifier for `host` on `leaf`; `Err` is the message of an exception Apache's
/// verifier throws instead of answering.
pub(crate) fn verify(host: &str, leaf: &Cert<'_>) -> Result<HostnameCheck, VerifierException> {
    let (host_kind, ip) = classify(host);
    if leaf.alt_names_throw() {
        return Err(VerifierException::MappedCommonName);
    }
    let alt_names = leaf.alt_names();
    let ips: Vec<IpAddr> = alt_names
        .iter()
        .filter_map(|n| match n {
            AltName::Ip(ip) => Some(*ip),
            AltName::Dns(_) => None,
        })
        .collect();
    let dns: Vec<String> = alt_names
        .into_iter()
        .filter_map(|n| match n {
            AltName::Dns(name) => Some(name),
            AltName::Ip(_) => None,
        })
        .collect();
    let (compared, matched) = match ip {
        _ if ips.is_empty() && dns.is_empty() => {
            let cn = leaf.common_name();
            let matched = match &cn {
                Some(cn) if identity_matches(host, cn)? => Some(cn.clone()),
                _ => None,
            };
            (Compared::CommonName(cn), matched)
        }
        Some(ip) => {
            let matched = ips
                .iter()
                .find(|san| normalise(**san) == normalise(ip))
                .map(|san| san.to_string());
            (
                Compared::IpAddresses(ips.iter().map(IpAddr::to_string).collect()),
                matched,
            )
        }
        None => {
            let mut matched = None;
            for san in &dns {
                if identity_matches(host, san)? {
                    matched = Some(san.clone());
                    break;
                }
            }
            (Compared::DnsNames(dns), matched)
        }
    };
    Ok(HostnameCheck {
        host: host.to_owned(),
        host_kind,
        compared,
        matched,
    })
}

/// Reads the host as Apache does: IPv4 first, then IPv6 with optional brackets, else DNS.
fn classify(host: &str) -> (HostKind, Option<IpAddr>) {
    if let Ok(v4) = host.parse::<std::net::Ipv4Addr>() {
        return (HostKind::Ipv4, Some(IpAddr::V4(v4)));
    }
    let inner = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match inner.parse::<std::net::Ipv6Addr>() {
        Ok(v6) => (HostKind::Ipv6, Some(IpAddr::V6(v6))),
        Err(_) => (HostKind::Dns, None),
    }
}

/// Java's `InetAddress.getByName` turns an IPv4-mapped IPv6 address into the IPv4 one.
fn normalise(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// A runtime exception out of Apache's verifier; it displays as `Throwable.toString()`, the
/// message of the `SSLException` the request then fails with (measured with the oracle's
/// handshake mode).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum VerifierException {
    /// A wildcard whose prefix and suffix overlap in the host: a substring that does not exist.
    #[error("java.lang.StringIndexOutOfBoundsException: begin {begin}, end {end}, length {length}")]
    OverlappingWildcard {
        /// Where the substring would begin.
        begin: usize,
        /// Where it would end.
        end: usize,
        /// The host's length in UTF-16 code units, as Java counts it.
        length: usize,
    },
    /// Reading the leaf's subjectAltNames fails (see `Cert::alt_names_throw`).
    #[error(
        "java.lang.ArrayIndexOutOfBoundsException: arraycopy: last source index 16 out of bounds for byte[4]"
    )]
    MappedCommonName,
}

/// Apache's `matchIdentityStrict` on lower-cased strings, with the public-suffix guard; `Err`
/// is the `StringIndexOutOfBoundsException` message when the wildcard's prefix and suffix
/// overlap in the host.
fn identity_matches(host: &str, identity: &str) -> Result<bool, VerifierException> {
    let host = host.to_lowercase();
    let identity = identity.to_lowercase();
    if host.contains('.') && !domain_root(&identity).is_some_and(|root| in_domain(&host, &root)) {
        return Ok(false);
    }
    let Some(star) = identity.find('*') else {
        return Ok(host == identity);
    };
    let (prefix, suffix) = (&identity[..star], &identity[star + 1..]);
    if !host.starts_with(prefix) || !host.ends_with(suffix) {
        return Ok(false);
    }
    let (begin, end) = (prefix.len(), host.len() - suffix.len());
    if begin > end {
        return Err(VerifierException::OverlappingWildcard {
            begin,
            end,
            length: host.encode_utf16().count(),
        });
    }
    Ok(!host[begin..end].contains('.'))
}

/// Apache's `PublicSuffixMatcher.getDomainRoot(identity, null)`: walking from the whole name
/// towards its last label, the name seen just before the first public suffix (or that suffix
/// itself when it is a private one); the last label when no suffix is known; nothing for a
/// name starting with a dot.
fn domain_root(identity: &str) -> Option<String> {
    if identity.starts_with('.') {
        return None;
    }
    let mut root: Option<&str> = None;
    let mut segment = Some(identity);
    while let Some(current) = segment {
        match public_suffix_type(current) {
            Some(psl::Type::Private) => return Some(current.to_owned()),
            Some(psl::Type::Icann) => return root.map(str::to_owned),
            None => {}
        }
        root = Some(current);
        segment = current.split_once('.').map(|(_, rest)| rest);
    }
    root.map(str::to_owned)
}

/// Whether `name` is itself a public suffix the list knows (by a rule or a wildcard rule),
/// and of which kind.
fn public_suffix_type(name: &str) -> Option<psl::Type> {
    let suffix = psl::suffix(name.as_bytes())?;
    (suffix.is_known() && suffix.as_bytes() == name.as_bytes()).then(|| suffix.typ())?
}

/// Whether `name` is `domain` or a name under it (ends in `.` + `domain`); both lower-cased.
pub(crate) fn in_domain(name: &str, domain: &str) -> bool {
    name == domain
        || name
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::identity_matches;

    #[test]
    fn apache_identity_matching() {
        let cases = [
            ("api.example.com", "api.example.com", true),
            ("API.Example.COM", "api.example.com", true),
            ("api.example.com", "*.example.com", true),
            ("a.b.example.com", "*.example.com", false),
            ("example.com", "*.example.com", false),
            ("foo.com", "*.com", false),
            ("foo.co.uk", "*.co.uk", false),
            ("shop.github.io", "*.github.io", true),
            ("api1.example.com", "api*.example.com", true),
            ("web.example.com", "api*.example.com", false),
            ("example.com.", "example.com", false),
            ("localhost", "localhost", true),
            ("www.foo.example.com", "www.*.example.com", true),
        ];
        // Apache takes the text between the wildcard's prefix and suffix even when they overlap.
        assert_eq!(
            identity_matches("a", "a*a").map_err(|e| e.to_string()),
            Err("java.lang.StringIndexOutOfBoundsException: begin 1, end 0, length 1".to_owned())
        );
        for (host, identity, want) in cases {
            assert_eq!(
                identity_matches(host, identity),
                Ok(want),
                "{host} vs {identity}"
            );
        }
    }
}
