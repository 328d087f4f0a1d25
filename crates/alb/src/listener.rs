//! One running listener: start-up checks, health checkers, the accept loop, and each
//! connection from accept (and TLS) to close.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hoplab_hop::{HealthChecker, HealthOverrides, ServeOptions, serve, serve_http1};
use hoplab_trace::{Connection, EventLog, HopId, Observation};
use hyper::header::HeaderValue;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioTimer;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::balance::WeightedRotation;
use crate::group::Group;
use crate::headers::TraceIds;
use crate::request::Downstream;
use crate::terminate::{Opened, Terminator};
use crate::upstream::Upstreams;
use crate::{
    Action, AlbError, ListenerCertificates, ListenerConfig, ListenerProtocol, RuleSet,
    SecurityPolicy,
};

/// What whoever runs a listener can change while it serves.
#[derive(Debug, Clone, Default)]
pub struct ListenerControls {
    /// Target health forced by hand: every target group of the listener is watched by it.
    pub health: HealthOverrides,
    /// An HTTPS listener's certificates, made from its configuration by
    /// [`ListenerCertificates::new`]; `None` makes them from the configuration, out of
    /// anyone else's reach. Ignored by an HTTP listener.
    pub certificates: Option<ListenerCertificates>,
}

/// Serves one ALB listener on `listener` until `shutdown` is cancelled.
///
/// Each request is matched against the listener's rules; its action forwards it to a target
/// of a target group, answers it with a fixed response, or redirects it. Target groups with a
/// health check have their targets checked until shutdown. Everything seen is recorded in
/// `events`. On cancellation the listener stops accepting, health checks stop, requests in
/// flight are answered (for at most [`SHUTDOWN_GRACE`](hoplab_hop::SHUTDOWN_GRACE)), and the
/// connections to targets are closed; then this returns and the port is free.
///
/// # Errors
/// Only when the listener cannot start ([`AlbError`]): rules AWS would refuse, duplicate
/// target group names, unusable or ED25519 certificates, a zero idle timeout, a health check
/// that cannot run. Failures while serving become the ALB's error pages instead.
pub async fn serve_listener(
    listener: TcpListener,
    config: ListenerConfig,
    events: EventLog,
    shutdown: CancellationToken,
) -> Result<(), AlbError> {
    serve_listener_reporting_ready(listener, config, events, shutdown, None).await
}

/// [`serve_listener`], sending on `ready` once the listener accepts connections: at once, or
/// after settling its target groups' health when a health check asks for that
/// ([`HealthCheck::settle_before_serving`](crate::HealthCheck::settle_before_serving)). If
/// the listener cannot start, `ready` is dropped unsent.
///
/// # Errors
/// As [`serve_listener`].
pub async fn serve_listener_reporting_ready(
    listener: TcpListener,
    config: ListenerConfig,
    events: EventLog,
    shutdown: CancellationToken,
    ready: Option<tokio::sync::oneshot::Sender<()>>,
) -> Result<(), AlbError> {
    let controls = ListenerControls::default();
    serve_listener_controlled(listener, config, controls, events, shutdown, ready).await
}

