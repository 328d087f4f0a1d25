//! The picture of one request: the hops left to right, the TLS sessions as spans over the
//! hops they cover, the certificate each session presented and what became of it, who wrote
//! the response, and the request's outcome. Renderers draw a [`Picture`]; they never read a
//! report themselves.
//!
//! `alb` adds the parts of an ALB: its listener, the rule that decided the request, and the
//! target group and target its action led to.

mod alb;

use hoplab_report::{CertificateRole, RequestReport, RunReport, SeenCertificate, TlsSession};
use hoplab_scenario::Scenario;

use crate::route::{AlbInfo, Backend, RouteInfo, TargetInfo, rule_title};

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
    /// The hop id (`gateway`, `nlb:<name>:<port>`, `alb:<name>:<port>`, `target:<name>`), or
    /// for parts no hop records `client`, `vpc-link:<balancer>`, `target-group:<name>`, an
    /// ALB listener's rule `alb:<name>:<port>/rule:<priority|default>`, or its rules as a
    /// whole, `alb:<name>:<port>/rules`, when none decided.
    pub id: String,
    /// What kind of part it is.
    pub kind: NodeKind,
    /// Its name, e.g. `internal :443`.
    pub name: String,
    /// Short facts shown inside the box, one line each, e.g. `TLS listener`.
    pub details: Vec<String>,
    /// What the hop did with the request, from the hop trace (for a rule: the rule in full).
    pub note: Option<String>,
    /// Whether the request reached it.
    pub reached: bool,
    /// Set on the hop whose certificate the gateway validated.
    pub validated: Option<CertificateState>,
    /// The status this hop answered with, set when it wrote the response the caller got and
    /// is not the target: API Gateway's own answer, or an ALB's page, fixed response or
    /// redirect.
    pub answered: Option<u16>,
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
    /// An ALB listener.
    AlbListener,
    /// An ALB listener rule (or its rules as a whole, when none decided).
    Rule,
    /// A target group, an NLB's or an ALB's.
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
            NodeKind::AlbListener => "ALB listener",
            NodeKind::Rule => "Listener rule",
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
    /// Who wrote the response when it was not the target, in words, e.g. `answered by ALB
    /// listener web :443 with its own 503 page: …`.
    pub answered: Option<String>,
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

/// What a validated hop's label says: `✔ validated certificate`, or `✘ …` when refused.
pub(crate) fn validated_mark(state: CertificateState) -> &'static str {
    match state {
        CertificateState::Rejected => "✘ validated certificate",
        _ => "✔ validated certificate",
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
        let answered = answered_by_other(report);
        if let (Some(by), Some(status)) = (answered, report.status)
            && let Some(node) = nodes.iter_mut().find(|n| n.id == by)
        {
            node.answered = Some(status);
        }
        let answered = answered.map(|by| answer_line(report, by, &nodes));
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
                answered,
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
        details: Vec::new(),
        note: None,
        reached: false,
        validated: None,
        answered: None,
    }
}

