//! HTTP/1.1 requests per second over keep-alive connections, plain or over TLS, with each
//! request's latency.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio_rustls::TlsConnector;

use super::CONNECT_TIMEOUT;
use crate::certs::server_name;

/// Longest one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What one request-rate run did.
#[derive(Debug, Clone)]
pub struct HttpRun {
    /// Requests answered 200.
    pub ok: u64,
    /// Requests that failed or were answered otherwise.
    pub errors: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Latency of every 200 response, sorted.
    pub latencies: Vec<Duration>,
}

impl HttpRun {
    /// Successful requests per second.
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Runs `concurrency` keep-alive connections to `addr` (over TLS with `tls`, one handshake
/// per connection), each sending `GET path` one after the other, for `window` or until
/// `max_ops` requests were attempted.
pub async fn http_load(
    addr: SocketAddr,
    tls: Option<&TlsConnector>,
    path: &str,
    concurrency: usize,
    window: Duration,
    max_ops: u64,
) -> HttpRun {
    let started = Instant::now();
    let deadline = started + window;
    let attempted = Arc::new(AtomicU64::new(0));
    let mut workers = JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (attempted, path, tls) = (Arc::clone(&attempted), path.to_owned(), tls.cloned());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut sender: Option<SendRequest<Empty<Bytes>>> = None;
            while Instant::now() < deadline && attempted.fetch_add(1, Ordering::Relaxed) < max_ops {
                if sender.as_ref().is_none_or(|s| s.is_closed()) {
                    sender = connect(addr, tls.as_ref()).await;
                }
                let Some(s) = sender.as_mut() else {
                    errors += 1;
                    continue;
                };
                let sent = Instant::now();
                match tokio::time::timeout(REQUEST_TIMEOUT, request(s, addr, &path)).await {
                    Ok(true) => latencies.push(sent.elapsed()),
                    _ => {
                        errors += 1;
                        sender = None;
                    }
                }
            }
            (latencies, errors)
        });
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    while let Some(joined) = workers.join_next().await {
        if let Ok((l, e)) = joined {
            latencies.extend(l);
            errors += e;
        }
    }
    latencies.sort_unstable();
    HttpRun {
        ok: latencies.len() as u64,
        errors,
        elapsed: started.elapsed(),
        latencies,
    }
}

async fn connect(
    addr: SocketAddr,
    tls: Option<&TlsConnector>,
) -> Option<SendRequest<Empty<Bytes>>> {
    let handshake = async {
        let tcp = TcpStream::connect(addr).await.ok()?;
        let _ = tcp.set_nodelay(true);
        let http = hyper::client::conn::http1::Builder::new();
        // Each connection task ends when the connection closes or the sender is dropped.
        let sender = match tls {
            Some(tls) => {
                let stream = tls.connect(server_name(), tcp).await.ok()?;
                let (sender, connection) = http.handshake(TokioIo::new(stream)).await.ok()?;
                tokio::spawn(connection);
                sender
            }
            None => {
                let (sender, connection) = http.handshake(TokioIo::new(tcp)).await.ok()?;
                tokio::spawn(connection);
                sender
            }
        };
        Some(sender)
    };
    tokio::time::timeout(CONNECT_TIMEOUT, handshake)
        .await
        .ok()
        .flatten()
}

async fn request(sender: &mut SendRequest<Empty<Bytes>>, addr: SocketAddr, path: &str) -> bool {
    if sender.ready().await.is_err() {
        return false;
    }
    let Ok(request) = Request::get(path)
        .header(hyper::header::HOST, addr.to_string())
        .body(Empty::new())
    else {
        return false;
    };
    let Ok(response) = sender.send_request(request).await else {
        return false;
    };
    let ok = response.status() == hyper::StatusCode::OK;
    ok && response.into_body().collect().await.is_ok()
}
