//! Scenario warnings: what validation accepts because AWS accepts it, but what will fail once
//! traffic flows. Each names the file, line, column and field, and says how to fix it.

use std::fmt;

use crate::model::Location;

/// A setup AWS lets you configure that cannot work, found while validating a scenario.
///
/// A scenario with warnings is valid and runs: the lab shows the failure as AWS would produce
/// it. `hoplab validate` prints each warning without failing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioWarning {
    /// Where the value the warning is about is written.
    pub location: Location,
    /// The dotted path of the field, e.g. `target_groups.app.targets[0]`.
    pub field: String,
    /// What will go wrong, in lower case.
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// Which setup this is, for tools that restate it.
    pub kind: WarningKind,
}

/// The setups a [`ScenarioWarning`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarningKind {
    /// A TLS (NLB) or HTTPS (ALB) target group registers a target that speaks plain HTTP:
    /// the load balancer's TLS handshake with it fails on every connection.
    PlainTargetInTlsGroup {
        /// The target group.
        group: String,
        /// The target.
        target: String,
    },
}

impl fmt::Display for ScenarioWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: warning: {}: {} ({})",
            self.location, self.field, self.message, self.help
        )
    }
}
