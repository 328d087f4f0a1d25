//! The picture of one request: the hops left to right, the TLS sessions as spans over the
//! hops they cover, the certificate each session presented and what became of it, and the
//! request's outcome. Renderers draw a [`Picture`]; they never read a report themselves.

use hoplab_report::{CertificateRole, RequestReport, RunReport, SeenCertificate, TlsSession};
use hoplab_scenario::Scenario;

use crate::route::{Backend, RouteInfo, TargetInfo};

/// What to draw for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// The request's name.
    pub title: String,
    /// Method and path sent, e.g. `GET /pets`.
    pub request: String,
    /// The route it matched, in one line (`None` when the route is unknown).
    pub route: Option<String>,
    /// Hops from left to right, starting with the client.
    pub nodes: Vec<Node>,
    /// TLS sessions, in the order they were started.
    pub sessions: Vec<Session>,
    /// What the caller got and whether that met the expectation.
    pub outcome: Outcome,
}

/// One box in the picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The hop id (`gateway`, `nlb:<name>:<port>`, `target:<name>`), or `client`,
    /// `vpc-link:<nlb>`, `target-group:<name>` for parts no hop records.
    pub id: String,
    /// What kind of part it is.
    pub kind: NodeKind,
    /// Its name, e.g. `internal :443`.
    pub name: String,
    /// A short fact shown inside the box, e.g. `TLS listener`.
    pub detail: Option<String>,
    /// What the hop did with the request, from the hop trace.
    pub note: Option<String>,
    /// Whether the request reached it.
    pub reached: bool,
    /// Set on the hop whose certificate the gateway validated.
    pub validated: Option<CertificateState>,
}

/// The kinds of part a picture shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// The API caller.
    Client,
    /// The API Gateway stand-in.
    Gateway,
    /// A VPC link.
    VpcLink,
    /// An NLB listener.
    Listener,
    /// An NLB target group.
    TargetGroup,
    /// A backend target.
    Target,
}

impl NodeKind {
    /// The caption shown above a node's name.
    pub fn caption(self) -> &'static str {
        match self {
            NodeKind::Client => "Client",
            NodeKind::Gateway => "API Gateway",
            NodeKind::VpcLink => "VPC link",
            NodeKind::Listener => "NLB listener",
            NodeKind::TargetGroup => "Target group",
            NodeKind::Target => "Target",
        }
    }
}

/// One TLS session, drawn as a span from the node that started it to the node that
/// terminated it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Index of the node that started it.
    pub client: usize,
    /// Index of the node that terminated it.
    pub server: usize,
    /// Indices of the nodes whose bytes it crossed without being decrypted.
    pub through: Vec<usize>,
    /// Version and SNI, e.g. `TLSv1.3 · SNI api.example.com`.
    pub summary: String,
    /// `established`, or why the handshake failed.
    pub outcome: String,
    /// Whether the handshake completed.
    pub established: bool,
    /// The certificate the server presented on it, if one was seen.
    pub certificate: Option<CertificateMark>,
}

/// A certificate presented on a session and what its receiver made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateMark {
    /// The leaf's subject.
    pub subject: String,
    /// Accepted, rejected, or not validated at all.
    pub state: CertificateState,
    /// `accepted`, the exact rejection message, or `not validated: <why>`.
    pub message: String,
}

/// What became of a presented certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertificateState {
    /// The gateway validated it and accepted it.
    Accepted,
    /// The gateway validated it and rejected it.
    Rejected,
    /// Its receiver does not validate certificates.
    NotValidated,
}

/// What the caller got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The status the caller received (`None`: no response).
    pub status: Option<u16>,
    /// Whether every expectation held (and nothing else was reported against it).
    pub passed: bool,
    /// The hop whose certificate the gateway validated.
    pub validated: Option<String>,
    /// The execution log's failure line.
    pub error: Option<String>,
    /// Why the caller got no response.
    pub caller_error: Option<String>,
}

