//! Validating one certification path, as `PKIXCertPathValidator` does.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::algorithms;
use crate::anchors::{self, Anchor, Anchors};
use crate::chain::Cert;
use crate::checks::{self, Window};
use crate::constraints::{self, NameConstraints, Refusal};
use crate::explain::{AnchorSource, CheckFailure, Outside, ValidityMiss, human_duration};
use crate::rejection::PathCheck;

/// Validates `path` (leaf first) as `PKIXCertPathValidator` does with every trust anchor:
/// only anchors named as the top certificate's issuer, whose subject key identifier (if any)
/// is the top certificate's authority key identifier (if any), are tried; the first that
/// validates wins, else the last failure is reported; with no such anchor, `Path does not
/// chain with any of the trust anchors`. A failure comes with the anchor it was reached with.
///
/// The JDK tries same-named anchors in the order of a hash set of fresh objects, so which
/// failure it reports when all fail changes from run to run; this reports the last in trust
/// store order, one of the JDK's possible answers.
pub(crate) fn validate_with_anchors(
    path: &[&Cert<'_>],
    anchors: &Anchors<'_>,
    now: OffsetDateTime,
) -> Result<usize, (Option<usize>, Box<CheckFailure>)> {
    let top = path.last().expect("a path has a certificate");
    let mut last_failure = None;
    for index in anchors.with_subject(top.issuer()) {
        let anchor = anchors.get(index);
        if !anchors::selects(&anchor.cert, top) {
            continue;
        }
        match validate(path, anchor, now, Order::Validator) {
            Ok(()) => return Ok(index),
            Err(failure) => last_failure = Some((Some(index), failure)),
        }
    }
    Err(last_failure.unwrap_or_else(|| {
        let failure = Box::new(CheckFailure {
            check: PathCheck::NoTrustAnchor,
            subject: top.subject_name(),
            position: path.len() - 1,
            above: top.issuer_name(),
            validity: None,
            detail: None,
        });
        (None, failure)
    }))
}

/// The order the JDK runs its checkers in, which decides which failure (or exception) comes
/// first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// `PKIXCertPathValidator`: algorithm constraints, key usage, basic and name constraints,
    /// then validity, name chaining and signature.
    Validator,
    /// `SunCertPathBuilder`'s final verification of a complete path: validity, name chaining
    /// and signature first, then basic and name constraints, key usage, and the algorithm
    /// constraints last.
    Builder,
}

/// Runs the JDK's checks over `path` (leaf first) below `anchor`, in `order`; the error names
/// the first failure.
///
/// Certificates are processed from the one the anchor signed down to the leaf, each through
/// every checker, then the refusal of unhandled critical extensions. The anchor itself is
/// never checked.
pub(crate) fn validate(
    path: &[&Cert<'_>],
    anchor: &Anchor<'_>,
    now: OffsetDateTime,
    order: Order,
) -> Result<(), Box<CheckFailure>> {
    let jdk_ca = anchor.source == AnchorSource::TrustStore;
    let len = path.len();
    let mut max_path_len = len as u64;
    let mut above = &anchor.cert;
    let mut name_constraints = NameConstraints::default();
    for (k, cert) in path.iter().rev().enumerate() {
        let i = k + 1;
        let position = len - i;
        let fail = |check: PathCheck| {
            Box::new(CheckFailure {
                check,
                subject: cert.subject_name(),
                position,
                above: above.subject_name(),
                validity: None,
                detail: None,
            })
        };
        let algorithms = || {
            algorithms::check(cert, above, jdk_ca).map_err(|(check, detail)| {
                let mut failure = fail(check);
                failure.detail = detail;
                failure
            })
        };
        let key_usage = || {
            if i < len {
                checks::ca_key_usage(cert).map_err(fail)?;
            }
            Ok::<(), Box<CheckFailure>>(())
        };
        let mut constraints = |max_path_len: &mut u64| {
            if i < len {
                checks::basic_constraints(cert, i, max_path_len).map_err(fail)?;
            }
            name_constraints
                .check_and_merge(cert, i == len)
                .map_err(|refusal| match refusal {
                    Refusal::Check => fail(PathCheck::NameConstraints),
                    Refusal::Exception(exception) => {
                        let mut failure = fail(PathCheck::JdkException);
                        failure.detail = Some(exception.0);
                        failure
                    }
                })
        };
        let basic = || {
            if let Err(window) = checks::validity(cert, now) {
                let mut failure = fail(PathCheck::Validity);
                failure.validity = Some(miss(cert, window, now));
                return Err(failure);
            }
            checks::name_chaining(cert, above).map_err(fail)?;
            checks::signature(cert, above).map_err(fail)
        };
        match order {
            Order::Validator => {
                algorithms()?;
                key_usage()?;
                constraints(&mut max_path_len)?;
                basic()?;
            }
            Order::Builder => {
                basic()?;
                constraints(&mut max_path_len)?;
                key_usage()?;
                algorithms()?;
            }
        }
        constraints::critical_extensions(cert).map_err(fail)?;
        above = cert;
    }
    Ok(())
}

/// AWS: with `insecureSkipVerification`, API Gateway "still performs basic certificate
/// validation, which includes checking the certificate's expiration date". The JDK never checks
/// an anchor, so a root the server sent and skip made trustworthy gets this one extra check;
/// `position` is where the path puts it (its length: above the last path certificate).
pub(crate) fn validate_sent_anchor(
    anchor: &Cert<'_>,
    position: usize,
    now: OffsetDateTime,
) -> Result<(), Box<CheckFailure>> {
    checks::validity(anchor, now).map_err(|window| {
        Box::new(CheckFailure {
            check: PathCheck::Validity,
            subject: anchor.subject_name(),
            position,
            above: anchor.subject_name(),
            validity: Some(miss(anchor, window, now)),
            detail: None,
        })
    })
}

pub(crate) fn miss(cert: &Cert<'_>, window: Window, now: OffsetDateTime) -> ValidityMiss {
    let (outside, by) = match window {
        Window::Expired => (Outside::Expired, now - cert.not_after()),
        Window::NotYetValid => (Outside::NotYetValid, cert.not_before() - now),
    };
    ValidityMiss {
        not_before: rfc3339(cert.not_before()),
        not_after: rfc3339(cert.not_after()),
        outside,
        by: human_duration(by),
    }
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}