/// [`serve_listener_reporting_ready`], changed while it serves through `controls`: target
/// health forced by hand, and the HTTPS listener's certificates replaced.
///
/// # Errors
/// As [`serve_listener`].
pub async fn serve_listener_controlled(
    listener: TcpListener,
    config: ListenerConfig,
    controls: ListenerControls,
    events: EventLog,
    shutdown: CancellationToken,
    ready: Option<tokio::sync::oneshot::Sender<()>>,
) -> Result<(), AlbError> {
    let hop = config.hop.clone();
    let addr = hoplab_hop::local_addr(&hop, &listener)?;
    let (running, checkers) = Listener::new(config, &controls, events, addr)?;
    let running = Arc::new(running);
    tracing::info!(
        %hop,
        %addr,
        protocol = running.protocol_name(),
        target_groups = running.groups.len(),
        health_checks = checkers.len(),
        "alb listener listening"
    );
    let mut checks = Vec::with_capacity(checkers.len());
    for checker in checkers {
        let checker = Arc::new(checker);
        checker.settle(&shutdown).await;
        checks.push(checker);
    }
    let checks: Vec<_> = checks
        .into_iter()
        .map(|checker| tokio::spawn(checker.run(shutdown.clone())))
        .collect();
    if let Some(ready) = ready {
        // The receiver may have stopped waiting; the listener serves all the same.
        let _ = ready.send(());
    }

    let drain = shutdown.clone();
    let handler = Arc::clone(&running);
    let served = serve(
        listener,
        shutdown,
        ServeOptions::new(hop.clone()),
        move |stream, conn| {
            let listener = Arc::clone(&handler);
            let drain = drain.clone();
            async move { listener.handle(stream, conn, &drain).await }
        },
    )
    .await;
    for check in checks {
        // Each returns as soon as it sees the cancellation, abandoning any check in flight.
        if let Err(error) = check.await {
            tracing::warn!(%hop, %error, "health checker failed");
        }
    }
    running.upstreams.close().await;
    tracing::info!(%hop, "alb listener stopped");
    served.map_err(AlbError::from)
}

/// What a forward action resolves to once the listener runs.
pub(crate) enum Plan {
    /// Not a forward action.
    Answer,
    /// Forward to one of `groups` (indices into the listener's groups), chosen by `rotation`
    /// when there are several.
    Forward {
        groups: Vec<usize>,
        rotation: Option<WeightedRotation>,
    },
}

/// What every connection of one listener shares.
pub(crate) struct Listener {
    pub(crate) hop: HopId,
    pub(crate) port: u16,
    /// `port` as the value of `X-Forwarded-Port`, made once.
    pub(crate) forwarded_port: HeaderValue,
    pub(crate) events: EventLog,
    pub(crate) rules: RuleSet,
    /// One per rule, in [`RuleSet::actions`] order.
    pub(crate) plans: Vec<Plan>,
    pub(crate) groups: Vec<Group>,
    pub(crate) upstreams: Upstreams,
    pub(crate) trace_ids: TraceIds,
    pub(crate) idle_timeout: Duration,
    /// `Some` for an HTTPS listener.
    terminator: Option<Terminator>,
    http: http1::Builder,
}

impl Listener {
    /// Checks `config` as AWS would and builds the listener, with a health checker for each
    /// target group that has a check and targets. `addr` is where it listens.
    fn new(
        config: ListenerConfig,
        controls: &ListenerControls,
        events: EventLog,
        addr: SocketAddr,
    ) -> Result<(Self, Vec<HealthChecker>), AlbError> {
        let ListenerConfig {
            hop,
            port,
            protocol,
            rules,
            default_actions,
            target_groups,
            idle_timeout,
        } = config;
        if idle_timeout.is_zero() {
            return Err(AlbError::ZeroIdleTimeout { hop });
        }
        let mut by_name = HashMap::new();
        for (index, group) in target_groups.iter().enumerate() {
            if by_name.insert(group.name.clone(), index).is_some() {
                return Err(AlbError::DuplicateTargetGroup {
                    hop,
                    group: group.name.clone(),
                });
            }
        }
        let names: Vec<&str> = target_groups.iter().map(|g| g.name.as_str()).collect();
        let https = matches!(protocol, ListenerProtocol::Https(_));
        let rules = RuleSet::new(rules, default_actions, https, &names).map_err(|source| {
            AlbError::Rules {
                hop: hop.clone(),
                source,
            }
        })?;
        let plans = rules
            .actions()
            .map(|action| match action {
                Action::Forward(forward) => Plan::Forward {
                    groups: forward.groups.iter().map(|g| by_name[&g.group]).collect(),
                    rotation: (forward.groups.len() > 1)
                        .then(|| WeightedRotation::new(forward.groups.iter().map(|g| g.weight))),
                },
                _ => Plan::Answer,
            })
            .collect();
        let (terminator, backend) = match &protocol {
            ListenerProtocol::Http => (None, SecurityPolicy::Elb2016_08),
            ListenerProtocol::Https(https) => (
                Some(Terminator::new(
                    &hop,
                    https,
                    controls.certificates.as_ref(),
                )?),
                https.security_policy.backend(),
            ),
        };
        let mut groups = Vec::with_capacity(target_groups.len());
        let mut checkers = Vec::new();
        for group in target_groups {
            let (group, checker) = Group::new(&hop, group, &events, addr, &controls.health)?;
            groups.push(group);
            checkers.extend(checker);
        }
        let upstreams = Upstreams::new(&hop, events.clone(), backend.tls_versions())?;
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(idle_timeout)
            .keep_alive(true);
        let listener = Listener {
            hop,
            port,
            forwarded_port: HeaderValue::from(port),
            events,
            rules,
            plans,
            groups,
            upstreams,
            trace_ids: TraceIds::default(),
            idle_timeout,
            terminator,
            http,
        };
        Ok((listener, checkers))
    }

