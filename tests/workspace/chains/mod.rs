//! Random certificate chains, reproducible from a seed.
//!
//! Each seed gives one case: a root, zero to three intermediates and a leaf, each with random
//! keys (RSA 1024–4096, EC P-192 to P-521, Ed25519), signature algorithms (SHA-1 to SHA-512,
//! RSA-PSS), validity windows, basicConstraints and pathLen, keyUsage, extendedKeyUsage,
//! name constraints, key identifiers (present, missing, mismatched), unknown and duplicate
//! extensions, empty names, version 1 certificates; sometimes a second root with the same
//! name, a cross-signed intermediate or an unrelated CA; a trust store; and the chain as
//! sent, in random order, with certificates missing, extra or repeated. The leaf's names come
//! from [`names`]. rcgen writes each certificate; [`der`] then sets what rcgen cannot
//! express (any key, any signature algorithm, the defects) and the issuer's key signs it.

mod der;
mod keys;
mod names;

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, NameConstraints, SanType,
    SerialNumber,
};
use sha2::Digest;
use time::OffsetDateTime;

use crate::oracle::Case;
use der::Tbs;
use keys::{Hash, Key, KeyKind};

/// The time every random chain is judged at.
pub(crate) const JUDGED_AT: i64 = 1_717_200_000; // 2024-06-01T00:00:00Z

/// A distinguished name, kept structured so it can be encoded in more than one way.
#[derive(Debug, Clone, PartialEq)]
struct Name(Vec<([u64; 4], String)>);

impl Name {
    fn cn(value: &str) -> Name {
        Name(vec![
            ([2, 5, 4, 6], "US".to_owned()),
            ([2, 5, 4, 10], "hoplab".to_owned()),
            ([2, 5, 4, 3], value.to_owned()),
        ])
    }

    /// As RDNs of UTF8String, or PrintableString with the values lower-cased (a name the JDK
    /// compares equal, byte for byte different).
    fn encode(&self, variant: bool) -> Vec<u8> {
        let rdns: Vec<Vec<u8>> = self
            .0
            .iter()
            .map(|(oid, value)| {
                let (tag, value) = if variant {
                    (0x13, value.to_lowercase())
                } else {
                    (0x0c, value.clone())
                };
                der::tlv(
                    0x31,
                    &der::seq(&[&der::oid(oid), &der::tlv(tag, value.as_bytes())]),
                )
            })
            .collect();
        der::seq(&rdns.iter().map(Vec::as_slice).collect::<Vec<_>>())
    }
}

/// How a certificate names its issuer's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Aki {
    Match,
    Other,
    Absent,
}

/// Everything one certificate will say.
#[derive(Clone)]
struct Spec {
    subject: Name,
    key: &'static Key,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    is_ca: IsCa,
    key_usages: Vec<KeyUsagePurpose>,
    ekus: Vec<ExtendedKeyUsagePurpose>,
    name_constraints: Option<NameConstraints>,
    sans: Vec<SanType>,
    san_critical: bool,
    ski: Option<Vec<u8>>,
    aki: Aki,
    extra: Vec<Vec<u8>>,
    duplicate_extension: bool,
    v1: bool,
    hash: Hash,
    pss: bool,
    bad_signature: bool,
    mismatched_outer: bool,
    issuer_variant: bool,
}

