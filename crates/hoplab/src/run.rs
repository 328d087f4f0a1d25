//! Live runs: [`run`] a scenario, or [`run_against_model`] to check the live run against the
//! static model's prediction as well.

use hoplab_model::Disagreement;
use hoplab_scenario::Scenario;

use crate::{Report, Result, explain};

/// Stands the scenario's topology up on `127.0.0.1` (every hop on port 0), sends its
/// requests, stops the topology and reports what each request got and whose certificate
/// API Gateway validated, with each expectation checked.
///
/// Every hop is a real server and every TLS session a real rustls handshake with
/// certificates generated for this run; nothing is predicted. Runs share nothing, so tests
/// may run scenarios in parallel.
///
/// # Errors
///
/// [`Error::Run`](crate::Error::Run) when the topology cannot be stood up (certificates
/// cannot be generated, a socket cannot be bound). A request that does not meet its
/// expectation is not an error: [`Report::passed`] is then false.
pub async fn run(scenario: &Scenario) -> Result<Report> {
    Ok(hoplab_runner::run(scenario).await?.into())
}

/// A live run and the static model's prediction of the same scenario, compared.
#[derive(Debug, Clone)]
pub struct ModelCheck {
    report: Report,
    disagreements: Vec<Disagreement>,
}

impl ModelCheck {
    /// What the live run produced.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Each request and field (status, validated hop, error line) on which the model's
    /// prediction differs from the live run; empty when they agree.
    pub fn disagreements(&self) -> &[Disagreement] {
        &self.disagreements
    }

    /// Whether every expectation held and the model agrees with the live run.
    pub fn passed(&self) -> bool {
        self.report.passed() && self.disagreements.is_empty()
    }

    /// The report and the disagreements, owned.
    pub fn into_parts(self) -> (Report, Vec<Disagreement>) {
        (self.report, self.disagreements)
    }
}

/// Runs the scenario live (as [`run`]) and predicts it with the static model (as
/// [`explain`], at the clock the run uses), and compares the two on every request's status,
/// validated hop and error line.
///
/// This is the check `hoplab test` and `hoplab compare` make: two independent statements of
/// API Gateway's rules that must agree.
///
/// # Errors
///
/// As [`run`].
pub async fn run_against_model(scenario: &Scenario) -> Result<ModelCheck> {
    // Predicted before the run, at the clock the run will use.
    let explanation = explain(scenario);
    let report = run(scenario).await?;
    let disagreements = hoplab_model::disagreements(&explanation, report.full());
    Ok(ModelCheck {
        report,
        disagreements,
    })
}
