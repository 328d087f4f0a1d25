//! `hoplab compare`: runs every combination of a scenario's `[matrix]` live, one row each,
//! and checks each row against the static model.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;

use hoplab_model::Disagreement;
use hoplab_scenario::{Combination, Matrix, Scenario};
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{EXIT_FAILED, EXIT_PASSED, EXIT_UNUSABLE, clock, load, print_json};
use crate::args::Format;

/// The prefix every configuration-error line shares; the table leaves it out.
const CONFIGURATION_ERROR: &str = "Execution failed due to configuration error: ";

/// One combination and what became of it.
#[derive(Debug, Serialize)]
struct Row {
    /// `dimension key → value`, in axis order.
    settings: Vec<(String, String)>,
    /// What the live run gave, or why it did not run.
    #[serde(flatten)]
    result: RowResult,
}

#[derive(Debug, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
enum RowResult {
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

/// The `--format json` document.
#[derive(Serialize)]
struct JsonCompare<'a> {
    scenario: &'a str,
    route: String,
    dimensions: Vec<&'static str>,
    rows: &'a [Row],
}

/// Runs the matrix of `file` and prints the table.
pub(crate) async fn compare(file: &Path, format: Format, jobs: usize) -> u8 {
    let Some(scenario) = load(file) else {
        return EXIT_UNUSABLE;
    };
    let Some(matrix) = scenario.matrix().cloned() else {
        eprintln!(
            "hoplab: {}: the scenario has no [matrix] section to compare (see the README's \
             scenario reference)",
            file.display()
        );
        return EXIT_UNUSABLE;
    };
    let rows = run_rows(&scenario, &matrix, jobs.max(1)).await;
    let route = route_line(&scenario, &matrix);
    match format {
        Format::Text => print!("{}", table(&scenario, &matrix, &route, &rows)),
        Format::Json => {
            let doc = JsonCompare {
                scenario: scenario.name(),
                route,
                dimensions: matrix.axes().iter().map(|a| a.dimension().key()).collect(),
                rows: &rows,
            };
            if !print_json("hoplab", "the comparison", &doc) {
                return EXIT_UNUSABLE;
            }
        }
    }
    exit_code(&rows)
}

fn exit_code(rows: &[Row]) -> u8 {
    if rows
        .iter()
        .any(|r| matches!(r.result, RowResult::Error { .. }))
    {
        EXIT_UNUSABLE
    } else if rows.iter().any(
        |r| matches!(&r.result, RowResult::Ran { disagreements, .. } if !disagreements.is_empty()),
    ) {
        EXIT_FAILED
    } else {
        EXIT_PASSED
    }
}

/// Runs every combination, at most `jobs` at once; rows keep the matrix order.
async fn run_rows(scenario: &Scenario, matrix: &Matrix, jobs: usize) -> Vec<Row> {
    let combinations = matrix.combinations();
    let permits = Arc::new(Semaphore::new(jobs));
    let mut running = JoinSet::new();
    let mut rows: Vec<Option<Row>> = Vec::new();
    for (index, combination) in combinations.iter().enumerate() {
        let settings = settings_of(scenario, combination);
        rows.push(None);
        let variant = match combination.apply(scenario, matrix) {
            Ok(variant) => variant,
            Err(reason) => {
                rows[index] = Some(Row {
                    settings,
                    result: RowResult::NotRun {
                        reason: reason.to_string(),
                    },
                });
                continue;
            }
        };
        let permits = Arc::clone(&permits);
        running.spawn(async move {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = permits.acquire_owned().await.ok();
            (index, settings, run_variant(&variant).await)
        });
    }
    while let Some(joined) = running.join_next().await {
        if let Ok((index, settings, result)) = joined {
            rows[index] = Some(Row { settings, result });
        }
    }
    rows.into_iter()
        .zip(&combinations)
        .map(|(row, combination)| {
            row.unwrap_or_else(|| Row {
                settings: settings_of(scenario, combination),
                result: RowResult::Error {
                    error: "the run was aborted".into(),
                },
            })
        })
        .collect()
}

fn settings_of(scenario: &Scenario, combination: &Combination) -> Vec<(String, String)> {
    combination
        .settings()
        .iter()
        .map(|s| (s.dimension().key().to_owned(), s.text(scenario.pki())))
        .collect()
}

