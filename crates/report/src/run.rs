//! The report of a run and of each request in it.

use serde::{Deserialize, Serialize};

use crate::HopTrace;

/// Everything one run of one scenario produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: Option<String>,
    /// One report per request, in scenario order.
    pub requests: Vec<RequestReport>,
}

impl RunReport {
    /// Whether every request met its expectation.
    pub fn passed(&self) -> bool {
        self.requests.iter().all(RequestReport::passed)
    }
}

/// What happened to one request, and whether it met its expectation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestReport {
    /// Request name.
    pub name: String,
    /// Method sent.
    pub method: String,
    /// Path sent.
    pub path: String,
    /// The `x-amzn-RequestId` the gateway answered with.
    pub request_id: Option<String>,
    /// Status the caller received (`None` if no HTTP response came back).
    pub status: Option<u16>,
    /// Body the caller received.
    pub body: String,
    /// The execution log's failure line, if the integration failed.
    pub error: Option<String>,
    /// The hop whose certificate the gateway validated (`None`: no certificate was validated).
    pub validated: Option<String>,
    /// The target the request reached or was sent towards (`target:<name>`), as the NLB's
    /// flow hash, the ALB's rules and algorithm (or the URI's DNS name) chose it; `None` when
    /// no target was picked.
    pub target: Option<String>,
    /// Who wrote the response the caller received: `gateway` (API Gateway's own, such as a
    /// certificate rejection or a timeout), an ALB listener (`alb:<name>:<port>`: its error
    /// page, fixed response or redirect, passed through), or the target (`target:<name>`);
    /// `None` when no response came back.
    #[serde(default)]
    pub answered_by: Option<String>,
    /// The execution log, one `<date> : <message>` line each.
    pub log: Vec<String>,
    /// The path the request took and the TLS sessions and certificates along it.
    pub trace: HopTrace,
    /// Expectations that did not hold (empty when the request passed).
    pub mismatches: Vec<Mismatch>,
    /// Why the caller got no response, if it did not.
    pub caller_error: Option<String>,
}

impl RequestReport {
    /// Whether the request met its expectation.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The expectation that failed: `status`, `validated`, `error`, `no_error`, `body`,
    /// `validated_certificate`, `not_validated` or `target` (prefixed `per_target.<name>.`).
    pub field: String,
    /// What the scenario expected.
    pub expected: String,
    /// What was observed.
    pub actual: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(mismatches: Vec<Mismatch>) -> RequestReport {
        RequestReport {
            name: "GET /".into(),
            method: "GET".into(),
            path: "/".into(),
            request_id: Some("id".into()),
            status: Some(200),
            body: "hello".into(),
            error: None,
            validated: Some("nlb:internal:443".into()),
            target: Some("target:app".into()),
            answered_by: Some("target:app".into()),
            log: vec!["line".into()],
            trace: HopTrace::default(),
            mismatches,
            caller_error: None,
        }
    }

    #[test]
    fn a_report_passes_when_no_request_has_a_mismatch() {
        let mut report = RunReport {
            scenario: "s".into(),
            description: None,
            requests: vec![request(Vec::new())],
        };
        assert!(report.passed());
        report.requests.push(request(vec![Mismatch {
            field: "status".into(),
            expected: "503".into(),
            actual: "200".into(),
        }]));
        assert!(!report.passed());
    }

    #[test]
    fn json_keeps_the_documented_field_names_both_ways() {
        let report = RunReport {
            scenario: "s".into(),
            description: Some("d".into()),
            requests: vec![request(Vec::new())],
        };
        let json = serde_json::to_value(&report).expect("serializes");
        let mut keys: Vec<&str> = json["requests"][0]
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "answered_by",
                "body",
                "caller_error",
                "error",
                "log",
                "method",
                "mismatches",
                "name",
                "path",
                "request_id",
                "status",
                "target",
                "trace",
                "validated"
            ]
        );
        let back: RunReport = serde_json::from_value(json.clone()).expect("deserializes");
        assert_eq!(serde_json::to_value(&back).expect("serializes"), json);
        // A trace without an ALB keeps the keys it always had; one through an ALB adds `alb`.
        let trace_keys = |json: &serde_json::Value| -> Vec<String> {
            json["requests"][0]["trace"]
                .as_object()
                .expect("an object")
                .keys()
                .cloned()
                .collect()
        };
        assert_eq!(trace_keys(&json), ["certificates", "hops", "tls_sessions"]);
        let mut through_alb = report.clone();
        through_alb.requests[0].trace.alb = Some(crate::AlbDecision {
            listener: "alb:web:443".into(),
            rule: Some("10".into()),
            action: Some("forward".into()),
            target_group: Some("app".into()),
            target: Some("target:app".into()),
            trace_id: Some("Root=1-00000001-000000000000000000000001".into()),
            status: 200,
            answered_by: "target".into(),
            reason: None,
        });
        let json = serde_json::to_value(&through_alb).expect("serializes");
        assert!(trace_keys(&json).contains(&"alb".to_owned()));
        let back: RunReport = serde_json::from_value(json).expect("deserializes");
        assert_eq!(
            back.requests[0].trace.alb,
            through_alb.requests[0].trace.alb
        );
    }
}
