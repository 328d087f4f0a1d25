//! The hook through which another crate serves the gateway's own paths under `/_hoplab/`
//! (other than the invocation records the gateway answers itself): a dashboard, an API.
//!
//! A [`ConsoleSlot`] is handed to the gateway when it starts and filled afterwards, once
//! whatever serves the console can be built (it usually needs the running lab). Until it is
//! filled, and for gateways started without one, those paths are ordinary request paths.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use hyper::body::Incoming;
use hyper::{Request, Response};

/// Path prefix of everything the gateway serves itself rather than routing.
pub const CONSOLE_PATH: &str = "/_hoplab/";

/// The body of a console response: any body, so a console can stream (server-sent events).
pub type ConsoleBody = UnsyncBoxBody<Bytes, Infallible>;

/// A console's answer to one request, to be awaited on the gateway's connection task.
pub type ConsoleFuture<'a> = Pin<Box<dyn Future<Output = Response<ConsoleBody>> + Send + 'a>>;

/// Serves the requests whose path starts with [`CONSOLE_PATH`].
pub trait Console: Send + Sync + std::fmt::Debug {
    /// Answers one request under [`CONSOLE_PATH`].
    fn handle(&self, request: Request<Incoming>) -> ConsoleFuture<'_>;
}

/// Where a gateway finds its console once one is mounted; cloned into the gateway at start.
#[derive(Debug, Clone, Default)]
pub struct ConsoleSlot(Arc<OnceLock<Arc<dyn Console>>>);

impl ConsoleSlot {
    /// An empty slot.
    pub fn new() -> Self {
        Self::default()
    }

    /// Mounts `console`; returns it back if one is mounted already.
    pub fn mount(&self, console: Arc<dyn Console>) -> Result<(), Arc<dyn Console>> {
        self.0.set(console)
    }

    /// The mounted console, if any.
    pub fn get(&self) -> Option<&Arc<dyn Console>> {
        self.0.get()
    }
}
