//! Test helpers: a target running on 127.0.0.1, port 0, on the workspace's shared test
//! support (certificates, TLS clients, raw HTTP/1.1, bounded waits).

#![allow(dead_code, unused_imports)]

use std::sync::Arc;

use hoplab_target::{TargetConfig, TargetError, serve};
use hoplab_trace::{EventLog, HopId, Observation};
use rustls::sign::CertifiedKey;

pub(crate) use hoplab_test_support::{
    STEP, bind, certified, client_config, eventually, get, self_signed, tls_connect,
};

/// A target being served on 127.0.0.1, port 0, with its own event log.
pub(crate) type Running = hoplab_test_support::Running<TargetError>;

pub(crate) async fn start(name: &str, tls: Option<Arc<CertifiedKey>>, body: &str) -> Running {
    start_with(TargetConfig::new(HopId::target(name), tls, body)).await
}

/// Starts a target with `config` on 127.0.0.1, port 0.
pub(crate) async fn start_with(config: TargetConfig) -> Running {
    let (listener, _) = bind().await;
    Running::spawn(listener, &EventLog::new(), |listener, events, shutdown| {
        serve(listener, config, events, shutdown)
    })
}

/// The observations of one kind, e.g. `only(&events, |o| matches!(o, Observation::Accepted { .. }))`.
pub(crate) fn only(events: &EventLog, keep: impl Fn(&Observation) -> bool) -> Vec<Observation> {
    events.matching(keep)
}
