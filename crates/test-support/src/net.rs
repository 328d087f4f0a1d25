//! Hops on real sockets: bound to `127.0.0.1:0`, run on a task, stopped within a bound.

use std::fmt::Debug;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use hoplab_trace::EventLog;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Upper bound for any single step of a test: a handshake, a response, a hop stopping.
pub const STEP: Duration = Duration::from_secs(10);

/// A listener on `127.0.0.1` at a port the system picked, and its address.
///
/// # Panics
/// When the socket cannot be bound (the test cannot run).
pub async fn bind() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    (listener, addr)
}

/// A hop served on its own task: where it listens, the log it writes to, the token that stops
/// it and the task.
#[derive(Debug)]
pub struct Running<E> {
    /// Where the hop listens.
    pub addr: SocketAddr,
    /// The event log the hop records its observations in.
    pub events: EventLog,
    /// Cancelling it asks the hop to shut down.
    pub shutdown: CancellationToken,
    /// The hop's task; its output is the hop's result.
    pub handle: JoinHandle<Result<(), E>>,
}

impl<E: Debug + Send + 'static> Running<E> {
    /// Spawns `serve(listener, events, shutdown)`, the hop's server function, with a fresh
    /// shutdown token.
    ///
    /// # Panics
    /// When `listener` cannot say its address.
    pub fn spawn<F>(
        listener: TcpListener,
        events: &EventLog,
        serve: impl FnOnce(TcpListener, EventLog, CancellationToken) -> F,
    ) -> Self
    where
        F: Future<Output = Result<(), E>> + Send + 'static,
    {
        crate::init_tracing();
        let addr = listener.local_addr().expect("local addr");
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(serve(listener, events.clone(), shutdown.clone()));
        Running {
            addr,
            events: events.clone(),
            shutdown,
            handle,
        }
    }

    /// Cancels the hop and waits, at most [`STEP`], for it to return; returns its address.
    ///
    /// # Panics
    /// When the hop does not return in time, panicked, or returned an error.
    pub async fn stop(self) -> SocketAddr {
        self.shutdown.cancel();
        tokio::time::timeout(STEP, self.handle)
            .await
            .expect("hop returns")
            .expect("hop task")
            .expect("hop result");
        self.addr
    }
}
