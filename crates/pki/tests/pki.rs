//! Generates real PKIs from scenario models and checks the certificates with x509-parser and
//! real rustls handshakes on loopback.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use hoplab_pki::{Pki, ServedCertificate, key_pool_stats};
use hoplab_scenario::{
    AuthorityBuilder, CertRef, CertificateBuilder, ChainPreset, KeyType, LoadError, RouteBuilder,
    Scenario, ScenarioBuilder, SignatureHash, TargetBuilder, TimeSpec,
};
use rustls::pki_types::{CertificateDer, ServerName};
use time::{Duration, OffsetDateTime, macros::datetime};
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{X509Certificate, parse_x509_certificate};

// ---- scenario builders ----

/// A named authority.
struct Authority(&'static str, AuthorityBuilder);

/// A named leaf certificate.
struct Leaf(String, CertificateBuilder);

impl Leaf {
    fn with(self, change: impl FnOnce(CertificateBuilder) -> CertificateBuilder) -> Self {
        Leaf(self.0, change(self.1))
    }
}

fn authority(name: &'static str, issuer: Option<&str>) -> Authority {
    let base = match issuer {
        None => AuthorityBuilder::root(),
        Some(issuer) => AuthorityBuilder::issued_by(issuer),
    };
    Authority(
        name,
        base.common_name(&format!("{name} CA"))
            .not_before(TimeSpec::Relative(-Duration::days(1)))
            .not_after(TimeSpec::Relative(Duration::days(365)))
            .trusted(issuer.is_none()),
    )
}

/// A leaf without a subject.
fn anonymous_leaf(name: &str, issuer: Option<&str>) -> Leaf {
    let base = match issuer {
        None => CertificateBuilder::self_signed(),
        Some(issuer) => CertificateBuilder::issued_by(issuer),
    };
    Leaf(
        name.to_owned(),
        base.not_before(TimeSpec::Relative(-Duration::days(1)))
            .not_after(TimeSpec::Relative(Duration::days(365))),
    )
}

fn leaf(name: &str, issuer: Option<&str>) -> Leaf {
    anonymous_leaf(name, issuer)
        .with(|c| c.common_name("api.example.com").dns_name("api.example.com"))
}

/// A scenario with this PKI (and the one route a scenario needs).
fn spec(authorities: Vec<Authority>, certificates: Vec<Leaf>) -> Scenario {
    try_spec(authorities, certificates).unwrap_or_else(|e| panic!("a valid scenario: {e}"))
}

fn try_spec(authorities: Vec<Authority>, certificates: Vec<Leaf>) -> Result<Scenario, LoadError> {
    let mut builder = ScenarioBuilder::new()
        .target("web", TargetBuilder::http().dns_name("web.example.com"))
        .route(RouteBuilder::new("/", "http://web.example.com/"));
    for Authority(name, authority) in authorities {
        builder = builder.authority(name, authority);
    }
    for Leaf(name, certificate) in certificates {
        builder = builder.certificate(&name, certificate);
    }
    builder.build()
}

/// root → mid → issuing → (leaves)
fn three_tier(leaves: Vec<Leaf>) -> Scenario {
    spec(
        vec![
            authority("root", None),
            authority("mid", Some("root")),
            authority("issuing", Some("mid")),
        ],
        leaves,
    )
}

fn now() -> OffsetDateTime {
    datetime!(2025-06-15 12:34:56.789 UTC)
}

/// A generated PKI with its scenario, so tests can name certificates.
struct Generated {
    scenario: Scenario,
    pki: Pki,
}

impl Generated {
    fn id(&self, name: &str) -> Option<CertRef> {
        self.scenario
            .find_authority(name)
            .map(CertRef::Authority)
            .or_else(|| self.scenario.find_certificate(name).map(CertRef::Leaf))
    }

    fn served(&self, leaf: &str) -> Option<&ServedCertificate> {
        let leaf = self.scenario.find_certificate(leaf)?;
        Some(self.pki.served(leaf))
    }

    fn certificate_der(&self, name: &str) -> Option<&CertificateDer<'static>> {
        self.id(name).map(|id| self.pki.certificate_der(id))
    }

    fn trusted(&self) -> Vec<CertificateDer<'static>> {
        self.pki.trusted()
    }

    fn pem_files(&self) -> Vec<(String, String, bool)> {
        self.pki.pem_files()
    }
}

