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

/// How a lab binds.
#[derive(Debug, Clone, Copy)]
pub struct LabOptions {
    /// Where the gateway listens; port 0 picks a free port.
    pub gateway_addr: SocketAddr,
}

impl Default for LabOptions {
    fn default() -> Self {
        Self {
            gateway_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

/// A running topology: every target, NLB listener and the gateway, serving on loopback.
#[derive(Debug)]
pub struct Lab {
    gateway_addr: SocketAddr,
    hops: Vec<(HopId, SocketAddr)>,
    events: EventLog,
    invocations: InvocationLog,
    served: ServedCertificates,
    shutdown: CancellationToken,
    tasks: JoinSet<()>,
}

/// Fingerprints of the leaf certificates each hop is configured to serve, with their names.
pub(crate) type ServedCertificates = HashMap<HopId, Vec<(String, String)>>;

/// What is left of a lab once it has stopped: everything it observed.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) events: Vec<Observation>,
    pub(crate) invocations: InvocationLog,
    pub(crate) served: ServedCertificates,
}

/// Longest a lab waits for its hops to stop (each hop has its own grace period inside this).
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

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
            events: EventLog::new(),
            invocations: InvocationLog::default(),
            served: HashMap::new(),
            shutdown: CancellationToken::new(),
            tasks: JoinSet::new(),
        };
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));

        let mut target_addrs = HashMap::new();
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
            let (events, shutdown) = (lab.events.clone(), lab.shutdown.clone());
            lab.tasks.spawn(async move {
                if let Err(error) = hoplab_target::serve(listener, config, events, shutdown).await {
                    tracing::error!(%error, "target stopped");
                }
            });
            target_addrs.insert(target.name.clone(), addr);
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
                        target_addrs.get(name).map(|addr| TargetEndpoint {
                            hop: HopId::target(name),
                            addr: *addr,
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
                        let mut termination =
                            TlsTermination::new(default_certificate, tls.security_policy.as_str());
                        termination.certificates = certificates;
                        termination.alpn_policy = tls.alpn_policy.as_str().to_owned();
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
                let (events, shutdown) = (lab.events.clone(), lab.shutdown.clone());
                let (ready, accepting) = tokio::sync::oneshot::channel();
                listeners_ready.push(accepting);
                lab.tasks.spawn(async move {
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
                        *target_addrs.get(target)?,
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
        let (invocations, shutdown) = (lab.invocations.clone(), lab.shutdown.clone());
        lab.tasks.spawn(async move {
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

    /// Stops every hop, waiting for their connections to end (bounded), and returns what
    /// the lab observed.
    pub(crate) async fn shutdown(mut self) -> Finished {
        self.shutdown.cancel();
        let stopped = tokio::time::timeout(STOP_TIMEOUT, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if stopped.is_err() {
            tracing::warn!("hops did not stop within {STOP_TIMEOUT:?}; aborting them");
            self.tasks.abort_all();
        }
        Finished {
            events: self.events.snapshot(),
            invocations: self.invocations,
            served: self.served,
        }
    }

    /// Stops every hop; for callers that do not need the observations.
    pub async fn stop(self) {
        let _ = self.shutdown().await;
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
