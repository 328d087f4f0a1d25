//! OpenAPI documents with API Gateway extensions → routes.
//!
//! Reads the exports of `aws apigateway get-export` (REST, OpenAPI 3 or Swagger 2) and `aws
//! apigatewayv2 export-api` (HTTP API), JSON or YAML, and the same documents inlined in a
//! template (`AWS::ApiGateway::RestApi` `Body`, SAM's `DefinitionBody`) or a plan
//! (`aws_api_gateway_rest_api.body`). Each operation's `x-amazon-apigateway-integration`
//! (directly, or through a `$ref` to `components.x-amazon-apigateway-integrations`) becomes
//! a route. Exports spell enums in lower case (`http_proxy`); they are read in either case.
//! An export holds no VPC link, load balancer or certificate: those come from another
//! source, and stage variables from the sidecar.

use hoplab_scenario::ApiType;

use crate::aws::{Integration, TlsConfig};
use crate::document::{Document, Node, Warning, child};
use crate::error::ImportError;
use crate::topology::{Route, Topology};

/// The operations of a path item, as OpenAPI spells them, with API Gateway's any-method.
const METHODS: [(&str, &str); 8] = [
    ("get", "GET"),
    ("put", "PUT"),
    ("post", "POST"),
    ("delete", "DELETE"),
    ("options", "OPTIONS"),
    ("head", "HEAD"),
    ("patch", "PATCH"),
    ("x-amazon-apigateway-any-method", "ANY"),
];

/// Integration types API Gateway defines.
const INTEGRATION_TYPES: [&str; 5] = ["HTTP", "HTTP_PROXY", "AWS", "AWS_PROXY", "MOCK"];

/// Connection types API Gateway defines.
const CONNECTION_TYPES: [&str; 2] = ["INTERNET", "VPC_LINK"];

/// Keys of `x-amazon-apigateway-integration` that the import knows; any other is warned
/// about (AWS adds fields faster than tools learn them).
const KNOWN_KEYS: [&str; 21] = [
    "type",
    "httpMethod",
    "uri",
    "connectionType",
    "connectionId",
    "integrationTarget",
    "tlsConfig",
    "timeoutInMillis",
    "requestParameters",
    "requestTemplates",
    "responses",
    "passthroughBehavior",
    "payloadFormatVersion",
    "contentHandling",
    "cacheNamespace",
    "cacheKeyParameters",
    "credentials",
    "responseTransferMode",
    "responseParameters",
    "description",
    "integrationSubtype",
];

/// Most `$ref` hops followed to find an integration.
const MAX_REF_HOPS: usize = 16;

/// Reads an export.
pub(crate) fn read(doc: &Document) -> Result<(Topology, Vec<Warning>), ImportError> {
    let mut warnings = Vec::new();
    let routes = routes(doc, &doc.root, "", None, &mut warnings)?;
    let topology = Topology {
        routes,
        described_by: vec![format!("the OpenAPI export {}", doc.file)],
        ..Topology::default()
    };
    Ok((topology, warnings))
}

