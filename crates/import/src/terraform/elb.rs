//! Elastic Load Balancing and ACM resources of a plan: load balancers (NLBs and ALBs),
//! listeners, their extra certificates, ALB listener rules, target groups and attachments,
//! and ACM certificates as hints. Blocks (`default_action`, `action`, `condition`) are read
//! into the AWS CLI's shapes of `aws`, which the scenario writer reads whatever the source.

use super::Reader;
use super::plan::{Seg, TfResource, base_address, k, walk};
use crate::aws::{
    Action, Certificate, FixedResponseConfig, ForwardConfig, HttpHeaderConfig, Listener, Matcher,
    QueryPair, QueryStringConfig, RedirectConfig, Rule, RuleCondition, StickinessConfig,
    TargetGroup, TargetGroupTuple, ValuesConfig, unknown_protocol,
};
use crate::document::Node;
use crate::error::ImportError;
use crate::placeholders::{CertificateSuggestion, placeholder};
use crate::topology::{ListenerRule, LoadBalancer, LoadBalancerKind};

/// A load balancer. The provider's default `load_balancer_type` is `application`.
pub(super) fn load_balancer(
    reader: &mut Reader<'_, '_>,
    r: &TfResource<'_>,
) -> Result<(), ImportError> {
    let address = base_address(&r.address);
    let kind = LoadBalancerKind::from_type(reader.text(r, &[k("load_balancer_type")])?.as_deref());
    if let Some(message) = kind.unsupported(&address) {
        reader.warn(r, &["load_balancer_type"], message);
    }
    let idle_timeout = match kind {
        LoadBalancerKind::Application => reader.int(r, &[k("idle_timeout")])?,
        _ => None,
    };
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
            idle_timeout,
        },
    );
    Ok(())
}

/// How many blocks (or values) the list at `path` holds.
fn count(r: &TfResource<'_>, path: &[Seg<'_>]) -> usize {
    walk(r.values, path)
        .and_then(Node::as_seq)
        .map_or(0, <[Node]>::len)
}

