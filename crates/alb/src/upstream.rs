//! The ALB's side toward targets: a bounded keep-alive pool per target, new connections
//! (TCP, then for HTTPS target groups TLS without validation and without SNI), and one
//! request/response exchange judged whole.
//!
//! AWS: "The load balancer does not validate these certificates. Therefore, you can use
//! self-signed certificates or certificates that have expired." Field reports say the ALB
//! sends no SNI to its targets. A target that closes an idle keep-alive connection is noticed
//! when its FIN arrives and the connection leaves the pool; one that closes it just as a
//! request goes out makes that request a 502, as AWS warns.

use std::error::Error as StdError;
use std::sync::Mutex;
use std::time::Duration;

use hoplab_hop::{TargetEndpoint, balancer_tls_client, peer_chain, target_server_name};
use hoplab_trace::{Connection, EventLog, HopId, Observation};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Request, Response, Version};
use hyper_util::rt::TokioIo;
use rustls::SupportedProtocolVersion;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};
use tokio_rustls::TlsConnector;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::aws::{
    CONNECT_TIMEOUT, MAX_IDLE_CONNECTIONS_PER_TARGET, MAX_RESPONSE_BODY, TARGET_HANDSHAKE_TIMEOUT,
};
use crate::headers::strip_hop_by_hop;
use crate::respond::Body;
use crate::{AlbError, Failure};

/// A request the ALB could not get a response to: why, in the listener's words, and the
/// connection it was sent on, if any.
#[derive(Debug)]
pub(crate) struct Failed {
    pub(crate) failure: Failure,
    pub(crate) reason: String,
    pub(crate) upstream: Option<Connection>,
}

/// A target's response, read whole, and the connection it came over.
#[derive(Debug)]
pub(crate) struct Exchanged {
    pub(crate) response: Response<Body>,
    pub(crate) upstream: Connection,
}

/// One kept-alive connection to a target.
struct Pooled {
    sender: SendRequest<Incoming>,
    conn: Connection,
    idle_since: Instant,
}

/// The idle connections to one target.
pub(crate) struct TargetPool {
    pub(crate) endpoint: TargetEndpoint,
    https: bool,
    idle: Mutex<Vec<Pooled>>,
}

