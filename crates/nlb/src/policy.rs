//! The security policies of TLS listeners, by their AWS names, and the TLS versions each
//! allows as far as rustls can serve them.
//!
//! rustls implements TLS 1.2 and 1.3 only, so the policies that also allow TLS 1.0 and 1.1
//! (`ELBSecurityPolicy-TLS13-1-0-2021-06`, `ELBSecurityPolicy-2016-08`) are served with their
//! 1.2-and-up part: a client that only speaks 1.0 or 1.1 fails here where AWS would let it in.
//! Cipher-suite restrictions (e.g. the four ECDHE AES-GCM suites of
//! `ELBSecurityPolicy-FS-1-2-Res-2020-10`) are not modelled; rustls' defaults are used.

use std::fmt;
use std::str::FromStr;

use rustls::SupportedProtocolVersion;
use rustls::version::{TLS12, TLS13};

use crate::NlbError;

static TLS12_AND_TLS13: &[&SupportedProtocolVersion] = &[&TLS13, &TLS12];
static TLS13_ONLY: &[&SupportedProtocolVersion] = &[&TLS13];
static TLS12_ONLY: &[&SupportedProtocolVersion] = &[&TLS12];

/// A TLS listener's security policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecurityPolicy {
    /// `ELBSecurityPolicy-TLS13-1-2-2021-06`: TLS 1.2 and 1.3 (the console's default).
    Tls13_1_2_2021_06,
    /// `ELBSecurityPolicy-TLS13-1-3-2021-06`: TLS 1.3 only.
    Tls13_1_3_2021_06,
    /// `ELBSecurityPolicy-TLS13-1-0-2021-06`: TLS 1.0 to 1.3.
    Tls13_1_0_2021_06,
    /// `ELBSecurityPolicy-2016-08`: TLS 1.0 to 1.2 (the CLI's default).
    Policy2016_08,
    /// `ELBSecurityPolicy-FS-1-2-Res-2020-10`: TLS 1.2 only.
    Fs1_2Res2020_10,
}

impl SecurityPolicy {
    /// Every policy this simulator knows with its AWS name, in the order AWS documents them:
    /// the one spelling table of the listener's policies.
    pub const ALL: [(&'static str, SecurityPolicy); 5] = [
        (
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            SecurityPolicy::Tls13_1_2_2021_06,
        ),
        (
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
            SecurityPolicy::Tls13_1_3_2021_06,
        ),
        (
            "ELBSecurityPolicy-TLS13-1-0-2021-06",
            SecurityPolicy::Tls13_1_0_2021_06,
        ),
        ("ELBSecurityPolicy-2016-08", SecurityPolicy::Policy2016_08),
        (
            "ELBSecurityPolicy-FS-1-2-Res-2020-10",
            SecurityPolicy::Fs1_2Res2020_10,
        ),
    ];

    /// The AWS name.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find_map(|&(name, policy)| (policy == self).then_some(name))
            .unwrap_or_default()
    }

    /// The TLS versions a TLS listener with this policy accepts from clients.
    ///
    /// | policy | AWS allows | served here |
    /// |---|---|---|
    /// | `ELBSecurityPolicy-TLS13-1-2-2021-06` | 1.2, 1.3 | 1.2, 1.3 |
    /// | `ELBSecurityPolicy-TLS13-1-3-2021-06` | 1.3 | 1.3 |
    /// | `ELBSecurityPolicy-TLS13-1-0-2021-06` | 1.0 – 1.3 | 1.2, 1.3 |
    /// | `ELBSecurityPolicy-2016-08` | 1.0 – 1.2 | 1.2 |
    /// | `ELBSecurityPolicy-FS-1-2-Res-2020-10` | 1.2 | 1.2 |
    pub fn tls_versions(self) -> &'static [&'static SupportedProtocolVersion] {
        match self {
            SecurityPolicy::Tls13_1_2_2021_06 | SecurityPolicy::Tls13_1_0_2021_06 => {
                TLS12_AND_TLS13
            }
            SecurityPolicy::Tls13_1_3_2021_06 => TLS13_ONLY,
            SecurityPolicy::Policy2016_08 | SecurityPolicy::Fs1_2Res2020_10 => TLS12_ONLY,
        }
    }

    /// The TLS versions a TLS listener with this policy offers to the targets of a TLS target
    /// group.
    ///
    /// AWS: "when the listener uses a TLS 1.3 policy, backend connections use
    /// `ELBSecurityPolicy-TLS13-1-0-2021-06`; otherwise `ELBSecurityPolicy-2016-08`", which are
    /// served here as TLS 1.2 and 1.3, and TLS 1.2 only.
    pub fn backend_tls_versions(self) -> &'static [&'static SupportedProtocolVersion] {
        match self {
            SecurityPolicy::Tls13_1_2_2021_06
            | SecurityPolicy::Tls13_1_3_2021_06
            | SecurityPolicy::Tls13_1_0_2021_06 => SecurityPolicy::Tls13_1_0_2021_06,
            SecurityPolicy::Policy2016_08 | SecurityPolicy::Fs1_2Res2020_10 => {
                SecurityPolicy::Policy2016_08
            }
        }
        .tls_versions()
    }
}

impl fmt::Display for SecurityPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SecurityPolicy {
    type Err = NlbError;

    /// Reads an AWS policy name, exactly as AWS spells it.
    fn from_str(name: &str) -> Result<Self, NlbError> {
        Self::ALL
            .iter()
            .find_map(|&(known, policy)| (known == name).then_some(policy))
            .ok_or_else(|| NlbError::UnknownSecurityPolicy {
                policy: name.to_owned(),
            })
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
        for (name, policy) in SecurityPolicy::ALL {
            assert_eq!(name.parse::<SecurityPolicy>().unwrap(), policy);
            assert_eq!(policy.to_string(), name);
            assert!(!policy.tls_versions().is_empty(), "{name}");
            assert!(!policy.backend_tls_versions().is_empty(), "{name}");
        }
        let unknown = "ELBSecurityPolicy-Custom".parse::<SecurityPolicy>();
        assert!(matches!(
            unknown,
            Err(NlbError::UnknownSecurityPolicy { .. })
        ));
    }

    #[test]
    fn policies_map_to_the_documented_versions() {
        use rustls::ProtocolVersion::{TLSv1_2, TLSv1_3};
        let policy = |p: &str| p.parse::<SecurityPolicy>().unwrap();
        let front = |p| versions(policy(p).tls_versions());
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

        let back = |p| versions(policy(p).backend_tls_versions());
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
