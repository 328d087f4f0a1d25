//! A route that reaches an ALB listener, directly through a VPC link V2 or through an NLB TCP
//! listener whose target group has target type `alb`: the TLS session API Gateway ends there,
//! the rule that decides the request, and what the ALB does with its target.
//!
//! The rules restate the lab's where they are AWS's (facts §3), and evaluate the listener's
//! own [`RuleSet`](hoplab_scenario::alb_rules::RuleSet) from `hoplab-alb-rules`, the code the
//! listener runs, on the request API Gateway sends:
//! - the `Host` header is the URI's host (with its port when not the scheme's default), the
//!   path and query the URI's, after `/<stage>` when the stage prefix applies; the headers are
//!   `Host` and `User-Agent`; the source address is the lab's `127.0.0.1`.
//! - An HTTPS listener serves the certificate the SNI picks from its list by the ALB's
//!   preference (ECDSA, then the larger key, then the later expiry; ties to the first
//!   listed), else its default one; API Gateway judges it as any other.
//! - Plain HTTP sent to an HTTPS listener gets the ALB's `400`; TLS sent to an HTTP listener
//!   fails the handshake (`General SSLEngine problem`).
//! - `fixed-response` and `redirect` answer with their status; a `forward` to a group without
//!   targets answers `503`; a target that refuses, closes, resets, fails the ALB's TLS
//!   handshake (backend policy versions, a chain its key does not sign, plain HTTP in an
//!   `HTTPS` group) or speaks TLS to an `HTTP` group gives `502`; one that hangs or is slow
//!   gives the ALB's `504` after its idle timeout or API Gateway's after `timeoutInMillis`,
//!   whichever is shorter (the ALB's only when strictly shorter). All of these pass through API Gateway unchanged.

use std::net::{IpAddr, Ipv4Addr};

use hoplab_scenario::alb_rules::{Action, LoadBalancingAlgorithm, RequestView};
use hoplab_scenario::{
    AlbListener, AlbListenerProtocol, AlbTls, CertId, CertRef, KeyType, Scenario, Scheme, Target,
    TargetBehaviour, TargetGroup, TargetGroupId, TargetGroupProtocol, TargetProtocol,
};

use super::{Cx, Flow, SSL_ENGINE_PROBLEM, health};
use crate::{NotValidated, PredictedSession, names};

/// Why a target's certificate behind an ALB is not validated.
const ALB_DOES_NOT_VALIDATE: &str =
    "an ALB does not validate the certificates of its HTTPS targets";

/// The `User-Agent` API Gateway sends (restated from the gateway, so a change shows up).
const USER_AGENT: &str = "AmazonAPIGateway_hoplab";

/// The address the ALB sees its client connect from: the lab's loopback.
const LAB_SOURCE: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// An NLB TCP listener the gateway's connection crosses on its way to the ALB: `(nlb, port)`.
pub(super) type ThroughNlb<'s> = Option<(&'s str, u16)>;

/// The flows of a request to `listener`, one per target it may reach (one when the ALB
/// answers itself), and the narrative of how targets are chosen when there are several.
pub(super) fn flows(
    cx: &Cx<'_, '_>,
    scenario: &Scenario,
    listener: &AlbListener,
    through: ThroughNlb<'_>,
) -> Vec<Flow> {
    let alb = scenario.alb(listener.alb());
    let hop = listener.hop_name().to_owned();
    let mut hops = vec!["gateway".to_owned()];
    let through_hops: Vec<String> = through
        .map(|(nlb, port)| format!("nlb:{nlb}:{port}"))
        .into_iter()
        .collect();
    hops.extend(through_hops.clone());
    hops.push(hop.clone());
    let mut flow = Flow::new("", hops);
    if let Some((nlb, port)) = through {
        flow.say(format!(
            "The NLB {nlb:?} listener on :{port} is TCP and its target group has target type \
             alb, so it passes API Gateway's connection through, untouched, to the ALB {:?} \
             listener on :{}.",
            alb.name(),
            listener.port()
        ));
    }
    let https_uri = cx.route.uri().scheme() == Scheme::Https;
    match (listener.protocol(), https_uri) {
        (AlbListenerProtocol::Https(tls), true) => {
            if !tls_to_listener(cx, &mut flow, scenario, listener, tls, through_hops) {
                return vec![flow];
            }
        }
        (AlbListenerProtocol::Https(_), false) => {
            flow.say(format!(
                "The URI is http, so API Gateway sends plain HTTP to the ALB listener {hop}, \
                 which is HTTPS: the ALB answers 400 with its page `The plain HTTP request was \
                 sent to HTTPS port`, and API Gateway passes it on. No certificate is validated."
            ));
            flow.status = 400;
            return vec![flow];
        }
        (AlbListenerProtocol::Http, true) => {
            flow.sessions.push(PredictedSession {
                client: "gateway".to_owned(),
                server: hop.clone(),
                through: through_hops,
                sni: names::sni_for(cx.host()),
                outcome: "fails: the listener speaks plain HTTP".to_owned(),
            });
            flow.say(format!(
                "The URI is https, so API Gateway starts TLS, but the ALB listener {hop} is HTTP \
                 and answers the ClientHello with plain HTTP; the handshake fails before any \
                 certificate is sent, and the JDK reports its generic `{SSL_ENGINE_PROBLEM}`."
            ));
            flow.fail(SSL_ENGINE_PROBLEM);
            return vec![flow];
        }
        (AlbListenerProtocol::Http, false) => flow.say(format!(
            "The URI is http and the ALB listener {hop} is HTTP: no TLS, so no certificate is \
             validated."
        )),
    }
    decide(cx, scenario, listener, flow)
}