impl TargetPool {
    /// An empty pool for `endpoint`, spoken to over TLS when `https`.
    pub(crate) fn new(endpoint: TargetEndpoint, https: bool) -> Self {
        TargetPool {
            endpoint,
            https,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Pooled>> {
        // Entries are pushed and popped whole, so a poisoned lock holds no torn state.
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// What opens and drives every connection of one listener to its targets.
pub(crate) struct Upstreams {
    hop: HopId,
    events: EventLog,
    /// For HTTPS target groups: the client offering the backend policy's versions.
    tls: TlsConnector,
    /// The tasks driving open connections.
    drivers: TaskTracker,
    /// Cancelled when the listener has drained, to close what is left.
    closing: CancellationToken,
}

impl Upstreams {
    /// Connections for the listener `hop`, offering `backend_versions` to HTTPS targets.
    pub(crate) fn new(
        hop: &HopId,
        events: EventLog,
        backend_versions: &'static [&'static SupportedProtocolVersion],
    ) -> Result<Self, AlbError> {
        let tls = balancer_tls_client(backend_versions).map_err(|source| AlbError::Tls {
            hop: hop.clone(),
            source,
        })?;
        Ok(Upstreams {
            hop: hop.clone(),
            events,
            tls,
            drivers: TaskTracker::new(),
            closing: CancellationToken::new(),
        })
    }

    /// Sends `request` to the target of `pool` over an idle connection or a new one, and reads
    /// the response whole; the target has `idle` to send each part of it. The connection goes
    /// back to the pool when the target keeps it open.
    pub(crate) async fn exchange(
        &self,
        pool: &TargetPool,
        request: Request<Incoming>,
        idle: Duration,
    ) -> Result<Exchanged, Failed> {
        let addr = pool.endpoint.addr;
        let mut pooled = match self.checkout(pool, idle).await {
            Some(pooled) => pooled,
            None => self.connect(pool).await?,
        };
        let upstream = pooled.conn;
        let failed = |failure, reason| Failed {
            failure,
            reason,
            upstream: Some(upstream),
        };
        let timed_out = || {
            failed(
                Failure::TargetIdleTimeout,
                format!("target {addr} sent nothing within the idle timeout ({idle:?})"),
            )
        };
        let response = match timeout(idle, pooled.sender.send_request(request)).await {
            Err(_) => return Err(timed_out()),
            Ok(Err(error)) => {
                let failure =
                    if error.is_parse() || error.is_parse_status() || error.is_parse_too_large() {
                        Failure::MalformedResponse
                    } else {
                        Failure::TargetClosed
                    };
                return Err(failed(
                    failure,
                    format!("target {addr}: {}", describe(&error)),
                ));
            }
            Ok(Ok(response)) => response,
        };
        let (mut parts, mut body) = response.into_parts();
        let mut collected = Collected::default();
        loop {
            match timeout(idle, body.frame()).await {
                Err(_) => return Err(timed_out()),
                Ok(None) => break,
                Ok(Some(Err(error))) => {
                    return Err(failed(
                        Failure::TargetClosed,
                        format!(
                            "target {addr}: reading the response body: {}",
                            describe(&error)
                        ),
                    ));
                }
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        if collected.len() + data.len() > MAX_RESPONSE_BODY {
                            return Err(failed(
                                Failure::MalformedResponse,
                                format!(
                                    "target {addr}: response body larger than {MAX_RESPONSE_BODY} bytes"
                                ),
                            ));
                        }
                        collected.push(data);
                    }
                }
            }
        }
        self.checkin(pool, pooled);
        strip_hop_by_hop(&mut parts.headers);
        parts.version = Version::HTTP_11;
        Ok(Exchanged {
            response: Response::from_parts(parts, Full::new(collected.into_bytes())),
            upstream,
        })
    }

    /// An idle connection of `pool` that can take a request, if there is one; connections
    /// the target closed, or idle for `idle` or longer, are dropped on the way.
    async fn checkout(&self, pool: &TargetPool, idle: Duration) -> Option<Pooled> {
        loop {
            let mut pooled = pool.idle().pop()?;
            if pooled.sender.is_closed() || pooled.idle_since.elapsed() >= idle {
                continue;
            }
            if pooled.sender.is_ready() {
                return Some(pooled);
            }
            // The connection may still be finishing the last response; bounded all the same.
            if let Ok(Ok(())) = timeout(idle, pooled.sender.ready()).await {
                return Some(pooled);
            }
        }
    }

    /// Returns `pooled` to `pool` unless the target closed it or the pool is full.
    fn checkin(&self, pool: &TargetPool, mut pooled: Pooled) {
        if pooled.sender.is_closed() {
            return;
        }
        pooled.idle_since = Instant::now();
        let mut idle = pool.idle();
        if idle.len() < MAX_IDLE_CONNECTIONS_PER_TARGET {
            idle.push(pooled);
        }
    }

    /// Opens a connection to the target of `pool`: TCP within [`CONNECT_TIMEOUT`], then for
    /// HTTPS a handshake within [`TARGET_HANDSHAKE_TIMEOUT`] that validates nothing and sends
    /// no SNI (recorded as `TargetTlsUnverified`).
    async fn connect(&self, pool: &TargetPool) -> Result<Pooled, Failed> {
        let addr = pool.endpoint.addr;
        let failed = |failure, reason, upstream| Failed {
            failure,
            reason,
            upstream,
        };
        let stream = match timeout(CONNECT_TIMEOUT, TcpStream::connect(addr)).await {
            Err(_) => {
                let reason = format!(
                    "connect to target {addr}: no answer after {}s",
                    CONNECT_TIMEOUT.as_secs()
                );
                return Err(failed(Failure::ConnectTimeout, reason, None));
            }
            Ok(Err(error)) => {
                let reason = format!("connect to target {addr}: {error}");
                return Err(failed(Failure::ConnectRefused, reason, None));
            }
            Ok(Ok(stream)) => stream,
        };
        let _ = stream.set_nodelay(true);
        let conn = Connection {
            peer: addr,
            local: stream.local_addr().map_err(|error| {
                failed(
                    Failure::ConnectRefused,
                    format!("connect to target {addr}: {error}"),
                    None,
                )
            })?,
        };
        let sender = if pool.https {
            let handshake = self.tls.connect(target_server_name(addr), stream);
            let tls = match timeout(TARGET_HANDSHAKE_TIMEOUT, handshake).await {
                Err(_) => {
                    let reason = format!(
                        "tls handshake with target {addr}: not finished after {}s",
                        TARGET_HANDSHAKE_TIMEOUT.as_secs()
                    );
                    return Err(failed(Failure::TargetTlsHandshake, reason, Some(conn)));
                }
                Ok(Err(error)) => {
                    let reason = format!("tls handshake with target {addr}: {error}");
                    return Err(failed(Failure::TargetTlsHandshake, reason, Some(conn)));
                }
                Ok(Ok(tls)) => tls,
            };
            self.events.record(Observation::TargetTlsUnverified {
                hop: self.hop.clone(),
                upstream: conn,
                presented: peer_chain(tls.get_ref().1),
            });
            self.drive(tls).await
        } else {
            self.drive(stream).await
        };
        let sender = sender.map_err(|error| {
            failed(
                Failure::TargetClosed,
                format!("target {addr}: {}", describe(&error)),
                Some(conn),
            )
        })?;
        tracing::debug!(target = %pool.endpoint.hop, upstream = %conn.local, "connected to target");
        Ok(Pooled {
            sender,
            conn,
            idle_since: Instant::now(),
        })
    }

    /// Starts HTTP/1.1 on `io`, driving the connection on a task of its own until it closes
    /// or the listener has drained.
    async fn drive<IO>(&self, io: IO) -> Result<SendRequest<Incoming>, hyper::Error>
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (sender, connection) = http1::Builder::new().handshake(TokioIo::new(io)).await?;
        let closing = self.closing.clone();
        self.drivers.spawn(async move {
            tokio::select! {
                result = connection => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "target connection ended with an error");
                    }
                }
                () = closing.cancelled() => {}
            }
        });
        Ok(sender)
    }

    /// Closes every connection still open (the listener has drained, so they are idle) and
    /// waits for their tasks to end.
    pub(crate) async fn close(&self) {
        self.closing.cancel();
        self.drivers.close();
        self.drivers.wait().await;
    }
}

