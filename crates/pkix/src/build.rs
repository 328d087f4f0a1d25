//! Building a path from the leaf to a trust anchor, as `SunCertPathBuilder` does.
//!
//! A depth-first forward search from the first sent certificate, which must itself be within
//! its validity window. Candidate issuers are the trust anchors (tried first) and the other
//! sent certificates; nothing is fetched (the JDK leaves AIA fetching off). A candidate must
//! have the certificate's issuer name as subject; a version 1 or 2 candidate must be valid
//! over the certificate's whole window; above the target's issuer, an anchor must also be
//! within its validity window now (the JDK reuses its selector, and the "valid now" criterion
//! set for sent certificates stays). A candidate with the subject, key and subjectAltNames of
//! a certificate already in the path is skipped. A sent candidate must also be a CA whose
//! pathLenConstraint allows the CAs already below it, be within its validity window, allow
//! keyCertSign, and have no critical extension the JDK does not handle. Signatures are not
//! checked while searching: a path is complete when it reaches an anchor, and accepted only if
//! it passes every check of [`crate::path::validate`] in the builder's order (the JDK's final
//! verification, which checks each signature first). The search is bounded in depth and steps so a hostile chain
//! cannot hang it; hitting a bound counts as finding no path.

use std::collections::{HashMap, HashSet};

use time::OffsetDateTime;

use crate::anchors::Anchors;
use crate::chain::Cert;
use crate::checks;
use crate::constraints;
use crate::explain::{BuildFailure, DeadEnd, DeadEndReason, RejectedPath};
use crate::names::CanonicalName;
use crate::path;
use crate::rejection::PathCheck;

/// The longest path (without its anchor) the builder tries.
pub(crate) const MAX_DEPTH: usize = 16;
/// The most candidate issuers the builder examines in one search.
pub(crate) const MAX_STEPS: usize = 10_000;
/// How many refused complete paths an explanation keeps.
const MAX_REJECTED: usize = 4;

/// A path the builder found and accepted.
pub(crate) struct Built {
    /// Indices into the sent chain, leaf first.
    pub(crate) path: Vec<usize>,
    /// Index of the anchor in [`Anchors`].
    pub(crate) anchor: usize,
}

/// Searches for a valid path from `sent[0]`.
pub(crate) fn build(
    sent: &[Cert<'_>],
    anchors: &Anchors<'_>,
    now: OffsetDateTime,
) -> Result<Built, BuildFailure> {
    let mut by_subject: HashMap<&CanonicalName, Vec<usize>> = HashMap::new();
    let mut seen: HashSet<&[u8]> = HashSet::new();
    for (i, cert) in sent.iter().enumerate() {
        if seen.insert(cert.der()) {
            by_subject.entry(cert.subject()).or_default().push(i);
        }
    }
    let mut search = Search {
        sent,
        anchors,
        now,
        steps: 0,
        out_of_steps: false,
        too_deep: false,
        dead_end: None,
        rejected: Vec::new(),
        exception: None,
    };
    let target = &sent[0];
    let failure = |search: Search<'_, '_>| BuildFailure {
        dead_end: search.dead_end.map(|(_, d)| d),
        rejected: search.rejected,
        search_limit_hit: search.out_of_steps || search.too_deep,
        exception: search.exception,
    };
    // The target is looked up as a certificate valid at the validation time, and the JDK
    // refuses it outright for a critical extension it does not handle.
    if checks::validity(target, now).is_err() {
        search.dead_end = Some((
            0,
            DeadEnd {
                subject: target.subject_name(),
                issuer: target.issuer_name(),
                reason: DeadEndReason::OutsideValidity,
            },
        ));
        return Err(failure(search));
    }
    if constraints::critical_extensions(target).is_err() {
        search.dead_end = Some((
            0,
            DeadEnd {
                subject: target.subject_name(),
                issuer: target.issuer_name(),
                reason: DeadEndReason::UnhandledCriticalExtension,
            },
        ));
        return Err(failure(search));
    }
    let mut path = vec![0];
    let mut walk = Walk { traversed_cas: 0 };
    match search.extend(&by_subject, &mut path, &mut walk) {
        Some(anchor) => Ok(Built { path, anchor }),
        None => Err(failure(search)),
    }
}

/// The JDK's selector for a version 1 or 2 issuer: valid over the child's whole window (at its
/// notBefore and at its notAfter). Version 3 issuers are not held to it.
fn issuer_window_covers(issuer: &Cert<'_>, child: &Cert<'_>) -> bool {
    issuer.is_v3()
        || (checks::validity(issuer, child.not_before()).is_ok()
            && checks::validity(issuer, child.not_after()).is_ok())
}

/// What the JDK's `ForwardState` carries down the search.
#[derive(Clone)]
struct Walk {
    /// Non-self-issued CA certificates in the path, above the target.
    traversed_cas: u32,
}

struct Search<'s, 'a> {
    sent: &'s [Cert<'a>],
    anchors: &'s Anchors<'a>,
    now: OffsetDateTime,
    steps: usize,
    /// The step bound was reached: the search stops.
    out_of_steps: bool,
    /// Some branch was cut at the depth bound: the search goes on elsewhere.
    too_deep: bool,
    /// The deepest certificate whose issuer was not found, with its depth.
    dead_end: Option<(usize, DeadEnd)>,
    rejected: Vec<RejectedPath>,
    /// The JDK's check threw: the whole search ends with that exception.
    exception: Option<String>,
}

