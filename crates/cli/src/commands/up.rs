//! `hoplab up`: a scenario's topology, served until Ctrl-C.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::ExitCode;

use hoplab::lab::{ControlAccess, Dashboard, INVOCATIONS_PATH, LabOptions};

use super::{EXIT_PASSED, load};
use crate::error::{Context, Failure};

/// Starts every hop, prints where each listens, serves until interrupted, then stops
/// gracefully (in-flight requests finish within the hops' grace periods). Only the records of
/// the latest `keep` requests are kept.
pub(super) async fn up(
    file: &Path,
    listen: IpAddr,
    port: u16,
    keep: usize,
    control_token: Option<String>,
) -> Result<ExitCode, Failure> {
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
    let mut finished = lab.invocations().follow();
    for (hop, addr) in lab.hops() {
        println!("listening for {hop} on {addr}");
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
    println!(
        "ready: invoke URL http://{}/ (routes: {}; records of the latest {} requests at {})",
        lab.gateway_addr(),
        routes.join(", "),
        keep.max(1),
        INVOCATIONS_PATH
    );

    let interrupted = interrupted();
    tokio::pin!(interrupted);
    loop {
        tokio::select! {
            () = &mut interrupted => break,
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

/// Resolves on Ctrl-C or, on Unix, SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
