//! ALB security policies: the TLS versions each offers clients, and the policy it implies
//! toward HTTPS targets.
//!
//! AWS documents which versions some policies allow (`ELBSecurityPolicy-TLS13-1-2-2021-06`:
//! 1.2 and 1.3; `…-TLS13-1-3-2021-06`: 1.3; `…-TLS13-1-0-2021-06`: 1.0 to 1.3;
//! `ELBSecurityPolicy-2016-08`, and `ELBSecurityPolicy-2015-05` which equals it: 1.0 to 1.2;
//! `…-FS-1-2-Res-2020-10`: 1.2). For the others the range is read from the name (`TLS13-1-1`:
//! 1.1 to 1.3, `FS-1-2`/`TLS-1-2`: 1.2, `FS-1-1`/`TLS-1-1`: 1.1 to 1.2, `FS-2018-06` and
//! `TLS-1-0-2015-04`: 1.0 to 1.2), which is an **INFERENCE**.
//!
//! rustls speaks TLS 1.2 and 1.3 only, so a policy is served with the part of its range from
//! 1.2 up: a client that only speaks 1.0 or 1.1 fails here where AWS would let it in. Cipher
//! suites are rustls' defaults; the policies' cipher lists are not modelled.
//!
//! Backend connections (HTTPS target groups) use `ELBSecurityPolicy-TLS13-1-0-2021-06` when
//! the listener's policy is a TLS 1.3 policy, else `ELBSecurityPolicy-2016-08` (AWS), so a
//! target that speaks only TLS 1.3 fails the handshake behind any other policy.

use std::fmt;

use rustls::SupportedProtocolVersion;
use rustls::version::{TLS12, TLS13};

/// A TLS protocol version, as AWS policies name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlsVersion {
    /// TLS 1.0.
    Tls10,
    /// TLS 1.1.
    Tls11,
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

/// An ALB security policy, by its AWS name (2023 list; custom policies do not exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SecurityPolicy {
    /// `ELBSecurityPolicy-TLS13-1-2-2021-06`, the console default and AWS's recommendation.
    #[default]
    Tls13_1_2_2021_06,
    /// `ELBSecurityPolicy-TLS13-1-2-Res-2021-06`.
    Tls13_1_2Res2021_06,
    /// `ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06`.
    Tls13_1_2Ext1_2021_06,
    /// `ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06`.
    Tls13_1_2Ext2_2021_06,
    /// `ELBSecurityPolicy-TLS13-1-1-2021-06`.
    Tls13_1_1_2021_06,
    /// `ELBSecurityPolicy-TLS13-1-0-2021-06`, also the backend policy of every listener with a
    /// TLS 1.3 policy.
    Tls13_1_0_2021_06,
    /// `ELBSecurityPolicy-TLS13-1-3-2021-06`.
    Tls13_1_3_2021_06,
    /// `ELBSecurityPolicy-FS-1-2-Res-2020-10`.
    Fs1_2Res2020_10,
    /// `ELBSecurityPolicy-FS-1-2-Res-2019-08`.
    Fs1_2Res2019_08,
    /// `ELBSecurityPolicy-FS-1-2-2019-08`.
    Fs1_2_2019_08,
    /// `ELBSecurityPolicy-FS-1-1-2019-08`.
    Fs1_1_2019_08,
    /// `ELBSecurityPolicy-FS-2018-06`.
    Fs2018_06,
    /// `ELBSecurityPolicy-TLS-1-2-Ext-2018-06`.
    Tls1_2Ext2018_06,
    /// `ELBSecurityPolicy-TLS-1-2-2017-01`.
    Tls1_2_2017_01,
    /// `ELBSecurityPolicy-TLS-1-1-2017-01`.
    Tls1_1_2017_01,
    /// `ELBSecurityPolicy-2016-08`, the CLI default, and the backend policy of every listener
    /// without a TLS 1.3 policy (HTTP listeners included).
    Elb2016_08,
    /// `ELBSecurityPolicy-TLS-1-0-2015-04`.
    Tls1_0_2015_04,
    /// `ELBSecurityPolicy-2015-05`, the same as `ELBSecurityPolicy-2016-08`.
    Elb2015_05,
}