impl Search<'_, '_> {
    /// Tries to complete `path` (sent indices, leaf first) using `by_subject` (distinct sent
    /// certificates by subject); returns the anchor on success, leaving `path` holding the
    /// accepted path.
    fn extend(
        &mut self,
        by_subject: &HashMap<&CanonicalName, Vec<usize>>,
        path: &mut Vec<usize>,
        walk: &mut Walk,
    ) -> Option<usize> {
        let current = *path.last()?;
        let cert = &self.sent[current];
        let issuer_name = cert.issuer();
        let mut named = false;
        let mut qualified = false;

        let anchors: Vec<usize> = self.anchors.with_subject(issuer_name).collect();
        for anchor in anchors {
            named = true;
            if !self.tick() {
                return None;
            }
            let anchor_cert = &self.anchors.get(anchor).cert;
            if self.repeats(anchor_cert, path) {
                continue;
            }
            // The JDK reuses its issuer selector: once it has looked for the target's issuer,
            // the "valid now" criterion it then set stays, so anchors above the target's
            // issuer must be valid now too.
            let above_target = path.len() > 1;
            if !issuer_window_covers(anchor_cert, cert)
                || (above_target && checks::validity(anchor_cert, self.now).is_err())
            {
                continue;
            }
            qualified = true;
            if self.accept(path, anchor) {
                return Some(anchor);
            }
            if self.exception.is_some() {
                return None;
            }
        }

        let candidates = by_subject
            .get(issuer_name)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for &candidate in candidates {
            if path.contains(&candidate) {
                continue;
            }
            named = true;
            if path.len() >= MAX_DEPTH {
                self.too_deep = true;
                return None;
            }
            if !self.tick() {
                return None;
            }
            let issuer = &self.sent[candidate];
            if self.repeats(issuer, path) {
                continue;
            }
            // X509CertSelector's order: validity and basic constraints; then
            // ForwardBuilder.verifyCert's key usage and critical extensions.
            if !issuer_window_covers(issuer, cert) || !self.selectable_ca(issuer, walk) {
                continue;
            }
            if checks::ca_key_usage(issuer).is_err()
                || constraints::critical_extensions(issuer).is_err()
            {
                continue;
            }
            qualified = true;
            path.push(candidate);
            let mut next = walk.clone();
            if !issuer.self_issued() {
                next.traversed_cas += 1;
            }
            if let Some(anchor) = self.extend(by_subject, path, &mut next) {
                return Some(anchor);
            }
            path.pop();
            if self.out_of_steps || self.exception.is_some() {
                return None;
            }
        }

        if !qualified {
            self.note_dead_end(current, path.len(), named);
        }
        None
    }

    /// The JDK skips a candidate with the subject, public key and subjectAltNames of a
    /// certificate already in the path ("cert with repeated subject, public key, and
    /// subjectAltNames"), whatever else differs.
    fn repeats(&self, candidate: &Cert<'_>, path: &[usize]) -> bool {
        path.iter().map(|&i| &self.sent[i]).any(|cert| {
            cert.subject() == candidate.subject()
                && cert.spki() == candidate.spki()
                && cert.subject_alt_name_value() == candidate.subject_alt_name_value()
        })
    }

    /// What the JDK's selector asks of a sent certificate before its name constraints: within
    /// its validity window now, and a CA whose pathLenConstraint allows the CAs below it.
    fn selectable_ca(&self, candidate: &Cert<'_>, walk: &Walk) -> bool {
        checks::validity(candidate, self.now).is_ok()
            && candidate
                .ca_path_len()
                .is_some_and(|len| len >= walk.traversed_cas)
    }

    /// The JDK's final verification of a complete path: every check of the validator
    /// ([`path::validate`]); remembers a refusal.
    fn accept(&mut self, path: &[usize], anchor: usize) -> bool {
        let certs: Vec<&Cert<'_>> = path.iter().map(|&i| &self.sent[i]).collect();
        let anchor = self.anchors.get(anchor);
        match path::validate(&certs, anchor, self.now, path::Order::Builder) {
            Ok(()) => true,
            Err(failure) if failure.check == PathCheck::JdkException => {
                self.exception = Some(
                    failure
                        .detail
                        .unwrap_or_else(|| PathCheck::JdkException.reason().to_owned()),
                );
                false
            }
            Err(failure) => {
                if self.rejected.len() < MAX_REJECTED {
                    self.rejected.push(RejectedPath {
                        path: certs.iter().map(|c| c.subject_name()).collect(),
                        anchor: anchor.cert.subject_name(),
                        failure: *failure,
                    });
                }
                false
            }
        }
    }

    fn note_dead_end(&mut self, current: usize, depth: usize, named: bool) {
        if self.dead_end.as_ref().is_some_and(|(d, _)| *d >= depth) {
            return;
        }
        let cert = &self.sent[current];
        let reason = if named {
            DeadEndReason::SignatureMismatch
        } else if cert.self_issued() {
            DeadEndReason::SelfSigned
        } else {
            DeadEndReason::NotFound
        };
        let dead_end = DeadEnd {
            subject: cert.subject_name(),
            issuer: cert.issuer_name(),
            reason,
        };
        self.dead_end = Some((depth, dead_end));
    }

    /// Counts one examined candidate; false once the step bound is reached.
    fn tick(&mut self) -> bool {
        if self.steps >= MAX_STEPS {
            self.out_of_steps = true;
            return false;
        }
        self.steps += 1;
        true
    }
}
