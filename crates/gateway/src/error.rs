//! Why the gateway could not start.

use hoplab_hop::HopError;

/// The gateway failed to start serving.
///
/// A failed integration call is not an error here: it is a [`Failure`](crate::Failure),
/// answered to the client and recorded in the invocation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// The listener's local address could not be read.
    #[error(transparent)]
    Serve(#[from] HopError),
    /// rustls refused the TLS client configuration of an `https` route.
    #[error("gateway: route {route}: cannot build the tls client: {source}")]
    Tls {
        /// The route, `METHOD /path`.
        route: String,
        /// What rustls said.
        source: rustls::Error,
    },
}