/// One random case.
pub(crate) fn generate(seed: u64) -> Case {
    let rng = &mut ChaCha8Rng::seed_from_u64(seed);
    let at = OffsetDateTime::from_unix_timestamp(JUDGED_AT).expect("a valid time");
    let depth = *[0usize, 1, 1, 1, 2, 2, 3].choose(rng).expect("depths");

    let root = ca_spec(rng, "Hoplab Root CA", at, true);
    let mut intermediates = Vec::new();
    for j in 0..depth {
        intermediates.push(ca_spec(rng, &format!("Hoplab Intermediate {j}"), at, false));
    }
    let (host, leaf_names) = names::pick(rng);
    let leaf = leaf_spec(rng, &leaf_names, at);

    let mut serial = seed.wrapping_mul(1000);
    let mut issue_next = |spec: &Spec, issuer: Option<&Spec>| {
        serial += 1;
        issue(spec, issuer, serial)
    };
    let root_der = issue_next(&root, None);
    let mut ca_ders = Vec::new();
    let mut above = &root;
    for spec in &intermediates {
        ca_ders.push(issue_next(spec, Some(above)));
        above = spec;
    }
    let leaf_der = issue_next(&leaf, Some(above));

    // Look-alikes: a root with the same name and another key, the first CA cross-signed by it,
    // an unrelated root.
    let mut alt_root = root.clone();
    alt_root.key = random_key(rng);
    alt_root.bad_signature = false;
    let alt_root_der = issue_next(&alt_root, None);
    let first = intermediates.first().unwrap_or(&leaf);
    let cross_der = issue_next(first, Some(&alt_root));
    let unrelated = ca_spec(rng, "Unrelated Root CA", at, true);
    let unrelated_der = issue_next(&unrelated, None);

    let mut trusted = Vec::new();
    match rng.random_range(0..100) {
        0..75 => trusted.push(root_der.clone()),
        75..80 => {
            trusted.push(alt_root_der.clone());
            trusted.push(root_der.clone());
        }
        80..90 => trusted.push(alt_root_der.clone()),
        90..95 if !ca_ders.is_empty() => trusted.push(ca_ders[0].clone()),
        95..98 => trusted.push(leaf_der.clone()),
        _ => trusted.push(unrelated_der.clone()),
    }
    if rng.random_bool(0.1) {
        trusted.push(unrelated_der.clone());
    }

    let mut tail: Vec<Vec<u8>> = ca_ders.iter().rev().cloned().collect();
    if rng.random_bool(0.2) {
        tail.push(root_der.clone());
    }
    if !tail.is_empty() && rng.random_bool(0.1) {
        let i = rng.random_range(0..tail.len());
        tail.remove(i);
    }
    if !tail.is_empty() && rng.random_bool(0.08) {
        let i = rng.random_range(0..tail.len());
        let copy = tail[i].clone();
        tail.insert(rng.random_range(0..=tail.len()), copy);
    }
    for (p, extra) in [
        (0.06, &alt_root_der),
        (0.06, &cross_der),
        (0.05, &unrelated_der),
        (0.03, &leaf_der),
    ] {
        if rng.random_bool(p) {
            tail.insert(rng.random_range(0..=tail.len()), extra.clone());
        }
    }
    if rng.random_bool(0.15) {
        tail.shuffle(rng);
    }
    let mut chain = vec![leaf_der];
    chain.extend(tail);
    if chain.len() > 1 && rng.random_bool(0.04) {
        chain.swap(0, 1);
    }

    Case {
        id: seed.to_string(),
        chain,
        trusted,
        host,
        at: Some(JUDGED_AT),
        skip: false,
        port: None,
    }
}

fn random_key(rng: &mut ChaCha8Rng) -> &'static Key {
    let kinds = [
        (KeyKind::Rsa(1024), 8),
        (KeyKind::Rsa(2048), 30),
        (KeyKind::Rsa(3072), 4),
        (KeyKind::Rsa(4096), 4),
        (KeyKind::P192, 3),
        (KeyKind::P224, 2),
        (KeyKind::P256, 28),
        (KeyKind::P384, 12),
        (KeyKind::P521, 5),
        (KeyKind::Ed25519, 6),
    ];
    let kind = kinds.choose_weighted(rng, |k| k.1).expect("weights").0;
    Key::get(kind, rng.random_range(0..keys::SLOTS))
}

fn random_hash(rng: &mut ChaCha8Rng) -> Hash {
    let hashes = [
        (Hash::Sha256, 60),
        (Hash::Sha384, 12),
        (Hash::Sha512, 8),
        (Hash::Sha1, 12),
        (Hash::Sha224, 8),
    ];
    hashes.choose_weighted(rng, |h| h.1).expect("weights").0
}

fn window(rng: &mut ChaCha8Rng, at: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    let days = |n: i64| time::Duration::days(n);
    let before = at - days(rng.random_range(1..1000));
    let after = at + days(rng.random_range(1..3000));
    match rng.random_range(0..100) {
        0..6 => (before - days(800), at - days(rng.random_range(1..100))),
        6..10 => (at + days(rng.random_range(1..100)), after + days(100)),
        10..12 => (before, at),
        12..14 => (at, after),
        14..15 => (before, at - time::Duration::seconds(1)),
        _ => (before, after),
    }
}

