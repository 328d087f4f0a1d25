//! The results of a run, serializable as the documented JSON.

use hoplab_pkix::CertSummary;
use hoplab_scenario::{Request, Scenario};
use serde::Serialize;

use crate::client::CallerResponse;
use crate::lab::Finished;

/// Everything one run of one scenario produced.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: Option<String>,
    /// One report per request, in scenario order.
    pub requests: Vec<RequestReport>,
}

impl RunReport {
    /// Whether every request met its expectation.
    pub fn passed(&self) -> bool {
        self.requests.iter().all(RequestReport::passed)
    }
}

/// What happened to one request, and whether it met its expectation.
#[derive(Debug, Clone, Serialize)]
pub struct RequestReport {
    /// Request name.
    pub name: String,
    /// Method sent.
    pub method: String,
    /// Path sent.
    pub path: String,
    /// The `x-amzn-RequestId` the gateway answered with.
    pub request_id: Option<String>,
    /// Status the caller received (`None` if no HTTP response came back).
    pub status: Option<u16>,
    /// Body the caller received.
    pub body: String,
    /// The execution log's failure line, if the integration failed.
    pub error: Option<String>,
    /// The hop whose certificate the gateway validated (`None`: no certificate was validated).
    pub validated: Option<String>,
    /// The target the request reached or was sent towards (`target:<name>`), as the NLB's
    /// flow hash (or the URI's DNS name) chose it; `None` when no target was picked.
    pub target: Option<String>,
    /// The execution log, one `<date> : <message>` line each.
    pub log: Vec<String>,
    /// The path the request took and the TLS sessions and certificates along it.
    pub trace: HopTrace,
    /// Expectations that did not hold (empty when the request passed).
    pub mismatches: Vec<Mismatch>,
    /// Why the caller got no response, if it did not.
    pub caller_error: Option<String>,
}

impl RequestReport {
    /// Whether the request met its expectation.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// The hops a request crossed and what happened at each.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HopTrace {
    /// Hops in order from the gateway.
    pub hops: Vec<HopStep>,
    /// TLS sessions, each from the hop that started it to the hop that terminated it.
    pub tls_sessions: Vec<TlsSession>,
    /// Certificates presented along the way, validated or not.
    pub certificates: Vec<SeenCertificate>,
}

/// One hop on a request's path.
#[derive(Debug, Clone, Serialize)]
pub struct HopStep {
    /// Hop id (`gateway`, `nlb:<name>:<port>`, `target:<name>`).
    pub hop: String,
    /// What the hop did with the request.
    pub note: String,
}

/// One TLS session: who started it, who terminated it, and what it crossed untouched.
#[derive(Debug, Clone, Serialize)]
pub struct TlsSession {
    /// The client side of the session.
    pub client: String,
    /// The hop that terminated it.
    pub server: String,
    /// Hops the session's bytes crossed without being decrypted.
    pub through: Vec<String>,
    /// The SNI the client sent.
    pub sni: Option<String>,
    /// Negotiated version, if the handshake completed.
    pub version: Option<String>,
    /// `established`, or why the handshake failed.
    pub outcome: String,
}

/// Whether a presented certificate was validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateRole {
    /// The gateway validated it.
    Validated,
    /// It was presented, but its receiver does not validate certificates.
    NotValidated,
}

/// A certificate presented on one TLS session.
#[derive(Debug, Clone, Serialize)]
pub struct SeenCertificate {
    /// The hop that sent it.
    pub presented_by: String,
    /// The hop that received it.
    pub presented_to: String,
    /// Validated or not.
    pub role: CertificateRole,
    /// `accepted`, the rejection message, or why it was not validated.
    pub verdict: String,
    /// The chain as sent, leaf first.
    pub chain: Vec<CertSummary>,
    /// How the verdict was reached (path, validity, names compared).
    pub explanation: Vec<String>,
}

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// `status`, `validated`, `error` or `body`.
    pub field: String,
    /// What the scenario expected.
    pub expected: String,
    /// What was observed.
    pub actual: String,
}

/// Builds the report of one request from what the lab observed.
pub(crate) fn request_report(
    _scenario: &Scenario,
    finished: &Finished,
    request: &Request,
    response: Result<CallerResponse, String>,
) -> RequestReport {
    let (response, caller_error) = match response {
        Ok(response) => (Some(response), None),
        Err(error) => (None, Some(error)),
    };
    let invocation = response
        .as_ref()
        .and_then(|r| r.request_id.as_deref())
        .and_then(|id| finished.invocations.get(id));
    let stitched = invocation
        .as_ref()
        .map(|inv| crate::stitch::stitch(inv, &finished.events, &finished.served))
        .unwrap_or_default();
    let mut report = RequestReport {
        name: request.name.clone(),
        method: request.method.clone(),
        path: request.path.clone(),
        request_id: response.as_ref().and_then(|r| r.request_id.clone()),
        status: response.as_ref().map(|r| r.status),
        body: response.map(|r| r.body).unwrap_or_default(),
        error: invocation.as_ref().and_then(|inv| inv.error.clone()),
        validated: stitched.validated.map(|hop| hop.to_string()),
        target: stitched.target.as_ref().map(ToString::to_string),
        log: invocation
            .map(|inv| inv.log.iter().map(ToString::to_string).collect())
            .unwrap_or_default(),
        trace: stitched.trace,
        mismatches: Vec::new(),
        caller_error,
    };
    report.mismatches = crate::expect::check(&request.expect, &report);
    report
}
