//! A scenario's topology running on loopback.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hoplab_gateway::{Clock, GatewayConfig, Integration, InvocationLog, RouteConfig, UpstreamVia};
use hoplab_nlb::{ListenerConfig, TargetEndpoint, TargetGroup, TlsTermination};
use hoplab_pki::Pki;
use hoplab_pkix::TrustStore;
use hoplab_scenario::{
    ConnectionType, IntegrationType, ListenerProtocol, Scenario, Scheme, TargetGroupProtocol,
    TargetProtocol,
};
use hoplab_target::TargetConfig;
use hoplab_trace::{EventLog, HopId, Observation};
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::RunError;

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

/// A running topology: every target, NLB listener and the gateway, serving on loopback.
#[derive(Debug)]
pub struct Lab {
    gateway_addr: SocketAddr,
    hops: Vec<(HopId, SocketAddr)>,
    events: EventLog,
    invocations: InvocationLog,
    served: ServedCertificates,
    /// The gateway, the NLB listeners and the targets, each with its own shutdown token, in
    /// the order they stop.
    gateway: Stage,
    nlbs: Stage,
    targets: Stage,
    /// Each target's address and configuration, by name, so one can be stopped and served
    /// again on the same address.
    target_slots: HashMap<String, TargetSlot>,
}

/// One target's server, as the lab can stop it and serve it again.
#[derive(Debug)]
struct TargetSlot {
    addr: SocketAddr,
    config: TargetConfig,
    /// Stops this target only (a child of the targets' stage token).
    shutdown: CancellationToken,
    /// Resolves once the server has returned and released its port; `None` once stopped.
    running: Option<tokio::sync::oneshot::Receiver<()>>,
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

/// Fingerprints of the leaf certificates each hop is configured to serve, with their names.
pub(crate) type ServedCertificates = HashMap<HopId, Vec<(String, String)>>;

/// What is left of a lab once it has stopped: everything it observed.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) events: Vec<Observation>,
    pub(crate) invocations: InvocationLog,
    pub(crate) served: ServedCertificates,
    /// Whether every hop stopped by itself within the lab's bound (none had to be aborted).
    pub(crate) clean: bool,
}

/// Longest a lab waits for all its hops to stop (each hop has its own grace period inside this).
const STOP_TIMEOUT: Duration = Duration::from_secs(20);

