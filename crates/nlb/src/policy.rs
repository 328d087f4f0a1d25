//! Which TLS versions an AWS security policy allows, as far as rustls can serve them.
//!
//! rustls implements TLS 1.2 and 1.3 only, so the policies that also allow TLS 1.0 and 1.1
//! (`ELBSecurityPolicy-TLS13-1-0-2021-06`, `ELBSecurityPolicy-2016-08`) are served with their
//! 1.2-and-up part: a client that only speaks 1.0 or 1.1 fails here where AWS would let it in.
//! Cipher-suite restrictions (e.g. the four ECDHE AES-GCM suites of
//! `ELBSecurityPolicy-FS-1-2-Res-2020-10`) are not modelled; rustls' defaults are used.

use rustls::SupportedProtocolVersion;
use rustls::version::{TLS12, TLS13};

static TLS12_AND_TLS13: &[&SupportedProtocolVersion] = &[&TLS13, &TLS12];
static TLS13_ONLY: &[&SupportedProtocolVersion] = &[&TLS13];
static TLS12_ONLY: &[&SupportedProtocolVersion] = &[&TLS12];

/// The security policy names this simulator knows, in the order AWS documents them.
pub const SECURITY_POLICIES: [&str; 5] = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-0-2021-06",
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
];

/// The TLS versions a TLS listener with `security_policy` accepts from clients, or `None` for
/// a policy this simulator does not know.
///
/// | policy | AWS allows | served here |
/// |---|---|---|
/// | `ELBSecurityPolicy-TLS13-1-2-2021-06` | 1.2, 1.3 | 1.2, 1.3 |
/// | `ELBSecurityPolicy-TLS13-1-3-2021-06` | 1.3 | 1.3 |
/// | `ELBSecurityPolicy-TLS13-1-0-2021-06` | 1.0 – 1.3 | 1.2, 1.3 |
/// | `ELBSecurityPolicy-2016-08` | 1.0 – 1.2 | 1.2 |
/// | `ELBSecurityPolicy-FS-1-2-Res-2020-10` | 1.2 | 1.2 |
pub fn tls_versions(security_policy: &str) -> Option<&'static [&'static SupportedProtocolVersion]> {
    match security_policy {
        "ELBSecurityPolicy-TLS13-1-2-2021-06" | "ELBSecurityPolicy-TLS13-1-0-2021-06" => {
            Some(TLS12_AND_TLS13)
        }
        "ELBSecurityPolicy-TLS13-1-3-2021-06" => Some(TLS13_ONLY),
        "ELBSecurityPolicy-2016-08" | "ELBSecurityPolicy-FS-1-2-Res-2020-10" => Some(TLS12_ONLY),
        _ => None,
    }
}

/// The TLS versions a TLS listener with `security_policy` offers to the targets of a TLS
/// target group, or `None` for a policy this simulator does not know.
///
/// AWS: "when the listener uses a TLS 1.3 policy, backend connections use
/// `ELBSecurityPolicy-TLS13-1-0-2021-06`; otherwise `ELBSecurityPolicy-2016-08`", which are
/// served here as TLS 1.2 and 1.3, and TLS 1.2 only.
pub fn backend_tls_versions(
    security_policy: &str,
) -> Option<&'static [&'static SupportedProtocolVersion]> {
    tls_versions(security_policy)?;
    if security_policy.starts_with("ELBSecurityPolicy-TLS13-") {
        tls_versions("ELBSecurityPolicy-TLS13-1-0-2021-06")
    } else {
        tls_versions("ELBSecurityPolicy-2016-08")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(list: &[&SupportedProtocolVersion]) -> Vec<rustls::ProtocolVersion> {
        let mut versions: Vec<_> = list.iter().map(|v| v.version).collect();
        versions.sort_by_key(|v| u16::from(*v));
        versions
    }

    #[test]
    fn every_known_policy_has_versions_for_both_sides() {
        for policy in SECURITY_POLICIES {
            assert!(tls_versions(policy).is_some(), "{policy}");
            assert!(backend_tls_versions(policy).is_some(), "{policy}");
        }
        assert!(tls_versions("ELBSecurityPolicy-Custom").is_none());
        assert!(backend_tls_versions("ELBSecurityPolicy-Custom").is_none());
    }

    #[test]
    fn policies_map_to_the_documented_versions() {
        use rustls::ProtocolVersion::{TLSv1_2, TLSv1_3};
        let front = |p| versions(tls_versions(p).unwrap());
        assert_eq!(
            front("ELBSecurityPolicy-TLS13-1-2-2021-06"),
            [TLSv1_2, TLSv1_3]
        );
        assert_eq!(front("ELBSecurityPolicy-TLS13-1-3-2021-06"), [TLSv1_3]);
        assert_eq!(
            front("ELBSecurityPolicy-TLS13-1-0-2021-06"),
            [TLSv1_2, TLSv1_3]
        );
        assert_eq!(front("ELBSecurityPolicy-2016-08"), [TLSv1_2]);
        assert_eq!(front("ELBSecurityPolicy-FS-1-2-Res-2020-10"), [TLSv1_2]);

        let back = |p| versions(backend_tls_versions(p).unwrap());
        assert_eq!(
            back("ELBSecurityPolicy-TLS13-1-3-2021-06"),
            [TLSv1_2, TLSv1_3]
        );
        assert_eq!(
            back("ELBSecurityPolicy-TLS13-1-2-2021-06"),
            [TLSv1_2, TLSv1_3]
        );
        assert_eq!(back("ELBSecurityPolicy-2016-08"), [TLSv1_2]);
        assert_eq!(back("ELBSecurityPolicy-FS-1-2-Res-2020-10"), [TLSv1_2]);
    }
}
