//! The static model behind `hoplab explain`: what each route and request of a scenario will
//! produce, predicted from the scenario alone.
//!
//! [`explain`] is a pure function of the validated scenario and a clock. It opens no socket,
//! generates no certificate and does not call `hoplab-pkix`: it is a second, independent
//! statement of the rules the live lab follows — which hop terminates API Gateway's TLS, which
//! certificate that hop serves (SNI included), what the JDK's PKIX validator and Apache's
//! hostname verifier say about the chain it sends, and what the NLB does on the far side.
//! `hoplab test` runs every scenario live and through this model and reports any
//! [`disagreements`], so a drift in either implementation shows up as a failure.
//!
//! ```no_run
//! # fn demo(scenario: &hoplab_scenario::Scenario) {
//! let now = scenario.now().unwrap_or_else(time::OffsetDateTime::now_utc);
//! let explanation = hoplab_model::explain(scenario, now);
//! print!("{}", hoplab_model::render_text(&explanation));
//! # }
//! ```
//!
//! # Layout
//! - `cert`: the facts each certificate will hold, read from its spec, and the chain sent.
//! - `verdict`: the JDK's dispatch, path checks and path building, over those facts.
//! - `names`: the SNI sent, the NLB's choice by SNI, Apache's hostname verifier.
//! - `constraints`: the JDK's DNS name constraints, over those facts.
//! - `route`: one route through the topology, with its narrative; `route::faults` (target
//!   faults, the integration timeout, backend TLS versions), `route::health` (which targets
//!   get flows) and `route::alb` (an ALB listener: its certificate, its rules evaluated with
//!   `hoplab-alb-rules`, its own answers).
//! - `render`: [`render_text`].
//! - `compare`: [`disagreements`] between a prediction and a live run.

#![warn(missing_docs)]

mod cert;
mod compare;
mod constraints;
mod names;
mod narrative;
mod render;
mod route;
mod verdict;

use hoplab_scenario::Scenario;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub use compare::{Disagreement, disagreements};
pub use render::render_text;

/// What the model predicts for a whole scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: Option<String>,
    /// The clock the prediction used (RFC 3339): validity windows are judged at this time.
    pub checked_at: String,
    /// One prediction per route, in file order.
    pub routes: Vec<RoutePrediction>,
    /// One prediction per request, in file order.
    pub requests: Vec<RequestPrediction>,
}

/// What one route does with a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutePrediction {
    /// HTTP method (`ANY` included).
    pub method: String,
    /// Resource path.
    pub path: String,
    /// The integration URI.
    pub uri: String,
    /// How the gateway reaches the backend, e.g. `INTERNET` or `VPC_LINK to nlb:internal:443 (TLS)`.
    pub via: String,
    /// Hops a connection reaches, in order: `gateway`, `nlb:<nlb>:<port>`, `target:<name>`.
    pub hops: Vec<String>,
    /// The TLS sessions the request sets up, gateway side first.
    pub tls_sessions: Vec<PredictedSession>,
    /// The hop whose certificate API Gateway validates; `None` when no certificate is.
    pub validated: Option<String>,
    /// The host the certificate is checked against (the URI host), when one is validated.
    pub host_checked: Option<String>,
    /// Scenario name of the validated leaf (for an NLB, the one SNI selects).
    pub certificate: Option<String>,
    /// Certificates presented on the way that nobody validates, and why.
    pub not_validated: Vec<NotValidated>,
    /// Status the client receives.
    pub status: u16,
    /// The execution log's failure line (the text after `<date> : `), if the call fails.
    pub error: Option<String>,
    /// Plain-English sentences saying what happens and why.
    pub narrative: Vec<String>,
    /// When the target group has several targets whose outcomes differ: what each other target
    /// would give. The NLB picks a target per connection by flow hash, so any of these, or the
    /// outcome above (for the first target), can be observed.
    pub alternatives: Vec<Alternative>,
    /// The targets a request may reach: every routable target of the group (healthy ones,
    /// or all when the NLB fails open), the first being the one the outcome above follows.
    pub targets: Vec<String>,
    /// Why status and error are not predicted (a certificate imported from PEM files, whose
    /// contents the model does not read); `None` when they are.
    pub unpredictable: Option<String>,
}

/// One TLS session a request sets up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PredictedSession {
    /// The hop that starts it.
    pub client: String,
    /// The hop it is meant to end at.
    pub server: String,
    /// Hops whose bytes it crosses without being decrypted.
    pub through: Vec<String>,
    /// The SNI the client sends.
    pub sni: Option<String>,
    /// `established`, or how it fails.
    pub outcome: String,
}

/// A certificate that is presented but not validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotValidated {
    /// The hop that presents it.
    pub hop: String,
    /// Its scenario name.
    pub certificate: String,
    /// Why nobody checks it.
    pub why: String,
}

/// The outcome one other target of a multi-target group would give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alternative {
    /// The target.
    pub target: String,
    /// Status the client would receive.
    pub status: u16,
    /// The hop whose certificate would be validated.
    pub validated: Option<String>,
    /// The execution-log failure line, if any.
    pub error: Option<String>,
}

/// What one request of the scenario will produce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestPrediction {
    /// Request name.
    pub name: String,
    /// The route serving it: `(method, path)` as the route declares them.
    pub route: (String, String),
    /// Status the client receives.
    pub status: u16,
    /// The hop whose certificate API Gateway validates.
    pub validated: Option<String>,
    /// The execution log's failure line, if any.
    pub error: Option<String>,
}

/// Predicts every route and request of `scenario`, judging validity windows at `now`.
///
/// `now` is the scenario clock: pass `scenario.now()` when it is set, else the current time
/// (relative validity times resolve against it, as they do when the lab generates the PKI).
pub fn explain(scenario: &Scenario, now: OffsetDateTime) -> Explanation {
    let catalog = cert::Catalog::new(scenario.pki(), now);
    let routes: Vec<RoutePrediction> = scenario
        .routes()
        .iter()
        .map(|r| {
            let method = if r.method() == "ANY" {
                "GET"
            } else {
                r.method()
            };
            route::predict(scenario, &catalog, r, method, now)
        })
        .collect();
    let requests = scenario
        .requests()
        .iter()
        .flat_map(|request| {
            let r = &routes[request.route().index()];
            let route = scenario.route(request.route());
            // An `ANY` route's outcome may depend on the method (an ALB's rules read it).
            let own = (route.method() == "ANY" && request.method() != "GET")
                .then(|| route::predict(scenario, &catalog, route, request.method(), now));
            let outcome = own.as_ref().unwrap_or(r);
            // Every send of a repeated request is predicted alike.
            request
                .send_names()
                .into_iter()
                .map(|name| RequestPrediction {
                    name,
                    route: (r.method.clone(), r.path.clone()),
                    status: outcome.status,
                    validated: outcome.validated.clone(),
                    error: outcome.error.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    Explanation {
        scenario: scenario.name().to_owned(),
        description: scenario.description().map(str::to_owned),
        checked_at: {
            let shown = now.replace_nanosecond(0).unwrap_or(now);
            shown.format(&Rfc3339).unwrap_or_else(|_| shown.to_string())
        },
        routes,
        requests,
    }
}
