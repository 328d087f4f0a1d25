//! Elastic Load Balancing and ACM resources of a template: load balancers, listeners, their
//! extra certificates, target groups with their registered targets, and what an ACM
//! certificate resource says about the certificate (a hint for the sidecar).

use super::Reader;
use super::intrinsics::Resource;
use crate::aws::{
    Action, Certificate, ForwardConfig, Listener, TargetGroup, TargetGroupTuple, unknown_protocol,
};
use crate::document::{Node, child};
use crate::error::ImportError;
use crate::placeholders::{CertificateSuggestion, placeholder};
use crate::topology::{LoadBalancer, LoadBalancerKind};

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
    if let Some(message) = crate::alb::load_balancer(r.id, &kind) {
        reader.warn(&r.pointer, r.node, message);
    }
    reader.topology.load_balancers.insert(
        r.id.to_owned(),
        LoadBalancer {
            name,
            kind,
            dns_name: placeholder(&format!("{}.DNSName", r.id)),
        },
    );
    Ok(())
}

/// Whether the template's resource `key` is a load balancer other than an NLB.
fn not_network(reader: &Reader<'_, '_>, key: &str) -> Option<String> {
    let lb = reader.t.resource(key)?;
    if lb.kind != "AWS::ElasticLoadBalancingV2::LoadBalancer" {
        return None;
    }
    let kind = lb
        .node
        .get("Properties")
        .and_then(|p| p.get("Type"))
        .and_then(Node::as_str)
        .unwrap_or("application");
    (kind != "network").then(|| kind.to_owned())
}

/// A listener.
pub(super) fn listener(reader: &mut Reader<'_, '_>, r: &Resource<'_>) -> Result<(), ImportError> {
    let lb = reader
        .text(r, "LoadBalancerArn")?
        .map(|t| reader.reference(&t));
    if let Some(lb) = &lb
        && let Some(kind) = not_network(reader, lb)
    {
        reader.warn(&r.pointer, r.node, crate::alb::listener(r.id, lb, &kind));
        return Ok(());
    }
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
    let mut actions = Vec::new();
    for action in reader
        .property(r, "DefaultActions")?
        .as_ref()
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let text = |key: &str| action.get(key).and_then(Node::scalar_text);
        let groups = action
            .get("ForwardConfig")
            .and_then(|f| f.get("TargetGroups"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|g| TargetGroupTuple {
                target_group_arn: g
                    .get("TargetGroupArn")
                    .and_then(Node::scalar_text)
                    .map(|t| reader.reference(&t)),
            })
            .collect::<Vec<_>>();
        actions.push(Action {
            kind: text("Type").map(|t| t.to_ascii_lowercase()),
            target_group_arn: text("TargetGroupArn").map(|t| reader.reference(&t)),
            forward_config: (!groups.is_empty()).then_some(ForwardConfig {
                target_groups: groups,
            }),
        });
    }
    reader.topology.listeners.push(Listener {
        listener_arn: Some(r.id.to_owned()),
        load_balancer_arn: lb,
        port: reader.property(r, "Port")?.and_then(|p| p.as_i64()),
        protocol,
        certificates,
        ssl_policy: reader.text(r, "SslPolicy")?,
        alpn_policy: alpn,
        default_actions: actions,
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
    if target_type.as_deref() == Some("alb") {
        reader.warn(&r.pointer, r.node, crate::alb::target_group(r.id));
    }
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
    reader.topology.stand_in_unless_registered(r.id, port);
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
