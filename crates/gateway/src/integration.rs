//! One integration call: connect to the first hop, start TLS for `https`, exchange one
//! HTTP/1.1 request, all within the route's timeout.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;
use hoplab_hop::{Presented, recording, tls_client_config};
use hoplab_pkix::{CertSummary, Policy, Verdict};
use hoplab_trace::Connection;
use http_body_util::{BodyExt, Full, Limited};
use hyper::Request;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::aws::{GATEWAY_ALPN, GATEWAY_TLS_VERSIONS, USER_AGENT};
use crate::verifier::JavaPkixJudge;
use crate::{Failure, GatewayConfig, RouteConfig, TlsObservation, Upstream};

/// Largest integration response body read, as API Gateway's 10 MB payload limit.
const MAX_RESPONSE_BODY: usize = 10 * 1024 * 1024;

/// What the backend answered.
#[derive(Debug)]
pub(crate) struct BackendResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
}

/// The request the gateway sends to the backend.
#[derive(Debug)]
pub(crate) struct BackendRequest {
    pub(crate) method: hyper::Method,
    pub(crate) body: Bytes,
}

/// The TLS client of one `https` route, made once when the gateway starts: every request on
/// the route shares its configuration, and each handshake's verdict comes back through
/// [`recording`].
#[derive(Clone)]
pub(crate) struct RouteTls {
    connector: TlsConnector,
    server_name: ServerName<'static>,
    sni: Option<String>,
}

impl RouteTls {
    /// The client for `route`: API Gateway's TLS versions and ALPN offer, SNI as
    /// [`server_name_for`] says, no resumption, and a verifier that judges every chain with
    /// the Java PKIX verdict against the route's TLS name.
    pub(crate) fn new(route: &RouteConfig, config: &GatewayConfig) -> Result<Self, rustls::Error> {
        let tls_name = route.tls_name();
        let judge = JavaPkixJudge {
            trust: Arc::clone(&config.trust),
            host: tls_name.to_owned(),
            policy: Policy {
                insecure_skip_verification: route.insecure_skip_verification,
            },
            clock: config.clock,
        };
        let (server_name, sni) = server_name_for(tls_name);
        let mut client = tls_client_config(judge, GATEWAY_TLS_VERSIONS)?;
        client.enable_sni = sni.is_some();
        client.alpn_protocols = GATEWAY_ALPN.iter().map(|p| p.to_vec()).collect();
        Ok(RouteTls {
            connector: TlsConnector::from(Arc::new(client)),
            server_name,
            sni,
        })
    }
}

impl fmt::Debug for RouteTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouteTls")
            .field("server_name", &self.server_name)
            .field("sni", &self.sni)
            .finish_non_exhaustive()
    }
}

/// Calls the route's backend, over `tls` for an `https` route; `upstream` is filled in as far
/// as the call got, even on timeout.
pub(crate) async fn call(
    route: &RouteConfig,
    tls: Option<&RouteTls>,
    request: BackendRequest,
    upstream: &mut Upstream,
) -> Result<BackendResponse, Failure> {
    match tokio::time::timeout(route.timeout, exchange(route, tls, request, upstream)).await {
        Ok(result) => result,
        Err(_elapsed) => {
            upstream.detail = Some(format!(
                "no response within {} ms",
                route.timeout.as_millis()
            ));
            Err(Failure::Timeout)
        }
    }
}

async fn exchange(
    route: &RouteConfig,
    tls: Option<&RouteTls>,
    request: BackendRequest,
    upstream: &mut Upstream,
) -> Result<BackendResponse, Failure> {
    let tcp = TcpStream::connect(route.upstream)
        .await
        .map_err(|e| connection_failure(upstream, format!("connect {}: {e}", route.upstream)))?;
    let _ = tcp.set_nodelay(true);
    if let (Ok(local), Ok(peer)) = (tcp.local_addr(), tcp.peer_addr()) {
        upstream.conn = Some(Connection { peer, local });
    }
    let Some(tls) = tls else {
        return http_exchange(tcp, route, request, upstream).await;
    };
    let tls = start_tls(tcp, route, tls, upstream).await?;
    http_exchange(tls, route, request, upstream).await
}

