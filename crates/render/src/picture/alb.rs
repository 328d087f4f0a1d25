//! The nodes of an ALB on a request's path: the listener (its protocol and the certificate it
//! served), the rule that decided the request (its conditions and action), and the target
//! group and target a `forward` led to.
//!
//! What happened comes from the trace's ALB decision; the scenario's listener, when known,
//! adds what the trace does not carry: the rule's conditions, the listener's certificate
//! names, a group's registered targets. A request the listener answered before its rules, or
//! for which it recorded no decision, ends at one node for the listener's rules as a whole.

use hoplab_report::{AlbDecision, CertificateRole, RequestReport};

use super::{Node, NodeKind, hop_node, node, target_nodes};
use crate::route::{AlbInfo, RuleInfo, rule_title};

/// The nodes of the ALB listener `hop`, in path order.
pub(super) fn nodes(hop: &str, info: Option<&AlbInfo>, report: &RequestReport) -> Vec<Node> {
    let decision = report.trace.alb.as_ref().filter(|d| d.listener == hop);
    let mut listener = hop_node(hop, NodeKind::AlbListener);
    listener.details = listener_details(hop, info, report);
    let mut out = vec![listener];
    let Some((decision, rule)) = decision.and_then(|d| d.rule.as_deref().map(|r| (d, r))) else {
        out.push(undecided(hop, info, decision, report));
        return out;
    };
    let described = info.and_then(|i| i.rule(rule));
    out.push(rule_node(hop, rule, described, decision));
    let Some(group_name) = decision.target_group.as_deref() else {
        return out;
    };
    let group = info.and_then(|i| i.target_group(group_name));
    let mut group_node = node(
        format!("target-group:{group_name}"),
        NodeKind::TargetGroup,
        group_name,
    );
    group_node.reached = true;
    if let Some(group) = group {
        group_node.details.push(format!(
            "{} to targets",
            if group.https { "HTTPS" } else { "HTTP" }
        ));
        if group.targets.is_empty() {
            group_node.details.push("no registered targets".to_owned());
        }
    }
    out.push(group_node);
    let traced: Vec<&str> = decision.target.as_deref().into_iter().collect();
    let registered = group.map(|g| g.targets.as_slice()).unwrap_or_default();
    out.extend(target_nodes(&traced, registered));
    out
}

/// `HTTPS listener` or `HTTP listener`, and the certificate it served (by the scenario's name
/// when only one of its certificates fits the leaf, else by subject).
fn listener_details(hop: &str, info: Option<&AlbInfo>, report: &RequestReport) -> Vec<String> {
    let trace = &report.trace;
    let mut details = Vec::new();
    let https = match info {
        Some(info) => Some(info.https),
        None => trace
            .tls_sessions
            .iter()
            .any(|s| s.server == hop)
            .then_some(true),
    };
    if let Some(https) = https {
        details.push(format!("{} listener", if https { "HTTPS" } else { "HTTP" }));
    }
    let served = trace
        .certificates
        .iter()
        .find(|c| c.presented_by == hop)
        .and_then(|c| c.chain.first());
    if let Some(leaf) = served {
        let named = info.and_then(|i| i.certificate_named(&leaf.subject, &leaf.dns_names));
        details.push(match named {
            Some(name) => format!("cert \"{name}\""),
            None if leaf.subject.is_empty() => "cert (empty subject)".to_owned(),
            None => format!("cert {}", leaf.subject),
        });
    }
    details
}

/// The rule that matched: its conditions and action in the box, the whole rule as its note.
fn rule_node(hop: &str, rule: &str, described: Option<&RuleInfo>, decision: &AlbDecision) -> Node {
    let mut n = node(
        format!("{hop}/rule:{rule}"),
        NodeKind::Rule,
        rule_title(rule),
    );
    n.reached = true;
    match described {
        Some(described) => {
            n.details = vec![described.condition_line(), described.action.summary()];
            n.note = Some(format!(
                "{}: if {}, then {}",
                described.title(),
                described.condition_line(),
                described.action.describe()
            ));
        }
        None => {
            n.details = decision.action.iter().cloned().collect();
        }
    }
    n
}

/// The listener's rules as one node, when none decided the request: the listener answered
/// first, recorded no decision, or was not reached.
fn undecided(
    hop: &str,
    info: Option<&AlbInfo>,
    decision: Option<&AlbDecision>,
    report: &RequestReport,
) -> Node {
    let mut n = node(format!("{hop}/rules"), NodeKind::Rule, "listener rules");
    if let Some(info) = info {
        n.details.push(match info.rules.len().saturating_sub(1) {
            0 => "default rule only".to_owned(),
            1 => "1 rule + default".to_owned(),
            more => format!("{more} rules + default"),
        });
    }
    let trace = &report.trace;
    let reached = trace.hops.iter().any(|h| h.hop == hop);
    // API Gateway sends nothing on a session whose handshake failed or whose certificate
    // it refused.
    let stopped_at_tls = trace
        .tls_sessions
        .iter()
        .any(|s| s.server == hop && s.version.is_none())
        || trace.certificates.iter().any(|c| {
            c.presented_by == hop && c.role == CertificateRole::Validated && c.verdict != "accepted"
        });
    let (detail, note) = match (decision, reached) {
        (Some(_), _) => (
            "not evaluated",
            Some("the listener answered before evaluating its rules"),
        ),
        (None, true) if stopped_at_tls => (
            "not reached",
            Some("not reached: no request crossed the TLS session with the listener"),
        ),
        (None, true) => (
            "no decision recorded",
            Some("the listener recorded no decision for this request"),
        ),
        // Marked `not reached` with the other hops.
        (None, false) => ("not reached", None),
    };
    n.details.push(detail.to_owned());
    n.note = note.map(str::to_owned);
    n
}
