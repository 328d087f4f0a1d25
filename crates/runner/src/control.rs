//! Changing a running lab while traffic flows: stopping and starting a target, switching its
//! behaviour or the certificate it serves, and reading one request's report while the lab
//! still runs.
//!
//! A target is changed by stopping its server (its port is released once the connections it
//! had are answered or cut, within the target's grace period) and serving it again on the
//! same address with the changed configuration, so the next connection sees the change.

use std::net::SocketAddr;
use std::sync::Arc;

use hoplab_gateway::{Invocation, InvocationLog};
use hoplab_report::RequestReport;
use hoplab_target::{TargetBehaviour, TargetConfig};
use hoplab_trace::{EventLog, Observation};
use rustls::sign::CertifiedKey;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, MutexGuard, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::RunError;
use crate::config::ServedCertificates;

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
    ) {
        self.slots.push(TargetSlot {
            name: name.to_owned(),
            addr,
            config,
            shutdown: CancellationToken::new(),
            running: None,
        });
        self.serve(self.slots.len() - 1, listener);
    }

    /// Spawns the server of the target in slot `index` on `listener`, with a fresh token to
    /// stop it by.
    fn serve(&mut self, index: usize, listener: TcpListener) {
        let shutdown = self.shutdown.child_token();
        let (stopped, running) = oneshot::channel();
        let slot = &mut self.slots[index];
        let (events, token, config) = (self.events.clone(), shutdown.clone(), slot.config.clone());
        self.tasks.spawn(async move {
            if let Err(error) = hoplab_target::serve(listener, config, events, token).await {
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

    /// Changes the configuration of the target in slot `index`, serving it again at once
    /// when it was running.
    async fn reconfigure(
        &mut self,
        index: usize,
        change: impl FnOnce(&mut TargetConfig),
    ) -> Result<(), RunError> {
        let running = self.slots[index].running.is_some();
        if running {
            self.stop(index).await?;
        }
        change(&mut self.slots[index].config);
        if running {
            self.start(index).await?;
        }
        Ok(())
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
                behaviour: slot.config.behaviour,
                certificate: slot
                    .config
                    .tls
                    .as_ref()
                    .and_then(|key| self.certificate_name(key)),
            })
            .collect()
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

    /// Makes the target `name` behave as `behaviour` from its next connection on.
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
        stage
            .reconfigure(index, |config| config.behaviour = behaviour)
            .await
    }

    /// Makes the HTTPS target `name` serve the scenario certificate `certificate` (its chain
    /// as the scenario sends it) from its next handshake on.
    pub async fn set_target_certificate(
        &self,
        name: &str,
        certificate: &str,
    ) -> Result<(), RunError> {
        let key = self
            .certificates
            .iter()
            .find(|(known, _)| known == certificate)
            .map(|(_, key)| Arc::clone(key))
            .ok_or_else(|| {
                control_error(
                    name,
                    &format!(
                        "no certificate {certificate:?} in this scenario; the certificates are: {}",
                        self.certificate_names().join(", ")
                    ),
                )
            })?;
        let mut stage = self.stage().await;
        let index = stage.slot(name)?;
        if stage.slots[index].config.tls.is_none() {
            return Err(control_error(
                name,
                "serves plain HTTP, so it has no certificate to swap",
            ));
        }
        stage
            .reconfigure(index, |config| config.tls = Some(key))
            .await
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
