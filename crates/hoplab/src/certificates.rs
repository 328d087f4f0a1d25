//! Certificates: [`check`] a PEM chain as API Gateway would, and generate a scenario's
//! [`certificates`].

use hoplab_inspect::{CheckInput, CheckReport};
use hoplab_pki::Pki;
use hoplab_scenario::Scenario;

use crate::Result;
use crate::explain::clock;

/// Judges a PEM chain as API Gateway would for an integration whose URI host is
/// `input.host`: the same PKIX validation and hostname check a live run makes inside the
/// handshake, the same execution-log line for a refusal, and why.
///
/// # Errors
///
/// [`Error::Inspect`](crate::Error::Inspect) when the PEM is malformed or holds no
/// certificate, or a trust input is unusable. A refused chain is not an error:
/// [`CheckReport::accepted`] is then false.
pub fn check(input: CheckInput) -> Result<CheckReport> {
    Ok(hoplab_inspect::check(input)?)
}

/// Generates every authority and leaf of the scenario as a live run would, relative times
/// resolved against the scenario's clock. [`Pki::pem_files`] gives them as PEM text, and
/// [`hoplab_inspect::write_certs`] writes them to a directory.
///
/// RSA keys take a while to generate: call it off an async runtime's worker threads (for
/// instance with `tokio::task::spawn_blocking`) when other tasks must keep running.
///
/// # Errors
///
/// [`Error::Certificates`](crate::Error::Certificates) when a key or certificate cannot be
/// made, or a PEM file the scenario names cannot be read.
pub fn certificates(scenario: &Scenario) -> Result<Pki> {
    Ok(Pki::generate(scenario.pki(), clock(scenario))?)
}
