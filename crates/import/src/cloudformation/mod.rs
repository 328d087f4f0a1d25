//! CloudFormation templates (also SAM, and what `cdk synth` writes) → the topology.
//!
//! Resources are keyed by logical id; a reference between them (`Ref`, `Fn::GetAtt`, or a
//! `Fn::Sub` of one) is resolved inside the template (`intrinsics`), and a value that exists
//! only after deployment stays a named placeholder. API resources (`api`): REST methods with
//! their resource paths, HTTP API integrations with their routes, inline OpenAPI bodies (also
//! SAM's `DefinitionBody`), VPC links and stage variables. Load balancer resources (`elb`):
//! NLBs and ALBs, listeners, listener certificates, ALB listener rules, target groups, and
//! ACM certificates as hints for the sidecar.

mod api;
mod elb;
mod intrinsics;

use crate::document::{Document, Node, Warning, child};
use crate::error::ImportError;
use crate::placeholders::{Values, whole};
use crate::topology::Topology;
use intrinsics::{Resource, Template};

/// Resource type families the import reads: a type of these it does not know is warned
/// about; types of other services are not part of a topology and are passed over.
const FAMILIES: [&str; 5] = [
    "AWS::ApiGateway::",
    "AWS::ApiGatewayV2::",
    "AWS::ElasticLoadBalancingV2::",
    "AWS::CertificateManager::",
    "AWS::Serverless::",
];

/// Types of those families that hold nothing a topology needs.
const PASSED_OVER: [&str; 24] = [
    "AWS::ApiGateway::Account",
    "AWS::ApiGateway::ApiKey",
    "AWS::ApiGateway::Authorizer",
    "AWS::ApiGateway::BasePathMapping",
    "AWS::ApiGateway::ClientCertificate",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::DocumentationPart",
    "AWS::ApiGateway::DomainName",
    "AWS::ApiGateway::GatewayResponse",
    "AWS::ApiGateway::Model",
    "AWS::ApiGateway::RequestValidator",
    "AWS::ApiGateway::UsagePlan",
    "AWS::ApiGateway::UsagePlanKey",
    "AWS::ApiGatewayV2::ApiMapping",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Deployment",
    "AWS::ApiGatewayV2::DomainName",
    "AWS::ApiGatewayV2::IntegrationResponse",
    "AWS::ApiGatewayV2::Model",
    "AWS::ApiGatewayV2::RouteResponse",
    "AWS::CertificateManager::Account",
    "AWS::Serverless::Function",
    "AWS::Serverless::LayerVersion",
    "AWS::Serverless::SimpleTable",
];

/// Reads a template. `values` are the sidecar's, which override parameter defaults.
pub(crate) fn read(
    doc: &Document,
    values: &Values,
) -> Result<(Topology, Vec<Warning>), ImportError> {
    let t = Template::new(doc, values)?;
    let mut reader = Reader {
        t: &t,
        topology: Topology {
            described_by: vec![format!("the CloudFormation template {}", doc.file)],
            ..Topology::default()
        },
        warnings: Vec::new(),
        v2_integrations: Vec::new(),
        v2_routes: Vec::new(),
    };
    for resource in &t.resources {
        if !t.exists(resource)? {
            continue;
        }
        reader.resource(resource)?;
    }
    api::finish_http_routes(&mut reader)?;
    let mut warnings = t.take_warnings();
    warnings.append(&mut reader.warnings);
    Ok((reader.topology, warnings))
}

/// What reading a template builds.
pub(crate) struct Reader<'t, 'a> {
    pub(crate) t: &'t Template<'a>,
    pub(crate) topology: Topology,
    pub(crate) warnings: Vec<Warning>,
    /// HTTP API integrations by logical id, until the routes that use them are read.
    pub(crate) v2_integrations: Vec<(String, crate::aws::Integration, String)>,
    /// HTTP API routes: (method, path, integration logical id, where).
    pub(crate) v2_routes: Vec<(String, String, String, crate::document::SourceLocation)>,
}

