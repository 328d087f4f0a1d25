//! Elastic Load Balancing and ACM resources of a plan: load balancers, listeners, their
//! extra certificates, target groups and attachments, and ACM certificates as hints.

use super::Reader;
use super::plan::{Seg, TfResource, base_address, k};
use crate::aws::{
    Action, Certificate, ForwardConfig, Listener, Matcher, TargetGroup, TargetGroupTuple,
    unknown_protocol,
};
use crate::document::Node;
use crate::error::ImportError;
use crate::placeholders::{CertificateSuggestion, placeholder};
use crate::topology::{LoadBalancer, LoadBalancerKind};

/// A load balancer. The provider's default `load_balancer_type` is `application`.
pub(super) fn load_balancer(
    reader: &mut Reader<'_, '_>,
    r: &TfResource<'_>,
) -> Result<(), ImportError> {
    let address = base_address(&r.address);
    let kind = LoadBalancerKind::from_type(reader.text(r, &[k("load_balancer_type")])?.as_deref());
    if let Some(message) = crate::alb::load_balancer(&address, &kind) {
        reader.warn(r, &["load_balancer_type"], message);
    }
    let name = reader
        .text(r, &[k("name")])?
        .filter(|n| !n.contains("${"))
        .unwrap_or_else(|| address.clone());
    let dns_name = reader
        .text(r, &[k("dns_name")])?
        .unwrap_or_else(|| placeholder(&format!("{address}.dns_name")));
    reader.topology.load_balancers.insert(
        address,
        LoadBalancer {
            name,
            kind,
            dns_name,
        },
    );
    Ok(())
}

/// Whether the plan's load balancer `key` is not an NLB: its type.
fn not_network(reader: &Reader<'_, '_>, key: &str) -> Option<String> {
    let lb = reader.find(key)?;
    if !matches!(lb.kind.as_str(), "aws_lb" | "aws_alb") {
        return None;
    }
    let kind = lb
        .values
        .get("load_balancer_type")
        .and_then(Node::as_str)
        .unwrap_or("application");
    (kind != "network").then(|| kind.to_owned())
}

/// A listener: its default certificate, policies and default action.
pub(super) fn listener(reader: &mut Reader<'_, '_>, r: &TfResource<'_>) -> Result<(), ImportError> {
    let address = base_address(&r.address);
    let lb = reader.reference(r, &[k("load_balancer_arn")])?;
    if let Some(lb) = &lb
        && let Some(kind) = not_network(reader, lb)
    {
        reader.warn(r, &[], crate::alb::listener(&address, lb, &kind));
        return Ok(());
    }
    let protocol = reader
        .text(r, &[k("protocol")])?
        .map(|p| p.to_ascii_uppercase());
    if let Some(message) = unknown_protocol("listener", protocol.as_deref()) {
        reader.warn(r, &["protocol"], message);
    }
    if r.values
        .get("mutual_authentication")
        .and_then(Node::as_seq)
        .is_some_and(|m| !m.is_empty())
    {
        reader.warn(
            r,
            &["mutual_authentication"],
            format!("listener {address}: mutual_authentication is not modelled"),
        );
    }
    let certificates = reader
        .reference(r, &[k("certificate_arn")])?
        .map(|arn| Certificate {
            certificate_arn: Some(arn),
            is_default: None,
        })
        .into_iter()
        .collect();
    let mut actions = Vec::new();
    let count = r
        .values
        .get("default_action")
        .and_then(Node::as_seq)
        .map_or(0, <[Node]>::len);
    for i in 0..count {
        let at = |key| [k("default_action"), Seg::Index(i), k(key)];
        let forward_count = r
            .values
            .get("default_action")
            .and_then(Node::as_seq)
            .and_then(|a| a.get(i))
            .and_then(|a| a.get("forward"))
            .and_then(Node::as_seq)
            .and_then(|f| f.first())
            .and_then(|f| f.get("target_group"))
            .and_then(Node::as_seq)
            .map_or(0, <[Node]>::len);
        let mut groups = Vec::new();
        for j in 0..forward_count {
            let path = [
                k("default_action"),
                Seg::Index(i),
                k("forward"),
                Seg::Index(0),
                k("target_group"),
                Seg::Index(j),
                k("arn"),
            ];
            groups.push(TargetGroupTuple {
                target_group_arn: reader.reference(r, &path)?,
            });
        }
        actions.push(Action {
            kind: reader.text(r, &at("type"))?,
            target_group_arn: reader.reference(r, &at("target_group_arn"))?,
            forward_config: (!groups.is_empty()).then_some(ForwardConfig {
                target_groups: groups,
            }),
        });
    }
    reader.topology.listeners.push(Listener {
        listener_arn: Some(address),
        load_balancer_arn: lb,
        port: reader.int(r, &[k("port")])?,
        protocol,
        certificates,
        ssl_policy: reader.text(r, &[k("ssl_policy")])?,
        alpn_policy: reader
            .text(r, &[k("alpn_policy")])?
            .filter(|a| !a.is_empty())
            .into_iter()
            .collect(),
        default_actions: actions,
    });
    Ok(())
}

