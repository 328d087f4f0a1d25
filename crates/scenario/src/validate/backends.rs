//! `[nlbs]`, `[target_groups]` and `[targets]` → [`Nlb`] and [`Listener`], [`TargetGroup`],
//! [`Target`]. A target group belongs behind one kind of load balancer: an NLB's is TCP or
//! TLS (its targets are the scenario's, or one ALB listener for `target_type = "alb"`), an
//! ALB's is HTTP or HTTPS.

use std::collections::HashMap;

use toml::Spanned;

use super::health::HealthDefaults;
use super::values::{check_dns_name, one_of_names};
use super::{Cx, Index, TARGET_PROTOCOLS, behaviour, dangling, field, health};
use crate::alb::{BalancerKind, TargetType, algorithm_spellings};
use crate::behaviour::AlpnPolicy;
use crate::error::Rule;
use crate::ids::{AlbListenerId, CertId, ListenerId, NlbId, TargetGroupId, TargetId};
use crate::model::{
    Listener, ListenerProtocol, Nlb, SecurityPolicy, Target, TargetGroup, TargetGroupProtocol,
    TargetProtocol, TlsListener,
};
use crate::raw::{RawListener, RawScenario, RawTargetGroup};
use crate::warning::WarningKind;
use hoplab_alb_rules::LoadBalancingAlgorithm;

/// The NLBs, and every listener (NLB by NLB, as [`ListenerId`]s count them).
pub(super) fn nlbs(
    cx: &mut Cx<'_>,
    raw: &RawScenario,
    index: &Index<'_>,
) -> (Vec<Nlb>, Vec<Listener>) {
    let mut all_listeners: Vec<Listener> = Vec::new();
    let nlbs = raw
        .nlbs
        .0
        .iter()
        .enumerate()
        .map(|(n, (name, nlb))| {
            let f = field("nlbs", name.get_ref());
            let listeners = &nlb.get_ref().listeners;
            if listeners.is_empty() {
                cx.error(
                    name.span(),
                    format!("{f}.listeners"),
                    "nlb has no listeners",
                    Some(format!(
                        "add a [[{f}.listeners]] table with port, protocol and target_group"
                    )),
                );
            }
            let mut ports: HashMap<u16, usize> = HashMap::new();
            let listeners = listeners
                .iter()
                .enumerate()
                .map(|(i, listener)| {
                    let lf = format!("{f}.listeners[{i}]");
                    let id = ListenerId::new(all_listeners.len());
                    let mut converted = convert_listener(cx, index, &lf, listener);
                    converted.id = id;
                    converted.nlb = NlbId::new(n);
                    converted.hop_name = format!("nlb:{}:{}", name.get_ref(), converted.port);
                    let port = &listener.get_ref().port;
                    unique_port(cx, &mut ports, (i, converted.port), port, (&f, "nlb"));
                    all_listeners.push(converted);
                    id
                })
                .collect();
            Nlb {
                id: NlbId::new(n),
                name: name.get_ref().clone(),
                listeners,
            }
        })
        .collect();
    (nlbs, all_listeners)
}

