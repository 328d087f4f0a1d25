//! [`explain`]: the static model's prediction, without a socket.

use hoplab_model::Explanation;
use hoplab_scenario::Scenario;
use time::OffsetDateTime;

/// Predicts, from the scenario alone, what every route and request does: the hops, where
/// each TLS session ends, whose certificate API Gateway validates against which host, the
/// status and execution-log line, and why. Validity windows are judged at the scenario's
/// `now`, else at the current time (as a live run does).
///
/// Opens no socket and generates no certificate. [`Explanation`] serializes as
/// `hoplab explain --format json`; [`hoplab::model::render_text`](crate::model::render_text) gives its text.
pub fn explain(scenario: &Scenario) -> Explanation {
    explain_at(scenario, clock(scenario))
}

/// [`explain`] with validity windows judged at `at`.
pub fn explain_at(scenario: &Scenario, at: OffsetDateTime) -> Explanation {
    hoplab_model::explain(scenario, at)
}

/// The scenario clock: `now` when the scenario pins it, else the current time.
pub(crate) fn clock(scenario: &Scenario) -> OffsetDateTime {
    scenario.now().unwrap_or_else(OffsetDateTime::now_utc)
}
