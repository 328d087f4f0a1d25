//! Where a prediction and a live run disagree.

use hoplab_report::RunReport;
use serde::Serialize;

use crate::{Explanation, RoutePrediction};

/// One field of one request on which the model and the live run differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// The request's name.
    pub request: String,
    /// `status`, `validated`, `error`, or `request` (the request is missing on one side).
    pub field: &'static str,
    /// What the model predicted.
    pub predicted: String,
    /// What the live run observed.
    pub observed: String,
}

/// Compares each request's status, validated hop and error line.
///
/// Requests are paired by position (both follow the scenario's order) and must have the same
/// name. When the route's target group has several targets, the observation is judged by the
/// outcome predicted for the target the live run reached (a target the model says gets no
/// flows is a `target` disagreement); without a reached target, matching any agrees. A route whose outcome the model cannot predict
/// (see [`RoutePrediction::unpredictable`]) is compared on its validated hop only.
pub fn disagreements(prediction: &Explanation, observed: &RunReport) -> Vec<Disagreement> {
    let mut found = Vec::new();
    let count = prediction.requests.len().max(observed.requests.len());
    for i in 0..count {
        let (predicted, seen) = match (prediction.requests.get(i), observed.requests.get(i)) {
            (Some(p), Some(o)) if p.name == o.name => (p, o),
            (p, o) => {
                found.push(Disagreement {
                    request: p
                        .map(|p| p.name.clone())
                        .or_else(|| o.map(|o| o.name.clone()))
                        .unwrap_or_default(),
                    field: "request",
                    predicted: p.map_or_else(|| "(none)".to_owned(), |p| p.name.clone()),
                    observed: o.map_or_else(|| "(none)".to_owned(), |o| o.name.clone()),
                });
                continue;
            }
        };
        let route = prediction
            .routes
            .iter()
            .find(|r| (&r.method, &r.path) == (&predicted.route.0, &predicted.route.1));
        let observed_status = seen
            .status
            .map_or_else(|| "no response".to_owned(), |s| s.to_string());
        let observed_validated = seen.validated.clone().unwrap_or_else(|| "none".to_owned());
        let observed_error = seen
            .error
            .clone()
            .unwrap_or_else(|| "(no error)".to_owned());

        // Every outcome the model allows: the first target's, then any alternative.
        let mut outcomes = vec![(
            predicted.status.to_string(),
            or_none(&predicted.validated),
            predicted
                .error
                .clone()
                .unwrap_or_else(|| "(no error)".to_owned()),
        )];
        let reached = seen
            .target
            .as_deref()
            .and_then(|hop| hop.strip_prefix("target:"));
        match (route, reached) {
            // The live run names the target its flow reached: judge it by that target's outcome.
            (Some(route), Some(reached)) if !route.targets.is_empty() => {
                if !route.targets.iter().any(|t| t == reached) {
                    found.push(Disagreement {
                        request: seen.name.clone(),
                        field: "target",
                        predicted: route.targets.join(" or "),
                        observed: reached.to_owned(),
                    });
                    continue;
                }
                if let Some(a) = route.alternatives.iter().find(|a| a.target == reached) {
                    outcomes = vec![(
                        a.status.to_string(),
                        or_none(&a.validated),
                        a.error.clone().unwrap_or_else(|| "(no error)".to_owned()),
                    )];
                }
            }
            (Some(route), _) => {
                outcomes.extend(route.alternatives.iter().map(|a| {
                    (
                        a.status.to_string(),
                        or_none(&a.validated),
                        a.error.clone().unwrap_or_else(|| "(no error)".to_owned()),
                    )
                }));
            }
            (None, _) => {}
        }
        let outcome_only = route.is_some_and(|r: &RoutePrediction| r.unpredictable.is_some());
        let agrees = |(status, validated, error): &(String, String, String)| {
            *validated == observed_validated
                && (outcome_only || (*status == observed_status && *error == observed_error))
        };
        if outcomes.iter().any(agrees) {
            continue;
        }
        // Report against the first outcome, field by field.
        let (status, validated, error) = &outcomes[0];
        let mut differ = |field: &'static str, predicted: &str, observed: &str| {
            if predicted != observed {
                found.push(Disagreement {
                    request: seen.name.clone(),
                    field,
                    predicted: predicted.to_owned(),
                    observed: observed.to_owned(),
                });
            }
        };
        if !outcome_only {
            differ("status", status, &observed_status);
        }
        differ("validated", validated, &observed_validated);
        if !outcome_only {
            differ("error", error, &observed_error);
        }
    }
    found
}

fn or_none(hop: &Option<String>) -> String {
    hop.clone().unwrap_or_else(|| "none".to_owned())
}
