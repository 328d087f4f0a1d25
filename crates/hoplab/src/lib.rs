//! hoplab from Rust: stand an Amazon API Gateway → VPC link → NLB → target topology up on
//! loopback over real TLS, send requests through it, and assert whose certificate API
//! Gateway validated and what it said.
//!
//! This crate is the one dependency another project needs. A scenario (TOML, or the Rust
//! [`ScenarioBuilder`]) describes certificates, targets, target groups, NLB listeners,
//! routes and the requests to send with what each must produce. [`run`] binds every hop on
//! `127.0.0.1` (port 0), sends the requests through real sockets and real rustls handshakes,
//! and returns a [`Report`]: whether every expectation held, and per request the status, the
//! hop whose certificate was validated, the execution log's failure line and the target
//! reached.
//!
//! # A scenario in a test
//!
//! An NLB TLS listener in front of a target whose certificate has expired: API Gateway
//! validates the listener's certificate, the NLB validates nothing, and the request succeeds.
//!
//! ```
//! # #[tokio::main]
//! # async fn main() -> hoplab::Result<()> {
//! let scenario = hoplab::Scenario::from_toml_str(r#"
//!     [authorities.root]
//!     trusted = true
//!
//!     [certificates.listener]
//!     issuer = "root"
//!     dns_names = ["api.example.com"]
//!
//!     [certificates.expired]
//!     issuer = "root"
//!     dns_names = ["app.internal.example"]
//!     not_before = "-400d"
//!     not_after = "-35d"
//!
//!     [targets.app]
//!     protocol = "HTTPS"
//!     certificate = "expired"
//!
//!     [target_groups.app]
//!     protocol = "TLS"
//!     targets = ["app"]
//!
//!     [[nlbs.internal.listeners]]
//!     port = 443
//!     protocol = "TLS"
//!     certificate = "listener"
//!     target_group = "app"
//!
//!     [[gateway.routes]]
//!     path = "/pets"
//!     uri = "https://api.example.com/pets"
//!     connection_type = "VPC_LINK"
//!     vpc_link = "internal"
//!
//!     [[requests]]
//!     name = "expired target behind a TLS listener"
//!     path = "/pets"
//!     [requests.expect]
//!     status = 200
//!     validated = "nlb:internal:443"
//! "#)?;
//!
//! let report = hoplab::run(&scenario).await?;
//! assert!(report.passed(), "{report}");
//! let request = report.request("expired target behind a TLS listener").expect("sent");
//! assert_eq!(request.status(), Some(200));
//! assert_eq!(request.validated(), Some("nlb:internal:443"));
//! assert_eq!(request.target(), Some("target:app"));
//! assert_eq!(request.error(), None);
//! # Ok(())
//! # }
//! ```
//!
//! A file works the same way: `hoplab::Scenario::from_file("scenarios/my-api.toml")?`.
//!
//! # Without TOML
//!
//! [`ScenarioBuilder`] writes the same scenario in Rust and validates it with the same rules;
//! the builder of each part is in [`scenario`]. Behind a TCP listener, the TLS session
//! passes through the NLB, and API Gateway validates the target's own certificate (a
//! self-signed one with a subject, as any real one has: the JDK cannot even parse a
//! certificate whose issuer name is empty):
//!
//! ```
//! use hoplab::ScenarioBuilder;
//! use hoplab::scenario::{
//!     CertificateBuilder, ExpectBuilder, ListenerBuilder, NlbBuilder, RequestBuilder,
//!     RouteBuilder, TargetBuilder, TargetGroupBuilder, TargetGroupProtocol,
//! };
//!
//! # #[tokio::main]
//! # async fn main() -> hoplab::Result<()> {
//! let scenario = ScenarioBuilder::new()
//!     .certificate(
//!         "app",
//!         CertificateBuilder::self_signed()
//!             .common_name("api.example.com")
//!             .dns_name("api.example.com"),
//!     )
//!     .target("app", TargetBuilder::https("app"))
//!     .target_group("app", TargetGroupBuilder::new(TargetGroupProtocol::Tcp, ["app"]))
//!     .nlb("internal", NlbBuilder::new().listener(ListenerBuilder::tcp(443, "app")))
//!     .route(RouteBuilder::new("/", "https://api.example.com/").vpc_link("internal"))
//!     .request(
//!         RequestBuilder::new("/")
//!             .expect(ExpectBuilder::new().status(500).validated_target("app")),
//!     )
//!     .build()?;
//!
//! let report = hoplab::run(&scenario).await?;
//! assert!(report.passed(), "{report}");
//! let request = report.request("GET /").expect("sent");
//! assert!(request.error().is_some_and(|line| line.contains("PKIX path building failed")));
//! # Ok(())
//! # }
//! ```
//!
//! # Mistakes are located
//!
//! An invalid scenario is refused with every problem found, each naming the file (here
//! [`scenario::STRING_FILE`]), line, column and field, and what would be valid:
//!
//! ```
//! let error = hoplab::Scenario::from_toml_str("[scenario]\nnmae = \"typo\"\n").unwrap_err();
//! assert!(error.to_string().starts_with("<string>:2:1: scenario.nmae"), "{error}");
//! ```
//!
//! # What else it offers
//!
//! - [`explain`]: the static model's prediction of every route and request, without a socket.
//! - [`run_against_model`]: a live run checked against that prediction; the two must agree.
//! - [`Suite`]: a library of scenario files run as regression tests, each live and against
//!   the model, a bounded number at once, with text, JSON, JUnit and HTML reports.
//! - [`compare()`]: every combination of a scenario's `[matrix]`, one row each.
//! - [`check`]: API Gateway's verdict on a PEM chain you bring; [`certificates`]: a
//!   scenario's generated certificates.
//! - [`patch`]: `update-integration` patch operations applied to a scenario's routes.
//! - [`lab`]: a topology kept running, for a client of your own.
//! - The layers underneath, for whoever needs more: [`scenario`], [`report`], [`model`],
//!   [`inspect`], [`render`], [`import`].
//!
//! Every fallible function returns [`Error`]. The `hoplab` command is built on this crate.
//!
//! # Layout
//! - `error`: [`Error`] and [`Result`].
//! - `run`: [`run`], [`run_against_model`] and [`ModelCheck`].
//! - `run_report`: [`Report`] and [`RequestOutcome`].
//! - `explain`: [`explain`] and [`explain_at`].
//! - `certificates`: [`check`] and [`certificates`].
//! - `patch`: [`patch`].
//! - `pool`: the one worker pool [`Suite`] and [`compare()`] run on; [`default_jobs`].
//! - `suite`: [`Suite`], [`SuiteReport`], [`ScenarioResult`], [`Status`], [`Outcome`].
//! - `compare`: [`compare()`], [`Comparison`], [`Row`], [`RowResult`].
//! - [`lab`]: a running topology.

#![warn(missing_docs)]

mod certificates;
mod compare;
mod error;
mod explain;
mod patch;
mod pool;
mod run;
mod run_report;
mod suite;

pub mod lab;

pub use hoplab_import as import;
pub use hoplab_inspect as inspect;
pub use hoplab_model as model;
pub use hoplab_render as render;
pub use hoplab_report as report;
pub use hoplab_scenario as scenario;

pub use hoplab_import::RouteSelector;
pub use hoplab_inspect::{CheckInput, CheckReport, Trust};
pub use hoplab_model::{Disagreement, Explanation};
pub use hoplab_pki::Pki;
pub use hoplab_scenario::{LoadError, Scenario, ScenarioBuilder};

pub use certificates::{certificates, check};
pub use compare::{Comparison, Row, RowResult, compare};
pub use error::{Error, Result};
pub use explain::{explain, explain_at};
pub use patch::patch;
pub use pool::default_jobs;
pub use run::{ModelCheck, run, run_against_model};
pub use run_report::{Report, RequestOutcome};
pub use suite::{Outcome, ScenarioResult, Status, Suite, SuiteReport};
