//! `[target_groups.<name>]` from describe-target-groups, and `[targets.<name>]` from
//! describe-target-health (plus one target per `INTERNET` host). An NLB's groups are `TCP`
//! or `TLS` (or of target type `alb`, naming the ALB they forward to); an ALB's are `HTTP`
//! or `HTTPS`, with their health check and load balancing algorithm.

use std::collections::HashMap;

use super::balancers::{GroupUse, is_alb_group};
use super::routes::Backend;
use super::{Builder, Missing};
use crate::aws::{TargetGroup, TargetHealthDescription};
use crate::doc::{Doc, Value};
use crate::names::target_name;

/// One target (an id and port) and what is known about it.
#[derive(Debug)]
struct Target {
    id: String,
    port: Option<i64>,
    name: String,
    /// ARNs of the groups it is registered in.
    groups: Vec<String>,
    /// One comment per registration: group, port and health.
    registrations: Vec<String>,
    /// Why it must speak TLS, if it must.
    tls_because: Option<String>,
}

/// Writes the target groups the listeners use and every target; returns `(groups, targets)`.
pub(crate) fn write(b: &mut Builder<'_>, uses: &[GroupUse], backends: &[Backend]) -> (Doc, Doc) {
    let ex = b.ex;
    let targets = collect_targets(b, uses);

    let mut groups = Doc::default();
    for group_use in uses {
        let group = ex.target_group(&group_use.arn);
        let wanted = group
            .and_then(|g| g.target_group_name.clone())
            .unwrap_or_else(|| crate::names::target_group_name(&group_use.arn).to_owned());
        let name = b.group_names.name(&group_use.arn, &wanted);
        let f = format!("target_groups.{name}");
        groups.blank();
        groups.table(&["target_groups", &name]);
        groups.comment(&format!("target group {}", group_use.arn));
        if ex.stand_in_groups.contains(&group_use.arn) {
            groups.comment("no source registers this group's targets (ECS, Auto Scaling and others register them at run time): one stand-in target, keyed by the target group in the sidecar");
        }
        write_group_protocol(&mut groups, &f, group, &group_use.arn);
        if is_alb_group(b, &group_use.arn) {
            write_alb_target(b, &mut groups, &f, group, &group_use.arn);
            continue;
        }
        let alb_group = group.is_some_and(is_http);
        if alb_group && let Some(group) = group {
            write_algorithm(b, &mut groups, &f, group);
        }
        let members: Vec<String> = targets
            .iter()
            .filter(|t| t.groups.contains(&group_use.arn))
            .map(|t| t.name.clone())
            .collect();
        match ex.target_health.get(&group_use.arn) {
            None => Missing::new(
                format!(
                    "no source registers the targets of target group {}",
                    group_use.arn
                ),
                Some(format!(
                    "aws elbv2 describe-target-health --target-group-arn {}",
                    group_use.arn
                )),
                format!("targets of {name}"),
            )
            .write_list(&mut groups, "targets", &format!("{f}.targets")),
            Some(_) if members.is_empty() => Missing::new(
                "describe-target-health lists no targets for this group",
                Some("register a target, or add a [targets.NAME] table and list it here".into()),
                format!("targets of {name}"),
            )
            .write_list(&mut groups, "targets", &format!("{f}.targets")),
            Some(_) => groups.entry("targets", Value::List(members)),
        }
        if let Some(group) = group {
            write_health_check(b, &mut groups, &name, group, !alb_group);
        }
    }

    let mut out = Doc::default();
    for target in &targets {
        write_target(b, &mut out, target);
    }
    for backend in backends {
        write_backend(b, &mut out, backend);
    }
    (groups, out)
}

