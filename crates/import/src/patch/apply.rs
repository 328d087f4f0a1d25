//! Patch operations applied to routes.
//!
//! Operations change a draft of the route's integration settings in order; the draft is then
//! resolved into a route (the target an `INTERNET` URI host names, the listener a `VPC_LINK`
//! URI port picks). Nothing changes unless every operation applies and the result resolves.

use hoplab_scenario::{ConnectionType, IntegrationUri, Route, Scenario, parse_integration_uri};

use super::{Op, PatchOp};
use crate::error::PatchError;

/// The operations hoplab simulates, as error messages list them.
pub const SUPPORTED: &str = "replace /tlsConfig/insecureSkipVerification (true or false), \
replace /timeoutInMillis (50..=300000), replace /uri (http or https), \
replace /connectionType (INTERNET or VPC_LINK), replace /connectionId (an NLB name in the scenario)";

/// Which routes of a scenario to patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteSelector {
    /// Every route.
    All,
    /// The route with this method (case-insensitive, `ANY` only matches `ANY`) and path.
    Route {
        /// HTTP method or `ANY`.
        method: String,
        /// Resource path.
        path: String,
    },
}

impl RouteSelector {
    /// Reads `METHOD /path` (as reports name routes), or `*` for every route.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text == "*" {
            return Some(RouteSelector::All);
        }
        let (method, path) = text.split_once(char::is_whitespace)?;
        let path = path.trim();
        (!method.is_empty() && path.starts_with('/')).then(|| RouteSelector::Route {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
        })
    }

    fn matches(&self, route: &Route) -> bool {
        match self {
            RouteSelector::All => true,
            RouteSelector::Route { method, path } => {
                route.method.eq_ignore_ascii_case(method) && route.path == *path
            }
        }
    }
}

impl std::fmt::Display for RouteSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RouteSelector::All => f.write_str("*"),
            RouteSelector::Route { method, path } => {
                write!(f, "{} {path}", method.to_ascii_uppercase())
            }
        }
    }
}

/// Applies operations to one route on its own. Changes that need the rest of the scenario to
/// resolve (a URI host or port that may name another target or listener, another connection
/// type or NLB) are refused with [`PatchError::NeedsScenario`]; [`apply_to_scenario`] takes
/// them.
pub fn apply(route: &mut Route, ops: &[PatchOp]) -> Result<(), PatchError> {
    let draft = Draft::of(route).patch(ops)?;
    let connection = draft.resolve_alone(route)?;
    draft.commit(route, connection);
    Ok(())
}

/// Applies operations to the selected routes of a scenario, resolving URI hosts against the
/// targets' `dns_names` and URI ports against the NLB's listeners. Returns how many routes
/// changed; nothing changes unless every selected route takes every operation.
pub fn apply_to_scenario(
    scenario: &mut Scenario,
    selector: &RouteSelector,
    ops: &[PatchOp],
) -> Result<usize, PatchError> {
    let mut patched = Vec::new();
    for (i, route) in scenario.gateway.routes.iter().enumerate() {
        if !selector.matches(route) {
            continue;
        }
        let draft = Draft::of(route).patch(ops)?;
        let connection = draft.resolve_in(scenario, route)?;
        patched.push((i, draft, connection));
    }
    if patched.is_empty() {
        let routes: Vec<String> = scenario
            .gateway
            .routes
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        return Err(PatchError::NoRoute {
            selector: selector.to_string(),
            routes: routes.join(", "),
        });
    }
    let count = patched.len();
    for (i, draft, connection) in patched {
        draft.commit(&mut scenario.gateway.routes[i], connection);
    }
    Ok(count)
}

/// The connection a draft asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Internet,
    VpcLink,
}

impl Kind {
    fn of(connection: &ConnectionType) -> Self {
        match connection {
            ConnectionType::Internet { .. } => Kind::Internet,
            ConnectionType::VpcLink { .. } => Kind::VpcLink,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Kind::Internet => "INTERNET",
            Kind::VpcLink => "VPC_LINK",
        }
    }
}

/// A route's integration settings being patched.
#[derive(Debug, Clone)]
struct Draft {
    uri: IntegrationUri,
    kind: Kind,
    /// The NLB a VPC link reaches (`connectionId`).
    nlb: Option<String>,
    skip: bool,
    timeout_ms: u32,
}

impl Draft {
    fn of(route: &Route) -> Self {
        let nlb = match &route.connection {
            ConnectionType::Internet { .. } => None,
            ConnectionType::VpcLink { nlb, .. } => Some(nlb.clone()),
        };
        Draft {
            uri: route.uri.clone(),
            kind: Kind::of(&route.connection),
            nlb,
            skip: route.insecure_skip_verification,
            timeout_ms: route.timeout_ms,
        }
    }

    fn patch(mut self, ops: &[PatchOp]) -> Result<Self, PatchError> {
        for (i, op) in ops.iter().enumerate() {
            self.patch_one(i + 1, op)?;
        }
        Ok(self)
    }

