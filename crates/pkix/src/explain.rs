//! The structured "why" behind a verdict, and the sentences reports print from it.

use serde::Serialize;

use crate::hostname::HostnameCheck;
use crate::rejection::{AnchorProblem, EndEntityCheck, PathCheck};
use hoplab_cert::CertSummary;

/// What the verdict engine saw and decided, filled as far as it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// How many certificates the server sent.
    pub sent: usize,
    /// Whether `insecureSkipVerification` was on.
    pub skip_verification: bool,
    /// The time the checks used (RFC 3339).
    pub checked_at: String,
    /// Which route of the JDK's `PKIXValidator` judged the chain (`None` when it did not parse).
    pub dispatch: Option<Dispatch>,
    /// The certification path that was judged, leaf first, without its anchor. For a failed
    /// build this is empty; see [`BuildFailure`].
    pub path: Vec<CertSummary>,
    /// The trust anchor the path ends at.
    pub anchor: Option<AnchorUsed>,
    /// Why the chain was refused before the hostname check, if it was.
    pub failure: Option<Failure>,
    /// The hostname check, which runs only once the chain is trusted.
    pub hostname: Option<HostnameCheck>,
}

/// The route `PKIXValidator.engineValidate` took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Dispatch {
    /// The leaf itself is a trust anchor: accepted without path checks.
    TrustedLeaf,
    /// The chain was in order and ended at (or just below) a trust anchor: validated directly by
    /// `PKIXCertPathValidator`.
    Validated,
    /// The chain was out of order or not anchored: `SunCertPathBuilder` searched the sent
    /// certificates and the trust anchors for a path.
    Built {
        /// The index of the first certificate whose subject is not the previous one's issuer,
        /// when that is why the builder ran.
        out_of_order_at: Option<usize>,
    },
}

/// A trust anchor a path ended at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnchorUsed {
    /// The anchor certificate.
    pub cert: CertSummary,
    /// Where it came from.
    pub source: AnchorSource,
}

/// Where a trust anchor came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AnchorSource {
    /// API Gateway's trusted CAs.
    TrustStore,
    /// A self-signed CA certificate the server sent, trusted because of
    /// `insecureSkipVerification`.
    SentWithSkipVerification,
}

/// Why the chain was refused before the hostname check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Failure {
    /// The server sent no certificate.
    NoCertificates,
    /// A sent certificate is not well-formed X.509.
    Unparseable {
        /// Its position in the sent chain (0 = first).
        index: usize,
        /// What the parser said.
        reason: String,
    },
    /// A path check failed while validating the chain directly.
    Check(CheckFailure),
    /// The builder found no valid path.
    Build(BuildFailure),
    /// The trusted certificate a valid path ends at is not a CA certificate.
    Anchor {
        /// The anchor's subject.
        subject: String,
        /// What is wrong with it.
        problem: AnchorProblem,
    },
    /// Apache's host name verifier threw instead of answering.
    HostnameVerifier {
        /// The exception message.
        message: String,
    },
    /// The leaf of a valid path may not be used by a TLS server.
    EndEntity {
        /// The leaf's subject.
        subject: String,
        /// The check that failed.
        check: EndEntityCheck,
    },
}

/// One path check that one certificate failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckFailure {
    /// The check.
    pub check: PathCheck,
    /// The certificate's subject.
    pub subject: String,
    /// Its position in the path (0 = leaf).
    pub position: usize,
    /// The subject of the certificate above it (its expected issuer), or of the anchor.
    pub above: String,
    /// For a validity failure, the window and how far outside it the check time was.
    pub validity: Option<ValidityMiss>,
    /// The JDK's exact reason when the check's own text is not enough (algorithm
    /// constraints: which algorithm or key size, on which certificate).
    pub detail: Option<String>,
}

/// How a certificate's validity window missed the check time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidityMiss {
    /// Start of the window (RFC 3339).
    pub not_before: String,
    /// End of the window (RFC 3339).
    pub not_after: String,
    /// Whether the certificate has expired or is not valid yet.
    pub outside: Outside,
    /// How far outside, e.g. `30 days`.
    pub by: String,
}

/// Which side of its validity window a certificate was checked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outside {
    /// After notAfter.
    Expired,
    /// Before notBefore.
    NotYetValid,
}

/// Why `SunCertPathBuilder` found no path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildFailure {
    /// Where the deepest search stopped for want of an issuer.
    pub dead_end: Option<DeadEnd>,
    /// Complete paths to an anchor that were found but failed a check (at most a few).
    pub rejected: Vec<RejectedPath>,
    /// Whether the search hit its depth or step bound before trying everything.
    pub search_limit_hit: bool,
    /// The JDK's check threw instead of answering, which ends the search (see
    /// [`crate::Rejection::ValidatorFailed`]).
    pub exception: Option<String>,
}

/// A certificate whose issuer the builder could not find.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadEnd {
    /// The certificate's subject.
    pub subject: String,
    /// The issuer name that was looked for.
    pub issuer: String,
    /// Why no issuer was found.
    pub reason: DeadEndReason,
}