fn base_spec(rng: &mut ChaCha8Rng, subject: Name, at: OffsetDateTime) -> Spec {
    let (not_before, not_after) = window(rng, at);
    let key = random_key(rng);
    let mut extra = Vec::new();
    if rng.random_bool(0.03) {
        extra.push(der::extension(
            &[1, 3, 6, 1, 4, 1, 99999, 1],
            true,
            &der::null(),
        ));
    }
    if rng.random_bool(0.05) {
        extra.push(der::extension(
            &[1, 3, 6, 1, 4, 1, 99999, 2],
            false,
            &der::null(),
        ));
    }
    let ski = match rng.random_range(0..100) {
        0..80 => Some(sha1::Sha1::digest(&key.spki).to_vec()),
        80..95 => None,
        _ => Some(rng.random::<[u8; 20]>().to_vec()),
    };
    let aki = match rng.random_range(0..100) {
        0..75 => Aki::Match,
        75..90 => Aki::Absent,
        _ => Aki::Other,
    };
    Spec {
        subject,
        key,
        not_before,
        not_after,
        is_ca: IsCa::NoCa,
        key_usages: Vec::new(),
        ekus: Vec::new(),
        name_constraints: None,
        sans: Vec::new(),
        san_critical: false,
        ski,
        aki,
        extra,
        duplicate_extension: rng.random_bool(0.015),
        v1: false,
        hash: random_hash(rng),
        pss: rng.random_bool(0.2),
        bad_signature: rng.random_bool(0.02),
        mismatched_outer: rng.random_bool(0.015),
        issuer_variant: rng.random_bool(0.02),
    }
}

fn ca_spec(rng: &mut ChaCha8Rng, name: &str, at: OffsetDateTime, root: bool) -> Spec {
    let subject = if rng.random_bool(0.01) {
        Name(Vec::new())
    } else {
        Name::cn(name)
    };
    let mut spec = base_spec(rng, subject, at);
    spec.is_ca = match rng.random_range(0..100) {
        0..60 => IsCa::Ca(BasicConstraints::Unconstrained),
        60..88 => IsCa::Ca(BasicConstraints::Constrained(rng.random_range(0..3))),
        88..94 => IsCa::NoCa,
        _ => IsCa::ExplicitNoCa,
    };
    spec.key_usages = match rng.random_range(0..100) {
        0..75 => vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
        75..85 => Vec::new(),
        85..93 => vec![KeyUsagePurpose::DigitalSignature],
        _ => vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ],
    };
    spec.ekus = match rng.random_range(0..100) {
        0..90 => Vec::new(),
        90..95 => vec![ExtendedKeyUsagePurpose::ServerAuth],
        _ => vec![ExtendedKeyUsagePurpose::ClientAuth],
    };
    if rng.random_bool(0.08) {
        let subtree = match rng.random_range(0..5) {
            0 => GeneralSubtree::DnsName("example.com".to_owned()),
            1 => GeneralSubtree::DnsName("co.uk".to_owned()),
            2 => GeneralSubtree::DnsName("internal".to_owned()),
            3 => GeneralSubtree::IpAddress(CidrSubnet::from_v4_prefix([10, 0, 0, 0], 8)),
            _ => GeneralSubtree::IpAddress(CidrSubnet::from_v6_prefix([0; 16], 127)),
        };
        spec.name_constraints = Some(if rng.random_bool(0.6) {
            NameConstraints {
                permitted_subtrees: vec![subtree],
                excluded_subtrees: Vec::new(),
            }
        } else {
            NameConstraints {
                permitted_subtrees: Vec::new(),
                excluded_subtrees: vec![subtree],
            }
        });
    }
    if spec.subject.0.is_empty() && rng.random_bool(0.5) {
        spec.sans.push(SanType::DnsName(
            "ca.example.com".try_into().expect("ASCII"),
        ));
        spec.san_critical = rng.random_bool(0.7);
    }
    spec.v1 = rng.random_bool(if root { 0.05 } else { 0.01 });
    spec
}

fn leaf_spec(rng: &mut ChaCha8Rng, names: &names::LeafNames, at: OffsetDateTime) -> Spec {
    let subject = if rng.random_bool(0.03) {
        Name(Vec::new())
    } else {
        let mut name = Name(vec![([2, 5, 4, 10], "hoplab".to_owned())]);
        for cn in &names.common_names {
            name.0.push(([2, 5, 4, 3], cn.clone()));
        }
        name
    };
    let mut spec = base_spec(rng, subject, at);
    spec.is_ca = match rng.random_range(0..100) {
        0..90 => IsCa::NoCa,
        90..95 => IsCa::ExplicitNoCa,
        _ => IsCa::Ca(BasicConstraints::Unconstrained),
    };
    spec.key_usages = match rng.random_range(0..100) {
        0..45 => vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ],
        45..70 => Vec::new(),
        70..85 => vec![KeyUsagePurpose::DigitalSignature],
        85..95 => vec![KeyUsagePurpose::KeyEncipherment],
        _ => vec![KeyUsagePurpose::KeyCertSign],
    };
    spec.ekus = match rng.random_range(0..100) {
        0..50 => vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ],
        50..80 => Vec::new(),
        80..88 => vec![ExtendedKeyUsagePurpose::ClientAuth],
        88..95 => vec![ExtendedKeyUsagePurpose::Any],
        _ => vec![ExtendedKeyUsagePurpose::ServerAuth],
    };
    for dns in &names.dns {
        if let Ok(ia5) = dns.as_str().try_into() {
            spec.sans.push(SanType::DnsName(ia5));
        }
    }
    for ip in &names.ips {
        spec.sans.push(SanType::IpAddress(*ip));
    }
    spec.san_critical = spec.subject.0.is_empty() && rng.random_bool(0.6);
    if rng.random_bool(0.02) {
        // Netscape certificate type: SSL server (bit 1), or SSL client only (bit 0).
        let bits = if rng.random_bool(0.5) { 0x40 } else { 0x80 };
        spec.extra.push(der::extension(
            &[2, 16, 840, 1, 113730, 1, 1],
            false,
            &der::tlv(0x03, &[0x06, bits]),
        ));
    }
    spec.v1 = rng.random_bool(0.01);
    spec
}

