//! Typed ids: how one part of a validated scenario refers to another.
//!
//! An id is the position of what it names in file order (so ids and the scenario's listings
//! agree). Only validation makes ids, so every id a [`Scenario`](crate::Scenario) hands out
//! names something that exists in that scenario; a dangling reference cannot be written down.
//! An id is meaningful only for the scenario it came from: the navigation methods index with
//! it, so using an id of one scenario with another names an unrelated entry (or panics when
//! the other scenario has fewer).

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)+) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
            pub struct $name(usize);

            impl $name {
                /// Made only by validation (and the matching position in a listing).
                pub(crate) const fn new(index: usize) -> Self {
                    Self(index)
                }

                /// Stands in for a reference validation could not resolve. Validation has
                /// reported an error whenever it makes one, so no scenario it returns holds it.
                #[allow(dead_code, reason = "not every kind of reference can fail to resolve")]
                pub(crate) const fn unresolved() -> Self {
                    Self(usize::MAX)
                }

                /// The position in file order: where the listing of the scenario has it.
                pub const fn index(self) -> usize {
                    self.0
                }
            }
        )+
    };
}

ids! {
    /// An authority of `[authorities]` ([`Scenario::authority`](crate::Scenario::authority)).
    AuthorityId;
    /// A leaf certificate of `[certificates]` ([`Scenario::certificate`](crate::Scenario::certificate)).
    CertId;
    /// A Network Load Balancer of `[nlbs]` ([`Scenario::nlb`](crate::Scenario::nlb)).
    NlbId;
    /// An NLB listener, counted over every NLB in file order
    /// ([`Scenario::listener`](crate::Scenario::listener)).
    ListenerId;
    /// An Application Load Balancer of `[albs]` ([`Scenario::alb`](crate::Scenario::alb)).
    AlbId;
    /// An ALB listener, counted over every ALB in file order
    /// ([`Scenario::alb_listener`](crate::Scenario::alb_listener)).
    AlbListenerId;
    /// A target group of `[target_groups]` ([`Scenario::target_group`](crate::Scenario::target_group)).
    TargetGroupId;
    /// A target of `[targets]` ([`Scenario::target`](crate::Scenario::target)).
    TargetId;
    /// A route of `[[gateway.routes]]` ([`Scenario::route`](crate::Scenario::route)).
    RouteId;
    /// A request of `[[requests]]` ([`Scenario::request`](crate::Scenario::request)).
    RequestId;
}

/// Any certificate of the PKI: an authority's or a leaf's (what an explicit `chain` lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CertRef {
    /// An authority's certificate.
    Authority(AuthorityId),
    /// A leaf certificate.
    Leaf(CertId),
}
