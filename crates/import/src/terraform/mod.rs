//! `terraform show -json` plans and state → the topology.
//!
//! Resources are keyed by address (without instance key, as references name them), in the
//! root module and every child module; a known `id` or `arn` is an alias of its address, so
//! a known reference (state) and an unknown one (a plan's `configuration` reference) lead to
//! the same resource. A value known only after apply becomes the placeholder
//! `${<address>.<attribute>}`, which the sidecar's `[values]` fills. `plan` reads the
//! document; `api` and `elb` read the resource types.

mod api;
mod elb;
mod plan;

use crate::document::{Document, Node, Warning, child};
use crate::error::ImportError;
use crate::placeholders::{Values, placeholder};
use crate::topology::Topology;
use plan::{Attr, Plan, Resolved, Seg, TfResource, base_address};

/// Resource type prefixes the import reads: a type of these it does not know is warned
/// about; other types are not part of a topology and are passed over.
const FAMILIES: [&str; 5] = [
    "aws_api_gateway_",
    "aws_apigatewayv2_",
    "aws_lb",
    "aws_alb",
    "aws_acm_",
];

/// Types of those families that hold nothing a topology needs.
const PASSED_OVER: [&str; 18] = [
    "aws_api_gateway_account",
    "aws_api_gateway_api_key",
    "aws_api_gateway_authorizer",
    "aws_api_gateway_base_path_mapping",
    "aws_api_gateway_client_certificate",
    "aws_api_gateway_deployment",
    "aws_api_gateway_domain_name",
    "aws_api_gateway_integration_response",
    "aws_api_gateway_method",
    "aws_api_gateway_method_response",
    "aws_api_gateway_resource",
    "aws_api_gateway_rest_api_policy",
    "aws_apigatewayv2_api_mapping",
    "aws_apigatewayv2_deployment",
    "aws_apigatewayv2_domain_name",
    "aws_acm_certificate_validation",
    "aws_lb_trust_store",
    "aws_lb_cookie_stickiness_policy",
];

/// Reads a plan or state. `values` are the sidecar's (unused here: the builder fills
/// placeholders), kept for the same signature as the other readers.
pub(crate) fn read(
    doc: &Document,
    values: &Values,
) -> Result<(Topology, Vec<Warning>), ImportError> {
    let _ = values;
    let plan = Plan::new(doc)?;
    let what = if plan.is_plan { "plan" } else { "state" };
    let mut reader = Reader {
        plan: &plan,
        topology: Topology {
            described_by: vec![format!("the Terraform {what} {}", doc.file)],
            ..Topology::default()
        },
        warnings: Vec::new(),
        v2_integrations: Vec::new(),
        v2_routes: Vec::new(),
    };
    reader.aliases();
    for resource in &plan.resources {
        reader.resource(resource)?;
    }
    api::finish_http_routes(&mut reader);
    Ok((reader.topology, reader.warnings))
}

/// What reading a plan builds.
pub(crate) struct Reader<'p, 'a> {
    pub(crate) plan: &'p Plan<'a>,
    pub(crate) topology: Topology,
    pub(crate) warnings: Vec<Warning>,
    /// HTTP API integrations by address, until routes name them.
    pub(crate) v2_integrations: Vec<(String, crate::aws::Integration, String)>,
    /// HTTP API routes: (method, path, integration address, where).
    pub(crate) v2_routes: Vec<(String, String, String, crate::document::SourceLocation)>,
}

