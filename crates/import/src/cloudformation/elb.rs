//! Elastic Load Balancing and ACM resources of a template: load balancers (NLBs and ALBs),
//! listeners, their extra certificates, ALB listener rules, target groups with their
//! registered targets, and what an ACM certificate resource says about the certificate (a
//! hint for the sidecar).
//!
//! Actions and rule conditions have the same shape in a template as in the AWS CLI's JSON,
//! so they are read through the structs of `aws` once their intrinsics are resolved.

use serde::de::DeserializeOwned;

use super::Reader;
use super::intrinsics::Resource;
use crate::aws::{
    Action, Certificate, Listener, Rule, RuleCondition, TargetGroup, unknown_protocol,
};
use crate::document::{Node, child};
use crate::error::ImportError;
use crate::placeholders::{CertificateSuggestion, placeholder};
use crate::topology::{ListenerRule, LoadBalancer, LoadBalancerKind};

const LOAD_BALANCER_PROPERTIES: [&str; 13] = [
    "Type",
    "Name",
    "Scheme",
    "Subnets",
    "SubnetMappings",
    "SecurityGroups",
    "LoadBalancerAttributes",
    "IpAddressType",
    "Tags",
    "EnablePrefixForIpv6SourceNat",
    "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic",
    "MinimumLoadBalancerCapacity",
    "Ipv4IpamPoolId",
];

const LISTENER_PROPERTIES: [&str; 9] = [
    "LoadBalancerArn",
    "Protocol",
    "Port",
    "Certificates",
    "SslPolicy",
    "AlpnPolicy",
    "DefaultActions",
    "MutualAuthentication",
    "ListenerAttributes",
];

const TARGET_GROUP_PROPERTIES: [&str; 19] = [
    "Name",
    "Protocol",
    "ProtocolVersion",
    "Port",
    "TargetType",
    "Targets",
    "VpcId",
    "HealthCheckEnabled",
    "HealthCheckProtocol",
    "HealthCheckPort",
    "HealthCheckPath",
    "HealthCheckIntervalSeconds",
    "HealthCheckTimeoutSeconds",
    "HealthyThresholdCount",
    "UnhealthyThresholdCount",
    "Matcher",
    "TargetGroupAttributes",
    "IpAddressType",
    "Tags",
];

/// A load balancer. CloudFormation's default `Type` is `application`.
pub(super) fn load_balancer(
    reader: &mut Reader<'_, '_>,
    r: &Resource<'_>,
) -> Result<(), ImportError> {
    reader.check_properties(r, &LOAD_BALANCER_PROPERTIES);
    let kind = LoadBalancerKind::from_type(reader.text(r, "Type")?.as_deref());
    let name = reader
        .text(r, "Name")?
        .filter(|n| !n.contains("${"))
        .unwrap_or_else(|| r.id.to_owned());
    if let Some(message) = kind.unsupported(r.id) {
        reader.warn(&r.pointer, r.node, message);
    }
    let idle_timeout = attribute(
        reader,
        r,
        "LoadBalancerAttributes",
        "idle_timeout.timeout_seconds",
    )?
    .and_then(|t| t.trim().parse().ok());
    reader.topology.load_balancers.insert(
        r.id.to_owned(),
        LoadBalancer {
            name,
            kind,
            dns_name: placeholder(&format!("{}.DNSName", r.id)),
            idle_timeout,
        },
    );
    Ok(())
}

/// The value of one `{ Key, Value }` entry of an attributes list property.
fn attribute(
    reader: &Reader<'_, '_>,
    r: &Resource<'_>,
    property: &str,
    key: &str,
) -> Result<Option<String>, ImportError> {
    Ok(reader
        .property(r, property)?
        .as_ref()
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .find(|a| a.get("Key").and_then(Node::as_str) == Some(key))
        .and_then(|a| a.get("Value"))
        .and_then(Node::scalar_text))
}

/// A resolved property read through an `aws` struct (the template's shape is the CLI's).
fn aws_shape<T: DeserializeOwned + Default>(
    reader: &Reader<'_, '_>,
    r: &Resource<'_>,
    name: &str,
) -> Result<T, ImportError> {
    let Some(node) = reader.property(r, name)? else {
        return Ok(T::default());
    };
    serde_json::from_value(node.to_json()).map_err(|e| ImportError::Source {
        location: reader
            .t
            .doc
            .at(&child(&child(&r.pointer, "Properties"), name), Some(r.node)),
        message: format!("{} {}: {name}: {e}", r.kind, r.id),
    })
}