impl Lab {
    /// Generates the scenario's PKI and starts every hop, back to front; returns once every
    /// NLB listener accepts connections (after its first health checks, when its target group
    /// has any), so requests sent then see settled target health.
    pub async fn start(scenario: &Scenario, options: LabOptions) -> Result<Lab, RunError> {
        let now = scenario.now.unwrap_or_else(OffsetDateTime::now_utc);
        // Key generation is CPU-bound (seconds for large RSA keys): keep it off the reactor.
        let spec = scenario.pki.clone();
        let pki = tokio::task::spawn_blocking(move || Pki::generate(&spec, now))
            .await
            .map_err(|e| RunError::Task(e.to_string()))??;
        let mut lab = Lab {
            gateway_addr: options.gateway_addr,
            hops: Vec::new(),
            events: match options.keep_requests {
                None => EventLog::new(),
                Some(n) => EventLog::bounded(n.saturating_mul(OBSERVATIONS_PER_REQUEST)),
            },
            invocations: match options.keep_requests {
                None => InvocationLog::unbounded(),
                Some(n) => InvocationLog::with_capacity(n),
            },
            served: HashMap::new(),
            gateway: Stage::default(),
            nlbs: Stage::default(),
            targets: Stage::default(),
            target_slots: HashMap::new(),
        };
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));

        for target in &scenario.targets {
            let hop = HopId::target(&target.name);
            let listener = bind(&hop, loopback).await?;
            let addr = local_addr(&hop, &listener)?;
            let tls = match &target.protocol {
                TargetProtocol::Http => None,
                TargetProtocol::Https { certificate } => {
                    let served = served(&pki, certificate)?;
                    lab.note_served(&hop, certificate, &pki)?;
                    Some(Arc::clone(&served.certified_key))
                }
            };
            let mut config = TargetConfig::new(hop.clone(), tls, target.body.clone());
            config.behaviour = crate::faults::target_behaviour(target.behaviour);
            config.tls_versions = crate::faults::target_tls_versions(target.tls_versions);
            lab.serve_target(&target.name, listener, addr, config);
            lab.hops.push((hop, addr));
        }

        let mut listener_addrs = HashMap::new();
        // One signal per listener: it accepts connections (after settling health, if checked).
        let mut listeners_ready = Vec::new();
        for nlb in &scenario.nlbs {
            for listener_spec in &nlb.listeners {
                let hop = HopId::nlb(&nlb.name, listener_spec.port);
                let group = scenario
                    .target_groups
                    .iter()
                    .find(|g| g.name == listener_spec.target_group)
                    .ok_or_else(|| {
                        RunError::MissingCertificate(listener_spec.target_group.clone())
                    })?;
                let targets = group
                    .targets
                    .iter()
                    .filter_map(|name| {
                        lab.target_addr(name).map(|addr| TargetEndpoint {
                            hop: HopId::target(name),
                            addr,
                        })
                    })
                    .collect();
                let tls = match &listener_spec.protocol {
                    ListenerProtocol::Tcp => None,
                    ListenerProtocol::Tls(tls) => {
                        let default_certificate =
                            Arc::clone(&served(&pki, &tls.default_certificate)?.certified_key);
                        lab.note_served(&hop, &tls.default_certificate, &pki)?;
                        let mut certificates = Vec::new();
                        for name in &tls.certificates {
                            certificates.push(Arc::clone(&served(&pki, name)?.certified_key));
                            lab.note_served(&hop, name, &pki)?;
                        }
                        let mut termination = TlsTermination::new(
                            default_certificate,
                            crate::faults::security_policy(tls.security_policy),
                        );
                        termination.certificates = certificates;
                        termination.alpn_policy = crate::faults::alpn_policy(tls.alpn_policy);
                        Some(termination)
                    }
                };
                let mut target_group = TargetGroup::new(
                    group.name.clone(),
                    group.protocol == TargetGroupProtocol::Tls,
                    targets,
                );
                target_group.health_check = group
                    .health_check
                    .as_ref()
                    .map(crate::faults::health_check)
                    .transpose()?;
                let config = ListenerConfig {
                    hop: hop.clone(),
                    tls,
                    target_group,
                };
                let listener = bind(&hop, loopback).await?;
                let addr = local_addr(&hop, &listener)?;
                let (events, shutdown) = (lab.events.clone(), lab.nlbs.shutdown.clone());
                let (ready, accepting) = tokio::sync::oneshot::channel();
                listeners_ready.push(accepting);
                lab.nlbs.tasks.spawn(async move {
                    if let Err(error) = hoplab_nlb::serve_listener_reporting_ready(
                        listener,
                        config,
                        events,
                        shutdown,
                        Some(ready),
                    )
                    .await
                    {
                        tracing::error!(%error, "nlb listener stopped");
                    }
                });
                listener_addrs.insert((nlb.name.clone(), listener_spec.port), addr);
                lab.hops.push((hop, addr));
            }
        }

        let mut trust = TrustStore::new();
        let public_roots: &[rustls::pki_types::CertificateDer<'static>] =
            if scenario.gateway.public_roots {
                webpki_root_certs::TLS_SERVER_ROOT_CERTS
            } else {
                &[]
            };
        let extra = scenario
            .gateway
            .trusted_ca
            .iter()
            .map(|der| rustls::pki_types::CertificateDer::from(der.clone()))
            .chain(public_roots.iter().cloned());
        for (index, der) in pki.trusted().into_iter().chain(extra).enumerate() {
            trust.add(der).map_err(|e| RunError::Trust {
                index,
                detail: e.to_string(),
            })?;
        }
        let routes = scenario
            .gateway
            .routes
            .iter()
            .filter_map(|route| {
                let (upstream, via) = match &route.connection {
                    ConnectionType::Internet { target } => (
                        lab.target_addr(target)?,
                        UpstreamVia::Internet(HopId::target(target)),
                    ),
                    ConnectionType::VpcLink { nlb, listener_port } => (
                        *listener_addrs.get(&(nlb.clone(), *listener_port))?,
                        UpstreamVia::VpcLink(HopId::nlb(nlb, *listener_port)),
                    ),
                };
                Some(RouteConfig {
                    method: route.method.clone(),
                    path: route.path.clone(),
                    integration: match route.integration {
                        IntegrationType::Http => Integration::Http,
                        IntegrationType::HttpProxy => Integration::HttpProxy,
                    },
                    uri: route.uri.raw.clone(),
                    https: route.uri.scheme == Scheme::Https,
                    host: route.uri.host.clone(),
                    port: route.uri.port,
                    path_and_query: route.uri.path_and_query.clone(),
                    upstream,
                    via,
                    insecure_skip_verification: route.insecure_skip_verification,
                    server_name_to_verify: route.server_name_to_verify.clone(),
                    timeout: Duration::from_millis(u64::from(route.timeout_ms)),
                })
            })
            .collect();
        let clock = match scenario.now {
            Some(at) => Clock::pinned(at),
            None => Clock::System,
        };
        let config = Arc::new(GatewayConfig {
            stage: scenario.gateway.stage.clone(),
            routes,
            trust: Arc::new(trust),
            clock,
        });
        let hop = HopId::Gateway;
        let listener = bind(&hop, options.gateway_addr).await?;
        lab.gateway_addr = local_addr(&hop, &listener)?;
        let (invocations, shutdown) = (lab.invocations.clone(), lab.gateway.shutdown.clone());
        lab.gateway.tasks.spawn(async move {
            if let Err(error) = hoplab_gateway::serve(listener, config, invocations, shutdown).await
            {
                tracing::error!(%error, "gateway stopped");
            }
        });
        lab.hops.push((hop, lab.gateway_addr));
        // Requests must not start their integration timeouts while a listener is still running
        // its first health checks; a listener that failed to start drops its signal.
        for accepting in listeners_ready {
            let _ = accepting.await;
        }
        Ok(lab)
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

    /// The shared event log of the NLBs and targets.
    pub fn events(&self) -> &EventLog {
        &self.events
    }

    /// Stops every hop, front to back, and returns what the lab observed.
    ///
    /// The gateway stops first: it refuses new connections and answers the requests in flight
    /// (within its grace period) while the NLBs and targets behind it still serve them. Then
    /// the NLB listeners stop, then the targets, each waiting for its connections to end
    /// (bounded by its own grace period), so every port is released and the event log is
    /// complete. The whole stop is bounded by `STOP_TIMEOUT`.
    pub(crate) async fn shutdown(mut self) -> Finished {
        let deadline = tokio::time::Instant::now() + STOP_TIMEOUT;
        let gateway = self.gateway.stop("the gateway", deadline).await;
        let nlbs = self.nlbs.stop("the NLB listeners", deadline).await;
        let targets = self.targets.stop("the targets", deadline).await;
        Finished {
            events: self.events.snapshot(),
            invocations: self.invocations,
            served: self.served,
            clean: gateway && nlbs && targets,
        }
    }

    /// Stops one target's server as a crashed process would leave it: its port refuses new
    /// connections. Connections it had open are answered or closed within the target's grace
    /// period; this returns once the port is released. The NLB listeners notice through their
    /// health checks, like any other failure.
    pub async fn stop_target(&mut self, name: &str) -> Result<(), RunError> {
        let slot = self.target_slot(name)?;
        let running = slot.running.take().ok_or_else(|| RunError::TargetControl {
            target: name.to_owned(),
            detail: "is not running".to_owned(),
        })?;
        slot.shutdown.cancel();
        tokio::time::timeout(STOP_TIMEOUT, running)
            .await
            .map_err(|_| RunError::TargetControl {
                target: name.to_owned(),
                detail: format!("did not stop within {STOP_TIMEOUT:?}"),
            })?
            .map_err(|_| RunError::TargetControl {
                target: name.to_owned(),
                detail: "its task ended without stopping".to_owned(),
            })
    }

    /// Serves a target stopped by [`Lab::stop_target`] again, on the same address and with
    /// the same configuration.
    pub async fn restart_target(&mut self, name: &str) -> Result<(), RunError> {
        let slot = self.target_slot(name)?;
        if slot.running.is_some() {
            return Err(RunError::TargetControl {
                target: name.to_owned(),
                detail: "is already running".to_owned(),
            });
        }
        let (addr, config) = (slot.addr, slot.config.clone());
        let listener = bind(&HopId::target(name), addr).await?;
        self.serve_target(name, listener, addr, config);
        Ok(())
    }

    /// Where the target `name` serves, if the lab has it.
    fn target_addr(&self, name: &str) -> Option<SocketAddr> {
        self.target_slots.get(name).map(|slot| slot.addr)
    }

    fn target_slot(&mut self, name: &str) -> Result<&mut TargetSlot, RunError> {
        self.target_slots
            .get_mut(name)
            .ok_or_else(|| RunError::TargetControl {
                target: name.to_owned(),
                detail: "no target of that name in this lab".to_owned(),
            })
    }

    /// Spawns a target's server on `listener` and remembers how to stop it.
    fn serve_target(
        &mut self,
        name: &str,
        listener: TcpListener,
        addr: SocketAddr,
        config: TargetConfig,
    ) {
        let shutdown = self.targets.shutdown.child_token();
        let (stopped, running) = tokio::sync::oneshot::channel();
        let (events, token, served) = (self.events.clone(), shutdown.clone(), config.clone());
        self.targets.tasks.spawn(async move {
            if let Err(error) = hoplab_target::serve(listener, served, events, token).await {
                tracing::error!(%error, "target stopped");
            }
            let _ = stopped.send(());
        });
        self.target_slots.insert(
            name.to_owned(),
            TargetSlot {
                addr,
                config,
                shutdown,
                running: Some(running),
            },
        );
    }

    /// Stops every hop, front to back (see `shutdown`), for callers that do not need the
    /// observations. Returns whether every hop stopped by itself within the lab's bound;
    /// `false` means some had to be aborted. Either way every port is released.
    pub async fn stop(self) -> bool {
        self.shutdown().await.clean
    }

    fn note_served(&mut self, hop: &HopId, certificate: &str, pki: &Pki) -> Result<(), RunError> {
        let leaf = pki
            .certificate_der(certificate)
            .ok_or_else(|| RunError::MissingCertificate(certificate.to_owned()))?;
        self.served
            .entry(hop.clone())
            .or_default()
            .push((certificate.to_owned(), hoplab_pkix::fingerprint(leaf)));
        Ok(())
    }
}

fn served<'p>(pki: &'p Pki, name: &str) -> Result<&'p hoplab_pki::ServedCertificate, RunError> {
    pki.served(name)
        .ok_or_else(|| RunError::MissingCertificate(name.to_owned()))
}

async fn bind(hop: &HopId, addr: SocketAddr) -> Result<TcpListener, RunError> {
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
