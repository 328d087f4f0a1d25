//! New TLS connections per second: connect, full handshake, close, again.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio_rustls::TlsConnector;

use super::CONNECT_TIMEOUT;
use crate::certs::server_name;

/// What one handshake-rate run did.
#[derive(Debug, Clone, Copy)]
pub struct HandshakeRun {
    /// Completed full handshakes.
    pub completed: u64,
    /// Connections or handshakes that failed.
    pub failed: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl HandshakeRun {
    /// Completed handshakes per second.
    pub fn rate(&self) -> f64 {
        self.completed as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Runs `concurrency` loops of connect → full TLS handshake → close against `addr` for
/// `window` or until `max_ops` handshakes were attempted.
pub async fn handshakes(
    addr: SocketAddr,
    connector: TlsConnector,
    concurrency: usize,
    window: Duration,
    max_ops: u64,
) -> HandshakeRun {
    let started = Instant::now();
    let deadline = started + window;
    let attempted = Arc::new(AtomicU64::new(0));
    let mut workers = JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (connector, attempted) = (connector.clone(), Arc::clone(&attempted));
        workers.spawn(async move {
            let (mut completed, mut failed) = (0u64, 0u64);
            while Instant::now() < deadline && attempted.fetch_add(1, Ordering::Relaxed) < max_ops {
                if one(addr, &connector).await {
                    completed += 1;
                } else {
                    failed += 1;
                }
            }
            (completed, failed)
        });
    }
    let (mut completed, mut failed) = (0, 0);
    while let Some(joined) = workers.join_next().await {
        if let Ok((c, f)) = joined {
            completed += c;
            failed += f;
        }
    }
    HandshakeRun {
        completed,
        failed,
        elapsed: started.elapsed(),
    }
}

async fn one(addr: SocketAddr, connector: &TlsConnector) -> bool {
    let attempt = async {
        let tcp = TcpStream::connect(addr).await.ok()?;
        let _ = tcp.set_nodelay(true);
        let mut tls = connector.connect(server_name(), tcp).await.ok()?;
        let _ = tls.shutdown().await;
        Some(())
    };
    matches!(
        tokio::time::timeout(CONNECT_TIMEOUT, attempt).await,
        Ok(Some(()))
    )
}
