//! The gateway's HTTP front on arbitrary bytes from a client, over a real loopback socket: the
//! gateway must answer or close, and keep serving the next client.
#![no_main]

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use hoplab_gateway::{
    Clock, FrontLimits, GatewayConfig, Integration, InvocationLog, RouteConfig, UpstreamVia,
};
use hoplab_trace::HopId;
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

/// Short limits so a stalled request costs little.
const LIMITS: FrontLimits = FrontLimits {
    header_read_timeout: Duration::from_millis(200),
    max_head_bytes: 8192,
    max_body_bytes: 4096,
    body_read_timeout: Duration::from_millis(200),
};

struct Lab {
    runtime: Runtime,
    addr: SocketAddr,
}

fn lab() -> &'static Lab {
    static LAB: OnceLock<Lab> = OnceLock::new();
    LAB.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let addr = runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = listener.local_addr().expect("addr");
            let route = RouteConfig {
                method: "ANY".into(),
                path: "/upload".into(),
                integration: Integration::HttpProxy,
                uri: "http://backend.example.com/".into(),
                https: false,
                host: "backend.example.com".into(),
                port: 80,
                path_and_query: "/".into(),
                // Nothing listens on loopback port 9: the integration fails fast.
                upstream: "127.0.0.1:9".parse().expect("addr"),
                via: UpstreamVia::Internet(HopId::target("backend")),
                insecure_skip_verification: false,
                server_name_to_verify: None,
                timeout: Duration::from_millis(200),
            };
            let config = Arc::new(GatewayConfig {
                stage: "fuzz".into(),
                routes: vec![route],
                trust: Arc::default(),
                clock: Clock::System,
            });
            tokio::spawn(hoplab_gateway::serve_with_limits(
                listener,
                config,
                InvocationLog::with_capacity(16),
                tokio_util::sync::CancellationToken::new(),
                LIMITS,
            ));
            addr
        });
        Lab { runtime, addr }
    })
}

/// Sends `data`; with `half_close`, then shuts the write side so the gateway sees where the
/// input ends (hyper, by default, may close a connection whose client half-closed without
/// answering it, so the well-formed request keeps its write side open).
async fn exchange(addr: SocketAddr, data: &[u8], half_close: bool) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.expect("the gateway accepts");
    let _ = stream.write_all(data).await;
    if half_close {
        let _ = stream.shutdown().await;
    }
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the gateway neither answered nor closed");
    out
}

fuzz_target!(|data: &[u8]| {
    let lab = lab();
    lab.runtime.block_on(async {
        let _ = exchange(lab.addr, data, true).await;
        // The gateway still serves a well-formed request.
        let answer = exchange(
            lab.addr,
            b"GET /nowhere HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n",
            false,
        )
        .await;
        assert!(
            answer.starts_with(b"HTTP/1.1 403"),
            "the gateway stopped serving after a hostile request: {:?}",
            String::from_utf8_lossy(&answer)
        );
    });
});
