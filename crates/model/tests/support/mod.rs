//! What the rule tests share: loading a case on top of a base, and predicting its routes with
//! the live run checked against the prediction.

use hoplab_model::{RoutePrediction, disagreements, explain};
use hoplab_scenario::Scenario;

pub(crate) const INTERNAL: &str = "Execution failed due to configuration error: There was an internal error while executing your request";

/// `extra` appended to `base`, loaded.
pub(crate) fn scenario(base: &str, extra: &str) -> Scenario {
    let text = format!("{base}\n{extra}");
    hoplab_scenario::from_toml(&text, "case.toml")
        .unwrap_or_else(|e| panic!("case does not load: {e}\n{text}"))
}

/// Predicts every route, runs `requests` requests per route live, and checks they agree.
pub(crate) async fn predict_all(base: &str, extra: &str, requests: usize) -> Vec<RoutePrediction> {
    let mut text = extra.to_owned();
    for r in scenario(base, extra).routes() {
        let method = if r.method() == "ANY" {
            "GET"
        } else {
            r.method()
        };
        for _ in 0..requests {
            text.push_str(&format!(
                "\n[[requests]]\nmethod = \"{method}\"\npath = \"{}\"\n",
                r.path()
            ));
        }
    }
    let s = scenario(base, &text);
    let explanation = explain(&s, s.now().expect("cases pin the clock"));
    let report = hoplab_runner::run(&s).await.expect("live run");
    let found = disagreements(&explanation, &report);
    assert!(
        found.is_empty(),
        "model and live run disagree: {found:#?}\nnarratives: {:#?}",
        explanation
            .routes
            .iter()
            .map(|r| &r.narrative)
            .collect::<Vec<_>>()
    );
    explanation.routes
}
