//! [`Suite`]: a library of scenario files run as regression tests, each live and through the
//! static model.
//!
//! Every scenario is loaded, predicted by the model, run live, and compared: a request whose
//! status, validated hop or error line differs from the prediction is a failure of its own
//! kind, a model disagreement, even when its expectations held. `hoplab test` is this suite
//! with its text, JSON, JUnit and HTML output.
//!
//! # Layout
//! - this module: [`Suite`], [`SuiteReport`], [`ScenarioResult`], [`Status`], [`Outcome`].
//! - `text`: the text `hoplab test` prints.
//! - `reports`: the JUnit XML and HTML reports.

mod reports;
mod text;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hoplab_model::Disagreement;
use hoplab_scenario::Scenario;
use serde::{Serialize, Serializer};

use crate::pool::{default_jobs, run_bounded};
use crate::{Error, Report, Result, run_against_model};

/// Scenario files to run as regression tests, and how many to run at once.
///
/// ```no_run
/// # async fn demo() -> hoplab::Result<()> {
/// let report = hoplab::Suite::discover(["scenarios"])?.jobs(4).run().await?;
/// print!("{}", report.summary_text());
/// assert!(report.passed());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Suite {
    files: Vec<PathBuf>,
    jobs: usize,
}

impl Suite {
    /// Every scenario file under `paths`: files as given, directories searched recursively
    /// for `*.toml`; sorted, without duplicates. Runs [`default_jobs`] at once.
    ///
    /// # Errors
    ///
    /// [`Error::Discover`] naming a path that does not exist or cannot be read.
    pub fn discover<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> Result<Suite> {
        let paths: Vec<PathBuf> = paths.into_iter().map(|p| p.as_ref().to_owned()).collect();
        Ok(Suite::from_files(hoplab_scenario::scenario_files(&paths)?))
    }

    /// Exactly these scenario files, in this order.
    pub fn from_files(files: Vec<PathBuf>) -> Suite {
        Suite {
            files,
            jobs: default_jobs(),
        }
    }

    /// Keeps only the files whose path contains `text` (a scenario is named after its file
    /// unless it says otherwise, so the path covers the name).
    #[must_use]
    pub fn matching(mut self, text: &str) -> Suite {
        self.files
            .retain(|path| path.display().to_string().contains(text));
        self
    }

    /// Runs at most `jobs` scenarios at once (0 counts as 1).
    #[must_use]
    pub fn jobs(mut self, jobs: usize) -> Suite {
        self.jobs = jobs.max(1);
        self
    }

    /// The files the suite runs.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Runs every scenario, live and through the model.
    ///
    /// # Errors
    ///
    /// [`Error::NoScenarioFiles`] when there is no file to run. A scenario that is invalid or
    /// cannot be stood up is not an error of the suite: its [`ScenarioResult`] says so.
    pub async fn run(&self) -> Result<SuiteReport> {
        self.run_with(|_| {}).await
    }

    /// [`Suite::run`], calling `finished` with each scenario's result as it finishes (in the
    /// order they finish), for progress output.
    ///
    /// # Errors
    ///
    /// As [`Suite::run`].
    pub async fn run_with(&self, finished: impl FnMut(&ScenarioResult)) -> Result<SuiteReport> {
        if self.files.is_empty() {
            return Err(Error::NoScenarioFiles);
        }
        let results = run_bounded(self.files.clone(), self.jobs, run_one, finished).await;
        let results = results
            .into_iter()
            .zip(&self.files)
            .map(|(result, path)| {
                result.unwrap_or_else(|| {
                    ScenarioResult::unusable(
                        path.clone(),
                        Status::Error,
                        "the run was aborted".into(),
                        Duration::ZERO,
                    )
                })
            })
            .collect();
        Ok(SuiteReport { results })
    }
}

/// Loads, predicts, runs and compares one scenario file.
async fn run_one(path: PathBuf) -> ScenarioResult {
    let started = Instant::now();
    let load_path = path.clone();
    let loaded = tokio::task::spawn_blocking(move || Scenario::from_file(&load_path)).await;
    let scenario = match loaded {
        Ok(Ok(scenario)) => scenario,
        Ok(Err(error)) => {
            return ScenarioResult::unusable(
                path,
                Status::Invalid,
                error.to_string(),
                started.elapsed(),
            );
        }
        Err(error) => {
            return ScenarioResult::unusable(
                path,
                Status::Error,
                error.to_string(),
                started.elapsed(),
            );
        }
    };
    match run_against_model(&scenario).await {
        Ok(checked) => {
            let (report, model_disagreements) = checked.into_parts();
            ScenarioResult {
                path,
                name: scenario.name().to_owned(),
                status: if !report.passed() {
                    Status::Failed
                } else if !model_disagreements.is_empty() {
                    Status::ModelDisagreement
                } else {
                    Status::Passed
                },
                elapsed_ms: started.elapsed().as_millis(),
                error: None,
                report: Some(report),
                model_disagreements,
                scenario: Some(scenario),
            }
        }
        Err(error) => ScenarioResult {
            name: scenario.name().to_owned(),
            ..ScenarioResult::unusable(path, Status::Error, error.to_string(), started.elapsed())
        },
    }
}

