//! `hoplab up`: a scenario's topology, served until Ctrl-C.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::ExitCode;

use hoplab::Scenario;
use hoplab::lab::{
    ControlAccess, Dashboard, INVOCATIONS_PATH, Lab, LabOptions, TargetBehaviour, TargetState,
};

use super::{EXIT_PASSED, load};
use crate::error::{Context, Failure};

/// Starts every hop, prints where each listens (or that a target refuses connections),
/// serves until interrupted, then stops gracefully (in-flight requests finish within the hops'
/// grace periods). Only the records of the latest `keep` requests are kept.
///
/// SIGINT and SIGTERM are caught before anything else happens: one that arrives while the
/// scenario loads, its certificates are generated or its hops bind stops the start-up,
/// releases whatever was bound and exits 0, as a stop after serving does.
pub(super) async fn up(
    file: &Path,
    listen: IpAddr,
    port: u16,
    keep: usize,
    control_token: Option<String>,
) -> Result<ExitCode, Failure> {
    let mut stop = StopSignals::install()?;
    let starting = start(file, listen, port, keep);
    let (scenario, lab) = tokio::select! {
        signal = stop.recv() => {
            // Dropping the start-up drops every hop bound so far, and with it its port.
            println!("stopped: {signal} during start-up, before anything was served");
            return Ok(ExitCode::from(EXIT_PASSED));
        }
        started = starting => started?,
    };
    let mut finished = lab.invocations().follow();
    let targets = lab.control().targets().await;
    for (hop, addr) in lab.hops() {
        match refusal(*addr, &targets) {
            Some(why) => println!("{hop} refuses connections ({why}): nothing listens on {addr}"),
            None => println!("listening for {hop} on {addr}"),
        }
    }
    let routes: Vec<String> = scenario
        .gateway()
        .routes()
        .iter()
        .map(|r| format!("{} {}", r.method(), r.path()))
        .collect();
    let access = ControlAccess::for_listen(listen, control_token);
    let control_off = access == ControlAccess::Off;
    let dashboard = hoplab::lab::serve_dashboard(&lab, &scenario, access);
    println!("dashboard: {}", Dashboard::url(lab.gateway_addr()));
    if control_off {
        eprintln!(
            "hoplab up: the control API is off: the gateway listens on {listen}; \
             give --control-token to turn it on"
        );
    }
    // An HTTP API's `$default` stage is served at the root of the invoke URL.
    let stage = scenario
        .gateway()
        .stage_segment()
        .map_or_else(String::new, |stage| format!("{stage}/"));
    println!(
        "ready: invoke URL http://{}/{stage} (API Gateway's https://{{api-id}}.execute-api.{{region}}.amazonaws.com/{stage}; routes: {}; records of the latest {} requests at {})",
        lab.gateway_addr(),
        routes.join(", "),
        keep.max(1),
        INVOCATIONS_PATH
    );

    loop {
        tokio::select! {
            _ = stop.recv() => break,
            next = finished.recv() => match next {
                Ok(invocation) => {
                    eprintln!(
                        "--- {} {} -> {} (x-amzn-RequestId: {})",
                        invocation.method, invocation.path, invocation.status, invocation.request_id
                    );
                    for line in &invocation.log {
                        eprintln!("{line}");
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(skipped)) => {
                    eprintln!("hoplab up: {skipped} execution logs skipped (requests came faster than they could be printed)");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
        }
    }
    println!("stopping: waiting for in-flight requests");
    dashboard.close();
    lab.stop().await;
    println!("stopped");
    Ok(ExitCode::from(EXIT_PASSED))
}

/// Loads the scenario and starts its lab: everything `up` does before it serves.
async fn start(
    file: &Path,
    listen: IpAddr,
    port: u16,
    keep: usize,
) -> Result<(Scenario, Lab), Failure> {
    let scenario = load(file)?;
    if !listen.is_loopback() {
        eprintln!(
            "hoplab up: warning: the gateway listens on {listen}, reachable from other machines; \
             its backends stay on loopback"
        );
    }
    let options = LabOptions {
        gateway_addr: SocketAddr::new(listen, port),
        keep_requests: Some(keep.max(1)),
    };
    let lab = hoplab::lab::start(&scenario, options)
        .await
        .context(format_args!("hoplab up: {}", file.display()))?;
    Ok((scenario, lab))
}

/// Why the hop at `addr` refuses connections, if it is a target that does: its behaviour is
/// `refuse`, or its server is stopped. Its port is then closed, so nothing listens there.
fn refusal(addr: SocketAddr, targets: &[TargetState]) -> Option<&'static str> {
    let target = targets.iter().find(|t| t.addr == addr)?;
    if target.behaviour == TargetBehaviour::Refuse {
        Some("behaviour \"refuse\"")
    } else if !target.running {
        Some("stopped")
    } else {
        None
    }
}

/// SIGINT (Ctrl-C) and, on Unix, SIGTERM, caught from the moment they are installed: a
/// signal that arrives before [`StopSignals::recv`] is first awaited is not lost.
struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    /// Replaces the default action of SIGINT and SIGTERM (ending the process at once).
    fn install() -> Result<Self, Failure> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let what = "hoplab up: cannot catch SIGINT and SIGTERM";
            Ok(Self {
                interrupt: signal(SignalKind::interrupt()).context(what)?,
                terminate: signal(SignalKind::terminate()).context(what)?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    /// Resolves with the name of the next stop signal.
    async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => "SIGINT",
                _ = self.terminate.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}
