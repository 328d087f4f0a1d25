//! Which load balancers are written, `[[nlbs.<name>.listeners]]` from describe-listeners
//! (and describe-listener-certificates) for the NLBs the routes reach, and what NLB and ALB
//! listeners share: certificates, security policies, and target group names and uses.

use hoplab_scenario::{AlpnPolicy, SecurityPolicy};

use super::routes::RouteFacts;
use super::{Builder, Missing};
use crate::aws::{Certificate, Listener};
use crate::doc::{Doc, Value, placeholder};
use crate::names::target_group_name;
use crate::topology::LoadBalancerKind;

/// A target group a listener forwards to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupUse {
    /// Its ARN.
    pub(crate) arn: String,
    /// Whether an `https` route reaches it through a TCP listener, so its targets terminate
    /// the gateway's TLS.
    pub(crate) https_passthrough: bool,
}

/// Writes every load balancer a route reaches (and every ALB an NLB target group of type
/// `alb` reaches): the NLBs' tables and the ALBs' tables; returns the target groups their
/// listeners use.
pub(crate) fn write(b: &mut Builder<'_>, facts: &RouteFacts) -> (Doc, Doc, Vec<GroupUse>) {
    let ex = b.ex;
    let mut nlbs = Doc::default();
    let mut albs = Doc::default();
    let mut uses: Vec<GroupUse> = Vec::new();
    let mut reached = facts.balancers.clone();
    let mut next = 0;
    while let Some(key) = reached.get(next).cloned() {
        next += 1;
        match ex.load_balancer_kind(&key) {
            Some(LoadBalancerKind::Application) => {
                super::albs::write(b, &mut albs, &key, &mut uses);
            }
            _ => write_nlb(b, &mut nlbs, &key, facts, &mut uses),
        }
        for alb in albs_behind(b, &uses) {
            if !reached.contains(&alb) {
                reached.push(alb);
            }
        }
    }
    let skipped = ex
        .listeners
        .iter()
        .filter(|l| {
            l.load_balancer_arn
                .as_ref()
                .is_none_or(|lb| !reached.contains(&ex.key(lb).to_owned()))
        })
        .count();
    if skipped > 0 {
        b.notes.push(format!(
            "skipped {skipped} listener(s) of load balancers no imported route reaches"
        ));
    }
    (nlbs, albs, uses)
}

/// The ALBs registered in the target groups of type `alb` among `uses`.
fn albs_behind(b: &Builder<'_>, uses: &[GroupUse]) -> Vec<String> {
    let ex = b.ex;
    uses.iter()
        .filter(|u| is_alb_group(b, &u.arn))
        .flat_map(|u| ex.target_health.get(&u.arn).into_iter().flatten())
        .filter_map(|d| d.target.as_ref().and_then(|t| t.id.as_deref()))
        .map(|id| ex.key(id).to_owned())
        .filter(|key| ex.load_balancer_kind(key) == Some(LoadBalancerKind::Application))
        .collect()
}

/// Whether the target group `arn` has target type `alb`.
pub(crate) fn is_alb_group(b: &Builder<'_>, arn: &str) -> bool {
    b.ex.target_group(arn)
        .and_then(|g| g.target_type.as_deref())
        .is_some_and(|t| t.eq_ignore_ascii_case("alb"))
}

/// Records that a listener forwards to `arn`.
pub(crate) fn add_use(uses: &mut Vec<GroupUse>, arn: String, https_passthrough: bool) {
    match uses.iter_mut().find(|u| u.arn == arn) {
        Some(u) => u.https_passthrough |= https_passthrough,
        None => uses.push(GroupUse {
            arn,
            https_passthrough,
        }),
    }
}

/// The scenario name of the target group `arn` (a key the topology knows).
pub(crate) fn group_name(b: &mut Builder<'_>, arn: &str) -> String {
    let wanted =
        b.ex.target_group(arn)
            .and_then(|g| g.target_group_name.clone())
            .unwrap_or_else(|| target_group_name(arn).to_owned());
    b.group_names.name(arn, &wanted)
}

/// Writes one NLB's listeners.
fn write_nlb(
    b: &mut Builder<'_>,
    doc: &mut Doc,
    nlb_arn: &str,
    facts: &RouteFacts,
    uses: &mut Vec<GroupUse>,
) {
    let ex = b.ex;
    let name = b.lb_names.name(nlb_arn, ex.load_balancer_name(nlb_arn));
    for (j, listener) in ex.listeners_of(nlb_arn).enumerate() {
        let f = format!("nlbs.{name}.listeners[{j}]");
        doc.blank();
        if j == 0 {
            doc.comment(&format!("NLB {nlb_arn}"));
        }
        doc.array_table(&["nlbs", &name, "listeners"]);
        if let Some(arn) = &listener.listener_arn {
            doc.comment(&format!("listener {arn}"));
        }
        let passthrough = write_listener(b, doc, &f, listener, nlb_arn, facts);
        if let Some(arn) = target_group(b, doc, &f, listener) {
            add_use(uses, arn, passthrough);
        }
    }
}

