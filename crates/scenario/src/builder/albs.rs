//! Builders of `[albs.<name>]` and `[[albs.<name>.listeners]]`. Rules, conditions and
//! actions are `hoplab-alb-rules`' own types, written back into the file's keys, so a rule
//! built in Rust is read exactly as its TOML would be.

use std::ops::Range;

use hoplab_alb_rules::{Action, Condition, Redirect, Rule};
use toml::Spanned;

use super::parts::{Part, at, names, part};
use crate::alb::AlbSecurityPolicy;
use crate::raw::{
    RawAction, RawAlb, RawAlbListener, RawCondition, RawConditionValue, RawNumberOrText,
    RawQueryPair, RawRule, RawWeightedGroup,
};

part!(
    /// `[albs.<name>]`: an Application Load Balancer.
    AlbBuilder(RawAlb)
);

impl Default for AlbBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl AlbBuilder {
    /// An ALB without listeners (it needs at least one), with the default idle timeout.
    pub fn new() -> Self {
        Self::from_parts(
            RawAlb {
                idle_timeout_seconds: None,
                listeners: Vec::new(),
            },
            0..0,
        )
    }

    /// `idle_timeout.timeout_seconds` (1..=4000; default 60).
    pub fn idle_timeout_seconds(mut self, seconds: u32) -> Self {
        let value = i64::from(seconds);
        let existing = self.raw.idle_timeout_seconds.as_ref();
        self.raw.idle_timeout_seconds = Some(at(&self.span, existing, value));
        self
    }

    /// Adds a listener.
    pub fn listener(mut self, listener: AlbListenerBuilder) -> Self {
        let (raw, span) = listener.into_parts();
        self.raw.listeners.push(Spanned::new(span, raw));
        self
    }
}

part!(
    /// `[[albs.<name>.listeners]]`: one ALB listener, its default action and its rules.
    AlbListenerBuilder(RawAlbListener)
);

impl AlbListenerBuilder {
    fn new(port: u16, protocol: &str, default_action: &Action) -> Self {
        Self::from_parts(
            RawAlbListener {
                port: Spanned::new(0..0, i64::from(port)),
                protocol: Spanned::new(0..0, protocol.to_owned()),
                certificate: None,
                certificates: None,
                security_policy: None,
                default_action: Some(Spanned::new(0..0, raw_action(default_action, &(0..0)))),
                rules: Vec::new(),
            },
            0..0,
        )
    }

    /// An HTTP listener whose default rule does `default_action`.
    pub fn http(port: u16, default_action: &Action) -> Self {
        Self::new(port, "HTTP", default_action)
    }

    /// An HTTPS listener serving `certificate` by default, whose default rule does
    /// `default_action`.
    pub fn https(port: u16, certificate: &str, default_action: &Action) -> Self {
        let mut b = Self::new(port, "HTTPS", default_action);
        b.raw.certificate = Some(Spanned::new(0..0, certificate.to_owned()));
        b
    }

    /// The certificate list chosen among by SNI (HTTPS).
    pub fn certificates<'a>(mut self, certificates: impl IntoIterator<Item = &'a str>) -> Self {
        let value = names(&self.span, certificates);
        self.raw.certificates = Some(at(&self.span, self.raw.certificates.as_ref(), value));
        self
    }

    /// The security policy (HTTPS).
    pub fn security_policy(mut self, policy: AlbSecurityPolicy) -> Self {
        let value = policy.name().to_owned();
        self.raw.security_policy = Some(at(&self.span, self.raw.security_policy.as_ref(), value));
        self
    }

    /// The default rule's action.
    pub fn default_action(mut self, action: &Action) -> Self {
        let value = raw_action(action, &self.span);
        self.raw.default_action = Some(at(&self.span, self.raw.default_action.as_ref(), value));
        self
    }

    /// Adds a rule (its actions: exactly one, as AWS requires; the first is written).
    pub fn rule(mut self, rule: &Rule) -> Self {
        let span = self.span.clone();
        let raw = RawRule {
            priority: Spanned::new(span.clone(), i64::from(rule.priority)),
            conditions: rule
                .conditions
                .iter()
                .map(|c| Spanned::new(span.clone(), raw_condition(c, &span)))
                .collect(),
            action: rule
                .actions
                .first()
                .map(|a| Spanned::new(span.clone(), raw_action(a, &span))),
        };
        self.raw.rules.push(Spanned::new(span, raw));
        self
    }
}

