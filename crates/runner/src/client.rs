//! The API caller: one HTTP/1.1 request to the gateway per scenario request.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Longest the caller waits for the gateway: above the largest `timeoutInMillis` a scenario
/// accepts (300 s), so the gateway's own timeout always fires first.
const CALLER_TIMEOUT: Duration = Duration::from_secs(310);

/// What the caller received.
#[derive(Debug, Clone)]
pub(crate) struct CallerResponse {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) body: String,
}

/// Why the caller got no HTTP response; a report prints it as `caller error: …`.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallerError {
    /// The gateway did not answer in time.
    #[error("the gateway did not answer within {0:?}")]
    Timeout(Duration),
    /// The gateway's port refused or dropped the connection.
    #[error("connecting to the gateway at {addr}: {source}")]
    Connect {
        /// The gateway's address.
        addr: SocketAddr,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The HTTP/1.1 connection could not be set up.
    #[error("gateway handshake: {0}")]
    Handshake(hyper::Error),
    /// The method or path do not make an HTTP request.
    #[error("building the request: {0}")]
    Request(hyper::http::Error),
    /// The request could not be sent, or no response came back.
    #[error("sending the request: {0}")]
    Send(hyper::Error),
    /// The response body could not be read.
    #[error("reading the response: {0}")]
    Read(hyper::Error),
}

/// Sends `method path` to the gateway; an error means no HTTP response came back at all.
pub(crate) async fn send(
    gateway: SocketAddr,
    method: &str,
    path: &str,
) -> Result<CallerResponse, CallerError> {
    tokio::time::timeout(CALLER_TIMEOUT, exchange(gateway, method, path))
        .await
        .map_err(|_| CallerError::Timeout(CALLER_TIMEOUT))?
}

async fn exchange(
    gateway: SocketAddr,
    method: &str,
    path: &str,
) -> Result<CallerResponse, CallerError> {
    let stream = TcpStream::connect(gateway)
        .await
        .map_err(|source| CallerError::Connect {
            addr: gateway,
            source,
        })?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(CallerError::Handshake)?;
    let driver = tokio::spawn(connection);
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, gateway.to_string())
        .body(Empty::<Bytes>::new())
        .map_err(CallerError::Request)?;
    let response = sender
        .send_request(request)
        .await
        .map_err(CallerError::Send)?;
    let status = response.status().as_u16();
    let request_id = response
        .headers()
        .get(hoplab_gateway::REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(CallerError::Read)?
        .to_bytes();
    driver.abort();
    Ok(CallerResponse {
        status,
        request_id,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}
