//! Verdicts on real rcgen chains, asserting the exact JDK / Apache messages.

mod support;

use hoplab_pkix::{
    AnchorSource, Compared, DeadEndReason, Dispatch, Failure, Outside, PathCheck, Policy,
    Rejection, TrustStore, Verdict, parse_pem_chain, validate,
};
use rcgen::{BasicConstraints, ExtendedKeyUsagePurpose, IsCa, KeyUsagePurpose};
use rustls::pki_types::CertificateDer;
use support::{NOW, Pki, Spec, trust};
use time::Duration;

const BUILDING: &str = "PKIX path building failed: \
    sun.security.provider.certpath.SunCertPathBuilderException: \
    unable to find valid certification path to requested target";
const VALIDATION: &str =
    "PKIX path validation failed: java.security.cert.CertPathValidatorException: ";

fn validation(reason: &str) -> String {
    format!("{VALIDATION}{reason}")
}

fn mismatch(host: &str, subject: &str) -> String {
    format!(
        "Host name '{host}' does not match the certificate subject provided by the peer ({subject})"
    )
}

fn judge(chain: &[CertificateDer<'static>], host: &str, trust: &TrustStore, skip: bool) -> Verdict {
    let policy = Policy {
        insecure_skip_verification: skip,
    };
    validate(chain, host, trust, policy, NOW)
}

/// One row of the verdict table.
struct Case {
    name: &'static str,
    chain: Vec<CertificateDer<'static>>,
    trust: TrustStore,
    skip: bool,
    host: &'static str,
    /// `None` for an accepted chain, else the exact message.
    want: Option<String>,
    /// The dispatch route, when the case is about it.
    dispatch: Option<Dispatch>,
}

impl Case {
    fn new(name: &'static str, chain: &[&support::Issued], trust: TrustStore) -> Self {
        Case {
            name,
            chain: chain.iter().map(|c| c.der()).collect(),
            trust,
            skip: false,
            host: "api.example.com",
            want: None,
            dispatch: None,
        }
    }
    fn skip(mut self) -> Self {
        self.skip = true;
        self
    }
    fn host(mut self, host: &'static str) -> Self {
        self.host = host;
        self
    }
    fn fails(mut self, message: impl Into<String>) -> Self {
        self.want = Some(message.into());
        self
    }
    fn via(mut self, dispatch: Dispatch) -> Self {
        self.dispatch = Some(dispatch);
        self
    }
}

const BUILT_UNANCHORED: Dispatch = Dispatch::Built {
    out_of_order_at: None,
};
const BUILT_OUT_OF_ORDER: Dispatch = Dispatch::Built {
    out_of_order_at: Some(1),
};

#[test]
fn verdict_table() {
    let pki = Pki::new();
    let api = ["api.example.com"];

    // A second, private PKI that the trust store does not know.
    let private_root = Spec::ca("Private Root CA").self_signed();
    let private_int = Spec::ca("Private Intermediate").signed_by(&private_root);
    let private_leaf = Spec::leaf("api.example.com")
        .sans(&api)
        .signed_by(&private_int);
    let private_expired = Spec::leaf("api.example.com")
        .sans(&api)
        .valid(NOW - Duration::days(400), NOW - Duration::days(30))
        .signed_by(&private_int);

    // root -> int1 -> int2 -> leaf, for out-of-order chains.
    let int1 = Spec::ca("Hoplab Intermediate One").signed_by(&pki.root);
    let int2 = Spec::ca("Hoplab Intermediate Two").signed_by(&int1);
    let leaf_under_int2 = Spec::leaf("api.example.com").sans(&api).signed_by(&int2);
    let expired_under_int2 = Spec::leaf("api.example.com")
        .sans(&api)
        .valid(NOW - Duration::days(400), NOW - Duration::days(30))
        .signed_by(&int2);

    let self_signed_leaf = Spec::leaf("api.example.com").sans(&api).self_signed();
    let self_signed_ca_leaf = Spec::ca("api.example.com").sans(&api).self_signed();
    let expired_self_signed_ca_leaf = Spec::ca("api.example.com")
        .sans(&api)
        .valid(NOW - Duration::days(400), NOW - Duration::days(2))
        .self_signed();
    let self_signed_ca_no_ku = Spec::ca("api.example.com")
        .sans(&api)
        .key_usages(&[])
        .self_signed();

    let expired = Spec::leaf("api.example.com")
        .sans(&api)
        .valid(NOW - Duration::days(400), NOW - Duration::days(30))
        .signed_by(&pki.int);
    let not_yet_valid = Spec::leaf("api.example.com")
        .sans(&api)
        .valid(NOW + Duration::days(1), NOW + Duration::days(100))
        .signed_by(&pki.int);
    let bounds_inclusive = Spec::leaf("api.example.com")
        .sans(&api)
        .valid(NOW - Duration::days(1), NOW)
        .signed_by(&pki.int);

    let expired_root = Spec::ca("Expired Root CA")
        .valid(NOW - Duration::days(3650), NOW - Duration::days(1))
        .self_signed();
    let int_under_expired_root = Spec::ca("Under Expired Root").signed_by(&expired_root);
    let leaf_under_expired_root = Spec::leaf("api.example.com")
        .sans(&api)
        .signed_by(&int_under_expired_root);
    let expired_int = Spec::ca("Expired Intermediate")
        .valid(NOW - Duration::days(3650), NOW - Duration::days(1))
        .signed_by(&pki.root);
    let leaf_under_expired_int = Spec::leaf("api.example.com")
        .sans(&api)
        .signed_by(&expired_int);

    let not_ca_int = Spec::ca("Not A CA Intermediate")
        .basic_constraints(IsCa::NoCa)
        .signed_by(&pki.root);
    let leaf_under_not_ca = Spec::leaf("api.example.com")
        .sans(&api)
        .signed_by(&not_ca_int);
    let explicit_not_ca_int = Spec::ca("CA False Intermediate")
        .basic_constraints(IsCa::ExplicitNoCa)
        .signed_by(&pki.root);
    let leaf_under_explicit = Spec::leaf("api.example.com")
        .sans(&api)
        .signed_by(&explicit_not_ca_int);
    let bad_ku_int = Spec::ca("No CertSign Intermediate")
        .key_usages(&[KeyUsagePurpose::DigitalSignature])
        .signed_by(&pki.root);
    let leaf_under_bad_ku = Spec::leaf("api.example.com")
        .sans(&api)
        .signed_by(&bad_ku_int);

    let len0 = Spec::ca("PathLen Zero CA")
        .basic_constraints(IsCa::Ca(BasicConstraints::Constrained(0)))
        .signed_by(&pki.root);
    let below_len0 = Spec::ca("Below PathLen Zero").signed_by(&len0);
    let leaf_below_len0 = Spec::leaf("api.example.com")
        .sans(&api)
        .signed_by(&below_len0);

    // An impostor intermediate: same name as the real one, different key.
    let impostor_int = Spec::ca("Hoplab Intermediate").signed_by(&pki.root);
    let leaf_by_impostor = Spec::leaf("api.example.com")
        .sans(&api)
        .signed_by(&impostor_int);

    let client_only = Spec::leaf("api.example.com")
        .sans(&api)
        .ekus(&[ExtendedKeyUsagePurpose::ClientAuth])
        .signed_by(&pki.int);
    let server_eku = Spec::leaf("api.example.com")
        .sans(&api)
        .ekus(&[ExtendedKeyUsagePurpose::ServerAuth])
        .key_usages(&[KeyUsagePurpose::DigitalSignature])
        .signed_by(&pki.int);
    let no_digital_signature = Spec::leaf("api.example.com")
        .sans(&api)
        .key_usages(&[KeyUsagePurpose::KeyEncipherment])
        .signed_by(&pki.int);

    let myinstance = Spec::leaf("myinstance.com")
        .sans(&["myinstance.com"])
        .signed_by(&pki.int);
    let wildcard = Spec::leaf("wildcard")
        .sans(&["*.example.com"])
        .signed_by(&pki.int);
    let tld_wildcard = Spec::leaf("tld wildcard")
        .sans(&["*.com"])
        .signed_by(&pki.int);
    let partial_wildcard = Spec::leaf("partial")
        .sans(&["api*.example.com"])
        .signed_by(&pki.int);
    let ip_leaf = Spec::leaf("loopback")
        .sans(&["127.0.0.1", "::1"])
        .signed_by(&pki.int);
    let dns_only = Spec::leaf("localhost")
        .sans(&["localhost"])
        .signed_by(&pki.int);
    let ip_only = Spec::leaf("api.example.com")
        .sans(&["127.0.0.1"])
        .signed_by(&pki.int);
    let cn_ignored = Spec::leaf("api.example.com")
        .sans(&["other.example.com"])
        .signed_by(&pki.int);
    let cn_only = Spec::leaf("api.example.com").signed_by(&pki.int);
    let no_subject = Spec::leaf("unused")
        .no_subject()
        .sans(&["other.example.com"])
        .signed_by(&pki.int);

    let anchored_leaf = Spec::leaf("api.example.com").sans(&api).self_signed();

    // Key types: a P-384 root, an RSA intermediate, an Ed25519 leaf; and an Ed25519 root.
    let p384_root = Spec::ca("P384 Root")
        .alg(&rcgen::PKCS_ECDSA_P384_SHA384)
        .self_signed();
    let rsa_int = Spec::ca("RSA Intermediate")
        .alg(&rcgen::PKCS_RSA_SHA256)
        .signed_by(&p384_root);
    let ed_leaf = Spec::leaf("api.example.com")
        .sans(&api)
        .alg(&rcgen::PKCS_ED25519)
        .signed_by(&rsa_int);
    let ed_root = Spec::ca("Ed25519 Root")
        .alg(&rcgen::PKCS_ED25519)
        .self_signed();
    let leaf_under_ed = Spec::leaf("api.example.com").sans(&api).signed_by(&ed_root);

    let cases = vec![
        Case::new(
            "valid leaf + intermediate",
            &[&pki.leaf, &pki.int],
            pki.trust(),
        )
        .via(Dispatch::Validated),
        Case::new(
            "self-signed leaf, untrusted",
            &[&self_signed_leaf],
            pki.trust(),
        )
        .fails(BUILDING)
        .via(BUILT_UNANCHORED),
        Case::new(
            "untrusted root: leaf + int + root all private",
            &[&private_leaf, &private_int, &private_root],
            pki.trust(),
        )
        .fails(BUILDING)
        .via(BUILT_UNANCHORED),
        Case::new("expired leaf, ordered", &[&expired, &pki.int], pki.trust())
            .fails(validation("validity check failed"))
            .via(Dispatch::Validated),
        Case::new(
            "not-yet-valid leaf",
            &[&not_yet_valid, &pki.int],
            pki.trust(),
        )
        .fails(validation("validity check failed")),
        Case::new(
            "validity bounds are inclusive",
            &[&bounds_inclusive, &pki.int],
            pki.trust(),
        ),
        Case::new(
            "expired leaf, intermediates out of order",
            &[&expired_under_int2, &int1, &int2],
            pki.trust(),
        )
        .fails(BUILDING)
        .via(BUILT_OUT_OF_ORDER),
        Case::new(
            "complete chain out of order",
            &[&leaf_under_int2, &int1, &int2],
            pki.trust(),
        )
        .via(BUILT_OUT_OF_ORDER),
        Case::new(
            "complete chain in order",
            &[&leaf_under_int2, &int2, &int1],
            pki.trust(),
        )
        .via(Dispatch::Validated),
        Case::new("missing intermediate", &[&pki.leaf], pki.trust())
            .fails(BUILDING)
            .via(BUILT_UNANCHORED),
        Case::new(
            "leaf + int + trusted root sent",
            &[&pki.leaf, &pki.int, &pki.root],
            pki.trust(),
        )
        .via(Dispatch::Validated),
        Case::new(
            "expired trust anchor is never checked",
            &[&leaf_under_expired_root, &int_under_expired_root],
            trust(&[&expired_root]),
        ),
        Case::new(
            "expired intermediate, ordered",
            &[&leaf_under_expired_int, &expired_int],
            pki.trust(),
        )
        .fails(validation("validity check failed")),
        Case::new(
            "intermediate without basicConstraints",
            &[&leaf_under_not_ca, &not_ca_int],
            pki.trust(),
        )
        .fails(validation(
            "basic constraints check failed: this is not a CA certificate",
        )),
        Case::new(
            "intermediate with CA:FALSE",
            &[&leaf_under_explicit, &explicit_not_ca_int],
            pki.trust(),
        )
        .fails(validation(
            "basic constraints check failed: this is not a CA certificate",
        )),
        Case::new(
            "intermediate keyUsage without keyCertSign",
            &[&leaf_under_bad_ku, &bad_ku_int],
            pki.trust(),
        )
        .fails(validation(
            "CA key usage check failed: keyCertSign bit is not set",
        )),
        Case::new(
            "pathLenConstraint 0 with a CA below",
            &[&leaf_below_len0, &below_len0, &len0],
            pki.trust(),
        )
        .fails(validation(
            "basic constraints check failed: pathLenConstraint violated - \
             this cert must be the last cert in the certification path",
        )),
        Case::new(
            "leaf signed by an impostor of the sent intermediate",
            &[&leaf_by_impostor, &pki.int, &pki.root],
            pki.trust(),
        )
        .fails(validation("signature check failed")),
        Case::new(
            "leaf EKU clientAuth only",
            &[&client_only, &pki.int],
            pki.trust(),
        )
        .fails("Extended key usage does not permit use for TLS server authentication"),
        Case::new("leaf EKU serverAuth", &[&server_eku, &pki.int], pki.trust()),
        Case::new(
            "leaf keyUsage without digitalSignature",
            &[&no_digital_signature, &pki.int],
            pki.trust(),
        )
        .fails("KeyUsage does not allow digital signatures"),
        Case::new("hostname mismatch", &[&myinstance, &pki.int], pki.trust())
            .host("domain.com.com")
            .fails(mismatch("domain.com.com", "CN=myinstance.com")),
        Case::new(
            "wildcard matches one label",
            &[&wildcard, &pki.int],
            pki.trust(),
        )
        .host("api.example.com"),
        Case::new(
            "wildcard is case-insensitive",
            &[&wildcard, &pki.int],
            pki.trust(),
        )
        .host("API.Example.COM"),
        Case::new(
            "wildcard does not match two labels",
            &[&wildcard, &pki.int],
            pki.trust(),
        )
        .host("a.b.example.com")
        .fails(mismatch("a.b.example.com", "CN=wildcard")),
        Case::new(
            "wildcard does not match the bare domain",
            &[&wildcard, &pki.int],
            pki.trust(),
        )
        .host("example.com")
        .fails(mismatch("example.com", "CN=wildcard")),
        Case::new(
            "wildcard over a public suffix",
            &[&tld_wildcard, &pki.int],
            pki.trust(),
        )
        .host("example.com")
        .fails(mismatch("example.com", "CN=tld wildcard")),
        Case::new(
            "partial-label wildcard",
            &[&partial_wildcard, &pki.int],
            pki.trust(),
        )
        .host("api1.example.com"),
        Case::new("IPv4 host vs IP SAN", &[&ip_leaf, &pki.int], pki.trust()).host("127.0.0.1"),
        Case::new(
            "IPv6 host in brackets vs IP SAN",
            &[&ip_leaf, &pki.int],
            pki.trust(),
        )
        .host("[::1]"),
        Case::new(
            "IPv6 host, other spelling",
            &[&ip_leaf, &pki.int],
            pki.trust(),
        )
        .host("0:0:0:0:0:0:0:1"),
        Case::new(
            "IPv4 host not in IP SANs",
            &[&ip_leaf, &pki.int],
            pki.trust(),
        )
        .host("127.0.0.2")
        .fails(mismatch("127.0.0.2", "CN=loopback")),
        Case::new(
            "IP host vs DNS-only SANs",
            &[&dns_only, &pki.int],
            pki.trust(),
        )
        .host("127.0.0.1")
        .fails(mismatch("127.0.0.1", "CN=localhost")),
        Case::new(
            "DNS host vs IP-only SANs (CN ignored)",
            &[&ip_only, &pki.int],
            pki.trust(),
        )
        .fails(mismatch("api.example.com", "CN=api.example.com")),
        Case::new(
            "DNS SAN present, so CN ignored",
            &[&cn_ignored, &pki.int],
            pki.trust(),
        )
        .fails(mismatch("api.example.com", "CN=api.example.com")),
        Case::new(
            "CN fallback when no SANs",
            &[&cn_only, &pki.int],
            pki.trust(),
        ),
        Case::new("CN fallback mismatch", &[&cn_only, &pki.int], pki.trust())
            .host("other.example.com")
            .fails(mismatch("other.example.com", "CN=api.example.com")),
        Case::new(
            "empty subject prints ()",
            &[&no_subject, &pki.int],
            pki.trust(),
        )
        .fails(mismatch("api.example.com", "")),
        Case::new(
            "skip on: private root sent",
            &[&private_leaf, &private_int, &private_root],
            pki.trust(),
        )
        .skip()
        .via(Dispatch::Validated),
        Case::new(
            "skip on: self-signed leaf without CA flags",
            &[&self_signed_leaf],
            pki.trust(),
        )
        .skip()
        .fails(BUILDING),
        Case::new(
            "skip on: self-signed CA:TRUE leaf without keyUsage",
            &[&self_signed_ca_no_ku],
            pki.trust(),
        )
        .skip()
        .fails(BUILDING),
        Case::new(
            "skip on: self-signed leaf with CA:TRUE + keyCertSign",
            &[&self_signed_ca_leaf],
            pki.trust(),
        )
        .skip()
        .via(Dispatch::TrustedLeaf),
        Case::new(
            "skip on: expired self-signed CA leaf (AWS still checks expiry)",
            &[&expired_self_signed_ca_leaf],
            pki.trust(),
        )
        .skip()
        .fails(validation("validity check failed")),
        Case::new(
            "skip on: expired private chain",
            &[&private_expired, &private_int, &private_root],
            pki.trust(),
        )
        .skip()
        .fails(validation("validity check failed")),
        Case::new(
            "skip on: private chain without its root",
            &[&private_leaf, &private_int],
            pki.trust(),
        )
        .skip()
        .fails(BUILDING),
        Case::new(
            "skip on: hostname still checked",
            &[&private_leaf, &private_int, &private_root],
            pki.trust(),
        )
        .skip()
        .host("other.example.com")
        .fails(mismatch("other.example.com", "CN=api.example.com")),
        Case::new(
            "skip off: private root sent",
            &[&private_leaf, &private_int, &private_root],
            pki.trust(),
        )
        .fails(BUILDING),
        Case::new(
            "leaf that is itself a trust anchor",
            &[&anchored_leaf],
            trust(&[&anchored_leaf]),
        )
        .via(Dispatch::TrustedLeaf),
        Case::new(
            "P-384 root, RSA intermediate, Ed25519 leaf",
            &[&ed_leaf, &rsa_int],
            trust(&[&p384_root]),
        ),
        Case::new("Ed25519 root", &[&leaf_under_ed], trust(&[&ed_root])),
        Case::new(
            "empty trust store",
            &[&pki.leaf, &pki.int],
            TrustStore::new(),
        )
        .fails(BUILDING),
    ];

    let mut failures = Vec::new();
    for case in &cases {
        let verdict = judge(&case.chain, case.host, &case.trust, case.skip);
        let got = verdict.java_message();
        if got != case.want {
            failures.push(format!(
                "{}:\n    want {:?}\n    got  {:?}\n    why  {:#?}",
                case.name,
                case.want,
                got,
                verdict.explanation.lines()
            ));
        }
        if let Some(dispatch) = case.dispatch
            && verdict.explanation.dispatch != Some(dispatch)
        {
            failures.push(format!(
                "{}: dispatch {:?}, want {dispatch:?}",
                case.name, verdict.explanation.dispatch
            ));
        }
        // Every verdict explains itself.
        assert!(!verdict.explanation.lines().is_empty(), "{}", case.name);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn expired_leaf_explains_which_certificate_and_by_how_much() {
    let pki = Pki::new();
    let expired = Spec::leaf("api.example.com")
        .sans(&["api.example.com"])
        .valid(NOW - Duration::days(400), NOW - Duration::days(30))
        .signed_by(&pki.int);
    let verdict = judge(
        &[expired.der(), pki.int.der()],
        "api.example.com",
        &pki.trust(),
        false,
    );
    assert_eq!(
        verdict.outcome,
        Err(Rejection::PathValidation {
            check: PathCheck::Validity
        })
    );
    let Some(Failure::Check(failure)) = &verdict.explanation.failure else {
        panic!("expected a check failure: {:?}", verdict.explanation);
    };
    assert_eq!(failure.subject, "CN=api.example.com");
    assert_eq!(failure.position, 0);
    let miss = failure.validity.as_ref().expect("validity details");
    assert_eq!(miss.outside, Outside::Expired);
    assert_eq!(miss.by, "30 days");
    assert_eq!(miss.not_after, "2025-05-02T00:00:00Z");
    let lines = verdict.explanation.lines().join("\n");
    assert!(
        lines.contains("expired 30 days before the check"),
        "{lines}"
    );
    assert_eq!(verdict.explanation.path.len(), 2);
    let anchor = verdict.explanation.anchor.as_ref().expect("anchor");
    assert_eq!(anchor.cert.subject, "CN=Hoplab Root CA");
    assert_eq!(anchor.source, AnchorSource::TrustStore);
}

#[test]
fn missing_intermediate_names_the_issuer_not_found() {
    let pki = Pki::new();
    let verdict = judge(&[pki.leaf.der()], "api.example.com", &pki.trust(), false);
    assert_eq!(verdict.outcome, Err(Rejection::PathBuilding));
    let Some(Failure::Build(build)) = &verdict.explanation.failure else {
        panic!("expected a build failure: {:?}", verdict.explanation);
    };
    let dead_end = build.dead_end.as_ref().expect("dead end");
    assert_eq!(dead_end.issuer, "CN=Hoplab Intermediate");
    assert_eq!(dead_end.subject, "CN=api.example.com");
    assert_eq!(dead_end.reason, DeadEndReason::NotFound);
    let lines = verdict.explanation.lines().join("\n");
    assert!(
        lines.contains(
            "No certificate with subject CN=Hoplab Intermediate was sent and it is not a trusted CA"
        ),
        "{lines}"
    );
}

#[test]
fn self_signed_leaf_is_explained_as_such() {
    let pki = Pki::new();
    let leaf = Spec::leaf("self.example.com").self_signed();
    let verdict = judge(&[leaf.der()], "self.example.com", &pki.trust(), false);
    let Some(Failure::Build(build)) = &verdict.explanation.failure else {
        panic!("expected a build failure");
    };
    assert_eq!(
        build.dead_end.as_ref().map(|d| d.reason),
        Some(DeadEndReason::SelfSigned)
    );
}

#[test]
fn out_of_order_expired_leaf_is_no_starting_point_for_the_builder() {
    let pki = Pki::new();
    let int1 = Spec::ca("One").signed_by(&pki.root);
    let int2 = Spec::ca("Two").signed_by(&int1);
    let leaf = Spec::leaf("api.example.com")
        .sans(&["api.example.com"])
        .valid(NOW - Duration::days(400), NOW - Duration::days(2))
        .signed_by(&int2);
    let verdict = judge(
        &[leaf.der(), int1.der(), int2.der()],
        "api.example.com",
        &pki.trust(),
        false,
    );
    assert_eq!(verdict.java_message().as_deref(), Some(BUILDING));
    let Some(Failure::Build(build)) = &verdict.explanation.failure else {
        panic!("expected a build failure");
    };
    // The JDK's builder looks the target up as a certificate valid now: an expired leaf is
    // never a starting point.
    let dead_end = build.dead_end.as_ref().expect("a dead end");
    assert_eq!(dead_end.subject, "CN=api.example.com");
    assert_eq!(dead_end.reason, DeadEndReason::OutsideValidity);
}

#[test]
fn built_path_and_anchor_are_reported() {
    let pki = Pki::new();
    let int1 = Spec::ca("One").signed_by(&pki.root);
    let int2 = Spec::ca("Two").signed_by(&int1);
    let leaf = Spec::leaf("api.example.com")
        .sans(&["api.example.com"])
        .signed_by(&int2);
    let verdict = judge(
        &[leaf.der(), int1.der(), int2.der()],
        "api.example.com",
        &pki.trust(),
        false,
    );
    assert!(verdict.is_accepted(), "{:?}", verdict.explanation.lines());
    let subjects: Vec<&str> = verdict
        .explanation
        .path
        .iter()
        .map(|c| c.subject.as_str())
        .collect();
    assert_eq!(subjects, ["CN=api.example.com", "CN=Two", "CN=One"]);
    let hostname = verdict
        .explanation
        .hostname
        .as_ref()
        .expect("hostname check");
    assert_eq!(hostname.matched.as_deref(), Some("api.example.com"));
}

#[test]
fn skip_anchor_is_marked_as_sent() {
    let root = Spec::ca("Private Root CA").self_signed();
    let leaf = Spec::leaf("api.example.com")
        .sans(&["api.example.com"])
        .signed_by(&root);
    let verdict = judge(
        &[leaf.der(), root.der()],
        "api.example.com",
        &TrustStore::new(),
        true,
    );
    assert!(verdict.is_accepted(), "{:?}", verdict.explanation.lines());
    let anchor = verdict.explanation.anchor.expect("anchor");
    assert_eq!(anchor.source, AnchorSource::SentWithSkipVerification);
}

#[test]
fn hostname_explanation_lists_the_names_compared() {
    let pki = Pki::new();
    let leaf = Spec::leaf("api.example.com")
        .sans(&["a.example.com", "b.example.com"])
        .signed_by(&pki.int);
    let verdict = judge(
        &[leaf.der(), pki.int.der()],
        "c.example.com",
        &pki.trust(),
        false,
    );
    let hostname = verdict.explanation.hostname.expect("hostname check");
    assert_eq!(
        hostname.compared,
        Compared::DnsNames(vec!["a.example.com".into(), "b.example.com".into()])
    );
    assert_eq!(hostname.matched, None);
}

#[test]
fn junk_chain_of_5000_certificates_is_rejected_within_bounds() {
    // Every junk certificate is named "Junk CA", issued by "Junk CA", and signed by the same
    // key, so each one verifies every other: the worst case for a depth-first builder.
    let junk_root = Spec::ca("Junk CA").self_signed();
    let leaf = Spec::leaf("api.example.com")
        .sans(&["api.example.com"])
        .signed_by(&junk_root);
    let mut chain = vec![leaf.der()];
    let junk = support::same_key_copies(&junk_root, 4_999);
    chain.extend(junk);
    let pki = Pki::new();
    let verdict = judge(&chain, "api.example.com", &pki.trust(), false);
    assert_eq!(verdict.java_message().as_deref(), Some(BUILDING));
    let Some(Failure::Build(build)) = &verdict.explanation.failure else {
        panic!("expected a build failure");
    };
    assert!(build.search_limit_hit);
}

#[test]
fn unparseable_chains_fail_to_parse_as_in_jsse() {
    let pki = Pki::new();
    let garbage = CertificateDer::from(b"not a certificate".to_vec());
    for (name, chain) in [
        ("empty", vec![]),
        ("garbage", vec![garbage.clone()]),
        ("garbage after a valid leaf", vec![pki.leaf.der(), garbage]),
    ] {
        let verdict = judge(&chain, "api.example.com", &pki.trust(), false);
        assert_eq!(verdict.outcome, Err(Rejection::Unparseable), "{name}");
        assert_eq!(
            verdict.java_message().as_deref(),
            Some("Failed to parse server certificates"),
            "{name}"
        );
    }
}

#[test]
fn trust_store_rejects_garbage_and_keeps_one_copy() {
    let pki = Pki::new();
    let mut store = TrustStore::new();
    assert!(store.is_empty());
    let err = store
        .add(CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x01]))
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("trust store: certificate does not parse"),
        "{err}"
    );
    store.add(pki.root.der()).unwrap();
    store.add(pki.root.der()).unwrap();
    assert_eq!(store.len(), 1);
}

