//! `[gateway]` and `[[gateway.routes]]` → [`Gateway`].

use std::collections::HashMap;

use toml::Spanned;

use super::values::{Problem, one_of_names, parse_method, parse_uri};
use super::{Cx, Index, dangling};
use crate::error::Rule;
use crate::ids::{ListenerId, RouteId, TargetId};
use crate::model::{
    ApiType, Backend, ConnectionType, Gateway, IntegrationType, IntegrationUri, Route, Scheme,
};
use crate::raw::{RawGateway, RawRoute, RawScenario};

/// An HTTP API's integration timeout cannot exceed 30 s (not adjustable).
const HTTP_API_MAX_TIMEOUT_MS: u32 = 30_000;

/// The rules that differ between REST and HTTP APIs.
fn check_api_rules(cx: &mut Cx<'_>, api: ApiType, g: &RawGateway, routes: &[Route]) {
    for (i, (raw, route)) in g.routes.iter().zip(routes).enumerate() {
        let raw = raw.get_ref();
        let rf = format!("gateway.routes[{i}]");
        match api {
            ApiType::Rest => {
                if let Some(name) = &raw.server_name_to_verify {
                    cx.error(
                        name.span(),
                        format!("{rf}.server_name_to_verify"),
                        "serverNameToVerify is a setting of HTTP APIs",
                        Some("set `[gateway] api = \"HTTP\"`, or remove it: a REST API checks the URI host".into()),
                    );
                }
            }
            ApiType::Http => {
                if let Some(flag) = raw
                    .insecure_skip_verification
                    .as_ref()
                    .filter(|f| *f.get_ref())
                {
                    cx.error(
                        flag.span(),
                        format!("{rf}.insecure_skip_verification"),
                        "insecureSkipVerification is supported only for REST APIs",
                        Some("an HTTP API's tlsConfig has only serverNameToVerify; use a certificate API Gateway trusts".into()),
                    );
                }
                if let Some(name) = &raw.server_name_to_verify
                    && route.backend.connection_type() != ConnectionType::VpcLink
                {
                    cx.error(
                        name.span(),
                        format!("{rf}.server_name_to_verify"),
                        "serverNameToVerify applies to private (VPC_LINK) integrations only",
                        Some("set connection_type = \"VPC_LINK\" or remove it".into()),
                    );
                }
                if route.integration != IntegrationType::HttpProxy {
                    let span = raw
                        .integration
                        .as_ref()
                        .map_or(raw.path.span(), Spanned::span);
                    cx.error(
                        span,
                        format!("{rf}.integration"),
                        "HTTP API integrations with an HTTP endpoint are HTTP_PROXY",
                        Some("use integration = \"HTTP_PROXY\"".into()),
                    );
                }
                if route.timeout_ms > HTTP_API_MAX_TIMEOUT_MS {
                    let span = raw
                        .timeout_ms
                        .as_ref()
                        .map_or(raw.path.span(), Spanned::span);
                    cx.error(
                        span,
                        format!("{rf}.timeout_ms"),
                        format!("an HTTP API's integration timeout cannot exceed {HTTP_API_MAX_TIMEOUT_MS} ms"),
                        Some("expected 50..=30000".into()),
                    );
                }
            }
        }
    }
}

/// Default and bounds of `timeout_ms`.
const DEFAULT_TIMEOUT_MS: u32 = 29_000;
const TIMEOUT_RANGE: std::ops::RangeInclusive<i64> = 50..=300_000;