/// API Gateway's TLS session with an HTTPS listener; whether the request is then sent.
fn tls_to_listener(
    cx: &Cx<'_, '_>,
    flow: &mut Flow,
    scenario: &Scenario,
    listener: &AlbListener,
    tls: &AlbTls,
    through: Vec<String>,
) -> bool {
    let host = cx.host();
    let sni = names::sni_for(host);
    let listed = sni
        .as_deref()
        .and_then(|sni| preferred(cx, scenario, tls.certificates(), sni));
    let served = listed.unwrap_or(tls.default_certificate());
    let served_name = cx.catalog.leaf(served).name;
    flow.say(format!(
        "TLS from API Gateway ends at the ALB listener {}, so API Gateway checks the ALB's \
         certificate {served_name:?} against `{host}`.",
        listener.hop_name()
    ));
    match (&sni, listed) {
        (Some(sni), Some(_)) => flow.say(format!(
            "API Gateway sends SNI `{sni}`; the listener serves {served_name:?}, the one of its \
             list that matches it and the ALB prefers (ECDSA, then the larger key, then the \
             later expiry)."
        )),
        (Some(sni), None) if !tls.certificates().is_empty() => flow.say(format!(
            "API Gateway sends SNI `{sni}`, which no certificate in the listener's list \
             matches, so the listener serves its default certificate {served_name:?}."
        )),
        (None, _) => flow.say(format!(
            "The host `{host}` cannot be sent as SNI, so the listener serves its default \
             certificate {served_name:?}."
        )),
        _ => {}
    }
    let gateway = cx.gateway_tls(
        flow,
        "The ALB listener",
        served,
        listener.hop_name(),
        through,
    );
    gateway.passed
}

/// The certificate of `list` an ALB serves for `sni`: among those that cover it, ECDSA over
/// RSA, then the larger key, then the later `notAfter`; the first listed on a tie.
fn preferred(cx: &Cx<'_, '_>, scenario: &Scenario, list: &[CertId], sni: &str) -> Option<CertId> {
    let preference = |id: CertId| {
        let key = scenario.certificate(id).key();
        let ecdsa = matches!(key, KeyType::EcdsaP256 | KeyType::EcdsaP384);
        let bits = match key {
            KeyType::EcdsaP256 => 256,
            KeyType::EcdsaP384 => 384,
            KeyType::Rsa1024 | KeyType::Rsa2048 | KeyType::Rsa3072 | KeyType::Rsa4096 => {
                key.rsa_bits().unwrap_or(0)
            }
            KeyType::Ed25519 => 0,
        };
        (ecdsa, bits, cx.catalog.leaf(id).not_after)
    };
    list.iter()
        .copied()
        .filter(|id| {
            cx.catalog
                .leaf(*id)
                .dns_names
                .iter()
                .any(|p| names::sni_matches(p, sni))
        })
        .fold(None, |best: Option<CertId>, id| match best {
            Some(best) if preference(id) <= preference(best) => Some(best),
            _ => Some(id),
        })
}