/// Actions with their target groups named by the template's keys.
fn canonical_actions(reader: &Reader<'_, '_>, actions: &mut [Action]) {
    for action in actions {
        if let Some(arn) = action.target_group_arn.as_mut() {
            *arn = reader.reference(arn);
        }
        if let Some(config) = action.forward_config.as_mut() {
            for group in &mut config.target_groups {
                if let Some(arn) = group.target_group_arn.as_mut() {
                    *arn = reader.reference(arn);
                }
            }
        }
        if let Some(kind) = action.kind.as_mut() {
            kind.make_ascii_lowercase();
        }
    }
}

/// A listener (an NLB's or an ALB's).
pub(super) fn listener(reader: &mut Reader<'_, '_>, r: &Resource<'_>) -> Result<(), ImportError> {
    let lb = reader
        .text(r, "LoadBalancerArn")?
        .map(|t| reader.reference(&t));
    reader.check_properties(r, &LISTENER_PROPERTIES);
    let protocol = reader.text(r, "Protocol")?.map(|p| p.to_ascii_uppercase());
    if let Some(message) = unknown_protocol("listener", protocol.as_deref()) {
        let pointer = child(&child(&r.pointer, "Properties"), "Protocol");
        reader.warn(&pointer, r.node, message);
    }
    if r.node
        .get("Properties")
        .and_then(|p| p.get("MutualAuthentication"))
        .is_some()
    {
        reader.warn(
            &r.pointer,
            r.node,
            format!("listener {}: MutualAuthentication is not modelled", r.id),
        );
    }
    let certificates = certificates(reader, r, None)?;
    let alpn = match reader.property(r, "AlpnPolicy")? {
        Some(node) => match node.as_seq() {
            Some(items) => items.iter().filter_map(Node::scalar_text).collect(),
            None => node.scalar_text().into_iter().collect(),
        },
        None => Vec::new(),
    };
    let mut actions: Vec<Action> = aws_shape(reader, r, "DefaultActions")?;
    canonical_actions(reader, &mut actions);
    let origin = Some(reader.t.doc.at(&r.pointer, Some(r.node)));
    reader.topology.listeners.push(Listener {
        listener_arn: Some(r.id.to_owned()),
        load_balancer_arn: lb,
        port: reader.property(r, "Port")?.and_then(|p| p.as_i64()),
        protocol,
        certificates,
        ssl_policy: reader.text(r, "SslPolicy")?,
        alpn_policy: alpn,
        default_actions: actions,
        origin,
    });
    Ok(())
}

/// An ALB listener rule: its listener, priority, conditions and actions.
pub(super) fn listener_rule(
    reader: &mut Reader<'_, '_>,
    r: &Resource<'_>,
) -> Result<(), ImportError> {
    reader.check_properties(r, &["ListenerArn", "Priority", "Conditions", "Actions"]);
    let Some(listener) = reader.text(r, "ListenerArn")?.map(|t| reader.reference(&t)) else {
        reader.warn(
            &r.pointer,
            r.node,
            format!("listener rule {} names no ListenerArn (ignored)", r.id),
        );
        return Ok(());
    };
    let conditions: Vec<RuleCondition> = aws_shape(reader, r, "Conditions")?;
    let mut actions: Vec<Action> = aws_shape(reader, r, "Actions")?;
    canonical_actions(reader, &mut actions);
    let rule = Rule {
        rule_arn: Some(r.id.to_owned()),
        priority: reader.text(r, "Priority")?,
        conditions,
        actions,
        is_default: Some(false),
    };
    let origin = reader.t.doc.at(&r.pointer, Some(r.node));
    reader.topology.rules.push(ListenerRule {
        listener,
        rule,
        origin,
    });
    Ok(())
}

/// The `Certificates` of a listener or listener certificate resource.
fn certificates(
    reader: &Reader<'_, '_>,
    r: &Resource<'_>,
    is_default: Option<bool>,
) -> Result<Vec<Certificate>, ImportError> {
    Ok(reader
        .property(r, "Certificates")?
        .as_ref()
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c.get("CertificateArn").and_then(Node::scalar_text))
        .map(|arn| Certificate {
            certificate_arn: Some(reader.reference(&arn)),
            is_default,
        })
        .collect())
}

