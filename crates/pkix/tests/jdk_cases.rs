//! Chains on which hoplab once disagreed with the real JDK 17 and Apache HttpClient 4.5, each
//! kept with the answer the JDK oracle (`oracle/jdk/`) gave: the JDK's exact message, its
//! acceptance, or its refusal to even hold a trusted certificate. The first chains are in
//! `fixtures/jdk-cases.json` (ten from x509-limbo, two made with openssl); the later ones are
//! built here with rcgen, in the shape the random chains found (`tests/workspace/chains/`),
//! and judged by the oracle in that shape (the JDK's answer does not depend on the keys).

mod support;

use hoplab_pkix::{PkixError, Policy, TrustStore, parse_pem_chain, validate};
use rcgen::{CidrSubnet, GeneralSubtree, NameConstraints};
use serde::Deserialize;
use support::{Issued, NOW, Spec, trust};
use time::OffsetDateTime;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    host: String,
    at: i64,
    chain: Vec<String>,
    trusted: Vec<String>,
    jdk: Jdk,
}

#[derive(Deserialize)]
struct Jdk {
    /// `accepted`, `rejected`, or `unusable_trust` (a trusted certificate the JDK cannot
    /// parse, so no JVM trust store can hold it).
    verdict: String,
    message: Option<String>,
}

fn case(id: &str) -> Case {
    let text = include_str!("fixtures/jdk-cases.json");
    let fixture: Fixture = serde_json::from_str(text).expect("the fixture is valid JSON");
    fixture
        .cases
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no case {id} in the fixture"))
}

/// hoplab's answer on the case equals the JDK's.
fn agrees_with_the_jdk(id: &str) {
    let case = case(id);
    let mut trust = TrustStore::new();
    for pem in &case.trusted {
        for der in parse_pem_chain(pem.as_bytes()).expect("trusted PEM") {
            match trust.add(der) {
                Ok(()) => {}
                Err(PkixError::BadTrustedCertificate { reason }) => {
                    assert_eq!(case.jdk.verdict, "unusable_trust", "{id}: {reason}");
                    assert_eq!(Some(reason), case.jdk.message, "{id}");
                    return;
                }
                Err(e) => panic!("{id}: {e}"),
            }
        }
    }
    assert_ne!(
        case.jdk.verdict, "unusable_trust",
        "{id}: the JDK cannot hold a trusted certificate, hoplab can"
    );
    let chain: Vec<_> = case
        .chain
        .iter()
        .flat_map(|pem| parse_pem_chain(pem.as_bytes()).expect("chain PEM"))
        .collect();
    let at = OffsetDateTime::from_unix_timestamp(case.at).expect("a time");
    let verdict = validate(&chain, &case.host, &trust, Policy::default(), at);
    match case.jdk.verdict.as_str() {
        "accepted" => assert!(
            verdict.is_accepted(),
            "{id}: the JDK accepts, hoplab says {:?}\n{}",
            verdict.java_message(),
            verdict.explanation.lines().join("\n")
        ),
        _ => assert_eq!(verdict.java_message(), case.jdk.message, "{id}"),
    }
}

macro_rules! jdk_cases {
    ($($test:ident => $id:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                agrees_with_the_jdk($id);
            }
        )*
    };
}

jdk_cases! {
    limbo_noncritical_with_empty_subject => "rfc5280::san::noncritical-with-empty-subject",
    limbo_ski_critical_ski => "rfc5280::ski::critical-ski",
    limbo_root_missing_basic_constraints => "rfc5280::root-missing-basic-constraints",
    limbo_root_inconsistent_ca_extensions => "rfc5280::root-inconsistent-ca-extensions",
    limbo_forbidden_p192_spki_leaf => "webpki::forbidden-p192-spki-leaf",
    limbo_forbidden_signature_algorithm_in_root => "webpki::forbidden-signature-algorithm-in-root",
    limbo_duplicate_extensions => "rfc5280::duplicate-extensions",
    limbo_mismatching_signature_algorithm => "rfc5280::mismatching-signature-algorithm",
    limbo_ca_empty_subject => "rfc5280::ca-empty-subject",
    limbo_ee_empty_issuer => "rfc5280::ee-empty-issuer",
    wildcard_public_suffix => "wildcard-public-suffix",
    ec_p192_intermediate => "ec-p192-intermediate",
}

/// Permitted subtrees only.
fn permitted(subtrees: Vec<GeneralSubtree>) -> NameConstraints {
    NameConstraints {
        permitted_subtrees: subtrees,
        excluded_subtrees: Vec::new(),
    }
}

fn dns(name: &str) -> GeneralSubtree {
    GeneralSubtree::DnsName(name.to_owned())
}

fn ipv4_10_8() -> GeneralSubtree {
    GeneralSubtree::IpAddress(CidrSubnet::from_v4_prefix([10, 0, 0, 0], 8))
}

fn ipv6_all() -> GeneralSubtree {
    GeneralSubtree::IpAddress(CidrSubnet::from_v6_prefix([0; 16], 0))
}

