//! [`ScenarioResult`], what the JUnit and HTML reports take: one scenario file's run report,
//! or why it could not run, with anything else to report against its requests.

use std::collections::BTreeMap;

use hoplab_report::{RequestReport, RunReport};
use hoplab_scenario::Scenario;

use crate::picture::Picture;
use crate::route::RouteInfo;

/// Why a scenario produced no run report: it is invalid, or its lab could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct NotRun {
    /// The loader's or the runner's message, as printed.
    pub reason: String,
}

/// One scenario file's outcome.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// The path or name the scenario was given by.
    pub source: String,
    /// The run's report, or why the scenario is invalid or could not start.
    pub outcome: Result<RunReport, NotRun>,
    /// Each request's route, in request order (empty when the scenario is unknown).
    pub routes: Vec<Option<RouteInfo>>,
    /// Further failures per request index, beyond the report's own mismatches (for
    /// example where a model of API Gateway disagrees with what was observed). A request
    /// with any of these fails.
    pub extra_failures: BTreeMap<usize, Vec<String>>,
}

impl ScenarioResult {
    /// A scenario that ran; `scenario` (the one that was run) supplies the routes pictures
    /// show.
    pub fn ran(source: impl Into<String>, report: RunReport, scenario: Option<&Scenario>) -> Self {
        let routes = match scenario {
            Some(scenario) => RouteInfo::for_report(scenario, &report),
            None => Vec::new(),
        };
        ScenarioResult {
            source: source.into(),
            outcome: Ok(report),
            routes,
            extra_failures: BTreeMap::new(),
        }
    }

    /// A scenario that is invalid or could not start.
    pub fn not_run(source: impl Into<String>, error: impl Into<String>) -> Self {
        ScenarioResult {
            source: source.into(),
            outcome: Err(NotRun {
                reason: error.into(),
            }),
            routes: Vec::new(),
            extra_failures: BTreeMap::new(),
        }
    }

    /// Records a further failure against the request at `index`.
    pub fn add_failure(&mut self, index: usize, message: impl Into<String>) {
        self.extra_failures
            .entry(index)
            .or_default()
            .push(message.into());
    }

    /// The scenario's name, or its source when it did not run or has no name.
    pub fn name(&self) -> &str {
        match &self.outcome {
            Ok(report) if !report.scenario.is_empty() => &report.scenario,
            _ => &self.source,
        }
    }

    /// The requests, empty when the scenario did not run.
    pub fn requests(&self) -> &[RequestReport] {
        match &self.outcome {
            Ok(report) => &report.requests,
            Err(_) => &[],
        }
    }

    /// Why the request at `index` failed, one line each: its mismatches
    /// (`<field>: expected <x>, actual <y>`), then its further failures. Empty if it passed.
    pub fn failures(&self, index: usize) -> Vec<String> {
        let mut lines: Vec<String> = self
            .requests()
            .get(index)
            .map(|r| {
                r.mismatches
                    .iter()
                    .map(|m| format!("{}: expected {}, actual {}", m.field, m.expected, m.actual))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(extra) = self.extra_failures.get(&index) {
            lines.extend(extra.iter().cloned());
        }
        lines
    }

    /// Whether the request at `index` met its expectation and nothing else failed it.
    pub fn request_passed(&self, index: usize) -> bool {
        self.requests().get(index).is_some_and(|r| r.passed())
            && self.extra_failures.get(&index).is_none_or(Vec::is_empty)
    }

    /// How many requests passed and how many failed.
    pub fn counts(&self) -> (usize, usize) {
        let total = self.requests().len();
        let passed = (0..total).filter(|&i| self.request_passed(i)).count();
        (passed, total - passed)
    }

    /// Whether the scenario ran and every request passed.
    pub fn passed(&self) -> bool {
        self.outcome.is_ok() && self.counts().1 == 0
    }

    /// One picture per request, in request order.
    pub fn pictures(&self) -> Vec<Picture> {
        self.requests()
            .iter()
            .enumerate()
            .map(|(index, request)| {
                let route = self.routes.get(index).and_then(Option::as_ref);
                let mut picture = Picture::new(request, route);
                picture.outcome.passed = self.request_passed(index);
                picture
            })
            .collect()
    }
}
