//! API Gateway resources of a plan: REST integrations with the paths of their resources,
//! HTTP API integrations and routes, OpenAPI bodies, VPC links and stage variables.

use hoplab_scenario::ApiType;

use super::Reader;
use super::plan::{Seg, TfResource, base_address, k};
use crate::aws::{Integration, TlsConfig, VpcLink};
use crate::document::{Node, child};
use crate::error::ImportError;
use crate::openapi;
use crate::placeholders::whole;
use crate::topology::Route;

/// Most levels of `parent_id` followed to build a resource's path.
const MAX_PATH_DEPTH: usize = 64;

/// A REST integration: the route is its method on its resource's path.
pub(super) fn integration(
    reader: &mut Reader<'_, '_>,
    r: &TfResource<'_>,
) -> Result<(), ImportError> {
    let Some(method) = reader.text(r, &[k("http_method")])? else {
        reader.warn(
            r,
            &["http_method"],
            format!("{} has no http_method (skipped)", r.address),
        );
        return Ok(());
    };
    if method.contains("${") {
        reader.warn(
            r,
            &["http_method"],
            format!(
                "the method of {} is known only after apply (skipped)",
                r.address
            ),
        );
        return Ok(());
    }
    let Some(path) = resource_path(reader, r)? else {
        return Ok(());
    };
    let integration = Integration {
        kind: reader.text(r, &[k("type")])?,
        http_method: reader.text(r, &[k("integration_http_method")])?,
        uri: reader.text(r, &[k("uri")])?,
        connection_type: reader.text(r, &[k("connection_type")])?,
        connection_id: reader.reference(r, &[k("connection_id")])?,
        integration_target: reader.reference(r, &[k("integration_target")])?,
        timeout_in_millis: reader.int(r, &[k("timeout_milliseconds")])?,
        tls_config: Some(TlsConfig {
            insecure_skip_verification: reader
                .text(
                    r,
                    &[
                        k("tls_config"),
                        Seg::Index(0),
                        k("insecure_skip_verification"),
                    ],
                )?
                .map(|t| t == "true"),
            server_name_to_verify: None,
        }),
    };
    reader.topology.routes.push(Route {
        api: ApiType::Rest,
        method: method.to_ascii_uppercase(),
        path,
        integration,
        origin: reader.plan.doc.at(&r.pointer, Some(r.values)).to_string(),
    });
    Ok(())
}

/// The path of an integration's `resource_id`: the resource's `path` when known (state),
/// else its `path_part`s up to the API's root through `parent_id` references.
fn resource_path(
    reader: &mut Reader<'_, '_>,
    r: &TfResource<'_>,
) -> Result<Option<String>, ImportError> {
    let mut parts: Vec<String> = Vec::new();
    let mut current: TfResource<'_> = r.clone();
    let mut field = "resource_id";
    for _ in 0..MAX_PATH_DEPTH {
        if let Some((_, attribute)) = reader.unknown_reference(&current, &[k(field)])?
            && attribute == "root_resource_id"
        {
            parts.reverse();
            return Ok(Some(format!("/{}", parts.join("/"))));
        }
        let Some(key) = reader.reference(&current, &[k(field)])? else {
            reader.warn(
                r,
                &[field],
                format!("{} names no resource (skipped)", current.address),
            );
            return Ok(None);
        };
        if is_root(reader, &key) {
            parts.reverse();
            return Ok(Some(format!("/{}", parts.join("/"))));
        }
        let Some(resource) = reader
            .find(&key)
            .filter(|f| f.kind == "aws_api_gateway_resource")
            .cloned()
        else {
            reader.warn(r, &[field], format!("the path of {} is unknown: {key} is no aws_api_gateway_resource of the plan (skipped)", r.address));
            return Ok(None);
        };
        if let Some(path) = resource.values.get("path").and_then(Node::as_str) {
            let mut path = path.trim_end_matches('/').to_owned();
            parts.reverse();
            for part in parts {
                path.push('/');
                path.push_str(&part);
            }
            return Ok(Some(if path.is_empty() {
                "/".to_owned()
            } else {
                path
            }));
        }
        match reader.text(&resource, &[k("path_part")])? {
            Some(part) if !part.contains("${") => parts.push(part),
            _ => {
                reader.warn(
                    &resource,
                    &["path_part"],
                    format!(
                        "the path part of {} is known only after apply; {} skipped",
                        resource.address, r.address
                    ),
                );
                return Ok(None);
            }
        }
        current = resource;
        field = "parent_id";
    }
    Err(ImportError::Source {
        location: reader.plan.doc.at(&r.pointer, Some(r.values)),
        message: format!(
            "the resource path of {} is more than {MAX_PATH_DEPTH} levels deep, or circular",
            r.address
        ),
    })
}

/// Whether a key is a REST API's root resource id (known in state).
fn is_root(reader: &Reader<'_, '_>, key: &str) -> bool {
    reader.plan.resources.iter().any(|api| {
        api.kind == "aws_api_gateway_rest_api"
            && api.values.get("root_resource_id").and_then(Node::as_str) == Some(key)
    })
}