    fn patch_one(&mut self, index: usize, op: &PatchOp) -> Result<(), PatchError> {
        let unsupported = || PatchError::Unsupported {
            op: op.op.to_string(),
            path: op.path.clone(),
            supported: SUPPORTED.to_owned(),
        };
        if op.op != Op::Replace {
            return Err(unsupported());
        }
        let value = op.value.as_deref().ok_or(PatchError::MissingField {
            index,
            field: "value",
        })?;
        let invalid = |expected: &str| PatchError::InvalidValue {
            path: op.path.clone(),
            value: value.to_owned(),
            expected: expected.to_owned(),
        };
        match op.path.as_str() {
            "/tlsConfig/insecureSkipVerification" => {
                self.skip = match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(invalid("expected true or false")),
                };
            }
            "/timeoutInMillis" => {
                self.timeout_ms = value
                    .parse::<u32>()
                    .ok()
                    .filter(|ms| (50..=300_000).contains(ms))
                    .ok_or_else(|| invalid("expected milliseconds from 50 to 300000"))?;
            }
            "/uri" => {
                self.uri = parse_integration_uri(value).map_err(|problem| invalid(&problem))?;
            }
            "/connectionType" => {
                self.kind = match value {
                    "INTERNET" => Kind::Internet,
                    "VPC_LINK" => Kind::VpcLink,
                    _ => return Err(invalid("expected INTERNET or VPC_LINK")),
                };
            }
            "/connectionId" => {
                if value.is_empty() {
                    return Err(invalid("expected the name of an NLB in the scenario"));
                }
                self.nlb = Some(value.to_owned());
            }
            _ => return Err(unsupported()),
        }
        Ok(())
    }

    /// The connection, when the change needs nothing but the route itself.
    fn resolve_alone(&self, route: &Route) -> Result<ConnectionType, PatchError> {
        let needs = |path: &str, reason: String| PatchError::NeedsScenario {
            path: path.to_owned(),
            reason,
        };
        match (&route.connection, self.kind) {
            (ConnectionType::Internet { target }, Kind::Internet) => {
                if self.uri.host != route.uri.host {
                    return Err(needs(
                        "/uri",
                        format!(
                            "the uri host changes from {} to {}, which may be another target",
                            route.uri.host, self.uri.host
                        ),
                    ));
                }
                Ok(ConnectionType::Internet {
                    target: target.clone(),
                })
            }
            (ConnectionType::VpcLink { nlb, listener_port }, Kind::VpcLink) => {
                let wanted = self.nlb.as_deref().unwrap_or(nlb);
                if wanted != nlb {
                    return Err(needs(
                        "/connectionId",
                        format!("the nlb changes from {nlb} to {wanted}"),
                    ));
                }
                if self.uri.port != *listener_port {
                    return Err(needs(
                        "/uri",
                        format!(
                            "the uri port changes from {listener_port} to {}, which picks another listener",
                            self.uri.port
                        ),
                    ));
                }
                Ok(route.connection.clone())
            }
            (current, wanted) => Err(needs(
                "/connectionType",
                format!(
                    "the connection type changes from {} to {}",
                    Kind::of(current).as_str(),
                    wanted.as_str()
                ),
            )),
        }
    }

    /// The connection, resolved against the scenario's targets and NLBs.
    fn resolve_in(&self, scenario: &Scenario, route: &Route) -> Result<ConnectionType, PatchError> {
        let unresolved = |message: String| PatchError::Unresolved {
            route: format!("{} {}", route.method, route.path),
            message,
        };
        match self.kind {
            Kind::Internet => scenario
                .targets
                .iter()
                .find(|t| t.dns_names.iter().any(|d| d.eq_ignore_ascii_case(&self.uri.host)))
                .map(|t| ConnectionType::Internet {
                    target: t.name.clone(),
                })
                .ok_or_else(|| {
                    unresolved(format!(
                        "no target serves host {} (an INTERNET uri's host must be in a target's dns_names)",
                        self.uri.host
                    ))
                }),
            Kind::VpcLink => {
                let name = self.nlb.as_deref().ok_or_else(|| {
                    unresolved(
                        "connectionType is VPC_LINK but no connectionId names the nlb \
                         (add op=replace,path=/connectionId,value=<nlb name>)"
                            .to_owned(),
                    )
                })?;
                let Some(nlb) = scenario.nlbs.iter().find(|n| n.name == name) else {
                    let names: Vec<&str> = scenario.nlbs.iter().map(|n| n.name.as_str()).collect();
                    return Err(unresolved(format!(
                        "no nlb named {name} (nlbs: {})",
                        if names.is_empty() { "none".to_owned() } else { names.join(", ") }
                    )));
                };
                if !nlb.listeners.iter().any(|l| l.port == self.uri.port) {
                    let ports: Vec<String> = nlb.listeners.iter().map(|l| l.port.to_string()).collect();
                    return Err(unresolved(format!(
                        "nlb {name} has no listener on port {}, the uri's port (listeners: {})",
                        self.uri.port,
                        ports.join(", ")
                    )));
                }
                Ok(ConnectionType::VpcLink {
                    nlb: name.to_owned(),
                    listener_port: self.uri.port,
                })
            }
        }
    }

    fn commit(self, route: &mut Route, connection: ConnectionType) {
        route.uri = self.uri;
        route.connection = connection;
        route.insecure_skip_verification = self.skip;
        route.timeout_ms = self.timeout_ms;
    }
}
