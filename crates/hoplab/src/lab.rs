//! A topology kept running for a client of your own (curl, an SDK, a load test): what
//! `hoplab up` serves.
//!
//! [`start`] binds every hop on loopback, back to front, and returns once the gateway
//! accepts requests at [`Lab::gateway_addr`]. Each request gets its `x-amzn-RequestId`, and
//! its record and execution log are kept (the latest [`LabOptions::keep_requests`], when set)
//! and served at [`INVOCATIONS_PATH`]`/<request id>`. [`Lab::stop`] stops the hops front to
//! back, letting requests in flight finish, and releases every port.
//!
//! ```
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let scenario = hoplab::Scenario::from_toml_str(r#"
//!     [certificates.api]
//!     self_signed = true
//!     common_name = "api.example.com"
//!     dns_names = ["api.example.com"]
//!
//!     [targets.api]
//!     protocol = "HTTPS"
//!     certificate = "api"
//!     dns_names = ["api.example.com"]
//!
//!     [[gateway.routes]]
//!     path = "/pets"
//!     uri = "https://api.example.com/pets"
//! "#)?;
//! let lab = hoplab::lab::start(&scenario, hoplab::lab::LabOptions::default()).await?;
//!
//! let mut client = tokio::net::TcpStream::connect(lab.gateway_addr()).await?;
//! client.write_all(b"GET /pets HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n").await?;
//! let mut answer = String::new();
//! client.read_to_string(&mut answer).await?;
//! // API Gateway refuses the self-signed certificate: an internal server error.
//! assert!(answer.starts_with("HTTP/1.1 500"), "{answer}");
//!
//! assert!(lab.stop().await, "every hop stopped by itself");
//! # Ok(())
//! # }
//! ```

pub use hoplab_dashboard::{API_PATH, ControlAccess, DASHBOARD_PATH, Dashboard};
pub use hoplab_gateway::{DEFAULT_KEPT_INVOCATIONS, INVOCATIONS_PATH, Invocation, InvocationLog};
pub use hoplab_runner::{Lab, LabControl, LabOptions, TargetBehaviour, TargetState};

use hoplab_scenario::Scenario;

use crate::Result;

/// Generates the scenario's certificates and starts every hop, back to front (targets, NLB
/// listeners, gateway), each on `127.0.0.1` port 0 unless `options` pins the gateway's
/// address; returns once every hop accepts connections.
///
/// # Errors
///
/// [`Error::Run`](crate::Error::Run) when certificates cannot be generated or a socket
/// cannot be bound.
pub async fn start(scenario: &Scenario, options: LabOptions) -> Result<Lab> {
    Ok(Lab::start(scenario, options).await?)
}

/// Serves the live dashboard, its JSON API and the control API (as `access` allows) on the
/// gateway's port of `lab`, which runs `scenario`, under [`DASHBOARD_PATH`]. Call
/// [`Dashboard::close`] before [`Lab::stop`] so its event streams end first.
pub fn serve_dashboard(
    lab: &Lab,
    scenario: &Scenario,
    access: ControlAccess,
) -> std::sync::Arc<Dashboard> {
    let dashboard = Dashboard::new(scenario, lab.control(), access);
    // A lab's slot is filled once; a second dashboard would be the caller's mistake and the
    // first keeps serving.
    let _ = lab.console().mount(dashboard.clone());
    dashboard
}
