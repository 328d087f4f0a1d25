//! `[[gateway.routes]]` from get-integration (with get-vpc-link to find the NLB), and one
//! `[[requests]]` per route.

use hoplab_scenario::{IntegrationUri, Scheme, parse_integration_uri};

use super::exports::{Exports, RouteExport};
use super::{Builder, Missing};
use crate::aws::Integration;
use crate::doc::{Doc, Value};
use crate::names::{load_balancer_kind, load_balancer_name};

/// What the routes decide for the rest of the import.
#[derive(Debug, Default)]
pub(crate) struct RouteFacts {
    /// ARNs of the NLBs routes reach, in first-use order (only NLBs with exported listeners).
    pub(crate) nlbs: Vec<String>,
    /// `(NLB ARN, port)` of each `https` route through a VPC link.
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
    /// Through a VPC link to this NLB.
    VpcLink {
        nlb_arn: String,
        comments: Vec<String>,
    },
    /// Through a VPC link whose NLB the exports do not give.
    VpcLinkMissing(Missing),
    /// A connection type hoplab does not know.
    Unknown(Missing),
}

/// Writes every route.
pub(crate) fn write(b: &mut Builder<'_>) -> (Doc, RouteFacts) {
    let ex = b.ex;
    let mut doc = Doc::default();
    let mut facts = RouteFacts::default();
    for (i, route) in ex.routes.iter().enumerate() {
        write_route(b, &mut doc, &mut facts, i, route);
    }
    (doc, facts)
}

