//! The topology as the sources describe it, in AWS's own shapes, keyed by AWS identifiers:
//! an ARN or id when the source knows it, else the source's name for the resource (a
//! CloudFormation logical id, a Terraform address). Every source reader fills one; several
//! are merged, and the scenario writer (`build`) reads the result.
//!
//! [`Topology::from_cli_exports`] reads the JSON the AWS CLI prints, every text once, with
//! errors naming it.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use hoplab_scenario::ApiType;
use serde::de::DeserializeOwned;

use crate::aws::{
    Certificate, DescribeListenerCertificates, DescribeListeners, DescribeLoadBalancers,
    DescribeRules, DescribeTargetGroups, DescribeTargetHealth, Integration, Listener, Rule,
    TargetGroup, TargetHealthDescription, VpcLink,
};
use crate::document::{SourceLocation, child, index};
use crate::error::ImportError;
use crate::inputs::{ImportInputs, PemFiles};
use crate::names::{arn_resource, load_balancer_kind};
use crate::placeholders::{CertificateSuggestion, Values, whole};
use crate::sidecar::{CertSource, Sidecar};

/// One route's integration.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    /// REST or HTTP API.
    pub(crate) api: ApiType,
    /// The route's method, upper case.
    pub(crate) method: String,
    /// The resource path.
    pub(crate) path: String,
    /// The integration, as get-integration prints it.
    pub(crate) integration: Integration,
    /// Where the source says it (a file and pointer), for comments.
    pub(crate) origin: String,
}

/// What kind of load balancer a key names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LoadBalancerKind {
    /// A Network Load Balancer: written as `[nlbs.<name>]`.
    Network,
    /// An Application Load Balancer: written as `[albs.<name>]`.
    Application,
    /// A Gateway Load Balancer, or a type hoplab does not know.
    Other(String),
}

impl LoadBalancerKind {
    /// The kind a template's `Type` or a plan's `load_balancer_type` names; both default to
    /// `application` when absent.
    pub(crate) fn from_type(text: Option<&str>) -> Self {
        match text.unwrap_or("application") {
            "network" => LoadBalancerKind::Network,
            "application" => LoadBalancerKind::Application,
            other => LoadBalancerKind::Other(other.to_owned()),
        }
    }

    /// The warning for a load balancer `name` of this kind, which the import cannot write
    /// (a Gateway Load Balancer, or a type hoplab does not know).
    pub(crate) fn unsupported(&self, name: &str) -> Option<String> {
        match self {
            LoadBalancerKind::Network | LoadBalancerKind::Application => None,
            LoadBalancerKind::Other(other) => Some(format!(
                "load balancer {name} has type {other:?}; the import models network and application load balancers"
            )),
        }
    }
}

/// A load balancer a source describes (CLI exports describe them only through ARNs).
#[derive(Debug, Clone)]
pub(crate) struct LoadBalancer {
    /// Its display name.
    pub(crate) name: String,
    /// Its kind.
    pub(crate) kind: LoadBalancerKind,
    /// Its DNS name, or the placeholder for it (`${OrdersNlb.DNSName}`).
    pub(crate) dns_name: String,
    /// An ALB's `idle_timeout.timeout_seconds`, when the source sets it.
    pub(crate) idle_timeout: Option<i64>,
}

/// One listener rule of an ALB, with the listener it belongs to.
#[derive(Debug, Clone)]
pub(crate) struct ListenerRule {
    /// The key of the listener.
    pub(crate) listener: String,
    /// The rule, in describe-rules' shape.
    pub(crate) rule: Rule,
    /// Where the source describes it, for warnings.
    pub(crate) origin: SourceLocation,
}

