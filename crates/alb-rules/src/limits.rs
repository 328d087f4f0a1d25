//! AWS's numbers for ALB listeners, rules and target groups: limits, ranges and defaults
//! (facts §3). The scenario validator enforces them and the listener runs with them; each is
//! written once, here.

use std::ops::RangeInclusive;

/// At most this many values per rule condition (AWS, 2023 documentation).
pub const MAX_VALUES_PER_CONDITION: usize = 3;

/// At most this many match evaluations (condition values) per rule.
pub const MAX_EVALUATIONS_PER_RULE: usize = 5;

/// At most this many wildcards (`*`, `?`) per rule.
pub const MAX_WILDCARDS_PER_RULE: usize = 5;

/// The weights a target group of a `forward` action may have.
pub const FORWARD_WEIGHTS: RangeInclusive<u16> = 0..=999;

/// The priorities a rule other than the default one may have (AWS `CreateRule`).
pub const RULE_PRIORITIES: RangeInclusive<u32> = 1..=50_000;

/// The idle timeout when none is configured (`idle_timeout.timeout_seconds`), in seconds.
pub const DEFAULT_IDLE_TIMEOUT_SECONDS: u64 = 60;

/// The idle timeouts AWS allows, in seconds. The listener itself runs any non-zero timeout
/// (tests use milliseconds); the scenario layer enforces this range.
pub const IDLE_TIMEOUT_SECONDS: RangeInclusive<u64> = 1..=4000;

/// The status codes an ALB health-check matcher may name (AWS: 200–499).
pub const HEALTH_CHECK_STATUS_CODES: RangeInclusive<u16> = 200..=499;

/// The default health check of an ALB target group (instance and ip targets): seconds
/// between checks.
pub const HEALTH_CHECK_INTERVAL_SECONDS: u32 = 30;

/// The default health check's timeout, in seconds.
pub const HEALTH_CHECK_TIMEOUT_SECONDS: u32 = 5;

/// The default health check's healthy threshold.
pub const HEALTH_CHECK_HEALTHY_THRESHOLD: u32 = 5;

/// The default health check's unhealthy threshold.
pub const HEALTH_CHECK_UNHEALTHY_THRESHOLD: u32 = 2;

/// The default health check's path.
pub const HEALTH_CHECK_PATH: &str = "/";

/// The default health check's matcher, as AWS writes it.
pub const HEALTH_CHECK_MATCHER: &str = "200";