impl Outcome {
    /// `as expected` when every expectation held, else `unexpected`.
    pub fn verdict(&self) -> &'static str {
        if self.passed {
            "as expected"
        } else {
            "unexpected"
        }
    }

    /// `status 200`, or `no response`.
    pub fn status_line(&self) -> String {
        self.status
            .map(|s| format!("status {s}"))
            .unwrap_or_else(|| "no response".to_owned())
    }
}

impl Session {
    /// Why the handshake failed: the outcome, unless it is `established` or empty.
    pub fn failure(&self) -> Option<&str> {
        (!self.outcome.is_empty() && self.outcome != "established").then_some(self.outcome.as_str())
    }
}

impl Picture {
    /// The picture of one request; `route` adds the parts no hop records (VPC link, target
    /// group, targets not reached) and the route line.
    pub fn new(report: &RequestReport, route: Option<&RouteInfo>) -> Picture {
        let mut nodes = planned_nodes(report, route);
        mark_reached(&mut nodes, report);
        let sessions = sessions(&nodes, report);
        if let Some(validated) = &report.validated {
            let state = validated_state(report, validated);
            if let Some(node) = nodes.iter_mut().find(|n| &n.id == validated) {
                node.validated = Some(state);
            }
        }
        Picture {
            title: report.name.clone(),
            request: format!("{} {}", report.method, report.path),
            route: route.map(describe_route),
            nodes,
            sessions,
            outcome: Outcome {
                status: report.status,
                passed: report.passed(),
                validated: report.validated.clone(),
                error: report.error.clone(),
                caller_error: report.caller_error.clone(),
            },
        }
    }

    /// The index of the node with this id.
    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }
}

/// One picture per request of a run, in request order; `scenario` (the one that was run)
/// supplies each request's route.
pub fn pictures(report: &RunReport, scenario: Option<&Scenario>) -> Vec<Picture> {
    let routes = scenario.map(|s| RouteInfo::for_report(s, report));
    report
        .requests
        .iter()
        .enumerate()
        .map(|(i, request)| {
            let route = routes
                .as_ref()
                .and_then(|r| r.get(i))
                .and_then(Option::as_ref);
            Picture::new(request, route)
        })
        .collect()
}

fn node(id: impl Into<String>, kind: NodeKind, name: impl Into<String>) -> Node {
    Node {
        id: id.into(),
        kind,
        name: name.into(),
        detail: None,
        note: None,
        reached: false,
        validated: None,
    }
}

