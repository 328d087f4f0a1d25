//! The accept loop and graceful shutdown.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use crate::front::Front;
use crate::{GatewayConfig, InvocationLog};

/// How long in-flight requests may run after shutdown is requested.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What the front accepts from a client. Each limit acts on one connection: a client that
/// breaks one is answered or disconnected without delaying anyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontLimits {
    /// How long a client may take to send its request line and headers; a slower client's
    /// connection is closed (with `408 Request Timeout` when it had started a request).
    pub header_read_timeout: Duration,
    /// Largest request head (line and headers); a larger one is answered
    /// `431 Request Header Fields Too Large`. hyper's minimum is 8192.
    pub max_head_bytes: usize,
    /// Largest request body; a larger one is answered `413` (API Gateway's 10 MB payload
    /// limit by default).
    pub max_body_bytes: usize,
    /// How long a client may take to send its whole body once the headers are in; a slower
    /// one is answered `408`.
    pub body_read_timeout: Duration,
}

impl Default for FrontLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            max_head_bytes: 64 * 1024,
            max_body_bytes: 10 * 1024 * 1024,
            body_read_timeout: Duration::from_secs(30),
        }
    }
}

/// Serves the gateway on `listener` until `shutdown` is cancelled, then closes the listener
/// (new connections are refused), lets in-flight requests finish and be answered for up to
/// [`SHUTDOWN_GRACE`], closes whatever is still open and returns. Uses the default
/// [`FrontLimits`].
pub async fn serve(
    listener: TcpListener,
    config: Arc<GatewayConfig>,
    invocations: InvocationLog,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    serve_with_limits(
        listener,
        config,
        invocations,
        shutdown,
        FrontLimits::default(),
    )
    .await
}

/// [`serve`] with explicit client limits.
pub async fn serve_with_limits(
    listener: TcpListener,
    config: Arc<GatewayConfig>,
    invocations: InvocationLog,
    shutdown: CancellationToken,
    limits: FrontLimits,
) -> std::io::Result<()> {
    let front = Arc::new(Front {
        config,
        invocations,
        limits,
    });
    let graceful = GracefulShutdown::new();
    let tracker = TaskTracker::new();
    let force = CancellationToken::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_head_bytes.max(8192));

    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Running out of file descriptors or a reset before accept: keep serving.
                    tracing::warn!(%error, "gateway accept failed");
                    tokio::select! {
                        () = shutdown.cancelled() => {}
                        () = tokio::time::sleep(hoplab_trace::ACCEPT_BACKOFF) => {}
                    }
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let front = Arc::clone(&front);
        let service = service_fn(move |request| {
            let front = Arc::clone(&front);
            async move { Ok::<_, Infallible>(front.handle(request).await) }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let span = tracing::debug_span!("connection", hop = "gateway", client.addr = %peer);
        let force = force.clone();
        tracker.spawn(
            async move {
                tokio::select! {
                    () = force.cancelled() => {
                        tracing::debug!("closed at the end of the shutdown grace");
                    }
                    ended = connection => if let Err(error) = ended {
                        tracing::debug!(%error, "client connection ended with an error");
                    },
                }
            }
            .instrument(span),
        );
    }
    // New connections are refused from here on. Each open connection finishes the request it
    // is serving, answers it and closes; an idle keep-alive connection closes at once.
    drop(listener);
    tracker.close();
    tracing::info!(open = tracker.len(), "gateway shutting down");
    let drained = async {
        graceful.shutdown().await;
        tracker.wait().await;
    };
    if tokio::time::timeout(SHUTDOWN_GRACE, drained).await.is_err() {
        tracing::warn!(
            open = tracker.len(),
            "gateway shutdown grace period elapsed with requests in flight; closing them"
        );
        force.cancel();
        tracker.wait().await;
    }
    Ok(())
}