use SecurityPolicy as P;
use TlsVersion::{Tls10, Tls11, Tls12, Tls13};

/// Every policy, its AWS name and the versions AWS allows (lowest, highest), in the order AWS
/// lists them. The one spelling table: names are read and written only through it.
const POLICIES: [(SecurityPolicy, &str, TlsVersion, TlsVersion); 18] = [
    (
        P::Tls13_1_2_2021_06,
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        Tls12,
        Tls13,
    ),
    (
        P::Tls13_1_2Res2021_06,
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        Tls12,
        Tls13,
    ),
    (
        P::Tls13_1_2Ext1_2021_06,
        "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
        Tls12,
        Tls13,
    ),
    (
        P::Tls13_1_2Ext2_2021_06,
        "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
        Tls12,
        Tls13,
    ),
    (
        P::Tls13_1_1_2021_06,
        "ELBSecurityPolicy-TLS13-1-1-2021-06",
        Tls11,
        Tls13,
    ),
    (
        P::Tls13_1_0_2021_06,
        "ELBSecurityPolicy-TLS13-1-0-2021-06",
        Tls10,
        Tls13,
    ),
    (
        P::Tls13_1_3_2021_06,
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        Tls13,
        Tls13,
    ),
    (
        P::Fs1_2Res2020_10,
        "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        Tls12,
        Tls12,
    ),
    (
        P::Fs1_2Res2019_08,
        "ELBSecurityPolicy-FS-1-2-Res-2019-08",
        Tls12,
        Tls12,
    ),
    (
        P::Fs1_2_2019_08,
        "ELBSecurityPolicy-FS-1-2-2019-08",
        Tls12,
        Tls12,
    ),
    (
        P::Fs1_1_2019_08,
        "ELBSecurityPolicy-FS-1-1-2019-08",
        Tls11,
        Tls12,
    ),
    (P::Fs2018_06, "ELBSecurityPolicy-FS-2018-06", Tls10, Tls12),
    (
        P::Tls1_2Ext2018_06,
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
        Tls12,
        Tls12,
    ),
    (
        P::Tls1_2_2017_01,
        "ELBSecurityPolicy-TLS-1-2-2017-01",
        Tls12,
        Tls12,
    ),
    (
        P::Tls1_1_2017_01,
        "ELBSecurityPolicy-TLS-1-1-2017-01",
        Tls11,
        Tls12,
    ),
    (P::Elb2016_08, "ELBSecurityPolicy-2016-08", Tls10, Tls12),
    (
        P::Tls1_0_2015_04,
        "ELBSecurityPolicy-TLS-1-0-2015-04",
        Tls10,
        Tls12,
    ),
    (P::Elb2015_05, "ELBSecurityPolicy-2015-05", Tls10, Tls12),
];

static TLS12_AND_TLS13: &[&SupportedProtocolVersion] = &[&TLS13, &TLS12];
static TLS13_ONLY: &[&SupportedProtocolVersion] = &[&TLS13];
static TLS12_ONLY: &[&SupportedProtocolVersion] = &[&TLS12];

impl SecurityPolicy {
    /// Every policy, in the order AWS lists them.
    pub fn all() -> impl Iterator<Item = SecurityPolicy> {
        POLICIES.iter().map(|(policy, ..)| *policy)
    }

    /// The policy AWS calls `name`, or `None` for a name AWS does not define.
    pub fn from_name(name: &str) -> Option<SecurityPolicy> {
        POLICIES
            .iter()
            .find(|(_, spelled, ..)| *spelled == name)
            .map(|(policy, ..)| *policy)
    }

