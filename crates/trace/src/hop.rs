//! Hop identities.

use std::fmt;

use serde::Serialize;

/// One hop of a topology, named as reports and expectations name it.
///
/// The textual form is `gateway`, `nlb:<nlb name>:<listener port>`,
/// `alb:<alb name>:<listener port>` or `target:<target name>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
#[non_exhaustive]
pub enum HopId {
    /// The API Gateway stand-in.
    Gateway,
    /// One listener of a Network Load Balancer, named by the NLB and its scenario port.
    NlbListener {
        /// Name of the NLB in the scenario.
        nlb: String,
        /// The listener's port as written in the scenario (not the loopback port it is bound to).
        port: u16,
    },
    /// One listener of an Application Load Balancer, named by the ALB and its scenario port.
    AlbListener {
        /// Name of the ALB in the scenario.
        alb: String,
        /// The listener's port as written in the scenario (not the loopback port it is bound to).
        port: u16,
    },
    /// A backend target.
    Target {
        /// Name of the target in the scenario.
        name: String,
    },
}

impl HopId {
    /// The hop id of an NLB listener.
    pub fn nlb(nlb: impl Into<String>, port: u16) -> Self {
        HopId::NlbListener {
            nlb: nlb.into(),
            port,
        }
    }

    /// The hop id of an ALB listener.
    pub fn alb(alb: impl Into<String>, port: u16) -> Self {
        HopId::AlbListener {
            alb: alb.into(),
            port,
        }
    }

    /// The hop id of a target.
    pub fn target(name: impl Into<String>) -> Self {
        HopId::Target { name: name.into() }
    }
}

impl fmt::Display for HopId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HopId::Gateway => f.write_str("gateway"),
            HopId::NlbListener { nlb, port } => write!(f, "nlb:{nlb}:{port}"),
            HopId::AlbListener { alb, port } => write!(f, "alb:{alb}:{port}"),
            HopId::Target { name } => write!(f, "target:{name}"),
        }
    }
}

impl From<HopId> for String {
    fn from(hop: HopId) -> String {
        hop.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_forms_are_the_documented_ones() {
        assert_eq!(HopId::Gateway.to_string(), "gateway");
        assert_eq!(HopId::nlb("internal", 443).to_string(), "nlb:internal:443");
        assert_eq!(HopId::alb("web", 443).to_string(), "alb:web:443");
        assert_eq!(HopId::target("app").to_string(), "target:app");
    }
}