/// The routes of the OpenAPI document `root`, found at `pointer` in `doc`. `api` is the API
/// type when the caller knows it (a template's resource type); otherwise the document says.
pub(crate) fn routes(
    doc: &Document,
    root: &Node,
    pointer: &str,
    api: Option<ApiType>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Route>, ImportError> {
    let api = api.unwrap_or_else(|| api_type(root));
    let paths_pointer = child(pointer, "paths");
    let Some(paths) = root.get("paths") else {
        return Err(ImportError::Source {
            location: doc.at(&paths_pointer, Some(root)),
            message: "no paths: an OpenAPI document lists its routes under paths".into(),
        });
    };
    let Some(paths) = paths.as_map() else {
        return Err(ImportError::Source {
            location: doc.at(&paths_pointer, Some(paths)),
            message: format!(
                "paths is {}, expected a map of path to operations",
                paths.kind()
            ),
        });
    };
    let mut out = Vec::new();
    let mut without = Vec::new();
    for (path, item) in paths {
        let item_pointer = child(&paths_pointer, path);
        if !path.starts_with('/') {
            warnings.push(Warning {
                location: doc.at(&item_pointer, Some(item)),
                message: format!(
                    "skipped the route {path:?}: hoplab routes are paths starting with /"
                ),
            });
            continue;
        }
        for (key, method) in METHODS {
            let Some(operation) = item.get(key) else {
                continue;
            };
            let op_pointer = child(&item_pointer, key);
            let integration_pointer = child(&op_pointer, "x-amazon-apigateway-integration");
            let Some(node) = operation.get("x-amazon-apigateway-integration") else {
                without.push(doc.at(&op_pointer, Some(operation)));
                continue;
            };
            let (node, at) = follow_ref(doc, root, node, &integration_pointer)?;
            let integration = integration(doc, node, &at, warnings)?;
            out.push(Route {
                api,
                method: method.to_owned(),
                path: path.clone(),
                integration,
                origin: doc.at(&integration_pointer, Some(node)).to_string(),
            });
        }
    }
    if let Some(first) = without.first() {
        warnings.push(Warning {
            location: first.clone(),
            message: format!(
                "{} operation(s) have no x-amazon-apigateway-integration and were skipped (export REST APIs with --parameters extensions='integrations')",
                without.len()
            ),
        });
    }
    Ok(out)
}

/// An HTTP API export carries `x-amazon-apigateway-importexport-version`, or
/// `payloadFormatVersion` in its integrations.
fn api_type(root: &Node) -> ApiType {
    if root
        .get("x-amazon-apigateway-importexport-version")
        .is_some()
        || root
            .get("components")
            .and_then(|c| c.get("x-amazon-apigateway-integrations"))
            .is_some()
    {
        return ApiType::Http;
    }
    let payload = root
        .get("paths")
        .and_then(Node::as_map)
        .into_iter()
        .flatten()
        .filter_map(|(_, item)| item.as_map())
        .flatten()
        .filter_map(|(_, op)| op.get("x-amazon-apigateway-integration"))
        .any(|i| i.get("payloadFormatVersion").is_some());
    if payload {
        ApiType::Http
    } else {
        ApiType::Rest
    }
}

/// The node a local `$ref` (`#/components/…`) leads to, or `node` itself.
fn follow_ref<'a>(
    doc: &Document,
    root: &'a Node,
    mut node: &'a Node,
    pointer: &str,
) -> Result<(&'a Node, String), ImportError> {
    let mut at = pointer.to_owned();
    let mut seen: Vec<String> = Vec::new();
    while let Some(reference) = node.get("$ref").and_then(Node::as_str) {
        let location = doc.at(&at, Some(node));
        if seen.iter().any(|s| s == reference) || seen.len() >= MAX_REF_HOPS {
            return Err(ImportError::Source {
                location,
                message: format!("cyclic $ref: {} -> {reference}", seen.join(" -> ")),
            });
        }
        seen.push(reference.to_owned());
        let Some(target) = reference.strip_prefix('#') else {
            return Err(ImportError::Source {
                location,
                message: format!(
                    "$ref {reference:?} points outside the document; the import reads one file (expected #/components/…)"
                ),
            });
        };
        node = lookup(root, target).ok_or_else(|| ImportError::Source {
            location: location.clone(),
            message: format!("$ref {reference:?} points at nothing in the document"),
        })?;
        at = target.to_owned();
    }
    Ok((node, at))
}

/// The node at a JSON pointer.
fn lookup<'a>(root: &'a Node, pointer: &str) -> Option<&'a Node> {
    let mut node = root;
    for part in pointer.split('/').skip(1) {
        let key = part.replace("~1", "/").replace("~0", "~");
        node = match node.as_seq() {
            Some(items) => items.get(key.parse::<usize>().ok()?)?,
            None => node.get(&key)?,
        };
    }
    Some(node)
}

