//! Validity windows: each certificate's, resolved against the run's clock, with every
//! authority's defaulted ends widened to cover what it issues.
//!
//! A scenario that leaves an authority's window to its default (one day ago to ten years
//! ahead) still gives its leaves any window, such as an expired leaf issued 400 days ago. A
//! real CA's certificate always covers what it signs, so a defaulted end moves to cover
//! every certificate the authority issues, directly or through its intermediates. An end the
//! scenario wrote is kept as written: an intermediate that expired before its leaf is a
//! defect a scenario may model on purpose.

use hoplab_scenario::{Authority, LeafIssuer, Validity};
use time::OffsetDateTime;

/// One certificate's notBefore and notAfter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    /// notBefore.
    pub(crate) not_before: OffsetDateTime,
    /// notAfter.
    pub(crate) not_after: OffsetDateTime,
}

impl Window {
    /// A scenario window resolved against `now`.
    pub(crate) fn resolve(validity: Validity, now: OffsetDateTime) -> Window {
        Window {
            not_before: validity.not_before().resolve(now),
            not_after: validity.not_after().resolve(now),
        }
    }

    /// The smallest window holding both.
    fn union(self, other: Window) -> Window {
        Window {
            not_before: self.not_before.min(other.not_before),
            not_after: self.not_after.max(other.not_after),
        }
    }
}

/// Every authority's window, by `AuthorityId` index.
pub(crate) fn authority_windows(spec: &hoplab_scenario::Pki, now: OffsetDateTime) -> Vec<Window> {
    let authorities: Vec<&Authority> = spec.authorities().collect();
    // What each authority signs directly, leaves first; authorities are added below.
    let mut issued: Vec<Option<Window>> = vec![None; authorities.len()];
    let add = |issued: &mut [Option<Window>], index: usize, window: Window| {
        let slot = &mut issued[index];
        *slot = Some(slot.map_or(window, |w| w.union(window)));
    };
    for leaf in spec
        .certificates()
        .iter()
        .filter(|leaf| leaf.pem().is_none())
    {
        if let LeafIssuer::Authority(issuer) = leaf.issuer() {
            add(
                &mut issued,
                issuer.index(),
                Window::resolve(leaf.validity(), now),
            );
        }
    }
    let mut windows: Vec<Window> = authorities
        .iter()
        .map(|a| Window::resolve(a.validity(), now))
        .collect();
    // Authorities come in issuer order, so in reverse every authority is final before its
    // issuer reads it.
    for authority in authorities.iter().rev() {
        let index = authority.id().index();
        let defaults = authority.validity_defaults();
        if let Some(needed) = issued[index] {
            let window = &mut windows[index];
            if defaults.not_before {
                window.not_before = window.not_before.min(needed.not_before);
            }
            if defaults.not_after {
                window.not_after = window.not_after.max(needed.not_after);
            }
        }
        if let Some(issuer) = authority.issuer() {
            add(&mut issued, issuer.index(), windows[index]);
        }
    }
    windows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scenario of `pki` with the one route every scenario needs.
    fn scenario(pki: &str) -> hoplab_scenario::Scenario {
        let route = "[targets.api]\nprotocol = \"HTTP\"\ndns_names = [\"api.example.com\"]\n\
                     [[gateway.routes]]\npath = \"/\"\nuri = \"http://api.example.com/\"\n";
        hoplab_scenario::Scenario::from_toml_str(&format!("{pki}\n{route}"))
            .expect("valid scenario")
    }

    const NOW: OffsetDateTime = time::macros::datetime!(2026-01-01 00:00 UTC);

    #[test]
    fn a_defaulted_authority_covers_an_old_leaf_through_its_intermediate() {
        let s = scenario(
            r#"
            [authorities.root]
            trusted = true
            [authorities.int]
            issuer = "root"
            [certificates.expired]
            issuer = "int"
            dns_names = ["a.example"]
            not_before = "-400d"
            not_after = "-35d"
            "#,
        );
        let windows = authority_windows(s.pki(), NOW);
        for window in &windows {
            assert_eq!(window.not_before, NOW - time::Duration::days(400));
            assert_eq!(window.not_after, NOW + time::Duration::days(3650));
        }
    }

    #[test]
    fn a_written_end_is_kept_even_when_a_leaf_lies_outside_it() {
        let s = scenario(
            r#"
            [authorities.root]
            trusted = true
            not_before = "-10d"
            [certificates.old]
            issuer = "root"
            dns_names = ["a.example"]
            not_before = "-400d"
            not_after = "+5000d"
            "#,
        );
        let windows = authority_windows(s.pki(), NOW);
        assert_eq!(windows[0].not_before, NOW - time::Duration::days(10));
        assert_eq!(windows[0].not_after, NOW + time::Duration::days(5000));
    }
}
