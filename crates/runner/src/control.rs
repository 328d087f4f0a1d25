//! Changing a running lab while traffic flows: stopping and starting a target, switching its
//! behaviour or the certificate it serves, forcing its health in every target group, swapping
//! a load balancer listener's certificate, and reading one request's report while the lab
//! still runs.
//!
//! Stop and start are real: the target's server stops (its port is released once the
//! connections it had are answered or cut, within the target's grace period) and is served
//! again on the same address. Everything else changes a value the running servers read for
//! every connection (the target's [`TargetSwitch`], the listeners' certificate slots, the
//! health tables), so no connection is refused while it changes. The one exception is the
//! `refuse` behaviour, which needs the listener closed: switching to or from it stops the
//! target and serves it again.

use std::net::SocketAddr;
use std::sync::Arc;

use hoplab_gateway::{Invocation, InvocationLog};
use hoplab_hop::{HealthOverrides, ListenerCertificate};
use hoplab_report::RequestReport;
use hoplab_target::{TargetBehaviour, TargetConfig, TargetSwitch};
use hoplab_trace::{EventLog, HopId, Observation};
use rustls::sign::CertifiedKey;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, MutexGuard, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::RunError;
use crate::config::ServedCertificates;
use crate::error::{ListenerRefusal, UnknownCertificate};

/// How many of the latest observations [`LabControl::recent_report`] stitches from.
pub const RECENT_OBSERVATIONS: usize = 512;

/// Longest a target may take to stop before the change fails.
const TARGET_STOP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// A handle on a running lab's targets and records, cloned freely (a dashboard, a test).
/// Every method works on the lab it came from until that lab stops; afterwards target
/// changes fail with [`RunError::TargetControl`].
#[derive(Debug, Clone)]
pub struct LabControl {
    pub(crate) targets: Arc<Mutex<TargetStage>>,
    pub(crate) events: EventLog,
    pub(crate) invocations: InvocationLog,
    pub(crate) served: Arc<ServedCertificates>,
    /// The scenario's leaf certificates, by name, as a server sends them.
    pub(crate) certificates: Arc<[(String, Arc<CertifiedKey>)]>,
    /// Target health forced by hand, watched by every listener's target groups.
    pub(crate) health: HealthOverrides,
    /// The TLS and HTTPS listeners' certificates, added as the listeners start.
    pub(crate) listeners: Arc<std::sync::RwLock<Vec<ListenerSlot>>>,
}

/// A TLS or HTTPS listener's certificates, as the lab can replace them.
#[derive(Debug, Clone)]
pub(crate) enum ListenerSlot {
    /// An NLB TLS listener.
    Nlb(HopId, hoplab_nlb::ListenerCertificates, usize),
    /// An ALB HTTPS listener.
    Alb(HopId, hoplab_alb::ListenerCertificates, usize),
}

impl ListenerSlot {
    fn hop(&self) -> &HopId {
        match self {
            ListenerSlot::Nlb(hop, ..) | ListenerSlot::Alb(hop, ..) => hop,
        }
    }

    /// How many certificates its SNI list holds.
    fn listed(&self) -> usize {
        match self {
            ListenerSlot::Nlb(.., listed) | ListenerSlot::Alb(.., listed) => *listed,
        }
    }

    fn current(&self, which: ListenerCertificate) -> Option<Arc<CertifiedKey>> {
        match self {
            ListenerSlot::Nlb(_, certificates, _) => certificates.current(which),
            ListenerSlot::Alb(_, certificates, _) => certificates.current(which),
        }
    }

    fn replace(
        &self,
        which: ListenerCertificate,
        key: &Arc<CertifiedKey>,
    ) -> Result<(), ListenerRefusal> {
        match self {
            ListenerSlot::Nlb(_, certificates, _) => Ok(certificates.replace(which, key)?),
            ListenerSlot::Alb(_, certificates, _) => Ok(certificates.replace(which, key)?),
        }
    }
}

/// A TLS or HTTPS listener as a [`LabControl`] sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerState {
    /// The listener's hop id, e.g. `nlb:internal:443`; what control requests name it by.
    pub hop: String,
    /// The scenario certificate its default certificate is now (`None`: not one of the
    /// scenario's).
    pub default_certificate: Option<String>,
    /// Its SNI certificate list, in order, the same way.
    pub certificates: Vec<Option<String>>,
}