/// Writes port, protocol and TLS settings; returns whether an `https` route passes through
/// this listener as TCP.
fn write_listener(
    b: &mut Builder<'_>,
    doc: &mut Doc,
    f: &str,
    listener: &Listener,
    nlb_arn: &str,
    facts: &RouteFacts,
) -> bool {
    write_port(doc, f, listener);
    let https_here = listener.port.is_some_and(|port| {
        facts
            .https_through
            .iter()
            .any(|(arn, p)| arn == nlb_arn && i64::from(*p) == port)
    });
    match listener.protocol.as_deref() {
        Some("TCP") => {
            doc.entry("protocol", Value::str("TCP"));
            if let Some(alpn) = listener.alpn_policy.first() {
                b.warn(
                    listener.origin.as_ref(),
                    format!(
                        "{f}: AlpnPolicy {alpn} is left out: only a TLS listener negotiates ALPN"
                    ),
                );
            }
            https_here
        }
        Some("TLS") => {
            doc.entry("protocol", Value::str("TLS"));
            write_certificates(b, doc, f, listener);
            let known: Vec<&str> = SecurityPolicy::ALL.iter().map(|(name, _)| *name).collect();
            write_policy(doc, f, listener.ssl_policy.as_deref(), &known);
            write_alpn(b, doc, f, listener);
            false
        }
        Some(other) => {
            Missing::new(
                format!("{other} listeners are not supported: hoplab models TCP and TLS"),
                Some("change the protocol to TCP or TLS, or remove this listener".into()),
                format!("{other} listener"),
            )
            .write(doc, "protocol", &format!("{f}.protocol"));
            b.notes
                .push(format!("{f}: {other} listener is not supported"));
            false
        }
        None => {
            Missing::new(
                "the source gives no protocol for this listener",
                Some("set \"TCP\" or \"TLS\"".into()),
                "listener protocol",
            )
            .write(doc, "protocol", &format!("{f}.protocol"));
            false
        }
    }
}

/// A TLS listener's `alpn_policy`, when the source sets one. AWS takes one policy name in a
/// list; a name the scenario does not know is left out with a warning (the listener then
/// offers no ALPN, AWS's `None`).
fn write_alpn(b: &mut Builder<'_>, doc: &mut Doc, f: &str, listener: &Listener) {
    let (first, rest) = match listener.alpn_policy.as_slice() {
        [] => return,
        [first, rest @ ..] => (first, rest),
    };
    if !rest.is_empty() {
        b.warn(
            listener.origin.as_ref(),
            format!(
                "{f}: AlpnPolicy lists {} policies; AWS takes one, and the first, {first}, is written",
                listener.alpn_policy.len()
            ),
        );
    }
    match AlpnPolicy::from_spelling(first) {
        Some(AlpnPolicy::None) => {}
        Some(policy) => doc.entry("alpn_policy", Value::str(policy.as_str())),
        None => {
            let known: Vec<&str> = AlpnPolicy::ALL.iter().map(|(name, _)| *name).collect();
            b.warn(
                listener.origin.as_ref(),
                format!(
                    "{f}: AlpnPolicy {first} is not one hoplab knows ({}); the listener is written without ALPN",
                    known.join(", ")
                ),
            );
        }
    }
}

/// A listener's `port`, or a placeholder when the source gives none.
pub(crate) fn write_port(doc: &mut Doc, f: &str, listener: &Listener) {
    match listener.port {
        Some(port) => doc.entry("port", Value::Int(port)),
        None => Missing::new(
            "the source gives no port for this listener",
            None,
            "listener port",
        )
        .write(doc, "port", &format!("{f}.port")),
    }
}

/// The default certificate and the SNI list of a TLS or HTTPS listener.
pub(crate) fn write_certificates(b: &mut Builder<'_>, doc: &mut Doc, f: &str, listener: &Listener) {
    let ex = b.ex;
    let listed = listener
        .listener_arn
        .as_ref()
        .and_then(|arn| ex.listener_certificates.get(arn));
    let (default, list) = split_certificates(&listener.certificates, listed.map(Vec::as_slice));

    let needed_by = format!("the default certificate of {f}");
    match default {
        Some(arn) => match b.listener_certificate(&arn, &needed_by) {
            Some(name) => doc.entry("certificate", Value::str(name)),
            None => unmapped(&b.certificate_key(&arn)).write(
                doc,
                "certificate",
                &format!("{f}.certificate"),
            ),
        },
        None => Missing::new(
            "this listener terminates TLS but has no default certificate in the source",
            Some("add a [certificates.NAME] table and name it here".into()),
            "default certificate",
        )
        .write(doc, "certificate", &format!("{f}.certificate")),
    }

    if listed.is_none() && ex.described_by.iter().any(|d| d == "AWS CLI exports") {
        doc.comment(
            "certificate list (SNI) not exported: aws elbv2 describe-listener-certificates",
        );
        if let Some(arn) = &listener.listener_arn {
            b.notes.push(format!(
                "{f}: the listener's certificate list is unknown; run aws elbv2 describe-listener-certificates --listener-arn {arn}"
            ));
        }
    }
    if list.is_empty() {
        return;
    }
    let mut names = Vec::new();
    let mut missing = Vec::new();
    let needed_by = format!("the certificate list of {f}");
    for arn in &list {
        match b.listener_certificate(arn, &needed_by) {
            Some(name) => names.push(name),
            None => {
                let key = b.certificate_key(arn);
                names.push(placeholder(&format!("certificate {key}")));
                missing.push(key);
            }
        }
    }
    if missing.is_empty() {
        doc.entry("certificates", Value::List(names));
    } else {
        doc.todo(
            "certificates",
            &format!("{f}.certificates"),
            &format!("the sidecar does not say what {} is", missing.join(", ")),
            Some("give each a [certificates.\"KEY\"] entry in the sidecar (generate or PEM files) and import again"),
            Value::List(names),
        );
    }
}