/// The nodes the route says a request crosses, then any hop the trace saw that the route
/// does not name.
fn planned_nodes(report: &RequestReport, route: Option<&RouteInfo>) -> Vec<Node> {
    let mut client = node("client", NodeKind::Client, "caller");
    client.detail = Some(format!("{} {}", report.method, report.path));
    let mut gateway = node("gateway", NodeKind::Gateway, "REST API");
    if let Some(route) = route {
        gateway.name = route.integration.clone();
        // Scheme and host only, so it fits the box: the host is what the certificate is
        // checked against; the full URI is on the route line.
        gateway.detail = Some(format!(
            "{} {}",
            if route.https { "https" } else { "http" },
            route.host
        ));
    }
    let mut nodes = vec![client, gateway];
    let traced_targets: Vec<&str> = report
        .trace
        .hops
        .iter()
        .filter(|h| h.hop.starts_with("target:"))
        .map(|h| h.hop.as_str())
        .collect();
    match route.map(|r| &r.backend) {
        Some(Backend::Internet { target }) => {
            nodes.push(target_node(&format!("target:{}", target.name), &[target]));
        }
        Some(Backend::VpcLink {
            nlb,
            port,
            tls_listener,
            target_group,
            tls_targets,
            targets,
        }) => {
            let mut link = node(format!("vpc-link:{nlb}"), NodeKind::VpcLink, nlb.as_str());
            link.detail = Some(format!("to NLB {nlb}"));
            let mut listener = node(
                format!("nlb:{nlb}:{port}"),
                NodeKind::Listener,
                format!("{nlb} :{port}"),
            );
            listener.detail = Some(
                if *tls_listener {
                    "TLS listener"
                } else {
                    "TCP listener"
                }
                .into(),
            );
            let mut group = node(
                format!("target-group:{target_group}"),
                NodeKind::TargetGroup,
                target_group.as_str(),
            );
            group.detail = Some(
                if *tls_targets {
                    "TLS to targets"
                } else {
                    "TCP to targets"
                }
                .into(),
            );
            nodes.extend([link, listener, group]);
            let targets: Vec<&TargetInfo> = targets.iter().collect();
            if traced_targets.is_empty() {
                nodes.push(match targets.as_slice() {
                    [only] => target_node(&format!("target:{}", only.name), &targets),
                    _ => {
                        let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
                        node("targets", NodeKind::Target, names.join(", "))
                    }
                });
            } else {
                nodes.extend(traced_targets.iter().map(|id| target_node(id, &targets)));
            }
        }
        Some(Backend::LoadBalancer { .. }) | None => {}
    }
    for hop in &report.trace.hops {
        if !nodes.iter().any(|n| n.id == hop.hop) {
            let kind = if hop.hop.starts_with("nlb:") || hop.hop.starts_with("alb:") {
                NodeKind::Listener
            } else if hop.hop.starts_with("target:") {
                NodeKind::Target
            } else {
                NodeKind::Gateway
            };
            nodes.push(hop_node(&hop.hop, kind));
        }
    }
    nodes
}

/// A target node; its detail says HTTP or HTTPS when the route knows the target.
fn target_node(id: &str, known: &[&TargetInfo]) -> Node {
    let mut n = hop_node(id, NodeKind::Target);
    if let Some(info) = known
        .iter()
        .find(|t| id.strip_prefix("target:") == Some(t.name.as_str()))
    {
        n.detail = Some(if info.https { "HTTPS" } else { "HTTP" }.into());
    }
    n
}

/// A node for a hop id, named after the id without its kind prefix.
fn hop_node(id: &str, kind: NodeKind) -> Node {
    let name = match kind {
        NodeKind::Listener => {
            let rest = id.strip_prefix("nlb:").unwrap_or(id);
            match rest.rsplit_once(':') {
                Some((nlb, port)) => format!("{nlb} :{port}"),
                None => rest.to_owned(),
            }
        }
        NodeKind::Target => id.strip_prefix("target:").unwrap_or(id).to_owned(),
        _ => id.to_owned(),
    };
    node(id, kind, name)
}

/// Marks what the request reached and copies each hop's note from the trace.
fn mark_reached(nodes: &mut [Node], report: &RequestReport) {
    let gateway_reached = report.status.is_some() || !report.trace.hops.is_empty();
    for n in nodes.iter_mut() {
        if let Some(hop) = report.trace.hops.iter().find(|h| h.hop == n.id) {
            n.reached = true;
            n.note = Some(hop.note.clone());
        }
        match n.kind {
            NodeKind::Client => n.reached = true,
            NodeKind::Gateway if n.id == "gateway" => n.reached |= gateway_reached,
            _ => {}
        }
    }
    // A VPC link and a target group are reached when what is behind them is.
    for i in 0..nodes.len() {
        let behind = nodes.get(i + 1).map(|n| n.reached).unwrap_or(false);
        let any_target = nodes
            .iter()
            .any(|n| n.kind == NodeKind::Target && n.reached);
        let n = &mut nodes[i];
        match n.kind {
            NodeKind::VpcLink => n.reached = behind,
            NodeKind::TargetGroup => n.reached = any_target,
            _ => {}
        }
    }
    if gateway_reached {
        for n in nodes.iter_mut() {
            if !n.reached && matches!(n.kind, NodeKind::Listener | NodeKind::Target) {
                n.note = Some("not reached".into());
            }
        }
    }
}