/// Why the builder found no issuer for a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeadEndReason {
    /// No sent certificate and no trust anchor has the issuer name as subject.
    NotFound,
    /// The certificate is self-issued and is not a trust anchor.
    SelfSigned,
    /// Certificates with the issuer name exist, but none of their keys verifies the signature
    /// (or none qualifies as an issuer: see the builder's rules).
    SignatureMismatch,
    /// The leaf is outside its validity window: the builder does not even start from it.
    OutsideValidity,
    /// The leaf has a critical extension the JDK does not handle.
    UnhandledCriticalExtension,
}

/// A complete path the builder found and then refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedPath {
    /// Subjects of the path, leaf first, without the anchor.
    pub path: Vec<String>,
    /// Subject of the anchor.
    pub anchor: String,
    /// The check that failed.
    pub failure: CheckFailure,
}

impl Explanation {
    /// Human-readable sentences, in the order things happened.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        out.push(match self.sent {
            1 => "The server sent 1 certificate.".to_owned(),
            n => format!("The server sent {n} certificates."),
        });
        if self.skip_verification {
            out.push(
                "insecureSkipVerification is on: a self-signed certificate the server sent \
                 counts as a trusted CA if it has CA:TRUE and keyUsage keyCertSign."
                    .to_owned(),
            );
        }
        if let Some(dispatch) = &self.dispatch {
            out.push(self.dispatch_line(dispatch));
        }
        if let Some(anchor) = &self.anchor {
            out.push(self.path_line(anchor));
        }
        match &self.failure {
            None => {}
            Some(Failure::NoCertificates) => {
                out.push("No certificate was sent, so the handshake failed.".to_owned())
            }
            Some(Failure::Unparseable { index, reason }) => out.push(format!(
                "Certificate {} could not be parsed ({reason}), so the handshake failed before \
                 any path check.",
                index + 1
            )),
            Some(Failure::Check(failure)) => out.push(check_line(failure)),
            Some(Failure::Build(build)) => build_lines(build, &mut out),
            Some(Failure::Anchor { subject, problem }) => out.push(format!(
                "The path is valid, but the trusted certificate it ends at, {}, {}: the JDK \
                 refuses a trust anchor that is not a CA.",
                shown(subject),
                match problem {
                    AnchorProblem::NotCa => "is not a CA certificate (no basicConstraints CA:TRUE)",
                    AnchorProblem::NoKeyCertSign => "has a keyUsage without keyCertSign",
                }
            )),
            Some(Failure::HostnameVerifier { message }) => out.push(format!(
                "The chain is trusted, but Apache's host name verifier failed on a wildcard name \
                 whose text before and after the '*' overlaps in the host \
                 (StringIndexOutOfBoundsException: {message})."
            )),
            Some(Failure::EndEntity { subject, check }) => out.push(format!(
                "The path is valid, but the leaf {} may not be used by a TLS server: {}.",
                shown(subject),
                check.reason()
            )),
        }
        if let Some(hostname) = &self.hostname {
            out.push(hostname.line());
        }
        out
    }

    fn dispatch_line(&self, dispatch: &Dispatch) -> String {
        match dispatch {
            Dispatch::TrustedLeaf => "The leaf certificate is itself a trust anchor, so the JDK \
                                      accepted it without path checks."
                .to_owned(),
            Dispatch::Validated => "The chain was in order and ends at a trusted CA, so the JDK \
                                    validated it directly (PKIXCertPathValidator)."
                .to_owned(),
            Dispatch::Built {
                out_of_order_at: Some(i),
            } => format!(
                "Certificate {} does not issue certificate {}, so the chain is out of order and \
                 the JDK searched for a path instead (SunCertPathBuilder).",
                i + 1,
                i
            ),
            Dispatch::Built {
                out_of_order_at: None,
            } => "The chain does not end at a trusted CA, so the JDK searched the sent \
                  certificates and its trusted CAs for a path (SunCertPathBuilder)."
                .to_owned(),
        }
    }

    fn path_line(&self, anchor: &AnchorUsed) -> String {
        let source = match anchor.source {
            AnchorSource::TrustStore => "trusted CA",
            AnchorSource::SentWithSkipVerification => {
                "sent by the server, trusted through insecureSkipVerification"
            }
        };
        let anchor_name = format!("{} ({source})", shown(&anchor.cert.subject));
        let names: Vec<&str> = self.path.iter().map(|c| shown(&c.subject)).collect();
        if names.is_empty() {
            format!("Trust anchor: {anchor_name}.")
        } else {
            format!(
                "Path, leaf first: {}, anchored at {anchor_name}.",
                names.join(" > ")
            )
        }
    }
}

/// A subject for sentences: Java prints an empty name as nothing at all.
fn shown(name: &str) -> &str {
    if name.is_empty() {
        "(empty subject)"
    } else {
        name
    }
}