/// The stand-in key rcgen signs with before the real signature replaces its own.
fn placeholder_key() -> &'static KeyPair {
    static KEY: std::sync::OnceLock<KeyPair> = std::sync::OnceLock::new();
    KEY.get_or_init(|| KeyPair::generate().expect("a P-256 key"))
}

/// The certificate `spec` describes, issued by `issuer` (self-signed when `None`).
fn issue(spec: &Spec, issuer: Option<&Spec>, serial: u64) -> Vec<u8> {
    let signer = issuer.unwrap_or(spec);
    let mut params = CertificateParams::default();
    params.not_before = spec.not_before;
    params.not_after = spec.not_after;
    params.serial_number = Some(SerialNumber::from_slice(&serial.to_be_bytes()));
    params.subject_alt_names = spec.sans.clone();
    params.distinguished_name = DistinguishedName::new();
    params.is_ca = spec.is_ca;
    params.key_usages = spec.key_usages.clone();
    params.extended_key_usages = spec.ekus.clone();
    params.name_constraints = spec.name_constraints.clone();
    params.key_identifier_method = KeyIdMethod::PreSpecified(vec![0]);
    let mut issuer_params = CertificateParams::default();
    issuer_params.distinguished_name = DistinguishedName::new();
    let placeholder = placeholder_key();
    let cert = params
        .signed_by(placeholder, &Issuer::new(issuer_params, placeholder))
        .expect("rcgen writes the certificate");
    let (tbs, _, _) = der::split_certificate(cert.der());
    let mut tbs = Tbs::parse(&tbs);

    tbs.subject = spec.subject.encode(false);
    tbs.issuer = signer.subject.encode(spec.issuer_variant);
    tbs.spki = spec.key.spki.clone();
    tbs.remove_extension(&[2, 5, 29, 14]);
    if let Some(ski) = &spec.ski {
        tbs.extensions.push(der::extension(
            &[2, 5, 29, 14],
            false,
            &der::octet_string(ski),
        ));
    }
    let aki = match spec.aki {
        Aki::Absent => None,
        Aki::Match => Some(
            signer
                .ski
                .clone()
                .unwrap_or_else(|| sha1::Sha1::digest(&signer.key.spki).to_vec()),
        ),
        Aki::Other => Some(sha2::Sha256::digest(spec.key.spki.as_slice())[..20].to_vec()),
    };
    if let Some(id) = aki {
        tbs.extensions.push(der::extension(
            &[2, 5, 29, 35],
            false,
            &der::seq(&[&der::tlv(0x80, &id)]),
        ));
    }
    if spec.san_critical {
        tbs.set_critical(&[2, 5, 29, 17]);
    }
    tbs.extensions.extend(spec.extra.iter().cloned());
    if spec.duplicate_extension && !tbs.extensions.is_empty() {
        let copy = tbs.extensions[serial as usize % tbs.extensions.len()].clone();
        tbs.extensions.push(copy);
    }
    if spec.v1 {
        tbs.version = None;
    }
    let alg = signer.key.algorithm(spec.hash, spec.pss);
    tbs.signature = alg.identifier();
    let tbs = tbs.encode();
    let signature = if spec.bad_signature {
        let mut s = signer.key.sign(alg, &tbs, serial);
        let last = s.len() - 1;
        s[last] ^= 0x55;
        s
    } else {
        signer.key.sign(alg, &tbs, serial)
    };
    let outer = if spec.mismatched_outer {
        let other = if spec.hash == Hash::Sha256 {
            Hash::Sha384
        } else {
            Hash::Sha256
        };
        signer.key.algorithm(other, spec.pss).identifier()
    } else {
        alg.identifier()
    };
    der::seq(&[&tbs, &outer, &der::bit_string(&signature)])
}
