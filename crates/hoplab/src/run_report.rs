//! [`Report`] and [`RequestOutcome`]: what a live run produced, with the accessors a test asserts
//! on.

use std::fmt;

use hoplab_report::{Mismatch, RequestReport, RunReport};
use serde::{Deserialize, Serialize};

/// What one live run of a scenario produced: one [`RequestOutcome`] per request, in the
/// scenario's order.
///
/// Ask [`Report::passed`] whether every expectation held, look a request up by name with
/// [`Report::request`], and print it (its [`Display`](fmt::Display) is `hoplab run -v`'s text).
/// [`Report::full`] has everything: the execution log, the hop trace, every TLS session and
/// every certificate presented. It serializes as `hoplab run --format json` does.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Report {
    full: RunReport,
}

impl Report {
    /// Whether every request met its expectation.
    pub fn passed(&self) -> bool {
        self.full.passed()
    }

    /// The scenario's name.
    pub fn scenario(&self) -> &str {
        &self.full.scenario
    }

    /// Every request, in the scenario's order.
    pub fn requests(&self) -> impl ExactSizeIterator<Item = RequestOutcome<'_>> {
        self.full.requests.iter().map(RequestOutcome)
    }

    /// The request with this name (a request without `name` in the scenario is named
    /// `METHOD /path`), if there is one.
    pub fn request(&self, name: &str) -> Option<RequestOutcome<'_>> {
        self.requests().find(|r| r.name() == name)
    }

    /// Everything the run recorded, as plain data.
    pub fn full(&self) -> &RunReport {
        &self.full
    }

    /// Everything the run recorded, as plain data, owned.
    pub fn into_full(self) -> RunReport {
        self.full
    }
}

impl From<RunReport> for Report {
    fn from(full: RunReport) -> Self {
        Report { full }
    }
}

/// `hoplab run -v`'s text: each request's verdict, execution log, hop trace, TLS sessions and
/// certificates, then a summary line.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hoplab_report::render_text(&self.full))
    }
}

/// What happened to one request of a run: the facts a test asserts on, and the full record.
#[derive(Debug, Clone, Copy)]
pub struct RequestOutcome<'a>(&'a RequestReport);

impl<'a> RequestOutcome<'a> {
    /// The request's name.
    pub fn name(&self) -> &'a str {
        &self.0.name
    }

    /// Whether it met its expectation.
    pub fn passed(&self) -> bool {
        self.0.passed()
    }

    /// The status the caller received; `None` when no HTTP response came back.
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }

    /// The hop whose certificate API Gateway validated (`gateway`, `nlb:<nlb>:<port>`,
    /// `target:<name>`); `None` when no certificate was validated.
    pub fn validated(&self) -> Option<&'a str> {
        self.0.validated.as_deref()
    }

    /// The execution log's failure line (`Execution failed due to …`), when the integration
    /// failed.
    pub fn error(&self) -> Option<&'a str> {
        self.0.error.as_deref()
    }

    /// The target the request reached or was sent towards (`target:<name>`); `None` when no
    /// target was picked.
    pub fn target(&self) -> Option<&'a str> {
        self.0.target.as_deref()
    }

    /// The body the caller received.
    pub fn body(&self) -> &'a str {
        &self.0.body
    }

    /// The expectations that did not hold, each with what was expected and what was seen.
    pub fn mismatches(&self) -> &'a [Mismatch] {
        &self.0.mismatches
    }

    /// Everything recorded about the request: execution log, hop trace, TLS sessions,
    /// certificates.
    pub fn full(&self) -> &'a RequestReport {
        self.0
    }
}

/// The request's text as `hoplab run -v` prints it.
impl fmt::Display for RequestOutcome<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hoplab_report::render_request_text(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hoplab_report::HopTrace;

    fn request(name: &str, mismatches: Vec<Mismatch>) -> RequestReport {
        RequestReport {
            name: name.into(),
            method: "GET".into(),
            path: "/".into(),
            request_id: None,
            status: Some(500),
            body: "{}".into(),
            error: Some("Execution failed due to a timeout error".into()),
            validated: Some("target:api".into()),
            answered_by: Some("target:api".into()),
            target: Some("target:api".into()),
            log: Vec::new(),
            trace: HopTrace::default(),
            mismatches,
            caller_error: None,
        }
    }

    #[test]
    fn accessors_read_the_request_by_name_and_json_is_the_run_report() {
        let full = RunReport {
            scenario: "s".into(),
            description: None,
            requests: vec![
                request("first", Vec::new()),
                request(
                    "second",
                    vec![Mismatch {
                        field: "status".into(),
                        expected: "200".into(),
                        actual: "500".into(),
                    }],
                ),
            ],
        };
        let report = Report::from(full.clone());
        assert!(!report.passed());
        assert_eq!(report.requests().len(), 2);
        let first = report.request("first").expect("a request named first");
        assert!(first.passed());
        assert_eq!(first.status(), Some(500));
        assert_eq!(first.validated(), Some("target:api"));
        assert_eq!(first.target(), Some("target:api"));
        assert_eq!(
            first.error(),
            Some("Execution failed due to a timeout error")
        );
        assert_eq!(
            report.request("second").map(|r| r.mismatches().len()),
            Some(1)
        );
        assert!(report.request("third").is_none());
        assert_eq!(
            serde_json::to_value(&report).expect("serializes"),
            serde_json::to_value(&full).expect("serializes")
        );
        assert_eq!(report.to_string(), hoplab_report::render_text(&full));
    }
}
