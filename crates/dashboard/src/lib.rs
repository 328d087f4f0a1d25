//! The live dashboard, JSON API and runtime control of a topology kept running
//! (`hoplab up`), served on the gateway's own port under `/_hoplab/`.
//!
//! A [`Dashboard`] is a [`Console`] for the gateway: mounted in the lab's
//! [`ConsoleSlot`](hoplab_gateway::ConsoleSlot), it answers every path under
//! [`DASHBOARD_PATH`] except the gateway's own invocation records. It reads what the lab
//! already keeps (the gateway's bounded invocation log and the hops' bounded event log) and
//! changes the lab through its [`LabControl`]; it keeps nothing per request itself.
//!
//! - `GET /_hoplab/`: the page (server-rendered HTML, a little plain JavaScript, no network
//!   fetches beyond this server).
//! - `GET /_hoplab/api/…`: invocations, one invocation, the topology, target health, the
//!   changes made, and the event stream (server-sent events).
//! - `POST /_hoplab/api/targets/<name>/…`: stop, start, behaviour, certificate, health; and
//!   `POST /_hoplab/api/listeners/<hop id>/certificate`. Allowed as [`ControlAccess`] says.
//!
//! # Layout
//! - `access`: [`ControlAccess`], who may change the lab.
//! - `reply`: JSON and HTML responses, and [`ApiError`], the 4xx/5xx answers.
//! - `feed`: the event stream: one broadcast channel, fed only while someone subscribes.
//! - `api`: the read-only endpoints.
//! - `control`: the endpoints that change the lab.
//! - `page`: the HTML page and its script, built into the binary.

#![warn(missing_docs)]

mod access;
mod api;
mod control;
mod feed;
mod page;
mod reply;

use std::net::SocketAddr;
use std::sync::Arc;

use hoplab_gateway::{Console, ConsoleBody, ConsoleFuture};
use hoplab_runner::LabControl;
use hoplab_scenario::Scenario;
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use tokio_util::sync::CancellationToken;

pub use access::ControlAccess;
pub use reply::ApiError;

use crate::feed::Feed;

/// Where the dashboard is served on the gateway's port.
pub const DASHBOARD_PATH: &str = "/_hoplab/";

/// Where its JSON API is served.
pub const API_PATH: &str = "/_hoplab/api/";

/// The dashboard of one running lab.
#[derive(Debug)]
pub struct Dashboard {
    scenario: Scenario,
    control: LabControl,
    access: ControlAccess,
    feed: Feed,
    /// Ends the event streams and the feed when the lab stops.
    shutdown: CancellationToken,
}

impl Dashboard {
    /// The dashboard of the lab `control` changes, which runs `scenario`. Must be called
    /// inside a tokio runtime: the feed's task is spawned here (it sleeps until someone
    /// subscribes).
    pub fn new(scenario: &Scenario, control: LabControl, access: ControlAccess) -> Arc<Self> {
        let shutdown = CancellationToken::new();
        let feed = Feed::start(control.clone(), shutdown.clone());
        Arc::new(Dashboard {
            scenario: scenario.clone(),
            control,
            access,
            feed,
            shutdown,
        })
    }

    /// The dashboard's URL when the gateway listens on `gateway`.
    pub fn url(gateway: SocketAddr) -> String {
        format!("http://{gateway}{DASHBOARD_PATH}")
    }

    /// Ends every event stream, so the gateway can stop without waiting for them.
    pub fn close(&self) {
        self.shutdown.cancel();
    }

    /// Answers one request under [`DASHBOARD_PATH`].
    async fn serve(&self, request: Request<Incoming>) -> Response<ConsoleBody> {
        let path = request.uri().path().to_owned();
        let Some(rest) = path.strip_prefix(DASHBOARD_PATH) else {
            return ApiError::not_found(&path).response();
        };
        let method = request.method().clone();
        let segments: Vec<&str> = rest.split('/').collect();
        let answer = match (&method, segments.as_slice()) {
            (&Method::GET, [""]) => Ok(page::index(self).await),
            (&Method::GET, ["dashboard.js"]) => Ok(page::script()),
            (&Method::GET, ["api", ""] | ["api"]) => Ok(api::index()),
            (&Method::GET, ["api", "invocations"]) => api::invocations(self, request.uri().query()),
            (&Method::GET, ["api", "invocations", id]) => api::invocation(self, id),
            (&Method::GET, ["api", "topology"]) => Ok(api::topology(self).await),
            (&Method::GET, ["api", "health"]) => Ok(api::health(self).await),
            (&Method::GET, ["api", "changes"]) => Ok(api::changes(self)),
            (&Method::GET, ["api", "events"]) => Ok(self.feed.subscribe()),
            (&Method::POST, ["api", "targets", name, action]) => {
                let (name, action) = (decoded(name), (*action).to_owned());
                control::target(self, request, &name, &action).await
            }
            (&Method::POST, ["api", "listeners", name, action]) => {
                let (name, action) = (decoded(name), (*action).to_owned());
                control::listener(self, request, &name, &action).await
            }
            (_, ["api", ..]) => Err(ApiError::not_found(&path)),
            _ => Err(ApiError::not_found(&path)),
        };
        answer.unwrap_or_else(|error| error.response())
    }
}

/// A path segment with its percent-escapes decoded (a browser sends a listener's `:` as
/// `%3A`); escapes that are not UTF-8 are kept as they are.
fn decoded(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .map_or_else(|_| segment.to_owned(), |text| text.into_owned())
}

impl Console for Dashboard {
    fn handle(&self, request: Request<Incoming>) -> ConsoleFuture<'_> {
        Box::pin(self.serve(request))
    }
}
