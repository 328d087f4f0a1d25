//! The part of a trace an ALB listener contributes: the request it recorded on the
//! connection that reached it, the rule that decided it, and the target it went to.
//!
//! An ALB answers per request and keeps its connections to targets alive, so one upstream
//! connection carries many requests: the target's answer is found by the `X-Amzn-Trace-Id`
//! the ALB sent with this request, which the target records in its `Responded`. The TLS
//! session with an HTTPS target was recorded when that connection was opened, perhaps for an
//! earlier request.

use std::net::SocketAddr;

use hoplab_report::{AlbDecision, CertificateRole, HopTrace, SeenCertificate, TlsSession};
use hoplab_trace::{Connection, HopId, Observation, ResponseOrigin};

use super::{Arrival, NO_REQUEST, join_notes, step};

/// Why nobody checks an HTTPS target's certificate behind an ALB.
const ALB_DOES_NOT_VALIDATE: &str =
    "an ALB does not validate the certificates of its HTTPS targets (expired and self-signed pass)";

/// What the ALB listener `hop` did with the request that arrived from `from`: its step's
/// notes, the target's step and TLS session, and the decision. Returns the target the ALB
/// chose, if any.
pub(super) fn extend(
    trace: &mut HopTrace,
    events: &[Observation],
    hop: &HopId,
    from: SocketAddr,
) -> Option<HopId> {
    let recorded = events.iter().find_map(|event| match event {
        Observation::AlbRequest {
            hop: at,
            downstream,
            request,
            trace_id,
            rule,
            action,
            group,
            target,
            upstream,
            status,
            origin,
            ..
        } if at == hop && downstream.peer == from => Some(Recorded {
            request,
            trace_id: trace_id.as_deref(),
            rule: rule.map(|r| r.to_string()),
            action: action.map(|a| a.to_string()),
            group: group.as_deref(),
            target: target.as_ref(),
            upstream: *upstream,
            status: *status,
            origin,
        }),
        _ => None,
    })?;
    let (answered_by, reason) = match recorded.origin {
        ResponseOrigin::Target => ("target", None),
        ResponseOrigin::Action => ("action", None),
        ResponseOrigin::LoadBalancer { reason } => ("load_balancer", Some(reason.clone())),
    };
    let listener = hop.to_string();
    if let Some(alb_step) = trace.hops.iter_mut().rev().find(|s| s.hop == listener) {
        let described = recorded.describe(reason.as_deref());
        alb_step.note = if alb_step.note == NO_REQUEST {
            described
        } else {
            join_notes(&alb_step.note, &described)
        };
    }
    trace.alb = Some(AlbDecision {
        listener: listener.clone(),
        rule: recorded.rule.clone(),
        action: recorded.action.clone(),
        target_group: recorded.group.map(str::to_owned),
        target: recorded.target.map(ToString::to_string),
        trace_id: recorded.trace_id.map(str::to_owned),
        status: recorded.status,
        answered_by: answered_by.to_owned(),
        reason,
    });
    let target = recorded.target?;
    let Some(upstream) = recorded.upstream else {
        trace.hops.push(step(
            &target.to_string(),
            "never reached: no connection was made",
        ));
        return Some(target.clone());
    };
    let arrival = Arrival::find_traced(events, target, upstream.local, recorded.trace_id);
    let mut notes = Vec::new();
    if let Some(error) = arrival.tls_failed {
        notes.push(format!("TLS handshake with {listener} failed: {error}"));
    }
    if let Some(Observation::Responded {
        request, status, ..
    }) = arrival.responded
    {
        notes.push(format!("answered {request} with {status}"));
    } else if arrival.tls_failed.is_none() {
        notes.push(format!("sent no answer to {listener}"));
    }
    trace
        .hops
        .push(step(&target.to_string(), &notes.join("; ")));
    target_session(trace, events, hop, target, upstream, &arrival);
    Some(target.clone())
}

/// The `AlbRequest` of one request, as the trace needs it.
struct Recorded<'e> {
    request: &'e str,
    trace_id: Option<&'e str>,
    rule: Option<String>,
    action: Option<String>,
    group: Option<&'e str>,
    target: Option<&'e HopId>,
    upstream: Option<Connection>,
    status: u16,
    origin: &'e ResponseOrigin,
}

impl Recorded<'_> {
    /// The ALB step's notes: the rule and action, and where the request went or who answered.
    fn describe(&self, reason: Option<&str>) -> String {
        let mut notes = Vec::new();
        match (&self.rule, &self.action) {
            (Some(rule), Some(action)) => {
                let rule = if rule == "default" {
                    "the default rule".to_owned()
                } else {
                    format!("rule {rule}")
                };
                notes.push(format!("{} matched {rule} ({action})", self.request));
            }
            _ => notes.push(format!("{} was answered before any rule", self.request)),
        }
        match (self.origin, self.target, self.group) {
            (ResponseOrigin::Target, Some(target), Some(group)) => notes.push(format!(
                "forwarded to {target} of target group {group}, which answered {}",
                self.status
            )),
            (ResponseOrigin::Action, ..) => {
                notes.push(format!(
                    "answered {} itself (the rule's action)",
                    self.status
                ));
            }
            (ResponseOrigin::LoadBalancer { .. }, ..) => notes.push(format!(
                "answered {} with its own error page: {}",
                self.status,
                reason.unwrap_or("")
            )),
            _ => notes.push(format!("answered {}", self.status)),
        }
        notes.join("; ")
    }
}

/// The ALB's TLS session with an HTTPS target, and the certificate it was shown and did not
/// check.
fn target_session(
    trace: &mut HopTrace,
    events: &[Observation],
    hop: &HopId,
    target: &HopId,
    upstream: Connection,
    arrival: &Arrival<'_>,
) {
    let presented = events.iter().find_map(|event| match event {
        Observation::TargetTlsUnverified {
            hop: at,
            upstream: seen,
            presented,
        } if at == hop && seen.local == upstream.local => Some(presented),
        _ => None,
    });
    let version = match arrival.terminated {
        Some(Observation::TlsTerminated { version, .. }) => Some(version.clone()),
        _ => None,
    };
    if presented.is_none() && arrival.tls_failed.is_none() {
        // Plain HTTP to the target: no session.
        return;
    }
    trace.tls_sessions.push(TlsSession {
        client: hop.to_string(),
        server: target.to_string(),
        through: Vec::new(),
        sni: None,
        version: version.clone(),
        outcome: match (&version, arrival.tls_failed) {
            (Some(_), _) => "established".to_owned(),
            (None, Some(error)) => format!("failed: {error}"),
            (None, None) => "established".to_owned(),
        },
    });
    if let Some(chain) = presented {
        trace.certificates.push(SeenCertificate {
            presented_by: target.to_string(),
            presented_to: hop.to_string(),
            role: CertificateRole::NotValidated,
            verdict: ALB_DOES_NOT_VALIDATE.to_owned(),
            chain: chain.to_vec(),
            explanation: Vec::new(),
            certificate: None,
        });
    }
}
