//! "Will API Gateway accept my certificate chain?"
//!
//! The library behind `hoplab check`, `hoplab probe` and `hoplab certs`. It runs the
//! gateway's own code path on certificates the user brings: the same
//! [`hoplab_pkix::validate`] call the gateway's TLS client makes inside the handshake, the
//! same execution-log line for a refusal, and an explanation of the path built, the
//! certificate that is missing, the one outside its validity window and the names compared
//! with the host.
//!
//! - [`check`] judges a PEM chain.
//! - [`probe`] connects to the server the user names (the only network access in hoplab),
//!   records the chain it serves, and judges that.
//! - [`write_certs`] writes a scenario's generated PKI as PEM files, so other tools (openssl,
//!   a real server) can use the same certificates.
//!
//! Every report serializes to JSON and has a `render_text`. Exit codes: [`EXIT_ACCEPTED`],
//! [`EXIT_REJECTED`], and [`EXIT_UNUSABLE`] for an [`InspectError`] (no verdict).
//!
//! ```no_run
//! # fn demo() -> Result<(), hoplab_inspect::InspectError> {
//! use hoplab_inspect::{CheckInput, Trust, check, read_pem_file};
//!
//! let report = check(CheckInput {
//!     chain_pem: read_pem_file("chain.pem".as_ref())?,
//!     host: "api.example.com".to_owned(),
//!     trust: Trust::Bundled,
//!     at: None,
//!     insecure_skip_verification: false,
//! })?;
//! print!("{}", report.render_text());
//! std::process::exit(report.exit_code().into());
//! # }
//! ```
//!
//! # Layout
//! - `check`: [`check`] and [`CheckInput`]; the verdict through the gateway's code path.
//! - `report`: [`CheckReport`], its text and exit code.
//! - `trust`: [`Trust`] and [`LoadedTrust`]: the bundled roots or the user's PEM files.
//! - `bundled`: the bundled public root set and how it differs from AWS's list.
//! - `input`: [`read_pem_file`], bounded in size.
//! - `target`: [`ProbeTarget`] and [`ConnectTo`]: where a probe connects and what SNI it sends.
//! - `probe`: [`probe`] and [`ProbeReport`]; the handshake records the served chain with the
//!   hop kit's verifier and accepts it, so the verdict is given on the whole chain afterwards.
//! - `mirror`: [`scenario_from_probe`], a scenario of look-alikes of a probed chain, and
//!   [`chain_pem`], the served chain as PEM.
//! - `text`: certificate listings in the style of `openssl s_client`.
//! - `certs`: [`write_certs`], atomic PEM files with safe modes.
//! - `exit`: exit codes.
//! - `error`: [`InspectError`].

#![warn(missing_docs)]

mod bundled;
mod certs;
mod check;
mod error;
mod exit;
mod input;
mod mirror;
mod probe;
mod report;
mod target;
mod text;
mod trust;

pub use certs::write_certs;
pub use check::{CheckInput, check};
pub use error::InspectError;
pub use exit::{EXIT_ACCEPTED, EXIT_REJECTED, EXIT_UNUSABLE, exit_code};
pub use input::{MAX_PEM_FILE_SIZE, read_pem_file};
pub use mirror::{chain_pem, scenario_from_probe};
pub use probe::{ProbeReport, probe};
pub use report::CheckReport;
pub use target::{ConnectTo, DEFAULT_PROBE_TIMEOUT, ProbeTarget};
pub use trust::{LoadedTrust, Trust};