/// root -> one CA per entry of `cas` (name, its permitted subtrees), top first -> `leaf`;
/// judged for `host` with the root trusted. Returns the JDK's verdict form: `None` when
/// accepted, else the message.
fn judge(cas: Vec<(&str, NameConstraints)>, leaf: Spec, host: &str) -> Option<String> {
    let root = Spec::ca("Root").self_signed();
    let mut issued: Vec<Issued> = Vec::new();
    for (name, nc) in cas {
        let ca = Spec::ca(name).name_constraints(nc);
        let ca = ca.signed_by(issued.last().unwrap_or(&root));
        issued.push(ca);
    }
    let leaf = leaf.signed_by(issued.last().unwrap_or(&root));
    let mut chain = vec![leaf.der()];
    chain.extend(issued.iter().rev().map(Issued::der));
    validate(&chain, host, &trust(&[&root]), Policy::default(), NOW).java_message()
}

/// Two CAs ("CA One" above "CA Two", names that are not DNS names) permitting one subtree each,
/// above a leaf for `api.example.com`.
fn merged(first: GeneralSubtree, second: GeneralSubtree) -> Option<String> {
    let leaf = Spec::leaf("api.example.com").sans(&["api.example.com"]);
    let cas = vec![
        ("CA One", permitted(vec![first])),
        ("CA Two", permitted(vec![second])),
    ];
    judge(cas, leaf, "api.example.com")
}

/// One CA permitting `example.com` above `leaf`, judged for `api.example.com`.
fn under_example_com(leaf: Spec) -> Option<String> {
    let cas = vec![("Inter", permitted(vec![dns("example.com")]))];
    judge(cas, leaf, "api.example.com")
}

#[test]
fn empty_dns_name_under_a_dns_subtree_throws() {
    let leaf = Spec::leaf("api.example.com").sans(&["api.example.com", ""]);
    assert_eq!(
        under_example_com(leaf).as_deref(),
        Some("java.lang.StringIndexOutOfBoundsException: String index out of range: 0")
    );
}

#[test]
fn overlapping_wildcard_throws_in_the_hostname_verifier() {
    let leaf = Spec::leaf("a.b").sans(&["a.*.b"]);
    assert_eq!(
        judge(Vec::new(), leaf, "a.b").as_deref(),
        Some("java.lang.StringIndexOutOfBoundsException: begin 2, end 1, length 3")
    );
}

#[test]
fn ipv4_mapped_common_name_joined_by_name_constraints_breaks_the_alt_names() {
    let leaf = Spec::leaf("::ffff:10.0.0.1").sans(&["api.example.com"]);
    assert_eq!(
        under_example_com(leaf).as_deref(),
        Some(
            "java.lang.ArrayIndexOutOfBoundsException: arraycopy: last source index 16 out of \
             bounds for byte[4]"
        )
    );
}

#[test]
fn ipv4_subnet_above_an_ipv6_subnet_throws_when_merged() {
    assert_eq!(
        merged(ipv4_10_8(), ipv6_all()).as_deref(),
        Some("java.lang.ArrayIndexOutOfBoundsException: Index 8 out of bounds for length 8")
    );
}

#[test]
fn ipv6_subnet_above_a_disjoint_ipv4_subnet_throws_when_merged() {
    assert_eq!(
        merged(ipv6_all(), ipv4_10_8()).as_deref(),
        Some(
            "java.lang.NullPointerException: Cannot read the array length because \"address\" \
             is null"
        )
    );
}

#[test]
fn disjoint_dns_subtrees_throw_when_merged() {
    assert_eq!(
        merged(dns("a.example"), dns("b.example")).as_deref(),
        Some(
            "java.lang.RuntimeException: Unexpected error: java.io.IOException: DNSName must \
             not be null or empty"
        )
    );
}

#[test]
fn nested_dns_subtrees_merge_to_the_narrower() {
    assert_eq!(merged(dns("example.com"), dns("api.example.com")), None);
}

#[test]
fn ipv6_address_whose_first_bytes_match_an_ipv4_subnet_is_inside_it() {
    // a00::1 begins with 0a 00 00 00: the JDK compares those four bytes with 10.0.0.0/8.
    let inside = Spec::leaf("api.example.com").sans(&["api.example.com", "a00::1"]);
    assert_eq!(
        judge(
            vec![("Inter", permitted(vec![ipv4_10_8()]))],
            inside,
            "api.example.com"
        ),
        None
    );
    let outside = Spec::leaf("api.example.com").sans(&["api.example.com", "b00::1"]);
    assert_eq!(
        judge(
            vec![("Inter", permitted(vec![ipv4_10_8()]))],
            outside,
            "api.example.com"
        )
        .as_deref(),
        Some(
            "PKIX path validation failed: java.security.cert.CertPathValidatorException: name \
             constraints check failed"
        )
    );
}

#[test]
fn ipv4_address_matching_an_ipv6_subnets_first_bytes_throws() {
    // 0.0.0.0 against ::/127: the JDK reads a fifth byte of the four-byte address.
    let subnet = GeneralSubtree::IpAddress(CidrSubnet::from_v6_prefix([0; 16], 127));
    let leaf = Spec::leaf("api.example.com").sans(&["api.example.com", "0.0.0.0"]);
    assert_eq!(
        judge(
            vec![("Inter", permitted(vec![subnet]))],
            leaf,
            "api.example.com"
        )
        .as_deref(),
        Some("java.lang.ArrayIndexOutOfBoundsException: Index 4 out of bounds for length 4")
    );
}
