//! API Gateway resources of a template: REST methods and the paths of their resources, HTTP
//! API integrations and routes, inline OpenAPI bodies, VPC links and stage variables.

use hoplab_scenario::ApiType;

use super::Reader;
use super::intrinsics::Resource;
use crate::aws::{Integration, TlsConfig, VpcLink};
use crate::document::{Node, child};
use crate::error::ImportError;
use crate::openapi;
use crate::placeholders::whole;
use crate::topology::Route;

const METHOD_PROPERTIES: [&str; 12] = [
    "RestApiId",
    "ResourceId",
    "HttpMethod",
    "AuthorizationType",
    "AuthorizerId",
    "AuthorizationScopes",
    "ApiKeyRequired",
    "Integration",
    "MethodResponses",
    "OperationName",
    "RequestModels",
    "RequestParameters",
];

const METHOD_INTEGRATION_PROPERTIES: [&str; 16] = [
    "CacheKeyParameters",
    "CacheNamespace",
    "ConnectionId",
    "ConnectionType",
    "ContentHandling",
    "Credentials",
    "IntegrationHttpMethod",
    "IntegrationResponses",
    "IntegrationTarget",
    "PassthroughBehavior",
    "RequestParameters",
    "RequestTemplates",
    "ResponseTransferMode",
    "TimeoutInMillis",
    "Type",
    "Uri",
];

const V2_INTEGRATION_PROPERTIES: [&str; 18] = [
    "ApiId",
    "IntegrationType",
    "ConnectionType",
    "ConnectionId",
    "IntegrationUri",
    "IntegrationMethod",
    "PayloadFormatVersion",
    "TimeoutInMillis",
    "RequestParameters",
    "TlsConfig",
    "Description",
    "CredentialsArn",
    "IntegrationSubtype",
    "PassthroughBehavior",
    "RequestTemplates",
    "ResponseParameters",
    "TemplateSelectionExpression",
    "ContentHandlingStrategy",
];

/// Most levels of `ParentId` followed to build a resource's path.
const MAX_PATH_DEPTH: usize = 64;

/// An inline OpenAPI body: `Body` of a REST or HTTP API, `DefinitionBody` of SAM's APIs.
pub(super) fn body(reader: &mut Reader<'_, '_>, r: &Resource<'_>) -> Result<(), ImportError> {
    let (api, body_key, uri_key, variables_key) = match r.kind {
        "AWS::ApiGateway::RestApi" => (ApiType::Rest, "Body", "BodyS3Location", None),
        "AWS::ApiGatewayV2::Api" => (ApiType::Http, "Body", "BodyS3Location", None),
        "AWS::Serverless::Api" => (
            ApiType::Rest,
            "DefinitionBody",
            "DefinitionUri",
            Some("Variables"),
        ),
        _ => (
            ApiType::Http,
            "DefinitionBody",
            "DefinitionUri",
            Some("StageVariables"),
        ),
    };
    if let Some(key) = variables_key {
        stage_variables(reader, r, key)?;
    }
    let props = r.node.get("Properties");
    if let Some(node) = props.and_then(|p| p.get(uri_key)) {
        let pointer = child(&child(&r.pointer, "Properties"), uri_key);
        reader.warn(&pointer, node, format!("{} {} keeps its OpenAPI document in a separate file ({uri_key}): import that file too, or inline it", r.kind, r.id));
    }
    let Some(resolved) = reader.property(r, body_key)? else {
        return Ok(());
    };
    let pointer = child(&child(&r.pointer, "Properties"), body_key);
    let routes = match resolved.as_str() {
        // A body written as a JSON or YAML string.
        Some(text) => {
            let inner = crate::document::parse(&format!("{} {pointer}", reader.t.doc.file), text)?;
            openapi::routes(&inner, &inner.root, "", Some(api), &mut reader.warnings)?
        }
        None => openapi::routes(
            reader.t.doc,
            &resolved,
            &pointer,
            Some(api),
            &mut reader.warnings,
        )?,
    };
    for mut route in routes {
        canonical_references(reader, &mut route.integration);
        reader.topology.routes.push(route);
    }
    Ok(())
}

/// The references of an integration as the template's keys.
fn canonical_references(reader: &Reader<'_, '_>, integration: &mut Integration) {
    for field in [
        &mut integration.connection_id,
        &mut integration.integration_target,
    ] {
        if let Some(value) = field.as_mut() {
            *value = reader.reference(value);
        }
    }
    if let Some(uri) = integration.uri.as_mut()
        && whole(uri).is_some()
    {
        *uri = reader.reference(uri);
    }
}

/// A stage's variables, or SAM's `Variables`: values the sidecar may override.
pub(super) fn stage(reader: &mut Reader<'_, '_>, r: &Resource<'_>) -> Result<(), ImportError> {
    let key = if r.kind == "AWS::ApiGateway::Stage" {
        "Variables"
    } else {
        "StageVariables"
    };
    stage_variables(reader, r, key)
}

