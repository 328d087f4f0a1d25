//! The text `hoplab test` prints: a line per scenario as it finishes, then the details of
//! every failure and a summary.

use std::fmt::Write as _;

use hoplab_model::Disagreement;

use super::{ScenarioResult, Status, SuiteReport};

impl ScenarioResult {
    /// One line: `ok`, `FAILED`, `MODEL`, `INVALID` or `ERROR`, the path, and counts.
    pub fn status_line(&self) -> String {
        let elapsed = self.elapsed();
        let path = self.path.display();
        match (&self.status, &self.report) {
            (Status::Passed, Some(report)) => format!(
                "ok      {path} ({}, {elapsed:?})",
                count(report.requests().len(), "request")
            ),
            (Status::Failed, Some(report)) => {
                let failed = report.requests().filter(|r| !r.passed()).count();
                let mut line = format!(
                    "FAILED  {path} ({failed} of {} requests failed",
                    report.requests().len()
                );
                if !self.model_disagreements.is_empty() {
                    line.push_str(", and the model disagrees");
                }
                line.push(')');
                line
            }
            (Status::ModelDisagreement, Some(report)) => format!(
                "MODEL   {path} (expectations held, but the model disagrees on {} of {} requests)",
                self.disagreeing_requests(),
                report.requests().len()
            ),
            (Status::Invalid, _) => format!("INVALID {path}"),
            _ => format!("ERROR   {path}"),
        }
    }

    /// How many requests the model disagrees on.
    fn disagreeing_requests(&self) -> usize {
        let mut names: Vec<&str> = self
            .model_disagreements
            .iter()
            .map(|d| d.request.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names.len()
    }

    /// What went wrong, for a scenario that did not pass: the error, or each failed request
    /// with its hop trace and where the model disagrees.
    fn failure_text(&self, out: &mut String) {
        match self.status {
            Status::Passed => {}
            Status::Invalid | Status::Error => {
                let _ = writeln!(out, "\n--- {} ---", self.path.display());
                let _ = writeln!(out, "{}", self.error.as_deref().unwrap_or("unknown error"));
            }
            Status::Failed | Status::ModelDisagreement => {
                let _ = writeln!(out, "\n--- {} ---", self.path.display());
                let Some(report) = &self.report else {
                    return;
                };
                for request in report.requests() {
                    let disagreements: Vec<&Disagreement> = self
                        .model_disagreements
                        .iter()
                        .filter(|d| d.request == request.name())
                        .collect();
                    if request.passed() && disagreements.is_empty() {
                        continue;
                    }
                    let _ = write!(out, "{request}");
                    if !disagreements.is_empty() {
                        let _ = writeln!(
                            out,
                            "  model disagreement (`hoplab explain` predicts otherwise):"
                        );
                        for d in disagreements {
                            let _ = writeln!(
                                out,
                                "    {}: predicted {}, observed {}",
                                d.field, d.predicted, d.observed
                            );
                        }
                    }
                }
            }
        }
    }
}

impl SuiteReport {
    /// Every scenario that did not pass, with its failed requests and disagreements, then
    /// the counts: what `hoplab test` prints after the status lines.
    pub fn summary_text(&self) -> String {
        let mut out = String::new();
        for result in &self.results {
            result.failure_text(&mut out);
        }
        let _ = writeln!(
            out,
            "\n{} ({}): {} passed, {} failed, {}, {} invalid, {} could not run",
            count(self.results.len(), "scenario"),
            count(self.requests(), "request"),
            self.count(Status::Passed),
            self.count(Status::Failed),
            count(self.count(Status::ModelDisagreement), "model disagreement"),
            self.count(Status::Invalid),
            self.count(Status::Error),
        );
        out
    }
}

/// `1 request`, `3 requests`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
