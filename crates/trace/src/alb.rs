//! The words an ALB listener's request record is made of: which rule matched and what its
//! action was (defined with the rules, in `hoplab-alb-rules`, and re-exported here), and who
//! wrote the response.

use serde::Serialize;

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
    fn origins_serialize_as_reports_spell_them() {
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