/// Runs one combination's scenario and compares it with the model.
async fn run_variant(variant: &Scenario) -> RowResult {
    let explanation = hoplab_model::explain(variant, clock(variant));
    match hoplab_runner::run(variant).await {
        Ok(report) => {
            let disagreements = hoplab_model::disagreements(&explanation, &report);
            match report.requests.into_iter().next() {
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
    }
}

fn route_line(scenario: &Scenario, matrix: &Matrix) -> String {
    let r = scenario.route(matrix.route());
    format!("{} {} -> {}", r.method(), r.path(), r.uri().raw())
}

/// The text report: a heading, one aligned row per combination that ran, then what did not
/// run and where the model disagreed.
fn table(scenario: &Scenario, matrix: &Matrix, route: &str, rows: &[Row]) -> String {
    let mut out = String::new();
    let ran = rows
        .iter()
        .filter(|r| matches!(r.result, RowResult::Ran { .. }))
        .count();
    let _ = writeln!(
        out,
        "{}: route {route}, {} combinations, {ran} run live",
        scenario.name(),
        rows.len()
    );
    let _ = writeln!(
        out,
        "message: the execution log's failure line, after {:?}\n",
        CONFIGURATION_ERROR.trim_end()
    );

    let mut header: Vec<String> = matrix
        .axes()
        .iter()
        .map(|a| a.dimension().heading().to_owned())
        .collect();
    header.extend(["status", "validated", "model", "message"].map(String::from));
    let mut lines: Vec<Vec<String>> = vec![header];
    for row in rows {
        let RowResult::Ran {
            status,
            validated,
            error,
            disagreements,
        } = &row.result
        else {
            continue;
        };
        let mut cells: Vec<String> = row.settings.iter().map(|(_, v)| v.clone()).collect();
        cells.push(status.map_or_else(|| "none".to_owned(), |s| s.to_string()));
        cells.push(validated.clone().unwrap_or_else(|| "none".to_owned()));
        cells.push(if disagreements.is_empty() {
            "agrees".to_owned()
        } else {
            "DISAGREES".to_owned()
        });
        cells.push(match error {
            Some(error) => error
                .strip_prefix(CONFIGURATION_ERROR)
                .unwrap_or(error)
                .to_owned(),
            None => "-".to_owned(),
        });
        lines.push(cells);
    }
    let columns = lines.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            lines
                .iter()
                .map(|l| l.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in &lines {
        let mut text = String::new();
        for (c, cell) in line.iter().enumerate() {
            if c + 1 == line.len() {
                text.push_str(cell);
            } else {
                let _ = write!(text, "{cell:<width$}  ", width = widths[c]);
            }
        }
        let _ = writeln!(out, "{}", text.trim_end());
    }

    // What did not run, grouped by reason.
    let mut not_run: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for row in rows {
        if let RowResult::NotRun { reason } = &row.result {
            not_run.entry(reason).or_default().push(label(row));
        }
    }
    for (reason, which) in &not_run {
        let _ = writeln!(out, "\nnot run ({} combinations): {reason}", which.len());
        for combination in which {
            let _ = writeln!(out, "  {combination}");
        }
    }
    for row in rows {
        match &row.result {
            RowResult::Ran { disagreements, .. } if !disagreements.is_empty() => {
                let _ = writeln!(out, "\nmodel disagrees with the live run: {}", label(row));
                for d in disagreements {
                    let _ = writeln!(
                        out,
                        "  {}: predicted {}, observed {}",
                        d.field, d.predicted, d.observed
                    );
                }
            }
            RowResult::Error { error } => {
                let _ = writeln!(out, "\ncould not run {}: {error}", label(row));
            }
            _ => {}
        }
    }
    let disagreeing = rows
        .iter()
        .filter(|r| matches!(&r.result, RowResult::Ran { disagreements, .. } if !disagreements.is_empty()))
        .count();
    let _ = writeln!(
        out,
        "\n{ran} run: {} agree with the model, {disagreeing} disagree",
        ran - disagreeing
    );
    out
}

fn label(row: &Row) -> String {
    row.settings
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
