//! Validating one certification path against one anchor, as `PKIXCertPathValidator` does.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::chain::Cert;
use crate::checks::{self, Window};
use crate::constraints::{self, NameConstraints};
use crate::explain::{CheckFailure, Outside, ValidityMiss, human_duration};
use crate::rejection::PathCheck;

/// Runs the JDK's checks over `path` (leaf first) below `anchor`; the error names the first
/// failure.
///
/// Certificates are processed from the one the anchor signed down to the leaf. For each, in the
/// JDK's checker order: `KeyChecker` and `ConstraintsChecker`'s basic constraints (not for the
/// leaf), `ConstraintsChecker`'s name constraints, then `BasicChecker` (validity, name
/// chaining, signature), then the refusal of unhandled critical extensions. The anchor itself
/// is never checked.
pub(crate) fn validate(
    path: &[&Cert<'_>],
    anchor: &Cert<'_>,
    now: OffsetDateTime,
) -> Result<(), Box<CheckFailure>> {
    let len = path.len();
    let mut max_path_len = len as u64;
    let mut above = anchor;
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
            })
        };
        if i < len {
            checks::ca_key_usage(cert).map_err(fail)?;
            checks::basic_constraints(cert, i, &mut max_path_len).map_err(fail)?;
        }
        name_constraints
            .check_and_merge(cert, i == len)
            .map_err(fail)?;
        if let Err(window) = checks::validity(cert, now) {
            let mut failure = fail(PathCheck::Validity);
            failure.validity = Some(miss(cert, window, now));
            return Err(failure);
        }
        checks::name_chaining(cert, above).map_err(fail)?;
        checks::signature(cert, above).map_err(fail)?;
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
        })
    })
}

fn miss(cert: &Cert<'_>, window: Window, now: OffsetDateTime) -> ValidityMiss {
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
