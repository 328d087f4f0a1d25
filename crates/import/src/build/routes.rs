//! `[[gateway.routes]]` from each route's integration (with its VPC link, its
//! `integrationTarget`, or for an HTTP API its listener, to find the NLB or ALB), and one
//! `[[requests]]` per route.

use hoplab_scenario::{ApiType, IntegrationUri, Scheme, parse_integration_uri};

use super::{Builder, Missing};
use crate::aws::Integration;
use crate::doc::{Doc, Value};
use crate::topology::{LoadBalancerKind, Route, Topology};

/// What the routes decide for the rest of the import.
#[derive(Debug, Default)]
pub(crate) struct RouteFacts {
    /// Keys of the load balancers (NLBs and ALBs) routes reach, in first-use order (only
    /// those with listeners).
    pub(crate) balancers: Vec<String>,
    /// `(load balancer key, port)` of each `https` route through a VPC link.
    pub(crate) https_through: Vec<(String, u16)>,
    /// The public endpoints of `INTERNET` routes.
    pub(crate) backends: Vec<Backend>,
}

/// The public endpoint of `INTERNET` integrations to one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Backend {
    /// The URI host, lower case.
    pub(crate) host: String,
    /// Whether any route reaches it over `https`.
    pub(crate) https: bool,
}

/// How a route reaches its backend.
enum Connection {
    Internet,
    /// Through a VPC link to this load balancer.
    VpcLink {
        lb: String,
        link: Link,
        comments: Vec<String>,
    },
    /// Through a VPC link whose load balancer the sources do not give.
    VpcLinkMissing(Missing),
    /// A connection type hoplab does not know.
    Unknown(Missing),
}

/// Which VPC link a route goes through, which decides the keys that name its load balancer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// A REST VPC link V1 (`vpc_link`): an NLB only.
    V1,
    /// A REST VPC link V2 (`vpc_link_version = "V2"`, `integration_target`): an ALB or NLB.
    V2,
    /// An HTTP API's VPC link (`vpc_link`, the listener's load balancer): an ALB or NLB.
    HttpApi,
}

/// The routes of the scenario's API type, in source order.
pub(crate) fn included<'a>(b: &Builder<'a>) -> impl Iterator<Item = &'a Route> + use<'a> {
    let api = b.api;
    b.ex.routes.iter().filter(move |r| r.api == api)
}

/// Writes every route.
pub(crate) fn write(b: &mut Builder<'_>) -> (Doc, RouteFacts) {
    let mut doc = Doc::default();
    let mut facts = RouteFacts::default();
    let skipped: Vec<String> =
        b.ex.routes
            .iter()
            .filter(|r| r.api != b.api)
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
    if !skipped.is_empty() {
        b.notes.push(format!(
            "skipped the {} routes {} : a scenario simulates one API type, {} (the first route's)",
            if b.api == ApiType::Rest {
                "HTTP API"
            } else {
                "REST API"
            },
            skipped.join(", "),
            b.api.as_str()
        ));
    }
    let routes: Vec<&Route> = included(b).collect();
    for (i, route) in routes.into_iter().enumerate() {
        write_route(b, &mut doc, &mut facts, i, route);
    }
    (doc, facts)
}

