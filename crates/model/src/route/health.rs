//! Which targets of a target group get new flows: the model of the NLB's and the ALB's
//! health checks (the same checker runs in both).
//!
//! The lab settles health before a listener serves, so the model judges each target once:
//! - a TCP check passes when the target accepts connections (every behaviour but `refuse`);
//! - an HTTP check needs a plain HTTP target, an HTTPS check an HTTPS target that accepts
//!   TLS 1.2 (the checks offer nothing else); the target must then answer in time with a
//!   status the matcher accepts (a hanging, closing or resetting target fails, a slow one
//!   passes when it answers before the check's timeout).
//!
//! Healthy targets get new flows; when none is healthy the NLB fails open and all do.

use hoplab_scenario::{HealthCheck, HealthCheckProtocol, Target, TargetBehaviour, TargetProtocol};

/// Whether `target` passes `check`.
pub(super) fn passes(check: &HealthCheck, target: &Target) -> bool {
    if target.behaviour() == TargetBehaviour::Refuse {
        return false;
    }
    let https = match (&target.protocol(), check.protocol()) {
        (_, HealthCheckProtocol::Tcp) => return true,
        (TargetProtocol::Http, HealthCheckProtocol::Http) => false,
        (TargetProtocol::Https { .. }, HealthCheckProtocol::Https) => true,
        _ => return false,
    };
    if https && !target.tls_versions().tls12() {
        return false;
    }
    match target.behaviour() {
        TargetBehaviour::Normal => check.matches(200),
        TargetBehaviour::Status(code) => check.matches(code),
        TargetBehaviour::Slow { delay_ms } => {
            u64::from(delay_ms) < u64::from(check.timeout_seconds()) * 1000 && check.matches(200)
        }
        _ => false,
    }
}

/// The targets new flows may go to, and a sentence saying why when a health check decides it;
/// `balancer` (`NLB`, `ALB`) names who fails open.
pub(super) fn routable<'s>(
    check: Option<&HealthCheck>,
    group: &str,
    balancer: &str,
    targets: Vec<&'s Target>,
) -> (Vec<&'s Target>, Option<String>) {
    let Some(check) = check else {
        return (targets, None);
    };
    let (healthy, unhealthy): (Vec<&Target>, Vec<&Target>) =
        targets.iter().partition(|t| passes(check, t));
    let names = |ts: &[&Target]| {
        ts.iter()
            .map(|t| format!("{:?}", t.name()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let kind = check.protocol().as_str();
    if unhealthy.is_empty() {
        return (
            targets,
            Some(format!(
                "Every target of {group:?} passes its {kind} health check."
            )),
        );
    }
    if healthy.is_empty() {
        return (
            targets,
            Some(format!(
                "Every target of {group:?} fails its {kind} health check, so the {balancer} \
                 fails open and sends flows to all of them anyway."
            )),
        );
    }
    let sentence = format!(
        "Target(s) {} of {group:?} fail their {kind} health check and get no new flows; \
         {} do.",
        names(&unhealthy),
        names(&healthy)
    );
    (healthy, Some(sentence))
}
