//! What an Application Load Balancer listener is configured with, as pure data and pure
//! functions: its listener rules ([`RuleSet`]: conditions, priorities, actions and what AWS
//! refuses in them), its [security policy](SecurityPolicy), its target groups'
//! [algorithm](LoadBalancingAlgorithm), and AWS's limits and defaults.
//!
//! Nothing here opens a socket. The ALB listener (`hoplab-alb`) runs these rules; the
//! scenario validator checks a scenario's ALB sections with the very same checks; the static
//! model evaluates the same [`RuleSet`] to predict which rule decides a request. One
//! statement of AWS's rules, three readers.
//!
//! A [`RuleSet`] is generic over how a `forward` names its target groups: by name, as AWS's
//! API and the listener take them, or by any reference a caller resolves names to (the
//! scenario's typed ids), through [`RuleSet::map_groups`].
//!
//! # Layout
//! - `rules`: [`RuleSet`], [`Rule`], [`Condition`] and [`ConditionField`], [`Action`],
//!   [`RuleError`]; wildcards; redirect keywords.
//! - `policy`: [`SecurityPolicy`], names to TLS versions, front and back.
//! - `algorithm`: [`LoadBalancingAlgorithm`].
//! - `decision`: [`MatchedRule`] and [`AlbAction`], how a decision is recorded.
//! - `limits`: AWS's limits, ranges and defaults.

#![warn(missing_docs)]

mod algorithm;
mod decision;
pub mod limits;
mod policy;
mod rules;

pub use algorithm::LoadBalancingAlgorithm;
pub use decision::{AlbAction, MatchedRule};
pub use policy::{SecurityPolicy, TlsVersion};
pub use rules::{
    Action, Condition, ConditionField, FixedResponse, Forward, InvalidCidr, IpCidr, Matched,
    QueryPair, Redirect, RedirectSource, RedirectStatus, RequestView, Rule, RuleError, RuleSet,
    WeightedGroup, host_without_port,
};
