//! Listener rules: which rule decides a request, as a pure function of the request.
//!
//! AWS: every listener has a default rule with no conditions, evaluated last; the other rules
//! are evaluated by priority, lowest value first, and the first whose conditions all match
//! decides. A rule ends with exactly one action. A rule holds at most one each of
//! `host-header`, `http-request-method`, `path-pattern` and `source-ip`, at most 3 values per
//! condition, 5 match evaluations and 5 wildcards. [`RuleSet::new`] refuses what AWS refuses,
//! plus one choice where AWS's API is the only source: a rule other than the default must
//! have at least one condition (AWS's `CreateRule` requires them).
//!
//! The rule set knows nothing of sockets, so the scenario layer and the static model can use
//! it to check and to predict exactly what the listener does.

mod action;
mod condition;
mod pattern;

use std::collections::BTreeSet;

use crate::MatchedRule;

pub use action::{
    Action, FixedResponse, Forward, Redirect, RedirectSource, RedirectStatus, WeightedGroup,
};
pub use condition::{
    Condition, ConditionField, InvalidCidr, IpCidr, QueryPair, RequestView, host_without_port,
};

use crate::limits::{
    FORWARD_WEIGHTS, MAX_EVALUATIONS_PER_RULE, MAX_VALUES_PER_CONDITION, MAX_WILDCARDS_PER_RULE,
};

/// One listener rule other than the default one; `G` names target groups as in [`Action`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule<G = String> {
    /// Its priority; lower values are evaluated first, and no two rules share one.
    pub priority: u32,
    /// What a request must meet, all of it.
    pub conditions: Vec<Condition>,
    /// What the rule does: exactly one action.
    pub actions: Vec<Action<G>>,
}

/// A listener's rules, checked and in evaluation order.
///
/// Only [`RuleSet::new`] makes one, from target groups named by name; [`RuleSet::map_groups`]
/// then trades the names for another reference (the scenario keeps typed ids), which keeps
/// every check: the structure does not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet<G = String> {
    /// Rules by ascending priority, each with its one action.
    rules: Vec<(u32, Vec<Condition>, Action<G>)>,
    default: Action<G>,
}

/// The rule that decided a request.
#[derive(Debug, Clone, Copy)]
pub struct Matched<'a, G = String> {
    /// The rule, by priority, or the default rule.
    pub rule: MatchedRule,
    /// Its position in evaluation order (the default rule comes last), so a listener can keep
    /// per-rule state such as a weighted forward's rotation.
    pub index: usize,
    /// Its action.
    pub action: &'a Action<G>,
}