    /// `HTTP` or `HTTPS`.
    pub(crate) fn protocol_name(&self) -> &'static str {
        if self.terminator.is_some() {
            "HTTPS"
        } else {
            "HTTP"
        }
    }

    /// Handles one accepted connection until it closes or the listener drains.
    async fn handle(&self, stream: TcpStream, conn: Connection, drain: &CancellationToken) {
        self.events.record(Observation::Accepted {
            hop: self.hop.clone(),
            conn,
        });
        let _ = stream.set_nodelay(true);
        let Some(terminator) = &self.terminator else {
            return self
                .serve_http(stream, Downstream::new(conn, false), drain)
                .await;
        };
        match terminator.open(stream).await {
            Opened::Tls(client) => {
                let session = client.get_ref().1;
                let sni = session.server_name().map(str::to_owned);
                let version = hoplab_trace::tls_version_name(session.protocol_version());
                tracing::debug!(?sni, %version, "tls terminated");
                self.events.record(Observation::TlsTerminated {
                    hop: self.hop.clone(),
                    conn,
                    served: terminator.served(sni.as_deref()),
                    sni,
                    version,
                });
                self.serve_http(client, Downstream::new(conn, true), drain)
                    .await;
            }
            Opened::PlainHttp(stream) => {
                tracing::debug!("plain http on an https listener");
                self.serve_plain_http_on_https(stream, conn, drain).await;
            }
            Opened::Failed(error) => {
                tracing::debug!(%error, "tls handshake failed");
                self.events.record(Observation::TlsAcceptFailed {
                    hop: self.hop.clone(),
                    conn,
                    error,
                });
            }
            Opened::Closed => {}
        }
    }

    /// Serves HTTP/1.1 requests on `io` through the rules until the connection ends.
    async fn serve_http<IO>(&self, io: IO, downstream: Downstream, drain: &CancellationToken)
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let service = service_fn(|request| async move {
            Ok::<_, Infallible>(self.serve_request(request, downstream).await)
        });
        if let Err(error) = serve_http1(&self.http, io, service, drain).await {
            tracing::debug!(%error, "client connection ended with an error");
        }
    }

    /// Answers every request on a plain-HTTP connection to an HTTPS listener with the 400
    /// page, closing the connection after it.
    async fn serve_plain_http_on_https(
        &self,
        stream: TcpStream,
        conn: Connection,
        drain: &CancellationToken,
    ) {
        let service = service_fn(|request| async move {
            Ok::<_, Infallible>(self.plain_http_on_https(&request, conn))
        });
        if let Err(error) = serve_http1(&self.http, stream, service, drain).await {
            tracing::debug!(%error, "plain http connection ended with an error");
        }
    }
}
