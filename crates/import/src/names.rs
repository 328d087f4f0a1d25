//! Scenario names made from AWS ARNs and ids.
//!
//! Scenario names use ASCII letters, digits, `.`, `_` and `-`; AWS names and ids mostly do
//! already. [`Namer`] gives each AWS resource one name and keeps names unique.

use std::collections::{HashMap, HashSet};

use hoplab_scenario::is_name_char;

/// Replaces every character a scenario name cannot hold with `-`.
pub(crate) fn sanitize(raw: &str) -> String {
    let name: String = raw
        .chars()
        .map(|c| if is_name_char(c) { c } else { '-' })
        .collect();
    let name = name.trim_matches('-');
    if name.is_empty() {
        "unnamed".to_owned()
    } else {
        name.to_owned()
    }
}

/// Unique names for one scenario namespace, one per AWS key (an ARN or id).
#[derive(Debug, Default)]
pub(crate) struct Namer {
    by_key: HashMap<String, String>,
    used: HashSet<String>,
}

impl Namer {
    /// The name for `key`: the sanitized `wanted` the first time, with `-2`, `-3`, … when
    /// another key already has it; the same name on later calls with the same key.
    pub(crate) fn name(&mut self, key: &str, wanted: &str) -> String {
        if let Some(name) = self.by_key.get(key) {
            return name.clone();
        }
        let base = sanitize(wanted);
        let mut name = base.clone();
        let mut n = 2;
        while self.used.contains(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        self.used.insert(name.clone());
        self.by_key.insert(key.to_owned(), name.clone());
        name
    }
}

/// The resource part of an ARN (after the fifth `:`), or the whole text if it is no ARN.
pub(crate) fn arn_resource(arn: &str) -> &str {
    if !arn.starts_with("arn:") {
        return arn;
    }
    arn.splitn(6, ':').nth(5).unwrap_or(arn)
}

/// The kind of load balancer an ELB ARN names: `net`, `app` or `gwy`.
pub(crate) fn load_balancer_kind(arn: &str) -> Option<&str> {
    let mut parts = arn_resource(arn).split('/');
    match (parts.next(), parts.next()) {
        (Some("loadbalancer"), Some(kind)) => Some(kind),
        _ => None,
    }
}

/// A readable name for a load balancer: the name inside its ARN.
pub(crate) fn load_balancer_name(arn: &str) -> &str {
    // loadbalancer/net/<name>/<id>
    arn_resource(arn).split('/').nth(2).unwrap_or(arn)
}

/// The listener ARN inside a listener rule ARN
/// (`…:listener-rule/app/<name>/<id>/<listener>/<rule>` → `…:listener/app/<name>/<id>/<listener>`).
pub(crate) fn rule_listener(rule_arn: &str) -> Option<String> {
    let resource = arn_resource(rule_arn);
    let rest = resource.strip_prefix("listener-rule/")?;
    let (listener, _rule) = rest.rsplit_once('/')?;
    let prefix = &rule_arn[..rule_arn.len() - resource.len()];
    Some(format!("{prefix}listener/{listener}"))
}

/// A readable name for a target group: the name inside its ARN.
pub(crate) fn target_group_name(arn: &str) -> &str {
    // targetgroup/<name>/<id>
    arn_resource(arn).split('/').nth(1).unwrap_or(arn)
}

/// A readable name for a certificate: `acm-<first part of the id>` for ACM, `iam-<name>` for
/// an IAM server certificate.
pub(crate) fn certificate_name(arn: &str) -> String {
    let service = arn.split(':').nth(2).unwrap_or("");
    let resource = arn_resource(arn);
    match (service, resource.split_once('/')) {
        ("acm", Some((_, id))) => format!("acm-{}", id.split('-').next().unwrap_or(id)),
        ("iam", Some((_, name))) => format!("iam-{name}"),
        _ => resource.to_owned(),
    }
}

/// A readable name for a target id: the id itself, or the resource part of an ARN (an ALB or
/// Lambda target).
pub(crate) fn target_name(id: &str) -> String {
    let resource = arn_resource(id);
    if resource.starts_with("loadbalancer/") {
        format!("alb-{}", load_balancer_name(id))
    } else {
        resource.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NLB: &str = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/my-nlb/50dc6c495c0c9188";

    #[test]
    fn rule_arns_name_their_listener() {
        assert_eq!(
            rule_listener("arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee").as_deref(),
            Some("arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2")
        );
        assert_eq!(
            rule_listener("arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/web/1/2"),
            None
        );
    }

    #[test]
    fn names_from_arns() {
        assert_eq!(load_balancer_kind(NLB), Some("net"));
        assert_eq!(load_balancer_name(NLB), "my-nlb");
        assert_eq!(
            target_group_name(
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/app-tls/73e2d6bc24d8a067"
            ),
            "app-tls"
        );
        assert_eq!(
            certificate_name(
                "arn:aws:acm:us-east-1:111122223333:certificate/3a8f0c2e-1b2c-4d5e-8f90-123456789abc"
            ),
            "acm-3a8f0c2e"
        );
        assert_eq!(
            certificate_name("arn:aws:iam::111122223333:server-certificate/legacy"),
            "iam-legacy"
        );
        assert_eq!(target_name("i-0abc"), "i-0abc");
        assert_eq!(
            target_name(
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/1234"
            ),
            "alb-web"
        );
    }

    #[test]
    fn namer_keeps_names_unique_and_stable() {
        let mut namer = Namer::default();
        assert_eq!(namer.name("a", "web"), "web");
        assert_eq!(namer.name("b", "web"), "web-2");
        assert_eq!(namer.name("a", "other"), "web");
        assert_eq!(namer.name("c", "a b/c"), "a-b-c");
        assert_eq!(namer.name("d", "///"), "unnamed");
    }
}
