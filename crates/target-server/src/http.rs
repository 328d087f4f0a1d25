//! The HTTP/1.1 side of a target: one hyper connection per TCP (or TLS) connection, and the
//! response every request gets.

use std::convert::Infallible;
use std::future;
use std::sync::Arc;
use std::time::Duration;

use hoplab_hop::serve_http1;
use hoplab_trace::{Connection, EventLog, HopId, Observation};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HOST, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioTimer;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::sync::CancellationToken;

use crate::TargetSwitch;

/// How long a client may take to send a request head before the connection is closed, so that
/// slow or silent clients cannot pin a connection. hyper also runs this timer while a
/// keep-alive connection waits for its next request, so it bounds idle connections too.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The request header an ALB adds to every request it forwards; recorded so a request can be
/// matched to the ALB's record of it.
const TRACE_ID_HEADER: &str = "x-amzn-trace-id";

/// The response header that names the target that answered.
pub const TARGET_HEADER: &str = "x-hoplab-target";

/// What a request gets besides the normal answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// Answer at once.
    Now,
    /// Answer after this delay.
    After(Duration),
    /// Never answer.
    Never,
}

/// Builds the response every request gets and records that it was sent.
#[derive(Debug)]
pub(crate) struct Responder {
    hop: HopId,
    name: HeaderValue,
    body: Bytes,
    /// Where the status and timing of each answer are read.
    switch: TargetSwitch,
    events: EventLog,
}

impl Responder {
    /// A responder for `hop`, whose header value is `name`, answering with `body` and the
    /// status and timing `switch` holds when each request arrives.
    pub(crate) fn new(
        hop: HopId,
        name: HeaderValue,
        body: Bytes,
        switch: TargetSwitch,
        events: EventLog,
    ) -> Self {
        Responder {
            hop,
            name,
            body,
            switch,
            events,
        }
    }

    /// Answers `request`, which arrived on `conn`: at once, after a delay, or never. Records a
    /// `TargetFault` for a delayed or withheld answer and `Responded` when one is sent.
    async fn respond<B>(&self, request: &Request<B>, conn: Connection) -> Response<Full<Bytes>> {
        let line = format!(
            "{} {} {:?}",
            request.method(),
            request.uri(),
            request.version()
        );
        let (status, answer) = self.switch.answer();
        match answer {
            Answer::Now => {}
            Answer::After(delay) => {
                self.fault(conn, "slow", format!("answering {line} after {delay:?}"));
                tokio::time::sleep(delay).await;
            }
            Answer::Never => {
                self.fault(conn, "hang", format!("read {line}; never answering"));
                future::pending::<()>().await;
            }
        }
        let header = |name| {
            request
                .headers()
                .get(name)
                .map(|value: &HeaderValue| String::from_utf8_lossy(value.as_bytes()).into_owned())
        };
        let host = header(HOST.as_str());
        let trace_id = header(TRACE_ID_HEADER);
        tracing::debug!(request = %line, ?host, status = status.as_u16(), "responding");
        self.events.record(Observation::Responded {
            hop: self.hop.clone(),
            conn,
            request: line,
            host,
            status: status.as_u16(),
            trace_id,
        });
        let mut response = Response::new(Full::new(self.body.clone()));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        headers.insert(TARGET_HEADER, self.name.clone());
        response
    }

    /// Records a `TargetFault` named `fault` on `conn`.
    pub(crate) fn fault(&self, conn: Connection, fault: &str, detail: String) {
        tracing::debug!(fault, %detail, "misbehaving");
        self.events.record(Observation::TargetFault {
            hop: self.hop.clone(),
            conn: Some(conn),
            fault: fault.to_owned(),
            detail,
        });
    }
}

/// The HTTP/1.1 server settings of every target connection: keep-alive, and a client has
/// [`HEADER_READ_TIMEOUT`] to send each request head.
pub(crate) fn http_server() -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true);
    builder
}

/// Serves HTTP/1.1 on `io` with `http` until the client closes, the connection fails, or
/// `shutdown` is cancelled and the request in flight (if any) has been answered.
pub(crate) async fn serve_connection<IO>(
    http: &http1::Builder,
    io: IO,
    conn: Connection,
    responder: Arc<Responder>,
    shutdown: &CancellationToken,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request: Request<Incoming>| {
        let responder = Arc::clone(&responder);
        async move { Ok::<_, Infallible>(responder.respond(&request, conn).await) }
    });
    match serve_http1(http, io, service, shutdown).await {
        Ok(()) => tracing::debug!("http connection closed"),
        Err(error) => tracing::debug!(%error, "http connection ended with an error"),
    }
}