/// Every registered target of the groups in use, named, with why it must speak TLS.
fn collect_targets(b: &mut Builder<'_>, uses: &[GroupUse]) -> Vec<Target> {
    let ex = b.ex;
    let mut targets: Vec<Target> = Vec::new();
    let ip_groups: Vec<&GroupUse> = uses.iter().filter(|u| !is_alb_group(b, &u.arn)).collect();
    for group_use in ip_groups {
        let group = ex.target_group(&group_use.arn);
        let group_port = group.and_then(|g| g.port);
        let tls_group = group
            .and_then(|g| g.protocol.as_deref())
            .filter(|p| p.eq_ignore_ascii_case("TLS") || p.eq_ignore_ascii_case("HTTPS"));
        let descriptions = ex
            .target_health
            .get(&group_use.arn)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for description in descriptions {
            let Some(id) = description.target.as_ref().and_then(|t| t.id.clone()) else {
                b.notes.push(format!(
                    "describe-target-health for {}: skipped an entry without Target.Id",
                    group_use.arn
                ));
                continue;
            };
            let port = description
                .target
                .as_ref()
                .and_then(|t| t.port)
                .or(group_port);
            let registration = registration(&group_use.arn, port, description);
            let because = if let Some(protocol) = tls_group {
                Some(format!(
                    "target group {} uses {}",
                    group_use.arn,
                    protocol.to_ascii_uppercase()
                ))
            } else if group_use.https_passthrough {
                Some(
                    "an https route reaches it through a TCP listener, which passes TLS through"
                        .to_owned(),
                )
            } else {
                None
            };
            match targets.iter_mut().find(|t| t.id == id && t.port == port) {
                Some(t) => {
                    t.groups.push(group_use.arn.clone());
                    t.registrations.push(registration);
                    t.tls_because = t.tls_because.take().or(because);
                }
                None => targets.push(Target {
                    id,
                    port,
                    name: String::new(),
                    groups: vec![group_use.arn.clone()],
                    registrations: vec![registration],
                    tls_because: because,
                }),
            }
        }
    }
    let mut ports: HashMap<&str, usize> = HashMap::new();
    for t in &targets {
        *ports.entry(t.id.as_str()).or_default() += 1;
    }
    let ports: HashMap<String, usize> = ports.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    for t in &mut targets {
        let wanted = match t.port {
            Some(port) if ports[&t.id] > 1 => format!("{}-{port}", target_name(&t.id)),
            _ => target_name(&t.id),
        };
        t.name = b
            .target_names
            .name(&format!("{}:{:?}", t.id, t.port), &wanted);
    }
    targets
}

/// The comment saying where a target is registered and how healthy it is.
fn registration(group_arn: &str, port: Option<i64>, d: &TargetHealthDescription) -> String {
    let port = port.map_or_else(|| "no port".to_owned(), |p| format!("port {p}"));
    let health = d.target_health.as_ref();
    let state = health
        .and_then(|h| h.state.as_deref())
        .unwrap_or("state unknown");
    let mut text = format!("registered in {group_arn} on {port}: {state}");
    if let Some(reason) = health.and_then(|h| h.reason.as_deref()) {
        text.push_str(&format!(" ({reason}"));
        if let Some(description) = health.and_then(|h| h.description.as_deref()) {
            text.push_str(&format!(": {description}"));
        }
        text.push(')');
    }
    text
}

fn write_group_protocol(doc: &mut Doc, f: &str, group: Option<&TargetGroup>, arn: &str) {
    let field = format!("{f}.protocol");
    let Some(group) = group else {
        Missing::new(
            format!("no describe-target-groups output covers {arn}"),
            Some(format!(
                "aws elbv2 describe-target-groups --target-group-arns {arn}"
            )),
            "target group protocol",
        )
        .write(doc, "protocol", &field);
        return;
    };
    if let Some(kind) = &group.target_type {
        doc.comment(&format!("target type: {kind}"));
    }
    let modelled = ["TCP", "TLS", "HTTP", "HTTPS"];
    match group.protocol.as_deref() {
        Some(p) if modelled.iter().any(|m| p.eq_ignore_ascii_case(m)) => {
            doc.entry("protocol", Value::str(p.to_ascii_uppercase()));
        }
        Some(other) => Missing::new(
            format!(
                "{other} target groups are not supported: hoplab models TCP and TLS (an NLB's), HTTP and HTTPS (an ALB's)"
            ),
            Some("change the protocol to one of those".into()),
            format!("{other} target group"),
        )
        .write(doc, "protocol", &field),
        None => Missing::new(
            "the source gives no protocol for this target group",
            Some("set \"TCP\" or \"TLS\" (an NLB's), \"HTTP\" or \"HTTPS\" (an ALB's)".into()),
            "target group protocol",
        )
        .write(doc, "protocol", &field),
    }
}