fn sessions(nodes: &[Node], report: &RequestReport) -> Vec<Session> {
    let index = |id: &str| nodes.iter().position(|n| n.id == id);
    let certificates = &report.trace.certificates;
    let mut used = vec![false; certificates.len()];
    let mut out = Vec::new();
    for session in &report.trace.tls_sessions {
        let (Some(client), Some(server)) = (index(&session.client), index(&session.server)) else {
            continue;
        };
        let seen = certificates
            .iter()
            .position(|c| c.presented_by == session.server && c.presented_to == session.client);
        if let Some(i) = seen {
            used[i] = true;
        }
        out.push(Session {
            client,
            server,
            through: session.through.iter().filter_map(|id| index(id)).collect(),
            summary: session_summary(session),
            outcome: session.outcome.clone(),
            established: session.outcome.starts_with("established"),
            certificate: seen.map(|i| mark(&certificates[i])),
        });
    }
    // A certificate seen on a session the trace did not list still gets its span.
    for (seen, _) in certificates.iter().zip(&used).filter(|(_, used)| !**used) {
        let (Some(client), Some(server)) = (index(&seen.presented_to), index(&seen.presented_by))
        else {
            continue;
        };
        out.push(Session {
            client,
            server,
            through: Vec::new(),
            summary: "TLS".into(),
            outcome: String::new(),
            established: true,
            certificate: Some(mark(seen)),
        });
    }
    out
}

fn session_summary(session: &TlsSession) -> String {
    let version = session
        .version
        .as_deref()
        .unwrap_or("handshake not completed");
    match &session.sni {
        Some(sni) => format!("{version} · SNI {sni}"),
        None => format!("{version} · no SNI"),
    }
}

fn mark(seen: &SeenCertificate) -> CertificateMark {
    let subject = seen
        .chain
        .first()
        .map(|c| {
            if c.subject.is_empty() {
                "(empty subject)".to_owned()
            } else {
                c.subject.clone()
            }
        })
        .unwrap_or_else(|| "(no certificate)".to_owned());
    let (state, message) = match seen.role {
        CertificateRole::Validated if seen.verdict == "accepted" => {
            (CertificateState::Accepted, seen.verdict.clone())
        }
        CertificateRole::Validated => (CertificateState::Rejected, seen.verdict.clone()),
        CertificateRole::NotValidated => (
            CertificateState::NotValidated,
            if seen.verdict.starts_with("not validated") {
                seen.verdict.clone()
            } else {
                format!("not validated: {}", seen.verdict)
            },
        ),
    };
    CertificateMark {
        subject,
        state,
        message,
    }
}

fn validated_state(report: &RequestReport, hop: &str) -> CertificateState {
    let seen = report
        .trace
        .certificates
        .iter()
        .find(|c| c.role == CertificateRole::Validated && c.presented_by == hop);
    match seen {
        Some(c) if c.verdict == "accepted" => CertificateState::Accepted,
        Some(_) => CertificateState::Rejected,
        None if report.error.is_none() => CertificateState::Accepted,
        None => CertificateState::Rejected,
    }
}

fn describe_route(route: &RouteInfo) -> String {
    let via = match &route.backend {
        Backend::Internet { .. } => "over the internet".to_owned(),
        Backend::VpcLink {
            nlb,
            port,
            tls_listener,
            ..
        } => format!(
            "over a VPC link to NLB {nlb}, {} listener :{port}",
            if *tls_listener { "TLS" } else { "TCP" }
        ),
        Backend::LoadBalancer { hop } => format!("over a VPC link to {hop}"),
    };
    let skip = if route.insecure_skip_verification {
        ", insecureSkipVerification on"
    } else {
        ""
    };
    format!(
        "route {} {} → {} {} {via}{skip}",
        route.method, route.resource, route.integration, route.uri
    )
}
