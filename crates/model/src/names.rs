//! Names: the SNI API Gateway sends, the NLB's certificate choice by SNI, and Apache's
//! hostname verifier.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::cert::Facts;

/// The SNI API Gateway sends for a URI host: none for an IP address, nor for a name TLS
/// cannot carry (then the NLB serves its default certificate).
pub(crate) fn sni_for(host: &str) -> Option<String> {
    if host.parse::<IpAddr>().is_ok() {
        return None;
    }
    rustls::pki_types::DnsName::try_from(host)
        .ok()
        .map(|_| host.to_owned())
}

/// Whether a listener certificate's DNS name `pattern` covers the SNI `name`, as the NLB
/// chooses: case-insensitive, a trailing dot ignored, and `*.` standing for exactly one
/// left-most label.
pub(crate) fn sni_matches(pattern: &str, name: &str) -> bool {
    let pattern = pattern.strip_suffix('.').unwrap_or(pattern);
    let name = name.strip_suffix('.').unwrap_or(name);
    if pattern.is_empty() || name.is_empty() {
        return false;
    }
    let Some(parent) = pattern.strip_prefix("*.") else {
        return pattern.eq_ignore_ascii_case(name);
    };
    match name.split_once('.') {
        Some((label, rest)) => {
            !label.is_empty() && !parent.is_empty() && rest.eq_ignore_ascii_case(parent)
        }
        None => false,
    }
}

/// Which certificate names the hostname verifier compared the host with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Compared {
    /// The DNS SANs (the leaf has SANs and the host is a name).
    DnsNames(Vec<String>),
    /// The IP SANs (the leaf has SANs and the host is an address).
    IpAddresses(Vec<String>),
    /// The common name (the leaf has no DNS or IP SAN).
    CommonName(Option<String>),
}

/// What the hostname verifier did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostCheck {
    pub(crate) compared: Compared,
    pub(crate) matched: Option<String>,
}

/// Apache HttpClient's `DefaultHostnameVerifier` on `leaf` for `host`.
///
/// SANs win over the common name whenever any DNS or IP SAN exists; an IP host is compared
/// with IP SANs only, a DNS host with DNS SANs only.
pub(crate) fn apache_verify(host: &str, leaf: &Facts<'_>) -> HostCheck {
    let ip = host_ip(host);
    if leaf.dns_names.is_empty() && leaf.ip_addresses.is_empty() {
        let cn = leaf.subject.map(str::to_owned);
        let matched = cn.clone().filter(|cn| identity_matches(host, cn));
        return HostCheck {
            compared: Compared::CommonName(cn),
            matched,
        };
    }
    match ip {
        Some(ip) => {
            let matched = leaf
                .ip_addresses
                .iter()
                .find(|san| unmapped(**san) == unmapped(ip))
                .map(IpAddr::to_string);
            HostCheck {
                compared: Compared::IpAddresses(
                    leaf.ip_addresses.iter().map(IpAddr::to_string).collect(),
                ),
                matched,
            }
        }
        None => {
            let matched = leaf
                .dns_names
                .iter()
                .find(|san| identity_matches(host, san))
                .cloned();
            HostCheck {
                compared: Compared::DnsNames(leaf.dns_names.to_vec()),
                matched,
            }
        }
    }
}

/// The host as an address: IPv4 first, then IPv6 with or without brackets.
fn host_ip(host: &str) -> Option<IpAddr> {
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return Some(IpAddr::V4(v4));
    }
    let inner = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    inner.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
}

/// Java turns an IPv4-mapped IPv6 address into the IPv4 one.
fn unmapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Apache's strict identity match: case-insensitive; a `*` stands for a run of characters
/// without a dot; the host must lie under the identity's domain root (its last two labels,
/// every public suffix being taken as one label), so `*.com` matches nothing. A trailing dot
/// is not ignored.
fn identity_matches(host: &str, identity: &str) -> bool {
    let host = host.to_lowercase();
    let identity = identity.to_lowercase();
    if host.contains('.') && !under_domain_root(&host, &identity) {
        return false;
    }
    let Some((prefix, suffix)) = identity.split_once('*') else {
        return host == identity;
    };
    host.len() >= prefix.len() + suffix.len()
        && host.starts_with(prefix)
        && host.ends_with(suffix)
        && !host[prefix.len()..host.len() - suffix.len()].contains('.')
}

/// Whether `host` is the identity's last two labels or ends in `.` followed by them.
fn under_domain_root(host: &str, identity: &str) -> bool {
    let labels: Vec<&str> = identity.rsplitn(3, '.').collect();
    let [tld, second, ..] = labels.as_slice() else {
        return false;
    };
    let root = format!("{second}.{tld}");
    host == root
        || host
            .strip_suffix(root.as_str())
            .is_some_and(|rest| rest.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apache_identities() {
        let cases = [
            ("api.example.com", "api.example.com", true),
            ("API.Example.COM", "api.example.com", true),
            ("api.example.com", "*.example.com", true),
            ("a.b.example.com", "*.example.com", false),
            ("example.com", "*.example.com", false),
            ("foo.com", "*.com", false),
            ("api1.example.com", "api*.example.com", true),
            ("example.com.", "example.com", false),
            ("localhost", "localhost", true),
            ("api.example.com", "localhost", false),
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

    #[test]
    fn sni_choice() {
        assert!(sni_matches("*.admin.example.com", "eu.admin.example.com"));
        assert!(!sni_matches("*.admin.example.com", "admin.example.com"));
        assert!(sni_matches("API.example.com.", "api.example.com"));
        assert!(!sni_matches("api*.example.com", "api1.example.com"));
        assert_eq!(sni_for("10.0.0.1"), None);
        assert_eq!(sni_for("::1"), None);
        assert_eq!(
            sni_for("api.example.com").as_deref(),
            Some("api.example.com")
        );
    }
}
