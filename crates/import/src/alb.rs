//! What the import says about Application Load Balancers until it writes them.
//!
//! The readers keep an ALB in the topology (`LoadBalancerKind::Application`), so references
//! to it resolve; each ALB resource (the load balancer, its listeners and listener rules, a
//! target group of ALBs) is reported by name, and a route through one keeps a placeholder.
//! Importing ALBs means replacing this module with a writer of the scenario's ALB tables.

use crate::topology::LoadBalancerKind;

/// Why ALBs are not imported yet, as every message ends.
const WHY: &str = "the import writes NLBs, not yet the scenario's ALB tables";

/// The warning for a load balancer the import does not write, if it is one.
pub(crate) fn load_balancer(name: &str, kind: &LoadBalancerKind) -> Option<String> {
    match kind {
        LoadBalancerKind::Network => None,
        LoadBalancerKind::Application => Some(format!(
            "Application Load Balancer {name} is not yet importable ({WHY}); routes through it keep a placeholder"
        )),
        LoadBalancerKind::Other(other) => Some(format!(
            "load balancer {name} has type {other:?}; the import models network load balancers"
        )),
    }
}

/// The warning for a listener of a load balancer of type `kind` that is not an NLB.
pub(crate) fn listener(listener: &str, load_balancer: &str, kind: &str) -> String {
    let what = if kind == "application" {
        "ALB listener"
    } else {
        "listener"
    };
    format!(
        "{what} {listener} of {load_balancer} is not yet importable (load balancer type {kind})"
    )
}

/// The warning for a listener rule (an ALB's).
pub(crate) fn listener_rule(rule: &str) -> String {
    format!("ALB listener rule {rule} is not yet importable ({WHY})")
}

/// The warning for a target group whose targets are ALBs.
pub(crate) fn target_group(group: &str) -> String {
    format!("target group {group} forwards to an ALB, which is not yet importable ({WHY})")
}

/// For a route through the ALB `name`: the note, the placeholder's reason, its help, and
/// its value.
pub(crate) fn route(name: &str) -> (String, String, String, String) {
    (
        format!(
            "the Application Load Balancer {name} is not yet importable; routes through it keep a placeholder"
        ),
        format!("{name} is an Application Load Balancer, which is not yet importable"),
        format!("{WHY}: remove this route, or model the load balancer as an NLB"),
        format!("alb {name}"),
    )
}
