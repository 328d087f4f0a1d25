//! A scenario's topology running on loopback: binding and spawning every hop, and stopping
//! them. What each hop is configured with comes from `config`.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hoplab_gateway::{ConsoleSlot, FrontLimits, GatewayConfig, InvocationLog};
use hoplab_nlb::ListenerConfig;
use hoplab_pki::Pki;
use hoplab_scenario::Scenario;
use hoplab_target::TargetConfig;
use hoplab_trace::{EventLog, HopId, Observation};
use rustls::sign::CertifiedKey;
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::RunError;
use crate::config::{Addresses, HopConfigs, ServedCertificates};
use crate::control::{LabControl, ListenerSlot, TargetStage};

/// How a lab binds and what it keeps.
#[derive(Debug, Clone, Copy)]
pub struct LabOptions {
    /// Where the gateway listens; port 0 picks a free port.
    pub gateway_addr: SocketAddr,
    /// How many requests' records the lab keeps: `None` keeps everything (a one-shot run,
    /// which stitches every request's trace at the end); `Some(n)` keeps the gateway's
    /// invocation records of the latest `n` requests and the latest
    /// [`OBSERVATIONS_PER_REQUEST`]` × n` hop observations, dropping the oldest first, so a
    /// lab that serves indefinitely (`hoplab up`) holds a bounded amount of memory.
    pub keep_requests: Option<usize>,
}

impl Default for LabOptions {
    fn default() -> Self {
        Self {
            gateway_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            keep_requests: None,
        }
    }
}

/// Hop observations a bounded lab keeps per kept request: a request through a TLS listener
/// to a TLS target leaves seven, a failing one fewer.
pub const OBSERVATIONS_PER_REQUEST: usize = 8;

/// A running topology: every target, ALB listener, NLB listener and the gateway, serving on
/// loopback.
#[derive(Debug)]
pub struct Lab {
    gateway_addr: SocketAddr,
    hops: Vec<(HopId, SocketAddr)>,
    events: EventLog,
    invocations: InvocationLog,
    served: Arc<ServedCertificates>,
    /// Where the gateway finds a console for its `/_hoplab/` paths.
    console: ConsoleSlot,
    /// The gateway, the NLB listeners and the ALB listeners, each with its own shutdown
    /// token, in the order they stop (the targets, in `control`, stop last).
    gateway: Stage,
    nlbs: Stage,
    albs: Stage,
    /// What a [`LabControl`] changes: the targets (stopped last), and the records.
    control: LabControl,
}

/// The hops of one kind: stopped together, after the hops in front of them.
#[derive(Debug, Default)]
struct Stage {
    shutdown: CancellationToken,
    tasks: JoinSet<()>,
}

impl Stage {
    /// Cancels the stage and waits for its hops to stop, until `deadline`; aborts them then.
    /// Returns whether they stopped by themselves.
    async fn stop(&mut self, what: &str, deadline: tokio::time::Instant) -> bool {
        self.shutdown.cancel();
        let stopped = tokio::time::timeout_at(deadline, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if stopped.is_err() {
            tracing::warn!("{what} did not stop within the lab's {STOP_TIMEOUT:?}; aborting");
            self.tasks.abort_all();
            while self.tasks.join_next().await.is_some() {}
        }
        stopped.is_ok()
    }
}

/// Which kind of load balancer a listener belongs to, and so which stage stops it.
#[derive(Debug, Clone, Copy)]
enum Balancer {
    Nlb,
    Alb,
}

/// What is left of a lab once it has stopped: everything it observed.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) events: Vec<Observation>,
    pub(crate) invocations: InvocationLog,
    pub(crate) served: ServedCertificates,
    /// Whether every hop stopped by itself within the lab's bound (none had to be aborted).
    pub(crate) clean: bool,
}

/// Where hops behind the gateway bind: a free port on loopback.
const LOOPBACK: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 0);

/// Longest a lab waits for all its hops to stop (each hop has its own grace period inside this).
const STOP_TIMEOUT: Duration = Duration::from_secs(20);