fn convert_listener(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    lf: &str,
    listener: &Spanned<RawListener>,
) -> Listener {
    let l = listener.get_ref();
    let port = listener_port(cx, &l.port, lf);
    let parsed = cx.enum_required(
        &l.protocol,
        format!("{lf}.protocol"),
        "listener protocol",
        &TargetGroupProtocol::nlb_spellings(),
    );

    let protocol = match parsed {
        Some(TargetGroupProtocol::Tls) => {
            let default_certificate = match &l.certificate {
                Some(certificate) => {
                    check_leaf_ref(cx, index, certificate, format!("{lf}.certificate"))
                }
                None => {
                    cx.error(
                        listener.span(),
                        format!("{lf}.certificate"),
                        "TLS listener has no certificate",
                        Some(format!(
                            "set `certificate` to a leaf certificate: {}",
                            one_of_names("certificates", index.certificates.iter().copied())
                        )),
                    );
                    CertId::unresolved()
                }
            };
            let certificates = match &l.certificates {
                None => Vec::new(),
                Some(list) => list
                    .get_ref()
                    .iter()
                    .enumerate()
                    .map(|(j, certificate)| {
                        check_leaf_ref(cx, index, certificate, format!("{lf}.certificates[{j}]"))
                    })
                    .collect(),
            };
            let security_policy = cx.enum_or(
                l.security_policy.as_ref(),
                format!("{lf}.security_policy"),
                "security policy",
                SecurityPolicy::ALL,
                SecurityPolicy::default(),
            );
            let alpn_policy = cx.enum_or(
                l.alpn_policy.as_ref(),
                format!("{lf}.alpn_policy"),
                "ALPN policy",
                AlpnPolicy::ALL,
                AlpnPolicy::None,
            );
            if let (Some(alpn), false) = (&l.alpn_policy, alpn_policy == AlpnPolicy::None)
                && index
                    .target_group(l.target_group.get_ref())
                    .is_some_and(|(_, p)| p == Some(TargetGroupProtocol::Tcp))
            {
                cx.error(
                    alpn.span(),
                    format!("{lf}.alpn_policy"),
                    format!(
                        "ALPN policy {:?} needs a TLS target group, but {:?} is TCP",
                        alpn.get_ref(),
                        l.target_group.get_ref()
                    ),
                    Some("use a TLS target group, or alpn_policy = \"None\"".into()),
                );
            }
            ListenerProtocol::Tls(TlsListener {
                default_certificate,
                certificates,
                security_policy,
                alpn_policy,
            })
        }
        Some(TargetGroupProtocol::Tcp) => {
            let tls_only = [
                ("certificate", l.certificate.as_ref().map(Spanned::span)),
                ("certificates", l.certificates.as_ref().map(Spanned::span)),
                (
                    "security_policy",
                    l.security_policy.as_ref().map(Spanned::span),
                ),
                ("alpn_policy", l.alpn_policy.as_ref().map(Spanned::span)),
            ];
            for (key, span) in tls_only {
                if let Some(span) = span {
                    cx.error(
                        span,
                        format!("{lf}.{key}"),
                        format!("a TCP listener does not terminate TLS, so it takes no `{key}`"),
                        Some(format!("remove `{key}`, or set protocol = \"TLS\"")),
                    );
                }
            }
            ListenerProtocol::Tcp
        }
        // Misspelt (reported); HTTP and HTTPS are not an NLB listener's spellings.
        _ => ListenerProtocol::Tcp,
    };

    let target_group = &l.target_group;
    let group = match index.target_group(target_group.get_ref()) {
        None => {
            let names: Vec<&str> = index.target_groups.iter().map(|(n, _)| *n).collect();
            dangling(
                cx,
                target_group,
                format!("{lf}.target_group"),
                "target groups",
                &names,
            );
            TargetGroupId::unresolved()
        }
        Some((group, Some(TargetGroupProtocol::Tls)))
            if parsed == Some(TargetGroupProtocol::Tcp) =>
        {
            cx.rule_error(
                target_group.span(),
                format!("{lf}.target_group"),
                format!(
                    "a TCP listener cannot forward to TLS target group {:?}",
                    target_group.get_ref()
                ),
                Some(
                    "use a TLS listener or a TCP target group: TCP listeners forward to TCP target groups only"
                        .into(),
                ),
                Rule::TcpListenerToTlsGroup,
            );
            group
        }
        Some((_, Some(protocol @ (TargetGroupProtocol::Http | TargetGroupProtocol::Https)))) => {
            cx.error(
                target_group.span(),
                format!("{lf}.target_group"),
                format!(
                    "target group {:?} is {}: an NLB forwards to TCP or TLS target groups",
                    target_group.get_ref(),
                    protocol.as_str()
                ),
                Some(
                    "HTTP and HTTPS target groups belong behind an ALB; to put an ALB behind this NLB, forward to a TCP target group with target_type = \"alb\""
                        .into(),
                ),
            );
            TargetGroupId::unresolved()
        }
        Some((group, _))
            if index.is_alb_typed(group) && parsed == Some(TargetGroupProtocol::Tls) =>
        {
            cx.error(
                target_group.span(),
                format!("{lf}.target_group"),
                format!(
                    "target group {:?} has target type alb: only TCP listeners can forward traffic to an Application Load Balancer target group",
                    target_group.get_ref()
                ),
                Some(
                    "use protocol = \"TCP\": the NLB passes bytes through and the ALB's HTTPS listener terminates TLS"
                        .into(),
                ),
            );
            group
        }
        Some((group, _)) => group,
    };

    Listener {
        // The NLB's conversion sets where the listener sits.
        id: ListenerId::unresolved(),
        nlb: NlbId::unresolved(),
        hop_name: String::new(),
        port,
        protocol,
        target_group: group,
    }
}

