//! API Gateway's verdict on a chain, reasoned on certificate facts.
//!
//! The same rules as the JDK's `PKIXValidator` and Apache's hostname verifier, restated over
//! [`Facts`] instead of parsed certificates:
//!
//! 0. Every sent certificate must parse: JSSE refuses an empty issuer, and an empty subject
//!    with no subjectAltName, before any path check (`Failed to parse server certificates`).
//! 1. Anchors are the trusted authorities; with `insecureSkipVerification` also every sent
//!    certificate that is a self-signed CA with keyCertSign (its validity is then checked).
//! 2. Dispatch on the chain as sent: walk it while each certificate is the issuer of the one
//!    before. The leaf being an anchor accepts it as is; a later certificate being an anchor,
//!    or the last one being signed by an anchor, validates the chain as sent. Anything else
//!    builds a path from the sent certificates and the anchors.
//! 3. Path checks from the top down: SHA-1 under a trusted CA, CA key usage and basic
//!    constraints (not on the leaf), DNS name constraints, validity, name chaining, signature.
//! 4. The hostname. (The JDK's TLS-server checks on the leaf come first, but they cannot fail
//!    here: hoplab-pki gives every certificate keyUsage digitalSignature, and leaves
//!    extendedKeyUsage serverAuth while authorities have none.)

use serde::Serialize;
use time::OffsetDateTime;

use crate::cert::{Catalog, Facts, ParseFailure};
use crate::names::{self, HostCheck};

/// Longest path (without its anchor) the builder tries, as the live builder.
const MAX_DEPTH: usize = 16;
/// Most candidate issuers the builder examines, as the live builder.
const MAX_STEPS: usize = 10_000;

/// The JDK's text for a path that could not be built.
pub(crate) const PATH_BUILDING_FAILED: &str = "PKIX path building failed: \
     sun.security.provider.certpath.SunCertPathBuilderException: \
     unable to find valid certification path to requested target";

/// Where an anchor came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AnchorSource {
    /// A trusted authority.
    TrustStore,
    /// A self-signed CA the server sent, trusted because of `insecureSkipVerification`.
    SentWithSkip,
}

#[derive(Debug, Clone, Copy)]
struct Anchor<'c, 's> {
    cert: &'c Facts<'s>,
    source: AnchorSource,
}

/// One path check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// `SHA1 jdkCA & usage TLSServer`: a SHA-1 signature on a path to a trusted CA.
    Sha1Signature,
    CaKeyUsage,
    NameConstraints,
    NotCa,
    PathLength,
    Validity,
    NameChaining,
    Signature,
}

impl Check {
    /// The `CertPathValidatorException` message, up to the subject some messages end with.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Check::Sha1Signature => {
                "Usage constraint TLSServer check failed: SHA1 used with certificate: "
            }
            Check::CaKeyUsage => "CA key usage check failed: keyCertSign bit is not set",
            Check::NameConstraints => "name constraints check failed",
            Check::NotCa => "basic constraints check failed: this is not a CA certificate",
            Check::PathLength => {
                "basic constraints check failed: pathLenConstraint violated - \
                 this cert must be the last cert in the certification path"
            }
            Check::Validity => "validity check failed",
            Check::NameChaining => "subject/issuer name chaining check failed",
            Check::Signature => "signature check failed",
        }
    }
}

/// A path check one certificate failed.
#[derive(Debug, Clone)]
pub(crate) struct CheckFailed<'c, 's> {
    pub(crate) check: Check,
    pub(crate) cert: &'c Facts<'s>,
    /// The certificate above it (its expected issuer), or the anchor; for a name
    /// constraints failure, the authority whose constraints it breaks.
    pub(crate) above: &'c Facts<'s>,
    /// For a validity failure: true when expired, false when not yet valid.
    pub(crate) expired: bool,
}

impl CheckFailed<'_, '_> {
    /// The whole `CertPathValidatorException` message.
    pub(crate) fn reason(&self) -> String {
        match self.check {
            Check::Sha1Signature => format!("{}{}", self.check.reason(), self.cert.principal()),
            check => check.reason().to_owned(),
        }
    }
}

/// How the chain was dispatched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dispatch {
    /// The first certificate is an anchor.
    TrustedLeaf,
    /// In order up to an anchor: validated as sent.
    Validated,
    /// Out of order at this index, or not anchored (`None`): path building.
    Built { out_of_order_at: Option<usize> },
}

/// Where path building gave up on a branch.
#[derive(Debug, Clone)]
pub(crate) struct DeadEnd<'c, 's> {
    pub(crate) cert: &'c Facts<'s>,
    pub(crate) reason: DeadEndReason,
}

