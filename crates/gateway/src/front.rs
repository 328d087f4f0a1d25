//! The client-facing side: match a route, run its integration, write the execution log,
//! answer the client as API Gateway does.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};

use crate::aws::{
    MISSING_AUTH_TOKEN_BODY, MISSING_STAGE_BODY, MISSING_STAGE_STATUS, REQUEST_ID_HEADER,
    failure_response,
};
use crate::execution_log::format_log_date;
use crate::integration::{BackendRequest, BackendResponse, RouteTls, call};
use crate::server::FrontLimits;
use crate::stage::{StagePath, resolve};
use crate::{
    CONSOLE_PATH, ConsoleBody, ConsoleSlot, GatewayConfig, Integration, Invocation, InvocationLog,
    LogLine, RouteConfig, Upstream,
};

/// Path prefix under which the gateway serves its own invocation records as JSON:
/// `GET /_hoplab/invocations/<request id>`. Routes cannot use it.
pub const INVOCATIONS_PATH: &str = "/_hoplab/invocations/";

/// Headers that belong to one connection and are not passed through.
const HOP_BY_HOP: [&str; 6] = [
    "connection",
    "keep-alive",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "te",
];

/// Shared state of the front.
#[derive(Debug)]
pub(crate) struct Front {
    pub(crate) config: Arc<GatewayConfig>,
    /// The TLS client of each route of `config`, in the same order (`None` for `http` routes).
    pub(crate) tls: Vec<Option<RouteTls>>,
    pub(crate) invocations: InvocationLog,
    pub(crate) limits: FrontLimits,
    /// What answers the other paths under [`CONSOLE_PATH`], once mounted.
    pub(crate) console: ConsoleSlot,
}

/// A response of the front: its own (one buffer), or a console's (any body).
pub(crate) type FrontBody = Either<Full<Bytes>, ConsoleBody>;

impl Front {
    /// Serves one client request: the gateway's own paths, or a route.
    pub(crate) async fn handle(&self, request: Request<Incoming>) -> Response<FrontBody> {
        let path = request.uri().path();
        if let Some(id) = path.strip_prefix(INVOCATIONS_PATH) {
            return self.invocation_record(id).map(Either::Left);
        }
        if path.starts_with(CONSOLE_PATH)
            && let Some(console) = self.console.get()
        {
            return console.handle(request).await.map(Either::Right);
        }
        self.route(request).await.map(Either::Left)
    }

    /// Serves one request through the route it matches.
    async fn route(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let request_id = new_request_id();
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let mut invocation = Invocation {
            request_id: request_id.clone(),
            method: method.to_string(),
            path: path.clone(),
            route: None,
            log: Vec::new(),
            error: None,
            status: 0,
            body: String::new(),
            upstream: None,
        };
        let routes = &self.config.routes;
        let serves = |resource: &str| routes.iter().any(|r| r.serves(method.as_str(), resource));
        let resource = match resolve(self.config.stage.as_deref(), &path, serves) {
            StagePath::Resource(resource) => resource,
            StagePath::MissingStage => {
                let body = Bytes::from_static(MISSING_STAGE_BODY.as_bytes());
                return self.finish(invocation, MISSING_STAGE_STATUS, Vec::new(), body);
            }
        };
        let Some((route, tls)) = routes
            .iter()
            .zip(&self.tls)
            .find(|(r, _)| r.serves(method.as_str(), resource))
        else {
            return self.finish(invocation, 403, Vec::new(), MISSING_AUTH_TOKEN_BODY.into());
        };
        invocation.route = Some(format!("{} {}", route.method, route.path));

        let collect = Limited::new(request.into_body(), self.limits.max_body_bytes).collect();
        let body = match tokio::time::timeout(self.limits.body_read_timeout, collect).await {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(_)) => {
                let body = Bytes::from_static(br#"{"message":"Request Too Long"}"#);
                return self.finish(invocation, 413, Vec::new(), body);
            }
            Err(_) => {
                let body = Bytes::from_static(br#"{"message":"Request Timeout"}"#);
                return self.finish(invocation, 408, Vec::new(), body);
            }
        };
        let mut log = ExecutionLog::new(&self.config);
        log.request_lines(&request_id, route, method.as_str(), resource, &body);

        let mut upstream = Upstream {
            hop: route.via.first_hop().clone(),
            conn: None,
            tls: None,
            detail: None,
        };
        let started = Instant::now();
        let outcome = call(
            route,
            tls.as_ref(),
            BackendRequest {
                method: method.clone(),
                body,
            },
            &mut upstream,
        )
        .await;
        invocation.upstream = Some(upstream);
        match outcome {
            Ok(response) => {
                let latency = started.elapsed().as_millis();
                log.response_lines(&response, latency, route.integration);
                invocation.log = log.lines;
                let headers = passthrough_headers(&response);
                self.finish(invocation, response.status, headers, response.body)
            }
            Err(failure) => {
                let client = failure_response(&failure);
                log.push(client.log_line.clone());
                log.push(format!("Method completed with status: {}", client.status));
                invocation.error = Some(client.log_line);
                invocation.log = log.lines;
                let json = vec![("content-type".to_owned(), "application/json".to_owned())];
                self.finish(
                    invocation,
                    client.status,
                    json,
                    Bytes::from_static(client.body.as_bytes()),
                )
            }
        }
    }

    /// The stored invocation `id` as JSON, or 404 saying why it is not there.
    fn invocation_record(&self, id: &str) -> Response<Full<Bytes>> {
        let (status, body) = match self.invocations.get(id).map(|i| serde_json::to_vec(&i)) {
            Some(Ok(json)) => (StatusCode::OK, json),
            _ => (StatusCode::NOT_FOUND, self.missing_record(id)),
        };
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = status;
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
        response
    }

    /// The 404 body for a request id with no kept record: when older records have been
    /// evicted, it says so and names the bound.
    fn missing_record(&self, id: &str) -> Vec<u8> {
        let evicted = self.invocations.evicted();
        let message = if evicted == 0 {
            format!("no invocation with request id {id} was served here")
        } else {
            format!(
                "no invocation with request id {id} is kept: it was evicted or never served here \
                 (this gateway keeps the records of the latest {} requests and has evicted {evicted})",
                self.invocations.capacity()
            )
        };
        serde_json::to_vec(&serde_json::json!({ "message": message })).unwrap_or_else(|_| {
            br#"{"message":"no invocation with that request id is kept"}"#.to_vec()
        })
    }

    fn finish(
        &self,
        mut invocation: Invocation,
        status: u16,
        headers: Vec<(String, String)>,
        body: Bytes,
    ) -> Response<Full<Bytes>> {
        invocation.status = status;
        invocation.body = String::from_utf8_lossy(&body).into_owned();
        let request_id = invocation.request_id.clone();
        for line in &invocation.log {
            tracing::info!(target: "hoplab::execution", request_id = %request_id, "{line}");
        }
        self.invocations.insert(invocation);

        let mut response = Response::builder()
            .status(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY))
            .header(REQUEST_ID_HEADER, &request_id);
        for (name, value) in headers {
            response = response.header(name, value);
        }
        response.body(Full::new(body)).unwrap_or_else(|_| {
            // Only reachable if the backend sent a header hyper cannot re-encode.
            let mut fallback = Response::new(Full::new(Bytes::new()));
            *fallback.status_mut() = StatusCode::BAD_GATEWAY;
            fallback
        })
    }
}

