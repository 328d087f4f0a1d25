//! Certificate contents: what goes into an authority's or a leaf's certificate, and signing it.
//!
//! Subjects hold only a common name (a leaf without one gets an empty subject), so Java prints
//! them as `CN=…`. Serial numbers are 16 random bytes. Issued certificates carry an authority
//! key identifier; authorities and leaves carry a subject key identifier and an explicit
//! basicConstraints extension. Authorities with DNS name constraints carry them in a critical
//! nameConstraints extension. A certificate whose `signature_hash` is `sha1` is signed again
//! with SHA-1 once rcgen has written it (`legacy`).

use hoplab_scenario::{Authority, DnsNameConstraints, Leaf, SignatureHash};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyUsagePurpose, NameConstraints, SanType, SerialNumber,
};
use rustls::pki_types::CertificateDer;
use time::OffsetDateTime;

use crate::PkiError;
use crate::keys::CertKey;
use crate::legacy;
use crate::window::Window;

/// An authority's signing identity: its subject, key identifier and key.
pub(crate) type Signer = Issuer<'static, CertKey>;

/// Issues an authority certificate valid for `window`, signed by `issuer` or self-signed when
/// it is `None`.
///
/// Returns the certificate and the authority as a signer for what it issues.
pub(crate) fn authority(
    spec: &Authority,
    window: Window,
    key: CertKey,
    issuer: Option<&Signer>,
) -> Result<(CertificateDer<'static>, Signer), PkiError> {
    let mut params = base_params(Some(spec.common_name()), window, spec.name())?;
    params.is_ca = ca_flag(spec.basic_constraints_ca());
    params.key_usages = if spec.key_cert_sign() {
        vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ]
    } else {
        vec![KeyUsagePurpose::DigitalSignature]
    };
    params.name_constraints = name_constraints(spec.name_constraints());
    let der = sign(&mut params, &key, issuer, spec.name())?;
    let der = with_hash(der, spec.signature_hash(), &key, issuer, spec.name())?;
    Ok((der, Issuer::new(params, key)))
}

/// The nameConstraints extension for `constraints`, if it has any subtree.
fn name_constraints(constraints: &DnsNameConstraints) -> Option<NameConstraints> {
    let subtrees = |names: &[String]| {
        names
            .iter()
            .map(|name| GeneralSubtree::DnsName(name.clone()))
            .collect()
    };
    (!constraints.is_empty()).then(|| NameConstraints {
        permitted_subtrees: subtrees(constraints.permitted()),
        excluded_subtrees: subtrees(constraints.excluded()),
    })
}

/// `der` signed again with `hash` when it is not what the signing key signed with: the
/// issuer's key, or `own` when self-signed.
fn with_hash(
    der: CertificateDer<'static>,
    hash: Option<SignatureHash>,
    own: &CertKey,
    issuer: Option<&Signer>,
    name: &str,
) -> Result<CertificateDer<'static>, PkiError> {
    match hash {
        None | Some(SignatureHash::Sha256) => Ok(der),
        Some(SignatureHash::Sha1) => {
            let signer = issuer.map_or(own, |issuer| issuer.key());
            legacy::resign_sha1(&der, &signer.pkcs8()).map_err(|source| PkiError::Sha1Signature {
                name: name.to_owned(),
                source,
            })
        }
    }
}

/// Issues a leaf certificate, signed by `issuer` or with its own key when it is `None`.
pub(crate) fn leaf(
    spec: &Leaf,
    key: &CertKey,
    issuer: Option<&Signer>,
    now: OffsetDateTime,
) -> Result<CertificateDer<'static>, PkiError> {
    let window = Window::resolve(spec.validity(), now);
    let mut params = base_params(spec.common_name(), window, spec.name())?;
    for dns in spec.dns_names() {
        let ia5 = dns
            .as_str()
            .try_into()
            .map_err(|source| PkiError::InvalidDnsName {
                name: spec.name().to_owned(),
                value: dns.clone(),
                source,
            })?;
        params.subject_alt_names.push(SanType::DnsName(ia5));
    }
    params
        .subject_alt_names
        .extend(spec.ip_addresses().iter().map(|ip| SanType::IpAddress(*ip)));
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.is_ca = ca_flag(spec.basic_constraints_ca());
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    if spec.key().rsa_bits().is_some() {
        params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
    }
    if spec.key_cert_sign() {
        params.key_usages.push(KeyUsagePurpose::KeyCertSign);
        params.key_usages.push(KeyUsagePurpose::CrlSign);
    }
    let der = sign(&mut params, key, issuer, spec.name())?;
    with_hash(der, spec.signature_hash(), key, issuer, spec.name())
}

/// Parameters shared by every certificate: subject, validity and a random serial number.
fn base_params(
    common_name: Option<&str>,
    window: Window,
    name: &str,
) -> Result<CertificateParams, PkiError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    if let Some(cn) = common_name {
        params.distinguished_name.push(DnType::CommonName, cn);
    }
    params.not_before = window.not_before;
    params.not_after = window.not_after;
    params.serial_number = Some(random_serial(name)?);
    Ok(params)
}

/// Signs with the issuer's key (adding an authority key identifier) or self-signs.
fn sign(
    params: &mut CertificateParams,
    key: &CertKey,
    issuer: Option<&Signer>,
    name: &str,
) -> Result<CertificateDer<'static>, PkiError> {
    let signed = match issuer {
        Some(issuer) => {
            params.use_authority_key_identifier_extension = true;
            params.signed_by(key, issuer)
        }
        None => params.self_signed(key),
    };
    signed
        .map(|cert| cert.der().clone())
        .map_err(|source| PkiError::Signing {
            name: name.to_owned(),
            source,
        })
}

fn ca_flag(basic_constraints_ca: bool) -> IsCa {
    if basic_constraints_ca {
        IsCa::Ca(BasicConstraints::Unconstrained)
    } else {
        IsCa::ExplicitNoCa
    }
}

/// 16 random bytes, top bit clear so the serial is positive and second-highest bit set so it
/// always encodes in exactly 16 bytes.
fn random_serial(name: &str) -> Result<SerialNumber, PkiError> {
    let mut bytes = [0u8; 16];
    rustls::crypto::aws_lc_rs::default_provider()
        .secure_random
        .fill(&mut bytes)
        .map_err(|_| PkiError::Random {
            name: name.to_owned(),
        })?;
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    Ok(SerialNumber::from_slice(&bytes))
}
