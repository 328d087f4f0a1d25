//! A small in-memory test PKI built with rcgen: certificate specs, issuing, trust stores.

#![allow(dead_code)]

use hoplab_pkix::TrustStore;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SerialNumber, SignatureAlgorithm,
};
use rustls::pki_types::CertificateDer;
use time::{Duration, OffsetDateTime, macros::datetime};

/// The clock every test judges at.
pub(crate) const NOW: OffsetDateTime = datetime!(2025-06-01 00:00:00 UTC);

/// What to put in one certificate.
#[derive(Clone)]
pub(crate) struct Spec {
    cn: Option<String>,
    sans: Vec<String>,
    is_ca: IsCa,
    key_usages: Vec<KeyUsagePurpose>,
    ekus: Vec<ExtendedKeyUsagePurpose>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    alg: &'static SignatureAlgorithm,
    name_constraints: Option<rcgen::NameConstraints>,
    custom: Vec<rcgen::CustomExtension>,
}

impl Spec {
    /// A server certificate: no basicConstraints, valid a year around [`NOW`].
    pub(crate) fn leaf(cn: &str) -> Self {
        Spec {
            cn: Some(cn.to_owned()),
            sans: Vec::new(),
            is_ca: IsCa::NoCa,
            key_usages: Vec::new(),
            ekus: Vec::new(),
            not_before: NOW - Duration::days(30),
            not_after: NOW + Duration::days(335),
            alg: &rcgen::PKCS_ECDSA_P256_SHA256,
            name_constraints: None,
            custom: Vec::new(),
        }
    }

    /// A CA certificate: CA:TRUE, keyUsage keyCertSign + cRLSign, valid ten years around [`NOW`].
    pub(crate) fn ca(cn: &str) -> Self {
        Spec {
            is_ca: IsCa::Ca(BasicConstraints::Unconstrained),
            key_usages: vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
            not_before: NOW - Duration::days(365),
            not_after: NOW + Duration::days(3650),
            ..Spec::leaf(cn)
        }
    }

    /// Sets the subjectAltNames (IP literals become iPAddress entries).
    pub(crate) fn sans(mut self, names: &[&str]) -> Self {
        self.sans = names.iter().map(|n| (*n).to_owned()).collect();
        self
    }

    /// Leaves the subject empty.
    pub(crate) fn no_subject(mut self) -> Self {
        self.cn = None;
        self
    }

    /// Sets basicConstraints.
    pub(crate) fn basic_constraints(mut self, is_ca: IsCa) -> Self {
        self.is_ca = is_ca;
        self
    }

    /// Sets the keyUsage bits (empty: no extension).
    pub(crate) fn key_usages(mut self, usages: &[KeyUsagePurpose]) -> Self {
        self.key_usages = usages.to_vec();
        self
    }

    /// Sets the extendedKeyUsage purposes (empty: no extension).
    pub(crate) fn ekus(mut self, purposes: &[ExtendedKeyUsagePurpose]) -> Self {
        self.ekus = purposes.to_vec();
        self
    }

    /// Sets the validity window.
    pub(crate) fn valid(mut self, not_before: OffsetDateTime, not_after: OffsetDateTime) -> Self {
        self.not_before = not_before;
        self.not_after = not_after;
        self
    }

    /// Uses another key type and signature algorithm.
    pub(crate) fn alg(mut self, alg: &'static SignatureAlgorithm) -> Self {
        self.alg = alg;
        self
    }

    /// Sets the nameConstraints extension.
    pub(crate) fn name_constraints(mut self, nc: rcgen::NameConstraints) -> Self {
        self.name_constraints = Some(nc);
        self
    }

    /// Adds an extension with this OID and DER content.
    pub(crate) fn extension(mut self, oid: &[u64], content: Vec<u8>, critical: bool) -> Self {
        let mut ext = rcgen::CustomExtension::from_oid_content(oid, content);
        ext.set_criticality(critical);
        self.custom.push(ext);
        self
    }

    fn params(&self) -> CertificateParams {
        let mut params = CertificateParams::new(self.sans.clone()).expect("valid SANs");
        let mut dn = DistinguishedName::new();
        if let Some(cn) = &self.cn {
            dn.push(DnType::CommonName, cn.as_str());
        }
        params.distinguished_name = dn;
        params.is_ca = self.is_ca;
        params.key_usages = self.key_usages.clone();
        params.extended_key_usages = self.ekus.clone();
        params.not_before = self.not_before;
        params.not_after = self.not_after;
        params.name_constraints = self.name_constraints.clone();
        params.custom_extensions = self.custom.clone();
        params
    }

    fn key(&self) -> KeyPair {
        if self.alg == &rcgen::PKCS_RSA_SHA256 {
            KeyPair::generate_rsa_for(self.alg, rcgen::RsaKeySize::_2048).expect("rsa key")
        } else {
            KeyPair::generate_for(self.alg).expect("key")
        }
    }

    /// Issues the certificate signed by its own key.
    pub(crate) fn self_signed(self) -> Issued {
        let params = self.params();
        let key = self.key();
        let cert = params.self_signed(&key).expect("self-signed");
        Issued {
            der: cert.der().clone(),
            pem: cert.pem(),
            params,
            key,
        }
    }

    /// Issues the certificate signed by `issuer`.
    pub(crate) fn signed_by(self, issuer: &Issued) -> Issued {
        let params = self.params();
        let key = self.key();
        let cert = params
            .signed_by(&key, &issuer.issuer())
            .expect("signed certificate");
        Issued {
            der: cert.der().clone(),
            pem: cert.pem(),
            params,
            key,
        }
    }
}

/// An issued certificate, with what it takes to sign others.
pub(crate) struct Issued {
    pub(crate) der: CertificateDer<'static>,
    pub(crate) pem: String,
    params: CertificateParams,
    key: KeyPair,
}

impl Issued {
    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }

    /// The DER certificate, for building chains.
    pub(crate) fn der(&self) -> CertificateDer<'static> {
        self.der.clone()
    }
}

/// `n` self-signed re-issues of `original` (same name, same key, distinct serials).
pub(crate) fn same_key_copies(original: &Issued, n: u64) -> Vec<CertificateDer<'static>> {
    (1..=n)
        .map(|serial| {
            let mut params = original.params.clone();
            params.serial_number = Some(SerialNumber::from(serial));
            params
                .self_signed(&original.key)
                .expect("self-signed copy")
                .der()
                .clone()
        })
        .collect()
}

/// A trust store holding `roots`.
pub(crate) fn trust(roots: &[&Issued]) -> TrustStore {
    let mut store = TrustStore::new();
    for root in roots {
        store.add(root.der()).expect("trusted root parses");
    }
    store
}

/// The usual three-level PKI: a trusted root, an intermediate, and a leaf for `api.example.com`.
pub(crate) struct Pki {
    pub(crate) root: Issued,
    pub(crate) int: Issued,
    pub(crate) leaf: Issued,
}

impl Pki {
    pub(crate) fn new() -> Self {
        let root = Spec::ca("Hoplab Root CA").self_signed();
        let int = Spec::ca("Hoplab Intermediate").signed_by(&root);
        let leaf = Spec::leaf("api.example.com")
            .sans(&["api.example.com"])
            .signed_by(&int);
        Pki { root, int, leaf }
    }

    /// A trust store with this PKI's root.
    pub(crate) fn trust(&self) -> TrustStore {
        trust(&[&self.root])
    }
}