/// Whether a group is an ALB's (HTTP or HTTPS).
fn is_http(group: &TargetGroup) -> bool {
    group
        .protocol
        .as_deref()
        .is_some_and(|p| p.eq_ignore_ascii_case("HTTP") || p.eq_ignore_ascii_case("HTTPS"))
}

/// An NLB group of target type `alb`: its port (the ALB listener's) and its one ALB.
fn write_alb_target(
    b: &mut Builder<'_>,
    doc: &mut Doc,
    f: &str,
    group: Option<&TargetGroup>,
    arn: &str,
) {
    let ex = b.ex;
    doc.entry("target_type", Value::str("alb"));
    match group.and_then(|g| g.port) {
        Some(port) => doc.entry("port", Value::Int(port)),
        None => Missing::new(
            "the source gives no port for this alb target group",
            Some("set the port of the ALB listener it forwards to".into()),
            "alb target group port",
        )
        .write(doc, "port", &format!("{f}.port")),
    }
    let albs: Vec<String> = ex
        .target_health
        .get(arn)
        .into_iter()
        .flatten()
        .filter_map(|d| d.target.as_ref().and_then(|t| t.id.as_deref()))
        .map(|id| ex.key(id).to_owned())
        .collect();
    match albs.as_slice() {
        [alb] if ex.load_balancer_kind(alb) == Some(crate::topology::LoadBalancerKind::Application) => {
            let name = b.lb_names.name(alb, ex.load_balancer_name(alb));
            doc.entry("targets", Value::List(vec![name]));
        }
        _ => Missing::new(
            format!("no source registers the one ALB of target group {arn}"),
            Some(format!(
                "import the template or plan that registers it, or aws elbv2 describe-target-health --target-group-arn {arn}"
            )),
            "alb of the target group",
        )
        .write_list(doc, "targets", &format!("{f}.targets")),
    }
}

/// An ALB group's `algorithm`, when the source sets one the scenario models.
fn write_algorithm(b: &mut Builder<'_>, doc: &mut Doc, f: &str, group: &TargetGroup) {
    match group.algorithm.as_deref() {
        None => {}
        Some(a @ ("round_robin" | "least_outstanding_requests")) => {
            doc.entry("algorithm", Value::str(a));
        }
        Some(other) => b.warn(
            group.origin.as_ref(),
            format!(
                "{f}: load_balancing.algorithm.type {other} is not modelled (hoplab models round_robin and least_outstanding_requests); the scenario uses round_robin"
            ),
        ),
    }
}

/// A group's `[target_groups.<name>.health_check]`, from the settings the source gives.
/// `tcp_allowed`: whether TCP checks are (an NLB's `ip` group; an ALB's group checks over
/// HTTP or HTTPS only).
fn write_health_check(
    b: &mut Builder<'_>,
    doc: &mut Doc,
    name: &str,
    g: &TargetGroup,
    tcp_allowed: bool,
) {
    let f = format!("target_groups.{name}.health_check");
    if g.health_check_enabled == Some(false) {
        doc.comment("health checks disabled in the source: every target gets requests");
        return;
    }
    let protocol = g
        .health_check_protocol
        .as_deref()
        .map(str::to_ascii_uppercase);
    let mut entries: Vec<(&str, Value)> = Vec::new();
    match protocol.as_deref() {
        None => {}
        Some(p @ ("HTTP" | "HTTPS")) => entries.push(("protocol", Value::str(p))),
        Some("TCP") if tcp_allowed => entries.push(("protocol", Value::str("TCP"))),
        Some(other) if tcp_allowed => b.warn(
            g.origin.as_ref(),
            format!("{f}.protocol: {other} health checks are not modelled (hoplab models TCP, HTTP and HTTPS); TCP is used"),
        ),
        Some(other) => b.warn(
            g.origin.as_ref(),
            format!("{f}.protocol: {other} health checks are not allowed for an ALB's target group; HTTP is used"),
        ),
    }
    if let Some(port) = g
        .health_check_port
        .as_deref()
        .filter(|p| *p != "traffic-port")
    {
        b.warn(
            g.origin.as_ref(),
            format!(
                "{f}: the health check port {port} is not modelled; checks go to the traffic port"
            ),
        );
    }
    // Path and matcher belong to HTTP checks: an ALB's always are, an NLB's when it says so.
    let http = matches!(protocol.as_deref(), Some("HTTP" | "HTTPS")) || !tcp_allowed;
    if let Some(path) = g.health_check_path.as_ref().filter(|_| http) {
        entries.push(("path", Value::str(path)));
    }
    for (key, value) in [
        ("interval_seconds", g.health_check_interval_seconds),
        ("timeout_seconds", g.health_check_timeout_seconds),
        ("healthy_threshold", g.healthy_threshold_count),
        ("unhealthy_threshold", g.unhealthy_threshold_count),
    ] {
        if let Some(value) = value {
            entries.push((key, Value::Int(value)));
        }
    }
    if let Some(codes) = g
        .matcher
        .as_ref()
        .and_then(|m| m.http_code.as_deref())
        .filter(|_| http)
    {
        entries.push(("matcher", Value::str(codes)));
    }
    if entries.is_empty() {
        return;
    }
    doc.blank();
    doc.table(&["target_groups", name, "health_check"]);
    for (key, value) in entries {
        doc.entry(key, value);
    }
}