/// Every input, parsed.
#[derive(Debug, Default)]
pub(crate) struct Topology {
    pub(crate) routes: Vec<Route>,
    pub(crate) vpc_links: Vec<VpcLink>,
    /// Listeners, each once (by ARN), in input order.
    pub(crate) listeners: Vec<Listener>,
    /// ALB listener rules, in input order.
    pub(crate) rules: Vec<ListenerRule>,
    /// describe-listener-certificates output by listener ARN.
    pub(crate) listener_certificates: HashMap<String, Vec<Certificate>>,
    /// Target groups, each once (by ARN), in input order.
    pub(crate) target_groups: Vec<TargetGroup>,
    /// describe-target-health output by target group ARN.
    pub(crate) target_health: HashMap<String, Vec<TargetHealthDescription>>,
    /// Load balancers a source describes, by key.
    pub(crate) load_balancers: HashMap<String, LoadBalancer>,
    /// Other names of a key: the ARN or id of a resource a source names otherwise.
    pub(crate) aliases: HashMap<String, String>,
    /// Target groups whose targets no source registers: each gets one stand-in target.
    pub(crate) stand_in_groups: HashSet<String>,
    /// What a source says about a certificate it creates (names, issuer), by key.
    pub(crate) certificate_hints: HashMap<String, CertificateSuggestion>,
    /// Certificates by ARN (or the source's name for one).
    pub(crate) certificates: HashMap<String, CertSource>,
    /// Target certificates by target id (or target group, for stand-in targets).
    pub(crate) target_certificates: HashMap<String, CertSource>,
    /// Values for `${name}` placeholders.
    pub(crate) values: Values,
    /// What the topology was read from, for the scenario's header.
    pub(crate) described_by: Vec<String>,
}