/// One `x-amazon-apigateway-integration` as the API's integration.
fn integration(
    doc: &Document,
    node: &Node,
    pointer: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Integration, ImportError> {
    let Some(entries) = node.as_map() else {
        return Err(ImportError::Source {
            location: doc.at(pointer, Some(node)),
            message: format!(
                "x-amazon-apigateway-integration is {}, expected a map",
                node.kind()
            ),
        });
    };
    let mut warn = |key: &str, message: String| {
        let at = child(pointer, key);
        warnings.push(Warning {
            location: doc.at(&at, node.get(key).or(Some(node))),
            message,
        });
    };
    for (key, _) in entries {
        if !KNOWN_KEYS.contains(&key.as_str()) {
            warn(key, format!("unknown field {key} (ignored)"));
        }
    }
    let text = |key: &str| node.get(key).and_then(Node::scalar_text);
    let kind = text("type").map(|t| t.to_ascii_uppercase());
    if let Some(kind) = &kind
        && !INTEGRATION_TYPES.contains(&kind.as_str())
    {
        warn(
            "type",
            format!(
                "unknown integration type {kind} (expected one of {})",
                INTEGRATION_TYPES.join(", ")
            ),
        );
    }
    let connection_type = text("connectionType").map(|t| t.to_ascii_uppercase());
    if let Some(c) = &connection_type
        && !CONNECTION_TYPES.contains(&c.as_str())
    {
        warn(
            "connectionType",
            format!("unknown connectionType {c} (expected INTERNET or VPC_LINK)"),
        );
    }
    if let Some(parameters) = node.get("requestParameters").and_then(Node::as_map)
        && let Some((key, _)) = parameters
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("integration.request.header.host"))
    {
        warn(
            "requestParameters",
            format!(
                "{key} is mapped: hoplab sends SNI and checks the certificate against the URI host whatever the Host header says (see docs/choices.md)"
            ),
        );
    }
    let tls = node.get("tlsConfig").map(|t| TlsConfig {
        insecure_skip_verification: t.get("insecureSkipVerification").and_then(Node::as_bool),
        server_name_to_verify: t.get("serverNameToVerify").and_then(Node::scalar_text),
    });
    let timeout = match node.get("timeoutInMillis") {
        None => None,
        Some(t) => match t.as_i64() {
            Some(ms) => Some(ms),
            None => {
                warn(
                    "timeoutInMillis",
                    format!(
                        "timeoutInMillis is {}, expected milliseconds (ignored)",
                        t.kind()
                    ),
                );
                None
            }
        },
    };
    Ok(Integration {
        kind,
        http_method: text("httpMethod").map(|m| m.to_ascii_uppercase()),
        uri: text("uri"),
        connection_type,
        connection_id: text("connectionId"),
        integration_target: text("integrationTarget"),
        timeout_in_millis: timeout,
        tls_config: tls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse;

    #[test]
    fn a_rest_export_in_lower_case_gives_its_routes() {
        let doc = parse(
            "api.yaml",
            r#"
openapi: "3.0.1"
paths:
  /orders/{id}:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "https://orders.example.com/orders/{id}"
        connectionType: VPC_LINK
        connectionId: "${stageVariables.vpcLinkId}"
        tlsConfig: { insecureSkipVerification: false }
        timeoutInMillis: 29000
        passthroughBehavior: when_no_match
        futureField: 1
    post:
      responses: {}
"#,
        )
        .expect("parses");
        let (topology, warnings) = read(&doc).expect("reads");
        assert_eq!(topology.routes.len(), 1);
        let route = &topology.routes[0];
        assert_eq!(route.api, ApiType::Rest);
        assert_eq!(
            (route.method.as_str(), route.path.as_str()),
            ("GET", "/orders/{id}")
        );
        assert_eq!(route.integration.kind.as_deref(), Some("HTTP_PROXY"));
        assert_eq!(
            route.integration.connection_id.as_deref(),
            Some("${stageVariables.vpcLinkId}")
        );
        assert!(
            route
                .origin
                .starts_with("api.yaml:7: /paths/~1orders~1{id}/get/"),
            "{}",
            route.origin
        );
        let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|w| w.contains("unknown field futureField")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|w| w.contains("1 operation(s) have no")),
            "{text:?}"
        );
    }

    #[test]
    fn an_http_api_export_follows_refs_and_refuses_cycles() {
        let doc = parse(
            "http.json",
            r##"{"openapi":"3.0.1","x-amazon-apigateway-importexport-version":"1.0",
              "paths":{"/a":{"x-amazon-apigateway-any-method":{"x-amazon-apigateway-integration":{"$ref":"#/components/x-amazon-apigateway-integrations/a"}}}},
              "components":{"x-amazon-apigateway-integrations":{"a":{"type":"HTTP_PROXY","payloadFormatVersion":"1.0","connectionType":"VPC_LINK","uri":"arn:x","tlsConfig":{"serverNameToVerify":"api.example.com"}}}}}"##,
        )
        .expect("parses");
        let (topology, _) = read(&doc).expect("reads");
        let route = &topology.routes[0];
        assert_eq!(route.api, ApiType::Http);
        assert_eq!(route.method, "ANY");
        assert_eq!(
            route
                .integration
                .tls_config
                .as_ref()
                .and_then(|t| t.server_name_to_verify.as_deref()),
            Some("api.example.com")
        );
        let cyclic = parse(
            "c.json",
            r##"{"openapi":"3.0.1","paths":{"/a":{"get":{"x-amazon-apigateway-integration":{"$ref":"#/components/x/a"}}}},
              "components":{"x":{"a":{"$ref":"#/components/x/b"},"b":{"$ref":"#/components/x/a"}}}}"##,
        )
        .expect("parses");
        let error = read(&cyclic).expect_err("cycle");
        assert!(error.to_string().contains("cyclic $ref"), "{error}");
        assert!(
            error.to_string().starts_with("c.json: /components/x/"),
            "{error}"
        );
    }
}