fn stage_variables(
    reader: &mut Reader<'_, '_>,
    r: &Resource<'_>,
    key: &str,
) -> Result<(), ImportError> {
    let Some(variables) = reader.property(r, key)? else {
        return Ok(());
    };
    for (name, value) in variables.as_map().unwrap_or_default() {
        let Some(value) = value.scalar_text() else {
            continue;
        };
        let stage_variables = &mut reader.topology.values.stage_variables;
        if stage_variables.get(name).is_some_and(|v| *v != value) {
            let pointer = child(&child(&child(&r.pointer, "Properties"), key), name);
            reader.warn(&pointer, r.node, format!("stage variable {name} has another value in an earlier stage; the first is used (the sidecar's [stage_variables] decides)"));
            continue;
        }
        stage_variables.insert(name.clone(), value);
    }
    Ok(())
}

/// A REST method and its integration.
pub(super) fn method(reader: &mut Reader<'_, '_>, r: &Resource<'_>) -> Result<(), ImportError> {
    reader.check_properties(r, &METHOD_PROPERTIES);
    let Some(integration) = reader.property(r, "Integration")? else {
        return Ok(());
    };
    let pointer = child(&child(&r.pointer, "Properties"), "Integration");
    if let Some(entries) = integration.as_map() {
        for (key, node) in entries {
            if !METHOD_INTEGRATION_PROPERTIES.contains(&key.as_str()) {
                reader.warn(
                    &child(&pointer, key),
                    node,
                    format!(
                        "unknown property Integration.{key} of method {} (ignored)",
                        r.id
                    ),
                );
            }
        }
    }
    let method = reader
        .text(r, "HttpMethod")?
        .unwrap_or_else(|| "ANY".to_owned())
        .to_ascii_uppercase();
    let Some(path) = resource_path(reader, r)? else {
        return Ok(());
    };
    let text = |key: &str| integration.get(key).and_then(Node::scalar_text);
    let mut integration = Integration {
        kind: text("Type").map(|t| t.to_ascii_uppercase()),
        http_method: text("IntegrationHttpMethod"),
        uri: text("Uri"),
        connection_type: text("ConnectionType").map(|t| t.to_ascii_uppercase()),
        connection_id: text("ConnectionId"),
        integration_target: text("IntegrationTarget"),
        timeout_in_millis: integration.get("TimeoutInMillis").and_then(Node::as_i64),
        // CloudFormation has no TlsConfig for REST methods: insecureSkipVerification stays off.
        tls_config: None,
    };
    canonical_references(reader, &mut integration);
    reader.topology.routes.push(Route {
        api: ApiType::Rest,
        method,
        path,
        integration,
        origin: reader.t.doc.at(&r.pointer, Some(r.node)).to_string(),
    });
    Ok(())
}

/// The path of a method's `ResourceId`, walking `PathPart` and `ParentId` up to the API's
/// root. `None` (with a warning) when the resource is not in the template.
fn resource_path(
    reader: &mut Reader<'_, '_>,
    method: &Resource<'_>,
) -> Result<Option<String>, ImportError> {
    let pointer = child(&child(&method.pointer, "Properties"), "ResourceId");
    let mut current = reader.text(method, "ResourceId")?;
    let mut parts: Vec<String> = Vec::new();
    for _ in 0..MAX_PATH_DEPTH {
        let Some(value) = current.take() else {
            reader.warn(
                &pointer,
                method.node,
                format!("method {} names no ResourceId; skipped", method.id),
            );
            return Ok(None);
        };
        let Some(name) = whole(&value) else {
            reader.warn(&pointer, method.node, format!("method {}'s resource {value} is not in the template, so its path is unknown; skipped", method.id));
            return Ok(None);
        };
        if name.ends_with(".RootResourceId") {
            parts.reverse();
            return Ok(Some(format!("/{}", parts.join("/"))));
        }
        let Some(resource) = reader.t.resource(name).cloned() else {
            reader.warn(
                &pointer,
                method.node,
                format!(
                    "method {}'s resource {name} is not a resource of the template; skipped",
                    method.id
                ),
            );
            return Ok(None);
        };
        if resource.kind != "AWS::ApiGateway::Resource" {
            reader.warn(&pointer, method.node, format!("method {}'s ResourceId names {name}, a {}, not an AWS::ApiGateway::Resource; skipped", method.id, resource.kind));
            return Ok(None);
        }
        match reader.text(&resource, "PathPart")? {
            Some(part) => parts.push(part),
            None => {
                reader.warn(
                    &resource.pointer,
                    resource.node,
                    format!(
                        "resource {name} has no PathPart; method {} skipped",
                        method.id
                    ),
                );
                return Ok(None);
            }
        }
        current = reader.text(&resource, "ParentId")?;
    }
    Err(ImportError::Source {
        location: reader.t.doc.at(&pointer, Some(method.node)),
        message: format!(
            "the resource path of method {} is more than {MAX_PATH_DEPTH} levels deep",
            method.id
        ),
    })
}

