//! The verdict: `PKIXValidator.engineValidate`'s dispatch, the end-entity checks, then the
//! hostname check, with an explanation of each step.

use rustls::pki_types::CertificateDer;
use serde::Serialize;
use time::OffsetDateTime;

use crate::anchors::Anchors;
use crate::build;
use crate::chain::Cert;
use crate::checks;
use crate::explain::{AnchorSource, AnchorUsed, CheckFailure, Dispatch, Explanation, Failure};
use crate::hostname;
use crate::path::{self, rfc3339};
use crate::rejection::{AnchorProblem, PathCheck, Rejection};
use crate::trust::TrustStore;

/// How the integration is configured to trust its backend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// `tlsConfig.insecureSkipVerification`: also trust a self-signed CA certificate the server
    /// sends (CA:TRUE with keyUsage keyCertSign). Expiry and hostname are still checked.
    pub insecure_skip_verification: bool,
}

/// The outcome of judging a chain, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// `Ok` when API Gateway would complete the handshake and send the request.
    pub outcome: Result<(), Rejection>,
    /// What was checked, as far as it got.
    pub explanation: Explanation,
}

impl Verdict {
    /// Whether the chain was accepted.
    pub fn is_accepted(&self) -> bool {
        self.outcome.is_ok()
    }

    /// The JDK or Apache message API Gateway would log, if the chain was refused.
    pub fn java_message(&self) -> Option<String> {
        self.outcome.as_ref().err().map(Rejection::java_message)
    }
}