    /// The policy's AWS name, e.g. `ELBSecurityPolicy-TLS13-1-2-2021-06`.
    pub fn name(self) -> &'static str {
        self.entry().1
    }

    /// The lowest and highest TLS versions AWS allows under this policy.
    pub fn allowed_versions(self) -> (TlsVersion, TlsVersion) {
        let (_, _, lowest, highest) = self.entry();
        (*lowest, *highest)
    }

    /// Whether this is a TLS 1.3 policy (`ELBSecurityPolicy-TLS13-…`).
    pub fn is_tls13(self) -> bool {
        self.name().starts_with("ELBSecurityPolicy-TLS13-")
    }

    /// The TLS versions served here: the allowed range from TLS 1.2 up.
    pub fn tls_versions(self) -> &'static [&'static SupportedProtocolVersion] {
        match self.allowed_versions() {
            (Tls13, _) => TLS13_ONLY,
            (_, Tls13) => TLS12_AND_TLS13,
            _ => TLS12_ONLY,
        }
    }

    /// The policy of the ALB's connections to HTTPS targets when the listener uses this one.
    pub fn backend(self) -> SecurityPolicy {
        if self.is_tls13() {
            P::Tls13_1_0_2021_06
        } else {
            P::Elb2016_08
        }
    }

    fn entry(self) -> &'static (SecurityPolicy, &'static str, TlsVersion, TlsVersion) {
        POLICIES
            .iter()
            .find(|(policy, ..)| *policy == self)
            .expect("every policy has a row in POLICIES")
    }
}

impl fmt::Display for SecurityPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use rustls::ProtocolVersion::{self, TLSv1_2, TLSv1_3};

    use super::*;

    /// The versions `policy` serves, highest first (the order rustls prefers them in).
    fn served(policy: SecurityPolicy) -> Vec<ProtocolVersion> {
        policy.tls_versions().iter().map(|v| v.version).collect()
    }

    fn named(name: &str) -> SecurityPolicy {
        SecurityPolicy::from_name(name).unwrap()
    }

    #[test]
    fn names_round_trip_and_every_policy_has_one_row() {
        assert_eq!(SecurityPolicy::all().count(), POLICIES.len());
        for policy in SecurityPolicy::all() {
            assert_eq!(SecurityPolicy::from_name(policy.name()), Some(policy));
            assert_eq!(policy.to_string(), policy.name());
            assert_eq!(
                POLICIES.iter().filter(|(p, ..)| *p == policy).count(),
                1,
                "{policy}"
            );
        }
        assert_eq!(SecurityPolicy::from_name("ELBSecurityPolicy-Custom"), None);
        assert_eq!(
            SecurityPolicy::from_name("elbsecuritypolicy-2016-08"),
            None,
            "names are case-sensitive"
        );
        assert_eq!(
            SecurityPolicy::default().name(),
            "ELBSecurityPolicy-TLS13-1-2-2021-06"
        );
    }

    #[test]
    fn documented_policies_allow_the_documented_versions() {
        for (name, versions) in [
            (
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                &[TLSv1_3, TLSv1_2][..],
            ),
            ("ELBSecurityPolicy-TLS13-1-3-2021-06", &[TLSv1_3]),
            ("ELBSecurityPolicy-TLS13-1-0-2021-06", &[TLSv1_3, TLSv1_2]),
            ("ELBSecurityPolicy-2016-08", &[TLSv1_2]),
            ("ELBSecurityPolicy-2015-05", &[TLSv1_2]),
            ("ELBSecurityPolicy-FS-1-2-Res-2020-10", &[TLSv1_2]),
        ] {
            assert_eq!(served(named(name)), versions, "{name}");
        }
        assert_eq!(
            named("ELBSecurityPolicy-2015-05").allowed_versions(),
            named("ELBSecurityPolicy-2016-08").allowed_versions()
        );
        assert_eq!(
            named("ELBSecurityPolicy-TLS13-1-0-2021-06").allowed_versions(),
            (TlsVersion::Tls10, TlsVersion::Tls13)
        );
    }

    #[test]
    fn tls13_policies_imply_tls13_to_targets_and_others_tls12() {
        for policy in SecurityPolicy::all() {
            let backend = policy.backend();
            if policy.is_tls13() {
                assert_eq!(backend.name(), "ELBSecurityPolicy-TLS13-1-0-2021-06");
                assert_eq!(served(backend), [TLSv1_3, TLSv1_2]);
            } else {
                assert_eq!(backend.name(), "ELBSecurityPolicy-2016-08");
                assert_eq!(served(backend), [TLSv1_2]);
            }
        }
        assert_eq!(SecurityPolicy::all().filter(|p| p.is_tls13()).count(), 7);
    }
}
