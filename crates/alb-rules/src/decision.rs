//! The words a listener's decision is recorded in: which rule matched and what kind of action
//! it ended with. The trace records them (`hoplab-trace` re-exports both), reports print them.

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

/// The kind of action a listener rule ends with, spelt as AWS spells it (`Type`).
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

impl AlbAction {
    /// Every kind with its AWS name: the one spelling table of action types.
    pub const ALL: [(&'static str, AlbAction); 3] = [
        ("forward", AlbAction::Forward),
        ("fixed-response", AlbAction::FixedResponse),
        ("redirect", AlbAction::Redirect),
    ];

    /// AWS's name, e.g. `fixed-response`.
    pub fn aws_name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, kind)| *kind == self)
            .map_or("forward", |(name, _)| name)
    }

    /// The kind AWS calls `name` (exact spelling).
    pub fn from_aws_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(spelled, _)| *spelled == name)
            .map(|(_, kind)| *kind)
    }
}

impl fmt::Display for AlbAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.aws_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).unwrap()
    }

    #[test]
    fn rules_and_actions_serialize_as_reports_spell_them() {
        assert_eq!(json(&MatchedRule::Priority(10)), r#""10""#);
        assert_eq!(json(&MatchedRule::Default), r#""default""#);
        assert_eq!(json(&AlbAction::FixedResponse), r#""fixed-response""#);
        for (name, kind) in AlbAction::ALL {
            assert_eq!(kind.to_string(), name);
            assert_eq!(json(&kind), format!("{name:?}"));
            assert_eq!(AlbAction::from_aws_name(name), Some(kind));
        }
        assert_eq!(AlbAction::from_aws_name("Forward"), None);
    }
}
