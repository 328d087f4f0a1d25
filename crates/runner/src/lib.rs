//! Runs scenarios: stands the topology up on loopback, sends the scenario's requests
//! through the gateway, stitches what every hop observed into a hop trace per request, and
//! checks each request's expectations.
//!
//! This is the only library that binds sockets, always on `127.0.0.1` and port 0 unless the
//! caller pins the gateway's port; each hop is bound first and its address handed to the
//! hop in front of it (target, then ALB, then NLB, then gateway).
//!
//! # Layout
//! - `config`: the scenario and its generated PKI → each hop's configuration (pure).
//! - `lab`: [`Lab`], a running topology: binding and spawning the hops, and stopping them.
//! - `limits`: whether the open-file limit allows the topology, checked before binding.
//! - `control`: [`LabControl`], changing a running lab's targets (behaviour, certificate,
//!   health) and listener certificates, and reading its records.
//! - `faults`: scenario faults, TLS versions and health checks in the hop libraries' terms.
//! - `client`: the HTTP client that plays the API caller.
//! - `stitch`: follows one request's connections through the event log into a [`HopTrace`].
//! - `expect`: compares a request's outcome with its expectation (and a repeated request's
//!   sends with `expect_repeats`).
//! - `report`: a [`RequestReport`] from what the lab observed.
//!
//! The report types live in `hoplab-report` (plain data, no sockets) and are re-exported here.

#![warn(missing_docs)]

mod client;
mod config;
mod control;
mod error;
mod expect;
mod faults;
mod lab;
mod limits;
mod report;
mod stitch;

pub use control::{LabControl, ListenerState, RECENT_OBSERVATIONS, TargetState};
pub use error::{ListenerRefusal, RunError, UnknownCertificate};
pub use hoplab_hop::ListenerCertificate;
pub use hoplab_report::{
    CertSummary, CertificateRole, HopStep, HopTrace, Mismatch, RequestReport, RunReport,
    SeenCertificate, TlsSession, render_request_text, render_text,
};
pub use hoplab_target::TargetBehaviour;
pub use lab::{Lab, LabOptions, OBSERVATIONS_PER_REQUEST};

use hoplab_scenario::Scenario;

/// Runs every request of a scenario on a fresh topology and reports on each.
pub async fn run(scenario: &Scenario) -> Result<RunReport, RunError> {
    let lab = Lab::start(scenario, LabOptions::default()).await?;
    let mut sent = Vec::with_capacity(scenario.requests().len());
    for request in scenario.requests() {
        for name in request.send_names() {
            let response = client::send(lab.gateway_addr(), request.method(), request.path()).await;
            sent.push((request, name, response));
        }
    }
    // Stopping the lab waits for every hop's connections to end, so every observation of
    // every request is in the event log before traces are stitched.
    let finished = lab.shutdown().await;
    let mut requests: Vec<RequestReport> = sent
        .into_iter()
        .map(|(request, name, response)| {
            report::request_report(scenario, &finished, request, name, response)
        })
        .collect();
    expect::check_repeats(scenario, &mut requests);
    Ok(RunReport {
        scenario: scenario.name().to_owned(),
        description: scenario.description().map(str::to_owned),
        requests,
    })
}
