//! Patch operations applied to the routes of a scenario.
//!
//! Each operation sets one key of the route as the scenario file writes it (`uri`,
//! `connection_type`, `vpc_link`, `integration_target`, `timeout_ms`,
//! `insecure_skip_verification`), in order, on
//! every selected route. The scenario is then validated again, like a file: a patched route
//! meets every rule a written one meets, the API's rules included (an HTTP API's 30-second
//! timeout, its lack of `insecureSkipVerification`). What validation finds about a value the
//! patch set is reported in the patch's words (`connectionId`, not `vpc_link`). Nothing
//! changes unless the whole patched scenario is valid.

use hoplab_scenario::{
    ConnectionType, LoadError, Route, RouteBuilder, Rule, Scenario, ScenarioError,
};

use super::{Op, PatchOp};
use crate::error::PatchError;

/// The operations hoplab simulates, as error messages list them.
pub const SUPPORTED: &str = "replace /tlsConfig/insecureSkipVerification (true or false), \
replace /timeoutInMillis (50..=300000), replace /uri (http or https), \
replace /connectionType (INTERNET or VPC_LINK), replace /connectionId (an NLB name in the scenario), \
replace /integrationTarget (an ALB or NLB name in the scenario, VPC link V2)";

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
                route.method().eq_ignore_ascii_case(method) && route.path() == path
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

/// Applies operations to the selected routes of a scenario and validates the result again:
/// a URI host resolves against the targets' `dns_names`, a URI port against the NLB's
/// listeners, and every rule of the scenario reference applies. Returns how many routes
/// changed; nothing changes unless every selected route takes every operation and the
/// patched scenario is valid.
pub fn apply_to_scenario(
    scenario: &mut Scenario,
    selector: &RouteSelector,
    ops: &[PatchOp],
) -> Result<usize, PatchError> {
    let selected: Vec<&Route> = scenario
        .routes()
        .iter()
        .filter(|route| selector.matches(route))
        .collect();
    if selected.is_empty() {
        let routes: Vec<String> = scenario.routes().iter().map(label).collect();
        return Err(PatchError::NoRoute {
            selector: selector.to_string(),
            routes: routes.join(", "),
        });
    }
    let edits = ops
        .iter()
        .enumerate()
        .map(|(i, op)| Edit::parse(i + 1, op))
        .collect::<Result<Vec<_>, _>>()?;
    let count = selected.len();
    let mut builder = scenario.to_builder();
    for route in selected {
        builder = builder.edit_route(route.id(), |raw| {
            edits.iter().fold(raw, |raw, edit| edit.apply(raw))
        });
    }
    match builder.build() {
        Ok(patched) => {
            *scenario = patched;
            Ok(count)
        }
        Err(error) => Err(refusal(scenario, &edits, error)),
    }
}

/// `METHOD path`, how errors name a route.
fn label(route: &Route) -> String {
    format!("{} {}", route.method(), route.path())
}

/// One operation, read: the key it sets and the value.
#[derive(Debug, Clone)]
enum Edit {
    SkipVerification(bool),
    /// The value as written, and as read.
    Timeout(String, u32),
    Uri(String),
    ConnectionType(ConnectionType),
    ConnectionId(String),
    /// `integration_target`: the ALB or NLB a VPC link V2 integration reaches.
    IntegrationTarget(String),
}

impl Edit {
    /// Reads an operation; the value must be of the kind its path takes. Whether it is
    /// allowed there is for validation to say.
    fn parse(index: usize, op: &PatchOp) -> Result<Edit, PatchError> {
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
        Ok(match op.path.as_str() {
            "/tlsConfig/insecureSkipVerification" => match value.to_ascii_lowercase().as_str() {
                "true" => Edit::SkipVerification(true),
                "false" => Edit::SkipVerification(false),
                _ => return Err(invalid("expected true or false")),
            },
            "/timeoutInMillis" => match value.parse::<u32>() {
                Ok(ms) => Edit::Timeout(value.to_owned(), ms),
                Err(_) => return Err(invalid(TIMEOUT_RANGE)),
            },
            "/uri" => Edit::Uri(value.to_owned()),
            "/connectionType" => match ConnectionType::from_spelling(value) {
                Some(connection) => Edit::ConnectionType(connection),
                None => return Err(invalid("expected INTERNET or VPC_LINK")),
            },
            "/connectionId" => {
                if value.is_empty() {
                    return Err(invalid("expected the name of an NLB in the scenario"));
                }
                Edit::ConnectionId(value.to_owned())
            }
            "/integrationTarget" => {
                if value.is_empty() {
                    return Err(invalid(
                        "expected the name of an ALB or NLB in the scenario",
                    ));
                }
                Edit::IntegrationTarget(value.to_owned())
            }
            _ => return Err(unsupported()),
        })
    }

