//! The import's inputs parsed and indexed: every JSON text read once, with errors naming it.

use std::collections::HashMap;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::aws::{
    Certificate, DescribeListenerCertificates, DescribeListeners, DescribeTargetGroups,
    DescribeTargetHealth, Integration, Listener, TargetGroup, TargetHealthDescription, VpcLink,
};
use crate::error::ImportError;
use crate::inputs::{ImportInputs, PemFiles};

/// One route's integration.
#[derive(Debug)]
pub(crate) struct RouteExport {
    /// The route's method, upper case.
    pub(crate) method: String,
    /// The resource path.
    pub(crate) path: String,
    /// The get-integration output.
    pub(crate) integration: Integration,
}

/// PEM file paths as they will be written into the scenario.
#[derive(Debug, Clone)]
pub(crate) struct PemPaths {
    pub(crate) chain: String,
    pub(crate) key: String,
}

/// Every input, parsed.
#[derive(Debug, Default)]
pub(crate) struct Exports {
    pub(crate) routes: Vec<RouteExport>,
    pub(crate) vpc_links: Vec<VpcLink>,
    /// Listeners, each once (by ARN), in input order.
    pub(crate) listeners: Vec<Listener>,
    /// describe-listener-certificates output by listener ARN.
    pub(crate) listener_certificates: HashMap<String, Vec<Certificate>>,
    /// Target groups, each once (by ARN), in input order.
    pub(crate) target_groups: Vec<TargetGroup>,
    /// describe-target-health output by target group ARN.
    pub(crate) target_health: HashMap<String, Vec<TargetHealthDescription>>,
    /// PEM files by certificate ARN.
    pub(crate) certificates: HashMap<String, PemPaths>,
    /// PEM files by target id.
    pub(crate) target_certificates: HashMap<String, PemPaths>,
}

impl Exports {
    /// Parses every input.
    pub(crate) fn parse(inputs: &ImportInputs) -> Result<Self, ImportError> {
        let mut ex = Exports::default();
        for input in &inputs.integrations {
            let method = input.method.trim().to_ascii_uppercase();
            let label = format!("get-integration for {method} {}", input.path);
            ex.routes.push(RouteExport {
                integration: parse(&label, &input.json)?,
                method,
                path: input.path.trim().to_owned(),
            });
        }
        for (i, json) in inputs.vpc_links.iter().enumerate() {
            ex.vpc_links.push(parse(
                &numbered("get-vpc-link", i, inputs.vpc_links.len()),
                json,
            )?);
        }
        for (i, json) in inputs.listeners.iter().enumerate() {
            let label = numbered("describe-listeners", i, inputs.listeners.len());
            let out: DescribeListeners = parse(&label, json)?;
            for listener in out.listeners {
                let duplicate = listener.listener_arn.is_some()
                    && ex
                        .listeners
                        .iter()
                        .any(|l| l.listener_arn == listener.listener_arn);
                if !duplicate {
                    ex.listeners.push(listener);
                }
            }
        }
        for input in &inputs.listener_certificates {
            let label = format!("describe-listener-certificates for {}", input.listener_arn);
            let out: DescribeListenerCertificates = parse(&label, &input.json)?;
            ex.listener_certificates
                .entry(input.listener_arn.clone())
                .or_default()
                .extend(out.certificates);
        }
        for (i, json) in inputs.target_groups.iter().enumerate() {
            let label = numbered("describe-target-groups", i, inputs.target_groups.len());
            let out: DescribeTargetGroups = parse(&label, json)?;
            for group in out.target_groups {
                let duplicate = group.target_group_arn.is_some()
                    && ex
                        .target_groups
                        .iter()
                        .any(|g| g.target_group_arn == group.target_group_arn);
                if !duplicate {
                    ex.target_groups.push(group);
                }
            }
        }
        for input in &inputs.target_health {
            let label = format!("describe-target-health for {}", input.target_group_arn);
            let out: DescribeTargetHealth = parse(&label, &input.json)?;
            ex.target_health
                .entry(input.target_group_arn.clone())
                .or_default()
                .extend(out.target_health_descriptions);
        }
        for mapping in &inputs.certificates {
            ex.certificates
                .insert(mapping.arn.clone(), pem_paths(&mapping.files)?);
        }
        for mapping in &inputs.target_certificates {
            ex.target_certificates
                .insert(mapping.target_id.clone(), pem_paths(&mapping.files)?);
        }
        Ok(ex)
    }

    /// The listeners of one load balancer, in input order.
    pub(crate) fn listeners_of<'a>(
        &'a self,
        lb_arn: &'a str,
    ) -> impl Iterator<Item = &'a Listener> {
        self.listeners
            .iter()
            .filter(move |l| l.load_balancer_arn.as_deref() == Some(lb_arn))
    }

    /// The VPC link with this id.
    pub(crate) fn vpc_link(&self, id: &str) -> Option<&VpcLink> {
        self.vpc_links.iter().find(|v| v.id == id)
    }

    /// The target group with this ARN.
    pub(crate) fn target_group(&self, arn: &str) -> Option<&TargetGroup> {
        self.target_groups
            .iter()
            .find(|g| g.target_group_arn.as_deref() == Some(arn))
    }
}

/// `name`, or `name #n` when there are several inputs of that kind.
fn numbered(name: &str, index: usize, count: usize) -> String {
    if count > 1 {
        format!("{name} #{}", index + 1)
    } else {
        name.to_owned()
    }
}

fn parse<T: DeserializeOwned>(label: &str, json: &str) -> Result<T, ImportError> {
    serde_json::from_str(json).map_err(|e| ImportError::json(label, &e))
}

fn pem_paths(files: &PemFiles) -> Result<PemPaths, ImportError> {
    Ok(PemPaths {
        chain: utf8(&files.chain)?,
        key: utf8(&files.key)?,
    })
}

fn utf8(path: &Path) -> Result<String, ImportError> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| ImportError::NonUtf8Path {
            path: path.to_owned(),
        })
}
