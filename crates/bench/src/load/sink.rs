//! The backend every proxy forwards to: reads bulk transfers and acknowledges them, holds idle
//! connections, and counts what it accepted.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use hoplab_hop::ServeOptions;
use hoplab_trace::HopId;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::BenchError;

/// Read buffer of one sink connection.
const READ_BUFFER: usize = 256 * 1024;

/// A running sink.
#[derive(Debug)]
pub struct Sink {
    addr: SocketAddr,
    accepted: Arc<AtomicU64>,
    shutdown: CancellationToken,
}

impl Sink {
    /// Binds `127.0.0.1:0` and serves until dropped.
    pub async fn start() -> Result<Sink, BenchError> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(BenchError::io("binding the sink"))?;
        let addr = listener
            .local_addr()
            .map_err(BenchError::io("reading the sink's address"))?;
        let accepted = Arc::new(AtomicU64::new(0));
        let shutdown = CancellationToken::new();
        let (count, stop) = (Arc::clone(&accepted), shutdown.clone());
        // The hop kit's accept loop: a failed accept (out of descriptors, most likely) pauses
        // and retries, and the load loop sees its own failures.
        let options = ServeOptions::new(HopId::target("sink"));
        tokio::spawn(hoplab_hop::serve(
            listener,
            shutdown.clone(),
            options,
            move |stream, _| {
                count.fetch_add(1, Ordering::Relaxed);
                let stop = stop.clone();
                async move {
                    tokio::select! {
                        () = stop.cancelled() => {}
                        () = serve(stream) => {}
                    }
                }
            },
        ));
        Ok(Sink {
            addr,
            accepted,
            shutdown,
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// One connection: transfers until the client closes.
async fn serve(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::new();
    loop {
        let mut header = [0u8; 8];
        if stream.read_exact(&mut header).await.is_err() {
            return;
        }
        if buf.is_empty() {
            buf = vec![0u8; READ_BUFFER];
        }
        let mut left = u64::from_be_bytes(header);
        while left > 0 {
            let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
            match stream.read(&mut buf[..want]).await {
                Ok(0) | Err(_) => return,
                Ok(n) => left -= n as u64,
            }
        }
        if stream.write_all(&header).await.is_err() {
            return;
        }
    }
}