/// The default certificate ARN and the certificate list. describe-listener-certificates marks
/// the default with `IsDefault: true`; describe-listeners shows only the default, unmarked.
fn split_certificates(
    described: &[Certificate],
    listed: Option<&[Certificate]>,
) -> (Option<String>, Vec<String>) {
    let all = described.iter().chain(listed.unwrap_or_default());
    let mut default = None;
    let mut list: Vec<String> = Vec::new();
    for cert in all {
        let Some(arn) = &cert.certificate_arn else {
            continue;
        };
        match cert.is_default {
            Some(false) => {
                if !list.contains(arn) {
                    list.push(arn.clone());
                }
            }
            _ => {
                if default.is_none() {
                    default = Some(arn.clone());
                }
            }
        }
    }
    (default, list)
}

fn unmapped(key: &str) -> Missing {
    Missing::new(
        format!("the sidecar does not say what certificate {key} is"),
        Some(format!(
            "give it in the sidecar: [certificates.{key:?}] with generate = {{ issuer = …, dns_names = […] }} or pem_chain/pem_key, and import again"
        )),
        format!("certificate {key}"),
    )
}

/// `security_policy`, by AWS name, if it is one of `known` (the policies of the listener's
/// kind of load balancer).
pub(crate) fn write_policy(doc: &mut Doc, f: &str, policy: Option<&str>, known: &[&str]) {
    let field = format!("{f}.security_policy");
    let (reason, short) = match policy {
        Some(p) if known.contains(&p) => {
            doc.entry("security_policy", Value::str(p));
            return;
        }
        Some(p) => (
            format!("security policy {p} is not modelled"),
            format!("security policy {p}"),
        ),
        None => (
            "the source gives no security policy for this listener".to_owned(),
            "security policy".to_owned(),
        ),
    };
    let verb = if policy.is_some() {
        "pick the closest of"
    } else {
        "pick one of"
    };
    Missing::new(reason, Some(format!("{verb}: {}", known.join(", "))), short).write(
        doc,
        "security_policy",
        &field,
    );
}

/// Writes `target_group`; returns the forwarded-to group's ARN.
fn target_group(
    b: &mut Builder<'_>,
    doc: &mut Doc,
    f: &str,
    listener: &Listener,
) -> Option<String> {
    let field = format!("{f}.target_group");
    let forward = listener
        .default_actions
        .iter()
        .find(|a| a.kind.as_deref() == Some("forward"));
    let Some(forward) = forward else {
        let kinds: Vec<&str> = listener
            .default_actions
            .iter()
            .filter_map(|a| a.kind.as_deref())
            .collect();
        Missing::new(
            if kinds.is_empty() {
                "the listener has no default action".to_owned()
            } else {
                format!(
                    "the listener's default actions ({}) forward nowhere",
                    kinds.join(", ")
                )
            },
            Some("name the target group the listener forwards to".into()),
            "target group",
        )
        .write(doc, "target_group", &field);
        return None;
    };
    let arns: Vec<&String> = match (&forward.target_group_arn, &forward.forward_config) {
        (Some(arn), _) => vec![arn],
        (None, Some(config)) => config
            .target_groups
            .iter()
            .filter_map(|t| t.target_group_arn.as_ref())
            .collect(),
        (None, None) => Vec::new(),
    };
    match arns.as_slice() {
        [arn] => {
            let arn = b.ex.key(arn).to_owned();
            let name = group_name(b, &arn);
            doc.entry("target_group", Value::str(name));
            Some(arn)
        }
        [] => {
            Missing::new(
                "the forward action names no target group",
                Some("name the target group the listener forwards to".into()),
                "target group",
            )
            .write(doc, "target_group", &field);
            None
        }
        several => {
            Missing::new(
                format!(
                    "the forward action splits traffic across {} target groups; hoplab models one",
                    several.len()
                ),
                Some("name the one target group to simulate".into()),
                "target group",
            )
            .write(doc, "target_group", &field);
            None
        }
    }
}