fn check_line(failure: &CheckFailure) -> String {
    let check = &failure.check;
    let subject = shown(&failure.subject);
    let above = shown(&failure.above);
    match (check, &failure.validity) {
        (PathCheck::Validity, Some(miss)) => {
            let when = match miss.outside {
                Outside::Expired => format!("it expired {} before the check", miss.by),
                Outside::NotYetValid => format!("it becomes valid {} after the check", miss.by),
            };
            format!(
                "{subject} failed the validity check: {when} (valid from {} to {}).",
                miss.not_before, miss.not_after
            )
        }
        (PathCheck::CaKeyUsage, _) => {
            format!("{subject} issues a certificate but its keyUsage does not include keyCertSign.")
        }
        (PathCheck::NotCa, _) => format!(
            "{subject} issues a certificate but is not a CA (basicConstraints is missing or \
             CA:FALSE)."
        ),
        (PathCheck::PathLength, _) => format!(
            "{subject} is below a CA whose pathLenConstraint does not allow another CA here."
        ),
        (PathCheck::EmptyIssuer, _) => format!("{subject} has an empty issuer name."),
        (PathCheck::NameChaining, _) => {
            format!("{subject} names a different issuer than the certificate above it ({above}).")
        }
        (PathCheck::Signature, _) => {
            format!("The signature of {subject} does not verify with the key of {above}.")
        }
        (PathCheck::NameConstraints, _) => format!(
            "{subject} has a name outside the nameConstraints of a CA above it (or a CA's \
             nameConstraints cannot be decoded)."
        ),
        (PathCheck::UnrecognizedCriticalExtension, _) => {
            format!("{subject} has a critical extension the JDK's validator does not handle.")
        }
        (PathCheck::NoTrustAnchor, _) => format!(
            "No trusted certificate named {above} has the key identifier {subject} names as its \
             issuer's."
        ),
        (PathCheck::JdkException, _) => format!(
            "The JDK's name-constraints check threw on {subject} instead of answering ({}).",
            failure.detail.as_deref().unwrap_or("an exception")
        ),
        (PathCheck::AlgorithmConstraints, _) => format!(
            "The JDK's algorithm constraints refuse a key or signature algorithm here: {}.",
            failure.detail.as_deref().unwrap_or("algorithm constraints")
        ),
        (check, _) => format!("{subject} failed the {} check.", check.label()),
    }
}

fn build_lines(build: &BuildFailure, out: &mut Vec<String>) {
    if let Some(dead_end) = &build.dead_end {
        out.push(match dead_end.reason {
            DeadEndReason::NotFound => format!(
                "No certificate with subject {} was sent and it is not a trusted CA (needed as \
                 the issuer of {}).",
                shown(&dead_end.issuer),
                shown(&dead_end.subject)
            ),
            DeadEndReason::SelfSigned => format!(
                "{} is self-signed and is not a trusted CA.",
                shown(&dead_end.subject)
            ),
            DeadEndReason::SignatureMismatch => format!(
                "A certificate with subject {} is available, but none qualifies as the issuer of \
                 {} (its key must verify the signature; a sent CA must also be valid now, allow \
                 keyCertSign and have room in its pathLenConstraint).",
                shown(&dead_end.issuer),
                shown(&dead_end.subject)
            ),
            DeadEndReason::OutsideValidity => format!(
                "The leaf {} is outside its validity window, so the JDK's path builder does not \
                 start from it.",
                shown(&dead_end.subject)
            ),
            DeadEndReason::UnhandledCriticalExtension => format!(
                "The leaf {} has a critical extension the JDK does not handle, so the path \
                 builder refuses it.",
                shown(&dead_end.subject)
            ),
        });
    }
    for rejected in &build.rejected {
        let path: Vec<&str> = rejected.path.iter().map(|s| shown(s)).collect();
        out.push(format!(
            "A path {} > {} was found but refused: {}",
            path.join(" > "),
            shown(&rejected.anchor),
            check_line(&rejected.failure)
        ));
    }
    if let Some(message) = &build.exception {
        out.push(format!(
            "The JDK's path builder failed with an exception ({message}): a certificate's empty \
             dNSName was compared with a DNS name constraint."
        ));
    }
    if build.search_limit_hit {
        out.push("The path search stopped at its depth or step limit.".to_owned());
    }
}

/// A duration as a person would say it: `30 days`, `1 day`, `5 hours`, `12 seconds`.
pub(crate) fn human_duration(d: time::Duration) -> String {
    let secs = d.whole_seconds().unsigned_abs();
    let (n, unit) = match secs {
        s if s >= 86_400 => (s / 86_400, "day"),
        s if s >= 3_600 => (s / 3_600, "hour"),
        s if s >= 60 => (s / 60, "minute"),
        s => (s, "second"),
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use super::human_duration;
    use time::Duration;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(Duration::days(30)), "30 days");
        assert_eq!(human_duration(Duration::hours(25)), "1 day");
        assert_eq!(human_duration(Duration::hours(-5)), "5 hours");
        assert_eq!(human_duration(Duration::seconds(61)), "1 minute");
        assert_eq!(human_duration(Duration::ZERO), "0 seconds");
    }
}