/// One target as a [`LabControl`] sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetState {
    /// The target's name.
    pub name: String,
    /// Where it serves.
    pub addr: SocketAddr,
    /// Whether its server runs (a stopped target's port refuses connections).
    pub running: bool,
    /// How it treats connections and requests now.
    pub behaviour: TargetBehaviour,
    /// The scenario certificate it serves, `None` for plain HTTP (or a chain that is no
    /// scenario certificate's).
    pub certificate: Option<String>,
    /// `Some` when its health is forced by hand in every target group holding it (`true`
    /// healthy), `None` when its groups' health checks decide.
    pub health_override: Option<bool>,
}

/// The targets of a lab: their servers, stopped with the targets' stage.
#[derive(Debug, Default)]
pub(crate) struct TargetStage {
    pub(crate) shutdown: CancellationToken,
    pub(crate) tasks: JoinSet<()>,
    pub(crate) slots: Vec<TargetSlot>,
    pub(crate) events: EventLog,
    /// Set once the lab stops: no target is served again.
    pub(crate) closed: bool,
}

/// One target's server, as the lab can stop it and serve it again.
#[derive(Debug)]
pub(crate) struct TargetSlot {
    pub(crate) name: String,
    pub(crate) addr: SocketAddr,
    pub(crate) config: TargetConfig,
    /// The behaviour and chain its server reads for every connection.
    switch: TargetSwitch,
    /// Stops this target only (a child of the stage's token).
    shutdown: CancellationToken,
    /// Resolves once the server has returned and released its port; `None` once stopped.
    running: Option<oneshot::Receiver<()>>,
}

impl TargetStage {
    /// Adds the target `name` and serves it on `listener`.
    pub(crate) fn add(
        &mut self,
        name: &str,
        addr: SocketAddr,
        config: TargetConfig,
        listener: TcpListener,
    ) -> Result<(), RunError> {
        let switch = TargetSwitch::new(&config).map_err(|e| control_error(name, &e.to_string()))?;
        self.slots.push(TargetSlot {
            name: name.to_owned(),
            addr,
            config,
            switch,
            shutdown: CancellationToken::new(),
            running: None,
        });
        self.serve(self.slots.len() - 1, listener);
        Ok(())
    }

    /// Spawns the server of the target in slot `index` on `listener`, with a fresh token to
    /// stop it by.
    fn serve(&mut self, index: usize, listener: TcpListener) {
        let shutdown = self.shutdown.child_token();
        let (stopped, running) = oneshot::channel();
        let slot = &mut self.slots[index];
        let (events, token, config) = (self.events.clone(), shutdown.clone(), slot.config.clone());
        let switch = slot.switch.clone();
        self.tasks.spawn(async move {
            let serving = hoplab_target::serve_switched(listener, &config, switch, events, token);
            if let Err(error) = serving.await {
                tracing::error!(%error, "target stopped");
            }
            let _ = stopped.send(());
        });
        slot.shutdown = shutdown;
        slot.running = Some(running);
    }

    /// The slot of the target a caller names.
    fn slot(&self, name: &str) -> Result<usize, RunError> {
        self.slots
            .iter()
            .position(|slot| slot.name == name)
            .ok_or_else(|| control_error(name, "no target of that name in this lab"))
    }

    /// Stops the target in slot `index` and waits until its port is released.
    async fn stop(&mut self, index: usize) -> Result<(), RunError> {
        let slot = &mut self.slots[index];
        let running = slot
            .running
            .take()
            .ok_or_else(|| control_error(&slot.name, "is not running"))?;
        slot.shutdown.cancel();
        let name = slot.name.clone();
        tokio::time::timeout(TARGET_STOP_TIMEOUT, running)
            .await
            .map_err(|_| {
                control_error(
                    &name,
                    &format!("did not stop within {TARGET_STOP_TIMEOUT:?}"),
                )
            })?
            .map_err(|_| control_error(&name, "its task ended without stopping"))
    }

    /// Serves the stopped target in slot `index` again on its address.
    async fn start(&mut self, index: usize) -> Result<(), RunError> {
        let slot = &self.slots[index];
        if self.closed {
            return Err(control_error(&slot.name, "the lab has stopped"));
        }
        if slot.running.is_some() {
            return Err(control_error(&slot.name, "is already running"));
        }
        let listener = crate::lab::bind(&slot.config.hop, slot.addr).await?;
        self.serve(index, listener);
        Ok(())
    }