/// A listener's `port`, 1..=65535; 0 (after reporting) when out of range.
pub(super) fn listener_port(cx: &mut Cx<'_>, port: &Spanned<i64>, lf: &str) -> u16 {
    match u16::try_from(*port.get_ref()) {
        Ok(valid) if valid != 0 => valid,
        _ => {
            cx.error(
                port.span(),
                format!("{lf}.port"),
                format!("port {} is out of range", port.get_ref()),
                Some("expected a port in 1..=65535".into()),
            );
            0
        }
    }
}

/// Records listener `i`'s port in `ports` (the load balancer's, field path `f`, of `kind`
/// `nlb` or `alb`), reporting a port already used.
pub(super) fn unique_port(
    cx: &mut Cx<'_>,
    ports: &mut HashMap<u16, usize>,
    (i, port): (usize, u16),
    written: &Spanned<i64>,
    (f, kind): (&str, &str),
) {
    if port == 0 {
        return;
    }
    if let Some(first) = ports.insert(port, i) {
        ports.insert(port, first);
        cx.error(
            written.span(),
            format!("{f}.listeners[{i}].port"),
            format!("duplicate listener port {port}"),
            Some(format!(
                "port {port} is already used by {f}.listeners[{first}]; ports are unique per {kind}"
            )),
        );
    }
}

/// The leaf certificate `reference` names (what a server serves); reports it when it names
/// none.
pub(super) fn check_leaf_ref(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    reference: &Spanned<String>,
    field: String,
) -> CertId {
    let name = reference.get_ref();
    if let Some(id) = index.certificate(name) {
        return id;
    }
    if index.is_authority(name) {
        cx.error(
            reference.span(),
            field,
            format!("{name:?} is an authority; a server serves a leaf certificate"),
            Some(one_of_names(
                "certificates",
                index.certificates.iter().copied(),
            )),
        );
    } else {
        dangling(cx, reference, field, "certificates", &index.certificates);
    }
    CertId::unresolved()
}

pub(super) fn target_groups(
    cx: &mut Cx<'_>,
    raw: &RawScenario,
    index: &Index<'_>,
) -> Vec<TargetGroup> {
    raw.target_groups
        .0
        .iter()
        .enumerate()
        .map(|(g_index, (name, tg))| {
            let f = field("target_groups", name.get_ref());
            let g = tg.get_ref();
            let protocol = cx.enum_required(
                &g.protocol,
                format!("{f}.protocol"),
                "target group protocol",
                TargetGroupProtocol::ALL,
            );
            let alb_typed = match &g.target_type {
                None => false,
                Some(text) => cx
                    .enum_required(
                        text,
                        format!("{f}.target_type"),
                        "target type",
                        &TargetType::SPELLINGS,
                    )
                    .unwrap_or(false),
            };
            let (target_type, targets) = if alb_typed {
                (alb_target(cx, index, &f, g, protocol), Vec::new())
            } else {
                if let Some(port) = &g.port {
                    cx.error(
                        port.span(),
                        format!("{f}.port"),
                        "`port` belongs to target groups with target_type = \"alb\"",
                        Some(
                            "remove it: hoplab registers each target at the address it binds on loopback, as an ip target"
                                .into(),
                        ),
                    );
                }
                (TargetType::Ip, registered(cx, index, &f, name.get_ref(), g, protocol))
            };
            let balancer = protocol.map(TargetGroupProtocol::balancer);
            let algorithm = match (&g.algorithm, balancer) {
                (None, _) => LoadBalancingAlgorithm::default(),
                (Some(text), Some(BalancerKind::Alb)) => cx.enum_or(
                    Some(text),
                    format!("{f}.algorithm"),
                    "load-balancing algorithm",
                    &algorithm_spellings(),
                    LoadBalancingAlgorithm::default(),
                ),
                (Some(text), _) => {
                    cx.error(
                        text.span(),
                        format!("{f}.algorithm"),
                        "`algorithm` is a setting of ALB (HTTP, HTTPS) target groups",
                        Some("remove it: an NLB picks a target per connection by flow hash".into()),
                    );
                    LoadBalancingAlgorithm::default()
                }
            };
            let defaults = match (balancer, alb_typed) {
                (Some(BalancerKind::Alb), _) => HealthDefaults::Alb,
                (_, true) => HealthDefaults::NlbToAlb,
                _ => HealthDefaults::Nlb,
            };
            TargetGroup {
                id: TargetGroupId::new(g_index),
                name: name.get_ref().clone(),
                protocol: protocol.unwrap_or(TargetGroupProtocol::Tcp),
                target_type,
                targets,
                health_check: g
                    .health_check
                    .as_ref()
                    .map(|h| health::convert(cx, &f, h, defaults)),
                algorithm,
            }
        })
        .collect()
}