/// An OpenAPI `body` of a REST or HTTP API, when the plan knows it.
pub(super) fn body(reader: &mut Reader<'_, '_>, r: &TfResource<'_>) -> Result<(), ImportError> {
    let api = if r.kind == "aws_api_gateway_rest_api" {
        ApiType::Rest
    } else {
        ApiType::Http
    };
    match reader.text(r, &[k("body")])? {
        None => Ok(()),
        Some(body) if whole(&body).is_some() => {
            reader.warn(r, &["body"], format!("the OpenAPI body of {} is known only after apply (it uses values the plan does not know): import the state, or the API's get-export, for its routes", r.address));
            Ok(())
        }
        Some(body) => {
            let pointer = child(&child(&r.pointer, "values"), "body");
            let inner =
                crate::document::parse(&format!("{} {pointer}", reader.plan.doc.file), &body)?;
            let routes = openapi::routes(&inner, &inner.root, "", Some(api), &mut reader.warnings)?;
            for mut route in routes {
                for field in [
                    &mut route.integration.connection_id,
                    &mut route.integration.integration_target,
                ] {
                    if let Some(value) = field.as_mut() {
                        *value = reader.alias(value);
                    }
                }
                reader.topology.routes.push(route);
            }
            Ok(())
        }
    }
}

/// A stage's variables: values the sidecar may override.
pub(super) fn stage(reader: &mut Reader<'_, '_>, r: &TfResource<'_>) -> Result<(), ImportError> {
    let key = if r.kind == "aws_api_gateway_stage" {
        "variables"
    } else {
        "stage_variables"
    };
    for (name, value) in r.values.get(key).and_then(Node::as_map).unwrap_or_default() {
        if let Some(value) = value.scalar_text() {
            reader
                .topology
                .values
                .stage_variables
                .entry(name.clone())
                .or_insert(value);
        }
    }
    Ok(())
}

/// An HTTP API integration, kept until a route names it.
pub(super) fn v2_integration(
    reader: &mut Reader<'_, '_>,
    r: &TfResource<'_>,
) -> Result<(), ImportError> {
    let uri = match reader.unknown_reference(r, &[k("integration_uri")])? {
        // A listener created in the same plan: its address is the key.
        Some((address, _)) => Some(address),
        None => reader
            .text(r, &[k("integration_uri")])?
            .map(|u| reader.alias(&u)),
    };
    let integration = Integration {
        kind: reader.text(r, &[k("integration_type")])?,
        http_method: reader.text(r, &[k("integration_method")])?,
        uri,
        connection_type: reader.text(r, &[k("connection_type")])?,
        connection_id: reader.reference(r, &[k("connection_id")])?,
        integration_target: None,
        timeout_in_millis: reader.int(r, &[k("timeout_milliseconds")])?,
        tls_config: Some(TlsConfig {
            insecure_skip_verification: None,
            server_name_to_verify: reader.text(
                r,
                &[k("tls_config"), Seg::Index(0), k("server_name_to_verify")],
            )?,
        }),
    };
    let origin = reader.plan.doc.at(&r.pointer, Some(r.values)).to_string();
    reader
        .v2_integrations
        .push((base_address(&r.address), integration, origin));
    Ok(())
}

/// An HTTP API route and the integration its target names.
pub(super) fn v2_route(reader: &mut Reader<'_, '_>, r: &TfResource<'_>) -> Result<(), ImportError> {
    let key = reader.text(r, &[k("route_key")])?.unwrap_or_default();
    let Some((method, path)) = key.split_once(' ').filter(|(_, p)| p.starts_with('/')) else {
        reader.warn(
            r,
            &["route_key"],
            format!(
                "route {} has the route key {key:?}; hoplab routes are METHOD /path (skipped)",
                r.address
            ),
        );
        return Ok(());
    };
    let integration = match reader.unknown_reference(r, &[k("target")])? {
        Some((address, _)) => Some(address),
        None => reader
            .text(r, &[k("target")])?
            .and_then(|t| t.strip_prefix("integrations/").map(|id| reader.alias(id))),
    };
    let Some(id) = integration else {
        reader.warn(
            r,
            &["target"],
            format!("route {} has no integrations/… target (skipped)", r.address),
        );
        return Ok(());
    };
    let location = reader.plan.doc.at(&r.pointer, Some(r.values));
    reader
        .v2_routes
        .push((method.to_ascii_uppercase(), path.to_owned(), id, location));
    Ok(())
}

/// Pairs each HTTP API route with its integration.
pub(super) fn finish_http_routes(reader: &mut Reader<'_, '_>) {
    for (method, path, id, location) in std::mem::take(&mut reader.v2_routes) {
        match reader.v2_integrations.iter().find(|(a, ..)| *a == id) {
            Some((_, integration, _)) => reader.topology.routes.push(Route {
                api: ApiType::Http,
                method,
                path,
                integration: integration.clone(),
                origin: location.to_string(),
            }),
            None => reader.warnings.push(crate::document::Warning {
                location,
                message: format!("route {method} {path} targets {id}, which is no integration of the plan (skipped)"),
            }),
        }
    }
}

/// A VPC link: V1 lists its NLBs; V2 reaches load balancers its integrations name.
pub(super) fn vpc_link(reader: &mut Reader<'_, '_>, r: &TfResource<'_>) -> Result<(), ImportError> {
    let mut targets = Vec::new();
    if r.kind == "aws_api_gateway_vpc_link" {
        match r.values.get("target_arns").and_then(Node::as_seq) {
            Some(arns) if !arns.is_empty() => {
                targets.extend(
                    arns.iter()
                        .filter_map(Node::as_str)
                        .map(|a| reader.alias(a)),
                );
            }
            _ => targets.extend(reader.reference(r, &[k("target_arns")])?),
        }
    }
    reader.topology.vpc_links.push(VpcLink {
        id: base_address(&r.address),
        name: reader.text(r, &[k("name")])?.filter(|n| !n.contains("${")),
        target_arns: targets,
        status: None,
    });
    Ok(())
}