fn generate_at(spec: &Scenario, now: OffsetDateTime) -> Generated {
    Generated {
        scenario: spec.clone(),
        pki: Pki::generate(spec.pki(), now).expect("pki generates"),
    }
}

fn generate(spec: &Scenario) -> Generated {
    generate_at(spec, now())
}

/// The validation errors of a scenario that must not load.
fn validation_errors(result: Result<Scenario, LoadError>) -> Vec<hoplab_scenario::ScenarioError> {
    match result {
        Err(LoadError::Invalid(errors)) => errors,
        other => panic!("expected validation errors, got {other:?}"),
    }
}

fn parse<'a>(der: &'a CertificateDer<'_>) -> X509Certificate<'a> {
    let (rest, cert) = parse_x509_certificate(der.as_ref()).expect("certificate parses");
    assert!(rest.is_empty());
    cert
}

fn cert<'a>(pki: &'a Generated, name: &str) -> X509Certificate<'a> {
    parse(pki.certificate_der(name).expect("certificate exists"))
}

fn ski<'a>(cert: &X509Certificate<'a>) -> Option<&'a [u8]> {
    cert.iter_extensions()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0),
            _ => None,
        })
}

fn aki<'a>(cert: &X509Certificate<'a>) -> Option<&'a [u8]> {
    cert.iter_extensions()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                aki.key_identifier.as_ref().map(|id| id.0)
            }
            _ => None,
        })
}

fn ca_flag(cert: &X509Certificate<'_>) -> Option<bool> {
    cert.basic_constraints().unwrap().map(|bc| bc.value.ca)
}