/// Extra (SNI) certificates of a listener.
pub(super) fn listener_certificate(
    reader: &mut Reader<'_, '_>,
    r: &Resource<'_>,
) -> Result<(), ImportError> {
    reader.check_properties(r, &["ListenerArn", "Certificates"]);
    let Some(listener) = reader.text(r, "ListenerArn")?.map(|t| reader.reference(&t)) else {
        reader.warn(
            &r.pointer,
            r.node,
            format!(
                "listener certificate {} names no ListenerArn (ignored)",
                r.id
            ),
        );
        return Ok(());
    };
    let list = certificates(reader, r, Some(false))?;
    reader
        .topology
        .listener_certificates
        .entry(listener)
        .or_default()
        .extend(list);
    Ok(())
}

/// A target group and its registered targets (or a stand-in when it registers none).
pub(super) fn target_group(
    reader: &mut Reader<'_, '_>,
    r: &Resource<'_>,
) -> Result<(), ImportError> {
    reader.check_properties(r, &TARGET_GROUP_PROPERTIES);
    let int = |reader: &Reader<'_, '_>, key: &str| -> Result<Option<i64>, ImportError> {
        Ok(reader.property(r, key)?.and_then(|n| n.as_i64()))
    };
    let protocol = reader.text(r, "Protocol")?.map(|p| p.to_ascii_uppercase());
    if let Some(message) = unknown_protocol("target group", protocol.as_deref()) {
        reader.warn(&r.pointer, r.node, message);
    }
    let target_type = reader.text(r, "TargetType")?;
    let port = int(reader, "Port")?;
    let group = TargetGroup {
        target_group_arn: Some(r.id.to_owned()),
        target_group_name: reader
            .text(r, "Name")?
            .filter(|n| !n.contains("${"))
            .or_else(|| Some(r.id.to_owned())),
        protocol,
        port,
        target_type,
        health_check_enabled: reader
            .property(r, "HealthCheckEnabled")?
            .and_then(|n| n.as_bool()),
        health_check_protocol: reader.text(r, "HealthCheckProtocol")?,
        health_check_port: reader.text(r, "HealthCheckPort")?,
        health_check_path: reader.text(r, "HealthCheckPath")?,
        health_check_interval_seconds: int(reader, "HealthCheckIntervalSeconds")?,
        health_check_timeout_seconds: int(reader, "HealthCheckTimeoutSeconds")?,
        healthy_threshold_count: int(reader, "HealthyThresholdCount")?,
        unhealthy_threshold_count: int(reader, "UnhealthyThresholdCount")?,
        matcher: reader.property(r, "Matcher")?.map(|m| crate::aws::Matcher {
            http_code: m.get("HttpCode").and_then(Node::scalar_text),
        }),
        algorithm: attribute(
            reader,
            r,
            "TargetGroupAttributes",
            "load_balancing.algorithm.type",
        )?,
        origin: Some(reader.t.doc.at(&r.pointer, Some(r.node))),
    };
    for target in reader
        .property(r, "Targets")?
        .as_ref()
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let Some(id) = target.get("Id").and_then(Node::scalar_text) else {
            continue;
        };
        let id = reader.reference(&id);
        let port = target.get("Port").and_then(Node::as_i64);
        reader.topology.register(r.id, id, port);
    }
    if group.target_type.as_deref() != Some("alb") {
        reader.topology.stand_in_unless_registered(r.id, port);
    }
    reader.topology.target_groups.push(group);
    Ok(())
}

/// What an ACM certificate resource says: its names, and whether a private CA issues it.
pub(super) fn certificate(
    reader: &mut Reader<'_, '_>,
    r: &Resource<'_>,
) -> Result<(), ImportError> {
    let alternative: Vec<String> = reader
        .property(r, "SubjectAlternativeNames")?
        .as_ref()
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::scalar_text)
        .collect();
    let suggestion = CertificateSuggestion::acm(
        reader.text(r, "DomainName")?,
        alternative,
        reader.property(r, "CertificateAuthorityArn")?.is_some(),
    );
    reader
        .topology
        .certificate_hints
        .insert(r.id.to_owned(), suggestion);
    Ok(())
}