/// The request the ALB reads, the rule that decides it, and its outcome per target.
fn decide(
    cx: &Cx<'_, '_>,
    scenario: &Scenario,
    listener: &AlbListener,
    mut flow: Flow,
) -> Vec<Flow> {
    let route = cx.route;
    let target = route.backend_target(scenario.gateway().stage_segment());
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target.as_str(), None),
    };
    let host = host_header(cx);
    let mut headers = http::HeaderMap::new();
    if let Ok(value) = http::HeaderValue::from_str(&host) {
        headers.insert(http::header::HOST, value);
    }
    headers.insert(
        http::header::USER_AGENT,
        http::HeaderValue::from_static(USER_AGENT),
    );
    let view = RequestView {
        method: cx.method,
        host: Some(&host),
        path,
        query,
        headers: &headers,
        source: LAB_SOURCE,
    };
    let matched = listener.rules().evaluate(&view);
    let rule = match matched.rule {
        hoplab_scenario::alb_rules::MatchedRule::Default => "the default rule".to_owned(),
        hoplab_scenario::alb_rules::MatchedRule::Priority(p) => format!("rule {p}"),
    };
    flow.say(format!(
        "The ALB reads `{} {target}` with Host `{host}` and evaluates its rules: {rule} \
         decides ({}).",
        cx.method,
        matched.action.kind()
    ));
    match matched.action {
        Action::FixedResponse(fixed) => {
            flow.status = fixed.status;
            flow.say(format!(
                "Its fixed-response answers {}, written by the ALB and passed on by API \
                 Gateway.",
                fixed.status
            ));
            vec![flow]
        }
        Action::Redirect(redirect) => {
            flow.status = redirect.status.code();
            flow.say(format!(
                "Its redirect answers {}, which API Gateway passes on.",
                redirect.status.code()
            ));
            vec![flow]
        }
        Action::Forward(forward) => {
            // The weighted rotation's first pick leads: the heaviest group, the first on a tie.
            let mut groups: Vec<(TargetGroupId, u16)> = forward
                .groups
                .iter()
                .filter(|g| g.weight > 0 || forward.groups.len() == 1)
                .map(|g| (g.group, g.weight))
                .collect();
            groups.sort_by_key(|(_, weight)| std::cmp::Reverse(*weight));
            groups
                .into_iter()
                .flat_map(|(id, _)| {
                    forwarded(cx, scenario, listener, &flow, scenario.target_group(id))
                })
                .collect()
        }
    }
}

/// The `Host` header API Gateway sends: the URI host, with the port when not the scheme's
/// default (IPv6 in brackets).
fn host_header(cx: &Cx<'_, '_>) -> String {
    let uri = cx.route.uri();
    let default = if uri.scheme() == Scheme::Https {
        443
    } else {
        80
    };
    let host = if uri.host().contains(':') {
        format!("[{}]", uri.host())
    } else {
        uri.host().to_owned()
    };
    if uri.port() == default {
        host
    } else {
        format!("{host}:{}", uri.port())
    }
}

/// One flow per routable target of `group`, or the ALB's 503 when it has none.
fn forwarded(
    cx: &Cx<'_, '_>,
    scenario: &Scenario,
    listener: &AlbListener,
    flow: &Flow,
    group: &TargetGroup,
) -> Vec<Flow> {
    if group.targets().is_empty() {
        let mut flow = flow.clone();
        flow.status = 503;
        flow.say(format!(
            "Target group {:?} has no registered targets, so the ALB answers 503 Service \
             Temporarily Unavailable itself, and API Gateway passes it on.",
            group.name()
        ));
        return vec![flow];
    }
    let (targets, health) = health::routable(
        group.health_check(),
        group.name(),
        "ALB",
        group
            .targets()
            .iter()
            .map(|id| scenario.target(*id))
            .collect(),
    );
    let how = match group.algorithm() {
        LoadBalancingAlgorithm::RoundRobin => "round robin",
        LoadBalancingAlgorithm::LeastOutstandingRequests => "least outstanding requests",
    };
    targets
        .into_iter()
        .map(|target| {
            let mut flow = flow.clone();
            flow.target = target.name().to_owned();
            if let Some(sentence) = &health {
                flow.say(sentence.clone());
            }
            flow.say(format!(
                "It forwards to target group {:?} ({}, {how}), here to target {:?}.",
                group.name(),
                group.protocol().as_str(),
                target.name()
            ));
            to_target(cx, scenario, listener, &mut flow, group, target);
            flow
        })
        .collect()
}