/// Which named certificates a chain holds, in order.
fn chain_names(pki: &Generated, chain: &[CertificateDer<'static>]) -> Vec<String> {
    let names: Vec<&str> = pki
        .pki
        .authority_names()
        .chain(pki.pki.leaf_names())
        .collect();
    chain
        .iter()
        .map(|der| {
            names
                .iter()
                .find(|n| pki.certificate_der(n) == Some(der))
                .map_or_else(|| "?".to_owned(), |n| n.to_string())
        })
        .collect()
}

// ---- certificate contents ----

#[test]
fn subjects_hold_only_the_common_name() {
    let anonymous =
        anonymous_leaf("anonymous", Some("root")).with(|c| c.dns_name("api.example.com"));
    let pki = generate(&spec(
        vec![authority("root", None)],
        vec![leaf("named", Some("root")), anonymous],
    ));

    assert_eq!(cert(&pki, "root").subject().to_string(), "CN=root CA");
    assert_eq!(
        cert(&pki, "named").subject().to_string(),
        "CN=api.example.com"
    );
    assert_eq!(cert(&pki, "named").issuer().to_string(), "CN=root CA");

    let anonymous = cert(&pki, "anonymous");
    assert_eq!(anonymous.subject().iter().count(), 0);
    let san = anonymous.subject_alternative_name().unwrap().unwrap();
    assert!(
        san.critical,
        "an empty subject needs a critical subjectAltName"
    );
}

#[test]
fn subject_alt_names_hold_dns_names_and_ip_addresses() {
    let multi = leaf("multi", Some("root")).with(|c| {
        c.dns_name("*.internal.example")
            .ip_address("127.0.0.1".parse().unwrap())
            .ip_address("::1".parse().unwrap())
    });
    let pki = generate(&spec(vec![authority("root", None)], vec![multi]));

    let cert = cert(&pki, "multi");
    let san = cert.subject_alternative_name().unwrap().unwrap();
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    for name in &san.value.general_names {
        match name {
            GeneralName::DNSName(d) => dns.push(d.to_string()),
            GeneralName::IPAddress(bytes) => ips.push(match bytes.len() {
                4 => IpAddr::from(<[u8; 4]>::try_from(*bytes).unwrap()),
                _ => IpAddr::from(<[u8; 16]>::try_from(*bytes).unwrap()),
            }),
            other => panic!("unexpected name {other:?}"),
        }
    }
    assert_eq!(dns, ["api.example.com", "*.internal.example"]);
    assert_eq!(
        ips,
        [
            "127.0.0.1".parse::<IpAddr>().unwrap(),
            "::1".parse().unwrap()
        ]
    );
    assert!(!san.critical);
}

#[test]
fn validity_resolves_relative_and_absolute_times() {
    let relative = leaf("relative", Some("root")).with(|c| {
        c.not_before(TimeSpec::Relative(-Duration::days(30)))
            .not_after(TimeSpec::Relative(Duration::days(365)))
    });
    let absolute = leaf("absolute", Some("root")).with(|c| {
        c.not_before(TimeSpec::Absolute(datetime!(2020-01-02 03:04:05 UTC)))
            .not_after(TimeSpec::Absolute(datetime!(2060-06-07 08:09:10 UTC)))
    });
    let pki = generate(&spec(
        vec![authority("root", None)],
        vec![relative, absolute],
    ));

    let now = now().unix_timestamp();
    let relative = cert(&pki, "relative");
    assert_eq!(
        relative.validity().not_before.timestamp(),
        now - 30 * 86_400
    );
    assert_eq!(
        relative.validity().not_after.timestamp(),
        now + 365 * 86_400
    );

    let absolute = cert(&pki, "absolute");
    assert_eq!(
        absolute.validity().not_before.timestamp(),
        datetime!(2020-01-02 03:04:05 UTC).unix_timestamp()
    );
    assert_eq!(
        absolute.validity().not_after.timestamp(),
        datetime!(2060-06-07 08:09:10 UTC).unix_timestamp()
    );
}

#[test]
fn authority_flags_follow_the_scenario() {
    let Authority(name, not_ca) = authority("not-ca", Some("root"));
    let not_ca = Authority(
        name,
        not_ca.basic_constraints_ca(false).key_cert_sign(false),
    );
    // A non-CA authority still signs: the scenario wants the client to reject the result.
    let pki = generate(&spec(
        vec![authority("root", None), not_ca],
        vec![leaf("under-not-ca", Some("not-ca"))],
    ));
    cert(&pki, "under-not-ca")
        .verify_signature(Some(cert(&pki, "not-ca").public_key()))
        .expect("signed by the non-CA authority");

    let root = cert(&pki, "root");
    let bc = root.basic_constraints().unwrap().unwrap();
    assert!(bc.value.ca);
    assert_eq!(bc.value.path_len_constraint, None);
    assert!(bc.critical);
    let ku = root.key_usage().unwrap().unwrap().value;
    assert!(ku.key_cert_sign() && ku.crl_sign() && ku.digital_signature());

    let not_ca = cert(&pki, "not-ca");
    assert_eq!(ca_flag(&not_ca), Some(false));
    let ku = not_ca.key_usage().unwrap().unwrap().value;
    assert!(ku.digital_signature());
    assert!(!ku.key_cert_sign() && !ku.crl_sign());
}

#[test]
fn leaf_flags_follow_the_scenario() {
    let rsa = leaf("rsa", Some("root")).with(|c| c.key(KeyType::Rsa2048));
    let ca_leaf =
        leaf("ca-leaf", Some("root")).with(|c| c.basic_constraints_ca(true).key_cert_sign(true));
    let pki = generate(&spec(
        vec![authority("root", None)],
        vec![leaf("plain", Some("root")), rsa, ca_leaf],
    ));

    let plain = cert(&pki, "plain");
    assert_eq!(
        ca_flag(&plain),
        Some(false),
        "leaves carry an explicit CA:FALSE"
    );
    let ku = plain.key_usage().unwrap().unwrap().value;
    assert!(ku.digital_signature());
    assert!(!ku.key_encipherment() && !ku.key_cert_sign() && !ku.crl_sign());
    let eku = plain.extended_key_usage().unwrap().unwrap().value;
    assert!(eku.server_auth);

    let rsa = cert(&pki, "rsa");
    let ku = rsa.key_usage().unwrap().unwrap().value;
    assert!(ku.digital_signature() && ku.key_encipherment());

    let ca_leaf = cert(&pki, "ca-leaf");
    assert_eq!(ca_flag(&ca_leaf), Some(true));
    let ku = ca_leaf.key_usage().unwrap().unwrap().value;
    assert!(ku.key_cert_sign() && ku.crl_sign() && ku.digital_signature());
}

#[test]
fn issued_certificates_link_to_their_issuer() {
    let pki = generate(&three_tier(vec![leaf("api", Some("issuing"))]));
    for (child, parent) in [("mid", "root"), ("issuing", "mid"), ("api", "issuing")] {
        let child = cert(&pki, child);
        let parent = cert(&pki, parent);
        assert_eq!(child.issuer(), parent.subject());
        assert_eq!(aki(&child), ski(&parent));
        assert!(aki(&child).is_some());
        child
            .verify_signature(Some(parent.public_key()))
            .expect("signed by its issuer");
    }
    let root = cert(&pki, "root");
    assert_eq!(root.issuer(), root.subject());
    root.verify_signature(None).expect("root is self-signed");
}

#[test]
fn serial_numbers_are_random_positive_16_bytes() {
    let pki = generate(&three_tier(vec![
        leaf("a", Some("issuing")),
        leaf("b", Some("issuing")),
    ]));
    let serials: Vec<Vec<u8>> = ["root", "mid", "issuing", "a", "b"]
        .iter()
        .map(|n| cert(&pki, n).raw_serial().to_vec())
        .collect();
    for serial in &serials {
        assert_eq!(serial.len(), 16);
        assert_eq!(serial[0] & 0x80, 0, "positive");
    }
    for (i, a) in serials.iter().enumerate() {
        assert!(serials[i + 1..].iter().all(|b| a != b), "distinct serials");
    }
}

#[test]
fn self_signed_leaf_is_its_own_issuer() {
    let own = leaf("own", None).with(|c| c.chain(ChainPreset::LeafIntermediatesAndRoot));
    let pki = generate(&spec(vec![], vec![own]));

    let cert = cert(&pki, "own");
    assert_eq!(cert.issuer(), cert.subject());
    cert.verify_signature(None)
        .expect("signed with its own key");
    assert_eq!(ca_flag(&cert), Some(false));

    let served = pki.served("own").unwrap();
    assert_eq!(chain_names(&pki, &served.chain), ["own"]);
    assert!(pki.trusted().is_empty());
}

// ---- chains ----

#[test]
fn chain_presets_send_the_right_certificates_in_order() {
    let preset =
        |name: &str, chain: ChainPreset| leaf(name, Some("issuing")).with(|c| c.chain(chain));
    let pki = generate(&three_tier(vec![
        preset("leaf-only", ChainPreset::Leaf),
        preset("default", ChainPreset::LeafAndIntermediates),
        preset("with-root", ChainPreset::LeafIntermediatesAndRoot),
        preset("reversed", ChainPreset::LeafAndReversedIntermediates),
    ]));

    let sent = |leaf: &str| {
        let served = pki.served(leaf).unwrap();
        assert_eq!(served.certified_key.cert, served.chain);
        chain_names(&pki, &served.chain)
    };
    assert_eq!(sent("leaf-only"), ["leaf-only"]);
    assert_eq!(sent("default"), ["default", "issuing", "mid"]);
    assert_eq!(sent("with-root"), ["with-root", "issuing", "mid", "root"]);
    assert_eq!(sent("reversed"), ["reversed", "mid", "issuing"]);
}

#[test]
fn a_leaf_under_the_root_has_no_intermediates() {
    let with_root =
        leaf("with-root", Some("root")).with(|c| c.chain(ChainPreset::LeafIntermediatesAndRoot));
    let pki = generate(&spec(
        vec![authority("root", None)],
        vec![leaf("default", Some("root")), with_root],
    ));
    assert_eq!(
        chain_names(&pki, &pki.served("default").unwrap().chain),
        ["default"]
    );
    assert_eq!(
        chain_names(&pki, &pki.served("with-root").unwrap().chain),
        ["with-root", "root"]
    );
}

#[test]
fn explicit_chains_are_sent_exactly() {
    let explicit = leaf("explicit", Some("issuing"))
        .with(|c| c.chain_of(["explicit", "root", "other", "mid"]));
    let foreign_first =
        leaf("foreign-first", Some("issuing")).with(|c| c.chain_of(["other", "issuing"]));
    let pki = generate(&three_tier(vec![
        explicit,
        foreign_first,
        leaf("other", Some("issuing")),
    ]));

    let explicit = pki.served("explicit").unwrap();
    assert_eq!(
        chain_names(&pki, &explicit.chain),
        ["explicit", "root", "other", "mid"]
    );
    assert_eq!(explicit.certified_key.cert, explicit.chain);
    assert_eq!(
        chain_names(&pki, &pki.served("foreign-first").unwrap().chain),
        ["other", "issuing"]
    );
}

// ---- errors ----

#[test]
fn inconsistent_specs_are_errors() {
    // A sealed scenario cannot name what does not exist, so validation refuses these before
    // any certificate is generated.
    let refused = |result: Result<Scenario, LoadError>| match result {
        Err(LoadError::Invalid(errors)) => errors,
        other => panic!("expected validation errors, got {other:?}"),
    };
    let errors = refused(try_spec(
        vec![authority("root", None)],
        vec![leaf("api", Some("root")).with(|c| c.chain_of(["api", "nope"]))],
    ));
    assert!(
        errors
            .iter()
            .any(|e| e.field == "certificates.api.chain[1]" && e.message.contains("\"nope\"")),
        "{errors:?}"
    );

    let errors = refused(try_spec(vec![], vec![leaf("api", Some("ghost"))]));
    assert!(
        errors
            .iter()
            .any(|e| e.field == "certificates.api.issuer" && e.message.contains("\"ghost\"")),
        "{errors:?}"
    );

    // An intermediate listed before its issuer is put after it.
    let s = spec(
        vec![authority("mid", Some("root")), authority("root", None)],
        vec![],
    );
    let order: Vec<&str> = s.pki().authorities().map(|a| a.name()).collect();
    assert_eq!(order, ["root", "mid"]);
    generate(&s);

    let errors = refused(try_spec(
        vec![authority("root", None)],
        vec![leaf("bad", Some("root")).with(|c| c.dns_name("bücher.example"))],
    ));
    assert!(
        errors
            .iter()
            .any(|e| e.field == "certificates.bad.dns_names[1]"),
        "{errors:?}"
    );
}

// ---- keys ----

#[test]
fn every_key_type_generates_a_usable_certified_key() {
    // A 1024-bit RSA key is for authorities only (rustls cannot sign a handshake with it).
    let servable = || {
        KeyType::ALL
            .iter()
            .filter(|(_, kind)| *kind != KeyType::Rsa1024)
    };
    let leaves = servable()
        .map(|(spelling, kind)| leaf(spelling, None).with(|c| c.key(*kind)))
        .collect();
    let pki = generate(&spec(vec![], leaves));

    for (spelling, kind) in servable() {
        let served = pki.served(spelling).unwrap();
        served
            .certified_key
            .keys_match()
            .expect("key matches the certificate");
        let expected = match kind {
            KeyType::EcdsaP256 | KeyType::EcdsaP384 => rustls::SignatureAlgorithm::ECDSA,
            KeyType::Rsa1024 | KeyType::Rsa2048 | KeyType::Rsa3072 | KeyType::Rsa4096 => {
                rustls::SignatureAlgorithm::RSA
            }
            KeyType::Ed25519 => rustls::SignatureAlgorithm::ED25519,
        };
        assert_eq!(served.certified_key.key.algorithm(), expected, "{spelling}");
        let cert = cert(&pki, spelling);
        cert.verify_signature(None)
            .unwrap_or_else(|e| panic!("{spelling}: {e}"));
        if let Some(bits) = spelling.strip_prefix("rsa-") {
            let bits: usize = bits.parse().unwrap();
            let x509_parser::public_key::PublicKey::RSA(rsa) = cert.public_key().parsed().unwrap()
            else {
                panic!("{spelling}: not an RSA key");
            };
            assert_eq!(rsa.key_size(), bits, "{spelling}");
        }
    }
}

#[test]
fn a_1024_bit_rsa_authority_signs_with_sha1_and_constrains_names() {
    let legacy = Authority(
        "legacy",
        AuthorityBuilder::issued_by("root")
            .common_name("Legacy Issuing CA")
            .key(KeyType::Rsa1024)
            .signature_hash(SignatureHash::Sha1)
            .permitted_dns_name("example.com")
            .excluded_dns_name("secret.example.com"),
    );
    let root = authority("root", None);
    let root = Authority(root.0, root.1.key(KeyType::Rsa2048));
    let scenario = spec(
        vec![root, legacy],
        vec![leaf("web", Some("legacy")).with(|c| c.signature_hash(SignatureHash::Sha1))],
    );
    let pki = generate(&scenario);

    let legacy = cert(&pki, "legacy");
    let root = cert(&pki, "root");
    let web = cert(&pki, "web");
    let sha1_with_rsa = "1.2.840.113549.1.1.5";
    for (name, c) in [("legacy", &legacy), ("web", &web)] {
        assert_eq!(
            c.signature_algorithm.algorithm.to_id_string(),
            sha1_with_rsa,
            "{name}"
        );
        assert_eq!(
            c.tbs_certificate.signature.algorithm.to_id_string(),
            sha1_with_rsa,
            "{name}: the signed algorithm matches the outer one"
        );
    }
    legacy
        .verify_signature(Some(root.public_key()))
        .expect("the root's SHA-1 signature verifies");
    web.verify_signature(Some(legacy.public_key()))
        .expect("the 1024-bit key's SHA-1 signature verifies");
    let x509_parser::public_key::PublicKey::RSA(rsa) = legacy.public_key().parsed().unwrap() else {
        panic!("not an RSA key");
    };
    assert_eq!(rsa.key_size(), 1024);

    let constraints = legacy
        .extensions()
        .iter()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::NameConstraints(nc) => Some((ext.critical, nc.clone())),
            _ => None,
        })
        .expect("a nameConstraints extension");
    assert!(constraints.0, "nameConstraints is critical");
    let dns = |subtrees: Option<Vec<x509_parser::extensions::GeneralSubtree<'_>>>| {
        subtrees
            .unwrap_or_default()
            .into_iter()
            .map(|subtree| match subtree.base {
                GeneralName::DNSName(name) => name.to_owned(),
                other => panic!("not a DNS subtree: {other:?}"),
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(dns(constraints.1.permitted_subtrees), ["example.com"]);
    assert_eq!(dns(constraints.1.excluded_subtrees), ["secret.example.com"]);
}

#[test]
fn keys_and_hashes_the_generator_cannot_use_are_located_errors() {
    let errors = validation_errors(try_spec(
        vec![authority("root", None)],
        vec![leaf("small", Some("root")).with(|c| c.key(KeyType::Rsa1024))],
    ));
    assert!(
        errors
            .iter()
            .any(|e| e.field == "certificates.small.key" && e.message.contains("1024-bit RSA")),
        "{errors:?}"
    );
    // The root's key is the default P-256: no SHA1withRSA.
    let errors = validation_errors(try_spec(
        vec![authority("root", None)],
        vec![leaf("sha1", Some("root")).with(|c| c.signature_hash(SignatureHash::Sha1))],
    ));
    assert!(
        errors
            .iter()
            .any(|e| e.field == "certificates.sha1.signature_hash"
                && e.message.contains("ecdsa-p256")),
        "{errors:?}"
    );
}

#[test]
fn rsa_keys_are_pooled_across_pkis_and_distinct_within_one() {
    let rsa_leaf = |name: &str| leaf(name, Some("root")).with(|c| c.key(KeyType::Rsa2048));
    let scenario = spec(
        vec![authority("root", None)],
        vec![rsa_leaf("a"), rsa_leaf("b")],
    );
    let first = generate(&scenario);
    let reused_before = key_pool_stats().reused;
    let second = generate(&scenario);
    assert!(key_pool_stats().reused >= reused_before + 2);

    let spki = |pki: &Generated, name: &str| cert(pki, name).public_key().raw.to_vec();
    assert_ne!(
        spki(&first, "a"),
        spki(&first, "b"),
        "distinct keys within one PKI"
    );
    assert_eq!(spki(&first, "a"), spki(&second, "a"), "pooled across PKIs");
    assert_eq!(spki(&first, "b"), spki(&second, "b"), "pooled across PKIs");
    assert_ne!(
        cert(&first, "a").raw_serial(),
        cert(&second, "a").raw_serial(),
        "certificates are still fresh"
    );
    // ECDSA keys are cheap and never pooled.
    assert_ne!(spki(&first, "root"), spki(&second, "root"));
}

// ---- PEM ----

#[test]
fn pem_files_round_trip() {
    let pki = generate(&three_tier(vec![leaf("api", Some("issuing"))]));
    let files = pki.pem_files();
    let names: Vec<&str> = files.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "root.crt",
            "mid.crt",
            "issuing.crt",
            "api.crt",
            "api.chain.pem",
            "api.key",
            "trusted-cas.pem"
        ]
    );
    let file = |name: &str| files.iter().find(|(n, _, _)| n == name).unwrap();

    let (_, crt, secret) = file("api.crt");
    assert!(!secret);
    let block = pem::parse(crt).unwrap();
    assert_eq!(block.tag(), "CERTIFICATE");
    assert_eq!(
        block.contents(),
        pki.certificate_der("api").unwrap().as_ref()
    );

    let (_, chain, _) = file("api.chain.pem");
    let blocks = pem::parse_many(chain).unwrap();
    let served = pki.served("api").unwrap();
    assert_eq!(blocks.len(), served.chain.len());
    for (block, der) in blocks.iter().zip(&served.chain) {
        assert_eq!(block.contents(), der.as_ref());
    }

    let (_, key, secret) = file("api.key");
    assert!(secret);
    let block = pem::parse(key).unwrap();
    assert_eq!(block.tag(), "PRIVATE KEY");
    assert_eq!(block.contents(), served.key.secret_der());

    let (_, trusted, _) = file("trusted-cas.pem");
    let blocks = pem::parse_many(trusted).unwrap();
    assert_eq!(blocks.len(), 1);
    assert_eq!(
        blocks[0].contents(),
        pki.certificate_der("root").unwrap().as_ref()
    );
}

