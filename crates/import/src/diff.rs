//! Before and after: the runs of two scenarios (imported from the `main` branch's
//! infrastructure code and from a pull request's) set side by side, route by route.
//!
//! A pure function of two reports ([`compare_runs`]); running the scenarios is the caller's
//! business. Requests are matched by name (an import names each after its route,
//! `METHOD /path`). A request *succeeds* when it gets a status below 400 and no failure line;
//! the verdict says whether that changed, or whether it still holds but API Gateway now
//! validates another hop or logs another message.

use std::fmt::Write;

use hoplab_report::{RequestReport, RunReport};
use junit_report::{Duration, ReportBuilder, TestCaseBuilder, TestSuiteBuilder};
use serde::Serialize;

use crate::error::ImportError;

/// What one request gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteOutcome {
    /// The status the caller received (`None`: no response).
    pub status: Option<u16>,
    /// The hop whose certificate API Gateway validated (`None`: none).
    pub validated: Option<String>,
    /// The execution log's failure line, if any.
    pub message: Option<String>,
}

impl RouteOutcome {
    fn of(request: &RequestReport) -> Self {
        RouteOutcome {
            status: request.status,
            validated: request.validated.clone(),
            message: request
                .error
                .clone()
                .or_else(|| request.caller_error.clone()),
        }
    }

    /// Whether the request succeeded: a status below 400 and no failure line.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| s < 400) && self.message.is_none()
    }

    /// `200 nlb:orders:443`, as the table shows it.
    fn summary(&self) -> String {
        format!(
            "{} {}",
            self.status
                .map_or_else(|| "none".to_owned(), |s| s.to_string()),
            self.validated.as_deref().unwrap_or("none")
        )
    }
}

/// How a route changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Same status, validated hop and message.
    Unchanged,
    /// It succeeded before and fails now.
    NowFails,
    /// It failed before and succeeds now.
    NowPasses,
    /// It succeeds (or fails) as before, but the status, the validated hop or the message
    /// differs.
    Changed,
    /// The route exists only after.
    Added,
    /// The route exists only before.
    Removed,
}

impl Verdict {
    /// The table's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Unchanged => "unchanged",
            Verdict::NowFails => "now fails",
            Verdict::NowPasses => "now passes",
            Verdict::Changed => "changed",
            Verdict::Added => "added",
            Verdict::Removed => "removed",
        }
    }
}

/// One route before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteComparison {
    /// The request's name: the route, `METHOD /path`.
    pub route: String,
    /// Before (`None`: the route did not exist).
    pub before: Option<RouteOutcome>,
    /// After (`None`: the route is gone).
    pub after: Option<RouteOutcome>,
    /// How it changed.
    pub verdict: Verdict,
}

/// Every route before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The scenario run before.
    pub before: String,
    /// The scenario run after.
    pub after: String,
    /// One row per route: before's order, then routes only after has.
    pub routes: Vec<RouteComparison>,
}

/// Sets two runs side by side.
pub fn compare_runs(before: &RunReport, after: &RunReport) -> Comparison {
    let mut routes: Vec<RouteComparison> = Vec::new();
    for request in &before.requests {
        let was = RouteOutcome::of(request);
        let now = after
            .requests
            .iter()
            .find(|r| r.name == request.name)
            .map(RouteOutcome::of);
        let verdict = match &now {
            None => Verdict::Removed,
            Some(now) => verdict(&was, now),
        };
        routes.push(RouteComparison {
            route: request.name.clone(),
            before: Some(was),
            after: now,
            verdict,
        });
    }
    for request in &after.requests {
        if !before.requests.iter().any(|r| r.name == request.name) {
            routes.push(RouteComparison {
                route: request.name.clone(),
                before: None,
                after: Some(RouteOutcome::of(request)),
                verdict: Verdict::Added,
            });
        }
    }
    Comparison {
        before: before.scenario.clone(),
        after: after.scenario.clone(),
        routes,
    }
}

fn verdict(was: &RouteOutcome, now: &RouteOutcome) -> Verdict {
    match (was.succeeded(), now.succeeded()) {
        (true, false) => Verdict::NowFails,
        (false, true) => Verdict::NowPasses,
        _ if was == now => Verdict::Unchanged,
        _ => Verdict::Changed,
    }
}

impl Comparison {
    /// Whether a route that succeeded before fails now: what a pull request check fails on.
    pub fn regressed(&self) -> bool {
        self.routes.iter().any(|r| r.verdict == Verdict::NowFails)
    }