fn write_route(
    b: &mut Builder<'_>,
    doc: &mut Doc,
    facts: &mut RouteFacts,
    i: usize,
    route: &Route,
) {
    let f = format!("gateway.routes[{i}]");
    let label = format!("{} {}", route.method, route.path);
    let integ = &route.integration;
    doc.blank();
    doc.array_table(&["gateway", "routes"]);
    doc.comment(&format!("{label}: {}", route.origin));
    if let Some(method) = &integ.http_method {
        doc.comment(&format!(
            "httpMethod (the method sent to the backend): {method}"
        ));
    }
    doc.entry("method", Value::str(&route.method));
    doc.entry("path", Value::str(&route.path));

    match integ
        .kind
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some(kind @ ("HTTP" | "HTTP_PROXY")) => doc.entry("integration", Value::str(kind)),
        Some(kind) => Missing::new(
            format!("{kind} integrations are not supported: hoplab models HTTP and HTTP_PROXY"),
            Some("change the integration to HTTP or HTTP_PROXY, or remove this route".into()),
            format!("{kind} integration"),
        )
        .write(doc, "integration", &format!("{f}.integration")),
        None => Missing::new(
            "the integration has no type",
            Some("set \"HTTP\" or \"HTTP_PROXY\"".into()),
            "integration type",
        )
        .write(doc, "integration", &format!("{f}.integration")),
    }

    let (connection, raw_uri) = if b.api == ApiType::Http
        && is_vpc_link(integ)
        && integ.uri.as_deref().is_some_and(|u| !u.contains("://"))
    {
        http_api_listener(b, integ, &label)
    } else {
        (connection(b, integ, &label), integ.uri.clone())
    };
    let uri = write_uri(b, doc, &f, &label, raw_uri.as_deref(), &connection);
    let server_name = integ
        .tls_config
        .as_ref()
        .and_then(|t| t.server_name_to_verify.as_deref());
    let checked = match (server_name, &uri) {
        (Some(name), _) if !name.contains("${") => Some(name.to_owned()),
        (None, Some(uri)) if uri.scheme() == Scheme::Https => Some(uri.host().to_owned()),
        _ => None,
    };
    if let Some(name) = checked
        && !b.checked_names.contains(&name)
    {
        b.checked_names.push(name);
    }
    match connection {
        Connection::Internet => {
            doc.entry("connection_type", Value::str("INTERNET"));
            if let Some(uri) = &uri {
                add_backend(&mut facts.backends, uri);
            }
        }
        Connection::VpcLink { lb, link, comments } => {
            doc.entry("connection_type", Value::str("VPC_LINK"));
            for comment in comments {
                doc.comment(&comment);
            }
            let name = b.lb_names.name(&lb, b.ex.load_balancer_name(&lb));
            if link == Link::V2 {
                doc.entry("vpc_link_version", Value::str("V2"));
                doc.entry("integration_target", Value::str(name));
            } else {
                doc.entry("vpc_link", Value::str(name));
            }
            if let Some(uri) = &uri
                && uri.scheme() == Scheme::Https
            {
                facts.https_through.push((lb.clone(), uri.port()));
            }
            if !facts.balancers.contains(&lb) {
                facts.balancers.push(lb);
            }
        }
        Connection::VpcLinkMissing(missing) => {
            doc.entry("connection_type", Value::str("VPC_LINK"));
            missing.write(doc, "vpc_link", &format!("{f}.vpc_link"));
        }
        Connection::Unknown(missing) => {
            missing.write(doc, "connection_type", &format!("{f}.connection_type"));
        }
    }

    let tls = integ.tls_config.as_ref();
    if b.api == ApiType::Rest {
        let skip = tls
            .and_then(|t| t.insecure_skip_verification)
            .unwrap_or(false);
        doc.entry("insecure_skip_verification", Value::Bool(skip));
    }
    if let Some(name) = tls.and_then(|t| t.server_name_to_verify.as_deref()) {
        let needed_by = format!("serverNameToVerify of {label}");
        match b.fill(name, &needed_by) {
            Ok(name) => doc.entry("server_name_to_verify", Value::str(name)),
            Err(open) => open_values(&open, &needed_by).write(
                doc,
                "server_name_to_verify",
                &format!("{f}.server_name_to_verify"),
            ),
        }
    }
    match integ.timeout_in_millis {
        Some(ms) => doc.entry("timeout_ms", Value::Int(ms)),
        None => {
            doc.comment("no timeoutInMillis in the source: API Gateway's default, 29000, applies")
        }
    }
}

/// A placeholder for a value that needs the sidecar.
fn open_values(open: &[String], needed_by: &str) -> Missing {
    let names: Vec<String> = open.iter().map(|n| format!("${{{n}}}")).collect();
    Missing::new(
        format!(
            "{needed_by} needs {}, which no source gives",
            names.join(", ")
        ),
        Some("give each in the sidecar ([stage_variables] for stageVariables.NAME, else [values]) and import again".into()),
        format!("{needed_by} needs {}", names.join(" ")),
    )
}

fn is_vpc_link(integ: &Integration) -> bool {
    integ
        .connection_type
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case("VPC_LINK"))
}

/// An HTTP API private integration names a listener: the URI becomes a URL to the listener's
/// load balancer on the listener's port (`https` when `serverNameToVerify` turns TLS on).
fn http_api_listener(
    b: &mut Builder<'_>,
    integ: &Integration,
    label: &str,
) -> (Connection, Option<String>) {
    let raw = integ.uri.as_deref().unwrap_or_default();
    let needed_by = format!("integration uri of {label}");
    let reference = match reference(b, raw, &needed_by) {
        Ok(reference) => reference,
        Err(missing) => return (Connection::VpcLinkMissing(missing), None),
    };
    let Some(listener) = b.ex.listener(&reference) else {
        return (
            Connection::VpcLinkMissing(Missing::new(
                format!(
                    "the integration uri names listener {reference}, which no source describes"
                ),
                Some(
                    "import the template, plan or describe-listeners output that defines it".into(),
                ),
                format!("listener {reference}"),
            )),
            None,
        );
    };
    let Some(lb) = listener.load_balancer_arn.clone() else {
        return (
            Connection::VpcLinkMissing(Missing::new(
                format!("listener {reference} names no load balancer"),
                None,
                format!("load balancer of {reference}"),
            )),
            None,
        );
    };
    let connection = match balancer_key(b, &lb, Link::HttpApi) {
        Ok(lb) => Connection::VpcLink {
            lb,
            link: Link::HttpApi,
            comments: vec![format!(
                "integration uri: listener {reference}; the VPC link is {}",
                integ.connection_id.as_deref().unwrap_or("not named")
            )],
        },
        Err(missing) => Connection::VpcLinkMissing(missing),
    };
    let scheme = if integ
        .tls_config
        .as_ref()
        .and_then(|t| t.server_name_to_verify.as_ref())
        .is_some()
    {
        "https"
    } else {
        "http"
    };
    let port = listener
        .port
        .unwrap_or(if scheme == "https" { 443 } else { 80 });
    let uri = format!("{scheme}://{}:{port}/", b.ex.load_balancer_dns_name(&lb));
    (connection, Some(uri))
}

