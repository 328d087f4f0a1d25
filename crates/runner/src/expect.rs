//! Compares a request's outcome with its expectation.

use hoplab_scenario::{Expectation, TextMatch};

use hoplab_report::{Mismatch, RequestReport};

/// Every expectation that did not hold: the request's own, then those of the `per_target`
/// entry for the target it reached.
pub(crate) fn check(expect: &Expectation, report: &RequestReport) -> Vec<Mismatch> {
    let mut mismatches = check_one(expect, report);
    let reached = report
        .target
        .as_deref()
        .and_then(|hop| hop.strip_prefix("target:"));
    if let Some(name) = &expect.target
        && reached != Some(name.as_str())
    {
        mismatches.push(Mismatch {
            field: "target".to_owned(),
            expected: format!("target:{name}"),
            actual: report.target.clone().unwrap_or_else(|| "none".to_owned()),
        });
    }
    let per_target = expect
        .per_target
        .iter()
        .find(|(name, _)| Some(name.as_str()) == reached);
    if let Some((name, nested)) = per_target {
        mismatches.extend(check_one(nested, report).into_iter().map(|mut m| {
            m.field = format!("per_target.{name}.{}", m.field);
            m
        }));
    }
    mismatches
}

fn check_one(expect: &Expectation, report: &RequestReport) -> Vec<Mismatch> {
    let mut mismatches = Vec::new();
    let mut differ = |field: &str, expected: String, actual: String| {
        mismatches.push(Mismatch {
            field: field.to_owned(),
            expected,
            actual,
        });
    };
    if let Some(status) = expect.status
        && report.status != Some(status)
    {
        let actual = report
            .status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "no response".to_owned());
        differ("status", status.to_string(), actual);
    }
    if let Some(hop) = &expect.validated {
        let actual = report
            .validated
            .clone()
            .unwrap_or_else(|| "none".to_owned());
        if hop.to_string() != actual {
            differ("validated", hop.to_string(), actual);
        }
    }
    if let Some(error) = &expect.error {
        let actual = report.error.clone().unwrap_or_default();
        if !error.matches(&actual) {
            differ("error", describe(error), or_none(&actual));
        }
    }
    if let Some(part) = &expect.body_contains
        && !report.body.contains(part.as_str())
    {
        differ("body", format!("contains {part:?}"), report.body.clone());
    }
    mismatches
}

fn describe(text: &TextMatch) -> String {
    match text {
        TextMatch::Exact(want) => want.clone(),
        TextMatch::Contains(part) => format!("contains {part:?}"),
    }
}

fn or_none(actual: &str) -> String {
    if actual.is_empty() {
        "(no error)".to_owned()
    } else {
        actual.to_owned()
    }
}