    /// The route as written, with this key set.
    fn apply(&self, route: RouteBuilder) -> RouteBuilder {
        match self {
            Edit::SkipVerification(skip) => route.insecure_skip_verification(*skip),
            Edit::Timeout(_, ms) => route.timeout_ms(*ms),
            Edit::Uri(uri) => route.uri(uri),
            Edit::ConnectionType(connection) => route.connection_type(*connection),
            Edit::ConnectionId(nlb) => route.connection_id(nlb),
            Edit::IntegrationTarget(balancer) => route.integration_target(balancer),
        }
    }
}

/// What a `/timeoutInMillis` value must be.
const TIMEOUT_RANGE: &str = "expected milliseconds from 50 to 300000";

/// Why the patched scenario is refused: the first problem validation found, in the words of
/// the patch when it is about a value the patch set.
fn refusal(scenario: &Scenario, edits: &[Edit], error: LoadError) -> PatchError {
    let LoadError::Invalid(errors) = error else {
        return PatchError::Reload {
            message: error.to_string(),
        };
    };
    errors
        .first()
        .and_then(|first| restate(scenario, edits, first))
        .unwrap_or(PatchError::Invalid { errors })
}

/// A validation error about a patched value, as the patch states it.
fn restate(scenario: &Scenario, edits: &[Edit], error: &ScenarioError) -> Option<PatchError> {
    let route_label = |route: &usize| scenario.routes().get(*route).map(label);
    let unresolved = |route: &usize, message: String| {
        Some(PatchError::Unresolved {
            route: route_label(route)?,
            message,
        })
    };
    let last_value = |pick: fn(&Edit) -> Option<&str>| edits.iter().rev().find_map(pick);
    match error.rule.as_ref()? {
        Rule::TimeoutOutOfRange { .. } => Some(PatchError::InvalidValue {
            path: "/timeoutInMillis".to_owned(),
            value: last_value(|e| match e {
                Edit::Timeout(text, _) => Some(text),
                _ => None,
            })?
            .to_owned(),
            expected: TIMEOUT_RANGE.to_owned(),
        }),
        Rule::InvalidUri { .. } => Some(PatchError::InvalidValue {
            path: "/uri".to_owned(),
            value: last_value(|e| match e {
                Edit::Uri(uri) => Some(uri),
                _ => None,
            })?
            .to_owned(),
            expected: match &error.help {
                Some(help) => format!("{}; {help}", error.message),
                None => error.message.clone(),
            },
        }),
        Rule::MissingVpcLink { route } => unresolved(
            route,
            "connectionType is VPC_LINK but no connectionId names the nlb \
             (add op=replace,path=/connectionId,value=<nlb name>)"
                .to_owned(),
        ),
        Rule::UnknownNlb { route, name, nlbs } => unresolved(
            route,
            format!("no nlb named {name} (nlbs: {})", listed(nlbs)),
        ),
        Rule::MissingIntegrationTarget { route } => unresolved(
            route,
            "IntegrationTarget is required for VpcLinkV2 \
             (add op=replace,path=/integrationTarget,value=<alb or nlb name>)"
                .to_owned(),
        ),
        Rule::UnknownIntegrationTarget {
            route,
            name,
            balancers,
        } => unresolved(
            route,
            format!(
                "no load balancer named {name} (load balancers: {})",
                listed(balancers)
            ),
        ),
        Rule::NoListenerOnPort {
            route,
            nlb,
            port,
            ports,
        } => {
            let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
            unresolved(
                route,
                format!(
                    "nlb {nlb} has no listener on port {port}, the uri's port (listeners: {})",
                    ports.join(", ")
                ),
            )
        }
        Rule::UnknownHost { route, host } => unresolved(
            route,
            format!(
                "no target serves host {host} (an INTERNET uri's host must be in a target's \
                 dns_names)"
            ),
        ),
        _ => None,
    }
}

/// Names joined by commas, or `none`.
fn listed(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}
