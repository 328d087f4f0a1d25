//! The front's client limits, over real sockets: oversized heads and bodies are answered,
//! slow clients are cut off, and none of it delays another client.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hoplab_gateway::{
    Clock, FrontLimits, GatewayConfig, Integration, InvocationLog, RouteConfig, UpstreamVia,
    serve_with_limits,
};
use hoplab_trace::HopId;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// Every wait in these tests is bounded by this.
const BOUND: Duration = Duration::from_secs(20);

const LIMITS: FrontLimits = FrontLimits {
    header_read_timeout: Duration::from_millis(300),
    max_head_bytes: 8192,
    max_body_bytes: 1024,
    body_read_timeout: Duration::from_millis(300),
};

/// A running gateway with one POST route (whose backend is never reached by these tests).
struct Gateway {
    addr: SocketAddr,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), hoplab_gateway::GatewayError>>,
}

impl Gateway {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let route = RouteConfig {
            method: "POST".into(),
            path: "/upload".into(),
            integration: Integration::HttpProxy,
            uri: "http://backend.example.com/upload".into(),
            https: false,
            host: "backend.example.com".into(),
            port: 80,
            path_and_query: "/upload".into(),
            // Port 9 of loopback: nothing listens; no test gets that far.
            upstream: "127.0.0.1:9".parse().expect("addr"),
            via: UpstreamVia::Internet(HopId::target("backend")),
            insecure_skip_verification: false,
            server_name_to_verify: None,
            timeout: Duration::from_secs(1),
        };
        let config = Arc::new(GatewayConfig {
            stage: Some("test".into()),
            routes: vec![route],
            trust: Arc::default(),
            clock: Clock::System,
        });
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(serve_with_limits(
            listener,
            config,
            InvocationLog::default(),
            shutdown.clone(),
            LIMITS,
        ));
        Gateway {
            addr,
            shutdown,
            task,
        }
    }

    async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(BOUND, self.task)
            .await
            .expect("the gateway stops")
            .expect("no panic")
            .expect("serve ends cleanly");
    }
}

/// Writes `request` and reads until the server closes or `BOUND` passes; returns what came
/// back (empty when the server closed without answering).
async fn exchange(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    // The server may answer and close before the whole request is written.
    let _ = stream.write_all(request).await;
    read_all(&mut stream).await
}

async fn read_all(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(BOUND, stream.read_to_end(&mut out))
        .await
        .expect("the server answers or closes within the bound");
    String::from_utf8_lossy(&out).into_owned()
}

/// A well-formed request no route serves: answered 403 at once, without a backend.
async fn good_request(addr: SocketAddr) -> String {
    exchange(
        addr,
        b"GET /nowhere HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n",
    )
    .await
}

fn status_of(response: &str) -> &str {
    response.split(' ').nth(1).unwrap_or("")
}

#[tokio::test]
async fn an_oversized_head_is_answered_431() {
    let gateway = Gateway::start().await;
    let big = "a".repeat(64 * 1024);
    let request = format!("GET / HTTP/1.1\r\nHost: gw\r\nX-Big: {big}\r\n\r\n");
    let response = exchange(gateway.addr, request.as_bytes()).await;
    assert_eq!(status_of(&response), "431", "{response}");
    assert_eq!(status_of(&good_request(gateway.addr).await), "403");
    gateway.stop().await;
}

#[tokio::test]
async fn an_oversized_body_is_answered_413() {
    let gateway = Gateway::start().await;
    let body = "x".repeat(LIMITS.max_body_bytes * 2);
    let request = format!(
        "POST /upload HTTP/1.1\r\nHost: gw\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let response = exchange(gateway.addr, request.as_bytes()).await;
    assert_eq!(status_of(&response), "413", "{response}");
    assert!(response.contains("Request Too Long"), "{response}");
    assert_eq!(status_of(&good_request(gateway.addr).await), "403");
    gateway.stop().await;
}

#[tokio::test]
async fn a_client_that_stalls_in_its_headers_is_cut_off_while_others_are_served() {
    let gateway = Gateway::start().await;
    let mut slow = TcpStream::connect(gateway.addr).await.expect("connect");
    slow.write_all(b"GET /nowhere HTTP/1.1\r\nHost: gw\r\n")
        .await
        .expect("write");
    // While the slow client holds its connection open, another is served.
    assert_eq!(status_of(&good_request(gateway.addr).await), "403");
    // The slow client is answered 408 or disconnected; either way its read ends.
    let answer = read_all(&mut slow).await;
    assert!(
        answer.is_empty() || status_of(&answer) == "408",
        "unexpected answer to a stalled head: {answer}"
    );
    gateway.stop().await;
}

#[tokio::test]
async fn a_client_that_stalls_in_its_body_is_answered_408_while_others_are_served() {
    let gateway = Gateway::start().await;
    let mut slow = TcpStream::connect(gateway.addr).await.expect("connect");
    slow.write_all(
        b"POST /upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\nConnection: close\r\n\r\n0123456789",
    )
    .await
    .expect("write");
    assert_eq!(status_of(&good_request(gateway.addr).await), "403");
    let answer = read_all(&mut slow).await;
    assert_eq!(status_of(&answer), "408", "{answer}");
    assert!(answer.contains("Request Timeout"), "{answer}");
    gateway.stop().await;
}
