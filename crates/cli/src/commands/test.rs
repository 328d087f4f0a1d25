//! `hoplab test`: runs a library of scenarios as regression tests.
//!
//! Every scenario is run live and also through the static model (`hoplab-model`); a request
//! whose status, validated hop or error line differs from the prediction is a failure of its
//! own kind, a model disagreement, even when its expectations held.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hoplab_model::Disagreement;
use hoplab_runner::RunReport;
use hoplab_scenario::Scenario;
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{EXIT_FAILED, EXIT_PASSED, EXIT_UNUSABLE, clock, print_json, write_file};
use crate::args::Format;
use hoplab_scenario::scenario_files;

/// Runs wider than this show a progress bar when stderr is a terminal.
const PROGRESS_BAR_FROM: usize = 8;

/// What `hoplab test` was asked to do.
#[derive(Debug)]
pub(crate) struct TestOptions {
    pub(crate) paths: Vec<PathBuf>,
    pub(crate) jobs: usize,
    pub(crate) filter: Option<String>,
    pub(crate) format: Format,
    pub(crate) junit: Option<PathBuf>,
    pub(crate) html: Option<PathBuf>,
}

/// How one scenario file fared.
#[derive(Debug, Serialize)]
pub(crate) struct ScenarioResult {
    /// The file.
    pub(crate) path: PathBuf,
    /// The scenario's name (the file stem when it did not load).
    pub(crate) name: String,
    /// `passed`, `failed`, `invalid` or `error`.
    pub(crate) status: Status,
    /// Wall time of the run.
    pub(crate) elapsed_ms: u128,
    /// Why it is invalid or could not run.
    pub(crate) error: Option<String>,
    /// The run's report, when it ran.
    pub(crate) report: Option<RunReport>,
    /// Where the static model's prediction differs from the live run.
    pub(crate) model_disagreements: Vec<Disagreement>,
    /// The scenario that ran, for the pictures of the HTML report.
    #[serde(skip)]
    pub(crate) scenario: Option<Scenario>,
}

/// The verdict on one scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    /// Every expectation held.
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

/// Runs the suite and returns the exit code.
pub(crate) async fn run(options: TestOptions) -> u8 {
    let files = match scenario_files(&options.paths) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("hoplab test: {error}");
            return EXIT_UNUSABLE;
        }
    };
    let files: Vec<PathBuf> = files
        .into_iter()
        .filter(|path| matches_filter(path, options.filter.as_deref()))
        .collect();
    if files.is_empty() {
        eprintln!("hoplab test: no scenario files to run");
        return EXIT_UNUSABLE;
    }

    let results = run_all(&files, options.jobs.max(1), options.format).await;
    let mut unwritten = false;
    if options.junit.is_some() || options.html.is_some() {
        let rendered: Vec<hoplab_render::ScenarioResult> = results.iter().map(to_render).collect();
        if let Some(path) = &options.junit {
            match hoplab_render::junit(&rendered) {
                Ok(xml) => unwritten |= !write_file(path, &xml),
                Err(error) => {
                    eprintln!("hoplab test: cannot write JUnit XML: {error}");
                    unwritten = true;
                }
            }
        }
        if let Some(path) = &options.html {
            let html = hoplab_render::html(&rendered, "hoplab test");
            unwritten |= !write_file(path, &html);
        }
    }
    match options.format {
        Format::Text => print_text_summary(&results),
        Format::Json => {
            if !print_json("hoplab test", "results", &JsonSuite::new(&results)) {
                return EXIT_UNUSABLE;
            }
        }
    }
    if unwritten {
        return EXIT_UNUSABLE;
    }
    exit_code(&results)
}

/// A result as the JUnit and HTML reports take it; each model disagreement is a further
/// failure of its request.
fn to_render(result: &ScenarioResult) -> hoplab_render::ScenarioResult {
    let source = result.path.display().to_string();
    let Some(report) = &result.report else {
        let error = result
            .error
            .clone()
            .unwrap_or_else(|| "unknown error".into());
        return hoplab_render::ScenarioResult::not_run(source, error);
    };
    let mut rendered =
        hoplab_render::ScenarioResult::ran(source, report.clone(), result.scenario.as_ref());
    for d in &result.model_disagreements {
        let index = report
            .requests
            .iter()
            .position(|r| r.name == d.request)
            .unwrap_or(0);
        rendered.add_failure(index, disagreement_line(d));
    }
    rendered
}

