//! `[nlbs]`, `[target_groups]` and `[targets]` → [`Nlb`] and [`Listener`], [`TargetGroup`],
//! [`Target`].

use std::collections::HashMap;

use toml::Spanned;

use super::values::{check_dns_name, one_of_names};
use super::{Cx, Index, TARGET_PROTOCOLS, behaviour, dangling, field, health};
use crate::behaviour::AlpnPolicy;
use crate::error::Rule;
use crate::ids::{CertId, ListenerId, NlbId, TargetGroupId, TargetId};
use crate::model::{
    Listener, ListenerProtocol, Nlb, SecurityPolicy, Target, TargetGroup, TargetGroupProtocol,
    TargetProtocol, TlsListener,
};
use crate::raw::{RawListener, RawScenario};

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
                    if converted.port != 0
                        && let Some(first) = ports.insert(converted.port, i) {
                            ports.insert(converted.port, first);
                            cx.error(
                                listener.get_ref().port.span(),
                                format!("{lf}.port"),
                                format!("duplicate listener port {}", converted.port),
                                Some(format!(
                                    "port {} is already used by {f}.listeners[{first}]; ports are unique per nlb",
                                    converted.port
                                )),
                            );
                        }
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
    let port = match u16::try_from(*l.port.get_ref()) {
        Ok(port) if port != 0 => port,
        _ => {
            cx.error(
                l.port.span(),
                format!("{lf}.port"),
                format!("port {} is out of range", l.port.get_ref()),
                Some("expected a port in 1..=65535".into()),
            );
            0
        }
    };
    let parsed = cx.enum_required(
        &l.protocol,
        format!("{lf}.protocol"),
        "listener protocol",
        TargetGroupProtocol::ALL,
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
        None => ListenerProtocol::Tcp,
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

/// The leaf certificate `reference` names (what a server serves); reports it when it names
/// none.
fn check_leaf_ref(
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
    let target_names = index.target_names();
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
            if g.targets.get_ref().is_empty() {
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
                        Some(format!("already listed at {f}.targets[{first}]; remove one")),
                    );
                }
                match index.target(t) {
                    None => dangling(cx, target, tf, "targets", &target_names),
                    Some((id, Some(false))) if protocol == Some(TargetGroupProtocol::Tls) => {
                        targets.push(id);
                        cx.rule_error(
                            target.span(),
                            tf,
                            format!(
                                "target {t:?} speaks HTTP, but target group {:?} uses TLS",
                                name.get_ref()
                            ),
                            Some(
                                "give the target protocol = \"HTTPS\" and a certificate, or use protocol = \"TCP\" for the target group"
                                    .into(),
                            ),
                            Rule::PlainTargetInTlsGroup {
                                target: t.to_owned(),
                            },
                        );
                    }
                    Some((id, _)) => targets.push(id),
                }
            }
            TargetGroup {
                id: TargetGroupId::new(g_index),
                name: name.get_ref().clone(),
                protocol: protocol.unwrap_or(TargetGroupProtocol::Tcp),
                targets,
                health_check: g.health_check.as_ref().map(|h| health::convert(cx, &f, h)),
            }
        })
        .collect()
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