fn write_target(b: &mut Builder<'_>, doc: &mut Doc, t: &Target) {
    let f = format!("targets.{}", t.name);
    doc.blank();
    doc.table(&["targets", &t.name]);
    for registration in &t.registrations {
        doc.comment(registration);
    }
    if let Some(because) = &t.tls_because {
        doc.comment(&format!("speaks TLS: {because}"));
    }
    let needed_by = format!("the certificate of target {}", t.id);
    if let Some(certificate) = b.target_certificate(&t.id, &needed_by, t.tls_because.is_some()) {
        doc.entry("protocol", Value::str("HTTPS"));
        doc.entry("certificate", Value::str(certificate));
        return;
    }
    match &t.tls_because {
        Some(because) => {
            doc.entry("protocol", Value::str("HTTPS"));
            let any = if because.starts_with("target group") {
                " The load balancer does not validate target certificates, so any certificate works here."
            } else {
                ""
            };
            unmapped_target(&t.id, any).write(doc, "certificate", &format!("{f}.certificate"));
        }
        None => {
            doc.comment("plain HTTP: nothing in the sources says it speaks TLS (give it a certificate in the sidecar's [targets] to model HTTPS)");
            doc.entry("protocol", Value::str("HTTP"));
        }
    }
}

/// The placeholder for a target certificate nobody gave.
fn unmapped_target(id: &str, extra: &str) -> Missing {
    Missing::new(
        format!("the sidecar does not say what certificate target {id} serves"),
        Some(format!(
            "give it in the sidecar: [targets.{id:?}] with generate = {{ issuer = …, dns_names = […] }} or pem_chain/pem_key, and import again.{extra}"
        )),
        format!("certificate of target {id}"),
    )
}

fn write_backend(b: &mut Builder<'_>, doc: &mut Doc, backend: &Backend) {
    let name = b
        .target_names
        .name(&format!("internet:{}", backend.host), &backend.host);
    let f = format!("targets.{name}");
    doc.blank();
    doc.table(&["targets", &name]);
    doc.comment(&format!(
        "the public endpoint {} that INTERNET integrations call",
        backend.host
    ));
    let needed_by = format!("the certificate of {}", backend.host);
    if let Some(certificate) = b.target_certificate(&backend.host, &needed_by, backend.https) {
        doc.entry("protocol", Value::str("HTTPS"));
        doc.entry("certificate", Value::str(certificate));
    } else if backend.https {
        doc.entry("protocol", Value::str("HTTPS"));
        unmapped_target(&backend.host, "").write(doc, "certificate", &format!("{f}.certificate"));
    } else {
        doc.entry("protocol", Value::str("HTTP"));
    }
    doc.entry("dns_names", Value::List(vec![backend.host.clone()]));
}
