//! The part of a scenario a picture needs of one ALB listener: its protocol and
//! certificates, its rules in evaluation order with their conditions and actions in words,
//! and the target groups they forward to.

use hoplab_scenario::alb_rules::{Action, Condition, QueryPair};
use hoplab_scenario::{
    AlbListener, AlbListenerProtocol, Scenario, TargetGroupId, TargetGroupProtocol,
};

use super::TargetInfo;

/// An ALB listener as a picture shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlbInfo {
    /// The listener's hop id, `alb:<name>:<port>`.
    pub hop: String,
    /// The ALB's name.
    pub alb: String,
    /// The listener port.
    pub port: u16,
    /// Whether the listener is HTTPS (`false`: HTTP).
    pub https: bool,
    /// The security policy's AWS name (HTTPS listeners).
    pub security_policy: Option<String>,
    /// The certificates it may serve: the default one first, then the list.
    pub certificates: Vec<CertificateInfo>,
    /// Its rules in evaluation order: by priority, the default rule last.
    pub rules: Vec<RuleInfo>,
    /// Every target group a rule forwards to, in evaluation order.
    pub target_groups: Vec<GroupInfo>,
}

/// A certificate an HTTPS listener may serve, as the scenario names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The scenario's name for it.
    pub name: String,
    /// Its subject's common name.
    pub common_name: Option<String>,
    /// Its DNS names.
    pub dns_names: Vec<String>,
}

/// One listener rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// Its priority, or `default`: how the trace names the rule that matched.
    pub rule: String,
    /// Its conditions in words, e.g. `path-pattern /test/*` (none for the default rule).
    pub conditions: Vec<String>,
    /// What it does.
    pub action: ActionInfo,
}

/// What a rule does with the requests it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionInfo {
    /// `forward` to these target groups, with their weights.
    Forward(Vec<(String, u16)>),
    /// `fixed-response` with this status.
    FixedResponse(u16),
    /// `redirect` with this status (301 or 302) to a URL built from these parts.
    Redirect {
        /// 301 or 302.
        status: u16,
        /// The URL with its keywords, e.g. `#{protocol}://#{host}:#{port}/#{path}?#{query}`.
        location: String,
    },
}

/// A target group behind an ALB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInfo {
    /// Its name.
    pub name: String,
    /// Whether the ALB speaks HTTPS to its targets (`false`: HTTP).
    pub https: bool,
    /// The registered targets, in scenario order (possibly none).
    pub targets: Vec<TargetInfo>,
}

impl AlbInfo {
    /// The listener `listener` of `scenario`.
    pub fn new(scenario: &Scenario, listener: &AlbListener) -> AlbInfo {
        let certificates = match listener.protocol() {
            AlbListenerProtocol::Http => Vec::new(),
            AlbListenerProtocol::Https(tls) => std::iter::once(tls.default_certificate())
                .chain(tls.certificates().iter().copied())
                .map(|id| {
                    let leaf = scenario.certificate(id);
                    CertificateInfo {
                        name: leaf.name().to_owned(),
                        common_name: leaf.common_name().map(str::to_owned),
                        dns_names: leaf.dns_names().to_vec(),
                    }
                })
                .collect(),
        };
        let group_name = |id: &TargetGroupId| scenario.target_group(*id).name().to_owned();
        let rules = listener.rules();
        let mut described: Vec<RuleInfo> = rules
            .rules()
            .map(|(priority, conditions, action)| RuleInfo {
                rule: priority.to_string(),
                conditions: conditions.iter().map(condition_text).collect(),
                action: action_info(action, &group_name),
            })
            .collect();
        described.push(RuleInfo {
            rule: "default".to_owned(),
            conditions: Vec::new(),
            action: action_info(rules.default_action(), &group_name),
        });
        let target_groups = listener
            .target_groups()
            .into_iter()
            .map(|id| {
                let group = scenario.target_group(id);
                GroupInfo {
                    name: group.name().to_owned(),
                    https: group.protocol() == TargetGroupProtocol::Https,
                    targets: group
                        .targets()
                        .iter()
                        .map(|t| TargetInfo::new(scenario.target(*t)))
                        .collect(),
                }
            })
            .collect();
        AlbInfo {
            hop: listener.hop_name().to_owned(),
            alb: scenario.alb(listener.alb()).name().to_owned(),
            port: listener.port(),
            https: listener.protocol().tls().is_some(),
            security_policy: listener
                .protocol()
                .tls()
                .map(|tls| tls.security_policy().name().to_owned()),
            certificates,
            rules: described,
            target_groups,
        }
    }