    /// The table: one aligned row per route (status and validated hop before and after, the
    /// verdict), then each route's failure lines, then a count per verdict.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "before: {}\nafter:  {}\n", self.before, self.after);
        let mut rows = vec![[
            "route".to_owned(),
            "before".to_owned(),
            "after".to_owned(),
            "verdict".to_owned(),
        ]];
        let cell = |o: &Option<RouteOutcome>| {
            o.as_ref()
                .map_or_else(|| "-".to_owned(), RouteOutcome::summary)
        };
        for r in &self.routes {
            rows.push([
                r.route.clone(),
                cell(&r.before),
                cell(&r.after),
                r.verdict.as_str().to_owned(),
            ]);
        }
        let widths: Vec<usize> = (0..4)
            .map(|c| {
                rows.iter()
                    .map(|row| row[c].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in &rows {
            let mut line = String::new();
            for (c, text) in row.iter().enumerate() {
                let _ = write!(line, "{text:<width$}  ", width = widths[c]);
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        for r in &self.routes {
            let messages: Vec<(&str, &str)> = [("before", &r.before), ("after", &r.after)]
                .into_iter()
                .filter_map(|(when, o)| Some((when, o.as_ref()?.message.as_deref()?)))
                .collect();
            if messages.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{} ({}):", r.route, r.verdict.as_str());
            for (when, message) in messages {
                let _ = writeln!(out, "  {when}: {message}");
            }
        }
        let count = |v: Verdict| self.routes.iter().filter(|r| r.verdict == v).count();
        let _ = writeln!(
            out,
            "\n{} routes compared: {} unchanged, {} now fail, {} now pass, {} changed, {} added, {} removed",
            self.routes.len(),
            count(Verdict::Unchanged),
            count(Verdict::NowFails),
            count(Verdict::NowPasses),
            count(Verdict::Changed),
            count(Verdict::Added),
            count(Verdict::Removed),
        );
        out
    }

    /// JUnit XML: one testcase per route, failed when the route now fails; every testcase's
    /// output holds the route before and after.
    pub fn junit(&self) -> Result<String, ImportError> {
        let mut suite = TestSuiteBuilder::new(&format!("{} -> {}", self.before, self.after));
        for r in &self.routes {
            let describe = |when: &str, o: &Option<RouteOutcome>| match o {
                None => format!("{when}: no such route"),
                Some(o) => format!(
                    "{when}: {}{}",
                    o.summary(),
                    o.message
                        .as_deref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ),
            };
            let detail = format!(
                "{}\n{}",
                describe("before", &r.before),
                describe("after", &r.after)
            );
            let mut case = if r.verdict == Verdict::NowFails {
                let mut case = TestCaseBuilder::failure(
                    &r.route,
                    Duration::ZERO,
                    "now-fails",
                    &detail.replace('\n', "; "),
                );
                case.set_trace(&detail);
                case
            } else {
                TestCaseBuilder::success(&r.route, Duration::ZERO)
            };
            case.set_classname("hoplab.before-after")
                .set_system_out(&format!("{}\n{detail}", r.verdict.as_str()));
            suite.add_testcase(case.build());
        }
        let mut report = ReportBuilder::new();
        report.add_testsuite(suite.build());
        let mut out = Vec::new();
        report
            .build()
            .write_xml(&mut out)
            .map_err(|e| ImportError::Junit {
                message: e.to_string(),
            })?;
        String::from_utf8(out).map_err(|e| ImportError::Junit {
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hoplab_report::HopTrace;

    fn request(name: &str, status: u16, validated: &str, error: Option<&str>) -> RequestReport {
        RequestReport {
            name: name.into(),
            method: "GET".into(),
            path: "/".into(),
            request_id: None,
            status: Some(status),
            body: String::new(),
            error: error.map(str::to_owned),
            validated: Some(validated.into()),
            target: None,
            answered_by: None,
            log: Vec::new(),
            trace: HopTrace::default(),
            mismatches: Vec::new(),
            caller_error: None,
        }
    }

    fn run(name: &str, requests: Vec<RequestReport>) -> RunReport {
        RunReport {
            scenario: name.into(),
            description: None,
            requests,
        }
    }

    #[test]
    fn each_route_gets_its_verdict() {
        let before = run(
            "main",
            vec![
                request("GET /a", 200, "nlb:n:443", None),
                request("GET /b", 500, "target:t", Some("validity check failed")),
                request("GET /c", 200, "nlb:n:443", None),
                request("GET /d", 200, "nlb:n:443", None),
                request("GET /e", 200, "nlb:n:443", None),
            ],
        );
        let after = run(
            "pr",
            vec![
                request("GET /a", 500, "target:t", Some("PKIX path building failed")),
                request("GET /b", 200, "nlb:n:443", None),
                request("GET /c", 200, "nlb:n:443", None),
                request("GET /d", 200, "target:t", None),
                request("GET /f", 200, "nlb:n:443", None),
            ],
        );
        let comparison = compare_runs(&before, &after);
        let verdicts: Vec<(&str, Verdict)> = comparison
            .routes
            .iter()
            .map(|r| (r.route.as_str(), r.verdict))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("GET /a", Verdict::NowFails),
                ("GET /b", Verdict::NowPasses),
                ("GET /c", Verdict::Unchanged),
                ("GET /d", Verdict::Changed),
                ("GET /e", Verdict::Removed),
                ("GET /f", Verdict::Added),
            ]
        );
        assert!(comparison.regressed());
        let text = comparison.text();
        assert!(
            text.contains("GET /a  200 nlb:n:443  500 target:t   now fails"),
            "{text}"
        );
        assert!(
            text.contains("  after: PKIX path building failed"),
            "{text}"
        );
        assert!(
            text.contains(
                "6 routes compared: 1 unchanged, 1 now fail, 1 now pass, 1 changed, 1 added, 1 removed"
            ),
            "{text}"
        );
        let json = serde_json::to_value(&comparison).expect("serializes");
        assert_eq!(json["routes"][0]["verdict"], "now_fails");
        assert_eq!(json["routes"][0]["after"]["validated"], "target:t");
        let xml = comparison.junit().expect("junit");
        assert_eq!(xml.matches("<testcase").count(), 6, "{xml}");
        assert_eq!(xml.matches("<failure").count(), 1, "{xml}");
        assert!(xml.contains("type=\"now-fails\""), "{xml}");
    }
}