async fn start_tls(
    tcp: TcpStream,
    route: &RouteConfig,
    tls: &RouteTls,
    upstream: &mut Upstream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, Failure> {
    let mut observation = TlsObservation {
        sni: tls.sni.clone(),
        host_checked: route.tls_name().to_owned(),
        insecure_skip_verification: route.insecure_skip_verification,
        presented: Vec::new(),
        accepted: None,
        rejection: None,
        explanation: Vec::new(),
        version: None,
    };
    let (handshake, seen) = recording(tls.connector.connect(tls.server_name.clone(), tcp)).await;
    let rejected = seen.and_then(|seen| record_verdict(seen, &mut observation));
    let result = match handshake {
        Ok(mut stream) => {
            let version = stream.get_ref().1.protocol_version();
            observation.version = Some(hoplab_trace::tls_version_name(version));
            match rejected {
                None => Ok(stream),
                // The handshake completed; the host name check that follows it failed, so the
                // client closes the session before sending anything.
                Some(java_message) => {
                    let _ = stream.shutdown().await;
                    upstream.detail = Some("host name check failed after the handshake".to_owned());
                    Err(Failure::Certificate { java_message })
                }
            }
        }
        Err(error) => {
            upstream.detail = Some(format!("tls handshake: {error}"));
            Err(match rejected {
                Some(java_message) => Failure::Certificate { java_message },
                None if crate::aws::closed_before_tls(&error) => Failure::Connection {
                    detail: format!("connection closed during the tls handshake: {error}"),
                },
                None => Failure::Handshake {
                    detail: error.to_string(),
                },
            })
        }
    };
    upstream.tls = Some(observation);
    result
}

/// The server name for the handshake, and the SNI it sends: the host when it is a DNS name,
/// none for an IP address or a name rustls cannot send.
pub fn server_name_for(host: &str) -> (ServerName<'static>, Option<String>) {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return (ServerName::IpAddress(ip.into()), None);
    }
    match ServerName::try_from(host.to_owned()) {
        Ok(name) => (name, Some(host.to_owned())),
        // A host rustls cannot put in SNI is still checked against the certificate by the
        // verifier; the handshake then goes without SNI.
        Err(_) => (
            ServerName::IpAddress(IpAddr::from([127, 0, 0, 1]).into()),
            None,
        ),
    }
}

/// Copies what the handshake presented and its verdict into the observation; returns the
/// rejection message, if any.
fn record_verdict(seen: Presented<Verdict>, observation: &mut TlsObservation) -> Option<String> {
    let verdict = seen.finding;
    observation.presented = CertSummary::chain(seen.chain.iter().map(|c| c.as_ref()));
    observation.explanation = verdict.explanation.lines();
    observation.accepted = Some(verdict.outcome.is_ok());
    let rejection = verdict.outcome.err().map(|r| r.java_message());
    observation.rejection = rejection.clone();
    rejection
}

async fn http_exchange<S>(
    stream: S,
    route: &RouteConfig,
    request: BackendRequest,
    upstream: &mut Upstream,
) -> Result<BackendResponse, Failure>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| connection_failure(upstream, format!("http handshake: {e}")))?;

    let outgoing = Request::builder()
        .method(request.method)
        .uri(route.path_and_query.as_str())
        .header(hyper::header::HOST, route.host_header())
        .header(hyper::header::USER_AGENT, USER_AGENT)
        .body(Full::new(request.body))
        .map_err(|e| connection_failure(upstream, format!("building request: {e}")))?;
    let exchange = async {
        let response = sender
            .send_request(outgoing)
            .await
            .map_err(|e| connection_lost(format!("http exchange: {e}")))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = Limited::new(response.into_body(), MAX_RESPONSE_BODY)
            .collect()
            .await
            .map_err(|e| connection_lost(format!("reading response body: {e}")))?
            .to_bytes();
        Ok(BackendResponse {
            status,
            headers,
            body,
        })
    };
    // The connection is driven on this task, next to the exchange, and dropped with it: the
    // gateway keeps no connection to the backend (see docs/performance.md).
    tokio::pin!(exchange, connection);
    let result = tokio::select! {
        result = &mut exchange => result,
        // The connection ended first (closed or failed): the exchange ends with what it got.
        _ = &mut connection => exchange.await,
    };
    if let Err(Failure::Connection { detail }) = &result {
        upstream.detail = Some(detail.clone());
    }
    result
}

/// A connection-level failure saying `detail`.
fn connection_lost(detail: String) -> Failure {
    Failure::Connection { detail }
}

/// A connection-level failure saying `detail`, also kept as the upstream's detail.
fn connection_failure(upstream: &mut Upstream, detail: String) -> Failure {
    upstream.detail = Some(detail.clone());
    connection_lost(detail)
}