/// A response body read so far: the first piece as it came, later ones joined to it. A body
/// that arrives in one piece (the usual small one) is passed on without a copy.
#[derive(Debug, Default)]
struct Collected {
    first: Bytes,
    joined: Option<Vec<u8>>,
}

impl Collected {
    /// Bytes read so far.
    fn len(&self) -> usize {
        self.joined.as_ref().map_or(self.first.len(), Vec::len)
    }

    /// Adds the next piece.
    fn push(&mut self, data: Bytes) {
        match &mut self.joined {
            Some(joined) => joined.extend_from_slice(&data),
            None if self.first.is_empty() => self.first = data,
            None => {
                let mut joined = Vec::with_capacity(self.first.len() + data.len());
                joined.extend_from_slice(&self.first);
                joined.extend_from_slice(&data);
                self.joined = Some(joined);
            }
        }
    }

    /// The whole body.
    fn into_bytes(self) -> Bytes {
        self.joined.map_or(self.first, Bytes::from)
    }
}

/// An error and its sources, joined with `: `.
fn describe(error: &dyn StdError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_in_one_piece_is_passed_on_and_pieces_are_joined_in_order() {
        let mut one = Collected::default();
        let piece = Bytes::from_static(b"whole");
        one.push(piece.clone());
        assert_eq!(one.len(), 5);
        let passed = one.into_bytes();
        assert_eq!(passed, piece);
        assert_eq!(passed.as_ptr(), piece.as_ptr(), "not copied");

        let mut many = Collected::default();
        for piece in ["ab", "", "cd", "e"] {
            many.push(Bytes::from_static(piece.as_bytes()));
        }
        assert_eq!(many.len(), 5);
        assert_eq!(many.into_bytes(), "abcde");
        assert!(Collected::default().into_bytes().is_empty());
    }
}