/// Why a certificate's issuer was not found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeadEndReason {
    /// Nothing sent or trusted has its issuer's name.
    NotFound,
    /// It is self-signed and not an anchor.
    SelfSigned,
    /// Certificates with the issuer's name exist, but none signed it.
    SignatureMismatch,
}

/// JSSE's text for a sent certificate it cannot parse.
pub(crate) const UNPARSEABLE: &str = "Failed to parse server certificates";

/// Why the chain was refused.
#[derive(Debug, Clone)]
pub(crate) enum Refusal<'c, 's> {
    /// A sent certificate cannot be parsed: the handshake fails before any path check.
    Unparseable {
        cert: &'c Facts<'s>,
        failure: ParseFailure,
    },
    /// A path check failed on a chain validated as sent (or on a root trusted through skip).
    Check(CheckFailed<'c, 's>),
    /// No valid path could be built.
    Building {
        dead_end: Option<DeadEnd<'c, 's>>,
        /// Complete paths that a check refused (path leaf first, anchor, failure).
        rejected: Vec<(Vec<&'c Facts<'s>>, &'c Facts<'s>, CheckFailed<'c, 's>)>,
    },
    /// The chain is trusted but does not name the host.
    Hostname(HostCheck),
}

impl Refusal<'_, '_> {
    /// The JDK or Apache message (the text after the configuration-error prefix).
    pub(crate) fn message(&self, host: &str, leaf: &Facts<'_>) -> String {
        match self {
            Refusal::Check(failed) => format!(
                "PKIX path validation failed: java.security.cert.CertPathValidatorException: {}",
                failed.reason()
            ),
            Refusal::Unparseable { .. } => UNPARSEABLE.to_owned(),
            Refusal::Building { .. } => PATH_BUILDING_FAILED.to_owned(),
            Refusal::Hostname(_) => format!(
                "Host name '{host}' does not match the certificate subject provided by the peer ({})",
                leaf.principal()
            ),
        }
    }
}

/// The verdict on one chain, with what the narrative needs.
#[derive(Debug, Clone)]
pub(crate) struct Judged<'c, 's> {
    pub(crate) sent: Vec<&'c Facts<'s>>,
    pub(crate) dispatch: Dispatch,
    /// The accepted or judged path, leaf first, without its anchor.
    pub(crate) path: Vec<&'c Facts<'s>>,
    pub(crate) anchor: Option<(&'c Facts<'s>, AnchorSource)>,
    /// The hostname check, once the chain was trusted.
    pub(crate) host: Option<HostCheck>,
    pub(crate) outcome: Result<(), Refusal<'c, 's>>,
}

/// Judges `sent` (leaf first) for `host` at `now`.
pub(crate) fn judge<'c, 's>(
    catalog: &'c Catalog<'s>,
    sent: Vec<&'c Facts<'s>>,
    host: &str,
    skip: bool,
    now: OffsetDateTime,
) -> Judged<'c, 's> {
    let anchors = anchors(catalog, &sent, skip);
    let mut judged = Judged {
        dispatch: Dispatch::Built {
            out_of_order_at: None,
        },
        path: Vec::new(),
        anchor: None,
        host: None,
        outcome: Ok(()),
        sent,
    };
    let Some(&leaf) = judged.sent.first() else {
        judged.outcome = Err(Refusal::Building {
            dead_end: None,
            rejected: Vec::new(),
        });
        return judged;
    };
    let unparseable = judged
        .sent
        .iter()
        .find_map(|&cert| cert.parse_failure().map(|failure| (cert, failure)));
    if let Some((cert, failure)) = unparseable {
        judged.outcome = Err(Refusal::Unparseable { cert, failure });
        return judged;
    }
    let chain = judged.sent.clone();
    let (dispatch, route) = dispatch(&chain, &anchors);
    judged.dispatch = dispatch;
    let verdict = match route {
        Route::TrustedLeaf(anchor) => {
            judged.anchor = Some((anchor.cert, anchor.source));
            sent_anchor_in_window(anchor, now)
        }
        Route::Validate { len, anchor } => {
            judged.path = chain[..len].to_vec();
            judged.anchor = Some((anchor.cert, anchor.source));
            sent_anchor_in_window(anchor, now)
                .and_then(|()| validate_path(&judged.path, anchor, now).map_err(Refusal::Check))
        }
        Route::Build => match build(&chain, &anchors, now) {
            Ok((path, anchor)) => {
                judged.path = path;
                judged.anchor = Some((anchor.cert, anchor.source));
                sent_anchor_in_window(anchor, now)
            }
            Err(refusal) => Err(refusal),
        },
    };
    judged.outcome = verdict.and_then(|()| {
        let check = names::apache_verify(host, leaf);
        let matched = check.matched.is_some();
        judged.host = Some(check.clone());
        if matched {
            Ok(())
        } else {
            Err(Refusal::Hostname(check))
        }
    });
    judged
}

