//! Compares a request's outcome with its expectation.

use hoplab_scenario::{Expectation, Scenario, TextMatch};

use hoplab_report::{Mismatch, RequestReport};

/// Every expectation that did not hold: the request's own, then those of the `per_target`
/// entry for the target it reached.
pub(crate) fn check(
    scenario: &Scenario,
    expect: &Expectation,
    report: &RequestReport,
) -> Vec<Mismatch> {
    let mut mismatches = check_one(scenario, expect, report);
    let reached = report.target.as_deref();
    if let Some(target) = expect.target() {
        let expected = scenario.target(target).hop_name();
        if reached != Some(expected.as_str()) {
            mismatches.push(Mismatch {
                field: "target".to_owned(),
                expected,
                actual: report.target.clone().unwrap_or_else(|| "none".to_owned()),
            });
        }
    }
    let per_target = expect
        .per_target()
        .iter()
        .map(|(target, nested)| (scenario.target(*target), nested))
        .find(|(target, _)| Some(target.hop_name().as_str()) == reached);
    if let Some((target, nested)) = per_target {
        mismatches.extend(
            check_one(scenario, nested, report)
                .into_iter()
                .map(|mut m| {
                    m.field = format!("per_target.{}.{}", target.name(), m.field);
                    m
                }),
        );
    }
    mismatches
}

fn check_one(scenario: &Scenario, expect: &Expectation, report: &RequestReport) -> Vec<Mismatch> {
    let mut mismatches = Vec::new();
    let mut differ = |field: &str, expected: String, actual: String| {
        mismatches.push(Mismatch {
            field: field.to_owned(),
            expected,
            actual,
        });
    };
    if let Some(status) = expect.status()
        && report.status != Some(status)
    {
        let actual = report
            .status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "no response".to_owned());
        differ("status", status.to_string(), actual);
    }
    if let Some(hop) = expect.validated() {
        let expected = scenario.hop_name(hop);
        let actual = report
            .validated
            .clone()
            .unwrap_or_else(|| "none".to_owned());
        if expected != actual {
            differ("validated", expected, actual);
        }
    }
    if let Some(error) = expect.error() {
        let actual = report.error.clone().unwrap_or_default();
        if !error.matches(&actual) {
            differ("error", describe(error), or_none(&actual));
        }
    }
    if let Some(part) = expect.body_contains()
        && !report.body.contains(part)
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
