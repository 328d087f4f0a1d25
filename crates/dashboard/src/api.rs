//! The read-only endpoints: invocations, one invocation, the topology, target health, the
//! changes made, and the index of the API.

use std::collections::HashMap;

use hoplab_render::{Picture, RouteInfo, render_svg, render_svg_stack};
use hoplab_report::{HopTrace, RequestReport};
use hoplab_runner::TargetState;
use hoplab_scenario::Scenario;
use hoplab_trace::{HopId, Observation};
use hyper::{Response, StatusCode};
use serde::Serialize;

use hoplab_gateway::ConsoleBody;

use crate::feed::Row;
use crate::reply::{ApiError, json};
use crate::{API_PATH, Dashboard};

/// How many invocations `GET …/invocations` lists unless `?limit=` asks otherwise.
const DEFAULT_LIST: usize = 100;

/// The most `?limit=` lists (fewer when the lab keeps fewer): every row is traced from the
/// kept observations, so one request may not ask for an unbounded amount of work.
pub(crate) const MAX_LIST: usize = 1000;

/// `GET /_hoplab/api/`: what the API serves.
pub(crate) fn index() -> Response<ConsoleBody> {
    let endpoint = |method: &str, path: &str, what: &str| serde_json::json!({ "method": method, "path": format!("{API_PATH}{path}"), "what": what });
    json(&serde_json::json!({ "endpoints": [
        endpoint("GET", "invocations", "the kept requests, newest first (?limit=N, default 100, at most 1000 or the number kept)"),
        endpoint("GET", "invocations/<request id>", "one request: its row, execution log, hop trace, TLS sessions, certificates and picture"),
        endpoint("GET", "topology", "the topology: one picture per route, the targets and the certificates"),
        endpoint("GET", "health", "every target, every target group's view of its targets, and the TLS and HTTPS listeners' certificates"),
        endpoint("GET", "changes", "the changes made through this API, newest first"),
        endpoint("GET", "events", "server-sent events: each finished request and each change"),
        endpoint("POST", "targets/<name>/stop", "stop the target: its port refuses connections"),
        endpoint("POST", "targets/<name>/start", "serve a stopped target again"),
        endpoint("POST", "targets/<name>/behaviour", "{\"behaviour\": \"answer\"|\"refuse\"|\"accept-then-close\"|\"reset\"|\"hang\"|\"slow\"|\"status\", \"delay_ms\": N, \"status\": N}"),
        endpoint("POST", "targets/<name>/certificate", "{\"certificate\": \"<scenario certificate>\"}: serve it from the next handshake"),
        endpoint("POST", "targets/<name>/health", "{\"health\": \"healthy\"|\"unhealthy\"|\"checks\"}: force its health in every target group, or let the checks decide again"),
        endpoint("POST", "listeners/<hop id>/certificate", "{\"certificate\": \"<scenario certificate>\", \"list_index\": N}: the listener serves it as its default certificate (or SNI list entry N) from the next handshake"),
    ]}))
}

/// `GET /_hoplab/api/invocations[?limit=N]`: the kept requests, newest first.
pub(crate) fn invocations(
    dashboard: &Dashboard,
    query: Option<&str>,
) -> Result<Response<ConsoleBody>, ApiError> {
    let control = &dashboard.control;
    let cap = MAX_LIST.min(control.invocations().capacity()).max(1);
    let asked = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("limit="));
    let limit = match asked {
        None => DEFAULT_LIST,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("limit={text:?} is not a whole number from 1 to {cap}"),
                )
            })?,
    }
    .min(cap);
    let latest = control.invocations().latest(limit);
    let events = control.events().snapshot();
    let rows: Vec<Row> = latest
        .iter()
        .map(|invocation| Row::new(invocation, control.report_from(invocation, &events)))
        .collect();
    Ok(json(&serde_json::json!({
        "kept": control.invocations().len(),
        "capacity": control.invocations().capacity(),
        "limit": limit,
        "invocations": rows,
    })))
}

/// One request in full.
#[derive(Serialize)]
struct InvocationDetail<'a> {
    invocation: Row,
    /// The execution log, one line each.
    log: &'a [String],
    /// The request's report: hop trace, TLS sessions and the certificates each presented.
    report: &'a RequestReport,
    /// The request drawn on the topology (SVG), its path marked.
    picture: String,
}

/// `GET /_hoplab/api/invocations/<id>`.
pub(crate) fn invocation(
    dashboard: &Dashboard,
    id: &str,
) -> Result<Response<ConsoleBody>, ApiError> {
    let control = &dashboard.control;
    let invocation = control.invocations().get(id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "no request with id {id:?} is kept (the latest {} are)",
                control.invocations().capacity()
            ),
        )
    })?;
    let report = control.report(&invocation);
    let row = Row::new(&invocation, report.clone());
    let route = route_of(&dashboard.scenario, invocation.route.as_deref());
    let picture = render_svg(&Picture::new(&report, route.as_ref()));
    Ok(json(&InvocationDetail {
        invocation: row,
        log: &report.log,
        report: &report,
        picture,
    }))
}

/// The route a request's `route` line (`GET /pets`) names.
fn route_of(scenario: &Scenario, route: Option<&str>) -> Option<RouteInfo> {
    let route = route?;
    scenario
        .routes()
        .iter()
        .find(|r| format!("{} {}", r.method(), r.path()) == route)
        .map(|r| RouteInfo::new(scenario, r.id()))
}