/// `model disagrees: status: predicted 200, observed 500`.
fn disagreement_line(d: &Disagreement) -> String {
    format!(
        "model disagrees: {}: predicted {}, observed {}",
        d.field, d.predicted, d.observed
    )
}

/// The exit code for a finished suite: 2 if any file was unusable, else 1 if any failed.
pub(crate) fn exit_code(results: &[ScenarioResult]) -> u8 {
    if results
        .iter()
        .any(|r| matches!(r.status, Status::Invalid | Status::Error))
    {
        EXIT_UNUSABLE
    } else if results
        .iter()
        .any(|r| matches!(r.status, Status::Failed | Status::ModelDisagreement))
    {
        EXIT_FAILED
    } else {
        EXIT_PASSED
    }
}

/// A filter matches a file by a substring of its path (a scenario's name is its file stem by
/// default, so the path covers it).
fn matches_filter(path: &Path, filter: Option<&str>) -> bool {
    filter.is_none_or(|pattern| path.display().to_string().contains(pattern))
}

async fn run_all(files: &[PathBuf], jobs: usize, format: Format) -> Vec<ScenarioResult> {
    let progress = progress_bar(files.len(), format);
    let permits = Arc::new(Semaphore::new(jobs));
    let mut running = JoinSet::new();
    for (index, path) in files.iter().cloned().enumerate() {
        let permits = Arc::clone(&permits);
        running.spawn(async move {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = permits.acquire_owned().await.ok();
            (index, run_one(path).await)
        });
    }
    let mut results: Vec<Option<ScenarioResult>> = files.iter().map(|_| None).collect();
    while let Some(joined) = running.join_next().await {
        let Ok((index, result)) = joined else {
            continue;
        };
        if format == Format::Text {
            let line = status_line(&result);
            match &progress {
                Some(bar) => {
                    bar.suspend(|| println!("{line}"));
                    bar.inc(1);
                }
                None => println!("{line}"),
            }
        }
        results[index] = Some(result);
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    results
        .into_iter()
        .zip(files)
        .map(|(result, path)| {
            result.unwrap_or_else(|| ScenarioResult {
                path: path.clone(),
                name: stem(path),
                status: Status::Error,
                elapsed_ms: 0,
                error: Some("the run was aborted".into()),
                report: None,
                model_disagreements: Vec::new(),
                scenario: None,
            })
        })
        .collect()
}

async fn run_one(path: PathBuf) -> ScenarioResult {
    let started = Instant::now();
    let load_path = path.clone();
    let loaded = tokio::task::spawn_blocking(move || hoplab_scenario::load(&load_path)).await;
    let scenario = match loaded {
        Ok(Ok(scenario)) => scenario,
        Ok(Err(error)) => return unusable(path, Status::Invalid, error.to_string(), started),
        Err(error) => return unusable(path, Status::Error, error.to_string(), started),
    };
    // Predicted before the run, at the clock the run will use.
    let explanation = hoplab_model::explain(&scenario, clock(&scenario));
    match hoplab_runner::run(&scenario).await {
        Ok(report) => {
            let model_disagreements = hoplab_model::disagreements(&explanation, &report);
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
            ..unusable(path, Status::Error, error.to_string(), started)
        },
    }
}

fn unusable(path: PathBuf, status: Status, error: String, started: Instant) -> ScenarioResult {
    ScenarioResult {
        name: stem(&path),
        path,
        status,
        elapsed_ms: started.elapsed().as_millis(),
        error: Some(error),
        report: None,
        model_disagreements: Vec::new(),
        scenario: None,
    }
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn progress_bar(len: usize, format: Format) -> Option<indicatif::ProgressBar> {
    if format != Format::Text || len < PROGRESS_BAR_FROM || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} scenarios {elapsed}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// `1 request`, `3 requests`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn status_line(result: &ScenarioResult) -> String {
    let elapsed = Duration::from_millis(u64::try_from(result.elapsed_ms).unwrap_or(u64::MAX));
    let path = result.path.display();
    match (&result.status, &result.report) {
        (Status::Passed, Some(report)) => format!(
            "ok      {path} ({}, {elapsed:?})",
            count(report.requests.len(), "request")
        ),
        (Status::Failed, Some(report)) => {
            let failed = report.requests.iter().filter(|r| !r.passed()).count();
            let mut line = format!(
                "FAILED  {path} ({failed} of {} requests failed",
                report.requests.len()
            );
            if !result.model_disagreements.is_empty() {
                line.push_str(", and the model disagrees");
            }
            line.push(')');
            line
        }
        (Status::ModelDisagreement, Some(report)) => format!(
            "MODEL   {path} (expectations held, but the model disagrees on {} of {} requests)",
            disagreeing_requests(result),
            report.requests.len()
        ),
        (Status::Invalid, _) => format!("INVALID {path}"),
        _ => format!("ERROR   {path}"),
    }
}

fn print_text_summary(results: &[ScenarioResult]) {
    for result in results {
        match result.status {
            Status::Passed => {}
            Status::Invalid | Status::Error => {
                println!("\n--- {} ---", result.path.display());
                println!("{}", result.error.as_deref().unwrap_or("unknown error"));
            }
            Status::Failed | Status::ModelDisagreement => {
                println!("\n--- {} ---", result.path.display());
                let Some(report) = &result.report else {
                    continue;
                };
                for request in &report.requests {
                    let disagreements: Vec<&Disagreement> = result
                        .model_disagreements
                        .iter()
                        .filter(|d| d.request == request.name)
                        .collect();
                    if request.passed() && disagreements.is_empty() {
                        continue;
                    }
                    print!("{}", hoplab_runner::render_request_text(request));
                    if !disagreements.is_empty() {
                        println!("  model disagreement (`hoplab explain` predicts otherwise):");
                        for d in disagreements {
                            println!(
                                "    {}: predicted {}, observed {}",
                                d.field, d.predicted, d.observed
                            );
                        }
                    }
                }
            }
        }
    }
    let count = |status: Status| results.iter().filter(|r| r.status == status).count();
    let requests: usize = results
        .iter()
        .filter_map(|r| r.report.as_ref())
        .map(|r| r.requests.len())
        .sum();
    println!(
        "\n{} scenarios ({requests} requests): {} passed, {} failed, {} model disagreements, \
         {} invalid, {} could not run",
        results.len(),
        count(Status::Passed),
        count(Status::Failed),
        count(Status::ModelDisagreement),
        count(Status::Invalid),
        count(Status::Error),
    );
}

/// How many requests of a scenario the model disagrees on.
fn disagreeing_requests(result: &ScenarioResult) -> usize {
    let mut names: Vec<&str> = result
        .model_disagreements
        .iter()
        .map(|d| d.request.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

/// The `--format json` document.
#[derive(Serialize)]
struct JsonSuite<'a> {
    scenarios: &'a [ScenarioResult],
    passed: usize,
    failed: usize,
    model_disagreements: usize,
    invalid: usize,
    errors: usize,
}

impl<'a> JsonSuite<'a> {
    fn new(results: &'a [ScenarioResult]) -> Self {
        let count = |status: Status| results.iter().filter(|r| r.status == status).count();
        Self {
            scenarios: results,
            passed: count(Status::Passed),
            failed: count(Status::Failed),
            model_disagreements: count(Status::ModelDisagreement),
            invalid: count(Status::Invalid),
            errors: count(Status::Error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hoplab_runner::{HopTrace, RequestReport};

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
            target: Some("target:api".into()),
            answered_by: Some("target:api".into()),
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
            report: Some(RunReport {
                scenario: "s".into(),
                description: None,
                requests: vec![request],
            }),
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
    fn a_model_disagreement_exits_one_unless_a_file_is_unusable() {
        let mut results = vec![disagreeing()];
        assert_eq!(exit_code(&results), EXIT_FAILED);
        results.push(unusable(
            PathBuf::from("bad.toml"),
            Status::Invalid,
            "bad".into(),
            Instant::now(),
        ));
        assert_eq!(exit_code(&results), EXIT_UNUSABLE);
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
}