    /// `HTTPS` or `HTTP`.
    pub fn protocol(&self) -> &'static str {
        if self.https { "HTTPS" } else { "HTTP" }
    }

    /// The rule the trace names `rule` (a priority or `default`).
    pub fn rule(&self, rule: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.rule == rule)
    }

    /// The target group named `name`.
    pub fn target_group(&self, name: &str) -> Option<&GroupInfo> {
        self.target_groups.iter().find(|g| g.name == name)
    }

    /// The scenario's name of the certificate with this subject (as Java prints it) and these
    /// DNS names, when exactly one of the listener's certificates has them.
    pub fn certificate_named(&self, subject: &str, dns_names: &[String]) -> Option<&str> {
        let mut matching = self.certificates.iter().filter(|c| {
            let same_subject = match &c.common_name {
                Some(cn) => subject == format!("CN={cn}"),
                None => subject.is_empty(),
            };
            same_subject && c.dns_names == dns_names
        });
        match (matching.next(), matching.next()) {
            (Some(only), None) => Some(&only.name),
            _ => None,
        }
    }
}

impl RuleInfo {
    /// Whether this is the listener's default rule.
    pub fn is_default(&self) -> bool {
        self.rule == "default"
    }

    /// `rule 10`, or `default rule`.
    pub fn title(&self) -> String {
        rule_title(&self.rule)
    }

    /// Its conditions joined by `and`; for the default rule, `no other rule matched`.
    pub fn condition_line(&self) -> String {
        if self.conditions.is_empty() {
            "no other rule matched".to_owned()
        } else {
            self.conditions.join(" and ")
        }
    }
}

impl ActionInfo {
    /// The action in a few words: `forward → app`, `forward → a 3 · b 1`,
    /// `fixed-response 404`, `redirect 301`.
    pub fn summary(&self) -> String {
        match self {
            ActionInfo::Forward(groups) => match groups.as_slice() {
                [(only, _)] => format!("forward → {only}"),
                many => {
                    let parts: Vec<String> = many.iter().map(|(g, w)| format!("{g} {w}")).collect();
                    format!("forward → {}", parts.join(" · "))
                }
            },
            ActionInfo::FixedResponse(status) => format!("fixed-response {status}"),
            ActionInfo::Redirect { status, .. } => format!("redirect {status}"),
        }
    }

    /// The action in full: `summary`, with a redirect's location.
    pub fn describe(&self) -> String {
        match self {
            ActionInfo::Redirect { location, .. } => format!("{} to {location}", self.summary()),
            _ => self.summary(),
        }
    }

    /// Whether the ALB answers the request itself (`fixed-response`, `redirect`).
    pub fn answers(&self) -> bool {
        !matches!(self, ActionInfo::Forward(_))
    }
}

/// `rule 10` for the rule the trace names `10`, `default rule` for `default`.
pub(crate) fn rule_title(rule: &str) -> String {
    if rule == "default" {
        "default rule".to_owned()
    } else {
        format!("rule {rule}")
    }
}

fn action_info(
    action: &Action<TargetGroupId>,
    name: &impl Fn(&TargetGroupId) -> String,
) -> ActionInfo {
    match action {
        Action::Forward(forward) => ActionInfo::Forward(
            forward
                .groups
                .iter()
                .map(|g| (name(&g.group), g.weight))
                .collect(),
        ),
        Action::FixedResponse(fixed) => ActionInfo::FixedResponse(fixed.status),
        Action::Redirect(redirect) => {
            let mut location = format!(
                "{}://{}:{}{}",
                redirect.protocol, redirect.host, redirect.port, redirect.path
            );
            if !redirect.query.is_empty() {
                location.push('?');
                location.push_str(&redirect.query);
            }
            ActionInfo::Redirect {
                status: redirect.status.code(),
                location,
            }
        }
    }
}

/// A condition in words: its AWS field name, then its values joined by `or`.
fn condition_text(condition: &Condition) -> String {
    let values: Vec<String> = match condition {
        Condition::HostHeader(values)
        | Condition::PathPattern(values)
        | Condition::HttpRequestMethod(values) => values.clone(),
        Condition::HttpHeader { name, values } => {
            return format!("{} {name}: {}", condition.field(), values.join(" or "));
        }
        Condition::QueryString(pairs) => pairs.iter().map(query_pair).collect(),
        Condition::SourceIp(blocks) => blocks.iter().map(ToString::to_string).collect(),
    };
    format!("{} {}", condition.field(), values.join(" or "))
}

/// `key=value`; a pair without a key matches any key, written `*=value`.
fn query_pair(pair: &QueryPair) -> String {
    format!("{}={}", pair.key.as_deref().unwrap_or("*"), pair.value)
}
