//! `[albs]` and their `[[albs.<name>.listeners]]` → [`Alb`] and [`AlbListener`].

use std::collections::HashMap;

use hoplab_alb_rules::limits::{DEFAULT_IDLE_TIMEOUT_SECONDS, IDLE_TIMEOUT_SECONDS};
use toml::Spanned;

use super::backends::{check_leaf_ref, listener_port, unique_port};
use super::values::one_of_names;
use super::{Cx, Index, alb_rules, field};
use crate::alb::{
    ALB_LISTENER_PROTOCOLS, Alb, AlbListener, AlbListenerProtocol, AlbSecurityPolicy, AlbTls,
    alb_policy_spellings,
};
use crate::ids::{AlbId, AlbListenerId, CertId};
use crate::model::{KeyType, Pki};
use crate::raw::{RawAlbListener, RawScenario};

/// The ALBs, and every ALB listener (ALB by ALB, as [`AlbListenerId`]s count them).
pub(super) fn convert(
    cx: &mut Cx<'_>,
    raw: &RawScenario,
    index: &Index<'_>,
    pki: &Pki,
) -> (Vec<Alb>, Vec<AlbListener>) {
    let mut all_listeners: Vec<AlbListener> = Vec::new();
    let albs = raw
        .albs
        .0
        .iter()
        .enumerate()
        .map(|(a, (name, alb))| {
            let f = field("albs", name.get_ref());
            let raw_alb = alb.get_ref();
            if raw_alb.listeners.is_empty() {
                cx.error(
                    name.span(),
                    format!("{f}.listeners"),
                    "alb has no listeners",
                    Some(format!(
                        "add a [[{f}.listeners]] table with port, protocol and default_action"
                    )),
                );
            }
            let idle_timeout_seconds = match &raw_alb.idle_timeout_seconds {
                None => DEFAULT_IDLE_TIMEOUT_SECONDS,
                Some(seconds) => match u64::try_from(*seconds.get_ref()) {
                    Ok(s) if IDLE_TIMEOUT_SECONDS.contains(&s) => s,
                    _ => {
                        cx.error(
                            seconds.span(),
                            format!("{f}.idle_timeout_seconds"),
                            format!("idle_timeout_seconds {} is out of range", seconds.get_ref()),
                            Some(format!(
                                "AWS allows {}..={} (default {DEFAULT_IDLE_TIMEOUT_SECONDS})",
                                IDLE_TIMEOUT_SECONDS.start(),
                                IDLE_TIMEOUT_SECONDS.end()
                            )),
                        );
                        DEFAULT_IDLE_TIMEOUT_SECONDS
                    }
                },
            };
            let mut ports: HashMap<u16, usize> = HashMap::new();
            let listeners = raw_alb
                .listeners
                .iter()
                .enumerate()
                .map(|(i, listener)| {
                    let lf = format!("{f}.listeners[{i}]");
                    let id = AlbListenerId::new(all_listeners.len());
                    let mut converted = convert_listener(cx, index, pki, &lf, listener);
                    converted.id = id;
                    converted.alb = AlbId::new(a);
                    converted.hop_name = format!("alb:{}:{}", name.get_ref(), converted.port);
                    let port = &listener.get_ref().port;
                    unique_port(cx, &mut ports, (i, converted.port), port, (&f, "alb"));
                    all_listeners.push(converted);
                    id
                })
                .collect();
            Alb {
                id: AlbId::new(a),
                name: name.get_ref().clone(),
                // Within IDLE_TIMEOUT_SECONDS, so it fits.
                idle_timeout_seconds: u32::try_from(idle_timeout_seconds).unwrap_or(u32::MAX),
                listeners,
            }
        })
        .collect();
    (albs, all_listeners)
}

fn convert_listener(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    pki: &Pki,
    lf: &str,
    listener: &Spanned<RawAlbListener>,
) -> AlbListener {
    let l = listener.get_ref();
    let port = listener_port(cx, &l.port, lf);
    let https = cx.enum_required(
        &l.protocol,
        format!("{lf}.protocol"),
        "alb listener protocol",
        &ALB_LISTENER_PROTOCOLS,
    );
    let protocol = match https {
        Some(true) => AlbListenerProtocol::Https(tls(cx, index, pki, lf, listener)),
        Some(false) => {
            let tls_only = [
                ("certificate", l.certificate.as_ref().map(Spanned::span)),
                ("certificates", l.certificates.as_ref().map(Spanned::span)),
                (
                    "security_policy",
                    l.security_policy.as_ref().map(Spanned::span),
                ),
            ];
            for (key, span) in tls_only {
                if let Some(span) = span {
                    cx.error(
                        span,
                        format!("{lf}.{key}"),
                        format!("an HTTP listener does not terminate TLS, so it takes no `{key}`"),
                        Some(format!("remove `{key}`, or set protocol = \"HTTPS\"")),
                    );
                }
            }
            AlbListenerProtocol::Http
        }
        None => AlbListenerProtocol::Http,
    };
    let rules = alb_rules::convert(cx, index, lf, listener, https == Some(true));
    AlbListener {
        // The ALB's conversion sets where the listener sits.
        id: AlbListenerId::unresolved(),
        alb: AlbId::unresolved(),
        hop_name: String::new(),
        port,
        protocol,
        rules,
    }
}

/// An HTTPS listener's certificates and policy.
fn tls(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    pki: &Pki,
    lf: &str,
    listener: &Spanned<RawAlbListener>,
) -> AlbTls {
    let l = listener.get_ref();
    let default_certificate = match &l.certificate {
        Some(certificate) => {
            let id = check_leaf_ref(cx, index, certificate, format!("{lf}.certificate"));
            not_ed25519(cx, pki, certificate, id, format!("{lf}.certificate"));
            id
        }
        None => {
            cx.error(
                listener.span(),
                format!("{lf}.certificate"),
                "HTTPS listener has no certificate",
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
                let cf = format!("{lf}.certificates[{j}]");
                let id = check_leaf_ref(cx, index, certificate, cf.clone());
                not_ed25519(cx, pki, certificate, id, cf);
                id
            })
            .collect(),
    };
    let security_policy = cx.enum_or(
        l.security_policy.as_ref(),
        format!("{lf}.security_policy"),
        "alb security policy",
        &alb_policy_spellings(),
        AlbSecurityPolicy::default(),
    );
    AlbTls {
        default_certificate,
        certificates,
        security_policy,
    }
}

/// Reports a certificate with an ED25519 key, which an ALB does not accept.
fn not_ed25519(cx: &mut Cx<'_>, pki: &Pki, reference: &Spanned<String>, id: CertId, field: String) {
    let key = pki.certificates.get(id.index()).map(|leaf| leaf.key);
    if key == Some(KeyType::Ed25519) {
        cx.error(
            reference.span(),
            field,
            format!(
                "certificate {:?} has an ED25519 key, which an ALB does not accept",
                reference.get_ref()
            ),
            Some("give the certificate an RSA or ECDSA key (key = \"ecdsa-p256\")".into()),
        );
    }
}
