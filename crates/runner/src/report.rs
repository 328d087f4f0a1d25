//! A request's report, built from what the lab observed.

use hoplab_gateway::Invocation;
use hoplab_report::{HopTrace, RequestReport};
use hoplab_scenario::{Request, Scenario};

use hoplab_trace::Observation;

use crate::client::{CallerError, CallerResponse};
use crate::config::ServedCertificates;
use crate::lab::Finished;
use crate::stitch::Stitched;

/// Builds the report of one send of `request` (reported as `name`) from what the lab
/// observed.
pub(crate) fn request_report(
    scenario: &Scenario,
    finished: &Finished,
    request: &Request,
    name: String,
    response: Result<CallerResponse, CallerError>,
) -> RequestReport {
    let (response, caller_error) = match response {
        Ok(response) => (Some(response), None),
        Err(error) => (None, Some(error.to_string())),
    };
    let invocation = response
        .as_ref()
        .and_then(|r| r.request_id.as_deref())
        .and_then(|id| finished.invocations.get(id));
    let mut stitched = invocation
        .as_ref()
        .map(|inv| crate::stitch::stitch(inv, &finished.events, &finished.served))
        .unwrap_or_default();
    name_certificates(&mut stitched.trace, &finished.served);
    let mut report = RequestReport {
        name,
        method: request.method().to_owned(),
        path: request.path().to_owned(),
        request_id: response.as_ref().and_then(|r| r.request_id.clone()),
        status: response.as_ref().map(|r| r.status),
        body: response.map(|r| r.body).unwrap_or_default(),
        error: invocation.as_ref().and_then(|inv| inv.error.clone()),
        answered_by: answered_by(invocation.as_ref(), &stitched),
        validated: stitched.validated.map(|hop| hop.to_string()),
        target: stitched.target.as_ref().map(ToString::to_string),
        log: invocation
            .map(|inv| inv.log.iter().map(ToString::to_string).collect())
            .unwrap_or_default(),
        trace: stitched.trace,
        mismatches: Vec::new(),
        caller_error,
    };
    report.mismatches = crate::expect::check(scenario, request.expect(), &report);
    report
}

/// Gives each certificate seen its scenario name, found by the leaf's fingerprint among the
/// certificates the hops serve.
fn name_certificates(trace: &mut HopTrace, served: &ServedCertificates) {
    for seen in &mut trace.certificates {
        let Some(leaf) = seen.chain.first() else {
            continue;
        };
        seen.certificate = served
            .values()
            .flatten()
            .find(|(_, fingerprint)| *fingerprint == leaf.sha256)
            .map(|(name, _)| name.clone());
    }
}

/// The report of one invocation of a lab that still runs, stitched from the observations
/// recorded so far; it has no expectation to check.
pub(crate) fn invocation_report(
    invocation: &Invocation,
    events: &[Observation],
    served: &ServedCertificates,
) -> RequestReport {
    let mut stitched = crate::stitch::stitch(invocation, events, served);
    name_certificates(&mut stitched.trace, served);
    RequestReport {
        name: format!("{} {}", invocation.method, invocation.path),
        method: invocation.method.clone(),
        path: invocation.path.clone(),
        request_id: Some(invocation.request_id.clone()),
        status: Some(invocation.status),
        body: invocation.body.clone(),
        error: invocation.error.clone(),
        answered_by: answered_by(Some(invocation), &stitched),
        validated: stitched.validated.map(|hop| hop.to_string()),
        target: stitched.target.as_ref().map(ToString::to_string),
        log: invocation.log.iter().map(ToString::to_string).collect(),
        trace: stitched.trace,
        mismatches: Vec::new(),
        caller_error: None,
    }
}

/// Who wrote the response the caller received: API Gateway itself when the integration failed
/// or no route matched; an ALB listener when it answered with its own page, fixed response
/// or redirect (passed through); else the target the request reached.
fn answered_by(invocation: Option<&Invocation>, stitched: &Stitched) -> Option<String> {
    let invocation = invocation?;
    if invocation.error.is_some() || invocation.upstream.is_none() {
        return Some(hoplab_trace::HopId::Gateway.to_string());
    }
    if let Some(alb) = stitched
        .trace
        .alb
        .as_ref()
        .filter(|alb| alb.answered_by != "target")
    {
        return Some(alb.listener.clone());
    }
    stitched.target.as_ref().map(ToString::to_string)
}
