//! The words an ALB listener's request record is made of: which rule matched, what its
//! action was, and who wrote the response.

use std::fmt;

use serde::Serialize;

/// The listener rule that decided a request: one with a priority, or the default rule that
/// is evaluated last.
///
/// Serialized as its priority (`"10"`) or `"default"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub enum MatchedRule {
    /// The rule with this priority.
    Priority(u32),
    /// The listener's default rule.
    Default,
}

impl fmt::Display for MatchedRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchedRule::Priority(priority) => write!(f, "{priority}"),
            MatchedRule::Default => f.write_str("default"),
        }
    }
}

impl From<MatchedRule> for String {
    fn from(rule: MatchedRule) -> String {
        rule.to_string()
    }
}

/// The kind of action a listener rule ends with, spelt as AWS spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlbAction {
    /// `forward`: to one target group, or to several by weight.
    Forward,
    /// `fixed-response`: a status, content type and body written by the ALB.
    FixedResponse,
    /// `redirect`: `HTTP_301` or `HTTP_302` to a URL built from the request.
    Redirect,
}

impl fmt::Display for AlbAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AlbAction::Forward => "forward",
            AlbAction::FixedResponse => "fixed-response",
            AlbAction::Redirect => "redirect",
        })
    }
}

/// Who wrote the response an ALB listener sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum ResponseOrigin {
    /// The target answered; its response was passed on.
    Target,
    /// The rule's `fixed-response` or `redirect` action.
    Action,
    /// The ALB itself, because the request could not be served as asked (its `awselb/2.0`
    /// error pages: 400, 502, 503, 504).
    LoadBalancer {
        /// Why, e.g. `connect to target 127.0.0.1:9: connection refused`.
        reason: String,
    },
}

impl ResponseOrigin {
    /// Whether the ALB wrote the response (an action or an error page) rather than a target.
    pub fn is_generated(&self) -> bool {
        !matches!(self, ResponseOrigin::Target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).unwrap()
    }

    #[test]
    fn rules_actions_and_origins_serialize_as_reports_spell_them() {
        assert_eq!(json(&MatchedRule::Priority(10)), r#""10""#);
        assert_eq!(json(&MatchedRule::Default), r#""default""#);
        assert_eq!(json(&AlbAction::FixedResponse), r#""fixed-response""#);
        assert_eq!(json(&ResponseOrigin::Target), r#"{"by":"target"}"#);
        assert_eq!(
            json(&ResponseOrigin::LoadBalancer {
                reason: "no targets".to_owned()
            }),
            r#"{"by":"load_balancer","reason":"no targets"}"#
        );
        assert!(!ResponseOrigin::Target.is_generated());
        assert!(ResponseOrigin::Action.is_generated());
    }
}