/// The backend's headers that an HTTP_PROXY integration passes to the client.
fn passthrough_headers(response: &BackendResponse) -> Vec<(String, String)> {
    response
        .headers
        .iter()
        .filter(|(name, _)| !HOP_BY_HOP.contains(&name.to_ascii_lowercase().as_str()))
        .cloned()
        .collect()
}

/// Builds the console-style execution log of one request.
struct ExecutionLog<'a> {
    config: &'a GatewayConfig,
    lines: Vec<LogLine>,
}

impl<'a> ExecutionLog<'a> {
    fn new(config: &'a GatewayConfig) -> Self {
        Self {
            config,
            lines: Vec::new(),
        }
    }

    fn push(&mut self, message: String) {
        self.lines.push(LogLine {
            date: format_log_date(self.config.clock.now()),
            message,
        });
    }

    fn request_lines(
        &mut self,
        request_id: &str,
        route: &RouteConfig,
        method: &str,
        resource: &str,
        body: &[u8],
    ) {
        self.push(format!("Starting execution for request: {request_id}"));
        self.push(format!("HTTP Method: {method}, Resource Path: {resource}"));
        self.push("Method request path: {}".to_owned());
        self.push("Method request query string: {}".to_owned());
        self.push(format!(
            "Method request body before transformations: {}",
            String::from_utf8_lossy(body)
        ));
        let endpoint = route.endpoint_uri();
        self.push(format!("Endpoint request URI: {endpoint}"));
        self.push(format!(
            "Endpoint request headers: {{User-Agent={}, Host={}}}",
            crate::aws::USER_AGENT,
            route.host_header()
        ));
        self.push(format!(
            "Endpoint request body after transformations: {}",
            String::from_utf8_lossy(body)
        ));
        self.push(format!("Sending request to {endpoint}"));
    }

    fn response_lines(&mut self, response: &BackendResponse, latency_ms: u128, kind: Integration) {
        self.push(format!(
            "Received response. Status: {}, Integration latency: {latency_ms} ms",
            response.status
        ));
        let headers = response
            .headers
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        self.push(format!("Endpoint response headers: {{{headers}}}"));
        let body = String::from_utf8_lossy(&response.body).into_owned();
        self.push(format!(
            "Endpoint response body before transformations: {body}"
        ));
        if kind == Integration::Http {
            self.push(format!(
                "Method response body after transformations: {body}"
            ));
        }
        self.push("Successfully completed execution".to_owned());
        self.push(format!("Method completed with status: {}", response.status));
    }
}

/// A request id shaped like API Gateway's (a random UUID).
fn new_request_id() -> String {
    let mut bytes = [0u8; 16];
    let random = hoplab_trace::crypto_provider().secure_random;
    if random.fill(&mut bytes).is_err() {
        // Fall back to time-derived bytes; ids only need to be unique within a run.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes = nanos.to_le_bytes();
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
