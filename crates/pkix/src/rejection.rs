//! Why API Gateway refused a backend certificate, and the exact text its JVM client reports.

use serde::Serialize;

/// The JDK's text for a path that could not be built.
const PATH_BUILDING_FAILED: &str = "PKIX path building failed: \
     sun.security.provider.certpath.SunCertPathBuilderException: \
     unable to find valid certification path to requested target";

/// Why a certificate chain was refused.
///
/// [`Rejection::java_message`] gives the text API Gateway logs after
/// `Execution failed due to configuration error: `; [`Display`](std::fmt::Display) prints the
/// same text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
#[error("{}", self.java_message())]
pub enum Rejection {
    /// The server sent no certificate, or one that is not a well-formed X.509 certificate.
    ///
    /// The JDK fails such a handshake inside the TLS engine, before any path check, so API
    /// Gateway reports its generic `General SSLEngine problem`; this crate uses that text for
    /// every chain it cannot parse.
    Unparseable,
    /// The chain was in order and anchored, and `PKIXCertPathValidator` refused it.
    PathValidation {
        /// The check that failed.
        check: PathCheck,
    },
    /// `SunCertPathBuilder` found no valid path from the leaf to a trusted CA.
    PathBuilding,
    /// The path is valid but the leaf may not be used by a TLS server (the JDK's
    /// `EndEntityChecker`).
    EndEntity {
        /// The usage check that failed.
        check: EndEntityCheck,
    },
    /// The chain is trusted but the leaf does not name the integration host (Apache's
    /// `DefaultHostnameVerifier`, reported by httpasyncclient's `SSLIOSessionStrategy`).
    HostnameMismatch {
        /// The integration URI host, as given.
        host: String,
        /// The leaf's subject as `X500Principal.toString()` prints it (may be empty).
        subject: String,
    },
}

impl Rejection {
    /// The exact JDK or Apache HttpClient exception message.
    pub fn java_message(&self) -> String {
        match self {
            Rejection::Unparseable => "General SSLEngine problem".to_owned(),
            Rejection::PathValidation { check } => format!(
                "PKIX path validation failed: java.security.cert.CertPathValidatorException: {}",
                check.reason()
            ),
            Rejection::PathBuilding => PATH_BUILDING_FAILED.to_owned(),
            Rejection::EndEntity { check } => check.reason().to_owned(),
            Rejection::HostnameMismatch { host, subject } => format!(
                "Host name '{host}' does not match the certificate subject provided by the peer ({subject})"
            ),
        }
    }
}

/// One check of the JDK's `PKIXCertPathValidator` (`KeyChecker`, `ConstraintsChecker`,
/// `BasicChecker`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PathCheck {
    /// A CA certificate has a keyUsage extension without keyCertSign.
    CaKeyUsage,
    /// A certificate that issues another one is not a CA (basicConstraints absent or CA:FALSE).
    NotCa,
    /// A CA's pathLenConstraint allows fewer CAs below it than the path has.
    PathLength,
    /// The current time is outside a certificate's validity window.
    Validity,
    /// A certificate's issuer name is empty.
    EmptyIssuer,
    /// A certificate's issuer name is not the subject of the certificate above it.
    NameChaining,
    /// A certificate's signature does not verify with the key of the certificate above it.
    Signature,
    /// A name of a certificate is outside the nameConstraints of a CA above it, or a CA's
    /// nameConstraints cannot be decoded.
    NameConstraints,
    /// A certificate has a critical extension no check of the JDK's validator handles.
    UnrecognizedCriticalExtension,
}

impl PathCheck {
    /// The `CertPathValidatorException` message the JDK throws.
    pub fn reason(self) -> &'static str {
        match self {
            PathCheck::CaKeyUsage => "CA key usage check failed: keyCertSign bit is not set",
            PathCheck::NotCa => "basic constraints check failed: this is not a CA certificate",
            PathCheck::PathLength => {
                "basic constraints check failed: pathLenConstraint violated - \
                 this cert must be the last cert in the certification path"
            }
            PathCheck::Validity => "validity check failed",
            PathCheck::EmptyIssuer => {
                "subject/issuer name chaining check failed: \
                 empty/null issuer DN in certificate is invalid"
            }
            PathCheck::NameChaining => "subject/issuer name chaining check failed",
            PathCheck::Signature => "signature check failed",
            PathCheck::NameConstraints => "name constraints check failed",
            PathCheck::UnrecognizedCriticalExtension => "unrecognized critical extension(s)",
        }
    }

    /// A short human name for reports.
    pub fn label(self) -> &'static str {
        match self {
            PathCheck::CaKeyUsage => "CA key usage",
            PathCheck::NotCa => "basic constraints (not a CA)",
            PathCheck::PathLength => "basic constraints (path length)",
            PathCheck::Validity => "validity",
            PathCheck::EmptyIssuer => "issuer name (empty)",
            PathCheck::NameChaining => "subject/issuer name chaining",
            PathCheck::Signature => "signature",
            PathCheck::NameConstraints => "name constraints",
            PathCheck::UnrecognizedCriticalExtension => "critical extensions",
        }
    }
}

/// One TLS-server usage check of the JDK's `EndEntityChecker`, applied to the leaf of a
/// validated path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EndEntityCheck {
    /// keyUsage is present without digitalSignature (needed by ECDHE and TLS 1.3 key
    /// exchanges, which this crate assumes).
    DigitalSignature,
    /// extendedKeyUsage is present without serverAuth (or anyExtendedKeyUsage).
    ServerAuth,
    /// A Netscape certificate type extension is present without the SSL server bit.
    NetscapeSslServer,
}

impl EndEntityCheck {
    /// The `ValidatorException` message the JDK throws.
    pub fn reason(self) -> &'static str {
        match self {
            EndEntityCheck::DigitalSignature => "KeyUsage does not allow digital signatures",
            EndEntityCheck::ServerAuth => {
                "Extended key usage does not permit use for TLS server authentication"
            }
            EndEntityCheck::NetscapeSslServer => {
                "Netscape cert type does not permit use for SSL server"
            }
        }
    }
}