// ---- real handshakes ----

/// Serves one `CertifiedKey` whatever the client asks for.
#[derive(Debug)]
struct Serve(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for Serve {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }
}

/// rustls checks validity against the wall clock, so these PKIs are relative to it.
fn generate_for_handshake(spec: &Scenario) -> Generated {
    generate_at(spec, OffsetDateTime::now_utc())
}

/// Runs one handshake against a loopback server serving `leaf`; returns the client's result.
async fn handshake(pki: &Generated, leaf: &str, server_name: &str) -> Result<(), std::io::Error> {
    let served = pki.served(leaf).unwrap();
    let server_config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Serve(Arc::clone(&served.certified_key))));
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        // The server's outcome follows the client's; only the client's result is reported.
        let _ = acceptor.accept(tcp).await;
        Ok::<_, std::io::Error>(())
    });

    let mut roots = rustls::RootCertStore::empty();
    for der in pki.trusted() {
        roots.add(der).unwrap();
    }
    let client_config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config));
    let name = ServerName::try_from(server_name.to_owned()).unwrap();
    let result = tokio::time::timeout(StdDuration::from_secs(10), async {
        let tcp = tokio::net::TcpStream::connect(addr).await?;
        connector.connect(name, tcp).await.map(drop)
    })
    .await
    .expect("handshake finishes in time");
    tokio::time::timeout(StdDuration::from_secs(10), server)
        .await
        .expect("server finishes in time")
        .unwrap()
        .unwrap();
    result
}

#[tokio::test]
async fn rustls_client_accepts_a_leaf_and_intermediate_chain() {
    let by_ip = leaf("by-ip", Some("issuing")).with(|c| c.ip_address("127.0.0.1".parse().unwrap()));
    let pki = generate_for_handshake(&three_tier(vec![leaf("api", Some("issuing")), by_ip]));

    handshake(&pki, "api", "api.example.com")
        .await
        .expect("valid chain is accepted");
    handshake(&pki, "by-ip", "127.0.0.1")
        .await
        .expect("IP subjectAltName is accepted");
}

#[tokio::test]
async fn rustls_client_rejects_a_chain_missing_its_intermediates() {
    let bare = leaf("bare", Some("issuing")).with(|c| c.chain(ChainPreset::Leaf));
    let pki = generate_for_handshake(&three_tier(vec![bare]));

    let err = handshake(&pki, "bare", "api.example.com")
        .await
        .expect_err("no path to the root");
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
}
