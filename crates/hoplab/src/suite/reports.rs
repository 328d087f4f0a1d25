//! The JUnit XML and HTML reports of a suite, through `hoplab-render`: each model
//! disagreement is a further failure of its request.

use hoplab_model::Disagreement;

use super::{ScenarioResult, SuiteReport};
use crate::Result;

impl SuiteReport {
    /// JUnit XML, which CI systems read: one `<testsuite>` per scenario file, one
    /// `<testcase>` per request; the failure text is the diff, model disagreements included.
    ///
    /// # Errors
    ///
    /// [`Error::Render`](crate::Error::Render) when the XML cannot be written.
    pub fn junit(&self) -> Result<String> {
        Ok(hoplab_render::junit(&self.rendered())?)
    }

    /// One self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched)
    /// titled `title`: a summary, then per scenario and request the picture, the results
    /// and the logs.
    pub fn html(&self, title: &str) -> String {
        hoplab_render::html(&self.rendered(), title)
    }

    fn rendered(&self) -> Vec<hoplab_render::ScenarioResult> {
        self.results.iter().map(to_render).collect()
    }
}

/// A result as the JUnit and HTML reports take it.
pub(super) fn to_render(result: &ScenarioResult) -> hoplab_render::ScenarioResult {
    let source = result.path.display().to_string();
    let Some(report) = &result.report else {
        let error = result
            .error
            .clone()
            .unwrap_or_else(|| "unknown error".into());
        return hoplab_render::ScenarioResult::not_run(source, error);
    };
    let mut rendered =
        hoplab_render::ScenarioResult::ran(source, report.full().clone(), result.scenario.as_ref());
    for d in &result.model_disagreements {
        let index = report
            .requests()
            .position(|r| r.name() == d.request)
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