impl Topology {
    /// Parses the AWS CLI outputs among the inputs.
    pub(crate) fn from_cli_exports(inputs: &ImportInputs) -> Result<Self, ImportError> {
        let mut ex = Topology::default();
        if !inputs.integrations.is_empty()
            || !inputs.listeners.is_empty()
            || !inputs.load_balancers.is_empty()
        {
            ex.described_by.push("AWS CLI exports".to_owned());
        }
        for input in &inputs.integrations {
            let method = input.method.trim().to_ascii_uppercase();
            let label = format!("get-integration for {method} {}", input.path);
            ex.routes.push(Route {
                api: ApiType::Rest,
                integration: parse(&label, &input.json)?,
                origin: label,
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
            for (j, mut listener) in out.listeners.into_iter().enumerate() {
                listener.origin = Some(cli_location(&label, &index("/Listeners", j)));
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
        for (i, json) in inputs.load_balancers.iter().enumerate() {
            let label = numbered("describe-load-balancers", i, inputs.load_balancers.len());
            let out: DescribeLoadBalancers = parse(&label, json)?;
            for lb in out.load_balancers {
                let Some(arn) = lb.load_balancer_arn else {
                    continue;
                };
                let kind = match lb.kind {
                    Some(kind) => LoadBalancerKind::from_type(Some(&kind)),
                    None => ex
                        .load_balancer_kind(&arn)
                        .unwrap_or(LoadBalancerKind::Network),
                };
                let name = lb
                    .load_balancer_name
                    .unwrap_or_else(|| crate::names::load_balancer_name(&arn).to_owned());
                let dns_name = lb
                    .dns_name
                    .unwrap_or_else(|| ex.load_balancer_dns_name(&arn));
                ex.load_balancers.insert(
                    arn,
                    LoadBalancer {
                        name,
                        kind,
                        dns_name,
                        idle_timeout: None,
                    },
                );
            }
        }
        for (i, json) in inputs.rules.iter().enumerate() {
            let label = numbered("describe-rules", i, inputs.rules.len());
            let out: DescribeRules = parse(&label, json)?;
            for (j, rule) in out.rules.into_iter().enumerate() {
                let pointer = index("/Rules", j);
                let listener = rule
                    .rule_arn
                    .as_deref()
                    .and_then(crate::names::rule_listener)
                    .ok_or_else(|| ImportError::Source {
                        location: cli_location(&label, &child(&pointer, "RuleArn")),
                        message: "a rule without a listener rule ARN (listener-rule/app/…): the import finds a rule's listener from its RuleArn".to_owned(),
                    })?;
                ex.rules.push(ListenerRule {
                    listener,
                    rule,
                    origin: cli_location(&label, &pointer),
                });
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
                .insert(mapping.arn.clone(), pem_source(&mapping.files)?);
        }
        for mapping in &inputs.target_certificates {
            ex.target_certificates
                .insert(mapping.target_id.clone(), pem_source(&mapping.files)?);
        }
        Ok(ex)
    }

    /// Adds what another source describes.
    pub(crate) fn merge(&mut self, other: Topology) {
        self.routes.extend(other.routes);
        self.vpc_links.extend(other.vpc_links);
        for listener in other.listeners {
            let duplicate = listener.listener_arn.is_some()
                && self
                    .listeners
                    .iter()
                    .any(|l| l.listener_arn == listener.listener_arn);
            if !duplicate {
                self.listeners.push(listener);
            }
        }
        self.rules.extend(other.rules);
        for (k, v) in other.listener_certificates {
            self.listener_certificates.entry(k).or_default().extend(v);
        }
        self.target_groups.extend(other.target_groups);
        for (k, v) in other.target_health {
            self.target_health.entry(k).or_default().extend(v);
        }
        self.load_balancers.extend(other.load_balancers);
        self.aliases.extend(other.aliases);
        self.stand_in_groups.extend(other.stand_in_groups);
        self.certificate_hints.extend(other.certificate_hints);
        self.certificates.extend(other.certificates);
        self.target_certificates.extend(other.target_certificates);
        self.described_by.extend(other.described_by);
        for (k, v) in other.values.stage_variables {
            self.values.stage_variables.entry(k).or_insert(v);
        }
        for (k, v) in other.values.values {
            self.values.values.entry(k).or_insert(v);
        }
    }

    /// Takes what the sidecar gives: values (over those a source gives, such as a stage's
    /// variables), certificates and target certificates.
    pub(crate) fn apply_sidecar(&mut self, sidecar: &Sidecar) {
        self.values
            .stage_variables
            .extend(sidecar.values.stage_variables.clone());
        self.values.values.extend(sidecar.values.values.clone());
        for (key, source) in &sidecar.certificates {
            self.certificates.insert(key.clone(), source.clone());
        }
        for (key, source) in &sidecar.targets {
            self.target_certificates.insert(key.clone(), source.clone());
        }
    }

    /// Registers a target in a group, replacing the group's stand-in if it has one.
    pub(crate) fn register(&mut self, group: &str, id: String, port: Option<i64>) {
        let health = self.target_health.entry(group.to_owned()).or_default();
        if self.stand_in_groups.remove(group) {
            health.clear();
        }
        health.push(TargetHealthDescription::registered(id, port));
    }

    /// Gives a group that no source registers a target in one stand-in target, keyed by the
    /// group (ECS services and Auto Scaling groups register targets at run time, so templates
    /// and plans often name none; see docs/choices.md).
    pub(crate) fn stand_in_unless_registered(&mut self, group: &str, port: Option<i64>) {
        let health = self.target_health.entry(group.to_owned()).or_default();
        if health.is_empty() {
            health.push(TargetHealthDescription::registered(group.to_owned(), port));
            self.stand_in_groups.insert(group.to_owned());
        }
    }

    /// The key a reference names: `${X}` or `${X.id}`/`${X.arn}` when `X` is a resource of
    /// the topology, an alias's key, or the text itself.
    pub(crate) fn key<'a>(&'a self, reference: &'a str) -> &'a str {
        if let Some(name) = whole(reference) {
            if self.is_key(name) {
                return name;
            }
            if let Some((resource, "id" | "arn" | "Arn" | "VpcLinkId" | "LoadBalancerArn")) =
                name.rsplit_once('.')
                && self.is_key(resource)
            {
                return resource;
            }
        }
        self.aliases
            .get(reference)
            .map_or(reference, String::as_str)
    }

    /// Whether some resource has this key.
    fn is_key(&self, key: &str) -> bool {
        self.vpc_links.iter().any(|v| v.id == key)
            || self.load_balancers.contains_key(key)
            || self
                .listeners
                .iter()
                .any(|l| l.listener_arn.as_deref() == Some(key))
            || self
                .target_groups
                .iter()
                .any(|g| g.target_group_arn.as_deref() == Some(key))
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

    /// The listener with this key.
    pub(crate) fn listener(&self, key: &str) -> Option<&Listener> {
        let key = self.key(key);
        self.listeners
            .iter()
            .find(|l| l.listener_arn.as_deref() == Some(key))
    }

    /// The rules of one listener, in input order.
    pub(crate) fn rules_of<'a>(
        &'a self,
        listener: &'a str,
    ) -> impl Iterator<Item = &'a ListenerRule> {
        self.rules
            .iter()
            .filter(move |r| self.key(&r.listener) == listener)
    }

    /// The VPC link with this id.
    pub(crate) fn vpc_link(&self, id: &str) -> Option<&VpcLink> {
        let id = self.key(id);
        self.vpc_links.iter().find(|v| v.id == id)
    }

    /// The target group with this ARN.
    pub(crate) fn target_group(&self, arn: &str) -> Option<&TargetGroup> {
        let arn = self.key(arn);
        self.target_groups
            .iter()
            .find(|g| g.target_group_arn.as_deref() == Some(arn))
    }

    /// The kind of load balancer `key` names: as its source describes it, else from its ARN.
    pub(crate) fn load_balancer_kind(&self, key: &str) -> Option<LoadBalancerKind> {
        if let Some(lb) = self.load_balancers.get(key) {
            return Some(lb.kind.clone());
        }
        match load_balancer_kind(key)? {
            "net" => Some(LoadBalancerKind::Network),
            "app" => Some(LoadBalancerKind::Application),
            other => Some(LoadBalancerKind::Other(other.to_owned())),
        }
    }

    /// A readable name for a load balancer.
    pub(crate) fn load_balancer_name<'a>(&'a self, key: &'a str) -> &'a str {
        match self.load_balancers.get(key) {
            Some(lb) => &lb.name,
            None => crate::names::load_balancer_name(key),
        }
    }

    /// The DNS name of a load balancer, or the placeholder for it.
    pub(crate) fn load_balancer_dns_name(&self, key: &str) -> String {
        match self.load_balancers.get(key) {
            Some(lb) => lb.dns_name.clone(),
            None => crate::placeholders::placeholder(&format!(
                "{}.DNSName",
                crate::names::load_balancer_name(arn_resource(key))
            )),
        }
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

/// Where in an AWS CLI output (named by `label`) a value is.
fn cli_location(label: &str, pointer: &str) -> SourceLocation {
    SourceLocation {
        file: label.to_owned(),
        pointer: pointer.to_owned(),
        line: None,
    }
}

fn parse<T: DeserializeOwned>(label: &str, json: &str) -> Result<T, ImportError> {
    serde_json::from_str(json).map_err(|e| ImportError::json(label, &e))
}

fn pem_source(files: &PemFiles) -> Result<CertSource, ImportError> {
    utf8(&files.chain)?;
    utf8(&files.key)?;
    Ok(CertSource::Pem {
        chain: files.chain.clone(),
        key: files.key.clone(),
    })
}

/// Checks that a path can be written into a scenario.
pub(crate) fn utf8(path: &Path) -> Result<&str, ImportError> {
    path.to_str().ok_or_else(|| ImportError::NonUtf8Path {
        path: path.to_owned(),
    })
}
