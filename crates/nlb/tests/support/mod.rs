//! Test helpers: real targets and listeners on 127.0.0.1:0 on the workspace's shared test
//! support (certificates, TLS clients, raw HTTP/1.1, bounded waits), and what only the
//! listener's tests need.

#![allow(dead_code, unused_imports)]

use std::net::SocketAddr;
use std::sync::Arc;

use hoplab_nlb::{
    ListenerConfig, NlbError, SecurityPolicy, TargetEndpoint, TargetGroup, TlsTermination,
};
use hoplab_target::{TargetConfig, TargetError};
use hoplab_trace::{EventLog, HopId};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub(crate) use hoplab_test_support::{
    Leaf, Running, STEP, alpn_client, any_client, bind, client_config, eventually,
    eventually_after, one, read_all, recorded_after, tls_connect, within,
};

/// The listener every test runs.
pub(crate) fn listener_hop() -> HopId {
    HopId::nlb("internal", 443)
}

/// A leaf's SHA-256 fingerprint, as reports write it.
pub(crate) trait Fingerprint {
    fn fingerprint(&self) -> String;
}

impl Fingerprint for Leaf {
    fn fingerprint(&self) -> String {
        hoplab_pkix::fingerprint(&self.der)
    }
}

/// Starts a target named `name`: HTTPS with `tls`, else plain HTTP.
pub(crate) async fn target(
    name: &str,
    tls: Option<&Leaf>,
    events: &EventLog,
) -> Running<TargetError> {
    target_with(target_config(name, tls), events).await
}

/// A well-behaved target named `name`: HTTPS with `tls`, else plain HTTP.
pub(crate) fn target_config(name: &str, tls: Option<&Leaf>) -> TargetConfig {
    TargetConfig::new(
        HopId::target(name),
        tls.map(|leaf| Arc::clone(&leaf.key)),
        format!("hello from {name}"),
    )
}

/// Starts a target with `config` on 127.0.0.1, port 0.
pub(crate) async fn target_with(config: TargetConfig, events: &EventLog) -> Running<TargetError> {
    let (listener, _) = bind().await;
    target_on(listener, config, events)
}

/// Starts a target with `config` on `addr` again (after a target there was stopped).
pub(crate) async fn target_at(
    addr: SocketAddr,
    config: TargetConfig,
    events: &EventLog,
) -> Running<TargetError> {
    let listener = TcpListener::bind(addr)
        .await
        .expect("bind the same address again");
    target_on(listener, config, events)
}

fn target_on(
    listener: TcpListener,
    config: TargetConfig,
    events: &EventLog,
) -> Running<TargetError> {
    Running::spawn(listener, events, |listener, events, shutdown| {
        hoplab_target::serve(listener, config, events, shutdown)
    })
}

/// A TLS listener's settings with the console-default policy.
pub(crate) fn termination(default: &Leaf, list: &[&Leaf]) -> TlsTermination {
    let mut tls = TlsTermination::new(Arc::clone(&default.key), SecurityPolicy::Tls13_1_2_2021_06);
    tls.certificates = list.iter().map(|leaf| Arc::clone(&leaf.key)).collect();
    tls
}

/// The listener configuration for `tls` forwarding to `targets` (name, address).
pub(crate) fn listener_config(
    tls: Option<TlsTermination>,
    group_tls: bool,
    targets: &[(&str, SocketAddr)],
) -> ListenerConfig {
    ListenerConfig {
        hop: listener_hop(),
        tls,
        target_group: TargetGroup::new(
            "app-tg",
            group_tls,
            targets
                .iter()
                .map(|(name, addr)| TargetEndpoint {
                    hop: HopId::target(*name),
                    addr: *addr,
                })
                .collect(),
        ),
    }
}

/// Starts a listener with `config`.
pub(crate) async fn nlb(config: ListenerConfig, events: &EventLog) -> Running<NlbError> {
    let (listener, _) = bind().await;
    Running::spawn(listener, events, |listener, events, shutdown| {
        hoplab_nlb::serve_listener(listener, config, events, shutdown)
    })
}

/// Sends one `GET /` with `Connection: close` and reads until the server closes.
pub(crate) async fn get<S>(stream: &mut S, host: &str) -> String
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    hoplab_test_support::get(stream, "/", host).await
}

/// The value of `x-hoplab-target` in a raw response.
pub(crate) fn served_by(response: &str) -> Option<&str> {
    response
        .lines()
        .find_map(|line| line.strip_prefix("x-hoplab-target: "))
}

/// Sends one `GET /` with `Connection: close` over a fresh TCP connection to `addr` and reads
/// until the peer closes; any I/O error (a reset, a refused write) ends the exchange. Returns
/// the client's address and what arrived.
pub(crate) async fn try_get(addr: SocketAddr) -> (SocketAddr, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let _ = stream.set_nodelay(true);
    let client = stream.local_addr().expect("local addr");
    let request = b"GET / HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n";
    if stream.write_all(request).await.is_err() {
        return (client, String::new());
    }
    (client, read_all(&mut stream).await)
}