impl Reader<'_, '_> {
    fn resource(&mut self, r: &Resource<'_>) -> Result<(), ImportError> {
        match r.kind {
            "AWS::ApiGateway::RestApi"
            | "AWS::ApiGatewayV2::Api"
            | "AWS::Serverless::Api"
            | "AWS::Serverless::HttpApi" => api::body(self, r),
            "AWS::ApiGateway::Method" => api::method(self, r),
            "AWS::ApiGateway::Resource" => Ok(()),
            "AWS::ApiGateway::Stage" | "AWS::ApiGatewayV2::Stage" => api::stage(self, r),
            "AWS::ApiGatewayV2::Integration" => api::v2_integration(self, r),
            "AWS::ApiGatewayV2::Route" => api::v2_route(self, r),
            "AWS::ApiGateway::VpcLink" | "AWS::ApiGatewayV2::VpcLink" => api::vpc_link(self, r),
            "AWS::ElasticLoadBalancingV2::LoadBalancer" => elb::load_balancer(self, r),
            "AWS::ElasticLoadBalancingV2::Listener" => elb::listener(self, r),
            "AWS::ElasticLoadBalancingV2::ListenerCertificate" => {
                elb::listener_certificate(self, r)
            }
            "AWS::ElasticLoadBalancingV2::ListenerRule" => elb::listener_rule(self, r),
            "AWS::ElasticLoadBalancingV2::TargetGroup" => elb::target_group(self, r),
            "AWS::ElasticLoadBalancingV2::TrustStore" => {
                self.warn(
                    &r.pointer,
                    r.node,
                    format!("trust store {} (mutual TLS) is not modelled", r.id),
                );
                Ok(())
            }
            "AWS::CertificateManager::Certificate" => elb::certificate(self, r),
            kind if r.is_custom() => {
                self.warn(&r.pointer, r.node, format!("custom resource {} ({kind}) runs only when deployed; a value from it needs the sidecar", r.id));
                Ok(())
            }
            kind if FAMILIES.iter().any(|f| kind.starts_with(f))
                && !PASSED_OVER.contains(&kind) =>
            {
                self.warn(
                    &child(&r.pointer, "Type"),
                    r.node,
                    format!(
                        "resource type {kind} of {} is not read by the import (ignored)",
                        r.id
                    ),
                );
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Records a warning at a node.
    pub(crate) fn warn(&mut self, pointer: &str, node: &Node, message: impl Into<String>) {
        self.warnings.push(Warning {
            location: self.t.doc.at(pointer, Some(node)),
            message: message.into(),
        });
    }

    /// A property, resolved.
    pub(crate) fn property(
        &self,
        r: &Resource<'_>,
        name: &str,
    ) -> Result<Option<Node>, ImportError> {
        let pointer = child(&child(&r.pointer, "Properties"), name);
        match r.node.get("Properties").and_then(|p| p.get(name)) {
            Some(node) => self.t.resolve(node, &pointer),
            None => Ok(None),
        }
    }

    /// A property as text.
    pub(crate) fn text(&self, r: &Resource<'_>, name: &str) -> Result<Option<String>, ImportError> {
        Ok(self.property(r, name)?.and_then(|n| n.scalar_text()))
    }

    /// Warns about each property outside `known` (new AWS properties are not errors).
    pub(crate) fn check_properties(&mut self, r: &Resource<'_>, known: &[&str]) {
        let Some(props) = r.node.get("Properties").and_then(Node::as_map) else {
            return;
        };
        let pointer = child(&r.pointer, "Properties");
        for (key, node) in props {
            if !known.contains(&key.as_str()) {
                self.warn(
                    &child(&pointer, key),
                    node,
                    format!("unknown property {key} of {} {} (ignored)", r.kind, r.id),
                );
            }
        }
    }

    /// The key a reference names: the logical id of a resource of the template when the
    /// value is `${Id}` or `${Id.Attribute}`, else the value itself.
    pub(crate) fn reference(&self, value: &str) -> String {
        if let Some(name) = whole(value) {
            if self.t.resource(name).is_some() {
                return name.to_owned();
            }
            if let Some((id, _)) = name.split_once('.')
                && self.t.resource(id).is_some()
            {
                return id.to_owned();
            }
        }
        value.to_owned()
    }
}
