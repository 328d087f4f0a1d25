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
    /// The server sent no certificate, or one the JDK's `CertificateFactory` cannot parse
    /// (not X.509, an extension twice, an empty issuer, ...).
    ///
    /// JSSE fails the handshake before any path check: `Failed to parse server certificates`.
    Unparseable,
    /// The chain was in order and anchored, and `PKIXCertPathValidator` refused it.
    PathValidation {
        /// The check that failed.
        check: PathCheck,
    },
    /// The chain was in order and anchored, and the JDK's algorithm constraints
    /// (`jdk.certpath.disabledAlgorithms`) refused a key or a signature algorithm in it.
    AlgorithmConstraints {
        /// The `CertPathValidatorException` message, e.g. `Algorithm constraints check failed
        /// on keysize limits: EC 192 bit key used with certificate: CN=…`.
        reason: String,
    },
    /// `SunCertPathBuilder` found no valid path from the leaf to a trusted CA.
    PathBuilding,
    /// A path was validated or built, but the trusted certificate it ends at is not a CA
    /// certificate (`PKIXValidator` checks its anchor last).
    UntrustedAnchor {
        /// Whether the path was built (`PKIX path building failed`) rather than validated.
        built: bool,
        /// The anchor's subject as `X500Principal.toString()` prints it.
        subject: String,
        /// What is wrong with it.
        problem: AnchorProblem,
    },
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
    /// The JDK's path check itself threw a runtime exception (an empty dNSName compared with
    /// a DNS name constraint, IP subtrees of both families merged, ...); JSSE ends the
    /// handshake with an `SSLException` whose message is the exception's `toString()`.
    ValidatorFailed {
        /// The message, e.g. `java.lang.StringIndexOutOfBoundsException: String index out of
        /// range: 0`.
        message: String,
    },
    /// Apache's `DefaultHostnameVerifier` itself failed on a name of the leaf: a wildcard
    /// whose text before and after the `*` overlaps in the host (`a.*.b` for host `a.b`)
    /// makes it take a substring that does not exist; the request fails with an
    /// `SSLException` whose message is the exception's `toString()`.
    HostnameVerifierFailed {
        /// The integration URI host, as given.
        host: String,
        /// The message, e.g. `java.lang.StringIndexOutOfBoundsException: begin 3, end 2,
        /// length 8`.
        message: String,
    },
}

/// Why `PKIXValidator` refuses the trust anchor a valid path ends at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AnchorProblem {
    /// A version 3 anchor without basicConstraints CA:TRUE.
    NotCa,
    /// A version 3 anchor whose keyUsage lacks keyCertSign.
    NoKeyCertSign,
}

impl Rejection {
    /// The exact JDK or Apache HttpClient exception message.
    pub fn java_message(&self) -> String {
        match self {
            Rejection::Unparseable => "Failed to parse server certificates".to_owned(),
            Rejection::PathValidation { check } => format!(
                "PKIX path validation failed: java.security.cert.CertPathValidatorException: {}",
                check.reason()
            ),
            Rejection::AlgorithmConstraints { reason } => format!(
                "PKIX path validation failed: java.security.cert.CertPathValidatorException: {reason}"
            ),
            Rejection::PathBuilding => PATH_BUILDING_FAILED.to_owned(),
            Rejection::UntrustedAnchor {
                built,
                subject,
                problem,
            } => {
                let what = if *built { "building" } else { "validation" };
                let why = match problem {
                    AnchorProblem::NotCa => "is not a CA certificate",
                    AnchorProblem::NoKeyCertSign => {
                        "does not have keyCertSign bit set in KeyUsage extension"
                    }
                };
                format!(
                    "PKIX path {what} failed: sun.security.validator.ValidatorException: \
                     TrustAnchor with subject \"{subject}\" {why}"
                )
            }
            Rejection::EndEntity { check } => check.reason().to_owned(),
            Rejection::HostnameMismatch { host, subject } => format!(
                "Host name '{host}' does not match the certificate subject provided by the peer ({subject})"
            ),
            Rejection::HostnameVerifierFailed { message, .. } => message.clone(),
            Rejection::ValidatorFailed { message } => message.clone(),
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
    /// A certificate's issuer name is empty. (The JDK refuses to parse such a certificate, so
    /// this check never fails in practice.)
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
    /// No trusted certificate has the issuer name of the certificate just below it, with a
    /// subject key identifier matching its authority key identifier.
    NoTrustAnchor,
    /// A keyUsage extension with none of the bits the JDK maps to an operation.
    IncorrectKeyUsage,
    /// A key or signature algorithm refused by `jdk.certpath.disabledAlgorithms` (the exact
    /// text is in [`crate::CheckFailure::detail`]).
    AlgorithmConstraints,
    /// The JDK's name-constraints check threw a runtime exception instead of answering (the
    /// exception is in [`crate::CheckFailure::detail`]).
    JdkException,
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
            PathCheck::NoTrustAnchor => "Path does not chain with any of the trust anchors",
            PathCheck::IncorrectKeyUsage => "incorrect KeyUsage extension bits",
            PathCheck::AlgorithmConstraints => "Algorithm constraints check failed",
            PathCheck::JdkException => crate::subtrees::EMPTY_DNS_NAME,
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
            PathCheck::NoTrustAnchor => "trust anchor selection",
            PathCheck::IncorrectKeyUsage => "key usage bits",
            PathCheck::AlgorithmConstraints => "algorithm constraints",
            PathCheck::JdkException => "name constraints (the JDK fails)",
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
