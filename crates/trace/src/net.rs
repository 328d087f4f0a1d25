//! Socket habits every hop's server shares.

use std::time::Duration;

/// How long a server waits before accepting again after `accept` failed (for example, out of
/// file descriptors): long enough not to spin, short enough to recover at once.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
