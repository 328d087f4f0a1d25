//! One integration call: connect to the first hop, start TLS for `https`, exchange one
//! HTTP/1.1 request, all within the route's timeout.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use hoplab_pkix::{CertSummary, Policy};
use hoplab_trace::Connection;
use http_body_util::{BodyExt, Full, Limited};
use hyper::Request;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::aws::USER_AGENT;
use crate::verifier::{JavaPkixVerifier, Seen};
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

/// Calls the route's backend; `upstream` is filled in as far as the call got, even on timeout.
pub(crate) async fn call(
    route: &RouteConfig,
    config: &GatewayConfig,
    request: BackendRequest,
    upstream: &mut Upstream,
) -> Result<BackendResponse, Failure> {
    match tokio::time::timeout(route.timeout, exchange(route, config, request, upstream)).await {
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
    config: &GatewayConfig,
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
    if !route.https {
        return http_exchange(tcp, route, request, upstream).await;
    }
    let tls = start_tls(tcp, route, config, upstream).await?;
    http_exchange(tls, route, request, upstream).await
}

async fn start_tls(
    tcp: TcpStream,
    route: &RouteConfig,
    config: &GatewayConfig,
    upstream: &mut Upstream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, Failure> {
    let provider = hoplab_trace::crypto_provider();
    let policy = Policy {
        insecure_skip_verification: route.insecure_skip_verification,
    };
    let tls_name = route.tls_name();
    let (verifier, seen) = JavaPkixVerifier::new(
        Arc::clone(&config.trust),
        tls_name.to_owned(),
        policy,
        config.clock,
        Arc::clone(&provider),
    );
    let (server_name, sni) = server_name_for(tls_name);
    let mut client = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(crate::aws::GATEWAY_TLS_VERSIONS)
        .map_err(|e| Failure::Handshake {
            detail: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    client.enable_sni = sni.is_some();
    client.alpn_protocols = crate::aws::GATEWAY_ALPN
        .iter()
        .map(|p| p.to_vec())
        .collect();
    client.resumption = rustls::client::Resumption::disabled();

    let mut observation = TlsObservation {
        sni,
        host_checked: tls_name.to_owned(),
        insecure_skip_verification: route.insecure_skip_verification,
        presented: Vec::new(),
        accepted: None,
        rejection: None,
        explanation: Vec::new(),
        version: None,
    };
    let handshake = TlsConnector::from(Arc::new(client))
        .connect(server_name, tcp)
        .await;
    let rejected = record_verdict(&seen, &mut observation);
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

/// Copies the verifier's verdict into the observation; returns the rejection message, if any.
fn record_verdict(seen: &Mutex<Option<Seen>>, observation: &mut TlsObservation) -> Option<String> {
    let seen = seen
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take()?;
    observation.presented = CertSummary::chain(seen.presented.iter().map(|c| c.as_ref()));
    observation.explanation = seen.verdict.explanation.lines();
    observation.accepted = Some(seen.verdict.outcome.is_ok());
    let rejection = seen.verdict.outcome.err().map(|r| r.java_message());
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
    let driver = tokio::spawn(connection);

    let outgoing = Request::builder()
        .method(request.method)
        .uri(route.path_and_query.as_str())
        .header(hyper::header::HOST, route.host_header())
        .header(hyper::header::USER_AGENT, USER_AGENT)
        .body(Full::new(request.body))
        .map_err(|e| connection_failure(upstream, format!("building request: {e}")))?;
    let result = async {
        let response = sender
            .send_request(outgoing)
            .await
            .map_err(|e| format!("http exchange: {e}"))?;
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
            .map_err(|e| format!("reading response body: {e}"))?
            .to_bytes();
        Ok::<_, String>(BackendResponse {
            status,
            headers,
            body,
        })
    }
    .await;
    driver.abort();
    result.map_err(|detail| connection_failure(upstream, detail))
}

fn connection_failure(upstream: &mut Upstream, detail: String) -> Failure {
    upstream.detail = Some(detail.clone());
    Failure::Connection { detail }
}
