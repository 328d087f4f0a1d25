//! Building a path from the leaf to a trust anchor, as `SunCertPathBuilder` does.
//!
//! A depth-first forward search from the first sent certificate. Candidate issuers are the
//! trust anchors (tried first) and the other sent certificates; nothing is fetched (the JDK
//! leaves AIA fetching off). A step needs the issuer's subject to equal the certificate's issuer
//! name and its key to verify the signature. A path is complete when an anchor signed its top
//! certificate; it is accepted only if it passes every check of [`crate::path::validate`].
//! The search is bounded in depth and steps so a hostile chain cannot hang it; hitting a bound
//! counts as finding no path.

use std::collections::{HashMap, HashSet};

use time::OffsetDateTime;

use crate::anchors::Anchors;
use crate::chain::Cert;
use crate::checks;
use crate::explain::{BuildFailure, DeadEnd, DeadEndReason, RejectedPath};
use crate::path;

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
    let mut by_subject: HashMap<&[u8], Vec<usize>> = HashMap::new();
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
        signatures: HashMap::new(),
        dead_end: None,
        rejected: Vec::new(),
    };
    let mut path = vec![0];
    match search.extend(&by_subject, &mut path) {
        Some(anchor) => Ok(Built { path, anchor }),
        None => Err(BuildFailure {
            dead_end: search.dead_end.map(|(_, d)| d),
            rejected: search.rejected,
            search_limit_hit: search.out_of_steps || search.too_deep,
        }),
    }
}

/// A candidate issuer: another sent certificate or an anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Issuer {
    Sent(usize),
    Anchor(usize),
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
    signatures: HashMap<(usize, Issuer), bool>,
    /// The deepest certificate whose issuer was not found, with its depth.
    dead_end: Option<(usize, DeadEnd)>,
    rejected: Vec<RejectedPath>,
}

impl Search<'_, '_> {
    /// Tries to complete `path` (sent indices, leaf first) using `by_subject` (distinct sent
    /// certificates by subject); returns the anchor on success, leaving `path` holding the
    /// accepted path.
    fn extend(
        &mut self,
        by_subject: &HashMap<&[u8], Vec<usize>>,
        path: &mut Vec<usize>,
    ) -> Option<usize> {
        let current = *path.last()?;
        let issuer_name = self.sent[current].issuer();
        let mut named = false;
        let mut signed = false;

        let anchors: Vec<usize> = self.anchors.with_subject(issuer_name).collect();
        for anchor in anchors {
            named = true;
            if !self.tick() {
                return None;
            }
            if !self.verifies(current, Issuer::Anchor(anchor)) {
                continue;
            }
            signed = true;
            if self.accept(path, anchor) {
                return Some(anchor);
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
            if !self.verifies(current, Issuer::Sent(candidate)) {
                continue;
            }
            signed = true;
            path.push(candidate);
            if let Some(anchor) = self.extend(by_subject, path) {
                return Some(anchor);
            }
            path.pop();
            if self.out_of_steps {
                return None;
            }
        }

        if !signed {
            self.note_dead_end(current, path.len(), named);
        }
        None
    }

    /// Runs the validator's checks on a complete path, remembering a refusal.
    fn accept(&mut self, path: &[usize], anchor: usize) -> bool {
        let certs: Vec<&Cert<'_>> = path.iter().map(|&i| &self.sent[i]).collect();
        let anchor_cert = &self.anchors.get(anchor).cert;
        match path::validate(&certs, anchor_cert, self.now) {
            Ok(()) => true,
            Err(failure) => {
                if self.rejected.len() < MAX_REJECTED {
                    self.rejected.push(RejectedPath {
                        path: certs.iter().map(|c| c.subject_name()).collect(),
                        anchor: anchor_cert.subject_name(),
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

    fn verifies(&mut self, child: usize, issuer: Issuer) -> bool {
        if let Some(&known) = self.signatures.get(&(child, issuer)) {
            return known;
        }
        let signer = match issuer {
            Issuer::Sent(i) => &self.sent[i],
            Issuer::Anchor(i) => &self.anchors.get(i).cert,
        };
        let ok = checks::signature(&self.sent[child], signer).is_ok();
        self.signatures.insert((child, issuer), ok);
        ok
    }
}