/// The nodes the route says a request crosses, then any hop the trace saw that the route
/// does not name.
fn planned_nodes(report: &RequestReport, route: Option<&RouteInfo>) -> Vec<Node> {
    let mut client = node("client", NodeKind::Client, "caller");
    client.details = vec![format!("{} {}", report.method, report.path)];
    let mut gateway = node("gateway", NodeKind::Gateway, "REST API");
    if let Some(route) = route {
        gateway.name = route.integration.clone();
        // Scheme and host only, so it fits the box: the host is what the certificate is
        // checked against (unless serverNameToVerify says otherwise); the full URI is on the
        // route line.
        gateway.details = vec![format!(
            "{} {}",
            if route.https { "https" } else { "http" },
            route.host
        )];
        if let Some(name) = &route.server_name_to_verify {
            gateway.details.push(format!("verifies {name}"));
        }
    }
    let mut nodes = vec![client, gateway];
    let link = |balancer: &str, kind: &str| {
        let mut link = node(format!("vpc-link:{balancer}"), NodeKind::VpcLink, balancer);
        let version = route
            .and_then(|r| r.vpc_link_version.as_deref())
            .map(|v| format!("{v} "))
            .unwrap_or_default();
        link.details = vec![format!("{version}to {kind} {balancer}")];
        link
    };
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
            alb,
        }) => {
            let mut listener = node(
                format!("nlb:{nlb}:{port}"),
                NodeKind::Listener,
                format!("{nlb} :{port}"),
            );
            listener.details = vec![
                if *tls_listener {
                    "TLS listener"
                } else {
                    "TCP listener"
                }
                .into(),
            ];
            let mut group = node(
                format!("target-group:{target_group}"),
                NodeKind::TargetGroup,
                target_group.as_str(),
            );
            group.details = vec![match (alb, tls_targets) {
                (Some(alb), _) => format!("TCP to ALB {} :{}", alb.alb, alb.port),
                (None, true) => "TLS to targets".to_owned(),
                (None, false) => "TCP to targets".to_owned(),
            }];
            nodes.extend([link(nlb, "NLB"), listener, group]);
            match alb {
                Some(alb) => nodes.extend(alb::nodes(&alb.hop, Some(alb), report)),
                None => {
                    let traced: Vec<&str> = report
                        .trace
                        .hops
                        .iter()
                        .filter(|h| h.hop.starts_with("target:"))
                        .map(|h| h.hop.as_str())
                        .collect();
                    nodes.extend(target_nodes(&traced, targets));
                }
            }
        }
        Some(Backend::Alb { listener }) => {
            nodes.push(link(&listener.alb, "ALB"));
            nodes.extend(alb::nodes(&listener.hop, Some(listener), report));
        }
        Some(Backend::LoadBalancer { .. }) | None => {}
    }
    for hop in &report.trace.hops {
        if nodes.iter().any(|n| n.id == hop.hop) {
            continue;
        }
        if hop.hop.starts_with("alb:") {
            let found = alb::nodes(&hop.hop, None, report);
            let new: Vec<Node> = found
                .into_iter()
                .filter(|n| !nodes.iter().any(|m| m.id == n.id))
                .collect();
            nodes.extend(new);
            continue;
        }
        let kind = if hop.hop.starts_with("nlb:") {
            NodeKind::Listener
        } else if hop.hop.starts_with("target:") {
            NodeKind::Target
        } else {
            NodeKind::Gateway
        };
        nodes.push(hop_node(&hop.hop, kind));
    }
    nodes
}

/// The targets behind a target group: those the trace reached, else every registered one
/// (a single node naming them all when there are several).
fn target_nodes(traced: &[&str], targets: &[TargetInfo]) -> Vec<Node> {
    let known: Vec<&TargetInfo> = targets.iter().collect();
    if !traced.is_empty() {
        return traced.iter().map(|id| target_node(id, &known)).collect();
    }
    match known.as_slice() {
        [] => Vec::new(),
        [only] => vec![target_node(&format!("target:{}", only.name), &known)],
        _ => {
            let names: Vec<&str> = known.iter().map(|t| t.name.as_str()).collect();
            vec![node("targets", NodeKind::Target, names.join(", "))]
        }
    }
}

/// A target node; its detail says HTTP or HTTPS when the route knows the target.
fn target_node(id: &str, known: &[&TargetInfo]) -> Node {
    let mut n = hop_node(id, NodeKind::Target);
    if let Some(info) = known
        .iter()
        .find(|t| id.strip_prefix("target:") == Some(t.name.as_str()))
    {
        n.details = vec![if info.https { "HTTPS" } else { "HTTP" }.into()];
    }
    n
}

/// A node for a hop id, named after the id without its kind prefix.
fn hop_node(id: &str, kind: NodeKind) -> Node {
    let name = match kind {
        NodeKind::Listener | NodeKind::AlbListener => listener_name(id),
        NodeKind::Target => id.strip_prefix("target:").unwrap_or(id).to_owned(),
        _ => id.to_owned(),
    };
    node(id, kind, name)
}

