//! The suite's verdicts and reports on results made by hand.

use std::path::PathBuf;
use std::time::Duration;

use hoplab_model::Disagreement;
use hoplab_report::{HopTrace, RequestReport, RunReport};

use super::reports::to_render;
use super::{Outcome, ScenarioResult, Status, SuiteReport};

/// A result whose expectations held but whose model predicted another status.
fn disagreeing() -> ScenarioResult {
    let request = RequestReport {
        name: "GET /".into(),
        method: "GET".into(),
        path: "/".into(),
        request_id: None,
        status: Some(200),
        body: String::new(),
        error: None,
        validated: Some("target:api".into()),
        answered_by: Some("target:api".into()),
        target: Some("target:api".into()),
        log: Vec::new(),
        trace: HopTrace::default(),
        mismatches: Vec::new(),
        caller_error: None,
    };
    ScenarioResult {
        path: PathBuf::from("s.toml"),
        name: "s".into(),
        status: Status::ModelDisagreement,
        elapsed_ms: 0,
        error: None,
        report: Some(
            RunReport {
                scenario: "s".into(),
                description: None,
                requests: vec![request],
            }
            .into(),
        ),
        model_disagreements: vec![Disagreement {
            request: "GET /".into(),
            field: "status",
            predicted: "500".into(),
            observed: "200".into(),
        }],
        scenario: None,
    }
}

#[test]
fn a_model_disagreement_fails_unless_a_file_is_unusable() {
    let mut report = SuiteReport {
        results: vec![disagreeing()],
    };
    assert_eq!(report.outcome(), Outcome::Failed);
    report.results.push(ScenarioResult::unusable(
        PathBuf::from("bad.toml"),
        Status::Invalid,
        "bad".into(),
        Duration::ZERO,
    ));
    assert_eq!(report.outcome(), Outcome::Unusable);
    assert_eq!(report.results[1].name(), "bad");
}

#[test]
fn a_model_disagreement_fails_its_request_in_the_reports() {
    let rendered = to_render(&disagreeing());
    assert!(!rendered.request_passed(0));
    assert_eq!(
        rendered.failures(0),
        ["model disagrees: status: predicted 500, observed 200"]
    );
    let xml = hoplab_render::junit(&[rendered]).expect("JUnit XML");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure");
    assert_eq!(failure.attribute("type"), Some("model-disagreement"));
    assert_eq!(
        failure.attribute("message"),
        Some("model disagrees: status: predicted 500, observed 200")
    );
}

#[test]
fn the_text_names_the_disagreement_and_the_json_keeps_its_fields() {
    let report = SuiteReport {
        results: vec![disagreeing()],
    };
    let line = report.results[0].status_line();
    assert_eq!(
        line,
        "MODEL   s.toml (expectations held, but the model disagrees on 1 of 1 requests)"
    );
    let text = report.summary_text();
    assert!(
        text.contains("  model disagreement (`hoplab explain` predicts otherwise):\n    status: predicted 500, observed 200\n"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "\n1 scenario (1 request): 0 passed, 0 failed, 1 model disagreement, 0 invalid, 0 could not run\n"
        ),
        "{text}"
    );
    let json = serde_json::to_value(&report).expect("serializes");
    let keys = |value: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = value
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    };
    assert_eq!(
        keys(&json),
        [
            "errors",
            "failed",
            "invalid",
            "model_disagreements",
            "passed",
            "scenarios"
        ]
    );
    assert_eq!(
        keys(&json["scenarios"][0]),
        [
            "elapsed_ms",
            "error",
            "model_disagreements",
            "name",
            "path",
            "report",
            "status"
        ]
    );
    assert_eq!(json["scenarios"][0]["status"], "model_disagreement");
    assert_eq!(json["model_disagreements"], 1);
}