/// One extra (SNI) certificate of a listener.
pub(super) fn listener_certificate(
    reader: &mut Reader<'_, '_>,
    r: &TfResource<'_>,
) -> Result<(), ImportError> {
    let (Some(listener), Some(arn)) = (
        reader.reference(r, &[k("listener_arn")])?,
        reader.reference(r, &[k("certificate_arn")])?,
    ) else {
        reader.warn(
            r,
            &[],
            format!("{} names no listener or certificate (ignored)", r.address),
        );
        return Ok(());
    };
    reader
        .topology
        .listener_certificates
        .entry(listener)
        .or_default()
        .push(Certificate {
            certificate_arn: Some(arn),
            is_default: Some(false),
        });
    Ok(())
}

/// A target group; a stand-in target is registered until an attachment names a real one.
pub(super) fn target_group(
    reader: &mut Reader<'_, '_>,
    r: &TfResource<'_>,
) -> Result<(), ImportError> {
    let address = base_address(&r.address);
    let protocol = reader
        .text(r, &[k("protocol")])?
        .map(|p| p.to_ascii_uppercase());
    if let Some(message) = unknown_protocol("target group", protocol.as_deref()) {
        reader.warn(r, &["protocol"], message);
    }
    let target_type = reader.text(r, &[k("target_type")])?;
    if target_type.as_deref() == Some("alb") {
        reader.warn(r, &["target_type"], crate::alb::target_group(&address));
    }
    let check = |key| [k("health_check"), Seg::Index(0), k(key)];
    let port = reader.int(r, &[k("port")])?;
    let group = TargetGroup {
        target_group_arn: Some(address.clone()),
        target_group_name: reader
            .text(r, &[k("name")])?
            .filter(|n| !n.contains("${"))
            .or_else(|| Some(address.clone())),
        protocol,
        port,
        target_type,
        health_check_enabled: reader.text(r, &check("enabled"))?.map(|t| t == "true"),
        health_check_protocol: reader.text(r, &check("protocol"))?,
        health_check_port: reader.text(r, &check("port"))?,
        health_check_path: reader.text(r, &check("path"))?.filter(|p| !p.is_empty()),
        health_check_interval_seconds: reader.int(r, &check("interval"))?,
        health_check_timeout_seconds: reader.int(r, &check("timeout"))?,
        healthy_threshold_count: reader.int(r, &check("healthy_threshold"))?,
        unhealthy_threshold_count: reader.int(r, &check("unhealthy_threshold"))?,
        matcher: reader
            .text(r, &check("matcher"))?
            .filter(|m| !m.is_empty())
            .map(|m| Matcher { http_code: Some(m) }),
    };
    reader.topology.stand_in_unless_registered(&address, port);
    reader.topology.target_groups.push(group);
    Ok(())
}

/// A target registered in a group (replacing the group's stand-in).
pub(super) fn attachment(
    reader: &mut Reader<'_, '_>,
    r: &TfResource<'_>,
) -> Result<(), ImportError> {
    let (Some(group), Some(target)) = (
        reader.reference(r, &[k("target_group_arn")])?,
        reader.reference(r, &[k("target_id")])?,
    ) else {
        reader.warn(
            r,
            &[],
            format!("{} names no target group or target (ignored)", r.address),
        );
        return Ok(());
    };
    let target = crate::placeholders::whole(&target).map_or(target.clone(), |name| {
        name.rsplit_once('.')
            .map_or(name, |(resource, _)| resource)
            .to_owned()
    });
    let port = reader.int(r, &[k("port")])?;
    reader.topology.register(&group, target, port);
    Ok(())
}

/// What an ACM certificate says: its names, and whether a private CA issues it.
pub(super) fn certificate(
    reader: &mut Reader<'_, '_>,
    r: &TfResource<'_>,
) -> Result<(), ImportError> {
    let alternative = r
        .values
        .get("subject_alternative_names")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::scalar_text);
    let private_ca = reader
        .text(r, &[k("certificate_authority_arn")])?
        .is_some_and(|a| !a.is_empty());
    let suggestion = CertificateSuggestion::acm(
        reader.text(r, &[k("domain_name")])?,
        alternative,
        private_ca,
    );
    let address = base_address(&r.address);
    if let Some(arn) = r.values.get("arn").and_then(Node::as_str) {
        reader
            .topology
            .certificate_hints
            .insert(arn.to_owned(), suggestion.clone());
    }
    reader
        .topology
        .certificate_hints
        .insert(address, suggestion);
    Ok(())
}