#[test]
fn pem_chain_round_trips_and_errors_clearly() {
    let pki = Pki::new();
    let pem = format!("{}{}", pki.leaf.pem, pki.int.pem);
    let chain = parse_pem_chain(pem.as_bytes()).unwrap();
    assert_eq!(chain, [pki.leaf.der(), pki.int.der()]);
    assert!(judge(&chain, "api.example.com", &pki.trust(), false).is_accepted());

    let err = parse_pem_chain(b"no pem here").unwrap_err();
    assert!(
        matches!(err, hoplab_pkix::PkixError::NoCertificates { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("line 1 reads \"no pem here\""),
        "{err}"
    );
    let err = parse_pem_chain(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")
        .unwrap_err();
    assert!(err.to_string().starts_with("pem: "), "{err}");
}

#[test]
fn rejection_display_is_the_java_message() {
    let rejection = Rejection::HostnameMismatch {
        host: "domain.com.com".into(),
        subject: "CN=myinstance.com".into(),
    };
    assert_eq!(rejection.to_string(), rejection.java_message());
    assert_eq!(
        rejection.java_message(),
        "Host name 'domain.com.com' does not match the certificate subject provided by the peer (CN=myinstance.com)"
    );
}

#[test]
fn verdicts_serialize_for_reports() {
    let pki = Pki::new();
    let chains = [
        vec![pki.leaf.der(), pki.int.der()],
        vec![pki.leaf.der()],
        vec![CertificateDer::from(vec![1, 2, 3])],
    ];
    for chain in &chains {
        let verdict = judge(chain, "api.example.com", &pki.trust(), false);
        let json = serde_json::to_value(&verdict).expect("serializes");
        assert!(json.get("explanation").is_some(), "{json}");
    }
    let verdict = judge(&chains[1], "api.example.com", &pki.trust(), false);
    let json = serde_json::to_value(&verdict).unwrap();
    assert_eq!(json["outcome"]["Err"]["kind"], "path_building");
    assert_eq!(json["explanation"]["failure"]["kind"], "build");
    assert_eq!(
        json["explanation"]["failure"]["dead_end"]["issuer"],
        "CN=Hoplab Intermediate"
    );
}