impl Lab {
    /// Generates the scenario's PKI and starts every hop, back to front (targets, ALB
    /// listeners, NLB listeners, gateway); returns once every load balancer listener accepts
    /// connections (after its first health checks, when its target groups have any), so
    /// requests sent then see settled target health.
    pub async fn start(scenario: &Scenario, options: LabOptions) -> Result<Lab, RunError> {
        crate::limits::check_open_files(scenario)?;
        let now = scenario.now().unwrap_or_else(OffsetDateTime::now_utc);
        // Key generation is CPU-bound (seconds for large RSA keys): keep it off the reactor.
        let spec = scenario.pki().clone();
        let pki = tokio::task::spawn_blocking(move || Pki::generate(&spec, now))
            .await
            .map_err(|e| RunError::Task(e.to_string()))??;
        let configs = HopConfigs::new(scenario, &pki);
        let mut lab = Lab::new(options, configs.served(), configs.certificates());
        let mut addresses = Addresses {
            targets: Vec::new(),
            listeners: Vec::new(),
            alb_listeners: Vec::new(),
            refused: refused_addr().await?,
        };
        for target in scenario.targets() {
            let addr = lab
                .bind_target(target.name(), configs.target(target))
                .await?;
            addresses.targets.push(addr);
        }
        // One signal per listener: it accepts connections (after settling health, if checked).
        let mut listeners_ready = Vec::new();
        // ALB listeners before NLB listeners: an `alb` target group forwards to one.
        for listener in scenario.alb_listeners() {
            let config = configs.alb_listener(listener, &addresses)?;
            let (addr, accepting) = lab.bind_alb_listener(config).await?;
            addresses.alb_listeners.push(addr);
            listeners_ready.push(accepting);
        }
        for listener in scenario.listeners() {
            let config = configs.listener(listener, &addresses)?;
            let (addr, accepting) = lab.bind_listener(config).await?;
            addresses.listeners.push(addr);
            listeners_ready.push(accepting);
        }
        lab.bind_gateway(configs.gateway(&addresses)?, options.gateway_addr)
            .await?;
        // Requests must not start their integration timeouts while a listener is still running
        // its first health checks; a listener that failed to start drops its signal.
        for accepting in listeners_ready {
            let _ = accepting.await;
        }
        Ok(lab)
    }

    /// A lab with nothing running yet.
    fn new(
        options: LabOptions,
        served: ServedCertificates,
        certificates: Vec<(String, Arc<CertifiedKey>)>,
    ) -> Lab {
        let events = match options.keep_requests {
            None => EventLog::new(),
            Some(n) => EventLog::bounded(n.saturating_mul(OBSERVATIONS_PER_REQUEST)),
        };
        let invocations = match options.keep_requests {
            None => InvocationLog::unbounded(),
            Some(n) => InvocationLog::with_capacity(n),
        };
        let served = Arc::new(served);
        let targets = TargetStage {
            events: events.clone(),
            ..TargetStage::default()
        };
        Lab {
            gateway_addr: options.gateway_addr,
            hops: Vec::new(),
            control: LabControl {
                targets: Arc::new(tokio::sync::Mutex::new(targets)),
                events: events.clone(),
                invocations: invocations.clone(),
                served: Arc::clone(&served),
                certificates: certificates.into(),
                health: hoplab_hop::HealthOverrides::new(),
                listeners: Arc::default(),
            },
            events,
            invocations,
            served,
            console: ConsoleSlot::new(),
            gateway: Stage::default(),
            nlbs: Stage::default(),
            albs: Stage::default(),
        }
    }

    /// Binds the target `name` on a free loopback port and serves it; returns its address.
    async fn bind_target(
        &mut self,
        name: &str,
        config: TargetConfig,
    ) -> Result<SocketAddr, RunError> {
        let listener = bind(&config.hop, LOOPBACK).await?;
        let addr = local_addr(&config.hop, &listener)?;
        let hop = config.hop.clone();
        self.control
            .targets
            .lock()
            .await
            .add(name, addr, config, listener)?;
        self.hops.push((hop, addr));
        Ok(addr)
    }

