//! ALPN policies of TLS listeners, by their AWS names.
//!
//! AWS: "When the client initiates an ALPN connection, the load balancer compares the client
//! ALPN preference list with its ALPN policy. If the client supports a protocol from the ALPN
//! policy, the load balancer establishes the connection based on the preference list of the
//! ALPN policy. Otherwise, the load balancer does not use ALPN." So here:
//!
//! - a client that offers no ALPN is served without ALPN;
//! - a client whose list overlaps the policy gets the policy's most preferred protocol that it
//!   offered (the server's preference, not the client's);
//! - a client whose list has no overlap is still served, without ALPN. (A plain rustls server
//!   would refuse it with a `no_application_protocol` alert; the listener reads the
//!   ClientHello first and picks a configuration without ALPN to behave as AWS says.)
//!
//! The policy applies to the client side only: the listener offers no ALPN to TLS targets,
//! which AWS does not document. AWS lists a TLS target group as a requirement for an ALPN
//! policy, so a policy other than `None` on a listener with a TCP target group is refused at
//! start.

use std::fmt;
use std::str::FromStr;

use crate::NlbError;

/// A TLS listener's ALPN policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AlpnPolicy {
    /// `HTTP1Only`: `http/1.1`, `http/1.0`.
    Http1Only,
    /// `HTTP2Only`: `h2`.
    Http2Only,
    /// `HTTP2Optional`: `http/1.1`, `http/1.0`, `h2`.
    Http2Optional,
    /// `HTTP2Preferred`: `h2`, `http/1.1`, `http/1.0`.
    Http2Preferred,
    /// `None`: no ALPN, what a TLS listener has unless told otherwise.
    #[default]
    None,
}

impl AlpnPolicy {
    /// Every policy AWS defines with its AWS name, in the order AWS documents them: the one
    /// spelling table of the listener's ALPN policies.
    pub const ALL: [(&'static str, AlpnPolicy); 5] = [
        ("HTTP1Only", AlpnPolicy::Http1Only),
        ("HTTP2Only", AlpnPolicy::Http2Only),
        ("HTTP2Optional", AlpnPolicy::Http2Optional),
        ("HTTP2Preferred", AlpnPolicy::Http2Preferred),
        ("None", AlpnPolicy::None),
    ];

    /// The AWS name.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find_map(|&(name, policy)| (policy == self).then_some(name))
            .unwrap_or_default()
    }

    /// The protocols the policy negotiates, most preferred first; empty for `None` (no ALPN).
    ///
    /// | policy | preference list |
    /// |---|---|
    /// | `HTTP1Only` | `http/1.1`, `http/1.0` |
    /// | `HTTP2Only` | `h2` |
    /// | `HTTP2Optional` | `http/1.1`, `http/1.0`, `h2` |
    /// | `HTTP2Preferred` | `h2`, `http/1.1`, `http/1.0` |
    /// | `None` | (none) |
    pub fn protocols(self) -> Vec<Vec<u8>> {
        const H2: &[u8] = b"h2";
        const HTTP11: &[u8] = b"http/1.1";
        const HTTP10: &[u8] = b"http/1.0";
        let list: &[&[u8]] = match self {
            AlpnPolicy::Http1Only => &[HTTP11, HTTP10],
            AlpnPolicy::Http2Only => &[H2],
            AlpnPolicy::Http2Optional => &[HTTP11, HTTP10, H2],
            AlpnPolicy::Http2Preferred => &[H2, HTTP11, HTTP10],
            AlpnPolicy::None => &[],
        };
        list.iter().map(|p| p.to_vec()).collect()
    }
}

impl fmt::Display for AlpnPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for AlpnPolicy {
    type Err = NlbError;

    /// Reads an AWS ALPN policy name, exactly as AWS spells it.
    fn from_str(name: &str) -> Result<Self, NlbError> {
        Self::ALL
            .iter()
            .find_map(|&(known, policy)| (known == name).then_some(policy))
            .ok_or_else(|| NlbError::UnknownAlpnPolicy {
                policy: name.to_owned(),
            })
    }
}

/// The protocol `policy` (most preferred first) picks from the client's `offered` list, or
/// `None` when nothing overlaps.
pub(crate) fn choose<'p>(policy: &'p [Vec<u8>], offered: &[Vec<u8>]) -> Option<&'p [u8]> {
    policy
        .iter()
        .find(|ours| offered.contains(ours))
        .map(Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alpn_protocols(policy: &str) -> Option<Vec<Vec<u8>>> {
        policy.parse::<AlpnPolicy>().ok().map(AlpnPolicy::protocols)
    }

    fn names(policy: &str) -> Vec<String> {
        alpn_protocols(policy)
            .unwrap()
            .into_iter()
            .map(|p| String::from_utf8(p).unwrap())
            .collect()
    }

    #[test]
    fn every_policy_has_the_documented_preference_list() {
        assert_eq!(names("HTTP1Only"), ["http/1.1", "http/1.0"]);
        assert_eq!(names("HTTP2Only"), ["h2"]);
        assert_eq!(names("HTTP2Optional"), ["http/1.1", "http/1.0", "h2"]);
        assert_eq!(names("HTTP2Preferred"), ["h2", "http/1.1", "http/1.0"]);
        assert!(names("None").is_empty());
        for (name, policy) in AlpnPolicy::ALL {
            assert!(alpn_protocols(name).is_some(), "{name}");
            assert_eq!(policy.to_string(), name);
        }
        assert!(AlpnPolicy::default().protocols().is_empty());
        assert_eq!(alpn_protocols("http2preferred"), None, "names are exact");
        assert_eq!(alpn_protocols("HTTP3Only"), None);
    }

    #[test]
    fn the_policy_order_wins_over_the_client_order() {
        let preferred = alpn_protocols("HTTP2Preferred").unwrap();
        let optional = alpn_protocols("HTTP2Optional").unwrap();
        let offered = vec![b"http/1.1".to_vec(), b"h2".to_vec()];
        assert_eq!(choose(&preferred, &offered), Some(&b"h2"[..]));
        assert_eq!(choose(&optional, &offered), Some(&b"http/1.1"[..]));
        assert_eq!(choose(&preferred, &[b"spdy/3".to_vec()]), None);
        assert_eq!(choose(&preferred, &[]), None);
    }
}