/// An HTTP API integration, kept until a route names it.
pub(super) fn v2_integration(
    reader: &mut Reader<'_, '_>,
    r: &Resource<'_>,
) -> Result<(), ImportError> {
    reader.check_properties(r, &V2_INTEGRATION_PROPERTIES);
    let tls = reader.property(r, "TlsConfig")?;
    let mut integration = Integration {
        kind: reader
            .text(r, "IntegrationType")?
            .map(|t| t.to_ascii_uppercase()),
        http_method: reader.text(r, "IntegrationMethod")?,
        uri: reader.text(r, "IntegrationUri")?,
        connection_type: reader
            .text(r, "ConnectionType")?
            .map(|t| t.to_ascii_uppercase()),
        connection_id: reader.text(r, "ConnectionId")?,
        integration_target: None,
        timeout_in_millis: reader
            .property(r, "TimeoutInMillis")?
            .and_then(|n| n.as_i64()),
        tls_config: tls.map(|t| TlsConfig {
            insecure_skip_verification: None,
            server_name_to_verify: t.get("ServerNameToVerify").and_then(Node::scalar_text),
        }),
    };
    canonical_references(reader, &mut integration);
    let origin = reader.t.doc.at(&r.pointer, Some(r.node)).to_string();
    reader
        .v2_integrations
        .push((r.id.to_owned(), integration, origin));
    Ok(())
}

/// An HTTP API route: its key and the integration its target names.
pub(super) fn v2_route(reader: &mut Reader<'_, '_>, r: &Resource<'_>) -> Result<(), ImportError> {
    let key = reader.text(r, "RouteKey")?.unwrap_or_default();
    let Some((method, path)) = key.split_once(' ').filter(|(_, p)| p.starts_with('/')) else {
        reader.warn(
            &r.pointer,
            r.node,
            format!(
                "route {} has the route key {key:?}; hoplab routes are METHOD /path (skipped)",
                r.id
            ),
        );
        return Ok(());
    };
    let target = reader.text(r, "Target")?.unwrap_or_default();
    let Some(integration) = target
        .strip_prefix("integrations/")
        .map(|t| reader.reference(t))
    else {
        reader.warn(
            &r.pointer,
            r.node,
            format!("route {} has no integrations/… Target (skipped)", r.id),
        );
        return Ok(());
    };
    let location = reader.t.doc.at(&r.pointer, Some(r.node));
    reader.v2_routes.push((
        method.to_ascii_uppercase(),
        path.to_owned(),
        integration,
        location,
    ));
    Ok(())
}

/// Pairs each HTTP API route with its integration.
pub(super) fn finish_http_routes(reader: &mut Reader<'_, '_>) -> Result<(), ImportError> {
    for (method, path, id, location) in std::mem::take(&mut reader.v2_routes) {
        match reader.v2_integrations.iter().find(|(i, ..)| *i == id) {
            Some((_, integration, _)) => reader.topology.routes.push(Route {
                api: ApiType::Http,
                method,
                path,
                integration: integration.clone(),
                origin: location.to_string(),
            }),
            None => reader.warnings.push(crate::document::Warning {
                location,
                message: format!("route {method} {path} targets {id}, which is no integration of the template (skipped)"),
            }),
        }
    }
    Ok(())
}

/// A VPC link: V1 lists its NLBs; V2 reaches load balancers its integrations name.
pub(super) fn vpc_link(reader: &mut Reader<'_, '_>, r: &Resource<'_>) -> Result<(), ImportError> {
    let v1 = r.kind == "AWS::ApiGateway::VpcLink";
    if v1 {
        reader.check_properties(r, &["Name", "TargetArns", "Description", "Tags"]);
    } else {
        reader.check_properties(r, &["Name", "SubnetIds", "SecurityGroupIds", "Tags"]);
    }
    let targets = if v1 {
        reader
            .property(r, "TargetArns")?
            .and_then(|t| t.as_seq().map(<[Node]>::to_vec))
            .unwrap_or_default()
            .iter()
            .filter_map(Node::scalar_text)
            .map(|t| reader.reference(&t))
            .collect()
    } else {
        Vec::new()
    };
    reader.topology.vpc_links.push(VpcLink {
        id: r.id.to_owned(),
        name: reader.text(r, "Name")?.filter(|n| !n.contains("${")),
        target_arns: targets,
        status: None,
    });
    Ok(())
}
