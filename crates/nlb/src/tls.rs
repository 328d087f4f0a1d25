//! rustls plumbing shared by both sides of a TLS listener.

use std::time::Duration;

/// How long a client has to finish its TLS handshake with a TLS listener.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
