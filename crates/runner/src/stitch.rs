//! Follows one request's connections through the event log.
//!
//! The gateway knows its own end of the connection it opened (`local` = L1). The first hop
//! recorded the same connection with `peer` = L1; an NLB that forwarded recorded its new
//! connection to the target (`local` = L2), which the target recorded with `peer` = L2. An
//! ALB (reached directly, or through an NLB's `alb` target group) recorded the request it
//! read on that connection, and the target it forwarded to recorded the request's trace id
//! (`alb`). Nothing here predicts: every step is an observation some hop made on a socket.

mod alb;

use std::net::SocketAddr;

use hoplab_gateway::{Invocation, TlsObservation, Upstream};
use hoplab_report::{CertSummary, CertificateRole, HopStep, HopTrace, SeenCertificate, TlsSession};
use hoplab_trace::{HopId, Observation};

use crate::config::ServedCertificates;

/// A request's trace and the hop whose certificate the gateway validated.
#[derive(Debug, Default)]
pub(crate) struct Stitched {
    pub(crate) trace: HopTrace,
    pub(crate) validated: Option<HopId>,
    /// The target the request reached or was sent towards: the one the NLB picked (even if
    /// connecting to it failed), or the one an internet route resolves to.
    pub(crate) target: Option<HopId>,
}

/// What one hop recorded about one incoming connection.
#[derive(Debug, Default)]
struct Arrival<'e> {
    accepted: bool,
    terminated: Option<&'e Observation>,
    tls_failed: Option<&'e str>,
    responded: Option<&'e Observation>,
}

impl<'e> Arrival<'e> {
    fn find(events: &'e [Observation], hop: &HopId, from: SocketAddr) -> Self {
        let mut arrival = Arrival::default();
        for event in events.iter().filter(|e| e.hop() == hop) {
            match event {
                Observation::Accepted { conn, .. } if conn.peer == from => arrival.accepted = true,
                Observation::TlsTerminated { conn, .. } if conn.peer == from => {
                    arrival.terminated = Some(event);
                }
                Observation::TlsAcceptFailed { conn, error, .. } if conn.peer == from => {
                    arrival.tls_failed = Some(error);
                }
                Observation::Responded { conn, .. } if conn.peer == from => {
                    arrival.responded = Some(event);
                }
                _ => {}
            }
        }
        arrival
    }

    /// What `hop` recorded about the connection from `from` that carried the request with
    /// `trace_id`: its answer is the one to that request, since a connection an ALB keeps
    /// alive carries many.
    fn find_traced(
        events: &'e [Observation],
        hop: &HopId,
        from: SocketAddr,
        trace_id: Option<&str>,
    ) -> Self {
        let mut arrival = Arrival::find(events, hop, from);
        arrival.responded = events.iter().find(|event| {
            matches!(
                event,
                Observation::Responded { hop: at, conn, trace_id: Some(id), .. }
                    if at == hop && conn.peer == from && Some(id.as_str()) == trace_id
            )
        });
        arrival
    }

    /// Whether this hop was the server of a TLS handshake on the connection.
    fn terminated_tls(&self) -> bool {
        self.terminated.is_some() || self.tls_failed.is_some()
    }
}