/// The targets an `ip` target group registers, checked against its protocol.
fn registered(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    f: &str,
    name: &str,
    g: &RawTargetGroup,
    protocol: Option<TargetGroupProtocol>,
) -> Vec<TargetId> {
    let target_names = index.target_names();
    let alb_group = protocol.is_some_and(|p| p.balancer() == BalancerKind::Alb);
    // An ALB's target group may have no registered targets (its forwards answer 503).
    if g.targets.get_ref().is_empty() && !alb_group {
        cx.error(
            g.targets.span(),
            format!("{f}.targets"),
            "target group has no targets",
            Some(format!(
                "list at least one target: {}",
                one_of_names("targets", target_names.iter().copied())
            )),
        );
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut targets = Vec::with_capacity(g.targets.get_ref().len());
    for (i, target) in g.targets.get_ref().iter().enumerate() {
        let tf = format!("{f}.targets[{i}]");
        let t = target.get_ref().as_str();
        if let Some(first) = seen.insert(t, i) {
            seen.insert(t, first);
            cx.error(
                target.span(),
                tf.clone(),
                format!("target {t:?} is listed twice"),
                Some(format!(
                    "already listed at {f}.targets[{first}]; remove one"
                )),
            );
        }
        match index.target(t) {
            None if index.alb(t).is_some() => cx.error(
                target.span(),
                tf,
                format!("{t:?} is an alb, and this target group registers targets"),
                Some(
                    "an NLB reaches an ALB through a TCP target group with target_type = \"alb\" and the ALB listener's port"
                        .into(),
                ),
            ),
            None => dangling(cx, target, tf, "targets", &target_names),
            Some((id, Some(false))) if protocol.is_some_and(TargetGroupProtocol::encrypted) => {
                targets.push(id);
                plain_target_warning(cx, tf, target, name, alb_group);
            }
            Some((id, _)) => targets.push(id),
        }
    }
    targets
}

/// AWS registers a plain HTTP target in a TLS or HTTPS target group; the load balancer's
/// handshake with it then fails on every connection. Accepted, with a warning at the entry.
fn plain_target_warning(
    cx: &mut Cx<'_>,
    tf: String,
    target: &Spanned<String>,
    group: &str,
    alb_group: bool,
) {
    let t = target.get_ref();
    let (balancer, protocol, plain) = if alb_group {
        ("ALB", "HTTPS", "HTTP")
    } else {
        ("NLB", "TLS", "TCP")
    };
    cx.warning(
        target.span(),
        tf,
        format!(
            "target {t:?} speaks plain HTTP, but target group {group:?} is {protocol}: the \
             {balancer} will try TLS to a target that speaks plain HTTP, and every request it \
             receives will fail"
        ),
        format!(
            "give target {t:?} protocol = \"HTTPS\" and a certificate, or set protocol = \
             \"{plain}\" on target group {group:?}"
        ),
        WarningKind::PlainTargetInTlsGroup {
            group: group.to_owned(),
            target: t.to_owned(),
        },
    );
}

/// The ALB listener a `target_type = "alb"` group forwards to.
fn alb_target(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    f: &str,
    g: &RawTargetGroup,
    protocol: Option<TargetGroupProtocol>,
) -> TargetType {
    let unresolved = TargetType::Alb(AlbListenerId::unresolved());
    if let Some(protocol) = protocol.filter(|p| *p != TargetGroupProtocol::Tcp) {
        cx.error(
            g.protocol.span(),
            format!("{f}.protocol"),
            format!(
                "Target type 'alb' is not supported for target groups with {} protocol",
                protocol.as_str()
            ),
            Some("an NLB reaches an ALB through a TCP target group: set protocol = \"TCP\"".into()),
        );
    }
    let alb_names: Vec<&str> = index.albs.iter().map(|(n, _)| *n).collect();
    let listed = g.targets.get_ref();
    let alb = match listed.as_slice() {
        [one] => match index.alb(one.get_ref()) {
            Some((alb, ports)) => Some((one, alb, ports)),
            None => {
                dangling(cx, one, format!("{f}.targets[0]"), "albs", &alb_names);
                None
            }
        },
        _ => {
            cx.error(
                g.targets.span(),
                format!("{f}.targets"),
                format!(
                    "an alb target group registers exactly one ALB, not {}",
                    listed.len()
                ),
                Some(one_of_names("albs", alb_names.iter().copied())),
            );
            None
        }
    };
    let Some((named, alb, ports)) = alb else {
        return unresolved;
    };
    let Some(port) = &g.port else {
        cx.error(
            g.targets.span(),
            format!("{f}.port"),
            "an alb target group needs `port`",
            Some(format!(
                "its port must equal the listener port of alb {:?} it forwards to: {}",
                named.get_ref(),
                listed_ports(ports)
            )),
        );
        return unresolved;
    };
    let listener = u16::try_from(*port.get_ref())
        .ok()
        .and_then(|p| index.alb_listener(alb, p).filter(|_| ports.contains(&p)));
    match listener {
        Some(listener) => TargetType::Alb(listener),
        None => {
            cx.error(
                port.span(),
                format!("{f}.port"),
                format!(
                    "alb {:?} has no listener on port {}; an alb target group's port must equal the ALB listener's port",
                    named.get_ref(),
                    port.get_ref()
                ),
                Some(listed_ports(ports)),
            );
            unresolved
        }
    }
}

fn listed_ports(ports: &[u16]) -> String {
    if ports.is_empty() {
        return "it has no valid listeners".to_owned();
    }
    let listed: Vec<String> = ports.iter().map(u16::to_string).collect();
    format!("its listener ports: {}", listed.join(", "))
}

pub(super) fn targets(cx: &mut Cx<'_>, raw: &RawScenario, index: &Index<'_>) -> Vec<Target> {
    let mut claims: HashMap<String, &str> = HashMap::new();
    raw.targets
        .0
        .iter()
        .enumerate()
        .map(|(t_index, (name, target))| {
            let f = field("targets", name.get_ref());
            let t = target.get_ref();
            let https = cx.enum_required(
                &t.protocol,
                format!("{f}.protocol"),
                "target protocol",
                &TARGET_PROTOCOLS,
            );
            let protocol = match (https, &t.certificate) {
                (Some(true), Some(certificate)) => TargetProtocol::Https {
                    certificate: check_leaf_ref(cx, index, certificate, format!("{f}.certificate")),
                },
                (Some(true), None) => {
                    cx.error(
                        name.span(),
                        format!("{f}.certificate"),
                        "HTTPS target has no certificate",
                        Some(format!(
                            "set `certificate` to a leaf certificate: {}",
                            one_of_names("certificates", index.certificates.iter().copied())
                        )),
                    );
                    TargetProtocol::Http
                }
                (Some(false), Some(certificate)) => {
                    cx.error(
                        certificate.span(),
                        format!("{f}.certificate"),
                        "an HTTP target serves no certificate",
                        Some("remove `certificate`, or set protocol = \"HTTPS\"".into()),
                    );
                    TargetProtocol::Http
                }
                (Some(false), None) | (None, _) => TargetProtocol::Http,
            };
            for (i, dns_name) in t.dns_names.iter().enumerate() {
                let df = format!("{f}.dns_names[{i}]");
                if let Err(problem) = check_dns_name(dns_name.get_ref()) {
                    cx.problem(dns_name.span(), df, problem);
                    continue;
                }
                let lower = dns_name.get_ref().to_ascii_lowercase();
                if let Some(owner) = claims.get(&lower) {
                    let message = if *owner == name.get_ref().as_str() {
                        format!("dns name {:?} is listed twice", dns_name.get_ref())
                    } else {
                        format!(
                            "dns name {:?} is already claimed by target {owner:?}",
                            dns_name.get_ref()
                        )
                    };
                    cx.error(
                        dns_name.span(),
                        df,
                        message,
                        Some("a public dns name resolves to one target: remove one".into()),
                    );
                } else {
                    claims.insert(lower, name.get_ref().as_str());
                }
            }
            let (behaviour, tls_versions) = behaviour::convert(cx, &f, t, https);
            Target {
                id: TargetId::new(t_index),
                behaviour,
                tls_versions,
                name: name.get_ref().clone(),
                protocol,
                body: t
                    .body
                    .clone()
                    .unwrap_or_else(|| format!("hello from target {}", name.get_ref())),
                dns_names: t.dns_names.iter().map(|d| d.get_ref().clone()).collect(),
            }
        })
        .collect()
}
