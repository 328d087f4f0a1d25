//! A target group's load-balancing algorithm (`load_balancing.algorithm.type`).

/// How an ALB target group picks a target for each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LoadBalancingAlgorithm {
    /// `round_robin` (AWS's default): each request goes to the next routable target.
    #[default]
    RoundRobin,
    /// `least_outstanding_requests`: each request goes to the routable target with the fewest
    /// requests in flight from this listener (ties: the next in round-robin order).
    LeastOutstandingRequests,
}

impl LoadBalancingAlgorithm {
    /// Every algorithm modelled, with its AWS name: the one spelling table.
    pub const ALL: [(&'static str, LoadBalancingAlgorithm); 2] = [
        ("round_robin", LoadBalancingAlgorithm::RoundRobin),
        (
            "least_outstanding_requests",
            LoadBalancingAlgorithm::LeastOutstandingRequests,
        ),
    ];

    /// AWS's name: `round_robin` or `least_outstanding_requests`.
    pub fn aws_name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, algorithm)| *algorithm == self)
            .map_or("round_robin", |(name, _)| name)
    }

    /// The algorithm AWS calls `name`, or `None` for one this simulator does not model (such
    /// as `weighted_random`).
    pub fn from_aws_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(spelled, _)| *spelled == name)
            .map(|(_, algorithm)| *algorithm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_aws_names() {
        assert_eq!(
            LoadBalancingAlgorithm::from_aws_name("least_outstanding_requests"),
            Some(LoadBalancingAlgorithm::LeastOutstandingRequests)
        );
        assert_eq!(
            LoadBalancingAlgorithm::from_aws_name("weighted_random"),
            None
        );
        assert_eq!(LoadBalancingAlgorithm::default().aws_name(), "round_robin");
    }
}