impl<'a> Reader<'_, 'a> {
    /// Every known `id` and `arn` as an alias of its resource's address.
    fn aliases(&mut self) {
        for r in &self.plan.resources {
            for key in ["id", "arn"] {
                if let Some(value) = r.values.get(key).and_then(Node::as_str) {
                    self.topology
                        .aliases
                        .insert(value.to_owned(), base_address(&r.address));
                }
            }
        }
    }

    fn resource(&mut self, r: &TfResource<'a>) -> Result<(), ImportError> {
        match r.kind.as_str() {
            "aws_api_gateway_integration" => api::integration(self, r),
            "aws_api_gateway_rest_api" | "aws_apigatewayv2_api" => api::body(self, r),
            "aws_apigatewayv2_integration" => api::v2_integration(self, r),
            "aws_apigatewayv2_route" => api::v2_route(self, r),
            "aws_api_gateway_stage" | "aws_apigatewayv2_stage" => api::stage(self, r),
            "aws_api_gateway_vpc_link" | "aws_apigatewayv2_vpc_link" => api::vpc_link(self, r),
            "aws_lb" | "aws_alb" => elb::load_balancer(self, r),
            "aws_lb_listener" | "aws_alb_listener" => elb::listener(self, r),
            "aws_lb_listener_certificate" | "aws_alb_listener_certificate" => {
                elb::listener_certificate(self, r)
            }
            "aws_lb_listener_rule" | "aws_alb_listener_rule" => elb::listener_rule(self, r),
            "aws_lb_target_group" | "aws_alb_target_group" => elb::target_group(self, r),
            "aws_lb_target_group_attachment" | "aws_alb_target_group_attachment" => {
                elb::attachment(self, r)
            }
            "aws_acm_certificate" => elb::certificate(self, r),
            kind if FAMILIES.iter().any(|f| kind.starts_with(f))
                && !PASSED_OVER.contains(&kind) =>
            {
                self.warn(
                    r,
                    &[],
                    format!(
                        "resource type {kind} of {} is not read by the import (ignored)",
                        r.address
                    ),
                );
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Records a warning at an attribute of a resource.
    pub(crate) fn warn(&mut self, r: &TfResource<'_>, path: &[&str], message: impl Into<String>) {
        let mut pointer = r.pointer.clone();
        if !path.is_empty() {
            pointer = child(&pointer, "values");
            for key in path {
                pointer = child(&pointer, key);
            }
        }
        self.warnings.push(Warning {
            location: self.plan.doc.at(&pointer, Some(r.values)),
            message: message.into(),
        });
    }

    /// An attribute as text: its value, a value a variable gives, or the placeholder
    /// `${<address>.<attribute>}` when it is known only after apply.
    pub(crate) fn text(
        &self,
        r: &TfResource<'_>,
        path: &[Seg<'_>],
    ) -> Result<Option<String>, ImportError> {
        Ok(match self.plan.attr(r, path)? {
            Attr::Known(node) => node.scalar_text(),
            Attr::Unknown(Some(Resolved::Value(v))) => Some(v),
            Attr::Unknown(_) => Some(placeholder(&format!(
                "{}.{}",
                base_address(&r.address),
                path_text(path)
            ))),
            Attr::Absent => None,
        })
    }

    /// An integer attribute (absent when unknown).
    pub(crate) fn int(
        &self,
        r: &TfResource<'_>,
        path: &[Seg<'_>],
    ) -> Result<Option<i64>, ImportError> {
        Ok(match self.plan.attr(r, path)? {
            Attr::Known(node) => node.as_i64(),
            Attr::Unknown(Some(Resolved::Value(v))) => v.parse().ok(),
            _ => None,
        })
    }

    /// A reference attribute (an id or ARN naming another resource) as the key of what it
    /// names: a resource's address, or the value itself.
    pub(crate) fn reference(
        &self,
        r: &TfResource<'_>,
        path: &[Seg<'_>],
    ) -> Result<Option<String>, ImportError> {
        Ok(match self.plan.attr(r, path)? {
            Attr::Known(node) => node.scalar_text().map(|v| self.alias(&v)),
            Attr::Unknown(Some(Resolved::Resource { address, .. })) => Some(address),
            Attr::Unknown(Some(Resolved::Value(v))) => Some(self.alias(&v)),
            Attr::Unknown(Some(Resolved::Opaque(name))) => Some(placeholder(&name)),
            Attr::Unknown(None) => Some(placeholder(&format!(
                "{}.{}",
                base_address(&r.address),
                path_text(path)
            ))),
            Attr::Absent => None,
        })
    }

    /// The full unknown reference of an attribute (resource and attribute), when it is one.
    pub(crate) fn unknown_reference(
        &self,
        r: &TfResource<'_>,
        path: &[Seg<'_>],
    ) -> Result<Option<(String, String)>, ImportError> {
        Ok(match self.plan.attr(r, path)? {
            Attr::Unknown(Some(Resolved::Resource { address, attribute })) => {
                Some((address, attribute))
            }
            _ => None,
        })
    }

    /// The address a known id or ARN belongs to, or the value.
    pub(crate) fn alias(&self, value: &str) -> String {
        self.topology
            .aliases
            .get(value)
            .cloned()
            .unwrap_or_else(|| value.to_owned())
    }

    /// The resource at a base address.
    pub(crate) fn find(&self, address: &str) -> Option<&TfResource<'a>> {
        self.plan
            .resources
            .iter()
            .find(|r| base_address(&r.address) == address)
    }
}

/// A path as a dotted attribute name (`tls_config.0.server_name_to_verify`).
fn path_text(path: &[Seg<'_>]) -> String {
    path.iter()
        .map(|s| match s {
            Seg::Key(k) => (*k).to_owned(),
            Seg::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}