/// Judges the chain a backend sent (leaf first) for the integration host `host`, as API
/// Gateway's JVM client does at time `now`.
///
/// 1. An empty chain or a certificate the JDK cannot parse is [`Rejection::Unparseable`].
/// 2. Dispatch as `PKIXValidator.engineValidate` (JDK 11+): walk the chain; if a certificate's
///    subject is not the previous one's issuer (names compared as the JDK compares them),
///    build a path. If the leaf *is* an anchor (same encoding) it is trusted as is; if a later
///    certificate is an anchor (same encoding, or same subject and key) the certificates below
///    it are validated. If the last certificate's issuer names a trusted certificate, the whole
///    chain is validated. Otherwise build.
/// 3. The anchor a validated or built path ends at must be a CA, and the path's leaf must be
///    usable by a TLS server (`EndEntityChecker`).
/// 4. Only then the host is checked with Apache's `DefaultHostnameVerifier`.
///
/// Pure: no I/O, no clock; the same inputs always give the same verdict.
pub fn validate(
    sent: &[CertificateDer<'_>],
    host: &str,
    trust: &TrustStore,
    policy: Policy,
    now: OffsetDateTime,
) -> Verdict {
    let mut explanation = Explanation {
        sent: sent.len(),
        skip_verification: policy.insecure_skip_verification,
        checked_at: rfc3339(now),
        dispatch: None,
        path: Vec::new(),
        anchor: None,
        failure: None,
        hostname: None,
    };
    let outcome = judge(sent, host, trust, policy, now, &mut explanation);
    Verdict {
        outcome,
        explanation,
    }
}

fn judge(
    sent: &[CertificateDer<'_>],
    host: &str,
    trust: &TrustStore,
    policy: Policy,
    now: OffsetDateTime,
    explanation: &mut Explanation,
) -> Result<(), Rejection> {
    if sent.is_empty() {
        explanation.failure = Some(Failure::NoCertificates);
        return Err(Rejection::Unparseable);
    }
    let mut certs = Vec::with_capacity(sent.len());
    for (index, der) in sent.iter().enumerate() {
        match Cert::parse(der.as_ref()) {
            Ok(cert) => certs.push(cert),
            Err(failure) => {
                explanation.failure = Some(Failure::Unparseable {
                    index,
                    reason: failure.to_string(),
                });
                return Err(Rejection::Unparseable);
            }
        }
    }
    let anchors = Anchors::collect(trust, &certs, policy.insecure_skip_verification);
    let anchor_used = |index: usize| {
        let anchor = anchors.get(index);
        AnchorUsed {
            cert: anchor.cert.summary(),
            source: anchor.source,
        }
    };

    let route = route(&certs, &anchors);
    explanation.dispatch = Some(route.dispatch());
    match route {
        Route::TrustedLeaf { anchor } => {
            explanation.anchor = Some(anchor_used(anchor));
            sent_anchor_in_window(&anchors, anchor, 0, now, explanation)?;
        }
        Route::Validate { len } => {
            let path: Vec<&Cert<'_>> = certs[..len].iter().collect();
            explanation.path = path.iter().map(|c| c.summary()).collect();
            let anchor = match path::validate_with_anchors(&path, &anchors, now) {
                Ok(anchor) => anchor,
                Err((tried, failure)) => {
                    explanation.anchor = tried.map(anchor_used);
                    let rejection = path_rejection(&failure);
                    explanation.failure = Some(Failure::Check(*failure));
                    return Err(rejection);
                }
            };
            explanation.anchor = Some(anchor_used(anchor));
            sent_anchor_in_window(&anchors, anchor, len, now, explanation)?;
            trusted_anchor_is_a_ca(&anchors.get(anchor).cert, false, explanation)?;
            end_entity(&certs[0], explanation)?;
        }
        Route::Build { .. } => match build::build(&certs, &anchors, now) {
            Ok(built) => {
                explanation.path = built.path.iter().map(|&i| certs[i].summary()).collect();
                explanation.anchor = Some(anchor_used(built.anchor));
                sent_anchor_in_window(&anchors, built.anchor, built.path.len(), now, explanation)?;
                trusted_anchor_is_a_ca(&anchors.get(built.anchor).cert, true, explanation)?;
                end_entity(&certs[0], explanation)?;
            }
            Err(failure) => {
                let rejection = match &failure.exception {
                    Some(message) => Rejection::ValidatorFailed {
                        message: message.clone(),
                    },
                    None => Rejection::PathBuilding,
                };
                explanation.failure = Some(Failure::Build(failure));
                return Err(rejection);
            }
        },
    }

    let leaf = &certs[0];
    let check = match hostname::verify(host, leaf) {
        Ok(check) => check,
        Err(failure) => {
            let message = failure.to_string();
            explanation.failure = Some(Failure::HostnameVerifier {
                message: message.clone(),
            });
            return Err(Rejection::HostnameVerifierFailed {
                host: host.to_owned(),
                message,
            });
        }
    };
    let matched = check.matched.is_some();
    explanation.hostname = Some(check);
    if matched {
        Ok(())
    } else {
        Err(Rejection::HostnameMismatch {
            host: host.to_owned(),
            subject: leaf.subject_name(),
        })
    }
}

/// A root the server sent and `insecureSkipVerification` trusted must still be in its validity
/// window (see [`path::validate_sent_anchor`]).
fn sent_anchor_in_window(
    anchors: &Anchors<'_>,
    anchor: usize,
    position: usize,
    now: OffsetDateTime,
    explanation: &mut Explanation,
) -> Result<(), Rejection> {
    let anchor = anchors.get(anchor);
    if anchor.source != AnchorSource::SentWithSkipVerification {
        return Ok(());
    }
    path::validate_sent_anchor(&anchor.cert, position, now).map_err(|failure| {
        let check = failure.check;
        explanation.failure = Some(Failure::Check(*failure));
        Rejection::PathValidation { check }
    })
}

/// The rejection for a path check that failed during validation.
fn path_rejection(failure: &CheckFailure) -> Rejection {
    match (&failure.check, &failure.detail) {
        (PathCheck::AlgorithmConstraints, Some(reason)) => Rejection::AlgorithmConstraints {
            reason: reason.clone(),
        },
        (PathCheck::JdkException, detail) => Rejection::ValidatorFailed {
            message: detail
                .clone()
                .unwrap_or_else(|| PathCheck::JdkException.reason().to_owned()),
        },
        (check, _) => Rejection::PathValidation { check: *check },
    }
}

/// `PKIXValidator.verifyTrustAnchor`, run on the anchor of a validated or built path: a
/// version 3 anchor must have basicConstraints CA:TRUE and, with a keyUsage extension,
/// keyCertSign. (Version 1 and 2 anchors are allowed as they are.)
fn trusted_anchor_is_a_ca(
    anchor: &Cert<'_>,
    built: bool,
    explanation: &mut Explanation,
) -> Result<(), Rejection> {
    if !anchor.is_v3() {
        return Ok(());
    }
    let problem = if anchor.ca_path_len().is_none() {
        AnchorProblem::NotCa
    } else if anchor.key_usage().is_some_and(|ku| !ku.key_cert_sign()) {
        AnchorProblem::NoKeyCertSign
    } else {
        return Ok(());
    };
    let subject = anchor.subject_name();
    explanation.failure = Some(Failure::Anchor {
        subject: subject.clone(),
        problem,
    });
    Err(Rejection::UntrustedAnchor {
        built,
        subject,
        problem,
    })
}

fn end_entity(leaf: &Cert<'_>, explanation: &mut Explanation) -> Result<(), Rejection> {
    checks::tls_server_leaf(leaf).map_err(|check| {
        explanation.failure = Some(Failure::EndEntity {
            subject: leaf.subject_name(),
            check,
        });
        Rejection::EndEntity { check }
    })
}

/// Where `PKIXValidator.engineValidate` sends a chain.
enum Route {
    /// The leaf is an anchor.
    TrustedLeaf { anchor: usize },
    /// Validate `sent[..len]` against the anchors named as its top certificate's issuer.
    Validate { len: usize },
    /// Build a path.
    Build { out_of_order_at: Option<usize> },
}

impl Route {
    fn dispatch(&self) -> Dispatch {
        match *self {
            Route::TrustedLeaf { .. } => Dispatch::TrustedLeaf,
            Route::Validate { .. } => Dispatch::Validated,
            Route::Build { out_of_order_at } => Dispatch::Built { out_of_order_at },
        }
    }
}

fn route(certs: &[Cert<'_>], anchors: &Anchors<'_>) -> Route {
    for (i, cert) in certs.iter().enumerate() {
        if i > 0 && cert.subject() != certs[i - 1].issuer() {
            return Route::Build {
                out_of_order_at: Some(i),
            };
        }
        // JDK 11+ trusts the leaf only by exact encoding; later certificates also by subject
        // and key (a CA re-issued with a stronger signature).
        if let Some(anchor) = anchors.matching(cert, i > 0) {
            return if i == 0 {
                Route::TrustedLeaf { anchor }
            } else {
                Route::Validate { len: i }
            };
        }
    }
    // "Apparently issued by a trust anchor": the JDK looks at the name only (it checks the
    // signature later, in validation).
    match certs.last() {
        Some(last) if anchors.with_subject(last.issuer()).next().is_some() => {
            Route::Validate { len: certs.len() }
        }
        _ => Route::Build {
            out_of_order_at: None,
        },
    }
}