/// A condition as a file writes it.
fn raw_condition(condition: &Condition, span: &Range<usize>) -> RawCondition {
    let texts = |values: &[String]| -> Vec<Spanned<RawConditionValue>> {
        values
            .iter()
            .map(|v| Spanned::new(span.clone(), RawConditionValue::Text(v.clone())))
            .collect()
    };
    let (header, values) = match condition {
        Condition::HostHeader(v) | Condition::PathPattern(v) | Condition::HttpRequestMethod(v) => {
            (None, texts(v))
        }
        Condition::HttpHeader { name, values } => (Some(name.clone()), texts(values)),
        Condition::QueryString(pairs) => (
            None,
            pairs
                .iter()
                .map(|p| {
                    let pair = RawQueryPair {
                        key: p.key.clone(),
                        value: p.value.clone(),
                    };
                    Spanned::new(span.clone(), RawConditionValue::Pair(pair))
                })
                .collect(),
        ),
        Condition::SourceIp(blocks) => (
            None,
            blocks
                .iter()
                .map(|b| Spanned::new(span.clone(), RawConditionValue::Text(b.to_string())))
                .collect(),
        ),
    };
    RawCondition {
        field: Spanned::new(span.clone(), condition.field().to_owned()),
        http_header_name: header.map(|h| Spanned::new(span.clone(), h)),
        values: Spanned::new(span.clone(), values),
    }
}

/// An action as a file writes it.
fn raw_action(action: &Action, span: &Range<usize>) -> RawAction {
    let text = |v: &str| Some(Spanned::new(span.clone(), v.to_owned()));
    let mut raw = RawAction {
        kind: Spanned::new(span.clone(), action.kind().aws_name().to_owned()),
        target_group: None,
        target_groups: None,
        status_code: None,
        content_type: None,
        message_body: None,
        protocol: None,
        host: None,
        port: None,
        path: None,
        query: None,
    };
    match action {
        Action::Forward(forward) => match forward.groups.as_slice() {
            [one] => raw.target_group = text(&one.group),
            groups => {
                let list = groups
                    .iter()
                    .map(|g| {
                        let weighted = RawWeightedGroup {
                            target_group: Spanned::new(span.clone(), g.group.clone()),
                            weight: Some(Spanned::new(span.clone(), i64::from(g.weight))),
                        };
                        Spanned::new(span.clone(), weighted)
                    })
                    .collect();
                raw.target_groups = Some(Spanned::new(span.clone(), list));
            }
        },
        Action::FixedResponse(fixed) => {
            let code = RawNumberOrText::Number(i64::from(fixed.status));
            raw.status_code = Some(Spanned::new(span.clone(), code));
            raw.content_type = fixed.content_type.as_deref().and_then(text);
            raw.message_body = (!fixed.body.is_empty())
                .then(|| text(&fixed.body))
                .flatten();
        }
        Action::Redirect(redirect) => {
            let Redirect {
                status,
                protocol,
                host,
                port,
                path,
                query,
            } = redirect;
            let code = RawNumberOrText::Text(status.aws_name().to_owned());
            raw.status_code = Some(Spanned::new(span.clone(), code));
            raw.protocol = text(protocol);
            raw.host = text(host);
            raw.port = Some(Spanned::new(
                span.clone(),
                RawNumberOrText::Text(port.clone()),
            ));
            raw.path = text(path);
            raw.query = text(query);
        }
    }
    raw
}