    /// Binds an NLB listener on a free loopback port and serves it; returns its address and
    /// the signal that it accepts connections.
    async fn bind_listener(
        &mut self,
        config: ListenerConfig,
    ) -> Result<(SocketAddr, oneshot::Receiver<()>), RunError> {
        let hop = config.hop.clone();
        // Certificates a listener would refuse are left to the listener to refuse.
        let certificates = config.tls.as_ref().and_then(|tls| {
            let certificates = hoplab_nlb::ListenerCertificates::new(&hop, tls).ok()?;
            let slot = ListenerSlot::Nlb(hop.clone(), certificates.clone(), tls.certificates.len());
            self.control.add_listener(slot);
            Some(certificates)
        });
        let controls = hoplab_nlb::ListenerControls {
            health: self.control.health.clone(),
            certificates,
        };
        self.bind_balancer(
            hop,
            Balancer::Nlb,
            move |listener, events, shutdown, ready| {
                hoplab_nlb::serve_listener_controlled(
                    listener,
                    config,
                    controls,
                    events,
                    shutdown,
                    Some(ready),
                )
            },
        )
        .await
    }

    /// Binds an ALB listener on a free loopback port and serves it; returns its address and
    /// the signal that it accepts connections.
    async fn bind_alb_listener(
        &mut self,
        config: hoplab_alb::ListenerConfig,
    ) -> Result<(SocketAddr, oneshot::Receiver<()>), RunError> {
        let hop = config.hop.clone();
        let certificates = match &config.protocol {
            hoplab_alb::ListenerProtocol::Https(https) => {
                // Certificates a listener would refuse are left to the listener to refuse.
                hoplab_alb::ListenerCertificates::new(&hop, https)
                    .ok()
                    .inspect(|certificates| {
                        let listed = https.certificates.len();
                        let slot = ListenerSlot::Alb(hop.clone(), certificates.clone(), listed);
                        self.control.add_listener(slot);
                    })
            }
            hoplab_alb::ListenerProtocol::Http => None,
        };
        let controls = hoplab_alb::ListenerControls {
            health: self.control.health.clone(),
            certificates,
        };
        self.bind_balancer(
            hop,
            Balancer::Alb,
            move |listener, events, shutdown, ready| {
                hoplab_alb::serve_listener_controlled(
                    listener,
                    config,
                    controls,
                    events,
                    shutdown,
                    Some(ready),
                )
            },
        )
        .await
    }

    /// Binds the load balancer listener `hop` on a free loopback port and spawns `serve` on
    /// it in its kind's stage, with the shared event log, the stage's shutdown token and the
    /// sender of the signal that it accepts connections.
    async fn bind_balancer<Serving, E>(
        &mut self,
        hop: HopId,
        kind: Balancer,
        serve: impl FnOnce(TcpListener, EventLog, CancellationToken, oneshot::Sender<()>) -> Serving,
    ) -> Result<(SocketAddr, oneshot::Receiver<()>), RunError>
    where
        Serving: Future<Output = Result<(), E>> + Send + 'static,
        E: std::fmt::Display,
    {
        let listener = bind(&hop, LOOPBACK).await?;
        let addr = local_addr(&hop, &listener)?;
        let events = self.events.clone();
        let stage = match kind {
            Balancer::Nlb => &mut self.nlbs,
            Balancer::Alb => &mut self.albs,
        };
        let (ready, accepting) = oneshot::channel();
        let serving = serve(listener, events, stage.shutdown.clone(), ready);
        let name = hop.to_string();
        stage.tasks.spawn(async move {
            if let Err(error) = serving.await {
                tracing::error!(%error, hop = %name, "load balancer listener stopped");
            }
        });
        self.hops.push((hop, addr));
        Ok((addr, accepting))
    }

    /// Binds the gateway on `addr` and serves it.
    async fn bind_gateway(
        &mut self,
        config: GatewayConfig,
        addr: SocketAddr,
    ) -> Result<(), RunError> {
        let hop = HopId::Gateway;
        let listener = bind(&hop, addr).await?;
        self.gateway_addr = local_addr(&hop, &listener)?;
        let config = Arc::new(config);
        let (invocations, shutdown) = (self.invocations.clone(), self.gateway.shutdown.clone());
        let console = self.console.clone();
        self.gateway.tasks.spawn(async move {
            let limits = FrontLimits::default();
            let serving = hoplab_gateway::serve_with_console(
                listener,
                config,
                invocations,
                shutdown,
                limits,
                console,
            );
            if let Err(error) = serving.await {
                tracing::error!(%error, "gateway stopped");
            }
        });
        self.hops.push((hop, self.gateway_addr));
        Ok(())
    }

