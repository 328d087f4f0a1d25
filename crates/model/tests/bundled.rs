//! The bundled scenarios: the model must predict what each request expects, and agree with
//! the live run.

use std::path::PathBuf;

use hoplab_model::{disagreements, explain};
use hoplab_scenario::{Expectation, Scenario, TextMatch};
use time::OffsetDateTime;

fn bundled() -> Vec<(PathBuf, Scenario)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let files = hoplab_scenario::scenario_files(std::slice::from_ref(&dir))
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    assert!(!files.is_empty(), "no scenarios in {}", dir.display());
    files
        .into_iter()
        .map(|path| {
            let scenario = hoplab_scenario::load(&path)
                .unwrap_or_else(|e| panic!("loading {}: {e}", path.display()));
            (path, scenario)
        })
        .collect()
}

/// One predicted outcome: the first target's, or an alternative's.
#[derive(Clone)]
struct Outcome {
    status: u16,
    validated: Option<String>,
    error: Option<String>,
}

/// Compares one expectation with one predicted outcome.
fn check(
    scenario: &Scenario,
    miss: &mut impl FnMut(&str, String, String),
    prefix: &str,
    expect: &Expectation,
    predicted: &Outcome,
) {
    if let Some(status) = expect.status()
        && status != predicted.status
    {
        miss(
            &format!("{prefix}status"),
            status.to_string(),
            predicted.status.to_string(),
        );
    }
    if let Some(hop) = expect.validated() {
        let got = predicted.validated.clone().unwrap_or_else(|| "none".into());
        if scenario.hop_name(hop) != got {
            miss(&format!("{prefix}validated"), scenario.hop_name(hop), got);
        }
    }
    if let Some(error) = expect.error() {
        let got = predicted.error.clone().unwrap_or_default();
        if !error.matches(&got) {
            let want = match error {
                TextMatch::Exact(text) => text.clone(),
                TextMatch::Contains(part) => format!("contains {part:?}"),
            };
            miss(&format!("{prefix}error"), want, got);
        }
    }
}

fn clock(scenario: &Scenario) -> OffsetDateTime {
    scenario.now().unwrap_or_else(OffsetDateTime::now_utc)
}

#[test]
fn predictions_meet_every_bundled_expectation() {
    let mut failures = Vec::new();
    for (path, scenario) in bundled() {
        let explanation = explain(&scenario, clock(&scenario));
        for (request, predicted) in scenario.requests().iter().zip(&explanation.requests) {
            let mut miss = |field: &str, expected: String, got: String| {
                failures.push(format!(
                    "{} / {}: {field}: expected {expected}, predicted {got}",
                    path.display(),
                    request.name()
                ));
            };
            let route = explanation
                .routes
                .iter()
                .find(|r| (&r.method, &r.path) == (&predicted.route.0, &predicted.route.1));
            let targets = route.map(|r| r.targets.clone()).unwrap_or_default();
            let expect = request.expect();
            // A pinned target needs the model to say that no other target gets flows.
            if let Some(target) = expect.target().map(|t| scenario.target(t).name())
                && targets != [target]
            {
                miss("target", target.to_owned(), targets.join(" or "));
            }
            let first = Outcome {
                status: predicted.status,
                validated: predicted.validated.clone(),
                error: predicted.error.clone(),
            };
            check(&scenario, &mut miss, "", expect, &first);
            for (target, nested) in expect.per_target() {
                let name = scenario.target(*target).name();
                if !targets.iter().any(|t| t == name) {
                    // The model says this target gets no flows: its expectation never applies.
                    continue;
                }
                let outcome = route
                    .and_then(|r| r.alternatives.iter().find(|a| a.target == *name))
                    .map_or_else(
                        || first.clone(),
                        |a| Outcome {
                            status: a.status,
                            validated: a.validated.clone(),
                            error: a.error.clone(),
                        },
                    );
                check(
                    &scenario,
                    &mut miss,
                    &format!("per_target.{name}."),
                    nested,
                    &outcome,
                );
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn predictions_agree_with_live_runs() {
    let mut failures = Vec::new();
    for (path, scenario) in bundled() {
        let explanation = explain(&scenario, clock(&scenario));
        let report = hoplab_runner::run(&scenario)
            .await
            .unwrap_or_else(|e| panic!("running {}: {e}", path.display()));
        for d in disagreements(&explanation, &report) {
            failures.push(format!(
                "{} / {}: {}: predicted {}, observed {}",
                path.display(),
                d.request,
                d.field,
                d.predicted,
                d.observed
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
