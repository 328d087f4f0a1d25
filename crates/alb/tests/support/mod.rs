//! ALB test helpers: real targets and ALB listeners on 127.0.0.1:0, raw HTTP/1.1 over TCP or
//! rustls, and a header-echoing backend, on top of the workspace's test kit
//! (`hoplab-test-support`).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use hoplab_alb::{AlbError, ListenerConfig, TargetEndpoint, TargetGroup, TargetProtocol};
use hoplab_target::{TargetConfig, TargetError};
use hoplab_trace::{EventLog, HopId, Observation};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

// The workspace's shared test kit: certificates, hops on port 0, TLS clients, bounded waits.
// Each test file uses a part of it.
#[allow(unused_imports)]
pub(crate) use hoplab_test_support::{
    Leaf, Running, STEP, any_client, bind, client_config as tls_client, eventually, one,
};

/// A well-behaved target named `name`: HTTPS with `tls`, else plain HTTP.
pub(crate) fn target_config(name: &str, tls: Option<&Leaf>) -> TargetConfig {
    TargetConfig::new(
        HopId::target(name),
        tls.map(|leaf| Arc::clone(&leaf.key)),
        format!("hello from {name}"),
    )
}

/// Starts a target named `name`: HTTPS with `tls`, else plain HTTP.
pub(crate) async fn target(
    name: &str,
    tls: Option<&Leaf>,
    events: &EventLog,
) -> Running<TargetError> {
    target_with(target_config(name, tls), events).await
}

/// Starts a target with `config` on 127.0.0.1, port 0.
pub(crate) async fn target_with(config: TargetConfig, events: &EventLog) -> Running<TargetError> {
    let (listener, _) = bind().await;
    Running::spawn(listener, events, |listener, events, shutdown| {
        hoplab_target::serve(listener, config, events, shutdown)
    })
}

/// A target group `name` of `protocol` over `targets` (name, address), without health checks.
pub(crate) fn group(
    name: &str,
    protocol: TargetProtocol,
    targets: &[(&str, SocketAddr)],
) -> TargetGroup {
    let mut group = TargetGroup::new(
        name,
        protocol,
        targets
            .iter()
            .map(|(name, addr)| TargetEndpoint {
                hop: HopId::target(*name),
                addr: *addr,
            })
            .collect(),
    );
    group.health_check = None;
    group
}

/// Starts an ALB listener with `config` and waits until it accepts connections.
pub(crate) async fn alb(config: ListenerConfig, events: &EventLog) -> Running<AlbError> {
    let (listener, _) = bind().await;
    let (ready, is_ready) = tokio::sync::oneshot::channel();
    let running = Running::spawn(listener, events, |listener, events, shutdown| {
        hoplab_alb::serve_listener_reporting_ready(listener, config, events, shutdown, Some(ready))
    });
    tokio::time::timeout(STEP, is_ready)
        .await
        .expect("ready within the step bound")
        .expect("the listener starts");
    running
}

/// What the listener returns when `config` cannot start.
pub(crate) async fn alb_refuses(config: ListenerConfig) -> AlbError {
    let (listener, _) = bind().await;
    tokio::time::timeout(
        STEP,
        hoplab_alb::serve_listener(listener, config, EventLog::new(), CancellationToken::new()),
    )
    .await
    .expect("returns at once")
    .expect_err("refused")
}

/// Connects to `addr` over TLS 1.2 or 1.3 as `name` (a DNS name is sent as SNI; an IP
/// address sends none), with a client that accepts any server chain.
pub(crate) async fn tls_connect(
    addr: SocketAddr,
    name: &str,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    hoplab_test_support::tls_connect(addr, name, any_client())
        .await
        .expect("handshake")
}

/// A raw HTTP/1.1 response.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The status line, e.g. `HTTP/1.1 200 OK`.
    pub(crate) status_line: String,
    /// Header names in lower case, and values.
    pub(crate) headers: BTreeMap<String, String>,
    /// The body, byte for byte.
    pub(crate) body: Vec<u8>,
}

impl Answer {
    /// The status code.
    pub(crate) fn status(&self) -> u16 {
        self.status_line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .expect("a status code")
    }

    /// A header's value.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The body as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The target that answered, from `x-hoplab-target`.
    pub(crate) fn target(&self) -> Option<&str> {
        self.header(hoplab_target::TARGET_HEADER)
    }
}

/// Sends `request` (a full request head) and reads until the peer closes, within [`STEP`].
pub(crate) async fn exchange<S>(stream: &mut S, request: &str) -> Answer
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    stream
        .write_all(request.as_bytes())
        .await
        .expect("write request");
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(STEP, stream.read_to_end(&mut raw))
        .await
        .expect("the peer closes within the step bound");
    parse(&raw)
}

/// Parses one raw response (head and body).
pub(crate) fn parse(raw: &[u8]) -> Answer {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default().to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
        .collect();
    Answer {
        status_line,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// `GET path` with `Host: host` and `Connection: close` over a new TCP connection.
pub(crate) async fn get(addr: SocketAddr, host: &str, path: &str) -> Answer {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    exchange(&mut stream, &close_request(host, path)).await
}

/// `GET path` with `Host: host` and `Connection: close` over TLS, with SNI `sni`.
pub(crate) async fn get_tls(addr: SocketAddr, sni: &str, host: &str, path: &str) -> Answer {
    let mut stream = tls_connect(addr, sni).await;
    exchange(&mut stream, &close_request(host, path)).await
}

/// A `GET` request head that asks the server to close afterwards.
pub(crate) fn close_request(host: &str, path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
}

/// A backend that answers every request with its request head, a blank line and its body,
/// so a test can see exactly what the ALB sent. Not a hoplab target: those do not show request headers.
pub(crate) async fn echo(shutdown: &CancellationToken) -> SocketAddr {
    let (listener, addr) = bind().await;
    let drain = shutdown.clone();
    tokio::spawn(hoplab_hop::serve(
        listener,
        shutdown.clone(),
        hoplab_hop::ServeOptions::new(HopId::target("echo")),
        move |stream, _| {
            let drain = drain.clone();
            async move {
                let service = hyper::service::service_fn(
                    |request: hyper::Request<hyper::body::Incoming>| async move {
                        let mut echoed = format!("{} {}\n", request.method(), request.uri());
                        for (name, value) in request.headers() {
                            echoed.push_str(&format!(
                                "{name}: {}\n",
                                String::from_utf8_lossy(value.as_bytes())
                            ));
                        }
                        let body = request.into_body().collect().await?.to_bytes();
                        echoed.push('\n');
                        echoed.push_str(&String::from_utf8_lossy(&body));
                        Ok::<_, hyper::Error>(hyper::Response::new(Full::new(Bytes::from(echoed))))
                    },
                );
                let _ = hoplab_hop::serve_http1(
                    &hyper::server::conn::http1::Builder::new(),
                    stream,
                    service,
                    &drain,
                )
                .await;
            }
        },
    ));
    addr
}

/// The ALB's records of requests, in order.
pub(crate) fn alb_requests(events: &EventLog) -> Vec<Observation> {
    events.matching(|o| matches!(o, Observation::AlbRequest { .. }))
}