    /// Runs `change` on the stopped target in slot `index`, stopping it first and serving it
    /// again afterwards when it was running.
    async fn restarted(
        &mut self,
        index: usize,
        change: impl FnOnce(&TargetSwitch) -> Result<(), RunError>,
    ) -> Result<(), RunError> {
        let running = self.slots[index].running.is_some();
        if running {
            self.stop(index).await?;
        }
        let changed = change(&self.slots[index].switch);
        if running {
            self.start(index).await?;
        }
        changed
    }
}

impl LabControl {
    async fn stage(&self) -> MutexGuard<'_, TargetStage> {
        self.targets.lock().await
    }

    /// Every target: where it serves, whether it runs, its behaviour and certificate.
    pub async fn targets(&self) -> Vec<TargetState> {
        let stage = self.stage().await;
        stage
            .slots
            .iter()
            .map(|slot| TargetState {
                name: slot.name.clone(),
                addr: slot.addr,
                running: slot.running.is_some(),
                behaviour: slot.switch.behaviour(),
                certificate: slot
                    .switch
                    .certificate()
                    .and_then(|key| self.certificate_name(&key)),
                health_override: self.health.get(&slot.config.hop),
            })
            .collect()
    }

    /// Every TLS and HTTPS listener and the certificates it serves now.
    pub fn listeners(&self) -> Vec<ListenerState> {
        self.listener_slots()
            .iter()
            .map(|slot| ListenerState {
                hop: slot.hop().to_string(),
                default_certificate: slot
                    .current(ListenerCertificate::Default)
                    .and_then(|key| self.certificate_name(&key)),
                certificates: (0..slot.listed())
                    .map(|index| {
                        slot.current(ListenerCertificate::List(index))
                            .and_then(|key| self.certificate_name(&key))
                    })
                    .collect(),
            })
            .collect()
    }

    /// Adds a listener whose certificates can be replaced.
    pub(crate) fn add_listener(&self, slot: ListenerSlot) {
        self.listeners
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(slot);
    }

    fn listener_slots(&self) -> std::sync::RwLockReadGuard<'_, Vec<ListenerSlot>> {
        // Slots are only ever pushed whole, so a poisoned lock holds no torn state.
        self.listeners
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Makes the TLS or HTTPS listener `listener` (its hop id, e.g. `nlb:internal:443`) serve
    /// the scenario certificate `certificate` as its default certificate (`which` is
    /// [`ListenerCertificate::Default`]) or as an entry of its SNI list, from its next
    /// handshake on. The listener keeps serving: connections already open keep their session.
    pub fn set_listener_certificate(
        &self,
        listener: &str,
        which: ListenerCertificate,
        certificate: &str,
    ) -> Result<(), RunError> {
        let refused = |reason: ListenerRefusal| RunError::ListenerControl {
            listener: listener.to_owned(),
            reason: Box::new(reason),
        };
        let key = self
            .certificate(certificate)
            .map_err(|e| refused(e.into()))?;
        let slots = self.listener_slots();
        let slot = slots
            .iter()
            .find(|slot| slot.hop().to_string() == listener)
            .ok_or_else(|| {
                refused(ListenerRefusal::UnknownListener {
                    known: slots.iter().map(|s| s.hop().to_string()).collect(),
                })
            })?;
        slot.replace(which, &key).map_err(refused)
    }

    /// Forces the target `name` healthy (`Some(true)`) or unhealthy (`Some(false)`) in every
    /// target group that holds it, whatever its health checks say, or hands it back to the
    /// checks (`None`). Routing follows at once; when no target of a group is healthy the
    /// group still fails open.
    pub async fn set_target_health(
        &self,
        name: &str,
        forced: Option<bool>,
    ) -> Result<(), RunError> {
        let hop = {
            let stage = self.stage().await;
            let index = stage.slot(name)?;
            stage.slots[index].config.hop.clone()
        };
        self.health.set(&hop, forced);
        Ok(())
    }

    /// The names of the scenario's certificates a target can be switched to.
    pub fn certificate_names(&self) -> Vec<String> {
        self.certificates
            .iter()
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Stops the target `name` as a crashed process would leave it: its port refuses new
    /// connections. Returns once the port is released.
    pub async fn stop_target(&self, name: &str) -> Result<(), RunError> {
        let mut stage = self.stage().await;
        let index = stage.slot(name)?;
        stage.stop(index).await
    }

    /// Serves a stopped target again, on the same address, with its current configuration.
    pub async fn start_target(&self, name: &str) -> Result<(), RunError> {
        let mut stage = self.stage().await;
        let index = stage.slot(name)?;
        stage.start(index).await
    }

    /// Makes the target `name` behave as `behaviour` from its next connection (or request) on,
    /// without refusing a connection meanwhile, except to or from `refuse`, for which the
    /// target is stopped and served again.
    pub async fn set_target_behaviour(
        &self,
        name: &str,
        behaviour: TargetBehaviour,
    ) -> Result<(), RunError> {
        if let TargetBehaviour::Status(code) = behaviour
            && !(200..=599).contains(&code)
        {
            return Err(control_error(
                name,
                &format!("status {code} is not one a target can answer with (200 to 599)"),
            ));
        }
        let mut stage = self.stage().await;
        let index = stage.slot(name)?;
        let set = |switch: &TargetSwitch| {
            switch
                .set_behaviour(behaviour)
                .map_err(|e| control_error(name, &e.to_string()))
        };
        let refusing = |b: TargetBehaviour| b == TargetBehaviour::Refuse;
        let before = stage.slots[index].switch.behaviour();
        if refusing(before) || refusing(behaviour) {
            // Refusing needs the listener closed (or opened again): serve it anew.
            stage.restarted(index, set).await
        } else {
            set(&stage.slots[index].switch)
        }
    }

    /// Makes the HTTPS target `name` serve the scenario certificate `certificate` (its chain
    /// as the scenario sends it) from its next handshake on, without stopping it.
    pub async fn set_target_certificate(
        &self,
        name: &str,
        certificate: &str,
    ) -> Result<(), RunError> {
        let key = self
            .certificate(certificate)
            .map_err(|e| control_error(name, &e.to_string()))?;
        let stage = self.stage().await;
        let index = stage.slot(name)?;
        stage.slots[index]
            .switch
            .set_certificate(key)
            .map_err(|e| match e {
                hoplab_target::TargetError::PlainHttp { .. } => {
                    control_error(name, "serves plain HTTP, so it has no certificate to swap")
                }
                other => control_error(name, &other.to_string()),
            })
    }

    /// The scenario certificate `name`, or why there is none.
    fn certificate(&self, name: &str) -> Result<Arc<CertifiedKey>, UnknownCertificate> {
        self.certificates
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, key)| Arc::clone(key))
            .ok_or_else(|| UnknownCertificate {
                name: name.to_owned(),
                known: self.certificate_names(),
            })
    }

    /// The report of the kept request `request_id`, stitched from what the hops have
    /// recorded so far (its trace, TLS sessions and certificates), or `None` when it is not
    /// kept.
    pub fn request_report(&self, request_id: &str) -> Option<RequestReport> {
        let invocation = self.invocations.get(request_id)?;
        Some(self.report(&invocation))
    }

    /// The report of `invocation`, stitched from every observation kept.
    pub fn report(&self, invocation: &Invocation) -> RequestReport {
        let events = self.events.snapshot();
        crate::report::invocation_report(invocation, &events, &self.served)
    }

    /// The report of `invocation`, stitched from `events` (a snapshot of the event log
    /// shared by many reports).
    pub fn report_from(&self, invocation: &Invocation, events: &[Observation]) -> RequestReport {
        crate::report::invocation_report(invocation, events, &self.served)
    }

    /// The report of a request that has just finished, stitched from the latest
    /// [`RECENT_OBSERVATIONS`] observations only: cheap enough to run for every request a
    /// live feed shows, and complete unless many requests ran at once (then the trace, and
    /// the validated hop, can miss what fell out of that window).
    pub fn recent_report(&self, invocation: &Invocation) -> RequestReport {
        let events = self.events.latest(RECENT_OBSERVATIONS);
        crate::report::invocation_report(invocation, &events, &self.served)
    }

    /// The gateway's invocation records.
    pub fn invocations(&self) -> &InvocationLog {
        &self.invocations
    }

    /// The shared event log of the load balancers and targets.
    pub fn events(&self) -> &EventLog {
        &self.events
    }

    /// The scenario name of the certificate whose chain `key` is.
    fn certificate_name(&self, key: &Arc<CertifiedKey>) -> Option<String> {
        self.certificates
            .iter()
            .find(|(_, known)| Arc::ptr_eq(known, key) || known.cert == key.cert)
            .map(|(name, _)| name.clone())
    }
}

/// Why a change to the target `target` was refused.
pub(crate) fn control_error(target: &str, detail: &str) -> RunError {
    RunError::TargetControl {
        target: target.to_owned(),
        detail: detail.to_owned(),
    }
}
