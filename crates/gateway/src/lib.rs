//! The API Gateway stand-in.
//!
//! A REST API front (hyper) that reads the stage from each request's path
//! (`/{stage}/{resource}`, as the invoke URL has it), matches the resource to a route and calls its HTTP or
//! HTTP_PROXY integration: it connects to the address the route resolves to (a target for an
//! INTERNET integration, an NLB listener for a VPC_LINK one), starts TLS when the integration
//! URI is `https`, and judges the certificate chain the next TLS-terminating hop sends with
//! [`hoplab_pkix::validate`] against the URI host, as API Gateway's JVM client does. Every
//! request leaves an [`Invocation`]: a console-style execution log plus what the gateway saw
//! on its upstream connection, retrievable by the request id the client receives in the
//! `x-amzn-RequestId` header.
//!
//! The gateway takes an already-bound listener and a shutdown token; it never binds.
//!
//! # Layout
//! - `aws`: every AWS-visible string, status and body, and the one function that maps an
//!   integration failure to what the client and the log see.
//! - `config`: [`GatewayConfig`], [`RouteConfig`] and the [`Clock`].
//! - `console`: the [`Console`] hook that serves the gateway's other `/_hoplab/` paths.
//! - `execution_log`: the `<date> : <message>` lines.
//! - `invocation`: [`Invocation`] records and the [`InvocationLog`] that stores them.
//! - `verifier`: the judge that applies the Java PKIX verdict inside the handshake.
//! - `integration`: each `https` route's TLS client, and one call to a backend: connect,
//!   TLS, HTTP/1.1.
//! - `stage`: the stage segment of a request path, and the resource path after it.
//! - `front`: the client-facing HTTP handler.
//! - `server`: [`serve`]: routes' TLS clients built once, on the hop kit's accept loop.
//! - `error`: [`GatewayError`], why the gateway could not start.

#![warn(missing_docs)]

mod aws;
mod config;
mod console;
mod error;
mod execution_log;
mod front;
mod integration;
mod invocation;
mod server;
mod stage;
mod verifier;

pub use aws::{ClientError, Failure, REQUEST_ID_HEADER, failure_response};
pub use config::{Clock, GatewayConfig, Integration, RouteConfig, UpstreamVia};
pub use console::{CONSOLE_PATH, Console, ConsoleBody, ConsoleFuture, ConsoleSlot};
pub use error::GatewayError;
pub use execution_log::{LogLine, format_log_date};
pub use front::INVOCATIONS_PATH;
pub use integration::server_name_for;
pub use invocation::{
    DEFAULT_KEPT_INVOCATIONS, Invocation, InvocationLog, TlsObservation, Upstream,
};
pub use server::{FrontLimits, SHUTDOWN_GRACE, serve, serve_with_console, serve_with_limits};
