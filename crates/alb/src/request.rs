//! One request through a listener: evaluate the rules, carry out the action, and record
//! what happened as one `AlbRequest` observation.

use hoplab_trace::{AlbAction, Connection, HopId, MatchedRule, Observation, ResponseOrigin};
use hyper::body::Incoming;
use hyper::header::{CONNECTION, HOST, HeaderValue};
use hyper::http::uri::PathAndQuery;
use hyper::{Request, Response, Uri, Version};

use crate::headers::{AMZN_TRACE_ID, ClientSide, add_forwarded, strip_hop_by_hop};
use crate::listener::{Listener, Plan};
use crate::respond::{self, Body};
use crate::{Action, Failure, RedirectSource, RequestView, error_page};
use hoplab_alb_rules::host_without_port;

/// The client's side of a request: the connection it came on and how.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Downstream {
    conn: Connection,
    https: bool,
}

impl Downstream {
    pub(crate) fn new(conn: Connection, https: bool) -> Self {
        Downstream { conn, https }
    }
}

/// What the `AlbRequest` observation of one request will say.
struct Record {
    rule: Option<MatchedRule>,
    action: Option<AlbAction>,
    trace_id: Option<String>,
    group: Option<String>,
    target: Option<HopId>,
    upstream: Option<Connection>,
    origin: ResponseOrigin,
}

impl Record {
    fn new(origin: ResponseOrigin) -> Self {
        Record {
            rule: None,
            action: None,
            trace_id: None,
            group: None,
            target: None,
            upstream: None,
            origin,
        }
    }

    /// Notes that the ALB answers with its page for `failure`, because of `reason`.
    fn failed(&mut self, failure: Failure, reason: String) -> Response<Body> {
        self.origin = ResponseOrigin::LoadBalancer { reason };
        respond::error(error_page(failure))
    }
}

/// The request line as reports show it, e.g. `GET /pets?kind=cat HTTP/1.1`.
fn request_line<B>(request: &Request<B>) -> String {
    use std::fmt::Write as _;
    let method = request.method().as_str();
    let uri = request.uri();
    // Room for an origin-form target and `HTTP/1.1`, so that the line is written without
    // growing (an absolute-form target may grow it once).
    let target = uri.path_and_query().map_or(1, |p| p.as_str().len());
    let mut line = String::with_capacity(method.len() + target + 10);
    // Writing to a String cannot fail.
    let _ = write!(line, "{method} {uri} {:?}", request.version());
    line
}

/// The request's `Host`, as text.
fn host<B>(request: &Request<B>) -> Option<String> {
    request
        .headers()
        .get(HOST)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

impl Listener {
    /// Serves one request that arrived over `downstream`.
    pub(crate) async fn serve_request(
        &self,
        request: Request<Incoming>,
        downstream: Downstream,
    ) -> Response<Body> {
        let line = request_line(&request);
        let host = host(&request);
        let view = RequestView {
            method: request.method().as_str(),
            host: host.as_deref(),
            path: request.uri().path(),
            query: request.uri().query(),
            headers: request.headers(),
            source: downstream.conn.peer.ip(),
        };
        let matched = self.rules.evaluate(&view);
        let mut record = Record::new(ResponseOrigin::Action);
        record.rule = Some(matched.rule);
        record.action = Some(matched.action.kind());
        let response = match (matched.action, &self.plans[matched.index]) {
            (Action::FixedResponse(fixed), _) => respond::fixed(fixed),
            (Action::Redirect(redirect), _) => {
                let from = RedirectSource {
                    protocol: if downstream.https { "HTTPS" } else { "HTTP" },
                    host: host_without_port(view.host.unwrap_or("")),
                    port: self.port,
                    path: view.path,
                    query: view.query,
                };
                respond::redirect(redirect.status.code(), &redirect.location(&from))
            }
            (Action::Forward(_), Plan::Forward { groups, rotation }) => {
                let group = rotation.as_ref().map_or(groups[0], |r| groups[r.next()]);
                self.forward(group, request, downstream, &mut record).await
            }
            (Action::Forward(_), Plan::Answer) => {
                unreachable!("every forward action has a forward plan")
            }
        };
        self.events.record(Observation::AlbRequest {
            hop: self.hop.clone(),
            downstream: downstream.conn,
            request: line,
            host,
            trace_id: record.trace_id,
            rule: record.rule,
            action: record.action,
            group: record.group,
            target: record.target,
            upstream: record.upstream,
            status: response.status().as_u16(),
            origin: record.origin,
        });
        response
    }

    /// Forwards `request` to a target of group `group`.
    async fn forward(
        &self,
        group: usize,
        mut request: Request<Incoming>,
        downstream: Downstream,
        record: &mut Record,
    ) -> Response<Body> {
        let group = &self.groups[group];
        record.group = Some(group.name.clone());
        let Some(chosen) = group.choose() else {
            let reason = format!("target group {} has no registered targets", group.name);
            return record.failed(Failure::NoRegisteredTargets, reason);
        };
        let pool = chosen.pool();
        record.target = Some(pool.endpoint.hop.clone());

        let trace_id = self.trace_ids.next(request.headers().get(&AMZN_TRACE_ID));
        record.trace_id = Some(trace_id.text);
        let client = ClientSide {
            ip: downstream.conn.peer.ip(),
            proto: if downstream.https { "https" } else { "http" },
            port: &self.forwarded_port,
        };
        let headers = request.headers_mut();
        strip_hop_by_hop(headers);
        add_forwarded(headers, client, trace_id.value);
        *request.version_mut() = Version::HTTP_11;
        if request.uri().scheme().is_some() {
            // An absolute-form target goes to the target in origin form.
            let origin_form = request
                .uri()
                .path_and_query()
                .cloned()
                .unwrap_or_else(|| PathAndQuery::from_static("/"));
            *request.uri_mut() = Uri::from(origin_form);
        }

        match self
            .upstreams
            .exchange(pool, request, self.idle_timeout)
            .await
        {
            Ok(exchanged) => {
                record.upstream = Some(exchanged.upstream);
                record.origin = ResponseOrigin::Target;
                exchanged.response
            }
            Err(failed) => {
                tracing::debug!(target = %pool.endpoint.hop, reason = %failed.reason, "forward failed");
                record.upstream = failed.upstream;
                record.failed(failed.failure, failed.reason)
            }
        }
    }

    /// The 400 answer to a plain-HTTP request on an HTTPS listener; the connection closes
    /// after it.
    pub(crate) fn plain_http_on_https<B>(
        &self,
        request: &Request<B>,
        conn: Connection,
    ) -> Response<Body> {
        let mut record = Record::new(ResponseOrigin::Action);
        let mut response = record.failed(
            Failure::PlainHttpToHttpsListener,
            "plain HTTP request sent to an HTTPS listener".to_owned(),
        );
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        self.events.record(Observation::AlbRequest {
            hop: self.hop.clone(),
            downstream: conn,
            request: request_line(request),
            host: host(request),
            trace_id: None,
            rule: None,
            action: None,
            group: None,
            target: None,
            upstream: None,
            status: response.status().as_u16(),
            origin: record.origin,
        });
        response
    }
}
