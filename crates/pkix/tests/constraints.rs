//! Name constraints and critical extensions, as the JDK's `PKIXCertPathValidator` applies them.

mod support;

use hoplab_pkix::{PathCheck, Policy, Rejection, TrustStore, Verdict, validate};
use rcgen::{GeneralSubtree, NameConstraints};
use rustls::pki_types::CertificateDer;
use support::{NOW, Spec, trust};

fn judge(chain: &[CertificateDer<'static>], host: &str, trust: &TrustStore) -> Verdict {
    validate(chain, host, trust, Policy::default(), NOW)
}

fn permitted(dns: &str) -> NameConstraints {
    NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName(dns.to_owned())],
        excluded_subtrees: Vec::new(),
    }
}

fn excluded(dns: &str) -> NameConstraints {
    NameConstraints {
        permitted_subtrees: Vec::new(),
        excluded_subtrees: vec![GeneralSubtree::DnsName(dns.to_owned())],
    }
}

/// root -> intermediate (with `nc`) -> leaf naming `host`.
fn constrained_chain(
    nc: NameConstraints,
    host: &str,
) -> (Vec<CertificateDer<'static>>, TrustStore) {
    let root = Spec::ca("Root").self_signed();
    let intermediate = Spec::ca("Intermediate")
        .name_constraints(nc)
        .signed_by(&root);
    let leaf = Spec::leaf(host).sans(&[host]).signed_by(&intermediate);
    (vec![leaf.der(), intermediate.der()], trust(&[&root]))
}

#[test]
fn a_leaf_inside_an_intermediates_permitted_subtree_is_accepted() {
    let (chain, trust) = constrained_chain(permitted("example.com"), "api.example.com");
    assert_eq!(judge(&chain, "api.example.com", &trust).outcome, Ok(()));
}

#[test]
fn a_leaf_outside_an_intermediates_permitted_subtree_fails_the_name_constraints_check() {
    let (chain, trust) = constrained_chain(permitted("example.com"), "api.example.org");
    let verdict = judge(&chain, "api.example.org", &trust);
    assert_eq!(
        verdict.outcome,
        Err(Rejection::PathValidation {
            check: PathCheck::NameConstraints
        })
    );
    assert_eq!(
        verdict.java_message().unwrap(),
        "PKIX path validation failed: java.security.cert.CertPathValidatorException: \
         name constraints check failed"
    );
}

#[test]
fn a_label_suffix_is_not_a_subtree() {
    // "badexample.com" ends with "example.com" but not on a label boundary.
    let (chain, trust) = constrained_chain(permitted("example.com"), "badexample.com");
    assert_eq!(
        judge(&chain, "badexample.com", &trust).outcome,
        Err(Rejection::PathValidation {
            check: PathCheck::NameConstraints
        })
    );
}

#[test]
fn an_excluded_subtree_refuses_the_leaf() {
    let (chain, trust) = constrained_chain(excluded("example.com"), "api.example.com");
    assert_eq!(
        judge(&chain, "api.example.com", &trust).outcome,
        Err(Rejection::PathValidation {
            check: PathCheck::NameConstraints
        })
    );
}

#[test]
fn the_trust_anchors_own_name_constraints_are_not_applied() {
    // The JDK makes anchors with `new TrustAnchor(cert, null)`: no constraints.
    let root = Spec::ca("Root")
        .name_constraints(excluded("example.com"))
        .self_signed();
    let leaf = Spec::leaf("api.example.com")
        .sans(&["api.example.com"])
        .signed_by(&root);
    assert_eq!(
        judge(&[leaf.der()], "api.example.com", &trust(&[&root])).outcome,
        Ok(())
    );
}

/// An arbitrary private OID no JDK checker knows.
const PRIVATE_OID: &[u64] = &[1, 3, 6, 1, 4, 1, 55555, 1];

#[test]
fn an_unknown_critical_extension_on_the_leaf_is_unrecognized() {
    let root = Spec::ca("Root").self_signed();
    let leaf = Spec::leaf("api.example.com")
        .sans(&["api.example.com"])
        .extension(PRIVATE_OID, vec![0x05, 0x00], true)
        .signed_by(&root);
    let verdict = judge(&[leaf.der()], "api.example.com", &trust(&[&root]));
    assert_eq!(
        verdict.java_message().unwrap(),
        "PKIX path validation failed: java.security.cert.CertPathValidatorException: \
         unrecognized critical extension(s)"
    );
}

#[test]
fn the_same_extension_non_critical_is_ignored() {
    let root = Spec::ca("Root").self_signed();
    let leaf = Spec::leaf("api.example.com")
        .sans(&["api.example.com"])
        .extension(PRIVATE_OID, vec![0x05, 0x00], false)
        .signed_by(&root);
    assert_eq!(
        judge(&[leaf.der()], "api.example.com", &trust(&[&root])).outcome,
        Ok(())
    );
}

#[test]
fn a_repeated_extension_makes_the_certificate_unparseable() {
    let root = Spec::ca("Root").self_signed();
    let leaf = Spec::leaf("api.example.com")
        .sans(&["api.example.com"])
        .extension(PRIVATE_OID, vec![0x05, 0x00], false)
        .extension(PRIVATE_OID, vec![0x05, 0x00], false)
        .signed_by(&root);
    let verdict = judge(&[leaf.der()], "api.example.com", &trust(&[&root]));
    assert_eq!(verdict.outcome, Err(Rejection::Unparseable));
}