/// The ALB's exchange with `target`, and what API Gateway passes on.
fn to_target(
    cx: &Cx<'_, '_>,
    scenario: &Scenario,
    listener: &AlbListener,
    flow: &mut Flow,
    group: &TargetGroup,
    target: &Target,
) {
    let target_hop = format!("target:{}", target.name());
    flow.hops.push(target_hop.clone());
    let bad_gateway = |flow: &mut Flow, why: String| {
        flow.say(format!(
            "{why}, so the ALB answers 502 Bad Gateway itself, and API Gateway passes it on."
        ));
        flow.status = 502;
        flow.error = None;
    };
    match target.behaviour() {
        TargetBehaviour::Refuse | TargetBehaviour::AcceptThenClose | TargetBehaviour::Reset => {
            return bad_gateway(
                flow,
                format!(
                    "Target {:?} drops the ALB's connection ({})",
                    target.name(),
                    target.behaviour().as_str()
                ),
            );
        }
        _ => {}
    }
    match (group.protocol(), target.protocol()) {
        (TargetGroupProtocol::Https, TargetProtocol::Https { certificate }) => {
            let sent = cx.catalog.chain_sent(certificate);
            let key_matches = sent
                .first()
                .is_some_and(|c| c.id == CertRef::Leaf(certificate));
            let backend = listener
                .protocol()
                .tls()
                .map_or(hoplab_scenario::AlbSecurityPolicy::Elb2016_08, |tls| {
                    tls.security_policy().backend()
                });
            let versions_meet = target.tls_versions().tls12() || backend.is_tls13();
            flow.sessions.push(PredictedSession {
                client: listener.hop_name().to_owned(),
                server: target_hop.clone(),
                through: Vec::new(),
                sni: None,
                outcome: if key_matches && versions_meet {
                    "established".to_owned()
                } else {
                    "fails".to_owned()
                },
            });
            if !versions_meet {
                return bad_gateway(
                    flow,
                    format!(
                        "The ALB connects to HTTPS targets with {}, which offers TLS 1.2, but \
                         target {:?} accepts TLS 1.3 only: the handshake fails",
                        backend.name(),
                        target.name()
                    ),
                );
            }
            if !key_matches {
                return bad_gateway(
                    flow,
                    format!(
                        "Target {:?} sends a chain its key does not sign: the ALB's handshake \
                         fails",
                        target.name()
                    ),
                );
            }
            flow.not_validated.push(NotValidated {
                hop: target_hop,
                certificate: cx.catalog.leaf(certificate).name.to_owned(),
                why: ALB_DOES_NOT_VALIDATE.to_owned(),
            });
            flow.say(format!(
                "The ALB opens its own TLS session to target {:?} without SNI and does not \
                 check its certificate {:?}.",
                target.name(),
                cx.catalog.leaf(certificate).name
            ));
        }
        (TargetGroupProtocol::Http, TargetProtocol::Https { .. }) => {
            return bad_gateway(
                flow,
                format!(
                    "Target group {:?} is HTTP, but target {:?} speaks HTTPS and cannot read \
                     the ALB's plain request",
                    group.name(),
                    target.name()
                ),
            );
        }
        (TargetGroupProtocol::Https, TargetProtocol::Http) => {
            flow.sessions.push(PredictedSession {
                client: listener.hop_name().to_owned(),
                server: target_hop,
                through: Vec::new(),
                sni: None,
                outcome: format!("fails: target {:?} speaks plain HTTP", target.name()),
            });
            return bad_gateway(
                flow,
                format!(
                    "Target group {:?} is HTTPS, but target {:?} speaks plain HTTP: it reads \
                     the ALB's ClientHello as a malformed request and answers 400 in plain \
                     HTTP, so the ALB's handshake fails",
                    group.name(),
                    target.name()
                ),
            );
        }
        (TargetGroupProtocol::Http, TargetProtocol::Http) => {}
        // An ALB's target group is HTTP or HTTPS (validation refuses the others).
        (TargetGroupProtocol::Tcp | TargetGroupProtocol::Tls, _) => {}
    }
    answer(cx, scenario, listener, flow, target);
}

/// The target's answer through the ALB, within the ALB's idle timeout and API Gateway's
/// `timeoutInMillis`.
fn answer(
    cx: &Cx<'_, '_>,
    scenario: &Scenario,
    listener: &AlbListener,
    flow: &mut Flow,
    target: &Target,
) {
    let idle_ms = u64::from(scenario.alb(listener.alb()).idle_timeout_seconds()) * 1000;
    let timeout_ms = u64::from(cx.route.timeout_ms());
    let waits_ms = match target.behaviour() {
        TargetBehaviour::Hang => Some(u64::MAX),
        TargetBehaviour::Slow { delay_ms } => Some(u64::from(delay_ms)),
        _ => None,
    };
    if waits_ms.is_some_and(|waits| waits >= idle_ms.min(timeout_ms)) {
        if idle_ms < timeout_ms {
            flow.say(format!(
                "Target {:?} does not answer within the ALB's idle timeout ({idle_ms} ms), \
                 shorter than timeoutInMillis ({timeout_ms} ms): the ALB answers 504 Gateway \
                 Time-out itself, and API Gateway passes it on.",
                target.name()
            ));
            flow.status = 504;
            flow.error = None;
        } else {
            flow.say(format!(
                "Target {:?} does not answer within timeoutInMillis ({timeout_ms} ms), no \
                 longer than the ALB's idle timeout ({idle_ms} ms): API Gateway gives up \
                 first.",
                target.name()
            ));
            flow.status = 504;
            flow.error = Some(super::faults::TIMEOUT_ERROR.to_owned());
        }
        return;
    }
    match target.behaviour() {
        TargetBehaviour::Status(code) => {
            flow.status = code;
            flow.say(format!(
                "Target {:?} answers {code}, which the ALB and API Gateway pass on.",
                target.name()
            ));
        }
        _ => flow.answered_by(target),
    }
}
