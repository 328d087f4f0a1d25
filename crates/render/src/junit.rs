//! JUnit XML for CI: one testsuite per scenario, one testcase per request.
//!
//! A request that failed gets a `<failure>` whose message is its expected-versus-actual
//! lines joined by `; ` and whose text holds them one per line; its type is `expectation`, or
//! `model-disagreement` when only further failures (see [`ScenarioResult::add_failure`]) were
//! recorded. Its `<system-out>` is the execution log. A scenario that could not run is a testsuite with one testcase in error.

use junit_report::{Duration, ReportBuilder, TestCase, TestCaseBuilder, TestSuiteBuilder};

use crate::error::RenderError;
use crate::escape::xml_chars;
use crate::result::ScenarioResult;

/// The name of the testcase an invalid scenario becomes.
pub const NOT_RUN_TESTCASE: &str = "scenario could not run";

/// Renders the results as a JUnit XML document.
pub fn junit(results: &[ScenarioResult]) -> Result<String, RenderError> {
    let mut report = ReportBuilder::new();
    for result in results {
        let mut suite = TestSuiteBuilder::new(&xml_chars(result.name()));
        match &result.outcome {
            Ok(run) => {
                for (index, request) in run.requests.iter().enumerate() {
                    let name = xml_chars(&request.name);
                    let failures = result.failures(index);
                    let mut case = if failures.is_empty() {
                        TestCaseBuilder::success(&name, Duration::ZERO)
                    } else {
                        // Expectations held, so the failures are further checks: in
                        // `hoplab test`, the static model disagreeing with the run.
                        let kind = if request.passed() {
                            "model-disagreement"
                        } else {
                            "expectation"
                        };
                        let mut case = TestCaseBuilder::failure(
                            &name,
                            Duration::ZERO,
                            kind,
                            &xml_chars(&failures.join("; ")),
                        );
                        case.set_trace(&xml_chars(&failures.join("\n")));
                        case
                    };
                    case.set_classname(&xml_chars(result.name()))
                        .set_filepath(&xml_chars(&result.source));
                    let mut out = request.log.join("\n");
                    if let Some(error) = &request.caller_error {
                        if !out.is_empty() {
                            out.push('\n');
                        }
                        out.push_str(&format!("caller error: {error}"));
                    }
                    if !out.is_empty() {
                        case.set_system_out(&xml_chars(&out));
                    }
                    suite.add_testcase(case.build());
                }
            }
            Err(not_run) => {
                let error = not_run.reason.as_str();
                let first = error.lines().next().unwrap_or_default();
                let mut case = TestCaseBuilder::error(
                    NOT_RUN_TESTCASE,
                    Duration::ZERO,
                    "invalid-scenario",
                    &xml_chars(first),
                );
                case.set_trace(&xml_chars(error))
                    .set_filepath(&xml_chars(&result.source));
                let case: TestCase = case.build();
                suite.add_testcase(case);
            }
        }
        report.add_testsuite(suite.build());
    }
    let mut out = Vec::new();
    report
        .build()
        .write_xml(&mut out)
        .map_err(|e| RenderError::Junit(e.to_string()))?;
    String::from_utf8(out).map_err(|e| RenderError::Junit(e.to_string()))
}