/// `path` with more steps after it.
fn at<'p>(path: &[Seg<'p>], more: &[Seg<'p>]) -> Vec<Seg<'p>> {
    path.iter().chain(more).copied().collect()
}

/// The texts of a list attribute (a set of strings).
fn texts(
    reader: &Reader<'_, '_>,
    r: &TfResource<'_>,
    path: &[Seg<'_>],
) -> Result<Vec<String>, ImportError> {
    let mut out = Vec::new();
    for i in 0..count(r, path) {
        out.extend(reader.text(r, &at(path, &[Seg::Index(i)]))?);
    }
    Ok(out)
}

/// Every `block` of a resource (`default_action`, `action`) as an action.
fn actions(
    reader: &Reader<'_, '_>,
    r: &TfResource<'_>,
    block: &str,
) -> Result<Vec<Action>, ImportError> {
    let mut out = Vec::new();
    for i in 0..count(r, &[k(block)]) {
        out.push(action(reader, r, &[k(block), Seg::Index(i)])?);
    }
    Ok(out)
}

/// One action block at `base`.
fn action(
    reader: &Reader<'_, '_>,
    r: &TfResource<'_>,
    base: &[Seg<'_>],
) -> Result<Action, ImportError> {
    let forward = at(base, &[k("forward"), Seg::Index(0)]);
    let group_list = at(&forward, &[k("target_group")]);
    let mut groups = Vec::new();
    for j in 0..count(r, &group_list) {
        let group = at(&group_list, &[Seg::Index(j)]);
        groups.push(TargetGroupTuple {
            target_group_arn: reader.reference(r, &at(&group, &[k("arn")]))?,
            weight: reader.int(r, &at(&group, &[k("weight")]))?,
        });
    }
    let stickiness = at(&forward, &[k("stickiness"), Seg::Index(0), k("enabled")]);
    let stickiness = reader.text(r, &stickiness)?.map(|t| StickinessConfig {
        enabled: Some(t == "true"),
    });
    let fixed = at(base, &[k("fixed_response"), Seg::Index(0)]);
    let fixed_response_config = match count(r, &at(base, &[k("fixed_response")])) {
        0 => None,
        _ => Some(FixedResponseConfig {
            status_code: reader.text(r, &at(&fixed, &[k("status_code")]))?,
            content_type: reader.text(r, &at(&fixed, &[k("content_type")]))?,
            message_body: reader.text(r, &at(&fixed, &[k("message_body")]))?,
        }),
    };
    let redirect = at(base, &[k("redirect"), Seg::Index(0)]);
    let part = |key| reader.text(r, &at(&redirect, &[k(key)]));
    let redirect_config = match count(r, &at(base, &[k("redirect")])) {
        0 => None,
        _ => Some(RedirectConfig {
            status_code: part("status_code")?,
            protocol: part("protocol")?,
            host: part("host")?,
            port: part("port")?,
            path: part("path")?,
            query: part("query")?,
        }),
    };
    Ok(Action {
        kind: reader.text(r, &at(base, &[k("type")]))?,
        order: reader.int(r, &at(base, &[k("order")]))?,
        target_group_arn: reader.reference(r, &at(base, &[k("target_group_arn")]))?,
        forward_config: (!groups.is_empty() || stickiness.is_some()).then_some(ForwardConfig {
            target_groups: groups,
            target_group_stickiness_config: stickiness,
        }),
        fixed_response_config,
        redirect_config,
    })
}

/// A listener (an NLB's or an ALB's): its default certificate, policies and default action.
pub(super) fn listener(reader: &mut Reader<'_, '_>, r: &TfResource<'_>) -> Result<(), ImportError> {
    let address = base_address(&r.address);
    let lb = reader.reference(r, &[k("load_balancer_arn")])?;
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
    let actions = actions(reader, r, "default_action")?;
    let origin = Some(reader.plan.doc.at(&r.pointer, Some(r.values)));
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
        origin,
    });
    Ok(())
}

/// An ALB listener rule: its listener, priority, `condition` and `action` blocks.
pub(super) fn listener_rule(
    reader: &mut Reader<'_, '_>,
    r: &TfResource<'_>,
) -> Result<(), ImportError> {
    let Some(listener) = reader.reference(r, &[k("listener_arn")])? else {
        reader.warn(
            r,
            &["listener_arn"],
            format!("{} names no listener (ignored)", r.address),
        );
        return Ok(());
    };
    let mut conditions = Vec::new();
    for i in 0..count(r, &[k("condition")]) {
        conditions.push(condition(reader, r, &[k("condition"), Seg::Index(i)])?);
    }
    let rule = Rule {
        rule_arn: Some(base_address(&r.address)),
        priority: reader.text(r, &[k("priority")])?,
        conditions,
        actions: actions(reader, r, "action")?,
        is_default: Some(false),
    };
    let origin = reader.plan.doc.at(&r.pointer, Some(r.values));
    reader.topology.rules.push(ListenerRule {
        listener,
        rule,
        origin,
    });
    Ok(())
}

/// One `condition` block: the provider nests one block per field, and one `query_string`
/// block per pair.
fn condition(
    reader: &Reader<'_, '_>,
    r: &TfResource<'_>,
    base: &[Seg<'_>],
) -> Result<RuleCondition, ImportError> {
    let values = |block: &str| -> Result<Option<ValuesConfig>, ImportError> {
        if count(r, &at(base, &[k(block)])) == 0 {
            return Ok(None);
        }
        Ok(Some(ValuesConfig {
            values: texts(
                reader,
                r,
                &at(base, &[k(block), Seg::Index(0), k("values")]),
            )?,
            regex_values: Vec::new(),
        }))
    };
    let mut condition = RuleCondition::default();
    for (block, field) in [
        ("host_header", "host-header"),
        ("path_pattern", "path-pattern"),
        ("http_request_method", "http-request-method"),
        ("source_ip", "source-ip"),
    ] {
        let Some(config) = values(block)? else {
            continue;
        };
        condition.field = Some(field.to_owned());
        match block {
            "host_header" => condition.host_header_config = Some(config),
            "path_pattern" => condition.path_pattern_config = Some(config),
            "http_request_method" => condition.http_request_method_config = Some(config),
            _ => condition.source_ip_config = Some(config),
        }
    }
    let header = at(base, &[k("http_header"), Seg::Index(0)]);
    if count(r, &at(base, &[k("http_header")])) > 0 {
        condition.field = Some("http-header".to_owned());
        condition.http_header_config = Some(HttpHeaderConfig {
            http_header_name: reader.text(r, &at(&header, &[k("http_header_name")]))?,
            values: texts(reader, r, &at(&header, &[k("values")]))?,
            regex_values: Vec::new(),
        });
    }
    let pairs = count(r, &at(base, &[k("query_string")]));
    if pairs > 0 {
        condition.field = Some("query-string".to_owned());
        let mut values = Vec::new();
        for i in 0..pairs {
            let pair = at(base, &[k("query_string"), Seg::Index(i)]);
            values.push(QueryPair {
                key: reader
                    .text(r, &at(&pair, &[k("key")]))?
                    .filter(|key| !key.is_empty()),
                value: reader.text(r, &at(&pair, &[k("value")]))?,
            });
        }
        condition.query_string_config = Some(QueryStringConfig { values });
    }
    Ok(condition)
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
        algorithm: reader.text(r, &[k("load_balancing_algorithm_type")])?,
        origin: Some(reader.plan.doc.at(&r.pointer, Some(r.values))),
    };
    if group.target_type.as_deref() != Some("alb") {
        reader.topology.stand_in_unless_registered(&address, port);
    }
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