/// The key a reference field names, after the sidecar fills its placeholders.
fn reference(b: &mut Builder<'_>, raw: &str, needed_by: &str) -> Result<String, Missing> {
    let direct = b.ex.key(raw);
    if direct != raw {
        return Ok(direct.to_owned());
    }
    match b.fill(raw, needed_by) {
        Ok(filled) => Ok(b.ex.key(&filled).to_owned()),
        Err(open) => Err(open_values(&open, needed_by)),
    }
}

/// Writes the `uri` line, with a placeholder when it is missing or needs sidecar values, and
/// a TODO note when it will not validate; returns it parsed when it parses.
fn write_uri(
    b: &mut Builder<'_>,
    doc: &mut Doc,
    f: &str,
    label: &str,
    raw: Option<&str>,
    connection: &Connection,
) -> Option<IntegrationUri> {
    let field = format!("{f}.uri");
    let Some(raw) = raw else {
        Missing::new(
            "the integration has no uri",
            Some("set the integration endpoint, such as \"https://api.example.com/\"".into()),
            "integration uri",
        )
        .write(doc, "uri", &field);
        return None;
    };
    let needed_by = format!("uri of {label}");
    let raw = match b.fill(raw, &needed_by) {
        Ok(filled) => filled,
        Err(open) => {
            open_values(&open, &needed_by).write(doc, "uri", &field);
            return None;
        }
    };
    match parse_integration_uri(&raw) {
        Ok(uri) => {
            if let Connection::VpcLink { lb, link, .. } = connection {
                let has_port =
                    b.ex.listeners_of(lb)
                        .any(|l| l.port == Some(i64::from(uri.port())));
                let what = format!(
                    "no listener of {} has port {}, the uri's port, which picks the listener",
                    b.ex.load_balancer_name(lb),
                    uri.port()
                );
                match (has_port, link) {
                    (true, _) => {}
                    // Valid in a scenario: the request fails as AWS's would (internal error).
                    (false, Link::V2) => doc.comment(&format!(
                        "{what}: the request gets API Gateway's internal error"
                    )),
                    (false, _) => doc.todo_note(&field, &what),
                }
            }
            doc.entry("uri", Value::str(&raw));
            Some(uri)
        }
        Err(problem) => {
            doc.todo_note(&field, &format!("hoplab cannot read this uri: {problem}"));
            doc.entry("uri", Value::str(&raw));
            None
        }
    }
}

/// How an integration reaches its backend, as far as the sources tell.
fn connection(b: &mut Builder<'_>, integ: &Integration, label: &str) -> Connection {
    match integ.connection_type.as_deref() {
        None => Connection::Internet,
        Some(t) if t.eq_ignore_ascii_case("INTERNET") => Connection::Internet,
        Some(t) if t.eq_ignore_ascii_case("VPC_LINK") => match vpc_link_balancer(b, integ, label) {
            Ok((lb, link, comments)) => {
                if b.ex.listeners_of(&lb).next().is_none() {
                    Connection::VpcLinkMissing(Missing::new(
                        format!("no source describes the listeners of load balancer {lb}"),
                        Some(format!(
                            "import the template or plan that defines them, or aws elbv2 describe-listeners --load-balancer-arn {lb}"
                        )),
                        format!("listeners of {}", b.ex.load_balancer_name(&lb)),
                    ))
                } else {
                    Connection::VpcLink { lb, link, comments }
                }
            }
            Err(missing) => Connection::VpcLinkMissing(missing),
        },
        Some(other) => Connection::Unknown(Missing::new(
            format!("unknown connectionType {other}"),
            Some("expected \"INTERNET\" or \"VPC_LINK\"".into()),
            format!("connection type {other}"),
        )),
    }
}

