//! Scenarios from what you can export from your AWS account, and API Gateway patch
//! operations applied to scenario routes.
//!
//! [`import`] reads the JSON the AWS CLI prints for an API's integrations, VPC links, NLB
//! listeners, target groups and target health, and writes a scenario TOML. Certificates come
//! from PEM files you map to ACM ARNs or target ids. Whatever the exports do not say becomes a
//! `# TODO(import): …` comment above a value that fails validation, so `hoplab validate`
//! points at every gap; nothing is guessed silently.
//!
//! [`parse_patch_operations`] reads `aws apigateway update-integration --patch-operations`
//! text, and [`apply_to_scenario`] changes routes the way those operations change an
//! integration, then validates the scenario again, so a fix can be tried before it is made in
//! AWS and meets the same rules as a scenario file.
//!
//! # Layout
//! - `inputs`: [`ImportInputs`] and [`Imported`].
//! - `aws`: the AWS CLI's JSON shapes (serde, AWS field names, unknown fields ignored).
//! - `build`: exports → TOML: `exports` (parsing and indexing), `routes`, `balancers`
//!   (listeners and certificates), `groups` (target groups and targets).
//! - `doc`: a TOML writer that keeps comments and records placeholders.
//! - `names`: scenario names from ARNs and ids.
//! - `patch`: `parse` (shorthand and JSON), `apply` (routes changed in the scenario's written
//!   form, then validated again).
//! - `error`: [`ImportError`] and [`PatchError`].

#![warn(missing_docs)]

mod aws;
mod build;
mod doc;
mod error;
mod inputs;
mod names;
mod patch;

pub use error::{ImportError, PatchError};
pub use inputs::{
    CertificateMapping, ImportInputs, Imported, IntegrationInput, ListenerCertificatesInput,
    PemFiles, TargetCertificateMapping, TargetHealthInput,
};
pub use patch::{Op, PatchOp, RouteSelector, SUPPORTED, apply_to_scenario, parse_patch_operations};

/// Builds a scenario from AWS CLI exports. Fails only on input that is not the JSON the
/// commands print (or on a non-UTF-8 path); anything missing becomes a placeholder.
pub fn import(inputs: ImportInputs) -> Result<Imported, ImportError> {
    build::import(&inputs)
}
