//! `[gateway]` and `[[gateway.routes]]` → [`Gateway`].
//!
//! A `VPC_LINK` route reaches a load balancer listener, picked by the URI's port:
//! - REST API, VPC link V1 (the default, AWS's "legacy"): `vpc_link` names one NLB; an ALB
//!   there is AWS's `NLB ARN is malformed`; no listener on the port is a scenario error.
//! - REST API, `vpc_link_version = "V2"`: `integration_target` names an ALB or an NLB
//!   (AWS's `integrationTarget`); without it, `IntegrationTarget is required for VpcLinkV2`.
//!   No listener on the port is not an error: nothing answers there (facts §7.3).
//! - HTTP API (always V2): `vpc_link` names the NLB or ALB whose listener (AWS: a listener
//!   ARN) the URI port picks, which must exist.

use std::collections::HashMap;

use toml::Spanned;

use super::values::{Problem, one_of_names, parse_method, parse_uri};
use super::{Cx, Index, dangling};
use crate::error::Rule;
use crate::ids::{ListenerId, RouteId, TargetId};
use crate::model::{
    ApiType, Backend, ConnectionType, DEFAULT_STAGE, Gateway, IntegrationType, IntegrationUri,
    LoadBalancer, Route, STAGE_PREFIX_DEFAULT, Scheme, VpcLinkVersion,
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
            let valid = s == DEFAULT_STAGE
                || (!s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            if !valid {
                cx.error(
                    stage.span(),
                    "gateway.stage".into(),
                    format!("invalid stage name {s:?}"),
                    Some(
                        "stage names use letters, digits, '-' and '_'; an HTTP API may also \
                         have the stage \"$default\", served at the root"
                            .into(),
                    ),
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

    let api = cx.enum_or(
        g.api.as_ref(),
        "gateway.api".into(),
        "API type",
        ApiType::ALL,
        ApiType::Rest,
    );
    if let (ApiType::Rest, Some(written)) = (api, &g.stage)
        && written.get_ref() == DEFAULT_STAGE
    {
        cx.error(
            written.span(),
            "gateway.stage".into(),
            "a REST API has no \"$default\" stage: it is an HTTP API's",
            Some(
                "set `[gateway] api = \"HTTP\"`, or name the stage (letters, digits, '-' and \
                 '_'), as a REST API's invoke URL always has one"
                    .into(),
            ),
        );
    }
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let routes: Vec<Route> = g
        .routes
        .iter()
        .enumerate()
        .map(|(i, route)| {
            let rf = format!("gateway.routes[{i}]");
            let converted = convert_route(cx, index, api, i, &rf, route.get_ref());
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
    check_api_rules(cx, api, g, &routes);
    Gateway {
        api,
        stage,
        routes,
        trusted_ca,
        public_roots: g.public_roots,
    }
}

fn convert_route(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    api: ApiType,
    i: usize,
    rf: &str,
    r: &RawRoute,
) -> Route {
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
    let (backend, vpc_link_version) = match connection_type {
        Some(ConnectionType::VpcLink) => {
            let link = Link {
                route: i,
                rf,
                r,
                uri: uri.as_ref(),
            };
            let version = link.version(cx, api);
            let backend = match (api, version) {
                (ApiType::Http, _) => link.http_api(cx, index),
                (ApiType::Rest, VpcLinkVersion::V1) => link.v1(cx, index),
                (ApiType::Rest, VpcLinkVersion::V2) => link.v2(cx, index),
            };
            (backend, Some(version))
        }
        Some(ConnectionType::Internet) => (internet(cx, index, i, rf, r, uri.as_ref()), None),
        // Reported; the placeholder is never seen.
        None => (Backend::Internet(TargetId::unresolved()), None),
    };
    let stage_prefix = match (&r.stage_prefix, vpc_link_version) {
        (None, Some(VpcLinkVersion::V2)) => STAGE_PREFIX_DEFAULT,
        (None, _) => false,
        (Some(flag), Some(VpcLinkVersion::V2)) => *flag.get_ref(),
        (Some(flag), _) => {
            cx.error(
                flag.span(),
                format!("{rf}.stage_prefix"),
                "stage_prefix applies to VPC link V2 private integrations",
                Some(
                    "remove it: VPC link V1 and internet integrations send the URI's path as written"
                        .into(),
                ),
            );
            false
        }
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
        vpc_link_version,
        stage_prefix,
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

/// One `VPC_LINK` route being resolved.
struct Link<'a> {
    route: usize,
    rf: &'a str,
    r: &'a RawRoute,
    /// `None` when the URI does not parse (reported where it is parsed).
    uri: Option<&'a IntegrationUri>,
}

impl Link<'_> {
    /// `vpc_link_version`: V1 by default on a REST API; an HTTP API's links are V2.
    fn version(&self, cx: &mut Cx<'_>, api: ApiType) -> VpcLinkVersion {
        let written = self.r.vpc_link_version.as_ref().and_then(|text| {
            cx.enum_required(
                text,
                format!("{}.vpc_link_version", self.rf),
                "VPC link version",
                VpcLinkVersion::ALL,
            )
        });
        match (api, written) {
            (ApiType::Rest, version) => version.unwrap_or_default(),
            (ApiType::Http, Some(VpcLinkVersion::V1)) => {
                if let Some(text) = &self.r.vpc_link_version {
                    cx.error(
                        text.span(),
                        format!("{}.vpc_link_version", self.rf),
                        "HTTP APIs use VPC links V2 only",
                        Some("remove it, or write \"V2\"".into()),
                    );
                }
                VpcLinkVersion::V2
            }
            (ApiType::Http, _) => VpcLinkVersion::V2,
        }
    }

    /// Reports a key this kind of link does not take.
    fn refuse(
        &self,
        cx: &mut Cx<'_>,
        key: Option<&Spanned<String>>,
        name: &str,
        why: &str,
        help: &str,
    ) {
        if let Some(key) = key {
            cx.error(
                key.span(),
                format!("{}.{name}", self.rf),
                why.to_owned(),
                Some(help.to_owned()),
            );
        }
    }

    /// The value of the key `name` that names the load balancer; when it is missing, reports
    /// `message` (breaking `rule`) at `anchor`, else at the URI.
    fn required<'k>(
        &self,
        cx: &mut Cx<'_>,
        (name, value): (&str, &'k Option<Spanned<String>>),
        anchor: &Option<Spanned<String>>,
        (message, help): (&str, String),
        rule: Rule,
    ) -> Option<&'k Spanned<String>> {
        if value.is_none() {
            let span = anchor
                .as_ref()
                .map_or_else(|| self.r.uri.span(), Spanned::span);
            cx.rule_error(
                span,
                format!("{}.{name}", self.rf),
                message,
                Some(help),
                rule,
            );
        }
        value.as_ref()
    }

    /// Reports that `value` (of the key `name`) names none of `valid` (`kind`), breaking
    /// `rule`.
    fn unknown(
        &self,
        cx: &mut Cx<'_>,
        (name, value): (&str, &Spanned<String>),
        (kind, valid): (&str, &[&str]),
        rule: Rule,
    ) {
        dangling(cx, value, format!("{}.{name}", self.rf), kind, valid);
        cx.tag_last(rule);
    }

    /// REST API, VPC link V1: `vpc_link` names the NLB.
    fn v1(&self, cx: &mut Cx<'_>, index: &Index<'_>) -> Backend {
        let unresolved = Backend::VpcLink(ListenerId::unresolved());
        self.refuse(
            cx,
            self.r.integration_target.as_ref(),
            "integration_target",
            "integration_target is a VPC link V2 setting",
            "set vpc_link_version = \"V2\" to name the load balancer per integration, or remove it",
        );
        let nlb_names: Vec<&str> = index.nlbs.iter().map(|(n, _)| *n).collect();
        let help = format!(
            "set `vpc_link` to the nlb behind the link: {}",
            one_of_names("nlbs", nlb_names.iter().copied())
        );
        let Some(link) = self.required(
            cx,
            ("vpc_link", &self.r.vpc_link),
            &self.r.connection_type,
            ("VPC_LINK route has no vpc_link", help),
            Rule::MissingVpcLink { route: self.route },
        ) else {
            return unresolved;
        };
        let name = link.get_ref();
        if index.alb(name).is_some() {
            cx.rule_error(
                link.span(),
                format!("{}.vpc_link", self.rf),
                format!("a VPC link V1 targets an NLB, and {name:?} is an alb: NLB ARN is malformed"),
                Some(format!(
                    "reach an ALB through a VPC link V2: vpc_link_version = \"V2\" and integration_target = {name:?}"
                )),
                Rule::V1LinkToAlb {
                    route: self.route,
                    alb: name.clone(),
                },
            );
            return unresolved;
        }
        let Some((nlb, ports)) = index.nlb(name) else {
            let rule = Rule::UnknownNlb {
                route: self.route,
                name: name.clone(),
                nlbs: nlb_names.iter().map(|n| (*n).to_owned()).collect(),
            };
            self.unknown(cx, ("vpc_link", link), ("nlbs", &nlb_names), rule);
            return unresolved;
        };
        let Some(uri) = self.uri else {
            return unresolved;
        };
        match index.listener(nlb, uri.port) {
            Some(listener) => Backend::VpcLink(listener),
            None => {
                self.no_listener(cx, "nlb", name, uri.port, ports);
                cx.tag_last(Rule::NoListenerOnPort {
                    route: self.route,
                    nlb: name.clone(),
                    port: uri.port,
                    ports: ports.to_vec(),
                });
                unresolved
            }
        }
    }

    /// REST API, VPC link V2: `integration_target` names an ALB or an NLB; a port without a
    /// listener is resolved to one nothing answers on.
    fn v2(&self, cx: &mut Cx<'_>, index: &Index<'_>) -> Backend {
        let unresolved = Backend::VpcLink(ListenerId::unresolved());
        self.refuse(
            cx,
            self.r.vpc_link.as_ref(),
            "vpc_link",
            "a VPC link V2 integration names its load balancer with integration_target",
            "rename vpc_link to integration_target",
        );
        let names = index.balancer_names();
        let help = format!(
            "set `integration_target` to the ALB or NLB the integration reaches: {}",
            one_of_names("load balancers", names.iter().copied())
        );
        let Some(target) = self.required(
            cx,
            ("integration_target", &self.r.integration_target),
            &self.r.vpc_link_version,
            ("IntegrationTarget is required for VpcLinkV2", help),
            Rule::MissingIntegrationTarget { route: self.route },
        ) else {
            return unresolved;
        };
        let Some((balancer, _)) = index.balancer(target.get_ref()) else {
            let rule = Rule::UnknownIntegrationTarget {
                route: self.route,
                name: target.get_ref().clone(),
                balancers: names.iter().map(|n| (*n).to_owned()).collect(),
            };
            self.unknown(
                cx,
                ("integration_target", target),
                ("load balancers", &names),
                rule,
            );
            return unresolved;
        };
        let Some(uri) = self.uri else {
            return unresolved;
        };
        listener_of(index, balancer, uri.port).unwrap_or(Backend::NoListener {
            balancer,
            port: uri.port,
        })
    }

    /// HTTP API: `vpc_link` names the NLB or ALB whose listener the URI port picks.
    fn http_api(&self, cx: &mut Cx<'_>, index: &Index<'_>) -> Backend {
        let unresolved = Backend::VpcLink(ListenerId::unresolved());
        self.refuse(
            cx,
            self.r.integration_target.as_ref(),
            "integration_target",
            "integrationTarget is a REST API field",
            "an HTTP API integration names a load balancer listener: set vpc_link to the load balancer, and the URI's port to the listener's",
        );
        let names = index.balancer_names();
        let help = format!(
            "set `vpc_link` to the load balancer whose listener the URI port picks: {}",
            one_of_names("load balancers", names.iter().copied())
        );
        let Some(link) = self.required(
            cx,
            ("vpc_link", &self.r.vpc_link),
            &self.r.connection_type,
            ("VPC_LINK route has no vpc_link", help),
            Rule::MissingVpcLink { route: self.route },
        ) else {
            return unresolved;
        };
        let name = link.get_ref();
        let Some((balancer, ports)) = index.balancer(name) else {
            let nlbs = index.nlbs.iter().map(|(n, _)| (*n).to_owned()).collect();
            let rule = Rule::UnknownNlb {
                route: self.route,
                name: name.clone(),
                nlbs,
            };
            self.unknown(cx, ("vpc_link", link), ("load balancers", &names), rule);
            return unresolved;
        };
        let Some(uri) = self.uri else {
            return unresolved;
        };
        if let Some(backend) = listener_of(index, balancer, uri.port) {
            return backend;
        }
        let (kind, rule) = match balancer {
            LoadBalancer::Nlb(_) => (
                "nlb",
                Rule::NoListenerOnPort {
                    route: self.route,
                    nlb: name.clone(),
                    port: uri.port,
                    ports: ports.to_vec(),
                },
            ),
            LoadBalancer::Alb(_) => (
                "alb",
                Rule::NoAlbListenerOnPort {
                    route: self.route,
                    alb: name.clone(),
                    port: uri.port,
                    ports: ports.to_vec(),
                },
            ),
        };
        self.no_listener(cx, kind, name, uri.port, ports);
        cx.tag_last(rule);
        unresolved
    }

    /// Reports that the load balancer `name` has no listener on `port`.
    fn no_listener(&self, cx: &mut Cx<'_>, kind: &str, name: &str, port: u16, ports: &[u16]) {
        let help = if ports.is_empty() {
            format!("{kind} {name:?} has no valid listeners")
        } else {
            let listed: Vec<String> = ports.iter().map(u16::to_string).collect();
            format!("listener ports on {kind} {name:?}: {}", listed.join(", "))
        };
        cx.error(
            self.r.uri.span(),
            format!("{}.uri", self.rf),
            format!("{kind} {name:?} has no listener on port {port}, the integration uri's port"),
            Some(help),
        );
    }
}

/// The listener of `balancer` on `port`, as a route's backend.
fn listener_of(index: &Index<'_>, balancer: LoadBalancer, port: u16) -> Option<Backend> {
    match balancer {
        LoadBalancer::Nlb(nlb) => index.listener(nlb, port).map(Backend::VpcLink),
        LoadBalancer::Alb(alb) => index.alb_listener(alb, port).map(Backend::VpcLinkAlb),
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
    for (key, value) in [
        ("vpc_link", &r.vpc_link),
        ("vpc_link_version", &r.vpc_link_version),
        ("integration_target", &r.integration_target),
    ] {
        if let Some(value) = value {
            cx.error(
                value.span(),
                format!("{rf}.{key}"),
                format!("an INTERNET route takes no {key}"),
                Some(format!(
                    "remove `{key}`, or set connection_type = \"VPC_LINK\""
                )),
            );
        }
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
