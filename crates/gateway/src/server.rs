//! The gateway's server: its routes' TLS clients made once, the client limits, and the hop
//! kit's accept loop serving HTTP/1.1.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hoplab_hop::{ServeOptions, serve_http1};
use hoplab_trace::HopId;
use hyper::service::service_fn;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::front::Front;
use crate::integration::RouteTls;
use crate::{ConsoleSlot, GatewayConfig, GatewayError, InvocationLog};

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
///
/// # Errors
/// As [`serve_with_limits`].
pub async fn serve(
    listener: TcpListener,
    config: Arc<GatewayConfig>,
    invocations: InvocationLog,
    shutdown: CancellationToken,
) -> Result<(), GatewayError> {
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
///
/// Each `https` route's TLS client (and its certificate verifier) is built here, once, and
/// shared by every request on the route.
///
/// # Errors
/// Only when the gateway cannot start: a route's TLS client cannot be built, or the
/// listener's address cannot be read. A failed integration call is answered to its client.
pub async fn serve_with_limits(
    listener: TcpListener,
    config: Arc<GatewayConfig>,
    invocations: InvocationLog,
    shutdown: CancellationToken,
    limits: FrontLimits,
) -> Result<(), GatewayError> {
    serve_with_console(
        listener,
        config,
        invocations,
        shutdown,
        limits,
        ConsoleSlot::new(),
    )
    .await
}

/// [`serve_with_limits`], with the paths under [`CONSOLE_PATH`](crate::CONSOLE_PATH) other
/// than the invocation records answered by the console mounted in `console`, once one is.
///
/// # Errors
/// As [`serve_with_limits`].
pub async fn serve_with_console(
    listener: TcpListener,
    config: Arc<GatewayConfig>,
    invocations: InvocationLog,
    shutdown: CancellationToken,
    limits: FrontLimits,
    console: ConsoleSlot,
) -> Result<(), GatewayError> {
    let tls = config
        .routes
        .iter()
        .map(|route| {
            route
                .https
                .then(|| RouteTls::new(route, &config))
                .transpose()
                .map_err(|source| GatewayError::Tls {
                    route: format!("{} {}", route.method, route.path),
                    source,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let front = Arc::new(Front {
        config,
        tls,
        invocations,
        limits,
        console,
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_head_bytes.max(8192));
    let http = Arc::new(http);
    let options = ServeOptions {
        hop: HopId::Gateway,
        grace: SHUTDOWN_GRACE,
    };
    // Each open connection watches the drain signal: it finishes the request it is serving,
    // answers it and closes; an idle keep-alive connection closes at once.
    let drain = shutdown.clone();
    hoplab_hop::serve(listener, shutdown, options, move |stream, _conn| {
        let (front, http, drain) = (Arc::clone(&front), Arc::clone(&http), drain.clone());
        async move {
            let _ = stream.set_nodelay(true);
            let service = service_fn(move |request| {
                let front = Arc::clone(&front);
                async move { Ok::<_, Infallible>(front.handle(request).await) }
            });
            if let Err(error) = serve_http1(&http, stream, service, &drain).await {
                tracing::debug!(%error, "client connection ended with an error");
            }
        }
    })
    .await?;
    Ok(())
}
