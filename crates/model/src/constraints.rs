//! The JDK's DNS name constraints (`NameConstraintsExtension.verify`), restated over facts.
//!
//! A certificate below an authority with name constraints must name only DNS names inside the
//! permitted subtrees (when there are any) and none inside an excluded one. A name is inside
//! a subtree when it equals it or ends with `.` and the subtree, ignoring case. The names
//! compared are the DNS subjectAltNames; without any, the common name stands in when it is a
//! DNS name (not an IP address literal, no wildcard). The trusted root's own constraints are
//! not applied: the JDK builds its trust anchors without them.

use hoplab_scenario::DnsNameConstraints;

use crate::cert::Facts;

/// The first authority in `above` (authorities with constraints, top down) whose constraints
/// a DNS name of `cert` breaks, if any.
pub(crate) fn violated<'c, 's>(cert: &Facts<'_>, above: &[&'c Facts<'s>]) -> Option<&'c Facts<'s>> {
    if above.is_empty() {
        return None;
    }
    let names: Vec<&str> = if cert.dns_names.is_empty() {
        cert.subject
            .filter(|cn| is_dns_name(cn))
            .into_iter()
            .collect()
    } else {
        cert.dns_names.iter().map(String::as_str).collect()
    };
    above.iter().copied().find(|authority| {
        authority
            .name_constraints
            .is_some_and(|constraints| names.iter().any(|name| !allows(constraints, name)))
    })
}

/// Whether `constraints` allow the DNS name `name`.
fn allows(constraints: &DnsNameConstraints, name: &str) -> bool {
    let inside = |subtree: &String| within(name, subtree);
    !constraints.excluded().iter().any(inside)
        && (constraints.permitted().is_empty() || constraints.permitted().iter().any(inside))
}

/// The constraints as a phrase: `permitted: a, b; excluded: c`.
pub(crate) fn describe(constraints: &DnsNameConstraints) -> String {
    let mut parts = Vec::new();
    if !constraints.permitted().is_empty() {
        parts.push(format!("permitted: {}", constraints.permitted().join(", ")));
    }
    if !constraints.excluded().is_empty() {
        parts.push(format!("excluded: {}", constraints.excluded().join(", ")));
    }
    parts.join("; ")
}

/// `name` equals `subtree` or lies below it.
fn within(name: &str, subtree: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let subtree = subtree.to_ascii_lowercase();
    name == subtree
        || name
            .strip_suffix(&subtree)
            .is_some_and(|prefix| prefix.ends_with('.'))
}

/// Whether the JDK reads a common name as a DNS name: dot-separated labels of letters, digits
/// and hyphens, each starting with a letter or digit, and not an IP address.
fn is_dns_name(cn: &str) -> bool {
    cn.parse::<std::net::IpAddr>().is_err()
        && cn.split('.').all(|label| {
            label.starts_with(|c: char| c.is_ascii_alphanumeric())
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subtree_covers_itself_and_what_is_below_it_only() {
        assert!(within("example.internal", "example.internal"));
        assert!(within("API.Example.internal", "example.internal"));
        assert!(within("*.example.internal", "example.internal"));
        assert!(!within("badexample.internal", "example.internal"));
        assert!(!within("internal", "example.internal"));
    }

    #[test]
    fn common_names_that_are_not_dns_names_are_not_compared() {
        assert!(is_dns_name("api.example.internal"));
        assert!(!is_dns_name("Example Issuing CA"));
        assert!(!is_dns_name("10.0.0.1"));
        assert!(!is_dns_name("*.example.internal"));
        assert!(!is_dns_name("a..b"));
    }
}