pub(super) fn convert(cx: &mut Cx<'_>, raw: &RawScenario, index: &Index<'_>) -> Gateway {
    let Some(gateway) = &raw.gateway else {
        cx.error(
            0..0,
            "gateway.routes".into(),
            "scenario has no routes",
            Some("add a [[gateway.routes]] table with path and uri".into()),
        );
        return Gateway {
            api: ApiType::Rest,
            stage: "test".into(),
            routes: Vec::new(),
            trusted_ca: Vec::new(),
            public_roots: false,
        };
    };
    let g = gateway.get_ref();
    let stage = match &g.stage {
        None => "test".to_owned(),
        Some(stage) => {
            let s = stage.get_ref();
            let valid = !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !valid {
                cx.error(
                    stage.span(),
                    "gateway.stage".into(),
                    format!("invalid stage name {s:?}"),
                    Some("stage names use letters, digits, '-' and '_'".into()),
                );
            }
            s.clone()
        }
    };
    if g.routes.is_empty() {
        cx.error(
            gateway.span(),
            "gateway.routes".into(),
            "scenario has no routes",
            Some("add a [[gateway.routes]] table with path and uri".into()),
        );
    }

    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let routes: Vec<Route> = g
        .routes
        .iter()
        .enumerate()
        .map(|(i, route)| {
            let rf = format!("gateway.routes[{i}]");
            let converted = convert_route(cx, index, i, &rf, route.get_ref());
            let key = (converted.method.clone(), converted.path.clone());
            if let Some(&first) = seen.get(&key) {
                cx.error(
                    route.get_ref().path.span(),
                    format!("{rf}.path"),
                    format!("duplicate route {} {}", key.0, key.1),
                    Some(format!(
                        "already defined by gateway.routes[{first}]; each method and path pair is one route"
                    )),
                );
            } else {
                seen.insert(key, i);
            }
            converted
        })
        .collect();
    let mut trusted_ca = Vec::new();
    for (i, file) in g.trusted_ca_files.iter().enumerate() {
        let path = cx.base_dir().join(file.get_ref());
        match super::pem::read_certificates(&path) {
            Ok(certs) => trusted_ca.extend(certs),
            Err(problem) => cx.problem(
                file.span(),
                format!("gateway.trusted_ca_files[{i}]"),
                problem,
            ),
        }
    }
    let api = cx.enum_or(
        g.api.as_ref(),
        "gateway.api".into(),
        "API type",
        ApiType::ALL,
        ApiType::Rest,
    );
    check_api_rules(cx, api, g, &routes);
    Gateway {
        api,
        stage,
        routes,
        trusted_ca,
        public_roots: g.public_roots,
    }
}

fn convert_route(cx: &mut Cx<'_>, index: &Index<'_>, i: usize, rf: &str, r: &RawRoute) -> Route {
    let method = match &r.method {
        None => "GET".to_owned(),
        Some(method) => parse_method(method.get_ref(), true).unwrap_or_else(|problem| {
            cx.problem(method.span(), format!("{rf}.method"), problem);
            method.get_ref().to_ascii_uppercase()
        }),
    };
    if let Err(problem) = check_resource_path(r.path.get_ref()) {
        cx.problem(r.path.span(), format!("{rf}.path"), problem);
    }
    let integration = cx.enum_or(
        r.integration.as_ref(),
        format!("{rf}.integration"),
        "integration type",
        IntegrationType::ALL,
        IntegrationType::HttpProxy,
    );
    let uri = match parse_uri(r.uri.get_ref()) {
        Ok(uri) => Some(uri),
        Err(problem) => {
            cx.problem(r.uri.span(), format!("{rf}.uri"), problem);
            cx.tag_last(Rule::InvalidUri { route: i });
            None
        }
    };
    let connection_type = match &r.connection_type {
        None => Some(ConnectionType::Internet),
        Some(text) => cx.enum_required(
            text,
            format!("{rf}.connection_type"),
            "connection type",
            ConnectionType::ALL,
        ),
    };
    let backend = match connection_type {
        Some(ConnectionType::VpcLink) => vpc_link(cx, index, i, rf, r, uri.as_ref()),
        Some(ConnectionType::Internet) => internet(cx, index, i, rf, r, uri.as_ref()),
        // Reported; the placeholder is never seen.
        None => Backend::Internet(TargetId::unresolved()),
    };
    let timeout_ms = match &r.timeout_ms {
        None => DEFAULT_TIMEOUT_MS,
        Some(timeout) => match u32::try_from(*timeout.get_ref()) {
            Ok(ms) if TIMEOUT_RANGE.contains(timeout.get_ref()) => ms,
            _ => {
                cx.rule_error(
                    timeout.span(),
                    format!("{rf}.timeout_ms"),
                    format!("timeout_ms {} is out of range", timeout.get_ref()),
                    Some(
                        "expected 50..=300000; the default is 29000, and above 29000 needs a quota increase on a Regional REST API"
                            .into(),
                    ),
                    Rule::TimeoutOutOfRange { route: i },
                );
                DEFAULT_TIMEOUT_MS
            }
        },
    };
    Route {
        id: RouteId::new(i),
        method,
        path: r.path.get_ref().clone(),
        integration,
        uri: uri.unwrap_or_else(|| IntegrationUri {
            raw: r.uri.get_ref().clone(),
            scheme: Scheme::Https,
            host: String::new(),
            port: 0,
            path_and_query: "/".into(),
        }),
        backend,
        insecure_skip_verification: r
            .insecure_skip_verification
            .as_ref()
            .is_some_and(|flag| *flag.get_ref()),
        server_name_to_verify: r
            .server_name_to_verify
            .as_ref()
            .map(|n| n.get_ref().to_ascii_lowercase()),
        timeout_ms,
    }
}

