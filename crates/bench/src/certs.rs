//! The certificate every TLS measurement serves: ECDSA P-256, self-signed, for `localhost` and
//! `127.0.0.1`, written as PEM files so that HAProxy and the hoplab child serve the same one.
//! And the backend of the gateway anchor: a CA and a server certificate it signed, so that
//! both proxies in front of the backend verify a real chain against a CA file.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, SanType,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, RootCertStore};

use crate::BenchError;

/// The key exchange groups the benchmark client offers, and the gateway anchor's backend
/// accepts: those OpenSSL 3.0 offers (X25519 first), so that HAProxy and hoplab negotiate the
/// same group. rustls would otherwise offer the X25519MLKEM768 hybrid first, which a rustls
/// server picks and OpenSSL 3.0 cannot.
pub(crate) const CLASSICAL_KX_GROUPS: &[&dyn rustls::crypto::SupportedKxGroup] = &[
    rustls::crypto::aws_lc_rs::kx_group::X25519,
    rustls::crypto::aws_lc_rs::kx_group::SECP256R1,
    rustls::crypto::aws_lc_rs::kx_group::SECP384R1,
];

/// The name clients ask for.
pub const SERVER_NAME: &str = "localhost";

/// The benchmark certificate's files, in a temporary directory removed on drop.
#[derive(Debug)]
pub struct BenchCert {
    dir: tempfile::TempDir,
    der: CertificateDer<'static>,
}

impl BenchCert {
    /// Generates the key and certificate and writes `cert.pem`, `key.pem` and
    /// `combined.pem` (certificate then key, as HAProxy's `crt` wants).
    pub fn generate() -> Result<BenchCert, BenchError> {
        let cert_err = |e: rcgen::Error| BenchError::Certificate(e.to_string());
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(cert_err)?;
        let mut params = CertificateParams::new(vec![SERVER_NAME.to_owned()]).map_err(cert_err)?;
        params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        let cert = params.self_signed(&key).map_err(cert_err)?;
        let dir = tempfile::Builder::new()
            .prefix("hoplab-bench-")
            .tempdir()
            .map_err(BenchError::io("creating a temporary directory"))?;
        let (cert_pem, key_pem) = (cert.pem(), key.serialize_pem());
        for (name, text) in [
            ("cert.pem", cert_pem.clone()),
            ("key.pem", key_pem.clone()),
            ("combined.pem", format!("{cert_pem}{key_pem}")),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, text)
                .map_err(BenchError::io(format!("writing {}", path.display())))?;
        }
        Ok(BenchCert {
            dir,
            der: cert.der().clone(),
        })
    }

    /// The directory holding the files; also a place for HAProxy's configuration.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The certificate, PEM.
    pub fn cert_path(&self) -> PathBuf {
        self.dir.path().join("cert.pem")
    }

    /// The private key, PKCS#8 PEM.
    pub fn key_path(&self) -> PathBuf {
        self.dir.path().join("key.pem")
    }

    /// Certificate followed by key, PEM.
    pub fn combined_path(&self) -> PathBuf {
        self.dir.path().join("combined.pem")
    }

    /// A client that trusts only this certificate and never resumes, so every handshake is a
    /// full one.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, BenchError> {
        let mut roots = RootCertStore::empty();
        roots.add(self.der.clone())?;
        let mut config = ClientConfig::builder_with_provider(Arc::new(classical_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.resumption = rustls::client::Resumption::disabled();
        Ok(Arc::new(config))
    }
}

/// A CA and a server certificate it signed for [`SERVER_NAME`] and `127.0.0.1`, both ECDSA
/// P-256 and valid from a day ago for thirty days, written as `backend-ca.pem`,
/// `backend-cert.pem` and `backend-key.pem` in a temporary directory removed on drop. The
/// server sends the leaf alone: a verifying client builds the path to the CA it trusts.
#[derive(Debug)]
pub struct BackendCert {
    dir: tempfile::TempDir,
}

impl BackendCert {
    /// Generates the CA and the server certificate and writes the CA's PEM file.
    pub fn generate() -> Result<BackendCert, BenchError> {
        let cert_err = |e: rcgen::Error| BenchError::Certificate(e.to_string());
        let now = time::OffsetDateTime::now_utc();
        let (not_before, not_after) = (
            now - time::Duration::days(1),
            now + time::Duration::days(30),
        );

        let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(cert_err)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(cert_err)?;
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "hoplab bench backend CA");
        ca.distinguished_name = name;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        (ca.not_before, ca.not_after) = (not_before, not_after);
        let ca_cert = ca.self_signed(&ca_key).map_err(cert_err)?;

        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(cert_err)?;
        let mut leaf = CertificateParams::new(vec![SERVER_NAME.to_owned()]).map_err(cert_err)?;
        leaf.subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        (leaf.not_before, leaf.not_after) = (not_before, not_after);
        let leaf_cert = leaf
            .signed_by(&key, &Issuer::from_params(&ca, &ca_key))
            .map_err(cert_err)?;

        let dir = tempfile::Builder::new()
            .prefix("hoplab-bench-backend-")
            .tempdir()
            .map_err(BenchError::io("creating a temporary directory"))?;
        for (name, text) in [
            ("backend-ca.pem", ca_cert.pem()),
            ("backend-cert.pem", leaf_cert.pem()),
            ("backend-key.pem", key.serialize_pem()),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, text)
                .map_err(BenchError::io(format!("writing {}", path.display())))?;
        }
        Ok(BackendCert { dir })
    }

    /// The directory holding the CA file; also a place for HAProxy's configuration.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The CA, PEM.
    pub fn ca_path(&self) -> PathBuf {
        self.dir.path().join("backend-ca.pem")
    }

    /// The server certificate, PEM.
    pub fn cert_path(&self) -> PathBuf {
        self.dir.path().join("backend-cert.pem")
    }

    /// The server certificate's private key, PKCS#8 PEM.
    pub fn key_path(&self) -> PathBuf {
        self.dir.path().join("backend-key.pem")
    }
}

/// The crypto provider hoplab uses, limited to [`CLASSICAL_KX_GROUPS`].
pub(crate) fn classical_provider() -> rustls::crypto::CryptoProvider {
    let mut provider = (*hoplab_trace::crypto_provider()).clone();
    provider.kx_groups = CLASSICAL_KX_GROUPS.to_vec();
    provider
}

/// The name every client sends as SNI and checks the certificate against.
pub fn server_name() -> ServerName<'static> {
    ServerName::try_from(SERVER_NAME).unwrap_or(ServerName::IpAddress(
        IpAddr::V4(Ipv4Addr::LOCALHOST).into(),
    ))
}

/// Loads a certificate chain and key from PEM files into a rustls [`CertifiedKey`].
pub fn load_certified_key(cert: &Path, key: &Path) -> Result<Arc<CertifiedKey>, BenchError> {
    let pem_err = |path: &Path| {
        let path = path.display().to_string();
        move |e: rustls::pki_types::pem::Error| BenchError::Certificate(format!("{path}: {e}"))
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(pem_err(cert))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_err(cert))?;
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(pem_err(key))?;
    let signing = hoplab_trace::crypto_provider()
        .key_provider
        .load_private_key(key_der)?;
    Ok(Arc::new(CertifiedKey::new(chain, signing)))
}