/// The topology as one picture per route, no request drawn on it.
pub(crate) fn topology_svg(scenario: &Scenario) -> String {
    let pictures: Vec<Picture> = scenario
        .routes()
        .iter()
        .map(|route| {
            let info = RouteInfo::new(scenario, route.id());
            Picture::new(&unsent(route.method(), route.path()), Some(&info))
        })
        .collect();
    match pictures.as_slice() {
        [one] => render_svg(one),
        many => render_svg_stack(many),
    }
}

/// A report of a request not sent yet: the route's parts, nothing reached.
fn unsent(method: &str, path: &str) -> RequestReport {
    RequestReport {
        name: format!("{method} {path}"),
        method: method.to_owned(),
        path: path.to_owned(),
        request_id: None,
        status: None,
        body: String::new(),
        error: None,
        answered_by: None,
        validated: None,
        target: None,
        log: Vec::new(),
        trace: HopTrace::default(),
        mismatches: Vec::new(),
        caller_error: None,
    }
}

/// `GET /_hoplab/api/topology`.
pub(crate) async fn topology(dashboard: &Dashboard) -> Response<ConsoleBody> {
    let scenario = &dashboard.scenario;
    let routes: Vec<String> = scenario
        .routes()
        .iter()
        .map(|r| format!("{} {}", r.method(), r.path()))
        .collect();
    json(&serde_json::json!({
        "scenario": scenario.name(),
        "routes": routes,
        "targets": targets_json(&dashboard.control.targets().await),
        "listeners": listeners_json(dashboard),
        "certificates": dashboard.control.certificate_names(),
        "svg": topology_svg(scenario),
    }))
}

/// Targets as the API shows them.
fn targets_json(targets: &[TargetState]) -> Vec<serde_json::Value> {
    targets
        .iter()
        .map(|t| {
            serde_json::json!({
                "name": t.name,
                "address": t.addr.to_string(),
                "running": t.running,
                "behaviour": crate::control::describe(t.behaviour),
                "certificate": t.certificate,
                "health_override": t.health_override.map(|healthy| if healthy { "healthy" } else { "unhealthy" }),
            })
        })
        .collect()
}

/// The TLS and HTTPS listeners and the scenario certificates they serve now.
fn listeners_json(dashboard: &Dashboard) -> Vec<serde_json::Value> {
    dashboard
        .control
        .listeners()
        .iter()
        .map(|l| {
            serde_json::json!({
                "listener": l.hop,
                "default_certificate": l.default_certificate,
                "certificates": l.certificates,
            })
        })
        .collect()
}

/// What a load balancer listener last concluded about one target of one group.
#[derive(Debug, Clone, Serialize)]
struct GroupTarget {
    target: String,
    /// `healthy`, `unhealthy`, or `unchecked` when no listener has checked it.
    state: &'static str,
    /// The last transition's reason, or the last check's detail.
    reason: Option<String>,
    /// The listener that checked it.
    listener: Option<String>,
}

/// `GET /_hoplab/api/health`: every target, and each target group's view of its targets
/// from its listeners' health checks (targets start healthy; transitions come from the
/// hops' observations).
pub(crate) async fn health(dashboard: &Dashboard) -> Response<ConsoleBody> {
    let observations = dashboard.control.events().matching(|o| {
        matches!(
            o,
            Observation::HealthChecked { .. } | Observation::HealthChanged { .. }
        )
    });
    // By (group, target hop): the latest check and the latest change.
    let mut seen: HashMap<(String, String), GroupTarget> = HashMap::new();
    for observation in &observations {
        match observation {
            Observation::HealthChecked {
                hop,
                group,
                target,
                passed,
                detail,
                ..
            } => {
                let entry = first_seen(&mut seen, group, target);
                entry.listener = Some(hop.to_string());
                if entry.reason.is_none() || *passed {
                    entry.reason = Some(detail.clone());
                }
            }
            Observation::HealthChanged {
                hop,
                group,
                target,
                healthy,
                reason,
            } => {
                let entry = first_seen(&mut seen, group, target);
                entry.state = if *healthy { "healthy" } else { "unhealthy" };
                entry.reason = Some(reason.clone());
                entry.listener = Some(hop.to_string());
            }
            _ => {}
        }
    }
    let scenario = &dashboard.scenario;
    let groups: Vec<serde_json::Value> = scenario
        .target_groups()
        .iter()
        .map(|group| {
            let targets: Vec<GroupTarget> = group
                .targets()
                .iter()
                .map(|id| {
                    let hop = HopId::target(scenario.target(*id).name()).to_string();
                    seen.get(&(group.name().to_owned(), hop.clone()))
                        .cloned()
                        .unwrap_or(GroupTarget {
                            target: hop,
                            state: "unchecked",
                            reason: None,
                            listener: None,
                        })
                })
                .collect();
            serde_json::json!({ "group": group.name(), "targets": targets })
        })
        .collect();
    json(&serde_json::json!({
        "targets": targets_json(&dashboard.control.targets().await),
        "groups": groups,
        "listeners": listeners_json(dashboard),
    }))
}

/// The entry of `target` in `group`, made on its first observation: targets start healthy.
fn first_seen<'a>(
    seen: &'a mut HashMap<(String, String), GroupTarget>,
    group: &str,
    target: &HopId,
) -> &'a mut GroupTarget {
    seen.entry((group.to_owned(), target.to_string()))
        .or_insert_with(|| GroupTarget {
            target: target.to_string(),
            state: "healthy",
            reason: None,
            listener: None,
        })
}

/// `GET /_hoplab/api/changes`.
pub(crate) fn changes(dashboard: &Dashboard) -> Response<ConsoleBody> {
    json(&serde_json::json!({ "changes": dashboard.feed.changes() }))
}