/// How one scenario file fared. Serializes as one entry of `hoplab test --format json`'s
/// `scenarios`.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    path: PathBuf,
    name: String,
    status: Status,
    elapsed_ms: u128,
    error: Option<String>,
    report: Option<Report>,
    model_disagreements: Vec<Disagreement>,
    #[serde(skip)]
    scenario: Option<Scenario>,
}

impl ScenarioResult {
    /// A file that did not produce a report: it is invalid, or could not be stood up.
    fn unusable(path: PathBuf, status: Status, error: String, elapsed: Duration) -> Self {
        ScenarioResult {
            name: file_stem(&path),
            path,
            status,
            elapsed_ms: elapsed.as_millis(),
            error: Some(error),
            report: None,
            model_disagreements: Vec::new(),
            scenario: None,
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The scenario's name (the file stem when it did not load).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The verdict.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Wall time from loading to the end of the comparison.
    pub fn elapsed(&self) -> Duration {
        Duration::from_millis(u64::try_from(self.elapsed_ms).unwrap_or(u64::MAX))
    }

    /// Why the file is invalid or could not run (the located scenario errors, or the
    /// runner's).
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The live run's report, when it ran.
    pub fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }

    /// Where the model's prediction differs from the live run.
    pub fn model_disagreements(&self) -> &[Disagreement] {
        &self.model_disagreements
    }

    /// The scenario that ran, when it loaded.
    pub fn scenario(&self) -> Option<&Scenario> {
        self.scenario.as_ref()
    }
}

/// The verdict on one scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Status {
    /// Every expectation held and the model agrees.
    Passed,
    /// An expectation did not hold.
    Failed,
    /// Every expectation held, but the static model predicted something else.
    ModelDisagreement,
    /// The file is not a valid scenario.
    Invalid,
    /// The scenario could not be stood up.
    Error,
}

/// How a whole suite or comparison went, the most serious finding first: what a command's
/// exit code says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// Every expectation held and the model agrees everywhere.
    Passed,
    /// An expectation did not hold, or the model disagrees with a live run.
    Failed,
    /// A scenario is invalid or could not run, so there is no verdict on it.
    Unusable,
}

/// Every scenario of a [`Suite`] run, in the suite's file order. Serializes as
/// `hoplab test --format json`.
#[derive(Debug, Clone)]
pub struct SuiteReport {
    results: Vec<ScenarioResult>,
}

impl SuiteReport {
    /// One result per file, in the suite's order.
    pub fn results(&self) -> &[ScenarioResult] {
        &self.results
    }

    /// How many scenarios got this verdict.
    pub fn count(&self, status: Status) -> usize {
        self.results.iter().filter(|r| r.status == status).count()
    }

    /// How many requests ran, over every scenario that ran.
    pub fn requests(&self) -> usize {
        self.results
            .iter()
            .filter_map(ScenarioResult::report)
            .map(|r| r.requests().len())
            .sum()
    }

    /// Whether every scenario passed, the model agreeing.
    pub fn passed(&self) -> bool {
        self.outcome() == Outcome::Passed
    }

    /// Unusable if any file was invalid or could not run, else failed if any expectation
    /// failed or the model disagreed, else passed.
    pub fn outcome(&self) -> Outcome {
        let any = |statuses: &[Status]| self.results.iter().any(|r| statuses.contains(&r.status));
        if any(&[Status::Invalid, Status::Error]) {
            Outcome::Unusable
        } else if any(&[Status::Failed, Status::ModelDisagreement]) {
            Outcome::Failed
        } else {
            Outcome::Passed
        }
    }
}

/// `{scenarios, passed, failed, model_disagreements, invalid, errors}`.
impl Serialize for SuiteReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            scenarios: &'a [ScenarioResult],
            passed: usize,
            failed: usize,
            model_disagreements: usize,
            invalid: usize,
            errors: usize,
        }
        Json {
            scenarios: &self.results,
            passed: self.count(Status::Passed),
            failed: self.count(Status::Failed),
            model_disagreements: self.count(Status::ModelDisagreement),
            invalid: self.count(Status::Invalid),
            errors: self.count(Status::Error),
        }
        .serialize(serializer)
    }
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
