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

/// Sends `method path` to the gateway; an error means no HTTP response came back at all.
pub(crate) async fn send(
    gateway: SocketAddr,
    method: &str,
    path: &str,
) -> Result<CallerResponse, String> {
    tokio::time::timeout(CALLER_TIMEOUT, exchange(gateway, method, path))
        .await
        .map_err(|_| format!("the gateway did not answer within {CALLER_TIMEOUT:?}"))?
}

async fn exchange(gateway: SocketAddr, method: &str, path: &str) -> Result<CallerResponse, String> {
    let stream = TcpStream::connect(gateway)
        .await
        .map_err(|e| format!("connecting to the gateway at {gateway}: {e}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("gateway handshake: {e}"))?;
    let driver = tokio::spawn(connection);
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, gateway.to_string())
        .body(Empty::<Bytes>::new())
        .map_err(|e| format!("building the request: {e}"))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("sending the request: {e}"))?;
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
        .map_err(|e| format!("reading the response: {e}"))?
        .to_bytes();
    driver.abort();
    Ok(CallerResponse {
        status,
        request_id,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}