/// The trusted authorities, then (with skip) every sent self-signed CA with keyCertSign.
fn anchors<'c, 's>(
    catalog: &'c Catalog<'s>,
    sent: &[&'c Facts<'s>],
    skip: bool,
) -> Vec<Anchor<'c, 's>> {
    let mut list: Vec<Anchor<'c, 's>> = catalog
        .trusted()
        .map(|cert| Anchor {
            cert,
            source: AnchorSource::TrustStore,
        })
        .collect();
    if skip {
        for &cert in sent {
            let private_root =
                cert.self_issued() && cert.self_signed() && cert.ca && cert.key_cert_sign;
            if private_root && !list.iter().any(|a| a.cert.id == cert.id) {
                list.push(Anchor {
                    cert,
                    source: AnchorSource::SentWithSkip,
                });
            }
        }
    }
    list
}

enum Route<'c, 's> {
    TrustedLeaf(Anchor<'c, 's>),
    Validate { len: usize, anchor: Anchor<'c, 's> },
    Build,
}

/// `PKIXValidator.engineValidate`'s choice between validating as sent and building.
fn dispatch<'c, 's>(
    chain: &[&'c Facts<'s>],
    anchors: &[Anchor<'c, 's>],
) -> (Dispatch, Route<'c, 's>) {
    for (i, cert) in chain.iter().enumerate() {
        if i > 0 && cert.subject != chain[i - 1].issuer {
            return (
                Dispatch::Built {
                    out_of_order_at: Some(i),
                },
                Route::Build,
            );
        }
        // Every certificate has its own key, so "same encoding" and "same subject and key"
        // both mean "the same scenario certificate".
        if let Some(anchor) = anchors.iter().find(|a| a.cert.id == cert.id) {
            return if i == 0 {
                (Dispatch::TrustedLeaf, Route::TrustedLeaf(*anchor))
            } else {
                (
                    Dispatch::Validated,
                    Route::Validate {
                        len: i,
                        anchor: *anchor,
                    },
                )
            };
        }
    }
    let last = chain[chain.len() - 1];
    let signer = anchors
        .iter()
        .find(|a| a.cert.subject == last.issuer && a.cert.id == last.signer);
    match signer {
        Some(anchor) => (
            Dispatch::Validated,
            Route::Validate {
                len: chain.len(),
                anchor: *anchor,
            },
        ),
        None => (
            Dispatch::Built {
                out_of_order_at: None,
            },
            Route::Build,
        ),
    }
}

/// A root trusted through skip still has its validity checked (the JDK never checks anchors).
fn sent_anchor_in_window<'c, 's>(
    anchor: Anchor<'c, 's>,
    now: OffsetDateTime,
) -> Result<(), Refusal<'c, 's>> {
    if anchor.source != AnchorSource::SentWithSkip {
        return Ok(());
    }
    match window(anchor.cert, now) {
        Ok(()) => Ok(()),
        Err(expired) => Err(Refusal::Check(CheckFailed {
            check: Check::Validity,
            cert: anchor.cert,
            above: anchor.cert,
            expired,
        })),
    }
}

/// `Err(true)` when expired, `Err(false)` when not yet valid; both ends inclusive.
fn window(cert: &Facts<'_>, now: OffsetDateTime) -> Result<(), bool> {
    if now < cert.not_before {
        Err(false)
    } else if now > cert.not_after {
        Err(true)
    } else {
        Ok(())
    }
}

/// `PKIXCertPathValidator` over `path` (leaf first) below `anchor`, top down: per certificate
/// the algorithm, key usage, basic and name constraints, then the basic checks.
fn validate_path<'c, 's>(
    path: &[&'c Facts<'s>],
    anchor: Anchor<'c, 's>,
    now: OffsetDateTime,
) -> Result<(), CheckFailed<'c, 's>> {
    let len = path.len();
    let mut max_path_len = len;
    let mut above = anchor.cert;
    // "jdkCA": the SHA-1 constraint applies to paths ending at API Gateway's own trusted CAs.
    let jdk_ca = anchor.source == AnchorSource::TrustStore;
    let mut constraints = Vec::new();
    for (k, &cert) in path.iter().rev().enumerate() {
        let fail = |check: Check| CheckFailed {
            check,
            cert,
            above,
            expired: false,
        };
        if jdk_ca && cert.sha1_signed {
            return Err(fail(Check::Sha1Signature));
        }
        if k + 1 < len {
            // hoplab-pki always writes keyUsage, so "present without keyCertSign" is just
            // "without keyCertSign".
            if !cert.key_cert_sign {
                return Err(fail(Check::CaKeyUsage));
            }
            if !cert.ca {
                return Err(fail(Check::NotCa));
            }
            // No pathLenConstraint is ever written, so only the running count can run out.
            if !cert.self_issued() {
                if max_path_len == 0 {
                    return Err(fail(Check::PathLength));
                }
                max_path_len -= 1;
            }
        }
        // Self-issued authorities are exempt; the leaf never is.
        let exempt = k + 1 < len && cert.self_issued();
        let broken = if exempt {
            None
        } else {
            crate::constraints::violated(cert, &constraints)
        };
        if let Some(authority) = broken {
            return Err(CheckFailed {
                above: authority,
                ..fail(Check::NameConstraints)
            });
        }
        if let Err(expired) = window(cert, now) {
            return Err(CheckFailed {
                expired,
                ..fail(Check::Validity)
            });
        }
        if cert.issuer != above.subject {
            return Err(fail(Check::NameChaining));
        }
        if cert.signer != above.id {
            return Err(fail(Check::Signature));
        }
        if cert.name_constraints.is_some() {
            constraints.push(cert);
        }
        above = cert;
    }
    Ok(())
}