fn write_route(
    b: &mut Builder<'_>,
    doc: &mut Doc,
    facts: &mut RouteFacts,
    i: usize,
    route: &RouteExport,
) {
    let ex = b.ex;
    let f = format!("gateway.routes[{i}]");
    let integ = &route.integration;
    doc.blank();
    doc.array_table(&["gateway", "routes"]);
    doc.comment(&format!(
        "get-integration for {} {}",
        route.method, route.path
    ));
    if let Some(method) = &integ.http_method {
        doc.comment(&format!(
            "httpMethod (the method sent to the backend): {method}"
        ));
    }
    doc.entry("method", Value::str(&route.method));
    doc.entry("path", Value::str(&route.path));

    match integ.kind.as_deref() {
        Some(kind @ ("HTTP" | "HTTP_PROXY")) => doc.entry("integration", Value::str(kind)),
        Some(kind) => Missing::new(
            format!("{kind} integrations are not supported: hoplab models HTTP and HTTP_PROXY"),
            Some("change the integration to HTTP or HTTP_PROXY, or remove this route".into()),
            format!("{kind} integration"),
        )
        .write(doc, "integration", &format!("{f}.integration")),
        None => Missing::new(
            "get-integration has no type",
            Some("set \"HTTP\" or \"HTTP_PROXY\"".into()),
            "integration type",
        )
        .write(doc, "integration", &format!("{f}.integration")),
    }

    let connection = connection(ex, integ);
    let uri = write_uri(ex, doc, &f, integ.uri.as_deref(), &connection);
    match connection {
        Connection::Internet => {
            doc.entry("connection_type", Value::str("INTERNET"));
            if let Some(uri) = &uri {
                add_backend(&mut facts.backends, uri);
            }
        }
        Connection::VpcLink { nlb_arn, comments } => {
            doc.entry("connection_type", Value::str("VPC_LINK"));
            for comment in comments {
                doc.comment(&comment);
            }
            let name = b.nlb_names.name(&nlb_arn, load_balancer_name(&nlb_arn));
            doc.entry("vpc_link", Value::str(name));
            if let Some(uri) = &uri
                && uri.scheme() == Scheme::Https
            {
                facts.https_through.push((nlb_arn.clone(), uri.port()));
            }
            if !facts.nlbs.contains(&nlb_arn) {
                facts.nlbs.push(nlb_arn);
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

    let skip = integ
        .tls_config
        .as_ref()
        .and_then(|t| t.insecure_skip_verification)
        .unwrap_or(false);
    doc.entry("insecure_skip_verification", Value::Bool(skip));
    match integ.timeout_in_millis {
        Some(ms) => doc.entry("timeout_ms", Value::Int(ms)),
        None => {
            doc.comment("no timeoutInMillis in the export: API Gateway's default, 29000, applies")
        }
    }
}

/// Writes the `uri` line, with a placeholder when it is missing or uses stage variables, and
/// a TODO note when it will not validate; returns it parsed when it parses.
fn write_uri(
    ex: &Exports,
    doc: &mut Doc,
    f: &str,
    raw: Option<&str>,
    connection: &Connection,
) -> Option<IntegrationUri> {
    let field = format!("{f}.uri");
    let Some(raw) = raw else {
        Missing::new(
            "get-integration has no uri",
            Some("set the integration endpoint, such as \"https://api.example.com/\"".into()),
            "integration uri",
        )
        .write(doc, "uri", &field);
        return None;
    };
    if raw.contains("${stageVariables.") {
        Missing::new(
            format!("the uri {raw} uses stage variables, which hoplab does not resolve"),
            Some("write the uri as the stage you want to simulate resolves it".into()),
            format!("uri {raw}"),
        )
        .write(doc, "uri", &field);
        return None;
    }
    match parse_integration_uri(raw) {
        Ok(uri) => {
            if let Connection::VpcLink { nlb_arn, .. } = connection {
                let has_port = ex
                    .listeners_of(nlb_arn)
                    .any(|l| l.port == Some(i64::from(uri.port())));
                if !has_port {
                    doc.todo_note(
                        &field,
                        &format!(
                            "no exported listener of {} has port {}, the uri's port, which picks the listener",
                            load_balancer_name(nlb_arn),
                            uri.port()
                        ),
                    );
                }
            }
            doc.entry("uri", Value::str(raw));
            Some(uri)
        }
        Err(problem) => {
            doc.todo_note(&field, &format!("hoplab cannot read this uri: {problem}"));
            doc.entry("uri", Value::str(raw));
            None
        }
    }
}

/// How an integration reaches its backend, as far as the exports tell.
fn connection(ex: &Exports, integ: &Integration) -> Connection {
    match integ.connection_type.as_deref() {
        None | Some("INTERNET") => Connection::Internet,
        Some("VPC_LINK") => match vpc_link_nlb(ex, integ) {
            Ok((nlb_arn, comments)) => {
                if ex.listeners_of(&nlb_arn).next().is_none() {
                    Connection::VpcLinkMissing(Missing::new(
                        format!("no describe-listeners output covers the NLB {nlb_arn}"),
                        Some(format!(
                            "aws elbv2 describe-listeners --load-balancer-arn {nlb_arn}"
                        )),
                        format!("listeners of {}", load_balancer_name(&nlb_arn)),
                    ))
                } else {
                    Connection::VpcLink { nlb_arn, comments }
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

/// The NLB behind a VPC_LINK integration, with comments on how it was found.
fn vpc_link_nlb(ex: &Exports, integ: &Integration) -> Result<(String, Vec<String>), Missing> {
    if let Some(target) = &integ.integration_target {
        let comments = vec![format!("integrationTarget (VPC link V2): {target}")];
        return nlb_arn(target).map(|arn| (arn, comments));
    }
    let Some(id) = integ.connection_id.as_deref() else {
        return Err(Missing::new(
            "connectionType is VPC_LINK but get-integration has no connectionId",
            Some("name the NLB behind the VPC link".into()),
            "vpc link",
        ));
    };
    if id.contains("${") {
        return Err(Missing::new(
            format!("connectionId {id} is a stage variable, which hoplab does not resolve"),
            Some("name the NLB the stage you want to simulate uses".into()),
            format!("vpc link {id}"),
        ));
    }
    let Some(link) = ex.vpc_link(id) else {
        return Err(Missing::new(
            format!("no get-vpc-link output for VPC link {id}"),
            Some(format!("aws apigateway get-vpc-link --vpc-link-id {id}")),
            format!("vpc link {id}"),
        ));
    };
    let mut comments = vec![format!(
        "connectionId {id}: VPC link {}",
        link.name.as_deref().unwrap_or("(no name)")
    )];
    if let Some(status) = link.status.as_deref().filter(|s| *s != "AVAILABLE") {
        comments.push(format!(
            "the VPC link's status is {status}: API Gateway only uses AVAILABLE links"
        ));
    }
    let Some(first) = link.target_arns.first() else {
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
    nlb_arn(first).map(|arn| (arn, comments))
}

/// `arn` if it names a Network Load Balancer.
fn nlb_arn(arn: &str) -> Result<String, Missing> {
    match load_balancer_kind(arn) {
        Some("net") => Ok(arn.to_owned()),
        kind => Err(Missing::new(
            format!(
                "{arn} is not a Network Load Balancer{}: hoplab models NLBs only",
                match kind {
                    Some("app") => " (an Application Load Balancer)",
                    _ => "",
                }
            ),
            Some("model the load balancer as an NLB, or remove this route".into()),
            format!("nlb for {arn}"),
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
pub(crate) fn requests(ex: &Exports) -> Doc {
    let mut doc = Doc::default();
    doc.blank();
    doc.comment("One request per route. Add [requests.expect] (status, validated, error,");
    doc.comment("body_contains) to turn a run into a check.");
    for route in &ex.routes {
        doc.blank();
        doc.array_table(&["requests"]);
        let method = if route.method == "ANY" {
            doc.comment("the route takes ANY method; the request sends GET");
            "GET"
        } else {
            route.method.as_str()
        };
        doc.entry("method", Value::str(method));
        doc.entry("path", Value::str(&route.path));
    }
    doc
}
