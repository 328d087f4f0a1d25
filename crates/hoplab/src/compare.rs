//! [`compare()`]: every combination of a scenario's `[matrix]` run live, one row each, and
//! checked against the static model.
//!
//! # Layout
//! - this module: [`compare()`], [`Comparison`], [`Row`], [`RowResult`].
//! - `table`: the aligned text table `hoplab compare` prints.

mod table;

use hoplab_model::Disagreement;
use hoplab_scenario::{Combination, Scenario};
use serde::Serialize;

use crate::pool::run_bounded;
use crate::{Error, Outcome, Result, run_against_model};

/// Runs every combination of the scenario's `[matrix]` that AWS would allow, at most `jobs`
/// at once (0 counts as 1), each live and through the model, on the matrix's route.
///
/// # Errors
///
/// [`Error::NoMatrix`] when the scenario has no `[matrix]`. A combination that cannot be
/// stood up is not an error of the comparison: its row says so.
pub async fn compare(scenario: &Scenario, jobs: usize) -> Result<Comparison> {
    let matrix = scenario.matrix().ok_or(Error::NoMatrix)?;
    let combinations = matrix.combinations();
    let mut rows: Vec<Option<Row>> = combinations.iter().map(|_| None).collect();
    let mut indices = Vec::new();
    let mut variants = Vec::new();
    for (index, combination) in combinations.iter().enumerate() {
        let settings = settings_of(scenario, combination);
        match combination.apply(scenario, matrix) {
            Ok(variant) => {
                indices.push(index);
                variants.push((settings, variant));
            }
            Err(reason) => {
                rows[index] = Some(Row {
                    settings,
                    result: RowResult::NotRun {
                        reason: reason.to_string(),
                    },
                });
            }
        }
    }
    let ran = run_bounded(variants, jobs, run_variant, |_| {}).await;
    for (index, row) in indices.into_iter().zip(ran) {
        rows[index] = row;
    }
    let rows = rows
        .into_iter()
        .zip(&combinations)
        .map(|(row, combination)| {
            row.unwrap_or_else(|| Row {
                settings: settings_of(scenario, combination),
                result: RowResult::Error {
                    error: "the run was aborted".into(),
                },
            })
        })
        .collect();
    let route = scenario.route(matrix.route());
    Ok(Comparison {
        scenario: scenario.name().to_owned(),
        route: format!(
            "{} {} -> {}",
            route.method(),
            route.path(),
            route.uri().raw()
        ),
        dimensions: matrix.axes().iter().map(|a| a.dimension().key()).collect(),
        rows,
        headings: matrix
            .axes()
            .iter()
            .map(|a| a.dimension().heading())
            .collect(),
    })
}

/// Runs one combination's scenario and compares it with the model.
async fn run_variant((settings, variant): (Vec<(String, String)>, Scenario)) -> Row {
    let result = match run_against_model(&variant).await {
        Ok(checked) => {
            let (report, disagreements) = checked.into_parts();
            match report.into_full().requests.into_iter().next() {
                Some(request) => RowResult::Ran {
                    status: request.status,
                    validated: request.validated,
                    error: request.error,
                    disagreements,
                },
                None => RowResult::Error {
                    error: "the run reported no request".into(),
                },
            }
        }
        Err(error) => RowResult::Error {
            error: error.to_string(),
        },
    };
    Row { settings, result }
}

fn settings_of(scenario: &Scenario, combination: &Combination) -> Vec<(String, String)> {
    combination
        .settings()
        .iter()
        .map(|s| (s.dimension().key().to_owned(), s.text(scenario.pki())))
        .collect()
}

/// Every combination of a matrix and what became of it, in the matrix's order. Serializes as
/// `hoplab compare --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    scenario: String,
    route: String,
    dimensions: Vec<&'static str>,
    rows: Vec<Row>,
    #[serde(skip)]
    headings: Vec<&'static str>,
}

impl Comparison {
    /// The scenario's name.
    pub fn scenario(&self) -> &str {
        &self.scenario
    }

    /// The matrix's route: `METHOD /path -> uri`.
    pub fn route(&self) -> &str {
        &self.route
    }

    /// The matrix's dimensions, by key, in axis order.
    pub fn dimensions(&self) -> &[&'static str] {
        &self.dimensions
    }

    /// One row per combination.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Unusable if a combination could not be stood up, else failed if the model disagrees
    /// with a live run, else passed.
    pub fn outcome(&self) -> Outcome {
        if self
            .rows
            .iter()
            .any(|r| matches!(r.result, RowResult::Error { .. }))
        {
            Outcome::Unusable
        } else if self.rows.iter().any(Row::disagrees) {
            Outcome::Failed
        } else {
            Outcome::Passed
        }
    }
}

/// One combination and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    settings: Vec<(String, String)>,
    #[serde(flatten)]
    result: RowResult,
}

impl Row {
    /// `dimension key → value`, in axis order.
    pub fn settings(&self) -> &[(String, String)] {
        &self.settings
    }

    /// What the live run gave, or why it did not run.
    pub fn result(&self) -> &RowResult {
        &self.result
    }

    /// Whether it ran and the model disagrees with it.
    pub fn disagrees(&self) -> bool {
        matches!(&self.result, RowResult::Ran { disagreements, .. } if !disagreements.is_empty())
    }

    /// `key=value, key=value`.
    pub fn label(&self) -> String {
        self.settings
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What became of one combination.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RowResult {
    /// The combination ran.
    Ran {
        /// Status the caller received (`None`: no response).
        status: Option<u16>,
        /// The hop whose certificate API Gateway validated.
        validated: Option<String>,
        /// The execution log's failure line.
        error: Option<String>,
        /// Where the model's prediction differs (empty: it agrees).
        disagreements: Vec<Disagreement>,
    },
    /// AWS would not allow the setup, or it repeats another row.
    NotRun {
        /// Why.
        reason: String,
    },
    /// The lab could not be stood up.
    Error {
        /// Why.
        error: String,
    },
}