/// A listener rule AWS would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// Two rules have the same priority.
    #[error("two rules have priority {priority}")]
    DuplicatePriority {
        /// The priority.
        priority: u32,
    },
    /// A rule has no action.
    #[error("{}: no action; a rule ends with exactly one forward, fixed-response or redirect", name(.rule))]
    NoAction {
        /// The rule.
        rule: MatchedRule,
    },
    /// A rule has more than one action.
    #[error("{}: {count} actions; a rule ends with exactly one forward, fixed-response or redirect", name(.rule))]
    SeveralActions {
        /// The rule.
        rule: MatchedRule,
        /// How many it has.
        count: usize,
    },
    /// A rule other than the default has no condition.
    #[error("{}: no conditions; only the default rule has none", name(.rule))]
    NoConditions {
        /// The rule.
        rule: MatchedRule,
    },
    /// A condition that may appear once per rule appears again.
    #[error("{}: more than one {condition} condition; a rule has at most one each of host-header, http-request-method, path-pattern and source-ip", name(.rule))]
    RepeatedCondition {
        /// The rule.
        rule: MatchedRule,
        /// The condition's field name.
        condition: &'static str,
    },
    /// A condition has no values.
    #[error("{}: {condition} condition has no values", name(.rule))]
    NoValues {
        /// The rule.
        rule: MatchedRule,
        /// The condition's field name.
        condition: &'static str,
    },
    /// A condition has more values than AWS allows.
    #[error("{}: {condition} condition has {count} values; at most {MAX_VALUES_PER_CONDITION} are allowed", name(.rule))]
    TooManyValues {
        /// The rule.
        rule: MatchedRule,
        /// The condition's field name.
        condition: &'static str,
        /// How many it has.
        count: usize,
    },
    /// A rule's conditions hold more values in all than AWS allows.
    #[error("{}: {count} match evaluations; at most {MAX_EVALUATIONS_PER_RULE} are allowed per rule", name(.rule))]
    TooManyEvaluations {
        /// The rule.
        rule: MatchedRule,
        /// How many it has.
        count: usize,
    },
    /// A rule's patterns hold more wildcards in all than AWS allows.
    #[error("{}: {count} wildcards; at most {MAX_WILDCARDS_PER_RULE} are allowed per rule", name(.rule))]
    TooManyWildcards {
        /// The rule.
        rule: MatchedRule,
        /// How many it has.
        count: usize,
    },
    /// A condition value AWS would refuse.
    #[error("{}: {condition} value {value:?} {reason}", name(.rule))]
    InvalidValue {
        /// The rule.
        rule: MatchedRule,
        /// The condition's field name.
        condition: &'static str,
        /// The value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A `forward` action names no target group.
    #[error("{}: forward names no target group", name(.rule))]
    ForwardWithoutGroup {
        /// The rule.
        rule: MatchedRule,
    },
    /// A `forward` action names a target group the listener does not have.
    #[error("{}: forward to unknown target group {group:?}", name(.rule))]
    UnknownTargetGroup {
        /// The rule.
        rule: MatchedRule,
        /// The name given.
        group: String,
    },
    /// A `forward` action names a target group twice.
    #[error("{}: forward names target group {group:?} twice", name(.rule))]
    RepeatedTargetGroup {
        /// The rule.
        rule: MatchedRule,
        /// The group.
        group: String,
    },
    /// A `forward` weight outside 0–999.
    #[error("{}: weight {weight} of target group {group:?} is outside 0-999", name(.rule))]
    WeightOutOfRange {
        /// The rule.
        rule: MatchedRule,
        /// The group.
        group: String,
        /// The weight.
        weight: u16,
    },
    /// Every target group of a weighted `forward` has weight 0, so nothing could be
    /// forwarded (a choice; AWS does not say what happens).
    #[error("{}: every target group of the forward has weight 0", name(.rule))]
    AllWeightsZero {
        /// The rule.
        rule: MatchedRule,
    },
    /// A `fixed-response` status that is not 2XX, 4XX or 5XX.
    #[error("{}: fixed-response status {status} is not a 2XX, 4XX or 5XX code", name(.rule))]
    FixedResponseStatus {
        /// The rule.
        rule: MatchedRule,
        /// The status.
        status: u16,
    },
    /// A `redirect` part AWS would refuse.
    #[error("{}: redirect {part} {value:?} {reason}", name(.rule))]
    InvalidRedirect {
        /// The rule.
        rule: MatchedRule,
        /// The part: `protocol`, `host`, `port`, `path` or `query`.
        part: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl RuleError {
    /// The rule the error is about (`None` for a duplicate priority, which is about two).
    pub fn rule(&self) -> Option<MatchedRule> {
        match self {
            RuleError::DuplicatePriority { .. } => None,
            RuleError::NoAction { rule }
            | RuleError::SeveralActions { rule, .. }
            | RuleError::NoConditions { rule }
            | RuleError::RepeatedCondition { rule, .. }
            | RuleError::NoValues { rule, .. }
            | RuleError::TooManyValues { rule, .. }
            | RuleError::TooManyEvaluations { rule, .. }
            | RuleError::TooManyWildcards { rule, .. }
            | RuleError::InvalidValue { rule, .. }
            | RuleError::ForwardWithoutGroup { rule }
            | RuleError::UnknownTargetGroup { rule, .. }
            | RuleError::RepeatedTargetGroup { rule, .. }
            | RuleError::WeightOutOfRange { rule, .. }
            | RuleError::AllWeightsZero { rule }
            | RuleError::FixedResponseStatus { rule, .. }
            | RuleError::InvalidRedirect { rule, .. } => Some(*rule),
        }
    }
}

/// How errors name a rule.
fn name(rule: &MatchedRule) -> String {
    match rule {
        MatchedRule::Priority(priority) => format!("rule {priority}"),
        MatchedRule::Default => "the default rule".to_owned(),
    }
}

impl RuleSet {
    /// Checks `rules` and the default rule's `default_actions` as AWS would, for a listener
    /// that is HTTPS when `https_listener` and has the target groups `target_groups`, and
    /// orders them for evaluation.
    ///
    /// # Errors
    /// The first [`RuleError`] found: duplicate priorities first, then each rule in priority
    /// order, then the default rule.
    pub fn new(
        rules: Vec<Rule>,
        default_actions: Vec<Action>,
        https_listener: bool,
        target_groups: &[&str],
    ) -> Result<Self, RuleError> {
        let mut rules = rules;
        rules.sort_by_key(|rule| rule.priority);
        if let Some(pair) = rules.windows(2).find(|w| w[0].priority == w[1].priority) {
            return Err(RuleError::DuplicatePriority {
                priority: pair[0].priority,
            });
        }
        let check = Checker {
            https_listener,
            target_groups,
        };
        let mut checked = Vec::with_capacity(rules.len());
        for rule in rules {
            let id = MatchedRule::Priority(rule.priority);
            check.conditions(id, &rule.conditions)?;
            let action = check.actions(id, rule.actions)?;
            checked.push((rule.priority, rule.conditions, action));
        }
        let default = check.actions(MatchedRule::Default, default_actions)?;
        Ok(RuleSet {
            rules: checked,
            default,
        })
    }
}

impl<G> RuleSet<G> {
    /// The rule that decides `request` and its action: the first rule, by priority, whose
    /// conditions all match, else the default rule.
    pub fn evaluate(&self, request: &RequestView<'_>) -> Matched<'_, G> {
        self.rules
            .iter()
            .enumerate()
            .find(|(_, (_, conditions, _))| conditions.iter().all(|c| c.matches(request)))
            .map_or(
                Matched {
                    rule: MatchedRule::Default,
                    index: self.rules.len(),
                    action: &self.default,
                },
                |(index, (priority, _, action))| Matched {
                    rule: MatchedRule::Priority(*priority),
                    index,
                    action,
                },
            )
    }

    /// Every action in evaluation order (the default rule's last), indexed as
    /// [`Matched::index`].
    pub fn actions(&self) -> impl Iterator<Item = &Action<G>> {
        self.rules
            .iter()
            .map(|(_, _, action)| action)
            .chain(std::iter::once(&self.default))
    }

    /// The rules other than the default one, by ascending priority: priority, conditions
    /// and action.
    pub fn rules(&self) -> impl Iterator<Item = (u32, &[Condition], &Action<G>)> {
        self.rules
            .iter()
            .map(|(priority, conditions, action)| (*priority, conditions.as_slice(), action))
    }

    /// The default rule's action, taken when no other rule matches.
    pub fn default_action(&self) -> &Action<G> {
        &self.default
    }

    /// Every target group reference a `forward` of any rule holds, in evaluation order (a
    /// group forwarded to by several rules appears once per rule).
    pub fn forwarded_groups(&self) -> impl Iterator<Item = &G> {
        self.actions().flat_map(|action| match action {
            Action::Forward(forward) => forward.groups.iter().map(|g| &g.group).collect(),
            _ => Vec::new(),
        })
    }

    /// The same rules with every target group reference passed through `f`.
    pub fn map_groups<H>(&self, mut f: impl FnMut(&G) -> H) -> RuleSet<H> {
        RuleSet {
            rules: self
                .rules
                .iter()
                .map(|(priority, conditions, action)| {
                    (*priority, conditions.clone(), action.map_groups(&mut f))
                })
                .collect(),
            default: self.default.map_groups(&mut f),
        }
    }

    /// The rules as AWS's API takes them: the rules other than the default one, and the
    /// default rule's actions.
    pub fn to_rules(&self) -> (Vec<Rule<G>>, Vec<Action<G>>)
    where
        G: Clone,
    {
        let rules = self
            .rules
            .iter()
            .map(|(priority, conditions, action)| Rule {
                priority: *priority,
                conditions: conditions.clone(),
                actions: vec![action.clone()],
            })
            .collect();
        (rules, vec![self.default.clone()])
    }
}

/// What rules are checked against.
struct Checker<'a> {
    https_listener: bool,
    target_groups: &'a [&'a str],
}

impl Checker<'_> {
    fn conditions(&self, rule: MatchedRule, conditions: &[Condition]) -> Result<(), RuleError> {
        if conditions.is_empty() {
            return Err(RuleError::NoConditions { rule });
        }
        let mut once = BTreeSet::new();
        for condition in conditions {
            let field = condition.field();
            if condition.at_most_once() && !once.insert(field) {
                return Err(RuleError::RepeatedCondition {
                    rule,
                    condition: field,
                });
            }
            match condition.values() {
                0 => {
                    return Err(RuleError::NoValues {
                        rule,
                        condition: field,
                    });
                }
                count if count > MAX_VALUES_PER_CONDITION => {
                    return Err(RuleError::TooManyValues {
                        rule,
                        condition: field,
                        count,
                    });
                }
                _ => {}
            }
            if let Some((value, why)) = condition.bad_value() {
                return Err(RuleError::InvalidValue {
                    rule,
                    condition: field,
                    value,
                    reason: why.to_string(),
                });
            }
        }
        let count = conditions.iter().map(Condition::values).sum();
        if count > MAX_EVALUATIONS_PER_RULE {
            return Err(RuleError::TooManyEvaluations { rule, count });
        }
        let count = conditions.iter().map(Condition::wildcards).sum();
        if count > MAX_WILDCARDS_PER_RULE {
            return Err(RuleError::TooManyWildcards { rule, count });
        }
        Ok(())
    }

    fn actions(&self, rule: MatchedRule, actions: Vec<Action>) -> Result<Action, RuleError> {
        let count = actions.len();
        let mut actions = actions.into_iter();
        let (Some(action), None) = (actions.next(), actions.next()) else {
            return Err(if count == 0 {
                RuleError::NoAction { rule }
            } else {
                RuleError::SeveralActions { rule, count }
            });
        };
        match &action {
            Action::Forward(forward) => self.forward(rule, forward)?,
            Action::FixedResponse(fixed) => {
                if !matches!(fixed.status, 200..=299 | 400..=599) {
                    return Err(RuleError::FixedResponseStatus {
                        rule,
                        status: fixed.status,
                    });
                }
            }
            Action::Redirect(redirect) => {
                if let Some((part, value, reason)) = redirect.bad_part(self.https_listener) {
                    return Err(RuleError::InvalidRedirect {
                        rule,
                        part,
                        value,
                        reason,
                    });
                }
            }
        }
        Ok(action)
    }

    fn forward(&self, rule: MatchedRule, forward: &Forward) -> Result<(), RuleError> {
        if forward.groups.is_empty() {
            return Err(RuleError::ForwardWithoutGroup { rule });
        }
        let mut seen = BTreeSet::new();
        for WeightedGroup { group, weight } in &forward.groups {
            if !self.target_groups.contains(&group.as_str()) {
                return Err(RuleError::UnknownTargetGroup {
                    rule,
                    group: group.clone(),
                });
            }
            if !seen.insert(group.as_str()) {
                return Err(RuleError::RepeatedTargetGroup {
                    rule,
                    group: group.clone(),
                });
            }
            if !FORWARD_WEIGHTS.contains(weight) {
                return Err(RuleError::WeightOutOfRange {
                    rule,
                    group: group.clone(),
                    weight: *weight,
                });
            }
        }
        if forward.groups.len() > 1 && forward.groups.iter().all(|g| g.weight == 0) {
            return Err(RuleError::AllWeightsZero { rule });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