/// Builds the trace of one invocation.
pub(crate) fn stitch(
    invocation: &Invocation,
    events: &[Observation],
    served: &ServedCertificates,
) -> Stitched {
    let mut stitched = Stitched::default();
    let trace = &mut stitched.trace;
    let gateway = HopId::Gateway.to_string();
    let Some(upstream) = &invocation.upstream else {
        trace.hops.push(step(
            &gateway,
            "no route matched; nothing was sent upstream",
        ));
        return stitched;
    };
    if let HopId::Target { .. } = &upstream.hop {
        stitched.target = Some(upstream.hop.clone());
    }
    trace.hops.push(step(
        &gateway,
        &format!("opened a connection to {}", upstream.hop),
    ));
    let Some(conn) = upstream.conn else {
        let detail = upstream.detail.as_deref().unwrap_or("unknown error");
        trace.hops.push(step(
            &upstream.hop.to_string(),
            &format!("unreachable: {detail}"),
        ));
        return stitched;
    };

    // The first hop, and for an NLB, the target it forwarded to.
    let first = Arrival::find(events, &upstream.hop, conn.local);
    let mut tls_end: Option<HopId> = None;
    let mut through: Vec<String> = Vec::new();
    if first.terminated_tls() {
        tls_end = Some(upstream.hop.clone());
    }

    let mut path_hops: Vec<(HopId, Arrival<'_>)> = vec![(upstream.hop.clone(), first)];
    // Where the request entered an ALB listener: the listener and the peer it saw.
    let mut alb_entry: Option<(HopId, SocketAddr)> = None;
    if let HopId::AlbListener { .. } = &upstream.hop {
        alb_entry = Some((upstream.hop.clone(), conn.local));
    }
    let mut forward: Option<(HopId, SocketAddr, bool)> = None;
    let mut forward_failure: Option<String> = None;
    let mut failed_target: Option<(HopId, SocketAddr)> = None;
    if let HopId::NlbListener { .. } = &upstream.hop {
        for event in events.iter().filter(|e| e.hop() == &upstream.hop) {
            match event {
                Observation::Forwarded {
                    downstream,
                    upstream: nlb_side,
                    target,
                    tls,
                    ..
                } if downstream.peer == conn.local => {
                    if let HopId::AlbListener { .. } = target {
                        alb_entry = Some((target.clone(), nlb_side.local));
                    } else {
                        stitched.target = Some(target.clone());
                    }
                    forward = Some((target.clone(), nlb_side.local, *tls));
                }
                Observation::ForwardFailed {
                    downstream,
                    target,
                    upstream: nlb_side,
                    error,
                    ..
                } if downstream.peer == conn.local => {
                    stitched.target = Some(target.clone());
                    forward_failure = Some(format!("could not forward to {target}: {error}"));
                    if let Some(nlb_side) = nlb_side {
                        // TCP reached the target; its side of the failed handshake is traced.
                        failed_target = Some((target.clone(), nlb_side.local));
                    }
                }
                _ => {}
            }
        }
        if let Some((target, from, _)) = &forward {
            let arrival = Arrival::find(events, target, *from);
            if tls_end.is_none() && arrival.terminated_tls() {
                tls_end = Some(target.clone());
                through.push(upstream.hop.to_string());
            }
            path_hops.push((target.clone(), arrival));
        }
        if let Some((target, from)) = &failed_target {
            path_hops.push((target.clone(), Arrival::find(events, target, *from)));
        }
    }

    describe_hops(trace, &path_hops, forward.as_ref(), &upstream.hop);
    if let Some(failure) = forward_failure
        && let Some(first_step) = trace.hops.get_mut(1)
    {
        first_step.note = join_notes(&first_step.note, &failure);
    }
    if let Some(tls) = &upstream.tls {
        let server = tls_end
            .clone()
            .unwrap_or_else(|| upstream.hop.clone())
            .to_string();
        trace
            .tls_sessions
            .push(gateway_session(tls, &server, through, upstream));
        if tls.accepted.is_some() {
            stitched.validated = tls_end.clone();
            trace.certificates.push(validated_certificate(
                tls,
                &server,
                tls_end.as_ref().and_then(|hop| served.get(hop)),
            ));
        }
    }
    if let Some((alb, from)) = &alb_entry
        && let Some(target) = alb::extend(trace, events, alb, *from)
    {
        stitched.target = Some(target);
    }
    if let Some((target, from, true)) = &forward {
        nlb_to_target(trace, events, &upstream.hop, target, *from);
    }
    stitched
}

fn describe_hops(
    trace: &mut HopTrace,
    path_hops: &[(HopId, Arrival<'_>)],
    forward: Option<&(HopId, SocketAddr, bool)>,
    first: &HopId,
) {
    for (hop, arrival) in path_hops {
        let mut notes = Vec::new();
        if !arrival.accepted {
            notes.push("no connection recorded".to_owned());
        }
        if arrival.terminated.is_some() {
            notes.push("terminated TLS".to_owned());
        }
        if let Some(error) = arrival.tls_failed {
            notes.push(format!("TLS handshake failed: {error}"));
        }
        if hop == first {
            match forward {
                Some((target, _, true)) => {
                    notes.push(format!("forwarded to {target} over new TLS"))
                }
                Some((target, _, false)) if arrival.terminated_tls() => {
                    notes.push(format!("forwarded to {target} as plaintext TCP"));
                }
                Some((target, _, false)) => {
                    notes.push(format!("passed bytes through to {target} untouched"));
                }
                None => {}
            }
        }
        if let Some(Observation::Responded {
            request, status, ..
        }) = arrival.responded
        {
            notes.push(format!("answered {request} with {status}"));
        }
        if notes.is_empty() {
            notes.push(NO_REQUEST.to_owned());
        }
        trace.hops.push(step(&hop.to_string(), &notes.join("; ")));
    }
}

fn gateway_session(
    tls: &TlsObservation,
    server: &str,
    through: Vec<String>,
    upstream: &Upstream,
) -> TlsSession {
    let outcome = match (&tls.version, &tls.rejection, &upstream.detail) {
        (Some(_), None, _) => "established".to_owned(),
        (Some(_), Some(_), _) => {
            "established, then closed by the gateway: the host name check failed".to_owned()
        }
        (None, Some(_), _) => "aborted by the gateway: certificate rejected".to_owned(),
        (None, None, Some(detail)) => format!("failed: {detail}"),
        (None, None, None) => "failed".to_owned(),
    };
    TlsSession {
        client: HopId::Gateway.to_string(),
        server: server.to_owned(),
        through,
        sni: tls.sni.clone(),
        version: tls.version.clone(),
        outcome,
    }
}

fn validated_certificate(
    tls: &TlsObservation,
    server: &str,
    served: Option<&Vec<(String, String)>>,
) -> SeenCertificate {
    let verdict = match (&tls.accepted, &tls.rejection) {
        (Some(true), _) => "accepted".to_owned(),
        (_, Some(rejection)) => rejection.clone(),
        _ => "rejected".to_owned(),
    };
    let mut explanation = tls.explanation.clone();
    if let (Some(leaf), Some(served)) = (tls.presented.first(), served)
        && let Some((name, _)) = served.iter().find(|(_, fp)| *fp == leaf.sha256)
    {
        explanation.insert(
            0,
            format!("the leaf is the scenario's certificate {name:?}"),
        );
    }
    SeenCertificate {
        presented_by: server.to_owned(),
        presented_to: HopId::Gateway.to_string(),
        role: CertificateRole::Validated,
        verdict,
        chain: tls.presented.clone(),
        explanation,
        certificate: None,
    }
}

fn nlb_to_target(
    trace: &mut HopTrace,
    events: &[Observation],
    nlb: &HopId,
    target: &HopId,
    from: SocketAddr,
) {
    let presented: Option<&Vec<CertSummary>> = events.iter().find_map(|event| match event {
        Observation::TargetTlsUnverified {
            hop,
            upstream,
            presented,
        } if hop == nlb && upstream.local == from => Some(presented),
        _ => None,
    });
    let arrival = Arrival::find(events, target, from);
    let version = match arrival.terminated {
        Some(Observation::TlsTerminated { version, .. }) => Some(version.clone()),
        _ => None,
    };
    trace.tls_sessions.push(TlsSession {
        client: nlb.to_string(),
        server: target.to_string(),
        through: Vec::new(),
        sni: None,
        version: version.clone(),
        outcome: match (version, arrival.tls_failed) {
            (Some(_), _) => "established".to_owned(),
            (None, Some(error)) => format!("failed: {error}"),
            (None, None) => "failed".to_owned(),
        },
    });
    if let Some(chain) = presented {
        trace.certificates.push(SeenCertificate {
            presented_by: target.to_string(),
            presented_to: nlb.to_string(),
            role: CertificateRole::NotValidated,
            verdict: "an NLB does not validate the certificates of a TLS target group's targets"
                .to_owned(),
            chain: chain.clone(),
            explanation: Vec::new(),
            certificate: None,
        });
    }
}

/// A hop's note when nothing but a connection was seen (an ALB replaces it with what it did
/// with the request).
const NO_REQUEST: &str = "accepted a connection; no request arrived";

fn join_notes(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_owned()
    } else {
        format!("{a}; {b}")
    }
}

fn step(hop: &str, note: &str) -> HopStep {
    HopStep {
        hop: hop.to_owned(),
        note: note.to_owned(),
    }
}
