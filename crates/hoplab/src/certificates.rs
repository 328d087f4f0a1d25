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
/// Here the chain and the trusted root come from a scenario's generated certificates; a
/// chain of your own is read with [`hoplab::inspect::read_pem_file`](crate::inspect::read_pem_file).
///
/// ```
/// use hoplab::{CheckInput, Trust};
///
/// # fn main() -> hoplab::Result<()> {
/// let scenario = hoplab::Scenario::from_toml_str(r#"
///     [authorities.root]
///     trusted = true
///
///     [certificates.api]
///     issuer = "root"
///     dns_names = ["api.example.com"]
///
///     [targets.api]
///     protocol = "HTTPS"
///     certificate = "api"
///     dns_names = ["api.example.com"]
///
///     [[gateway.routes]]
///     path = "/"
///     uri = "https://api.example.com/"
/// "#)?;
/// let pem_files = hoplab::certificates(&scenario)?.pem_files();
/// let pem = |name: &str| {
///     let (_, text, _) = pem_files.iter().find(|(file, _, _)| file == name).expect("written");
///     text.clone().into_bytes()
/// };
/// let judge = |host: &str| {
///     hoplab::check(CheckInput {
///         chain_pem: pem("api.chain.pem"),
///         host: host.to_owned(),
///         trust: Trust::Pem(vec![pem("trusted-cas.pem")]),
///         at: None,
///         insecure_skip_verification: false,
///     })
/// };
///
/// assert!(judge("api.example.com")?.accepted);
/// let refused = judge("other.example.com")?;
/// assert!(!refused.accepted);
/// assert!(refused.message.is_some_and(|line| line.contains("Host name 'other.example.com'")));
/// # Ok(())
/// # }
/// ```
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
/// [`hoplab::inspect::write_certs`](crate::inspect::write_certs) writes them to a directory.
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