/// Checks a route or request path: starts with `/`, no whitespace or fragment.
pub(super) fn check_resource_path(path: &str) -> Result<(), Problem> {
    const HELP: &str = "expected a path starting with \"/\", such as \"/pets\"";
    if !path.starts_with('/') {
        return Err(Problem::new(
            format!("path {path:?} does not start with \"/\""),
            HELP,
        ));
    }
    if let Some(c) = path.chars().find(|c| !c.is_ascii_graphic() || *c == '#') {
        return Err(Problem::new(format!("path {path:?} contains {c:?}"), HELP));
    }
    if path == "/_hoplab" || path.starts_with("/_hoplab/") {
        return Err(Problem::new(
            format!(
                "path {path:?} is under /_hoplab/, which the gateway keeps for its invocation records"
            ),
            "choose another path",
        ));
    }
    Ok(())
}

fn vpc_link(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    route: usize,
    rf: &str,
    r: &RawRoute,
    uri: Option<&IntegrationUri>,
) -> Backend {
    let unresolved = Backend::VpcLink(ListenerId::unresolved());
    let nlb_names: Vec<&str> = index.nlbs.iter().map(|(n, _)| *n).collect();
    let Some(link) = &r.vpc_link else {
        let span = r
            .connection_type
            .as_ref()
            .map_or_else(|| r.uri.span(), Spanned::span);
        cx.rule_error(
            span,
            format!("{rf}.vpc_link"),
            "VPC_LINK route has no vpc_link",
            Some(format!(
                "set `vpc_link` to the nlb behind the link: {}",
                one_of_names("nlbs", nlb_names.iter().copied())
            )),
            Rule::MissingVpcLink { route },
        );
        return unresolved;
    };
    let nlb = link.get_ref();
    let Some((nlb_id, ports)) = index.nlb(nlb) else {
        dangling(cx, link, format!("{rf}.vpc_link"), "nlbs", &nlb_names);
        cx.tag_last(Rule::UnknownNlb {
            route,
            name: nlb.clone(),
            nlbs: nlb_names.iter().map(|n| (*n).to_owned()).collect(),
        });
        return unresolved;
    };
    // An unparsable URI is reported where it is parsed.
    let Some(uri) = uri else {
        return unresolved;
    };
    match index.listener(nlb_id, uri.port) {
        Some(listener) if ports.contains(&uri.port) => Backend::VpcLink(listener),
        _ => {
            let help = if ports.is_empty() {
                format!("nlb {nlb:?} has no valid listeners")
            } else {
                let listed: Vec<String> = ports.iter().map(u16::to_string).collect();
                format!("listener ports on nlb {nlb:?}: {}", listed.join(", "))
            };
            cx.rule_error(
                r.uri.span(),
                format!("{rf}.uri"),
                format!(
                    "nlb {nlb:?} has no listener on port {}, the integration uri's port",
                    uri.port
                ),
                Some(help),
                Rule::NoListenerOnPort {
                    route,
                    nlb: nlb.clone(),
                    port: uri.port,
                    ports: ports.to_vec(),
                },
            );
            unresolved
        }
    }
}

fn internet(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    route: usize,
    rf: &str,
    r: &RawRoute,
    uri: Option<&IntegrationUri>,
) -> Backend {
    let unresolved = Backend::Internet(TargetId::unresolved());
    if let Some(link) = &r.vpc_link {
        cx.error(
            link.span(),
            format!("{rf}.vpc_link"),
            "an INTERNET route takes no vpc_link",
            Some("remove `vpc_link`, or set connection_type = \"VPC_LINK\"".into()),
        );
    }
    let Some(uri) = uri else {
        return unresolved;
    };
    match index.dns.get(&uri.host) {
        Some(target) => Backend::Internet(*target),
        None => {
            let known = if index.dns.is_empty() {
                "no target has dns_names".to_owned()
            } else {
                one_of_names("dns names", index.dns.keys().map(String::as_str))
            };
            cx.rule_error(
                r.uri.span(),
                format!("{rf}.uri"),
                format!("no target serves host {:?}", uri.host),
                Some(format!(
                    "an INTERNET uri's host must be in a target's dns_names; {known}"
                )),
                Rule::UnknownHost {
                    route,
                    host: uri.host.clone(),
                },
            );
            unresolved
        }
    }
}
