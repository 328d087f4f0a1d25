//! Compares a request's outcome with its expectation, and a repeated request's sends with
//! what must hold over all of them.

use hoplab_scenario::{Expectation, RepeatExpectation, Scenario, TextMatch};

use hoplab_report::{CertificateRole, Mismatch, RequestReport};

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
    let error = report.error.as_deref().unwrap_or_default();
    match expect.no_error() {
        Some(true) if !error.is_empty() => {
            differ("no_error", "no failure line".to_owned(), error.to_owned());
        }
        Some(false) if error.is_empty() => {
            differ("no_error", "a failure line".to_owned(), or_none(error));
        }
        _ => {}
    }
    if let Some(part) = expect.error_not_contains()
        && error.contains(part)
    {
        differ(
            "error",
            format!("does not contain {part:?}"),
            error.to_owned(),
        );
    }
    if let Some(part) = expect.body_contains()
        && !report.body.contains(part)
    {
        differ("body", format!("contains {part:?}"), report.body.clone());
    }
    if let Some(part) = expect.body_not_contains()
        && report.body.contains(part)
    {
        differ(
            "body",
            format!("does not contain {part:?}"),
            report.body.clone(),
        );
    }
    let names = |role: CertificateRole| -> Vec<&str> {
        report
            .trace
            .certificates
            .iter()
            .filter(|seen| seen.role == role)
            .map(|seen| {
                seen.certificate
                    .as_deref()
                    .unwrap_or("(not the scenario's)")
            })
            .collect()
    };
    if let Some(certificate) = expect.validated_certificate() {
        let expected = scenario.certificate(certificate).name();
        let validated = names(CertificateRole::Validated);
        if !validated.contains(&expected) {
            differ(
                "validated_certificate",
                expected.to_owned(),
                listed(&validated),
            );
        }
    }
    let not_validated = names(CertificateRole::NotValidated);
    for certificate in expect.not_validated() {
        let expected = scenario.certificate(*certificate).name();
        if !not_validated.contains(&expected) {
            differ(
                "not_validated",
                format!("{expected} presented and not validated"),
                listed(&not_validated),
            );
        }
    }
    mismatches
}

/// Certificate names for a mismatch: `none`, or the names joined.
fn listed(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
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

/// Checks each repeated request's `expect_repeats` over its sends, which are consecutive in
/// `reports` in the scenario's order; what does not hold is reported on the last send.
pub(crate) fn check_repeats(scenario: &Scenario, reports: &mut [RequestReport]) {
    let mut start = 0;
    for request in scenario.requests() {
        let sends = request.repeat() as usize;
        let Some(group) = reports.get_mut(start..start + sends) else {
            return;
        };
        start += sends;
        if let Some(expect) = request.expect_repeats() {
            let mismatches = check_group(scenario, expect, group);
            if let Some(last) = group.last_mut() {
                last.mismatches.extend(mismatches);
            }
        }
    }
}

fn check_group(
    scenario: &Scenario,
    expect: &RepeatExpectation,
    sends: &[RequestReport],
) -> Vec<Mismatch> {
    let mut mismatches = Vec::new();
    let reached: Vec<&str> = sends.iter().filter_map(|r| r.target.as_deref()).collect();
    let reached_list = || {
        let mut names = reached.clone();
        names.sort_unstable();
        names.dedup();
        listed(&names)
    };
    for target in expect.reached() {
        let hop = scenario.target(*target).hop_name();
        if !reached.contains(&hop.as_str()) {
            mismatches.push(Mismatch {
                field: "expect_repeats.reached".to_owned(),
                expected: format!("{hop} reached"),
                actual: reached_list(),
            });
        }
    }
    for target in expect.not_reached() {
        let hop = scenario.target(*target).hop_name();
        if reached.contains(&hop.as_str()) {
            mismatches.push(Mismatch {
                field: "expect_repeats.not_reached".to_owned(),
                expected: format!("{hop} not reached"),
                actual: reached_list(),
            });
        }
    }
    let failed = sends
        .iter()
        .filter(|r| r.status.is_none_or(|status| status >= 500))
        .count();
    let failed = u32::try_from(failed).unwrap_or(u32::MAX);
    let of = sends.len();
    if let Some(min) = expect.min_failed()
        && failed < min
    {
        mismatches.push(Mismatch {
            field: "expect_repeats.min_failed".to_owned(),
            expected: format!("at least {min} of {of} failed"),
            actual: format!("{failed} failed"),
        });
    }
    if let Some(max) = expect.max_failed()
        && failed > max
    {
        mismatches.push(Mismatch {
            field: "expect_repeats.max_failed".to_owned(),
            expected: format!("at most {max} of {of} failed"),
            actual: format!("{failed} failed"),
        });
    }
    mismatches
}