/// `internal :443` for the listener `nlb:internal:443` (or `alb:…`).
fn listener_name(id: &str) -> String {
    let rest = id
        .strip_prefix("nlb:")
        .or_else(|| id.strip_prefix("alb:"))
        .unwrap_or(id);
    match rest.rsplit_once(':') {
        Some((balancer, port)) => format!("{balancer} :{port}"),
        None => rest.to_owned(),
    }
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
    // A VPC link is reached when what is behind it is; a target group when what is behind
    // it is, or any target (an ALB's groups are marked by the ALB's decision already).
    let any_target = nodes
        .iter()
        .any(|n| n.kind == NodeKind::Target && n.reached);
    for i in 0..nodes.len() {
        let behind = nodes.get(i + 1).is_some_and(|n| n.reached);
        let n = &mut nodes[i];
        match n.kind {
            NodeKind::VpcLink => n.reached = behind,
            NodeKind::TargetGroup => n.reached |= behind || any_target,
            _ => {}
        }
    }
    if gateway_reached {
        for n in nodes.iter_mut() {
            let hop = matches!(
                n.kind,
                NodeKind::Listener | NodeKind::AlbListener | NodeKind::Rule | NodeKind::Target
            );
            if hop && !n.reached && n.note.is_none() {
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

/// Who wrote the response, when it was not the target: `gateway` or an ALB listener.
fn answered_by_other(report: &RequestReport) -> Option<&str> {
    report
        .answered_by
        .as_deref()
        .filter(|by| !by.starts_with("target:"))
}

/// `answered by <caption> <name>`, with what an ALB said of its own answer.
fn answer_line(report: &RequestReport, by: &str, nodes: &[Node]) -> String {
    let status = report
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "no".to_owned());
    let who = nodes
        .iter()
        .find(|n| n.id == by)
        .map(|n| match n.kind {
            NodeKind::Gateway => "API Gateway itself".to_owned(),
            kind => format!("{} {}", kind.caption(), n.name),
        })
        .unwrap_or_else(|| by.to_owned());
    let decision = report.trace.alb.as_ref().filter(|d| d.listener == by);
    match decision {
        Some(d) if d.answered_by == "load_balancer" => format!(
            "answered by {who} with its own {status} page: {}",
            d.reason.as_deref().unwrap_or("no reason recorded")
        ),
        Some(d) if d.answered_by == "action" => format!(
            "answered by {who} with {status}: {} ({})",
            d.action.as_deref().unwrap_or("its rule's action"),
            d.rule
                .as_deref()
                .map_or_else(|| "a rule".to_owned(), rule_title)
        ),
        _ => format!("answered by {who} with {status}"),
    }
}

fn describe_route(route: &RouteInfo) -> String {
    let link = match &route.vpc_link_version {
        Some(version) => format!("a VPC link {version}"),
        None => "a VPC link".to_owned(),
    };
    let alb = |alb: &AlbInfo| format!("ALB {}, {} listener :{}", alb.alb, alb.protocol(), alb.port);
    let via = match &route.backend {
        Backend::Internet { .. } => "over the internet".to_owned(),
        Backend::VpcLink {
            nlb,
            port,
            tls_listener,
            alb: behind,
            ..
        } => {
            let mut via = format!(
                "over {link} to NLB {nlb}, {} listener :{port}",
                if *tls_listener { "TLS" } else { "TCP" }
            );
            if let Some(behind) = behind {
                via.push_str(&format!(", to {}", alb(behind)));
            }
            via
        }
        Backend::Alb { listener } => format!("over {link} to {}", alb(listener)),
        Backend::LoadBalancer { hop } => format!("over {link} to {hop}"),
    };
    let mut tls = String::new();
    if route.insecure_skip_verification {
        tls.push_str(", insecureSkipVerification on");
    }
    if let Some(name) = &route.server_name_to_verify {
        tls.push_str(&format!(", serverNameToVerify {name}"));
    }
    format!(
        "route {} {} → {} {} {via}{tls}",
        route.method, route.resource, route.integration, route.uri
    )
}