    /// Where the gateway listens.
    pub fn gateway_addr(&self) -> SocketAddr {
        self.gateway_addr
    }

    /// Every hop and the loopback address it is bound to, targets first, gateway last.
    pub fn hops(&self) -> &[(HopId, SocketAddr)] {
        &self.hops
    }

    /// The gateway's invocation records.
    pub fn invocations(&self) -> &InvocationLog {
        &self.invocations
    }

    /// The shared event log of the load balancers and targets.
    pub fn events(&self) -> &EventLog {
        &self.events
    }

    /// A handle that changes this lab's targets and reads its records while it runs.
    pub fn control(&self) -> LabControl {
        self.control.clone()
    }

    /// Where a console for the gateway's `/_hoplab/` paths is mounted (a dashboard): the
    /// gateway answers those paths with it from the moment it is mounted.
    pub fn console(&self) -> &ConsoleSlot {
        &self.console
    }

    /// Stops every hop, front to back, and returns what the lab observed.
    ///
    /// The gateway stops first: it refuses new connections and answers the requests in flight
    /// (within its grace period) while the load balancers and targets behind it still serve
    /// them. Then the NLB listeners stop (an NLB may forward to an ALB), then the ALB
    /// listeners, then the targets, each waiting for its connections to end (bounded by its
    /// own grace period), so every port is released and the event log is complete. The whole
    /// stop is bounded by `STOP_TIMEOUT`.
    pub(crate) async fn shutdown(mut self) -> Finished {
        let deadline = tokio::time::Instant::now() + STOP_TIMEOUT;
        let gateway = self.gateway.stop("the gateway", deadline).await;
        let nlbs = self.nlbs.stop("the NLB listeners", deadline).await;
        let albs = self.albs.stop("the ALB listeners", deadline).await;
        let targets = {
            let mut stage = self.control.targets.lock().await;
            stage.closed = true;
            let mut stage = Stage {
                shutdown: stage.shutdown.clone(),
                tasks: std::mem::take(&mut stage.tasks),
            };
            stage.stop("the targets", deadline).await
        };
        Finished {
            events: self.events.snapshot(),
            invocations: self.invocations,
            served: Arc::unwrap_or_clone(self.served),
            clean: gateway && nlbs && albs && targets,
        }
    }

    /// Stops one target's server as a crashed process would leave it: its port refuses new
    /// connections. Connections it had open are answered or closed within the target's grace
    /// period; this returns once the port is released. The load balancers notice through
    /// their health checks, like any other failure.
    pub async fn stop_target(&mut self, name: &str) -> Result<(), RunError> {
        self.control.stop_target(name).await
    }

    /// Serves a target stopped by [`Lab::stop_target`] again, on the same address and with
    /// the same configuration.
    pub async fn restart_target(&mut self, name: &str) -> Result<(), RunError> {
        self.control.start_target(name).await
    }

    /// Stops every hop, front to back (see `shutdown`), for callers that do not need the
    /// observations. Returns whether every hop stopped by itself within the lab's bound;
    /// `false` means some had to be aborted. Either way every port is released.
    pub async fn stop(self) -> bool {
        self.shutdown().await.clean
    }
}

/// A loopback address nothing listens on: a port bound and released at once, so connecting
/// to it is refused (the way a target with `behaviour = "refuse"` is made).
async fn refused_addr() -> Result<SocketAddr, RunError> {
    let hop = HopId::Gateway;
    let listener = bind(&hop, LOOPBACK).await?;
    local_addr(&hop, &listener)
}

pub(crate) async fn bind(hop: &HopId, addr: SocketAddr) -> Result<TcpListener, RunError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| RunError::Bind {
            what: hop.to_string(),
            addr,
            source,
        })
}

fn local_addr(hop: &HopId, listener: &TcpListener) -> Result<SocketAddr, RunError> {
    listener.local_addr().map_err(|source| RunError::Bind {
        what: hop.to_string(),
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        source,
    })
}