/// The load balancer behind a VPC_LINK integration and the link that reaches it, with
/// comments on how it was found.
fn vpc_link_balancer(
    b: &mut Builder<'_>,
    integ: &Integration,
    label: &str,
) -> Result<(String, Link, Vec<String>), Missing> {
    if let Some(target) = &integ.integration_target {
        let target = reference(b, target, &format!("integrationTarget of {label}"))?;
        let mut comments = vec![format!("integrationTarget (VPC link V2): {target}")];
        if let Some(id) = &integ.connection_id {
            comments.push(format!("connectionId (the VPC link V2): {id}"));
        }
        // A listener or a load balancer: both are accepted (see docs/choices.md).
        let lb = match b.ex.listener(&target) {
            Some(listener) => listener.load_balancer_arn.clone().unwrap_or(target),
            None => target,
        };
        return balancer_key(b, &lb, Link::V2).map(|lb| (lb, Link::V2, comments));
    }
    let Some(raw) = integ.connection_id.as_deref() else {
        return Err(Missing::new(
            "connectionType is VPC_LINK but the integration has no connectionId",
            Some("name the NLB behind the VPC link".into()),
            "vpc link",
        ));
    };
    let id = reference(b, raw, &format!("connectionId of {label}"))?;
    let Some(link) = b.ex.vpc_link(&id) else {
        return Err(Missing::new(
            format!("no source describes VPC link {id}"),
            Some(format!(
                "import the template or plan that defines it, or aws apigateway get-vpc-link --vpc-link-id {id}"
            )),
            format!("vpc link {id}"),
        ));
    };
    let mut comments = vec![format!(
        "connectionId {raw}: VPC link {}",
        link.name.as_deref().unwrap_or(&link.id)
    )];
    if let Some(status) = link.status.as_deref().filter(|s| *s != "AVAILABLE") {
        comments.push(format!(
            "the VPC link's status is {status}: API Gateway only uses AVAILABLE links"
        ));
    }
    let Some(first) = link.target_arns.first().cloned() else {
        return Err(Missing::new(
            format!("VPC link {id} has no targetArns"),
            Some("name the NLB behind the VPC link".into()),
            format!("vpc link {id}"),
        ));
    };
    if link.target_arns.len() > 1 {
        comments.push(format!(
            "the VPC link lists {} targets; the first is used",
            link.target_arns.len()
        ));
    }
    let first = b.ex.key(&first).to_owned();
    balancer_key(b, &first, Link::V1).map(|nlb| (nlb, Link::V1, comments))
}

/// `key` if it names a load balancer the link can reach: an NLB, or an ALB through a VPC
/// link V2 or an HTTP API's link.
fn balancer_key(b: &mut Builder<'_>, key: &str, link: Link) -> Result<String, Missing> {
    let ex: &Topology = b.ex;
    match ex.load_balancer_kind(key) {
        Some(LoadBalancerKind::Network) => Ok(key.to_owned()),
        Some(LoadBalancerKind::Application) if link != Link::V1 => Ok(key.to_owned()),
        Some(LoadBalancerKind::Application) => Err(Missing::new(
            format!(
                "the VPC link (V1) targets {}, an Application Load Balancer: AWS refuses it (NLB ARN is malformed)",
                ex.load_balancer_name(key)
            ),
            Some("reach the ALB through a VPC link V2 with integrationTarget, or put an NLB with an alb target group in front of it".into()),
            format!("nlb for {}", ex.load_balancer_name(key)),
        )),
        kind => Err(Missing::new(
            format!(
                "{key} is neither a Network nor an Application Load Balancer{}",
                match kind {
                    Some(LoadBalancerKind::Other(k)) => format!(" (a {k} load balancer)"),
                    _ => String::new(),
                }
            ),
            Some("model the load balancer as an NLB or ALB, or remove this route".into()),
            format!("load balancer for {key}"),
        )),
    }
}

fn add_backend(backends: &mut Vec<Backend>, uri: &IntegrationUri) {
    let https = uri.scheme() == Scheme::Https;
    match backends.iter_mut().find(|b| b.host == uri.host()) {
        Some(backend) => backend.https |= https,
        None => backends.push(Backend {
            host: uri.host().to_owned(),
            https,
        }),
    }
}

/// One request per route, with no expectations.
pub(crate) fn requests(b: &Builder<'_>) -> Doc {
    let mut doc = Doc::default();
    doc.blank();
    doc.comment("One request per route. Add [requests.expect] (status, validated, error,");
    doc.comment("body_contains) to turn a run into a check.");
    for route in included(b) {
        doc.blank();
        doc.array_table(&["requests"]);
        let method = if route.method == "ANY" {
            doc.comment("the route takes ANY method; the request sends GET");
            "GET"
        } else {
            route.method.as_str()
        };
        doc.entry(
            "name",
            Value::str(format!("{} {}", route.method, route.path)),
        );
        doc.entry("method", Value::str(method));
        doc.entry("path", Value::str(&route.path));
    }
    doc
}
