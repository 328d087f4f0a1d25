//! Apache HttpClient 4.5's `DefaultHostnameVerifier`, which API Gateway's client runs on the
//! leaf once the chain is trusted.
//!
//! Rules, from the Apache source:
//! - The host is an IPv4 literal, an IPv6 literal (brackets allowed), or a DNS name.
//! - If the leaf has any dNSName or iPAddress subjectAltName, an IP host must equal one of the
//!   iPAddress entries and a DNS host must match one of the dNSName entries; the CN is ignored.
//! - Only when the leaf has neither does the host get compared with the most specific CN.
//! - DNS matching is case-insensitive. A `*` matches a possibly empty run of characters
//!   without a dot (`*.example.com`, `api*.example.com`), and Apache's public-suffix guard is
//!   modelled by treating every public suffix as one label: `*.com` or `*.internal` match
//!   nothing. A trailing dot is not ignored (Apache does not strip it).

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

/// Runs the verifier for `host` on `leaf`.
pub(crate) fn verify(host: &str, leaf: &Cert<'_>) -> HostnameCheck {
    let (host_kind, ip) = classify(host);
    let alt_names = leaf.alt_names();
    let (compared, matched) = if alt_names.is_empty() {
        let cn = leaf.common_name();
        let matched = cn.as_ref().filter(|cn| identity_matches(host, cn)).cloned();
        (Compared::CommonName(cn), matched)
    } else if let Some(ip) = ip {
        let ips: Vec<IpAddr> = alt_names
            .iter()
            .filter_map(|n| match n {
                AltName::Ip(ip) => Some(*ip),
                AltName::Dns(_) => None,
            })
            .collect();
        let matched = ips
            .iter()
            .find(|san| normalise(**san) == normalise(ip))
            .map(|san| san.to_string());
        (
            Compared::IpAddresses(ips.iter().map(IpAddr::to_string).collect()),
            matched,
        )
    } else {
        let dns: Vec<String> = alt_names
            .into_iter()
            .filter_map(|n| match n {
                AltName::Dns(name) => Some(name),
                AltName::Ip(_) => None,
            })
            .collect();
        let matched = dns.iter().find(|san| identity_matches(host, san)).cloned();
        (Compared::DnsNames(dns), matched)
    };
    HostnameCheck {
        host: host.to_owned(),
        host_kind,
        compared,
        matched,
    }
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

/// Apache's `matchIdentityStrict` on lower-cased strings, with the public-suffix guard.
fn identity_matches(host: &str, identity: &str) -> bool {
    let host = host.to_lowercase();
    let identity = identity.to_lowercase();
    if host.contains('.') && !within_domain_root(&host, &identity) {
        return false;
    }
    let Some(star) = identity.find('*') else {
        return host == identity;
    };
    let (prefix, suffix) = (&identity[..star], &identity[star + 1..]);
    if host.len() < prefix.len() + suffix.len()
        || !host.starts_with(prefix)
        || !host.ends_with(suffix)
    {
        return false;
    }
    !host[prefix.len()..host.len() - suffix.len()].contains('.')
}

/// Apache's `matchDomainRoot(host, publicSuffixMatcher.getDomainRoot(identity))`, with every
/// public suffix taken to be a single label: the identity's domain root is its last two labels,
/// and the host must be that root or end in `.` + root.
fn within_domain_root(host: &str, identity: &str) -> bool {
    let mut labels = identity.rsplitn(3, '.');
    let (Some(tld), Some(second)) = (labels.next(), labels.next()) else {
        return false;
    };
    in_domain(host, &format!("{second}.{tld}"))
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
            ("foo.internal", "*.internal", false),
            ("api1.example.com", "api*.example.com", true),
            ("web.example.com", "api*.example.com", false),
            ("example.com.", "example.com", false),
            ("localhost", "localhost", true),
            ("a", "a*a", false),
            ("www.foo.example.com", "www.*.example.com", true),
        ];
        for (host, identity, want) in cases {
            assert_eq!(
                identity_matches(host, identity),
                want,
                "{host} vs {identity}"
            );
        }
    }
}