/// `SunCertPathBuilder`: depth-first from the first sent certificate, anchors tried first,
/// accepting the first complete path that passes every check.
fn build<'c, 's>(
    sent: &[&'c Facts<'s>],
    anchors: &[Anchor<'c, 's>],
    now: OffsetDateTime,
) -> Result<(Vec<&'c Facts<'s>>, Anchor<'c, 's>), Refusal<'c, 's>> {
    // Distinct sent certificates, first occurrence kept.
    let mut distinct: Vec<usize> = Vec::new();
    for (i, cert) in sent.iter().enumerate() {
        if !distinct.iter().any(|&j| sent[j].id == cert.id) {
            distinct.push(i);
        }
    }
    let mut search = Search {
        sent,
        anchors,
        distinct,
        now,
        steps: 0,
        out_of_steps: false,
        dead_end: None,
        rejected: Vec::new(),
    };
    let mut path = vec![0];
    match search.extend(&mut path) {
        Some(anchor) => Ok((path.iter().map(|&i| sent[i]).collect(), anchor)),
        None => Err(Refusal::Building {
            dead_end: search.dead_end.map(|(_, d)| d),
            rejected: search.rejected,
        }),
    }
}

struct Search<'a, 'c, 's> {
    sent: &'a [&'c Facts<'s>],
    anchors: &'a [Anchor<'c, 's>],
    distinct: Vec<usize>,
    now: OffsetDateTime,
    steps: usize,
    out_of_steps: bool,
    dead_end: Option<(usize, DeadEnd<'c, 's>)>,
    rejected: Vec<(Vec<&'c Facts<'s>>, &'c Facts<'s>, CheckFailed<'c, 's>)>,
}

impl<'c, 's> Search<'_, 'c, 's> {
    fn extend(&mut self, path: &mut Vec<usize>) -> Option<Anchor<'c, 's>> {
        let current = self.sent[*path.last()?];
        let mut named = false;
        let mut signed = false;
        for &anchor in self.anchors {
            if anchor.cert.subject != current.issuer {
                continue;
            }
            named = true;
            if !self.tick() {
                return None;
            }
            if current.signer != anchor.cert.id {
                continue;
            }
            signed = true;
            let certs: Vec<&'c Facts<'s>> = path.iter().map(|&i| self.sent[i]).collect();
            match validate_path(&certs, anchor, self.now) {
                Ok(()) => return Some(anchor),
                Err(failed) => {
                    if self.rejected.len() < 4 {
                        self.rejected.push((certs, anchor.cert, failed));
                    }
                }
            }
        }
        let candidates: Vec<usize> = self
            .distinct
            .iter()
            .copied()
            .filter(|&i| self.sent[i].subject == current.issuer)
            .collect();
        for candidate in candidates {
            if path.contains(&candidate) {
                continue;
            }
            named = true;
            if path.len() >= MAX_DEPTH {
                return None;
            }
            if !self.tick() {
                return None;
            }
            if current.signer != self.sent[candidate].id {
                continue;
            }
            signed = true;
            path.push(candidate);
            if let Some(anchor) = self.extend(path) {
                return Some(anchor);
            }
            path.pop();
            if self.out_of_steps {
                return None;
            }
        }
        if !signed {
            let depth = path.len();
            if self.dead_end.as_ref().is_none_or(|(d, _)| *d < depth) {
                let reason = if named {
                    DeadEndReason::SignatureMismatch
                } else if current.self_issued() {
                    DeadEndReason::SelfSigned
                } else {
                    DeadEndReason::NotFound
                };
                self.dead_end = Some((
                    depth,
                    DeadEnd {
                        cert: current,
                        reason,
                    },
                ));
            }
        }
        None
    }

    fn tick(&mut self) -> bool {
        if self.steps >= MAX_STEPS {
            self.out_of_steps = true;
            return false;
        }
        self.steps += 1;
        true
    }
}
